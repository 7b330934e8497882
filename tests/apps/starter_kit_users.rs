//! The starter kit's `DynamoModel` / `UserModel` (shared/seeds/001): one table
//! keyed by `id` (`USER#<uuid>`), GSI1 (pk1/sk1) for email lookups, GSI2
//! (pk2/sk2) for creation-time queries, and `batchDeleteUsers`, which splits
//! the ids into BatchWriteItem chunks of 25 and reports successes and failures.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, DeleteRequest, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    Projection, ProjectionType, ScalarAttributeType, WriteRequest,
};
use aws_sdk_dynamodb::Client;
use std::collections::HashMap;

/// DynamoDB's BatchWriteItem limit, which the model's batch delete honours.
pub const BATCH_SIZE: usize = 25;
const PREFIX: &str = "USER#";

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub created_at: String,
}

/// What `batchDeleteUsers` reports: the ids deleted and the ids that failed.
#[derive(Debug, Default)]
pub struct BatchResult {
    pub success: Vec<String>,
    pub failed: Vec<String>,
}

pub struct UserModel {
    client: Client,
    table: String,
}

impl UserModel {
    pub async fn create_table(client: &Client, table: &str) {
        let key = |name: &str, kind| KeySchemaElement::builder().attribute_name(name).key_type(kind).build().unwrap();
        let def = |name: &str| {
            AttributeDefinition::builder().attribute_name(name).attribute_type(ScalarAttributeType::S).build().unwrap()
        };
        let gsi = |name: &str, pk: &str, sk: &str| {
            GlobalSecondaryIndex::builder()
                .index_name(name)
                .key_schema(key(pk, KeyType::Hash))
                .key_schema(key(sk, KeyType::Range))
                .projection(Projection::builder().projection_type(ProjectionType::All).build())
                .build()
                .unwrap()
        };
        let mut request = client
            .create_table()
            .table_name(table)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key("id", KeyType::Hash))
            .global_secondary_indexes(gsi("GSI1", "pk1", "sk1"))
            .global_secondary_indexes(gsi("GSI2", "pk2", "sk2"));
        for name in ["id", "pk1", "sk1", "pk2", "sk2"] {
            request = request.attribute_definitions(def(name));
        }
        request.send().await.expect("create users table");
    }

    pub fn new(client: Client, table: &str) -> UserModel {
        UserModel { client, table: table.to_string() }
    }

    /// Ids are stored with the `USER#` prefix and accepted with or without it.
    fn storage_id(id: &str) -> String {
        if id.starts_with(PREFIX) {
            id.to_string()
        } else {
            format!("{PREFIX}{id}")
        }
    }

    pub async fn create(&self, user: &User) -> Result<(), aws_sdk_dynamodb::Error> {
        let s = |v: &str| AttributeValue::S(v.to_string());
        let item = HashMap::from([
            ("id".to_string(), s(&Self::storage_id(&user.id))),
            ("email".to_string(), s(&user.email)),
            ("name".to_string(), s(&user.name)),
            ("createdAt".to_string(), s(&user.created_at)),
            ("pk1".to_string(), s("USER")),
            ("sk1".to_string(), s(&format!("EMAIL#{}", user.email))),
            ("pk2".to_string(), s("USER")),
            ("sk2".to_string(), s(&format!("CREATED#{}", user.created_at))),
        ]);
        self.client.put_item().table_name(&self.table).set_item(Some(item)).send().await?;
        Ok(())
    }

    pub async fn exists(&self, id: &str) -> Result<bool, aws_sdk_dynamodb::Error> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("id", AttributeValue::S(Self::storage_id(id)))
            .send()
            .await?;
        Ok(out.item().is_some())
    }

    /// Deletes users in chunks of 25; a chunk that fails, or items the
    /// service leaves unprocessed, are reported as failures.
    pub async fn batch_delete(&self, ids: &[String]) -> BatchResult {
        let mut result = BatchResult::default();
        for chunk in ids.chunks(BATCH_SIZE) {
            let requests: Vec<WriteRequest> = chunk
                .iter()
                .map(|id| {
                    let delete = DeleteRequest::builder()
                        .key("id", AttributeValue::S(Self::storage_id(id)))
                        .build()
                        .expect("delete request");
                    WriteRequest::builder().delete_request(delete).build()
                })
                .collect();
            let sent = self.client.batch_write_item().request_items(&self.table, requests).send().await;
            match sent {
                Ok(out) => {
                    let unprocessed: Vec<String> = out
                        .unprocessed_items()
                        .and_then(|u| u.get(&self.table))
                        .into_iter()
                        .flatten()
                        .filter_map(|w| w.delete_request())
                        .filter_map(|d| d.key().get("id").and_then(|v| v.as_s().ok()).cloned())
                        .collect();
                    for id in chunk {
                        if unprocessed.contains(&Self::storage_id(id)) {
                            result.failed.push(id.clone());
                        } else {
                            result.success.push(id.clone());
                        }
                    }
                }
                Err(_) => result.failed.extend(chunk.iter().cloned()),
            }
        }
        result
    }

    pub async fn get_by_id(&self, id: &str) -> Result<Option<User>, aws_sdk_dynamodb::Error> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("id", AttributeValue::S(Self::storage_id(id)))
            .send()
            .await?;
        Ok(out.item().map(from_item))
    }

    /// `getByEmail`: the email lookup on GSI1.
    pub async fn get_by_email(&self, email: &str) -> Result<Option<User>, aws_sdk_dynamodb::Error> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("GSI1")
            .key_condition_expression("pk1 = :pk1 AND sk1 = :sk1")
            .expression_attribute_values(":pk1", AttributeValue::S("USER".into()))
            .expression_attribute_values(":sk1", AttributeValue::S(format!("EMAIL#{email}")))
            .limit(1)
            .send()
            .await?;
        Ok(out.items().first().map(from_item))
    }

    /// `getUsersCreatedAfter`: a GSI2 range query, oldest first, every page.
    pub async fn get_users_created_after(&self, timestamp: &str) -> Result<Vec<User>, aws_sdk_dynamodb::Error> {
        let mut users = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .index_name("GSI2")
                .key_condition_expression("#pk = :pk AND #sk > :sk")
                .expression_attribute_names("#pk", "pk2")
                .expression_attribute_names("#sk", "sk2")
                .expression_attribute_values(":pk", AttributeValue::S("USER".into()))
                .expression_attribute_values(":sk", AttributeValue::S(format!("CREATED#{timestamp}")))
                .limit(2)
                .set_exclusive_start_key(start)
                .send()
                .await?;
            users.extend(page.items().iter().map(from_item));
            start = page.last_evaluated_key().cloned();
            if start.is_none() {
                return Ok(users);
            }
        }
    }

    /// `getAllUsers`: a Scan filtered on the id prefix (other entity types share the table).
    pub async fn get_all(&self) -> Result<Vec<User>, aws_sdk_dynamodb::Error> {
        let mut users = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .scan()
                .table_name(&self.table)
                .filter_expression("begins_with(id, :prefix)")
                .expression_attribute_values(":prefix", AttributeValue::S(PREFIX.into()))
                .set_exclusive_start_key(start)
                .send()
                .await?;
            users.extend(page.items().iter().map(from_item));
            start = page.last_evaluated_key().cloned();
            if start.is_none() {
                return Ok(users);
            }
        }
    }

    pub async fn delete(&self, id: &str) -> Result<(), aws_sdk_dynamodb::Error> {
        let key = AttributeValue::S(Self::storage_id(id));
        self.client.delete_item().table_name(&self.table).key("id", key).send().await?;
        Ok(())
    }
}

/// A stored user as the API returns it: the id without its prefix.
fn from_item(item: &HashMap<String, AttributeValue>) -> User {
    let s = |k: &str| item.get(k).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
    User {
        id: s("id").trim_start_matches(PREFIX).to_string(),
        email: s("email"),
        name: s("name"),
        created_at: s("createdAt"),
    }
}
