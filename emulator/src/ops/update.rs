//! UpdateItem: applies an UpdateExpression (or legacy AttributeUpdates) to
//! one item, creating it when it does not exist, under an optional condition.

use super::capacity::Consumed;
use super::collections;
use super::item_request::{
    check_update_parameter_use, read_update_and_condition, serving_table_after, validate_new_item, WriteOptions,
};
use super::reply::item_response;
use crate::error::ApiResult;
use crate::expr::request::check_condition;
use crate::expr::update::{apply, check_key_attributes, updated_attributes};
use crate::expr::{Condition, UpdateExpression};
use crate::input::{
    Input, RequestEnum, ReturnConsumedCapacity, ReturnItemCollectionMetrics, ReturnValues,
    ReturnValuesOnConditionCheckFailure, Violations,
};
use crate::ops::Reply;
use crate::state::State;
use crate::types::Item;

/// An UpdateItem request, validated but for its expressions (parsed once
/// the table is found, reported after the key's faults, as DynamoDB does).
pub struct UpdateItemRequest<'a> {
    input: Input<'a>,
    pub table_name: &'a str,
    pub key: Item,
    pub options: WriteOptions,
}

impl<'a> UpdateItemRequest<'a> {
    pub fn read(input: Input<'a>) -> ApiResult<UpdateItemRequest<'a>> {
        // DynamoDB's violation order (dynalite's updateItem.js "incorrect
        // attributes", asserted against DynamoDB), then the parameters' mix,
        // then the key's values.
        let mut v = Violations::new();
        let capacity = ReturnConsumedCapacity::read(&input, &mut v)?.unwrap_or_default();
        let table_name = input.str("TableName")?;
        v.table_name("tableName", table_name);
        let collection_metrics = ReturnItemCollectionMetrics::read(&input, &mut v)?.unwrap_or_default();
        let return_values = ReturnValues::read(&input, &mut v)?.unwrap_or_default();
        let on_condition_failure = ReturnValuesOnConditionCheckFailure::read(&input, &mut v)?.unwrap_or_default();
        if !input.has("Key") {
            v.add("null".into(), "key", "Member must not be null");
        }
        v.finish()?;
        check_update_parameter_use(&input)?;
        let key = input.item("Key")?.unwrap_or_default();
        let options = WriteOptions { return_values, capacity, collection_metrics, on_condition_failure };
        Ok(UpdateItemRequest { input, table_name: table_name.unwrap_or_default(), key, options })
    }

    /// The update and the condition, from expressions or legacy parameters.
    pub fn expressions(&self) -> ApiResult<(UpdateExpression, Option<Condition>)> {
        read_update_and_condition(&self.input)
    }
}

pub fn update_item(state: &State, input: Input) -> ApiResult<Reply> {
    let request = UpdateItemRequest::read(input)?;
    let options = &request.options;
    let table = serving_table_after(state, request.table_name, || request.expressions())?;
    // Parsed before the table is locked (a shorter hold under concurrent writes).
    let expressions = request.expressions();
    let mut guard = table.inner.write();
    let key = guard.def.key_schema.key_from_request(&request.key)?;
    let (update, condition) = expressions?;
    check_key_attributes(&update, &guard.def.key_schema)?;
    let old = guard.data.get(&key);
    check_condition(condition.as_ref(), old.as_ref(), options.return_old_on_failure())?;
    if old.is_none() && update.only_deletes() {
        // Removing attributes from an item that does not exist leaves it not
        // existing (DynamoDB; DynamoDB Local creates it: conformance/differences).
        let consumed = Consumed::write(&guard.def, None, None, false);
        return Ok(item_response::<Item>("Attributes", None, consumed.to_json(options.capacity), None));
    }
    let new = apply(&update, old.as_ref().unwrap_or(&request.key))?;
    validate_new_item(&guard.def, &new)?;
    let consumed = Consumed::write(&guard.def, old.as_ref(), Some(&new), false);
    let partition = options.wants_collection_metrics().then(|| key.partition());
    // Taken before the new item moves into the table (copied only when returned).
    let returned = match options.return_values {
        ReturnValues::AllNew => Some(new.clone()),
        ReturnValues::UpdatedOld => old.as_ref().map(|o| updated_attributes(&update, o)),
        ReturnValues::UpdatedNew => Some(updated_attributes(&update, &new)),
        ReturnValues::None | ReturnValues::AllOld => None,
    };
    guard.data.put_over(key, new, old.as_ref());
    let metrics = partition.and_then(|p| collections::metrics(&guard.def, &guard.data, &p));
    drop(guard);
    let attributes = match options.return_values {
        ReturnValues::AllOld => old,
        _ => returned,
    };
    let attributes = attributes.filter(|item| !item.is_empty());
    Ok(item_response("Attributes", attributes.as_ref(), consumed.to_json(options.capacity), metrics))
}
