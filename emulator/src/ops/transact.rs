//! Transactions: TransactGetItems (a consistent snapshot of up to 100 items)
//! and TransactWriteItems (up to 100 Put / Update / Delete / ConditionCheck
//! actions across tables, all or nothing).
//!
//! Isolation comes from locking: every table a transaction touches is locked
//! at once, in name order (the global order batches use too, so nothing can
//! deadlock), then every action is validated and every condition checked,
//! and only then are the writes applied. No reader can see half a
//! transaction, and concurrent transactions on the same items serialise.

use super::batch::ReadProjection;
use super::capacity::{write_units, Consumed, PerTable};
use super::collections;
use super::item_request::{read_update_and_condition, validate_new_item};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::expr::eval::evaluate;
use crate::expr::request as expr_request;
use crate::expr::update::{apply as apply_update, check_key_attributes};
use crate::expr::{Condition, UpdateExpression};
use crate::input::{describe, return_consumed_capacity, CapacityDetail, Input, Violations};
use crate::state::{State, TokenClaim};
use crate::storage::{lock_read, lock_write};
use crate::types::{item_from_json, item_size, item_to_json, Item, PrimaryKey};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashSet};

/// DynamoDB's limit on actions in one transaction.
pub const MAX_TRANSACT_ITEMS: usize = 100;

/// The `TransactItems` list, checked for presence and length.
fn transact_items<'a>(input: &Input<'a>, v: &mut Violations) -> ApiResult<Vec<Input<'a>>> {
    let items = input.objects("TransactItems")?;
    match &items {
        None => v.not_null("transactItems", &items),
        Some(list) if list.is_empty() => {
            v.add("'[]'".into(), "transactItems", "Member must have length greater than or equal to 1")
        }
        Some(list) if list.len() > MAX_TRANSACT_ITEMS => v.add_unechoed(
            "TransactItems",
            &format!("Member must have length less than or equal to {MAX_TRANSACT_ITEMS}"),
        ),
        Some(_) => {}
    }
    Ok(items.unwrap_or_default())
}

/// One Get of a TransactGetItems.
struct Get<'a> {
    table: &'a str,
    key: Value,
    projection: ReadProjection,
}

pub fn transact_get_items(state: &State, input: Input) -> ApiResult<Value> {
    let mut v = Violations::new();
    let items = transact_items(&input, &mut v)?;
    let capacity = return_consumed_capacity(&input, &mut v)?;
    let mut gets = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("transactItems.{}.member.get", i + 1);
        let get = item.object("Get")?;
        v.not_null(&path, &get);
        let Some(get) = get else { continue };
        let table = get.str("TableName")?;
        v.table_name(&format!("{path}.tableName"), table);
        let key = get.raw("Key");
        v.not_null(&format!("{path}.key"), &key);
        if let (Some(table), Some(key)) = (table, key) {
            gets.push((table, key, get));
        }
    }
    v.finish()?;
    let gets = gets
        .into_iter()
        .map(|(table, key, get)| Ok(Get { table, key: key.clone(), projection: ReadProjection::from_request(&get)? }))
        .collect::<ApiResult<Vec<_>>>()?;
    let keys = gets.iter().map(|g| item_from_json(&g.key)).collect::<ApiResult<Vec<_>>>()?;
    let tables = state.serving_tables(gets.iter().map(|g| g.table))?;
    // All tables read-locked together: the reads form one consistent snapshot.
    let guards = lock_read(&tables);
    let mut seen: HashSet<(&str, PrimaryKey)> = HashSet::new();
    let mut primary = Vec::with_capacity(gets.len());
    let mut reasons = Vec::with_capacity(gets.len());
    for (get, key) in gets.iter().zip(&keys) {
        let schema = &guards.state(get.table)?.def.key_schema;
        empty_key_value(schema, key)?;
        match schema.key_from_request(key) {
            Ok(pk) => {
                if !seen.insert((get.table, pk.clone())) {
                    return Err(ApiError::validation(
                        "Transaction request cannot include multiple operations on one item",
                    ));
                }
                primary.push(pk);
                reasons.push(Reason::None);
            }
            Err(e) => reasons.push(Reason::ValidationError(e.message)),
        }
    }
    if reasons.iter().any(|r| !matches!(r, Reason::None)) {
        return Err(cancelled(&reasons));
    }
    let mut consumed = PerTable::default();
    let mut found = Vec::with_capacity(gets.len());
    let mut response_bytes = 0;
    for (get, key) in gets.iter().zip(&primary) {
        let table = guards.state(get.table)?;
        let item = table.data.get(key);
        consumed.add(Consumed::read(&table.def, item.as_ref().map_or(0, item_size), true, true));
        let projected = item.as_ref().map(|i| get.projection.apply(i));
        response_bytes += projected.as_ref().map_or(0, |i| item_size(i) + RESPONSE_ITEM_OVERHEAD_BYTES);
        found.push(projected);
    }
    drop(guards);
    // The items returned (after projection) may total at most 4 MB.
    if response_bytes > MAX_TRANSACTION_BYTES {
        return Err(ApiError::validation(format!("Payload in response is too large.{response_bytes}")));
    }
    let responses = found
        .iter()
        .map(|item| {
            let mut response = Map::new();
            if let Some(item) = item {
                response.insert("Item".into(), item_to_json(item));
            }
            Value::Object(response)
        })
        .collect::<Vec<_>>();
    let mut out = Map::new();
    out.insert("Responses".into(), Value::Array(responses));
    if let Some(c) = consumed.to_json(capacity) {
        out.insert("ConsumedCapacity".into(), c);
    }
    Ok(Value::Object(out))
}

