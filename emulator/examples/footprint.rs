//! Memory footprint of the benchmark's data set, measured in process:
//! 100,000 items of 200 bytes (DynamoDB's size rules) in a table with
//! `pk`/`sk` and one GSI `gpk`/`gsk` projecting ALL, loaded with
//! BatchWriteItem through `protocol::handle`. Prints resident memory before
//! and after, per item. `cargo run --release -p emulator --example footprint [N] [no-index]`

mod support;

use emulator::state::State;

/// mimalloc (as the binary uses), counting the bytes live on the heap, so
/// the figure can be split into data and allocator overhead.
struct Counting;

static LIVE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), std::sync::atomic::Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.alloc(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, std::sync::atomic::Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), std::sync::atomic::Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        LIVE.fetch_sub(layout.size(), std::sync::atomic::Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> usize {
    LIVE.load(std::sync::atomic::Ordering::Relaxed)
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    let items: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let with_index = std::env::args().nth(2).as_deref() != Some("no-index");
    let state = State::default();
    support::call(&state, "CreateTable", &support::bench_table("bench", with_index));
    let before = rss_kib();
    let live_before = live();
    support::load(&state, "bench", items);
    let raw = items * 200;
    let after = rss_kib();
    let live_grown = live() - live_before;
    let grown = after.saturating_sub(before) * 1024;
    println!(
        "{items} items, {:.1} MiB raw: RSS {:.1} MiB before, {:.1} MiB after; {:.0} bytes per item ({:.2}x raw)",
        raw as f64 / 1048576.0,
        before as f64 / 1024.0,
        after as f64 / 1024.0,
        grown as f64 / items as f64,
        grown as f64 / raw as f64
    );
    println!("heap: {:.0} bytes per item requested and still live", live_grown as f64 / items as f64);
}
