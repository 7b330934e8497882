//! What a run measured, as written to results.json and read by the report.

use crate::load::{Measured, Outcome};
use crate::stats::Latency;
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
    /// The fixture phase: a test suite forking a seeded fixture per test, against the alternatives.
    pub fixtures: Option<crate::fixtures::FixtureResults>,
    /// The large-table phase (`None` when skipped with `--no-large`).
    pub large: Option<crate::large::LargeResults>,
    /// The durable-mode phases, per target (empty when skipped with `--no-durable`).
    pub durable: Vec<crate::durable_phase::DurableResults>,
    /// Set-up notes: rivals that could not be installed, and why.
    pub notes: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct TargetResults {
    pub name: String,
    /// Process start to first answered ListTables, each run and the median.
    pub startup_runs_ms: Vec<f64>,
    pub startup_median_ms: Option<f64>,
    pub idle_rss_bytes: Option<u64>,
    /// Idle proportional set size: shared library pages divided among their users.
    pub idle_pss_bytes: Option<u64>,
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
    /// The streams phase (`None` when skipped with `--no-streams`).
    pub streams: Option<StreamsResults>,
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
            idle_pss_bytes: None,
            fixture_cycles: 0,
            fixture_cycle_median_ms: None,
            fixture_server_cpu_us_per_cycle: Vec::new(),
            load: Outcome::Failed("not run".into()),
            rss_after_load_bytes: None,
            ops: Vec::new(),
            scale: Vec::new(),
            streams: None,
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
    /// The same partition read by a PartiQL SELECT binding the partition key.
    pub statement: Outcome,
}

/// The streams phase: a table like the main one (same items, same GSI) with a
/// stream, loaded, read back through the Streams API, then written to.
#[derive(Debug, Clone, Serialize)]
pub struct StreamsResults {
    pub table: String,
    pub view_type: String,
    /// Items loaded into the streamed table: each is one INSERT record.
    pub items: usize,
    /// BatchWriteItem load of the streamed table, 16 connections (figures per item).
    pub load: Outcome,
    /// Reading every record back, one client (DescribeStream, then per shard
    /// GetShardIterator TRIM_HORIZON and GetRecords of up to 1000 records
    /// until an empty page or no NextShardIterator), as many whole passes as
    /// fit the phase's seconds. `ops` counts records (so ops/s is records/s
    /// and server CPU is per record); latency is per GetRecords call.
    pub read: Outcome,
    pub read_detail: Option<StreamRead>,
    /// PutItem at 16 connections on the main table (no stream) and on the
    /// streamed table, same workload: each the two runs of `put_runs`
    /// together (ops and seconds summed, CPU per op over both; latency
    /// percentiles are the two runs' averaged, weighted by samples).
    pub put_without_stream: Outcome,
    pub put_with_stream: Outcome,
    /// The PutItem runs in the order measured: without, with, with, without.
    pub put_runs: Vec<PutRun>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PutRun {
    pub stream: bool,
    pub outcome: Outcome,
}

impl StreamsResults {
    pub fn new(table: &str, view_type: &str, items: usize) -> StreamsResults {
        let not_run = || Outcome::Failed("not run".into());
        StreamsResults {
            table: table.to_string(),
            view_type: view_type.to_string(),
            items,
            load: not_run(),
            read: not_run(),
            read_detail: None,
            put_without_stream: not_run(),
            put_with_stream: not_run(),
            put_runs: Vec::new(),
        }
    }

