//! What Signature Version 4 verification costs per request: GetItem through
//! `protocol::handle` on an emulator without credentials and on one with
//! them, each request signed as the SDK signs it (the SDK's eight signed
//! headers), single-threaded; then `auth::verify` alone.
//! `cargo run --release -p emulator --example signatures [seconds-per-run]`

mod support;

use bytes::Bytes;
use emulator::state::State;
use serde_json::json;
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ITEMS: usize = 10_000;
const HOST: &str = "localhost:8000";

fn main() {
    let seconds: f64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(2.0);
    let open = State::default();
    let verifying = State::default();
    for state in [&open, &verifying] {
        support::call(state, "CreateTable", &support::bench_table("bench", false));
        support::load(state, "bench", ITEMS);
    }
    verifying.verify_signatures(harness::emulator_credentials());
    let requests: Vec<http::Request<Bytes>> = (0..1000).map(signed_get).collect();

    let plain = per_request(&open, &requests, seconds);
    let checked = per_request(&verifying, &requests, seconds);
    println!("GetItem, {ITEMS} items, signed requests, one thread:");
    println!("  without verification  {plain:6.2} µs/request");
    println!("  with verification     {checked:6.2} µs/request  (+{:.2} µs)", checked - plain);

    let credentials = harness::emulator_credentials();
    let parts: Vec<(http::request::Parts, Bytes)> = requests.iter().map(|r| r.clone().into_parts()).collect();
    let now = verifying.clock.now_millis();
    let started = Instant::now();
    let mut done = 0usize;
    while started.elapsed().as_secs_f64() < seconds {
        for (parts, body) in &parts {
            emulator::auth::verify(&credentials, now, parts, body).expect("a valid signature");
        }
        done += parts.len();
    }
    println!("  auth::verify alone    {:6.2} µs/request", started.elapsed().as_secs_f64() * 1e6 / done as f64);
}

/// GetItem of item `i`, signed now with the harness's credentials over the
/// headers the Rust SDK signs.
fn signed_get(i: usize) -> http::Request<Bytes> {
    let key = json!({"pk": {"S": format!("p{:07}", i * 7 % ITEMS / 10)}, "sk": {"S": format!("s{:03}", i % 10)}});
    let body = serde_json::to_vec(&json!({"TableName": "bench", "Key": key})).expect("json");
    let length = body.len().to_string();
    let invocation = format!("{:032x}", i as u128 * 0x9e37_79b9_7f4a_7c15);
    let headers = [
        ("content-type", "application/x-amz-json-1.0"),
        ("x-amz-target", "DynamoDB_20120810.GetItem"),
        ("content-length", length.as_str()),
        ("user-agent", "aws-sdk-rust/1.3 os/linux lang/rust/1.94"),
        ("x-amz-user-agent", "aws-sdk-rust/1.3 api/dynamodb/1.136 os/linux lang/rust/1.94"),
        ("amz-sdk-invocation-id", invocation.as_str()),
        ("amz-sdk-request", "attempt=1; max=3"),
        ("host", HOST),
    ];
    let signature = harness::Signer::default().headers("POST", &format!("http://{HOST}/"), &headers, &body);
    let mut builder = http::Request::builder().method("POST").uri("/");
    for (name, value) in headers.iter().copied().chain(signature.iter().map(|(n, v)| (n.as_str(), v.as_str()))) {
        builder = builder.header(name, value);
    }
    builder.body(Bytes::from(body)).expect("request")
}

/// Wall time per request, calling `handle` round-robin over `requests` for `seconds`.
fn per_request(state: &State, requests: &[http::Request<Bytes>], seconds: f64) -> f64 {
    let started = Instant::now();
    let mut done = 0usize;
    while started.elapsed().as_secs_f64() < seconds {
        for request in requests {
            let response = emulator::protocol::handle(state, request.clone());
            assert!(response.status().is_success(), "{}", String::from_utf8_lossy(response.body()));
        }
        done += requests.len();
    }
    started.elapsed().as_secs_f64() * 1e6 / done as f64
}
