//! Durable mode: every target that can keep its data on disk (ours with
//! `--db-path`, DynamoDB Local with `-dbPath`, Dynoxide with its database
//! path) started on a fresh directory, loaded like the main table, and
//! measured on the write operations beside the same operations on its
//! in-memory server; then its start-up with the data on disk (replay), its
//! disk bytes per item and, for ours, a journal compaction seen from outside.

use crate::client::Connection;
use crate::load::{self, Outcome, RequestMaker};
use crate::run::{self, CONNECTIONS, MAIN_TABLE};
use crate::servers::{self, Endpoint, Launch, Server, Target};
use crate::stats;
use crate::workload::{self, Op, Random};
use crate::{dynamodb_local, dynoxide};
use serde::Serialize;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Items the rivals' tables on disk hold: DynamoDB Local loads about 50
/// items/s on disk here (a SQLite transaction synced per item) and Dynoxide
/// about 250, so the main table's count would take minutes to hours.
const RIVAL_ITEMS: usize = 1_000;
/// Items in one TransactWriteItems of the phase (one Put each).
const TRANSACT_ITEMS: usize = 4;
/// Our journal's file and the side file a compaction writes before renaming it over the journal.
const JOURNAL_FILE: &str = "emulator-journal.log";
const COMPACTING_FILE: &str = "emulator-journal.compacting";

/// The write operations measured on disk and in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOp {
    PutItem,
    UpdateItem,
    BatchWriteItem,
    TransactWriteItems,
}

impl WriteOp {
    pub const ALL: [WriteOp; 4] =
        [WriteOp::PutItem, WriteOp::UpdateItem, WriteOp::BatchWriteItem, WriteOp::TransactWriteItems];

    pub fn operation(self) -> &'static str {
        match self {
            WriteOp::PutItem => "PutItem",
            WriteOp::UpdateItem => "UpdateItem",
            WriteOp::BatchWriteItem => "BatchWriteItem",
            WriteOp::TransactWriteItems => "TransactWriteItems",
        }
    }

    pub fn label(self) -> String {
        match self {
            WriteOp::PutItem => Op::PutItem.label().into(),
            WriteOp::UpdateItem => Op::UpdateItem.label().into(),
            WriteOp::BatchWriteItem => format!("BatchWriteItem ({} puts)", workload::BATCH_SIZE),
            WriteOp::TransactWriteItems => format!("TransactWriteItems ({TRANSACT_ITEMS} puts)"),
        }
    }

    /// A request on existing items of a table of `items` items, each a changed
    /// item (its counter from the random draw); the items of one request are
    /// consecutive, so distinct.
    pub fn body(self, table: &str, items: usize, random: u64) -> bytes::Bytes {
        let changed = |i: usize| {
            let mut item = workload::item(i % items, items);
            item["c"] = json!({"N": (random >> 40).to_string()});
            item
        };
        let first = (random % items as u64) as usize;
        match self {
            WriteOp::PutItem => Op::PutItem.body(table, items, random),
            WriteOp::UpdateItem => Op::UpdateItem.body(table, items, random),
            WriteOp::BatchWriteItem => {
                let puts: Vec<Value> = (first..first + workload::BATCH_SIZE)
                    .map(|i| json!({"PutRequest": {"Item": changed(i)}}))
                    .collect();
                workload::to_bytes(&json!({"RequestItems": {table: puts}}))
            }
            WriteOp::TransactWriteItems => {
                let puts: Vec<Value> = (first..first + TRANSACT_ITEMS)
                    .map(|i| json!({"Put": {"TableName": table, "Item": changed(i)}}))
                    .collect();
                workload::to_bytes(&json!({"TransactItems": puts}))
            }
        }
    }
}

/// One write operation at one connection count, in memory and on disk.
#[derive(Debug, Clone, Serialize)]
pub struct DurableOp {
    pub op: String,
    pub connections: usize,
    pub in_memory: Outcome,
    pub durable: Outcome,
}

