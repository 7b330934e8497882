//! Resource-based policies, Kinesis streaming destinations and contributor
//! insights through the SDK: the state machines infrastructure code drives.
//! Expected messages are DynamoDB's as LocalStack's AWS-verified tests
//! record them (test_dynamodb_resource_policy.py).

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{
    ApproximateCreationDateTimePrecision, ContributorInsightsAction, ContributorInsightsStatus, DestinationStatus,
    EnableKinesisStreamingConfiguration, UpdateKinesisStreamingConfiguration,
};
use std::time::Duration;

const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"000000000000"},"Action":["dynamodb:GetItem"],"Resource":"*"}]}"#;
const STREAM: &str = "arn:aws:kinesis:us-east-1:000000000000:stream/orders";

async fn table(db: &harness::Embedded, name: &str) -> String {
    db.create_tables(&format!(
        r#"{{"TableName": "{name}", "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{{"AttributeName": "pk", "KeyType": "HASH"}}, {{"AttributeName": "sk", "KeyType": "RANGE"}}],
            "AttributeDefinitions": [{{"AttributeName": "pk", "AttributeType": "S"}}, {{"AttributeName": "sk", "AttributeType": "S"}}, {{"AttributeName": "g", "AttributeType": "S"}}],
            "GlobalSecondaryIndexes": [{{"IndexName": "byG", "KeySchema": [{{"AttributeName": "g", "KeyType": "HASH"}}], "Projection": {{"ProjectionType": "ALL"}}}}],
            "StreamSpecification": {{"StreamEnabled": true, "StreamViewType": "NEW_IMAGE"}}}}"#
    ))
    .expect("create table");
    let described = db.client().describe_table().table_name(name).send().await.expect("describe");
    described.table().and_then(|t| t.table_arn()).expect("arn").to_string()
}

