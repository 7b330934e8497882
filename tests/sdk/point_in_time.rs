//! Point-in-time recovery on the emulator's clock: the restorable window
//! DescribeContinuousBackups reports, and RestoreTableToPointInTime giving
//! exactly the items the table held at the instant asked for.

use crate::error_of;
use crate::indexes::{create_scores, n, s};
use aws_sdk_dynamodb::primitives::DateTime;
use aws_sdk_dynamodb::types::{
    AttributeValue as Av, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    PointInTimeRecoverySpecification, PointInTimeRecoveryStatus, Projection, ProjectionType, TableStatus,
};
use aws_sdk_dynamodb::Client;
use std::collections::HashMap;
use std::time::Duration;

fn score(pk: &str, sk: i64, group: &str, value: i64) -> HashMap<String, Av> {
    HashMap::from([
        ("pk".to_string(), s(pk)),
        ("sk".to_string(), n(sk)),
        ("group".to_string(), s(group)),
        ("score".to_string(), n(value)),
        ("name".to_string(), s(&format!("{pk}-{sk}"))),
    ])
}

pub(crate) async fn enable(client: &Client, table: &str, days: Option<i32>) {
    let spec = PointInTimeRecoverySpecification::builder()
        .point_in_time_recovery_enabled(true)
        .set_recovery_period_in_days(days)
        .build()
        .unwrap();
    client
        .update_continuous_backups()
        .table_name(table)
        .point_in_time_recovery_specification(spec)
        .send()
        .await
        .unwrap();
}

async fn window(client: &Client, table: &str) -> (f64, f64) {
    let out = client.describe_continuous_backups().table_name(table).send().await.unwrap();
    let pitr = out.continuous_backups_description().unwrap().point_in_time_recovery_description().unwrap().clone();
    assert_eq!(pitr.point_in_time_recovery_status(), Some(&PointInTimeRecoveryStatus::Enabled));
    (
        pitr.earliest_restorable_date_time().unwrap().as_secs_f64(),
        pitr.latest_restorable_date_time().unwrap().as_secs_f64(),
    )
}

async fn all_items(client: &Client, table: &str) -> Vec<(String, String, String)> {
    let out = client.scan().table_name(table).send().await.unwrap();
    let mut items: Vec<(String, String, String)> = out
        .items()
        .iter()
        .map(|i| (i["pk"].as_s().unwrap().clone(), i["sk"].as_n().unwrap().clone(), i["score"].as_n().unwrap().clone()))
        .collect();
    items.sort();
    items
}

async fn restore_at(client: &Client, target: &str, seconds: f64) -> Result<(), (String, String)> {
    client
        .restore_table_to_point_in_time()
        .source_table_name("scores")
        .target_table_name(target)
        .restore_date_time(DateTime::from_secs_f64(seconds))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| error_of::<_, ()>(Err(e)))
}

