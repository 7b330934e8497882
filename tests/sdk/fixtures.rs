//! Tables from CloudFormation / CreateTable JSON, seed data, dumps, and
//! snapshots for fast per-test reset.

use aws_sdk_dynamodb::types::{AttributeValue as Av, ProjectionType, StreamViewType};
use harness::{ItemFormat, TemplateOptions};
use sdk_tests::apps::ticket_office::{Sale, SaleRepository};
use serde_json::json;
use std::time::Instant;

/// The template from the ticket office's README (shared/seeds/000), verbatim.
const TICKET_OFFICE_TEMPLATE: &str = r#"
Resources:
  SalesTable:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: ticketoffice-sales
      AttributeDefinitions:
        - AttributeName: id
          AttributeType: S
        - AttributeName: eventId
          AttributeType: S
      KeySchema:
        - AttributeName: id
          KeyType: HASH
      BillingMode: PAY_PER_REQUEST
      GlobalSecondaryIndexes:
        - IndexName: eventId-index
          KeySchema:
            - AttributeName: eventId
              KeyType: HASH
          Projection:
            ProjectionType: ALL
"#;

/// The forum's tables (shared/seeds/004) as a parameterised template using
/// CloudFormation's short-form tags.
const FORUM_TEMPLATE: &str = r#"
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Environment:
    Type: String
    Default: dev
Resources:
  UsersTable:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "forum-microservices-users-${Environment}"
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - { AttributeName: userId, AttributeType: S }
        - { AttributeName: email, AttributeType: S }
      KeySchema:
        - { AttributeName: userId, KeyType: HASH }
      GlobalSecondaryIndexes:
        - IndexName: EmailIndex
          KeySchema: [{ AttributeName: email, KeyType: HASH }]
          Projection: { ProjectionType: ALL }
      StreamSpecification:
        StreamViewType: NEW_AND_OLD_IMAGES
      PointInTimeRecoverySpecification:
        PointInTimeRecoveryEnabled: true
      Tags:
        - Key: Environment
          Value: !Ref Environment
  PostsTable:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Join ["-", ["forum-microservices-posts", !Ref Environment]]
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - { AttributeName: postId, AttributeType: S }
        - { AttributeName: threadId, AttributeType: S }
        - { AttributeName: userId, AttributeType: S }
        - { AttributeName: createdAt, AttributeType: S }
      KeySchema:
        - { AttributeName: postId, KeyType: HASH }
      GlobalSecondaryIndexes:
        - IndexName: ThreadIndex
          KeySchema:
            - { AttributeName: threadId, KeyType: HASH }
            - { AttributeName: createdAt, KeyType: RANGE }
          Projection: { ProjectionType: ALL }
        - IndexName: UserIndex
          KeySchema:
            - { AttributeName: userId, KeyType: HASH }
            - { AttributeName: createdAt, KeyType: RANGE }
          Projection: { ProjectionType: KEYS_ONLY }
      TimeToLiveSpecification:
        AttributeName: expiresAt
        Enabled: true
  PostsTableArnOutput:
    Type: AWS::SSM::Parameter
    Properties:
      Value: !GetAtt PostsTable.Arn
"#;

#[tokio::test]
async fn the_ticket_office_template_creates_its_table_and_the_repository_works() {
    let db = harness::embedded();
    let options = TemplateOptions { prefix: "it-".into(), ..Default::default() };
    let names = db.create_tables_with(TICKET_OFFICE_TEMPLATE, &options).unwrap();
    assert_eq!(names, ["it-ticketoffice-sales"]);
    let table = db.client().describe_table().table_name("it-ticketoffice-sales").send().await.unwrap();
    let table = table.table().unwrap();
    let index = &table.global_secondary_indexes()[0];
    assert_eq!(index.index_name(), Some("eventId-index"));
    assert_eq!(index.projection().and_then(|p| p.projection_type()), Some(&ProjectionType::All));

    let repository = SaleRepository::new(db.client(), names[0].clone());
    let sale = Sale {
        id: "s1".into(),
        event_id: "e1".into(),
        ticket_id: "t1".into(),
        quantity: 2,
        price_cents: 1500,
        buyer: None,
    };
    repository.save(&sale).await.unwrap();
    assert_eq!(repository.get("s1").await.unwrap(), Some(sale));
}

