//! Transient table and index statuses with a status delay: CREATING,
//! UPDATING with a backfilling GSI, DELETING, driven by the emulator's clock.

use crate::error_of;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, CreateGlobalSecondaryIndexAction, GlobalSecondaryIndex,
    GlobalSecondaryIndexUpdate, IndexStatus, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, TableStatus,
};
use aws_sdk_dynamodb::Client;
use std::time::Duration;

const DELAY: Duration = Duration::from_secs(30);

fn key(name: &str, kind: KeyType) -> KeySchemaElement {
    KeySchemaElement::builder().attribute_name(name).key_type(kind).build().unwrap()
}

fn def(name: &str) -> AttributeDefinition {
    AttributeDefinition::builder().attribute_name(name).attribute_type(ScalarAttributeType::S).build().unwrap()
}

fn gsi(name: &str, pk: &str) -> GlobalSecondaryIndex {
    GlobalSecondaryIndex::builder()
        .index_name(name)
        .key_schema(key(pk, KeyType::Hash))
        .projection(Projection::builder().projection_type(ProjectionType::All).build())
        .build()
        .unwrap()
}

/// Creates the hash-key table `users` (pk).
async fn create_users(
    client: &Client,
) -> Result<
    aws_sdk_dynamodb::operation::create_table::CreateTableOutput,
    aws_sdk_dynamodb::error::SdkError<aws_sdk_dynamodb::operation::create_table::CreateTableError>,
> {
    client
        .create_table()
        .table_name("users")
        .key_schema(key("pk", KeyType::Hash))
        .attribute_definitions(def("pk"))
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
}

async fn status(client: &Client, table: &str) -> TableStatus {
    let described = client.describe_table().table_name(table).send().await.unwrap();
    described.table().unwrap().table_status().unwrap().clone()
}

async fn put(client: &Client, table: &str, pk: &str, email: &str) -> Result<(), String> {
    client
        .put_item()
        .table_name(table)
        .item("pk", AttributeValue::S(pk.into()))
        .item("email", AttributeValue::S(email.into()))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| aws_sdk_dynamodb::error::ProvideErrorMetadata::code(&e).unwrap_or_default().to_string())
}

#[tokio::test]
async fn without_a_delay_changes_are_done_when_the_request_returns() {
    let db = harness::embedded();
    let client = db.client();
    let created = create_users(&client).await.unwrap();
    // DynamoDB's CreateTable answer always says CREATING; here it is already usable.
    assert_eq!(created.table_description().unwrap().table_status(), Some(&TableStatus::Creating));
    assert_eq!(status(&client, "users").await, TableStatus::Active);
    put(&client, "users", "u1", "a@x").await.unwrap();
    let deleted = client.delete_table().table_name("users").send().await.unwrap();
    assert_eq!(deleted.table_description().unwrap().table_status(), Some(&TableStatus::Deleting));
    let (code, _) = error_of(client.describe_table().table_name("users").send().await);
    assert_eq!(code, "ResourceNotFoundException");
}

#[tokio::test]
async fn a_created_table_is_creating_until_the_delay_passes() {
    let db = harness::embedded();
    db.set_status_delay(DELAY);
    let client = db.client();
    let created = client
        .create_table()
        .table_name("users")
        .key_schema(key("pk", KeyType::Hash))
        .attribute_definitions(def("pk"))
        .attribute_definitions(def("email"))
        .global_secondary_indexes(gsi("EmailIndex", "email"))
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap();
    let description = created.table_description().unwrap();
    assert_eq!(description.table_status(), Some(&TableStatus::Creating));
    assert_eq!(description.global_secondary_indexes()[0].index_status(), Some(&IndexStatus::Creating));
    assert_eq!(status(&client, "users").await, TableStatus::Creating);

    // Not ready: no items, no deletion, no second creation.
    assert_eq!(put(&client, "users", "u1", "a@x").await.unwrap_err(), "ResourceNotFoundException");
    let (code, message) = error_of(client.delete_table().table_name("users").send().await);
    assert_eq!(code, "ResourceInUseException");
    assert_eq!(message, "Attempt to change a resource which is still in use: Table is being created: users");
    let (code, message) = error_of(create_users(&client).await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("ResourceInUseException", "Attempt to change a resource which is still in use: Table is being created: users")
    );

    db.clock().advance(DELAY);
    let described = client.describe_table().table_name("users").send().await.unwrap();
    let table = described.table().unwrap();
    assert_eq!(table.table_status(), Some(&TableStatus::Active));
    assert_eq!(table.global_secondary_indexes()[0].index_status(), Some(&IndexStatus::Active));
    put(&client, "users", "u1", "a@x").await.unwrap();
}

