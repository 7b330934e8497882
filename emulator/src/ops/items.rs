//! Single-item operations: PutItem, GetItem, DeleteItem.

use super::capacity::{read_units, Consumed};
use super::collections;
use super::input::{return_consumed_capacity, Input, Violations};
use crate::error::{ApiError, ApiResult};
use crate::expr::request::{self as expr_request, check_condition};
use crate::expr::{projection, Condition, ExpressionAttributes};
use crate::ops::reply::{ItemJson, ObjectWriter, Reply};
use crate::state::State;
use crate::storage::{StoredItem, Table, TableDef};
use crate::types::key::{MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES};
use crate::types::{item_size, Item, KeyValue, ScalarType};
use serde_json::Value;
use std::sync::Arc;

/// DynamoDB's maximum item size, names included.
pub const MAX_ITEM_BYTES: usize = 400 * 1024;

pub fn put_item(state: &State, input: Input) -> ApiResult<Reply> {
    let mut v = Violations::new();
    let name = input.str("TableName")?;
    v.table_name("tableName", name);
    let item = input.item("Item")?;
    v.not_null("item", &item);
    let return_values = return_values(&input, &mut v)?;
    let capacity = return_consumed_capacity(&input, &mut v)?;
    let collection_metrics = collections::requested(&input, &mut v)?;
    let old_on_failure = expr_request::return_old_on_failure(&input, &mut v)?;
    v.finish()?;
    if !matches!(return_values, "NONE" | "ALL_OLD") {
        return Err(ApiError::validation("Return values set to invalid value"));
    }
    let item = item.unwrap_or_default();
    let table = table(state, name)?;
    // Parsed before the table is locked (a shorter hold under concurrent
    // writes); reported in the same order as before.
    let condition = write_condition(&input);
    let mut guard = table.inner.write();
    let key = guard.def.key_schema.key_from_item(&item)?;
    let condition = condition?;
    validate_new_item(&guard.def, &item)?;
    let old = guard.data.get(&key);
    check_condition(condition.as_ref(), old.as_ref(), old_on_failure)?;
    // Table and index writes, as DynamoDB charges them.
    let consumed = Consumed::write(&guard.def, old.as_ref(), Some(&item), false);
    let partition = collection_metrics.then(|| key.partition());
    guard.data.put_over(key, item, old.as_ref());
    let metrics = partition.and_then(|p| collections::metrics(&guard.def, &guard.data, &p));
    drop(guard);
    let old = old.filter(|_| return_values == "ALL_OLD");
    Ok(item_response("Attributes", old.as_ref(), consumed.to_json(capacity), metrics))
}

pub fn get_item(state: &State, input: Input) -> ApiResult<Reply> {
    let mut v = Violations::new();
    let name = input.str("TableName")?;
    v.table_name("tableName", name);
    let key = input.item("Key")?;
    v.not_null("key", &key);
    let consistent = input.bool("ConsistentRead")?.unwrap_or(false);
    let capacity = return_consumed_capacity(&input, &mut v)?;
    v.finish()?;
    let table = table(state, name)?;
    let guard = table.inner.read();
    let key = guard.def.key_schema.key_from_request(&key.unwrap_or_default())?;
    let projection = read_projection(&input)?;
    // Written under the read lock, straight from the stored bytes when the
    // whole item is asked for: no copy of the item is made.
    let stored = guard.data.items.get(&key);
    // Reads are charged for the whole item, whatever the projection keeps.
    let consumed = Consumed::table(&guard.def.name, read_units(stored.map_or(0, StoredItem::size), consistent));
    let response = match (stored, projection) {
        (Some(stored), Some(p)) => {
            let projected = projection::project(&stored.decode(), &p);
            item_response("Item", Some(&projected), consumed.to_json(capacity), None)
        }
        (stored, None) => item_response("Item", stored, consumed.to_json(capacity), None),
        (None, Some(_)) => item_response::<Item>("Item", None, consumed.to_json(capacity), None),
    };
    drop(guard);
    Ok(response)
}

