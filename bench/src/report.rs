//! The report: the summary against the targets, per-operation detail, the
//! streams phase, Query against table size and in-process figures, as plain text (stdout) and
//! Markdown (results.md; the README quotes its headline rows and links it).

use crate::load::{Measured, Outcome};
use crate::results::{Results, StreamsResults, TargetResults};
use crate::run::CONNECTIONS;
use crate::workload::Op;

const MIB: f64 = 1024.0 * 1024.0;

/// A table: header and rows of cells.
pub struct Table {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn text(&self) -> String {
        let columns = self.header.len();
        let width = |c: usize| {
            std::iter::once(&self.header)
                .chain(&self.rows)
                .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..columns).map(width).collect();
        let line = |row: &Vec<String>| {
            let cells: Vec<String> = (0..columns)
                .map(|c| {
                    let cell = row.get(c).map_or("", String::as_str);
                    format!("{cell}{}", " ".repeat(widths[c] - cell.chars().count()))
                })
                .collect();
            cells.join(" | ").trim_end().to_string()
        };
        let mut out = format!("{}\n{}\n", self.title, line(&self.header));
        out.push_str(&widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("-+-"));
        out.push('\n');
        for row in &self.rows {
            out.push_str(&line(row));
            out.push('\n');
        }
        out
    }

    pub fn markdown(&self) -> String {
        let mut out =
            format!("**{}**\n\n| {} |\n|{}\n", self.title, self.header.join(" | "), " --- |".repeat(self.header.len()));
        for row in &self.rows {
            out.push_str(&format!("| {} |\n", row.join(" | ")));
        }
        out
    }
}

pub(crate) fn measured(outcome: &Outcome) -> Option<&Measured> {
    match outcome {
        Outcome::Measured(m) => Some(m),
        _ => None,
    }
}

pub(crate) fn missing(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Measured(_) => "–".into(),
        Outcome::NotImplemented(_) => "n/a (not implemented)".into(),
        Outcome::Failed(e) => format!("failed: {}", e.chars().take(60).collect::<String>()),
    }
}

/// Why an operation at 16 connections has no figure.
fn op_missing(target: &TargetResults, op: Op) -> String {
    target.op(op.label(), 16).map_or("–".into(), |r| missing(&r.outcome))
}

pub(crate) fn number(value: f64) -> String {
    if value >= 100.0 {
        let whole = value.round() as u64;
        let digits = whole.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// How many times better the first target is than `other`: other/first
/// for costs (lower is better), first/other for rates.
pub(crate) fn advantage(first: Option<f64>, other: Option<f64>, lower_is_better: bool) -> String {
    match (first, other) {
        (Some(a), Some(b)) if a > 0.0 && b > 0.0 => {
            let ratio = if lower_is_better { b / a } else { a / b };
            format!("{}×", number(ratio))
        }
        _ => "–".into(),
    }
}

pub(crate) fn verdict(value: Option<f64>, limit: Option<f64>, lower_is_better: bool) -> String {
    match (value, limit) {
        (Some(v), Some(l)) if (lower_is_better && v <= l) || (!lower_is_better && v >= l) => "met".into(),
        (Some(_), Some(_)) => "MISSED".into(),
        _ => "–".into(),
    }
}

/// Reads one figure of a target.
type Figure<'a, T = TargetResults> = Box<dyn Fn(&T) -> Option<f64> + 'a>;

/// A row of a figure: one cell per target, the first target's advantage
/// over each other, the target figure and whether the first meets it.
pub(crate) struct Metric<'a, T = TargetResults> {
    pub name: String,
    pub value: Figure<'a, T>,
    pub show: fn(f64) -> String,
    /// What to show when the figure is missing (e.g. "n/a (not implemented)").
    pub why_missing: Box<dyn Fn(&T) -> String + 'a>,
    pub lower_is_better: bool,
    /// Whether an "advantage" ratio means anything for this figure.
    pub compare: bool,
    pub target: String,
    pub limit: Option<f64>,
}

impl<T> Metric<'_, T> {
    /// The row's cells for `targets` (the first is the one compared and judged).
    pub fn cells(&self, targets: &[T]) -> Vec<String> {
        let mut row = vec![self.name.clone()];
        row.extend(targets.iter().map(|t| (self.value)(t).map_or_else(|| (self.why_missing)(t), self.show)));
        let first = targets.first().and_then(|t| (self.value)(t));
        row.extend(targets.iter().skip(1).map(|t| {
            if self.compare {
                advantage(first, (self.value)(t), self.lower_is_better)
            } else {
                "–".into()
            }
        }));
        row.push(self.target.clone());
        row.push(verdict(first, self.limit, self.lower_is_better));
        row
    }
}

