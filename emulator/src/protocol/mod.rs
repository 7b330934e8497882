//! The DynamoDB JSON 1.0 wire protocol, independent of any socket:
//! [`handle`] turns one HTTP request into one HTTP response. The HTTP server
//! (`crate::server`) and in-process transports both call it, so every
//! request takes the same path.
//!
//! Here: target dispatch, body decoding (gzip/deflate, size limit, JSON),
//! error encoding, `x-amzn-RequestId`, `x-amz-crc32`, `Server`, response
//! compression, CORS (`cors`, off unless the server's [`Policy`] allows
//! origins), the health check, the admin API (`admin`), the web console
//! (`console`), and the request log
//! ([`REQUEST_LOG`]).
//!
//! What DynamoDB answers outside API calls, and the sources it is taken from:
//! - `GET /`: `healthy: <Host> ` (trailing space), 200, with `x-amz-crc32`
//!   (mhart/dynalite `test/connection.js`, "should return 200 if a GET", run
//!   against DynamoDB; scylladb/scylladb `test/alternator/test_health.py`: the
//!   body names the Host the request was sent to, and only `/` answers it).
//!   `HEAD /` answers the same without the body, for health checks that send HEAD.
//! - Any other method, a `GET` elsewhere, or `OPTIONS` without `Origin`: 404
//!   with the body `<UnknownOperationException/>\n` (dynalite
//!   `test/connection.js`, `assert404`).
//! - A `POST` with a body whose `Content-Type` is neither
//!   `application/x-amz-json-1.0` nor `application/json` (or that has none):
//!   404 with an XHTML "Page Not Found" page (rusoto/rusoto#215, 2016, and
//!   huseyinbabal/taws#165, 2026: both sent `application/x-amz-json-1.1`).
//! - CORS only for a request with `Origin`, and then `Access-Control-Allow-Origin: *`,
//!   not the origin echoed (here with `--cors '*'`; a list of origins echoes the one
//!   that matched, and without `--cors` there is no CORS at all). A preflight (`OPTIONS` with `Origin`) is 200 with an
//!   empty body, the requested headers and method echoed, DynamoDB's exposed
//!   headers and a max age of 172800 (dynalite `test/connection.js`, "should set
//!   CORS if OPTIONS and Origin ..."; AllanZhengYP/cors-test `output.md`, a
//!   preflight to dynamodb.us-east-1.amazonaws.com, 2020).
//! - `Server: Server` on every response (the same cors-test capture; the
//!   response headers of `aws dynamodb list-tables --debug` in
//!   blog.milancermak.com, 2019-03-08).

mod admin;
mod console;
mod cors;
mod encoding;

pub use cors::Cors;

use crate::error::{ApiError, ErrorKind};
use crate::faults;
use crate::operation::{Access, Operation, Shape};
use crate::ops::{self, Reply};
use crate::state::State;
use bytes::Bytes;
use encoding::{Coding, DecodeError};
use http::{header, HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// DynamoDB refuses request bodies over 16 MB.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
const JSON_CONTENT_TYPE: &str = "application/x-amz-json-1.0";

/// The tracing target of the request log: one line per API call at debug
/// level (`--log-requests` or `RUST_LOG=emulator=debug`).
pub const REQUEST_LOG: &str = "emulator::requests";

/// What the server was told about browsers and the admin API (its command line).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    pub cors: Cors,
    /// Lets clients other than loopback ones use the admin API (`--admin-token`).
    pub admin_token: Option<String>,
}

/// The policy of requests that carry no [`Served`]: in-process transports.
static IN_PROCESS: Policy = Policy { cors: Cors::Off, admin_token: None };

/// Attached by the HTTP server to every request (an `http` extension): who
/// sent it, and the server's policy. In-process transports attach none:
/// their requests count as loopback, under the default policy.
#[derive(Clone, Debug)]
pub struct Served {
    pub peer: SocketAddr,
    pub policy: Arc<Policy>,
}

fn served(parts: &http::request::Parts) -> (&Policy, Option<SocketAddr>) {
    match parts.extensions.get::<Served>() {
        Some(served) => (&served.policy, Some(served.peer)),
        None => (&IN_PROCESS, None),
    }
}

