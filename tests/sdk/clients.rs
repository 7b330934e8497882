//! Real clients in other languages against the emulator (`tests/clients/`):
//! the README's quick-start commands as written (the AWS CLI from PyPI, curl),
//! a boto3 session (`tests/clients/python/session.py`) and a JS SDK v3
//! session (`tests/clients/js/session.mjs`), and dynamodb-admin's pages in headless
//! Chromium (`tests/console/dynamodb-admin.mjs`). boto3 is installed from PyPI into
//! the harness's cache, the JS SDK from npm with the committed lockfile.
//! Required with `CI=true`; elsewhere skipped with a message when a tool is missing.

use emulator::State;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

/// The pinned boto3 (with its botocore and s3transfer).
const BOTO3_VERSION: &str = "1.44.18";

/// An emulator served as the binary serves by default (no signature check,
/// any credentials), as the README's quick start and other languages' clients
/// meet it. Stops when the returned sender is dropped.
pub async fn serve_as_binary() -> (String, Arc<State>, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
    let endpoint = format!("http://{}", listener.local_addr().expect("local address"));
    let state = Arc::new(State::default());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = Arc::clone(&state);
    tokio::spawn(async move {
        let shutdown = async move {
            let _ = stopped.await;
        };
        let _ = emulator::server::serve_with(listener, served, Default::default(), shutdown).await;
    });
    (endpoint, state, stop)
}

/// A path inside the repository.
pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(relative)
}

/// A tool the test needs is missing: a failure in CI, a skip elsewhere.
pub fn required(what: &str, why: &str) {
    let ci = std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
    if ci {
        panic!("{what} is required in CI but unavailable: {why}");
    }
    eprintln!("skipping: {what} is unavailable: {why}");
}

/// `npm ci` in `dir` (its committed package-lock.json) unless its packages are
/// there already; `None` after [`required`] when Node.js or npm is missing.
pub fn node_packages(dir: &Path) -> Option<PathBuf> {
    // Tests sharing a directory install it once: the others wait here.
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let lock = std::fs::File::create(std::env::temp_dir().join(format!("ddb-emulator-npm-{name}.lock")));
    let _held = lock.and_then(|file| file.lock().map(|()| file));
    let modules = dir.join("node_modules");
    let stamp = modules.join(".package-lock.json");
    let lock = std::fs::read(dir.join("package-lock.json")).ok();
    let installed = std::fs::metadata(&stamp).is_ok();
    // npm rewrites node_modules/.package-lock.json on install: older than the lockfile means stale.
    let fresh = installed
        && lock.is_some()
        && std::fs::metadata(&stamp).and_then(|m| m.modified()).ok()
            >= std::fs::metadata(dir.join("package-lock.json")).and_then(|m| m.modified()).ok();
    if fresh {
        return Some(modules);
    }
    let output =
        Command::new("npm").args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]).current_dir(dir).output();
    match output {
        Ok(out) if out.status.success() => Some(modules),
        Ok(out) => {
            required(&format!("npm packages of {}", dir.display()), String::from_utf8_lossy(&out.stderr).trim());
            None
        }
        Err(e) => {
            required("Node.js and npm", &e.to_string());
            None
        }
    }
}

/// Chromium's path, once the npm packages of `tests/console` (Playwright,
/// dynamodb-admin) are in place; `None` after [`required`] when either is missing.
pub async fn browser() -> Option<String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).is_file() {
        required("Chromium (apt-get install chromium)", &format!("{chromium} not found"));
        return None;
    }
    let dir = repo_path("tests/console");
    tokio::task::spawn_blocking(move || node_packages(&dir)).await.expect("npm thread")?;
    Some(chromium)
}

/// Runs `tests/console/<script>` with Node.js against `endpoint` (screenshots
/// to `target/console-screenshots/`) and fails with its log unless it passes.
pub async fn run_browser_script(script: &str, endpoint: String, chromium: String) {
    let (script, shots) = (repo_path(&format!("tests/console/{script}")), repo_path("target/console-screenshots"));
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node").arg(script).arg(endpoint).arg(shots).env("CHROMIUM", chromium).output()
    })
    .await
    .expect("node thread")
    .expect("run node");
    let log = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    println!("{log}");
    assert!(output.status.success(), "the browser checks failed:\n{log}");
}