pub fn summary(results: &Results) -> Table {
    let first = &results.targets[0];
    let others = &results.targets[1..];
    let raw_bytes = (results.items * results.item_bytes) as f64;
    let fixed_16 = results
        .fixed_http
        .iter()
        .find(|r| r.connections == 16)
        .and_then(|r| measured(&r.outcome))
        .map(|m| m.ops_per_second);
    let ddb_local = results.targets.iter().find(|t| t.name == crate::dynamodb_local::NAME);
    let dynoxide = results.targets.iter().find(|t| t.name == crate::dynoxide::NAME);
    let op_figure = move |op: Op, f: fn(&Measured) -> Option<f64>| {
        move |t: &TargetResults| t.op(op.label(), 16).and_then(|r| measured(&r.outcome)).and_then(f)
    };
    let mut metrics: Vec<Metric> = vec![
        Metric {
            name: "start-up to first ListTables (median)".into(),
            value: Box::new(|t| t.startup_median_ms),
            show: |v| format!("{} ms", number(v)),
            why_missing: Box::new(|_| "–".into()),
            lower_is_better: true,
            compare: true,
            target: "≤ 2 ms".into(),
            limit: Some(2.0),
        },
        Metric {
            name: "idle RSS".into(),
            value: Box::new(|t| t.idle_rss_bytes.map(|b| b as f64 / MIB)),
            show: |v| format!("{} MiB", number(v)),
            why_missing: Box::new(|_| "–".into()),
            lower_is_better: true,
            compare: true,
            target: "≤ 4 MiB".into(),
            limit: Some(4.0),
        },
        Metric {
            name: "idle PSS (shared library pages divided among their users)".into(),
            value: Box::new(|t| t.idle_pss_bytes.map(|b| b as f64 / MIB)),
            show: |v| format!("{} MiB", number(v)),
            why_missing: Box::new(|_| "–".into()),
            lower_is_better: true,
            compare: true,
            target: "reported".into(),
            limit: None,
        },
        Metric {
            name: format!(
                "RSS after loading {} items ({} MiB raw)",
                number(results.items as f64),
                number(raw_bytes / MIB)
            ),
            value: Box::new(|t| t.rss_after_load_bytes.map(|b| b as f64 / MIB)),
            show: |v| format!("{} MiB", number(v)),
            why_missing: Box::new(|_| "–".into()),
            lower_is_better: true,
            compare: true,
            target: format!("≤ 3× raw = {} MiB", number(3.0 * raw_bytes / MIB)),
            limit: Some(3.0 * raw_bytes / MIB),
        },
        Metric {
            name: "BatchWriteItem load, 16 conn".into(),
            value: Box::new(|t| measured(&t.load).map(|m| m.ops_per_second)),
            show: |v| format!("{} items/s", number(v)),
            why_missing: Box::new(|t| missing(&t.load)),
            lower_is_better: false,
            compare: true,
            target: "≥ 10× DynamoDB Local".into(),
            limit: ddb_local.and_then(|t| measured(&t.load)).map(|m| 10.0 * m.ops_per_second),
        },
        Metric {
            name: "fixture cycle (CreateTable+GSI, 10 PutItem, DeleteTable), median".into(),
            value: Box::new(|t| t.fixture_cycle_median_ms),
            show: |v| format!("{} ms", number(v)),
            why_missing: Box::new(|_| "–".into()),
            lower_is_better: true,
            compare: true,
            target: "≤ 1 ms".into(),
            limit: Some(1.0),
        },
        Metric {
            name: "fixture cycle in process (new harness::embedded, real SDK client), median".into(),
            value: {
                let in_process = results.in_process.fixture_cycle_median_us.map(|us| us / 1e3);
                let first = first.name.clone();
                Box::new(move |t| if t.name == first { in_process } else { None })
            },
            show: |v| format!("{} ms", number(v)),
            why_missing: Box::new(|_| "n/a (no in-process mode)".into()),
            lower_is_better: true,
            compare: false,
            target: "≤ 1 ms".into(),
            limit: Some(1.0),
        },
    ];
    for (op, cpu_limit, share) in [
        (Op::GetItem, 20.0, 0.5),
        (Op::PutItem, 30.0, 0.4),
        (Op::UpdateItem, 30.0, 0.4),
        (Op::QueryTable, 40.0, 0.4),
        (Op::QueryIndex, 40.0, 0.4),
    ] {
        // Against the strongest rival when it ran (a third of Dynoxide's CPU), else absolute.
        let (cpu_target, cpu_limit) = match dynoxide.and_then(op_figure(op, |m| m.server_cpu_us_per_op)) {
            Some(theirs) => (format!("≤ 1/3 of Dynoxide's ({} µs)", number(theirs / 3.0)), theirs / 3.0),
            None => (format!("≤ {cpu_limit} µs"), cpu_limit),
        };
        metrics.push(Metric {
            name: format!("{} server CPU per op, 16 conn", op.label()),
            value: Box::new(op_figure(op, |m| m.server_cpu_us_per_op)),
            show: |v| format!("{} µs", number(v)),
            why_missing: Box::new(move |t| op_missing(t, op)),
            lower_is_better: true,
            compare: true,
            target: cpu_target,
            limit: Some(cpu_limit),
        });
        // ≥ 3× Dynoxide's and ≥ 15× DynamoDB Local's throughput (both, when both ran), else a share of the fixed-body server's.
        let rivals: Vec<(String, f64)> = [(dynoxide, 3.0), (ddb_local, 15.0)]
            .into_iter()
            .filter_map(|(t, times)| {
                let t = t?;
                op_figure(op, |m| Some(m.ops_per_second))(t)
                    .map(|v| (format!("{times}× {} ({})", t.name, number(v)), v * times))
            })
            .collect();
        let (rate_target, rate_limit) = if rivals.is_empty() {
            (
                format!("≥ {:.0}% of fixed-body HTTP ({})", share * 100.0, fixed_16.map_or("–".into(), number)),
                fixed_16.map(|f| f * share),
            )
        } else {
            let names: Vec<&str> = rivals.iter().map(|(n, _)| n.as_str()).collect();
            (format!("≥ {}", names.join(", ≥ ")), rivals.iter().map(|(_, v)| *v).reduce(f64::max))
        };
        metrics.push(Metric {
            name: format!("{} throughput, 16 conn", op.label()),
            value: Box::new(op_figure(op, |m| Some(m.ops_per_second))),
            show: |v| format!("{} ops/s", number(v)),
            why_missing: Box::new(move |t| op_missing(t, op)),
            lower_is_better: false,
            compare: true,
            target: rate_target,
            limit: rate_limit,
        });
        let ddb_p50 = ddb_local.and_then(op_figure(op, |m| m.latency.map(|l| l.p50_us)));
        metrics.push(Metric {
            name: format!("{} p99 latency, 16 conn", op.label()),
            value: Box::new(op_figure(op, |m| m.latency.map(|l| l.p99_us))),
            show: |v| format!("{} µs", number(v)),
            why_missing: Box::new(move |t| op_missing(t, op)),
            lower_is_better: true,
            compare: true,
            target: format!("< DynamoDB Local p50 ({})", ddb_p50.map_or("–".into(), |v| format!("{} µs", number(v)))),
            limit: ddb_p50,
        });
    }

    metrics.push(Metric {
        name: "load generator CPU during GetItem, 16 conn (2 client threads)".into(),
        value: Box::new(op_figure(Op::GetItem, |m| Some(m.client_cpu_percent))),
        show: |v| format!("{v:.0}% of a core"),
        why_missing: Box::new(move |t| op_missing(t, Op::GetItem)),
        lower_is_better: true,
        compare: false,
        target: "reported: shares the 2 cores with the server".into(),
        limit: None,
    });

    let mut header = vec!["metric".to_string()];
    header.extend(results.targets.iter().map(|t| t.name.clone()));
    header.extend(others.iter().map(|t| format!("advantage vs {}", t.name)));
    header.extend(["target".to_string(), format!("{}: met?", first.name)]);
    let rows = metrics.iter().map(|m| m.cells(&results.targets)).collect();
    Table { title: "Summary (advantage: how many times faster/smaller the first target is)".into(), header, rows }
}