/// Handles one request whose body has been read (at most [`MAX_BODY_BYTES`]).
/// Injected latency (see [`crate::faults`]) blocks the calling thread here;
/// async callers use [`respond`].
pub fn handle(state: &State, request: Request<Bytes>) -> Response<Bytes> {
    let started = log_started();
    let (parts, body) = request.into_parts();
    let call = read_call(state, &parts, body);
    if let Some(delay) = call.latency() {
        std::thread::sleep(delay);
    }
    finish(state, &parts, call, started)
}

/// [`handle`] for asynchronous callers (the HTTP server and in-process
/// transports): injected latency is waited out without blocking a thread.
pub async fn respond(state: &State, request: Request<Bytes>) -> Response<Bytes> {
    let started = log_started();
    let (parts, body) = request.into_parts();
    let call = read_call(state, &parts, body);
    if let Some(delay) = call.latency() {
        tokio::time::sleep(delay).await;
    }
    finish(state, &parts, call, started)
}

/// When the request began, if the request log is on (the clock is not read otherwise).
fn log_started() -> Option<Instant> {
    tracing::enabled!(target: REQUEST_LOG, tracing::Level::DEBUG).then(Instant::now)
}

/// A request after reading: an API call ready to run (or already failed), or
/// something else (health check, CORS preflight, admin).
enum Stage {
    Api(Result<Prepared, ApiError>),
    Other(Response<Bytes>),
}

impl Stage {
    fn latency(&self) -> Option<std::time::Duration> {
        match self {
            Stage::Api(Ok(p)) if !p.faults.latency.is_zero() => Some(p.faults.latency),
            _ => None,
        }
    }
}

fn read_call(state: &State, parts: &http::request::Parts, body: Bytes) -> Stage {
    let (policy, peer) = served(parts);
    if console::is_page(parts.uri.path()) {
        return Stage::Other(console::handle(state, policy, peer, parts));
    }
    if parts.uri.path().starts_with(admin::PREFIX) {
        return Stage::Other(admin::handle(state, policy, peer, parts, &body));
    }
    match parts.method {
        // An origin CORS does not allow gets what a request without one gets.
        Method::OPTIONS if policy.cors.allowed(&parts.headers).is_some() => {
            Stage::Other(cors::preflight(&parts.headers))
        }
        Method::GET if parts.uri.path() == "/" => Stage::Other(health(state, parts)),
        Method::HEAD if parts.uri.path() == "/" => Stage::Other(health(state, parts).map(|_| Bytes::new())),
        // A body DynamoDB cannot read as its JSON never reaches the service.
        Method::POST if !body.is_empty() && !is_json_media_type(&parts.headers) => Stage::Other(page_not_found()),
        // The signature covers the body as sent (compressed, if it is): a
        // clone of `Bytes` shares it.
        Method::POST => match encoding::decode_body(&parts.headers, body.clone()) {
            Ok(decoded) => Stage::Api(prepare(state, parts, &body, decoded)),
            Err(DecodeError::TooLarge) => Stage::Other(body_too_large()),
            // DynamoDB answers a body that does not decode under its
            // Content-Encoding (or an unknown coding) with a 500
            // (scylladb/scylladb test/alternator/test_compressed_request.py).
            Err(DecodeError::Broken) => {
                Stage::Api(Err(ApiError::new(ErrorKind::InternalServerError, "Internal server error")))
            }
        },
        _ => Stage::Other(not_found()),
    }
}

/// The health check: `healthy: ` and the Host the request was sent to, with
/// DynamoDB's trailing space.
fn health(state: &State, parts: &http::request::Parts) -> Response<Bytes> {
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()))
        .unwrap_or_else(|| format!("dynamodb.{}.amazonaws.com", state.config.region));
    plain(StatusCode::OK, format!("healthy: {host} "))
}

/// What DynamoDB answers a request that is neither an API call nor the health check.
fn not_found() -> Response<Bytes> {
    let mut response = bare(StatusCode::NOT_FOUND, Bytes::from_static(b"<UnknownOperationException/>\n"));
    let crc = crc32fast::hash(response.body());
    response.headers_mut().insert(X_AMZ_CRC32, HeaderValue::from(crc));
    response
}

