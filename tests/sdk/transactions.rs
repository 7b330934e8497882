//! TransactGetItems and TransactWriteItems: all-or-nothing writes across
//! tables, cancellation reasons, idempotency tokens, consumed capacity, and
//! the user aggregate's unit of work (shared/seeds/002).

use crate::error_of;
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue as Av, ConditionCheck, Delete, Get, Put, ReturnConsumedCapacity,
    ReturnValuesOnConditionCheckFailure, TransactGetItem, TransactWriteItem, Update,
};
use aws_sdk_dynamodb::Client;
use sdk_tests::apps::user_aggregate::{CommitError, User, UserRepository};
use sdk_tests::create_table;
use std::collections::HashMap;

fn s(v: &str) -> Av {
    Av::S(v.to_string())
}

fn key(pk: &str) -> HashMap<String, Av> {
    HashMap::from([("pk".to_string(), s(pk))])
}

fn put(table: &str, item: HashMap<String, Av>) -> TransactWriteItem {
    TransactWriteItem::builder().put(Put::builder().table_name(table).set_item(Some(item)).build().unwrap()).build()
}

fn delete(table: &str, pk: &str) -> TransactWriteItem {
    TransactWriteItem::builder()
        .delete(Delete::builder().table_name(table).set_key(Some(key(pk))).build().unwrap())
        .build()
}

fn get(table: &str, pk: &str) -> TransactGetItem {
    TransactGetItem::builder().get(Get::builder().table_name(table).set_key(Some(key(pk))).build().unwrap()).build()
}

async fn exists(client: &Client, table: &str, pk: &str) -> bool {
    client.get_item().table_name(table).key("pk", s(pk)).send().await.unwrap().item().is_some()
}

#[tokio::test]
async fn transact_write_and_get_across_tables() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "tx-a", "pk", None).await;
    create_table(&client, "tx-b", "pk", None).await;
    client.put_item().table_name("tx-b").item("pk", s("gone")).send().await.unwrap();

    let out = client
        .transact_write_items()
        .transact_items(put("tx-a", HashMap::from([("pk".into(), s("a1")), ("v".into(), s("x"))])))
        .transact_items(put("tx-b", key("b1")))
        .transact_items(delete("tx-b", "gone"))
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await
        .unwrap();
    // Transactional writes cost double: 2 units per item up to 1 KB.
    let mut units: Vec<(String, f64)> = out
        .consumed_capacity()
        .iter()
        .map(|c| (c.table_name().unwrap().to_string(), c.capacity_units().unwrap()))
        .collect();
    units.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(units, [("tx-a".to_string(), 2.0), ("tx-b".to_string(), 4.0)]);
    assert!(!exists(&client, "tx-b", "gone").await);

    let got = client
        .transact_get_items()
        .transact_items(get("tx-a", "a1"))
        .transact_items(get("tx-b", "missing"))
        .transact_items(get("tx-b", "b1"))
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await
        .unwrap();
    let responses = got.responses();
    assert_eq!(responses.len(), 3, "one response per Get, in order");
    assert_eq!(responses[0].item().unwrap()["v"], s("x"));
    assert!(responses[1].item().is_none());
    assert_eq!(responses[2].item().unwrap()["pk"], s("b1"));
    // Transactional reads: 2 units per item up to 4 KB, missing items included.
    let total: f64 = got.consumed_capacity().iter().map(|c| c.capacity_units().unwrap()).sum();
    assert_eq!(total, 6.0);
}

#[tokio::test]
async fn two_actions_on_one_item_are_rejected_and_nothing_is_written() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "tx-dup", "pk", None).await;
    let err = error_of(
        client
            .transact_write_items()
            .transact_items(put("tx-dup", key("other")))
            .transact_items(put("tx-dup", key("a")))
            .transact_items(delete("tx-dup", "a"))
            .send()
            .await,
    );
    assert_eq!(
        err,
        ("ValidationException".into(), "Transaction request cannot include multiple operations on one item".into())
    );
    assert!(!exists(&client, "tx-dup", "other").await);

    let err = error_of(
        client.transact_get_items().transact_items(get("tx-dup", "a")).transact_items(get("tx-dup", "a")).send().await,
    );
    assert_eq!(err.1, "Transaction request cannot include multiple operations on one item");
}

