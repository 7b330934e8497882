//! The streams phase's two halves that are not plain closed loops: creating
//! and loading a table with a stream, and reading every record of its
//! stream back through the Streams API.

use crate::client::Connection;
use crate::load::{self, CpuWindow, Outcome};
use crate::results::{StreamRead, StreamsResults};
use crate::servers::Endpoint;
use crate::stats;
use crate::workload;
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::Value;
use std::time::{Duration, Instant};

/// The streamed table: the main table's shape and items, plus a stream.
pub const STREAM_TABLE: &str = "bench_streamed";
/// Records asked for per GetRecords call (the API's maximum).
const PAGE: usize = 1000;
const LOAD_CONNECTIONS: usize = 16;

/// Creates the streamed table, waits for its stream to be ENABLED and loads
/// `items` items into it. Returns the phase's results so far and the
/// stream's ARN (`None` when the target has no streams or the load failed).
pub async fn prepare(server: Endpoint, items: usize) -> (StreamsResults, Option<String>) {
    let mut phase = StreamsResults::new(STREAM_TABLE, workload::STREAM_VIEW_TYPE, items);
    match create(server).await {
        Ok(arn) => {
            phase.load = load::batch_load(server, STREAM_TABLE, items, LOAD_CONNECTIONS).await;
            if let Outcome::NotImplemented(_) = phase.load {
                if let Err(e) = load::put_load(server, STREAM_TABLE, items, LOAD_CONNECTIONS).await {
                    phase.load = Outcome::Failed(e);
                }
            }
            match phase.load {
                Outcome::Failed(_) => (phase, None),
                _ => (phase, Some(arn)),
            }
        }
        Err(outcome) => {
            phase.load = outcome.clone();
            phase.read = outcome.clone();
            phase.put_without_stream = outcome.clone();
            phase.put_with_stream = outcome;
            (phase, None)
        }
    }
}