/// Does the request's `Content-Type` name a body DynamoDB reads:
/// `application/x-amz-json-1.0` (what the SDKs send) or `application/json`,
/// with any parameters (`; charset=UTF-8` from browsers' SDKs)?
fn is_json_media_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let media_type = value.split(';').next().unwrap_or("").trim();
    media_type.eq_ignore_ascii_case(JSON_CONTENT_TYPE) || media_type.eq_ignore_ascii_case("application/json")
}

/// What DynamoDB answers a POST whose body comes with another content type,
/// or none: a 404 web page, before the target or signature is looked at.
/// Recorded against DynamoDB with `application/x-amz-json-1.1` in 2016
/// (rusoto/rusoto#215, eu-west-1) and again in 2026 (huseyinbabal/taws#165);
/// mhart/dynalite's `index.js` refuses every other content type, and a
/// missing one, with a 404 too (its body, `<UnknownOperationException/>`, is
/// what the service answered when dynalite was written).
fn page_not_found() -> Response<Bytes> {
    const PAGE: &str = "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" \
        \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n\
        <html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n\
        <head>\n <title>Page Not Found</title>\n</head>\n<body>Page Not Found</body>\n</html>";
    let mut response = bare(StatusCode::NOT_FOUND, Bytes::from_static(PAGE.as_bytes()));
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    response
}

fn finish(state: &State, parts: &http::request::Parts, stage: Stage, started: Option<Instant>) -> Response<Bytes> {
    let mut response = match stage {
        Stage::Other(response) => response,
        Stage::Api(prepared) => {
            let logged = started.map(|at| (at, Logged::new(parts, &prepared)));
            // The (account, region) the call was signed for, unless everything is shared.
            let scope = crate::auth::claimed_scope(parts);
            let namespace = state.namespace(scope.as_ref().map(|s| s.parts()));
            // Global tables' writes due at this moment reach their replicas before the
            // call is served, and a call's own writes before it is answered.
            state.deliver_replication();
            let result = prepared.and_then(|p| run(state, namespace.as_deref(), p));
            state.deliver_replication();
            let error = result.as_ref().err().map(|e| e.kind.name());
            let response = api_response(&parts.headers, result);
            if let Some((at, logged)) = logged {
                logged.write(response.status(), error, at.elapsed());
            }
            response
        }
    };
    response.headers_mut().insert(header::SERVER, HeaderValue::from_static("Server"));
    // The emulator's time, moved or not: SDKs correct their signing clock by it.
    response.headers_mut().insert(header::DATE, date_header(&state.clock));
    // The admin API never answers browsers' cross-origin requests, whatever the policy.
    let (policy, _) = served(parts);
    if !parts.uri.path().starts_with(admin::PREFIX) {
        policy.cors.decorate(&mut response, policy.cors.allowed(&parts.headers));
    }
    response
}

/// The `Date` header for now on `clock`: formatted once a second (per thread
/// and clock), not for every response.
fn date_header(clock: &crate::clock::Clock) -> HeaderValue {
    thread_local! {
        static CACHED: std::cell::RefCell<Option<(usize, i64, HeaderValue)>> = const { std::cell::RefCell::new(None) };
    }
    let (which, second) = (clock as *const _ as usize, clock.now_millis().div_euclid(1000));
    CACHED.with(|cached| {
        let mut cached = cached.borrow_mut();
        match &*cached {
            Some((w, s, value)) if *w == which && *s == second => value.clone(),
            _ => {
                let value = HeaderValue::from_str(&clock.http_date()).unwrap_or_else(|_| HeaderValue::from_static("-"));
                *cached = Some((which, second, value.clone()));
                value
            }
        }
    })
}

/// What the request log says of a call besides its outcome.
struct Logged {
    operation: String,
    tables: Option<String>,
}

impl Logged {
    fn new(parts: &http::request::Parts, prepared: &Result<Prepared, ApiError>) -> Logged {
        match prepared {
            Ok(p) => Logged {
                operation: p.operation.name().to_string(),
                tables: Some(faults::Call::new(p.operation, &p.body).tables.join(",")).filter(|t| !t.is_empty()),
            },
            // Not an operation we know, or a body that did not read: the target as sent.
            Err(_) => Logged {
                operation: parts.headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or("-").to_string(),
                tables: None,
            },
        }
    }

