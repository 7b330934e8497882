//! UpdateItem: applies an UpdateExpression (or legacy AttributeUpdates) to
//! one item, creating it when it does not exist, under an optional condition.

use super::capacity::Consumed;
use super::collections;
use super::item_request::{read_update_and_condition, return_values, validate_new_item};
use super::reply::item_response;
use crate::error::ApiResult;
use crate::expr::request::{self as expr_request, check_condition};
use crate::expr::update::{apply, check_key_attributes, updated_attributes};
use crate::input::{return_consumed_capacity, Input, Violations};
use crate::ops::Reply;
use crate::state::State;

pub fn update_item(state: &State, input: Input) -> ApiResult<Reply> {
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
    let table = state.serving_table(name.unwrap_or_default())?;
    // Parsed before the table is locked (a shorter hold under concurrent
    // writes); reported in the same order as before.
    let expressions = read_update_and_condition(&input);
    let mut guard = table.inner.write();
    let key_item = key.unwrap_or_default();
    let key = guard.def.key_schema.key_from_request(&key_item)?;
    let (update, condition) = expressions?;
    check_key_attributes(&update, &guard.def.key_schema)?;
    let old = guard.data.get(&key);
    check_condition(condition.as_ref(), old.as_ref(), old_on_failure)?;
    let new = apply(&update, old.as_ref().unwrap_or(&key_item))?;
    validate_new_item(&guard.def, &new)?;
    let consumed = Consumed::write(&guard.def, old.as_ref(), Some(&new), false);
    let partition = collection_metrics.then(|| key.partition());
    // Taken before the new item moves into the table (copied only when returned).
    let returned = match return_values {
        "ALL_NEW" => Some(new.clone()),
        "UPDATED_OLD" => old.as_ref().map(|o| updated_attributes(&update, o)),
        "UPDATED_NEW" => Some(updated_attributes(&update, &new)),
        _ => None,
    };
    guard.data.put_over(key, new, old.as_ref());
    let metrics = partition.and_then(|p| collections::metrics(&guard.def, &guard.data, &p));
    drop(guard);
    let attributes = if return_values == "ALL_OLD" { old } else { returned }.filter(|item| !item.is_empty());
    Ok(item_response("Attributes", attributes.as_ref(), consumed.to_json(capacity), metrics))
}
