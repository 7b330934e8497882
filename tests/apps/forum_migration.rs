//! The forum's JSON-to-DynamoDB migration (shared/seeds/004): reads the
//! services' `db.json` contents for users, threads and posts, transforms them
//! to the tables' schema, batch-writes them in chunks of 25 (retrying
//! unprocessed items) and verifies the item counts by reading them back.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    KeysAndAttributes, Projection, ProjectionType, PutRequest, ScalarAttributeType, WriteRequest,
};
use aws_sdk_dynamodb::Client;
use serde_json::Value;
use std::collections::HashMap;

pub struct ForumTables {
    pub users: String,
    pub threads: String,
    pub posts: String,
}

impl ForumTables {
    pub fn named(prefix: &str) -> ForumTables {
        ForumTables {
            users: format!("{prefix}users-dev"),
            threads: format!("{prefix}threads-dev"),
            posts: format!("{prefix}posts-dev"),
        }
    }

    /// The three tables as the seed's Terraform defines them.
    pub async fn create(&self, client: &Client) {
        let key = |name: &str, kind| KeySchemaElement::builder().attribute_name(name).key_type(kind).build().unwrap();
        let def = |name: &str| {
            AttributeDefinition::builder().attribute_name(name).attribute_type(ScalarAttributeType::S).build().unwrap()
        };
        let gsi = |name: &str, pk: &str, sk: Option<&str>| {
            let mut b = GlobalSecondaryIndex::builder()
                .index_name(name)
                .key_schema(key(pk, KeyType::Hash))
                .projection(Projection::builder().projection_type(ProjectionType::All).build());
            if let Some(sk) = sk {
                b = b.key_schema(key(sk, KeyType::Range));
            }
            b.build().unwrap()
        };
        client
            .create_table()
            .table_name(&self.users)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key("userId", KeyType::Hash))
            .attribute_definitions(def("userId"))
            .attribute_definitions(def("email"))
            .global_secondary_indexes(gsi("EmailIndex", "email", None))
            .send()
            .await
            .expect("users table");
        client
            .create_table()
            .table_name(&self.threads)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key("threadId", KeyType::Hash))
            .attribute_definitions(def("threadId"))
            .attribute_definitions(def("createdAt"))
            .global_secondary_indexes(gsi("CreatedAtIndex", "createdAt", None))
            .send()
            .await
            .expect("threads table");
        client
            .create_table()
            .table_name(&self.posts)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key("postId", KeyType::Hash))
            .key_schema(key("threadId", KeyType::Range))
            .attribute_definitions(def("postId"))
            .attribute_definitions(def("threadId"))
            .attribute_definitions(def("userId"))
            .attribute_definitions(def("createdAt"))
            .global_secondary_indexes(gsi("ThreadIndex", "threadId", Some("createdAt")))
            .global_secondary_indexes(gsi("UserIndex", "userId", Some("createdAt")))
            .send()
            .await
            .expect("posts table");
    }
}

/// A JSON record as DynamoDB attributes: ids and strings as S, numbers as N.
fn to_item(record: &Value) -> HashMap<String, AttributeValue> {
    let Value::Object(fields) = record else { return HashMap::new() };
    fields
        .iter()
        .filter_map(|(k, v)| {
            let value = match v {
                Value::String(s) => AttributeValue::S(s.clone()),
                Value::Number(n) => AttributeValue::N(n.to_string()),
                Value::Bool(b) => AttributeValue::Bool(*b),
                _ => return None,
            };
            Some((k.clone(), value))
        })
        .collect()
}

/// Batch-writes records into a table in chunks of 25, resending unprocessed items.
pub async fn migrate(client: &Client, table: &str, records: &[Value]) -> Result<usize, aws_sdk_dynamodb::Error> {
    let mut written = 0;
    for chunk in records.chunks(25) {
        let mut pending: Vec<WriteRequest> = chunk
            .iter()
            .map(|r| {
                let put = PutRequest::builder().set_item(Some(to_item(r))).build().expect("put request");
                WriteRequest::builder().put_request(put).build()
            })
            .collect();
        while !pending.is_empty() {
            let n = pending.len();
            let out = client.batch_write_item().request_items(table, pending).send().await?;
            pending = out.unprocessed_items().and_then(|u| u.get(table)).cloned().unwrap_or_default();
            written += n - pending.len();
        }
    }
    Ok(written)
}

/// The migration's verification step: reads every migrated key back with
/// BatchGetItem (100 keys per call, following `UnprocessedKeys`) and counts
/// the items found.
pub async fn count_present(
    client: &Client,
    table: &str,
    keys: &[HashMap<String, AttributeValue>],
) -> Result<usize, aws_sdk_dynamodb::Error> {
    let mut found = 0;
    for chunk in keys.chunks(100) {
        let mut request = Some(KeysAndAttributes::builder().set_keys(Some(chunk.to_vec())).build().expect("keys"));
        while let Some(keys) = request.take() {
            let out = client.batch_get_item().request_items(table, keys).send().await?;
            found += out.responses().and_then(|r| r.get(table)).map_or(0, |items| items.len());
            request = out.unprocessed_keys().and_then(|u| u.get(table)).cloned();
        }
    }
    Ok(found)
}