#[tokio::test]
async fn a_restore_gives_exactly_the_items_held_at_that_second() {
    let db = harness::embedded();
    let client = db.client();
    create_scores(&client, "scores").await;
    let put = |item| client.put_item().table_name("scores").set_item(Some(item)).send();
    put(score("a", 1, "g1", 10)).await.unwrap();

    let disabled = client.describe_continuous_backups().table_name("scores").send().await.unwrap();
    let status = disabled.continuous_backups_description().unwrap().point_in_time_recovery_description().unwrap();
    assert_eq!(status.point_in_time_recovery_status(), Some(&PointInTimeRecoveryStatus::Disabled));
    assert!(status.earliest_restorable_date_time().is_none());
    let unavailable = restore_at(&client, "early", 0.0).await.unwrap_err();
    assert_eq!(
        unavailable,
        (
            "PointInTimeRecoveryUnavailableException".into(),
            "Point in time recovery is not enabled for table 'scores'".into()
        )
    );

    enable(&client, "scores", None).await;
    let (enabled_at, latest) = window(&client, "scores").await;
    assert_eq!(enabled_at, latest, "within the first five minutes the window is the moment recovery began");

    // Three moments, a minute apart: t1 (a=11, b added), t2 (a deleted, b=21), t3 (c added).
    db.clock().advance(Duration::from_secs(60));
    put(score("a", 1, "g1", 11)).await.unwrap();
    put(score("b", 1, "g2", 20)).await.unwrap();
    let t1 = db.clock().now_millis() as f64 / 1000.0;
    db.clock().advance(Duration::from_secs(60));
    client.delete_item().table_name("scores").key("pk", s("a")).key("sk", n(1)).send().await.unwrap();
    put(score("b", 1, "g2", 21)).await.unwrap();
    let t2 = db.clock().now_millis() as f64 / 1000.0;
    db.clock().advance(Duration::from_secs(60));
    put(score("c", 1, "g1", 30)).await.unwrap();
    // Five minutes on, every moment is restorable.
    db.clock().advance(Duration::from_secs(300));
    let (earliest, latest) = window(&client, "scores").await;
    assert_eq!(earliest, enabled_at);
    assert!(latest >= t2 + 60.0 && latest <= db.clock().now_millis() as f64 / 1000.0 - 299.0);

    let row = |pk: &str, v: &str| (pk.to_string(), "1".to_string(), v.to_string());
    restore_at(&client, "at_start", enabled_at).await.unwrap();
    restore_at(&client, "at_t1", t1).await.unwrap();
    restore_at(&client, "at_t2", t2 + 30.0).await.unwrap();
    assert_eq!(all_items(&client, "at_start").await, [row("a", "10")]);
    assert_eq!(all_items(&client, "at_t1").await, [row("a", "11"), row("b", "20")]);
    assert_eq!(all_items(&client, "at_t2").await, [row("b", "21")]);
    client
        .restore_table_to_point_in_time()
        .source_table_name("scores")
        .target_table_name("latest")
        .use_latest_restorable_time(true)
        .send()
        .await
        .unwrap();
    assert_eq!(all_items(&client, "latest").await, [row("b", "21"), row("c", "30")]);

    // The restored table: the source's indexes (queryable), no recovery of its own, a RestoreSummary.
    let by_group = client
        .query()
        .table_name("at_t1")
        .index_name("by_group")
        .key_condition_expression("#g = :g")
        .expression_attribute_names("#g", "group")
        .expression_attribute_values(":g", s("g2"))
        .send()
        .await
        .unwrap();
    assert_eq!(by_group.count(), 1);
    let restored = client.describe_table().table_name("at_t1").send().await.unwrap().table.unwrap();
    let summary = restored.restore_summary().unwrap();
    assert_eq!(summary.source_table_arn(), Some(source_arn(&client).await.as_str()));
    assert!(summary.source_backup_arn().is_none());
    assert_eq!(summary.restore_date_time().as_secs_f64(), t1);
    assert_eq!(restored.table_status(), Some(&TableStatus::Active));
    let own = client.describe_continuous_backups().table_name("at_t1").send().await.unwrap();
    assert_eq!(
        own.continuous_backups_description()
            .unwrap()
            .point_in_time_recovery_description()
            .unwrap()
            .point_in_time_recovery_status(),
        Some(&PointInTimeRecoveryStatus::Disabled)
    );

    // What is refused.
    let before = restore_at(&client, "too_early", enabled_at - 1.0).await.unwrap_err();
    assert_eq!(before.0, "InvalidRestoreTimeException");
    assert!(before.1.starts_with("Invalid restore time specified"), "{}", before.1);
    assert_eq!(restore_at(&client, "too_late", latest + 60.0).await.unwrap_err().0, "InvalidRestoreTimeException");
    assert_eq!(
        restore_at(&client, "at_t1", t1).await.unwrap_err(),
        ("TableAlreadyExistsException".into(), "Table already exists: at_t1".into())
    );
    let unknown = client
        .restore_table_to_point_in_time()
        .source_table_name("nope")
        .target_table_name("x_restored")
        .use_latest_restorable_time(true)
        .send()
        .await;
    assert_eq!(error_of(unknown), ("TableNotFoundException".into(), "Table not found: nope".into()));
}

async fn source_arn(client: &Client) -> String {
    client.describe_table().table_name("scores").send().await.unwrap().table.unwrap().table_arn().unwrap().to_string()
}

