//! The emulator's own small admin API under `/_emulator/`, for tools and
//! tests in other languages: fault rules and the clock. DynamoDB never
//! serves these paths, so they cannot collide with SDK traffic (`POST /`).
//!
//! - `GET /_emulator/faults`: the rules with their counters, and the total injected
//! - `POST /_emulator/faults`: add a rule (or an array of rules), see [`FaultRule::from_json`]; answers their ids
//! - `DELETE /_emulator/faults`: remove every rule; `DELETE /_emulator/faults/ID`: one rule
//! - `POST /_emulator/faults/seed` `{"seed": N}`: reseed probabilistic rules
//! - `GET /_emulator/clock`: `{"nowMillis": ...}`
//! - `POST /_emulator/clock` `{"advanceMillis": N}` or `{"setMillis": T}`
//! - `GET /_emulator/status-delay`, `POST /_emulator/status-delay` `{"millis": N}`: how long
//!   table creation, updates, index backfill and deletion stay in progress (`crate::storage::lifecycle`)
//! - `POST /_emulator/ttl/sweep`: delete the items whose Time to Live has passed now; answers `{"deleted": N}`
//!
//! These change what every client sees, so [`admitted`] lets through only
//! requests that carry `x-emulator-admin` (and, with a body, `Content-Type:
//! application/json`): a web page cannot send either across origins without a
//! preflight, which the admin API never grants. And only from loopback peers,
//! unless the server was given `--admin-token` and the request carries it.

use super::Policy;
use crate::faults::FaultRule;
use crate::state::State;
use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, Method, Response, StatusCode};
use serde_json::{json, Value};
use std::net::SocketAddr;

pub const PREFIX: &str = "/_emulator/";

/// The header every admin request carries (any value; `1` by convention).
pub const ADMIN_HEADER: &str = "x-emulator-admin";
/// Where a client that is not on loopback may send the admin token instead of `Authorization: Bearer`.
const TOKEN_HEADER: &str = "x-emulator-admin-token";

/// `peer`: the client's address, `None` for in-process transports (loopback).
pub fn handle(
    state: &State,
    policy: &Policy,
    peer: Option<SocketAddr>,
    parts: &http::request::Parts,
    body: &[u8],
) -> Response<Bytes> {
    let result = admitted(policy, peer, &parts.method, &parts.headers)
        .and_then(|()| answer(state, &parts.method, parts.uri.path().trim_end_matches('/'), body));
    match result {
        Ok(value) => respond(StatusCode::OK, value),
        Err((status, message)) => respond(status, json!({ "message": message })),
    }
}

pub(super) type AdminResult<T = Value> = Result<T, (StatusCode, String)>;

fn admitted(policy: &Policy, peer: Option<SocketAddr>, method: &Method, headers: &HeaderMap) -> AdminResult<()> {
    peer_admitted(policy, peer, headers)?;
    if !headers.contains_key(ADMIN_HEADER) {
        return Err((
            StatusCode::FORBIDDEN,
            format!("admin requests carry the header {ADMIN_HEADER}: 1 (so that no web page can send one)"),
        ));
    }
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json")));
    if !matches!(*method, Method::GET | Method::HEAD) && !json {
        return Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "admin requests that change something are sent as Content-Type: application/json".into(),
        ));
    }
    Ok(())
}

/// Loopback peers, or others with the admin token: the admin API's and the console's first check.
pub(super) fn peer_admitted(policy: &Policy, peer: Option<SocketAddr>, headers: &HeaderMap) -> AdminResult<()> {
    let loopback = peer.is_none_or(|p| p.ip().to_canonical().is_loopback());
    if !loopback && !carries_token(policy, headers) {
        let how = match policy.admin_token {
            Some(_) => "or to requests with the admin token (Authorization: Bearer TOKEN)",
            None => "unless the emulator is started with --admin-token TOKEN",
        };
        return Err((StatusCode::FORBIDDEN, format!("the admin API answers only on loopback, {how}")));
    }
    Ok(())
}

fn carries_token(policy: &Policy, headers: &HeaderMap) -> bool {
    let Some(expected) = policy.admin_token.as_deref() else { return false };
    let bearer =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let given = bearer.or_else(|| headers.get(TOKEN_HEADER).and_then(|v| v.to_str().ok()));
    given.is_some_and(|given| same_secret(given.trim().as_bytes(), expected.as_bytes()))
}

