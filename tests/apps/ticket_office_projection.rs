//! The ticket office's sales read model (shared/seeds/000): a stream handler
//! (deployed as a Lambda trigger on `ticketoffice-sales`) projects every sale
//! into per-event totals: tickets sold, revenue and the number of live sales.
//!
//! The sales table's stream carries new images only (`NEW_IMAGE`), so a
//! MODIFY or a REMOVE does not say what the sale counted for before. The
//! projection therefore keeps, next to each event's totals, one shadow item
//! per sale with what that sale currently contributes and the sequence number
//! of the last record applied to it. A record updates the shadow and the
//! totals in one transaction, and a record at or before the shadow's sequence
//! number is skipped: a batch delivered again after a failure (Lambda retries
//! the whole batch) counts nothing twice.
//!
//! Read-model items, in one table keyed by `pk`:
//! - `EVENT#<eventId>`: `eventId`, `ticketsSold`, `revenueCents`, `sales`;
//! - `SALE#<saleId>`: `saleId`, `appliedSequence`, `status` (`ACTIVE` or
//!   `CANCELLED`) and, while active, `eventId`, `quantity`, `revenueCents`.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, Put, ScalarAttributeType,
    TransactWriteItem, Update,
};
use aws_sdk_dynamodb::Client;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// One event's line in the read model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EventTotals {
    pub tickets_sold: i64,
    pub revenue_cents: i64,
    /// Sales not cancelled.
    pub sales: i64,
}

/// What one sale counts for in its event's totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contribution {
    pub event_id: String,
    pub quantity: i64,
    pub revenue_cents: i64,
}

/// A stream record as the projection needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleChange {
    pub sale_id: String,
    /// The record's sequence number, left-padded with zeros to 40 digits so
    /// that sequence numbers of any length compare as strings.
    pub sequence: String,
    /// The sale after the change; `None` for a REMOVE (a cancelled sale).
    pub after: Option<Contribution>,
}

#[derive(Debug)]
pub enum ProjectionError {
    /// A record the handler cannot read (not a sale, no sequence number...).
    Malformed(String),
    Dynamo(Box<aws_sdk_dynamodb::Error>),
}

impl From<aws_sdk_dynamodb::Error> for ProjectionError {
    fn from(e: aws_sdk_dynamodb::Error) -> ProjectionError {
        ProjectionError::Dynamo(Box::new(e))
    }
}

impl std::fmt::Display for ProjectionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProjectionError::Malformed(why) => write!(f, "malformed stream record: {why}"),
            ProjectionError::Dynamo(e) => write!(f, "DynamoDB: {e}"),
        }
    }
}

/// What applying one record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Projected,
    /// Already applied (a redelivered record).
    Skipped,
}

fn padded_sequence(sequence: &str) -> Result<String, ProjectionError> {
    if sequence.is_empty() || sequence.len() > 40 || !sequence.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ProjectionError::Malformed(format!("sequence number {sequence:?}")));
    }
    Ok(format!("{sequence:0>40}"))
}

fn contribution(
    event_id: Option<String>,
    quantity: Option<&str>,
    price_cents: Option<&str>,
) -> Result<Contribution, ProjectionError> {
    let event_id = event_id.ok_or_else(|| ProjectionError::Malformed("a sale without eventId".into()))?;
    let number = |name: &str, text: Option<&str>| {
        text.and_then(|t| t.parse::<i64>().ok())
            .ok_or_else(|| ProjectionError::Malformed(format!("sale attribute {name}: {text:?}")))
    };
    let quantity = number("quantity", quantity)?;
    let price_cents = number("priceCents", price_cents)?;
    Ok(Contribution { event_id, quantity, revenue_cents: quantity * price_cents })
}