pub fn delete_item(state: &State, input: Input) -> ApiResult<Reply> {
    let mut v = Violations::new();
    let name = input.str("TableName")?;
    v.table_name("tableName", name);
    let key = input.item("Key")?;
    v.not_null("key", &key);
    let return_values = return_values(&input, &mut v)?;
    let capacity = return_consumed_capacity(&input, &mut v)?;
    let collection_metrics = collections::requested(&input, &mut v)?;
    let old_on_failure = expr_request::return_old_on_failure(&input, &mut v)?;
    v.finish()?;
    if !matches!(return_values, "NONE" | "ALL_OLD") {
        return Err(ApiError::validation("Return values set to invalid value"));
    }
    let table = table(state, name)?;
    // Parsed before the table is locked (a shorter hold under concurrent
    // writes); reported in the same order as before.
    let condition = write_condition(&input);
    let mut guard = table.inner.write();
    let key = guard.def.key_schema.key_from_request(&key.unwrap_or_default())?;
    let condition = condition?;
    let old = guard.data.get(&key);
    check_condition(condition.as_ref(), old.as_ref(), old_on_failure)?;
    guard.data.remove_over(&key, old.as_ref());
    let consumed = Consumed::write(&guard.def, old.as_ref(), None, false);
    let metrics = collection_metrics.then(|| collections::metrics(&guard.def, &guard.data, &key.partition())).flatten();
    drop(guard);
    let old = old.filter(|_| return_values == "ALL_OLD");
    Ok(item_response("Attributes", old.as_ref(), consumed.to_json(capacity), metrics))
}

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
pub fn read_projection(input: &Input) -> ApiResult<Option<crate::expr::Projection>> {
    let expressions = ["ProjectionExpression"];
    expr_request::check_parameter_styles(input, &["AttributesToGet"], &expressions)?;
    let mut attrs: ExpressionAttributes = expr_request::read_attributes(input, &expressions, false)?;
    let projection = expr_request::read_projection(input, &mut attrs)?;
    attrs.check_all_used()?;
    Ok(projection)
}

/// Looks up the table a data-plane request names. A table that is being
/// created or deleted is not found, as in DynamoDB.
pub fn table(state: &State, name: Option<&str>) -> ApiResult<Arc<Table>> {
    let table = state.table(name.unwrap_or_default()).ok_or_else(ApiError::table_not_found)?;
    let status = crate::lifecycle::table_status(&table.inner.read().def, state.clock.now_millis());
    if !status.serves_items() {
        return Err(ApiError::table_not_found());
    }
    Ok(table)
}

/// Checks a new version of an item before it is stored, whatever the write
/// path (PutItem, UpdateItem, batches, transactions): every write path calls
/// this so the rules live in one place.
pub fn validate_new_item(def: &TableDef, item: &Item) -> ApiResult<()> {
    if item_size(item) > MAX_ITEM_BYTES {
        return Err(ApiError::validation("Item size has exceeded the maximum allowed size"));
    }
    validate_index_keys(def, item)
}

/// Secondary index key attributes an item carries must have the type of the
/// index key and must not be empty: otherwise the item could not be indexed.
fn validate_index_keys(def: &TableDef, item: &Item) -> ApiResult<()> {
    for index in def.global_indexes.iter().chain(&def.local_indexes) {
        for (position, attr) in index.key_schema.attributes().enumerate() {
            let Some(value) = item.get(&attr.name) else { continue };
            let key = KeyValue::from_attribute(value).filter(|k| k.scalar_type() == attr.kind);
            let Some(key) = key else {
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
            let limit = if position == 0 { MAX_PARTITION_KEY_BYTES } else { MAX_SORT_KEY_BYTES };
            if key.size() > limit {
                return Err(ApiError::validation("One or more parameter values were invalid: Size limit exceeded"));
            }
        }
    }
    Ok(())
}

/// `ReturnValues`, checked against DynamoDB's enum (operations narrow it further).
pub fn return_values<'a>(input: &Input<'a>, v: &mut Violations) -> ApiResult<&'a str> {
    let value = input.str("ReturnValues")?;
    v.one_of("returnValues", value, &["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"]);
    Ok(value.unwrap_or("NONE"))
}

/// The answer of a single-item operation: the item (as `field`), consumed
/// capacity and item collection metrics, each when present.
pub fn item_response<T: ItemJson>(
    field: &str,
    item: Option<&T>,
    capacity: Option<Value>,
    metrics: Option<Value>,
) -> Reply {
    let mut out = ObjectWriter::new();
    if let Some(item) = item {
        out.item(field, item);
    }
    if let Some(capacity) = &capacity {
        out.value("ConsumedCapacity", capacity);
    }
    if let Some(metrics) = &metrics {
        out.value("ItemCollectionMetrics", metrics);
    }
    out.finish()
}
