//! `emulator dump` and `emulator load` (the spawned binary) between two
//! emulators served in-process: definition and items (paged Scan, batches of
//! 25), a file `--seed` reads too, and errors that say what failed.
#![cfg(feature = "remote")]

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue as Av, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    Projection, ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType,
};
use emulator::State;
use serde_json::Value;
use std::process::{Command, Output};
use std::sync::Arc;

/// Runs the binary (off the runtime's threads) with the harness's credentials.
async fn emulator(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_emulator"))
            .args(&args)
            .env("AWS_ACCESS_KEY_ID", harness::ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", harness::SECRET_KEY)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_ENDPOINT_URL")
            .output()
            .expect("run the emulator binary")
    })
    .await
    .unwrap()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

async fn orders_table(db: &harness::Emulator) {
    let attribute =
        |name: &str, kind| AttributeDefinition::builder().attribute_name(name).attribute_type(kind).build().unwrap();
    let key = |name: &str, kind| KeySchemaElement::builder().attribute_name(name).key_type(kind).build().unwrap();
    let by_customer = GlobalSecondaryIndex::builder()
        .index_name("by-customer")
        .key_schema(key("customer", KeyType::Hash))
        .projection(Projection::builder().projection_type(ProjectionType::KeysOnly).build())
        .build()
        .unwrap();
    db.client()
        .create_table()
        .table_name("orders")
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attribute("id", ScalarAttributeType::S))
        .attribute_definitions(attribute("line", ScalarAttributeType::N))
        .attribute_definitions(attribute("customer", ScalarAttributeType::S))
        .key_schema(key("id", KeyType::Hash))
        .key_schema(key("line", KeyType::Range))
        .global_secondary_indexes(by_customer)
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::NewImage)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    // 60 items of 20 KB: more than one Scan page (1 MB) and three batches.
    for i in 0..60 {
        db.client()
            .put_item()
            .table_name("orders")
            .item("id", Av::S(format!("order-{}", i % 7)))
            .item("line", Av::N(format!("{i}.50")))
            .item("customer", Av::S(format!("c{}", i % 3)))
            .item("note", Av::S("x".repeat(20_000)))
            .item("blob", Av::B(vec![0, 1, i as u8].into()))
            .item("tags", Av::Ss(vec!["a".into(), format!("t{i}")]))
            .item("nested", Av::M([("l".to_string(), Av::L(vec![Av::Null(true), Av::Bool(true)]))].into()))
            .send()
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn dump_then_load_moves_a_table_between_endpoints() {
    let source = harness::start_with_state(Arc::new(State::default())).await;
    let target = harness::start_with_state(Arc::new(State::default())).await;
    orders_table(&source).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("orders.json");
    let file_arg = file.to_str().unwrap();

    let dumped =
        emulator(args(&["dump", "--endpoint", source.endpoint(), "--table", "orders", "--out", file_arg])).await;
    assert!(dumped.status.success(), "{}", String::from_utf8_lossy(&dumped.stderr));
    assert!(String::from_utf8_lossy(&dumped.stderr).contains("dumped table orders (60 items)"));
    let document: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(document["Table"]["TableName"], "orders");
    assert_eq!(document["Table"]["BillingMode"], "PAY_PER_REQUEST");
    assert_eq!(document["Table"]["GlobalSecondaryIndexes"][0]["Projection"]["ProjectionType"], "KEYS_ONLY");
    assert_eq!(document["Table"]["StreamSpecification"]["StreamViewType"], "NEW_IMAGE");
    assert_eq!(document["Items"].as_array().unwrap().len(), 60);

    let loaded = emulator(args(&["load", "--endpoint", target.endpoint(), file_arg])).await;
    let stderr = String::from_utf8_lossy(&loaded.stderr);
    assert!(
        loaded.status.success() && stderr.contains("loaded 60 items") && stderr.contains("table created"),
        "{stderr}"
    );
    let format = harness::ItemFormat::DynamoDb;
    assert_eq!(target.dump("orders", format).unwrap(), source.dump("orders", format).unwrap());
    let described = target.client().describe_table().table_name("orders").send().await.unwrap();
    let table = described.table().unwrap();
    assert_eq!(table.global_secondary_indexes()[0].index_name(), Some("by-customer"));
    assert!(table.stream_specification().is_some_and(|s| s.stream_enabled()));

    // The same file seeds a server.
    let seeded = State::default();
    let files = [emulator::seed::SeedFile::parse(file_arg)];
    let counts = emulator::seed::load(&seeded, &files, emulator::seed::Existing::Refuse, &mut |_, _, _| {}).unwrap();
    assert_eq!((counts.tables, counts.items), (1, 60));

    // Plain items into the existing table, named by --table.
    let extra = dir.path().join("extra.json");
    std::fs::write(&extra, r#"[{"id": "order-x", "line": 1, "customer": "c9"}]"#).unwrap();
    let more = emulator(args(&["load", "--endpoint", target.endpoint(), "--table", "orders", extra.to_str().unwrap()]));
    let more = more.await;
    let stderr = String::from_utf8_lossy(&more.stderr);
    assert!(more.status.success() && stderr.contains("loaded 1 items") && !stderr.contains("created"), "{stderr}");
    assert_eq!(target.dump("orders", format).unwrap().as_array().unwrap().len(), 61);
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_say_what_failed() {
    let db = harness::start_with_state(Arc::new(State::default())).await;
    let missing = emulator(args(&["dump", "--endpoint", db.endpoint(), "--table", "nope"])).await;
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert_eq!(missing.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("DescribeTable") && stderr.contains("ResourceNotFoundException"), "{stderr}");

    let dir = tempfile::tempdir().unwrap();
    let items = dir.path().join("items.json");
    std::fs::write(&items, r#"[{"id": "1"}]"#).unwrap();
    let unnamed = emulator(args(&["load", "--endpoint", db.endpoint(), items.to_str().unwrap()])).await;
    let stderr = String::from_utf8_lossy(&unnamed.stderr);
    assert_eq!(unnamed.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("items.json: the file names no table") && stderr.contains("--table"), "{stderr}");
    let undefined =
        emulator(args(&["load", "--endpoint", db.endpoint(), "--table", "ghosts", items.to_str().unwrap()])).await;
    let stderr = String::from_utf8_lossy(&undefined.stderr);
    assert_eq!(undefined.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no table ghosts, and the file does not define it"), "{stderr}");
}
