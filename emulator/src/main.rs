//! The emulator binary: the command line (clap, after a pre-pass that turns
//! DynamoDB Local's single-dash spellings into ours), logging, the start-up
//! banner, and a graceful stop on SIGTERM or SIGINT. In memory by default, on
//! 127.0.0.1:8000.

use clap::Parser;
use emulator::durable::OnDamage;
use emulator::faults::FaultRule;
use emulator::protocol::{Cors, Policy};
use emulator::seed::{Existing, SeedFile};
use emulator::server::Hosts;
use emulator::state::State;
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// mimalloc: the server allocates and frees many small objects per request
/// across threads, where it is markedly cheaper than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The command line. Each group is its own struct (flattened), so a new
/// concern adds a group rather than growing one list.
#[derive(Parser, Debug)]
#[command(
    name = "emulator",
    version,
    about = "A DynamoDB-compatible emulator: in memory by default (or durable with --db-path), on 127.0.0.1:8000.",
    after_help = AFTER_HELP
)]
struct Cli {
    #[command(flatten)]
    listen: Listen,
    #[command(flatten)]
    storage: Storage,
    #[command(flatten)]
    simulation: Simulation,
    #[command(flatten)]
    browsers: Browsers,
    #[command(flatten)]
    tls: TlsFlags,
    #[command(flatten)]
    logging: Logging,
    #[command(flatten)]
    seeding: Seeding,
    #[command(flatten)]
    signatures: Signatures,
    #[command(flatten)]
    exports: Exports,
    #[cfg(feature = "remote")]
    #[command(subcommand)]
    command: Option<Command>,
}

const AFTER_HELP: &str = "\
DynamoDB Local's command line works as well: -port N, -inMemory, -dbPath DIR, -sharedDb,
-delayTransientStatuses, -cors ORIGINS, -disableTelemetry, -optimizeDbBeforeStartup, -help, -version.
Unlike DynamoDB Local, CORS is off unless -cors/--cors is given.
Logging follows RUST_LOG (default emulator=info); RUST_LOG=emulator=debug also logs every request.";

#[derive(clap::Args, Debug)]
#[command(next_help_heading = "Listening")]
struct Listen {
    /// Address to listen on. A non-loopback address (0.0.0.0) lets anyone who can reach it read and
    /// write every table.
    #[arg(long, value_name = "HOST", default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, value_name = "PORT", default_value_t = 8000)]
    port: u16,
    /// Threads answering requests (0: one per core). One thread answers sooner and spends less CPU
    /// per request than several that wake each other and wait for the same table: each request
    /// takes microseconds.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = whole_number::<usize>)]
    threads: usize,
    /// The region of the tables a call signed for no other region reaches, named in their ARNs.
    #[arg(long, value_name = "REGION", default_value = "us-east-1")]
    region: String,
    /// The account of those tables (and of access keys the credentials file maps to none), named in ARNs.
    #[arg(long, value_name = "ID", default_value = "000000000000")]
    account_id: String,
}

#[derive(clap::Args, Debug)]
#[command(next_help_heading = "Storage")]
struct Storage {
    /// Keep tables and items in DIR across restarts (also -dbPath DIR); every acknowledged write is on
    /// disk first. Without it, everything stays in memory and is lost on exit.
    #[arg(long, value_name = "DIR", conflicts_with = "in_memory")]
    db_path: Option<PathBuf>,
    /// Keep everything in memory (the default; also -inMemory).
    #[arg(long)]
    in_memory: bool,
    /// Start even if the journal is damaged in the middle: skip the damaged records, keep the rest
    /// (the journal as it was is copied beside it first).
    #[arg(long)]
    db_repair: bool,
    /// One set of tables whatever the client's account and region (also -sharedDb, --shared).
    /// Without it each (account, region) a request is signed for has its own tables, as in
    /// DynamoDB, with --db-path too.
    #[arg(long, alias = "shared")]
    shared_db: bool,
    /// Accepted for DynamoDB Local's -optimizeDbBeforeStartup: the journal is compacted in the background
    /// whenever it has grown well past the data.
    #[arg(long)]
    optimize_db_before_startup: bool,
    /// Testing knob, not for normal use: compact the --db-path journal whenever N records were
    /// appended since its last compaction (default: once it holds 50,000 records more than twice
    /// the live data). A small N keeps compactions running back to back under writes, e.g. to
    /// kill the emulator in the middle of one.
    #[arg(long, value_name = "N", value_parser = whole_number::<u64>, requires = "db_path")]
    compact_after: Option<u64>,
}

