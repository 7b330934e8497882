//! Fault injection: applications' retry and backoff code rehearsed against
//! throttling, 5xx, transaction conflicts and partial batches.

use crate::error_of;
use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::AttributeValue as Av;
use harness::{ErrorKind, FaultAction, FaultRule};
use sdk_tests::create_table;
use std::time::{Duration, Instant};

/// A client that does not retry: the application sees every fault.
fn no_retries(db: &harness::Embedded) -> aws_sdk_dynamodb::Client {
    let config =
        aws_sdk_dynamodb::config::Builder::from(&db.sdk_config()).retry_config(RetryConfig::disabled()).build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

fn put(
    client: &aws_sdk_dynamodb::Client,
    id: &str,
) -> aws_sdk_dynamodb::operation::put_item::builders::PutItemFluentBuilder {
    client
        .put_item()
        .table_name("Users")
        .item("UserId", Av::S(id.into()))
        .item("Email", Av::S(format!("{id}@example.com")))
}

#[tokio::test]
async fn injected_errors_have_dynamodb_types_statuses_and_messages() {
    let db = harness::embedded();
    create_table(&db.client(), "Users", "UserId", None).await;
    let client = no_retries(&db);
    let cases = [
        (ErrorKind::ProvisionedThroughputExceeded, "ProvisionedThroughputExceededException", "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API."),
        (ErrorKind::Throttling, "ThrottlingException", "Rate of requests exceeds the allowed throughput."),
        (ErrorKind::RequestLimitExceeded, "RequestLimitExceeded", "Throughput exceeds the current throughput limit for your account. Please contact AWS Support at https://aws.amazon.com/support request a limit increase"),
        (ErrorKind::InternalServerError, "InternalServerError", "Internal server error"),
        (ErrorKind::ServiceUnavailable, "ServiceUnavailableException", "Service unavailable"),
        (ErrorKind::TransactionConflict, "TransactionConflictException", "Transaction is ongoing for the item"),
    ];
    for (kind, code, message) in cases {
        db.faults().add(FaultRule::error(kind).operation("PutItem").next(1));
        let result = put(&client, "u1").send().await;
        let raw_status = result.as_ref().err().and_then(|e| e.raw_response()).map(|r| r.status().as_u16());
        assert_eq!(error_of(result), (code.to_string(), message.to_string()), "{kind:?}");
        assert_eq!(raw_status, Some(kind.status()));
    }
    // No injected failure wrote anything; the next call goes through.
    assert_eq!(db.state().catalog.get("Users").unwrap().inner.read().data.item_count(), 0);
    put(&client, "u1").send().await.unwrap();
    assert_eq!(db.faults().injected(), 6);
}

#[tokio::test]
async fn rules_select_by_table_and_operation() {
    let db = harness::embedded();
    create_table(&db.client(), "Users", "UserId", None).await;
    create_table(&db.client(), "Other", "UserId", None).await;
    let client = no_retries(&db);
    db.faults().add(FaultRule::error(ErrorKind::Throttling).table("Users").operation("GetItem"));
    put(&client, "u1").send().await.unwrap();
    client.get_item().table_name("Other").key("UserId", Av::S("u1".into())).send().await.unwrap();
    let (code, _) = error_of(client.get_item().table_name("Users").key("UserId", Av::S("u1".into())).send().await);
    assert_eq!(code, "ThrottlingException");
    db.faults().clear();
    client.get_item().table_name("Users").key("UserId", Av::S("u1".into())).send().await.unwrap();
}

#[tokio::test]
async fn every_nth_call_fails() {
    let db = harness::embedded();
    create_table(&db.client(), "Users", "UserId", None).await;
    let client = no_retries(&db);
    let rule = db.faults().add(FaultRule::error(ErrorKind::InternalServerError).operation("PutItem").every(3));
    let mut outcomes = Vec::new();
    for i in 0..6 {
        outcomes.push(put(&client, &format!("u{i}")).send().await.is_ok());
    }
    assert_eq!(outcomes, [true, true, false, true, true, false]);
    assert_eq!(db.faults().injected_by(rule), Some(2));
}

/// The SDK's own standard retry mode absorbs transient faults: the call
/// succeeds and the count shows the retries happened.
#[tokio::test]
async fn the_sdks_retries_recover_from_throttling_and_5xx() {
    let db = harness::embedded();
    create_table(&db.client(), "Users", "UserId", None).await;
    // Standard retry mode, 3 attempts; a short first backoff keeps the test quick.
    let retry = RetryConfig::standard().with_max_attempts(3).with_initial_backoff(Duration::from_millis(1));
    let client = aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&db.sdk_config()).retry_config(retry).build(),
    );
    db.faults().add(FaultRule::error(ErrorKind::ProvisionedThroughputExceeded).operation("PutItem").next(2));
    put(&client, "u1").send().await.expect("the third attempt succeeds");
    db.faults().add(FaultRule::error(ErrorKind::ServiceUnavailable).operation("GetItem").next(1));
    let got = client.get_item().table_name("Users").key("UserId", Av::S("u1".into())).send().await.unwrap();
    assert!(got.item().is_some());
    assert_eq!(db.faults().injected(), 3);

    // More failures than attempts: the error reaches the application.
    db.faults().add(FaultRule::error(ErrorKind::Throttling).operation("PutItem").next(3));
    let (code, _) = error_of(put(&client, "u2").send().await);
    assert_eq!(code, "ThrottlingException");
    assert_eq!(db.faults().injected(), 6);
}