    /// Sets `put_without_stream` and `put_with_stream` from `put_runs` (if any ran).
    pub fn combine_put_runs(&mut self) {
        if self.put_runs.is_empty() {
            return;
        }
        let combined = |stream: bool| {
            let runs: Vec<&Outcome> = self.put_runs.iter().filter(|r| r.stream == stream).map(|r| &r.outcome).collect();
            combine(&runs)
        };
        (self.put_without_stream, self.put_with_stream) = (combined(false), combined(true));
    }
}

/// Measurements of the same thing taken apart, as one: the first outcome
/// that is not a measurement if there is one.
pub fn combine(outcomes: &[&Outcome]) -> Outcome {
    let mut measured = Vec::new();
    for outcome in outcomes {
        match outcome {
            Outcome::Measured(m) => measured.push(m),
            other => return (*other).clone(),
        }
    }
    let Some(first) = measured.first() else { return Outcome::Failed("not run".into()) };
    let ops: u64 = measured.iter().map(|m| m.ops).sum();
    let seconds: f64 = measured.iter().map(|m| m.seconds).sum();
    let by_ops =
        |f: fn(&Measured) -> f64| measured.iter().map(|m| f(m) * m.ops as f64).sum::<f64>() / ops.max(1) as f64;
    let latencies: Vec<Latency> = measured.iter().filter_map(|m| m.latency).collect();
    let samples: usize = latencies.iter().map(|l| l.samples).sum();
    let by_samples =
        |f: fn(&Latency) -> f64| latencies.iter().map(|l| f(l) * l.samples as f64).sum::<f64>() / samples.max(1) as f64;
    Outcome::Measured(Measured {
        ops,
        seconds,
        ops_per_second: ops as f64 / seconds,
        latency: (samples > 0).then(|| Latency {
            samples,
            p50_us: by_samples(|l| l.p50_us),
            p99_us: by_samples(|l| l.p99_us),
            mean_us: by_samples(|l| l.mean_us),
        }),
        server_cpu_us_per_op: first.server_cpu_us_per_op.map(|_| by_ops(|m| m.server_cpu_us_per_op.unwrap_or(0.0))),
        client_cpu_us_per_op: by_ops(|m| m.client_cpu_us_per_op),
        client_cpu_percent: measured.iter().map(|m| m.client_cpu_percent * m.seconds).sum::<f64>() / seconds,
        errors: measured.iter().map(|m| m.errors).sum(),
    })
}

/// What the stream read-back went through.
#[derive(Debug, Clone, Serialize)]
pub struct StreamRead {
    pub shards: usize,
    /// Records one pass read (every pass reads them all; the load wrote `items`).
    pub records_per_pass: u64,
    pub passes: usize,
    pub get_records_calls: u64,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn run(ops: u64, seconds: f64, cpu: f64, p50: f64) -> Outcome {
        Outcome::Measured(Measured {
            ops,
            seconds,
            ops_per_second: ops as f64 / seconds,
            latency: Some(Latency { samples: ops as usize, p50_us: p50, p99_us: p50 * 2.0, mean_us: p50 }),
            server_cpu_us_per_op: Some(cpu),
            client_cpu_us_per_op: 1.0,
            client_cpu_percent: 50.0,
            errors: 0,
        })
    }

    #[test]
    fn put_runs_combine_per_variant() {
        let mut phase = StreamsResults::new("t", "NEW_AND_OLD_IMAGES", 10);
        phase.combine_put_runs();
        assert!(matches!(phase.put_with_stream, Outcome::Failed(_)), "no runs: left as it was");
        for (stream, outcome) in
            [(false, run(100, 1.0, 10.0, 5.0)), (true, run(300, 1.0, 20.0, 9.0)), (true, run(100, 1.0, 40.0, 5.0))]
        {
            phase.put_runs.push(PutRun { stream, outcome });
        }
        phase.put_runs.push(PutRun { stream: false, outcome: Outcome::NotImplemented("x".into()) });
        phase.combine_put_runs();
        assert!(matches!(phase.put_without_stream, Outcome::NotImplemented(_)));
        let Outcome::Measured(with) = &phase.put_with_stream else { panic!("measured") };
        assert_eq!((with.ops, with.seconds, with.ops_per_second), (400, 2.0, 200.0));
        assert_eq!(with.server_cpu_us_per_op, Some(25.0));
        assert_eq!(with.latency.map(|l| (l.samples, l.p50_us)), Some((400, 8.0)));
    }
}
