//! Driving load: closed-loop phases over several keep-alive connections,
//! the BatchWriteItem bulk load and the per-test fixture cycle. Each
//! measures the server's CPU time (from /proc) and the client's own.

use crate::client::Connection;
use crate::procstat;
use crate::servers::Endpoint;
use crate::stats::{self, Latency};
use crate::workload::{self, Random};
use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The outcome of a measured phase.
#[derive(Debug, Clone, Serialize)]
pub struct Measured {
    pub ops: u64,
    pub seconds: f64,
    pub ops_per_second: f64,
    pub latency: Option<Latency>,
    /// Server CPU time per operation (µs), when the server is a process we started.
    pub server_cpu_us_per_op: Option<f64>,
    /// Load generator CPU time per operation (µs) and as a share of one core.
    pub client_cpu_us_per_op: f64,
    pub client_cpu_percent: f64,
    pub errors: u64,
}

/// Why a phase has no figures.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "snake_case")]
pub enum Outcome {
    Measured(Measured),
    NotImplemented(String),
    Failed(String),
}

/// CPU clocks sampled at the start and end of a measurement window.
pub struct CpuWindow {
    began: Instant,
    server: Option<Duration>,
    client: Duration,
}

impl CpuWindow {
    pub fn open(server: Endpoint) -> CpuWindow {
        CpuWindow { began: Instant::now(), server: server.cpu_time(), client: procstat::own_cpu_time() }
    }

    /// The figures of the window: `ops` is what the rates and per-op costs count.
    pub fn close(self, server: Endpoint, ops: u64, latency: Option<Latency>, errors: u64) -> Measured {
        let seconds = self.began.elapsed().as_secs_f64();
        let per_op = |d: Duration| d.as_secs_f64() * 1e6 / ops.max(1) as f64;
        let server_cpu = match (self.server, server.cpu_time()) {
            (Some(before), Some(after)) => Some(per_op(after.saturating_sub(before))),
            _ => None,
        };
        let client = procstat::own_cpu_time().saturating_sub(self.client);
        Measured {
            ops,
            seconds,
            ops_per_second: ops as f64 / seconds,
            latency,
            server_cpu_us_per_op: server_cpu,
            client_cpu_us_per_op: per_op(client),
            client_cpu_percent: client.as_secs_f64() / seconds * 100.0,
            errors,
        }
    }
}