#[derive(clap::Args, Debug)]
#[command(next_help_heading = "Simulation")]
struct Simulation {
    /// Keep new tables CREATING, updated tables UPDATING (a new GSI backfilling) and deleted tables
    /// DELETING for N ms, as DynamoDB does asynchronously (default 0: done at once). Also POST
    /// /_emulator/status-delay.
    #[arg(long, value_name = "N", value_parser = whole_number::<u64>)]
    status_delay_ms: Option<u64>,
    /// DynamoDB Local's -delayTransientStatuses: the status delay above becomes 5000 ms unless
    /// --status-delay-ms says otherwise. (DynamoDB Local 3.3.1, measured: a new GSI CREATING for
    /// about 30 s, a deleted one DELETING for 15 s, tables ACTIVE at once. Here one delay covers
    /// tables and indexes alike, so it is shorter.)
    #[arg(long)]
    delay_transient_statuses: bool,
    /// Global tables: deliver a write to the other replicas N ms after it was made, on the
    /// emulator's clock (default 0: right after the call that made it).
    #[arg(long, value_name = "N", value_parser = whole_number::<u64>)]
    replication_delay_ms: Option<u64>,
    /// Add a fault rule, e.g. '{"operation":"PutItem","fault":"ThrottlingException","probability":0.1}'
    /// (fields: operation, table, fault | latencyMs, probability | count | every); repeatable. Rules
    /// can also be managed at runtime: GET/POST/DELETE /_emulator/faults.
    #[arg(long, value_name = "JSON", value_parser = fault_rule)]
    fault: Vec<FaultRule>,
    /// Seed for probabilistic fault rules (reproducible runs).
    #[arg(long, value_name = "N", value_parser = whole_number::<u64>)]
    fault_seed: Option<u64>,
    /// How often items whose Time to Live has passed are deleted (0: never, except through POST
    /// /_emulator/ttl/sweep).
    #[arg(long, value_name = "N", default_value_t = 2000, value_parser = whole_number::<u64>)]
    ttl_sweep_ms: u64,
    /// How often a stream's shard is closed and succeeded by a child (default 4 hours, as DynamoDB;
    /// 0: never).
    #[arg(long, value_name = "N", value_parser = whole_number::<i64>)]
    stream_shard_period_ms: Option<i64>,
}

#[derive(clap::Args, Debug)]
#[command(next_help_heading = "Browsers and the admin API")]
struct Browsers {
    /// Answer browsers' cross-origin requests from these origins: a comma-separated list
    /// (https://app.example,http://localhost:3000) or '*' for any (also -cors). Off without it.
    #[arg(long, value_name = "ORIGINS")]
    cors: Option<String>,
    /// Also answer requests whose Host header names HOST (repeatable). Without it only IP addresses,
    /// localhost and this machine's name are answered: a guard against DNS rebinding.
    #[arg(long, value_name = "HOST")]
    allow_host: Vec<String>,
    /// Answer whatever the Host header names.
    #[arg(long)]
    allow_any_host: bool,
    /// Let non-loopback clients use /_emulator/* when they send `Authorization: Bearer TOKEN` (or
    /// `x-emulator-admin-token: TOKEN`). Without it the admin API answers only on loopback.
    #[arg(long, value_name = "TOKEN")]
    admin_token: Option<String>,
}

#[derive(clap::Args, Debug)]
#[command(next_help_heading = "HTTPS")]
struct TlsFlags {
    /// Serve HTTPS with this PEM certificate chain (with --tls-key).
    #[arg(long, value_name = "FILE", requires = "tls_key", conflicts_with = "tls_self_signed")]
    tls_cert: Option<std::path::PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<std::path::PathBuf>,
    /// Serve HTTPS with a self-signed certificate for localhost, 127.0.0.1 and ::1, made once and
    /// kept in DIR (cert.pem, key.pem); clients trust it with AWS_CA_BUNDLE=DIR/cert.pem.
    #[arg(long, value_name = "DIR")]
    tls_self_signed: Option<std::path::PathBuf>,
}

impl TlsFlags {
    /// The TLS configuration asked for, and the certificate clients should trust when self-signed.
    fn load(&self) -> std::io::Result<Option<(emulator::tls::Tls, Option<std::path::PathBuf>)>> {
        match (&self.tls_cert, &self.tls_key, &self.tls_self_signed) {
            (Some(cert), Some(key), _) => Ok(Some((emulator::tls::from_pem_files(cert, key)?, None))),
            (_, _, Some(dir)) => emulator::tls::self_signed(dir).map(|(tls, cert)| Some((tls, Some(cert)))),
            _ => Ok(None),
        }
    }
}

#[derive(clap::Args, Debug)]
#[command(next_help_heading = "Logging")]
struct Logging {
    /// Log one line per API request: operation, tables, HTTP status, error type, latency.
    #[arg(long)]
    log_requests: bool,
    /// Accepted for DynamoDB Local's -disableTelemetry: the emulator sends no telemetry.
    #[arg(long)]
    disable_telemetry: bool,
}

#[derive(clap::Args, Debug)]
#[command(next_help_heading = "Seeding")]
struct Seeding {
    /// Load tables and items at start-up (repeatable): CloudFormation templates (YAML or JSON),
    /// CreateTable JSON, files `emulator dump` writes, item files naming their tables ({"users": [...]}
    /// or BatchWriteItem's RequestItems), or TABLE=PATH for a list of items (plain or DynamoDB JSON).
    /// Everything is checked first; a bad file or item stops the start (exit 1), nothing served or
    /// stored.
    #[arg(long, value_name = "PATH", value_parser = seed_file)]
    seed: Vec<SeedFile>,
    /// A seed that defines a table --db-path already holds deletes that table and loads the seed
    /// (without it, that start is refused, naming the table).
    #[arg(long, requires = "seed")]
    seed_replace: bool,
}

