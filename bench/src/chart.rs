//! The chart: throughput and latency per operation at 16 connections for
//! every target (and PutItem on a table with a stream, and on disk), log
//! scales (the targets differ by orders of magnitude); above the first
//! target's throughput bars, its advantage over each other target.

use crate::load::{Measured, Outcome};
use crate::results::Results;
use crate::workload::Op;
use plotters::prelude::*;
use std::path::Path;

const COLORS: [RGBColor; 4] =
    [RGBColor(31, 119, 180), RGBColor(255, 127, 14), RGBColor(44, 160, 44), RGBColor(214, 39, 40)];
const CONNECTIONS: usize = 16;

fn measured(outcome: &Outcome) -> Option<&Measured> {
    match outcome {
        Outcome::Measured(m) => Some(m),
        _ => None,
    }
}

/// The chart's categories: the operations, then PutItem on the streams
/// phase's table (a NEW_AND_OLD_IMAGES stream) and PutItem on disk
/// (the durable phase), also at 16 connections.
fn categories() -> Vec<&'static str> {
    Op::ALL.iter().map(|op| op.short()).chain(["PutItem +stream", "PutItem on disk"]).collect()
}

/// A rival's name, short enough for a label above a bar.
fn short(name: &str) -> &str {
    match name {
        crate::dynamodb_local::NAME => "DDB Local",
        other => other,
    }
}

/// (target index, category index, measurement) for every measured category at 16 connections.
fn figures(results: &Results) -> Vec<(usize, usize, &Measured)> {
    let mut out = Vec::new();
    for (t, target) in results.targets.iter().enumerate() {
        for (o, op) in Op::ALL.iter().enumerate() {
            if let Some(m) = target.op(op.label(), CONNECTIONS).and_then(|r| measured(&r.outcome)) {
                out.push((t, o, m));
            }
        }
        if let Some(m) = target.streams.as_ref().and_then(|s| measured(&s.put_with_stream)) {
            out.push((t, Op::ALL.len(), m));
        }
        let on_disk = results.durable.iter().find(|d| d.name == target.name);
        let put = on_disk.and_then(|d| d.op(crate::durable_phase::WriteOp::PutItem, CONNECTIONS));
        if let Some(m) = put.and_then(|o| measured(&o.durable)) {
            out.push((t, Op::ALL.len() + 1, m));
        }
    }
    out
}

fn log_range(values: impl Iterator<Item = f64>) -> std::ops::Range<f64> {
    let (low, high) = values.filter(|v| *v > 0.0).fold((f64::MAX, 0f64), |(l, h), v| (l.min(v), h.max(v)));
    if high == 0.0 {
        return 1.0..10.0;
    }
    (low / 2.0).max(0.1)..high * 3.0
}

pub fn draw(results: &Results, path: &Path) -> Result<(), String> {
    draw_inner(results, path).map_err(|e| format!("chart: {e}"))
}

fn draw_inner(results: &Results, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let figures = figures(results);
    let targets = results.targets.len().max(1);
    let width = 0.8 / targets as f64;
    let x_of = |t: usize, o: usize| o as f64 - 0.4 + t as f64 * width;
    let names = categories();
    let ops = names.len();
    let label = |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < ops {
            names[i as usize].to_string()
        } else {
            String::new()
        }
    };
    let fixed = results
        .fixed_http
        .iter()
        .find(|r| r.connections == CONNECTIONS)
        .and_then(|r| measured(&r.outcome))
        .map(|m| m.ops_per_second);

    let root = SVGBackend::new(path, (1400, 560)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(700);

    // Throughput.
    let rates = log_range(figures.iter().map(|f| f.2.ops_per_second).chain(fixed));
    // Room above the tallest bar for the advantage labels.
    let rates = rates.start..rates.end * 3.0;
    let bottom = rates.start;
    let mut chart = ChartBuilder::on(&left)
        .caption(format!("Throughput, {CONNECTIONS} connections (ops/s, log scale)"), ("sans-serif", 20))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5f64..ops as f64 - 0.5, rates.log_scale())?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(ops)
        .x_label_formatter(&label)
        .y_label_formatter(&|v| format!("{v:.0}"))
        .y_desc("ops/s")
        .draw()?;
    for (t, target) in results.targets.iter().enumerate() {
        let color = COLORS[t % COLORS.len()];
        chart
            .draw_series(figures.iter().filter(|f| f.0 == t).map(|&(t, o, m)| {
                Rectangle::new([(x_of(t, o), bottom), (x_of(t, o) + width * 0.9, m.ops_per_second)], color.filled())
            }))?
            .label(target.name.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled()));
    }
    // The first target's advantage over each other target, above its bar.
    for &(_, o, first) in figures.iter().filter(|f| f.0 == 0) {
        let mut y = first.ops_per_second * 1.4;
        for (t, target) in results.targets.iter().enumerate().skip(1) {
            let Some(&(_, _, other)) = figures.iter().find(|f| f.0 == t && f.1 == o) else { continue };
            let ratio = first.ops_per_second / other.ops_per_second;
            let text = format!("{ratio:.1}× {}", short(&target.name));
            let style = ("sans-serif", 11).into_font().color(&COLORS[t % COLORS.len()]);
            chart.draw_series(std::iter::once(Text::new(text, (x_of(0, o), y), style)))?;
            y *= 1.6;
        }
    }
    if let Some(fixed) = fixed {
        chart
            .draw_series(LineSeries::new([(-0.5, fixed), (ops as f64 - 0.5, fixed)], BLACK.stroke_width(2)))?
            .label("fixed-body HTTP server")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 10, y)], BLACK.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;

    // Latency: p50 bars, p99 ticks.
    let latencies = log_range(figures.iter().filter_map(|f| f.2.latency).flat_map(|l| [l.p50_us, l.p99_us]));
    let bottom = latencies.start;
    let mut chart = ChartBuilder::on(&right)
        .caption(format!("Latency, {CONNECTIONS} connections (µs, log scale): bar p50, tick p99"), ("sans-serif", 20))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5f64..ops as f64 - 0.5, latencies.log_scale())?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(ops)
        .x_label_formatter(&label)
        .y_label_formatter(&|v| format!("{v:.0}"))
        .y_desc("µs")
        .draw()?;
    for (t, target) in results.targets.iter().enumerate() {
        let color = COLORS[t % COLORS.len()];
        let mine: Vec<_> =
            figures.iter().filter(|f| f.0 == t).filter_map(|&(t, o, m)| m.latency.map(|l| (x_of(t, o), l))).collect();
        chart
            .draw_series(
                mine.iter().map(|(x, l)| Rectangle::new([(*x, bottom), (x + width * 0.9, l.p50_us)], color.filled())),
            )?
            .label(target.name.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled()));
        chart
            .draw_series(mine.iter().map(|(x, l)| {
                PathElement::new([(*x, l.p99_us), (x + width * 0.9, l.p99_us)], BLACK.stroke_width(3))
            }))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}