/// The user aggregate's `executeWithRetry` (seed 003), as the application
/// writes it: up to `max_retries` retries of throttling / 503 errors, waiting
/// min(1000 * 2^attempt, 30000) units between attempts. The application's
/// unit is a millisecond; tests pass a microsecond to keep runs short.
async fn execute_with_retry<T, E, F, Fut>(mut operation: F, max_retries: u32) -> Result<T, E>
where
    E: ProvideErrorMetadata,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let mut attempt = 0;
    loop {
        match operation().await {
            Ok(value) => return Ok(value),
            Err(error) => {
                let retryable = matches!(
                    error.code(),
                    Some(
                        "ProvisionedThroughputExceededException"
                            | "ThrottlingException"
                            | "ServiceUnavailableException"
                    )
                );
                if retryable && attempt < max_retries {
                    let delay = (1000u64 << attempt).min(30_000);
                    tokio::time::sleep(Duration::from_micros(delay)).await;
                    attempt += 1;
                    continue;
                }
                return Err(error);
            }
        }
    }
}

#[tokio::test]
async fn an_applications_exponential_backoff_recovers() {
    let db = harness::embedded();
    create_table(&db.client(), "Users", "UserId", None).await;
    let client = no_retries(&db);
    db.faults().add(FaultRule::error(ErrorKind::ProvisionedThroughputExceeded).operation("PutItem").next(2));
    db.faults().add(FaultRule::error(ErrorKind::ServiceUnavailable).operation("PutItem").next(1));

    let started = Instant::now();
    execute_with_retry(|| put(&client, "u1").send(), 3).await.expect("recovers within 3 retries");
    // Rules are consulted in order: the first rule fires twice, then the second once.
    assert_eq!(db.faults().injected(), 3);
    assert!(started.elapsed() >= Duration::from_micros(1000 + 2000 + 4000), "the backoff waited");

    // A non-retryable error is not retried.
    db.faults().add(FaultRule::error(ErrorKind::InternalServerError).operation("PutItem").next(1));
    let (code, _) = error_of(execute_with_retry(|| put(&client, "u2").send(), 3).await);
    assert_eq!(code, "InternalServerError");
    assert_eq!(db.faults().injected(), 4);
}

/// Seed 003's load test: 100 concurrent creates while a fifth of calls are
/// throttled (seeded, so the run is reproducible) all succeed through retries.
#[tokio::test]
async fn concurrent_writes_under_random_throttling_all_land() {
    let db = harness::embedded();
    create_table(&db.client(), "Users", "UserId", None).await;
    db.faults().seed(42);
    db.faults().add(FaultRule::error(ErrorKind::ProvisionedThroughputExceeded).table("Users").probability(0.2));
    let client = no_retries(&db);
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move { execute_with_retry(|| put(&client, &format!("user{i}")).send(), 10).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().expect("every create lands");
    }
    assert_eq!(db.state().catalog.get("Users").unwrap().inner.read().data.item_count(), 100);
    let injected = db.faults().injected();
    assert!(injected > 5, "about 25 throttles expected, saw {injected}");
    println!("100 creates under 20% throttling: {injected} faults injected and recovered");
}

#[tokio::test]
async fn added_latency_delays_the_answer() {
    let db = harness::embedded();
    create_table(&db.client(), "Users", "UserId", None).await;
    db.faults().add(FaultRule::new(FaultAction::Latency(Duration::from_millis(50))).operation("GetItem"));
    let started = Instant::now();
    db.client().get_item().table_name("Users").key("UserId", Av::S("u1".into())).send().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(50));
    assert_eq!(db.faults().injected(), 1);
}

