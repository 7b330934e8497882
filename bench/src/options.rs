//! Command line of the benchmark.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

pub const USAGE: &str = "usage: cargo run --release -p bench -- [options]
  --quick               small counts and short phases (for development)
  --items N             items in the main table (default 100000; --quick: 5000)
  --seconds S           recorded seconds per phase (default 3; --quick: 0.5)
  --emulator PATH       emulator binary (default: `emulator` next to the bench binary)
  --no-ddb-local        measure without DynamoDB Local
  --ddb-local-dir DIR   an unpacked DynamoDB Local (default: installed as the conformance suite does)
  --no-dynoxide         measure without Dynoxide
  --dynoxide PATH       a Dynoxide binary (default: `cargo install dynoxide-rs` into a cache on first use)
  --no-durable          skip the durable-mode phases (writes with --db-path, replay at start-up, compaction)
  --other-url URL       a third target already running, e.g. http://127.0.0.1:4567
  --other-cmd 'CMD'     a third target started by a command; {port} is replaced by its port
  --no-scale            skip the Query-versus-table-size phase
  --large-items N       the large-table phase's last step (default 10000000; --quick: 100000)
  --no-large            skip the large-table phase (the emulator loaded to --large-items items)
  --no-streams          skip the streams phase (PutItem with a stream, GetRecords read-back)
  --fixtures-only       only the fixture phase (a test suite forking a seeded fixture per test, against the alternatives)
  --out DIR             where results.json and chart.svg go (default bench/results)";

#[derive(Debug, Clone, PartialEq)]
pub enum Other {
    Url(SocketAddr),
    Command(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub quick: bool,
    pub items: usize,
    pub seconds: Duration,
    pub emulator: Option<PathBuf>,
    pub ddb_local: bool,
    pub ddb_local_dir: Option<PathBuf>,
    pub dynoxide: bool,
    pub dynoxide_path: Option<PathBuf>,
    pub durable: bool,
    pub other: Option<Other>,
    pub scale: bool,
    /// The large-table phase's item count (0: skipped).
    pub large_items: usize,
    pub streams: bool,
    /// Run only the fixture phase (`crate::fixtures`).
    pub fixtures_only: bool,
    pub out: PathBuf,
    /// Internal: run the fixed-body HTTP server on this port.
    pub serve_fixed: Option<u16>,
}

impl Options {
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
        let mut quick = false;
        let mut items = None;
        let mut seconds = None;
        let mut options = Options {
            quick: false,
            items: 0,
            seconds: Duration::ZERO,
            emulator: None,
            ddb_local: true,
            ddb_local_dir: None,
            dynoxide: true,
            dynoxide_path: None,
            durable: true,
            other: None,
            scale: true,
            large_items: usize::MAX,
            streams: true,
            fixtures_only: false,
            out: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/results")),
            serve_fixed: None,
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value\n{USAGE}"));
            match arg.as_str() {
                "--quick" => quick = true,
                "--items" => items = Some(value()?.parse::<usize>().map_err(|e| format!("--items: {e}"))?),
                "--seconds" => {
                    let s: f64 = value()?.parse().map_err(|e| format!("--seconds: {e}"))?;
                    seconds = Some(Duration::try_from_secs_f64(s).map_err(|e| format!("--seconds: {e}"))?);
                }
                "--emulator" => options.emulator = Some(PathBuf::from(value()?)),
                "--no-ddb-local" => options.ddb_local = false,
                "--ddb-local-dir" => options.ddb_local_dir = Some(PathBuf::from(value()?)),
                "--no-dynoxide" => options.dynoxide = false,
                "--dynoxide" => options.dynoxide_path = Some(PathBuf::from(value()?)),
                "--no-durable" => options.durable = false,
                "--other-url" => options.other = Some(Other::Url(parse_url(&value()?)?)),
                "--other-cmd" => {
                    let words: Vec<String> = value()?.split_whitespace().map(str::to_string).collect();
                    if words.is_empty() {
                        return Err("--other-cmd needs a command".into());
                    }
                    options.other = Some(Other::Command(words));
                }
                "--no-scale" => options.scale = false,
                "--large-items" => {
                    options.large_items = value()?.parse::<usize>().map_err(|e| format!("--large-items: {e}"))?
                }
                "--no-large" => options.large_items = 0,
                "--no-streams" => options.streams = false,
                "--fixtures-only" => options.fixtures_only = true,
                "--out" => options.out = PathBuf::from(value()?),
                "--serve-fixed" => {
                    options.serve_fixed = Some(value()?.parse().map_err(|e| format!("--serve-fixed: {e}"))?)
                }
                "-h" | "--help" => return Err(USAGE.into()),
                other => return Err(format!("unknown option {other}\n{USAGE}")),
            }
        }
        options.quick = quick;
        options.items = items.unwrap_or(if quick { 5_000 } else { 100_000 });
        if options.items < 100 {
            return Err("--items must be at least 100".into());
        }
        if options.large_items == usize::MAX {
            options.large_items = if quick { 100_000 } else { 10_000_000 };
        }
        options.seconds = seconds.unwrap_or(if quick { Duration::from_millis(500) } else { Duration::from_secs(3) });
        Ok(options)
    }
}

