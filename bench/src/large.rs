//! The large-table phase: one emulator process of its own, loaded step by
//! step to ten million items of 200 bytes (the workload's table, GSI
//! included), with the load rate, RSS against the raw size and Query p50 at
//! every step, then full Scans (one segment, and two in parallel).
//!
//! The emulator only: at the rivals' load rates (DynamoDB Local about 6,000
//! items/s) ten million items would take half an hour or more each.

use crate::client::Connection;
use crate::load::{self, Outcome};
use crate::report::{measured, missing, number, verdict, Table};
use crate::run::{brief, measure_op};
use crate::servers::{self, Endpoint, Target};
use crate::workload::{self, Op};
use serde::Serialize;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

pub const TABLE: &str = "bench_large";

/// The figures after loading up to `items` items.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub items: usize,
    /// The BatchWriteItem load of this step's new items (16 connections, figures per item).
    pub load: Outcome,
    pub rss_bytes: Option<u64>,
    /// Query of one partition (10 items) on the table, 1 connection.
    pub query_table: Outcome,
}

/// One full Scan of the table, by one client or by `segments` clients in parallel.
#[derive(Debug, Clone, Serialize)]
pub struct ScanRun {
    pub segments: usize,
    pub items: u64,
    pub pages: u64,
    pub seconds: f64,
    /// Items' DynamoDB size read per second (items × 200 bytes).
    pub item_mb_per_second: f64,
    /// Response bytes (JSON) received per second.
    pub wire_mb_per_second: f64,
    pub server_cpu_seconds: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct LargeResults {
    pub target: String,
    pub item_bytes: usize,
    pub steps: Vec<Step>,
    /// RSS of the process before the table existed.
    pub idle_rss_bytes: Option<u64>,
    pub scans: Vec<ScanRun>,
    pub notes: Vec<String>,
}

impl LargeResults {
    /// Two segments' Scan time against one segment's.
    pub fn parallel_speedup(&self) -> Option<f64> {
        let one = self.scans.iter().find(|s| s.segments == 1)?;
        let two = self.scans.iter().find(|s| s.segments == 2)?;
        (two.seconds > 0.0).then(|| one.seconds / two.seconds)
    }
}

/// The steps up to `max`: 10k, 100k, 1M, 10M... (each ten times the last), and `max`.
pub fn steps(max: usize) -> Vec<usize> {
    let mut steps = Vec::new();
    let mut step = 10_000;
    while step < max {
        steps.push(step);
        step *= 10;
    }
    steps.push(max);
    steps
}

fn log(message: impl AsRef<str>) {
    eprintln!("[bench] large table: {}", message.as_ref());
}

pub async fn run(target: &Target, max: usize, warmup: Duration, seconds: Duration) -> LargeResults {
    let mut results =
        LargeResults { target: target.name.clone(), item_bytes: workload::ITEM_BYTES, ..LargeResults::default() };
    let server = match servers::start(target).await {
        Ok((server, _)) => server,
        Err(e) => {
            results.notes.push(format!("not started: {e}"));
            return results;
        }
    };
    let endpoint = server.endpoint();
    results.idle_rss_bytes = server.rss_bytes();
    let created = async {
        let mut connection = Connection::open(endpoint.address).await?;
        load::must(&mut connection, "CreateTable", workload::create_table(TABLE)).await
    };
    if let Err(e) = created.await {
        results.notes.push(format!("CreateTable: {e}"));
        return results;
    }
    let mut loaded = 0;
    for items in steps(max) {
        // Items are generated for a table of `max` items, so the GSI's
        // partitions are those of the final table at every step.
        let load = load::batch_load_range(endpoint, TABLE, loaded..items, max, 16).await;
        let failed = matches!(load, Outcome::Failed(_) | Outcome::NotImplemented(_));
        log(format!("{items} items: load {}", brief(&load)));
        let rss_bytes = server.rss_bytes();
        let query_table = if failed {
            Outcome::Failed("load failed".into())
        } else {
            measure_op(endpoint, Op::QueryTable, TABLE, items, 1, warmup, seconds).await
        };
        log(format!("{items} items: RSS {:?} MiB, Query {}", rss_bytes.map(|b| b >> 20), brief(&query_table)));
        results.steps.push(Step { items, load, rss_bytes, query_table });
        if failed {
            return results;
        }
        loaded = items;
    }
    for segments in [1, 2] {
        match scan(endpoint, segments).await {
            Ok(run) => {
                log(format!(
                    "Scan, {segments} segment(s): {} items in {:.1} s, {:.0} MB/s of items",
                    run.items, run.seconds, run.item_mb_per_second
                ));
                if run.items != loaded as u64 {
                    results.notes.push(format!("Scan with {segments} segment(s) read {} of {loaded} items", run.items));
                }
                results.scans.push(run);
            }
            Err(e) => results.notes.push(format!("Scan with {segments} segment(s): {e}")),
        }
    }
    results
}

/// Reads the whole table: `segments` clients, each paging through its
/// segment (1 MB pages) until no LastEvaluatedKey is left.
async fn scan(endpoint: Endpoint, segments: usize) -> Result<ScanRun, String> {
    let cpu_before = endpoint.cpu_time();
    let began = Instant::now();
    let mut tasks = Vec::new();
    for segment in 0..segments {
        tasks.push(tokio::spawn(async move { scan_segment(endpoint, segment, segments).await }));
    }
    let (mut items, mut pages, mut bytes) = (0u64, 0u64, 0u64);
    for task in tasks {
        let (i, p, b) = task.await.map_err(|e| format!("scan task failed: {e}"))??;
        (items, pages, bytes) = (items + i, pages + p, bytes + b);
    }
    let seconds = began.elapsed().as_secs_f64();
    let server_cpu_seconds = endpoint.cpu_time().zip(cpu_before).map(|(a, b)| a.saturating_sub(b).as_secs_f64());
    Ok(ScanRun {
        segments,
        items,
        pages,
        seconds,
        item_mb_per_second: (items * workload::ITEM_BYTES as u64) as f64 / seconds / 1e6,
        wire_mb_per_second: bytes as f64 / seconds / 1e6,
        server_cpu_seconds,
    })
}

/// A Scan page's `Count` and `LastEvaluatedKey`, found by searching the body
/// rather than parsing it: a client parsing every item costs more than the
/// server writing it, and would measure itself. (The workload's items hold
/// only lowercase letters and digits, so the member names cannot occur in them.)
fn page_summary(body: &[u8]) -> Result<(u64, Option<Value>), String> {
    let text = std::str::from_utf8(body).map_err(|e| format!("Scan page: {e}"))?;
    let after = |name: &str| text.rfind(name).map(|at| &text[at + name.len()..]);
    let count = after("\"Count\":")
        .and_then(|rest| rest.trim_start().split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
        .ok_or("Scan page without Count")?;
    let last_key = match after("\"LastEvaluatedKey\":") {
        Some(rest) => {
            let mut values = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
            Some(
                values
                    .next()
                    .ok_or("LastEvaluatedKey without a value")?
                    .map_err(|e| format!("LastEvaluatedKey: {e}"))?,
            )
        }
        None => None,
    };
    Ok((count, last_key))
}

async fn scan_segment(endpoint: Endpoint, segment: usize, segments: usize) -> Result<(u64, u64, u64), String> {
    let mut connection = Connection::open(endpoint.address).await?;
    let (mut items, mut pages, mut bytes) = (0u64, 0u64, 0u64);
    let mut start: Option<Value> = None;
    loop {
        let mut request = json!({"TableName": TABLE});
        if segments > 1 {
            request["Segment"] = json!(segment);
            request["TotalSegments"] = json!(segments);
        }
        if let Some(key) = start.take() {
            request["ExclusiveStartKey"] = key;
        }
        let reply = connection.call("Scan", workload::to_bytes(&request)).await?;
        if reply.status != 200 {
            return Err(format!("Scan answered {}: {}", reply.status, String::from_utf8_lossy(&reply.body)));
        }
        let (count, last_key) = page_summary(&reply.body)?;
        (items, pages, bytes) = (items + count, pages + 1, bytes + reply.body.len() as u64);
        match last_key {
            Some(key) => start = Some(key),
            None => return Ok((items, pages, bytes)),
        }
    }
}

/// RSS as a multiple of the items' raw size (items × 200 bytes); the target is ≤ 2.5×.
pub const RSS_TARGET: f64 = 2.5;

fn raw_bytes(items: usize) -> f64 {
    (items * workload::ITEM_BYTES) as f64
}

/// The report's tables: one row per step, then the Scans.
pub fn tables(results: &LargeResults) -> Vec<Table> {
    const MIB: f64 = 1024.0 * 1024.0;
    let p50 = |o: &Outcome| measured(o).and_then(|m| m.latency).map(|l| l.p50_us);
    let first_p50 = results.steps.first().and_then(|s| p50(&s.query_table));
    let rows = results
        .steps
        .iter()
        .map(|step| {
            let rss_ratio = step.rss_bytes.map(|b| b as f64 / raw_bytes(step.items));
            let load = measured(&step.load);
            vec![
                number(step.items as f64),
                number(raw_bytes(step.items) / MIB),
                load.map_or_else(|| missing(&step.load), |m| number(m.ops_per_second)),
                load.and_then(|m| m.server_cpu_us_per_op).map_or("–".into(), number),
                step.rss_bytes.map_or("–".into(), |b| number(b as f64 / MIB)),
                rss_ratio
                    .map_or("–".into(), |r| format!("{}× ({})", number(r), verdict(Some(r), Some(RSS_TARGET), true))),
                p50(&step.query_table).map_or_else(|| missing(&step.query_table), number),
                p50(&step.query_table).zip(first_p50).map_or("–".into(), |(p, f)| format!("{}×", number(p / f))),
            ]
        })
        .collect();
    let header = [
        "items",
        "raw MiB (items × 200 B)",
        "BatchWriteItem load of the step, items/s (16 conn)",
        "server CPU µs/item",
        "RSS MiB",
        "RSS / raw (target ≤ 2.5×)",
        "Query 10 items p50 µs, 1 conn",
        "p50 / first step's",
    ];
    let steps = Table {
        title: format!("Large table: {} loaded step by step (items of 200 bytes, one GSI)", results.target),
        header: header.map(String::from).to_vec(),
        rows,
    };
    let speedup = results.parallel_speedup();
    let scan_rows = results
        .scans
        .iter()
        .map(|run| {
            vec![
                run.segments.to_string(),
                number(run.items as f64),
                number(run.pages as f64),
                number(run.seconds),
                number(run.item_mb_per_second),
                number(run.wire_mb_per_second),
                run.server_cpu_seconds.map_or("–".into(), number),
                if run.segments == 1 {
                    "1×".into()
                } else {
                    speedup.map_or("–".into(), |s| format!("{}×", number(s)))
                },
            ]
        })
        .collect();
    let header = [
        "segments (parallel clients)",
        "items",
        "pages",
        "seconds",
        "MB/s of items",
        "MB/s of JSON",
        "server CPU s",
        "speedup",
    ];
    let scans = Table {
        title: "Full Scan of the large table".into(),
        header: header.map(String::from).to_vec(),
        rows: scan_rows,
    };
    vec![steps, scans]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_grow_tenfold_to_the_maximum() {
        assert_eq!(steps(10_000_000), vec![10_000, 100_000, 1_000_000, 10_000_000]);
        assert_eq!(steps(250_000), vec![10_000, 100_000, 250_000]);
        assert_eq!(steps(5_000), vec![5_000]);
    }

    #[test]
    fn page_summary_finds_count_and_last_key() {
        let body = br#"{"Count":2,"Items":[{"pk":{"S":"a"}},{"pk":{"S":"b"}}],"LastEvaluatedKey":{"pk":{"S":"b"}},"ScannedCount":2}"#;
        assert_eq!(page_summary(body), Ok((2, Some(json!({"pk": {"S": "b"}})))));
        assert_eq!(page_summary(br#"{"Count":0,"Items":[],"ScannedCount":0}"#), Ok((0, None)));
        assert!(page_summary(br#"{"Items":[]}"#).is_err());
    }

    #[test]
    fn speedup_is_one_segment_time_over_two() {
        let run = |segments, seconds| ScanRun {
            segments,
            items: 1,
            pages: 1,
            seconds,
            item_mb_per_second: 0.0,
            wire_mb_per_second: 0.0,
            server_cpu_seconds: None,
        };
        let results = LargeResults { scans: vec![run(1, 3.0), run(2, 2.0)], ..LargeResults::default() };
        assert_eq!(results.parallel_speedup(), Some(1.5));
        assert_eq!(LargeResults::default().parallel_speedup(), None);
    }
}