/// One row of the operations table; `first`: the first target's figures
/// of the same phase, for the advantage over this row's target.
fn op_row(
    op: &str,
    connections: usize,
    name: &str,
    outcome: &Outcome,
    fixed: Option<f64>,
    first: Option<&Measured>,
) -> Vec<String> {
    let mut row = vec![op.to_string(), connections.to_string(), name.to_string()];
    match measured(outcome) {
        Some(m) => row.extend([
            first.map_or("–".into(), |f| {
                let cpu = advantage(f.server_cpu_us_per_op, m.server_cpu_us_per_op, true);
                format!("{} / {cpu}", advantage(Some(f.ops_per_second), Some(m.ops_per_second), false))
            }),
            number(m.ops_per_second),
            fixed.map_or("–".into(), |f| format!("{:.0}%", m.ops_per_second / f * 100.0)),
            m.latency.map_or("–".into(), |l| number(l.p50_us)),
            m.latency.map_or("–".into(), |l| number(l.p99_us)),
            m.server_cpu_us_per_op.map_or("–".into(), number),
            format!("{} ({:.0}% of a core)", number(m.client_cpu_us_per_op), m.client_cpu_percent),
            m.errors.to_string(),
        ]),
        None => row.extend(["–".to_string(), missing(outcome)]),
    }
    row
}