/// `http://127.0.0.1:8000` (or without the scheme) → a socket address.
fn parse_url(url: &str) -> Result<SocketAddr, String> {
    let rest = url.strip_prefix("http://").unwrap_or(url).trim_end_matches('/');
    let rest = rest.replace("localhost", "127.0.0.1");
    rest.parse().map_err(|_| format!("--other-url wants http://IP:PORT, got {url}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, String> {
        Options::parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn defaults_and_quick() {
        let full = parse(&[]).expect("defaults");
        assert_eq!(
            (full.items, full.seconds, full.ddb_local, full.scale, full.streams),
            (100_000, Duration::from_secs(3), true, true, true)
        );
        assert!(!parse(&["--no-streams"]).expect("no streams").streams);
        let quick = parse(&["--quick"]).expect("quick");
        assert_eq!((quick.items, quick.seconds), (5_000, Duration::from_millis(500)));
        let explicit = parse(&["--quick", "--items", "2000", "--seconds", "1.5"]).expect("explicit");
        assert_eq!((explicit.items, explicit.seconds), (2_000, Duration::from_millis(1500)));
    }

    #[test]
    fn dynoxide_and_durable_phases() {
        let full = parse(&[]).expect("defaults");
        assert_eq!((full.dynoxide, full.dynoxide_path.clone(), full.durable), (true, None, true));
        let skipped = parse(&["--no-dynoxide", "--no-durable"]).expect("skipped");
        assert_eq!((skipped.dynoxide, skipped.durable), (false, false));
        let given = parse(&["--dynoxide", "/opt/dynoxide"]).expect("path");
        assert_eq!(given.dynoxide_path, Some(PathBuf::from("/opt/dynoxide")));
        assert!(parse(&["--dynoxide"]).is_err());
    }

    #[test]
    fn third_target_by_url_or_command() {
        let url = parse(&["--other-url", "http://localhost:4567/"]).expect("url");
        assert_eq!(url.other, Some(Other::Url("127.0.0.1:4567".parse().expect("addr"))));
        let cmd = parse(&["--other-cmd", "dynalite --port {port}"]).expect("cmd");
        assert_eq!(cmd.other, Some(Other::Command(vec!["dynalite".into(), "--port".into(), "{port}".into()])));
    }

    #[test]
    fn refuses_bad_input() {
        assert!(parse(&["--items"]).is_err());
        assert!(parse(&["--items", "ten"]).is_err());
        assert!(parse(&["--items", "5"]).is_err());
        assert!(parse(&["--seconds", "-1"]).is_err());
        assert!(parse(&["--other-url", "nowhere"]).is_err());
        assert!(parse(&["--frobnicate"]).is_err());
    }
}
