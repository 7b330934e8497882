//! SearchVectors latency over an exact (brute-force) vector index, in
//! process through `protocol::handle`: 256-dimensional vectors, 10,000 and
//! 100,000 items, TopK 10, for each distance function, without and with a
//! search condition (an INLINE_FILTER keeping one item in ten).
//! `cargo run --release -p emulator --example search_vectors [dimensions] [sizes...]`

mod support;

use emulator::state::State;
use serde_json::{json, Value};
use std::time::Instant;
use support::call;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A deterministic pseudo-random number in [-1, 1) (xorshift).
fn next(state: &mut u64) -> f64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    (*state >> 11) as f64 / (1u64 << 52) as f64 - 1.0
}

fn vector(seed: &mut u64, dims: usize) -> Value {
    Value::Array((0..dims).map(|_| json!({ "N": format!("{:.6}", next(seed)) })).collect())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dims: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(256);
    let sizes: Vec<usize> = args.filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![10_000, 100_000] } else { sizes };
    println!("dimensions {dims}, TopK 10, p50 / p99 of in-process SearchVectors calls");
    for items in sizes {
        let state = State::default();
        let index = |name: &str, distance: &str| {
            json!({
                "IndexName": name, "VectorAttribute": {"AttributeName": "v"}, "Dimensions": dims,
                "DistanceFunction": distance, "Projection": {"ProjectionType": "KEYS_ONLY"},
                "SearchSchema": [{"AttributeName": "shard", "SearchSchemaElementType": "INLINE_FILTER"}],
            })
        };
        call(
            &state,
            "CreateTable",
            &json!({
                "TableName": "vectors", "BillingMode": "PAY_PER_REQUEST",
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"},
                                          {"AttributeName": "shard", "AttributeType": "N"}],
                "VectorIndexes": [index("cosine", "COSINE"), index("euclidean", "EUCLIDEAN"), index("dot", "DOT_PRODUCT")],
            }),
        );
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let loading = Instant::now();
        for start in (0..items).step_by(25) {
            let batch: Vec<Value> = (start..(start + 25).min(items))
                .map(|i| {
                    json!({"PutRequest": {"Item": {
                        "id": {"S": format!("item-{i:07}")},
                        "shard": {"N": (i % 10).to_string()},
                        "v": {"L": vector(&mut seed, dims)},
                    }}})
                })
                .collect();
            call(&state, "BatchWriteItem", &json!({"RequestItems": {"vectors": batch}}));
        }
        println!("{items} items loaded in {:.1} s", loading.elapsed().as_secs_f64());
        for (name, filtered) in [("cosine", false), ("euclidean", false), ("dot", false), ("cosine", true)] {
            let mut body = json!({"TableName": "vectors", "IndexName": name, "TopK": 10});
            if filtered {
                body["SearchConditionExpression"] = json!("#s = :s");
                body["ExpressionAttributeNames"] = json!({"#s": "shard"});
                body["ExpressionAttributeValues"] = json!({":s": {"N": "3"}});
            }
            let mut times = Vec::new();
            for _ in 0..30 {
                body["SearchVector"] = vector(&mut seed, dims);
                let started = Instant::now();
                let out = call(&state, "SearchVectors", &body);
                times.push(started.elapsed().as_secs_f64() * 1000.0);
                assert_eq!(out["SearchResults"].as_array().map(Vec::len), Some(10));
            }
            times.sort_by(f64::total_cmp);
            let label = if filtered { format!("{name} + filter") } else { name.to_string() };
            println!(
                "{items:>7} items  {label:<16} p50 {:>7.2} ms  p99 {:>7.2} ms",
                times[times.len() / 2],
                times[times.len() * 99 / 100]
            );
        }
    }
}
