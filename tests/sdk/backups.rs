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
    assert_eq!(
        inverted.message(),
        Some("One or more parameter values were invalid: Time range lower bound must be less than or equal to upper bound")
    );

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

/// Deleting a table with point-in-time recovery on leaves DynamoDB's SYSTEM
/// backup `<table>$DeletedTableBackup`: listed only when asked for, kept 35
/// days, restorable, not deletable; a table without recovery leaves none.
#[tokio::test]
async fn deleting_a_table_with_recovery_on_leaves_a_system_backup_for_35_days() {
    let db = harness::embedded();
    let client = db.client();
    db.create_tables(USERS).expect("create users");
    crate::point_in_time::enable(&client, "forum-users", None).await;
    for id in ["u1", "u2"] {
        let put =
            client.put_item().table_name("forum-users").item("userId", s(id)).item("email", s(&format!("{id}@x.io")));
        put.send().await.expect("put");
    }
    client.create_backup().table_name("forum-users").backup_name("nightly").send().await.expect("user backup");
    let before = db.clock().now_millis() as f64 / 1000.0;
    client.delete_table().table_name("forum-users").send().await.expect("delete table");
    let after = db.clock().now_millis() as f64 / 1000.0;

    let default = client.list_backups().table_name("forum-users").send().await.expect("list");
    let names: Vec<Option<&str>> = default.backup_summaries().iter().map(|b| b.backup_name()).collect();
    assert_eq!(names, [Some("nightly")], "ListBackups shows USER backups unless asked otherwise");
    let system = client.list_backups().backup_type(BackupTypeFilter::System).send().await.expect("system");
    let [summary] = system.backup_summaries() else { panic!("one system backup: {system:?}") };
    assert_eq!(summary.backup_name(), Some("forum-users$DeletedTableBackup"));
    assert_eq!(summary.backup_type(), Some(&aws_sdk_dynamodb::types::BackupType::System));
    assert_eq!(summary.table_name(), Some("forum-users"));
    let arn = summary.backup_arn().expect("arn").to_string();
    assert!(arn.ends_with("-00000000"), "{arn}");
    let created = summary.backup_creation_date_time().expect("created").as_secs_f64();
    assert!((before..=after).contains(&created), "taken as the table is deleted");
    let expiry = summary.backup_expiry_date_time().expect("expiry").as_secs_f64();
    assert_eq!(expiry - created, 35.0 * 24.0 * 3600.0);
    let all = client.list_backups().backup_type(BackupTypeFilter::All).send().await.expect("all");
    assert_eq!(all.backup_summaries().len(), 2);
    let aws_backup = client.list_backups().backup_type(BackupTypeFilter::AwsBackup).send().await.expect("aws");
    assert!(aws_backup.backup_summaries().is_empty());

    let described = client.describe_backup().backup_arn(&arn).send().await.expect("describe");
    let description = described.backup_description().expect("description");
    let details = description.backup_details().expect("details");
    assert_eq!(details.backup_type(), &aws_sdk_dynamodb::types::BackupType::System);
    assert_eq!(details.backup_expiry_date_time().map(|t| t.as_secs_f64()), Some(expiry));
    assert_eq!(description.source_table_details().and_then(|t| t.item_count()), Some(2));
    let features = description.source_table_feature_details().expect("features");
    assert!(features.global_secondary_indexes().is_empty() && features.stream_description().is_none());

    let refused = client.delete_backup().backup_arn(&arn).send().await.unwrap_err();
    assert_eq!(refused.code(), Some("ValidationException"));
    let message = refused.message().unwrap_or_default();
    let expected = format!(
        "Invalid Request: User is not allowed to delete the system backup with arn {arn}. It will automatically expire on "
    );
    assert!(message.starts_with(&expected), "{message}");

    // The deleted table, as it was just before deletion, back under its name.
    client
        .restore_table_from_backup()
        .target_table_name("forum-users")
        .backup_arn(&arn)
        .send()
        .await
        .expect("restore the system backup");
    let back = client.scan().table_name("forum-users").send().await.expect("scan");
    assert_eq!(back.count(), 2);
    let by_email = client
        .query()
        .table_name("forum-users")
        .index_name("EmailIndex")
        .key_condition_expression("email = :e")
        .expression_attribute_values(":e", s("u2@x.io"))
        .send()
        .await
        .expect("the index came back too");
    assert_eq!(by_email.count(), 1);

    // The restored table has no recovery of its own: deleting it leaves nothing new.
    client.delete_table().table_name("forum-users").send().await.expect("delete the restored table");
    let still = client.list_backups().backup_type(BackupTypeFilter::System).send().await.expect("system");
    assert_eq!(still.backup_summaries().len(), 1);

    // 35 days on, the system backup is gone; the user's backup stays.
    db.clock().advance(Duration::from_secs(35 * 24 * 3600 + 1));
    let expired = client.describe_backup().backup_arn(&arn).send().await.unwrap_err();
    assert_eq!(
        (expired.code(), expired.message()),
        (Some("BackupNotFoundException"), Some(format!("Backup not found: {arn}").as_str()))
    );
    let left = client.list_backups().backup_type(BackupTypeFilter::All).send().await.expect("all");
    let names: Vec<Option<&str>> = left.backup_summaries().iter().map(|b| b.backup_name()).collect();
    assert_eq!(names, [Some("nightly")]);
}

