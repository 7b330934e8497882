//! Starting the emulator binary in integration tests (`mod binary;`): on a
//! free port, its banner read for the values a test needs, killed (SIGKILL)
//! when dropped so a failing test leaves nothing behind.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The emulator process.
pub struct Running(pub Child);

impl Running {
    /// `kill -9`, and wait for it to be gone.
    pub fn kill_9(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.kill_9();
    }
}

/// Starts the binary with `--port 0` and `args`, reads its banner (on stderr)
/// until a line has shown each of `prefixes`, and returns the word that
/// follows each one, in order (`export AWS_ENDPOINT_URL=` gives the endpoint).
/// Its later output is drained so it never blocks on a full pipe.
pub fn start(args: &[&OsStr], prefixes: &[&str]) -> (Running, Vec<String>) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_emulator"));
    command.args(args);
    start_command(command, prefixes)
}

/// [`start`] with a command of the caller's making (its arguments, limits, ...).
#[allow(dead_code)] // not every test binary needs it
pub fn start_command(command: Command, prefixes: &[&str]) -> (Running, Vec<String>) {
    let (running, found, _log) = start_logged(command, prefixes);
    (running, found)
}

/// What the emulator logged (stderr) after its banner, line by line, as it comes.
pub type Log = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// [`start_command`], also keeping what the emulator logs after its banner.
pub fn start_logged(mut command: Command, prefixes: &[&str]) -> (Running, Vec<String>, Log) {
    let mut child = command
        .args(["--port", "0"])
        .env("RUST_LOG", "emulator=info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the emulator binary");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let mut found: Vec<Option<String>> = vec![None; prefixes.len()];
    while found.iter().any(Option::is_none) {
        let line = lines.next().expect("the emulator's banner").expect("read stderr");
        for (prefix, value) in prefixes.iter().zip(&mut found) {
            if let Some(at) = line.find(prefix) {
                let rest = &line[at + prefix.len()..];
                *value = Some(rest.split_whitespace().next().unwrap_or_default().to_string());
            }
        }
    }
    let log = Log::default();
    let kept = std::sync::Arc::clone(&log);
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            kept.lock().unwrap().push(line);
        }
    });
    (Running(child), found.into_iter().flatten().collect(), log)
}

/// The banner's line to paste: where the emulator answers.
pub const ENDPOINT: &str = "export AWS_ENDPOINT_URL=";
