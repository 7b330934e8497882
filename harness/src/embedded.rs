//! The in-process transport: an `aws-smithy` HTTP client whose "network" is
//! a direct call of [`emulator::protocol::respond`]. The SDK serializes,
//! signs and parses exactly as it does over a socket; the emulator sees the
//! same bytes and takes the same code path as behind its HTTP server.

use aws_sdk_dynamodb::config::{http::HttpResponse, HttpClient};
use aws_smithy_runtime_api::client::http::{
    HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use bytes::Bytes;
use emulator::protocol::{self, MAX_BODY_BYTES};
use emulator::State;
use http_body_util::{BodyExt, Limited};
use std::sync::Arc;

/// An HTTP client (and connector) that hands each request to an emulator's state.
#[derive(Clone)]
pub struct InProcessClient {
    state: Arc<State>,
}

impl std::fmt::Debug for InProcessClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InProcessClient")
    }
}

impl InProcessClient {
    pub fn new(state: Arc<State>) -> InProcessClient {
        InProcessClient { state }
    }

    pub fn shared(state: Arc<State>) -> SharedHttpClient {
        SharedHttpClient::new(InProcessClient::new(state))
    }
}

impl HttpClient for InProcessClient {
    fn http_connector(&self, _: &HttpConnectorSettings, _: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

impl HttpConnector for InProcessClient {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let state = Arc::clone(&self.state);
        HttpConnectorFuture::new(async move {
            let request = request.try_into_http1x().map_err(|e| ConnectorError::user(Box::new(e)))?;
            let (parts, body) = request.into_parts();
            let bytes = match read_body(body).await {
                Ok(bytes) => bytes,
                Err(BodyError::TooLarge) => return to_sdk_response(protocol::body_too_large()),
                Err(BodyError::Io(e)) => return Err(ConnectorError::io(e)),
            };
            let response = protocol::respond(&state, http::Request::from_parts(parts, bytes)).await;
            to_sdk_response(response)
        })
    }
}

enum BodyError {
    TooLarge,
    Io(Box<dyn std::error::Error + Send + Sync>),
}

/// The request body, refused past the same 16 MB limit the HTTP server enforces.
async fn read_body(body: SdkBody) -> Result<Bytes, BodyError> {
    if let Some(bytes) = body.bytes() {
        // The SDK's JSON bodies are in memory: no copy of the stream needed.
        if bytes.len() > MAX_BODY_BYTES {
            return Err(BodyError::TooLarge);
        }
        return Ok(Bytes::copy_from_slice(bytes));
    }
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(BodyError::TooLarge),
        Err(e) => Err(BodyError::Io(e)),
    }
}

fn to_sdk_response(response: http::Response<Bytes>) -> Result<HttpResponse, ConnectorError> {
    HttpResponse::try_from(response.map(SdkBody::from)).map_err(|e| ConnectorError::other(Box::new(e), None))
}