pub fn operations(results: &Results) -> Table {
    let mut rows = Vec::new();
    for connections in CONNECTIONS {
        let fixed = results.fixed_http.iter().find(|r| r.connections == connections);
        let fixed_rate = fixed.and_then(|r| measured(&r.outcome)).map(|m| m.ops_per_second);
        if let Some(fixed) = fixed {
            rows.push(op_row("fixed-body HTTP server", connections, "hyper", &fixed.outcome, fixed_rate, None));
        }
        for op in Op::ALL {
            let first = results.targets.first().and_then(|t| t.op(op.label(), connections));
            let first = first.and_then(|r| measured(&r.outcome));
            for (i, target) in results.targets.iter().enumerate() {
                if let Some(r) = target.op(op.label(), connections) {
                    let versus = if i == 0 { None } else { first };
                    rows.push(op_row(op.label(), connections, &target.name, &r.outcome, fixed_rate, versus));
                }
            }
        }
    }
    let first = results.targets.first().map_or("first", |t| t.name.as_str());
    let versus = format!("{first}'s advantage: ops/s / server CPU");
    let header = [
        "operation",
        "conn",
        "target",
        versus.as_str(),
        "ops/s",
        "of fixed",
        "p50 µs",
        "p99 µs",
        "server CPU µs/op",
        "client CPU µs/op",
        "errors",
    ];
    Table {
        title: "Operations over HTTP (loopback, keep-alive)".into(),
        header: header.map(String::from).to_vec(),
        rows,
    }
}

pub fn scale(results: &Results) -> Table {
    let mut rows = Vec::new();
    for target in &results.targets {
        for point in &target.scale {
            let p50 =
                |o: &Outcome| measured(o).and_then(|m| m.latency).map_or_else(|| missing(o), |l| number(l.p50_us));
            rows.push(vec![
                target.name.clone(),
                number(point.items as f64),
                p50(&point.query_table),
                p50(&point.query_index),
                p50(&point.statement),
            ]);
        }
    }
    let header = [
        "target",
        "items in table",
        "Query (table) p50 µs, 1 conn",
        "Query (GSI) p50 µs, 1 conn",
        "PartiQL SELECT by partition key p50 µs, 1 conn",
    ];
    Table { title: "Query of 10 items against table size".into(), header: header.map(String::from).to_vec(), rows }
}