#[tokio::test]
async fn a_bad_action_anywhere_fails_the_whole_transaction() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "tx-bad", "pk", None).await;
    // Missing table.
    let err = error_of(
        client
            .transact_write_items()
            .transact_items(put("tx-bad", key("a")))
            .transact_items(put("no-such-table", key("b")))
            .send()
            .await,
    );
    assert_eq!(err, ("ResourceNotFoundException".into(), "Requested resource not found".into()));
    // Missing key attribute.
    let err = error_of(
        client
            .transact_write_items()
            .transact_items(put("tx-bad", key("a")))
            .transact_items(put("tx-bad", HashMap::from([("other".to_string(), s("x"))])))
            .send()
            .await,
    );
    assert_eq!(err.1, "One or more parameter values were invalid: Missing the key pk in the item");
    // A key of the wrong type cancels the transaction with a ValidationError reason for that action.
    let result = client
        .transact_write_items()
        .transact_items(put("tx-bad", key("a")))
        .transact_items(put("tx-bad", HashMap::from([("pk".to_string(), Av::N("1".into()))])))
        .send()
        .await;
    let err = result.expect_err("cancelled").into_service_error();
    let TransactWriteItemsError::TransactionCanceledException(cancel) = &err else { panic!("{err:?}") };
    assert_eq!(
        cancel.message(),
        Some("Transaction cancelled, please refer cancellation reasons for specific reasons [None, ValidationError]")
    );
    let codes: Vec<_> = cancel.cancellation_reasons().iter().map(|r| r.code().unwrap_or_default()).collect();
    assert_eq!(codes, ["None", "ValidationError"]);
    assert!(!exists(&client, "tx-bad", "a").await);
    // An item over 400 KB.
    let big = HashMap::from([("pk".to_string(), s("big")), ("blob".to_string(), s(&"x".repeat(401 * 1024)))]);
    let err = client
        .transact_write_items()
        .transact_items(put("tx-bad", key("a")))
        .transact_items(put("tx-bad", big))
        .send()
        .await
        .expect_err("cancelled");
    assert_eq!(err.code(), Some("TransactionCanceledException"));
    assert!(!exists(&client, "tx-bad", "a").await);
    // Limits on the number of actions.
    let mut request = client.transact_write_items();
    for i in 0..101 {
        request = request.transact_items(put("tx-bad", key(&format!("k{i}"))));
    }
    let err = error_of(request.send().await);
    assert_eq!(err.0, "ValidationException");
    assert!(err.1.contains("Member must have length less than or equal to 100"), "{}", err.1);
}

#[tokio::test]
async fn client_request_tokens_make_transactions_idempotent_for_ten_minutes() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "tx-idem", "pk", None).await;
    let send = |pk: &'static str| {
        client.transact_write_items().client_request_token("order-42").transact_items(put("tx-idem", key(pk))).send()
    };
    send("a").await.unwrap();
    client.delete_item().table_name("tx-idem").key("pk", s("a")).send().await.unwrap();
    // The same request again within 10 minutes succeeds without applying again.
    send("a").await.unwrap();
    assert!(!exists(&client, "tx-idem", "a").await, "a replay must not write");
    // The same token with another request is a mismatch.
    let err = error_of(send("b").await);
    assert_eq!(err.0, "IdempotentParameterMismatchException");
    assert!(!exists(&client, "tx-idem", "b").await);
    // After 10 minutes the token is forgotten and the request runs again.
    db.state().clock.advance_millis(10 * 60 * 1000 + 1);
    send("b").await.unwrap();
    assert!(exists(&client, "tx-idem", "b").await);
}

#[tokio::test]
async fn failed_conditions_cancel_with_one_reason_per_action_and_the_old_item() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "tx-cond", "pk", None).await;
    create_table(&client, "tx-cond2", "pk", None).await;
    client.put_item().table_name("tx-cond").item("pk", s("taken")).item("owner", s("ann")).send().await.unwrap();
    client
        .put_item()
        .table_name("tx-cond2")
        .item("pk", s("stock"))
        .item("qty", Av::N("3".into()))
        .send()
        .await
        .unwrap();

    let check = ConditionCheck::builder()
        .table_name("tx-cond2")
        .set_key(Some(key("stock")))
        .condition_expression("qty >= :want")
        .expression_attribute_values(":want", Av::N("2".into()))
        .build()
        .unwrap();
    let taken = Put::builder()
        .table_name("tx-cond")
        .item("pk", s("taken"))
        .item("owner", s("bob"))
        .condition_expression("attribute_not_exists(pk)")
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .build()
        .unwrap();
    let result = client
        .transact_write_items()
        .transact_items(put("tx-cond", key("fresh")))
        .transact_items(TransactWriteItem::builder().condition_check(check).build())
        .transact_items(TransactWriteItem::builder().put(taken).build())
        .send()
        .await;
    let err = result.expect_err("cancelled").into_service_error();
    let TransactWriteItemsError::TransactionCanceledException(cancel) = &err else { panic!("{err:?}") };
    assert_eq!(
        cancel.message(),
        Some("Transaction cancelled, please refer cancellation reasons for specific reasons [None, None, ConditionalCheckFailed]")
    );
    let reasons = cancel.cancellation_reasons();
    assert_eq!(reasons.len(), 3);
    assert_eq!(reasons[2].code(), Some("ConditionalCheckFailed"));
    assert_eq!(reasons[2].message(), Some("The conditional request failed"));
    assert_eq!(reasons[2].item().unwrap()["owner"], s("ann"));
    assert!(reasons[0].item().is_none());
    assert!(!exists(&client, "tx-cond", "fresh").await, "nothing of a cancelled transaction is written");

    // The same transaction with the third action fixed commits, updates included.
    let update = Update::builder()
        .table_name("tx-cond2")
        .set_key(Some(key("stock")))
        .update_expression("SET qty = qty - :one")
        .condition_expression("qty >= :one")
        .expression_attribute_values(":one", Av::N("1".into()))
        .build()
        .unwrap();
    client
        .transact_write_items()
        .transact_items(put("tx-cond", key("fresh")))
        .transact_items(TransactWriteItem::builder().update(update).build())
        .send()
        .await
        .unwrap();
    let stock = client.get_item().table_name("tx-cond2").key("pk", s("stock")).send().await.unwrap();
    assert_eq!(stock.item().unwrap()["qty"], Av::N("2".into()));
}