#[tokio::test]
async fn a_template_with_tags_parameters_and_settings() {
    let db = harness::embedded();
    let options =
        TemplateOptions { parameters: [("Environment".to_string(), "test".to_string())].into(), ..Default::default() };
    let mut names = db.create_tables_with(FORUM_TEMPLATE, &options).unwrap();
    names.sort();
    assert_eq!(names, ["forum-microservices-posts-test", "forum-microservices-users-test"]);
    let client = db.client();
    let users = client.describe_table().table_name("forum-microservices-users-test").send().await.unwrap();
    let users = users.table().unwrap();
    assert_eq!(users.stream_specification().and_then(|s| s.stream_view_type()), Some(&StreamViewType::NewAndOldImages));
    let tags = client.list_tags_of_resource().resource_arn(users.table_arn().unwrap()).send().await.unwrap();
    assert_eq!(tags.tags()[0].value(), "test");
    let pitr = client.describe_continuous_backups().table_name("forum-microservices-users-test").send().await.unwrap();
    let pitr = pitr.continuous_backups_description().unwrap().point_in_time_recovery_description().unwrap();
    assert_eq!(pitr.point_in_time_recovery_status().map(|s| s.as_str()), Some("ENABLED"));
    let ttl = client.describe_time_to_live().table_name("forum-microservices-posts-test").send().await.unwrap();
    assert_eq!(ttl.time_to_live_description().and_then(|t| t.attribute_name()), Some("expiresAt"));
    let posts = client.describe_table().table_name("forum-microservices-posts-test").send().await.unwrap();
    assert_eq!(posts.table().unwrap().global_secondary_indexes().len(), 2);
}

#[tokio::test]
async fn template_errors_are_explained_and_create_nothing_invalid() {
    let db = harness::embedded();
    let missing = "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: !Ref Stage\n";
    assert_eq!(db.create_tables(missing).unwrap_err().0, "no value for Stage (pass it as a parameter)");
    let bad_key = r#"{"TableName": "t1", "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "other", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}"#;
    let error = db.create_tables(bad_key).unwrap_err().0;
    assert!(error.starts_with("CreateTable: ValidationException: "), "{error}");
    assert!(db.state().catalog.names().is_empty());
}

#[tokio::test]
async fn create_table_json_as_the_cli_takes_it() {
    let db = harness::embedded();
    let input = r#"{
        "TableName": "Users",
        "AttributeDefinitions": [{"AttributeName": "UserId", "AttributeType": "N"}],
        "KeySchema": [{"AttributeName": "UserId", "KeyType": "HASH"}],
        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    }"#;
    let options = TemplateOptions { prefix: "suite1_".into(), ..Default::default() };
    assert_eq!(db.create_tables_with(input, &options).unwrap(), ["suite1_Users"]);
    let table = db.client().describe_table().table_name("suite1_Users").send().await.unwrap();
    assert_eq!(table.table().unwrap().provisioned_throughput().and_then(|p| p.read_capacity_units()), Some(5));
}

/// The forum's `users/db.json`, as json-server keeps it.
const USERS_DB_JSON: &str = r#"{"users": [
    {"userId": "1", "name": "Alice", "email": "alice@example.com", "createdAt": "2024-01-01T00:00:00Z", "karma": 12.5, "roles": ["admin"]},
    {"userId": "2", "name": "Bob", "email": "bob@example.com", "createdAt": "2024-01-02T00:00:00Z", "karma": 3, "profile": {"bio": null}}
]}"#;

