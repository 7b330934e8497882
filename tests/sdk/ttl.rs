//! Time to Live: items whose TTL attribute has passed on the emulator's clock
//! are deleted (when the clock moves, on `expire_now`, or by the server's
//! sweeper), with REMOVE stream records authored by the service, indexes and
//! counts following.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue as Av, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    Projection, ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType, TimeToLiveSpecification,
};
use std::time::Duration;

async fn sessions_table(client: &aws_sdk_dynamodb::Client) {
    let attr = |name: &str| {
        AttributeDefinition::builder().attribute_name(name).attribute_type(ScalarAttributeType::S).build().unwrap()
    };
    client
        .create_table()
        .table_name("Sessions")
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attr("id"))
        .attribute_definitions(attr("user"))
        .key_schema(KeySchemaElement::builder().attribute_name("id").key_type(KeyType::Hash).build().unwrap())
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name("ByUser")
                .key_schema(KeySchemaElement::builder().attribute_name("user").key_type(KeyType::Hash).build().unwrap())
                .projection(Projection::builder().projection_type(ProjectionType::All).build())
                .build()
                .unwrap(),
        )
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::OldImage)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    client
        .update_time_to_live()
        .table_name("Sessions")
        .time_to_live_specification(
            TimeToLiveSpecification::builder().attribute_name("expiresAt").enabled(true).build().unwrap(),
        )
        .send()
        .await
        .unwrap();
}

async fn put_session(client: &aws_sdk_dynamodb::Client, id: &str, expires: Av) {
    client
        .put_item()
        .table_name("Sessions")
        .item("id", Av::S(id.into()))
        .item("user", Av::S("ann".into()))
        .item("expiresAt", expires)
        .send()
        .await
        .unwrap();
}

