//! Customer scenario: the ticket office (shared/seeds/000) publishes its sales
//! to a read model of per-event totals through a stream handler (a Lambda
//! trigger on `ticketoffice-sales`). The seed's CloudFormation template
//! declares no stream, so the setup enables one (`NEW_IMAGE`) with
//! UpdateTable, as the team would when adding the trigger.

use aws_sdk_dynamodb::types::{StreamSpecification, StreamViewType};
use harness::{ErrorKind, FaultRule, StartingPosition};
use sdk_tests::apps::ticket_office::{Sale, SaleRepository};
use sdk_tests::apps::ticket_office_projection::{EventTotals, ProjectionError, SaleChange, SalesProjection};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::time::Duration;

struct Office {
    db: harness::Emulator,
    sales_table: String,
    stream_arn: String,
    sales: SaleRepository,
    read_model_table: String,
    projection: SalesProjection,
}

async fn office() -> Office {
    let db = harness::start().await;
    let client = db.client();
    let sales_table = SaleRepository::create_table(&client, "").await;
    let updated = client
        .update_table()
        .table_name(&sales_table)
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::NewImage)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("enable the sales stream");
    let stream_arn = updated.table_description().unwrap().latest_stream_arn().expect("a stream ARN").to_string();
    let described = client.describe_table().table_name(&sales_table).send().await.unwrap();
    let table = described.table().unwrap();
    assert_eq!(table.latest_stream_arn(), Some(stream_arn.as_str()));
    let spec = table.stream_specification().expect("the stream's specification");
    assert_eq!((spec.stream_enabled(), spec.stream_view_type()), (true, Some(&StreamViewType::NewImage)));

    let read_model_table = SalesProjection::create_table(&client, "").await;
    Office {
        sales: SaleRepository::new(client.clone(), sales_table.clone()),
        projection: SalesProjection::new(client, read_model_table.clone()),
        db,
        sales_table,
        stream_arn,
        read_model_table,
    }
}

fn sale(id: &str, event: &str, quantity: u32, price_cents: i64) -> Sale {
    Sale {
        id: id.into(),
        event_id: event.into(),
        ticket_id: "floor".into(),
        quantity,
        price_cents,
        buyer: Some("Ada".into()),
    }
}

/// The totals the read model should hold, from the sales table itself
/// (`findByEventId` on `eventId-index`); events without sales are left out.
async fn totals_from_sales(sales: &SaleRepository, events: &[&str]) -> BTreeMap<String, EventTotals> {
    let mut all = BTreeMap::new();
    for event in events {
        let list = sales.find_by_event_id(event).await.unwrap();
        if list.is_empty() {
            continue;
        }
        let totals = EventTotals {
            tickets_sold: list.iter().map(|s| i64::from(s.quantity)).sum(),
            revenue_cents: list.iter().map(|s| i64::from(s.quantity) * s.price_cents).sum(),
            sales: list.len() as i64,
        };
        all.insert(event.to_string(), totals);
    }
    all
}

/// The read model without the lines of events whose sales were all cancelled.
async fn live_totals(projection: &SalesProjection) -> BTreeMap<String, EventTotals> {
    let mut all = projection.all_totals().await.unwrap();
    all.retain(|_, totals| *totals != EventTotals::default());
    all
}

const EVENTS: [&str; 4] = ["concert-1", "concert-2", "theatre-7", "opera-9"];

