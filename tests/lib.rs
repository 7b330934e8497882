//! Helpers shared by the SDK integration tests: raw HTTP for protocol-level
//! checks (signed with the harness's credentials unless asked not to), and
//! small builders for common tables. The seed applications'
//! repositories are in `apps`.

use aws_sdk_dynamodb::types::{AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType};
use aws_sdk_dynamodb::Client;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub mod apps;

/// A raw HTTP response: status, headers (lower-cased names) and body.
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

/// Sends one HTTP/1.1 request over a fresh connection and reads the whole answer.
pub async fn raw_request(addr: SocketAddr, method: &str, headers: &[(&str, &str)], body: &[u8]) -> RawResponse {
    raw_request_to(addr, method, "/", headers, body).await
}

/// [`raw_request`] to a given path. The request is signed with the
/// harness's credentials (as `harness::start()` emulators require), unless
/// `headers` carry an `Authorization` or `path` a presigned query.
pub async fn raw_request_to(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> RawResponse {
    let presigned = path.contains("X-Amz-Algorithm");
    if presigned || headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("authorization")) {
        return unsigned_request_to(addr, method, path, headers, body).await;
    }
    let host = addr.to_string();
    let mut signed: Vec<(&str, &str)> = vec![("host", &host)];
    signed.extend_from_slice(headers);
    let signature = harness::Signer::default().headers(method, &format!("http://{addr}{path}"), &signed, body);
    let mut all = headers.to_vec();
    all.extend(signature.iter().map(|(name, value)| (name.as_str(), value.as_str())));
    unsigned_request_to(addr, method, path, &all, body).await
}

/// [`raw_request_to`] exactly as given: no signature added.
pub async fn unsigned_request_to(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> RawResponse {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.expect("write head");
    stream.write_all(body).await.expect("write body");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read response");
    parse_response(&raw)
}

/// The `Content-Type` of DynamoDB's JSON bodies (DynamoDB answers a body without it with a 404).
pub const JSON: (&str, &str) = ("Content-Type", "application/x-amz-json-1.0");

/// A DynamoDB API call with the given target operation and JSON body.
pub async fn api_call(addr: SocketAddr, operation: &str, body: &str) -> RawResponse {
    let target = format!("DynamoDB_20120810.{operation}");
    raw_request(addr, "POST", &[("X-Amz-Target", &target), JSON], body.as_bytes()).await
}

fn parse_response(raw: &[u8]) -> RawResponse {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("end of headers");
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut lines = head.split("\r\n");
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).expect("status");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers.iter().any(|(n, v)| n == "transfer-encoding" && v == "chunked") {
        body = dechunk(&body);
    }
    RawResponse { status, headers, body }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = data.windows(2).position(|w| w == b"\r\n") else { return out };
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[eol + 2..eol + 2 + size]);
        data = &data[eol + 2 + size + 2..];
    }
}

/// Creates an on-demand table with a string partition key and an optional sort key of the given type.
pub async fn create_table(client: &Client, name: &str, pk: &str, sk: Option<(&str, ScalarAttributeType)>) {
    let mut request = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(KeySchemaElement::builder().attribute_name(pk).key_type(KeyType::Hash).build().unwrap())
        .attribute_definitions(
            AttributeDefinition::builder().attribute_name(pk).attribute_type(ScalarAttributeType::S).build().unwrap(),
        );
    if let Some((sk, kind)) = sk {
        request = request
            .key_schema(KeySchemaElement::builder().attribute_name(sk).key_type(KeyType::Range).build().unwrap())
            .attribute_definitions(
                AttributeDefinition::builder().attribute_name(sk).attribute_type(kind).build().unwrap(),
            );
    }
    request.send().await.expect("create table");
}

/// Every record of a stream, every shard from TRIM_HORIZON, through the
/// Streams API, in sequence order.
pub async fn stream_records(
    streams: &aws_sdk_dynamodbstreams::Client,
    arn: &str,
) -> Vec<aws_sdk_dynamodbstreams::types::Record> {
    let described = streams.describe_stream().stream_arn(arn).send().await.expect("describe stream");
    let mut records = Vec::new();
    for shard in described.stream_description().unwrap().shards() {
        let iterator = streams
            .get_shard_iterator()
            .stream_arn(arn)
            .shard_id(shard.shard_id().unwrap())
            .shard_iterator_type(aws_sdk_dynamodbstreams::types::ShardIteratorType::TrimHorizon)
            .send()
            .await
            .expect("iterator");
        let page = streams.get_records().shard_iterator(iterator.shard_iterator().unwrap()).send().await.unwrap();
        records.extend(page.records().iter().cloned());
    }
    records.sort_by_key(|r| r.dynamodb().unwrap().sequence_number().unwrap().parse::<u128>().unwrap());
    records
}

/// The headers every call of the emulator's admin API (`/_emulator/*`) carries: its own header
/// and a JSON body, which no web page can send across origins without a preflight.
pub const ADMIN_HEADERS: &[(&str, &str)] = &[("x-emulator-admin", "1"), ("Content-Type", "application/json")];