/// What one TransactWriteItems action does.
enum ActionKind {
    Put(Item),
    Update(UpdatePlan),
    Delete,
    ConditionCheck,
}

/// One action, parsed and its expressions compiled, before any lock is taken.
struct Action<'a> {
    table: &'a str,
    kind: ActionKind,
    /// The `Key` (Update, Delete, ConditionCheck) or the item (Put).
    key_source: Item,
    condition: Option<ConditionPlan>,
    return_old_on_failure: bool,
}

const ACTION_FIELDS: [(&str, &str); 4] =
    [("ConditionCheck", "conditionCheck"), ("Put", "put"), ("Delete", "delete"), ("Update", "update")];

pub fn transact_write_items(state: &State, input: Input) -> ApiResult<Value> {
    let mut v = Violations::new();
    let token = input.str("ClientRequestToken")?;
    if let Some(t) = token {
        let len = t.chars().count();
        if len < 1 {
            v.add(describe(Some(t)), "clientRequestToken", "Member must have length greater than or equal to 1");
        }
        if len > 36 {
            v.add(describe(Some(t)), "clientRequestToken", "Member must have length less than or equal to 36");
        }
    }
    let items = transact_items(&input, &mut v)?;
    let capacity = return_consumed_capacity(&input, &mut v)?;
    let metrics = input.str("ReturnItemCollectionMetrics")?;
    v.one_of("returnItemCollectionMetrics", metrics, &["SIZE", "NONE"]);
    let mut parsed: Vec<(Option<RawAction>, Input)> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let present: Vec<(&str, Input)> = ACTION_FIELDS
            .iter()
            .filter_map(|(field, path)| item.object(field).transpose().map(|r| r.map(|o| (*path, o))))
            .collect::<ApiResult<_>>()?;
        let (path_name, action) = match present.as_slice() {
            [] => {
                return Err(ApiError::validation(
                    "Invalid Request: TransactWriteRequest should contain Delete or Put or Update request",
                ))
            }
            [one] => *one,
            _ => {
                return Err(ApiError::validation("TransactItems can only contain one of Check, Put, Update or Delete"))
            }
        };
        let path = format!("transactItems.{}.member.{path_name}", i + 1);
        parsed.push((parse_action(path_name, &action, &path, &mut v)?, action));
    }
    v.finish()?;
    // Expressions are compiled in request order, before any table is looked up.
    let mut actions = Vec::with_capacity(parsed.len());
    for (raw, request) in parsed {
        if let Some(raw) = raw {
            actions.push(raw.compile(&request)?);
        }
    }
    let aggregate: usize = actions.iter().map(|a| item_size(&a.key_source)).sum();
    if aggregate > MAX_TRANSACTION_BYTES {
        return Err(ApiError::validation("Transaction size has exceeded the maximum allowed size of 4 MB"));
    }

    // Idempotency: a token seen within 10 minutes with the same request is a
    // replay (answered without applying again); with another request, a mismatch.
    let fingerprint = input.raw("TransactItems").cloned().unwrap_or(Value::Null);
    let claim = match token {
        Some(t) => match state.transaction_tokens.claim(t, &fingerprint, state.clock.now_millis())? {
            TokenClaim::Replay => return replay_response(state, &actions, capacity),
            TokenClaim::Claimed(guard) => Some(guard),
        },
        None => None,
    };
    let result = execute(state, &actions, capacity, metrics == Some("SIZE"));
    if let Some(claim) = claim {
        claim.finish(result.is_ok(), state.clock.now_millis());
    }
    result
}

