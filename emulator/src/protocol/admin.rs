//! The emulator's own small admin API under `/_emulator/`, for tools and
//! tests in other languages: fault rules and the clock. DynamoDB never
//! serves these paths, so they cannot collide with SDK traffic (`POST /`).
//!
//! - `GET /_emulator/faults`: the rules with their counters, and the total injected
//! - `POST /_emulator/faults`: add a rule (or an array of rules), see [`FaultRule::from_json`]; answers their ids
//! - `DELETE /_emulator/faults`: remove every rule
//! - `POST /_emulator/faults/seed` `{"seed": N}`: reseed probabilistic rules
//! - `GET /_emulator/clock`: `{"nowMillis": ...}`
//! - `POST /_emulator/clock` `{"advanceMillis": N}` or `{"setMillis": T}`
//! - `GET /_emulator/status-delay`, `POST /_emulator/status-delay` `{"millis": N}`: how long
//!   table creation, updates, index backfill and deletion stay in progress (`crate::storage::lifecycle`)
//! - `POST /_emulator/ttl/sweep`: delete the items whose Time to Live has passed now; answers `{"deleted": N}`

use crate::faults::FaultRule;
use crate::state::State;
use bytes::Bytes;
use http::{header, HeaderValue, Method, Response, StatusCode};
use serde_json::{json, Value};

pub const PREFIX: &str = "/_emulator/";

pub fn handle(state: &State, method: &Method, path: &str, body: &[u8]) -> Response<Bytes> {
    match answer(state, method, path.trim_end_matches('/'), body) {
        Ok(value) => respond(StatusCode::OK, value),
        Err((status, message)) => respond(status, json!({ "message": message })),
    }
}

type AdminResult = Result<Value, (StatusCode, String)>;

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
