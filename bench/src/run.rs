//! The run: every phase, target after target, so the targets share the
//! machine's conditions phase by phase.

use crate::load::{self, Outcome, RequestMaker};
use crate::options::Options;
use crate::results::{InProcess, OpResult, PutRun, Results, ScalePoint, TargetResults};
use crate::servers::{self, Endpoint, Launch, Server, Target};
use crate::stats;
use crate::streams;
use crate::workload::{self, Op};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

pub const MAIN_TABLE: &str = "bench_main";
/// Connection counts of the operation phases.
pub const CONNECTIONS: [usize; 2] = [1, 16];
const LOAD_CONNECTIONS: usize = 16;
/// Distinct request bodies per operation phase (keys picked at random from the table).
const REQUEST_POOL: usize = 20_000;

struct Plan {
    startup_runs: usize,
    heavy_startup_runs: usize,
    fixture_cycles: usize,
    heavy_fixture_cycles: usize,
    warmup: Duration,
}

impl Plan {
    fn new(options: &Options) -> Plan {
        if options.quick {
            Plan {
                startup_runs: 5,
                heavy_startup_runs: 1,
                fixture_cycles: 50,
                heavy_fixture_cycles: 5,
                warmup: Duration::from_millis(200),
            }
        } else {
            Plan {
                startup_runs: 21,
                heavy_startup_runs: 3,
                fixture_cycles: 500,
                heavy_fixture_cycles: 30,
                warmup: Duration::from_secs(2),
            }
        }
    }
}

fn log(message: impl AsRef<str>) {
    eprintln!("[bench] {}", message.as_ref());
}

