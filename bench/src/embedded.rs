//! In-process mode: the real SDK client against an embedded emulator
//! (`harness::embedded`, no socket), and the cost of creating one.

use crate::load::{Measured, Outcome};
use crate::options::Options;
use crate::procstat;
use crate::results::{InProcess, OpResult};
use crate::run::CONNECTIONS;
use crate::stats;
use crate::workload::{self, Op, Random};
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use bytes::Bytes;
use emulator::State;
use serde_json::Value;
use std::collections::HashMap;
use std::time::{Duration, Instant};

const TABLE: &str = "bench_in_process";

pub async fn run(options: &Options, warmup: Duration) -> InProcess {
    let mut section = InProcess::default();
    let creations = if options.quick { 200 } else { 2_000 };
    let mut durations = Vec::with_capacity(creations);
    for _ in 0..creations {
        let began = Instant::now();
        let db = harness::embedded();
        durations.push(began.elapsed());
        drop(db);
    }
    section.create_median_us = stats::median(&durations).map(|d| d.as_secs_f64() * 1e6);
    let cycles = if options.quick { 50 } else { 500 };
    match fixture_cycles(Fresh::Embedded, cycles).await {
        Ok(cycles) => section.fixture_cycle_median_us = stats::median(&cycles).map(|d| d.as_secs_f64() * 1e6),
        Err(e) => section.note = Some(format!("fixture cycle: {e}")),
    }
    match fixture_cycles(Fresh::Started, cycles).await {
        Ok(cycles) => section.started_fixture_cycle_median_us = stats::median(&cycles).map(|d| d.as_secs_f64() * 1e6),
        Err(e) => section.note = Some(format!("fixture cycle with harness::start: {e}")),
    }

    let db = harness::embedded();
    if let Err(e) = fill(db.state(), options.items) {
        section.note = Some(format!("could not fill the in-process table: {e}"));
        return section;
    }
    let client = db.client();
    for connections in CONNECTIONS {
        for op in Op::ALL {
            let outcome = measure(&client, op, options.items, connections, warmup, options.seconds).await;
            eprintln!("[bench] in-process: {} {connections} tasks: {}", op.label(), crate::run::brief(&outcome));
            section.ops.push(OpResult { op: op.label().into(), connections, outcome });
        }
    }
    section
}

/// How each fixture cycle gets its fresh emulator.
#[derive(Clone, Copy)]
enum Fresh {
    /// `harness::embedded()`: no socket.
    Embedded,
    /// `harness::start()`: a server on a loopback port, running on the test's own runtime.
    Started,
}

/// Per-test fixture cycles as a Rust test suite runs them with the harness:
/// each on a new emulator, every call through the real SDK client.
async fn fixture_cycles(fresh: Fresh, cycles: usize) -> Result<Vec<Duration>, String> {
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
        ScalarAttributeType,
    };
    let err = |e: aws_sdk_dynamodb::error::BuildError| e.to_string();
    let key = |name: &str, kind: KeyType| KeySchemaElement::builder().attribute_name(name).key_type(kind).build();
    let string =
        |name: &str| AttributeDefinition::builder().attribute_name(name).attribute_type(ScalarAttributeType::S).build();
    let gsi = GlobalSecondaryIndex::builder()
        .index_name(workload::INDEX_NAME)
        .key_schema(key("gpk", KeyType::Hash).map_err(err)?)
        .key_schema(key("gsk", KeyType::Range).map_err(err)?)
        .projection(Projection::builder().projection_type(ProjectionType::All).build())
        .build()
        .map_err(err)?;
    let mut durations = Vec::with_capacity(cycles);
    for _ in 0..cycles {
        let began = Instant::now();
        // Kept to the end of the cycle: dropping either stops its emulator.
        let (client, _embedded, _started) = match fresh {
            Fresh::Embedded => {
                let db = harness::embedded();
                (db.client(), Some(db), None)
            }
            Fresh::Started => {
                let db = harness::start().await;
                (db.client(), None, Some(db))
            }
        };
        client
            .create_table()
            .table_name("fixture")
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(string("pk").map_err(err)?)
            .attribute_definitions(string("sk").map_err(err)?)
            .attribute_definitions(string("gpk").map_err(err)?)
            .attribute_definitions(string("gsk").map_err(err)?)
            .key_schema(key("pk", KeyType::Hash).map_err(err)?)
            .key_schema(key("sk", KeyType::Range).map_err(err)?)
            .global_secondary_indexes(gsi.clone())
            .send()
            .await
            .map_err(|e| format!("CreateTable: {}", e.message().unwrap_or("failed")))?;
        for i in 0..10 {
            client
                .put_item()
                .table_name("fixture")
                .item("pk", AttributeValue::S(format!("p{i}")))
                .item("sk", AttributeValue::S("s".into()))
                .item("gpk", AttributeValue::S("g".into()))
                .item("gsk", AttributeValue::S(i.to_string()))
                .send()
                .await
                .map_err(|e| format!("PutItem: {}", e.message().unwrap_or("failed")))?;
        }
        client
            .delete_table()
            .table_name("fixture")
            .send()
            .await
            .map_err(|e| format!("DeleteTable: {}", e.message().unwrap_or("failed")))?;
        durations.push(began.elapsed());
    }
    Ok(durations)
}

