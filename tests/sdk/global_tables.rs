//! Global tables (version 2019.11.21): UpdateTable's `ReplicaUpdates` makes
//! the table of the same name in another region a replica; writes in any
//! replica reach the others on the emulator's clock, the last writer wins.

use crate::error_of;
use aws_sdk_dynamodb::types::{
    AttributeValue, CreateReplicationGroupMemberAction, DeleteReplicationGroupMemberAction, ReplicaStatus,
    ReplicationGroupUpdate, StreamSpecification, UpdateReplicationGroupMemberAction,
};
use aws_sdk_dynamodb::Client;
use sdk_tests::create_table;
use std::time::Duration;

const HOME: &str = "us-east-1";
const DR: &str = "us-west-2";

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn create(region: &str) -> ReplicationGroupUpdate {
    let action = CreateReplicationGroupMemberAction::builder().region_name(region).build().unwrap();
    ReplicationGroupUpdate::builder().create(action).build()
}

fn delete(region: &str) -> ReplicationGroupUpdate {
    let action = DeleteReplicationGroupMemberAction::builder().region_name(region).build().unwrap();
    ReplicationGroupUpdate::builder().delete(action).build()
}

fn hash_key(name: &str) -> aws_sdk_dynamodb::types::KeySchemaElement {
    let key = aws_sdk_dynamodb::types::KeySchemaElement::builder().attribute_name(name);
    key.key_type(aws_sdk_dynamodb::types::KeyType::Hash).build().unwrap()
}

fn string_attribute(name: &str) -> aws_sdk_dynamodb::types::AttributeDefinition {
    let definition = aws_sdk_dynamodb::types::AttributeDefinition::builder().attribute_name(name);
    definition.attribute_type(aws_sdk_dynamodb::types::ScalarAttributeType::S).build().unwrap()
}

async fn add_replica(client: &Client, table: &str, region: &str) {
    client.update_table().table_name(table).replica_updates(create(region)).send().await.expect("add a replica");
}

/// The clients of both regions, and an on-demand table `name` in us-east-1 with its replica in us-west-2.
async fn global_table(db: &harness::Emulator, name: &str) -> (Client, Client) {
    let home = db.client();
    create_table(&home, name, "pk", None).await;
    add_replica(&home, name, DR).await;
    (home, db.client_for(DR, harness::ACCESS_KEY, harness::SECRET_KEY))
}

/// The `(region, status)` of every replica DescribeTable lists, and its GlobalTableVersion.
async fn replicas(client: &Client, table: &str) -> (Vec<(String, String)>, Option<String>) {
    let table = client.describe_table().table_name(table).send().await.unwrap().table.unwrap();
    let listed = table
        .replicas()
        .iter()
        .map(|r| (r.region_name().unwrap().to_string(), r.replica_status().unwrap().as_str().to_string()))
        .collect();
    (listed, table.global_table_version().map(str::to_string))
}

async fn get(
    client: &Client,
    table: &str,
    key: (&str, &str),
) -> Option<std::collections::HashMap<String, AttributeValue>> {
    let out = client.get_item().table_name(table).key(key.0, s(key.1)).consistent_read(true).send().await.unwrap();
    out.item().cloned()
}

