//! Sending raw, SigV4-signed wire requests to a target: our emulator, DynamoDB
//! Local, or any endpoint (real DynamoDB with credentials from the environment).
//! Raw JSON bodies keep the comparison at the wire level, below any SDK.

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use std::time::{Duration, SystemTime};

type Https = hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>;

/// What kind of server a target is: decides which expectations apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Our emulator: expects real DynamoDB's answers; skips scenarios using
    /// operations it does not implement yet.
    Emulator,
    /// Amazon's DynamoDB Local: expects its known differences instead.
    DynamoDbLocal,
    /// Any other endpoint (real DynamoDB): expects real DynamoDB's answers.
    Remote,
}

#[derive(Clone)]
pub struct Target {
    pub kind: Kind,
    pub endpoint: String,
    region: String,
    credentials: Credentials,
    client: Client<Https, Full<Bytes>>,
}

/// One answer: HTTP status and the body (JSON, or the raw text as a string).
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Target {
    /// A local target in us-east-1 with the harness's credentials (its
    /// emulators verify signatures; DynamoDB Local accepts any).
    pub fn local(kind: Kind, endpoint: &str) -> Result<Self, String> {
        let credentials = Credentials::new(harness::ACCESS_KEY, harness::SECRET_KEY, None, None, "conformance");
        Self::new(kind, endpoint, "us-east-1", credentials)
    }

    /// A remote endpoint; region and credentials from `AWS_REGION`,
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`.
    pub fn remote(endpoint: &str) -> Result<Self, String> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let region = var("AWS_REGION").or_else(|| var("AWS_DEFAULT_REGION")).unwrap_or_else(|| "us-east-1".into());
        let key = var("AWS_ACCESS_KEY_ID").ok_or("AWS_ACCESS_KEY_ID is not set")?;
        let secret = var("AWS_SECRET_ACCESS_KEY").ok_or("AWS_SECRET_ACCESS_KEY is not set")?;
        let credentials = Credentials::new(key, secret, var("AWS_SESSION_TOKEN"), None, "environment");
        Self::new(Kind::Remote, endpoint, &region, credentials)
    }

    fn new(kind: Kind, endpoint: &str, region: &str, credentials: Credentials) -> Result<Self, String> {
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()
            .map_err(|e| format!("TLS roots: {e}"))?
            .https_or_http()
            .enable_http1()
            .build();
        let client = Client::builder(TokioExecutor::new()).pool_idle_timeout(Duration::from_secs(30)).build(connector);
        let endpoint = endpoint.trim_end_matches('/').to_string();
        Ok(Target { kind, endpoint, region: region.to_string(), credentials, client })
    }

    /// Sends one operation with a raw JSON body (DynamoDB's or DynamoDB Streams' operations).
    pub async fn send(&self, operation: &str, body: &Value) -> Result<Answer, String> {
        let payload = serde_json::to_vec(body).map_err(|e| e.to_string())?;
        self.send_bytes(operation, payload).await
    }

    pub async fn send_bytes(&self, operation: &str, payload: Vec<u8>) -> Result<Answer, String> {
        let uri = format!("{}/", self.endpoint);
        let mut request = http::Request::builder()
            .method("POST")
            .uri(&uri)
            .header("content-type", "application/x-amz-json-1.0")
            .header("x-amz-target", format!("{}{operation}", target_prefix(operation)))
            .body(Full::new(Bytes::from(payload.clone())))
            .map_err(|e| e.to_string())?;
        let host = request.uri().authority().map(|a| a.to_string()).unwrap_or_default();
        request.headers_mut().insert("host", host.parse().map_err(|e| format!("{e}"))?);
        self.sign(&mut request, &payload)?;
        let response = tokio::time::timeout(Duration::from_secs(60), self.client.request(request))
            .await
            .map_err(|_| format!("{operation}: no answer within 60 s"))?
            .map_err(|e| format!("{operation}: {e}"))?;
        let status = response.status().as_u16();
        let bytes = response.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Ok(Answer { status, body })
    }

    fn sign(&self, request: &mut http::Request<Full<Bytes>>, payload: &[u8]) -> Result<(), String> {
        let identity = self.credentials.clone().into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name("dynamodb")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| e.to_string())?
            .into();
        let headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
            .collect();
        let uri = request.uri().to_string();
        let signable = SignableRequest::new(
            "POST",
            &uri,
            headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            SignableBody::Bytes(payload),
        )
        .map_err(|e| e.to_string())?;
        let (instructions, _) = sign(signable, &params).map_err(|e| e.to_string())?.into_parts();
        instructions.apply_to_request_http1x(request);
        Ok(())
    }
}

/// The `X-Amz-Target` prefix of an operation's service (Streams operations
/// have their own); unknown operations are sent as DynamoDB's.
fn target_prefix(operation: &str) -> &'static str {
    emulator::Operation::from_name(operation).map_or("DynamoDB_20120810.", |op| op.service().target_prefix())
}
