//! The fixture phase: a test suite whose every test has its own seeded
//! table and makes 20 SDK calls (gets, queries, puts, an update, a
//! conditional write, a delete), run as `cargo test` runs one: a few test
//! threads, each test on a single-threaded tokio runtime of its own (as
//! `#[tokio::test]` gives it). The same suite three ways, total wall time each:
//! - a fixture seeded once (`harness::Fixture`), forked by every test, in
//!   process (`Fixture::embedded`) and served over HTTP (`Fixture::start`);
//! - `harness::start()` per test, seeded per test (`create_tables` + `seed`);
//! - one shared DynamoDB Local, a table per test: CreateTable, BatchWriteItem,
//!   the 20 calls through the SDK, DeleteTable.

use crate::client::Connection;
use crate::embedded::sdk_map;
use crate::load;
use crate::options::Options;
use crate::report::{number, Table};
use crate::servers::{self, Target};
use crate::stats;
use crate::workload;
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use serde::Serialize;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TABLE: &str = "fixture";
/// Items in each test's table.
const ITEMS: usize = 1_000;
/// Calls each test makes after its fixture is ready.
pub const CALLS_PER_TEST: usize = 20;

#[derive(Debug, Default, Serialize)]
pub struct FixtureResults {
    pub tests: usize,
    pub items: usize,
    /// Test threads (cargo test's default: one per core).
    pub threads: usize,
    /// Seeding the shared fixture once (create table, seed, snapshot), in milliseconds.
    pub fixture_seed_ms: Option<f64>,
    pub suites: Vec<Suite>,
}

#[derive(Debug, Serialize)]
pub struct Suite {
    pub name: String,
    /// The whole suite's wall time (`None`: not run; see `note`).
    pub wall_seconds: Option<f64>,
    pub test_median_ms: Option<f64>,
    pub test_p90_ms: Option<f64>,
    pub failed_tests: usize,
    pub note: Option<String>,
}

pub async fn run(options: &Options, ddb_local: Option<&Target>) -> FixtureResults {
    let tests = if options.quick { 100 } else { 1_000 };
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let mut results = FixtureResults { tests, items: ITEMS, threads, ..FixtureResults::default() };
    let log = |suite: &Suite| eprintln!("[bench] fixtures: {}: {:?} s", suite.name, suite.wall_seconds);

    let began = Instant::now();
    let table = String::from_utf8_lossy(&workload::create_table(TABLE)).into_owned();
    let items: Vec<serde_json::Value> = (0..ITEMS).map(|i| workload::item(i, ITEMS)).collect();
    let seed = Arc::new((table, serde_json::Value::Array(items).to_string()));
    let fixture = {
        let seed = Arc::clone(&seed);
        Arc::new(harness::Fixture::new(move |db| {
            db.create_tables(&seed.0).expect("the bench table");
            db.seed(TABLE, &seed.1).expect("the bench items");
        }))
    };
    results.fixture_seed_ms = Some(began.elapsed().as_secs_f64() * 1e3);

    let forks = Arc::clone(&fixture);
    let suite = blocking("fork of a seeded fixture (Fixture::embedded)", tests, threads, move |n| {
        let db = forks.embedded();
        async move { twenty_calls(&db.client(), n).await }
    })
    .await;
    log(&suite);
    results.suites.push(suite);

    let served = Arc::clone(&fixture);
    let suite = blocking("fork served over HTTP (Fixture::start)", tests, threads, move |n| {
        let served = Arc::clone(&served);
        async move {
            let db = served.start().await;
            twenty_calls(&db.client(), n).await
        }
    })
    .await;
    log(&suite);
    results.suites.push(suite);

    let started = Arc::clone(&seed);
    let suite = blocking("harness::start() + create_tables + seed per test", tests, threads, move |n| {
        let seed = Arc::clone(&started);
        async move {
            let db = harness::start().await;
            db.create_tables(&seed.0).map_err(|e| e.0)?;
            db.seed(TABLE, &seed.1).map_err(|e| e.0)?;
            twenty_calls(&db.client(), n).await
        }
    })
    .await;
    log(&suite);
    results.suites.push(suite);

    let name = "shared DynamoDB Local, a table per test (create, BatchWriteItem, calls, delete)";
    let suite = match ddb_local {
        None => Suite::skipped(name, "DynamoDB Local not measured".into()),
        Some(target) => match servers::start(target).await {
            Err(e) => Suite::skipped(name, format!("could not start DynamoDB Local: {e}")),
            Ok((server, _)) => {
                let address = server.address;
                let suite = blocking(name, tests, threads, move |n| table_per_test(address, n)).await;
                drop(server);
                suite
            }
        },
    };
    log(&suite);
    results.suites.push(suite);
    results
}

