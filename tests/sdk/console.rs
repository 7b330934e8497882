//! The web console (`/_emulator/`) in a real browser: Debian's headless
//! Chromium driven by Playwright (`tests/console/console.mjs`, `playwright-core`
//! from npm) loads every page, checks its content, uses its forms and saves
//! screenshots under `target/console-screenshots/`. Required with `CI=true`;
//! elsewhere skipped with a message when Chromium or Node.js is missing.

use crate::clients::{node_packages, repo_path, required, serve_as_binary};
use emulator::{dispatch, Operation};
use serde_json::json;
use std::process::Command;

#[tokio::test(flavor = "multi_thread")]
async fn console_pages_in_headless_chromium() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !std::path::Path::new(&chromium).is_file() {
        return required("Chromium (apt-get install chromium)", &format!("{chromium} not found"));
    }
    let dir = repo_path("tests/console");
    let Some(_) = tokio::task::spawn_blocking(move || node_packages(&dir)).await.expect("npm thread") else { return };

    let (endpoint, state, _stop) = serve_as_binary().await;
    let forum = json!({
        "TableName": "Forum",
        "KeySchema": [{"AttributeName": "threadId", "KeyType": "HASH"}, {"AttributeName": "createdAt", "KeyType": "RANGE"}],
        "AttributeDefinitions": [
            {"AttributeName": "threadId", "AttributeType": "S"},
            {"AttributeName": "createdAt", "AttributeType": "N"},
            {"AttributeName": "author", "AttributeType": "S"}
        ],
        "GlobalSecondaryIndexes": [{
            "IndexName": "byAuthor",
            "KeySchema": [{"AttributeName": "author", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}
        }],
        "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    });
    dispatch(&state, Operation::CreateTable, &forum).expect("create Forum");
    for n in 1..=30 {
        let body = if n == 7 { "<script>window.__xss = 1</script>".to_string() } else { format!("post {n}") };
        let author = ["ana", "bo", "cy"][n % 3];
        let mut item = json!({
            "threadId": {"S": "t1"},
            "createdAt": {"N": n.to_string()},
            "author": {"S": author},
            "body": {"S": body}
        });
        if n == 8 {
            // An attribute name is user data too.
            item["<img src=x onerror=\"window.__xss=2\">"] = json!({"BOOL": true});
        }
        dispatch(&state, Operation::PutItem, &json!({"TableName": "Forum", "Item": item})).expect("put");
    }

    let shots = repo_path("target/console-screenshots");
    let script = repo_path("tests/console/console.mjs");
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node").arg(script).arg(endpoint).arg(&shots).env("CHROMIUM", chromium).output()
    })
    .await
    .expect("node thread")
    .expect("run node");
    let log = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    println!("{log}");
    assert!(output.status.success(), "the console's browser checks failed:\n{log}");

    // What the forms did, seen from the emulator's side.
    assert_eq!(state.faults.to_json()["rules"][0]["operation"], "GetItem");
    assert!(state.clock.offset_millis() >= 3_600_000);
    assert_eq!(state.status_delay.get().as_millis(), 1234);
}