#[derive(clap::Args, Debug)]
#[command(next_help_heading = "Exports and imports")]
struct Exports {
    /// A directory standing for Amazon S3: ExportTableToPointInTime writes and ImportTable reads
    /// DIR/<bucket>/<key> (a bucket is a subdirectory). Without it, both answer a ValidationException.
    #[arg(long, value_name = "DIR")]
    s3_dir: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
#[command(next_help_heading = "Signatures")]
struct Signatures {
    /// Serve only API calls signed (AWS Signature Version 4) by a key given with --access-key or
    /// --credentials, answering others with DynamoDB's errors: MissingAuthenticationTokenException,
    /// UnrecognizedClientException, InvalidSignatureException (also for a request time more than 15
    /// minutes from the emulator's clock).
    #[arg(long)]
    verify_signatures: bool,
    /// An access key to accept (with --secret-key).
    #[arg(long, value_name = "KEY", requires_all = ["secret_key", "verify_signatures"])]
    access_key: Option<String>,
    /// The secret of --access-key.
    #[arg(long, value_name = "SECRET", requires = "access_key")]
    secret_key: Option<String>,
    /// Access keys to accept from an AWS shared-credentials file (~/.aws/credentials' format): each
    /// [profile] with aws_access_key_id and aws_secret_access_key; an aws_session_token there must
    /// then come with every request signed by that key.
    #[arg(long, value_name = "FILE", requires = "verify_signatures")]
    credentials: Option<PathBuf>,
}

impl Signatures {
    /// The keys to verify signatures with (`None`: verification off), or why they cannot be had.
    fn keys(&self) -> Result<Option<emulator::auth::Credentials>, String> {
        if !self.verify_signatures {
            return Ok(None);
        }
        let mut keys = match &self.credentials {
            Some(path) => emulator::auth::Credentials::load(path)?,
            None => emulator::auth::Credentials::default(),
        };
        if let (Some(key), Some(secret)) = (&self.access_key, &self.secret_key) {
            keys.insert(key.clone(), emulator::auth::Credential::new(secret.clone()));
        }
        if keys.is_empty() {
            return Err("--verify-signatures needs --access-key and --secret-key, or --credentials FILE".into());
        }
        Ok(Some(keys))
    }
}

fn seed_file(text: &str) -> Result<SeedFile, String> {
    Ok(SeedFile::parse(text))
}

/// Moving tables between endpoints and files (the `remote` feature: the AWS SDK).
#[cfg(feature = "remote")]
#[derive(clap::Subcommand, Debug)]
enum Command {
    /// Write a table's definition (DescribeTable) and every item (Scan) to a file that `load` and
    /// --seed read.
    Dump(Dump),
    /// Create a table if missing and write a file's items into it (BatchWriteItem, 25 at a time):
    /// a file `dump` wrote, or with --table any item file --seed reads.
    Load(Load),
}

#[cfg(feature = "remote")]
#[derive(clap::Args, Debug)]
struct Endpoint {
    /// The endpoint: this emulator, DynamoDB Local, any URL; without it, DynamoDB itself. Credentials
    /// and region come from the environment (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...); an endpoint with
    /// none anywhere gets dummy ones.
    #[arg(long, value_name = "URL")]
    endpoint: Option<String>,
    /// The region (default: the environment's, else us-east-1).
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
}

#[cfg(feature = "remote")]
#[derive(clap::Args, Debug)]
struct Dump {
    #[command(flatten)]
    endpoint: Endpoint,
    /// The table to dump.
    #[arg(long, value_name = "TABLE")]
    table: String,
    /// Where to write (default: standard output).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[cfg(feature = "remote")]
#[derive(clap::Args, Debug)]
struct Load {
    #[command(flatten)]
    endpoint: Endpoint,
    /// The table to load into (default: the one the file names).
    #[arg(long, value_name = "TABLE")]
    table: Option<String>,
    /// The file: JSON or YAML.
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

/// DynamoDB Local's spellings and ours.
const DYNAMODB_LOCAL_FLAGS: &[(&str, &str)] = &[
    ("-port", "--port"),
    ("-host", "--host"),
    ("-inMemory", "--in-memory"),
    ("-dbPath", "--db-path"),
    ("-sharedDb", "--shared-db"),
    ("-delayTransientStatuses", "--delay-transient-statuses"),
    ("-cors", "--cors"),
    ("-disableTelemetry", "--disable-telemetry"),
    ("-optimizeDbBeforeStartup", "--optimize-db-before-startup"),
    ("-help", "--help"),
    ("-version", "--version"),
];

/// Rewrites DynamoDB Local's single-dash flags (`-dbPath ./data`,
/// `-port=8000`) into ours; everything after `--` is left alone. Any other
/// single-dash word is refused here, by its whole name (clap would read
/// `-inmemory` as `-i -n ...` and name only `-i`).
fn our_spelling(args: impl IntoIterator<Item = OsString>) -> Result<Vec<OsString>, clap::Error> {
    let mut verbatim = false;
    let mut out = Vec::new();
    for arg in args {
        let Some(text) = arg.to_str().filter(|_| !verbatim) else {
            out.push(arg);
            continue;
        };
        verbatim = text == "--";
        let (flag, value) = match text.split_once('=') {
            Some((flag, value)) => (flag, Some(value)),
            None => (text, None),
        };
        match (DYNAMODB_LOCAL_FLAGS.iter().find(|(theirs, _)| *theirs == flag), value) {
            (Some((_, ours)), Some(value)) => out.push(format!("{ours}={value}").into()),
            (Some((_, ours)), None) => out.push((*ours).into()),
            (None, _) if flag.len() > 2 && flag.starts_with('-') && !flag.starts_with("--") => {
                return Err(unknown_single_dash(flag))
            }
            (None, _) => out.push(arg),
        }
    }
    Ok(out)
}

fn unknown_single_dash(flag: &str) -> clap::Error {
    use clap::CommandFactory;
    let near = DYNAMODB_LOCAL_FLAGS.iter().find(|(theirs, _)| theirs.eq_ignore_ascii_case(flag));
    let tip = near.map_or(String::new(), |(theirs, _)| format!(" (DynamoDB Local's flag is spelled {theirs})"));
    Cli::command().error(
        clap::error::ErrorKind::UnknownArgument,
        format!("unexpected argument '{flag}' found{tip}; see --help for the flags"),
    )
}

/// The command line (program name first), or clap's error: help and
/// version print to stdout and exit 0, mistakes to stderr with exit 2.
fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(our_spelling(args)?)
}

/// A whole number, with a message that says so (clap's own names Rust's parse error).
fn whole_number<T: std::str::FromStr>(text: &str) -> Result<T, String> {
    text.parse().map_err(|_| "must be a whole number".to_string())
}

fn fault_rule(text: &str) -> Result<FaultRule, String> {
    let json: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("needs a JSON rule: {e}"))?;
    FaultRule::from_json(&json)
}

/// The status delay `-delayTransientStatuses` stands for.
const TRANSIENT_STATUS_DELAY: Duration = Duration::from_millis(5000);

/// How long a stop waits for requests in flight before it goes ahead anyway.
const DRAIN_LIMIT: Duration = Duration::from_secs(10);

impl Cli {
    fn status_delay(&self) -> Duration {
        match self.simulation.status_delay_ms {
            Some(ms) => Duration::from_millis(ms),
            None if self.simulation.delay_transient_statuses => TRANSIENT_STATUS_DELAY,
            None => Duration::ZERO,
        }
    }

