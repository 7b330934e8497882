//! The user aggregate's repository (shared/seeds/002), as the .NET
//! `DynamoDbUserRepository` uses DynamoDB: a `Users` table keyed by `Id`,
//! with `EmailIndex` and `RefreshTokenIndex` GSIs whose partition key
//! attributes carry the index's name and are only set when the user has
//! that value (sparse indexes).

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType,
};
use aws_sdk_dynamodb::Client;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct UserEntity {
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub refresh_token: Option<String>,
}

pub struct UserRepository {
    client: Client,
    table: String,
}

impl UserRepository {
    /// What `DynamoDbTableInitializer` creates when `EnsureTablesCreated` is on.
    pub async fn ensure_table(client: &Client, table: &str) {
        let key =
            |name: &str| KeySchemaElement::builder().attribute_name(name).key_type(KeyType::Hash).build().unwrap();
        let def = |name: &str| {
            AttributeDefinition::builder().attribute_name(name).attribute_type(ScalarAttributeType::S).build().unwrap()
        };
        let gsi = |name: &str| {
            GlobalSecondaryIndex::builder()
                .index_name(name)
                .key_schema(key(name))
                .projection(Projection::builder().projection_type(ProjectionType::All).build())
                .build()
                .unwrap()
        };
        client
            .create_table()
            .table_name(table)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key("Id"))
            .attribute_definitions(def("Id"))
            .attribute_definitions(def("EmailIndex"))
            .attribute_definitions(def("RefreshTokenIndex"))
            .global_secondary_indexes(gsi("EmailIndex"))
            .global_secondary_indexes(gsi("RefreshTokenIndex"))
            .send()
            .await
            .expect("create Users");
    }

    pub fn new(client: Client, table: &str) -> UserRepository {
        UserRepository { client, table: table.to_string() }
    }

    /// `Add` (and saving changes): the whole entity is written.
    pub async fn save(&self, user: &UserEntity) -> Result<(), aws_sdk_dynamodb::Error> {
        let s = |v: &str| AttributeValue::S(v.to_string());
        let mut item = HashMap::from([
            ("Id".to_string(), s(&user.id)),
            ("Email".to_string(), s(&user.email)),
            ("EmailIndex".to_string(), s(&user.email.to_lowercase())),
            ("FirstName".to_string(), s(&user.first_name)),
        ]);
        if let Some(token) = &user.refresh_token {
            item.insert("RefreshToken".into(), s(token));
            item.insert("RefreshTokenIndex".into(), s(token));
        }
        self.client.put_item().table_name(&self.table).set_item(Some(item)).send().await?;
        Ok(())
    }

    pub async fn get_by_id_async(&self, id: &str) -> Result<Option<UserEntity>, aws_sdk_dynamodb::Error> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("Id", AttributeValue::S(id.to_string()))
            .consistent_read(true)
            .send()
            .await?;
        Ok(out.item().map(from_item))
    }

    pub async fn get_by_email_async(&self, email: &str) -> Result<Option<UserEntity>, aws_sdk_dynamodb::Error> {
        self.single_by_index("EmailIndex", &email.to_lowercase()).await
    }

    pub async fn get_by_refresh_token_async(&self, token: &str) -> Result<Option<UserEntity>, aws_sdk_dynamodb::Error> {
        self.single_by_index("RefreshTokenIndex", token).await
    }

    async fn single_by_index(&self, index: &str, value: &str) -> Result<Option<UserEntity>, aws_sdk_dynamodb::Error> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(index)
            .key_condition_expression("#k = :v")
            .expression_attribute_names("#k", index)
            .expression_attribute_values(":v", AttributeValue::S(value.to_string()))
            .send()
            .await?;
        Ok(out.items().first().map(from_item))
    }
}

fn from_item(item: &HashMap<String, AttributeValue>) -> UserEntity {
    let s = |k: &str| item.get(k).and_then(|v| v.as_s().ok()).cloned();
    UserEntity {
        id: s("Id").unwrap_or_default(),
        email: s("Email").unwrap_or_default(),
        first_name: s("FirstName").unwrap_or_default(),
        refresh_token: s("RefreshToken"),
    }
}
