//! The parts of a single-item request, wherever one appears (PutItem,
//! GetItem, DeleteItem, UpdateItem, batch requests and transaction
//! elements): the table and item or key, the condition, the projection, the
//! update, what a write returns, and the rules every new version of an item
//! must meet. Operations share these through this module rather than
//! through each other.

use crate::error::{ApiError, ApiResult};
use crate::expr::projection::project;
use crate::expr::request as expr_request;
use crate::expr::{Condition, ExpressionAttributes, Projection, UpdateExpression};
use crate::input::{
    Input, RequestEnum, ReturnConsumedCapacity, ReturnItemCollectionMetrics, ReturnValues,
    ReturnValuesOnConditionCheckFailure, Violations,
};
use crate::state::State;
use crate::storage::{Table, TableDef};
use crate::types::key::{MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES};
use crate::types::{item_size, Item, KeyAttribute, KeyValue, ScalarType};
use std::sync::Arc;

/// DynamoDB's maximum item size, names included.
pub const MAX_ITEM_BYTES: usize = 400 * 1024;

/// The parameters of an UpdateItem that carry expressions, in DynamoDB's message order.
const UPDATE_EXPRESSIONS: [&str; 2] = ["UpdateExpression", "ConditionExpression"];
/// The legacy parameters they replace.
const UPDATE_LEGACY: [&str; 3] = ["AttributeUpdates", "ConditionalOperator", "Expected"];

/// The condition of a PutItem / DeleteItem: `ConditionExpression` or the
/// legacy `Expected` + `ConditionalOperator`, with its names and values.
pub fn write_condition(input: &Input) -> ApiResult<Option<Condition>> {
    let expressions = ["ConditionExpression"];
    expr_request::check_parameter_styles(input, &["ConditionalOperator", "Expected"], &expressions)?;
    let mut attrs = expr_request::read_attributes(input, &expressions, true)?;
    let condition = expr_request::read_condition(input, &mut attrs)?;
    attrs.check_all_used()?;
    Ok(condition)
}

/// The projection of a GetItem: `ProjectionExpression` or `AttributesToGet`.
pub fn read_projection(input: &Input) -> ApiResult<Option<Projection>> {
    let expressions = ["ProjectionExpression"];
    expr_request::check_parameter_styles(input, &["AttributesToGet"], &expressions)?;
    let mut attrs: ExpressionAttributes = expr_request::read_attributes(input, &expressions, false)?;
    let projection = expr_request::read_projection(input, &mut attrs)?;
    attrs.check_all_used()?;
    Ok(projection)
}

/// Checks a new version of an item before it is stored, whatever the write
/// path (PutItem, UpdateItem, batches, transactions): every write path calls
/// this so the rules live in one place.
pub fn validate_new_item(def: &TableDef, item: &Item) -> ApiResult<()> {
    if item_size(item) > MAX_ITEM_BYTES {
        return Err(ApiError::validation("Item size has exceeded the maximum allowed size"));
    }
    validate_index_keys(def, item)?;
    super::vector_indexes::validate_item(def, item)
}

/// Secondary index key attributes an item carries must have the type of the
/// index key and must not be empty: otherwise the item could not be indexed.
fn validate_index_keys(def: &TableDef, item: &Item) -> ApiResult<()> {
    for index in def.global_indexes.iter().chain(&def.local_indexes) {
        let schema = &index.key_schema;
        let partition_count = schema.partition_attributes().count();
        for (position, attr) in schema.attributes().enumerate() {
            let Some(value) = item.get(&attr.name) else { continue };
            let key = KeyValue::from_attribute(value).filter(|k| k.scalar_type() == attr.kind);
            let Some(key) = key else {
                // DynamoDB Local 3.3 names neither attribute nor index for a multi-attribute key.
                if schema.is_composite() {
                    return Err(ApiError::validation(
                        "One or more parameter values were invalid: Type mismatch for Index Key",
                    ));
                }
                return Err(ApiError::validation(format!(
                    "One or more parameter values were invalid: Type mismatch for Index Key {} Expected: {} Actual: {} IndexName: {}",
                    attr.name,
                    attr.kind.as_str(),
                    value.type_name(),
                    index.name
                )));
            };
            if key.size() == 0 && key.scalar_type() != ScalarType::N {
                let what = if key.scalar_type() == ScalarType::S { "string" } else { "binary" };
                return Err(ApiError::validation(format!(
                    "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty {what} value. IndexName: {}, IndexKey: {}",
                    index.name, attr.name
                )));
            }
            // Index keys have the table's key size limits (partition, then sort).
            let limit = if position < partition_count { MAX_PARTITION_KEY_BYTES } else { MAX_SORT_KEY_BYTES };
            if key.size() > limit {
                return Err(ApiError::validation("One or more parameter values were invalid: Size limit exceeded"));
            }
        }
        if schema.is_composite() {
            check_aggregate_key_size(
                item,
                &index.name,
                "HASH",
                schema.partition_attributes(),
                MAX_PARTITION_KEY_BYTES,
            )?;
            check_aggregate_key_size(item, &index.name, "RANGE", schema.sort_attributes(), MAX_SORT_KEY_BYTES)?;
        }
    }
    Ok(())
}