    fn server_options(&self) -> emulator::server::Options {
        let browsers = &self.browsers;
        let mut names = browsers.allow_host.clone();
        // Listening on a name (`--host devbox.lan`) means being addressed by it.
        if self.listen.host.parse::<std::net::IpAddr>().is_err() {
            names.push(self.listen.host.clone());
        }
        let hosts = if browsers.allow_any_host { Hosts::Any } else { Hosts::Checked(names) };
        let cors = browsers.cors.as_deref().map_or(Cors::Off, Cors::parse);
        emulator::server::Options {
            policy: Policy { cors, admin_token: browsers.admin_token.clone() },
            hosts,
            limits: Default::default(),
            tls: None,
        }
    }
}

fn main() {
    #[cfg(not(feature = "remote"))]
    if let Some(command) = std::env::args().nth(1).filter(|a| a == "dump" || a == "load") {
        eprintln!(
            "`emulator {command}` talks to endpoints through the AWS SDK, which this build leaves out: \
             build with the `remote` feature (cargo run --release -p emulator --features remote -- {command} ...)"
        );
        std::process::exit(2);
    }
    let cli = match parse(std::env::args_os()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    #[cfg(feature = "remote")]
    if let Some(command) = &cli.command {
        std::process::exit(run_command(command));
    }
    // The multi-threaded scheduler even for one thread: measured, it answers a
    // lone client's sequence of requests in a third of the current-thread
    // scheduler's time.
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if cli.listen.threads > 0 {
        builder.worker_threads(cli.listen.threads);
    }
    match builder.enable_all().build() {
        Ok(runtime) => runtime.block_on(run(cli)),
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            std::process::exit(1);
        }
    }
}

/// `dump` or `load`: the exit code (1 with the reason on stderr).
#[cfg(feature = "remote")]
fn run_command(command: &Command) -> i32 {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return 1;
        }
    };
    let result: Result<(), String> = runtime.block_on(async {
        match command {
            Command::Dump(dump) => {
                let client = remote_client(&dump.endpoint).await;
                let mut out: Box<dyn std::io::Write> = match &dump.out {
                    Some(path) => Box::new(std::io::BufWriter::new(
                        std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?,
                    )),
                    None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
                };
                let bar = item_bar(&format!("dumping {}", dump.table), None);
                let mut progress = |done: usize| {
                    if let Some(bar) = &bar {
                        advance(bar, done, None);
                    }
                };
                let count = emulator::remote::dump(&client, &dump.table, &mut out, &mut progress).await?;
                if let Some(bar) = &bar {
                    bar.finish_and_clear();
                }
                let to = dump.out.as_ref().map_or("standard output".to_string(), |p| p.display().to_string());
                eprintln!("dumped table {} ({count} items) to {to}", dump.table);
                Ok(())
            }
            Command::Load(load) => {
                let fail = |e: String| format!("{}: {e}", load.file.display());
                let text = std::fs::read_to_string(&load.file).map_err(|e| fail(e.to_string()))?;
                let document = emulator::fixtures::parse_document(&text).map_err(|e| fail(e.0))?;
                let client = remote_client(&load.endpoint).await;
                let mut bar = None;
                let mut progress = |done: usize, total: usize| {
                    let bar =
                        bar.get_or_insert_with(|| item_bar(&format!("loading {}", load.file.display()), Some(total)));
                    if let Some(bar) = bar {
                        advance(bar, done, Some(total));
                    }
                };
                let loaded = emulator::remote::load(&client, &document, load.table.as_deref(), &mut progress)
                    .await
                    .map_err(fail)?;
                let created = if loaded.created { " (table created)" } else { "" };
                eprintln!("loaded {} items from {}{created}", loaded.items, load.file.display());
                Ok(())
            }
        }
    });
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

