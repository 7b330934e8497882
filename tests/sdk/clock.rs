//! The controllable clock: tests move time, and everything time-dependent follows.

use sdk_tests::create_table;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn epoch_seconds(t: &aws_sdk_dynamodb::primitives::DateTime) -> i64 {
    t.secs()
}

#[tokio::test]
async fn creation_times_follow_the_clock() {
    let db = harness::embedded();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    db.clock().advance(Duration::from_secs(86_400));
    create_table(&db.client(), "later", "pk", None).await;
    let later = db.client().describe_table().table_name("later").send().await.unwrap();
    let created = epoch_seconds(later.table().unwrap().creation_date_time().unwrap());
    assert!((created - (now + 86_400)).abs() <= 5, "created {created}, expected about {}", now + 86_400);

    // Set an absolute time: 2030-01-01T00:00:00Z.
    db.clock().set_millis(1_893_456_000_000);
    create_table(&db.client(), "in2030", "pk", None).await;
    let t = db.client().describe_table().table_name("in2030").send().await.unwrap();
    let created = epoch_seconds(t.table().unwrap().creation_date_time().unwrap());
    assert!((created - 1_893_456_000).abs() <= 5);

    // Forks keep the moved clock; reset goes back to real time.
    let fork = db.fork(&db.snapshot());
    assert!((fork.clock().now_millis() - 1_893_456_000_000).abs() < 5_000);
    db.clock().reset();
    assert!((db.clock().now_millis() / 1000 - now).abs() <= 5);
}

#[tokio::test]
async fn the_clock_is_controllable_over_http() {
    let db = harness::start().await;
    let set = sdk_tests::raw_request_to(
        db.address(),
        "POST",
        "/_emulator/clock",
        sdk_tests::ADMIN_HEADERS,
        br#"{"setMillis": 1893456000000}"#,
    )
    .await;
    assert_eq!(set.status, 200);
    let advanced = sdk_tests::raw_request_to(
        db.address(),
        "POST",
        "/_emulator/clock",
        sdk_tests::ADMIN_HEADERS,
        br#"{"advanceMillis": 60000}"#,
    )
    .await;
    let now = advanced.json()["nowMillis"].as_i64().unwrap();
    assert!((now - 1_893_456_060_000).abs() < 5_000, "{now}");
    assert!((db.clock().now_millis() - 1_893_456_060_000).abs() < 5_000);
    let bad =
        sdk_tests::raw_request_to(db.address(), "POST", "/_emulator/clock", sdk_tests::ADMIN_HEADERS, br#"{}"#).await;
    assert_eq!(bad.status, 400);
}

/// TransactWriteItems' idempotency window (10 minutes) runs on the emulator's clock.
#[tokio::test]
async fn idempotency_tokens_expire_when_the_clock_moves() {
    use aws_sdk_dynamodb::types::{AttributeValue as Av, Put, TransactWriteItem};
    let db = harness::embedded();
    create_table(&db.client(), "orders", "pk", None).await;
    let write = |value: &str| {
        let put = Put::builder()
            .table_name("orders")
            .item("pk", Av::S("o1".into()))
            .item("v", Av::S(value.into()))
            .build()
            .unwrap();
        db.client()
            .transact_write_items()
            .client_request_token("token-1")
            .transact_items(TransactWriteItem::builder().put(put).build())
    };
    write("first").send().await.unwrap();
    let (code, _) = crate::error_of(write("second").send().await);
    assert_eq!(code, "IdempotentParameterMismatchException");
    db.clock().advance(Duration::from_secs(11 * 60));
    write("second").send().await.expect("the token has expired");
    let got = db.client().get_item().table_name("orders").key("pk", Av::S("o1".into())).send().await.unwrap();
    assert_eq!(got.item().unwrap()["v"], Av::S("second".into()));
}