/// One test against a shared server: its own table, created, seeded, used and deleted.
async fn table_per_test(address: std::net::SocketAddr, n: usize) -> Result<(), String> {
    let table = format!("fixture_{n}");
    let mut connection = Connection::open(address).await?;
    load::must(&mut connection, "CreateTable", workload::create_table(&table)).await?;
    for start in (0..ITEMS).step_by(workload::BATCH_SIZE) {
        let end = (start + workload::BATCH_SIZE).min(ITEMS);
        load::must(&mut connection, "BatchWriteItem", workload::batch_write(&table, start..end, ITEMS)).await?;
    }
    let client = harness::client_for(&format!("http://{address}"));
    let calls = calls_on(&client, &table, n).await;
    load::must(&mut connection, "DeleteTable", workload::table_only(&table)).await?;
    calls
}

async fn twenty_calls(client: &Client, n: usize) -> Result<(), String> {
    calls_on(client, TABLE, n).await
}

/// The test's 20 calls on a table holding the bench's `ITEMS` items: 8
/// GetItem, 3 Query on the table and 2 on the GSI (10 items each), 4 PutItem
/// of new items, an UpdateItem with a condition, a PutItem refused by its
/// condition (the key exists), a DeleteItem.
async fn calls_on(client: &Client, table: &str, n: usize) -> Result<(), String> {
    let failed = |call: &str, e: &dyn ProvideErrorMetadata| format!("{call}: {}", e.message().unwrap_or("failed"));
    let at = |k: usize| (n * 37 + k * 101) % ITEMS;
    for k in 0..8 {
        let key = sdk_map(&workload::key(at(k)));
        let got = client.get_item().table_name(table).set_key(Some(key)).send().await;
        match got {
            Ok(o) if o.item().is_some() => {}
            Ok(_) => return Err("GetItem found no item".into()),
            Err(e) => return Err(failed("GetItem", &e)),
        }
    }
    for k in 0..5 {
        let (name, value) = if k < 3 {
            ("pk", workload::partition_key(at(k)))
        } else {
            ("gpk", workload::index_partition_key(at(k), ITEMS))
        };
        let query = client.query().table_name(table);
        let query = if k < 3 { query } else { query.index_name(workload::INDEX_NAME) };
        let out = query
            .key_condition_expression(format!("{name} = :v"))
            .expression_attribute_values(":v", AttributeValue::S(value))
            .send()
            .await
            .map_err(|e| failed("Query", &e))?;
        if out.count() != 10 {
            return Err(format!("Query returned {} items, expected 10", out.count()));
        }
    }
    for k in 0..4 {
        let mut item = sdk_map(&workload::item(at(k), ITEMS));
        item.insert("pk".into(), AttributeValue::S(format!("test{n}")));
        item.insert("sk".into(), AttributeValue::S(format!("s{k}")));
        client.put_item().table_name(table).set_item(Some(item)).send().await.map_err(|e| failed("PutItem", &e))?;
    }
    client
        .update_item()
        .table_name(table)
        .set_key(Some(sdk_map(&workload::key(at(8)))))
        .update_expression("SET c = c + :one")
        .condition_expression("attribute_exists(pk)")
        .expression_attribute_values(":one", AttributeValue::N("1".into()))
        .send()
        .await
        .map_err(|e| failed("UpdateItem", &e))?;
    let duplicate = client
        .put_item()
        .table_name(table)
        .set_item(Some(sdk_map(&workload::item(at(9), ITEMS))))
        .condition_expression("attribute_not_exists(pk)")
        .send()
        .await;
    match duplicate {
        Err(e) if e.code() == Some("ConditionalCheckFailedException") => {}
        Err(e) => return Err(failed("conditional PutItem", &e)),
        Ok(_) => return Err("a conditional PutItem over an existing item succeeded".into()),
    }
    let key = sdk_map(&workload::key(at(10)));
    client.delete_item().table_name(table).set_key(Some(key)).send().await.map_err(|e| failed("DeleteItem", &e))?;
    Ok(())
}