pub fn in_process(results: &Results) -> Table {
    let section = &results.in_process;
    let blank = |n: usize| vec![String::new(); n];
    let mut rows = Vec::new();
    if let Some(note) = &section.note {
        let mut row = vec![note.clone()];
        row.extend(blank(5));
        rows.push(row);
    }
    // One figure each: a label and microseconds.
    let figures = [
        ("create one embedded emulator (median; target ≤ 100 µs)", section.create_median_us),
        (
            "fixture cycle: new embedded emulator, CreateTable+GSI, 10 PutItem, DeleteTable (median; target ≤ 1 ms)",
            section.fixture_cycle_median_us,
        ),
        (
            "fixture cycle: new harness::start() server (loopback HTTP, on the test's runtime), same calls (median)",
            section.started_fixture_cycle_median_us,
        ),
    ];
    for (label, us) in figures {
        if let Some(us) = us {
            let mut row = vec![label.to_string(), String::new(), format!("{} µs", number(us))];
            row.extend(blank(3));
            rows.push(row);
        }
    }
    for r in &section.ops {
        let mut row = vec![r.op.clone(), r.connections.to_string()];
        match measured(&r.outcome) {
            Some(m) => row.extend([
                format!("{} ops/s", number(m.ops_per_second)),
                m.latency.map_or("–".into(), |l| number(l.p50_us)),
                m.latency.map_or("–".into(), |l| number(l.p99_us)),
                number(m.client_cpu_us_per_op),
            ]),
            None => row.push(missing(&r.outcome)),
        }
        rows.push(row);
    }
    let header = [
        "in-process: real SDK client, no socket",
        "tasks",
        "figure",
        "p50 µs",
        "p99 µs",
        "process CPU µs/op (SDK + emulator)",
    ];
    Table { title: "In-process mode (harness::embedded)".into(), header: header.map(String::from).to_vec(), rows }
}

/// A figure of the streams phase: from a target's streams results.
type StreamFigure<'a> = Box<dyn Fn(&StreamsResults) -> Option<f64> + 'a>;