#[tokio::test]
async fn transaction_conflicts_cancel_transactions() {
    let db = harness::embedded();
    create_table(&db.client(), "Users", "UserId", None).await;
    db.faults().add(FaultRule::error(ErrorKind::TransactionConflict).operation("TransactWriteItems").next(1));
    let put =
        aws_sdk_dynamodb::types::Put::builder().table_name("Users").item("UserId", Av::S("u1".into())).build().unwrap();
    let result = no_retries(&db)
        .transact_write_items()
        .transact_items(aws_sdk_dynamodb::types::TransactWriteItem::builder().put(put).build())
        .send()
        .await;
    let error = result.expect_err("cancelled");
    assert_eq!(error.code(), Some("TransactionCanceledException"));
    assert_eq!(
        error.message(),
        Some("Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]")
    );
    let reasons = error.into_service_error();
    let reasons = match reasons {
        aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(e) => {
            e.cancellation_reasons().to_vec()
        }
        other => panic!("unexpected {other:?}"),
    };
    assert_eq!(reasons.len(), 1);
    assert_eq!(reasons[0].code(), Some("TransactionConflict"));
    assert_eq!(reasons[0].message(), Some("Transaction is ongoing for the item"));
}

#[tokio::test]
async fn admin_endpoint_manages_rules_over_http() {
    let db = harness::start().await;
    create_table(&db.client(), "Users", "UserId", None).await;
    let rule = br#"{"operation": "PutItem", "fault": "ThrottlingException", "count": 1}"#;
    let added =
        sdk_tests::raw_request_to(db.address(), "POST", "/_emulator/faults", sdk_tests::ADMIN_HEADERS, rule).await;
    assert_eq!(added.status, 200);
    assert_eq!(added.json()["ids"], serde_json::json!([1]));
    let client = aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&db.sdk_config()).retry_config(RetryConfig::disabled()).build(),
    );
    let result = client.put_item().table_name("Users").item("UserId", Av::S("u".into())).send().await;
    assert_eq!(error_of(result).0, "ThrottlingException");
    let listed =
        sdk_tests::raw_request_to(db.address(), "GET", "/_emulator/faults", sdk_tests::ADMIN_HEADERS, b"").await;
    assert_eq!(listed.json()["injected"], 1);
    assert_eq!(listed.json()["rules"][0]["matched"], 1);
    let bad = sdk_tests::raw_request_to(
        db.address(),
        "POST",
        "/_emulator/faults",
        sdk_tests::ADMIN_HEADERS,
        br#"{"fault": "Nope"}"#,
    )
    .await;
    assert_eq!((bad.status, bad.json()["message"].as_str()), (400, Some("unknown fault Nope")));
    let cleared =
        sdk_tests::raw_request_to(db.address(), "DELETE", "/_emulator/faults", sdk_tests::ADMIN_HEADERS, b"").await;
    assert_eq!(cleared.json()["rules"], serde_json::json!([]));
}

/// The forum's migration (seed 004) batch-writes and resubmits what comes
/// back unprocessed until nothing is left, as AWS recommends.
#[tokio::test]
async fn batch_writes_and_gets_resubmit_unprocessed_requests() {
    use aws_sdk_dynamodb::types::{KeysAndAttributes, PutRequest, WriteRequest};
    use std::collections::HashMap;
    let db = harness::embedded();
    create_table(&db.client(), "Users", "UserId", None).await;
    let client = no_retries(&db);
    let rule = db.faults().add(FaultRule::new(FaultAction::Unprocessed).table("Users").next(2));
    let requests: Vec<WriteRequest> = (0..8)
        .map(|i| {
            let put = PutRequest::builder().item("UserId", Av::S(format!("u{i}"))).build().unwrap();
            WriteRequest::builder().put_request(put).build()
        })
        .collect();
    let mut pending = HashMap::from([("Users".to_string(), requests)]);
    let mut rounds = Vec::new();
    while !pending.is_empty() {
        let out = client.batch_write_item().set_request_items(Some(pending)).send().await.unwrap();
        pending = out.unprocessed_items().cloned().unwrap_or_default();
        pending.retain(|_, list| !list.is_empty());
        rounds.push(pending.get("Users").map_or(0, Vec::len));
    }
    // 8 requests: 4 held back, then 2 of those, then none.
    assert_eq!(rounds, [4, 2, 0]);
    assert_eq!(db.faults().injected_by(rule), Some(2));
    assert_eq!(db.state().catalog.get("Users").unwrap().inner.read().data.item_count(), 8);

    db.faults().add(FaultRule::new(FaultAction::Unprocessed).operation("BatchGetItem").next(1));
    let keys = (0..8).map(|i| HashMap::from([("UserId".to_string(), Av::S(format!("u{i}")))])).collect();
    let wanted = KeysAndAttributes::builder().set_keys(Some(keys)).consistent_read(true).build().unwrap();
    let out = client.batch_get_item().request_items("Users", wanted).send().await.unwrap();
    assert_eq!(out.responses().unwrap()["Users"].len(), 4);
    let unprocessed = &out.unprocessed_keys().unwrap()["Users"];
    assert_eq!((unprocessed.keys().len(), unprocessed.consistent_read()), (4, Some(true)));
    let again = client.batch_get_item().set_request_items(out.unprocessed_keys().cloned()).send().await.unwrap();
    assert_eq!(again.responses().unwrap()["Users"].len(), 4);
}