/// DynamoDB's limit on the aggregate size of a transaction's items.
pub const MAX_TRANSACTION_BYTES: usize = 4 * 1024 * 1024;
/// What DynamoDB Local counts per returned item on top of its size when it
/// checks TransactGetItems' 4 MB (measured: its error reports the total).
const RESPONSE_ITEM_OVERHEAD_BYTES: usize = 4;

/// An action as read from the request, its expressions not yet compiled.
struct RawAction<'a> {
    table: &'a str,
    kind: &'static str,
    key_source: Item,
    return_old_on_failure: bool,
}

/// Reads one action's fields, recording constraint violations under `path`.
fn parse_action<'a>(
    kind: &'static str,
    action: &Input<'a>,
    path: &str,
    v: &mut Violations,
) -> ApiResult<Option<RawAction<'a>>> {
    let table = action.str("TableName")?;
    let source_field = if kind == "put" { "Item" } else { "Key" };
    let key_source = action.item(source_field)?;
    let condition = action.str("ConditionExpression")?;
    let update = action.str("UpdateExpression")?;
    let on_failure = action.str("ReturnValuesOnConditionCheckFailure")?;
    if kind == "conditionCheck" {
        v.not_null(&format!("{path}.conditionExpression"), &condition);
    }
    v.not_null(&format!("{path}.{}", if kind == "put" { "item" } else { "key" }), &key_source);
    v.table_name(&format!("{path}.tableName"), table);
    if kind == "update" {
        v.not_null(&format!("{path}.updateExpression"), &update);
    }
    v.one_of(&format!("{path}.returnValuesOnConditionCheckFailure"), on_failure, &["ALL_OLD", "NONE"]);
    let (Some(table), Some(key_source)) = (table, key_source) else { return Ok(None) };
    Ok(Some(RawAction { table, kind, key_source, return_old_on_failure: on_failure == Some("ALL_OLD") }))
}

/// DynamoDB rejects an empty string or binary key value up front, rather
/// than as a cancellation reason like other key faults.
fn empty_key_value(schema: &crate::types::KeySchema, source: &Item) -> ApiResult<()> {
    for attr in schema.attributes() {
        let kind = match source.get(&attr.name) {
            Some(crate::types::AttributeValue::S(s)) if s.is_empty() => "string",
            Some(crate::types::AttributeValue::B(b)) if b.is_empty() => "binary",
            _ => continue,
        };
        return Err(ApiError::validation(format!(
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an \
             empty {kind} value. Key: {}",
            attr.name
        )));
    }
    Ok(())
}

/// Why an action cancelled its transaction.
enum Reason {
    None,
    ConditionalCheckFailed(Option<Item>),
    ValidationError(String),
}

