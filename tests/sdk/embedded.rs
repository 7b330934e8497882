//! The in-process transport: a real SDK client with no socket.

use crate::error_of;
use aws_sdk_dynamodb::types::{AttributeValue as Av, ScalarAttributeType};
use sdk_tests::create_table;
use std::time::Instant;

#[tokio::test]
async fn embedded_client_round_trips_items() {
    let db = harness::embedded();
    let client = db.client();
    create_table(&client, "things", "pk", Some(("sk", ScalarAttributeType::N))).await;
    client
        .put_item()
        .table_name("things")
        .item("pk", Av::S("a".into()))
        .item("sk", Av::N("1".into()))
        .send()
        .await
        .unwrap();
    let got = client
        .get_item()
        .table_name("things")
        .key("pk", Av::S("a".into()))
        .key("sk", Av::N("1.0".into()))
        .send()
        .await
        .unwrap();
    assert_eq!(got.item().and_then(|i| i.get("sk")), Some(&Av::N("1".into())));
    // The state seen by the harness is the one the client wrote to.
    assert_eq!(db.state().catalog.names(), vec!["things".to_string()]);
}

#[tokio::test]
async fn embedded_errors_carry_dynamodb_types_and_messages() {
    let db = harness::embedded();
    let (code, message) =
        error_of(db.client().get_item().table_name("missing").key("pk", Av::S("a".into())).send().await);
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(message, "Requested resource not found");
}

#[tokio::test]
async fn embedded_emulators_are_isolated() {
    let (a, b) = (harness::embedded(), harness::embedded());
    create_table(&a.client(), "only_in_a", "pk", None).await;
    assert_eq!(a.client().list_tables().send().await.unwrap().table_names(), ["only_in_a"]);
    assert!(b.client().list_tables().send().await.unwrap().table_names().is_empty());
}

#[tokio::test]
async fn embedded_refuses_bodies_over_16_mb_like_the_server() {
    let db = harness::embedded();
    create_table(&db.client(), "big", "pk", None).await;
    let huge = "x".repeat(16 * 1024 * 1024 + 1);
    let result =
        db.client().put_item().table_name("big").item("pk", Av::S("a".into())).item("v", Av::S(huge)).send().await;
    let (code, message) = error_of(result);
    assert_eq!(code, "ValidationException");
    assert_eq!(message, "Request size exceeded 16777216 bytes");
    assert_eq!(db.state().catalog.get("big").unwrap().inner.read().data.item_count(), 0);
}

/// Prints what starting each kind of emulator costs (not a timed assertion:
/// machines differ), and checks each one answers.
#[tokio::test]
async fn start_times_are_reported() {
    const N: u32 = 200;
    // Warm up once: the first client pays for one-time SDK initialisation.
    let _ = harness::embedded();
    let started = Instant::now();
    let mut last = None;
    for _ in 0..N {
        last = Some(harness::embedded());
    }
    let embedded = started.elapsed() / N;
    let last = last.unwrap();
    assert!(last.client().list_tables().send().await.unwrap().table_names().is_empty());

    let _ = harness::start().await;
    let started = Instant::now();
    let mut servers = Vec::new();
    for _ in 0..N / 4 {
        servers.push(harness::start().await);
    }
    let server = started.elapsed() / (N / 4);
    assert!(servers[0].client().list_tables().send().await.unwrap().table_names().is_empty());

    // For comparison: a client left to build the SDK's default HTTPS stack (as start() used to).
    let plain = aws_sdk_dynamodb::config::Builder::from(&servers[0].sdk_config()).build();
    let mut without_http_client = plain.to_builder();
    without_http_client.set_http_client(None);
    let started = Instant::now();
    for _ in 0..N / 4 {
        let _ = aws_sdk_dynamodb::Client::from_conf(without_http_client.clone().build());
    }
    let default_https = started.elapsed() / (N / 4);

    let client = last.client();
    let started = Instant::now();
    for _ in 0..N {
        client.list_tables().send().await.unwrap();
    }
    let call = started.elapsed() / N;
    println!(
        "harness::embedded(): {embedded:?} per instance; harness::start(): {server:?} per instance; \
         a client with the default HTTPS stack: {default_https:?}; embedded ListTables: {call:?} per call"
    );
}
