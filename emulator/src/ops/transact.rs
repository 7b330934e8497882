//! Transactions: TransactGetItems (a consistent snapshot of up to 100 items)
//! and TransactWriteItems (up to 100 Put / Update / Delete / ConditionCheck
//! actions across tables, all or nothing).
//!
//! Isolation comes from locking: every table a transaction touches is locked
//! at once, in name order (the global order batches use too, so nothing can
//! deadlock), then every action is validated and every condition checked,
//! and only then are the writes applied. No reader can see half a
//! transaction, and concurrent transactions on the same items serialise.

use super::capacity::{write_units, Consumed, PerTable};
use super::collections;
use super::item_request::{read_update_and_condition, validate_new_item, ReadProjection};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::expr::eval::evaluate;
use crate::expr::request as expr_request;
use crate::expr::update::{apply as apply_update, check_key_attributes};
use crate::expr::{Condition, UpdateExpression};
use crate::input::{
    Input, RequestEnum, ReturnConsumedCapacity, ReturnItemCollectionMetrics, ReturnValuesOnConditionCheckFailure,
    Violations,
};
use crate::state::{State, TokenClaim};
use crate::storage::{lock_read, lock_write, TableState};
use crate::types::{item_from_json, item_size, item_to_json, AttributeValue, Item, KeySchema, PrimaryKey};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashSet};

/// DynamoDB's limit on actions in one transaction.
pub const MAX_TRANSACT_ITEMS: usize = 100;
/// DynamoDB's limit on the aggregate size of a transaction's items.
pub const MAX_TRANSACTION_BYTES: usize = 4 * 1024 * 1024;
/// What DynamoDB Local counts per returned item on top of its size when it
/// checks TransactGetItems' 4 MB (measured: its error reports the total).
const RESPONSE_ITEM_OVERHEAD_BYTES: usize = 4;

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

// ---- TransactGetItems ----

/// A TransactGetItems request, validated: projections compiled, keys decoded.
pub struct TransactGetRequest<'a> {
    gets: Vec<Get<'a>>,
    capacity: ReturnConsumedCapacity,
}

/// One Get of a TransactGetItems (or a SELECT of an ExecuteTransaction).
pub struct Get<'a> {
    pub table: &'a str,
    pub key: Item,
    /// Shapes the item found.
    pub projection: Box<dyn Fn(&Item) -> Item + 'a>,
}

impl<'a> TransactGetRequest<'a> {
    pub fn read(input: Input<'a>) -> ApiResult<TransactGetRequest<'a>> {
        let mut v = Violations::new();
        let items = transact_items(&input, &mut v)?;
        let capacity = ReturnConsumedCapacity::read(&input, &mut v)?.unwrap_or_default();
        let mut listed = Vec::with_capacity(items.len());
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
                listed.push((table, key, get));
            }
        }
        v.finish()?;
        // Every projection is compiled, then every key decoded, before any table is looked up.
        let projections =
            listed.iter().map(|(_, _, get)| ReadProjection::from_request(get)).collect::<ApiResult<Vec<_>>>()?;
        let gets = listed
            .iter()
            .zip(projections)
            .map(|((table, key, _), projection)| {
                let projection = Box::new(move |item: &Item| projection.apply(item));
                Ok(Get { table, key: item_from_json(key)?, projection: projection as Box<dyn Fn(&Item) -> Item> })
            })
            .collect::<ApiResult<Vec<_>>>()?;
        Ok(TransactGetRequest { gets, capacity })
    }
}

pub fn transact_get_items(state: &State, input: Input) -> ApiResult<Value> {
    let request = TransactGetRequest::read(input)?;
    execute_gets(state, &request.gets, request.capacity)
}

