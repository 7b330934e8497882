//! Reading a request body into typed values.
//!
//! A field of the wrong JSON type is a `SerializationException`, as
//! DynamoDB's deserializer reports it. Constraint violations (missing
//! required members, lengths, enums) are collected in [`Violations`] and
//! reported together, in DynamoDB's "N validation errors detected" form.

use crate::error::{ApiError, ApiResult};
use crate::types::value::{json_token, unexpected};
use crate::types::{item_from_json, Item};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

mod enums;
pub use enums::{
    RequestEnum, ReturnConsumedCapacity, ReturnItemCollectionMetrics, ReturnValues,
    ReturnValuesOnConditionCheckFailure, Select,
};

/// A JSON object of the request (the body, or a nested structure).
#[derive(Clone, Copy)]
pub struct Input<'a> {
    obj: &'a Map<String, Value>,
}

static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);

impl<'a> Input<'a> {
    pub fn new(body: &'a Value) -> ApiResult<Input<'a>> {
        match body {
            Value::Object(obj) => Ok(Input { obj }),
            other => Err(unexpected_structure(other)),
        }
    }

    /// An input with no fields (for optional structures that are absent).
    pub fn empty() -> Input<'static> {
        Input { obj: &EMPTY }
    }

    /// A field's raw JSON, treating JSON `null` as absent as DynamoDB does.
    pub fn raw(&self, field: &str) -> Option<&'a Value> {
        self.obj.get(field).filter(|v| !v.is_null())
    }

    pub fn has(&self, field: &str) -> bool {
        self.raw(field).is_some()
    }

    pub fn str(&self, field: &str) -> ApiResult<Option<&'a str>> {
        match self.raw(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(unexpected(other, "String")),
        }
    }

    pub fn bool(&self, field: &str) -> ApiResult<Option<bool>> {
        match self.raw(field) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(unexpected(other, "Boolean")),
        }
    }

    /// An `Integer` member of the API model (`Limit`, `Segment`,
    /// `TotalSegments`, `TopK`, ...): 32 bits.
    pub fn int(&self, field: &str) -> ApiResult<Option<i64>> {
        self.whole_number(field, "Integer", i32::MIN.into(), i32::MAX.into())
    }

    /// A `Long` member (capacity units): 64 bits.
    pub fn long(&self, field: &str) -> ApiResult<Option<i64>> {
        self.whole_number(field, "Long", i64::MIN, i64::MAX)
    }

    /// A number member of the model type `kind`. A fraction is truncated, as
    /// DynamoDB's deserializer does (DynamoDB Local reads `Limit: 1.5` as 1);
    /// a string is refused in DynamoDB's words ("STRING_VALUE cannot be
    /// converted to Integer" for `Limit: "5"`,
    /// https://github.com/dynamodb-toolbox/dynamodb-toolbox/issues/502). A
    /// number the type cannot hold (`Limit: 1e23`) is refused in the same
    /// form: DynamoDB Local fails with InternalFailure there and nothing
    /// records DynamoDB's answer, but it must not read as "no limit".
    fn whole_number(&self, field: &str, kind: &str, min: i64, max: i64) -> ApiResult<Option<i64>> {
        let Some(raw) = self.raw(field) else { return Ok(None) };
        let Value::Number(n) = raw else { return Err(unexpected(raw, kind)) };
        let whole = match n.as_i64() {
            Some(i) => Some(i),
            None => n.as_f64().map(f64::trunc).filter(|f| *f >= min as f64 && *f <= max as f64).map(|f| f as i64),
        };
        match whole {
            Some(i) if (min..=max).contains(&i) => Ok(Some(i)),
            _ => Err(unexpected(raw, kind)),
        }
    }

    pub fn object(&self, field: &str) -> ApiResult<Option<Input<'a>>> {
        match self.raw(field) {
            None => Ok(None),
            Some(Value::Object(obj)) => Ok(Some(Input { obj })),
            Some(other) => Err(unexpected_structure(other)),
        }
    }

    pub fn list(&self, field: &str) -> ApiResult<Option<&'a Vec<Value>>> {
        match self.raw(field) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(Value::Object(_)) => {
                Err(ApiError::serialization("Start of structure or map found where not expected"))
            }
            Some(other) => {
                Err(ApiError::serialization(format!("Unexpected value type in payload: {}", json_token(other))))
            }
        }
    }

    /// A list of structures, each as an [`Input`].
    pub fn objects(&self, field: &str) -> ApiResult<Option<Vec<Input<'a>>>> {
        let Some(list) = self.list(field)? else { return Ok(None) };
        list.iter().map(Input::new).collect::<ApiResult<Vec<_>>>().map(Some)
    }

    /// A list of strings (`AttributesToGet`, `NonKeyAttributes`).
    pub fn strings(&self, field: &str) -> ApiResult<Option<Vec<String>>> {
        let Some(list) = self.list(field)? else { return Ok(None) };
        list.iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(|| unexpected(v, "String")))
            .collect::<ApiResult<Vec<_>>>()
            .map(Some)
    }

    /// A map of attribute values (`Item`, `Key`, `ExpressionAttributeValues`).
    pub fn item(&self, field: &str) -> ApiResult<Option<Item>> {
        self.raw(field).map(item_from_json).transpose()
    }

    /// A map of strings (`ExpressionAttributeNames`).
    pub fn string_map(&self, field: &str) -> ApiResult<Option<BTreeMap<String, String>>> {
        let Some(raw) = self.raw(field) else { return Ok(None) };
        let Value::Object(obj) = raw else { return Err(unexpected(raw, "Map")) };
        obj.iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())).ok_or_else(|| unexpected(v, "String")))
            .collect::<ApiResult<BTreeMap<_, _>>>()
            .map(Some)
    }

    pub fn fields(&self) -> impl Iterator<Item = (&'a String, &'a Value)> {
        self.obj.iter().filter(|(_, v)| !v.is_null())
    }

    /// The first member set to JSON `null`: in a map of the request's own
    /// (`Expected`, `ScanFilter`, ...) DynamoDB refuses it rather than
    /// treating it as absent.
    pub fn null_member(&self) -> Option<&'a String> {
        self.obj.iter().find(|(_, v)| v.is_null()).map(|(k, _)| k)
    }
}