/// Compares without stopping at the first difference, so timing does not reveal the token.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn answer(state: &State, method: &Method, path: &str, body: &[u8]) -> AdminResult {
    let path = path.strip_prefix(PREFIX.trim_end_matches('/')).unwrap_or(path);
    match (method, path) {
        (&Method::GET, "/faults") => Ok(state.faults.to_json()),
        (&Method::POST, "/faults") => {
            let rules = match parse(body)? {
                Value::Array(list) => list,
                one => vec![one],
            };
            let rules: Vec<FaultRule> =
                rules.iter().map(FaultRule::from_json).collect::<Result<_, _>>().map_err(bad_request)?;
            let ids: Vec<u64> = rules.into_iter().map(|r| state.faults.add(r)).collect();
            Ok(json!({ "ids": ids }))
        }
        (&Method::DELETE, "/faults") => {
            state.faults.clear();
            Ok(state.faults.to_json())
        }
        (&Method::DELETE, rule) if rule.starts_with("/faults/") => {
            let id =
                rule.trim_start_matches("/faults/").parse().map_err(|_| bad_request("a rule id is a whole number"))?;
            if !state.faults.remove(id) {
                return Err((StatusCode::NOT_FOUND, format!("no fault rule {id}")));
            }
            Ok(state.faults.to_json())
        }
        (&Method::POST, "/faults/seed") => {
            let seed = parse(body)?
                .get("seed")
                .and_then(Value::as_u64)
                .ok_or_else(|| bad_request("seed must be a whole number"))?;
            state.faults.seed(seed);
            Ok(json!({ "seed": seed }))
        }
        (&Method::GET, "/clock") => Ok(json!({ "nowMillis": state.clock.now_millis() })),
        (&Method::POST, "/clock") => {
            let body = parse(body)?;
            match (body.get("advanceMillis").and_then(Value::as_i64), body.get("setMillis").and_then(Value::as_i64)) {
                (Some(ms), None) => state.clock.advance_millis(ms),
                (None, Some(ms)) => state.clock.set_millis(ms),
                _ => return Err(bad_request("give advanceMillis or setMillis (whole milliseconds)")),
            }
            Ok(json!({ "nowMillis": state.clock.now_millis() }))
        }
        (&Method::GET, "/status-delay") => Ok(json!({ "millis": state.status_delay.get().as_millis() as u64 })),
        (&Method::POST, "/status-delay") => {
            let millis = parse(body)?
                .get("millis")
                .and_then(Value::as_u64)
                .ok_or_else(|| bad_request("millis must be a whole number"))?;
            state.status_delay.set(std::time::Duration::from_millis(millis));
            Ok(json!({ "millis": millis }))
        }
        (&Method::POST, "/ttl/sweep") => Ok(json!({ "deleted": state.sweep_expired() })),
        _ => {
            Err((StatusCode::NOT_FOUND, format!("no admin resource {method} {PREFIX}{}", path.trim_start_matches('/'))))
        }
    }
}

fn parse(body: &[u8]) -> Result<Value, (StatusCode, String)> {
    serde_json::from_slice(body).map_err(|e| bad_request(format!("body is not JSON: {e}")))
}

fn bad_request(message: impl Into<String>) -> (StatusCode, String) {
    (StatusCode::BAD_REQUEST, message.into())
}

fn respond(status: StatusCode, value: Value) -> Response<Bytes> {
    let mut response = Response::new(Bytes::from(value.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: &str, headers: &[(&str, &str)]) -> http::request::Parts {
        let mut builder = http::Request::builder().method(method).uri("/_emulator/clock");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).unwrap().into_parts().0
    }

    fn status(policy: &Policy, peer: Option<&str>, method: &str, headers: &[(&str, &str)]) -> StatusCode {
        let state = State::default();
        let peer = peer.map(|p| p.parse().unwrap());
        let body = if method == "POST" { br#"{"advanceMillis": 1}"#.as_slice() } else { b"" };
        handle(&state, policy, peer, &request(method, headers), body).status()
    }

    const JSON: (&str, &str) = ("content-type", "application/json");
    const ADMIN: (&str, &str) = (ADMIN_HEADER, "1");

    #[test]
    fn loopback_and_in_process_callers_with_the_header() {
        let open = Policy::default();
        for peer in [None, Some("127.0.0.1:5000"), Some("[::1]:5000"), Some("[::ffff:127.0.0.1]:5000")] {
            assert_eq!(status(&open, peer, "GET", &[ADMIN]), StatusCode::OK, "{peer:?}");
            assert_eq!(status(&open, peer, "POST", &[ADMIN, JSON]), StatusCode::OK, "{peer:?}");
        }
        assert_eq!(status(&open, None, "GET", &[]), StatusCode::FORBIDDEN);
        assert_eq!(status(&open, None, "POST", &[ADMIN]), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(
            status(&open, None, "POST", &[ADMIN, ("content-type", "text/plain")]),
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        assert_eq!(status(&open, None, "DELETE", &[ADMIN]), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }

    #[test]
    fn other_peers_need_the_token() {
        let remote = Some("192.0.2.7:5000");
        let open = Policy::default();
        assert_eq!(status(&open, remote, "GET", &[ADMIN]), StatusCode::FORBIDDEN);
        assert_eq!(status(&open, remote, "GET", &[ADMIN, ("authorization", "Bearer anything")]), StatusCode::FORBIDDEN);
        let tokened = Policy { admin_token: Some("s3cret".into()), ..Policy::default() };
        assert_eq!(status(&tokened, remote, "GET", &[ADMIN]), StatusCode::FORBIDDEN);
        assert_eq!(status(&tokened, remote, "GET", &[ADMIN, ("authorization", "Bearer wrong")]), StatusCode::FORBIDDEN);
        assert_eq!(status(&tokened, remote, "GET", &[ADMIN, ("authorization", "Bearer s3cret")]), StatusCode::OK);
        assert_eq!(
            status(&tokened, remote, "POST", &[ADMIN, JSON, ("x-emulator-admin-token", "s3cret")]),
            StatusCode::OK
        );
        // The token does not stand in for the header.
        assert_eq!(status(&tokened, remote, "GET", &[("authorization", "Bearer s3cret")]), StatusCode::FORBIDDEN);
    }

    #[test]
    fn refusals_say_how_to_get_in() {
        let state = State::default();
        let remote = Some("192.0.2.7:5000".parse().unwrap());
        let answer = handle(&state, &Policy::default(), remote, &request("GET", &[ADMIN]), b"");
        assert!(String::from_utf8_lossy(answer.body()).contains("--admin-token"));
    }
}
