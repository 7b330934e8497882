//! GetRecords throughput in process: writes N items to a table with a
//! NEW_AND_OLD_IMAGES stream, then reads every record back through the
//! Streams API (GetShardIterator, GetRecords pages of 1,000) and reports
//! records per second.
//! `cargo run --release -p emulator --example stream_read [records]`

mod support;

use bytes::Bytes;
use emulator::state::State;
use serde_json::{json, Value};
use std::time::Instant;
use support::{bench_item as item, call};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn streams_call(state: &State, operation: &str, body: &Value) -> Value {
    let request = http::Request::builder()
        .method("POST")
        .uri("/")
        .header("x-amz-target", format!("DynamoDBStreams_20120810.{operation}"))
        .header("content-type", "application/x-amz-json-1.0")
        .body(Bytes::from(serde_json::to_vec(body).expect("json")))
        .expect("request");
    let response = emulator::protocol::handle(state, request);
    let value: Value = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
    assert!(response.status().is_success(), "{operation}: {value}");
    value
}

fn main() {
    let records: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let state = State::default();
    let mut table = support::bench_table("bench", false);
    table["StreamSpecification"] = json!({"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"});
    let created = call(&state, "CreateTable", &table);
    let arn = created["TableDescription"]["LatestStreamArn"].as_str().expect("stream ARN").to_string();
    for i in 0..records {
        call(&state, "PutItem", &json!({"TableName": "bench", "Item": item(i, records)}));
    }
    let start = Instant::now();
    let described = streams_call(&state, "DescribeStream", &json!({"StreamArn": arn}));
    let mut read = 0;
    for shard in described["StreamDescription"]["Shards"].as_array().into_iter().flatten() {
        let request = json!({"StreamArn": arn, "ShardId": shard["ShardId"], "ShardIteratorType": "TRIM_HORIZON"});
        let mut iterator = streams_call(&state, "GetShardIterator", &request)["ShardIterator"].clone();
        while let Some(text) = iterator.as_str().map(str::to_string) {
            let page = streams_call(&state, "GetRecords", &json!({"ShardIterator": text, "Limit": 1000}));
            let got = page["Records"].as_array().map_or(0, Vec::len);
            if got == 0 {
                break;
            }
            read += got;
            iterator = page["NextShardIterator"].clone();
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    assert_eq!(read, records, "every record read back");
    println!("GetRecords: {read} records in {seconds:.3} s = {:.0} records/s (pages of 1,000)", read as f64 / seconds);
}