#[tokio::test]
async fn sales_updates_and_cancellations_reach_the_per_event_totals() {
    if harness::skip_on_remote("the emulator's stream consumer") {
        return;
    }
    let office = office().await;
    let mut trigger = office.db.stream_consumer(&office.sales_table, StartingPosition::TrimHorizon, 4);
    let projection = &office.projection;

    for (id, event, quantity, price) in [
        ("s-1", "concert-1", 2, 5_000),
        ("s-2", "concert-1", 2, 5_000),
        ("s-3", "concert-1", 1, 7_500),
        ("s-4", "concert-2", 4, 3_000),
        ("s-5", "concert-2", 1, 3_000),
        ("s-6", "theatre-7", 3, 2_000),
        ("s-7", "theatre-7", 1, 2_000),
    ] {
        office.sales.save(&sale(id, event, quantity, price)).await.unwrap();
    }
    let delivered = trigger.deliver(|batch| projection.handle(batch)).await.unwrap();
    assert_eq!(delivered, 7, "one INSERT per sale");
    let totals = projection.all_totals().await.unwrap();
    assert_eq!(totals, totals_from_sales(&office.sales, &EVENTS).await);
    assert_eq!(totals["concert-1"], EventTotals { tickets_sold: 5, revenue_cents: 27_500, sales: 3 });
    assert_eq!(totals["concert-2"], EventTotals { tickets_sold: 5, revenue_cents: 15_000, sales: 2 });
    assert_eq!(totals["theatre-7"], EventTotals { tickets_sold: 4, revenue_cents: 8_000, sales: 2 });
    assert_eq!(projection.totals("opera-9").await.unwrap(), EventTotals::default());

    // Updates (MODIFY) and cancellations (REMOVE).
    office.sales.save(&sale("s-2", "concert-1", 5, 5_000)).await.unwrap(); // more tickets
    office.sales.save(&sale("s-3", "concert-2", 1, 7_500)).await.unwrap(); // moved to another event
    office.sales.save(&Sale { buyer: Some("Grace".into()), ..sale("s-5", "concert-2", 1, 3_000) }).await.unwrap();
    office.sales.save(&sale("s-1", "concert-1", 2, 5_000)).await.unwrap(); // unchanged: no record
    assert!(office.sales.delete("s-4").await.unwrap().is_some()); // cancelled
    office.sales.save(&sale("s-8", "opera-9", 2, 9_000)).await.unwrap(); // sold...
    office.sales.delete("s-8").await.unwrap(); // ...and cancelled in the same batch
    office.sales.save(&sale("s-9", "opera-9", 1, 9_000)).await.unwrap();
    office.sales.delete("s-6").await.unwrap(); // theatre-7 cancels everything
    office.sales.delete("s-7").await.unwrap();
    office.sales.delete("s-404").await.unwrap(); // nothing to cancel: no record

    let delivered = trigger.deliver(|batch| projection.handle(batch)).await.unwrap();
    assert_eq!(delivered, 9, "3 MODIFY, 2 INSERT and 4 REMOVE records");
    let names: Vec<String> = office.db.stream_records(&office.sales_table)[7..]
        .iter()
        .map(|r| r["eventName"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["MODIFY", "MODIFY", "MODIFY", "REMOVE", "INSERT", "REMOVE", "INSERT", "REMOVE", "REMOVE"]);

    let expected = totals_from_sales(&office.sales, &EVENTS).await;
    assert_eq!(live_totals(projection).await, expected);
    assert_eq!(expected["concert-1"], EventTotals { tickets_sold: 7, revenue_cents: 35_000, sales: 2 });
    assert_eq!(expected["concert-2"], EventTotals { tickets_sold: 2, revenue_cents: 10_500, sales: 2 });
    assert_eq!(expected["opera-9"], EventTotals { tickets_sold: 1, revenue_cents: 9_000, sales: 1 });
    assert!(!expected.contains_key("theatre-7"));
    assert_eq!(projection.totals("theatre-7").await.unwrap(), EventTotals::default(), "every sale cancelled");

    // Nothing new: nothing delivered, nothing changed.
    assert_eq!(trigger.deliver(|batch| projection.handle(batch)).await.unwrap(), 0);
    assert_eq!(live_totals(projection).await, expected);
}

#[tokio::test]
async fn a_batch_failing_midway_is_delivered_again_and_counts_nothing_twice() {
    if harness::skip_on_remote("the emulator's stream consumer") {
        return;
    }
    let office = office().await;
    let mut trigger = office.db.stream_consumer(&office.sales_table, StartingPosition::TrimHorizon, 6);
    let projection = &office.projection;
    for i in 1..=6 {
        office
            .sales
            .save(&sale(&format!("s-{i}"), if i % 2 == 0 { "concert-1" } else { "concert-2" }, i, 1_000))
            .await
            .unwrap();
    }

    // The first invocation projects half the batch, then times out; the
    // whole batch comes again.
    let attempts = Cell::new(0);
    let sizes = RefCell::new(Vec::new());
    let delivered = trigger
        .deliver(|batch| {
            attempts.set(attempts.get() + 1);
            sizes.borrow_mut().push(batch.len());
            let first = attempts.get() == 1;
            async move {
                if first {
                    for record in &batch[..3] {
                        projection.apply(&SaleChange::from_lambda_record(record)?).await?;
                    }
                    return Err(ProjectionError::Malformed("Task timed out after 3.00 seconds".into()));
                }
                projection.handle(batch).await
            }
        })
        .await
        .unwrap();
    assert_eq!((delivered, attempts.get()), (6, 2));
    assert_eq!(*sizes.borrow(), [6, 6], "the same batch, whole, twice");
    let expected = totals_from_sales(&office.sales, &EVENTS).await;
    assert_eq!(expected["concert-1"], EventTotals { tickets_sold: 12, revenue_cents: 12_000, sales: 3 });
    assert_eq!(projection.all_totals().await.unwrap(), expected, "the first three sales counted once");

    // A write of the read model fails once (a transaction conflict the SDK
    // does not retry): the handler fails, the batch is retried and applied.
    office.sales.save(&sale("s-1", "concert-1", 9, 1_000)).await.unwrap(); // moves to concert-1
    office.sales.delete("s-2").await.unwrap();
    office.sales.save(&sale("s-7", "concert-2", 1, 1_000)).await.unwrap();
    let rule = office.db.faults().add(
        FaultRule::error(ErrorKind::TransactionConflict)
            .operation("TransactWriteItems")
            .table(&office.read_model_table)
            .next(1),
    );
    let errors = RefCell::new(Vec::new());
    let delivered = trigger
        .deliver(|batch| async {
            let result = projection.handle(batch).await;
            if let Err(e) = &result {
                errors.borrow_mut().push(e.to_string());
            }
            result
        })
        .await
        .unwrap();
    assert_eq!(delivered, 3);
    assert_eq!(office.db.faults().injected_by(rule), Some(1));
    let errors = errors.into_inner();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("TransactionCanceledException"), "{errors:?}");
    let expected = totals_from_sales(&office.sales, &EVENTS).await;
    assert_eq!(expected["concert-1"], EventTotals { tickets_sold: 19, revenue_cents: 19_000, sales: 3 });
    assert_eq!(expected["concert-2"], EventTotals { tickets_sold: 9, revenue_cents: 9_000, sales: 3 });
    assert_eq!(projection.all_totals().await.unwrap(), expected);
}

