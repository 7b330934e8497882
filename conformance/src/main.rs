//! `conformance run --target emulator|local|URL [--filter TEXT]`: plays the
//! corpus and prints the per-operation table and `N passed, M failed`.
//!
//! `conformance record [--filter TEXT]`: regenerates `scenarios/*.json` from
//! the `generate` modules (one per file), with answers recorded from DynamoDB
//! Local and checked against the emulator (see `record` for the rules).

use conformance::differences::{self, Difference};
use conformance::runner::{self, fresh_prefix, Playback};
use conformance::scenario::{self, Expect, Scenario};
use conformance::{generate, Kind, Target};
use serde_json::json;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value_of = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let filter = value_of("--filter").unwrap_or_default();
    let result = match args.first().map(String::as_str) {
        Some("record") => record(&filter).await,
        Some("run") | None => run(&value_of("--target").unwrap_or_else(|| "emulator".into()), &filter).await,
        Some(other) => Err(format!("unknown command {other}; use `run --target emulator|local|URL` or `record`")),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
}

async fn run(target_name: &str, filter: &str) -> Result<(), String> {
    let known = differences::known()?;
    let corpus: Vec<Scenario> =
        scenario::load_corpus(&scenario::corpus_dir())?.into_iter().filter(|s| s.name.contains(filter)).collect();
    let _emulator;
    let target = match target_name {
        "emulator" => {
            _emulator = conformance::start_emulator().await;
            Target::local(Kind::Emulator, _emulator.endpoint())?
        }
        "local" => Target::local(Kind::DynamoDbLocal, harness::try_dynamodb_local().await?.endpoint())?,
        url => Target::remote(url)?,
    };
    let report = runner::run_corpus(&target, &corpus, &known).await;
    print!("{}", report.failures());
    println!("{report}");
    if report.failed() > 0 {
        std::process::exit(1);
    }
    Ok(())
}

/// For each step: a generator's explicit expectation is real DynamoDB's
/// answer and is kept (every step of the `RealDynamoDb` family carries one:
/// its answers are never recorded from DynamoDB Local). Otherwise DynamoDB Local's answer is recorded, unless
/// the emulator answers differently *and* a known difference covers the step
/// and accepts DynamoDB Local's answer: then the emulator's answer (real
/// DynamoDB's, per the difference) is recorded. Every other disagreement is
/// printed for a human to resolve.
async fn record(filter: &str) -> Result<(), String> {
    let known = differences::known()?;
    let oracle = harness::try_dynamodb_local().await?;
    let local = Target::local(Kind::DynamoDbLocal, oracle.endpoint())?;
    let emulator = conformance::start_emulator().await;
    let ours = Target::local(Kind::Emulator, emulator.endpoint())?;
    let dir = scenario::corpus_dir();
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let mut total = 0;
    for (family, scenarios) in generate::families() {
        if !scenarios.iter().any(|s| s.name.contains(filter)) {
            continue;
        }
        let mut recorded = Vec::new();
        for scenario in scenarios {
            recorded.push(record_scenario(&scenario, &local, &ours, &known).await?);
        }
        total += recorded.len();
        let text = serde_json::to_string_pretty(&recorded).map_err(|e| e.to_string())?;
        let path = dir.join(format!("{family}.json"));
        std::fs::write(&path, text + "\n").map_err(|e| format!("write {}: {e}", path.display()))?;
    }
    println!("recorded {total} scenarios into {}", dir.display());
    Ok(())
}

async fn record_scenario(
    scenario: &Scenario,
    local: &Target,
    ours: &Target,
    known: &[Difference],
) -> Result<Scenario, String> {
    if scenario.recorded_from_dynamodb() {
        if let Some(index) = scenario.steps.iter().position(|s| s.expect.is_none()) {
            return Err(format!(
                "{} step {index}: a scenario recorded from DynamoDB carries every step's expected answer",
                scenario.name
            ));
        }
    }
    let emulated = scenario.operations().all(|op| emulator::Operation::from_name(op).is_some());
    let prefix = fresh_prefix();
    let mut out = scenario.clone();
    // Each target has its own playing: references read that target's answers.
    let mut on_local = Playback::new(local, prefix.clone());
    let mut on_ours = Playback::new(ours, prefix);
    for (index, step) in out.steps.iter_mut().enumerate() {
        let failed = |target: &str, e: String| format!("{} step {index} on {target}: {e}", scenario.name);
        let from_local = on_local.step(&step.op, &step.body).await.map_err(|e| failed("DynamoDB Local", e))?;
        let from_ours = match emulated {
            true => Some(on_ours.step(&step.op, &step.body).await.map_err(|e| failed("the emulator", e))?),
            false => None,
        };
        let chosen = match (&step.expect, &from_ours) {
            (Some(real), _) => real.clone(),
            (None, Some(ours))
                if *ours != from_local
                    && differences::accepting(known, &scenario.name, index, &step.op, Some(ours), &from_local)
                        .is_some() =>
            {
                ours.clone()
            }
            _ => from_local.clone(),
        };
        let local_ok = from_local == chosen
            || differences::accepting(known, &scenario.name, index, &step.op, Some(&chosen), &from_local).is_some();
        if !local_ok {
            println!(
                "NEEDS KNOWN DIFFERENCE {} step {index} ({}): real {} / DynamoDB Local {}",
                scenario.name,
                step.op,
                show(&chosen),
                show(&from_local)
            );
        }
        if let Some(ours) = &from_ours {
            if *ours != chosen {
                let mut paths = Vec::new();
                diff_paths(
                    "",
                    &json!({"status": chosen.status, "body": chosen.body}),
                    &json!({"status": ours.status, "body": ours.body}),
                    &mut paths,
                );
                println!("EMULATOR DIVERGES {} step {index} ({}): {}", scenario.name, step.op, paths.join(" | "));
            }
        }
        step.expect = Some(chosen);
    }
    on_local.clean_up().await;
    on_ours.clean_up().await;
    Ok(out)
}

fn show(e: &Expect) -> String {
    let text = json!({"status": e.status, "body": e.body}).to_string();
    if text.len() > 600 {
        format!("{}…", &text[..text.char_indices().nth(600).map_or(text.len(), |(i, _)| i)])
    } else {
        text
    }
}

/// Where two answers differ: `path: expected → emulator`, for review.
fn diff_paths(at: &str, expected: &serde_json::Value, ours: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    if out.len() >= 4 {
        return;
    }
    match (expected, ours) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                let null = Value::Null;
                diff_paths(&format!("{at}/{k}"), a.get(k).unwrap_or(&null), b.get(k).unwrap_or(&null), out);
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                diff_paths(&format!("{at}/{i}"), x, y, out);
            }
        }
        _ if expected != ours => {
            let cut = |v: &Value| v.to_string().chars().take(300).collect::<String>();
            out.push(format!("{at}: {} → {}", cut(expected), cut(ours)));
        }
        _ => {}
    }
}