#[tokio::test]
async fn the_window_slides_with_the_recovery_period_and_overrides_apply() {
    let db = harness::embedded();
    let client = db.client();
    create_scores(&client, "scores").await;
    enable(&client, "scores", Some(1)).await;
    client.put_item().table_name("scores").set_item(Some(score("a", 1, "g1", 1))).send().await.unwrap();
    let first = db.clock().now_millis() as f64 / 1000.0;
    db.clock().advance(Duration::from_secs(2 * 86_400));
    client.put_item().table_name("scores").set_item(Some(score("a", 1, "g1", 2))).send().await.unwrap();
    let (earliest, _) = window(&client, "scores").await;
    let now = db.clock().now_millis() as f64 / 1000.0;
    assert!((earliest - (now - 86_400.0)).abs() < 1.0, "one day back, not to {first}");
    let out = client.describe_continuous_backups().table_name("scores").send().await.unwrap();
    let pitr = out.continuous_backups_description().unwrap().point_in_time_recovery_description().unwrap();
    assert_eq!(pitr.recovery_period_in_days(), Some(1));
    assert_eq!(restore_at(&client, "gone", first).await.unwrap_err().0, "InvalidRestoreTimeException");

    // Overrides: billing mode, and only some of the source's indexes.
    db.clock().advance(Duration::from_secs(600));
    let keep = GlobalSecondaryIndex::builder()
        .index_name("by_flag")
        .key_schema(KeySchemaElement::builder().attribute_name("flag").key_type(KeyType::Hash).build().unwrap())
        .projection(Projection::builder().projection_type(ProjectionType::KeysOnly).build())
        .build()
        .unwrap();
    client
        .restore_table_to_point_in_time()
        .source_table_name("scores")
        .target_table_name("slim")
        .use_latest_restorable_time(true)
        .billing_mode_override(BillingMode::PayPerRequest)
        .global_secondary_index_override(keep)
        .send()
        .await
        .unwrap();
    let slim = client.describe_table().table_name("slim").send().await.unwrap().table.unwrap();
    let names: Vec<&str> = slim.global_secondary_indexes().iter().filter_map(|i| i.index_name()).collect();
    assert_eq!(names, ["by_flag"]);
    assert_eq!(all_items(&client, "slim").await, [("a".to_string(), "1".to_string(), "2".to_string())]);

    // Turning recovery off drops the history; on again, the window starts anew.
    let off = PointInTimeRecoverySpecification::builder().point_in_time_recovery_enabled(false).build().unwrap();
    client
        .update_continuous_backups()
        .table_name("scores")
        .point_in_time_recovery_specification(off)
        .send()
        .await
        .unwrap();
    assert_eq!(restore_at(&client, "after_off", now).await.unwrap_err().0, "PointInTimeRecoveryUnavailableException");
    enable(&client, "scores", None).await;
    let (restarted, _) = window(&client, "scores").await;
    assert!(restarted >= db.clock().now_millis() as f64 / 1000.0 - 1.0);
}

/// Every item of `table` as (userId, value), in key order.
async fn pairs(client: &Client, table: &str) -> Vec<(String, Option<String>)> {
    let out = client.scan().table_name(table).send().await.unwrap();
    let mut items: Vec<(String, Option<String>)> = out
        .items()
        .iter()
        .map(|i| (i["userId"].as_s().unwrap().clone(), i.get("v").map(|v| v.as_n().unwrap().clone())))
        .collect();
    items.sort();
    items
}

