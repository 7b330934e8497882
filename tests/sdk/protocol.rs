//! Wire-level behaviour that SDKs and tools rely on, as DynamoDB answers it.
//! Sources for what DynamoDB does at the HTTP level (each test names its own):
//! mhart/dynalite `test/connection.js` and scylladb/scylladb
//! `test/alternator/test_health.py`, `test_compressed_request.py`,
//! `test_compressed_response.py` (suites run against DynamoDB itself), and a
//! captured DynamoDB preflight in AllanZhengYP/cors-test `output.md`.

use harness::{Cors, Hosts, ServerOptions};
use sdk_tests::{api_call, raw_request, raw_request_to, JSON};
use std::io::{Read, Write};

#[tokio::test]
async fn responses_carry_request_id_and_crc32() {
    let db = harness::start().await;
    let response = api_call(db.address(), "ListTables", "{}").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/x-amz-json-1.0"));
    // DynamoDB's shape: 52 characters of [0-9A-Z] (dynalite's connection.js, asserted against DynamoDB).
    let id = response.header("x-amzn-requestid").expect("a request id");
    assert!(id.len() == 52 && id.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()), "{id}");
    assert_ne!(api_call(db.address(), "ListTables", "{}").await.header("x-amzn-requestid"), Some(id));
    let crc: u32 = response.header("x-amz-crc32").unwrap().parse().unwrap();
    assert_eq!(crc, crc32fast::hash(&response.body));
    assert_eq!(response.json(), serde_json::json!({"TableNames": []}));
}

#[tokio::test]
async fn unknown_operation_and_malformed_bodies() {
    let db = harness::start().await;
    let unknown = api_call(db.address(), "FlyToTheMoon", "{}").await;
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.json()["__type"], "com.amazonaws.dynamodb.v20120810#UnknownOperationException");
    let garbage = api_call(db.address(), "ListTables", "{not json").await;
    assert_eq!(garbage.status, 400);
    assert_eq!(garbage.json()["__type"], "com.amazon.coral.service#SerializationException");
    let wrong_type = api_call(db.address(), "DescribeTable", r#"{"TableName": 5}"#).await;
    assert_eq!(wrong_type.json()["message"], "NUMBER_VALUE cannot be converted to String");
    let missing = api_call(db.address(), "DescribeTable", "{}").await;
    assert_eq!(missing.json()["message"], "The parameter 'TableName' is required but was not present in the request");
    // Deeply nested JSON is rejected, never a stack overflow.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let nested = api_call(db.address(), "ListTables", &deep).await;
    assert_eq!(nested.status, 400);
    // The server is still up.
    assert_eq!(api_call(db.address(), "ListTables", "{}").await.status, 200);
}

#[tokio::test]
async fn oversized_body_is_refused() {
    let db = harness::start().await;
    let body = vec![b' '; 16 * 1024 * 1024 + 1];
    let response = raw_request(db.address(), "POST", &[("X-Amz-Target", "DynamoDB_20120810.ListTables")], &body).await;
    assert_eq!(response.status, 413);
}

