//! DynamoDB Streams through the real `aws-sdk-dynamodbstreams` client:
//! stream specifications on tables, ListStreams, DescribeStream,
//! GetShardIterator and GetRecords, records per view type, iterators and
//! their errors, shard rollover, retention, and the harness's consumers.

use crate::error_of;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue as Av, BillingMode, KeySchemaElement, KeyType, Put, ScalarAttributeType,
    StreamSpecification, StreamViewType, TransactWriteItem,
};
use aws_sdk_dynamodbstreams::types::{Record, ShardFilter, ShardFilterType, ShardIteratorType};
use aws_sdk_dynamodbstreams::Client as StreamsClient;
use harness::StartingPosition;
use sdk_tests::stream_records as read_all;
use std::time::Duration;

async fn table_with_stream(client: &aws_sdk_dynamodb::Client, name: &str, view: StreamViewType) -> String {
    let created = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder().attribute_name("pk").attribute_type(ScalarAttributeType::S).build().unwrap(),
        )
        .key_schema(KeySchemaElement::builder().attribute_name("pk").key_type(KeyType::Hash).build().unwrap())
        .stream_specification(
            StreamSpecification::builder().stream_enabled(true).stream_view_type(view.clone()).build().unwrap(),
        )
        .send()
        .await
        .expect("create table");
    let description = created.table_description().unwrap();
    assert_eq!(description.stream_specification().and_then(|s| s.stream_view_type()), Some(&view));
    description.latest_stream_arn().expect("a stream ARN").to_string()
}

/// UpdateTable turning `table`'s stream on with `view`, or off.
async fn set_stream(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    view: Option<StreamViewType>,
) -> Result<
    aws_sdk_dynamodb::operation::update_table::UpdateTableOutput,
    aws_sdk_dynamodb::error::SdkError<aws_sdk_dynamodb::operation::update_table::UpdateTableError>,
> {
    let spec =
        StreamSpecification::builder().stream_enabled(view.is_some()).set_stream_view_type(view).build().unwrap();
    client.update_table().table_name(table).stream_specification(spec).send().await
}

fn streams_client(db: &harness::Emulator) -> StreamsClient {
    StreamsClient::new(&db.sdk_config())
}

async fn put(client: &aws_sdk_dynamodb::Client, table: &str, pk: &str, v: &str) {
    client
        .put_item()
        .table_name(table)
        .item("pk", Av::S(pk.into()))
        .item("v", Av::S(v.into()))
        .send()
        .await
        .expect("put");
}

fn names(records: &[Record]) -> Vec<String> {
    records.iter().map(|r| r.event_name().unwrap().as_str().to_string()).collect()
}

