//! On-demand backups through the SDK, and the forum's runbook: back the
//! Users table up, lose items, restore into a new table, read it back
//! (through its EmailIndex too). Behaviour as recorded against DynamoDB: a
//! backup is AVAILABLE at once, survives its table, feeds one restore at a
//! time; a restore carries keys, indexes and billing, not streams or tags.

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{AttributeValue, BackupStatus, BackupTypeFilter, BillingMode, TableStatus};
use std::time::Duration;

const USERS: &str = r#"{"TableName": "forum-users", "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "userId", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "userId", "AttributeType": "S"}, {"AttributeName": "email", "AttributeType": "S"}],
    "GlobalSecondaryIndexes": [{"IndexName": "EmailIndex", "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}],
    "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_IMAGE"},
    "Tags": [{"Key": "app", "Value": "forum"}]}"#;

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

#[tokio::test]
async fn forum_runbook_backup_then_restore_after_an_accidental_delete() {
    let db = harness::embedded();
    let client = db.client();
    db.create_tables(USERS).expect("create users");
    for (id, email) in [("u1", "ana@example.com"), ("u2", "bo@example.com"), ("u3", "cy@example.com")] {
        client
            .put_item()
            .table_name("forum-users")
            .item("userId", s(id))
            .item("email", s(email))
            .send()
            .await
            .expect("put");
    }

    let created = client.create_backup().table_name("forum-users").backup_name("before-migration").send().await;
    let details = created.expect("create backup").backup_details().cloned().expect("details");
    assert_eq!(details.backup_status(), &BackupStatus::Creating);
    let arn = details.backup_arn().to_string();
    assert!(arn.contains(":table/forum-users/backup/"), "{arn}");

    // The accident, after the backup: what the backup holds does not change.
    client.delete_item().table_name("forum-users").key("userId", s("u2")).send().await.expect("delete");

    let described = client.describe_backup().backup_arn(&arn).send().await.expect("describe backup");
    let description = described.backup_description().expect("description");
    assert_eq!(description.backup_details().map(|d| d.backup_status()), Some(&BackupStatus::Available));
    let source = description.source_table_details().expect("source");
    assert_eq!((source.table_name(), source.item_count()), ("forum-users", Some(3)));
    let features = description.source_table_feature_details().expect("features");
    assert_eq!(features.global_secondary_indexes()[0].index_name(), Some("EmailIndex"));
    assert!(features.stream_description().is_some());

    db.set_status_delay(Duration::from_secs(10));
    let restored = client
        .restore_table_from_backup()
        .target_table_name("forum-users-restored")
        .backup_arn(&arn)
        .send()
        .await
        .expect("restore");
    let table = restored.table_description().expect("table");
    assert_eq!(table.table_status(), Some(&TableStatus::Creating));
    let summary = table.restore_summary().expect("restore summary");
    assert_eq!((summary.source_backup_arn(), summary.restore_in_progress()), (Some(arn.as_str()), true));

    // One restore at a time, and the backup cannot go while it feeds one.
    let second = client.restore_table_from_backup().target_table_name("other").backup_arn(&arn).send().await;
    let second = second.unwrap_err();
    assert_eq!(second.code(), Some("BackupInUseException"));
    assert_eq!(second.message(), Some(format!("Backup is being used to restore another table: {arn}").as_str()));
    let delete_now = client.delete_backup().backup_arn(&arn).send().await.unwrap_err();
    assert_eq!(delete_now.code(), Some("BackupInUseException"));

    db.clock().advance(Duration::from_secs(11));
    let active = client.describe_table().table_name("forum-users-restored").send().await.expect("describe");
    let active = active.table().expect("table");
    assert_eq!(active.table_status(), Some(&TableStatus::Active));
    assert_eq!(active.restore_summary().map(|r| r.restore_in_progress()), Some(false));
    // Streams and tags are settings to set up again on a restored table.
    assert!(active.stream_specification().is_none());
    let tags = client.list_tags_of_resource().resource_arn(active.table_arn().expect("arn")).send().await;
    assert!(tags.expect("tags").tags().is_empty());

    let back = client.get_item().table_name("forum-users-restored").key("userId", s("u2")).send().await;
    assert_eq!(back.expect("get").item().and_then(|i| i.get("email")), Some(&s("bo@example.com")));
    let by_email = client
        .query()
        .table_name("forum-users-restored")
        .index_name("EmailIndex")
        .key_condition_expression("email = :e")
        .expression_attribute_values(":e", s("cy@example.com"))
        .send()
        .await
        .expect("query the restored index");
    assert_eq!(by_email.count(), 1);

    let exists = client.restore_table_from_backup().target_table_name("forum-users").backup_arn(&arn).send().await;
    let exists = exists.unwrap_err();
    assert_eq!(exists.code(), Some("TableAlreadyExistsException"));
    assert_eq!(exists.message(), Some("Table already exists: forum-users"));
}

