//! The web console (`/_emulator/`) in a real browser: Debian's headless
//! Chromium driven by Playwright (`tests/console/console.mjs`, `playwright-core`
//! from npm) loads every page, checks its content, uses its forms and saves
//! screenshots under `target/console-screenshots/`. Required with `CI=true`;
//! elsewhere skipped with a message when Chromium or Node.js is missing.

use crate::clients::{browser, run_browser_script, serve_as_binary};
use emulator::{dispatch, Operation};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn console_pages_in_headless_chromium() {
    let Some(chromium) = browser().await else { return };
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

    run_browser_script("console.mjs", endpoint, chromium).await;

    // What the forms did, seen from the emulator's side.
    assert_eq!(state.faults.to_json()["rules"][0]["operation"], "GetItem");
    assert!(state.clock.offset_millis() >= 3_600_000);
    assert_eq!(state.status_delay.get().as_millis(), 1234);
}
