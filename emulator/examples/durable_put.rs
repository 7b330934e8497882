//! Durable-mode PutItem in process: every call is journaled and fsynced
//! before it is answered, as with `--db-path`. Reports wall time and process
//! CPU time per PutItem (the CPU figure leaves out the wait for the disk).
//! `cargo run --release -p emulator --example durable_put [puts] [dir]`

mod support;

use emulator::state::State;
use serde_json::json;
use std::time::Instant;
use support::{bench_item as item, call, process_cpu_seconds};

fn main() {
    let mut args = std::env::args().skip(1);
    let puts: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3_000);
    let base = args.next().map(std::path::PathBuf::from).unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::tempdir_in(base).expect("temporary directory");
    let state = State::default();
    let journal = emulator::durable::Journal::open(dir.path(), &state).expect("journal");
    let _ = state.journal.set(Box::new(journal));
    call(&state, "CreateTable", &support::bench_table("bench", true));
    for i in 0..100 {
        call(&state, "PutItem", &json!({"TableName": "bench", "Item": item(i, puts)}));
    }
    let (start, cpu) = (Instant::now(), process_cpu_seconds());
    for i in 0..puts {
        call(&state, "PutItem", &json!({"TableName": "bench", "Item": item(i, puts)}));
    }
    let wall = start.elapsed().as_secs_f64() / puts as f64 * 1e6;
    let cpu = (process_cpu_seconds() - cpu) / puts as f64 * 1e6;
    println!("durable PutItem: {wall:.1} µs wall, {cpu:.1} µs CPU per call ({puts} calls)");
}