#[tokio::test]
async fn seed_from_db_json_and_dump_back() {
    let db = harness::embedded();
    db.create_tables(FORUM_TEMPLATE).unwrap();
    let table = "forum-microservices-users-dev";
    assert_eq!(db.seed(table, USERS_DB_JSON).unwrap(), 2);
    let alice = db.client().get_item().table_name(table).key("userId", Av::S("1".into())).send().await.unwrap();
    let alice = alice.item().unwrap();
    assert_eq!(alice["karma"], Av::N("12.5".into()));
    assert_eq!(alice["roles"], Av::L(vec![Av::S("admin".into())]));

    // Plain dump: the same items back (in key order).
    let mut dumped = db.dump(table, ItemFormat::Plain).unwrap();
    let original: serde_json::Value = serde_json::from_str(USERS_DB_JSON).unwrap();
    let mut expected = original["users"].clone();
    sort_by_id(&mut dumped);
    sort_by_id(&mut expected);
    assert_eq!(dumped, expected);

    // DynamoDB JSON round trip into another emulator.
    let wire = db.dump(table, ItemFormat::DynamoDb).unwrap();
    assert!(wire[0]["userId"]["S"].is_string());
    let other = harness::embedded();
    other.create_tables(FORUM_TEMPLATE).unwrap();
    assert_eq!(other.seed(table, &wire.to_string()).unwrap(), 2);
    assert_eq!(other.dump(table, ItemFormat::DynamoDb).unwrap(), wire);
}

fn sort_by_id(items: &mut serde_json::Value) {
    items.as_array_mut().unwrap().sort_by_key(|i| i["userId"].as_str().unwrap().to_string());
}

#[tokio::test]
async fn bad_seed_items_name_the_item_and_the_reason() {
    let db = harness::embedded();
    db.create_tables(FORUM_TEMPLATE).unwrap();
    let error = db.seed("forum-microservices-users-dev", r#"[{"userId": "1"}, {"name": "no key"}]"#).unwrap_err();
    assert_eq!(error.0, "item 1: PutItem: ValidationException: One or more parameter values were invalid: Missing the key userId in the item");
}

#[tokio::test]
async fn snapshot_restore_and_fork() {
    let db = harness::embedded();
    db.create_tables(TICKET_OFFICE_TEMPLATE).unwrap();
    let items: Vec<serde_json::Value> =
        (0..2000).map(|i| json!({"id": format!("s{i}"), "eventId": format!("e{}", i % 10), "quantity": i})).collect();
    let started = Instant::now();
    db.seed("ticketoffice-sales", &serde_json::Value::Array(items).to_string()).unwrap();
    let seeding = started.elapsed();
    let snapshot = db.snapshot();
    assert_eq!(snapshot.table_names(), ["ticketoffice-sales"]);

    // A test dirties the state; restore brings back exactly the snapshot.
    let client = db.client();
    client.delete_item().table_name("ticketoffice-sales").key("id", Av::S("s1".into())).send().await.unwrap();
    db.create_tables(
        r#"{"TableName": "scratch", "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}"#,
    )
    .unwrap();
    let started = Instant::now();
    db.restore(&snapshot);
    let restoring = started.elapsed();
    assert_eq!(client.list_tables().send().await.unwrap().table_names(), ["ticketoffice-sales"]);
    let s1 = client.get_item().table_name("ticketoffice-sales").key("id", Av::S("s1".into())).send().await.unwrap();
    assert!(s1.item().is_some());

    // Forks are independent of each other and of the original.
    let started = Instant::now();
    let fork = db.fork(&snapshot);
    let forking = started.elapsed();
    fork.client().delete_item().table_name("ticketoffice-sales").key("id", Av::S("s2".into())).send().await.unwrap();
    let count =
        |e: &harness::Embedded| e.state().catalog.get("ticketoffice-sales").unwrap().inner.read().data.item_count();
    assert_eq!((count(&db), count(&fork)), (2000, 1999));
    println!("2000 items: seeding {seeding:?}, restore {restoring:?}, fork {forking:?}");
}
