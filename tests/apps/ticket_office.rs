//! The ticket office's sales repository (shared/seeds/000), written against
//! the SDK the way the application's `SaleDynamoRepository` is: a
//! `ticketoffice-sales` table keyed by `id`, with an `eventId-index` GSI.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType,
};
use aws_sdk_dynamodb::Client;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct Sale {
    pub id: String,
    pub event_id: String,
    pub ticket_id: String,
    pub quantity: u32,
    pub price_cents: i64,
    pub buyer: Option<String>,
}

pub struct SaleRepository {
    client: Client,
    table: String,
}

impl SaleRepository {
    /// The table as the seed's CloudFormation template defines it, with the configured prefix.
    pub async fn create_table(client: &Client, prefix: &str) -> String {
        let table = format!("{prefix}ticketoffice-sales");
        let key =
            |name: &str| KeySchemaElement::builder().attribute_name(name).key_type(KeyType::Hash).build().unwrap();
        let def = |name: &str| {
            AttributeDefinition::builder().attribute_name(name).attribute_type(ScalarAttributeType::S).build().unwrap()
        };
        client
            .create_table()
            .table_name(&table)
            .attribute_definitions(def("id"))
            .attribute_definitions(def("eventId"))
            .key_schema(key("id"))
            .billing_mode(BillingMode::PayPerRequest)
            .global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name("eventId-index")
                    .key_schema(key("eventId"))
                    .projection(Projection::builder().projection_type(ProjectionType::All).build())
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .expect("create sales table");
        table
    }

    pub fn new(client: Client, table: String) -> SaleRepository {
        SaleRepository { client, table }
    }

    pub async fn save(&self, sale: &Sale) -> Result<(), aws_sdk_dynamodb::Error> {
        self.client.put_item().table_name(&self.table).set_item(Some(to_item(sale))).send().await?;
        Ok(())
    }

    pub async fn get(&self, id: &str) -> Result<Option<Sale>, aws_sdk_dynamodb::Error> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("id", AttributeValue::S(id.to_string()))
            .consistent_read(true)
            .send()
            .await?;
        Ok(out.item().map(from_item))
    }

    /// `findByEventId`: every sale of an event, through `eventId-index`, page by page.
    pub async fn find_by_event_id(&self, event_id: &str) -> Result<Vec<Sale>, aws_sdk_dynamodb::Error> {
        let mut sales = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .index_name("eventId-index")
                .key_condition_expression("eventId = :eventId")
                .expression_attribute_values(":eventId", AttributeValue::S(event_id.to_string()))
                .set_exclusive_start_key(start)
                .send()
                .await?;
            sales.extend(page.items().iter().map(from_item));
            start = page.last_evaluated_key().cloned();
            if start.is_none() {
                return Ok(sales);
            }
        }
    }

    /// `countByEventIdAndTicketId`: a COUNT query on `eventId-index` filtered by ticket.
    pub async fn count_by_event_id_and_ticket_id(
        &self,
        event_id: &str,
        ticket_id: &str,
    ) -> Result<i32, aws_sdk_dynamodb::Error> {
        let mut count = 0;
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .index_name("eventId-index")
                .key_condition_expression("eventId = :eventId")
                .filter_expression("ticketId = :ticketId")
                .expression_attribute_values(":eventId", AttributeValue::S(event_id.to_string()))
                .expression_attribute_values(":ticketId", AttributeValue::S(ticket_id.to_string()))
                .select(aws_sdk_dynamodb::types::Select::Count)
                .set_exclusive_start_key(start)
                .send()
                .await?;
            count += page.count();
            start = page.last_evaluated_key().cloned();
            if start.is_none() {
                return Ok(count);
            }
        }
    }

    pub async fn delete(&self, id: &str) -> Result<Option<Sale>, aws_sdk_dynamodb::Error> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("id", AttributeValue::S(id.to_string()))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
            .send()
            .await?;
        Ok(out.attributes().map(from_item))
    }
}

fn to_item(sale: &Sale) -> HashMap<String, AttributeValue> {
    let mut item = HashMap::from([
        ("id".to_string(), AttributeValue::S(sale.id.clone())),
        ("eventId".to_string(), AttributeValue::S(sale.event_id.clone())),
        ("ticketId".to_string(), AttributeValue::S(sale.ticket_id.clone())),
        ("quantity".to_string(), AttributeValue::N(sale.quantity.to_string())),
        ("priceCents".to_string(), AttributeValue::N(sale.price_cents.to_string())),
    ]);
    if let Some(buyer) = &sale.buyer {
        item.insert(
            "buyer".into(),
            AttributeValue::M(HashMap::from([("name".into(), AttributeValue::S(buyer.clone()))])),
        );
    }
    item
}

fn from_item(item: &HashMap<String, AttributeValue>) -> Sale {
    let s = |k: &str| item.get(k).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
    let n = |k: &str| item.get(k).and_then(|v| v.as_n().ok()).cloned().unwrap_or_default();
    Sale {
        id: s("id"),
        event_id: s("eventId"),
        ticket_id: s("ticketId"),
        quantity: n("quantity").parse().unwrap_or(0),
        price_cents: n("priceCents").parse().unwrap_or(0),
        buyer: item
            .get("buyer")
            .and_then(|b| b.as_m().ok())
            .and_then(|m| m.get("name"))
            .and_then(|v| v.as_s().ok())
            .cloned(),
    }
}