/// Reads every item of a transaction from one consistent snapshot.
pub fn execute_gets(state: &State, gets: &[Get], capacity: ReturnConsumedCapacity) -> ApiResult<Value> {
    let tables = state.serving_tables(gets.iter().map(|g| g.table))?;
    // All tables read-locked together: the reads form one consistent snapshot.
    let guards = lock_read(&tables);
    let states = gets.iter().map(|g| guards.state(g.table)).collect::<ApiResult<Vec<_>>>()?;
    let keys = get_keys(gets, &states)?;
    let mut consumed = PerTable::default();
    let mut found = Vec::with_capacity(gets.len());
    let mut response_bytes = 0;
    for ((get, table), key) in gets.iter().zip(&states).zip(&keys) {
        let item = table.data.get(key);
        consumed.add(Consumed::read(&table.def, item.as_ref().map_or(0, item_size), true, true));
        let projected = item.as_ref().map(|i| (get.projection)(i));
        response_bytes += projected.as_ref().map_or(0, |i| item_size(i) + RESPONSE_ITEM_OVERHEAD_BYTES);
        found.push(projected);
    }
    drop(states);
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

/// The gets' keys checked against their tables (`states`, one per get): an
/// empty key value or an item named twice fails the request, another key
/// fault cancels it.
fn get_keys(gets: &[Get], states: &[&TableState]) -> ApiResult<Vec<PrimaryKey>> {
    let mut seen: HashSet<(&str, PrimaryKey)> = HashSet::new();
    let mut primary = Vec::with_capacity(gets.len());
    let mut reasons = Vec::with_capacity(gets.len());
    for (get, table) in gets.iter().zip(states) {
        let schema = &table.def.key_schema;
        empty_key_value(schema, &get.key)?;
        match schema.key_from_request(&get.key) {
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
    Ok(primary)
}

// ---- TransactWriteItems ----

/// A TransactWriteItems request, validated: every action's expressions
/// compiled, before any table is looked up.
pub struct TransactWriteRequest<'a> {
    token: Option<&'a str>,
    /// `TransactItems` as sent: a replayed token must come with the same request.
    fingerprint: Option<&'a Value>,
    actions: Vec<Action<'a>>,
    capacity: ReturnConsumedCapacity,
    collection_metrics: ReturnItemCollectionMetrics,
}

/// The four kinds of action, in DynamoDB's order for messages.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ActionType {
    ConditionCheck,
    Put,
    Delete,
    Update,
}

impl ActionType {
    const ALL: [ActionType; 4] = [ActionType::ConditionCheck, ActionType::Put, ActionType::Delete, ActionType::Update];

    /// The member of a `TransactItems` element.
    fn member(self) -> &'static str {
        match self {
            ActionType::ConditionCheck => "ConditionCheck",
            ActionType::Put => "Put",
            ActionType::Delete => "Delete",
            ActionType::Update => "Update",
        }
    }

    /// The member's name in violation paths.
    fn path(self) -> &'static str {
        match self {
            ActionType::ConditionCheck => "conditionCheck",
            ActionType::Put => "put",
            ActionType::Delete => "delete",
            ActionType::Update => "update",
        }
    }

    /// The one action a `TransactItems` element holds.
    fn of<'a>(element: &Input<'a>) -> ApiResult<(ActionType, Input<'a>)> {
        let present: Vec<(ActionType, Input)> = ActionType::ALL
            .iter()
            .filter_map(|kind| element.object(kind.member()).transpose().map(|r| r.map(|o| (*kind, o))))
            .collect::<ApiResult<_>>()?;
        match present.as_slice() {
            [] => Err(ApiError::validation(
                "Invalid Request: TransactWriteRequest should contain Delete or Put or Update request",
            )),
            [one] => Ok(*one),
            _ => Err(ApiError::validation("TransactItems can only contain one of Check, Put, Update or Delete")),
        }
    }
}

/// What one TransactWriteItems action does.
pub enum ActionKind {
    Put,
    /// A PartiQL INSERT: a Put that cancels with `DuplicateItem` when the item exists.
    Insert,
    Update(UpdateExpression),
    Delete,
    ConditionCheck,
}

/// One action, parsed and its expressions compiled, before any lock is taken.
pub struct Action<'a> {
    pub table: &'a str,
    pub kind: ActionKind,
    /// The item (Put, Insert) or the `Key` (Update, Delete, ConditionCheck).
    pub source: Item,
    pub condition: Option<Condition>,
    pub return_old_on_failure: bool,
}

/// An action as read from the request, its expressions not yet compiled.
struct RawAction<'a> {
    table: &'a str,
    kind: ActionType,
    source: Item,
    return_old_on_failure: bool,
}