#[tokio::test]
async fn gzip_requests_and_responses() {
    let db = harness::start().await;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder
        .write_all(br#"{"TableName":"zipped","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}"#)
        .unwrap();
    let body = encoder.finish().unwrap();
    let created = raw_request(
        db.address(),
        "POST",
        &[("X-Amz-Target", "DynamoDB_20120810.CreateTable"), JSON, ("Content-Encoding", "gzip")],
        &body,
    )
    .await;
    assert_eq!(created.status, 200, "{}", String::from_utf8_lossy(&created.body));
    // Two gzip members concatenated are one body (test_compressed_request.py, test_gzip_request_two_gzips).
    let item = br#"{"TableName":"zipped","Item":{"pk":{"S":"two"}}}"#;
    let two = [gzip(&item[..10]), gzip(&item[10..])].concat();
    let put = raw_request(
        db.address(),
        "POST",
        &[("X-Amz-Target", "DynamoDB_20120810.PutItem"), JSON, ("Content-Encoding", "gzip")],
        &two,
    )
    .await;
    assert_eq!(put.status, 200, "{}", String::from_utf8_lossy(&put.body));
    let big_item =
        format!(r#"{{"TableName":"zipped","Item":{{"pk":{{"S":"a"}},"d":{{"S":"{}"}}}}}}"#, "z".repeat(5000));
    api_call(db.address(), "PutItem", &big_item).await;
    let got = raw_request(
        db.address(),
        "POST",
        &[("X-Amz-Target", "DynamoDB_20120810.GetItem"), JSON, ("Accept-Encoding", "gzip")],
        br#"{"TableName":"zipped","Key":{"pk":{"S":"a"}}}"#,
    )
    .await;
    assert_eq!(got.header("content-encoding"), Some("gzip"));
    let crc: u32 = got.header("x-amz-crc32").unwrap().parse().unwrap();
    assert_eq!(crc, crc32fast::hash(&got.body), "checksum covers the bytes sent");
    let mut plain = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&got.body[..]), &mut plain).unwrap();
    assert!(plain.contains(&"z".repeat(5000)));
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// The health check names the Host the request was sent to, with DynamoDB's trailing space
/// (dynalite test/connection.js "should return 200 if a GET"; Alternator test_health.py
/// test_health_works), and only `GET /` answers it (test_health_only_works_for_root_path).
/// Other methods, and OPTIONS without Origin, are DynamoDB's 404 (dynalite `assert404`).
#[tokio::test]
async fn health_check_names_the_host_and_only_answers_get_root() {
    let db = harness::start().await;
    let health = raw_request(db.address(), "GET", &[], b"").await;
    assert_eq!(health.status, 200);
    assert_eq!(String::from_utf8_lossy(&health.body), format!("healthy: {} ", db.address()));
    let crc: u32 = health.header("x-amz-crc32").unwrap().parse().unwrap();
    assert_eq!(crc, crc32fast::hash(&health.body));
    assert!(health.header("x-amzn-requestid").is_some());
    assert_eq!(health.header("server"), Some("Server"));

    for path in ["/abc", "/-", "/index.htm", "/health"] {
        let other = raw_request_to(db.address(), "GET", path, &[], b"").await;
        assert_eq!(other.status, 404, "GET {path}");
        assert_eq!(other.body, b"<UnknownOperationException/>\n", "GET {path}");
    }
    for method in ["PUT", "DELETE", "OPTIONS", "PATCH"] {
        let other = raw_request(db.address(), method, &[], b"").await;
        assert_eq!(other.status, 404, "{method}");
        assert_eq!(other.body, b"<UnknownOperationException/>\n", "{method}");
        // The checksum dynalite's assert404 expects of this body.
        assert_eq!(other.header("x-amz-crc32"), Some("3552371480"), "{method}");
        assert_eq!(other.header("content-length"), Some("29"), "{method}");
        assert!(other.header("access-control-allow-origin").is_none(), "{method}");
    }
}

/// A body DynamoDB cannot take for its JSON is answered with a 404 web page before the
/// target is looked at: `application/x-amz-json-1.1` recorded against DynamoDB in
/// rusoto/rusoto#215 (2016) and huseyinbabal/taws#165 (2026); dynalite's `index.js` refuses
/// any other content type, or none, the same way. `application/json` and parameters such as
/// `charset` are accepted (jonsaw/amazon-cognito-identity-dart#41 signs DynamoDB requests with
/// `application/json; charset=utf-8`; architect/dynalite#38 for a browser's `; charset=UTF-8`).
#[tokio::test]
async fn bodies_of_other_content_types_get_dynamodbs_404_page() {
    let db = harness::start().await;
    let target = ("X-Amz-Target", "DynamoDB_20120810.ListTables");
    for content_type in
        [None, Some("application/x-amz-json-1.1"), Some("text/plain"), Some("application/x-www-form-urlencoded")]
    {
        let headers: Vec<(&str, &str)> =
            std::iter::once(target).chain(content_type.map(|c| ("Content-Type", c))).collect();
        let refused = raw_request(db.address(), "POST", &headers, b"{}").await;
        assert_eq!(refused.status, 404, "{content_type:?}");
        let page = String::from_utf8_lossy(&refused.body);
        assert!(page.starts_with("<!DOCTYPE html") && page.contains("<title>Page Not Found</title>"), "{page}");
        // Before the target: an unknown operation is refused the same way.
        let unknown = raw_request(db.address(), "POST", &[("X-Amz-Target", "Nope.Nope")], b"{}").await;
        assert_eq!(unknown.status, 404);
    }
    for content_type in [
        "application/x-amz-json-1.0",
        "application/json",
        "application/json; charset=utf-8",
        "Application/X-Amz-Json-1.0;charset=UTF-8",
    ] {
        let answered = raw_request(db.address(), "POST", &[target, ("Content-Type", content_type)], b"{}").await;
        assert_eq!(answered.status, 200, "{content_type}");
        assert_eq!(answered.json(), serde_json::json!({"TableNames": []}), "{content_type}");
    }
    // Without a body there is nothing to misread: the call goes on (ListTables of `{}`).
    let empty = raw_request(db.address(), "POST", &[target], b"").await;
    assert_eq!(empty.status, 200);
}

/// `Server: Server` on API answers, errors included (cors-test output.md; the `--debug`
/// response headers in blog.milancermak.com 2019-03-08 "DynamoDB, NodeJS vs. Python and
/// persistent connections").
#[tokio::test]
async fn responses_carry_dynamodbs_server_header() {
    let db = harness::start().await;
    let ok = api_call(db.address(), "ListTables", "{}").await;
    assert_eq!(ok.header("server"), Some("Server"));
    let error = api_call(db.address(), "DescribeTable", r#"{"TableName":"missing"}"#).await;
    assert_eq!(error.status, 400);
    assert_eq!(error.header("server"), Some("Server"));
}

/// CORS as DynamoDB answers it: `*` for any Origin (never the origin echoed), the requested
/// headers and method echoed on a preflight, its exposed headers, a two-day max age; nothing
/// without Origin. Sources: dynalite test/connection.js ("should set CORS if OPTIONS and
/// Origin [and Headers [and Method]]", "should return UnknownOperationException and set CORS
/// if using Origin"), and a preflight to dynamodb.us-east-1.amazonaws.com captured in
/// AllanZhengYP/cors-test output.md.
#[tokio::test]
async fn cors_as_dynamodb_answers_it() {
    // As the binary answers with `--cors '*'`.
    let db = harness::start_with_options(ServerOptions::default().cors(Cors::Any)).await;
    let requested = "Content-Type,X-Amz-Target,user-agent,content-length,host,Authorization,amz-sdk-invocation-id";
    let preflight = raw_request(
        db.address(),
        "OPTIONS",
        &[
            ("Origin", "https://foo.example"),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", requested),
        ],
        b"",
    )
    .await;
    assert_eq!(preflight.status, 200);
    assert!(preflight.body.is_empty());
    assert_eq!(preflight.header("content-length"), Some("0"));
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    assert_eq!(preflight.header("access-control-allow-headers"), Some(requested));
    assert_eq!(preflight.header("access-control-allow-methods"), Some("POST"));
    assert_eq!(
        preflight.header("access-control-expose-headers"),
        Some("x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date")
    );
    assert_eq!(preflight.header("access-control-max-age"), Some("172800"));
    assert_eq!(preflight.header("server"), Some("Server"));
    assert!(preflight.header("x-amzn-requestid").is_some());

    // Only what was asked is echoed.
    let bare = raw_request(db.address(), "OPTIONS", &[("Origin", "whatever")], b"").await;
    assert_eq!(bare.status, 200);
    assert_eq!(bare.header("access-control-allow-origin"), Some("*"));
    assert!(bare.header("access-control-allow-headers").is_none());
    assert!(bare.header("access-control-allow-methods").is_none());
    assert_eq!(bare.header("access-control-max-age"), Some("172800"));

    let call = raw_request(
        db.address(),
        "POST",
        &[("X-Amz-Target", "DynamoDB_20120810.ListTables"), JSON, ("Origin", "http://localhost:3000")],
        b"{}",
    )
    .await;
    assert_eq!(call.status, 200);
    assert_eq!(call.header("access-control-allow-origin"), Some("*"));
    let unknown =
        raw_request(db.address(), "POST", &[("X-Amz-Target", "Nope.Nope"), JSON, ("Origin", "whatever")], b"{}").await;
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.header("access-control-allow-origin"), Some("*"));

    // No Origin, no CORS headers at all.
    let plain = api_call(db.address(), "ListTables", "{}").await;
    assert!(plain.headers.iter().all(|(name, _)| !name.starts_with("access-control-")));
}

/// Without `--cors`, no page in a browser can read an answer: no CORS headers on calls, and a
/// preflight answered as a request without `Origin` is (DynamoDB's 404), so the browser never
/// sends the call (issue 22).
#[tokio::test]
async fn cors_is_off_by_default() {
    let db = harness::start().await;
    let preflight = raw_request(
        db.address(),
        "OPTIONS",
        &[("Origin", "https://evil.example"), ("Access-Control-Request-Method", "POST")],
        b"",
    )
    .await;
    assert_eq!(preflight.status, 404);
    assert_eq!(preflight.body, b"<UnknownOperationException/>\n");
    let call = raw_request(
        db.address(),
        "POST",
        &[("X-Amz-Target", "DynamoDB_20120810.ListTables"), JSON, ("Origin", "https://evil.example")],
        b"{}",
    )
    .await;
    assert_eq!(call.status, 200);
    for answer in [&preflight, &call] {
        assert!(answer.headers.iter().all(|(name, _)| !name.starts_with("access-control-")), "{:?}", answer.headers);
    }
}

/// `--cors` with a list (DynamoDB Local's `-cors` takes one): only those origins are answered,
/// each with itself; any other origin is treated as no origin.
#[tokio::test]
async fn cors_for_listed_origins_only() {
    let db = harness::start_with_options(
        ServerOptions::default().cors(Cors::parse("http://localhost:3000,https://app.example")),
    )
    .await;
    let address = db.address();
    let preflight = |origin: &'static str| async move {
        raw_request(address, "OPTIONS", &[("Origin", origin), ("Access-Control-Request-Method", "POST")], b"").await
    };
    let allowed = preflight("https://app.example").await;
    assert_eq!(allowed.status, 200);
    assert_eq!(allowed.header("access-control-allow-origin"), Some("https://app.example"));
    assert_eq!(allowed.header("access-control-allow-methods"), Some("POST"));
    assert_eq!(allowed.header("vary"), Some("Origin"));
    let refused = preflight("https://evil.example").await;
    assert_eq!(refused.status, 404);
    assert!(refused.header("access-control-allow-origin").is_none());
    let call = |origin: &'static str| async move {
        raw_request(
            address,
            "POST",
            &[("X-Amz-Target", "DynamoDB_20120810.ListTables"), JSON, ("Origin", origin)],
            b"{}",
        )
        .await
    };
    assert_eq!(
        call("http://localhost:3000").await.header("access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    let other = call("http://localhost:3001").await;
    assert_eq!(other.status, 200);
    assert!(other.header("access-control-allow-origin").is_none());
}

/// `HEAD /` answers as `GET /` does, without the body: health checks that send HEAD
/// (`curl -I`, `wget --spider`) pass (issue 20).
#[tokio::test]
async fn head_is_a_health_check_too() {
    let db = harness::start().await;
    let head = raw_request(db.address(), "HEAD", &[], b"").await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("server"), Some("Server"));
    assert_eq!(raw_request_to(db.address(), "HEAD", "/health", &[], b"").await.status, 404);
}

