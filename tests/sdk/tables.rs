use crate::error_of;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, LocalSecondaryIndex, Projection,
    ProjectionType, ProvisionedThroughput, ScalarAttributeType, StreamSpecification, StreamViewType, TableStatus, Tag,
};
use sdk_tests::create_table;

fn key(name: &str, kind: KeyType) -> KeySchemaElement {
    KeySchemaElement::builder().attribute_name(name).key_type(kind).build().unwrap()
}

fn def(name: &str, kind: ScalarAttributeType) -> AttributeDefinition {
    AttributeDefinition::builder().attribute_name(name).attribute_type(kind).build().unwrap()
}

#[tokio::test]
async fn create_describe_list_delete() {
    let db = harness::start().await;
    let client = db.client();
    let created = client
        .create_table()
        .table_name("orders")
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .attribute_definitions(def("pk", ScalarAttributeType::S))
        .attribute_definitions(def("sk", ScalarAttributeType::N))
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap();
    let description = created.table_description().unwrap();
    assert_eq!(description.table_status(), Some(&TableStatus::Creating));
    assert_eq!(description.table_arn(), Some("arn:aws:dynamodb:us-east-1:000000000000:table/orders"));
    assert!(description.table_id().is_some());
    assert!(description.creation_date_time().is_some());

    let described = client.describe_table().table_name("orders").send().await.unwrap();
    let table = described.table().unwrap();
    assert_eq!(table.item_count(), Some(0));
    assert_eq!(table.key_schema().len(), 2);
    assert_eq!(table.billing_mode_summary().unwrap().billing_mode(), Some(&BillingMode::PayPerRequest));

    let listed = client.list_tables().send().await.unwrap();
    assert_eq!(listed.table_names(), ["orders"]);

    let deleted = client.delete_table().table_name("orders").send().await.unwrap();
    assert_eq!(deleted.table_description().unwrap().table_status(), Some(&TableStatus::Deleting));
    let (code, message) = error_of(client.describe_table().table_name("orders").send().await);
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(message, "Requested resource not found: Table: orders not found");
}

#[tokio::test]
async fn list_tables_pages() {
    let db = harness::start().await;
    let client = db.client();
    for name in ["t-c", "t-a", "t-b", "t-d", "t-e"] {
        create_table(&client, name, "pk", None).await;
    }
    let first = client.list_tables().limit(2).send().await.unwrap();
    assert_eq!(first.table_names(), ["t-a", "t-b"]);
    assert_eq!(first.last_evaluated_table_name(), Some("t-b"));
    let second = client.list_tables().limit(2).exclusive_start_table_name("t-b").send().await.unwrap();
    assert_eq!(second.table_names(), ["t-c", "t-d"]);
    let last = client.list_tables().limit(2).exclusive_start_table_name("t-d").send().await.unwrap();
    assert_eq!(last.table_names(), ["t-e"]);
    assert_eq!(last.last_evaluated_table_name(), None);
    // The SDK paginator walks every page.
    let all: Vec<String> =
        client.list_tables().limit(1).into_paginator().items().send().collect::<Result<Vec<_>, _>>().await.unwrap();
    assert_eq!(all, ["t-a", "t-b", "t-c", "t-d", "t-e"]);
    let (code, message) = error_of(client.list_tables().limit(101).send().await);
    assert_eq!(code, "ValidationException");
    assert!(message.contains("Member must have value less than or equal to 100"), "{message}");
}

#[tokio::test]
async fn duplicate_and_invalid_names() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "dup", "pk", None).await;
    let again = client
        .create_table()
        .table_name("dup")
        .key_schema(key("pk", KeyType::Hash))
        .attribute_definitions(def("pk", ScalarAttributeType::S))
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await;
    assert_eq!(error_of(again), ("ResourceInUseException".into(), "Table already exists: dup".into()));

    let bad = client
        .create_table()
        .table_name("a$")
        .key_schema(key("pk", KeyType::Hash))
        .attribute_definitions(def("pk", ScalarAttributeType::S))
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await;
    let (code, message) = error_of(bad);
    assert_eq!(code, "ValidationException");
    assert_eq!(
        message,
        "2 validation errors detected: Value 'a$' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'a$' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"
    );
}