#[tokio::test]
async fn backups_are_listed_filtered_paged_and_outlive_their_table() {
    let db = harness::embedded();
    let client = db.client();
    db.create_tables(USERS).expect("create users");
    let mut arns = Vec::new();
    for name in ["one", "two", "three"] {
        let created = client.create_backup().table_name("forum-users").backup_name(name).send().await.expect("backup");
        arns.push(created.backup_details().expect("details").backup_arn().to_string());
        db.clock().advance(Duration::from_secs(1));
    }
    let first_page = client.list_backups().table_name("forum-users").limit(2).send().await.expect("list");
    let names: Vec<Option<&str>> = first_page.backup_summaries().iter().map(|b| b.backup_name()).collect();
    assert_eq!(names, [Some("one"), Some("two")]);
    let rest = client
        .list_backups()
        .table_name("forum-users")
        .set_exclusive_start_backup_arn(first_page.last_evaluated_backup_arn().map(str::to_string))
        .send()
        .await
        .expect("next page");
    assert_eq!(rest.backup_summaries()[0].backup_name(), Some("three"));
    assert!(rest.last_evaluated_backup_arn().is_none());

    let system_only = client.list_backups().backup_type(BackupTypeFilter::System).send().await.expect("system");
    assert!(system_only.backup_summaries().is_empty());
    let inverted = client
        .list_backups()
        .time_range_lower_bound(aws_sdk_dynamodb::primitives::DateTime::from_secs(2_000_000_000))
        .time_range_upper_bound(aws_sdk_dynamodb::primitives::DateTime::from_secs(1))
        .send()
        .await
        .unwrap_err();
    assert_eq!(inverted.message(), Some("Time range lower bound must be less than or equal to upper bound"));

    client.delete_table().table_name("forum-users").send().await.expect("delete table");
    let kept = client.list_backups().table_name("forum-users").send().await.expect("list after delete");
    assert_eq!(kept.backup_summaries().len(), 3);
    let restored = client
        .restore_table_from_backup()
        .target_table_name("forum-users")
        .backup_arn(&arns[0])
        .billing_mode_override(BillingMode::Provisioned)
        .provisioned_throughput_override(
            aws_sdk_dynamodb::types::ProvisionedThroughput::builder()
                .read_capacity_units(5)
                .write_capacity_units(5)
                .build()
                .expect("throughput"),
        )
        .send()
        .await
        .expect("restore under the old name");
    let table = restored.table_description().expect("table");
    assert_eq!(table.billing_mode_summary().and_then(|b| b.billing_mode()), None);
    assert_eq!(table.provisioned_throughput().and_then(|t| t.read_capacity_units()), Some(5));

    let deleted = client.delete_backup().backup_arn(&arns[1]).send().await.expect("delete backup");
    let status = deleted.backup_description().and_then(|d| d.backup_details()).map(|d| d.backup_status().clone());
    assert_eq!(status, Some(BackupStatus::Deleted));
    let gone = client.describe_backup().backup_arn(&arns[1]).send().await.unwrap_err();
    assert_eq!(gone.code(), Some("BackupNotFoundException"));
    let missing_table = client.create_backup().table_name("nope").backup_name("x-backup").send().await.unwrap_err();
    assert_eq!(
        (missing_table.code(), missing_table.message()),
        (Some("TableNotFoundException"), Some("Table not found: nope"))
    );
    let not_an_arn =
        client.describe_backup().backup_arn("arn:aws:dynamodb:us-east-1:000000000000:table/forum-users").send().await;
    assert_eq!(not_an_arn.unwrap_err().message(), Some("Invalid Backup ARN"));
}