impl Suite {
    fn skipped(name: &str, note: String) -> Suite {
        Suite {
            name: name.into(),
            wall_seconds: None,
            test_median_ms: None,
            test_p90_ms: None,
            failed_tests: 0,
            note: Some(note),
        }
    }
}

/// [`suite`] on a blocking thread, so the bench's runtime goes on.
async fn blocking<F, Fut>(name: &'static str, tests: usize, threads: usize, test: F) -> Suite
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>>,
{
    tokio::task::spawn_blocking(move || suite(name, tests, threads, test))
        .await
        .unwrap_or_else(|e| Suite::skipped(name, format!("the suite panicked: {e}")))
}

/// Runs tests `0..tests` on `threads` threads as cargo test does: each test
/// on a new single-threaded runtime, the next test to the first free thread.
fn suite<F, Fut>(name: &str, tests: usize, threads: usize, test: F) -> Suite
where
    F: Fn(usize) -> Fut + Send + Sync,
    Fut: Future<Output = Result<(), String>>,
{
    let next = AtomicUsize::new(0);
    let durations = Mutex::new(Vec::with_capacity(tests));
    let errors = Mutex::new(Vec::new());
    let began = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= tests {
                    break;
                }
                let started = Instant::now();
                let outcome = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| e.to_string())
                    .and_then(|runtime| runtime.block_on(test(n)));
                let took = started.elapsed();
                durations.lock().unwrap_or_else(|e| e.into_inner()).push(took);
                if let Err(e) = outcome {
                    errors.lock().unwrap_or_else(|e| e.into_inner()).push(e);
                }
            });
        }
    });
    let wall = began.elapsed();
    let mut durations = durations.into_inner().unwrap_or_default();
    durations.sort();
    let errors = errors.into_inner().unwrap_or_default();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    Suite {
        name: name.into(),
        wall_seconds: Some(wall.as_secs_f64()),
        test_median_ms: stats::median(&durations).map(ms),
        test_p90_ms: durations.get(durations.len() * 9 / 10).copied().map(ms),
        failed_tests: errors.len(),
        note: errors.first().map(|e| format!("first failure: {}", e.chars().take(200).collect::<String>())),
    }
}

/// The phase's table: each suite's wall time, per-test time and the ratio
/// of its wall time to the first suite's (the fork).
pub fn table(results: &FixtureResults) -> Table {
    let base = results.suites.first().and_then(|s| s.wall_seconds);
    let rows = results
        .suites
        .iter()
        .map(|s| {
            let ratio = match (s.wall_seconds, base) {
                (Some(wall), Some(base)) if base > 0.0 => format!("{:.1}×", wall / base),
                _ => "–".into(),
            };
            vec![
                s.name.clone(),
                s.wall_seconds.map_or("–".into(), |w| format!("{w:.2} s")),
                ratio,
                s.test_median_ms.map_or("–".into(), |m| format!("{m:.2}")),
                s.test_p90_ms.map_or("–".into(), |m| format!("{m:.2}")),
                format!("{}{}", s.failed_tests, s.note.as_ref().map_or(String::new(), |n| format!(" ({n})"))),
            ]
        })
        .collect();
    let title = format!(
        "Fixtures: {} tests, each with its own {}-item table and {CALLS_PER_TEST} SDK calls, on {} test threads \
         (the shared fixture seeded once in {} ms)",
        number(results.tests as f64),
        number(results.items as f64),
        results.threads,
        results.fixture_seed_ms.map_or("–".into(), number),
    );
    let header = ["suite", "wall time", "× the fork's", "test p50 ms", "test p90 ms", "failed tests"];
    Table { title, header: header.map(String::from).to_vec(), rows }
}

/// `--fixtures-only`: this phase alone, its table printed.
pub fn run_alone(options: &Options, targets: &[Target]) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    let ddb_local = targets.iter().find(|t| t.name == crate::dynamodb_local::NAME);
    let results = runtime.block_on(run(options, ddb_local));
    println!("{}", table(&results).text());
    Ok(())
}