/// Sends `GET path` with the given Host header (the shared helpers always send the address).
async fn get_with_host(db: &harness::Emulator, path: &str, host: &str, headers: &[(&str, &str)]) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(db.address()).await.unwrap();
    let mut head = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    stream.write_all(format!("{head}\r\n").as_bytes()).await.unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    let status = raw.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap();
    (status, raw.split_once("\r\n\r\n").map(|(_, body)| body.to_string()).unwrap_or_default())
}

/// A page whose own name resolves to 127.0.0.1 (DNS rebinding) still sends its name as Host:
/// refused with 403 and a message that says how to allow a name; IP addresses and localhost
/// are answered (issue 22).
#[tokio::test]
async fn hosts_other_than_this_machine_are_refused() {
    let db = harness::start().await;
    let port = db.address().port();
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}"), format!("[::1]:{port}"), "localhost".into()]
    {
        let (status, body) = get_with_host(&db, "/", &host, &[]).await;
        assert_eq!((status, body), (200, format!("healthy: {host} ")));
    }
    let (status, body) = get_with_host(&db, "/", &format!("rebind.evil.example:{port}"), &[]).await;
    assert_eq!(status, 403);
    let error: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(error["__type"], "com.amazon.coral.service#AccessDeniedException");
    assert!(error["message"].as_str().unwrap().contains("--allow-host rebind.evil.example"), "{body}");
    // Admin calls are refused by Host as well.
    let admin = [("x-emulator-admin", "1")];
    assert_eq!(get_with_host(&db, "/_emulator/clock", "evil.example", &admin).await.0, 403);
    assert_eq!(get_with_host(&db, "/_emulator/clock", "localhost", &admin).await.0, 200);

    let named = harness::start_with_options(ServerOptions {
        hosts: Hosts::Checked(vec!["dynamodb".into()]),
        ..Default::default()
    })
    .await;
    assert_eq!(get_with_host(&named, "/", "dynamodb:8000", &[]).await.0, 200);
    assert_eq!(get_with_host(&named, "/", "other:8000", &[]).await.0, 403);
    let any = harness::start_with_options(ServerOptions { hosts: Hosts::Any, ..Default::default() }).await;
    assert_eq!(get_with_host(&any, "/", "rebind.evil.example", &[]).await.0, 200);
}