impl SaleChange {
    /// A record of a Lambda event (`event.Records[i]`), which has the shape
    /// GetRecords answers: `eventName`, `dynamodb.Keys`, `dynamodb.NewImage`,
    /// `dynamodb.SequenceNumber`, attribute values in DynamoDB JSON.
    pub fn from_lambda_record(record: &Value) -> Result<SaleChange, ProjectionError> {
        let dynamodb = &record["dynamodb"];
        let s = |image: &Value, name: &str| image[name]["S"].as_str().map(str::to_string);
        let n = |image: &Value, name: &str| image[name]["N"].as_str().map(str::to_string);
        let sale_id = s(&dynamodb["Keys"], "id").ok_or_else(|| ProjectionError::Malformed(record.to_string()))?;
        let sequence = padded_sequence(dynamodb["SequenceNumber"].as_str().unwrap_or_default())?;
        let after = match record["eventName"].as_str() {
            Some("INSERT" | "MODIFY") => {
                let image = &dynamodb["NewImage"];
                if image.is_null() {
                    return Err(ProjectionError::Malformed("no NewImage: the stream must carry new images".into()));
                }
                Some(contribution(
                    s(image, "eventId"),
                    n(image, "quantity").as_deref(),
                    n(image, "priceCents").as_deref(),
                )?)
            }
            Some("REMOVE") => None,
            other => return Err(ProjectionError::Malformed(format!("eventName {other:?}"))),
        };
        Ok(SaleChange { sale_id, sequence, after })
    }

    /// A record read with the DynamoDB Streams API (`GetRecords`).
    pub fn from_streams_record(record: &aws_sdk_dynamodbstreams::types::Record) -> Result<SaleChange, ProjectionError> {
        use aws_sdk_dynamodbstreams::types::{AttributeValue as Sv, OperationType};
        let dynamodb = record.dynamodb().ok_or_else(|| ProjectionError::Malformed("no dynamodb".into()))?;
        let s = |image: &HashMap<String, Sv>, name: &str| image.get(name).and_then(|v| v.as_s().ok()).cloned();
        let n = |image: &HashMap<String, Sv>, name: &str| image.get(name).and_then(|v| v.as_n().ok()).cloned();
        let sale_id = dynamodb
            .keys()
            .and_then(|keys| s(keys, "id"))
            .ok_or_else(|| ProjectionError::Malformed("no sale id".into()))?;
        let sequence = padded_sequence(dynamodb.sequence_number().unwrap_or_default())?;
        let after = match record.event_name() {
            Some(OperationType::Insert | OperationType::Modify) => {
                let image = dynamodb.new_image().ok_or_else(|| {
                    ProjectionError::Malformed("no NewImage: the stream must carry new images".into())
                })?;
                Some(contribution(
                    s(image, "eventId"),
                    n(image, "quantity").as_deref(),
                    n(image, "priceCents").as_deref(),
                )?)
            }
            Some(OperationType::Remove) => None,
            other => return Err(ProjectionError::Malformed(format!("eventName {other:?}"))),
        };
        Ok(SaleChange { sale_id, sequence, after })
    }
}

pub struct SalesProjection {
    client: Client,
    table: String,
}