impl Reason {
    fn code(&self) -> &'static str {
        match self {
            Reason::None => "None",
            Reason::ConditionalCheckFailed(_) => "ConditionalCheckFailed",
            Reason::ValidationError(_) => "ValidationError",
        }
    }

    fn to_json(&self) -> Value {
        let mut r = Map::new();
        r.insert("Code".into(), json!(self.code()));
        match self {
            Reason::None => {}
            Reason::ConditionalCheckFailed(item) => {
                r.insert("Message".into(), json!("The conditional request failed"));
                if let Some(item) = item {
                    r.insert("Item".into(), item_to_json(item));
                }
            }
            Reason::ValidationError(message) => {
                r.insert("Message".into(), json!(message));
            }
        }
        Value::Object(r)
    }
}

/// DynamoDB's `TransactionCanceledException`, with one reason per action in order.
fn cancelled(reasons: &[Reason]) -> ApiError {
    let codes: Vec<&str> = reasons.iter().map(Reason::code).collect();
    ApiError::new(
        ErrorKind::TransactionCanceled,
        format!("Transaction cancelled, please refer cancellation reasons for specific reasons [{}]", codes.join(", ")),
    )
    .with_extra(json!({ "CancellationReasons": reasons.iter().map(Reason::to_json).collect::<Vec<_>>() }))
}

/// Runs a validated transaction: lock, check everything, then write everything.
fn execute(state: &State, actions: &[Action], capacity: CapacityDetail, metrics: bool) -> ApiResult<Value> {
    let tables = state.serving_tables(actions.iter().map(|a| a.table))?;
    let mut guards = lock_write(&tables);

    // Keys first: a missing key attribute fails the request, a malformed one cancels it.
    let mut reasons: Vec<Reason> = Vec::with_capacity(actions.len());
    let mut keys: Vec<Option<PrimaryKey>> = Vec::with_capacity(actions.len());
    for action in actions {
        let schema = &guards.state(action.table)?.def.key_schema;
        // An empty key value fails the request; other key faults cancel it.
        empty_key_value(schema, &action.key_source)?;
        let key = match &action.kind {
            ActionKind::Put(item) => {
                if let Some(missing) = schema.attributes().find(|a| !item.contains_key(&a.name)) {
                    return Err(ApiError::validation(format!(
                        "One or more parameter values were invalid: Missing the key {} in the item",
                        missing.name
                    )));
                }
                schema.key_from_item(item)
            }
            _ => schema.key_from_request(&action.key_source),
        };
        match key {
            Ok(k) => {
                keys.push(Some(k));
                reasons.push(Reason::None);
            }
            Err(e) => {
                keys.push(None);
                reasons.push(Reason::ValidationError(e.message));
            }
        }
    }
    let mut seen = HashSet::new();
    for (action, key) in actions.iter().zip(&keys) {
        if let Some(key) = key {
            if !seen.insert((action.table, key)) {
                return Err(ApiError::validation("Transaction request cannot include multiple operations on one item"));
            }
        }
    }

    // Conditions and new item versions, against the state every lock now freezes.
    let mut writes: Vec<Option<Option<Item>>> = Vec::with_capacity(actions.len());
    for ((action, key), reason) in actions.iter().zip(&keys).zip(reasons.iter_mut()) {
        let Some(key) = key else {
            writes.push(None);
            continue;
        };
        let table = guards.state(action.table)?;
        let old = table.data.get(key);
        if let Some(condition) = &action.condition {
            if !condition.holds(old.as_ref())? {
                *reason = Reason::ConditionalCheckFailed(old.filter(|_| action.return_old_on_failure));
                writes.push(None);
                continue;
            }
        }
        let new = match &action.kind {
            ActionKind::Put(item) => Some(Some(item.clone())),
            ActionKind::Update(plan) => {
                if let Err(e) = check_key_attributes(&plan.0, &table.def.key_schema) {
                    *reason = Reason::ValidationError(e.message);
                    writes.push(None);
                    continue;
                }
                Some(Some(plan.apply(&action.key_source, old.as_ref())?))
            }
            ActionKind::Delete => Some(None),
            ActionKind::ConditionCheck => None,
        };
        if let Some(Some(item)) = &new {
            if let Err(e) = validate_new_item(&table.def, item) {
                *reason = Reason::ValidationError(e.message);
            }
        }
        writes.push(new);
    }
    if reasons.iter().any(|r| !matches!(r, Reason::None)) {
        return Err(cancelled(&reasons));
    }

    // Everything checked: apply every write. Nothing below can fail.
    let mut consumed = PerTable::default();
    let mut metrics_by_table: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for ((action, key), write) in actions.iter().zip(keys).zip(writes) {
        let (Some(key), Ok(table)) = (key, guards.state_mut(action.table)) else { continue };
        match write {
            Some(new) => {
                let old = table.data.get(&key);
                consumed.add(Consumed::write(&table.def, old.as_ref(), new.as_ref(), true));
                match new {
                    Some(item) => table.data.put_over(key.clone(), item, old.as_ref()),
                    None => table.data.remove_over(&key, old.as_ref()),
                }
                if metrics {
                    if let Some(m) = collections::metrics(&table.def, &table.data, &key.partition()) {
                        metrics_by_table.entry(action.table.to_string()).or_default().push(m);
                    }
                }
            }
            None => {
                let size = table.data.size_of(&key).unwrap_or(0);
                consumed.add(Consumed::table(&table.def.name, 2.0 * write_units(size)));
            }
        }
    }
    drop(guards);
    let mut out = Map::new();
    if let Some(c) = consumed.to_json(capacity) {
        out.insert("ConsumedCapacity".into(), c);
    }
    if !metrics_by_table.is_empty() {
        out.insert("ItemCollectionMetrics".into(), json!(metrics_by_table));
    }
    Ok(Value::Object(out))
}