#[tokio::test]
async fn a_new_index_backfills_while_the_table_keeps_serving_items() {
    let db = harness::embedded();
    let client = db.client();
    sdk_tests::create_table(&client, "users", "pk", None).await;
    put(&client, "users", "u1", "a@x").await.unwrap();
    db.set_status_delay(DELAY);

    let updated = client
        .update_table()
        .table_name("users")
        .attribute_definitions(def("pk"))
        .attribute_definitions(def("email"))
        .global_secondary_index_updates(
            GlobalSecondaryIndexUpdate::builder()
                .create(
                    CreateGlobalSecondaryIndexAction::builder()
                        .index_name("EmailIndex")
                        .key_schema(key("email", KeyType::Hash))
                        .projection(Projection::builder().projection_type(ProjectionType::All).build())
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(updated.table_description().unwrap().table_status(), Some(&TableStatus::Updating));

    let described = client.describe_table().table_name("users").send().await.unwrap();
    let table = described.table().unwrap();
    assert_eq!(table.table_status(), Some(&TableStatus::Updating));
    let index = &table.global_secondary_indexes()[0];
    assert_eq!(index.index_status(), Some(&IndexStatus::Creating));
    assert_eq!(index.backfilling(), Some(true));

    // The table serves items; the index cannot be read yet; the table cannot change again.
    put(&client, "users", "u2", "b@x").await.unwrap();
    let query = || {
        client
            .query()
            .table_name("users")
            .index_name("EmailIndex")
            .key_condition_expression("email = :e")
            .expression_attribute_values(":e", AttributeValue::S("b@x".into()))
            .send()
    };
    let (code, message) = error_of(query().await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("ValidationException", "Cannot read from backfilling global secondary index")
    );
    let (code, message) =
        error_of(client.update_table().table_name("users").deletion_protection_enabled(true).send().await);
    assert_eq!(code, "ResourceInUseException");
    assert_eq!(message, "Attempt to change a resource which is still in use: Table is being updated: users");

    db.clock().advance(DELAY);
    let described = client.describe_table().table_name("users").send().await.unwrap();
    let table = described.table().unwrap();
    assert_eq!(table.table_status(), Some(&TableStatus::Active));
    assert_eq!(table.global_secondary_indexes()[0].index_status(), Some(&IndexStatus::Active));
    assert_eq!(table.global_secondary_indexes()[0].backfilling(), None);
    let found = query().await.unwrap();
    assert_eq!(found.count(), 1, "the item written during the backfill is in the index");
}

#[tokio::test]
async fn a_deleted_table_is_deleting_until_the_delay_passes() {
    let db = harness::embedded();
    let client = db.client();
    sdk_tests::create_table(&client, "users", "pk", None).await;
    put(&client, "users", "u1", "a@x").await.unwrap();
    db.set_status_delay(DELAY);

    let deleted = client.delete_table().table_name("users").send().await.unwrap();
    assert_eq!(deleted.table_description().unwrap().table_status(), Some(&TableStatus::Deleting));
    assert_eq!(status(&client, "users").await, TableStatus::Deleting);
    assert_eq!(client.list_tables().send().await.unwrap().table_names(), ["users"]);
    let (code, _) =
        error_of(client.get_item().table_name("users").key("pk", AttributeValue::S("u1".into())).send().await);
    assert_eq!(code, "ResourceNotFoundException");
    // Deleting again answers DELETING without an error, as DynamoDB does.
    let again = client.delete_table().table_name("users").send().await.unwrap();
    assert_eq!(again.table_description().unwrap().table_status(), Some(&TableStatus::Deleting));
    let (code, message) = error_of(create_users(&client).await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("ResourceInUseException", "Attempt to change a resource which is still in use: Table is being deleted: users")
    );

    db.clock().advance(DELAY);
    let (code, _) = error_of(client.describe_table().table_name("users").send().await);
    assert_eq!(code, "ResourceNotFoundException");
    assert!(client.list_tables().send().await.unwrap().table_names().is_empty());
    db.set_status_delay(Duration::ZERO);
    create_users(&client).await.unwrap();
    let found = client.get_item().table_name("users").key("pk", AttributeValue::S("u1".into())).send().await.unwrap();
    assert!(found.item().is_none(), "the re-created table starts empty");
}

/// With a real-time delay, an application's wait-for-ACTIVE loop sees
/// CREATING, then ACTIVE, without touching the clock.
#[tokio::test]
async fn a_polling_loop_waits_for_active_in_real_time() {
    let db = harness::start().await;
    db.set_status_delay(Duration::from_millis(150));
    let client = db.client();
    sdk_tests::create_table(&client, "orders", "pk", None).await;
    let mut seen = Vec::new();
    for _ in 0..200 {
        let now = status(&client, "orders").await;
        if seen.last() != Some(&now) {
            seen.push(now.clone());
        }
        if now == TableStatus::Active {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(seen, [TableStatus::Creating, TableStatus::Active]);
}