/// The partition (or sort) attributes of a multi-attribute index key share
/// the limit one attribute has (DynamoDB Local 3.3's check and words).
fn check_aggregate_key_size<'a>(
    item: &Item,
    index: &str,
    kind: &str,
    attrs: impl Iterator<Item = &'a KeyAttribute>,
    limit: usize,
) -> ApiResult<()> {
    let present: Vec<(&str, usize)> =
        attrs.filter_map(|a| item.get(&a.name).map(|v| (a.name.as_str(), v.size()))).collect();
    let total: usize = present.iter().map(|(_, size)| size).sum();
    if total > limit {
        let names: Vec<&str> = present.iter().map(|(name, _)| *name).collect();
        return Err(ApiError::validation(format!(
            "Aggregate size for {kind} key attributes {} of index {index} has exceeded limit {limit} bytes, with actual size {total} bytes",
            names.join(", ")
        )));
    }
    Ok(())
}

/// `TableName` and the `Item` or `Key` (`member`, reported as `path`) a
/// single-item request starts with, in DynamoDB's violation order. Both are
/// present once the violations are finished.
pub fn table_and_item<'a>(
    input: &Input<'a>,
    member: &str,
    path: &str,
    v: &mut Violations,
) -> ApiResult<(Option<&'a str>, Option<Item>)> {
    let table_name = input.str("TableName")?;
    v.table_name("tableName", table_name);
    let item = input.item(member)?;
    v.not_null(path, &item);
    Ok((table_name, item))
}

/// What a single-item write (PutItem, UpdateItem, DeleteItem) may ask back,
/// read in DynamoDB's violation order.
pub struct WriteOptions {
    pub return_values: ReturnValues,
    pub capacity: ReturnConsumedCapacity,
    pub collection_metrics: ReturnItemCollectionMetrics,
    pub on_condition_failure: ReturnValuesOnConditionCheckFailure,
}

impl WriteOptions {
    /// PutItem's and DeleteItem's members in DynamoDB's violation order
    /// (dynalite's "incorrect attributes" tests, asserted against DynamoDB):
    /// ReturnConsumedCapacity, TableName, PutItem's `Item`, ReturnValues,
    /// ReturnItemCollectionMetrics, then DeleteItem's `Key`.
    pub fn read_with_item<'a>(
        input: &Input<'a>,
        member: &str,
        path: &str,
        v: &mut Violations,
    ) -> ApiResult<(Option<&'a str>, Option<Item>, WriteOptions)> {
        let capacity = ReturnConsumedCapacity::read(input, v)?.unwrap_or_default();
        let table_name = input.str("TableName")?;
        v.table_name("tableName", table_name);
        let item_first = member == "Item";
        let mut item = None;
        if item_first {
            item = input.item(member)?;
            v.not_null(path, &item);
        }
        let return_values = ReturnValues::read(input, v)?.unwrap_or_default();
        let collection_metrics = ReturnItemCollectionMetrics::read(input, v)?.unwrap_or_default();
        let on_condition_failure = ReturnValuesOnConditionCheckFailure::read(input, v)?.unwrap_or_default();
        if !item_first {
            item = input.item(member)?;
            v.not_null(path, &item);
        }
        Ok((table_name, item, WriteOptions { return_values, capacity, collection_metrics, on_condition_failure }))
    }

    /// PutItem and DeleteItem can only return the old item (checked after
    /// the constraint violations). DynamoDB's message (dynalite's putItem.js,
    /// asserted against DynamoDB); DynamoDB Local's is "Return values set to
    /// invalid value".
    pub fn check_old_values_only(&self) -> ApiResult<()> {
        match self.return_values {
            ReturnValues::None | ReturnValues::AllOld => Ok(()),
            _ => Err(ApiError::validation("ReturnValues can only be ALL_OLD or NONE")),
        }
    }

    /// Whether a failed condition answers with the item it was checked against.
    pub fn return_old_on_failure(&self) -> bool {
        self.on_condition_failure == ReturnValuesOnConditionCheckFailure::AllOld
    }

    pub fn wants_collection_metrics(&self) -> bool {
        self.collection_metrics == ReturnItemCollectionMetrics::Size
    }
}