/// The edges of ListBackups' paging (a cursor that names a deleted backup,
/// or backups made in the same millisecond; another region's cursor) and of
/// a restore's billing overrides, in DynamoDB's words.
#[tokio::test]
async fn list_cursors_and_restore_overrides_at_their_edges() {
    let db = harness::embedded();
    let client = db.client();
    db.create_tables(USERS).expect("create users");
    let backup = |name: &'static str| client.create_backup().table_name("forum-users").backup_name(name).send();
    let mut arns = Vec::new();
    for name in ["one", "two", "three"] {
        arns.push(backup(name).await.expect("backup").backup_details().expect("details").backup_arn().to_string());
        db.clock().advance(Duration::from_secs(1));
    }
    client.delete_backup().backup_arn(&arns[0]).send().await.expect("delete the first");
    let after_deleted = client.list_backups().exclusive_start_backup_arn(&arns[0]).send().await.expect("list");
    let names: Vec<Option<&str>> = after_deleted.backup_summaries().iter().map(|b| b.backup_name()).collect();
    assert_eq!(names, [Some("two"), Some("three")], "a deleted backup's ARN still marks its place");

    // Backups made back to back (often in one millisecond, ordered then by
    // ARN): each page goes on after the one before, none twice, none left out.
    db.clock().advance(Duration::from_secs(1));
    for name in ["same-a", "same-b", "same-c"] {
        backup(name).await.expect("backup");
    }
    let mut seen = Vec::new();
    let mut start = Some(arns[2].clone());
    for _ in 0..5 {
        let Some(cursor) = start.take() else { break };
        let page = client.list_backups().exclusive_start_backup_arn(cursor).limit(1).send().await.expect("page");
        seen.extend(page.backup_summaries().iter().filter_map(|b| b.backup_name()).map(str::to_string));
        start = page.last_evaluated_backup_arn().map(str::to_string);
    }
    seen.sort();
    assert_eq!(seen, ["same-a", "same-b", "same-c"]);

    let other_region = arns[1].replace(":us-east-1:", ":eu-west-1:");
    let refused = client.list_backups().exclusive_start_backup_arn(other_region).send().await.unwrap_err();
    assert_eq!(
        refused.message(),
        Some("Invalid Request: The supplied ExclusiveStartBackupArn does not match the region")
    );

    let throughput = aws_sdk_dynamodb::types::ProvisionedThroughput::builder()
        .read_capacity_units(5)
        .write_capacity_units(5)
        .build();
    let throughput = throughput.expect("throughput");
    let restore = || client.restore_table_from_backup().target_table_name("restored").backup_arn(&arns[1]);
    let cases = [
        (
            restore()
                .billing_mode_override(BillingMode::PayPerRequest)
                .provisioned_throughput_override(throughput.clone()),
            "Invalid Request: Cannot override ProvisionedThroughput if BillingMode is overridden to PAY_PER_REQUEST",
        ),
        (
            restore().billing_mode_override(BillingMode::Provisioned),
            "Invalid Request: Must override ProvisionedThroughput if BillingMode is overridden to PROVISIONED",
        ),
        (
            restore().provisioned_throughput_override(throughput.clone()),
            "Invalid Request: Cannot override ProvisionedThroughput unless BillingMode is PROVISIONED",
        ),
    ];
    for (request, message) in cases {
        let error = request.send().await.unwrap_err();
        assert_eq!((error.code(), error.message()), (Some("ValidationException"), Some(message)));
    }
    assert!(client.describe_table().table_name("restored").send().await.is_err(), "nothing was restored");

    let bad_token = client.list_exports().next_token("zz").send().await.unwrap_err();
    assert_eq!(bad_token.message(), Some("Invalid Request: Provided nextToken is invalid: zz"));
}