#[cfg(feature = "remote")]
async fn remote_client(endpoint: &Endpoint) -> aws_sdk_dynamodb::Client {
    emulator::remote::client(endpoint.endpoint.as_deref(), endpoint.region.as_deref()).await
}

fn init_logging(log_requests: bool) {
    use std::io::IsTerminal;
    let mut filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("emulator=info"));
    if log_requests {
        if let Ok(directive) = format!("{}=debug", emulator::protocol::REQUEST_LOG).parse() {
            filter = filter.add_directive(directive);
        }
    }
    // Colour only for a person at a terminal, never in files or CI logs.
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi).init();
}

async fn run(cli: Cli) {
    init_logging(cli.logging.log_requests);
    let config =
        emulator::state::Config { region: cli.listen.region.clone(), account_id: cli.listen.account_id.clone() };
    let state = Arc::new(State { config, ..State::default() });
    state.namespaces.set_shared(cli.storage.shared_db);
    let verified = match cli.signatures.keys() {
        Ok(Some(keys)) => state.verify_signatures(keys),
        Ok(None) => false,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let Listen { host, port, .. } = &cli.listen;
    // The port first: a second start that cannot listen must not touch the data directory.
    let listener = match tokio::net::TcpListener::bind((host.as_str(), *port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on {host}:{port}: {e}");
            std::process::exit(1);
        }
    };
    if let Some(dir) = &cli.storage.db_path {
        let on_damage = if cli.storage.db_repair { OnDamage::Skip } else { OnDamage::Refuse };
        match emulator::durable::Journal::open_with(dir, &state, on_damage) {
            Ok(mut journal) => {
                if let Some(records) = cli.storage.compact_after {
                    journal = journal.compact_after(records);
                }
                let _ = state.journal.set(Box::new(journal));
            }
            Err(e) => {
                eprintln!("cannot use --db-path {}: {e}", dir.display());
                std::process::exit(1);
            }
        }
    }
    // Before the status delay (seeded tables are ACTIVE at once) and before anything is journaled.
    seed(&state, &cli.seeding);
    state.status_delay.set(cli.status_delay());
    state.replication.set_delay(Duration::from_millis(cli.simulation.replication_delay_ms.unwrap_or(0)));
    state.transfers.set_s3_dir(cli.exports.s3_dir.clone());
    if state.journal.get().is_some() {
        if !commit_journal(&state) {
            std::process::exit(1);
        }
        // Changes made outside a request (background work) are journaled within a second,
        // and the journal compacted as soon as it is due, on a thread of its own: never on a
        // request's path. A failure is logged and tried again after a back-off (the journal's).
        let background = Arc::clone(&state);
        std::thread::spawn(move || loop {
            let Some(journal) = background.journal.get() else { return };
            journal.wait_for_upkeep(Duration::from_secs(1));
            if let Err(e) = journal.upkeep(&background) {
                tracing::error!("{e}");
            }
        });
    }
    if let Some(seed) = cli.simulation.fault_seed {
        state.faults.seed(seed);
    }
    if let Some(period) = cli.simulation.stream_shard_period_ms {
        state.streams.set_shard_period_millis(period);
    }
    if cli.simulation.ttl_sweep_ms > 0 {
        let sweeper = Arc::clone(&state);
        let every = Duration::from_millis(cli.simulation.ttl_sweep_ms);
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
    for rule in &cli.simulation.fault {
        state.faults.add(rule.clone());
    }
    let Ok(address) = listener.local_addr() else {
        eprintln!("cannot read the address listened on");
        std::process::exit(1);
    };
    let stop = stop_signal();
    let mut options = cli.server_options();
    let trust = match cli.tls.load() {
        Ok(Some((tls, trust))) => {
            options.tls = Some(tls);
            trust
        }
        Ok(None) => None,
        Err(e) => {
            eprintln!("cannot serve HTTPS: {e}");
            std::process::exit(1);
        }
    };
    let mut text = banner(address, cli.storage.db_path.as_deref(), verified);
    if options.tls.is_some() {
        text = text.replace("http://", "https://");
    }
    if let Some(cert) = trust {
        text.push_str(&format!("  trust:   export AWS_CA_BUNDLE={}\n", cert.display()));
    }
    eprint!("{text}");
    let (signalled, stopping) = tokio::sync::oneshot::channel();
    let shutdown = async move {
        let name = stop.await;
        tracing::info!("{name}: finishing the requests in flight, then stopping");
        let _ = signalled.send(());
    };
    let server = emulator::server::serve_with(listener, Arc::clone(&state), options, shutdown);
    let drain_limit = async {
        if stopping.await.is_ok() {
            tokio::time::sleep(DRAIN_LIMIT).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        result = server => if let Err(e) = result {
            eprintln!("server error: {e}");
            std::process::exit(1);
        },
        () = drain_limit => tracing::warn!("requests still in flight after {} s; stopping anyway", DRAIN_LIMIT.as_secs()),
    }
    // Durable mode: whatever is left (background work) reaches the journal before the process ends.
    if state.journal.get().is_some() {
        if !commit_journal(&state) {
            std::process::exit(1);
        }
        tracing::info!("journal committed");
    }
    tracing::info!("stopped");
}

/// Jobs of at least this many items get a progress bar (on a terminal).
const LARGE_SEED: usize = 10_000;

/// A progress bar on stderr for `total` items (a counter when unknown), only
/// on a terminal and only for large jobs.
fn item_bar(what: &str, total: Option<usize>) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if total.is_some_and(|total| total < LARGE_SEED) || !std::io::stderr().is_terminal() {
        return None;
    }
    let (template, bar) = match total {
        Some(total) => {
            ("{msg} [{bar:40}] {human_pos}/{human_len} items ({eta})", indicatif::ProgressBar::new(total as u64))
        }
        None => ("{msg} {human_pos} items ({elapsed})", indicatif::ProgressBar::new_spinner()),
    };
    let style =
        indicatif::ProgressStyle::with_template(template).unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    let bar = bar.with_style(style.progress_chars("=> "));
    bar.set_message(what.to_string());
    Some(bar)
}

/// Moves a bar to `done`, clearing it once `total` is reached.
fn advance(bar: &indicatif::ProgressBar, done: usize, total: Option<usize>) {
    if let Some(total) = total {
        bar.set_length(total as u64);
    }
    bar.set_position(done as u64);
    if Some(done) == total {
        bar.finish_and_clear();
    }
}

/// Loads `--seed` files, or exits 1 naming what is wrong (nothing served, nothing journaled).
fn seed(state: &State, seeding: &Seeding) {
    if seeding.seed.is_empty() {
        return;
    }
    let started = std::time::Instant::now();
    let existing = if seeding.seed_replace { Existing::Replace } else { Existing::Refuse };
    // One bar per file (none for small ones).
    let mut current: Option<(PathBuf, Option<indicatif::ProgressBar>)> = None;
    let mut progress = |path: &std::path::Path, done: usize, total: usize| {
        if current.as_ref().is_none_or(|(seen, _)| seen != path) {
            current = Some((path.to_path_buf(), item_bar(&path.display().to_string(), Some(total))));
        }
        if let Some((_, Some(bar))) = &current {
            advance(bar, done, Some(total));
        }
    };
    match emulator::seed::load(state, &seeding.seed, existing, &mut progress) {
        Ok(loaded) => tracing::info!(
            tables = loaded.tables,
            items = loaded.items,
            files = seeding.seed.len(),
            ms = started.elapsed().as_millis() as u64,
            "seeded"
        ),
        Err(e) => {
            eprintln!("cannot seed: {e}");
            std::process::exit(1);
        }
    }
}

/// Commits what background work changed; false (and logged) when the disk refused it.
fn commit_journal(state: &State) -> bool {
    match state.journal.get().map(|journal| journal.commit(state, true)) {
        Some(Err(e)) => {
            tracing::error!("journal write failed: {e}");
            false
        }
        _ => true,
    }
}

/// SIGTERM (docker stop, systemd, CI runners) or SIGINT (Ctrl-C), whichever
/// comes first. The handlers are installed when this is called, not when the
/// future is first polled: a signal right after the banner must not kill the
/// process without a clean stop.
fn stop_signal() -> impl std::future::Future<Output = &'static str> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (terminate, interrupt) = (signal(SignalKind::terminate()), signal(SignalKind::interrupt()));
        async move {
            let (Ok(mut terminate), Ok(mut interrupt)) = (terminate, interrupt) else {
                tracing::warn!("cannot watch SIGTERM/SIGINT; stop with SIGKILL");
                return std::future::pending().await;
            };
            tokio::select! {
                _ = terminate.recv() => "SIGTERM",
                _ = interrupt.recv() => "SIGINT",
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}

/// What a person starting the emulator needs to know: where it listens,
/// where the data lives, and what to paste into a shell.
fn banner(address: std::net::SocketAddr, db_path: Option<&std::path::Path>, verified: bool) -> String {
    let local = if address.ip().is_unspecified() {
        std::net::SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), address.port())
    } else {
        address
    };
    let storage = match db_path {
        Some(dir) => {
            let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
            format!("durable at {}", dir.display())
        }
        None => "in memory: data is lost on exit (--db-path DIR keeps it)".to_string(),
    };
    let mut text = format!(
        "DynamoDB emulator {} listening on http://{address}\n  storage: {storage}\n  use it:  export AWS_ENDPOINT_URL=http://{local}\n",
        env!("CARGO_PKG_VERSION"),
    );
    if verified {
        text.push_str(
            "  signatures: verified (--verify-signatures): only signed requests by the given keys are served\n",
        );
    } else if !address.ip().is_loopback() {
        text.push_str(&format!(
            "  WARNING: {} is not a loopback address: anyone who can reach it can read and write every table\n",
            address.ip()
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn cli(args: &str) -> Result<Cli, clap::Error> {
        parse(std::iter::once("emulator").chain(args.split_whitespace()).map(OsString::from))
    }

    fn error(args: &str) -> (clap::error::ErrorKind, String) {
        let e = cli(args).expect_err(args);
        (e.kind(), e.to_string())
    }

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn defaults() {
        let cli = cli("").unwrap();
        assert_eq!((cli.listen.host.as_str(), cli.listen.port, cli.listen.threads), ("127.0.0.1", 8000, 1));
        assert_eq!(cli.storage.db_path, None);
        assert_eq!(cli.status_delay(), Duration::ZERO);
        assert_eq!(cli.simulation.ttl_sweep_ms, 2000);
        let options = cli.server_options();
        assert_eq!(options.policy.cors, Cors::Off);
        assert_eq!(options.hosts, Hosts::Checked(vec![]));
        assert_eq!(options.policy.admin_token, None);
    }

    #[test]
    fn dynamodb_local_command_lines() {
        let memory = cli("-sharedDb -inMemory -port 8001").unwrap();
        assert!(memory.storage.shared_db && memory.storage.in_memory);
        assert_eq!(memory.listen.port, 8001);
        let durable = cli("-sharedDb -dbPath ./data -cors *").unwrap();
        assert_eq!(durable.storage.db_path, Some(PathBuf::from("./data")));
        assert_eq!(durable.server_options().policy.cors, Cors::Any);
        let all = cli("-port 0 -dbPath d -sharedDb -delayTransientStatuses -cors https://a.example,http://b.example \
                       -disableTelemetry -optimizeDbBeforeStartup")
        .unwrap();
        assert_eq!(all.status_delay(), TRANSIENT_STATUS_DELAY);
        assert!(all.logging.disable_telemetry && all.storage.optimize_db_before_startup);
        assert_eq!(
            all.server_options().policy.cors,
            Cors::Origins(vec!["https://a.example".into(), "http://b.example".into()])
        );
        // An explicit delay wins over -delayTransientStatuses.
        assert_eq!(
            cli("-delayTransientStatuses --status-delay-ms 20").unwrap().status_delay(),
            Duration::from_millis(20)
        );
    }

    #[test]
    fn replication_delay_is_whole_milliseconds() {
        assert_eq!(cli("--replication-delay-ms 250").unwrap().simulation.replication_delay_ms, Some(250));
        assert_eq!(cli("").unwrap().simulation.replication_delay_ms, None);
        assert!(cli("--replication-delay-ms -5").is_err());
    }

    #[test]
    fn equals_forms_and_values_that_look_like_flags() {
        assert_eq!(cli("--port=9000").unwrap().listen.port, 9000);
        assert_eq!(cli("-port=9001").unwrap().listen.port, 9001);
        assert_eq!(cli("--db-path=x").unwrap().storage.db_path, Some(PathBuf::from("x")));
        assert_eq!(cli("--db-path=-port").unwrap().storage.db_path, Some(PathBuf::from("-port")));
        let hosts = cli("--allow-host a.test --allow-host=b.test").unwrap().server_options().hosts;
        assert_eq!(hosts, Hosts::Checked(vec!["a.test".into(), "b.test".into()]));
        assert_eq!(cli("--allow-any-host").unwrap().server_options().hosts, Hosts::Any);
        assert_eq!(cli("--admin-token s3cret").unwrap().server_options().policy.admin_token.as_deref(), Some("s3cret"));
        assert!(cli("--shared").unwrap().storage.shared_db);
        // The name listened on is answered to.
        let named = cli("--host devbox.lan --allow-host other").unwrap().server_options().hosts;
        assert_eq!(named, Hosts::Checked(vec!["other".into(), "devbox.lan".into()]));
        assert_eq!(cli("--host 0.0.0.0").unwrap().server_options().hosts, Hosts::Checked(vec![]));
    }

    #[test]
    fn seeds_and_subcommands() {
        let seeded = cli("--seed t.yaml --seed users=u.json --seed-replace").unwrap();
        let users = SeedFile { path: "u.json".into(), table: Some("users".into()) };
        assert_eq!(seeded.seeding.seed, [SeedFile::parse("t.yaml"), users]);
        assert!(seeded.seeding.seed_replace && !cli("--seed t.yaml").unwrap().seeding.seed_replace);
        let (kind, text) = error("--seed-replace");
        assert_eq!(kind, clap::error::ErrorKind::MissingRequiredArgument);
        assert!(text.contains("--seed <PATH>"), "{text}");
        #[cfg(feature = "remote")]
        {
            match cli("dump --endpoint http://127.0.0.1:8000 --table t --out f.json").unwrap().command {
                Some(Command::Dump(dump)) => {
                    assert_eq!(dump.endpoint.endpoint.as_deref(), Some("http://127.0.0.1:8000"));
                    assert_eq!((dump.table.as_str(), dump.out), ("t", Some(PathBuf::from("f.json"))));
                }
                other => panic!("{other:?}"),
            }
            match cli("load --region eu-west-1 --table t f.json").unwrap().command {
                Some(Command::Load(load)) => {
                    assert_eq!((load.endpoint.endpoint, load.endpoint.region.as_deref()), (None, Some("eu-west-1")));
                    assert_eq!((load.table.as_deref(), load.file), (Some("t"), PathBuf::from("f.json")));
                }
                other => panic!("{other:?}"),
            }
            assert!(cli("").unwrap().command.is_none());
            let (kind, text) = error("dump --endpoint http://x");
            assert_eq!(kind, clap::error::ErrorKind::MissingRequiredArgument);
            assert!(text.contains("--table <TABLE>"), "{text}");
        }
    }

    #[test]
    fn help_and_version() {
        for args in ["--help", "-h", "-help"] {
            let (kind, text) = error(args);
            assert_eq!(kind, clap::error::ErrorKind::DisplayHelp, "{args}");
            assert!(text.contains("--db-path <DIR>") && text.contains("-delayTransientStatuses"), "{text}");
        }
        for args in ["--version", "-version"] {
            let (kind, text) = error(args);
            assert_eq!(kind, clap::error::ErrorKind::DisplayVersion);
            assert!(text.contains(env!("CARGO_PKG_VERSION")), "{text}");
        }
    }

    #[test]
    fn mistakes_are_named() {
        let (kind, text) = error("--port 70000");
        assert_eq!(kind, clap::error::ErrorKind::ValueValidation);
        assert!(text.contains("0..=65535"), "{text}");
        let (kind, text) = error("-inMemory -dbPath ./data");
        assert_eq!(kind, clap::error::ErrorKind::ArgumentConflict);
        assert!(text.contains("--in-memory") && text.contains("--db-path"), "{text}");
        let (_, text) = error("--db-path ./data --in-memory");
        assert!(text.contains("--in-memory") && text.contains("--db-path"), "{text}");
        let (kind, text) = error("--threads two");
        assert_eq!(kind, clap::error::ErrorKind::ValueValidation);
        assert!(text.contains("--threads") && text.contains("must be a whole number"), "{text}");
        let (kind, text) = error("-frobnicate");
        assert_eq!(kind, clap::error::ErrorKind::UnknownArgument);
        assert!(text.contains("'-frobnicate'"), "{text}");
        let (_, text) = error("-inmemory");
        assert!(text.contains("spelled -inMemory"), "{text}");
        let (kind, text) = error("--frobnicate");
        assert_eq!(kind, clap::error::ErrorKind::UnknownArgument);
        assert!(text.contains("'--frobnicate'"), "{text}");
        let (_, text) = error("--fault {\"fault\":\"Nope\"}");
        assert!(text.contains("--fault"), "{text}");
        let (kind, _) = error("--port");
        assert_eq!(kind, clap::error::ErrorKind::InvalidValue);
    }

    #[test]
    fn the_banner_says_where_the_data_lives() {
        let local: std::net::SocketAddr = "127.0.0.1:8000".parse().unwrap();
        let memory = banner(local, None, false);
        assert!(memory.contains("http://127.0.0.1:8000") && memory.contains("data is lost on exit"), "{memory}");
        assert!(memory.contains("export AWS_ENDPOINT_URL=http://127.0.0.1:8000\n"), "{memory}");
        assert!(!memory.contains("WARNING"));
        let dir = tempfile::tempdir().unwrap();
        let durable = banner(local, Some(dir.path()), false);
        assert!(durable.contains(&format!("durable at {}", dir.path().canonicalize().unwrap().display())), "{durable}");
        let everyone = banner("0.0.0.0:8000".parse().unwrap(), None, false);
        assert!(everyone.contains("export AWS_ENDPOINT_URL=http://127.0.0.1:8000"), "{everyone}");
        assert!(everyone.contains("anyone who can reach it can read and write every table"), "{everyone}");
        let signed = banner("0.0.0.0:8000".parse().unwrap(), None, true);
        assert!(signed.contains("only signed requests") && !signed.contains("anyone who can reach"), "{signed}");
    }

    #[test]
    fn signature_flags() {
        assert!(cli("").unwrap().signatures.keys().unwrap().is_none(), "off by default");
        let keys =
            cli("--verify-signatures --access-key AK --secret-key SK").unwrap().signatures.keys().unwrap().unwrap();
        assert_eq!(keys.get("AK").unwrap().secret_key, "SK");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("credentials");
        std::fs::write(&file, "[ci]\naws_access_key_id = AKCI\naws_secret_access_key = ci-secret\n").unwrap();
        let args = format!("--verify-signatures --credentials {} --access-key AK --secret-key SK", file.display());
        let keys = cli(&args).unwrap().signatures.keys().unwrap().unwrap();
        assert_eq!((keys.get("AKCI").unwrap().secret_key.as_str(), keys.get("AK").is_some()), ("ci-secret", true));
        let without_keys = cli("--verify-signatures").unwrap().signatures.keys().unwrap_err();
        assert!(without_keys.contains("--access-key"), "{without_keys}");
        let (kind, _) = error("--access-key AK --secret-key SK");
        assert_eq!(kind, clap::error::ErrorKind::MissingRequiredArgument, "keys without --verify-signatures");
        let (kind, _) = error("--verify-signatures --access-key AK");
        assert_eq!(kind, clap::error::ErrorKind::MissingRequiredArgument);
        let missing = format!("--verify-signatures --credentials {}", dir.path().join("nope").display());
        assert!(cli(&missing).unwrap().signatures.keys().unwrap_err().contains("cannot read"));
    }
}