/// Builds one request from a random number: (operation, body).
pub type RequestMaker = Arc<dyn Fn(u64) -> (&'static str, Bytes) + Send + Sync>;

/// One request first, to tell "not implemented" and wrong answers apart from
/// figures: `Err(outcome)` when the phase cannot be measured.
pub async fn probe(
    server: Endpoint,
    operation: &str,
    body: Bytes,
    check: impl Fn(&Value) -> Result<(), String>,
) -> Result<(), Outcome> {
    let mut connection = Connection::open(server.address).await.map_err(Outcome::Failed)?;
    let reply = connection.call(operation, body).await.map_err(Outcome::Failed)?;
    if reply.status == 200 {
        return check(&reply.json().unwrap_or(Value::Null)).map_err(Outcome::Failed);
    }
    match reply.error_type() {
        Some(kind) if kind == "UnknownOperationException" => {
            Err(Outcome::NotImplemented(format!("{operation}: not implemented")))
        }
        _ => Err(Outcome::Failed(format!(
            "{operation} answered {}: {}",
            reply.status,
            String::from_utf8_lossy(&reply.body).chars().take(300).collect::<String>()
        ))),
    }
}

/// Runs `connections` closed loops (each sends its next request when the
/// previous answer arrives) for `warmup` unrecorded, then `duration` recorded.
pub async fn closed_loop(
    server: Endpoint,
    connections: usize,
    warmup: Duration,
    duration: Duration,
    make: RequestMaker,
) -> Outcome {
    if connections == 1 {
        // One client making one call at a time: drive it the way a `#[tokio::test]` would.
        return on_own_thread(move || closed_loop_here(server, 1, warmup, duration, make))
            .await
            .unwrap_or_else(Outcome::Failed);
    }
    closed_loop_here(server, connections, warmup, duration, make).await
}

async fn closed_loop_here(
    server: Endpoint,
    connections: usize,
    warmup: Duration,
    duration: Duration,
    make: RequestMaker,
) -> Outcome {
    let mut opened = Vec::with_capacity(connections);
    for _ in 0..connections {
        match Connection::open(server.address).await {
            Ok(c) => opened.push(c),
            Err(e) => return Outcome::Failed(e),
        }
    }
    let start = Instant::now();
    let record_from = start + warmup;
    let end = record_from + duration;
    let mut tasks = Vec::with_capacity(connections);
    for (n, mut connection) in opened.into_iter().enumerate() {
        let make = Arc::clone(&make);
        tasks.push(tokio::spawn(async move {
            let mut random = Random::new(n as u64 + 1);
            let mut samples: Vec<u64> = Vec::with_capacity(1 << 16);
            let mut errors = 0u64;
            let mut failure = None;
            loop {
                let (operation, body) = make(random.next());
                let sent = Instant::now();
                if sent >= end {
                    break;
                }
                match connection.call(operation, body).await {
                    Ok(reply) if sent >= record_from => {
                        if reply.status == 200 {
                            samples.push(sent.elapsed().as_nanos() as u64);
                        } else {
                            errors += 1;
                        }
                    }
                    Ok(_) => {}
                    Err(e) => {
                        failure = Some(e);
                        break;
                    }
                }
            }
            (samples, errors, failure)
        }));
    }
    tokio::time::sleep_until(record_from.into()).await;
    let window = CpuWindow::open(server);
    let mut samples = Vec::new();
    let mut errors = 0;
    for task in tasks {
        match task.await {
            Ok((s, e, None)) => {
                samples.extend(s);
                errors += e;
            }
            Ok((_, _, Some(failure))) => return Outcome::Failed(failure),
            Err(e) => return Outcome::Failed(format!("load task failed: {e}")),
        }
    }
    let ops = samples.len() as u64;
    let latency = stats::summarise(&mut samples);
    Outcome::Measured(window.close(server, ops, latency, errors))
}

/// Loads items `0..items` with BatchWriteItem (25 per request) over
/// `connections` connections, resending any UnprocessedItems. The table must exist.
pub async fn batch_load(server: Endpoint, table: &str, items: usize, connections: usize) -> Outcome {
    batch_load_range(server, table, 0..items, items, connections).await
}

/// Loads items `range` of a table of `total` items, as [`batch_load`] does.
pub async fn batch_load_range(
    server: Endpoint,
    table: &str,
    range: std::ops::Range<usize>,
    total: usize,
    connections: usize,
) -> Outcome {
    let (offset, items) = (range.start, range.len());
    let first = workload::batch_write(table, offset..offset + workload::BATCH_SIZE.min(items), total);
    if let Err(outcome) = probe(server, "BatchWriteItem", first, |_| Ok(())).await {
        return outcome;
    }
    let batches = items.div_ceil(workload::BATCH_SIZE);
    let next = Arc::new(AtomicUsize::new(0));
    let window = CpuWindow::open(server);
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let next = Arc::clone(&next);
        let table = table.to_string();
        let address = server.address;
        tasks.push(tokio::spawn(async move {
            let mut connection = Connection::open(address).await?;
            let mut samples = Vec::new();
            loop {
                let batch = next.fetch_add(1, Ordering::Relaxed);
                if batch >= batches {
                    return Ok::<_, String>(samples);
                }
                let range =
                    offset + batch * workload::BATCH_SIZE..offset + ((batch + 1) * workload::BATCH_SIZE).min(items);
                let mut body = workload::batch_write(&table, range, total);
                let sent = Instant::now();
                // Resend what the server did not process until nothing is left.
                for _ in 0..100 {
                    let reply = connection.call("BatchWriteItem", body).await?;
                    if reply.status != 200 {
                        return Err(format!(
                            "BatchWriteItem answered {}: {}",
                            reply.status,
                            String::from_utf8_lossy(&reply.body)
                        ));
                    }
                    let unprocessed = reply.json().and_then(|v| v.get("UnprocessedItems").cloned());
                    match unprocessed {
                        Some(Value::Object(left)) if !left.is_empty() => {
                            body = workload::to_bytes(&serde_json::json!({"RequestItems": left}))
                        }
                        _ => break,
                    }
                }
                samples.push(sent.elapsed().as_nanos() as u64);
            }
        }));
    }
    let mut samples = Vec::new();
    for task in tasks {
        match task.await {
            Ok(Ok(s)) => samples.extend(s),
            Ok(Err(e)) => return Outcome::Failed(e),
            Err(e) => return Outcome::Failed(format!("load task failed: {e}")),
        }
    }
    let latency = stats::summarise(&mut samples);
    // Figures per item, not per request.
    Outcome::Measured(window.close(server, items as u64, latency, 0))
}