/// Creates and fills the table straight through the protocol handler (the
/// load is not what this section measures).
fn fill(state: &State, items: usize) -> Result<(), String> {
    call(state, "CreateTable", workload::create_table(TABLE))?;
    let batch = workload::batch_write(TABLE, 0..workload::BATCH_SIZE.min(items), items);
    let batch_works = call(state, "BatchWriteItem", batch).is_ok();
    let mut start = 0;
    while start < items {
        if batch_works {
            let end = (start + workload::BATCH_SIZE).min(items);
            call(state, "BatchWriteItem", workload::batch_write(TABLE, start..end, items))?;
            start = end;
        } else {
            call(state, "PutItem", workload::put_item(TABLE, start, items))?;
            start += 1;
        }
    }
    Ok(())
}

fn call(state: &State, operation: &str, body: Bytes) -> Result<(), String> {
    let request = http::Request::post("/")
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amz-target", format!("DynamoDB_20120810.{operation}"))
        .body(body)
        .map_err(|e| e.to_string())?;
    let response = emulator::protocol::handle(state, request);
    if response.status() == 200 {
        Ok(())
    } else {
        Err(format!("{operation}: {}", String::from_utf8_lossy(response.body())))
    }
}

/// DynamoDB JSON (`{"name": {"S": ".."}}`, strings and numbers) → SDK values.
pub(crate) fn sdk_map(value: &Value) -> HashMap<String, AttributeValue> {
    let mut map = HashMap::new();
    for (name, typed) in value.as_object().into_iter().flatten() {
        if let Some(s) = typed.get("S").and_then(Value::as_str) {
            map.insert(name.clone(), AttributeValue::S(s.to_string()));
        } else if let Some(n) = typed.get("N").and_then(Value::as_str) {
            map.insert(name.clone(), AttributeValue::N(n.to_string()));
        }
    }
    map
}