fn unexpected_structure(value: &Value) -> ApiError {
    match value {
        Value::Array(_) => ApiError::serialization("Start of list found where not expected"),
        other => ApiError::serialization(format!("Unexpected value type in payload: {}", json_token(other))),
    }
}

/// Collects constraint violations and reports them the way DynamoDB does:
/// `1 validation error detected: Value 'ab' at 'tableName' failed to satisfy
/// constraint: Member must have length greater than or equal to 3`.
#[derive(Default)]
pub struct Violations {
    found: Vec<String>,
}

/// How a value is shown inside a violation message.
pub fn describe(value: Option<&str>) -> String {
    match value {
        Some(s) => format!("'{s}'"),
        None => "null".to_string(),
    }
}

pub const TABLE_NAME_PATTERN: &str = "[a-zA-Z0-9_.-]+";

pub fn is_valid_name(name: &str) -> bool {
    name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
}

impl Violations {
    pub fn new() -> Violations {
        Violations::default()
    }

    pub fn add(&mut self, value: String, path: &str, constraint: &str) {
        self.found.push(format!("Value {value} at '{path}' failed to satisfy constraint: {constraint}"));
    }

    /// A violation in the form DynamoDB's newer validation gives for some
    /// members, naming the member without echoing its value:
    /// `Value at 'RequestItems' failed to satisfy constraint: ...`.
    pub fn add_unechoed(&mut self, path: &str, constraint: &str) {
        self.found.push(format!("Value at '{path}' failed to satisfy constraint: {constraint}"));
    }

    pub fn not_null<T>(&mut self, path: &str, value: &Option<T>) {
        if value.is_none() {
            self.add("null".into(), path, "Member must not be null");
        }
    }

    /// The rules every table (and index) name follows: 3 to 255 characters of `[a-zA-Z0-9_.-]`.
    pub fn table_name(&mut self, path: &str, name: Option<&str>) {
        match name {
            None => self.add("null".into(), path, "Member must not be null"),
            Some(n) => self.name_rules(path, n, 3, 255),
        }
    }

    pub fn name_rules(&mut self, path: &str, name: &str, min: usize, max: usize) {
        if name.is_empty() || !is_valid_name(name) {
            self.add(
                describe(Some(name)),
                path,
                &format!("Member must satisfy regular expression pattern: {TABLE_NAME_PATTERN}"),
            );
        }
        self.length(path, Some(name), min, max);
    }

    /// A string member's length in characters, when it is present.
    pub fn length(&mut self, path: &str, value: Option<&str>, min: usize, max: usize) {
        let Some(value) = value else { return };
        let len = value.chars().count();
        if len < min {
            self.add(describe(Some(value)), path, &format!("Member must have length greater than or equal to {min}"));
        }
        if len > max {
            self.add(describe(Some(value)), path, &format!("Member must have length less than or equal to {max}"));
        }
    }

    /// `AttributesToGet` given empty: the model's minimum is one name.
    pub fn attributes_to_get(&mut self, path: &str, names: Option<&[String]>) {
        if names.is_some_and(<[String]>::is_empty) {
            self.add("'[]'".into(), path, "Member must have length greater than or equal to 1");
        }
    }

    pub fn one_of(&mut self, path: &str, value: Option<&str>, allowed: &[&str]) {
        if let Some(v) = value {
            if !allowed.contains(&v) {
                self.add(
                    describe(Some(v)),
                    path,
                    &format!("Member must satisfy enum value set: [{}]", allowed.join(", ")),
                );
            }
        }
    }

    pub fn range(&mut self, path: &str, value: Option<i64>, min: i64, max: Option<i64>) {
        if let Some(v) = value {
            if v < min {
                self.add(format!("'{v}'"), path, &format!("Member must have value greater than or equal to {min}"));
            } else if let Some(max) = max.filter(|&m| v > m) {
                self.add(format!("'{v}'"), path, &format!("Member must have value less than or equal to {max}"));
            }
        }
    }

    pub fn finish(self) -> ApiResult<()> {
        if self.found.is_empty() {
            return Ok(());
        }
        let n = self.found.len();
        let plural = if n == 1 { "error" } else { "errors" };
        Err(ApiError::validation(format!("{n} validation {plural} detected: {}", self.found.join("; "))))
    }
}
