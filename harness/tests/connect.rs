//! `harness::connect` and `HARNESS_TARGET` against a second emulator served
//! in-process: the handle's client reaches it, the emulator's own tools
//! refuse by name, and the tables the handle created are deleted on drop.

use aws_sdk_dynamodb::types::{AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType};
use emulator::State;
use std::sync::Arc;

async fn create_table(client: &aws_sdk_dynamodb::Client, name: &str) {
    client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder().attribute_name("id").attribute_type("S".into()).build().unwrap(),
        )
        .key_schema(KeySchemaElement::builder().attribute_name("id").key_type(KeyType::Hash).build().unwrap())
        .send()
        .await
        .unwrap();
}

async fn table_names(client: &aws_sdk_dynamodb::Client) -> Vec<String> {
    client.list_tables().send().await.unwrap().table_names().to_vec()
}

fn panic_message(run: impl FnOnce()) -> String {
    let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).expect_err("should refuse");
    payload.downcast_ref::<String>().cloned().unwrap_or_default()
}

// Multi-threaded: the server answers the drop's DeleteTable while the test's thread waits.
#[tokio::test(flavor = "multi_thread")]
async fn connect_reaches_another_emulator_and_cleans_up() {
    let server = harness::start_with_state(Arc::new(State::default())).await;
    create_table(&server.client(), "kept").await;

    let handle = harness::connect(server.endpoint()).await;
    assert!(handle.is_remote() && !server.is_remote());
    assert_eq!(handle.endpoint(), server.endpoint());
    assert_eq!(handle.address(), server.address());
    create_table(&handle.client(), "made-by-handle").await;
    let item = [("id".to_string(), AttributeValue::S("1".into()))].into();
    handle.client().put_item().table_name("made-by-handle").set_item(Some(item)).send().await.unwrap();
    let other_client = aws_sdk_dynamodb::Client::new(&handle.sdk_config());
    assert_eq!(table_names(&other_client).await, ["kept", "made-by-handle"]);
    assert_eq!(server.dump("made-by-handle", harness::ItemFormat::Plain).unwrap(), serde_json::json!([{"id": "1"}]));

    let refused = panic_message(|| {
        handle.clock().now_millis();
    });
    assert!(refused.contains("clock() needs the in-process emulator"), "{refused}");
    assert!(refused.contains(server.endpoint()) && refused.contains("HARNESS_TARGET"), "{refused}");
    let refused = panic_message(|| {
        handle.faults();
    });
    assert!(refused.contains("faults()"), "{refused}");

    drop(handle);
    assert_eq!(table_names(&server.client()).await, ["kept"], "the handle's table is gone, the other kept");
}

#[tokio::test(flavor = "multi_thread")]
async fn harness_target_points_start_elsewhere() {
    let server = harness::start_with_state(Arc::new(State::default())).await;
    // Only this test in this binary reads HARNESS_TARGET.
    std::env::set_var(harness::TARGET_VARIABLE, server.endpoint());
    let handle = harness::start().await;
    std::env::remove_var(harness::TARGET_VARIABLE);
    assert!(handle.is_remote());
    assert_eq!(harness::remote_target(), None);
    create_table(&handle.client(), "via-start").await;
    assert_eq!(table_names(&server.client()).await, ["via-start"]);
    let refused = panic_message(|| {
        handle.state();
    });
    assert!(refused.contains("HARNESS_TARGET or harness::connect") && refused.contains("state()"), "{refused}");
    drop(handle);
    assert!(table_names(&server.client()).await.is_empty());
    // Without the variable, start() serves an emulator of its own.
    assert!(!harness::start().await.is_remote());
}