/// The admin API takes only requests no web page can send across origins without a preflight
/// (which it never grants): the `x-emulator-admin` header always, JSON for requests that change
/// something. A `text/plain` POST from a foreign page is refused (issue 22).
#[tokio::test]
async fn the_admin_api_refuses_what_a_web_page_can_send() {
    let db = harness::start_with_options(ServerOptions::default().cors(Cors::Any)).await;
    let advance = br#"{"advanceMillis": 60000}"#;
    let before = db.clock().now_millis();
    let no_header =
        raw_request_to(db.address(), "POST", "/_emulator/clock", &[("Content-Type", "text/plain")], advance).await;
    assert_eq!(no_header.status, 403);
    assert!(String::from_utf8_lossy(&no_header.body).contains("x-emulator-admin"));
    let plain = raw_request_to(
        db.address(),
        "POST",
        "/_emulator/clock",
        &[("x-emulator-admin", "1"), ("Content-Type", "text/plain"), ("Origin", "https://evil.example")],
        advance,
    )
    .await;
    assert_eq!(plain.status, 415);
    assert!(plain.header("access-control-allow-origin").is_none(), "never CORS on the admin API");
    assert!((db.clock().now_millis() - before) < 60_000, "the clock did not move");
    let preflight = raw_request_to(
        db.address(),
        "OPTIONS",
        "/_emulator/faults",
        &[("Origin", "https://evil.example"), ("Access-Control-Request-Method", "POST")],
        b"",
    )
    .await;
    assert!(preflight.header("access-control-allow-origin").is_none());
    let json = raw_request_to(
        db.address(),
        "POST",
        "/_emulator/clock",
        &[("x-emulator-admin", "1"), ("Content-Type", "application/json; charset=utf-8")],
        advance,
    )
    .await;
    assert_eq!(json.status, 200, "{}", String::from_utf8_lossy(&json.body));
    assert!(db.clock().now_millis() - before >= 60_000);
    let read = raw_request_to(db.address(), "GET", "/_emulator/faults", &[], b"").await;
    assert_eq!(read.status, 403, "reads need the header too");
    // The probe of issue 22: a rule failing every PutItem, posted from a foreign page.
    let probe = raw_request_to(
        db.address(),
        "POST",
        "/_emulator/faults",
        &[("Content-Type", "text/plain"), ("Origin", "https://evil.example")],
        br#"{"operation":"PutItem","fault":"InternalServerError"}"#,
    )
    .await;
    assert_eq!(probe.status, 403);
    assert_eq!(db.faults().to_json()["rules"], serde_json::json!([]));
}