/// The answer to a replayed request: success, nothing applied; the capacity
/// reported is what reading the items costs, as DynamoDB documents.
fn replay_response(state: &State, actions: &[Action], capacity: CapacityDetail) -> ApiResult<Value> {
    let mut consumed = PerTable::default();
    if capacity != CapacityDetail::None {
        let tables = state.serving_tables(actions.iter().map(|a| a.table))?;
        let guards = lock_read(&tables);
        for action in actions {
            let table = guards.state(action.table)?;
            let key = match &action.kind {
                ActionKind::Put(item) => table.def.key_schema.key_from_item(item).ok(),
                _ => table.def.key_schema.key_from_request(&action.key_source).ok(),
            };
            let size = key.and_then(|k| table.data.size_of(&k)).unwrap_or(0);
            consumed.add(Consumed::read(&table.def, size, true, false));
        }
    }
    let mut out = Map::new();
    if let Some(c) = consumed.to_json(capacity) {
        out.insert("ConsumedCapacity".into(), c);
    }
    Ok(Value::Object(out))
}

// ---- Expressions: conditions and updates, compiled by the `expr` module. ----

/// A compiled `ConditionExpression`.
struct ConditionPlan(Condition);

impl ConditionPlan {
    fn holds(&self, item: Option<&Item>) -> ApiResult<bool> {
        Ok(evaluate(&self.0, item))
    }
}

/// A compiled `UpdateExpression`, applied like UpdateItem applies it.
struct UpdatePlan(UpdateExpression);

impl UpdatePlan {
    /// The item after the update (built on the key when the item is absent).
    fn apply(&self, key_item: &Item, old: Option<&Item>) -> ApiResult<Item> {
        apply_update(&self.0, old.unwrap_or(key_item))
    }
}