#[tokio::test]
async fn writes_become_records_and_writes_that_change_nothing_do_not() {
    let db = harness::start().await;
    let (client, streams) = (db.client(), streams_client(&db));
    let arn = table_with_stream(&client, "Sales", StreamViewType::NewAndOldImages).await;
    put(&client, "Sales", "a", "1").await;
    put(&client, "Sales", "a", "1").await; // identical: no record
    put(&client, "Sales", "a", "2").await;
    client
        .update_item()
        .table_name("Sales")
        .key("pk", Av::S("a".into()))
        .update_expression("SET v = :v")
        .expression_attribute_values(":v", Av::S("2".into())) // unchanged: no record
        .send()
        .await
        .unwrap();
    let failed = client
        .put_item()
        .table_name("Sales")
        .item("pk", Av::S("a".into()))
        .condition_expression("attribute_not_exists(pk)")
        .send()
        .await;
    assert_eq!(error_of(failed).0, "ConditionalCheckFailedException");
    client.delete_item().table_name("Sales").key("pk", Av::S("a".into())).send().await.unwrap();
    client.delete_item().table_name("Sales").key("pk", Av::S("missing".into())).send().await.unwrap();

    let records = read_all(&streams, &arn).await;
    assert_eq!(names(&records), ["INSERT", "MODIFY", "REMOVE"]);
    let insert = records[0].dynamodb().unwrap();
    assert_eq!(insert.keys().unwrap()["pk"], aws_sdk_dynamodbstreams::types::AttributeValue::S("a".into()));
    assert!(insert.old_image().is_none());
    assert_eq!(insert.new_image().unwrap()["v"], aws_sdk_dynamodbstreams::types::AttributeValue::S("1".into()));
    // Keys (pk "a": 3 bytes) plus the new image (pk and v "1": 5 bytes).
    assert_eq!(insert.size_bytes(), Some(8));
    let modify = records[1].dynamodb().unwrap();
    assert_eq!(modify.old_image().unwrap()["v"], aws_sdk_dynamodbstreams::types::AttributeValue::S("1".into()));
    assert_eq!(modify.new_image().unwrap()["v"], aws_sdk_dynamodbstreams::types::AttributeValue::S("2".into()));
    let remove = records[2].dynamodb().unwrap();
    assert!(remove.new_image().is_none() && remove.old_image().is_some());
    let sequences: Vec<u128> =
        records.iter().map(|r| r.dynamodb().unwrap().sequence_number().unwrap().parse().unwrap()).collect();
    assert!(sequences.windows(2).all(|w| w[0] < w[1]), "{sequences:?}");
    for record in &records {
        assert_eq!(record.event_source(), Some("aws:dynamodb"));
        assert_eq!(record.aws_region(), Some("us-east-1"));
        assert_eq!(record.event_version(), Some("1.1"));
        assert!(record.user_identity().is_none());
    }
}

#[tokio::test]
async fn view_types_choose_the_images() {
    let db = harness::start().await;
    let (client, streams) = (db.client(), streams_client(&db));
    for (table, view, new, old) in [
        ("KeysOnly", StreamViewType::KeysOnly, false, false),
        ("NewImage", StreamViewType::NewImage, true, false),
        ("OldImage", StreamViewType::OldImage, false, true),
        ("Both", StreamViewType::NewAndOldImages, true, true),
    ] {
        let arn = table_with_stream(&client, table, view.clone()).await;
        put(&client, table, "k", "1").await;
        put(&client, table, "k", "2").await;
        let records = read_all(&streams, &arn).await;
        let modify = records[1].dynamodb().unwrap();
        assert_eq!(modify.stream_view_type().unwrap().as_str(), view.as_str());
        assert_eq!(modify.new_image().is_some(), new, "{table}");
        assert_eq!(modify.old_image().is_some(), old, "{table}");
        assert!(modify.keys().unwrap().contains_key("pk"));
    }
}

#[tokio::test]
async fn list_and_describe_streams() {
    let db = harness::start().await;
    let (client, streams) = (db.client(), streams_client(&db));
    let first = table_with_stream(&client, "First", StreamViewType::KeysOnly).await;
    let second = table_with_stream(&client, "Second", StreamViewType::NewImage).await;
    let all = streams.list_streams().send().await.unwrap();
    let arns: Vec<&str> = all.streams().iter().map(|s| s.stream_arn().unwrap()).collect();
    assert!(arns.contains(&first.as_str()) && arns.contains(&second.as_str()));
    let only = streams.list_streams().table_name("First").send().await.unwrap();
    assert_eq!(only.streams().len(), 1);
    assert_eq!(only.streams()[0].table_name(), Some("First"));
    let paged = streams.list_streams().limit(1).send().await.unwrap();
    assert_eq!(paged.streams().len(), 1);
    let rest = streams
        .list_streams()
        .exclusive_start_stream_arn(paged.last_evaluated_stream_arn().expect("more streams"))
        .send()
        .await
        .unwrap();
    assert_eq!(rest.streams().len(), 1);
    assert_ne!(rest.streams()[0].stream_arn(), paged.streams()[0].stream_arn());

    let described = streams.describe_stream().stream_arn(&first).send().await.unwrap();
    let description = described.stream_description().unwrap();
    assert_eq!(description.stream_status().unwrap().as_str(), "ENABLED");
    assert_eq!(description.table_name(), Some("First"));
    assert_eq!(description.key_schema()[0].attribute_name(), "pk");
    assert_eq!(description.shards().len(), 1);
    assert!(description.shards()[0].sequence_number_range().unwrap().ending_sequence_number().is_none());

    let missing = streams
        .describe_stream()
        .stream_arn("arn:aws:dynamodb:us-east-1:000000000000:table/Nope/stream/2020-01-01T00:00:00.000")
        .send()
        .await;
    let (code, message) = error_of(missing);
    assert_eq!(code, "ResourceNotFoundException");
    assert!(message.starts_with("Requested resource not found: Stream: arn:"), "{message}");
}

