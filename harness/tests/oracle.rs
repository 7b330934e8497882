//! The oracle installs itself, starts once per process and answers.

#[tokio::test]
async fn dynamodb_local_answers_and_is_shared() {
    let Some(first) = harness::dynamodb_local().await else { return };
    let second = harness::dynamodb_local().await.expect("a started oracle stays available");
    assert_eq!(first.endpoint(), second.endpoint(), "one DynamoDB Local per process");
    let tables = first.client().list_tables().send().await.expect("DynamoDB Local answers ListTables");
    assert!(tables.table_names().iter().all(|t| !t.is_empty()));
    assert!(harness::dynamodb_local_dir().join("DynamoDBLocal.jar").is_file());
}