#[tokio::test]
async fn schema_validation_messages() {
    let db = harness::start().await;
    let client = db.client();
    let base = || client.create_table().table_name("schema-check").billing_mode(BillingMode::PayPerRequest);
    let extra_definition = base()
        .key_schema(key("pk", KeyType::Hash))
        .attribute_definitions(def("pk", ScalarAttributeType::S))
        .attribute_definitions(def("unused", ScalarAttributeType::S))
        .send()
        .await;
    assert_eq!(
        error_of(extra_definition).1,
        "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"
    );
    let undefined_key = base()
        .key_schema(key("pk", KeyType::Hash))
        .attribute_definitions(def("other", ScalarAttributeType::S))
        .send()
        .await;
    assert_eq!(
        error_of(undefined_key).1,
        "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [pk], AttributeDefinitions: [other]"
    );
    let no_hash = base()
        .key_schema(key("pk", KeyType::Range))
        .attribute_definitions(def("pk", ScalarAttributeType::S))
        .send()
        .await;
    assert_eq!(error_of(no_hash).1, "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    let provisioned_without_throughput = client
        .create_table()
        .table_name("schema-check")
        .key_schema(key("pk", KeyType::Hash))
        .attribute_definitions(def("pk", ScalarAttributeType::S))
        .send()
        .await;
    assert_eq!(error_of(provisioned_without_throughput).1, "No provisioned throughput specified for the table");
    let lsi_on_hash_table = base()
        .key_schema(key("pk", KeyType::Hash))
        .attribute_definitions(def("pk", ScalarAttributeType::S))
        .attribute_definitions(def("l", ScalarAttributeType::S))
        .local_secondary_indexes(
            LocalSecondaryIndex::builder()
                .index_name("lix")
                .key_schema(key("pk", KeyType::Hash))
                .key_schema(key("l", KeyType::Range))
                .projection(Projection::builder().projection_type(ProjectionType::All).build())
                .build()
                .unwrap(),
        )
        .send()
        .await;
    assert_eq!(
        error_of(lsi_on_hash_table).1,
        "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"
    );
    // Nothing was created by any of the rejected requests.
    assert!(client.list_tables().send().await.unwrap().table_names().is_empty());
}

#[tokio::test]
async fn key_schema_and_attribute_definition_rules() {
    let db = harness::start().await;
    let client = db.client();
    let base = || client.create_table().table_name("schema-rules").billing_mode(BillingMode::PayPerRequest);
    let pk_sk = || {
        base()
            .attribute_definitions(def("pk", ScalarAttributeType::S))
            .attribute_definitions(def("sk", ScalarAttributeType::N))
    };
    let range_first = pk_sk().key_schema(key("sk", KeyType::Range)).key_schema(key("pk", KeyType::Hash)).send().await;
    assert_eq!(error_of(range_first).1, "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    let three_keys = pk_sk()
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .key_schema(key("x", KeyType::Range))
        .send()
        .await;
    assert_eq!(
        error_of(three_keys).1,
        "Key Schema too big.  Key Schema must at most consist of the hash and range key of a table"
    );
    let no_definitions = base().key_schema(key("pk", KeyType::Hash)).send().await;
    assert_eq!(
        error_of(no_definitions).1,
        "1 validation error detected: Value null at 'attributeDefinitions' failed to satisfy constraint: Member must not be null"
    );
    let duplicate = pk_sk()
        .attribute_definitions(def("pk", ScalarAttributeType::N))
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .send()
        .await;
    assert_eq!(error_of(duplicate).1, "Attribute Name is duplicated: pk");
    let names_message =
        "Names of key attributes and attributes projected into an index must be between 1 and 255 characters, inclusive";
    let empty_name =
        base().attribute_definitions(def("", ScalarAttributeType::S)).key_schema(key("", KeyType::Hash)).send().await;
    assert_eq!(error_of(empty_name).1, names_message);
    let long = "é".repeat(128); // 128 characters, 256 bytes
    let long_name = base()
        .attribute_definitions(def(&long, ScalarAttributeType::S))
        .key_schema(key(&long, KeyType::Hash))
        .send()
        .await;
    assert_eq!(error_of(long_name).1, names_message);
    let with_x =
        || pk_sk().attribute_definitions(def("x", ScalarAttributeType::S)).key_schema(key("pk", KeyType::Hash));
    let index_range_first = with_x()
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name("gsi1")
                .key_schema(key("sk", KeyType::Range))
                .key_schema(key("x", KeyType::Hash))
                .projection(Projection::builder().projection_type(ProjectionType::All).build())
                .build()
                .unwrap(),
        )
        .send()
        .await;
    assert_eq!(error_of(index_range_first).1, "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    let empty_projected = with_x()
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name("gsi1")
                .key_schema(key("x", KeyType::Hash))
                .key_schema(key("sk", KeyType::Range))
                .projection(
                    Projection::builder().projection_type(ProjectionType::Include).non_key_attributes("").build(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await;
    assert_eq!(error_of(empty_projected).1, names_message);
    let lsi = |i: usize| {
        LocalSecondaryIndex::builder()
            .index_name(format!("lsi{i}"))
            .key_schema(key("pk", KeyType::Hash))
            .key_schema(key("x", KeyType::Range))
            .projection(Projection::builder().projection_type(ProjectionType::KeysOnly).build())
            .build()
            .unwrap()
    };
    let six_lsis = pk_sk()
        .attribute_definitions(def("x", ScalarAttributeType::S))
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .set_local_secondary_indexes(Some((1..=6).map(lsi).collect()))
        .send()
        .await;
    assert_eq!(
        error_of(six_lsis).1,
        "One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of 5"
    );
    assert!(client.list_tables().send().await.unwrap().table_names().is_empty());

    // UpdateTable's Create action checks an index key schema the same way.
    sdk_tests::create_table(&client, "schema-rules", "pk", None).await;
    let create_gsi = |first: KeySchemaElement, second: KeySchemaElement| {
        client
            .update_table()
            .table_name("schema-rules")
            .attribute_definitions(def("pk", ScalarAttributeType::S))
            .attribute_definitions(def("x", ScalarAttributeType::S))
            .global_secondary_index_updates(
                aws_sdk_dynamodb::types::GlobalSecondaryIndexUpdate::builder()
                    .create(
                        aws_sdk_dynamodb::types::CreateGlobalSecondaryIndexAction::builder()
                            .index_name("gsi1")
                            .key_schema(first)
                            .key_schema(second)
                            .projection(Projection::builder().projection_type(ProjectionType::All).build())
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .send()
    };
    assert_eq!(
        error_of(create_gsi(key("x", KeyType::Range), key("pk", KeyType::Hash)).await).1,
        "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
    );
    let described = client.describe_table().table_name("schema-rules").send().await.unwrap();
    assert!(described.table().unwrap().global_secondary_indexes().is_empty());
}

#[tokio::test]
async fn provisioned_table_with_indexes_streams_and_tags() {
    let db = harness::start().await;
    let client = db.client();
    let throughput = ProvisionedThroughput::builder().read_capacity_units(5).write_capacity_units(3).build().unwrap();
    client
        .create_table()
        .table_name("posts")
        .key_schema(key("postId", KeyType::Hash))
        .key_schema(key("threadId", KeyType::Range))
        .attribute_definitions(def("postId", ScalarAttributeType::S))
        .attribute_definitions(def("threadId", ScalarAttributeType::S))
        .attribute_definitions(def("createdAt", ScalarAttributeType::S))
        .attribute_definitions(def("userId", ScalarAttributeType::S))
        .provisioned_throughput(throughput.clone())
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name("UserIndex")
                .key_schema(key("userId", KeyType::Hash))
                .key_schema(key("createdAt", KeyType::Range))
                .projection(
                    Projection::builder().projection_type(ProjectionType::Include).non_key_attributes("title").build(),
                )
                .provisioned_throughput(throughput.clone())
                .build()
                .unwrap(),
        )
        .local_secondary_indexes(
            LocalSecondaryIndex::builder()
                .index_name("ByCreated")
                .key_schema(key("postId", KeyType::Hash))
                .key_schema(key("createdAt", KeyType::Range))
                .projection(Projection::builder().projection_type(ProjectionType::KeysOnly).build())
                .build()
                .unwrap(),
        )
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::NewAndOldImages)
                .build()
                .unwrap(),
        )
        .tags(Tag::builder().key("team").value("forum").build().unwrap())
        .send()
        .await
        .unwrap();
    let table = client.describe_table().table_name("posts").send().await.unwrap().table.unwrap();
    assert_eq!(table.provisioned_throughput().unwrap().read_capacity_units(), Some(5));
    let gsi = &table.global_secondary_indexes()[0];
    assert_eq!(gsi.index_name(), Some("UserIndex"));
    assert_eq!(gsi.index_arn(), Some("arn:aws:dynamodb:us-east-1:000000000000:table/posts/index/UserIndex"));
    assert_eq!(gsi.projection().unwrap().non_key_attributes(), ["title"]);
    assert_eq!(gsi.index_status().map(|s| s.as_str()), Some("ACTIVE"));
    assert_eq!(table.local_secondary_indexes()[0].index_name(), Some("ByCreated"));
    assert_eq!(table.stream_specification().unwrap().stream_view_type(), Some(&StreamViewType::NewAndOldImages));
    assert!(table
        .latest_stream_arn()
        .unwrap()
        .starts_with("arn:aws:dynamodb:us-east-1:000000000000:table/posts/stream/"));
}