/// boto3 from PyPI, installed into the harness's cache on first use.
fn boto3() -> Option<PathBuf> {
    harness::python_package("boto3", BOTO3_VERSION)
}

/// Runs a client program with the environment a user sets up (README's quick
/// start) and nothing of the machine's own AWS configuration.
fn run_client(program: &str, args: &[&Path], endpoint: &str, extra: &[(&str, &Path)]) -> String {
    let home = tempfile_dir("client-home");
    let mut command = Command::new(program);
    command.args(args);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("AWS_") {
            command.env_remove(name);
        }
    }
    command
        .env("HOME", &home)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "x");
    for (name, value) in extra {
        command.env(name, value);
    }
    let output = command.output().unwrap_or_else(|e| panic!("run {program}: {e}"));
    let log = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    let _ = std::fs::remove_dir_all(&home);
    assert!(output.status.success(), "{program} {args:?} failed:\n{log}");
    log
}

fn tempfile_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("{name}-{}-{}", std::process::id(), fastrand_suffix()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn fastrand_suffix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0)
}

/// The README's shell blocks that talk to a running emulator: the quick start
/// (`aws dynamodb list-tables`) and the admin API (`curl .../_emulator/clock`).
fn readme_blocks() -> Vec<String> {
    let readme = std::fs::read_to_string(repo_path("README.md")).expect("README.md");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match (&mut current, line.trim_start()) {
            (None, "```sh") => current = Some(String::new()),
            (Some(block), "```") => {
                // Blocks that start an emulator of their own (`emulator --verify-signatures ...`) are not run.
                let starts_one = block.lines().any(|l| l.trim_start().starts_with("emulator "));
                if !starts_one && (block.contains("aws dynamodb list-tables") || block.contains("/_emulator/clock")) {
                    blocks.push(std::mem::take(block));
                }
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[tokio::test(flavor = "multi_thread")]
async fn readme_quick_start_commands_run_as_written() {
    let Some(cli) = tokio::task::spawn_blocking(harness::aws_cli).await.expect("install thread") else { return };
    let blocks = readme_blocks();
    assert_eq!(blocks.len(), 2, "the README's quick start and admin API blocks: {blocks:?}");
    let (endpoint, state, _stop) = serve_as_binary().await;
    // The README says 127.0.0.1:8000; this emulator has its own port, the one thing changed.
    let here = endpoint.trim_start_matches("http://").to_string();
    let bin = tempfile_dir("readme-bin");
    let aws = bin.join("aws");
    let shim = format!("#!/bin/sh\nPYTHONPATH='{}' exec python3 -m awscli \"$@\"\n", cli.python_path().display());
    std::fs::write(&aws, shim).expect("write aws shim");
    std::fs::set_permissions(&aws, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod aws shim");
    let path = std::env::join_paths(
        std::iter::once(bin.clone()).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .expect("PATH");
    let table = serde_json::json!({"TableName": "ReadmeTable", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"});
    emulator::dispatch(&state, emulator::Operation::CreateTable, &table).expect("create table");
    let before = state.clock.now_millis();
    for block in blocks {
        let script = format!("set -eu\n{}", block.replace("127.0.0.1:8000", &here));
        let (path, bin) = (path.clone(), bin.clone());
        let output = tokio::task::spawn_blocking(move || {
            let mut command = Command::new("bash");
            command.arg("-c").arg(&script).env("PATH", path).env("HOME", &bin);
            for (name, _) in std::env::vars_os() {
                if name.to_string_lossy().starts_with("AWS_") {
                    command.env_remove(name);
                }
            }
            command.output().expect("run bash")
        })
        .await
        .expect("bash thread");
        let out = String::from_utf8_lossy(&output.stdout).to_string();
        let err = String::from_utf8_lossy(&output.stderr).to_string();
        assert!(output.status.success(), "README block failed:\n{block}\nstdout: {out}\nstderr: {err}");
        if block.contains("list-tables") {
            // Both list-tables commands (with AWS_ENDPOINT_URL and with --endpoint-url) print the table.
            assert_eq!(out.matches("ReadmeTable").count(), 2, "{out}");
        } else {
            assert!(out.contains("nowMillis"), "{out}");
        }
    }
    assert!(state.clock.now_millis() >= before + 60_000, "the README's curl moved the clock");
    let _ = std::fs::remove_dir_all(&bin);
}

#[tokio::test(flavor = "multi_thread")]
async fn boto3_session() {
    let Some(site) = tokio::task::spawn_blocking(boto3).await.expect("install thread") else { return };
    let (endpoint, state, _stop) = serve_as_binary().await;
    // Tables stay CREATING a moment, so the waiters wait.
    state.status_delay.set(Duration::from_millis(400));
    let log = tokio::task::spawn_blocking(move || {
        let script = repo_path("tests/clients/python/session.py");
        run_client("python3", &[&script], &endpoint, &[("PYTHONPATH", &site)])
    })
    .await
    .expect("python thread");
    println!("{log}");
    assert!(log.contains("boto3 session passed"), "{log}");
}

/// boto3 against an emulator verifying signatures (`harness::start()`): served
/// with the right credentials, DynamoDB's errors with a wrong secret or key.
#[tokio::test(flavor = "multi_thread")]
async fn boto3_with_verified_signatures() {
    let Some(site) = tokio::task::spawn_blocking(boto3).await.expect("install thread") else { return };
    let db = harness::start().await;
    let endpoint = db.endpoint().to_string();
    let log = tokio::task::spawn_blocking(move || {
        let script = repo_path("tests/clients/python/signatures.py");
        let credentials = [
            ("AWS_ACCESS_KEY_ID", Path::new(harness::ACCESS_KEY)),
            ("AWS_SECRET_ACCESS_KEY", Path::new(harness::SECRET_KEY)),
        ];
        run_client(
            "python3",
            &[&script],
            &endpoint,
            &[&[("PYTHONPATH", site.as_path())][..], &credentials[..]].concat(),
        )
    })
    .await
    .expect("python thread");
    println!("{log}");
    assert!(log.contains("boto3 signatures passed"), "{log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn js_sdk_v3_session() {
    let dir = repo_path("tests/clients/js");
    let Some(_) = tokio::task::spawn_blocking(move || node_packages(&dir)).await.expect("npm thread") else { return };
    let (endpoint, state, _stop) = serve_as_binary().await;
    state.status_delay.set(Duration::from_millis(400));
    let log = tokio::task::spawn_blocking(move || {
        let script = repo_path("tests/clients/js/session.mjs");
        run_client("node", &[&script], &endpoint, &[])
    })
    .await
    .expect("node thread");
    println!("{log}");
    assert!(log.contains("JS SDK session passed"), "{log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn dynamodb_admin_pages_in_headless_chromium() {
    let Some(chromium) = browser().await else { return };
    let (endpoint, state, _stop) = serve_as_binary().await;
    let library = serde_json::json!({
        "TableName": "Library",
        "KeySchema": [{"AttributeName": "isbn", "KeyType": "HASH"}],
        "AttributeDefinitions": [
            {"AttributeName": "isbn", "AttributeType": "S"},
            {"AttributeName": "author", "AttributeType": "S"}
        ],
        "GlobalSecondaryIndexes": [{
            "IndexName": "byAuthor",
            "KeySchema": [{"AttributeName": "author", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}
        }],
        "BillingMode": "PAY_PER_REQUEST"
    });
    emulator::dispatch(&state, emulator::Operation::CreateTable, &library).expect("create Library");
    for n in 1..=12 {
        let item = serde_json::json!({
            "isbn": {"S": format!("978-{n:04}")},
            "title": {"S": format!("Book {n}")},
            "author": {"S": if n % 2 == 0 { "Le Guin" } else { "Lem" }},
            "pages": {"N": (100 + n).to_string()}
        });
        emulator::dispatch(
            &state,
            emulator::Operation::PutItem,
            &serde_json::json!({"TableName": "Library", "Item": item}),
        )
        .expect("put");
    }
    run_browser_script("dynamodb-admin.mjs", endpoint, chromium).await;
}