impl SalesProjection {
    /// The read model's table, `<prefix>ticketoffice-event-sales`.
    pub async fn create_table(client: &Client, prefix: &str) -> String {
        let table = format!("{prefix}ticketoffice-event-sales");
        client
            .create_table()
            .table_name(&table)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name("pk")
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .unwrap(),
            )
            .key_schema(KeySchemaElement::builder().attribute_name("pk").key_type(KeyType::Hash).build().unwrap())
            .send()
            .await
            .expect("create the read model's table");
        table
    }

    pub fn new(client: Client, table: String) -> SalesProjection {
        SalesProjection { client, table }
    }

    /// The Lambda handler: applies a batch's records in order; the first
    /// failure fails the batch, which is then delivered again whole.
    pub async fn handle(&self, records: Vec<Value>) -> Result<(), ProjectionError> {
        for record in &records {
            self.apply(&SaleChange::from_lambda_record(record)?).await?;
        }
        Ok(())
    }

    /// Applies one change: the sale's shadow item and the totals of the
    /// event(s) it leaves or joins, in one transaction.
    pub async fn apply(&self, change: &SaleChange) -> Result<Applied, ProjectionError> {
        let shadow_key = format!("SALE#{}", change.sale_id);
        let shadow = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(shadow_key.clone()))
            .consistent_read(true)
            .send()
            .await
            .map_err(aws_sdk_dynamodb::Error::from)?;
        let shadow = shadow.item();
        let text = |name: &str| shadow.and_then(|i| i.get(name)).and_then(|v| v.as_s().ok()).cloned();
        let number = |name: &str| {
            shadow.and_then(|i| i.get(name)).and_then(|v| v.as_n().ok()).and_then(|n| n.parse::<i64>().ok())
        };
        if text("appliedSequence").is_some_and(|applied| applied >= change.sequence) {
            return Ok(Applied::Skipped);
        }
        let before = match (text("status").as_deref(), text("eventId")) {
            (Some("ACTIVE"), Some(event_id)) => Some(Contribution {
                event_id,
                quantity: number("quantity").unwrap_or(0),
                revenue_cents: number("revenueCents").unwrap_or(0),
            }),
            _ => None,
        };

        // Per event: (tickets, revenue, sales) to add.
        let mut deltas: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
        if let Some(old) = &before {
            let d = deltas.entry(old.event_id.clone()).or_default();
            *d = (d.0 - old.quantity, d.1 - old.revenue_cents, d.2 - 1);
        }
        if let Some(new) = &change.after {
            let d = deltas.entry(new.event_id.clone()).or_default();
            *d = (d.0 + new.quantity, d.1 + new.revenue_cents, d.2 + 1);
        }

        let s = |v: &str| AttributeValue::S(v.to_string());
        let n = |v: i64| AttributeValue::N(v.to_string());
        let mut shadow_item = HashMap::from([
            ("pk".to_string(), s(&shadow_key)),
            ("saleId".to_string(), s(&change.sale_id)),
            ("appliedSequence".to_string(), s(&change.sequence)),
        ]);
        match &change.after {
            Some(new) => {
                shadow_item.insert("status".into(), s("ACTIVE"));
                shadow_item.insert("eventId".into(), s(&new.event_id));
                shadow_item.insert("quantity".into(), n(new.quantity));
                shadow_item.insert("revenueCents".into(), n(new.revenue_cents));
            }
            // A tombstone: an older record delivered again must not bring the sale back.
            None => {
                shadow_item.insert("status".into(), s("CANCELLED"));
            }
        }
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(shadow_item))
            .condition_expression("attribute_not_exists(pk) OR appliedSequence < :sequence")
            .expression_attribute_values(":sequence", s(&change.sequence))
            .build()
            .expect("put");
        let mut actions = vec![TransactWriteItem::builder().put(put).build()];
        for (event_id, (tickets, revenue, sales)) in deltas {
            if (tickets, revenue, sales) == (0, 0, 0) {
                continue;
            }
            let update = Update::builder()
                .table_name(&self.table)
                .key("pk", s(&format!("EVENT#{event_id}")))
                .update_expression("SET eventId = :event ADD ticketsSold :tickets, revenueCents :revenue, sales :sales")
                .expression_attribute_values(":event", s(&event_id))
                .expression_attribute_values(":tickets", n(tickets))
                .expression_attribute_values(":revenue", n(revenue))
                .expression_attribute_values(":sales", n(sales))
                .build()
                .expect("update");
            actions.push(TransactWriteItem::builder().update(update).build());
        }
        self.client
            .transact_write_items()
            .set_transact_items(Some(actions))
            .send()
            .await
            .map_err(aws_sdk_dynamodb::Error::from)?;
        Ok(Applied::Projected)
    }

    /// Rebuilds (or catches up) the read model from the stream itself, with
    /// the DynamoDB Streams API: every shard from `TRIM_HORIZON`, parents
    /// before children. Records already applied are skipped, so this can run
    /// over a read model the trigger keeps. Returns the records projected.
    pub async fn replay_stream(
        &self,
        streams: &aws_sdk_dynamodbstreams::Client,
        stream_arn: &str,
    ) -> Result<usize, ProjectionError> {
        use aws_sdk_dynamodbstreams::types::ShardIteratorType;
        let streams_error = |e: String| ProjectionError::Malformed(format!("DynamoDB Streams: {e}"));
        let mut shards = Vec::new();
        let mut start: Option<String> = None;
        loop {
            let described = streams
                .describe_stream()
                .stream_arn(stream_arn)
                .set_exclusive_start_shard_id(start)
                .send()
                .await
                .map_err(|e| streams_error(format!("{e:?}")))?;
            let description = described.stream_description().ok_or_else(|| streams_error("no description".into()))?;
            shards.extend(description.shards().iter().cloned());
            start = description.last_evaluated_shard_id().map(str::to_string);
            if start.is_none() {
                break;
            }
        }
        // Parents first: a shard is read once its parent (if still listed) is done.
        let mut done: Vec<String> = Vec::new();
        let mut projected = 0;
        while done.len() < shards.len() {
            let next = shards
                .iter()
                .find(|shard| {
                    let id = shard.shard_id().unwrap_or_default().to_string();
                    !done.contains(&id)
                        && shard.parent_shard_id().is_none_or(|parent| {
                            done.iter().any(|d| d == parent) || !shards.iter().any(|s| s.shard_id() == Some(parent))
                        })
                })
                .ok_or_else(|| streams_error("shard lineage has a cycle".into()))?;
            let shard_id = next.shard_id().unwrap_or_default().to_string();
            let mut iterator = streams
                .get_shard_iterator()
                .stream_arn(stream_arn)
                .shard_id(&shard_id)
                .shard_iterator_type(ShardIteratorType::TrimHorizon)
                .send()
                .await
                .map_err(|e| streams_error(format!("{e:?}")))?
                .shard_iterator()
                .map(str::to_string);
            // An open shard always hands back a next iterator: stop at the first empty page.
            while let Some(current) = iterator.take() {
                let page = streams
                    .get_records()
                    .shard_iterator(current)
                    .send()
                    .await
                    .map_err(|e| streams_error(format!("{e:?}")))?;
                for record in page.records() {
                    if self.apply(&SaleChange::from_streams_record(record)?).await? == Applied::Projected {
                        projected += 1;
                    }
                }
                if !page.records().is_empty() {
                    iterator = page.next_shard_iterator().map(str::to_string);
                }
            }
            done.push(shard_id);
        }
        Ok(projected)
    }

    /// One event's totals (zeros for an event without sales).
    pub async fn totals(&self, event_id: &str) -> Result<EventTotals, ProjectionError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(format!("EVENT#{event_id}")))
            .consistent_read(true)
            .send()
            .await
            .map_err(aws_sdk_dynamodb::Error::from)?;
        Ok(out.item().map(totals_of).unwrap_or_default())
    }

    /// Every event's totals, by event id.
    pub async fn all_totals(&self) -> Result<BTreeMap<String, EventTotals>, ProjectionError> {
        let mut all = BTreeMap::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .scan()
                .table_name(&self.table)
                .filter_expression("begins_with(pk, :event)")
                .expression_attribute_values(":event", AttributeValue::S("EVENT#".into()))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(aws_sdk_dynamodb::Error::from)?;
            for item in page.items() {
                let event_id = item.get("eventId").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
                all.insert(event_id, totals_of(item));
            }
            start = page.last_evaluated_key().cloned();
            if start.is_none() {
                return Ok(all);
            }
        }
    }
}

fn totals_of(item: &HashMap<String, AttributeValue>) -> EventTotals {
    let n = |name: &str| item.get(name).and_then(|v| v.as_n().ok()).and_then(|n| n.parse().ok()).unwrap_or(0);
    EventTotals { tickets_sold: n("ticketsSold"), revenue_cents: n("revenueCents"), sales: n("sales") }
}
