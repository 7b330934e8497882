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
use super::item_request::{validate_new_item, ReadProjection};
use crate::error::{ApiError, ApiResult};
use crate::input::{Input, RequestEnum, ReturnConsumedCapacity, ReturnItemCollectionMetrics, Violations};
use crate::state::State;
use crate::storage::{lock_read, lock_write, TableDef, TableState};
use crate::types::value::json_token;
use crate::types::{item_from_json, item_size, item_to_json, Item, PrimaryKey};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashSet};

/// DynamoDB's limits on one batch.
pub const MAX_BATCH_GET_KEYS: usize = 100;
pub const MAX_BATCH_WRITE_REQUESTS: usize = 25;
/// A BatchGetItem response stops growing here; the remaining keys come back in `UnprocessedKeys`.
pub const MAX_BATCH_GET_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

// ---- BatchGetItem ----

/// A BatchGetItem request, validated: every key decoded and every
/// projection compiled before any table is looked up.
pub struct BatchGetRequest<'a> {
    tables: Vec<TableReads<'a>>,
    capacity: ReturnConsumedCapacity,
}

/// The reads asked of one table.
struct TableReads<'a> {
    name: &'a str,
    /// The table's `KeysAndAttributes`, repeated in `UnprocessedKeys`.
    request: Input<'a>,
    /// The keys as sent (for `UnprocessedKeys`), and decoded.
    raw_keys: &'a [Value],
    keys: Vec<Item>,
    consistent: bool,
    projection: ReadProjection,
}

/// A table's entry of `RequestItems` as listed, before its projection is compiled.
struct ListedReads<'a> {
    name: &'a str,
    request: Input<'a>,
    keys: &'a [Value],
    consistent: bool,
}

impl<'a> BatchGetRequest<'a> {
    pub fn read(input: Input<'a>) -> ApiResult<BatchGetRequest<'a>> {
        let mut v = Violations::new();
        let listed = list_reads(&input, &mut v)?;
        let capacity = ReturnConsumedCapacity::read(&input, &mut v)?.unwrap_or_default();
        v.finish()?;
        // Expression and legacy projections cannot be mixed, even across tables.
        let legacy = listed.iter().any(|l| l.request.has("AttributesToGet"));
        if legacy && listed.iter().any(|l| l.request.has("ProjectionExpression")) {
            return Err(mixed_projection_error());
        }
        let projections =
            listed.iter().map(|l| ReadProjection::from_request(&l.request)).collect::<ApiResult<Vec<_>>>()?;
        if listed.iter().map(|l| l.keys.len()).sum::<usize>() > MAX_BATCH_GET_KEYS {
            return Err(ApiError::validation("Too many items requested for the BatchGetItem call"));
        }
        let tables = listed
            .into_iter()
            .zip(projections)
            .map(|(listed, projection)| {
                let keys = listed.keys.iter().map(item_from_json).collect::<ApiResult<Vec<_>>>()?;
                let ListedReads { name, request, keys: raw_keys, consistent } = listed;
                Ok(TableReads { name, request, raw_keys, keys, consistent, projection })
            })
            .collect::<ApiResult<Vec<_>>>()?;
        Ok(BatchGetRequest { tables, capacity })
    }
}

/// `RequestItems` of a BatchGetItem: each table's keys checked for presence and count.
fn list_reads<'a>(input: &Input<'a>, v: &mut Violations) -> ApiResult<Vec<ListedReads<'a>>> {
    let request_items = input.object("RequestItems")?;
    let Some(items) = request_items else {
        v.not_null("requestItems", &request_items);
        return Ok(Vec::new());
    };
    if items.fields().next().is_none() && items.null_member().is_none() {
        v.add_unechoed("RequestItems", "Member must have length greater than or equal to 1");
        return Ok(Vec::new());
    }
    check_table_names(input, &items, v);
    if let Some(name) = items.null_member() {
        // DynamoDB Local's words (probed 2026-12-05): a table given `null` is not dropped.
        return Err(ApiError::validation(format!(
            "The list of keys in RequestItems for BatchGetItem is required: {name} has empty list"
        )));
    }
    let mut listed = Vec::new();
    for (name, raw) in items.fields() {
        let request = Input::new(raw)?;
        let keys = request.list("Keys")?;
        let unechoed_path = || format!("RequestItems.{name}.member.Keys");
        match keys {
            None => v.not_null(&format!("requestItems.{name}.member.keys"), &keys),
            Some(k) if k.is_empty() => {
                v.add_unechoed(&unechoed_path(), "Member must have length greater than or equal to 1")
            }
            Some(k) if k.len() > MAX_BATCH_GET_KEYS => v.add_unechoed(
                &unechoed_path(),
                &format!("Member must have length less than or equal to {MAX_BATCH_GET_KEYS}"),
            ),
            Some(_) => {}
        }
        // The model's minimum of one name (`AttributeNameList`), reported by
        // the validation that reports `Keys` (its wording is inferred from that one).
        if request.strings("AttributesToGet")?.is_some_and(|names| names.is_empty()) {
            v.add_unechoed(
                &format!("RequestItems.{name}.member.AttributesToGet"),
                "Member must have length greater than or equal to 1",
            );
        }
        let consistent = request.bool("ConsistentRead")?.unwrap_or(false);
        listed.push(ListedReads { name, request, keys: keys.map_or(&[][..], Vec::as_slice), consistent });
    }
    Ok(listed)
}

