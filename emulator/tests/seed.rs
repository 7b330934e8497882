//! `--seed` on the binary: tables and items at start-up, all or nothing,
//! into memory or a `--db-path` directory (issue 20). The formats and
//! messages in detail are unit tests in `src/seed.rs`.

use emulator::fixtures;
use emulator::state::State;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

const TABLE: &str = r#"
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Env: {Type: String, Default: dev}
Resources:
  Users:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub '${Env}-users'
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
"#;

fn emulator(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_emulator"));
    command.args(["--port", "0"]).args(args).env_remove("RUST_LOG").stdin(Stdio::null());
    command
}

/// Starts the binary, waits for its banner, stops it with SIGTERM; its stderr.
fn run_until_listening(args: &[&str]) -> String {
    let mut child = emulator(args).stderr(Stdio::piped()).spawn().expect("start the emulator");
    let mut seen = String::new();
    for line in BufReader::new(child.stderr.take().expect("stderr")).lines().map_while(Result::ok) {
        seen.push_str(&line);
        seen.push('\n');
        if line.contains("listening on http://") {
            // SAFETY: kill(2) on the child's own process id.
            unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
        }
    }
    let status = child.wait().expect("wait");
    assert!(status.success() && seen.contains("listening on"), "{status}: {seen}");
    seen
}

/// The tables and item counts a `--db-path` directory holds.
fn stored(dir: &Path) -> Vec<(String, usize)> {
    let state = State::default();
    drop(emulator::durable::Journal::open(dir, &state).expect("open the journal"));
    let listed = fixtures::call(&state, "ListTables", &serde_json::json!({})).unwrap();
    let names = listed["TableNames"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_string());
    names
        .map(|name| {
            let items = fixtures::dump_items(&state, &name, fixtures::ItemFormat::DynamoDb).unwrap();
            (name, items.as_array().unwrap().len())
        })
        .collect()
}

#[test]
fn seeds_a_durable_directory_all_or_nothing() {
    let files = tempfile::tempdir().unwrap();
    let template = files.path().join("template.yaml");
    std::fs::write(&template, TABLE).unwrap();
    let items = files.path().join("users.json");
    std::fs::write(&items, r#"[{"id": "u1", "name": "Ada"}, {"id": "u2", "tags": ["x"]}]"#).unwrap();
    let bad = files.path().join("bad.json");
    std::fs::write(&bad, r#"{"dev-users": [{"id": "u3"}, {"name": "no key"}]}"#).unwrap();
    let db = tempfile::tempdir().unwrap();
    let db_path = db.path().to_str().unwrap();
    let (template, items_arg, bad) =
        (template.to_str().unwrap(), format!("dev-users={}", items.display()), bad.to_str().unwrap());

    // A bad item: exit 1 naming the file and the item; nothing stored.
    let refused = emulator(&["--db-path", db_path, "--seed", template, "--seed", bad]).output().unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot seed: {bad}: item 1 of table dev-users: PutItem: ValidationException")),
        "{stderr}"
    );
    assert!(!stderr.contains("listening on"), "{stderr}");
    assert_eq!(stored(db.path()), []);

    let log = run_until_listening(&["--db-path", db_path, "--seed", template, "--seed", &items_arg]);
    assert!(log.contains("seeded") && log.contains("tables=1") && log.contains("items=2"), "{log}");
    assert_eq!(stored(db.path()), [("dev-users".to_string(), 2)]);

    // The directory holds the table now: refused, naming it, unless replaced.
    let again = emulator(&["--db-path", db_path, "--seed", template]).output().unwrap();
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert_eq!(again.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("table dev-users already exists") && stderr.contains("--seed-replace"), "{stderr}");
    run_until_listening(&["--db-path", db_path, "--seed", template, "--seed-replace"]);
    assert_eq!(stored(db.path()), [("dev-users".to_string(), 0)]);
    // Items alone go into the table the directory holds.
    run_until_listening(&["--db-path", db_path, "--seed", &items_arg]);
    assert_eq!(stored(db.path()), [("dev-users".to_string(), 2)]);
}

#[test]
fn a_missing_file_is_named() {
    let output = emulator(&["--seed", "/nonexistent/seed.json"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot seed: /nonexistent/seed.json: cannot read"), "{stderr}");
}