#[tokio::test]
async fn iterators_by_sequence_number_latest_and_their_errors() {
    let db = harness::start().await;
    let (client, streams) = (db.client(), streams_client(&db));
    let arn = table_with_stream(&client, "Events", StreamViewType::NewImage).await;
    for v in ["1", "2", "3"] {
        put(&client, "Events", v, v).await;
    }
    let described = streams.describe_stream().stream_arn(&arn).send().await.unwrap();
    let shard = described.stream_description().unwrap().shards()[0].shard_id().unwrap().to_string();
    let records = read_all(&streams, &arn).await;
    let second = records[1].dynamodb().unwrap().sequence_number().unwrap().to_string();
    let iterator = |kind: ShardIteratorType, sequence: Option<&str>| {
        streams
            .get_shard_iterator()
            .stream_arn(&arn)
            .shard_id(&shard)
            .shard_iterator_type(kind)
            .set_sequence_number(sequence.map(str::to_string))
            .send()
    };
    let at = iterator(ShardIteratorType::AtSequenceNumber, Some(&second)).await.unwrap();
    let got = streams.get_records().shard_iterator(at.shard_iterator().unwrap()).send().await.unwrap();
    assert_eq!(got.records().len(), 2);
    let after = iterator(ShardIteratorType::AfterSequenceNumber, Some(&second)).await.unwrap();
    let got = streams.get_records().shard_iterator(after.shard_iterator().unwrap()).send().await.unwrap();
    assert_eq!(got.records().len(), 1);
    // LATEST sees only what comes after it; the next iterator follows on.
    let latest = iterator(ShardIteratorType::Latest, None).await.unwrap();
    let got = streams.get_records().shard_iterator(latest.shard_iterator().unwrap()).send().await.unwrap();
    assert!(got.records().is_empty());
    put(&client, "Events", "4", "4").await;
    let got = streams.get_records().shard_iterator(got.next_shard_iterator().unwrap()).send().await.unwrap();
    assert_eq!(got.records().len(), 1);
    // Limit.
    let horizon = iterator(ShardIteratorType::TrimHorizon, None).await.unwrap();
    let got = streams.get_records().shard_iterator(horizon.shard_iterator().unwrap()).limit(2).send().await.unwrap();
    assert_eq!(got.records().len(), 2);

    let (code, message) = error_of(iterator(ShardIteratorType::AtSequenceNumber, None).await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("ValidationException", "One or more parameter values were invalid: Invalid SequenceNumber")
    );
    let bad = streams.get_records().shard_iterator("not an iterator").send().await;
    assert_eq!(error_of(bad), ("ValidationException".to_string(), "Invalid ShardIterator".to_string()));
    let no_shard = streams
        .get_shard_iterator()
        .stream_arn(&arn)
        .shard_id("shardId-00000000000000000000-00000000")
        .shard_iterator_type(ShardIteratorType::Latest)
        .send()
        .await;
    assert_eq!(
        error_of(no_shard),
        ("ResourceNotFoundException".to_string(), "Requested resource not found: Shard does not exist".to_string())
    );
    // An iterator is good for 15 minutes of the emulator's clock.
    db.clock().advance(Duration::from_secs(16 * 60));
    let expired = streams.get_records().shard_iterator(horizon.shard_iterator().unwrap()).send().await;
    assert_eq!(error_of(expired).0, "ExpiredIteratorException");
}

