//! `ExpressionAttributeNames` / `ExpressionAttributeValues` of one request,
//! and which entries its expressions used: DynamoDB rejects a request that
//! defines an entry no expression uses.

use crate::error::{ApiError, ApiResult};
use crate::types::value::{ATTRIBUTE_NAME_TOO_LARGE, MAX_ATTRIBUTE_NAME_BYTES};
use crate::types::{AttributeValue, Item};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Default)]
pub struct ExpressionAttributes {
    names: Option<BTreeMap<String, String>>,
    values: Option<Item>,
    used_names: BTreeSet<String>,
    used_values: BTreeSet<String>,
}

fn valid_key(key: &str, sigil: char) -> bool {
    let mut chars = key.chars();
    chars.next() == Some(sigil) && key.len() > 1 && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl ExpressionAttributes {
    /// The maps as given (already type-checked), before any validation.
    pub fn new(names: Option<BTreeMap<String, String>>, values: Option<Item>) -> ExpressionAttributes {
        ExpressionAttributes { names, values, ..Default::default() }
    }

    /// DynamoDB's checks on the maps themselves.
    pub fn validate(&self, uses_expressions: bool) -> ApiResult<()> {
        if !uses_expressions {
            if self.names.is_some() {
                return Err(ApiError::validation(
                    "ExpressionAttributeNames can only be specified when using expressions",
                ));
            }
            if self.values.is_some() {
                return Err(ApiError::validation(
                    "ExpressionAttributeValues can only be specified when using expressions",
                ));
            }
        }
        if let Some(names) = &self.names {
            if names.is_empty() {
                return Err(ApiError::validation("ExpressionAttributeNames must not be empty"));
            }
            for (key, value) in names {
                if !valid_key(key, '#') {
                    return Err(ApiError::validation(format!(
                        "ExpressionAttributeNames contains invalid key: Syntax error; key: \"{key}\""
                    )));
                }
                if value.is_empty() {
                    return Err(ApiError::validation(format!(
                        "ExpressionAttributeNames contains invalid value: Empty attribute name for key {key}"
                    )));
                }
                // DynamoDB Local's words (probed 2026-12-05), in the family of the empty name's.
                if value.len() > MAX_ATTRIBUTE_NAME_BYTES {
                    return Err(ApiError::validation(format!(
                        "ExpressionAttributeNames contains invalid value: {ATTRIBUTE_NAME_TOO_LARGE} for key {key}"
                    )));
                }
            }
        }
        if let Some(values) = &self.values {
            if values.is_empty() {
                return Err(ApiError::validation("ExpressionAttributeValues must not be empty"));
            }
            Self::check_value_keys(values.keys())?;
        }
        Ok(())
    }

    /// `ExpressionAttributeValues` keys: `:` and letters, digits or `_`.
    pub fn check_value_keys<'k>(keys: impl IntoIterator<Item = &'k String>) -> ApiResult<()> {
        match keys.into_iter().find(|key| !valid_key(key, ':')) {
            Some(key) => Err(ApiError::validation(format!(
                "ExpressionAttributeValues contains invalid key: Syntax error; key: \"{key}\""
            ))),
            None => Ok(()),
        }
    }

    /// Resolves `#name`, recording the use.
    pub fn name(&mut self, placeholder: &str) -> Option<String> {
        let found = self.names.as_ref()?.get(placeholder)?.clone();
        self.used_names.insert(placeholder.to_string());
        Some(found)
    }

    /// Resolves `:value`, recording the use.
    pub fn value(&mut self, placeholder: &str) -> Option<AttributeValue> {
        let found = self.values.as_ref()?.get(placeholder)?.clone();
        self.used_values.insert(placeholder.to_string());
        Some(found)
    }

    /// After every expression of the request is parsed: entries nobody used.
    pub fn check_all_used(&self) -> ApiResult<()> {
        let unused = |all: Option<Vec<&String>>, used: &BTreeSet<String>| -> Vec<String> {
            all.unwrap_or_default().into_iter().filter(|k| !used.contains(*k)).cloned().collect()
        };
        let names = unused(self.names.as_ref().map(|m| m.keys().collect()), &self.used_names);
        if !names.is_empty() {
            return Err(ApiError::validation(format!(
                "Value provided in ExpressionAttributeNames unused in expressions: keys: {{{}}}",
                names.join(", ")
            )));
        }
        let values = unused(self.values.as_ref().map(|m| m.keys().collect()), &self.used_values);
        if !values.is_empty() {
            return Err(ApiError::validation(format!(
                "Value provided in ExpressionAttributeValues unused in expressions: keys: {{{}}}",
                values.join(", ")
            )));
        }
        Ok(())
    }
}
