//! Single-item operations: PutItem, GetItem, DeleteItem. Each reads its
//! request into a typed value (the constraint violations, in DynamoDB's
//! order), then acts on the table.
//!
//! Expressions are parsed once the table is found but reported after the
//! key's faults, as DynamoDB orders them: a request keeps its `Input` to
//! parse them when asked.

use super::capacity::{read_units, Consumed};
use super::collections;
use super::item_request::{
    read_projection, serving_table_after, table_and_item, validate_new_item, write_condition, WriteOptions,
};
use super::reply::{item_response, Reply};
use crate::error::ApiResult;
use crate::expr::request::check_condition;
use crate::expr::{projection, Condition, Projection};
use crate::input::{Input, RequestEnum, ReturnConsumedCapacity, ReturnValues, Violations};
use crate::state::State;
use crate::storage::StoredItem;
use crate::types::Item;

/// A PutItem request, validated but for its condition.
pub struct PutItemRequest<'a> {
    input: Input<'a>,
    pub table_name: &'a str,
    pub item: Item,
    pub options: WriteOptions,
}

impl<'a> PutItemRequest<'a> {
    pub fn read(input: Input<'a>) -> ApiResult<PutItemRequest<'a>> {
        let mut v = Violations::new();
        let (table_name, item, options) = WriteOptions::read_with_item(&input, "Item", "item", &mut v)?;
        v.finish()?;
        options.check_old_values_only()?;
        Ok(PutItemRequest {
            input,
            table_name: table_name.unwrap_or_default(),
            item: item.unwrap_or_default(),
            options,
        })
    }

    /// `ConditionExpression` or `Expected`, with its names and values.
    pub fn condition(&self) -> ApiResult<Option<Condition>> {
        write_condition(&self.input)
    }
}

pub fn put_item(state: &State, input: Input) -> ApiResult<Reply> {
    let request = PutItemRequest::read(input)?;
    let options = &request.options;
    let table = serving_table_after(state, request.table_name, || request.condition())?;
    // Parsed before the table is locked (a shorter hold under concurrent writes).
    let condition = request.condition();
    let mut guard = table.inner.write();
    let key = guard.def.key_schema.key_from_item(&request.item)?;
    let condition = condition?;
    validate_new_item(&guard.def, &request.item)?;
    let old = guard.data.get(&key);
    check_condition(condition.as_ref(), old.as_ref(), options.return_old_on_failure())?;
    // Table and index writes, as DynamoDB charges them.
    let consumed = Consumed::write(&guard.def, old.as_ref(), Some(&request.item), false);
    let partition = options.wants_collection_metrics().then(|| key.partition());
    guard.data.put_over(key, request.item, old.as_ref());
    let metrics = partition.and_then(|p| collections::metrics(&guard.def, &guard.data, &p));
    drop(guard);
    let old = old.filter(|_| options.return_values == ReturnValues::AllOld);
    Ok(item_response("Attributes", old.as_ref(), consumed.to_json(options.capacity), metrics))
}

/// A GetItem request, validated but for its projection.
pub struct GetItemRequest<'a> {
    input: Input<'a>,
    pub table_name: &'a str,
    pub key: Item,
    pub consistent: bool,
    pub capacity: ReturnConsumedCapacity,
}

impl<'a> GetItemRequest<'a> {
    pub fn read(input: Input<'a>) -> ApiResult<GetItemRequest<'a>> {
        // DynamoDB's violation order (dynalite's getItem.js "incorrect
        // attributes", asserted against DynamoDB): ReturnConsumedCapacity,
        // AttributesToGet, TableName, Key.
        let mut v = Violations::new();
        let capacity = ReturnConsumedCapacity::read(&input, &mut v)?.unwrap_or_default();
        v.attributes_to_get("attributesToGet", input.strings("AttributesToGet")?.as_deref());
        let (table_name, key) = table_and_item(&input, "Key", "key", &mut v)?;
        let consistent = input.bool("ConsistentRead")?.unwrap_or(false);
        v.finish()?;
        let (table_name, key) = (table_name.unwrap_or_default(), key.unwrap_or_default());
        Ok(GetItemRequest { input, table_name, key, consistent, capacity })
    }

    /// `ProjectionExpression` or `AttributesToGet`.
    pub fn projection(&self) -> ApiResult<Option<Projection>> {
        read_projection(&self.input)
    }
}

pub fn get_item(state: &State, input: Input) -> ApiResult<Reply> {
    let request = GetItemRequest::read(input)?;
    let table = serving_table_after(state, request.table_name, || request.projection())?;
    let guard = table.inner.read();
    let key = guard.def.key_schema.key_from_request(&request.key)?;
    let projection = request.projection()?;
    // Written under the read lock, straight from the stored bytes when the
    // whole item is asked for: no copy of the item is made.
    let stored = guard.data.items.get(&key);
    // Reads are charged for the whole item, whatever the projection keeps.
    let units = read_units(stored.map_or(0, StoredItem::size), request.consistent);
    let consumed = Consumed::table(&guard.def.name, units).to_json(request.capacity);
    let response = match (stored, projection) {
        (Some(stored), Some(p)) => {
            let projected = projection::project(&stored.decode(), &p);
            item_response("Item", Some(&projected), consumed, None)
        }
        (stored, None) => item_response("Item", stored, consumed, None),
        (None, Some(_)) => item_response::<Item>("Item", None, consumed, None),
    };
    drop(guard);
    Ok(response)
}

/// A DeleteItem request, validated but for its condition.
pub struct DeleteItemRequest<'a> {
    input: Input<'a>,
    pub table_name: &'a str,
    pub key: Item,
    pub options: WriteOptions,
}

impl<'a> DeleteItemRequest<'a> {
    pub fn read(input: Input<'a>) -> ApiResult<DeleteItemRequest<'a>> {
        let mut v = Violations::new();
        let (table_name, key, options) = WriteOptions::read_with_item(&input, "Key", "key", &mut v)?;
        v.finish()?;
        options.check_old_values_only()?;
        Ok(DeleteItemRequest {
            input,
            table_name: table_name.unwrap_or_default(),
            key: key.unwrap_or_default(),
            options,
        })
    }

    /// `ConditionExpression` or `Expected`, with its names and values.
    pub fn condition(&self) -> ApiResult<Option<Condition>> {
        write_condition(&self.input)
    }
}

pub fn delete_item(state: &State, input: Input) -> ApiResult<Reply> {
    let request = DeleteItemRequest::read(input)?;
    let options = &request.options;
    let table = serving_table_after(state, request.table_name, || request.condition())?;
    // Parsed before the table is locked (a shorter hold under concurrent writes).
    let condition = request.condition();
    let mut guard = table.inner.write();
    let key = guard.def.key_schema.key_from_request(&request.key)?;
    let condition = condition?;
    let old = guard.data.get(&key);
    check_condition(condition.as_ref(), old.as_ref(), options.return_old_on_failure())?;
    guard.data.remove_over(&key, old.as_ref());
    let consumed = Consumed::write(&guard.def, old.as_ref(), None, false);
    let metrics = options
        .wants_collection_metrics()
        .then(|| collections::metrics(&guard.def, &guard.data, &key.partition()))
        .flatten();
    drop(guard);
    let old = old.filter(|_| options.return_values == ReturnValues::AllOld);
    Ok(item_response("Attributes", old.as_ref(), consumed.to_json(options.capacity), metrics))
}