/// The streams phase: PutItem without and with a stream (and the ratio per
/// target), the streamed table's load and the GetRecords read-back.
pub fn streams(results: &Results) -> Table {
    let first = &results.targets[0];
    let others = &results.targets[1..];
    let items = results.targets.iter().find_map(|t| t.streams.as_ref()).map_or(results.items, |s| s.items);
    let rate = |f: fn(&StreamsResults) -> &Outcome| -> StreamFigure {
        Box::new(move |s| measured(f(s)).map(|m| m.ops_per_second))
    };
    let cpu = |f: fn(&StreamsResults) -> &Outcome| -> StreamFigure {
        Box::new(move |s| measured(f(s)).and_then(|m| m.server_cpu_us_per_op))
    };
    let ratio = |with: StreamFigure<'static>, without: StreamFigure<'static>| -> StreamFigure {
        Box::new(move |s| with(s).zip(without(s)).filter(|(_, b)| *b > 0.0).map(|(a, b)| a / b))
    };
    let with: fn(&StreamsResults) -> &Outcome = |s| &s.put_with_stream;
    let without: fn(&StreamsResults) -> &Outcome = |s| &s.put_without_stream;
    let load: fn(&StreamsResults) -> &Outcome = |s| &s.load;
    let read: fn(&StreamsResults) -> &Outcome = |s| &s.read;
    // (name, figure, display, what is missing, lower is better, compare targets)
    type Row<'a> = (String, StreamFigure<'a>, fn(f64) -> String, fn(&StreamsResults) -> &Outcome, bool, bool);
    let times = |v: f64| format!("{v:.2}×");
    let rows: Vec<Row> = vec![
        (
            "PutItem throughput, 16 conn, no stream".into(),
            rate(without),
            |v| format!("{} ops/s", number(v)),
            without,
            false,
            true,
        ),
        (
            "PutItem throughput, 16 conn, with stream".into(),
            rate(with),
            |v| format!("{} ops/s", number(v)),
            with,
            false,
            true,
        ),
        (
            "PutItem throughput with stream / without".into(),
            ratio(rate(with), rate(without)),
            times,
            with,
            false,
            false,
        ),
        (
            "PutItem server CPU per op, 16 conn, no stream".into(),
            cpu(without),
            |v| format!("{} µs", number(v)),
            without,
            true,
            true,
        ),
        (
            "PutItem server CPU per op, 16 conn, with stream".into(),
            cpu(with),
            |v| format!("{} µs", number(v)),
            with,
            true,
            true,
        ),
        (
            "PutItem server CPU with stream / without (overhead)".into(),
            ratio(cpu(with), cpu(without)),
            times,
            with,
            true,
            false,
        ),
        (
            "BatchWriteItem load of the streamed table, 16 conn".into(),
            rate(load),
            |v| format!("{} items/s", number(v)),
            load,
            false,
            true,
        ),
        (
            format!("GetRecords read-back of {} records, 1 client (Limit 1000)", number(items as f64)),
            rate(read),
            |v| format!("{} records/s", number(v)),
            read,
            false,
            true,
        ),
        ("GetRecords server CPU per record".into(), cpu(read), |v| format!("{} µs", number(v)), read, true, true),
        (
            "GetRecords call p50 latency (up to 1000 records)".into(),
            Box::new(move |s| measured(read(s)).and_then(|m| m.latency).map(|l| l.p50_us)),
            |v| format!("{} µs", number(v)),
            read,
            true,
            true,
        ),
    ];
    let phase: fn(&TargetResults) -> Option<&StreamsResults> = |t| t.streams.as_ref();
    let mut table_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|(name, figure, show, outcome, lower_is_better, compare)| {
            let value = |t: &TargetResults| phase(t).and_then(figure);
            let mut row = vec![name.clone()];
            row.extend(results.targets.iter().map(|t| match (value(t), phase(t)) {
                (Some(v), _) => show(v),
                (None, Some(s)) => missing(outcome(s)),
                (None, None) => "–".into(),
            }));
            row.extend(others.iter().map(|t| {
                if *compare {
                    advantage(value(first), value(t), *lower_is_better)
                } else {
                    "–".into()
                }
            }));
            row
        })
        .collect();
    let mut detail = vec!["read-back: shards, GetRecords calls and records per pass, passes".to_string()];
    detail.extend(results.targets.iter().map(|t| {
        phase(t).and_then(|s| s.read_detail.as_ref()).map_or("–".into(), |d| {
            format!(
                "{} shard(s), {} calls and {} records per pass, {} pass(es)",
                d.shards,
                d.get_records_calls / d.passes.max(1) as u64,
                number(d.records_per_pass as f64),
                d.passes
            )
        })
    }));
    detail.extend(others.iter().map(|_| "–".to_string()));
    table_rows.push(detail);
    let mut runs = vec!["PutItem runs in order, stream off/on: server CPU µs/op".to_string()];
    runs.extend(results.targets.iter().map(|t| {
        let runs = phase(t).map(|s| s.put_runs.as_slice()).unwrap_or_default();
        let cells: Vec<String> = runs
            .iter()
            .map(|r| {
                let cpu = measured(&r.outcome).and_then(|m| m.server_cpu_us_per_op);
                format!("{} {}", if r.stream { "on" } else { "off" }, cpu.map_or("?".into(), number))
            })
            .collect();
        if cells.is_empty() {
            "–".into()
        } else {
            cells.join(", ")
        }
    }));
    runs.extend(others.iter().map(|_| "–".to_string()));
    table_rows.push(runs);
    let mut header = vec!["metric".to_string()];
    header.extend(results.targets.iter().map(|t| t.name.clone()));
    header.extend(others.iter().map(|t| format!("advantage vs {}", t.name)));
    let view = results.targets.iter().find_map(|t| t.streams.as_ref()).map_or("", |s| s.view_type.as_str());
    Table {
        title: format!(
            "Streams ({view} stream on a table like the main one: {} items, GSI; ratios per target, advantage between targets)",
            number(items as f64)
        ),
        header,
        rows: table_rows,
    }
}