#[tokio::test]
async fn resource_policies_keep_revisions_as_dynamodb_does() {
    let db = harness::embedded();
    let client = db.client();
    let arn = table(&db, "Orders").await;

    let missing = client.get_resource_policy().resource_arn(&arn).send().await.unwrap_err();
    assert_eq!(missing.code(), Some("PolicyNotFoundException"));
    assert_eq!(
        missing.message(),
        Some(format!("Resource-based policy not found for the provided ResourceArn: {arn}").as_str())
    );

    let first =
        client.put_resource_policy().resource_arn(&arn).policy(POLICY).expected_revision_id("NO_POLICY").send().await;
    let first = first.expect("put").revision_id().expect("revision").to_string();
    // The same document again is no change: the same revision.
    let again = client.put_resource_policy().resource_arn(&arn).policy(POLICY).send().await.expect("put again");
    assert_eq!(again.revision_id(), Some(first.as_str()));
    let got = client.get_resource_policy().resource_arn(&arn).send().await.expect("get");
    assert_eq!((got.policy(), got.revision_id()), (Some(POLICY), Some(first.as_str())));

    let expecting_none =
        client.put_resource_policy().resource_arn(&arn).policy(POLICY).expected_revision_id("NO_POLICY").send().await;
    let expecting_none = expecting_none.unwrap_err();
    assert_eq!(
        expecting_none.message(),
        Some(format!("Resource-based policy not found for the provided ResourceArn: Requested policy update expecting none to be present for table Orders, but a policy exists with revision id {first}.").as_str())
    );

    db.clock().advance(Duration::from_secs(1));
    let changed = POLICY.replace("GetItem", "PutItem");
    let second =
        client.put_resource_policy().resource_arn(&arn).policy(&changed).expected_revision_id(&first).send().await;
    let second = second.expect("conditional put").revision_id().expect("revision").to_string();
    assert!(second > first, "revisions are comparable timestamps: {first} then {second}");
    let stale =
        client.delete_resource_policy().resource_arn(&arn).expected_revision_id(&first).send().await.unwrap_err();
    assert_eq!(
        stale.message(),
        Some(format!("Resource-based policy not found for the provided ResourceArn: Requested update for policy with revision id {first}, but the policy associated to target table Orders has revision id {second}.").as_str())
    );

    // The table's stream has a policy of its own.
    let stream_arn = client.describe_table().table_name("Orders").send().await.expect("describe");
    let stream_arn = stream_arn.table().and_then(|t| t.latest_stream_arn()).expect("stream arn").to_string();
    client.put_resource_policy().resource_arn(&stream_arn).policy(POLICY).send().await.expect("stream policy");
    let table_policy = client.get_resource_policy().resource_arn(&arn).send().await.expect("get table policy");
    assert_eq!(table_policy.policy(), Some(changed.as_str()));

    let deleted = client.delete_resource_policy().resource_arn(&arn).expected_revision_id(&second).send().await;
    assert_eq!(deleted.expect("delete").revision_id(), Some(second.as_str()));
    let gone = client.get_resource_policy().resource_arn(&arn).send().await.unwrap_err();
    assert_eq!(gone.code(), Some("PolicyNotFoundException"));

    let unknown = client.put_resource_policy().resource_arn(format!("{arn}_")).policy(POLICY).send().await.unwrap_err();
    assert_eq!(unknown.code(), Some("ResourceNotFoundException"));
    assert_eq!(unknown.message(), Some("Requested resource not found: Table: Orders_ not found"));
    // DynamoDB's words for a document that is not JSON and one too large
    // (ack-api-quirks DDB-TABLE-442's message catalogue).
    let not_json = client.put_resource_policy().resource_arn(&arn).policy("not json").send().await.unwrap_err();
    assert_eq!(
        (not_json.code(), not_json.message()),
        (
            Some("ValidationException"),
            Some(
                "One or more parameter values were invalid: Invalid policy document: This policy contains invalid Json"
            )
        )
    );
    let large = format!(r#"{{"Version":"2012-10-17","Sid":"{}"}}"#, "x".repeat(20 * 1024));
    let too_large = client.put_resource_policy().resource_arn(&arn).policy(large).send().await.unwrap_err();
    assert_eq!(
        too_large.message(),
        Some("One or more parameter values were invalid: Maximum policy size of 20480 bytes exceeded")
    );
}

#[tokio::test]
async fn kinesis_destinations_move_through_their_states_on_the_clock() {
    let db = harness::embedded();
    let client = db.client();
    table(&db, "Orders").await;
    db.set_status_delay(Duration::from_secs(5));

    let none = client.describe_kinesis_streaming_destination().table_name("Orders").send().await.expect("describe");
    assert!(none.kinesis_data_stream_destinations().is_empty());

    let enabled = client
        .enable_kinesis_streaming_destination()
        .table_name("Orders")
        .stream_arn(STREAM)
        .enable_kinesis_streaming_configuration(
            EnableKinesisStreamingConfiguration::builder()
                .approximate_creation_date_time_precision(ApproximateCreationDateTimePrecision::Microsecond)
                .build(),
        )
        .send()
        .await
        .expect("enable");
    assert_eq!(enabled.destination_status(), Some(&DestinationStatus::Enabling));

    // While ENABLING nothing else is allowed.
    let disable_early =
        client.disable_kinesis_streaming_destination().table_name("Orders").stream_arn(STREAM).send().await;
    assert_eq!(
        disable_early.unwrap_err().message(),
        Some("Table is not in a valid state to enable Kinesis Streaming Destination: KinesisStreamingDestination must be ACTIVE to perform DISABLE operation.")
    );
    db.clock().advance(Duration::from_secs(6));
    let described =
        client.describe_kinesis_streaming_destination().table_name("Orders").send().await.expect("describe");
    let destination = &described.kinesis_data_stream_destinations()[0];
    assert_eq!(destination.destination_status(), Some(&DestinationStatus::Active));
    assert_eq!(
        destination.approximate_creation_date_time_precision(),
        Some(&ApproximateCreationDateTimePrecision::Microsecond)
    );

    // One live destination per table.
    let second = client
        .enable_kinesis_streaming_destination()
        .table_name("Orders")
        .stream_arn("arn:aws:kinesis:us-east-1:000000000000:stream/other")
        .send()
        .await
        .unwrap_err();
    assert_eq!(second.code(), Some("ValidationException"));

    let updated = client
        .update_kinesis_streaming_destination()
        .table_name("Orders")
        .stream_arn(STREAM)
        .update_kinesis_streaming_configuration(
            UpdateKinesisStreamingConfiguration::builder()
                .approximate_creation_date_time_precision(ApproximateCreationDateTimePrecision::Millisecond)
                .build(),
        )
        .send()
        .await
        .expect("update");
    assert_eq!(updated.destination_status(), Some(&DestinationStatus::Updating));
    db.clock().advance(Duration::from_secs(6));

    let disabled = client.disable_kinesis_streaming_destination().table_name("Orders").stream_arn(STREAM).send().await;
    assert_eq!(disabled.expect("disable").destination_status(), Some(&DestinationStatus::Disabling));
    db.clock().advance(Duration::from_secs(6));
    let described =
        client.describe_kinesis_streaming_destination().table_name("Orders").send().await.expect("describe");
    assert_eq!(
        described.kinesis_data_stream_destinations()[0].destination_status(),
        Some(&DestinationStatus::Disabled)
    );

    let missing = client.describe_kinesis_streaming_destination().table_name("Nope").send().await.unwrap_err();
    assert_eq!(missing.message(), Some("Requested resource not found: Table: Nope not found"));
}

#[tokio::test]
async fn contributor_insights_are_kept_per_table_and_index() {
    let db = harness::embedded();
    let client = db.client();
    table(&db, "Orders").await;
    table(&db, "Users").await;

    let fresh = client.describe_contributor_insights().table_name("Orders").send().await.expect("describe");
    assert_eq!(fresh.contributor_insights_status(), Some(&ContributorInsightsStatus::Disabled));
    assert!(fresh.contributor_insights_rule_list().is_empty());

    db.set_status_delay(Duration::from_secs(2));
    let enabling = client
        .update_contributor_insights()
        .table_name("Orders")
        .contributor_insights_action(ContributorInsightsAction::Enable)
        .send()
        .await
        .expect("enable");
    assert_eq!(enabling.contributor_insights_status(), Some(&ContributorInsightsStatus::Enabling));
    client
        .update_contributor_insights()
        .table_name("Orders")
        .index_name("byG")
        .contributor_insights_action(ContributorInsightsAction::Enable)
        .send()
        .await
        .expect("enable on the index");
    db.clock().advance(Duration::from_secs(3));

    let table_insights = client.describe_contributor_insights().table_name("Orders").send().await.expect("describe");
    assert_eq!(table_insights.contributor_insights_status(), Some(&ContributorInsightsStatus::Enabled));
    // Partition and sort key rules, accessed and throttled.
    assert_eq!(table_insights.contributor_insights_rule_list().len(), 4);
    let index_insights =
        client.describe_contributor_insights().table_name("Orders").index_name("byG").send().await.expect("index");
    assert_eq!(index_insights.contributor_insights_rule_list().len(), 2);

    let unknown_index = client
        .update_contributor_insights()
        .table_name("Orders")
        .index_name("nope")
        .contributor_insights_action(ContributorInsightsAction::Enable)
        .send()
        .await
        .unwrap_err();
    assert_eq!(unknown_index.code(), Some("ResourceNotFoundException"));

    let listed = client.list_contributor_insights().send().await.expect("list");
    let names: Vec<(Option<&str>, Option<&str>)> =
        listed.contributor_insights_summaries().iter().map(|s| (s.table_name(), s.index_name())).collect();
    assert_eq!(names, [(Some("Orders"), None), (Some("Orders"), Some("byG"))]);
    let first_page = client.list_contributor_insights().max_results(1).send().await.expect("page");
    assert_eq!(first_page.contributor_insights_summaries().len(), 1);
    let rest =
        client.list_contributor_insights().set_next_token(first_page.next_token().map(str::to_string)).send().await;
    assert_eq!(rest.expect("next page").contributor_insights_summaries()[0].index_name(), Some("byG"));

    client
        .update_contributor_insights()
        .table_name("Orders")
        .contributor_insights_action(ContributorInsightsAction::Disable)
        .send()
        .await
        .expect("disable");
    db.clock().advance(Duration::from_secs(3));
    let disabled = client.describe_contributor_insights().table_name("Orders").send().await.expect("describe");
    assert_eq!(disabled.contributor_insights_status(), Some(&ContributorInsightsStatus::Disabled));
}

/// Contributor insights are kept for a table and its global indexes only: a
/// local index's name is not found, in DynamoDB's words (ack-api-quirks
/// DDB-TABLE-094, recorded against DynamoDB).
#[tokio::test]
async fn contributor_insights_know_no_local_index() {
    let db = harness::embedded();
    let client = db.client();
    db.create_tables(
        r#"{"TableName": "Threads", "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}, {"AttributeName": "at", "AttributeType": "S"}],
            "LocalSecondaryIndexes": [{"IndexName": "byAt", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "at", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}]}"#,
    )
    .expect("create");
    let described = client.describe_contributor_insights().table_name("Threads").index_name("byAt").send().await;
    let update = client
        .update_contributor_insights()
        .table_name("Threads")
        .index_name("byAt")
        .contributor_insights_action(ContributorInsightsAction::Enable)
        .send()
        .await;
    let expected = "Requested resource not found: Index: byAt not found for table: Threads";
    for error in [
        described.unwrap_err().into_service_error().meta().clone(),
        update.unwrap_err().into_service_error().meta().clone(),
    ] {
        assert_eq!((error.code(), error.message()), (Some("ResourceNotFoundException"), Some(expected)));
    }
}
