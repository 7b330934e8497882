//! BatchGetItem and BatchWriteItem: up to 100 reads or 25 writes across
//! tables in one request.
//!
//! The whole request is validated before anything is read or written: an
//! invalid request anywhere in the batch fails it all and writes nothing.
//! The tables of a batch are locked together, in name order (the global
//! lock order shared with transactions), so a batch never sees or leaves
//! half of a transaction.

use super::capacity::{Consumed, PerTable};
use super::collections;
use super::item_request::{read_projection, validate_new_item};
use crate::error::{ApiError, ApiResult};
use crate::expr::projection::project;
use crate::expr::Projection;
use crate::input::{return_consumed_capacity, Input, Violations};
use crate::state::State;
use crate::storage::{lock_read, lock_write};
use crate::types::{item_from_json, item_size, item_to_json, Item, PrimaryKey};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashSet};

/// DynamoDB's limits on one batch.
pub const MAX_BATCH_GET_KEYS: usize = 100;
pub const MAX_BATCH_WRITE_REQUESTS: usize = 25;
/// A BatchGetItem response stops growing here; the remaining keys come back in `UnprocessedKeys`.
pub const MAX_BATCH_GET_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// The reads asked of one table.
struct TableReads<'a> {
    name: &'a str,
    request: Input<'a>,
    keys: Vec<&'a Value>,
    consistent: bool,
    projection: ReadProjection,
}