/// One operation through the SDK, as in `Op::body`; Err carries the error code.
async fn send(client: &Client, op: Op, items: usize, random: u64) -> Result<(), (String, String)> {
    let i = (random % items as u64) as usize;
    let error = |e: &dyn ProvideErrorMetadata, text: String| (e.code().unwrap_or("").to_string(), text);
    match op {
        Op::GetItem => {
            let out = client.get_item().table_name(TABLE).set_key(Some(sdk_map(&workload::key(i)))).send().await;
            match out {
                Ok(o) if o.item().is_some() => Ok(()),
                Ok(_) => Err((String::new(), "GetItem found no item".into())),
                Err(e) => Err(error(&e, format!("{e:?}"))),
            }
        }
        Op::PutItem => {
            let out =
                client.put_item().table_name(TABLE).set_item(Some(sdk_map(&workload::item(i, items)))).send().await;
            out.map(|_| ()).map_err(|e| error(&e, format!("{e:?}")))
        }
        Op::UpdateItem => {
            let out = client
                .update_item()
                .table_name(TABLE)
                .set_key(Some(sdk_map(&workload::key(i))))
                .update_expression("SET #c = #c + :one")
                .condition_expression("attribute_exists(pk)")
                .expression_attribute_names("#c", "c")
                .expression_attribute_values(":one", AttributeValue::N("1".into()))
                .send()
                .await;
            out.map(|_| ()).map_err(|e| error(&e, format!("{e:?}")))
        }
        Op::QueryTable | Op::QueryIndex => {
            let query = client.query().table_name(TABLE);
            let query = if op == Op::QueryTable {
                query
                    .key_condition_expression("pk = :p")
                    .expression_attribute_values(":p", AttributeValue::S(workload::partition_key(i)))
            } else {
                query
                    .index_name(workload::INDEX_NAME)
                    .key_condition_expression("gpk = :g")
                    .expression_attribute_values(":g", AttributeValue::S(workload::index_partition_key(i, items)))
            };
            match query.send().await {
                Ok(o) if o.count() == 10 => Ok(()),
                Ok(o) => Err((String::new(), format!("Query returned {} items, expected 10", o.count()))),
                Err(e) => Err(error(&e, format!("{e:?}"))),
            }
        }
        Op::StatementQuery => {
            let out = client
                .execute_statement()
                .statement(format!("SELECT * FROM \"{TABLE}\" WHERE pk = ?"))
                .parameters(AttributeValue::S(workload::partition_key(i)))
                .send()
                .await;
            match out {
                Ok(o) if o.items().len() == 10 => Ok(()),
                Ok(o) => Err((String::new(), format!("SELECT returned {} items, expected 10", o.items().len()))),
                Err(e) => Err(error(&e, format!("{e:?}"))),
            }
        }
    }
}

async fn measure(client: &Client, op: Op, items: usize, tasks: usize, warmup: Duration, seconds: Duration) -> Outcome {
    match send(client, op, items, 7).await {
        Ok(()) => {}
        Err((code, _)) if code == "UnknownOperationException" => {
            return Outcome::NotImplemented(format!("{}: not implemented", op.operation()))
        }
        Err((_, text)) => return Outcome::Failed(text.chars().take(300).collect()),
    }
    let start = Instant::now();
    let record_from = start + warmup;
    let end = record_from + seconds;
    let mut handles = Vec::new();
    for n in 0..tasks {
        let client = client.clone();
        handles.push(tokio::spawn(async move {
            let mut random = Random::new(n as u64 + 1);
            let mut samples = Vec::new();
            let mut errors = 0u64;
            loop {
                let sent = Instant::now();
                if sent >= end {
                    break;
                }
                let ok = send(&client, op, items, random.next()).await.is_ok();
                if sent >= record_from {
                    if ok {
                        samples.push(sent.elapsed().as_nanos() as u64);
                    } else {
                        errors += 1;
                    }
                }
            }
            (samples, errors)
        }));
    }
    tokio::time::sleep_until(record_from.into()).await;
    let began = Instant::now();
    let cpu_before = procstat::own_cpu_time();
    let mut samples = Vec::new();
    let mut errors = 0;
    for handle in handles {
        match handle.await {
            Ok((s, e)) => {
                samples.extend(s);
                errors += e;
            }
            Err(e) => return Outcome::Failed(format!("task failed: {e}")),
        }
    }
    let elapsed = began.elapsed().as_secs_f64();
    let cpu = procstat::own_cpu_time().saturating_sub(cpu_before);
    let ops = samples.len() as u64;
    Outcome::Measured(Measured {
        ops,
        seconds: elapsed,
        ops_per_second: ops as f64 / elapsed,
        latency: stats::summarise(&mut samples),
        server_cpu_us_per_op: None,
        // Client and emulator share the process: this is the whole cost per operation.
        client_cpu_us_per_op: cpu.as_secs_f64() * 1e6 / ops.max(1) as f64,
        client_cpu_percent: cpu.as_secs_f64() / elapsed * 100.0,
        errors,
    })
}