/// CreateTable with the stream; the ARN from its answer (else from ListStreams).
async fn create(server: Endpoint) -> Result<String, Outcome> {
    let mut connection = Connection::open(server.address).await.map_err(Outcome::Failed)?;
    let created = load::must(&mut connection, "CreateTable", workload::create_streamed_table(STREAM_TABLE))
        .await
        .map_err(Outcome::Failed)?;
    let arn = match created.pointer("/TableDescription/LatestStreamArn").and_then(Value::as_str) {
        Some(arn) => arn.to_string(),
        None => {
            let listed = streams_call(
                &mut connection,
                "ListStreams",
                workload::to_bytes(&serde_json::json!({"TableName": STREAM_TABLE})),
            )
            .await?;
            listed.pointer("/Streams/0/StreamArn").and_then(Value::as_str).map(str::to_string).ok_or_else(|| {
                Outcome::NotImplemented("no stream: CreateTable's answer has no LatestStreamArn".into())
            })?
        }
    };
    // A stream may be ENABLING for a moment; records written before it is ENABLED could be lost.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let described = streams_call(&mut connection, "DescribeStream", workload::describe_stream(&arn, None)).await?;
        match described.pointer("/StreamDescription/StreamStatus").and_then(Value::as_str) {
            Some("ENABLED") => return Ok(arn),
            status if Instant::now() > deadline => {
                return Err(Outcome::Failed(format!("stream still {status:?} after 30 s")))
            }
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// One Streams API call that must succeed; "not implemented" told apart.
async fn streams_call(connection: &mut Connection, operation: &str, body: bytes::Bytes) -> Result<Value, Outcome> {
    let reply = connection.call_streams(operation, body).await.map_err(Outcome::Failed)?;
    if reply.status == 200 {
        return Ok(reply.json().unwrap_or(Value::Null));
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

/// A GetRecords answer, read only as far as the reader needs.
#[derive(Deserialize)]
struct Page {
    #[serde(rename = "Records", default)]
    records: Vec<IgnoredAny>,
    #[serde(rename = "NextShardIterator")]
    next: Option<String>,
}

/// Reads the whole stream back, one client on a single-threaded runtime of
/// its own (as the other one-connection phases): `warmup` of unrecorded
/// reading, then whole passes until `seconds` have gone (at least one).
pub async fn read_back(
    server: Endpoint,
    arn: String,
    expected: usize,
    warmup: Duration,
    seconds: Duration,
) -> (Outcome, Option<StreamRead>) {
    load::on_own_thread(move || read_back_here(server, arn, expected, warmup, seconds))
        .await
        .unwrap_or_else(|e| (Outcome::Failed(e), None))
}

async fn read_back_here(
    server: Endpoint,
    arn: String,
    expected: usize,
    warmup: Duration,
    seconds: Duration,
) -> (Outcome, Option<StreamRead>) {
    let mut connection = match Connection::open(server.address).await {
        Ok(connection) => connection,
        Err(e) => return (Outcome::Failed(e), None),
    };
    if let Err(outcome) = check_first_record(&mut connection, &arn).await {
        return (outcome, None);
    }
    let mut samples = Vec::new();
    if !warmup.is_zero() {
        if let Err(outcome) = read_pass(&mut connection, &arn, Some(Instant::now() + warmup), &mut samples).await {
            return (outcome, None);
        }
    }
    samples.clear();
    let window = CpuWindow::open(server);
    let began = Instant::now();
    let (mut records, mut passes, mut shards, mut per_pass) = (0u64, 0usize, 0usize, 0u64);
    while passes == 0 || began.elapsed() < seconds {
        match read_pass(&mut connection, &arn, None, &mut samples).await {
            Ok((shard_count, read)) => {
                if passes > 0 && read != per_pass {
                    let message = format!("pass {passes} read {read} records, the first {per_pass}");
                    return (Outcome::Failed(message), None);
                }
                (shards, per_pass) = (shard_count, read);
                records += read;
                passes += 1;
            }
            Err(outcome) => return (outcome, None),
        }
    }
    let calls = samples.len() as u64;
    let latency = stats::summarise(&mut samples);
    let measured = window.close(server, records, latency, 0);
    let detail = StreamRead { shards, records_per_pass: per_pass, passes, get_records_calls: calls };
    if per_pass != expected as u64 {
        let message = format!("read {per_pass} records in a pass, {expected} were written");
        return (Outcome::Failed(message), Some(detail));
    }
    (Outcome::Measured(measured), Some(detail))
}

/// The first record must be an INSERT carrying its new image: the stream is the one the phase claims.
async fn check_first_record(connection: &mut Connection, arn: &str) -> Result<(), Outcome> {
    let described = streams_call(connection, "DescribeStream", workload::describe_stream(arn, None)).await?;
    let view_type = described.pointer("/StreamDescription/StreamViewType").and_then(Value::as_str);
    if view_type != Some(workload::STREAM_VIEW_TYPE) {
        return Err(Outcome::Failed(format!("DescribeStream: StreamViewType {view_type:?}")));
    }
    let shard = described
        .pointer("/StreamDescription/Shards/0/ShardId")
        .and_then(Value::as_str)
        .ok_or_else(|| Outcome::Failed("DescribeStream: no shards".into()))?;
    let iterator = streams_call(connection, "GetShardIterator", workload::shard_iterator(arn, shard)).await?;
    let iterator = iterator["ShardIterator"].as_str().unwrap_or_default();
    let page = streams_call(connection, "GetRecords", workload::get_records(iterator, 1)).await?;
    let record = &page["Records"][0];
    match (record["eventName"].as_str(), record.pointer("/dynamodb/NewImage/pk")) {
        (Some("INSERT"), Some(_)) => Ok(()),
        _ => Err(Outcome::Failed(format!(
            "GetRecords: the first record is not an INSERT with its new image: {}",
            record.to_string().chars().take(300).collect::<String>()
        ))),
    }
}

/// One pass over every shard from TRIM_HORIZON (stopping early at `stop_at`):
/// the shard count and the records read. Each GetRecords call's duration goes to `samples`.
async fn read_pass(
    connection: &mut Connection,
    arn: &str,
    stop_at: Option<Instant>,
    samples: &mut Vec<u64>,
) -> Result<(usize, u64), Outcome> {
    let shards = shard_ids(connection, arn).await?;
    let mut records = 0u64;
    for shard in &shards {
        let answer = streams_call(connection, "GetShardIterator", workload::shard_iterator(arn, shard)).await?;
        let mut iterator = answer["ShardIterator"].as_str().map(str::to_string);
        while let Some(current) = iterator {
            if stop_at.is_some_and(|stop| Instant::now() >= stop) {
                return Ok((shards.len(), records));
            }
            let sent = Instant::now();
            let reply = connection.call_streams("GetRecords", workload::get_records(&current, PAGE)).await;
            let reply = reply.map_err(Outcome::Failed)?;
            samples.push(sent.elapsed().as_nanos() as u64);
            if reply.status != 200 {
                return Err(Outcome::Failed(format!(
                    "GetRecords answered {}: {}",
                    reply.status,
                    String::from_utf8_lossy(&reply.body).chars().take(300).collect::<String>()
                )));
            }
            let page: Page =
                serde_json::from_slice(&reply.body).map_err(|e| Outcome::Failed(format!("GetRecords: {e}")))?;
            records += page.records.len() as u64;
            iterator = if page.records.is_empty() { None } else { page.next };
        }
    }
    Ok((shards.len(), records))
}

/// Every shard of the stream, following DescribeStream's pages.
async fn shard_ids(connection: &mut Connection, arn: &str) -> Result<Vec<String>, Outcome> {
    let (mut shards, mut after): (Vec<String>, Option<String>) = (Vec::new(), None);
    loop {
        let request = workload::describe_stream(arn, after.as_deref());
        let described = streams_call(connection, "DescribeStream", request).await?;
        let description = &described["StreamDescription"];
        let page = description["Shards"].as_array().into_iter().flatten();
        shards.extend(page.filter_map(|s| s["ShardId"].as_str()).map(str::to_string));
        after = description.get("LastEvaluatedShardId").and_then(Value::as_str).map(str::to_string);
        if after.is_none() {
            return Ok(shards);
        }
    }
}

/// Deletes the streamed table (its records go with it), best effort.
pub async fn drop_table(server: Endpoint) {
    if let Ok(mut connection) = Connection::open(server.address).await {
        let _ = load::must(&mut connection, "DeleteTable", workload::table_only(STREAM_TABLE)).await;
    }
}