/// Loads items one PutItem at a time (when BatchWriteItem is not available),
/// so the other phases still have their data.
pub async fn put_load(server: Endpoint, table: &str, items: usize, connections: usize) -> Result<(), String> {
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let next = Arc::clone(&next);
        let table = table.to_string();
        let address = server.address;
        tasks.push(tokio::spawn(async move {
            let mut connection = Connection::open(address).await?;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= items {
                    return Ok::<_, String>(());
                }
                let reply = connection.call("PutItem", workload::put_item(&table, i, items)).await?;
                if reply.status != 200 {
                    return Err(format!("PutItem answered {}", reply.status));
                }
            }
        }));
    }
    for task in tasks {
        task.await.map_err(|e| e.to_string())??;
    }
    Ok(())
}

/// Sends one request that must succeed.
pub async fn must(connection: &mut Connection, operation: &str, body: Bytes) -> Result<Value, String> {
    let reply = connection.call(operation, body).await?;
    if reply.status != 200 {
        return Err(format!(
            "{operation} answered {}: {}",
            reply.status,
            String::from_utf8_lossy(&reply.body).chars().take(300).collect::<String>()
        ));
    }
    Ok(reply.json().unwrap_or(Value::Null))
}

/// What a test suite pays per test for its fixture: CreateTable with a GSI,
/// 10 PutItem, DeleteTable, on one connection. Returns each cycle's duration.
/// Runs on a single-threaded runtime of its own, as a `#[tokio::test]` does.
/// Fixture cycles `first..first + cycles` (each on a table of its own name).
pub async fn fixture_cycles(server: Endpoint, first: usize, cycles: usize) -> Result<Vec<Duration>, String> {
    on_own_thread(move || fixture_cycles_here(server, first, cycles)).await?
}

async fn fixture_cycles_here(server: Endpoint, first: usize, cycles: usize) -> Result<Vec<Duration>, String> {
    let mut connection = Connection::open(server.address).await?;
    let mut durations = Vec::with_capacity(cycles);
    for cycle in first..first + cycles {
        let table = format!("bench_fixture_{cycle}");
        let began = Instant::now();
        must(&mut connection, "CreateTable", workload::create_table(&table)).await?;
        for i in 0..10 {
            must(&mut connection, "PutItem", workload::put_item(&table, i, 10)).await?;
        }
        must(&mut connection, "DeleteTable", workload::table_only(&table)).await?;
        durations.push(began.elapsed());
    }
    Ok(durations)
}

/// Runs `work` on a single-threaded tokio runtime in a thread of its own and
/// awaits its result without blocking the caller's runtime.
pub async fn on_own_thread<F, Fut, T>(work: F) -> Result<T, String>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = T> + 'static,
    T: Send + 'static,
{
    let (done, result) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let outcome = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map(|runtime| runtime.block_on(work()))
            .map_err(|e| format!("cannot build a runtime: {e}"));
        let _ = done.send(outcome);
    });
    result.await.map_err(|_| "the load thread panicked".to_string())?
}
