//! Durable mode (`--db-path`) in process, against the in-memory default:
//! PutItem throughput with 1 and 16 concurrent writers (every durable call
//! journaled and fsynced before it is answered), then a table of `items`
//! benchmark items (about 200 bytes each): the journal's compaction time,
//! the longest PutItem any writer saw while it ran (and without it), the
//! journal's bytes per item, and replay speed when the journal is opened.
//! `cargo run --release -p emulator --example durable_put [items] [dir]`; with
//! `KEEP=1` the data directory is kept (and named), and
//! `durable_put replay DIR` only opens the journal in DIR (for a profiler).
//! Latencies while the compaction runs are also given as the 99th and 99.9th percentiles.

mod support;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use emulator::durable::Journal;
use emulator::state::State;
use serde_json::json;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{bench_item as item, call};

/// Lets the example keep the journal while the state holds it too.
struct Shared(Arc<Journal>);

impl emulator::state::Journal for Shared {
    fn commit(&self, state: &State, definitions: bool) -> std::io::Result<()> {
        self.0.commit(state, definitions)
    }
}

fn durable_state(dir: &std::path::Path) -> (Arc<State>, Arc<Journal>) {
    let state = Arc::new(State::default());
    let journal = Arc::new(Journal::open(dir, &state).expect("journal"));
    let _ = state.journal.set(Box::new(Shared(Arc::clone(&journal))));
    (state, journal)
}

/// PutItem calls per second by `writers` threads over `period`, each writing its own keys.
fn put_rate(state: &Arc<State>, table: &str, writers: usize, period: Duration) -> f64 {
    let done = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let threads: Vec<_> = (0..writers)
        .map(|w| {
            let (state, done, stop, table) =
                (Arc::clone(state), Arc::clone(&done), Arc::clone(&stop), table.to_string());
            std::thread::spawn(move || {
                let mut i = w * 1_000_000;
                while !stop.load(Ordering::Relaxed) {
                    call(&state, "PutItem", &json!({"TableName": table, "Item": item(i, 10_000_000)}));
                    done.fetch_add(1, Ordering::Relaxed);
                    i += 1;
                }
            })
        })
        .collect();
    let start = Instant::now();
    std::thread::sleep(period);
    stop.store(true, Ordering::Relaxed);
    let calls = done.load(Ordering::Relaxed);
    let elapsed = start.elapsed();
    threads.into_iter().for_each(|t| t.join().expect("writer"));
    calls as f64 / elapsed.as_secs_f64()
}

/// PutItem latencies while `work` runs: the longest, the 99th and 99.9th percentiles.
struct Latencies {
    longest: Duration,
    p99: Duration,
    p999: Duration,
}

/// The PutItem latencies `writers` threads see while `work` runs (and how long it ran).
fn puts_during(state: &Arc<State>, writers: usize, work: impl FnOnce()) -> (Latencies, Duration) {
    let stop = Arc::new(AtomicBool::new(false));
    let threads: Vec<_> = (0..writers)
        .map(|w| {
            let (state, stop) = (Arc::clone(state), Arc::clone(&stop));
            std::thread::spawn(move || {
                let (mut seen, mut i) = (Vec::new(), w * 1_000_000);
                while !stop.load(Ordering::Relaxed) {
                    let at = Instant::now();
                    call(&state, "PutItem", &json!({"TableName": "side", "Item": item(i, 10_000_000)}));
                    seen.push(at.elapsed());
                    i += 1;
                }
                seen
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(100));
    let start = Instant::now();
    work();
    let took = start.elapsed();
    stop.store(true, Ordering::Relaxed);
    let mut seen: Vec<Duration> = threads.into_iter().flat_map(|t| t.join().expect("writer")).collect();
    seen.sort();
    let at = |q: f64| seen.get(((seen.len() as f64 * q) as usize).min(seen.len().saturating_sub(1))).copied();
    let latencies = Latencies {
        longest: seen.last().copied().unwrap_or_default(),
        p99: at(0.99).unwrap_or_default(),
        p999: at(0.999).unwrap_or_default(),
    };
    (latencies, took)
}

fn replay(dir: &std::path::Path) {
    let state = State::default();
    let start = Instant::now();
    let journal = Journal::open(dir, &state).expect("reopen");
    let took = start.elapsed().as_secs_f64();
    let items: u64 = state.catalog.entries().iter().map(|(_, t)| t.inner.read().data.item_count()).sum();
    println!("opened (replayed) in {took:.2} s: {items} items, {:.0} items/s", items as f64 / took);
    drop(journal);
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("replay") {
        return replay(std::path::Path::new(&std::env::args().nth(2).expect("replay DIR")));
    }
    let mut args = std::env::args().skip(1);
    let items: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let base = args.next().map(std::path::PathBuf::from).unwrap_or_else(std::env::temp_dir);
    let period = Duration::from_secs(3);

    for writers in [1, 16] {
        let memory = Arc::new(State::default());
        call(&memory, "CreateTable", &support::bench_table("bench", true));
        let in_memory = put_rate(&memory, "bench", writers, period);
        let dir = tempfile::tempdir_in(&base).expect("temporary directory");
        let (state, _journal) = durable_state(dir.path());
        call(&state, "CreateTable", &support::bench_table("bench", true));
        let durable = put_rate(&state, "bench", writers, period);
        println!(
            "PutItem, {writers:>2} writers: in memory {in_memory:>8.0}/s, durable {durable:>7.0}/s ({:.0}% of in memory)",
            durable / in_memory * 100.0
        );
    }

    let dir = tempfile::tempdir_in(&base).expect("temporary directory");
    let (state, journal) = durable_state(dir.path());
    call(&state, "CreateTable", &support::bench_table("side", true));
    call(&state, "CreateTable", &support::bench_table("bench", true));
    // Loaded without a journal commit per call (as --seed does), then compacted once.
    let unjournaled = State::default();
    call(&unjournaled, "CreateTable", &support::bench_table("bench", true));
    let start = Instant::now();
    support::load(&unjournaled, "bench", items);
    let loaded = unjournaled.catalog.get("bench").expect("table").inner.read().clone();
    *state.catalog.get("bench").expect("table").inner.write() = loaded;
    println!("{items} items loaded in {:.1} s", start.elapsed().as_secs_f64());
    journal.commit(&state, true).expect("commit");

    let (quiet, _) = puts_during(&state, 4, || std::thread::sleep(Duration::from_secs(2)));
    let (during, took) = puts_during(&state, 4, || journal.compact(&state).expect("compaction"));
    let path = dir.path().join("emulator-journal.log");
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "compaction of {items} items: {:.2} s; PutItem meanwhile: longest {:.1} ms, p99.9 {:.1} ms, p99 {:.1} ms \
         (for 2 s without compaction: {:.1}, {:.1}, {:.1} ms)",
        took.as_secs_f64(),
        ms(during.longest),
        ms(during.p999),
        ms(during.p99),
        ms(quiet.longest),
        ms(quiet.p999),
        ms(quiet.p99)
    );
    println!("the compaction held the journal's lock for {:.2} ms (to switch files)", ms(journal.last_switch()));
    println!("journal: {bytes} bytes, {:.0} bytes per item", bytes as f64 / items as f64);
    drop(journal);
    drop(state);
    replay(dir.path());
    if std::env::var_os("KEEP").is_some() {
        println!("kept: {}", dir.keep().display());
    }
}