/// Start-up with data on disk: process start to first answered ListTables.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Startup {
    /// Items in the table when it was stopped (and counted back after the last start).
    pub items: usize,
    /// Median start-up on a fresh, empty directory.
    pub empty_ms: Option<f64>,
    /// The first start after the write phases: the directory as they left it
    /// (for ours a journal of every write since the last compaction, replayed then compacted).
    pub first_ms: Option<f64>,
    /// Median of the starts after that (for ours, from the compacted journal).
    pub loaded_ms: Option<f64>,
    /// Bytes in the directory after the last start.
    pub disk_bytes: Option<u64>,
    /// Items a Scan counted after the last start (all of them, if nothing was lost).
    pub items_found: Option<u64>,
}

impl Startup {
    /// Items per second of start-up beyond an empty directory's.
    pub fn replay_items_per_second(&self) -> Option<f64> {
        let extra = self.loaded_ms? - self.empty_ms?;
        (extra > 0.0).then(|| self.items as f64 / (extra / 1e3))
    }

    pub fn disk_bytes_per_item(&self) -> Option<f64> {
        (self.items > 0).then_some(self.disk_bytes? as f64 / self.items as f64)
    }
}

/// A compaction of our journal, provoked by writing until the journal has
/// grown past the live data, seen from outside: the side file appearing,
/// the journal replaced (a new inode), and every request's latency meanwhile.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Compaction {
    /// BatchWriteItem calls sent until the journal was replaced (or the time ran out).
    pub calls: u64,
    pub seconds: f64,
    /// The journal was replaced during the phase.
    pub observed: bool,
    /// From the side file first seen to the journal replaced.
    pub duration_ms: Option<f64>,
    /// The longest request of the phase, and of those in flight during the compaction.
    pub longest_ms: f64,
    pub longest_during_ms: Option<f64>,
    pub p50_us: f64,
    pub p99_us: f64,
    pub journal_bytes_before: Option<u64>,
    pub journal_bytes_after: Option<u64>,
}

/// The durable phases of one target.
#[derive(Debug, Clone, Serialize)]
pub struct DurableResults {
    pub name: String,
    /// How it was started on disk.
    pub command: String,
    /// BatchWriteItem load of the table on disk, 16 connections (figures per item).
    pub load: Outcome,
    pub ops: Vec<DurableOp>,
    pub startup: Option<Startup>,
    pub compaction: Option<Compaction>,
    pub notes: Vec<String>,
}

impl DurableResults {
    fn new(name: &str, command: String) -> DurableResults {
        DurableResults {
            name: name.into(),
            command,
            load: Outcome::Failed("not run".into()),
            ops: Vec::new(),
            startup: None,
            compaction: None,
            notes: Vec::new(),
        }
    }

    pub fn op(&self, op: WriteOp, connections: usize) -> Option<&DurableOp> {
        self.ops.iter().find(|o| o.op == op.label() && o.connections == connections)
    }
}

/// `target` started on the data directory `{dir}` instead of in memory, if it can be.
pub fn on_disk(target: &Target) -> Option<Target> {
    let Launch::Command { program, args, dir } = &target.launch else { return None };
    let dir_arg = "{dir}".to_string();
    let args: Vec<String> = match target.name.as_str() {
        "emulator" => args.iter().cloned().chain(["--db-path".into(), dir_arg]).collect(),
        dynoxide::NAME => args.iter().cloned().chain(["--db-path".into(), dir_arg.clone() + "/dynoxide.db"]).collect(),
        dynamodb_local::NAME => args
            .iter()
            .flat_map(|a| if a == "-inMemory" { vec!["-dbPath".into(), dir_arg.clone()] } else { vec![a.clone()] })
            .collect(),
        _ => return None,
    };
    Some(Target {
        name: target.name.clone(),
        launch: Launch::Command { program: program.clone(), args, dir: dir.clone() },
        heavy: target.heavy,
    })
}

