//! The durable-mode table: write throughput on disk and its share of the
//! same in memory, per target, start-up with the data on disk (replay),
//! disk bytes per item and our journal's compaction; each figure with the
//! first target's advantage over every other.

use crate::durable_phase::{DurableResults, WriteOp};
use crate::load::Measured;
use crate::report::{measured, missing, number, Metric, Table};
use crate::results::Results;
use crate::run::CONNECTIONS;

/// Reads one figure of a target's durable phases.
type Figure = Box<dyn Fn(&DurableResults) -> Option<f64>>;
type Pick = fn(&DurableResults) -> Option<f64>;
type Row = Metric<'static, DurableResults>;

fn rate(v: f64) -> String {
    format!("{} ops/s", number(v))
}

fn ms(v: f64) -> String {
    format!("{} ms", number(v))
}

fn us(v: f64) -> String {
    format!("{} µs", number(v))
}

fn times(v: f64) -> String {
    format!("{v:.2}×")
}

/// A row compared between targets, with no target figure and a dash when missing.
fn row(name: impl Into<String>, value: Figure, show: fn(f64) -> String, lower_is_better: bool) -> Row {
    Metric {
        name: name.into(),
        value,
        show,
        why_missing: Box::new(|_| "–".into()),
        lower_is_better,
        compare: true,
        target: String::new(),
        limit: None,
    }
}

fn on_disk(op: WriteOp, connections: usize, f: fn(&Measured) -> Option<f64>) -> Figure {
    Box::new(move |d| d.op(op, connections).and_then(|o| measured(&o.durable)).and_then(f))
}

fn op_missing(op: WriteOp, connections: usize) -> Box<dyn Fn(&DurableResults) -> String> {
    Box::new(move |d| d.op(op, connections).map_or("–".into(), |o| missing(&o.durable)))
}

fn rows(items: usize) -> Vec<Row> {
    let mut rows = Vec::new();
    for op in WriteOp::ALL {
        for connections in CONNECTIONS {
            let name = format!("{} throughput on disk, {connections} conn", op.label());
            rows.push(Row {
                why_missing: op_missing(op, connections),
                ..row(name, on_disk(op, connections, |m| Some(m.ops_per_second)), rate, false)
            });
            let group_commit = op == WriteOp::PutItem && connections == 16;
            let ratio: Figure = Box::new(move |d| {
                let o = d.op(op, connections)?;
                Some(measured(&o.durable)?.ops_per_second / measured(&o.in_memory)?.ops_per_second)
            });
            rows.push(Row {
                why_missing: op_missing(op, connections),
                compare: false,
                target: if group_commit { "≥ 0.50× (group commit)".into() } else { String::new() },
                limit: group_commit.then_some(0.5),
                ..row(format!("{} on disk / in memory, {connections} conn", op.label()), ratio, times, false)
            });
        }
    }
    let put = WriteOp::PutItem;
    rows.push(Row {
        why_missing: op_missing(put, 16),
        ..row("PutItem server CPU per op on disk, 16 conn", on_disk(put, 16, |m| m.server_cpu_us_per_op), us, true)
    });
    rows.push(Row {
        why_missing: op_missing(put, 16),
        ..row("PutItem p99 latency on disk, 16 conn", on_disk(put, 16, |m| m.latency.map(|l| l.p99_us)), us, true)
    });
    rows.push(Row {
        why_missing: Box::new(|d| missing(&d.load)),
        ..row(
            "BatchWriteItem load on disk, 16 conn",
            Box::new(|d| measured(&d.load).map(|m| m.ops_per_second)),
            |v| format!("{} items/s", number(v)),
            false,
        )
    });
    rows.push(Row {
        compare: false,
        ..row(
            "items in the table on disk (ours: as the main table; rivals fewer, they load slowly)",
            Box::new(|d| d.startup.as_ref().map(|s| s.items as f64)),
            number,
            false,
        )
    });
    let startups: [(&str, Pick); 3] = [
        ("start-up to first ListTables, empty directory (median)", |d| d.startup.as_ref()?.empty_ms),
        ("start-up with the table on disk, as the write phases left it", |d| d.startup.as_ref()?.first_ms),
        ("start-up with the table on disk, restarted (ours: compacted journal; median)", |d| {
            d.startup.as_ref()?.loaded_ms
        }),
    ];
    for (name, value) in startups {
        rows.push(row(name, Box::new(value), ms, true));
    }
    rows.push(Row {
        compare: false,
        target: "≥ 1,000,000 items/s".into(),
        limit: Some(1e6),
        ..row(
            "replay: items / (restarted start-up − empty start-up)",
            Box::new(|d| d.startup.as_ref()?.replay_items_per_second()),
            |v| format!("{} items/s", number(v)),
            false,
        )
    });
    rows.push(row(
        "disk bytes per item after restart (200-byte items)",
        Box::new(|d| d.startup.as_ref()?.disk_bytes_per_item()),
        |v| format!("{} B", number(v)),
        true,
    ));
    rows.push(Row {
        compare: false,
        target: "all".into(),
        limit: Some(items as f64),
        ..row(
            "items counted (Scan) after restart",
            Box::new(|d| d.startup.as_ref()?.items_found.map(|n| n as f64)),
            number,
            false,
        )
    });
    let no_compaction = |d: &DurableResults| match &d.compaction {
        Some(c) if !c.observed => format!("not seen in {:.0} s ({} calls)", c.seconds, number(c.calls as f64)),
        Some(_) => "side file not seen".into(),
        None => "n/a (no journal)".into(),
    };
    let compactions: [(&str, Pick, &str, Option<f64>); 3] = [
        (
            "compaction provoked by BatchWriteItem, 16 conn: side file seen → journal replaced",
            |d| d.compaction.as_ref()?.duration_ms,
            "",
            None,
        ),
        (
            "longest request in flight during that compaction",
            |d| d.compaction.as_ref()?.longest_during_ms,
            "≤ 10 ms",
            Some(10.0),
        ),
        ("compaction phase: p50 / p99 / longest request", |d| d.compaction.as_ref().map(|c| c.longest_ms), "", None),
    ];
    for (name, value, target, limit) in compactions {
        rows.push(Row {
            why_missing: Box::new(no_compaction),
            compare: false,
            target: target.into(),
            limit,
            ..row(name, Box::new(value), ms, true)
        });
    }
    rows
}

