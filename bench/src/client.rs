//! A lean DynamoDB JSON client: one keep-alive HTTP/1.1 connection (hyper),
//! no SDK, no signing work, so the load generator stays cheap.

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use http::{HeaderValue, Request};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpStream;

/// DynamoDB Local reads the access key from the Authorization header (and
/// refuses requests without one) but checks no signature.
const AUTHORIZATION_VALUE: &str = "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/dynamodb/aws4_request, \
     SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000000000000000000000000000000000000000000000000000000000000000";

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

pub struct Connection {
    sender: SendRequest<Full<Bytes>>,
    host: HeaderValue,
}

impl Connection {
    pub async fn open(address: SocketAddr) -> Result<Connection, String> {
        let stream = TcpStream::connect(address).await.map_err(|e| format!("connect {address}: {e}"))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let (sender, connection) =
            http1::handshake(TokioIo::new(stream)).await.map_err(|e| format!("handshake with {address}: {e}"))?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        let host = HeaderValue::from_str(&address.to_string()).map_err(|e| e.to_string())?;
        Ok(Connection { sender, host })
    }

    /// Sends one DynamoDB operation and reads the whole response.
    pub async fn call(&mut self, operation: &str, body: Bytes) -> Result<Reply, String> {
        tokio::time::timeout(REQUEST_TIMEOUT, self.call_untimed(operation, body))
            .await
            .map_err(|_| format!("{operation}: no answer within {REQUEST_TIMEOUT:?}"))?
    }

    async fn call_untimed(&mut self, operation: &str, body: Bytes) -> Result<Reply, String> {
        self.sender.ready().await.map_err(|e| format!("connection closed: {e}"))?;
        let request = Request::post("/")
            .header(HOST, self.host.clone())
            .header(CONTENT_TYPE, "application/x-amz-json-1.0")
            .header("x-amz-target", format!("DynamoDB_20120810.{operation}"))
            .header("x-amz-date", "20260101T000000Z")
            .header(AUTHORIZATION, AUTHORIZATION_VALUE)
            .body(Full::new(body))
            .map_err(|e| e.to_string())?;
        let response = self.sender.send_request(request).await.map_err(|e| format!("{operation}: {e}"))?;
        let status = response.status().as_u16();
        let body = response.into_body().collect().await.map_err(|e| format!("{operation} body: {e}"))?.to_bytes();
        Ok(Reply { status, body })
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