#[tokio::test]
async fn transact_get_items_projects_each_get() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "tx-proj", "pk", None).await;
    client
        .put_item()
        .table_name("tx-proj")
        .item("pk", s("p"))
        .item("name", s("Ada"))
        .item("secret", s("x"))
        .send()
        .await
        .unwrap();
    let projected = Get::builder()
        .table_name("tx-proj")
        .set_key(Some(key("p")))
        .projection_expression("#n")
        .expression_attribute_names("#n", "name")
        .build()
        .unwrap();
    let got = client
        .transact_get_items()
        .transact_items(TransactGetItem::builder().get(projected).build())
        .send()
        .await
        .unwrap();
    let item = got.responses()[0].item().unwrap();
    assert_eq!(item.len(), 1);
    assert_eq!(item["name"], s("Ada"));
}

#[tokio::test]
async fn transact_get_items_returns_at_most_4_mb() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "tx-big", "pk", None).await;
    // Eleven items of 399,365 bytes (names and values): ten fit in 4 MB, eleven do not.
    let data = "x".repeat(390 * 1024);
    for i in 0..11 {
        let item = HashMap::from([("pk".to_string(), s(&format!("k{i}"))), ("d".to_string(), s(&data))]);
        client.put_item().table_name("tx-big").set_item(Some(item)).send().await.unwrap();
    }
    let gets = |n: usize, projection: Option<&str>| {
        let items = (0..n)
            .map(|i| {
                let get = Get::builder().table_name("tx-big").set_key(Some(key(&format!("k{i}"))));
                let get = get.set_projection_expression(projection.map(str::to_string)).build().unwrap();
                TransactGetItem::builder().get(get).build()
            })
            .collect();
        client.transact_get_items().set_transact_items(Some(items)).send()
    };
    assert_eq!(gets(10, None).await.unwrap().responses().len(), 10);
    // The size counted is what DynamoDB Local reports: each item's size plus 4 bytes.
    let too_large = error_of(gets(11, None).await);
    assert_eq!(too_large, ("ValidationException".into(), "Payload in response is too large.4393060".into()));
    // Only what the projections return counts.
    let projected = gets(11, Some("pk")).await.unwrap();
    assert!(projected.responses().iter().all(|r| r.item().is_some_and(|i| i.len() == 1)));
}

#[tokio::test]
async fn user_aggregate_registration_reserves_the_email_in_one_transaction() {
    let db = harness::start().await;
    let client = db.client();
    UserRepository::create_table(&client, "Users").await;
    let mut repo = UserRepository::new(client.clone(), "Users");
    let ada = User {
        id: "6f1c0a3e-0000-4000-8000-000000000001".into(),
        email: "Ada@Example.com".into(),
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        refresh_token: Some("rt-1".into()),
    };
    repo.add(&ada);
    repo.commit().await.unwrap();
    assert!(repo.get_by_id(&ada.id).await.is_some());
    let reservation = repo.get_by_id(&UserRepository::email_reservation_id(&ada.email)).await.unwrap();
    assert_eq!(reservation["UserId"], s(&ada.id));

    // A second user with the same email (other case): the reservation fails, nothing is left behind.
    let impostor =
        User { id: "6f1c0a3e-0000-4000-8000-000000000002".into(), email: "ada@example.com".into(), ..ada.clone() };
    repo.add(&impostor);
    let err = repo.commit().await.unwrap_err();
    assert_eq!(err, CommitError::Cancelled(vec!["None".into(), "ConditionalCheckFailed".into()]));
    assert!(repo.get_by_id(&impostor.id).await.is_none());
    let reservation = repo.get_by_id(&UserRepository::email_reservation_id(&ada.email)).await.unwrap();
    assert_eq!(reservation["UserId"], s(&ada.id), "the reservation still belongs to the first user");
}