/// The forum's runbook for an accidental delete: a cleanup script deletes
/// users it should not have; the on-call restores the users table to the
/// second before into a new table, copies the lost users back into the live
/// table (keeping what was written since) and drops the restored copy.
#[tokio::test]
async fn the_forum_recovers_users_deleted_by_accident() {
    let db = harness::embedded();
    let client = db.client();
    sdk_tests::create_table(&client, "forum-users", "userId", None).await;
    enable(&client, "forum-users", None).await;
    for (id, v) in [("u1", 1), ("u2", 2), ("u3", 3), ("u4", 4)] {
        client.put_item().table_name("forum-users").item("userId", s(id)).item("v", n(v)).send().await.unwrap();
    }
    db.clock().advance(Duration::from_secs(30));
    let before_accident = db.clock().now_millis() as f64 / 1000.0;
    db.clock().advance(Duration::from_secs(1));
    for id in ["u2", "u3"] {
        client.delete_item().table_name("forum-users").key("userId", s(id)).send().await.unwrap();
    }
    // Life goes on: a new user signs up and one updates a profile.
    client.put_item().table_name("forum-users").item("userId", s("u5")).item("v", n(5)).send().await.unwrap();
    client.put_item().table_name("forum-users").item("userId", s("u1")).item("v", n(10)).send().await.unwrap();
    // The accident is noticed ten minutes later, once the second before it is restorable.
    db.clock().advance(Duration::from_secs(600));

    client
        .restore_table_to_point_in_time()
        .source_table_name("forum-users")
        .target_table_name("forum-users-restored")
        .restore_date_time(DateTime::from_secs_f64(before_accident))
        .send()
        .await
        .unwrap();
    let row = |id: &str, v: i64| (id.to_string(), Some(v.to_string()));
    assert_eq!(pairs(&client, "forum-users-restored").await, [row("u1", 1), row("u2", 2), row("u3", 3), row("u4", 4)]);
    let live: Vec<String> = pairs(&client, "forum-users").await.into_iter().map(|(id, _)| id).collect();
    let restored = client.scan().table_name("forum-users-restored").send().await.unwrap();
    for item in restored.items().iter().filter(|i| !live.contains(i["userId"].as_s().unwrap())) {
        client.put_item().table_name("forum-users").set_item(Some(item.clone())).send().await.unwrap();
    }
    client.delete_table().table_name("forum-users-restored").send().await.unwrap();
    assert_eq!(
        pairs(&client, "forum-users").await,
        [row("u1", 10), row("u2", 2), row("u3", 3), row("u4", 4), row("u5", 5)]
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 16, ..proptest::prelude::ProptestConfig::default() })]

    /// The restore property through the API: after a random sequence of
    /// puts and deletes spread over time, RestoreTableToPointInTime at any
    /// instant of the window gives exactly the items a snapshot taken then held.
    #[test]
    fn a_restore_at_any_instant_gives_the_items_a_snapshot_then_held(
        writes in proptest::collection::vec((0..6u8, proptest::option::of(0..50i64), 0..90u64), 1..25),
        picks in proptest::collection::vec(proptest::prelude::any::<proptest::sample::Index>(), 1..4),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let db = harness::embedded();
            let client = db.client();
            sdk_tests::create_table(&client, "props", "userId", None).await;
            enable(&client, "props", None).await;
            // The table at each instant (clock milliseconds): the last snapshot taken then.
            let mut snapshots = std::collections::BTreeMap::new();
            snapshots.insert(db.clock().now_millis(), Vec::new());
            for (key, value, wait) in writes {
                db.clock().advance(Duration::from_secs(wait));
                let id = s(&format!("u{key}"));
                match value {
                    Some(v) => drop(client.put_item().table_name("props").item("userId", id).item("v", n(v)).send().await.unwrap()),
                    None => drop(client.delete_item().table_name("props").key("userId", id).send().await.unwrap()),
                }
                snapshots.insert(db.clock().now_millis(), pairs(&client, "props").await);
            }
            db.clock().advance(Duration::from_secs(301));
            let instants: Vec<&i64> = snapshots.keys().collect();
            for (i, pick) in picks.iter().enumerate() {
                let at = *instants[pick.index(instants.len())];
                let target = format!("restored-{i}");
                client
                    .restore_table_to_point_in_time()
                    .source_table_name("props")
                    .target_table_name(&target)
                    .restore_date_time(DateTime::from_millis(at))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(pairs(&client, &target).await, snapshots[&at], "restored to {at}");
            }
        });
    }
}

/// The continuous-backups calls name a missing table with
/// TableNotFoundException, as DynamoDB does (ScyllaDB's test_backup.py, run
/// against DynamoDB), not ResourceNotFoundException.
#[tokio::test]
async fn continuous_backups_of_a_missing_table_are_table_not_found() {
    let db = harness::start().await;
    let client = db.client();
    let (code, message) = error_of(client.describe_continuous_backups().table_name("nowhere").send().await);
    assert_eq!((code.as_str(), message.as_str()), ("TableNotFoundException", "Table not found: nowhere"));
    let spec = PointInTimeRecoverySpecification::builder().point_in_time_recovery_enabled(true).build().unwrap();
    let update = client
        .update_continuous_backups()
        .table_name("nowhere")
        .point_in_time_recovery_specification(spec)
        .send()
        .await;
    assert_eq!(error_of(update).0, "TableNotFoundException");
}