pub async fn run(options: &Options, targets: Vec<Target>, fixed: Target) -> Results {
    let plan = Plan::new(options);
    let mut results: Vec<TargetResults> = targets.iter().map(|t| TargetResults::new(&t.name)).collect();

    // Start-up: fresh processes, alternating targets.
    let rounds = plan.startup_runs.max(plan.heavy_startup_runs);
    for round in 0..rounds {
        for (target, result) in targets.iter().zip(results.iter_mut()) {
            let runs = if target.heavy { plan.heavy_startup_runs } else { plan.startup_runs };
            if round >= runs || matches!(target.launch, Launch::Url(_)) {
                continue;
            }
            match servers::start(target).await {
                Ok((_server, Some(took))) => result.startup_runs_ms.push(took.as_secs_f64() * 1e3),
                Ok((_, None)) => {}
                Err(e) => result.notes.push(format!("start-up: {e}")),
            }
        }
    }
    for result in &mut results {
        let runs: Vec<Duration> = result.startup_runs_ms.iter().map(|ms| Duration::from_secs_f64(ms / 1e3)).collect();
        result.startup_median_ms = stats::median(&runs).map(|d| d.as_secs_f64() * 1e3);
        log(format!("{}: start-up median {:?} ms", result.name, result.startup_median_ms));
    }

    // The long-lived servers for everything else.
    let mut running: Vec<Option<Server>> = Vec::new();
    for (target, result) in targets.iter().zip(results.iter_mut()) {
        match servers::start(target).await {
            Ok((server, _)) => running.push(Some(server)),
            Err(e) => {
                result.notes.push(format!("not started: {e}"));
                running.push(None);
            }
        }
    }
    // Let start-up work (class loading, JIT) settle before reading idle memory.
    tokio::time::sleep(Duration::from_secs(1)).await;
    for (server, result) in running.iter().zip(results.iter_mut()) {
        result.idle_rss_bytes = server.as_ref().and_then(Server::rss_bytes);
        result.idle_pss_bytes = server.as_ref().and_then(Server::pss_bytes);
    }

    // Per-test fixture cost, on the still empty servers. A latency figure on
    // two cores, so: targets take turns (whichever went first measured up to
    // three times slower, whatever the target), each turn starts with a few
    // unrecorded cycles and once the machine is quiet (a JVM keeps compiling
    // for seconds after it answers).
    const ROUNDS: usize = 5;
    const WARM_UP: usize = 3;
    let mut fixture_durations: Vec<Vec<Duration>> = vec![Vec::new(); targets.len()];
    for round in 0..ROUNDS {
        for (i, ((target, server), result)) in targets.iter().zip(&running).zip(results.iter_mut()).enumerate() {
            let Some(server) = server else { continue };
            let cycles = if target.heavy { plan.heavy_fixture_cycles } else { plan.fixture_cycles };
            let share = cycles.div_ceil(ROUNDS);
            wait_until_quiet(&running).await;
            let first = round * (share + WARM_UP);
            let endpoint = server.endpoint();
            let cpu_before = endpoint.cpu_time_exact();
            match load::fixture_cycles(endpoint, first, share + WARM_UP).await {
                Ok(durations) => {
                    let cpu =
                        endpoint.cpu_time_exact().zip(cpu_before).map(|(after, before)| after.saturating_sub(before));
                    let cpu_per_cycle = cpu.map(|c| c.as_secs_f64() * 1e6 / durations.len().max(1) as f64);
                    let recorded: Vec<Duration> = durations.into_iter().skip(WARM_UP).collect();
                    log_fixture_round(&result.name, round, &recorded, cpu_per_cycle);
                    result.fixture_server_cpu_us_per_cycle.extend(cpu_per_cycle);
                    fixture_durations[i].extend(recorded);
                }
                Err(e) => result.notes.push(format!("fixture cycle: {e}")),
            }
        }
    }
    for (durations, result) in fixture_durations.iter().zip(results.iter_mut()) {
        result.fixture_cycles = durations.len();
        result.fixture_cycle_median_ms = stats::median(durations).map(|d| d.as_secs_f64() * 1e3);
        log(format!("{}: fixture cycle median {:?} ms", result.name, result.fixture_cycle_median_ms));
    }

    // Load the main table.
    for (server, result) in running.iter().zip(results.iter_mut()) {
        let Some(server) = server else { continue };
        let began = Instant::now();
        match prepare_table(server.endpoint(), MAIN_TABLE, options.items).await {
            Ok(outcome) => result.load = outcome,
            Err(e) => {
                result.load = Outcome::Failed(e.clone());
                result.notes.push(format!("load: {e}"));
            }
        }
        result.rss_after_load_bytes = server.rss_bytes();
        log(format!("{}: loaded {} items in {:.1} s", result.name, options.items, began.elapsed().as_secs_f64()));
    }

    // Operations, and the fixed-body server as the ceiling.
    let fixed_server = match servers::start(&fixed).await {
        Ok((server, _)) => Some(server),
        Err(e) => {
            log(format!("fixed-body server: {e}"));
            None
        }
    };
    let mut fixed_results = Vec::new();
    // Every phase starts once the machine is quiet: a JVM goes on compiling
    // and collecting for seconds after its own phase, on the cores the next
    // target's phase needs.
    for connections in CONNECTIONS {
        if let Some(server) = &fixed_server {
            wait_until_quiet(&running).await;
            let body = Op::GetItem.body(MAIN_TABLE, options.items, 1);
            let make: RequestMaker = Arc::new(move |_| ("GetItem", body.clone()));
            let outcome = load::closed_loop(server.endpoint(), connections, plan.warmup, options.seconds, make).await;
            log(format!("fixed-body HTTP server, {connections} conn: {}", brief(&outcome)));
            fixed_results.push(OpResult { op: "fixed body".into(), connections, outcome });
        }
        for op in Op::ALL {
            for (server, result) in running.iter().zip(results.iter_mut()) {
                let Some(server) = server else { continue };
                wait_until_quiet(&running).await;
                let outcome = measure_op(
                    server.endpoint(),
                    op,
                    MAIN_TABLE,
                    options.items,
                    connections,
                    plan.warmup,
                    options.seconds,
                )
                .await;
                log(format!("{}: {} {connections} conn: {}", result.name, op.label(), brief(&outcome)));
                result.ops.push(OpResult { op: op.label().into(), connections, outcome });
            }
        }
    }
    drop(fixed_server);

    // Streams: a table like the main one with a NEW_AND_OLD_IMAGES stream,
    // loaded, read back whole, then PutItem on it beside PutItem on the main
    // table (no stream), targets taking turns as in the phases above.
    if options.streams {
        let mut arns: Vec<Option<String>> = Vec::new();
        for (server, result) in running.iter().zip(results.iter_mut()) {
            let Some(server) = server else {
                arns.push(None);
                continue;
            };
            wait_until_quiet(&running).await;
            let (phase, arn) = streams::prepare(server.endpoint(), options.items).await;
            log(format!("{}: streamed table load: {}", result.name, brief(&phase.load)));
            if arn.is_none() {
                result.notes.push(format!("streams phase not run: {}", brief(&phase.load)));
            }
            result.streams = Some(phase);
            arns.push(arn);
        }
        for ((server, result), arn) in running.iter().zip(results.iter_mut()).zip(&arns) {
            let (Some(server), Some(arn), Some(phase)) = (server, arn, result.streams.as_mut()) else { continue };
            wait_until_quiet(&running).await;
            let (outcome, detail) =
                streams::read_back(server.endpoint(), arn.clone(), options.items, plan.warmup, options.seconds).await;
            log(format!("{}: stream read-back: {} ({detail:?})", result.name, brief(&outcome)));
            (phase.read, phase.read_detail) = (outcome, detail);
        }
        // Without, with, with, without: whichever variant runs later gains
        // from a JVM still warming up (DynamoDB Local measured the second of
        // two back-to-back PutItem runs 20-25% cheaper, whichever table it
        // was), and this order cancels such a drift. Each variant's figures
        // are its two runs together.
        for streamed in [false, true, true, false] {
            let table = if streamed { streams::STREAM_TABLE } else { MAIN_TABLE };
            for ((server, result), arn) in running.iter().zip(results.iter_mut()).zip(&arns) {
                let (Some(server), Some(_), Some(phase)) = (server, arn, result.streams.as_mut()) else { continue };
                wait_until_quiet(&running).await;
                let outcome =
                    measure_op(server.endpoint(), Op::PutItem, table, options.items, 16, plan.warmup, options.seconds)
                        .await;
                log(format!("{}: PutItem 16 conn, {table}: {}", result.name, brief(&outcome)));
                phase.put_runs.push(PutRun { stream: streamed, outcome });
            }
        }
        for phase in results.iter_mut().filter_map(|r| r.streams.as_mut()) {
            phase.combine_put_runs();
        }
        for server in running.iter().flatten() {
            streams::drop_table(server.endpoint()).await;
        }
    }

    // Query latency against table size: 10x fewer and 10x more items than the main table.
    if options.scale {
        for items in [options.items / 10, options.items, options.items * 10] {
            for ((target, server), result) in targets.iter().zip(&running).zip(results.iter_mut()) {
                let Some(server) = server else { continue };
                if target.heavy && items > options.items {
                    result.notes.push(format!("Query at {items} items skipped: loading it would take minutes"));
                    continue;
                }
                let point = measure_scale(server.endpoint(), items, options, &plan).await;
                log(format!(
                    "{}: Query at {items} items: {} / {} / PartiQL {}",
                    result.name,
                    brief(&point.query_table),
                    brief(&point.query_index),
                    brief(&point.statement)
                ));
                result.scale.push(point);
            }
        }
    }
    // Durable mode: the write phases on disk beside the same in memory, replay at start-up, compaction.
    let durable = if options.durable {
        crate::durable_phase::run(options, &targets, &running, plan.warmup).await
    } else {
        Vec::new()
    };
    drop(running);

    // Ten million items: the emulator alone, in a process of its own, once the rivals have stopped.
    let large = match targets.first() {
        Some(target) if options.large_items > 0 => {
            Some(crate::large::run(target, options.large_items, plan.warmup / 2, options.seconds / 2).await)
        }
        _ => None,
    };

    // In process as a test suite runs it: `#[tokio::test]` gives each test a
    // single-threaded runtime (the load generator's two workers would add
    // cross-thread wake-ups no test pays).
    let (in_process_options, warmup) = (options.clone(), plan.warmup);
    let in_process =
        load::on_own_thread(move || async move { crate::embedded::run(&in_process_options, warmup).await })
            .await
            .unwrap_or_else(|e| InProcess { note: Some(e), ..InProcess::default() });

    // A test suite's fixtures: a fork per test, against harness::start() and a shared DynamoDB Local.
    let ddb_local = targets.iter().find(|t| t.name == crate::dynamodb_local::NAME);
    let fixtures = Some(crate::fixtures::run(options, ddb_local).await);

    Results {
        started_unix: SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
        quick: options.quick,
        items: options.items,
        item_bytes: workload::ITEM_BYTES,
        phase_seconds: options.seconds.as_secs_f64(),
        cores: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        targets: results,
        fixed_http: fixed_results,
        in_process,
        fixtures,
        large,
        durable,
        notes: Vec::new(),
    }
}