#[tokio::test]
async fn records_older_than_a_day_are_trimmed() {
    let db = harness::start().await;
    let (client, streams) = (db.client(), streams_client(&db));
    let arn = table_with_stream(&client, "Old", StreamViewType::KeysOnly).await;
    put(&client, "Old", "a", "1").await;
    let shard = streams.describe_stream().stream_arn(&arn).send().await.unwrap();
    let shard = shard.stream_description().unwrap().shards()[0].shard_id().unwrap().to_string();
    let records = read_all(&streams, &arn).await;
    let first = records[0].dynamodb().unwrap().sequence_number().unwrap().to_string();
    db.clock().advance(Duration::from_secs(25 * 3600));
    put(&client, "Old", "b", "1").await;
    let records = read_all(&streams, &arn).await;
    assert_eq!(records.len(), 1, "the day-old record is gone");
    let trimmed = streams
        .get_shard_iterator()
        .stream_arn(&arn)
        .shard_id(&shard)
        .shard_iterator_type(ShardIteratorType::AtSequenceNumber)
        .sequence_number(first)
        .send()
        .await;
    let (code, _) = error_of(trimmed);
    assert!(code == "TrimmedDataAccessException" || code == "ResourceNotFoundException", "{code}");
}

#[tokio::test]
async fn shards_roll_over_into_children() {
    let db = harness::start().await;
    db.state().streams.set_shard_period_millis(60_000);
    let (client, streams) = (db.client(), streams_client(&db));
    let arn = table_with_stream(&client, "Rolling", StreamViewType::KeysOnly).await;
    put(&client, "Rolling", "a", "1").await;
    db.clock().advance(Duration::from_secs(61));
    put(&client, "Rolling", "b", "1").await;
    let described = streams.describe_stream().stream_arn(&arn).send().await.unwrap();
    let shards = described.stream_description().unwrap().shards();
    assert_eq!(shards.len(), 2);
    let (parent, child) = (&shards[0], &shards[1]);
    assert_eq!(child.parent_shard_id(), parent.shard_id());
    assert!(parent.sequence_number_range().unwrap().ending_sequence_number().is_some());
    // A closed shard read to its end has no next iterator.
    let iterator = streams
        .get_shard_iterator()
        .stream_arn(&arn)
        .shard_id(parent.shard_id().unwrap())
        .shard_iterator_type(ShardIteratorType::TrimHorizon)
        .send()
        .await
        .unwrap();
    let got = streams.get_records().shard_iterator(iterator.shard_iterator().unwrap()).send().await.unwrap();
    assert_eq!(got.records().len(), 1);
    assert!(got.next_shard_iterator().is_none());
    let children = streams
        .describe_stream()
        .stream_arn(&arn)
        .shard_filter(
            ShardFilter::builder().r#type(ShardFilterType::ChildShards).shard_id(parent.shard_id().unwrap()).build(),
        )
        .send()
        .await
        .unwrap();
    let children = children.stream_description().unwrap().shards();
    assert_eq!(children.len(), 1);
    assert_eq!(children[0].shard_id(), child.shard_id());
}