/// The forum's runbook (its README's "Global Tables (Active-Active)"): its
/// three tables, with the README's names and indexes, on-demand in us-east-1,
/// get replicas in the DR region us-west-2; a post written in one region is read
/// in the other, through the table and its indexes.
#[tokio::test]
async fn forum_tables_replicate_between_two_regions() {
    let db = harness::start().await;
    let home = db.client();
    let dr = db.client_for(DR, harness::ACCESS_KEY, harness::SECRET_KEY);
    db.create_tables(
        r#"[
        {"TableName": "forum-microservices-users-dev", "BillingMode": "PAY_PER_REQUEST",
         "AttributeDefinitions": [{"AttributeName": "userId", "AttributeType": "S"}, {"AttributeName": "email", "AttributeType": "S"}],
         "KeySchema": [{"AttributeName": "userId", "KeyType": "HASH"}],
         "GlobalSecondaryIndexes": [{"IndexName": "EmailIndex", "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]},
        {"TableName": "forum-microservices-threads-dev", "BillingMode": "PAY_PER_REQUEST",
         "AttributeDefinitions": [{"AttributeName": "threadId", "AttributeType": "S"}, {"AttributeName": "createdAt", "AttributeType": "S"}],
         "KeySchema": [{"AttributeName": "threadId", "KeyType": "HASH"}],
         "GlobalSecondaryIndexes": [{"IndexName": "CreatedAtIndex", "KeySchema": [{"AttributeName": "createdAt", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]},
        {"TableName": "forum-microservices-posts-dev", "BillingMode": "PAY_PER_REQUEST",
         "AttributeDefinitions": [{"AttributeName": "postId", "AttributeType": "S"}, {"AttributeName": "threadId", "AttributeType": "S"}, {"AttributeName": "userId", "AttributeType": "S"}, {"AttributeName": "createdAt", "AttributeType": "S"}],
         "KeySchema": [{"AttributeName": "postId", "KeyType": "HASH"}, {"AttributeName": "threadId", "KeyType": "RANGE"}],
         "GlobalSecondaryIndexes": [
           {"IndexName": "ThreadIndex", "KeySchema": [{"AttributeName": "threadId", "KeyType": "HASH"}, {"AttributeName": "createdAt", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}},
           {"IndexName": "UserIndex", "KeySchema": [{"AttributeName": "userId", "KeyType": "HASH"}, {"AttributeName": "createdAt", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}]}
        ]"#,
    )
    .unwrap();
    // An item written before the replica exists is copied into it.
    home.put_item()
        .table_name("forum-microservices-users-dev")
        .item("userId", s("u1"))
        .item("email", s("ada@example.com"))
        .send()
        .await
        .unwrap();
    for table in ["forum-microservices-users-dev", "forum-microservices-threads-dev", "forum-microservices-posts-dev"] {
        add_replica(&home, table, DR).await;
    }

    let (listed, version) = replicas(&home, "forum-microservices-users-dev").await;
    assert_eq!(listed, vec![(DR.to_string(), "ACTIVE".to_string())]);
    assert_eq!(version.as_deref(), Some("2019.11.21"));
    let replica = dr.describe_table().table_name("forum-microservices-users-dev").send().await.unwrap().table.unwrap();
    assert_eq!(
        replica.table_arn(),
        Some("arn:aws:dynamodb:us-west-2:000000000000:table/forum-microservices-users-dev")
    );
    assert_eq!(replica.replicas()[0].region_name(), Some(HOME));
    assert_eq!(replica.global_table_version(), Some("2019.11.21"));
    assert_eq!(replica.global_secondary_indexes()[0].index_name(), Some("EmailIndex"));
    assert!(replica.latest_stream_arn().is_some(), "the replica has a stream of its own");
    assert_eq!(
        get(&dr, "forum-microservices-users-dev", ("userId", "u1")).await.unwrap()["email"],
        s("ada@example.com")
    );

    // A post written in us-east-1 is read in us-west-2, by key and by index.
    home.put_item()
        .table_name("forum-microservices-posts-dev")
        .item("postId", s("p1"))
        .item("threadId", s("t1"))
        .item("createdAt", s("2024-05-01T10:00:00Z"))
        .item("userId", s("u1"))
        .item("body", s("hello from the east"))
        .send()
        .await
        .unwrap();
    let by_thread = dr
        .query()
        .table_name("forum-microservices-posts-dev")
        .index_name("ThreadIndex")
        .key_condition_expression("threadId = :t")
        .expression_attribute_values(":t", s("t1"))
        .send()
        .await
        .unwrap();
    assert_eq!(by_thread.count(), 1);
    assert_eq!(by_thread.items()[0]["body"], s("hello from the east"));
    let by_user = dr
        .query()
        .table_name("forum-microservices-posts-dev")
        .index_name("UserIndex")
        .key_condition_expression("userId = :u")
        .expression_attribute_values(":u", s("u1"))
        .send()
        .await
        .unwrap();
    assert_eq!(by_user.count(), 1);
    // And back (the failover: traffic redirected to the DR region): a thread opened in us-west-2 is read in us-east-1.
    dr.put_item()
        .table_name("forum-microservices-threads-dev")
        .item("threadId", s("t2"))
        .item("title", s("DR drill"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        get(&home, "forum-microservices-threads-dev", ("threadId", "t2")).await.unwrap()["title"],
        s("DR drill")
    );
}

#[tokio::test]
async fn every_kind_of_write_replicates_deletes_included() {
    let db = harness::start().await;
    let (home, dr) = global_table(&db, "accounts").await;

    home.put_item().table_name("accounts").item("pk", s("put")).send().await.unwrap();
    home.update_item()
        .table_name("accounts")
        .key("pk", s("put"))
        .update_expression("SET n = :n")
        .expression_attribute_values(":n", AttributeValue::N("7".into()))
        .send()
        .await
        .unwrap();
    let put = |pk: &str| {
        aws_sdk_dynamodb::types::WriteRequest::builder()
            .put_request(aws_sdk_dynamodb::types::PutRequest::builder().item("pk", s(pk)).build().unwrap())
            .build()
    };
    home.batch_write_item().request_items("accounts", vec![put("batch-1"), put("batch-2")]).send().await.unwrap();
    let transact_put = aws_sdk_dynamodb::types::TransactWriteItem::builder()
        .put(aws_sdk_dynamodb::types::Put::builder().table_name("accounts").item("pk", s("txn")).build().unwrap())
        .build();
    home.transact_write_items().transact_items(transact_put).send().await.unwrap();
    home.execute_statement().statement("INSERT INTO \"accounts\" VALUE {'pk': 'partiql'}").send().await.unwrap();

    let scan = dr.scan().table_name("accounts").send().await.unwrap();
    let mut keys: Vec<String> = scan.items().iter().map(|i| i["pk"].as_s().unwrap().clone()).collect();
    keys.sort();
    assert_eq!(keys, ["batch-1", "batch-2", "partiql", "put", "txn"]);
    assert_eq!(get(&dr, "accounts", ("pk", "put")).await.unwrap()["n"], AttributeValue::N("7".into()));

    // Deletes replicate, from either side.
    dr.delete_item().table_name("accounts").key("pk", s("batch-1")).send().await.unwrap();
    home.delete_item().table_name("accounts").key("pk", s("txn")).send().await.unwrap();
    assert!(get(&home, "accounts", ("pk", "batch-1")).await.is_none());
    assert!(get(&dr, "accounts", ("pk", "txn")).await.is_none());
    assert_eq!(home.scan().table_name("accounts").send().await.unwrap().count(), 3);
    assert_eq!(dr.scan().table_name("accounts").send().await.unwrap().count(), 3);
}

#[tokio::test]
async fn time_to_live_is_one_setting_for_every_replica_and_its_deletes_replicate() {
    let db = harness::start().await;
    let (home, dr) = global_table(&db, "sessions").await;
    // Turned on in the replica's region, it holds in the home region too (DynamoDB keeps it group-wide).
    let ttl = aws_sdk_dynamodb::types::TimeToLiveSpecification::builder()
        .attribute_name("expires")
        .enabled(true)
        .build()
        .unwrap();
    dr.update_time_to_live().table_name("sessions").time_to_live_specification(ttl).send().await.unwrap();
    let described = home.describe_time_to_live().table_name("sessions").send().await.unwrap();
    let description = described.time_to_live_description().unwrap();
    assert_eq!(description.attribute_name(), Some("expires"));
    assert_eq!(description.time_to_live_status().map(|s| s.as_str()), Some("ENABLED"));

    let past = (db.clock().now_millis() / 1000 - 60).to_string();
    home.put_item()
        .table_name("sessions")
        .item("pk", s("old"))
        .item("expires", AttributeValue::N(past))
        .send()
        .await
        .unwrap();
    assert!(get(&dr, "sessions", ("pk", "old")).await.is_some());
    assert!(db.state().sweep_expired() >= 1);
    assert!(get(&home, "sessions", ("pk", "old")).await.is_none());
    assert!(get(&dr, "sessions", ("pk", "old")).await.is_none(), "expired in every replica");
}

#[tokio::test]
async fn replication_waits_for_its_delay_on_the_clock() {
    let db = harness::builder().replication_delay(Duration::from_secs(5)).start().await;
    let (home, dr) = global_table(&db, "orders").await;
    home.put_item().table_name("orders").item("pk", s("o1")).send().await.unwrap();
    assert!(get(&dr, "orders", ("pk", "o1")).await.is_none(), "not there before the delay");
    db.clock().advance(Duration::from_millis(4_900));
    assert!(get(&dr, "orders", ("pk", "o1")).await.is_none());
    db.clock().advance(Duration::from_millis(100));
    assert!(get(&dr, "orders", ("pk", "o1")).await.is_some(), "delivered once the delay has passed");
}

#[tokio::test]
async fn the_last_writer_wins_by_timestamp() {
    let db = harness::builder().replication_delay(Duration::from_secs(1)).start().await;
    let (home, dr) = global_table(&db, "profiles").await;
    // Both regions write the same item before either write has crossed over.
    home.put_item().table_name("profiles").item("pk", s("p")).item("name", s("east")).send().await.unwrap();
    db.clock().advance(Duration::from_millis(10));
    dr.put_item().table_name("profiles").item("pk", s("p")).item("name", s("west")).send().await.unwrap();
    db.clock().advance(Duration::from_secs(2));
    // The east's write reached the west later but is older: it lost there; the west's won in the east.
    assert_eq!(get(&dr, "profiles", ("pk", "p")).await.unwrap()["name"], s("west"));
    assert_eq!(get(&home, "profiles", ("pk", "p")).await.unwrap()["name"], s("west"));
    // A delete is a write like any other: a later put wins over it, an earlier one does not.
    dr.delete_item().table_name("profiles").key("pk", s("p")).send().await.unwrap();
    db.clock().advance(Duration::from_millis(10));
    home.put_item().table_name("profiles").item("pk", s("p")).item("name", s("again")).send().await.unwrap();
    db.clock().advance(Duration::from_secs(2));
    assert_eq!(get(&dr, "profiles", ("pk", "p")).await.unwrap()["name"], s("again"));
    assert_eq!(get(&home, "profiles", ("pk", "p")).await.unwrap()["name"], s("again"));
}

#[tokio::test]
async fn replicated_writes_appear_in_the_replicas_stream_without_replication_attributes() {
    let db = harness::start().await;
    let home = db.client();
    let dr = db.client_for(DR, harness::ACCESS_KEY, harness::SECRET_KEY);
    create_table(&home, "events", "pk", None).await;
    // No stream before: adding a replica turns on NEW_AND_OLD_IMAGES (DynamoDB does the same).
    let answer = home.update_table().table_name("events").replica_updates(create(DR)).send().await.unwrap();
    let spec = answer.table_description().unwrap().stream_specification().unwrap();
    assert_eq!(spec.stream_view_type().map(|v| v.as_str()), Some("NEW_AND_OLD_IMAGES"));
    home.put_item().table_name("events").item("pk", s("e1")).item("kind", s("signup")).send().await.unwrap();
    home.delete_item().table_name("events").key("pk", s("e1")).send().await.unwrap();

    let arn = dr.describe_table().table_name("events").send().await.unwrap().table.unwrap().latest_stream_arn.unwrap();
    assert!(arn.starts_with("arn:aws:dynamodb:us-west-2:000000000000:table/events/stream/"));
    let streams_config = aws_sdk_dynamodbstreams::config::Builder::from(&db.sdk_config())
        .region(aws_sdk_dynamodbstreams::config::Region::new(DR))
        .build();
    let streams = aws_sdk_dynamodbstreams::Client::from_conf(streams_config);
    let records = sdk_tests::stream_records(&streams, &arn).await;
    let names: Vec<&str> = records.iter().map(|r| r.event_name().unwrap().as_str()).collect();
    assert_eq!(names, ["INSERT", "REMOVE"]);
    let image = records[0].dynamodb().unwrap().new_image().unwrap();
    assert_eq!(image.len(), 2, "no aws:rep:* attributes in version 2019.11.21: {image:?}");
    assert_eq!(records[0].aws_region(), Some(DR));
}

#[tokio::test]
async fn replicas_are_created_and_removed_on_the_clock() {
    let db = harness::start().await;
    db.set_status_delay(Duration::from_secs(10));
    let home = db.client();
    let dr = db.client_for(DR, harness::ACCESS_KEY, harness::SECRET_KEY);
    create_table(&home, "carts", "pk", None).await;
    db.clock().advance(Duration::from_secs(10));
    let answer = home.update_table().table_name("carts").replica_updates(create(DR)).send().await.unwrap();
    assert_eq!(answer.table_description().unwrap().table_status().unwrap().as_str(), "UPDATING");
    let (listed, _) = replicas(&home, "carts").await;
    assert_eq!(listed, vec![(DR.to_string(), "CREATING".to_string())]);
    let replica = dr.describe_table().table_name("carts").send().await.unwrap().table.unwrap();
    assert_eq!(replica.table_status().unwrap().as_str(), "CREATING");
    // Another replica change waits for this one.
    let busy = home.update_table().table_name("carts").replica_updates(create("eu-west-1")).send().await;
    assert_eq!(error_of(busy).0, "ResourceInUseException");
    db.clock().advance(Duration::from_secs(10));
    assert_eq!(replicas(&home, "carts").await.0, vec![(DR.to_string(), "ACTIVE".to_string())]);

    home.update_table().table_name("carts").replica_updates(delete(DR)).send().await.unwrap();
    assert_eq!(replicas(&home, "carts").await.0, vec![(DR.to_string(), "DELETING".to_string())]);
    db.clock().advance(Duration::from_secs(10));
    let (listed, version) = replicas(&home, "carts").await;
    assert!(listed.is_empty() && version.is_none(), "a table without replicas is no global table: {listed:?}");
    assert_eq!(error_of(dr.describe_table().table_name("carts").send().await).0, "ResourceNotFoundException");
    // Writes stay home now.
    home.put_item().table_name("carts").item("pk", s("c1")).send().await.unwrap();
    create_table(&dr, "carts", "pk", None).await;
    db.clock().advance(Duration::from_secs(10));
    assert!(get(&dr, "carts", ("pk", "c1")).await.is_none());
}

#[tokio::test]
async fn a_replica_deleted_in_its_region_leaves_the_group_and_the_source_waits_24_hours() {
    let db = harness::start().await;
    let (home, dr) = global_table(&db, "ledger").await;
    // The table that added a replica cannot be deleted for 24 hours (while the replica exists).
    let (code, message) = error_of(home.delete_table().table_name("ledger").send().await);
    assert_eq!(code, "ValidationException");
    assert_eq!(message, "Replica cannot be deleted because it has acted as a source region for new replica(s) being added to the table in the last 24 hours.");
    // The replica itself can go.
    dr.delete_table().table_name("ledger").send().await.unwrap();
    assert!(replicas(&home, "ledger").await.0.is_empty());
    home.put_item().table_name("ledger").item("pk", s("l1")).send().await.unwrap();
    home.delete_table().table_name("ledger").send().await.unwrap();
}

#[tokio::test]
async fn replica_updates_are_checked_as_dynamodb_checks_them() {
    let db = harness::start().await;
    let home = db.client();
    let dr = db.client_for(DR, harness::ACCESS_KEY, harness::SECRET_KEY);
    create_table(&home, "tickets", "pk", None).await;
    let update = || home.update_table().table_name("tickets");

    let (code, message) = error_of(update().replica_updates(create(HOME)).send().await);
    assert_eq!(code, "ValidationException");
    assert_eq!(message, "Cannot add or delete the local region through ReplicaUpdates. Use CreateTable, DeleteTable, or UpdateTable as required.");
    let (_, message) = error_of(update().replica_updates(create("us-fake-1")).send().await);
    assert!(message.starts_with("Region us-fake-1 is not supported. The latest version of global tables are only supported in the following regions: ["), "{message}");
    let (_, message) = error_of(update().replica_updates(create(DR)).deletion_protection_enabled(true).send().await);
    assert_eq!(
        message,
        "One or more parameter values were invalid: Replica modification must be the only operation in the request"
    );
    let (_, message) = error_of(update().replica_updates(create(DR)).replica_updates(create("eu-west-1")).send().await);
    assert_eq!(message, "Update table operation with more than one create or delete replica actions not allowed");
    let both = ReplicationGroupUpdate::builder()
        .create(CreateReplicationGroupMemberAction::builder().region_name(DR).build().unwrap())
        .delete(DeleteReplicationGroupMemberAction::builder().region_name(DR).build().unwrap())
        .build();
    let (_, message) = error_of(update().replica_updates(both).send().await);
    assert_eq!(message, "Update table operation with more than one type of replica actions not allowed.");
    let bare = ReplicationGroupUpdate::builder()
        .update(UpdateReplicationGroupMemberAction::builder().region_name(DR).build().unwrap())
        .build();
    let (_, message) = error_of(update().replica_updates(bare).send().await);
    assert_eq!(message, "There are no actions specified in the Replica Update Action of the request.");
    let (_, message) = error_of(update().replica_updates(delete(DR)).send().await);
    assert_eq!(message, "Update global table operation failed because one or more replicas were not part of the global table. Please retry the request without these replicas: [us-west-2].");
    let missing = home.update_table().table_name("nope").replica_updates(create(DR)).send().await;
    assert_eq!(error_of(missing).0, "ResourceNotFoundException");

    // A table of that name in the other region already: no replica there.
    create_table(&dr, "tickets", "pk", None).await;
    let (_, message) = error_of(update().replica_updates(create(DR)).send().await);
    assert_eq!(message, "Failed to create a the new replica of table with name: \u{2018}tickets\u{2019} because one or more replicas already existed as tables.");
    dr.delete_table().table_name("tickets").send().await.unwrap();
    add_replica(&home, "tickets", DR).await;
    let (_, message) = error_of(update().replica_updates(create(DR)).send().await);
    assert!(message.contains("already existed as tables"), "{message}");

    // Once a replica exists, the stream stays.
    let off = StreamSpecification::builder().stream_enabled(false).build().unwrap();
    let (_, message) = error_of(update().stream_specification(off).send().await);
    assert_eq!(message, "Disabling Stream is not allowed for a Global Table replica.");

    // Provisioned tables need write auto scaling, which the emulator has not.
    db.create_tables(
        r#"{"TableName": "fixed", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}"#,
    )
    .unwrap();
    let (_, message) = error_of(home.update_table().table_name("fixed").replica_updates(create(DR)).send().await);
    assert_eq!(message, "Table write capacity should either be Pay-Per-Request or AutoScaled.");
    let _ = ReplicaStatus::Active;
}

#[tokio::test]
async fn a_shared_namespace_has_no_other_region_to_hold_a_replica() {
    let db = harness::start().await;
    db.state().namespaces.set_shared(true);
    let home = db.client();
    create_table(&home, "solo", "pk", None).await;
    let (code, message) = error_of(home.update_table().table_name("solo").replica_updates(create(DR)).send().await);
    assert_eq!(code, "ValidationException");
    assert!(message.contains("shared namespace"), "{message}");
}

/// The legacy 2017.11.29 operations answer as DynamoDB does today: no legacy
/// global table can be made, so there is none to list, describe or update,
/// and they do not see 2019.11.21 tables.
#[tokio::test]
async fn legacy_global_table_operations_answer_as_dynamodb_does_today() {
    let db = harness::start().await;
    let (home, _) = global_table(&db, "legacy").await;
    let replica = aws_sdk_dynamodb::types::Replica::builder().region_name(HOME).build();
    let (code, message) =
        error_of(home.create_global_table().global_table_name("legacy").replication_group(replica).send().await);
    assert_eq!(code, "ValidationException");
    assert_eq!(message, "One or more parameter values were invalid: DynamoDB global tables version 2017.11.29 is not supported. We recommend using DynamoDB global tables version 2019.11.21, instead of version 2017.11.29 (Legacy).");
    let listed = home.list_global_tables().send().await.unwrap();
    assert!(listed.global_tables().is_empty());
    let (code, message) = error_of(home.describe_global_table().global_table_name("legacy").send().await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("GlobalTableNotFoundException", "Global table with name: 'legacy' does not exist.")
    );
    let settings = home.describe_global_table_settings().global_table_name("legacy").send().await;
    assert_eq!(error_of(settings).0, "GlobalTableNotFoundException");
    let remove = aws_sdk_dynamodb::types::ReplicaUpdate::builder()
        .delete(aws_sdk_dynamodb::types::DeleteReplicaAction::builder().region_name(DR).build().unwrap())
        .build();
    let update = home.update_global_table().global_table_name("legacy").replica_updates(remove).send().await;
    assert_eq!(error_of(update).0, "GlobalTableNotFoundException");
    let add = aws_sdk_dynamodb::types::ReplicaUpdate::builder()
        .create(aws_sdk_dynamodb::types::CreateReplicaAction::builder().region_name("eu-west-1").build().unwrap())
        .build();
    let update = home.update_global_table().global_table_name("nothing").replica_updates(add).send().await;
    assert_eq!(error_of(update).0, "ValidationException");
    let bad_name = home.describe_global_table().global_table_name("x").send().await;
    assert!(error_of(bad_name).1.contains("Member must have length greater than or equal to 3"));
}

/// An index created in one replica's region exists in every replica,
/// backfilled from its items; deleted, it goes everywhere.
#[tokio::test]
async fn indexes_are_created_and_deleted_in_every_replica() {
    let db = harness::start().await;
    let (home, dr) = global_table(&db, "people").await;
    home.put_item().table_name("people").item("pk", s("p1")).item("city", s("Lyon")).send().await.unwrap();
    let index = aws_sdk_dynamodb::types::GlobalSecondaryIndexUpdate::builder()
        .create(
            aws_sdk_dynamodb::types::CreateGlobalSecondaryIndexAction::builder()
                .index_name("byCity")
                .key_schema(hash_key("city"))
                .projection(
                    aws_sdk_dynamodb::types::Projection::builder()
                        .projection_type(aws_sdk_dynamodb::types::ProjectionType::All)
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .build();
    dr.update_table()
        .table_name("people")
        .attribute_definitions(string_attribute("city"))
        .global_secondary_index_updates(index)
        .send()
        .await
        .unwrap();
    let by_city = |client: Client| async move {
        client
            .query()
            .table_name("people")
            .index_name("byCity")
            .key_condition_expression("city = :c")
            .expression_attribute_values(":c", s("Lyon"))
            .send()
            .await
    };
    assert_eq!(by_city(home.clone()).await.unwrap().count(), 1, "the home region has the index, backfilled");
    let described = home.describe_table().table_name("people").send().await.unwrap().table.unwrap();
    let arn = described.global_secondary_indexes()[0].index_arn().unwrap().to_string();
    assert_eq!(arn, "arn:aws:dynamodb:us-east-1:000000000000:table/people/index/byCity");

    let drop = aws_sdk_dynamodb::types::GlobalSecondaryIndexUpdate::builder()
        .delete(
            aws_sdk_dynamodb::types::DeleteGlobalSecondaryIndexAction::builder().index_name("byCity").build().unwrap(),
        )
        .build();
    home.update_table().table_name("people").global_secondary_index_updates(drop).send().await.unwrap();
    assert!(by_city(dr).await.is_err(), "deleted in the other replica too");
}

/// Durable mode's journal records no global table: a replica is refused
/// there rather than lost at the next restart.
#[tokio::test]
async fn durable_mode_refuses_replicas_it_could_not_keep() {
    struct Discard;
    impl emulator::state::Journal for Discard {
        fn commit(&self, _: &emulator::State, _: bool) -> std::io::Result<()> {
            Ok(())
        }
    }
    let db = harness::start().await;
    assert!(db.state().journal.set(Box::new(Discard)).is_ok());
    let home = db.client();
    create_table(&home, "kept", "pk", None).await;
    let (code, message) = error_of(home.update_table().table_name("kept").replica_updates(create(DR)).send().await);
    assert_eq!(code, "ValidationException");
    assert!(message.starts_with("Replicas are not kept by durable mode (--db-path)"), "{message}");
}

/// Three regions: a replica may be added from any member's endpoint (which
/// becomes its source); every region lists the two others, and a write in
/// any reaches both.
#[tokio::test]
async fn three_regions_each_list_the_others_and_share_every_write() {
    let db = harness::start().await;
    let (home, dr) = global_table(&db, "catalog").await;
    let eu = db.client_for("eu-west-1", harness::ACCESS_KEY, harness::SECRET_KEY);
    add_replica(&dr, "catalog", "eu-west-1").await;
    let regions = |listed: Vec<(String, String)>| {
        let mut names: Vec<String> = listed.into_iter().map(|(region, _)| region).collect();
        names.sort();
        names
    };
    assert_eq!(regions(replicas(&home, "catalog").await.0), ["eu-west-1", "us-west-2"]);
    assert_eq!(regions(replicas(&dr, "catalog").await.0), ["eu-west-1", "us-east-1"]);
    assert_eq!(regions(replicas(&eu, "catalog").await.0), ["us-east-1", "us-west-2"]);

    eu.put_item().table_name("catalog").item("pk", s("from-eu")).send().await.unwrap();
    assert!(get(&home, "catalog", ("pk", "from-eu")).await.is_some());
    assert!(get(&dr, "catalog", ("pk", "from-eu")).await.is_some());

    // us-west-2 added eu-west-1 less than 24 hours ago: it cannot be removed, from anywhere.
    let (_, message) = error_of(home.update_table().table_name("catalog").replica_updates(delete(DR)).send().await);
    assert!(message.starts_with("Replica cannot be deleted because it has acted as a source region"), "{message}");
    // A day later it can.
    db.clock().advance(Duration::from_secs(24 * 60 * 60));
    home.update_table().table_name("catalog").replica_updates(delete(DR)).send().await.unwrap();
    assert_eq!(regions(replicas(&eu, "catalog").await.0), ["us-east-1"]);
}

/// Replica auto scaling exists for global tables only; the emulator's
/// replicas are on-demand, so it lists them without settings and refuses to
/// scale them.
#[tokio::test]
async fn replica_auto_scaling_lists_on_demand_replicas_and_refuses_to_scale_them() {
    let db = harness::start().await;
    let home = db.client();
    create_table(&home, "regional", "pk", None).await;
    let (code, message) = error_of(home.describe_table_replica_auto_scaling().table_name("regional").send().await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("ResourceNotFoundException", "Global table with name: 'regional' does not exist.")
    );

    let (home, _) = global_table(&db, "scaled").await;
    let described = home.describe_table_replica_auto_scaling().table_name("scaled").send().await.unwrap();
    let description = described.table_auto_scaling_description().unwrap();
    let regions: Vec<&str> = description.replicas().iter().filter_map(|r| r.region_name()).collect();
    assert_eq!(regions, ["us-east-1", "us-west-2"], "every replica, home included, in region order");
    assert!(description.replicas()[0].replica_provisioned_write_capacity_auto_scaling_settings().is_none());

    let write =
        aws_sdk_dynamodb::types::AutoScalingSettingsUpdate::builder().minimum_units(1).maximum_units(10).build();
    let refused = home
        .update_table_replica_auto_scaling()
        .table_name("scaled")
        .provisioned_write_capacity_auto_scaling_update(write)
        .send()
        .await;
    let (code, message) = error_of(refused);
    assert_eq!(code, "ValidationException");
    assert_eq!(message, "Failed to update global table with name \u{2018}scaled\u{2018}. Replicas 'US-EAST-1', 'US-WEST-2' BillingMode is PayPerRequest. You must convert table's BillingMode to PROVISIONED to set parameters: 'GlobalTableProvisionedWriteCapacityAutoScalingSettingsUpdate'.");
}
