//! CPU per operation inside the emulator, without HTTP: the benchmark's
//! operations (GetItem, PutItem, conditional UpdateItem, Query of 10 items on
//! the table and on the GSI) through `protocol::handle`, single-threaded.
//! For profiling (`perf record`, callgrind) the emulator's own work apart
//! from the network stack.
//! `THREADS=2 cargo run --release -p emulator --example hot_path [items] [seconds-per-op] [op]`
//! (THREADS: concurrent callers, default 1; the figure is process CPU time per operation;
//! STREAM=1: the table has a NEW_AND_OLD_IMAGES stream, to measure what an enabled stream costs writes;
//! REPLICA=1: the table has a replica in us-west-2 (global tables), to measure what replication costs writes).

mod support;

use emulator::state::State;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::{bench_item as item, call, process_cpu_seconds, request};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let items: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let seconds: f64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(2.0);
    let only = args.next();
    let state = State::default();
    let mut table = support::bench_table("bench", true);
    if std::env::var("STREAM").is_ok_and(|v| v == "1") {
        table["StreamSpecification"] = json!({"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"});
    }
    call(&state, "CreateTable", &table);
    support::load(&state, "bench", items);
    if std::env::var("REPLICA").is_ok_and(|v| v == "1") {
        // A global table: every write is also applied to a replica in us-west-2 (delivered in the same call).
        call(
            &state,
            "UpdateTable",
            &json!({"TableName": "bench", "ReplicaUpdates": [{"Create": {"RegionName": "us-west-2"}}]}),
        );
    }
    let key_of = |i: usize| json!({"pk": {"S": format!("p{:07}", i / 10)}, "sk": {"S": format!("s{:03}", i % 10)}});
    type Body = Box<dyn Fn(usize) -> (&'static str, Value)>;
    let ops: Vec<(&str, Body)> = vec![
        ("GetItem", Box::new(move |i| ("GetItem", json!({"TableName": "bench", "Key": key_of(i)})))),
        ("PutItem", Box::new(move |i| ("PutItem", json!({"TableName": "bench", "Item": item(i, items)})))),
        (
            "UpdateItem",
            Box::new(move |i| {
                (
                    "UpdateItem",
                    json!({
                        "TableName": "bench", "Key": key_of(i),
                        "UpdateExpression": "SET #c = #c + :one", "ConditionExpression": "attribute_exists(pk)",
                        "ExpressionAttributeNames": {"#c": "c"}, "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }),
                )
            }),
        ),
        (
            "QueryTable",
            Box::new(move |i| {
                (
                    "Query",
                    json!({
                        "TableName": "bench", "KeyConditionExpression": "pk = :p",
                        "ExpressionAttributeValues": {":p": {"S": format!("p{:07}", i / 10)}},
                    }),
                )
            }),
        ),
        (
            "QueryIndex",
            Box::new(move |i| {
                (
                    "Query",
                    json!({
                        "TableName": "bench", "IndexName": "gsi", "KeyConditionExpression": "gpk = :g",
                        "ExpressionAttributeValues": {":g": {"S": format!("g{:07}", i % (items / 10).max(1))}},
                    }),
                )
            }),
        ),
    ];
    for (name, body) in &ops {
        if only.as_deref().is_some_and(|o| o != *name) {
            continue;
        }
        // Requests are built before the clock starts: only the emulator's work is timed.
        let requests: Vec<_> = (0..20_000).map(|n| body(n * 7919 % items)).collect();
        let requests: Vec<_> = requests.iter().map(|(op, b)| request(op, b)).collect();
        let threads: usize = std::env::var("THREADS").ok().and_then(|t| t.parse().ok()).unwrap_or(1);
        let cpu_before = process_cpu_seconds();
        let started = Instant::now();
        let done: usize = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|t| {
                    let (state, requests) = (&state, &requests);
                    scope.spawn(move || {
                        let mut done = 0usize;
                        while started.elapsed() < Duration::from_secs_f64(seconds) {
                            for r in requests.iter().skip(t * 1000).take(1000) {
                                let response = emulator::protocol::handle(state, r.clone());
                                assert!(response.status().is_success());
                                done += 1;
                            }
                        }
                        done
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().expect("worker")).sum()
        });
        let per_op = (process_cpu_seconds() - cpu_before) * 1e6 / done as f64;
        println!("{name:<11} {per_op:>7.2} µs of CPU per op ({done} calls, {threads} threads)");
    }
}
