//! `harness::Fixture`: a table seeded once per process, forked by every
//! test. Forks share the fixture's items copy on write: each must see the
//! seeded items and none may see another's writes.

use aws_sdk_dynamodb::types::AttributeValue as Av;
use aws_sdk_dynamodb::Client;
use std::sync::LazyLock;

const TABLE: &str = "orders";
const ITEMS: usize = 1_000;

/// Orders `o0000`..`o0999`, ten per customer, indexed by customer; with a stream and point-in-time recovery.
static ORDERS: LazyLock<harness::Fixture> = LazyLock::new(|| {
    harness::Fixture::new(|db| {
        db.create_tables(
            r#"{"TableName": "orders", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"},
                                     {"AttributeName": "customer", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "GlobalSecondaryIndexes": [{"IndexName": "by-customer",
                "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}],
            "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"}}"#,
        )
        .unwrap();
        let items: Vec<serde_json::Value> = (0..ITEMS)
            .map(|i| serde_json::json!({"id": format!("o{i:04}"), "customer": format!("c{}", i / 10), "amount": i}))
            .collect();
        assert_eq!(db.seed(TABLE, &serde_json::Value::Array(items).to_string()).unwrap(), ITEMS);
    })
});

async fn amount(client: &Client, id: &str) -> Option<String> {
    let got = client.get_item().table_name(TABLE).key("id", Av::S(id.into())).send().await.unwrap();
    got.item().map(|item| item["amount"].as_n().unwrap().clone())
}

async fn customer_orders(client: &Client, customer: &str) -> usize {
    let query = client
        .query()
        .table_name(TABLE)
        .index_name("by-customer")
        .key_condition_expression("customer = :c")
        .expression_attribute_values(":c", Av::S(customer.into()));
    query.send().await.unwrap().count() as usize
}

async fn count(client: &Client) -> i32 {
    client.scan().table_name(TABLE).send().await.unwrap().count()
}

#[tokio::test]
async fn writes_in_one_fork_are_invisible_in_another_and_in_the_fixture() {
    let (one, other) = (ORDERS.embedded(), ORDERS.embedded());
    let (a, b) = (one.client(), other.client());
    assert_eq!(amount(&a, "o0042").await.as_deref(), Some("42"));

    // Put over a seeded item (moving it to another customer), add one, delete one, in the first fork.
    let moved = [("id", "o0042"), ("customer", "c7")].map(|(k, v)| (k.to_string(), Av::S(v.into())));
    a.put_item().table_name(TABLE).set_item(Some(moved.into())).item("amount", Av::N("1".into())).send().await.unwrap();
    a.put_item()
        .table_name(TABLE)
        .item("id", Av::S("new".into()))
        .item("customer", Av::S("c7".into()))
        .item("amount", Av::N("5".into()))
        .send()
        .await
        .unwrap();
    a.delete_item().table_name(TABLE).key("id", Av::S("o0999".into())).send().await.unwrap();

    assert_eq!(amount(&a, "o0042").await.as_deref(), Some("1"));
    assert_eq!((count(&a).await, customer_orders(&a, "c7").await, customer_orders(&a, "c4").await), (1000, 12, 9));
    // The other fork, and a fork made after the writes, still hold the seeded items, indexes included.
    for client in [&b, &ORDERS.embedded().client()] {
        assert_eq!(amount(client, "o0042").await.as_deref(), Some("42"));
        assert_eq!(amount(client, "new").await, None);
        assert_eq!(amount(client, "o0999").await.as_deref(), Some("999"));
        assert_eq!(
            (count(client).await, customer_orders(client, "c7").await, customer_orders(client, "c4").await),
            (1000, 10, 10)
        );
    }
    // So does the fixture's own snapshot.
    let snapshot = harness::embedded();
    snapshot.restore(ORDERS.snapshot());
    assert_eq!(amount(&snapshot.client(), "new").await, None);

    // Each fork has its own stream: the first one's three writes, none in the other.
    assert_eq!(one.stream_records(TABLE).len(), 3);
    assert!(other.stream_records(TABLE).is_empty());
}

#[tokio::test]
async fn a_served_fork_verifies_signatures_and_keeps_its_writes() {
    let served = ORDERS.start().await;
    let client = served.client();
    assert!(served.endpoint().starts_with("http://127.0.0.1:"));
    client.delete_item().table_name(TABLE).key("id", Av::S("o0001".into())).send().await.unwrap();
    assert_eq!((amount(&client, "o0001").await, count(&client).await), (None, 999));
    assert_eq!(amount(&ORDERS.embedded().client(), "o0001").await.as_deref(), Some("1"));

    // The fork's server checks signatures as `harness::start()`'s does: a key it does not know is refused.
    let stranger = served.client_for("us-east-1", "AKIDSTRANGER", harness::SECRET_KEY);
    let error = stranger.list_tables().send().await.unwrap_err();
    assert_eq!(error.into_service_error().meta().code(), Some("UnrecognizedClientException"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_forks_written_at_once_stay_apart() {
    let tests = (0..32).map(|n| {
        tokio::spawn(async move {
            let db = ORDERS.embedded();
            let client = db.client();
            let id = format!("o{:04}", n * 10);
            client
                .update_item()
                .table_name(TABLE)
                .key("id", Av::S(id.clone()))
                .update_expression("SET amount = :n")
                .condition_expression("attribute_exists(id)")
                .expression_attribute_values(":n", Av::N(format!("{}", 100_000 + n)))
                .send()
                .await
                .unwrap();
            // Only this fork's own update is there: every other fork's target keeps its seeded amount.
            for other in (0..32).filter(|o| *o != n) {
                let seeded = (other * 10).to_string();
                assert_eq!(amount(&client, &format!("o{:04}", other * 10)).await, Some(seeded));
            }
            assert_eq!(amount(&client, &id).await, Some(format!("{}", 100_000 + n)));
        })
    });
    for test in tests.collect::<Vec<_>>() {
        test.await.unwrap();
    }
}
