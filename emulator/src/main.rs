//! The emulator binary: in memory by default, on 127.0.0.1:8000.
//! Accepts DynamoDB Local's spellings (`-port`, `-inMemory`) too.

use emulator::durable::OnDamage;
use emulator::faults::FaultRule;
use emulator::state::State;
use std::sync::Arc;

/// mimalloc: the server allocates and frees many small objects per request
/// across threads, where it is markedly cheaper than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Options {
    host: String,
    port: u16,
    faults: Vec<FaultRule>,
    fault_seed: Option<u64>,
    db_path: Option<std::path::PathBuf>,
    status_delay_ms: u64,
    threads: usize,
    ttl_sweep_ms: u64,
    shard_period_ms: Option<i64>,
    db_repair: bool,
}

const USAGE: &str = r#"usage: emulator [--host HOST] [--port PORT] [-inMemory]
  --host HOST   address to listen on (default 127.0.0.1)
  --port PORT   port to listen on (default 8000; 0 picks a free one)
  --db-path DIR keep tables and items in DIR across restarts (also -dbPath DIR); every
                acknowledged write is on disk first. Without it, everything stays in memory.
  --db-repair   start even if the journal is damaged in the middle: skip the damaged records,
                keep the rest (the journal as it was is copied beside it first)
  --fault JSON  add a fault rule, e.g. '{"operation":"PutItem","fault":"ThrottlingException","probability":0.1}'
                (fields: operation, table, fault | latencyMs, probability | count | every); repeatable.
                Rules can also be managed at runtime: GET/POST/DELETE /_emulator/faults
  --fault-seed N  seed for probabilistic fault rules (reproducible runs)
  --status-delay-ms N  keep new tables CREATING, updated tables UPDATING (a new GSI
                backfilling) and deleted tables DELETING for N ms, as DynamoDB does
                asynchronously (default 0: done at once). Also POST /_emulator/status-delay
  --ttl-sweep-ms N  how often items whose Time to Live has passed are deleted (default 2000;
                0: never, except through POST /_emulator/ttl/sweep)
  --stream-shard-period-ms N  how often a stream's shard is closed and succeeded by a child
                (default 4 hours, as DynamoDB; 0: never)
  --threads N   threads answering requests (default 1; 0: one per core). One thread answers
                sooner and spends less CPU per request than several that wake each other and
                wait for the same table: each request takes microseconds.
  DynamoDB Local's -port N, -inMemory, -sharedDb and -disableTelemetry are accepted.
  Logging follows RUST_LOG (e.g. RUST_LOG=emulator=debug)."#;

fn parse_args(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        host: "127.0.0.1".into(),
        port: 8000,
        faults: Vec::new(),
        fault_seed: None,
        db_path: None,
        status_delay_ms: 0,
        threads: 1,
        ttl_sweep_ms: 2000,
        shard_period_ms: None,
        db_repair: false,
    };
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--port" | "-port" => {
                options.port = value(&arg)?.parse().map_err(|_| "port must be a number".to_string())?
            }
            "--host" | "-host" => options.host = value(&arg)?,
            "--db-path" | "-dbPath" => options.db_path = Some(value(&arg)?.into()),
            "--db-repair" => options.db_repair = true,
            "--fault" => {
                let json: serde_json::Value =
                    serde_json::from_str(&value(&arg)?).map_err(|e| format!("--fault needs a JSON rule: {e}"))?;
                options.faults.push(FaultRule::from_json(&json).map_err(|e| format!("--fault: {e}"))?);
            }
            "--fault-seed" => {
                options.fault_seed =
                    Some(value(&arg)?.parse().map_err(|_| "--fault-seed must be a whole number".to_string())?)
            }
            "--status-delay-ms" => {
                options.status_delay_ms =
                    value(&arg)?.parse().map_err(|_| "--status-delay-ms must be a whole number".to_string())?
            }
            "--ttl-sweep-ms" => {
                options.ttl_sweep_ms =
                    value(&arg)?.parse().map_err(|_| "--ttl-sweep-ms must be a whole number".to_string())?
            }
            "--stream-shard-period-ms" => {
                options.shard_period_ms = Some(
                    value(&arg)?.parse().map_err(|_| "--stream-shard-period-ms must be a whole number".to_string())?,
                )
            }
            "--threads" => {
                options.threads = value(&arg)?.parse().map_err(|_| "--threads must be a whole number".to_string())?
            }
            // In memory is the default; these DynamoDB Local flags change nothing here.
            "-inMemory" | "--in-memory" | "-sharedDb" | "-disableTelemetry" | "-optimizeDbBeforeStartup" => {}
            "-h" | "--help" | "-help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        }
    }
    Ok(options)
}

fn main() {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    // The multi-threaded scheduler even for one thread: measured, it answers a
    // lone client's sequence of requests in a third of the current-thread
    // scheduler's time.
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if options.threads > 0 {
        builder.worker_threads(options.threads);
    }
    let runtime = builder.enable_all().build();
    match runtime {
        Ok(runtime) => runtime.block_on(run(options)),
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            std::process::exit(1);
        }
    }
}

async fn run(options: Options) {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "emulator=info".into()),
        )
        .init();
    let state = Arc::new(State::default());
    state.status_delay.set(std::time::Duration::from_millis(options.status_delay_ms));
    // The port first: a second start that cannot listen must not touch the data directory.
    let listener = match tokio::net::TcpListener::bind((options.host.as_str(), options.port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on {}:{}: {e}", options.host, options.port);
            std::process::exit(1);
        }
    };
    if let Some(dir) = &options.db_path {
        let on_damage = if options.db_repair { OnDamage::Skip } else { OnDamage::Refuse };
        match emulator::durable::Journal::open_with(dir, &state, on_damage) {
            Ok(journal) => {
                let _ = state.journal.set(Box::new(journal));
            }
            Err(e) => {
                eprintln!("cannot use --db-path {}: {e}", dir.display());
                std::process::exit(1);
            }
        }
        // Changes made outside a request (background work) are journaled within a second.
        let background = Arc::clone(&state);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                if let Some(journal) = background.journal.get() {
                    if let Err(e) = journal.commit(&background, true) {
                        tracing::error!("journal write failed: {e}");
                    }
                }
            }
        });
    }
    if let Some(seed) = options.fault_seed {
        state.faults.seed(seed);
    }
    if let Some(period) = options.shard_period_ms {
        state.streams.set_shard_period_millis(period);
    }
    if options.ttl_sweep_ms > 0 {
        let sweeper = Arc::clone(&state);
        let every = std::time::Duration::from_millis(options.ttl_sweep_ms);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let deleted = sweeper.sweep_expired();
                if deleted > 0 {
                    tracing::debug!(deleted, "Time to Live sweep");
                }
            }
        });
    }
    for rule in options.faults {
        state.faults.add(rule);
    }
    let address = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
    tracing::info!("DynamoDB emulator listening on http://{address}");
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    };
    if let Err(e) = emulator::server::serve(listener, state, shutdown).await {
        eprintln!("server error: {e}");
        std::process::exit(1);
    }
}