impl<'a> TransactWriteRequest<'a> {
    pub fn read(input: Input<'a>) -> ApiResult<TransactWriteRequest<'a>> {
        let mut v = Violations::new();
        let token = input.str("ClientRequestToken")?;
        check_token(token, &mut v);
        let items = transact_items(&input, &mut v)?;
        let capacity = ReturnConsumedCapacity::read(&input, &mut v)?.unwrap_or_default();
        let collection_metrics = ReturnItemCollectionMetrics::read(&input, &mut v)?.unwrap_or_default();
        let mut parsed: Vec<(Option<RawAction>, Input)> = Vec::with_capacity(items.len());
        for (i, element) in items.iter().enumerate() {
            let (kind, action) = ActionType::of(element)?;
            let path = format!("transactItems.{}.member.{}", i + 1, kind.path());
            parsed.push((RawAction::read(kind, &action, &path, &mut v)?, action));
        }
        v.finish()?;
        // Expressions are compiled in request order, before any table is looked up.
        let actions = parsed
            .into_iter()
            .filter_map(|(raw, request)| raw.map(|raw| raw.compile(&request)))
            .collect::<ApiResult<Vec<_>>>()?;
        let aggregate: usize = actions.iter().map(|a| item_size(&a.source)).sum();
        if aggregate > MAX_TRANSACTION_BYTES {
            return Err(ApiError::validation("Transaction size has exceeded the maximum allowed size of 4 MB"));
        }
        let fingerprint = input.raw("TransactItems");
        Ok(TransactWriteRequest { token, fingerprint, actions, capacity, collection_metrics })
    }
}

/// `ClientRequestToken`: 1 to 36 characters.
pub fn check_token(token: Option<&str>, v: &mut Violations) {
    v.length("clientRequestToken", token, 1, 36);
}

impl<'a> RawAction<'a> {
    /// Reads one action's members, recording constraint violations under `path`.
    fn read(kind: ActionType, action: &Input<'a>, path: &str, v: &mut Violations) -> ApiResult<Option<RawAction<'a>>> {
        let table = action.str("TableName")?;
        let (source_member, source_path) = match kind {
            ActionType::Put => ("Item", "item"),
            _ => ("Key", "key"),
        };
        let source = action.item(source_member)?;
        let condition = action.str("ConditionExpression")?;
        let update = action.str("UpdateExpression")?;
        if kind == ActionType::ConditionCheck {
            v.not_null(&format!("{path}.conditionExpression"), &condition);
        }
        v.not_null(&format!("{path}.{source_path}"), &source);
        v.table_name(&format!("{path}.tableName"), table);
        if kind == ActionType::Update {
            v.not_null(&format!("{path}.updateExpression"), &update);
        }
        let on_failure = ReturnValuesOnConditionCheckFailure::read_under(action, path, v)?;
        let (Some(table), Some(source)) = (table, source) else { return Ok(None) };
        let return_old_on_failure = on_failure == Some(ReturnValuesOnConditionCheckFailure::AllOld);
        Ok(Some(RawAction { table, kind, source, return_old_on_failure }))
    }

    /// Compiles the action's expressions from its request structure: syntax
    /// errors and unused or undefined names and values fail the request.
    fn compile(self, request: &Input) -> ApiResult<Action<'a>> {
        let (kind, condition) = match self.kind {
            ActionType::Update => {
                let (update, condition) = read_update_and_condition(request)?;
                (ActionKind::Update(update), condition)
            }
            other => {
                let expressions = ["ConditionExpression"];
                let mut attrs = expr_request::read_attributes(request, &expressions, true)?;
                let condition = expr_request::read_condition_expression(request, &mut attrs)?;
                attrs.check_all_used()?;
                let kind = match other {
                    ActionType::Put => ActionKind::Put,
                    ActionType::Delete => ActionKind::Delete,
                    _ => ActionKind::ConditionCheck,
                };
                (kind, condition)
            }
        };
        let RawAction { table, source, return_old_on_failure, .. } = self;
        Ok(Action { table, kind, source, condition, return_old_on_failure })
    }
}

pub fn transact_write_items(state: &State, input: Input) -> ApiResult<Value> {
    let request = TransactWriteRequest::read(input)?;
    let wants_metrics = request.collection_metrics == ReturnItemCollectionMetrics::Size;
    let fingerprint = request.fingerprint.unwrap_or(&Value::Null);
    execute_once(state, request.token, fingerprint, &request.actions, request.capacity, wants_metrics)
}

/// Runs a transaction once per `ClientRequestToken`: a token seen within 10
/// minutes with the same request (`fingerprint`) is a replay, answered
/// without applying again; with another request, a mismatch.
pub fn execute_once(
    state: &State,
    token: Option<&str>,
    fingerprint: &Value,
    actions: &[Action],
    capacity: ReturnConsumedCapacity,
    wants_metrics: bool,
) -> ApiResult<Value> {
    let claim = match token {
        Some(token) => match state.transaction_tokens.claim(token, fingerprint, state.clock.now_millis())? {
            TokenClaim::Replay => return replay_response(state, actions, capacity),
            TokenClaim::Claimed(guard) => Some(guard),
        },
        None => None,
    };
    let result = execute(state, actions, capacity, wants_metrics);
    if let Some(claim) = claim {
        claim.finish(result.is_ok(), state.clock.now_millis());
    }
    result
}

/// DynamoDB rejects an empty string or binary key value up front, rather
/// than as a cancellation reason like other key faults.
fn empty_key_value(schema: &KeySchema, source: &Item) -> ApiResult<()> {
    for attr in schema.attributes() {
        let kind = match source.get(&attr.name) {
            Some(AttributeValue::S(s)) if s.is_empty() => "string",
            Some(AttributeValue::B(b)) if b.is_empty() => "binary",
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
    DuplicateItem,
}

impl Reason {
    fn code(&self) -> &'static str {
        match self {
            Reason::None => "None",
            Reason::ConditionalCheckFailed(_) => "ConditionalCheckFailed",
            Reason::ValidationError(_) => "ValidationError",
            Reason::DuplicateItem => "DuplicateItem",
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
            Reason::DuplicateItem => {
                r.insert("Message".into(), json!("Duplicate primary key exists in table"));
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

/// What an action will do once every check has passed.
enum Write {
    /// Store this version of the item.
    Put(Item),
    Delete,
    /// A ConditionCheck: nothing written, the item's size charged.
    Check,
}

/// Runs a validated transaction: lock, check everything, then write everything.
fn execute(
    state: &State,
    actions: &[Action],
    capacity: ReturnConsumedCapacity,
    wants_metrics: bool,
) -> ApiResult<Value> {
    let tables = state.serving_tables(actions.iter().map(|a| a.table))?;
    let mut guards = lock_write(&tables);
    let states = actions.iter().map(|a| guards.state(a.table)).collect::<ApiResult<Vec<_>>>()?;
    let (keys, mut reasons) = action_keys(actions, &states)?;
    // Conditions and new item versions, against the state every lock now freezes.
    let writes = plan_writes(actions, &states, &keys, &mut reasons)?;
    if reasons.iter().any(|r| !matches!(r, Reason::None)) {
        return Err(cancelled(&reasons));
    }
    drop(states);
    // Everything checked: apply every write. Nothing below can fail.
    let mut consumed = PerTable::default();
    let mut metrics_by_table: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for ((action, key), write) in actions.iter().zip(keys).zip(writes) {
        let (Some(key), Some(write), Ok(table)) = (key, write, guards.state_mut(action.table)) else { continue };
        let new = match write {
            Write::Check => {
                let size = table.data.size_of(&key).unwrap_or(0);
                consumed.add(Consumed::table(&table.def.name, 2.0 * write_units(size)));
                continue;
            }
            Write::Put(item) => Some(item),
            Write::Delete => None,
        };
        let old = table.data.get(&key);
        consumed.add(Consumed::write(&table.def, old.as_ref(), new.as_ref(), true));
        match new {
            Some(item) => table.data.put_over(key.clone(), item, old.as_ref()),
            None => table.data.remove_over(&key, old.as_ref()),
        }
        if wants_metrics {
            if let Some(m) = collections::metrics(&table.def, &table.data, &key.partition()) {
                metrics_by_table.entry(action.table.to_string()).or_default().push(m);
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

/// Every action's key against its table (`states`, one per action): a
/// missing key attribute, an empty key value or an item named twice fails
/// the request; a malformed key cancels it (its reason, `None` as key).
fn action_keys(actions: &[Action], states: &[&TableState]) -> ApiResult<(Vec<Option<PrimaryKey>>, Vec<Reason>)> {
    let mut reasons: Vec<Reason> = Vec::with_capacity(actions.len());
    let mut keys: Vec<Option<PrimaryKey>> = Vec::with_capacity(actions.len());
    for (action, table) in actions.iter().zip(states) {
        let schema = &table.def.key_schema;
        empty_key_value(schema, &action.source)?;
        let key = match &action.kind {
            // A PartiQL INSERT's key faults are worded as ExecuteStatement words them.
            ActionKind::Insert => super::statements::insert_key(table, &action.source),
            ActionKind::Put => {
                if let Some(missing) = schema.attributes().find(|a| !action.source.contains_key(&a.name)) {
                    return Err(ApiError::validation(format!(
                        "One or more parameter values were invalid: Missing the key {} in the item",
                        missing.name
                    )));
                }
                schema.key_from_item(&action.source)
            }
            _ => schema.key_from_request(&action.source),
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
    Ok((keys, reasons))
}

/// Each action's condition checked and its new item version built and
/// validated; a failure becomes the action's reason (`None` as write).
fn plan_writes(
    actions: &[Action],
    states: &[&TableState],
    keys: &[Option<PrimaryKey>],
    reasons: &mut [Reason],
) -> ApiResult<Vec<Option<Write>>> {
    let mut writes = Vec::with_capacity(actions.len());
    for (((action, table), key), reason) in actions.iter().zip(states).zip(keys).zip(reasons.iter_mut()) {
        let Some(key) = key else {
            writes.push(None);
            continue;
        };
        let old = table.data.get(key);
        if matches!(action.kind, ActionKind::Insert) && old.is_some() {
            *reason = Reason::DuplicateItem;
            writes.push(None);
            continue;
        }
        if let Some(condition) = &action.condition {
            if !evaluate(condition, old.as_ref()) {
                *reason = Reason::ConditionalCheckFailed(old.filter(|_| action.return_old_on_failure));
                writes.push(None);
                continue;
            }
        }
        let write = match &action.kind {
            ActionKind::Put | ActionKind::Insert => Write::Put(action.source.clone()),
            ActionKind::Update(update) => {
                if let Err(e) = check_key_attributes(update, &table.def.key_schema) {
                    *reason = Reason::ValidationError(e.message);
                    writes.push(None);
                    continue;
                }
                // Only deletions on a missing item write nothing (as UpdateItem).
                if old.is_none() && update.only_deletes() {
                    Write::Check
                } else {
                    // Built on the key when the item does not exist yet.
                    Write::Put(apply_update(update, old.as_ref().unwrap_or(&action.source))?)
                }
            }
            ActionKind::Delete => Write::Delete,
            ActionKind::ConditionCheck => Write::Check,
        };
        if let Write::Put(item) = &write {
            if let Err(e) = validate_new_item(&table.def, item) {
                *reason = Reason::ValidationError(e.message);
            }
        }
        writes.push(Some(write));
    }
    Ok(writes)
}

/// The answer to a replayed request: success, nothing applied; the capacity
/// reported is what reading the items costs, as DynamoDB documents.
fn replay_response(state: &State, actions: &[Action], capacity: ReturnConsumedCapacity) -> ApiResult<Value> {
    let mut consumed = PerTable::default();
    if capacity != ReturnConsumedCapacity::None {
        let tables = state.serving_tables(actions.iter().map(|a| a.table))?;
        let guards = lock_read(&tables);
        for action in actions {
            let table = guards.state(action.table)?;
            let key = match &action.kind {
                ActionKind::Put | ActionKind::Insert => table.def.key_schema.key_from_item(&action.source).ok(),
                _ => table.def.key_schema.key_from_request(&action.source).ok(),
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
