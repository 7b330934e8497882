//! Wire-level behaviour that SDKs and tools rely on.

use sdk_tests::{api_call, raw_request};
use std::io::Write;

#[tokio::test]
async fn responses_carry_request_id_and_crc32() {
    let db = harness::start().await;
    let response = api_call(db.address(), "ListTables", "{}").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/x-amz-json-1.0"));
    assert!(response.header("x-amzn-requestid").is_some());
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
    assert_eq!(
        missing.json()["message"],
        "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"
    );
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
        &[("X-Amz-Target", "DynamoDB_20120810.CreateTable"), ("Content-Encoding", "gzip")],
        &body,
    )
    .await;
    assert_eq!(created.status, 200, "{}", String::from_utf8_lossy(&created.body));
    let big_item =
        format!(r#"{{"TableName":"zipped","Item":{{"pk":{{"S":"a"}},"d":{{"S":"{}"}}}}}}"#, "z".repeat(5000));
    api_call(db.address(), "PutItem", &big_item).await;
    let got = raw_request(
        db.address(),
        "POST",
        &[("X-Amz-Target", "DynamoDB_20120810.GetItem"), ("Accept-Encoding", "gzip")],
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

#[tokio::test]
async fn health_check_and_cors() {
    let db = harness::start().await;
    let health = raw_request(db.address(), "GET", &[], b"").await;
    assert_eq!(health.status, 200);
    assert!(String::from_utf8_lossy(&health.body).starts_with("healthy: dynamodb."));
    let preflight = raw_request(
        db.address(),
        "OPTIONS",
        &[
            ("Origin", "http://localhost:3000"),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "x-amz-target,content-type,authorization"),
        ],
        b"",
    )
    .await;
    assert_eq!(preflight.status, 200);
    assert_eq!(preflight.header("access-control-allow-origin"), Some("http://localhost:3000"));
    assert_eq!(preflight.header("access-control-allow-headers"), Some("x-amz-target,content-type,authorization"));
    let call = raw_request(
        db.address(),
        "POST",
        &[("X-Amz-Target", "DynamoDB_20120810.ListTables"), ("Origin", "http://localhost:3000")],
        b"{}",
    )
    .await;
    assert_eq!(call.header("access-control-allow-origin"), Some("http://localhost:3000"));
}