/// A restore's target: a table being created or deleted under that name is
/// TableInUseException; at most 50 restores (of any kind) create their
/// tables at once (API reference, RestoreTableFromBackup).
#[tokio::test]
async fn restores_wait_for_their_target_name_and_fifty_run_at_once() {
    let db = harness::embedded();
    let client = db.client();
    db.create_tables(USERS).expect("create users");
    crate::point_in_time::enable(&client, "forum-users", None).await;
    let created = client.create_backup().table_name("forum-users").backup_name("nightly").send().await;
    let arn = created.expect("backup").backup_details().expect("details").backup_arn().to_string();
    db.set_status_delay(Duration::from_secs(60));
    let latest = |target: String| {
        client
            .restore_table_to_point_in_time()
            .source_table_name("forum-users")
            .target_table_name(target)
            .use_latest_restorable_time(true)
            .send()
    };
    latest("restoring".to_string()).await.expect("a restore, CREATING for a minute");
    let restore_into =
        |target: &'static str| client.restore_table_from_backup().target_table_name(target).backup_arn(&arn).send();
    let creating = restore_into("restoring").await.unwrap_err();
    assert_eq!(
        (creating.code(), creating.message()),
        (Some("TableInUseException"), Some("Table is being created: restoring"))
    );
    db.create_tables(
        r#"{"TableName": "leaving", "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}]}"#,
    )
    .expect("create");
    db.clock().advance(Duration::from_secs(61));
    client.delete_table().table_name("leaving").send().await.expect("delete, DELETING for a minute");
    let deleting = restore_into("leaving").await.unwrap_err();
    assert_eq!(
        (deleting.code(), deleting.message()),
        (Some("TableInUseException"), Some("Table is being deleted: leaving"))
    );

    for i in 0..50 {
        latest(format!("copy-{i}")).await.expect("one of fifty restores");
    }
    let fifty_first = latest("copy-50".to_string()).await.unwrap_err();
    assert_eq!(fifty_first.code(), Some("LimitExceededException"));
    db.clock().advance(Duration::from_secs(61));
    latest("copy-50".to_string()).await.expect("once the others are done");
}

/// A backup's ARN is looked up whatever region it names, and echoed as given;
/// another partition or service is not a backup's ARN (ack-api-quirks
/// DDB-BACKUP-012, recorded against DynamoDB).
#[tokio::test]
async fn backup_arns_are_matched_loosely_as_dynamodb_does() {
    let db = harness::embedded();
    let client = db.client();
    db.create_tables(USERS).expect("create users");
    let created = client.create_backup().table_name("forum-users").backup_name("nightly").send().await;
    let arn = created.expect("backup").backup_details().expect("details").backup_arn().to_string();
    let elsewhere = arn.replace(":us-east-1:", ":eu-west-1:");
    let described = client.describe_backup().backup_arn(&elsewhere).send().await.expect("found");
    let details = described.backup_description().and_then(|d| d.backup_details()).expect("details");
    assert_eq!(details.backup_arn(), elsewhere, "the ARN as given");
    for bad in [arn.replace("arn:aws:", "arn:aws-cn:"), arn.replace(":dynamodb:", ":dax:")] {
        let refused = client.describe_backup().backup_arn(bad).send().await.unwrap_err();
        assert_eq!(refused.message(), Some("Invalid Request: BackupArn is not valid"));
    }
    client.delete_backup().backup_arn(&elsewhere).send().await.expect("deleted through the other region's ARN");
    let gone = client.describe_backup().backup_arn(&arn).send().await.unwrap_err();
    assert_eq!(gone.code(), Some("BackupNotFoundException"));
}