pub fn notes(results: &Results) -> Vec<String> {
    let targets = results.targets.iter().flat_map(|t| t.notes.iter().map(move |n| format!("{}: {n}", t.name)));
    results.notes.iter().cloned().chain(targets).collect()
}

pub fn all_tables(results: &Results) -> Vec<Table> {
    let mut tables = vec![summary(results), operations(results)];
    if results.targets.iter().any(|t| t.streams.is_some()) {
        tables.push(streams(results));
    }
    if !results.durable.is_empty() {
        tables.push(crate::durable_report::table(results));
    }
    tables.extend([scale(results), in_process(results)]);
    tables.extend(results.fixtures.as_ref().map(crate::fixtures::table));
    if let Some(large) = &results.large {
        tables.extend(crate::large::tables(large));
    }
    tables
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_readable() {
        assert_eq!(number(1234567.4), "1,234,567");
        assert_eq!(number(123.4), "123");
        assert_eq!(number(12.34), "12.3");
        assert_eq!(number(1.234), "1.23");
    }

    #[test]
    fn advantage_and_verdict() {
        assert_eq!(advantage(Some(2.0), Some(20.0), true), "10.0×");
        assert_eq!(advantage(Some(50.0), Some(5.0), false), "10.0×");
        assert_eq!(advantage(None, Some(1.0), true), "–");
        assert_eq!(verdict(Some(4.0), Some(5.0), true), "met");
        assert_eq!(verdict(Some(6.0), Some(5.0), true), "MISSED");
        assert_eq!(verdict(Some(6.0), Some(5.0), false), "met");
    }

    #[test]
    fn streams_table_has_ratios_per_target() {
        let measured = |rate: f64, cpu: f64| {
            Outcome::Measured(Measured {
                ops: 100,
                seconds: 1.0,
                ops_per_second: rate,
                latency: None,
                server_cpu_us_per_op: Some(cpu),
                client_cpu_us_per_op: 1.0,
                client_cpu_percent: 1.0,
                errors: 0,
            })
        };
        let mut targets = Vec::new();
        for (name, cpu) in [("emulator", 10.0), ("DynamoDB Local", 100.0)] {
            let mut target = TargetResults::new(name);
            let mut phase = StreamsResults::new("t", "NEW_AND_OLD_IMAGES", 100);
            phase.put_without_stream = measured(1000.0, cpu);
            phase.put_with_stream = measured(800.0, cpu * 1.5);
            target.streams = Some(phase);
            targets.push(target);
        }
        let results = Results {
            started_unix: 0,
            quick: true,
            items: 100,
            item_bytes: 200,
            phase_seconds: 1.0,
            cores: 2,
            targets,
            fixed_http: Vec::new(),
            in_process: Default::default(),
            large: None,
            fixtures: None,
            durable: Vec::new(),
            notes: Vec::new(),
        };
        let table = streams(&results);
        let row = |name: &str| table.rows.iter().find(|r| r[0].starts_with(name)).expect(name).clone();
        assert_eq!(row("PutItem server CPU with stream / without")[1..], ["1.50×", "1.50×", "–"]);
        assert_eq!(row("PutItem throughput with stream / without")[1..], ["0.80×", "0.80×", "–"]);
        assert_eq!(row("PutItem server CPU per op, 16 conn, with stream")[3], "10.0×");
        assert_eq!(row("GetRecords read-back")[1], "failed: not run");
        assert!(all_tables(&results).iter().any(|t| t.title.starts_with("Streams")));
    }

    #[test]
    fn tables_align() {
        let table = Table {
            title: "t".into(),
            header: vec!["a".into(), "bb".into()],
            rows: vec![vec!["ccc".into(), "d".into()]],
        };
        assert_eq!(table.text(), "t\na   | bb\n----+---\nccc | d\n");
        assert!(table.markdown().contains("| ccc | d |"));
    }
}