    fn write(self, status: StatusCode, error: Option<&str>, latency: Duration) {
        let Logged { operation, tables } = self;
        let tables = tables.as_deref().unwrap_or("-");
        let status = status.as_u16();
        match error {
            Some(error) => tracing::debug!(target: REQUEST_LOG, %operation, %tables, status, %error, ?latency),
            None => tracing::debug!(target: REQUEST_LOG, %operation, %tables, status, ?latency),
        }
    }
}

/// A refusal before the request is read (the server's Host check): DynamoDB's
/// error shape, so SDKs show the message.
pub fn forbidden(message: &str) -> Response<Bytes> {
    let error = ApiError::new(ErrorKind::AccessDenied, message);
    json_response(StatusCode::FORBIDDEN, error_body(&error), None)
}

/// The response for a request refused before it reaches an operation (the
/// server's own limits): `error` as DynamoDB encodes errors, with `status`.
pub fn refused(status: StatusCode, error: &ApiError) -> Response<Bytes> {
    json_response(status, error_body(error), None)
}

/// The response for a body over [`MAX_BODY_BYTES`], read or inflated.
pub fn body_too_large() -> Response<Bytes> {
    let error = ApiError::validation(format!("Request size exceeded {MAX_BODY_BYTES} bytes"));
    json_response(StatusCode::PAYLOAD_TOO_LARGE, error_body(&error), None)
}

fn api_response(headers: &HeaderMap, result: Result<Reply, ApiError>) -> Response<Bytes> {
    let coding = encoding::response_coding(headers);
    let (status, body) = match result {
        Ok(reply) => (StatusCode::OK, reply.into_bytes()),
        Err(error) => {
            if error.kind == ErrorKind::InternalServerError {
                tracing::error!(%error, "internal error");
            } else {
                tracing::debug!(%error, "request rejected");
            }
            let status = StatusCode::from_u16(error.kind.status()).unwrap_or(StatusCode::BAD_REQUEST);
            (status, error_body(&error))
        }
    };
    json_response(status, body, coding)
}

fn error_body(error: &ApiError) -> Vec<u8> {
    serde_json::to_vec(&error.to_json()).unwrap_or_default()
}

/// An API call read and parsed, with what the fault rules decided for it.
struct Prepared {
    operation: Operation,
    body: Value,
    faults: faults::Decision,
}

fn prepare(state: &State, parts: &http::request::Parts, raw: &Bytes, body: Bytes) -> Result<Prepared, ApiError> {
    let target = parts.headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or("");
    let Some(operation) = Operation::from_target(target) else {
        return Err(ApiError::new(ErrorKind::UnknownOperation, "An unknown operation was requested."));
    };
    let value: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Default::default())
    } else {
        // serde_json bounds nesting (128 levels), so hostile input cannot
        // overflow the stack here.
        serde_json::from_slice(&body).map_err(|_| ApiError::serialization(""))?
    };
    // DynamoDB answers an unknown target and a body that is not JSON before
    // it looks at the signature (mhart/dynalite index.js).
    if let Some(credentials) = state.credentials.get() {
        crate::auth::verify(credentials, state.clock.now_millis(), parts, raw)?;
    }
    let decision = if state.faults.is_active() {
        state.faults.decide(&faults::Call::new(operation, &value), &value)
    } else {
        faults::Decision::default()
    };
    Ok(Prepared { operation, body: value, faults: decision })
}

/// Runs a call on the state of its namespace (`namespace`, or the
/// emulator's own `root`, whose journal records every namespace).
fn run(root: &State, namespace: Option<&State>, call: Prepared) -> Result<Reply, ApiError> {
    let state = namespace.unwrap_or(root);
    // A test that moved the clock sees items whose Time to Live passed gone.
    state.sweep_if_clock_moved();
    let result = run_operation(state, &call);
    // Durable mode: what this call wrote reaches the disk before it is acknowledged.
    if let Some(journal) = root.journal.get() {
        if call.operation.may_write() {
            if let Err(error) = journal.commit(root, call.operation.access() == Access::Define) {
                tracing::error!(%error, "journal write failed");
                let message = format!(
                    "Internal server error: the emulator could not write its journal (--db-path): {error}; \
                     this call's changes may not survive a restart"
                );
                return Err(ApiError::new(ErrorKind::InternalServerError, message));
            }
        }
    }
    result
}

