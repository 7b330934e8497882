//! Expiring refresh tokens of the user aggregate (shared/seeds/002).
//!
//! A `RefreshToken` value object has an expiry, and `GetByRefreshTokenAsync`
//! finds a user through `RefreshTokenIndex`. Time to Live deletes whole
//! items, so an expiry on the user item would delete the user: each issued
//! token is its own item in the `Users` table instead, like the email
//! reservations (`Id` = `REFRESH#<token>`, `RefreshTokenIndex` = the token,
//! `UserId`, `ExpiresAt` in epoch seconds, the table's TTL attribute).
//! DynamoDB deletes an expired item some time after it expires (up to a few
//! days), so lookups also filter out tokens past their expiry.

use aws_sdk_dynamodb::types::{AttributeValue, TimeToLiveSpecification};
use aws_sdk_dynamodb::Client;
use std::collections::HashMap;

/// The `Users` table's Time to Live attribute.
pub const EXPIRES_AT: &str = "ExpiresAt";

pub struct RefreshTokenStore {
    client: Client,
    table: String,
}

impl RefreshTokenStore {
    /// The table initializer's step for tokens (`EnsureTablesCreated`): Time
    /// to Live on `ExpiresAt`, so expired tokens are deleted by DynamoDB.
    pub async fn enable_expiry(client: &Client, table: &str) -> Result<(), aws_sdk_dynamodb::Error> {
        client
            .update_time_to_live()
            .table_name(table)
            .time_to_live_specification(
                TimeToLiveSpecification::builder().attribute_name(EXPIRES_AT).enabled(true).build().expect("ttl"),
            )
            .send()
            .await?;
        Ok(())
    }

    pub fn new(client: Client, table: &str) -> RefreshTokenStore {
        RefreshTokenStore { client, table: table.to_string() }
    }

    /// The id of the item holding a token.
    pub fn token_item_id(token: &str) -> String {
        format!("REFRESH#{token}")
    }

    /// Issues a token to a user, valid until `expires_at` (epoch seconds).
    pub async fn issue(&self, user_id: &str, token: &str, expires_at: i64) -> Result<(), aws_sdk_dynamodb::Error> {
        let s = |v: &str| AttributeValue::S(v.to_string());
        let item = HashMap::from([
            ("Id".to_string(), s(&Self::token_item_id(token))),
            ("RefreshTokenIndex".to_string(), s(token)),
            ("UserId".to_string(), s(user_id)),
            (EXPIRES_AT.to_string(), AttributeValue::N(expires_at.to_string())),
        ]);
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(Id)")
            .send()
            .await?;
        Ok(())
    }

    /// `GetByRefreshTokenAsync` for issued tokens: the user id a token still
    /// valid at `now` (epoch seconds) belongs to, through `RefreshTokenIndex`.
    pub async fn user_id_for(&self, token: &str, now: i64) -> Result<Option<String>, aws_sdk_dynamodb::Error> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("RefreshTokenIndex")
            .key_condition_expression("RefreshTokenIndex = :token")
            .filter_expression("#expires > :now")
            .expression_attribute_names("#expires", EXPIRES_AT)
            .expression_attribute_values(":token", AttributeValue::S(token.to_string()))
            .expression_attribute_values(":now", AttributeValue::N(now.to_string()))
            .send()
            .await?;
        Ok(out.items().first().and_then(|item| item.get("UserId")).and_then(|v| v.as_s().ok()).cloned())
    }

    /// Logging out: the token is deleted at once.
    pub async fn revoke(&self, token: &str) -> Result<(), aws_sdk_dynamodb::Error> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("Id", AttributeValue::S(Self::token_item_id(token)))
            .send()
            .await?;
        Ok(())
    }
}
