//! The per-test fixture cycle in process (CreateTable with a GSI, 10 PutItem,
//! DeleteTable), repeated: prints the median of each hundred cycles, so a cost
//! that grows with the number of tables created shows.
//! `cargo run --release -p emulator --example fixture_cycle [cycles]`

mod support;

use emulator::state::State;
use serde_json::json;
use std::time::{Duration, Instant};
use support::call;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cycles: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(500);
    let state = State::default();
    let mut durations: Vec<Duration> = Vec::new();
    for cycle in 0..cycles {
        let table = format!("fixture_{cycle}");
        let began = Instant::now();
        call(&state, "CreateTable", &support::bench_table(&table, true));
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
