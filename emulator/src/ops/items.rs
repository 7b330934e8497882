//! Single-item operations: PutItem, GetItem, DeleteItem.

use super::capacity::{read_units, Consumed};
use super::collections;
use super::item_request::{read_projection, return_values, validate_new_item, write_condition};
use super::reply::{item_response, Reply};
use crate::error::{ApiError, ApiResult};
use crate::expr::projection;
use crate::expr::request::{self as expr_request, check_condition};
use crate::input::{return_consumed_capacity, Input, Violations};
use crate::state::State;
use crate::storage::StoredItem;
use crate::types::Item;

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
    let table = state.serving_table(name.unwrap_or_default())?;
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
    let table = state.serving_table(name.unwrap_or_default())?;
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
    let table = state.serving_table(name.unwrap_or_default())?;
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
