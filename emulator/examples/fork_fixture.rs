//! What a fork-per-test fixture costs: the benchmark's table (with its GSI)
//! seeded with N items, then repeatedly a snapshot, a fork of it, the fork's
//! first write (which may copy what the fork shares) and a second write.
//! Prints the median and 90th percentile of each, in µs.
//! `cargo run --release -p emulator --example fork_fixture [items...]` (default 10000 100000)

mod support;

use emulator::state::State;
use serde_json::json;
use std::time::{Duration, Instant};
use support::{bench_item, call};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![10_000, 100_000] } else { sizes };
    for items in sizes {
        let fixture = State::default();
        call(&fixture, "CreateTable", &support::bench_table("bench", true));
        support::load(&fixture, "bench", items);
        let rounds = if items > 50_000 { 50 } else { 200 };
        let (mut snapshots, mut forks, mut first, mut second) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let snapshot = fixture.snapshot();
        for round in 0..rounds {
            let began = Instant::now();
            let again = fixture.snapshot();
            snapshots.push(began.elapsed());
            drop(again);
            let began = Instant::now();
            let fork = fixture.fork(&snapshot);
            forks.push(began.elapsed());
            let put = |i: usize| {
                let mut item = bench_item(i, items);
                item["c"] = json!({"N": round.to_string()});
                json!({"TableName": "bench", "Item": item})
            };
            let began = Instant::now();
            call(&fork, "PutItem", &put(round));
            first.push(began.elapsed());
            let began = Instant::now();
            call(&fork, "PutItem", &put(round + 1));
            second.push(began.elapsed());
        }
        println!(
            "{items:>7} items: snapshot {}, fork {}, first write {}, second write {}",
            summary(snapshots),
            summary(forks),
            summary(first),
            summary(second)
        );
    }
}

/// "median µs (p90 µs)".
fn summary(mut durations: Vec<Duration>) -> String {
    durations.sort();
    let at = |q: f64| durations[((durations.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e6;
    format!("{:.1} µs (p90 {:.1})", at(0.5), at(0.9))
}
