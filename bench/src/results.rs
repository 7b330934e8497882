//! What a run measured, as written to results.json and read by the report.

use crate::load::Outcome;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Results {
    /// Seconds since the Unix epoch when the run began.
    pub started_unix: u64,
    pub quick: bool,
    pub items: usize,
    pub item_bytes: usize,
    pub phase_seconds: f64,
    pub cores: usize,
    pub targets: Vec<TargetResults>,
    /// The trivial fixed-body HTTP server: the throughput ceiling.
    pub fixed_http: Vec<OpResult>,
    pub in_process: InProcess,
}

#[derive(Debug, Serialize)]
pub struct TargetResults {
    pub name: String,
    /// Process start to first answered ListTables, each run and the median.
    pub startup_runs_ms: Vec<f64>,
    pub startup_median_ms: Option<f64>,
    pub idle_rss_bytes: Option<u64>,
    /// CreateTable with a GSI + 10 PutItem + DeleteTable.
    pub fixture_cycles: usize,
    pub fixture_cycle_median_ms: Option<f64>,
    /// The target's own CPU time per fixture cycle, each round: a cycle's
    /// time is mostly waiting, and a jump here with a jump in the cycle's
    /// duration shows wake-ups across cores rather than more work.
    pub fixture_server_cpu_us_per_cycle: Vec<f64>,
    /// BatchWriteItem load of the main table (figures per item).
    pub load: Outcome,
    pub rss_after_load_bytes: Option<u64>,
    pub ops: Vec<OpResult>,
    pub scale: Vec<ScalePoint>,
    /// Failures and skipped sections, in words.
    pub notes: Vec<String>,
}

impl TargetResults {
    pub fn new(name: &str) -> TargetResults {
        TargetResults {
            name: name.to_string(),
            startup_runs_ms: Vec::new(),
            startup_median_ms: None,
            idle_rss_bytes: None,
            fixture_cycles: 0,
            fixture_cycle_median_ms: None,
            fixture_server_cpu_us_per_cycle: Vec::new(),
            load: Outcome::Failed("not run".into()),
            rss_after_load_bytes: None,
            ops: Vec::new(),
            scale: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn op(&self, label: &str, connections: usize) -> Option<&OpResult> {
        self.ops.iter().find(|o| o.op == label && o.connections == connections)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct OpResult {
    pub op: String,
    pub connections: usize,
    pub outcome: Outcome,
}

/// Query p50 on a table of `items` items.
#[derive(Debug, Clone, Serialize)]
pub struct ScalePoint {
    pub items: usize,
    pub query_table: Outcome,
    pub query_index: Outcome,
}

/// The in-process mode: the real SDK client talking to an embedded emulator without a socket.
#[derive(Debug, Default, Serialize)]
pub struct InProcess {
    /// Why the section has no figures, if it has none.
    pub note: Option<String>,
    pub create_median_us: Option<f64>,
    /// A test's fixture the harness way: a fresh embedded emulator, then
    /// CreateTable with a GSI, 10 PutItem and DeleteTable through the SDK.
    pub fixture_cycle_median_us: Option<f64>,
    /// The same with `harness::start()`: a fresh server on a loopback port,
    /// on the test's runtime, and the SDK's HTTP client.
    pub started_fixture_cycle_median_us: Option<f64>,
    pub ops: Vec<OpResult>,
}