pub fn table(results: &Results) -> Table {
    durable_table(&results.durable)
}

fn durable_table(targets: &[DurableResults]) -> Table {
    let items = targets.first().and_then(|t| t.startup.as_ref()).map_or(0, |s| s.items);
    let (Some(first), others) = (targets.first(), targets.get(1..).unwrap_or_default()) else {
        return Table { title: "Durable mode: not run".into(), header: Vec::new(), rows: Vec::new() };
    };
    let mut header = vec!["metric".to_string()];
    header.extend(targets.iter().map(|t| t.name.clone()));
    header.extend(others.iter().map(|t| format!("advantage vs {}", t.name)));
    header.extend(["target".to_string(), format!("{}: met?", first.name)]);
    let mut started = vec!["started as".to_string()];
    started.extend(targets.iter().map(|t| format!("`{}`", t.command)));
    started.extend(std::iter::repeat_n(String::new(), others.len() + 2));
    let mut table_rows = vec![started];
    table_rows.extend(rows(items).iter().map(|r| r.cells(targets)));
    // The compaction phase's latency percentiles beside its longest request.
    if let Some(row) = table_rows.last_mut() {
        for (cell, t) in row[1..].iter_mut().zip(targets) {
            if let Some(c) = t.compaction.as_ref().filter(|c| c.calls > 0) {
                *cell = format!("{} / {} µs, {}", number(c.p50_us), number(c.p99_us), ms(c.longest_ms));
            }
        }
    }
    let notes: Vec<String> =
        targets.iter().flat_map(|t| t.notes.iter().map(move |n| format!("{}: {n}", t.name))).collect();
    if !notes.is_empty() {
        let mut row = vec![format!("notes: {}", notes.join("; "))];
        row.extend(std::iter::repeat_n(String::new(), targets.len() + others.len() + 2));
        table_rows.push(row);
    }
    Table {
        title: format!(
            "Durable mode: each target on a fresh data directory ({} items for the first); write phases beside the same in memory (advantage: how many times faster/smaller the first target is)",
            number(items as f64)
        ),
        header,
        rows: table_rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::durable_phase::{Compaction, DurableOp, Startup};
    use crate::load::Outcome;

    fn rate(ops_per_second: f64) -> Outcome {
        Outcome::Measured(Measured {
            ops: 100,
            seconds: 1.0,
            ops_per_second,
            latency: None,
            server_cpu_us_per_op: Some(10.0),
            client_cpu_us_per_op: 1.0,
            client_cpu_percent: 1.0,
            errors: 0,
        })
    }

    fn target(name: &str, memory: f64, disk: f64) -> DurableResults {
        DurableResults {
            name: name.into(),
            command: "x --db-path {dir}".into(),
            load: rate(disk),
            ops: vec![DurableOp {
                op: WriteOp::PutItem.label(),
                connections: 16,
                in_memory: rate(memory),
                durable: rate(disk),
            }],
            startup: Some(Startup {
                items: 1_000,
                empty_ms: Some(2.0),
                first_ms: Some(5.0),
                loaded_ms: Some(3.0),
                disk_bytes: Some(300_000),
                items_found: Some(1_000),
            }),
            compaction: None,
            notes: Vec::new(),
        }
    }

    #[test]
    fn ratios_in_memory_and_between_targets() {
        let mut ours = target("emulator", 40_000.0, 24_000.0);
        ours.compaction = Some(Compaction { observed: false, seconds: 30.0, calls: 1234, ..Compaction::default() });
        let table = durable_table(&[ours, target("Dynoxide", 6_000.0, 2_000.0)]);
        let row = |name: &str| table.rows.iter().find(|r| r[0].starts_with(name)).expect(name).clone();
        assert_eq!(
            row("PutItem on disk / in memory, 16 conn")[1..],
            ["0.60×", "0.33×", "–", "≥ 0.50× (group commit)", "met"]
        );
        assert_eq!(row("PutItem throughput on disk, 16 conn")[1..4], ["24,000 ops/s", "2,000 ops/s", "12.0×"]);
        assert_eq!(row("replay")[1..], ["1,000,000 items/s", "1,000,000 items/s", "–", "≥ 1,000,000 items/s", "met"]);
        assert_eq!(row("disk bytes per item")[1], "300 B");
        assert_eq!(row("compaction provoked")[1..3], ["not seen in 30 s (1,234 calls)", "n/a (no journal)"]);
        assert_eq!(row("UpdateItem (conditional) throughput on disk, 1 conn")[1], "–");
        assert_eq!(table.header.len(), 1 + 2 + 1 + 2);
    }
}
