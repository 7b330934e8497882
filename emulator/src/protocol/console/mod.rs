//! The web console at `GET /_emulator/`: server-rendered pages, no build step,
//! no assets but the page itself (inline style and one small script).
//!
//! - `/_emulator/`: the tables, with their indexes, statuses, item counts and sizes
//! - `/_emulator/table?name=T`: one table's definition and indexes, its items
//!   (Scan, paged) and a Query form on the table or an index (`&index=I`)
//! - `/_emulator/stream?name=T`: the table's stream records, newest first, reloading itself
//! - `/_emulator/settings`: fault rules, the clock and the status delay, editable
//!
//! Protection, since a browser cannot add the admin header to a page load:
//! - pages answer only what the admin API answers, loopback peers or the admin
//!   token (sent by a proxy: a browser sends no `Authorization` of its own here);
//! - pages are `GET` only and change nothing (Scan and Query are reads), so a
//!   link from another site can at most show the console to its own user;
//! - every change is a same-origin `fetch` to the admin API with
//!   `x-emulator-admin` and a JSON body, which no other origin can send
//!   (the admin API grants no CORS, and the console none either);
//! - `Content-Security-Policy` runs only the page's own script (a nonce), so
//!   even a value that escaped escaping could not run; no framing
//!   (clickjacking); the server's `Host` check keeps DNS-rebound names out.
//!
//! Data comes through the operations' own dispatch (ListTables,
//! DescribeTable, Scan, Query), as a client's request would, without fault rules.

mod html;
mod pages;

use super::admin;
use super::Policy;
use crate::error::ApiError;
use crate::operation::Operation;
use crate::state::State;
use bytes::Bytes;
use http::{header, HeaderValue, Method, Response, StatusCode};
use serde_json::Value;
use std::net::SocketAddr;

/// Whether `path` is one of the console's pages (the rest of `/_emulator/` is the admin API).
pub fn is_page(path: &str) -> bool {
    matches!(path.strip_prefix(admin::PREFIX), Some("" | "table" | "stream" | "settings"))
}

pub fn handle(
    state: &State,
    policy: &Policy,
    peer: Option<SocketAddr>,
    parts: &http::request::Parts,
) -> Response<Bytes> {
    if let Err((status, message)) = admin::peer_admitted(policy, peer, &parts.headers) {
        return plain(status, message);
    }
    if !matches!(parts.method, Method::GET | Method::HEAD) {
        return plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "console pages are read with GET; changes go to the admin API".into(),
        );
    }
    let query = Query::parse(parts.uri.query().unwrap_or(""));
    let nonce = format!("{:032x}", fastrand::u128(..));
    let path = parts.uri.path().strip_prefix(admin::PREFIX).unwrap_or("");
    let (status, body) = match path {
        "table" => pages::table(state, &query, &nonce),
        "stream" => pages::stream(state, &query, &nonce),
        "settings" => pages::settings(state, &nonce),
        _ => pages::tables(state, &nonce),
    };
    let mut response = Response::new(Bytes::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    let policy = format!(
        "default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; connect-src 'self'; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    );
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if parts.method == Method::HEAD {
        return response.map(|_| Bytes::new());
    }
    response
}

fn plain(status: StatusCode, message: String) -> Response<Bytes> {
    let mut response = Response::new(Bytes::from(message));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}

/// An operation through the same dispatch as a client's call (a panic is a 500, not a crash).
fn call(state: &State, operation: Operation, body: Value) -> Result<Value, ApiError> {
    state.sweep_if_clock_moved();
    super::dispatch(state, operation, &body).map(crate::ops::Reply::into_value)
}

/// A page's query string (`application/x-www-form-urlencoded`, as forms send it).
pub struct Query(Vec<(String, String)>);

impl Query {
    fn parse(query: &str) -> Query {
        Query(crate::auth::query_pairs(query))
    }

    /// The parameter's value; an empty one counts as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str, peer: Option<&str>) -> Response<Bytes> {
        let request = http::Request::builder().uri(path).body(()).unwrap();
        handle(&State::default(), &Policy::default(), peer.map(|p| p.parse().unwrap()), &request.into_parts().0)
    }

    #[test]
    fn pages_answer_loopback_with_their_protections() {
        let page = get("/_emulator/", Some("127.0.0.1:9"));
        assert_eq!(page.status(), StatusCode::OK);
        let csp = page.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("script-src 'nonce-") && csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(page.headers()[header::X_FRAME_OPTIONS], "DENY");
        assert!(page.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
        assert_eq!(get("/_emulator/settings", None).status(), StatusCode::OK);
        assert_eq!(get("/_emulator/", Some("192.0.2.1:9")).status(), StatusCode::FORBIDDEN);
    }

    #[test]
    fn item_values_and_names_are_text() {
        let state = State::default();
        let table = serde_json::json!({"TableName": "Forum", "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]});
        call(&state, Operation::CreateTable, table).unwrap();
        let item = serde_json::json!({"id": {"S": "<script>alert(1)</script>"}, "<b onclick=x>": {"S": "\"'&"}});
        call(&state, Operation::PutItem, serde_json::json!({"TableName": "Forum", "Item": item})).unwrap();
        let (status, page) = pages::table(&state, &Query::parse("name=Forum"), "n");
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"), "{page}");
        assert!(page.contains("<th>&lt;b onclick=x&gt;</th>") && page.contains("<td>&quot;&#39;&amp;</td>"));
        assert!(!page.contains("<script>alert") && !page.contains("<b onclick"));
        assert_eq!(pages::table(&state, &Query::parse("name=Nope"), "n").0, StatusCode::NOT_FOUND);
        assert_eq!(pages::stream(&state, &Query::parse(""), "n").0, StatusCode::BAD_REQUEST);
    }

    #[test]
    fn other_peers_need_the_admin_token() {
        let tokened = Policy { admin_token: Some("s3cret".into()), ..Policy::default() };
        let get = |headers: &[(&str, &str)], method: &str| {
            let mut request = http::Request::builder().method(method).uri("/_emulator/settings");
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            let parts = request.body(()).unwrap().into_parts().0;
            handle(&State::default(), &tokened, Some("192.0.2.1:9".parse().unwrap()), &parts)
        };
        assert_eq!(get(&[], "GET").status(), StatusCode::FORBIDDEN);
        assert_eq!(get(&[("authorization", "Bearer wrong")], "GET").status(), StatusCode::FORBIDDEN);
        assert_eq!(get(&[("authorization", "Bearer s3cret")], "GET").status(), StatusCode::OK);
        let head = get(&[("x-emulator-admin-token", "s3cret")], "HEAD");
        assert_eq!((head.status(), head.body().len()), (StatusCode::OK, 0));
        assert_eq!(get(&[("authorization", "Bearer s3cret")], "POST").status(), StatusCode::METHOD_NOT_ALLOWED);
    }

    #[test]
    fn only_pages_are_the_console() {
        assert!(is_page("/_emulator/") && is_page("/_emulator/table") && is_page("/_emulator/settings"));
        assert!(!is_page("/_emulator/faults") && !is_page("/_emulator/clock") && !is_page("/"));
    }

    #[test]
    fn query_strings_decode_as_forms_send_them() {
        let query = Query::parse("name=a+b%3C&start=%7B%7D&empty=");
        assert_eq!(query.get("name"), Some("a b<"));
        assert_eq!(query.get("start"), Some("{}"));
        assert_eq!(query.get("empty"), None);
    }
}