async fn ids(client: &aws_sdk_dynamodb::Client) -> Vec<String> {
    let scan = client.scan().table_name("Sessions").send().await.unwrap();
    let mut ids: Vec<String> = scan.items().iter().map(|i| i["id"].as_s().unwrap().clone()).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn items_expire_when_the_clock_passes_them_with_service_records() {
    let db = harness::start().await;
    let client = db.client();
    sessions_table(&client).await;
    let now = db.clock().now_millis() / 1000;
    put_session(&client, "soon", Av::N((now + 60).to_string())).await;
    put_session(&client, "later", Av::N((now + 3600).to_string())).await;
    put_session(&client, "text", Av::S((now - 60).to_string())).await;
    put_session(&client, "ancient", Av::N((now - 6 * 365 * 86_400).to_string())).await;
    put_session(&client, "set", Av::Ns(vec![(now - 60).to_string()])).await;
    // Not yet: an expired item stays readable until a sweep deletes it.
    assert_eq!(ids(&client).await, ["ancient", "later", "set", "soon", "text"]);

    db.clock().advance(Duration::from_secs(120));
    // Only a Number at most five years in the past expires.
    assert_eq!(ids(&client).await, ["ancient", "later", "set", "text"], "swept at the next call after the clock moved");
    let table = client.describe_table().table_name("Sessions").send().await.unwrap();
    let table = table.table().unwrap();
    assert_eq!(table.item_count(), Some(4));
    assert_eq!(table.global_secondary_indexes()[0].item_count(), Some(4));
    let by_user = client
        .query()
        .table_name("Sessions")
        .index_name("ByUser")
        .key_condition_expression("#u = :u")
        .expression_attribute_names("#u", "user")
        .expression_attribute_values(":u", Av::S("ann".into()))
        .send()
        .await
        .unwrap();
    assert_eq!(by_user.count(), 4);

    let records = db.stream_records("Sessions");
    let removal = records.last().unwrap();
    assert_eq!(removal["eventName"], "REMOVE");
    assert_eq!(removal["dynamodb"]["Keys"]["id"]["S"], "soon");
    assert_eq!(
        removal["userIdentity"],
        serde_json::json!({"type": "Service", "principalId": "dynamodb.amazonaws.com"})
    );
    assert!(records[..records.len() - 1].iter().all(|r| r.get("userIdentity").is_none()));

    // Through the Streams API, as the SDK reads it.
    let streams = aws_sdk_dynamodbstreams::Client::new(&db.sdk_config());
    let arn = table.latest_stream_arn().unwrap();
    let stream = streams.describe_stream().stream_arn(arn).send().await.unwrap();
    let shard = stream.stream_description().unwrap().shards()[0].shard_id().unwrap().to_string();
    let iterator = streams
        .get_shard_iterator()
        .stream_arn(arn)
        .shard_id(shard)
        .shard_iterator_type(aws_sdk_dynamodbstreams::types::ShardIteratorType::TrimHorizon)
        .send()
        .await
        .unwrap();
    let page = streams.get_records().shard_iterator(iterator.shard_iterator().unwrap()).send().await.unwrap();
    let identity = page.records().last().unwrap().user_identity().expect("a service identity");
    assert_eq!((identity.r#type(), identity.principal_id()), (Some("Service"), Some("dynamodb.amazonaws.com")));
}

#[tokio::test]
async fn expire_now_and_a_ttl_moved_into_the_future() {
    let db = harness::embedded();
    let client = db.client();
    sessions_table(&client).await;
    let now = db.clock().now_millis() / 1000;
    put_session(&client, "past", Av::N((now - 1).to_string())).await;
    put_session(&client, "renewed", Av::N((now - 1).to_string())).await;
    client
        .update_item()
        .table_name("Sessions")
        .key("id", Av::S("renewed".into()))
        .update_expression("SET expiresAt = :later")
        .expression_attribute_values(":later", Av::N((now + 3600).to_string()))
        .send()
        .await
        .unwrap();
    assert_eq!(db.expire_now(), 1);
    assert_eq!(ids(&client).await, ["renewed"]);
    assert_eq!(db.expire_now(), 0);
}

#[tokio::test]
async fn the_admin_api_sweeps_on_demand() {
    let db = harness::start().await;
    let client = db.client();
    sessions_table(&client).await;
    let now = db.clock().now_millis() / 1000;
    put_session(&client, "gone", Av::N((now - 5).to_string())).await;
    let answer =
        sdk_tests::raw_request_to(db.address(), "POST", "/_emulator/ttl/sweep", sdk_tests::ADMIN_HEADERS, b"").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["deleted"], 1);
    assert!(ids(&client).await.is_empty());
}

#[tokio::test]
async fn one_change_an_hour_and_enabling_takes_the_status_delay() {
    use aws_sdk_dynamodb::types::TimeToLiveStatus;
    let db = harness::start().await;
    let client = db.client();
    db.set_status_delay(Duration::from_secs(30));
    sessions_table(&client).await; // enables TTL on `expiresAt`
    db.clock().advance(Duration::from_secs(1)); // the table is still CREATING: no matter for TTL settings
    let status = |client: aws_sdk_dynamodb::Client| async move {
        let described = client.describe_time_to_live().table_name("Sessions").send().await.unwrap();
        described.time_to_live_description().unwrap().time_to_live_status().cloned()
    };
    assert_eq!(status(client.clone()).await, Some(TimeToLiveStatus::Enabling));
    db.clock().advance(Duration::from_secs(30));
    put_session(&client, "old", Av::N("1700000000".into())).await;
    assert_eq!(status(client.clone()).await, Some(TimeToLiveStatus::Enabled));
    assert_eq!(db.expire_now(), 1, "expires once ENABLED");

    let off = TimeToLiveSpecification::builder().attribute_name("expiresAt").enabled(false).build().unwrap();
    let again =
        client.update_time_to_live().table_name("Sessions").time_to_live_specification(off.clone()).send().await;
    // Documented: another change within the hour is a ValidationException.
    assert_eq!(
        crate::error_of(again),
        (
            "ValidationException".to_string(),
            "Time to live has been modified multiple times within a fixed interval".to_string()
        )
    );
    db.clock().advance(Duration::from_secs(3600));
    client.update_time_to_live().table_name("Sessions").time_to_live_specification(off).send().await.unwrap();
    assert_eq!(status(client.clone()).await, Some(TimeToLiveStatus::Disabling));
    db.clock().advance(Duration::from_secs(31));
    assert_eq!(status(client).await, Some(TimeToLiveStatus::Disabled));
}