impl TableReads<'_> {
    /// The keys checked against the table's schema, without duplicates.
    fn primary_keys(&self, def: &TableDef) -> ApiResult<Vec<PrimaryKey>> {
        let mut seen = HashSet::new();
        let mut primary = Vec::with_capacity(self.keys.len());
        for key in &self.keys {
            let pk = def.key_schema.key_from_request(key)?;
            if !seen.insert(pk.clone()) {
                return Err(ApiError::validation("Provided list of item keys contains duplicates"));
            }
            primary.push(pk);
        }
        Ok(primary)
    }
}

pub fn batch_get_item(state: &State, input: Input) -> ApiResult<Value> {
    let request = BatchGetRequest::read(input)?;
    let tables = state.serving_tables(request.tables.iter().map(|r| r.name))?;
    let guards = lock_read(&tables);
    // Every key checked against its table before anything is read.
    let keys = request
        .tables
        .iter()
        .map(|reads| reads.primary_keys(&guards.state(reads.name)?.def))
        .collect::<ApiResult<Vec<_>>>()?;
    let mut answer = BatchGetAnswer::default();
    for (reads, keys) in request.tables.iter().zip(&keys) {
        answer.read_table(guards.state(reads.name)?, reads, keys);
    }
    drop(guards);
    Ok(answer.into_json(request.capacity))
}

/// A BatchGetItem's answer, built table by table.
#[derive(Default)]
struct BatchGetAnswer {
    responses: Map<String, Value>,
    unprocessed: Map<String, Value>,
    consumed: PerTable,
    response_bytes: usize,
}

impl BatchGetAnswer {
    /// Reads one table's keys; those past the response size limit are left unprocessed.
    fn read_table(&mut self, table: &TableState, reads: &TableReads, keys: &[PrimaryKey]) {
        let mut found = Vec::new();
        let mut left = Vec::new();
        self.consumed.touch(reads.name);
        for (raw, key) in reads.raw_keys.iter().zip(keys) {
            let item = table.data.get(key);
            let projected = item.as_ref().map(|i| reads.projection.apply(i));
            let size = projected.as_ref().map_or(0, item_size);
            if self.response_bytes + size > MAX_BATCH_GET_RESPONSE_BYTES {
                left.push(raw.clone());
                continue;
            }
            self.response_bytes += size;
            let read = Consumed::read(&table.def, item.as_ref().map_or(0, item_size), reads.consistent, false);
            self.consumed.add(read);
            if let Some(p) = projected {
                found.push(item_to_json(&p));
            }
        }
        self.responses.insert(reads.name.to_string(), Value::Array(found));
        if !left.is_empty() {
            let mut again = reads.request.fields().map(|(k, v)| (k.clone(), v.clone())).collect::<Map<_, _>>();
            again.insert("Keys".into(), Value::Array(left));
            self.unprocessed.insert(reads.name.to_string(), Value::Object(again));
        }
    }

    fn into_json(self, capacity: ReturnConsumedCapacity) -> Value {
        let mut out = Map::new();
        out.insert("Responses".into(), Value::Object(self.responses));
        out.insert("UnprocessedKeys".into(), Value::Object(self.unprocessed));
        if let Some(c) = self.consumed.to_json(capacity) {
            out.insert("ConsumedCapacity".into(), c);
        }
        Value::Object(out)
    }
}

