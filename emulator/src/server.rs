//! The HTTP server: axum on tokio, reading each body up to the limit and
//! handing it to [`crate::protocol::respond`].

use crate::protocol::{self, MAX_BODY_BYTES};
use crate::state::State;
use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use http_body_util::{BodyExt, Limited};
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;

pub fn router(state: Arc<State>) -> axum::Router {
    axum::Router::new().fallback(move |request: Request| {
        let state = Arc::clone(&state);
        async move { serve_one(&state, request).await }
    })
}

async fn serve_one(state: &State, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    // Read at most the limit: an oversized body is refused without being buffered whole.
    let bytes = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return protocol::body_too_large().map(Body::from),
    };
    protocol::respond(state, http::Request::from_parts(parts, bytes)).await.map(Body::from)
}

/// Serves until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    // Responses go out at once rather than waiting to be coalesced (Nagle).
    let listener = listener.tap_io(|stream| {
        let _ = stream.set_nodelay(true);
    });
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await
}