/// Creates a table with the GSI and fills it: with BatchWriteItem when the
/// target has it (the measured load), else with PutItem (unmeasured, so
/// the other phases still run).
pub(crate) async fn prepare_table(server: Endpoint, table: &str, items: usize) -> Result<Outcome, String> {
    let mut connection = crate::client::Connection::open(server.address).await?;
    load::must(&mut connection, "CreateTable", workload::create_table(table)).await?;
    let outcome = load::batch_load(server, table, items, LOAD_CONNECTIONS).await;
    match &outcome {
        Outcome::NotImplemented(_) => load::put_load(server, table, items, LOAD_CONNECTIONS).await?,
        Outcome::Failed(e) => return Err(e.clone()),
        Outcome::Measured(_) => {}
    }
    Ok(outcome)
}

pub async fn measure_op(
    server: Endpoint,
    op: Op,
    table: &str,
    items: usize,
    connections: usize,
    warmup: Duration,
    seconds: Duration,
) -> Outcome {
    if let Err(outcome) = load::probe(server, op.operation(), op.body(table, items, 7), |reply| op.check(reply)).await {
        return outcome;
    }
    // Bodies are built before the phase so the load generator only picks and sends.
    let mut random = workload::Random::new(items as u64);
    let pool: Vec<bytes::Bytes> = (0..REQUEST_POOL.min(items)).map(|_| op.body(table, items, random.next())).collect();
    let make: RequestMaker =
        Arc::new(move |random| (op.operation(), pool[(random % pool.len() as u64) as usize].clone()));
    load::closed_loop(server, connections, warmup, seconds, make).await
}

