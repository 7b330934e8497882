//! Benchmark: our emulator against Amazon's DynamoDB Local (and optionally a
//! third target) in the same run, on the same workload, phase by phase.
//! Run with `cargo run --release -p bench -- [--quick]`; see README.md.

mod chart;
mod client;
mod durable_phase;
mod durable_report;
mod dynamodb_local;
mod dynoxide;
mod embedded;
mod fixtures;
mod large;
mod load;
mod options;
mod procstat;
mod report;
mod results;
mod run;
mod servers;
mod stats;
mod streams;
mod workload;

use options::{Options, Other};
use servers::{Launch, Target};
use std::path::PathBuf;

fn main() {
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    if let Some(port) = options.serve_fixed {
        if let Err(e) = servers::serve_fixed(port) {
            eprintln!("fixed-body server: {e}");
            std::process::exit(1);
        }
        return;
    }
    if let Err(e) = bench(&options) {
        eprintln!("bench: {e}");
        std::process::exit(1);
    }
}

fn bench(options: &Options) -> Result<(), String> {
    let (targets, setup_notes) = targets(options)?;
    if options.fixtures_only {
        return fixtures::run_alone(options, &targets);
    }
    let fixed = Target {
        name: "fixed-body HTTP server".into(),
        launch: Launch::Command {
            program: current_exe()?,
            args: vec!["--serve-fixed".into(), "{port}".into()],
            dir: None,
        },
        heavy: false,
    };
    // The load generator: two worker threads (the machine's core count is small;
    // its CPU use is reported with every figure).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let mut results = runtime.block_on(run::run(options, targets, fixed));
    results.notes.extend(setup_notes);

    std::fs::create_dir_all(&options.out).map_err(|e| format!("{}: {e}", options.out.display()))?;
    let json = serde_json::to_string_pretty(&results).map_err(|e| e.to_string())?;
    let json_path = options.out.join("results.json");
    std::fs::write(&json_path, json).map_err(|e| format!("{}: {e}", json_path.display()))?;
    let chart_path = options.out.join("chart.svg");
    chart::draw(&results, &chart_path)?;

    let tables = report::all_tables(&results);
    let notes = report::notes(&results);
    let mut markdown = String::new();
    for table in &tables {
        println!("{}", table.text());
        markdown.push_str(&table.markdown());
        markdown.push('\n');
    }
    for note in &notes {
        println!("note: {note}");
        markdown.push_str(&format!("- note: {note}\n"));
    }
    let markdown_path = options.out.join("results.md");
    std::fs::write(&markdown_path, markdown).map_err(|e| format!("{}: {e}", markdown_path.display()))?;
    println!("wrote {}, {} and {}", json_path.display(), markdown_path.display(), chart_path.display());
    Ok(())
}

fn current_exe() -> Result<PathBuf, String> {
    std::env::current_exe().map_err(|e| format!("cannot find the bench binary: {e}"))
}

/// Our emulator first (the ratios are relative to it), then DynamoDB Local,
/// Dynoxide and the optional other target; with notes on rivals that could
/// not be installed (the run goes on without them).
fn targets(options: &Options) -> Result<(Vec<Target>, Vec<String>), String> {
    let emulator = match &options.emulator {
        Some(path) => path.clone(),
        None => current_exe()?.with_file_name("emulator"),
    };
    if !emulator.is_file() {
        return Err(format!(
            "no emulator binary at {} (run `cargo build --release -p emulator` or give --emulator)",
            emulator.display()
        ));
    }
    let mut targets = vec![Target {
        name: "emulator".into(),
        launch: Launch::Command { program: emulator, args: vec!["--port".into(), "{port}".into()], dir: None },
        heavy: false,
    }];
    let mut notes = Vec::new();
    let mut skip = |name: &str, e: String| {
        eprintln!("[bench] {name} not measured: {e}");
        notes.push(format!("{name} not measured: {e}"));
    };
    if options.ddb_local {
        match dynamodb_local::directory(options.ddb_local_dir.as_deref()) {
            Ok(dir) => targets.push(dynamodb_local::target(dir)),
            Err(e) => skip("DynamoDB Local", e),
        }
    }
    if options.dynoxide {
        match dynoxide::binary(options.dynoxide_path.as_deref()) {
            Ok(binary) => targets.push(dynoxide::target(binary)),
            Err(e) => skip(dynoxide::NAME, e),
        }
    }
    match &options.other {
        Some(Other::Url(address)) => {
            targets.push(Target { name: "other".into(), launch: Launch::Url(*address), heavy: true })
        }
        Some(Other::Command(words)) => targets.push(Target {
            name: "other".into(),
            launch: Launch::Command { program: PathBuf::from(&words[0]), args: words[1..].to_vec(), dir: None },
            heavy: true,
        }),
        None => {}
    }
    Ok((targets, notes))
}