impl<'a> RawAction<'a> {
    /// Compiles the action's expressions from its request structure: syntax
    /// errors and unused or undefined names and values fail the request.
    fn compile(self, request: &Input) -> ApiResult<Action<'a>> {
        let (kind, condition) = match self.kind {
            "update" => {
                let (update, condition) = read_update_and_condition(request)?;
                (ActionKind::Update(UpdatePlan(update)), condition)
            }
            other => {
                let expressions = ["ConditionExpression"];
                let mut attrs = expr_request::read_attributes(request, &expressions, true)?;
                let condition = expr_request::read_condition_expression(request, &mut attrs)?;
                attrs.check_all_used()?;
                let kind = match other {
                    "put" => ActionKind::Put(self.key_source.clone()),
                    "delete" => ActionKind::Delete,
                    _ => ActionKind::ConditionCheck,
                };
                (kind, condition)
            }
        };
        Ok(Action {
            table: self.table,
            kind,
            key_source: self.key_source,
            condition: condition.map(ConditionPlan),
            return_old_on_failure: self.return_old_on_failure,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::ops::dispatch;
    use crate::state::State;
    use crate::Operation;
    use proptest::prelude::*;
    use serde_json::{json, Value};
    use std::collections::HashMap;

    const TABLES: [&str; 2] = ["tx_one", "tx_two"];

    fn state_with_tables() -> State {
        let state = State::default();
        for name in TABLES {
            let create = json!({
                "TableName": name,
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "BillingMode": "PAY_PER_REQUEST"
            });
            dispatch(&state, Operation::CreateTable, &create).expect("create table");
        }
        state
    }

    /// One action: table index, key, and what to do (put with value / delete),
    /// guarded by "the item's value is (not) `expected`".
    #[derive(Debug, Clone)]
    struct Step {
        table: usize,
        key: u8,
        put: Option<u8>,
        expected: Option<u8>,
    }

    fn step() -> impl Strategy<Value = Step> {
        (0usize..2, 0u8..6, prop::option::of(0u8..4), prop::option::of(0u8..4))
            .prop_map(|(table, key, put, expected)| Step { table, key, put, expected })
    }

    fn action(s: &Step) -> Value {
        let table = TABLES[s.table];
        let key = json!({"pk": {"S": s.key.to_string()}});
        let mut body = match s.put {
            Some(v) => json!({"TableName": table, "Item": {"pk": {"S": s.key.to_string()}, "v": {"N": v.to_string()}}}),
            None => json!({"TableName": table, "Key": key}),
        };
        if let Some(e) = s.expected {
            body["ConditionExpression"] = json!("v = :e");
            body["ExpressionAttributeValues"] = json!({":e": {"N": e.to_string()}});
        }
        if s.put.is_some() {
            json!({"Put": body})
        } else {
            json!({"Delete": body})
        }
    }

    proptest! {
        /// Every transaction is all or nothing: it commits exactly when every
        /// condition holds (and no item is named twice), and then applies all
        /// of its writes; otherwise nothing changes.
        #[test]
        fn transactions_are_all_or_nothing(txs in prop::collection::vec(prop::collection::vec(step(), 1..6), 1..12)) {
            let state = state_with_tables();
            let mut model: HashMap<(usize, u8), u8> = HashMap::new();
            for tx in &txs {
                let items: Vec<Value> = tx.iter().map(action).collect();
                let result = dispatch(&state, Operation::TransactWriteItems, &json!({"TransactItems": items}));
                let mut targets: Vec<(usize, u8)> = tx.iter().map(|s| (s.table, s.key)).collect();
                targets.sort();
                targets.dedup();
                let duplicate = targets.len() < tx.len();
                let holds = tx.iter().all(|s| s.expected.is_none_or(|e| model.get(&(s.table, s.key)) == Some(&e)));
                prop_assert_eq!(result.is_ok(), !duplicate && holds, "{:?}", result);
                if result.is_ok() {
                    for s in tx {
                        match s.put {
                            Some(v) => { model.insert((s.table, s.key), v); }
                            None => { model.remove(&(s.table, s.key)); }
                        }
                    }
                }
            }
            for (table, name) in TABLES.iter().enumerate() {
                for key in 0u8..6 {
                    let got = dispatch(&state, Operation::GetItem, &json!({"TableName": name, "Key": {"pk": {"S": key.to_string()}}}))
                        .expect("get");
                    let value = got.get("Item").and_then(|i| i["v"]["N"].as_str().map(str::to_string));
                    prop_assert_eq!(value, model.get(&(table, key)).map(|v| v.to_string()));
                }
            }
        }
    }
}
