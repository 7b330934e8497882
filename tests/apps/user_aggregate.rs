//! The user aggregate's persistence (shared/seeds/002): a `Users` table keyed
//! by `Id` with `EmailIndex` and `RefreshTokenIndex` GSIs, and a unit of work
//! that registers a user and reserves the email's uniqueness item in one
//! transaction, so two registrations of one email cannot both succeed.

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, Put, ScalarAttributeType, TransactWriteItem,
};
use aws_sdk_dynamodb::Client;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub refresh_token: Option<String>,
}

/// Why a unit of work did not commit.
#[derive(Debug, PartialEq)]
pub enum CommitError {
    /// The transaction was cancelled; the reasons' codes, one per action.
    Cancelled(Vec<String>),
    Other(String),
}

pub struct UserRepository {
    client: Client,
    table: String,
    /// Actions registered with the unit of work, written together by `commit`.
    pending: Vec<TransactWriteItem>,
}

impl UserRepository {
    pub async fn create_table(client: &Client, table: &str) {
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
            .expect("create Users table");
    }

    pub fn new(client: Client, table: &str) -> UserRepository {
        UserRepository { client, table: table.to_string(), pending: Vec::new() }
    }

    /// The id of the item that reserves an email address.
    pub fn email_reservation_id(email: &str) -> String {
        format!("EMAIL#{}", email.to_lowercase())
    }

    /// Registers a new user: the user item and the email reservation, each
    /// only if it does not exist yet.
    pub fn add(&mut self, user: &User) {
        let s = |v: &str| AttributeValue::S(v.to_string());
        let mut item = HashMap::from([
            ("Id".to_string(), s(&user.id)),
            ("Email".to_string(), s(&user.email)),
            ("EmailIndex".to_string(), s(&user.email.to_lowercase())),
            ("FirstName".to_string(), s(&user.first_name)),
            ("LastName".to_string(), s(&user.last_name)),
        ]);
        if let Some(token) = &user.refresh_token {
            item.insert("RefreshTokenIndex".into(), s(token));
        }
        let reservation = HashMap::from([
            ("Id".to_string(), s(&Self::email_reservation_id(&user.email))),
            ("UserId".to_string(), s(&user.id)),
        ]);
        for item in [item, reservation] {
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(Id)")
                .build()
                .expect("put");
            self.pending.push(TransactWriteItem::builder().put(put).build());
        }
    }

    /// Writes every registered change in one transaction.
    pub async fn commit(&mut self) -> Result<(), CommitError> {
        let items = std::mem::take(&mut self.pending);
        match self.client.transact_write_items().set_transact_items(Some(items)).send().await {
            Ok(_) => Ok(()),
            Err(e) => match e.into_service_error() {
                TransactWriteItemsError::TransactionCanceledException(c) => Err(CommitError::Cancelled(
                    c.cancellation_reasons().iter().map(|r| r.code().unwrap_or_default().to_string()).collect(),
                )),
                other => Err(CommitError::Other(other.to_string())),
            },
        }
    }

    pub async fn get_by_id(&self, id: &str) -> Option<HashMap<String, AttributeValue>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("Id", AttributeValue::S(id.to_string()))
            .consistent_read(true)
            .send()
            .await
            .expect("get user");
        out.item().cloned()
    }

    /// Saving a loaded aggregate (the context's `SaveAsync`): the whole
    /// entity is written; a user without a refresh token leaves the sparse index.
    pub async fn save(&self, user: &User) -> Result<(), aws_sdk_dynamodb::Error> {
        self.client.put_item().table_name(&self.table).set_item(Some(to_item(user))).send().await?;
        Ok(())
    }

    /// `GetByEmailAsync`: a query on `EmailIndex` (emails are stored lower-cased).
    pub async fn get_by_email_async(&self, email: &str) -> Result<Option<User>, aws_sdk_dynamodb::Error> {
        self.single_by_index("EmailIndex", &email.to_lowercase()).await
    }

    /// `GetByRefreshTokenAsync`: a query on `RefreshTokenIndex`.
    pub async fn get_by_refresh_token_async(&self, token: &str) -> Result<Option<User>, aws_sdk_dynamodb::Error> {
        self.single_by_index("RefreshTokenIndex", token).await
    }

    async fn single_by_index(&self, index: &str, value: &str) -> Result<Option<User>, aws_sdk_dynamodb::Error> {
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

fn to_item(user: &User) -> HashMap<String, AttributeValue> {
    let s = |v: &str| AttributeValue::S(v.to_string());
    let mut item = HashMap::from([
        ("Id".to_string(), s(&user.id)),
        ("Email".to_string(), s(&user.email)),
        ("EmailIndex".to_string(), s(&user.email.to_lowercase())),
        ("FirstName".to_string(), s(&user.first_name)),
        ("LastName".to_string(), s(&user.last_name)),
    ]);
    if let Some(token) = &user.refresh_token {
        item.insert("RefreshTokenIndex".into(), s(token));
    }
    item
}

fn from_item(item: &HashMap<String, AttributeValue>) -> User {
    let s = |k: &str| item.get(k).and_then(|v| v.as_s().ok()).cloned();
    User {
        id: s("Id").unwrap_or_default(),
        email: s("Email").unwrap_or_default(),
        first_name: s("FirstName").unwrap_or_default(),
        last_name: s("LastName").unwrap_or_default(),
        refresh_token: s("RefreshTokenIndex"),
    }
}