fn run_operation(state: &State, call: &Prepared) -> Result<Reply, ApiError> {
    let Prepared { operation, body, faults } = call;
    let operation = *operation;
    if let Some(error) = &faults.error {
        return Err(error.clone());
    }
    tracing::trace!(operation = operation.name(), "request");
    if faults.unprocessed {
        if let Some((reduced, held)) = faults::split_batch(operation, body) {
            let ran_something = reduced["RequestItems"].as_object().is_some_and(|m| !m.is_empty());
            let mut response = if ran_something {
                dispatch(state, operation, &reduced)?.into_value()
            } else if operation.shape() == Shape::BatchGet {
                json!({"Responses": {}})
            } else {
                json!({})
            };
            faults::merge_unprocessed(operation, &mut response, held);
            return Ok(Reply::Json(response));
        }
    }
    dispatch(state, operation, body)
}

/// Runs an operation; a panic in it is our bug: answer 500 and keep serving.
fn dispatch(state: &State, operation: Operation, body: &Value) -> Result<Reply, ApiError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ops::dispatch_reply(state, operation, body))) {
        Ok(result) => result,
        Err(_) => Err(ApiError::new(
            ErrorKind::InternalServerError,
            "The server encountered an internal error trying to fulfill the request.",
        )),
    }
}

fn json_response(status: StatusCode, mut body: Vec<u8>, coding: Option<Coding>) -> Response<Bytes> {
    let mut compressed = None;
    if let Some(coding) = coding.filter(|_| body.len() > encoding::COMPRESSION_THRESHOLD) {
        if let Some(packed) = encoding::compress(coding, &body) {
            body = packed;
            compressed = Some(coding);
        }
    }
    // The checksum covers the bytes on the wire, as DynamoDB's does.
    let crc = crc32fast::hash(&body);
    let mut response = bare(status, Bytes::from(body));
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_CONTENT_TYPE));
    h.insert(X_AMZ_CRC32, HeaderValue::from(crc));
    if let Some(coding) = compressed {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding.name()));
    }
    response
}

fn plain(status: StatusCode, text: String) -> Response<Bytes> {
    let body = Bytes::from(text);
    let crc = crc32fast::hash(&body);
    let mut response = bare(status, body);
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response.headers_mut().insert(X_AMZ_CRC32, HeaderValue::from(crc));
    response
}

/// A response with what DynamoDB puts on every one: `Server: Server` and a request id.
fn bare(status: StatusCode, body: Bytes) -> Response<Bytes> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response.headers_mut().insert(header::SERVER, HeaderValue::from_static("Server"));
    response.headers_mut().insert(X_AMZN_REQUEST_ID, request_id());
    response
}

/// A fresh request id in DynamoDB's shape: 52 characters of `[0-9A-Z]`
/// (dynalite's connection.js asserts `/^[0-9A-Z]{52}$/` against DynamoDB),
/// here 260 random bits in base-32 digits. Ids need to be unique, not
/// unguessable: a thread-local generator spares every request a `getrandom`
/// system call.
fn request_id() -> HeaderValue {
    const DIGITS: &[u8; 32] = b"0123456789ABCDEFGHIJKLMNOPQRSTUV";
    // 25 five-bit digits from each of three 128-bit words.
    let mut words = [fastrand::u128(..), fastrand::u128(..), fastrand::u128(..)];
    let mut text = [0u8; REQUEST_ID_LENGTH];
    for (i, digit) in text.iter_mut().enumerate() {
        let word = &mut words[i / 25];
        *digit = DIGITS[(*word & 31) as usize];
        *word >>= 5;
    }
    HeaderValue::from_bytes(&text).unwrap_or(HeaderValue::from_static("0"))
}

const REQUEST_ID_LENGTH: usize = 52;
/// Header names known at compile time: a `&str` name is parsed again on every response.
const X_AMZ_CRC32: header::HeaderName = header::HeaderName::from_static("x-amz-crc32");
const X_AMZN_REQUEST_ID: header::HeaderName = header::HeaderName::from_static("x-amzn-requestid");