pub fn batch_get_item(state: &State, input: Input) -> ApiResult<Value> {
    let mut v = Violations::new();
    let request_items = input.object("RequestItems")?;
    let mut reads = Vec::new();
    match request_items {
        None => v.not_null("requestItems", &request_items),
        Some(items) if items.fields().next().is_none() => {
            v.add_unechoed("RequestItems", "Member must have length greater than or equal to 1")
        }
        Some(items) => {
            if items.fields().any(|(name, _)| !valid_table_name(name)) {
                v.add(
                    format!("'{}'", input.raw("RequestItems").map(Value::to_string).unwrap_or_default()),
                    "requestItems",
                    MAP_KEYS_TABLE_NAME_CONSTRAINT,
                );
            }
            for (name, raw) in items.fields() {
                let request = Input::new(raw)?;
                let path = format!("requestItems.{name}.member");
                let keys = request.list("Keys")?;

                match keys {
                    None => v.not_null(&format!("{path}.keys"), &keys),
                    Some(k) if k.is_empty() => v.add_unechoed(
                        &format!("RequestItems.{name}.member.Keys"),
                        "Member must have length greater than or equal to 1",
                    ),
                    Some(k) if k.len() > MAX_BATCH_GET_KEYS => v.add_unechoed(
                        &format!("RequestItems.{name}.member.Keys"),
                        &format!("Member must have length less than or equal to {MAX_BATCH_GET_KEYS}"),
                    ),
                    Some(_) => {}
                }
                let consistent = request.bool("ConsistentRead")?.unwrap_or(false);
                reads.push((name, request, keys, consistent));
            }
        }
    }
    let capacity = return_consumed_capacity(&input, &mut v)?;
    v.finish()?;
    // Expression and legacy projections cannot be mixed, even across tables.
    let legacy = reads.iter().any(|(_, r, _, _)| r.has("AttributesToGet"));
    if legacy && reads.iter().any(|(_, r, _, _)| r.has("ProjectionExpression")) {
        return Err(mixed_projection_error());
    }
    let reads = reads
        .into_iter()
        .map(|(name, request, keys, consistent)| {
            Ok(TableReads {
                name,
                request,
                keys: keys.map(|k| k.iter().collect()).unwrap_or_default(),
                consistent,
                projection: ReadProjection::from_request(&request)?,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    if reads.iter().map(|r| r.keys.len()).sum::<usize>() > MAX_BATCH_GET_KEYS {
        return Err(ApiError::validation("Too many items requested for the BatchGetItem call"));
    }
    // Decode every key before looking anything up: bad input fails the whole batch.
    let decoded: Vec<Vec<Item>> =
        reads.iter().map(|r| r.keys.iter().map(|k| item_from_json(k)).collect()).collect::<ApiResult<_>>()?;
    let tables = state.serving_tables(reads.iter().map(|r| r.name))?;
    let guards = lock_read(&tables);

    // Validate all keys (schema, duplicates) before reading.
    let mut keyed: Vec<Vec<PrimaryKey>> = Vec::with_capacity(reads.len());
    for (read, keys) in reads.iter().zip(&decoded) {
        let def = &guards.state(read.name)?.def;
        let mut seen = HashSet::new();
        let mut primary = Vec::with_capacity(keys.len());
        for key in keys {
            let pk = def.key_schema.key_from_request(key)?;
            if !seen.insert(pk.clone()) {
                return Err(ApiError::validation("Provided list of item keys contains duplicates"));
            }
            primary.push(pk);
        }
        keyed.push(primary);
    }

    let mut responses = Map::new();
    let mut unprocessed = Map::new();
    let mut consumed = PerTable::default();
    let mut response_bytes = 0usize;
    for (read, keys) in reads.iter().zip(&keyed) {
        let table = guards.state(read.name)?;
        let mut found = Vec::new();
        let mut left = Vec::new();
        consumed.touch(read.name);
        for (raw, key) in read.keys.iter().zip(keys) {
            let item = table.data.get(key);
            let projected = item.as_ref().map(|i| read.projection.apply(i));
            let size = projected.as_ref().map_or(0, item_size);
            if response_bytes + size > MAX_BATCH_GET_RESPONSE_BYTES {
                left.push((*raw).clone());
                continue;
            }
            response_bytes += size;
            consumed.add(Consumed::read(&table.def, item.as_ref().map_or(0, item_size), read.consistent, false));
            if let Some(p) = projected {
                found.push(item_to_json(&p));
            }
        }
        responses.insert(read.name.to_string(), Value::Array(found));
        if !left.is_empty() {
            let mut again = read.request.fields().map(|(k, v)| (k.clone(), v.clone())).collect::<Map<_, _>>();
            again.insert("Keys".into(), Value::Array(left));
            unprocessed.insert(read.name.to_string(), Value::Object(again));
        }
    }
    drop(guards);
    let mut out = Map::new();
    out.insert("Responses".into(), Value::Object(responses));
    out.insert("UnprocessedKeys".into(), Value::Object(unprocessed));
    if let Some(c) = consumed.to_json(capacity) {
        out.insert("ConsumedCapacity".into(), c);
    }
    Ok(Value::Object(out))
}

/// Which attributes a read returns: a `ProjectionExpression` or the legacy
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

fn mixed_projection_error() -> ApiError {
    ApiError::validation(
        "Can not use both expression and non-expression parameters in the same request: \
         Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}",
    )
}

/// One request of a BatchWriteItem.
enum WriteRequest {
    Put(Item),
    Delete(Item),
}

pub fn batch_write_item(state: &State, input: Input) -> ApiResult<Value> {
    let mut v = Violations::new();
    let request_items = input.object("RequestItems")?;
    let capacity = return_consumed_capacity(&input, &mut v)?;
    let metrics = input.str("ReturnItemCollectionMetrics")?;
    v.one_of("returnItemCollectionMetrics", metrics, &["SIZE", "NONE"]);
    v.finish()?;
    let Some(items) = request_items.filter(|items| items.fields().next().is_some()) else {
        return Err(ApiError::validation("The requestItems parameter is required for BatchWriteItem"));
    };
    let mut v = Violations::new();
    if items.fields().any(|(name, _)| !valid_table_name(name)) {
        v.add(
            format!("'{}'", input.raw("RequestItems").map(Value::to_string).unwrap_or_default()),
            "requestItems",
            MAP_KEYS_TABLE_NAME_CONSTRAINT,
        );
    }
    let mut writes: Vec<(&str, Vec<WriteRequest>)> = Vec::new();
    for (name, raw) in items.fields() {
        let Value::Array(list) = raw else {
            return Err(ApiError::serialization(match raw {
                Value::Object(_) => "Start of structure or map found where not expected".to_string(),
                other => format!("Unexpected value type in payload: {}", crate::types::value::json_token(other)),
            }));
        };
        if list.is_empty() {
            v.add(
                format!("'{{{name}=[]}}'"),
                "requestItems",
                &format!(
                    "Map value must satisfy constraint: [Member must have length less than or equal to \
                     {MAX_BATCH_WRITE_REQUESTS}, Member must have length greater than or equal to 1]"
                ),
            );
        }
        if list.len() > MAX_BATCH_WRITE_REQUESTS {
            v.add_unechoed(
                &format!("RequestItems.{name}.member"),
                &format!("Member must have length less than or equal to {MAX_BATCH_WRITE_REQUESTS}"),
            );
        }
        let mut requests = Vec::with_capacity(list.len());
        for raw in list {
            requests.push(write_request(Input::new(raw)?)?);
        }
        writes.push((name, requests));
    }
    v.finish()?;
    if writes.iter().map(|(_, r)| r.len()).sum::<usize>() > MAX_BATCH_WRITE_REQUESTS {
        return Err(ApiError::validation("Too many items requested for the BatchWriteItem call"));
    }
    let tables = state.serving_tables(writes.iter().map(|(n, _)| *n))?;
    let mut guards = lock_write(&tables);

    // Validate every request (keys, item rules, duplicates) before the first write.
    let mut planned: Vec<(&str, PrimaryKey, Option<Item>)> = Vec::new();
    for (name, requests) in &mut writes {
        let def = &guards.state(name)?.def;
        let mut seen = HashSet::new();
        for request in requests.drain(..) {
            let (key, new) = match request {
                WriteRequest::Put(item) => {
                    // A batch put checks the item's key like a `Key` parameter.
                    let key = def.key_schema.key_from_request(&def.key_schema.project_key(&item))?;
                    validate_new_item(def, &item)?;
                    (key, Some(item))
                }
                WriteRequest::Delete(key) => (def.key_schema.key_from_request(&key)?, None),
            };
            if !seen.insert(key.clone()) {
                return Err(ApiError::validation("Provided list of item keys contains duplicates"));
            }
            planned.push((name, key, new));
        }
    }

    let mut consumed = PerTable::default();
    let mut metrics_by_table: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (name, key, new) in planned {
        let table = guards.state_mut(name)?;
        let old = table.data.get(&key);
        consumed.add(Consumed::write(&table.def, old.as_ref(), new.as_ref(), false));
        match new {
            Some(item) => table.data.put_over(key.clone(), item, old.as_ref()),
            None => table.data.remove_over(&key, old.as_ref()),
        }
        if metrics == Some("SIZE") {
            if let Some(m) = collections::metrics(&table.def, &table.data, &key.partition()) {
                metrics_by_table.entry(name.to_string()).or_default().push(m);
            }
        }
    }
    drop(guards);

    let mut out = Map::new();
    out.insert("UnprocessedItems".into(), json!({}));
    if let Some(c) = consumed.to_json(capacity) {
        out.insert("ConsumedCapacity".into(), c);
    }
    if !metrics_by_table.is_empty() {
        out.insert("ItemCollectionMetrics".into(), json!(metrics_by_table));
    }
    Ok(Value::Object(out))
}

fn write_request(request: Input) -> ApiResult<WriteRequest> {
    let put = request.object("PutRequest")?;
    let delete = request.object("DeleteRequest")?;
    match (put, delete) {
        (Some(put), None) => {
            let item = put.item("Item")?.ok_or_else(null_attribute_value)?;
            Ok(WriteRequest::Put(item))
        }
        (None, Some(delete)) => {
            let key = delete.item("Key")?.ok_or_else(null_attribute_value)?;
            Ok(WriteRequest::Delete(key))
        }
        _ => Err(ApiError::validation(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
        )),
    }
}

fn null_attribute_value() -> ApiError {
    ApiError::validation("The supplied Item contains a null AttributeValue")
}

/// How DynamoDB reports a `RequestItems` key that is not a valid table name.
const MAP_KEYS_TABLE_NAME_CONSTRAINT: &str = "Map keys must satisfy constraint: [Member must have length less than or \
     equal to 255, Member must have length greater than or equal to 3, Member must satisfy regular expression \
     pattern: [a-zA-Z0-9_.-]+]";

fn valid_table_name(name: &str) -> bool {
    (3..=255).contains(&name.chars().count()) && crate::input::is_valid_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::dispatch;
    use crate::Operation;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn state_with_table() -> State {
        let state = State::default();
        let create = json!({
            "TableName": "tbl",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST"
        });
        dispatch(&state, Operation::CreateTable, &create).expect("create table");
        state
    }

    /// A batch step: put `value` under key `k`, or delete `k`.
    #[derive(Debug, Clone)]
    enum Step {
        Put(u8, u32),
        Delete(u8),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![(0u8..40, any::<u32>()).prop_map(|(k, v)| Step::Put(k, v)), (0u8..40).prop_map(Step::Delete)]
    }

    proptest! {
        /// Batches applied one after another leave exactly the items a simple
        /// model predicts; a batch with a repeated key changes nothing.
        #[test]
        fn batches_match_a_model(batches in prop::collection::vec(prop::collection::vec(step(), 1..30), 1..8)) {
            let state = state_with_table();
            let mut model: HashMap<u8, u32> = HashMap::new();
            for batch in &batches {
                let requests: Vec<Value> = batch.iter().map(|s| match s {
                    Step::Put(k, v) => json!({"PutRequest": {"Item": {"pk": {"S": k.to_string()}, "v": {"N": v.to_string()}}}}),
                    Step::Delete(k) => json!({"DeleteRequest": {"Key": {"pk": {"S": k.to_string()}}}}),
                }).collect();
                let keys: Vec<u8> = batch.iter().map(|s| match s { Step::Put(k, _) | Step::Delete(k) => *k }).collect();
                let distinct: HashSet<u8> = keys.iter().copied().collect();
                let result = dispatch(&state, Operation::BatchWriteItem, &json!({"RequestItems": {"tbl": requests}}));
                if batch.len() > MAX_BATCH_WRITE_REQUESTS || distinct.len() < keys.len() {
                    prop_assert!(result.is_err());
                    continue;
                }
                prop_assert_eq!(result.expect("batch accepted")["UnprocessedItems"].clone(), json!({}));
                for s in batch {
                    match s {
                        Step::Put(k, v) => { model.insert(*k, *v); }
                        Step::Delete(k) => { model.remove(k); }
                    }
                }
            }
            for k in 0u8..40 {
                let got = dispatch(&state, Operation::GetItem, &json!({"TableName": "tbl", "Key": {"pk": {"S": k.to_string()}}})).expect("get");
                let value = got.get("Item").map(|i| i["v"]["N"].as_str().unwrap_or_default().to_string());
                prop_assert_eq!(value, model.get(&k).map(|v| v.to_string()));
            }
        }
    }
}
