//! The starter kit's user model (shared/seeds/001) moved to multi-attribute
//! GSI keys, as a multi-tenant version of it would be written since DynamoDB
//! added them: instead of synthetic `pk1 = "USER"`, `sk1 = "EMAIL#<email>"`
//! strings, `TenantEmailIndex` is keyed by the real attributes (`tenantId`,
//! `email`) and `TenantCreatedIndex` by `tenantId` then (`createdAt`, `id`).

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType,
};
use aws_sdk_dynamodb::Client;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct TenantUser {
    pub tenant_id: String,
    pub id: String,
    pub email: String,
    pub created_at: String,
}

pub struct TenantUserModel {
    client: Client,
    table: String,
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

impl TenantUserModel {
    pub async fn create_table(client: &Client, table: &str) {
        let key = |name: &str, kind| KeySchemaElement::builder().attribute_name(name).key_type(kind).build().unwrap();
        let def = |name: &str| {
            AttributeDefinition::builder().attribute_name(name).attribute_type(ScalarAttributeType::S).build().unwrap()
        };
        let all = Projection::builder().projection_type(ProjectionType::All).build();
        let by_email = GlobalSecondaryIndex::builder()
            .index_name("TenantEmailIndex")
            .key_schema(key("tenantId", KeyType::Hash))
            .key_schema(key("email", KeyType::Hash))
            .projection(all.clone())
            .build()
            .unwrap();
        let by_creation = GlobalSecondaryIndex::builder()
            .index_name("TenantCreatedIndex")
            .key_schema(key("tenantId", KeyType::Hash))
            .key_schema(key("createdAt", KeyType::Range))
            .key_schema(key("id", KeyType::Range))
            .projection(all)
            .build()
            .unwrap();
        let mut request = client
            .create_table()
            .table_name(table)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key("id", KeyType::Hash))
            .global_secondary_indexes(by_email)
            .global_secondary_indexes(by_creation);
        for name in ["id", "tenantId", "email", "createdAt"] {
            request = request.attribute_definitions(def(name));
        }
        request.send().await.expect("create tenant users table");
    }

    pub fn new(client: Client, table: &str) -> TenantUserModel {
        TenantUserModel { client, table: table.to_string() }
    }

    pub async fn create(&self, user: &TenantUser) -> Result<(), aws_sdk_dynamodb::Error> {
        let item = HashMap::from([
            ("id".to_string(), s(&user.id)),
            ("tenantId".to_string(), s(&user.tenant_id)),
            ("email".to_string(), s(&user.email)),
            ("createdAt".to_string(), s(&user.created_at)),
        ]);
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(id)")
            .send()
            .await?;
        Ok(())
    }

    /// The user of one tenant with this email: both HASH attributes bound.
    pub async fn get_by_email(&self, tenant: &str, email: &str) -> Result<Option<TenantUser>, aws_sdk_dynamodb::Error> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("TenantEmailIndex")
            .key_condition_expression("tenantId = :t AND email = :e")
            .expression_attribute_values(":t", s(tenant))
            .expression_attribute_values(":e", s(email))
            .send()
            .await?;
        Ok(out.items().first().map(from_item))
    }

    /// One tenant's users created after `timestamp`, oldest first, two per page.
    pub async fn created_after(
        &self,
        tenant: &str,
        timestamp: &str,
    ) -> Result<Vec<TenantUser>, aws_sdk_dynamodb::Error> {
        let pages = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("TenantCreatedIndex")
            .key_condition_expression("tenantId = :t AND createdAt > :c")
            .expression_attribute_values(":t", s(tenant))
            .expression_attribute_values(":c", s(timestamp))
            .limit(2)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(aws_sdk_dynamodb::Error::from)?;
        Ok(pages.iter().map(from_item).collect())
    }
}

fn from_item(item: &HashMap<String, AttributeValue>) -> TenantUser {
    let get = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
    TenantUser { tenant_id: get("tenantId"), id: get("id"), email: get("email"), created_at: get("createdAt") }
}