fn mixed_projection_error() -> ApiError {
    ApiError::validation(
        "Can not use both expression and non-expression parameters in the same request: \
         Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}",
    )
}

// ---- BatchWriteItem ----

/// A BatchWriteItem request, validated: every item and key decoded.
pub struct BatchWriteRequest<'a> {
    tables: Vec<(&'a str, Vec<WriteRequest>)>,
    capacity: ReturnConsumedCapacity,
    collection_metrics: ReturnItemCollectionMetrics,
}

/// One request of a BatchWriteItem.
enum WriteRequest {
    Put(Item),
    Delete(Item),
}

impl<'a> BatchWriteRequest<'a> {
    pub fn read(input: Input<'a>) -> ApiResult<BatchWriteRequest<'a>> {
        let mut v = Violations::new();
        let request_items = input.object("RequestItems")?;
        let capacity = ReturnConsumedCapacity::read(&input, &mut v)?.unwrap_or_default();
        let collection_metrics = ReturnItemCollectionMetrics::read(&input, &mut v)?.unwrap_or_default();
        v.finish()?;
        let Some(items) =
            request_items.filter(|items| items.fields().next().is_some() || items.null_member().is_some())
        else {
            return Err(ApiError::validation("The requestItems parameter is required for BatchWriteItem"));
        };
        // A second round of violations: DynamoDB checks the map only once it is known to be there.
        let mut v = Violations::new();
        check_table_names(&input, &items, &mut v);
        if let Some(name) = items.null_member() {
            // DynamoDB Local's words (probed 2026-12-05): a table given `null` is not dropped.
            return Err(ApiError::validation(format!(
                "The batch write request list for a table cannot be null or empty: {name}"
            )));
        }
        let mut tables = Vec::new();
        for (name, raw) in items.fields() {
            tables.push((name.as_str(), table_writes(name, raw, &mut v)?));
        }
        v.finish()?;
        if tables.iter().map(|(_, r)| r.len()).sum::<usize>() > MAX_BATCH_WRITE_REQUESTS {
            return Err(ApiError::validation("Too many items requested for the BatchWriteItem call"));
        }
        Ok(BatchWriteRequest { tables, capacity, collection_metrics })
    }
}

/// One table's list of write requests, checked for length.
fn table_writes(name: &str, raw: &Value, v: &mut Violations) -> ApiResult<Vec<WriteRequest>> {
    let Value::Array(list) = raw else {
        return Err(ApiError::serialization(match raw {
            Value::Object(_) => "Start of structure or map found where not expected".to_string(),
            other => format!("Unexpected value type in payload: {}", json_token(other)),
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
    list.iter().map(|raw| write_request(Input::new(raw)?)).collect()
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

/// A write checked against its table: the key, and the new item (`None`: a delete).
type PlannedWrite<'a> = (&'a str, PrimaryKey, Option<Item>);

/// Checks one table's requests (keys, item rules, duplicates) and adds them to `planned`.
fn plan_table_writes<'a>(
    def: &TableDef,
    name: &'a str,
    requests: Vec<WriteRequest>,
    planned: &mut Vec<PlannedWrite<'a>>,
) -> ApiResult<()> {
    let mut seen = HashSet::new();
    for request in requests {
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
    Ok(())
}

pub fn batch_write_item(state: &State, input: Input) -> ApiResult<Value> {
    let request = BatchWriteRequest::read(input)?;
    let (capacity, wants_metrics) = (request.capacity, request.collection_metrics == ReturnItemCollectionMetrics::Size);
    let tables = state.serving_tables(request.tables.iter().map(|(n, _)| *n))?;
    let mut guards = lock_write(&tables);
    // Every request checked before the first write: a bad one writes nothing.
    let mut planned = Vec::new();
    for (name, requests) in request.tables {
        plan_table_writes(&guards.state(name)?.def, name, requests, &mut planned)?;
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
        if wants_metrics {
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

/// Every `RequestItems` key must be a table name; DynamoDB's message echoes the whole map.
fn check_table_names(input: &Input, items: &Input, v: &mut Violations) {
    if items.fields().any(|(name, _)| !valid_table_name(name)) {
        v.add(
            format!("'{}'", input.raw("RequestItems").map(Value::to_string).unwrap_or_default()),
            "requestItems",
            MAP_KEYS_TABLE_NAME_CONSTRAINT,
        );
    }
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
