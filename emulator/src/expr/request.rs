//! Reading the expression parameters of a request, shared by every
//! operation that takes them (PutItem, UpdateItem, DeleteItem, GetItem,
//! Query, Scan, batches, transactions).

use super::ast::{Condition, Projection, UpdateExpression};
use super::names::ExpressionAttributes;
use super::{parse_condition, parse_projection, parse_update, ExpressionKind};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::input::Input;
use crate::types::value::NULL_ATTRIBUTE_VALUE;
use crate::types::{item_to_json, AttributeValue, Item};
use serde_json::json;

/// Rejects a request mixing legacy parameters (`Expected`, `AttributesToGet`,
/// ...) with expression parameters, as DynamoDB does. Returns whether the
/// request uses expressions. Both lists name parameters in DynamoDB's order
/// for the message (alphabetical).
pub fn check_parameter_styles(input: &Input, legacy: &[&str], expressions: &[&str]) -> ApiResult<bool> {
    let present =
        |names: &[&str]| -> Vec<String> { names.iter().filter(|n| input.has(n)).map(|n| n.to_string()).collect() };
    let (old, new) = (present(legacy), present(expressions));
    if !old.is_empty() && !new.is_empty() {
        return Err(ApiError::validation(format!(
            "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {{{}}} Expression parameters: {{{}}}",
            old.join(", "),
            new.join(", ")
        )));
    }
    Ok(!new.is_empty())
}

/// Reads `ExpressionAttributeNames` (and `ExpressionAttributeValues` when the
/// operation has them) for a request whose expression parameters are
/// `expressions` (for the "can only be specified" message, e.g.
/// `["UpdateExpression", "ConditionExpression"]`).
pub fn read_attributes(input: &Input, expressions: &[&str], with_values: bool) -> ApiResult<ExpressionAttributes> {
    let uses = expressions.iter().any(|e| input.has(e));
    let names = read_names(input)?;
    let values = if with_values { read_values(input)? } else { None };
    if !uses {
        if names.is_some() {
            return Err(ApiError::validation("ExpressionAttributeNames can only be specified when using expressions"));
        }
        if values.is_some() {
            let verb = if expressions.len() == 1 { "is" } else { "are" };
            return Err(ApiError::validation(format!(
                "ExpressionAttributeValues can only be specified when using expressions: {} {verb} null",
                expressions.join(" and ")
            )));
        }
    }
    let attrs = ExpressionAttributes::new(names, values);
    attrs.validate(true)?;
    Ok(attrs)
}

/// `ExpressionAttributeNames`; a `null` name is refused with its key, as
/// DynamoDB Local answers it (probed 2026-12-05), not dropped.
fn read_names(input: &Input) -> ApiResult<Option<std::collections::BTreeMap<String, String>>> {
    if let Some(serde_json::Value::Object(map)) = input.raw("ExpressionAttributeNames") {
        if let Some((key, _)) = map.iter().find(|(_, v)| v.is_null()) {
            return Err(ApiError::validation(format!(
                "ExpressionAttributeNames contains invalid value: null for key {key}"
            )));
        }
    }
    input.string_map("ExpressionAttributeNames")
}

/// `ExpressionAttributeValues`; an invalid value is reported with its key.
fn read_values(input: &Input) -> ApiResult<Option<Item>> {
    let Some(raw) = input.raw("ExpressionAttributeValues") else { return Ok(None) };
    let serde_json::Value::Object(map) = raw else { return input.item("ExpressionAttributeValues") };
    // Every key before any value: DynamoDB's order (dynalite's updateItem.js,
    // "should return ValidationException for invalid keys in
    // ExpressionAttributeValues", asserted against DynamoDB).
    ExpressionAttributes::check_value_keys(map.keys())?;
    let mut values = Item::new();
    for (key, value) in map {
        if value.is_null() {
            return Err(ApiError::validation(format!(
                "ExpressionAttributeValues contains invalid value: {NULL_ATTRIBUTE_VALUE} for key {key}"
            )));
        }
        let decoded = AttributeValue::from_json(value).map_err(|e| match e.kind {
            // A constraint violation (a name over 64 KB) is reported as such, unwrapped (ExtendDB#365).
            ErrorKind::Validation if e.message.starts_with("1 validation error detected") => e,
            ErrorKind::Validation => ApiError::validation(format!(
                "ExpressionAttributeValues contains invalid value: {} for key {key}",
                e.message
            )),
            _ => e,
        })?;
        values.insert(key.clone(), decoded);
    }
    Ok(Some(values))
}

/// The condition of a write: `ConditionExpression`, or the legacy
/// `Expected` / `ConditionalOperator`. `None` when the request has none.
pub fn read_condition(input: &Input, attrs: &mut ExpressionAttributes) -> ApiResult<Option<Condition>> {
    if input.has("ConditionExpression") {
        return read_condition_expression(input, attrs);
    }
    super::legacy::expected(input)
}

/// The update of an UpdateItem: `UpdateExpression`, or the legacy
/// `AttributeUpdates`. `None` when the request has neither.
pub fn read_update(input: &Input, attrs: &mut ExpressionAttributes) -> ApiResult<Option<UpdateExpression>> {
    match input.str("UpdateExpression")? {
        Some(src) => parse_update(src, attrs).map(Some),
        None => super::legacy::attribute_updates(input),
    }
}

/// `ConditionExpression` alone.
pub fn read_condition_expression(input: &Input, attrs: &mut ExpressionAttributes) -> ApiResult<Option<Condition>> {
    match input.str("ConditionExpression")? {
        Some(src) => parse_condition(ExpressionKind::Condition, src, attrs).map(Some),
        None => Ok(None),
    }
}

/// `ProjectionExpression`, or `AttributesToGet` turned into a projection.
pub fn read_projection(input: &Input, attrs: &mut ExpressionAttributes) -> ApiResult<Option<Projection>> {
    if let Some(src) = input.str("ProjectionExpression")? {
        return parse_projection(src, attrs).map(Some);
    }
    let Some(names) = input.strings("AttributesToGet")? else { return Ok(None) };
    if names.is_empty() {
        // An empty list means "all attributes".
        return Ok(None);
    }
    let mut seen = std::collections::BTreeSet::new();
    for name in &names {
        if !seen.insert(name.as_str()) {
            // DynamoDB's words (dynalite's tests; DynamoDB Local: "Cannot have
            // two attributes with the same name").
            return Err(ApiError::validation(format!(
                "One or more parameter values were invalid: Duplicate value in attribute name: {name}"
            )));
        }
    }
    Ok(Some(Projection { paths: names.iter().map(|n| super::DocPath::attribute(n)).collect() }))
}

/// DynamoDB's answer to a failed condition; with
/// `ReturnValuesOnConditionCheckFailure=ALL_OLD` it carries the current item.
pub fn condition_failed(current: Option<&Item>, return_item: bool) -> ApiError {
    let error = ApiError::new(ErrorKind::ConditionalCheckFailed, "The conditional request failed");
    match current {
        Some(item) if return_item => error.with_extra(json!({ "Item": item_to_json(item) })),
        _ => error,
    }
}

/// Checks `condition` (if any) against the current item.
pub fn check_condition(condition: Option<&Condition>, current: Option<&Item>, return_item: bool) -> ApiResult<()> {
    match condition {
        Some(c) if !super::eval::evaluate(c, current) => Err(condition_failed(current, return_item)),
        _ => Ok(()),
    }
}