#[tokio::test]
async fn an_outage_longer_than_the_retries_leaves_the_batch_for_the_next_delivery() {
    if harness::skip_on_remote("the emulator's stream consumer") {
        return;
    }
    let office = office().await;
    let mut trigger = office.db.stream_consumer(&office.sales_table, StartingPosition::TrimHorizon, 2);
    let projection = &office.projection;
    for i in 1..=5 {
        office.sales.save(&sale(&format!("s-{i}"), "concert-1", 1, 2_500)).await.unwrap();
    }
    let outage = office.db.faults().add(
        FaultRule::error(ErrorKind::TransactionConflict)
            .operation("TransactWriteItems")
            .table(&office.read_model_table),
    );
    let failed = trigger.deliver(|batch| projection.handle(batch)).await.expect_err("the read model is down");
    assert!(matches!(failed.error, ProjectionError::Dynamo(_)), "{:?}", failed.error);
    let ids: Vec<&str> = failed.batch.iter().map(|r| r["dynamodb"]["Keys"]["id"]["S"].as_str().unwrap()).collect();
    assert_eq!(ids, ["s-1", "s-2"], "the first batch, which kept failing");
    assert_eq!(office.db.faults().injected_by(outage), Some(3), "delivered once and retried twice");
    assert!(projection.all_totals().await.unwrap().is_empty());

    office.db.faults().clear();
    assert_eq!(trigger.deliver(|batch| projection.handle(batch)).await.unwrap(), 5, "from the failed batch on");
    assert_eq!(
        projection.totals("concert-1").await.unwrap(),
        EventTotals { tickets_sold: 5, revenue_cents: 12_500, sales: 5 }
    );
}

#[tokio::test]
async fn replaying_the_stream_with_the_streams_api_rebuilds_the_same_read_model() {
    if harness::skip_on_remote("the emulator's stream consumer") {
        return;
    }
    let office = office().await;
    // Shards roll over every hour: the replay follows the shards' lineage.
    office.db.state().streams.set_shard_period_millis(3_600_000);
    let mut trigger = office.db.stream_consumer(&office.sales_table, StartingPosition::TrimHorizon, 3);
    let projection = &office.projection;
    for hour in 0..3 {
        for i in 0..4 {
            let id = format!("s-{hour}-{i}");
            office.sales.save(&sale(&id, EVENTS[i % 3], (i + 1) as u32, 1_500 + 500 * hour as i64)).await.unwrap();
        }
        office.sales.save(&sale(&format!("s-{hour}-0"), "opera-9", 3, 4_000)).await.unwrap();
        office.sales.delete(&format!("s-{hour}-1")).await.unwrap();
        trigger.deliver(|batch| projection.handle(batch)).await.unwrap();
        office.db.clock().advance(Duration::from_secs(3_700));
    }
    let records = office.db.stream_records(&office.sales_table).len();
    assert_eq!(records, 18);
    let expected = totals_from_sales(&office.sales, &EVENTS).await;
    assert_eq!(live_totals(projection).await, expected);

    let streams = aws_sdk_dynamodbstreams::Client::new(&office.db.sdk_config());
    let shards = streams.describe_stream().stream_arn(&office.stream_arn).send().await.unwrap();
    assert!(shards.stream_description().unwrap().shards().len() >= 3, "{shards:?}");
    let rebuilt =
        SalesProjection::new(office.db.client(), SalesProjection::create_table(&office.db.client(), "rebuilt-").await);
    assert_eq!(rebuilt.replay_stream(&streams, &office.stream_arn).await.unwrap(), records);
    assert_eq!(live_totals(&rebuilt).await, expected);
    // Replaying again applies nothing: every record is already counted.
    assert_eq!(rebuilt.replay_stream(&streams, &office.stream_arn).await.unwrap(), 0);
    assert_eq!(live_totals(&rebuilt).await, expected);
}