/// `Content-Encoding: deflate` (the zlib format) is read, and `Accept-Encoding` chooses between
/// gzip and deflate for responses over 4 KB as DynamoDB does (Alternator's
/// test_deflate_request_valid, test_compressed_response, test_compressed_response_accept_encodings).
#[tokio::test]
async fn deflate_requests_and_negotiated_responses() {
    let db = harness::start().await;
    let create = br#"{"TableName":"packed","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}"#;
    let created = raw_request(
        db.address(),
        "POST",
        &[("X-Amz-Target", "DynamoDB_20120810.CreateTable"), JSON, ("Content-Encoding", "deflate")],
        &zlib(create),
    )
    .await;
    assert_eq!(created.status, 200, "{}", String::from_utf8_lossy(&created.body));
    let big = format!(r#"{{"TableName":"packed","Item":{{"pk":{{"S":"big"}},"d":{{"S":"{}"}}}}}}"#, "x".repeat(5000));
    assert_eq!(api_call(db.address(), "PutItem", &big).await.status, 200);
    let small = r#"{"TableName":"packed","Item":{"pk":{"S":"small"},"d":{"S":"tiny"}}}"#;
    assert_eq!(api_call(db.address(), "PutItem", small).await.status, 200);

    let address = db.address();
    let get = move |key: &'static str, accept: &'static str| {
        let body = format!(r#"{{"TableName":"packed","Key":{{"pk":{{"S":"{key}"}}}}}}"#);
        async move {
            raw_request(
                address,
                "POST",
                &[("X-Amz-Target", "DynamoDB_20120810.GetItem"), JSON, ("Accept-Encoding", accept)],
                body.as_bytes(),
            )
            .await
        }
    };
    let deflated = get("big", "deflate").await;
    assert_eq!(deflated.status, 200);
    assert_eq!(deflated.header("content-encoding"), Some("deflate"));
    let crc: u32 = deflated.header("x-amz-crc32").unwrap().parse().unwrap();
    assert_eq!(crc, crc32fast::hash(&deflated.body), "checksum covers the bytes sent");
    let mut plain = String::new();
    flate2::read::ZlibDecoder::new(&deflated.body[..]).read_to_string(&mut plain).unwrap();
    assert!(plain.contains(&"x".repeat(5000)));

    // The order DynamoDB applies: listed first wins among equal qualities.
    assert_eq!(get("big", "br, identity, deflate, gzip").await.header("content-encoding"), Some("deflate"));
    assert_eq!(get("big", "gzip, deflate").await.header("content-encoding"), Some("gzip"));
    assert_eq!(get("big", "*, gzip;q=0.5").await.header("content-encoding"), Some("deflate"));
    assert_eq!(get("big", "gzip;q=0.5,identity;q=0.8").await.header("content-encoding"), Some("gzip"));
    for refused in ["identity", "br", "x-gzip", "gzip;q=0", "*;q=0"] {
        let answer = get("big", refused).await;
        assert_eq!(answer.header("content-encoding"), None, "{refused}");
        assert!(String::from_utf8_lossy(&answer.body).contains(&"x".repeat(5000)), "{refused}");
    }
    // Under 4 KB nothing is compressed.
    let small = get("small", "gzip, deflate").await;
    assert_eq!(small.header("content-encoding"), None);
    assert_eq!(small.json()["Item"]["d"]["S"], "tiny");
}

/// A body that does not decode under its Content-Encoding, or an unknown coding, is answered
/// 500 and nothing is written (Alternator's test_broken_gzip_content, test_gzip_request_empty,
/// test_gzip_request_with_missing_character, test_deflate_request_empty,
/// test_deflate_request_not_deflated, test_garbage_content_encoding, run against DynamoDB).
#[tokio::test]
async fn broken_compressed_bodies_are_answered_500() {
    let db = harness::start().await;
    let table = r#"{"TableName":"broken","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}"#;
    assert_eq!(api_call(db.address(), "CreateTable", table).await.status, 200);
    let put = br#"{"TableName":"broken","Item":{"pk":{"S":"a"}}}"#;
    let zipped = gzip(put);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("gzip", put.to_vec()),
        ("gzip", Vec::new()),
        ("gzip", zipped[..zipped.len() - 1].to_vec()),
        ("deflate", put.to_vec()),
        ("deflate", Vec::new()),
        ("garbage", put.to_vec()),
        ("br", put.to_vec()),
    ];
    for (coding, body) in cases {
        let answer = raw_request(
            db.address(),
            "POST",
            &[("X-Amz-Target", "DynamoDB_20120810.PutItem"), JSON, ("Content-Encoding", coding)],
            &body,
        )
        .await;
        assert_eq!(answer.status, 500, "{coding}: {}", String::from_utf8_lossy(&answer.body));
        assert!(answer.json()["__type"].as_str().unwrap().ends_with("#InternalServerError"), "{coding}");
    }
    let got = api_call(db.address(), "GetItem", r#"{"TableName":"broken","Key":{"pk":{"S":"a"}}}"#).await;
    assert_eq!(got.json(), serde_json::json!({}), "nothing was written");
    // Junk after a whole gzip member is ignored, as DynamoDB ignores it
    // (test_gzip_request_with_extra_junk, marked there as a DynamoDB bug).
    let junk = [zipped, b"junk".to_vec()].concat();
    let answer = raw_request(
        db.address(),
        "POST",
        &[("X-Amz-Target", "DynamoDB_20120810.PutItem"), JSON, ("Content-Encoding", "gzip")],
        &junk,
    )
    .await;
    assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));
    // The server is still up.
    assert_eq!(api_call(db.address(), "ListTables", "{}").await.status, 200);
}