fn in_dir(target: &Target, data: &Path) -> Target {
    let mut target = target.clone();
    if let Launch::Command { args, .. } = &mut target.launch {
        for arg in args {
            *arg = arg.replace("{dir}", &data.display().to_string());
        }
    }
    target
}

fn command_line(target: &Target) -> String {
    match &target.launch {
        Launch::Command { program, args, .. } => {
            let name = program.file_name().map_or(program.display().to_string(), |n| n.to_string_lossy().into());
            format!("{name} {}", args.join(" "))
        }
        Launch::Url(address) => address.to_string(),
    }
}

fn log(message: impl AsRef<str>) {
    eprintln!("[bench] durable: {}", message.as_ref());
}

/// A fresh directory for one server's data, removed on drop.
struct DataDir(PathBuf);

impl DataDir {
    fn new(label: &str) -> Result<DataDir, String> {
        let path = std::env::temp_dir().join(format!("bench-durable-{}-{label}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).map_err(|e| format!("create {}: {e}", path.display()))?;
        Ok(DataDir(path))
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn directory_bytes(dir: &Path) -> Option<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let meta = entry.metadata().ok()?;
        total += if meta.is_dir() { directory_bytes(&entry.path())? } else { meta.len() };
    }
    Some(total)
}

/// One target's state during the phases.
struct OnDisk {
    /// Declared first: dropped (stopped) before its directory is removed.
    server: Option<Server>,
    target: Target,
    data: DataDir,
    /// Items in its table.
    items: usize,
}

/// Runs the durable phases for every target that has a durable mode,
/// beside `running` (the in-memory servers, each holding the main table).
/// The first target (ours) loads as many items as the main table; the
/// others [`RIVAL_ITEMS`].
pub async fn run(
    options: &crate::options::Options,
    targets: &[Target],
    running: &[Option<Server>],
    warmup: Duration,
) -> Vec<DurableResults> {
    let mut results = Vec::new();
    let mut disks: Vec<Option<OnDisk>> = Vec::new();
    for (index, (target, memory)) in targets.iter().zip(running).enumerate() {
        let Some(durable) = on_disk(target) else {
            disks.push(None);
            continue;
        };
        let items = if index == 0 { options.items } else { options.items.min(RIVAL_ITEMS) };
        let mut result = DurableResults::new(&target.name, command_line(&durable));
        if memory.is_none() {
            result.notes.push("not measured: the in-memory server did not start".into());
            results.push(result);
            disks.push(None);
            continue;
        }
        let mut startup = Startup { items, ..Startup::default() };
        startup.empty_ms = empty_startup(&durable, index, if target.heavy { 1 } else { 5 }).await;
        result.startup = Some(startup);
        let disk = match DataDir::new(&index.to_string()) {
            Ok(data) => {
                let target = in_dir(&durable, &data.0);
                match servers::start(&target).await {
                    Ok((server, _)) => Some(OnDisk { target, data, server: Some(server), items }),
                    Err(e) => {
                        result.notes.push(format!("not started on disk: {e}"));
                        None
                    }
                }
            }
            Err(e) => {
                result.notes.push(e);
                None
            }
        };
        if let Some(server) = disk.as_ref().and_then(|d| d.server.as_ref()) {
            result.load =
                run::prepare_table(server.endpoint(), MAIN_TABLE, items).await.unwrap_or_else(Outcome::Failed);
            log(format!("{}: loaded {items} items on disk: {}", target.name, run::brief(&result.load)));
        }
        disks.push(disk);
        results.push(result);
    }
    let by_name = |results: &mut Vec<DurableResults>, name: &str| results.iter_mut().position(|r| r.name == name);

    // The write operations, in memory then on disk, target after target.
    for op in WriteOp::ALL {
        for connections in CONNECTIONS {
            for ((target, memory), disk) in targets.iter().zip(running).zip(&disks) {
                let (Some(memory), Some(disk)) = (memory, disk) else { continue };
                let Some(durable) = disk.server.as_ref() else { continue };
                let Some(at) = by_name(&mut results, &target.name) else { continue };
                run::wait_until_quiet(running).await;
                let in_memory =
                    measure(memory.endpoint(), op, options.items, connections, warmup, options.seconds).await;
                run::wait_until_quiet(running).await;
                let on_disk = measure(durable.endpoint(), op, disk.items, connections, warmup, options.seconds).await;
                log(format!(
                    "{}: {} {connections} conn: in memory {}; on disk {}",
                    target.name,
                    op.label(),
                    run::brief(&in_memory),
                    run::brief(&on_disk)
                ));
                results[at].ops.push(DurableOp { op: op.label(), connections, in_memory, durable: on_disk });
            }
        }
    }

    // Our journal's compaction, provoked from outside.
    for (target, disk) in targets.iter().zip(&disks) {
        let (Some(disk), true) = (disk, target.name == "emulator") else { continue };
        let Some(server) = disk.server.as_ref() else { continue };
        let Some(at) = by_name(&mut results, &target.name) else { continue };
        run::wait_until_quiet(running).await;
        let limit = if options.quick { Duration::from_secs(30) } else { Duration::from_secs(90) };
        let compaction = compaction(server.endpoint(), &disk.data.0, disk.items, limit).await;
        log(format!("{}: compaction: {compaction:?}", target.name));
        results[at].compaction = Some(compaction);
    }

    // Start-up with the data on disk: stopped, started as left, then again.
    for (target, disk) in targets.iter().zip(disks.iter_mut()) {
        let Some(disk) = disk else { continue };
        let Some(at) = by_name(&mut results, &target.name) else { continue };
        if disk.server.is_none() {
            continue;
        }
        run::wait_until_quiet(running).await;
        let startup = loaded_startup(disk, if target.heavy { 1 } else { 5 }).await;
        let result = &mut results[at];
        let empty_ms = result.startup.as_ref().and_then(|s| s.empty_ms);
        let startup = Startup { empty_ms, ..startup };
        log(format!("{}: start-up on disk: {startup:?}", target.name));
        result.startup = Some(startup);
    }
    results
}

async fn measure(
    server: Endpoint,
    op: WriteOp,
    items: usize,
    connections: usize,
    warmup: Duration,
    seconds: Duration,
) -> Outcome {
    if let Err(outcome) = load::probe(server, op.operation(), op.body(MAIN_TABLE, items, 7), |_| Ok(())).await {
        return outcome;
    }
    let mut random = Random::new(items as u64 + 3);
    let pool: Vec<bytes::Bytes> = (0..2_000).map(|_| op.body(MAIN_TABLE, items, random.next())).collect();
    let make: RequestMaker =
        Arc::new(move |random| (op.operation(), pool[(random % pool.len() as u64) as usize].clone()));
    load::closed_loop(server, connections, warmup, seconds, make).await
}

/// Median start-up of `durable` on fresh empty directories.
async fn empty_startup(durable: &Target, index: usize, runs: usize) -> Option<f64> {
    let mut took = Vec::new();
    for run in 0..runs {
        let data = DataDir::new(&format!("{index}-empty-{run}")).ok()?;
        if let Ok((server, Some(t))) = servers::start(&in_dir(durable, &data.0)).await {
            took.push(t);
            drop(server);
        }
    }
    stats::median(&took).map(|d| d.as_secs_f64() * 1e3)
}

/// Stops the server on disk, starts it on the directory as left (`first_ms`),
/// then `runs` more times (`loaded_ms`, median), counting its items at the end.
async fn loaded_startup(disk: &mut OnDisk, runs: usize) -> Startup {
    let mut startup = Startup { items: disk.items, ..Startup::default() };
    disk.server = None;
    let mut took = Vec::new();
    for run in 0..=runs {
        match servers::start(&disk.target).await {
            Ok((server, Some(t))) => {
                if run == 0 {
                    startup.first_ms = Some(t.as_secs_f64() * 1e3);
                } else {
                    took.push(t);
                }
                disk.server = Some(server);
            }
            Ok(_) | Err(_) => break,
        }
        if run < runs {
            disk.server = None;
        }
    }
    startup.loaded_ms = stats::median(&took).map(|d| d.as_secs_f64() * 1e3);
    startup.disk_bytes = directory_bytes(&disk.data.0);
    if let Some(server) = &disk.server {
        startup.items_found = count_items(server.endpoint()).await.ok();
    }
    startup
}

/// Items in the main table, by a counting Scan.
async fn count_items(server: Endpoint) -> Result<u64, String> {
    let mut connection = Connection::open(server.address).await?;
    let mut count = 0;
    let mut start: Option<Value> = None;
    for _ in 0..100_000 {
        let mut request = json!({"TableName": MAIN_TABLE, "Select": "COUNT"});
        if let Some(key) = start.take() {
            request["ExclusiveStartKey"] = key;
        }
        let reply = load::must(&mut connection, "Scan", workload::to_bytes(&request)).await?;
        count += reply.get("Count").and_then(Value::as_u64).unwrap_or(0);
        match reply.get("LastEvaluatedKey") {
            Some(key) => start = Some(key.clone()),
            None => return Ok(count),
        }
    }
    Err("Scan did not finish".into())
}

/// What the watcher saw of the journal.
#[derive(Default)]
struct Seen {
    compacting_from: Option<Instant>,
    replaced_at: Option<Instant>,
    bytes_before: Option<u64>,
    bytes_after: Option<u64>,
}

/// Sends BatchWriteItem on 16 connections until the journal is replaced
/// (a compaction) or `limit` passes, recording each request's span.
async fn compaction(server: Endpoint, dir: &Path, items: usize, limit: Duration) -> Compaction {
    use std::os::unix::fs::MetadataExt;
    let stop = Arc::new(AtomicBool::new(false));
    let journal = dir.join(JOURNAL_FILE);
    let side = dir.join(COMPACTING_FILE);
    let watcher = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut seen = Seen::default();
            let inode = std::fs::metadata(&journal).ok().map(|m| m.ino());
            let deadline = Instant::now() + limit;
            while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                if seen.compacting_from.is_none() && side.exists() {
                    seen.compacting_from = Some(Instant::now());
                }
                match std::fs::metadata(&journal) {
                    Ok(meta) if Some(meta.ino()) != inode => {
                        seen.replaced_at = Some(Instant::now());
                        seen.bytes_after = Some(meta.len());
                        break;
                    }
                    Ok(meta) => seen.bytes_before = Some(meta.len()),
                    Err(_) => {}
                }
                std::thread::sleep(Duration::from_micros(200));
            }
            stop.store(true, Ordering::Relaxed);
            seen
        })
    };
    let began = Instant::now();
    let mut tasks = Vec::new();
    for n in 0..16u64 {
        let stop = Arc::clone(&stop);
        tasks.push(tokio::spawn(async move {
            let mut spans: Vec<(Instant, Duration)> = Vec::new();
            let Ok(mut connection) = Connection::open(server.address).await else { return spans };
            let mut random = Random::new(n + 101);
            while !stop.load(Ordering::Relaxed) {
                let body = WriteOp::BatchWriteItem.body(MAIN_TABLE, items, random.next());
                let sent = Instant::now();
                match connection.call("BatchWriteItem", body).await {
                    Ok(reply) if reply.status == 200 => spans.push((sent, sent.elapsed())),
                    _ => break,
                }
            }
            spans
        }));
    }
    let mut spans = Vec::new();
    for task in tasks {
        spans.extend(task.await.unwrap_or_default());
    }
    stop.store(true, Ordering::Relaxed);
    let seen = tokio::task::spawn_blocking(move || watcher.join().unwrap_or_default()).await.unwrap_or_default();
    let mut samples: Vec<u64> = spans.iter().map(|(_, d)| d.as_nanos() as u64).collect();
    let latency = stats::summarise(&mut samples);
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let during = match (seen.compacting_from, seen.replaced_at) {
        (Some(from), Some(to)) => {
            spans.iter().filter(|(sent, d)| *sent <= to && *sent + *d >= from).map(|(_, d)| *d).max()
        }
        _ => None,
    };
    Compaction {
        calls: spans.len() as u64,
        seconds: began.elapsed().as_secs_f64(),
        observed: seen.replaced_at.is_some(),
        duration_ms: seen
            .compacting_from
            .zip(seen.replaced_at)
            .map(|(from, to)| ms(to.saturating_duration_since(from))),
        longest_ms: spans.iter().map(|(_, d)| *d).max().map_or(0.0, ms),
        longest_during_ms: during.map(ms),
        p50_us: latency.map_or(0.0, |l| l.p50_us),
        p99_us: latency.map_or(0.0, |l| l.p99_us),
        journal_bytes_before: seen.bytes_before,
        journal_bytes_after: seen.bytes_after,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(name: &str, args: &[&str]) -> Target {
        Target {
            name: name.into(),
            launch: Launch::Command {
                program: "x".into(),
                args: args.iter().map(|a| a.to_string()).collect(),
                dir: None,
            },
            heavy: false,
        }
    }

    fn args(target: &Target) -> Vec<String> {
        match &target.launch {
            Launch::Command { args, .. } => args.clone(),
            Launch::Url(_) => Vec::new(),
        }
    }

    #[test]
    fn each_rival_on_disk() {
        let data = Path::new("/d");
        let ours = in_dir(&on_disk(&command("emulator", &["--port", "1"])).expect("ours"), data);
        assert_eq!(args(&ours), ["--port", "1", "--db-path", "/d"]);
        let local = on_disk(&command(dynamodb_local::NAME, &["-jar", "x.jar", "-inMemory", "-port", "1"]));
        assert_eq!(args(&in_dir(&local.expect("local"), data)), ["-jar", "x.jar", "-dbPath", "/d", "-port", "1"]);
        let oxide = on_disk(&command(dynoxide::NAME, &["serve", "--port", "1"])).expect("dynoxide");
        assert_eq!(args(&in_dir(&oxide, data)), ["serve", "--port", "1", "--db-path", "/d/dynoxide.db"]);
        assert!(on_disk(&command("other", &[])).is_none());
    }

    #[test]
    fn write_requests_touch_distinct_existing_items() {
        let body = |op: WriteOp| serde_json::from_slice::<Value>(&op.body("t", 100, 99)).expect("json");
        let batch = body(WriteOp::BatchWriteItem);
        let puts = batch["RequestItems"]["t"].as_array().expect("puts");
        let keys: std::collections::HashSet<String> = puts
            .iter()
            .map(|p| p["PutRequest"]["Item"]["sk"].to_string() + &p["PutRequest"]["Item"]["pk"].to_string())
            .collect();
        assert_eq!((puts.len(), keys.len()), (workload::BATCH_SIZE, workload::BATCH_SIZE));
        let transaction = body(WriteOp::TransactWriteItems);
        assert_eq!(transaction["TransactItems"].as_array().map(Vec::len), Some(TRANSACT_ITEMS));
        assert_eq!(transaction["TransactItems"][0]["Put"]["TableName"], "t");
    }

    #[test]
    fn replay_speed_is_beyond_an_empty_start() {
        let startup = Startup {
            items: 100_000,
            empty_ms: Some(3.0),
            loaded_ms: Some(53.0),
            disk_bytes: Some(25_000_000),
            ..Startup::default()
        };
        assert_eq!(startup.replay_items_per_second(), Some(2_000_000.0));
        assert_eq!(startup.disk_bytes_per_item(), Some(250.0));
        assert_eq!(Startup { loaded_ms: Some(2.0), ..startup }.replay_items_per_second(), None);
    }
}
