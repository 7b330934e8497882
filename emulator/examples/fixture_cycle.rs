//! The per-test fixture cycle in process (CreateTable with a GSI, 10 PutItem,
//! DeleteTable), repeated: prints the median of each hundred cycles, so a cost
//! that grows with the number of tables created shows.
//! `cargo run --release -p emulator --example fixture_cycle [cycles]`

use bytes::Bytes;
use emulator::state::State;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn call(state: &State, operation: &str, body: &Value) {
    let request = http::Request::builder()
        .method("POST")
        .uri("/")
        .header("x-amz-target", format!("DynamoDB_20120810.{operation}"))
        .body(Bytes::from(serde_json::to_vec(body).expect("json")))
        .expect("request");
    let response = emulator::protocol::handle(state, request);
    assert!(response.status().is_success(), "{operation}: {:?}", response.body());
}

fn main() {
    let cycles: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(500);
    let state = State::default();
    let s = |n: &str| json!({"AttributeName": n, "AttributeType": "S"});
    let key =
        |h: &str, r: &str| json!([{"AttributeName": h, "KeyType": "HASH"}, {"AttributeName": r, "KeyType": "RANGE"}]);
    let mut durations: Vec<Duration> = Vec::new();
    for cycle in 0..cycles {
        let table = format!("fixture_{cycle}");
        let began = Instant::now();
        call(
            &state,
            "CreateTable",
            &json!({
                "TableName": table, "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [s("pk"), s("sk"), s("gpk"), s("gsk")], "KeySchema": key("pk", "sk"),
                "GlobalSecondaryIndexes": [{"IndexName": "gsi", "KeySchema": key("gpk", "gsk"), "Projection": {"ProjectionType": "ALL"}}],
            }),
        );
        for i in 0..10 {
            call(
                &state,
                "PutItem",
                &json!({"TableName": table, "Item": {
                    "pk": {"S": format!("p{i}")}, "sk": {"S": "s"}, "gpk": {"S": "g"}, "gsk": {"S": format!("{i}")},
                }}),
            );
        }
        call(&state, "DeleteTable", &json!({"TableName": table}));
        durations.push(began.elapsed());
        if durations.len() == 100 {
            durations.sort();
            println!("cycles {:>5}: median {:.1} µs", cycle + 1, durations[50].as_secs_f64() * 1e6);
            durations.clear();
        }
    }
}
