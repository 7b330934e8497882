//! What the measuring examples share: calling the protocol handler in
//! process, and the benchmark's table and items (the same shape as
//! `bench/src/workload.rs`: `pk`/`sk`, a GSI `gpk`/`gsk` projecting ALL, items
//! of 200 bytes by DynamoDB's size rules).
#![allow(dead_code)] // each example uses a part

use bytes::Bytes;
use emulator::state::State;
use serde_json::{json, Value};

pub fn request(operation: &str, body: &Value) -> http::Request<Bytes> {
    http::Request::builder()
        .method("POST")
        .uri("/")
        .header("x-amz-target", format!("DynamoDB_20120810.{operation}"))
        .header("content-type", "application/x-amz-json-1.0")
        .body(Bytes::from(serde_json::to_vec(body).expect("json")))
        .expect("request")
}

/// Runs one call, which must succeed; its response body.
pub fn call(state: &State, operation: &str, body: &Value) -> Value {
    let response = emulator::protocol::handle(state, request(operation, body));
    let value: Value = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
    assert!(response.status().is_success(), "{operation}: {value}");
    value
}

/// CreateTable for the benchmark's table, with or without its GSI.
pub fn bench_table(name: &str, with_index: bool) -> Value {
    let s = |n: &str| json!({"AttributeName": n, "AttributeType": "S"});
    let key =
        |h: &str, r: &str| json!([{"AttributeName": h, "KeyType": "HASH"}, {"AttributeName": r, "KeyType": "RANGE"}]);
    let mut create = json!({
        "TableName": name, "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [s("pk"), s("sk")], "KeySchema": key("pk", "sk"),
    });
    if with_index {
        create["AttributeDefinitions"] = json!([s("pk"), s("sk"), s("gpk"), s("gsk")]);
        create["GlobalSecondaryIndexes"] =
            json!([{"IndexName": "gsi", "KeySchema": key("gpk", "gsk"), "Projection": {"ProjectionType": "ALL"}}]);
    }
    create
}

/// Item `i` of a table of `items` items: 10 items per partition and per GSI partition.
pub fn bench_item(i: usize, items: usize) -> Value {
    let filler: String = (0..156).map(|k| char::from(b'a' + ((i + k) % 26) as u8)).collect();
    json!({
        "pk": {"S": format!("p{:07}", i / 10)},
        "sk": {"S": format!("s{:03}", i % 10)},
        "gpk": {"S": format!("g{:07}", i % (items / 10).max(1))},
        "gsk": {"S": format!("{i:08}")},
        "c": {"N": "0"},
        "data": {"S": filler},
    })
}

/// Loads `items` benchmark items into `table` with BatchWriteItem.
pub fn load(state: &State, table: &str, items: usize) {
    for start in (0..items).step_by(25) {
        let batch: Vec<Value> =
            (start..(start + 25).min(items)).map(|i| json!({"PutRequest": {"Item": bench_item(i, items)}})).collect();
        call(state, "BatchWriteItem", &json!({"RequestItems": {table: batch}}));
    }
}

/// User plus system CPU time of this process, from /proc.
pub fn process_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line; 11 and 12 after the command name.
    (ticks(11) + ticks(12)) / 100.0
}