#[tokio::test]
async fn disabling_and_enabling_again_makes_a_new_stream() {
    let db = harness::start().await;
    let (client, streams) = (db.client(), streams_client(&db));
    let first = table_with_stream(&client, "Toggle", StreamViewType::KeysOnly).await;
    put(&client, "Toggle", "a", "1").await;
    let again = set_stream(&client, "Toggle", Some(StreamViewType::NewImage)).await;
    // Real DynamoDB names the table (DynamoDB Local does not: see conformance/differences).
    assert_eq!(
        error_of(again),
        ("ValidationException".into(), "Table already has an enabled stream: TableName: Toggle".into())
    );
    let disabled = set_stream(&client, "Toggle", None).await.unwrap();
    let description = disabled.table_description().unwrap();
    assert!(description.stream_specification().is_none());
    assert_eq!(description.latest_stream_arn(), Some(first.as_str()));
    let old = streams.describe_stream().stream_arn(&first).send().await.unwrap();
    let old = old.stream_description().unwrap();
    assert_eq!(old.stream_status().unwrap().as_str(), "DISABLED");
    assert!(old.shards()[0].sequence_number_range().unwrap().ending_sequence_number().is_some());
    put(&client, "Toggle", "b", "1").await; // no stream: no record
    assert_eq!(read_all(&streams, &first).await.len(), 1, "the old stream stays readable");
    let twice = set_stream(&client, "Toggle", None).await;
    assert_eq!(
        error_of(twice),
        ("ValidationException".into(), "Table has no stream to disable: TableName: Toggle".into())
    );
    let enabled = set_stream(&client, "Toggle", Some(StreamViewType::NewImage)).await.unwrap();
    let second = enabled.table_description().unwrap().latest_stream_arn().unwrap().to_string();
    assert_ne!(second, first);
    put(&client, "Toggle", "c", "1").await;
    assert_eq!(names(&read_all(&streams, &second).await), ["INSERT"]);
    let listed = streams.list_streams().table_name("Toggle").send().await.unwrap();
    assert_eq!(listed.streams().len(), 2);
}

#[tokio::test]
async fn a_transaction_and_a_batch_publish_their_records_together() {
    let db = harness::start().await;
    let (client, streams) = (db.client(), streams_client(&db));
    let arn = table_with_stream(&client, "Orders", StreamViewType::NewImage).await;
    let put_item = |pk: &str| {
        TransactWriteItem::builder()
            .put(Put::builder().table_name("Orders").item("pk", Av::S(pk.into())).build().unwrap())
            .build()
    };
    client.transact_write_items().transact_items(put_item("t1")).transact_items(put_item("t2")).send().await.unwrap();
    let records = read_all(&streams, &arn).await;
    assert_eq!(names(&records), ["INSERT", "INSERT"]);
    assert_eq!(db.stream_records("Orders").len(), 2);
}

#[tokio::test]
async fn the_harness_consumer_delivers_batches_and_retries_a_failed_one() {
    let db = harness::start().await;
    let client = db.client();
    table_with_stream(&client, "Feed", StreamViewType::NewImage).await;
    let mut consumer = db.stream_consumer("Feed", StartingPosition::TrimHorizon, 2);
    for k in ["a", "b", "c"] {
        put(&client, "Feed", k, "1").await;
    }
    let mut batches = Vec::new();
    let mut failures = 1;
    let delivered = consumer
        .deliver(|batch| {
            let fail = failures > 0;
            failures -= 1;
            if !fail {
                batches.push(batch.len());
            }
            async move {
                if fail {
                    Err("handler failed once")
                } else {
                    Ok(())
                }
            }
        })
        .await
        .unwrap();
    assert_eq!(delivered, 3);
    assert_eq!(batches, [2, 1]);
    // Nothing new: nothing delivered; a new write is.
    assert_eq!(consumer.deliver(|_| async { Ok::<(), ()>(()) }).await.unwrap(), 0);
    put(&client, "Feed", "d", "1").await;
    assert_eq!(consumer.deliver(|_| async { Ok::<(), ()>(()) }).await.unwrap(), 1);
    let latest = db.stream_consumer("Feed", StartingPosition::Latest, 10);
    let mut latest = latest.retries(0);
    assert_eq!(latest.deliver(|_| async { Ok::<(), ()>(()) }).await.unwrap(), 0);
}