/// The 16 MB limit holds after inflating too: a small body that inflates past it is refused
/// with 413 without being inflated whole. DynamoDB itself does not bound the inflated size
/// (test_gzip_request_oversized is scylla_only for that reason); the emulator keeps its memory bounded.
#[tokio::test]
async fn inflated_bodies_over_the_limit_are_refused() {
    let db = harness::start().await;
    let over = vec![b' '; 16 * 1024 * 1024 + 1];
    for (coding, body) in [("gzip", gzip(&over)), ("deflate", zlib(&over))] {
        assert!(body.len() < 1024 * 1024);
        let answer = raw_request(
            db.address(),
            "POST",
            &[("X-Amz-Target", "DynamoDB_20120810.ListTables"), JSON, ("Content-Encoding", coding)],
            &body,
        )
        .await;
        assert_eq!(answer.status, 413, "{coding}");
    }
    let exactly = vec![b' '; 16 * 1024 * 1024];
    let answer = raw_request(
        db.address(),
        "POST",
        &[("X-Amz-Target", "DynamoDB_20120810.ListTables"), JSON, ("Content-Encoding", "gzip")],
        &gzip(&exactly),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));
}

/// A `null` where DynamoDB expects an attribute value or a map entry is
/// refused with DynamoDB Local's words (probed 2026-12-05), never dropped:
/// before, `{"v": null}` stored the item without `v`.
#[tokio::test]
async fn null_members_are_refused_not_dropped() {
    let db = harness::start().await;
    sdk_tests::create_table(&db.client(), "nulls", "pk", None).await;
    let refused = [
        (r#"{"TableName":"nulls","Item":{"pk":{"S":"a"},"v":null}}"#, "The supplied Item contains a null AttributeValue: v is null"),
        (r#"{"TableName":"nulls","Item":{"pk":{"S":"a"},"v":{"M":{"k":null}}}}"#, "The supplied Item contains a null AttributeValue: k is null"),
        (r#"{"TableName":"nulls","Item":{"pk":{"S":"a"},"v":{"L":[null]}}}"#, "The supplied Item contains a null AttributeValue"),
        (r#"{"TableName":"nulls","Item":{"pk":{"S":"a"}},"Expected":{"v":null}}"#, "One or more parameter values were invalid: ExpectedAttributeValue must not be null for Attribute: v"),
        (
            r#"{"TableName":"nulls","Item":{"pk":{"S":"a"}},"ConditionExpression":"attribute_not_exists(pk)","ExpressionAttributeValues":{":v":null}}"#,
            "ExpressionAttributeValues contains invalid value: The supplied Item contains a null AttributeValue for key :v",
        ),
        (
            r##"{"TableName":"nulls","Item":{"pk":{"S":"a"}},"ConditionExpression":"attribute_not_exists(#p)","ExpressionAttributeNames":{"#p":"pk","#q":null}}"##,
            "ExpressionAttributeNames contains invalid value: null for key #q",
        ),
    ];
    for (body, message) in refused {
        let answer = api_call(db.address(), "PutItem", body).await;
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(answer.json()["message"], message, "{body}");
    }
    let update = api_call(
        db.address(),
        "UpdateItem",
        r#"{"TableName":"nulls","Key":{"pk":{"S":"a"}},"AttributeUpdates":{"v":{"Value":{"S":"1"}},"w":null}}"#,
    )
    .await;
    assert_eq!(
        update.json()["message"],
        "One or more parameter values were invalid: AttributeValueUpdate must not be null for Attribute: w"
    );
    let write = api_call(db.address(), "BatchWriteItem", r#"{"RequestItems":{"nulls":null}}"#).await;
    assert_eq!(write.json()["message"], "The batch write request list for a table cannot be null or empty: nulls");
    // Nothing was written; a null top-level member is still absent, as in DynamoDB.
    let scan = api_call(db.address(), "Scan", r#"{"TableName":"nulls","Limit":null}"#).await;
    assert_eq!(scan.json()["Count"], 0);
}

/// Integer members (`Limit`, `Segment`, ...) are 32-bit in DynamoDB's model: a
/// string is "STRING_VALUE cannot be converted to Integer" (recorded from
/// DynamoDB in dynamodb-toolbox#502), a number the type cannot hold is refused
/// the same way (it used to mean "no limit"), a fraction is truncated.
#[tokio::test]
async fn integer_members_hold_32_bits() {
    let db = harness::start().await;
    let client = db.client();
    sdk_tests::create_table(&client, "limits", "pk", None).await;
    for pk in ["a", "b"] {
        client
            .put_item()
            .table_name("limits")
            .item("pk", aws_sdk_dynamodb::types::AttributeValue::S(pk.into()))
            .send()
            .await
            .unwrap();
    }
    let scan = |extra: &str| format!(r#"{{"TableName":"limits",{extra}}}"#);
    for (extra, message) in [
        (r#""Limit":1e23"#, "NUMBER_VALUE cannot be converted to Integer"),
        (r#""Limit":2147483648"#, "NUMBER_VALUE cannot be converted to Integer"),
        (r#""Limit":-1e23"#, "NUMBER_VALUE cannot be converted to Integer"),
        (r#""Limit":"5""#, "STRING_VALUE cannot be converted to Integer"),
        (r#""Segment":0,"TotalSegments":1e10"#, "NUMBER_VALUE cannot be converted to Integer"),
    ] {
        let answer = api_call(db.address(), "Scan", &scan(extra)).await;
        assert_eq!(answer.status, 400, "{extra}");
        assert_eq!(answer.json()["__type"], "com.amazon.coral.service#SerializationException", "{extra}");
        assert_eq!(answer.json()["message"], message, "{extra}");
    }
    assert_eq!(api_call(db.address(), "Scan", &scan(r#""Limit":2147483647"#)).await.json()["Count"], 2);
    assert_eq!(api_call(db.address(), "Scan", &scan(r#""Limit":1.5"#)).await.json()["Count"], 1);
}

/// Attribute names up to 65,535 bytes are stored; one byte more is refused
/// at any depth, as DynamoDB answers (measured in ExtendDB/extenddb#365), and
/// in ExpressionAttributeNames with DynamoDB Local's words.
#[tokio::test]
async fn attribute_names_hold_64_kb_less_one_byte() {
    use aws_sdk_dynamodb::types::AttributeValue;
    let db = harness::start().await;
    let client = db.client();
    sdk_tests::create_table(&client, "names", "pk", None).await;
    let longest = "n".repeat(65_535);
    let too_long = "n".repeat(65_536);
    let put = |name: &str, nested: bool| {
        let value = AttributeValue::S("v".into());
        let value = if nested { AttributeValue::M([(name.to_string(), value)].into()) } else { value };
        let attribute = if nested { "doc" } else { name };
        client.put_item().table_name("names").item("pk", AttributeValue::S("a".into())).item(attribute, value).send()
    };
    put(&longest, false).await.expect("65,535 bytes");
    put(&longest, true).await.expect("65,535 bytes nested");
    for nested in [false, true] {
        let error = put(&too_long, nested).await.expect_err("65,536 bytes");
        let error = error.into_service_error();
        assert_eq!(error.meta().code(), Some("ValidationException"));
        assert_eq!(
            error.meta().message(),
            Some("1 validation error detected: Attribute name is too large, must be less than 65536 bytes")
        );
    }
    let update = client
        .update_item()
        .table_name("names")
        .key("pk", AttributeValue::S("a".into()))
        .update_expression("SET #n = :v")
        .expression_attribute_names("#n", &too_long)
        .expression_attribute_values(":v", AttributeValue::S("v".into()))
        .send()
        .await
        .expect_err("65,536 bytes through a placeholder");
    assert_eq!(
        update.into_service_error().meta().message(),
        Some("ExpressionAttributeNames contains invalid value: Attribute name is too large, must be less than 65536 bytes for key #n")
    );
    let item = client.get_item().table_name("names").key("pk", AttributeValue::S("a".into())).send().await.unwrap();
    let item = item.item().expect("the item");
    assert!(item.contains_key("doc") && !item.contains_key(&too_long));
}
