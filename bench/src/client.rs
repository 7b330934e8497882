//! A lean DynamoDB JSON client: one keep-alive HTTP/1.1 connection (hyper),
//! no SDK, no signing work, so the load generator stays cheap.

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use http::{HeaderValue, Request};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;
use tokio::net::TcpStream;

/// DynamoDB Local reads the access key from the Authorization header (and
/// refuses requests without one) but checks no signature.
const AUTHORIZATION_VALUE: &str = "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/dynamodb/aws4_request, \
     SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000000000000000000000000000000000000000000000000000000000000000";

/// The `X-Amz-Target` prefixes of the two APIs a DynamoDB endpoint serves.
const DYNAMODB: &str = "DynamoDB_20120810";
const STREAMS: &str = "DynamoDBStreams_20120810";

/// No single request may take longer than this (a stuck target fails the phase instead of hanging the run).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// A response: HTTP status and body.
pub struct Reply {
    pub status: u16,
    pub body: Bytes,
}

impl Reply {
    /// The `__type` of an error body, without its namespace (`com.amazonaws.dynamodb.v20120810#`).
    pub fn error_type(&self) -> Option<String> {
        let value: serde_json::Value = serde_json::from_slice(&self.body).ok()?;
        let full = value.get("__type")?.as_str()?;
        Some(full.rsplit('#').next().unwrap_or(full).to_string())
    }

    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// The connection's I/O driver, polled by the task making the calls (rather
/// than spawned as its own task) so a request costs no cross-task wake-ups.
type Driver = Pin<Box<http1::Connection<TokioIo<TcpStream>, Full<Bytes>>>>;

pub struct Connection {
    sender: SendRequest<Full<Bytes>>,
    driver: Driver,
    host: HeaderValue,
}

impl Connection {
    pub async fn open(address: SocketAddr) -> Result<Connection, String> {
        let stream = TcpStream::connect(address).await.map_err(|e| format!("connect {address}: {e}"))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let (sender, connection) =
            http1::handshake(TokioIo::new(stream)).await.map_err(|e| format!("handshake with {address}: {e}"))?;
        let host = HeaderValue::from_str(&address.to_string()).map_err(|e| e.to_string())?;
        Ok(Connection { sender, driver: Box::pin(connection), host })
    }

    /// Sends one DynamoDB operation and reads the whole response.
    pub async fn call(&mut self, operation: &str, body: Bytes) -> Result<Reply, String> {
        self.call_api(DYNAMODB, operation, body).await
    }

    /// Sends one DynamoDB Streams operation (ListStreams, DescribeStream,
    /// GetShardIterator, GetRecords): same endpoint, its own target prefix.
    pub async fn call_streams(&mut self, operation: &str, body: Bytes) -> Result<Reply, String> {
        self.call_api(STREAMS, operation, body).await
    }

    async fn call_api(&mut self, api: &str, operation: &str, body: Bytes) -> Result<Reply, String> {
        tokio::time::timeout(REQUEST_TIMEOUT, self.call_untimed(api, operation, body))
            .await
            .map_err(|_| format!("{operation}: no answer within {REQUEST_TIMEOUT:?}"))?
    }

    async fn call_untimed(&mut self, api: &str, operation: &str, body: Bytes) -> Result<Reply, String> {
        let request = Request::post("/")
            .header(HOST, self.host.clone())
            .header(CONTENT_TYPE, "application/x-amz-json-1.0")
            .header("x-amz-target", format!("{api}.{operation}"))
            .header("x-amz-date", "20260101T000000Z")
            .header(AUTHORIZATION, AUTHORIZATION_VALUE)
            .body(Full::new(body))
            .map_err(|e| e.to_string())?;
        let Connection { sender, driver, .. } = self;
        drive(driver, sender.ready()).await?.map_err(|e| format!("connection closed: {e}"))?;
        let response = drive(driver, sender.send_request(request)).await?.map_err(|e| format!("{operation}: {e}"))?;
        let status = response.status().as_u16();
        let collected = drive(driver, response.into_body().collect()).await?;
        let body = collected.map_err(|e| format!("{operation} body: {e}"))?.to_bytes();
        Ok(Reply { status, body })
    }
}

/// Polls `work` while also driving the connection's I/O until `work` is done.
async fn drive<T>(driver: &mut Driver, work: impl Future<Output = T>) -> Result<T, String> {
    tokio::pin!(work);
    tokio::select! {
        biased;
        done = &mut work => Ok(done),
        ended = driver.as_mut() => Err(match ended {
            Ok(()) => "the server closed the connection".to_string(),
            Err(e) => format!("connection failed: {e}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_type_drops_the_namespace() {
        let reply = Reply {
            status: 400,
            body: Bytes::from_static(br#"{"__type":"com.amazonaws.dynamodb.v20120810#UnknownOperationException"}"#),
        };
        assert_eq!(reply.error_type().as_deref(), Some("UnknownOperationException"));
        let ok = Reply { status: 200, body: Bytes::from_static(b"{}") };
        assert_eq!(ok.error_type(), None);
    }
}