/// UpdateItem's mix of legacy and expression parameters and its attribute
/// names or values without an expression, checked (as DynamoDB does) before
/// the key's values: dynalite's updateItem.js "expression and
/// non-expression" tests, asserted against DynamoDB.
pub fn check_update_parameter_use(input: &Input) -> ApiResult<()> {
    expr_request::check_parameter_styles(input, &UPDATE_LEGACY, &UPDATE_EXPRESSIONS)?;
    if !UPDATE_EXPRESSIONS.iter().any(|e| input.has(e)) {
        if input.has("ExpressionAttributeNames") {
            return Err(ApiError::validation("ExpressionAttributeNames can only be specified when using expressions"));
        }
        if input.has("ExpressionAttributeValues") {
            return Err(ApiError::validation(
                "ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and ConditionExpression are null",
            ));
        }
    }
    Ok(())
}

/// The table a request names; when it is missing, the request's expression
/// parameters (a write's update and condition, GetItem's projection) are
/// checked first: DynamoDB validates them before looking for the table
/// (dynalite's putItem.js, deleteItem.js, getItem.js and updateItem.js,
/// asserted against DynamoDB, on a missing table). On an existing table they
/// are reported after the key's faults, as before.
pub fn serving_table_after<T>(
    state: &State,
    name: &str,
    expressions: impl FnOnce() -> ApiResult<T>,
) -> ApiResult<Arc<Table>> {
    state.serving_table(name).or_else(|missing| {
        expressions()?;
        Err(missing)
    })
}

/// The update and the condition of an UpdateItem (or of a transaction's
/// Update), from expressions or legacy parameters, with every name and value
/// checked for use.
pub fn read_update_and_condition(input: &Input) -> ApiResult<(UpdateExpression, Option<Condition>)> {
    expr_request::check_parameter_styles(input, &UPDATE_LEGACY, &UPDATE_EXPRESSIONS)?;
    let mut attrs = expr_request::read_attributes(input, &UPDATE_EXPRESSIONS, true)?;
    // The update before the condition, legacy `AttributeUpdates` before
    // `Expected` too: DynamoDB's order (dynalite's updateItem.js, "should
    // return ValidationException if update has no value", asserted against
    // DynamoDB); DynamoDB Local checks Expected first (known difference
    // `update-item-check-order`).
    let update = expr_request::read_update(input, &mut attrs)?.unwrap_or_default();
    let condition = expr_request::read_condition(input, &mut attrs)?;
    attrs.check_all_used()?;
    Ok((update, condition))
}

/// Which attributes a read of one item returns (a Get of a transaction, a
/// table's reads in a batch): a `ProjectionExpression` or the legacy
/// `AttributesToGet`, compiled by the `expr` module (`None`: all of them).
pub struct ReadProjection {
    projection: Option<Projection>,
}

impl ReadProjection {
    /// Reads and compiles the projection of a Get / KeysAndAttributes
    /// structure: syntax errors and unused names fail the request.
    pub fn from_request(request: &Input) -> ApiResult<ReadProjection> {
        Ok(ReadProjection { projection: read_projection(request)? })
    }

    pub fn apply(&self, item: &Item) -> Item {
        match &self.projection {
            Some(p) => project(item, p),
            None => item.clone(),
        }
    }
}