async fn measure_scale(server: Endpoint, items: usize, options: &Options, plan: &Plan) -> ScalePoint {
    let table = if items == options.items { MAIN_TABLE.to_string() } else { format!("bench_scale_{items}") };
    if table != MAIN_TABLE {
        if let Err(e) = prepare_table(server, &table, items).await {
            let failed = Outcome::Failed(e);
            return ScalePoint { items, query_table: failed.clone(), query_index: failed.clone(), statement: failed };
        }
    }
    let seconds = options.seconds / 2;
    let query_table = measure_op(server, Op::QueryTable, &table, items, 1, plan.warmup / 2, seconds).await;
    let query_index = measure_op(server, Op::QueryIndex, &table, items, 1, plan.warmup / 2, seconds).await;
    let statement = measure_op(server, Op::StatementQuery, &table, items, 1, plan.warmup / 2, seconds).await;
    if table != MAIN_TABLE {
        if let Ok(mut connection) = crate::client::Connection::open(server.address).await {
            let _ = load::must(&mut connection, "DeleteTable", workload::table_only(&table)).await;
        }
    }
    ScalePoint { items, query_table, query_index, statement }
}

/// One line for the progress log.
pub fn brief(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Measured(m) => format!(
            "{:.0} ops/s, p50 {:.0} µs, p99 {:.0} µs, server {} µs/op, client {:.1} µs/op",
            m.ops_per_second,
            m.latency.map_or(0.0, |l| l.p50_us),
            m.latency.map_or(0.0, |l| l.p99_us),
            m.server_cpu_us_per_op.map_or("?".into(), |c| format!("{c:.1}")),
            m.client_cpu_us_per_op
        ),
        Outcome::NotImplemented(reason) => format!("n/a ({reason})"),
        Outcome::Failed(reason) => format!("failed: {reason}"),
    }
}

/// Logs a fixture round: its median, its first and last tenth (a round that
/// slows down as it goes shows here) and the server's CPU per cycle.
fn log_fixture_round(name: &str, round: usize, recorded: &[Duration], cpu_us_per_cycle: Option<f64>) {
    let tenth = (recorded.len() / 10).max(1).min(recorded.len());
    let early = stats::median(&recorded[..tenth]);
    let late = stats::median(&recorded[recorded.len() - tenth..]);
    log(format!(
        "{name}: fixture round {round}: median {:?} (first tenth {early:?}, last tenth {late:?}), server CPU {} per cycle",
        stats::median(recorded),
        cpu_us_per_cycle.map_or("?".to_string(), |us| format!("{us:.0} µs"))
    ));
}

/// Waits (at most 20 s) until the machine uses less than a tenth of a core
/// over a quarter of a second (or, where `/proc/stat` cannot be read, the
/// running servers do).
pub(crate) async fn wait_until_quiet(servers: &[Option<Server>]) {
    let total = || {
        crate::procstat::machine_busy_time()
            .unwrap_or_else(|| servers.iter().flatten().filter_map(|s| s.endpoint().cpu_time()).sum::<Duration>())
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    let window = Duration::from_millis(250);
    while Instant::now() < deadline {
        let before = total();
        tokio::time::sleep(window).await;
        if total().saturating_sub(before) < window / 10 {
            return;
        }
    }
}
