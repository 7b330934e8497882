//! PartiQL operations: ExecuteStatement, BatchExecuteStatement and
//! ExecuteTransaction. A statement is parsed (`crate::partiql`), planned
//! against its table's key schema, and lowered onto the native machinery:
//! a SELECT reads pages through `read` (a Query's key range when it binds
//! the partition key, a Scan's otherwise), writes go through
//! `TableData::put_over`/`remove_over` with the native condition evaluator
//! and updater, and ExecuteTransaction runs `transact::execute_once`.

use super::capacity::{read_units, Consumed, PerTable};
use super::item_request::validate_new_item;
use super::query::key_range;
use super::read::{
    read_consumed, read_page, resolve_select, start_key, PageItem, ReadExpressions, ReadKind, ReadOptions, Target,
};
use super::reply::{ObjectWriter, Reply};
use super::transact::{self, Action, ActionKind, Get};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::expr::ast::{Condition, DocPath, PathElement};
use crate::expr::eval::lookup;
use crate::expr::keycond::KeyCondition;
use crate::expr::projection::project_paths;
use crate::expr::request::{check_condition, condition_failed};
use crate::expr::resolve::check_overlaps;
use crate::expr::update::{apply, check_key_attributes, updated_attributes};
use crate::input::{
    Input, RequestEnum, ReturnConsumedCapacity, ReturnValuesOnConditionCheckFailure, Select, Violations,
};
use crate::partiql::ast::{self as sql, Returning, Statement};
use crate::partiql::lower::{doc_path, Lowering};
use crate::partiql::plan::{item_key, read_plan};
use crate::partiql::{parameter_count, parse_statement, MAX_STATEMENT_LENGTH};
use crate::state::State;
use crate::storage::{KeyRange, TableState};
use crate::types::{item_to_json, AttributeValue, Item, KeySchema};
use base64::Engine;
use serde_json::{json, Map, Value};
use std::collections::HashSet;

/// DynamoDB's limits on statements per batch and per transaction.
pub const MAX_BATCH_STATEMENTS: usize = 25;
pub const MAX_TRANSACTION_STATEMENTS: usize = 100;

fn validation(message: impl Into<String>) -> ApiError {
    ApiError::validation(message)
}

fn parameter_mismatch() -> ApiError {
    validation("Number of parameters in request and statement don't match.")
}

/// One statement with its parameters, as every operation carries them.
struct StatementInput {
    text: String,
    parameters: Vec<AttributeValue>,
}

impl StatementInput {
    /// `Statement` and `Parameters` of `input`; an over-long statement fails
    /// the whole request.
    fn read(input: &Input) -> ApiResult<Option<StatementInput>> {
        let Some(text) = input.str("Statement")? else { return Ok(None) };
        if text.chars().count() > MAX_STATEMENT_LENGTH {
            return Err(validation(format!("Member must have length less than or equal to {MAX_STATEMENT_LENGTH}")));
        }
        let parameters = match input.list("Parameters")? {
            None => Vec::new(),
            Some(list) => list.iter().map(AttributeValue::from_json).collect::<ApiResult<_>>()?,
        };
        Ok(Some(StatementInput { text: text.to_string(), parameters }))
    }

    /// The statement parsed, its parameters counted.
    fn parse(&self) -> ApiResult<Statement> {
        let statement = parse_statement(&self.text)?;
        if parameter_count(&self.text) > self.parameters.len() {
            return Err(parameter_mismatch());
        }
        Ok(statement)
    }

    fn lowering(&self) -> Lowering<'_> {
        Lowering { text: &self.text, parameters: &self.parameters }
    }
}

// ---- ExecuteStatement ----

pub fn execute_statement(state: &State, input: Input) -> ApiResult<Reply> {
    let mut v = Violations::new();
    let statement = StatementInput::read(&input)?;
    v.not_null("statement", &statement);
    let consistent = input.bool("ConsistentRead")?.unwrap_or(false);
    let next_token = input.str("NextToken")?;
    let capacity = ReturnConsumedCapacity::read(&input, &mut v)?.unwrap_or_default();
    let limit = input.int("Limit")?;
    v.range("limit", limit, 1, None);
    let on_failure = ReturnValuesOnConditionCheckFailure::read(&input, &mut v)?.unwrap_or_default();
    v.finish()?;
    let statement_input = statement.unwrap_or(StatementInput { text: String::new(), parameters: Vec::new() });
    let statement = statement_input.parse()?;
    let lowering = statement_input.lowering();
    let return_old = on_failure == ReturnValuesOnConditionCheckFailure::AllOld;
    match &statement {
        Statement::Select(select) => {
            let options = SelectOptions {
                statement: &statement_input.text,
                consistent,
                limit: limit.map(|l| l as usize),
                capacity,
                next_token,
            };
            run_select(state, select, &lowering, &options)
        }
        Statement::Exists(_) => Err(validation("EXISTS can only be used in ExecuteTransaction write requests.")),
        write => {
            let done = run_write(state, write, &lowering, return_old)?;
            let mut out = ObjectWriter::new();
            out.items("Items", done.returned.iter());
            if let Some(c) = done.consumed.to_json(capacity) {
                out.value("ConsumedCapacity", &c);
            }
            Ok(out.finish())
        }
    }
}

struct SelectOptions<'a> {
    statement: &'a str,
    consistent: bool,
    limit: Option<usize>,
    capacity: ReturnConsumedCapacity,
    next_token: Option<&'a str>,
}

/// Where a page stopped: which of the planned partitions, and the last key
/// evaluated there (the next page starts after it); bound to the statement
/// that made it by a hash of its text.
fn encode_token(statement: &str, partition: usize, key: &Item) -> String {
    let text = json!({ "s": statement_hash(statement), "p": partition, "k": item_to_json(key) }).to_string();
    base64::engine::general_purpose::STANDARD.encode(text)
}

fn decode_token(statement: &str, token: &str) -> ApiResult<(usize, Item)> {
    let invalid = || validation("Invalid NextToken");
    let bytes = base64::engine::general_purpose::STANDARD.decode(token).map_err(|_| invalid())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if value.get("s").and_then(Value::as_str) != Some(statement_hash(statement).as_str()) {
        return Err(validation("NextToken does not match request"));
    }
    let partition = value.get("p").and_then(Value::as_u64).ok_or_else(invalid)? as usize;
    let key = crate::types::item_from_json(value.get("k").ok_or_else(invalid)?).map_err(|_| invalid())?;
    Ok((partition, key))
}

/// FNV-1a of the statement's text, in hex.
fn statement_hash(statement: &str) -> String {
    let hash = statement.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x1000_0000_01b3));
    format!("{hash:016x}")
}

/// A SELECT: one page of the partitions it binds (as Query reads them) or of
/// the whole target (as Scan reads it), filtered by the whole WHERE clause.
fn run_select(state: &State, select: &sql::Select, lowering: &Lowering, options: &SelectOptions) -> ApiResult<Reply> {
    let projection = select_projection(&select.projection)?;
    let table = state.serving_table(&select.source.table)?;
    let guard = table.inner.read();
    // DynamoDB words these two faults otherwise for PartiQL than for Query.
    let target = Target::resolve(&guard, select.source.index.as_deref(), state.clock.now_millis()).map_err(|e| {
        if e.message.starts_with("The table does not have the specified index") {
            validation("The table does not have the specified index")
        } else {
            e
        }
    })?;
    if options.consistent && target.is_global_index() {
        return Err(validation("Strongly consistent read is not supported on Global Secondary Indexes"));
    }
    let schema = target.key_schema();
    // DynamoDB Local 3.3's answer for an index with a multi-attribute key.
    if schema.is_composite() {
        return Err(validation(
            "PartiQL statements cannot be executed on tables with composite HASH keys or composite RANGE keys.",
        ));
    }
    let plan = read_plan(select.filter.as_ref(), schema, lowering)?;
    let forward = order(select, schema, plan.is_scan())?;
    let projected: Vec<&str> = projection.iter().map(DocPath::top).collect();
    let filtered: Vec<&str> = plan.filter.iter().flat_map(|f| f.paths().into_iter().map(DocPath::top)).collect();
    let param = (!projection.is_empty()).then_some("ProjectionExpression");
    let (select_kind, fetch_from_table) = resolve_select(None, param, &projected, &filtered, &target)?;
    let read_options = ReadOptions {
        select: if projection.is_empty() { select_kind } else { Select::AllAttributes },
        limit: options.limit,
        consistent: options.consistent,
        capacity: options.capacity,
        fetch_from_table,
        time_budget: state.page_time_budget(),
    };
    let expressions = ReadExpressions {
        filter: plan.filter.clone(),
        filter_param: "FilterExpression",
        projection: None,
        projection_param: None,
    };
    let kind = if plan.is_scan() { ReadKind::Scan } else { ReadKind::Query };
    let (mut partition, start) = match options.next_token {
        None => (0, None),
        Some(token) => {
            let (partition, key) = decode_token(options.statement, token)?;
            (partition, Some(start_key(kind, &target, &key)?))
        }
    };
    let mut start = start;
    let mut items: Vec<PageItem> = Vec::new();
    let (mut bytes, mut fetch_units) = (0, 0.0);
    let mut next = None;
    let mut remaining = options.limit;
    loop {
        let range = match plan.partitions.get(partition) {
            None if plan.is_scan() && partition == 0 => KeyRange::hashes(0, u64::MAX),
            None => break,
            Some(value) => key_range(KeyCondition::simple(value.clone(), plan.sort.clone()))?,
        };
        let page_options = ReadOptions { limit: remaining, ..read_options.clone() };
        let page = read_page(&target, &page_options, target.candidates(range, forward, start.as_ref()), &expressions);
        bytes += page.bytes_read;
        fetch_units += page.fetch_units;
        items.extend(page.items);
        if let Some(key) = page.last_evaluated_key {
            next = Some((encode_token(options.statement, partition, &key), key));
            break;
        }
        remaining = remaining.map(|r| r.saturating_sub(page.scanned));
        if remaining == Some(0) || plan.is_scan() {
            break;
        }
        partition += 1;
        start = None;
    }
    let consumed = read_consumed(&target, bytes, fetch_units, options.consistent);
    drop(guard);
    let mut out = ObjectWriter::new();
    if projection.is_empty() {
        out.items("Items", &items);
    } else {
        let shaped: Vec<Item> = items.into_iter().map(|i| project_statement(&decode(i), &projection)).collect();
        out.items("Items", shaped.iter());
    }
    // Where the page stopped: as NextToken, and (as the API reference documents) as LastEvaluatedKey.
    if let Some((token, key)) = next {
        out.value("NextToken", &json!(token));
        out.item("LastEvaluatedKey", &key);
    }
    if let Some(c) = consumed.to_json(options.capacity) {
        out.value("ConsumedCapacity", &c);
    }
    Ok(out.finish())
}

fn decode(item: PageItem) -> Item {
    match item {
        PageItem::Decoded(item) => item,
        PageItem::Stored(stored) => stored.decode(),
    }
}

/// The direction ORDER BY asks for, checked as DynamoDB checks it: only with
/// a WHERE clause binding the partition key, only on key attributes.
fn order(select: &sql::Select, schema: &KeySchema, scan: bool) -> ApiResult<bool> {
    if select.order_by.is_empty() {
        return Ok(true);
    }
    if select.filter.is_none() {
        return Err(validation("Must have WHERE clause in the statement when using ORDER BY clause."));
    }
    if scan {
        return Err(validation(
            "Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause.",
        ));
    }
    let mut forward = true;
    for order in &select.order_by {
        let key = schema.attributes().find(|a| order.path.is_attribute(&a.name));
        let Some(key) = key else {
            return Err(validation(format!(
                "Variable reference {} in ORDER BY clause must be part of the primary key",
                path_text(&order.path)
            )));
        };
        if schema.sort.as_ref().is_some_and(|s| s.name == key.name) {
            forward = !order.descending;
        }
    }
    Ok(forward)
}

fn path_text(path: &sql::Path) -> String {
    let mut out = String::new();
    for (i, step) in path.0.iter().enumerate() {
        match step {
            sql::PathStep::Name(n) if i == 0 => out.push_str(n),
            sql::PathStep::Name(n) => {
                out.push('.');
                out.push_str(n);
            }
            sql::PathStep::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The SELECT list as document paths: no two may end in the same name, nor overlap.
fn select_projection(paths: &[sql::Path]) -> ApiResult<Vec<DocPath>> {
    let paths = paths.iter().map(doc_path).collect::<ApiResult<Vec<_>>>()?;
    let mut names = HashSet::new();
    for path in &paths {
        let last = path.0.iter().rev().find_map(|e| match e {
            PathElement::Attribute(name) => Some(name.as_str()),
            PathElement::Index(_) => None,
        });
        if let Some(name) = last {
            if !names.insert(name) {
                return Err(validation(format!("Duplicate identifiers in select clause: {name}")));
            }
        }
    }
    let reversed: Vec<&DocPath> = paths.iter().rev().collect();
    check_overlaps(&reversed).map_err(validation)?;
    Ok(paths)
}

/// A selected item as PartiQL names its attributes: a path answers under its
/// last name (`a.b` as `b`); a path through a list element answers under
/// the name and indexes of that element (`l[0]`, `a.b[1]`), with the rest
/// of the path projected inside it (`a.b[1].c` as `b[1]: {c}`).
fn project_statement(item: &Item, paths: &[DocPath]) -> Item {
    let mut out = Item::new();
    for path in paths {
        let elements = &path.0;
        let last_index = elements.iter().rposition(|e| matches!(e, PathElement::Index(_)));
        let (name, value) = match last_index {
            None => {
                let Some(PathElement::Attribute(name)) = elements.last() else { continue };
                (name.clone(), lookup(item, path).cloned())
            }
            Some(j) => {
                let start = elements[..j].iter().rposition(|e| matches!(e, PathElement::Attribute(_))).unwrap_or(0);
                let mut name = String::new();
                for e in &elements[start..=j] {
                    match e {
                        PathElement::Attribute(n) => name.push_str(n),
                        PathElement::Index(i) => name.push_str(&format!("[{i}]")),
                    }
                }
                let element = lookup(item, &DocPath(elements[..=j].to_vec())).cloned();
                let value = match (&elements[j + 1..], element) {
                    ([], element) => element,
                    (rest, Some(AttributeValue::M(map))) => {
                        let inner = project_paths(&map, &[DocPath(rest.to_vec())]);
                        (!inner.is_empty()).then_some(AttributeValue::M(inner))
                    }
                    _ => None,
                };
                (name, value)
            }
        };
        if let Some(value) = value {
            out.insert(name, value);
        }
    }
    out
}

// ---- writes ----

/// What a write did: the items its RETURNING clause asks for, its capacity.
struct Written {
    returned: Vec<Item>,
    consumed: Consumed,
}

/// Why a write failed, kept apart from other failures for batches, which
/// report them per statement.
fn duplicate_item() -> ApiError {
    ApiError::new(ErrorKind::DuplicateItem, "Duplicate primary key exists in table")
}

/// An INSERT, UPDATE or DELETE on its own (ExecuteStatement, or one
/// statement of a batch).
fn run_write(state: &State, statement: &Statement, lowering: &Lowering, return_old: bool) -> ApiResult<Written> {
    match statement {
        Statement::Insert(insert) => {
            let item = insert_item(insert, lowering)?;
            let table = state.serving_table(&insert.source.table)?;
            let mut guard = table.inner.write();
            let key = insert_key(&guard, &item)?;
            validate_new_item(&guard.def, &item)?;
            // Only whether the item exists matters: nothing is decoded.
            if guard.data.items.contains_key(&key) {
                return Err(duplicate_item());
            }
            let consumed = Consumed::write(&guard.def, None, Some(&item), false);
            guard.data.put_over(key, item, None);
            Ok(Written { returned: Vec::new(), consumed })
        }
        Statement::Update(update) => {
            let expression = lowering.update(&update.actions)?;
            let table = state.serving_table(&update.source.table)?;
            let mut guard = table.inner.write();
            let (key_item, condition) = item_key(update.filter.as_ref(), &guard.def.key_schema, lowering)?;
            let key = guard.def.key_schema.key_from_request(&key_item)?;
            check_key_attributes(&expression, &guard.def.key_schema)?;
            // UPDATE never creates an item.
            let Some(old) = guard.data.get(&key) else { return Err(condition_failed(None, false)) };
            check_condition(condition.as_ref(), Some(&old), return_old)?;
            let new = apply(&expression, &old)?;
            validate_new_item(&guard.def, &new)?;
            let consumed = Consumed::write(&guard.def, Some(&old), Some(&new), false);
            let returned = match update.returning {
                None => None,
                Some(Returning::AllOld) => Some(old.clone()),
                Some(Returning::AllNew) => Some(new.clone()),
                Some(Returning::ModifiedOld) => Some(updated_attributes(&expression, &old)),
                Some(Returning::ModifiedNew) => Some(updated_attributes(&expression, &new)),
            };
            guard.data.put_over(key, new, Some(&old));
            Ok(Written { returned: returned.into_iter().filter(|i| !i.is_empty()).collect(), consumed })
        }
        Statement::Delete(delete) => {
            let table = state.serving_table(&delete.source.table)?;
            let mut guard = table.inner.write();
            let (key_item, condition) = item_key(delete.filter.as_ref(), &guard.def.key_schema, lowering)?;
            let key = guard.def.key_schema.key_from_request(&key_item)?;
            let old = guard.data.get(&key);
            // Deleting an item that is not there succeeds, whatever the condition.
            let Some(old) = old else {
                return Ok(Written { returned: Vec::new(), consumed: Consumed::write(&guard.def, None, None, false) });
            };
            check_condition(condition.as_ref(), Some(&old), return_old)?;
            let consumed = Consumed::write(&guard.def, Some(&old), None, false);
            guard.data.remove_over(&key, Some(&old));
            let returned = if delete.returning.is_some() { vec![old] } else { Vec::new() };
            Ok(Written { returned, consumed })
        }
        Statement::Select(_) | Statement::Exists(_) => Err(validation("Unsupported operation in write request.")),
    }
}

/// The item of an INSERT: its VALUE must be a tuple.
fn insert_item(insert: &sql::Insert, lowering: &Lowering) -> ApiResult<Item> {
    match &insert.value {
        sql::Expr::Tuple(pairs, _) => lowering.tuple(pairs),
        other => Err(lowering.at(
            "Unsupported format in item expression. Please use struct format {...} to express item values for insert statement.",
            other.span().unwrap_or_default(),
        )),
    }
}

/// An INSERT's key, in PartiQL's words for a missing or mistyped attribute.
pub fn insert_key(table: &TableState, item: &Item) -> ApiResult<crate::types::PrimaryKey> {
    for attr in table.def.key_schema.attributes() {
        let Some(value) = item.get(&attr.name) else {
            return Err(validation(format!("Key attribute should be present in the item: Key {}", attr.name)));
        };
        if value.type_name() != attr.kind.as_str() {
            return Err(validation(format!(
                "Key attribute's data type should match its data type in table's schema: Key {}",
                attr.name
            )));
        }
    }
    table.def.key_schema.key_from_item(item)
}

// ---- BatchExecuteStatement ----

/// A batch statement's failure, as `Responses[i].Error` reports it.
fn batch_error(error: &ApiError, table: Option<&str>) -> Value {
    let code = match error.kind {
        ErrorKind::ConditionalCheckFailed => "ConditionalCheckFailed",
        ErrorKind::DuplicateItem => "DuplicateItem",
        ErrorKind::ResourceNotFound => "ResourceNotFound",
        ErrorKind::TransactionConflict => "TransactionConflict",
        ErrorKind::ProvisionedThroughputExceeded => "ProvisionedThroughputExceeded",
        ErrorKind::RequestLimitExceeded => "RequestLimitExceeded",
        ErrorKind::Throttling => "ThrottlingError",
        ErrorKind::ItemCollectionSizeLimitExceeded => "ItemCollectionSizeLimitExceeded",
        ErrorKind::InternalServerError => "InternalServerError",
        _ => "ValidationError",
    };
    let mut body = Map::new();
    body.insert("Code".into(), json!(code));
    body.insert("Message".into(), json!(error.message));
    if let Some(item) = error.extra.as_ref().and_then(|e| e.get("Item")) {
        body.insert("Item".into(), item.clone());
    }
    let mut response = Map::new();
    response.insert("Error".into(), Value::Object(body));
    // Failures met at the item (not the statement) name their table.
    if let (Some(table), ErrorKind::ConditionalCheckFailed | ErrorKind::DuplicateItem) = (table, error.kind) {
        response.insert("TableName".into(), json!(table));
    }
    Value::Object(response)
}

/// One entry of `Statements` or `TransactStatements`.
struct Entry {
    statement: StatementInput,
    consistent: bool,
    return_old: bool,
}

fn read_entries(list: &[Input], empty_message: &str) -> ApiResult<Vec<Entry>> {
    let mut entries = Vec::with_capacity(list.len());
    for entry in list {
        let mut v = Violations::new();
        let statement = StatementInput::read(entry)?;
        let consistent = entry.bool("ConsistentRead")?.unwrap_or(false);
        let on_failure = ReturnValuesOnConditionCheckFailure::read(entry, &mut v)?.unwrap_or_default();
        v.finish()?;
        let Some(statement) = statement.filter(|s| !s.text.is_empty()) else { return Err(validation(empty_message)) };
        entries.push(Entry {
            statement,
            consistent,
            return_old: on_failure == ReturnValuesOnConditionCheckFailure::AllOld,
        });
    }
    Ok(entries)
}

pub fn batch_execute_statement(state: &State, input: Input) -> ApiResult<Value> {
    let mut v = Violations::new();
    let list = input.objects("Statements")?.unwrap_or_default();
    let capacity = ReturnConsumedCapacity::read(&input, &mut v)?.unwrap_or_default();
    v.finish()?;
    if list.is_empty() {
        return Err(validation("The statement was empty."));
    }
    if list.len() > MAX_BATCH_STATEMENTS {
        return Err(validation(format!("BatchGetItem cannot fetch more than {MAX_BATCH_STATEMENTS} items")));
    }
    let entries = read_entries(&list, "The statement was empty.")?;
    let parsed: Vec<ApiResult<Statement>> = entries.iter().map(|e| e.statement.parse()).collect();
    // An EXISTS is neither: it fails alone below.
    let reads = parsed.iter().filter(|p| matches!(p, Ok(Statement::Select(_)))).count();
    let writes = parsed
        .iter()
        .filter(|p| matches!(p, Ok(Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_))))
        .count();
    if reads > 0 && writes > 0 {
        return Err(validation("Read and write requests together in the same batch is not supported."));
    }
    // Every item is named once: checked before anything is read or written.
    let mut seen = HashSet::new();
    for (entry, statement) in entries.iter().zip(&parsed) {
        let Ok(statement) = statement else { continue };
        if let Some(key) = statement_key(state, statement, &entry.statement.lowering()) {
            if !seen.insert(key) {
                return Err(validation("Provided list of item keys contains duplicates"));
            }
        }
    }
    let mut consumed = PerTable::default();
    let mut responses = Vec::with_capacity(entries.len());
    for (entry, statement) in entries.iter().zip(parsed) {
        let lowering = entry.statement.lowering();
        let table = statement.as_ref().ok().map(|s| s.source().table.clone());
        let result = statement.and_then(|statement| match &statement {
            Statement::Select(select) => batch_get(state, select, &lowering, entry.consistent),
            Statement::Exists(_) => Err(validation("EXISTS can only be used in ExecuteTransaction write requests.")),
            write => run_write(state, write, &lowering, entry.return_old)
                .map(|done| (done.returned.into_iter().next(), done.consumed)),
        });
        responses.push(match result {
            Ok((item, used)) => {
                consumed.add(used);
                let mut response = Map::new();
                response.insert("TableName".into(), json!(table));
                if let Some(item) = item {
                    response.insert("Item".into(), item_to_json(&item));
                }
                Value::Object(response)
            }
            Err(error) => batch_error(&error, table.as_deref()),
        });
    }
    let mut out = Map::new();
    out.insert("Responses".into(), Value::Array(responses));
    if let Some(c) = consumed.to_json(capacity) {
        out.insert("ConsumedCapacity".into(), c);
    }
    Ok(Value::Object(out))
}

/// The table and key a statement names, when it names one item of an
/// existing table (for the duplicate check).
fn statement_key(state: &State, statement: &Statement, lowering: &Lowering) -> Option<(String, Vec<u8>)> {
    let table = state.table(&statement.source().table)?;
    let guard = table.inner.read();
    let schema = &guard.def.key_schema;
    let key = match statement {
        Statement::Insert(insert) => insert_item(insert, lowering).ok().and_then(|i| schema.key_from_item(&i).ok()),
        Statement::Update(sql::Update { filter, .. })
        | Statement::Delete(sql::Delete { filter, .. })
        | Statement::Select(sql::Select { filter, .. })
        | Statement::Exists(sql::Select { filter, .. }) => {
            item_key(filter.as_ref(), schema, lowering).ok().and_then(|(key, _)| schema.key_from_request(&key).ok())
        }
    }?;
    Some((statement.source().table.clone(), key.bytes().to_vec()))
}

/// A SELECT of a batch: one item, named by its full key and nothing else.
fn batch_get(
    state: &State,
    select: &sql::Select,
    lowering: &Lowering,
    consistent: bool,
) -> ApiResult<(Option<Item>, Consumed)> {
    let single = || {
        validation("Select statements within BatchExecuteStatement must specify the primary key in the where clause.")
    };
    if select.source.index.is_some() {
        return Err(single());
    }
    let projection = select_projection(&select.projection)?;
    let table = state.serving_table(&select.source.table)?;
    let guard = table.inner.read();
    let (key_item, condition) = item_key(select.filter.as_ref(), &guard.def.key_schema, lowering).map_err(|e| {
        if e.message.starts_with("Where clause") {
            single()
        } else {
            e
        }
    })?;
    if condition.is_some() {
        return Err(single());
    }
    let key = guard.def.key_schema.key_from_request(&key_item)?;
    let item = guard.data.get(&key);
    let size = item.as_ref().map_or(0, crate::types::item_size);
    let consumed = Consumed::table(&guard.def.name, read_units(size, consistent));
    // A single-item read projects as GetItem does (nested paths stay nested).
    let item = item.map(|i| if projection.is_empty() { i } else { project_paths(&i, &projection) });
    Ok((item, consumed))
}

// ---- ExecuteTransaction ----

fn in_statement(i: usize, message: &str) -> ApiError {
    validation(format!("Validation failed in TransactStatements[{i}]: {message}"))
}

pub fn execute_transaction(state: &State, input: Input) -> ApiResult<Value> {
    let mut v = Violations::new();
    let token = input.str("ClientRequestToken")?;
    transact::check_token(token, &mut v);
    let list = input.objects("TransactStatements")?.unwrap_or_default();
    let capacity = ReturnConsumedCapacity::read(&input, &mut v)?.unwrap_or_default();
    v.finish()?;
    let empty = "ExecutePartiQLTransaction can not have empty statement.";
    if list.is_empty() {
        return Err(validation(empty));
    }
    if list.len() > MAX_TRANSACTION_STATEMENTS {
        return Err(validation(format!("Member must have length less than or equal to {MAX_TRANSACTION_STATEMENTS}")));
    }
    let entries = read_entries(&list, empty)?;
    let mut statements = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let statement = parse_statement(&entry.statement.text)?;
        if parameter_count(&entry.statement.text) > entry.statement.parameters.len() {
            return Err(in_statement(i, "Number of parameters in request and statement don't match."));
        }
        statements.push(statement);
    }
    let reads = statements.iter().filter(|s| s.is_read()).count();
    if reads > 0 && reads < statements.len() {
        return Err(validation(
            "ExecuteTransaction API does not support both read and write operations in the same request.",
        ));
    }
    if reads > 0 {
        let gets = transaction_gets(state, &statements, &entries)?;
        let mut out = transact::execute_gets(state, &gets, capacity)?;
        // Reads answer in order, an empty object for an item not found.
        if let Some(Value::Array(responses)) = out.get_mut("Responses") {
            for response in responses.iter_mut() {
                if response.get("Item").is_none() {
                    *response = json!({});
                }
            }
        }
        return Ok(out);
    }
    let actions = transaction_actions(state, &statements, &entries)?;
    let fingerprint = input.raw("TransactStatements").cloned().unwrap_or(Value::Null);
    let mut out = transact::execute_once(state, token, &fingerprint, &actions, capacity, false).map_err(|e| {
        if e.kind == ErrorKind::IdempotentParameterMismatch {
            // ExecuteTransaction words a reused token otherwise than TransactWriteItems.
            ApiError::new(
                e.kind,
                "Specified idempotent token was used with different request parameters within the idempotency window",
            )
        } else {
            e
        }
    })?;
    if let Value::Object(map) = &mut out {
        map.insert("Responses".into(), json!([]));
    }
    Ok(out)
}

/// The schema of a statement's table (a missing table fails the transaction).
fn key_schema_of(state: &State, table: &str) -> ApiResult<KeySchema> {
    Ok(state.serving_table(table)?.inner.read().def.key_schema.clone())
}

fn transaction_gets<'a>(state: &State, statements: &'a [Statement], entries: &'a [Entry]) -> ApiResult<Vec<Get<'a>>> {
    let mut gets = Vec::with_capacity(statements.len());
    for (i, (statement, entry)) in statements.iter().zip(entries).enumerate() {
        let Statement::Select(select) = statement else { continue };
        if select.source.index.is_some() {
            return Err(in_statement(i, "Reads on indices are not supported within transactions."));
        }
        let projection = select_projection(&select.projection)?;
        let schema = key_schema_of(state, &select.source.table)?;
        let lowering = entry.statement.lowering();
        let primary_key = || {
            in_statement(
                i,
                "Select statements within ExecuteTransaction must specify the primary key in the where clause.",
            )
        };
        let (key, condition) = item_key(select.filter.as_ref(), &schema, &lowering).map_err(|e| {
            if e.message.starts_with("Where clause") {
                primary_key()
            } else {
                e
            }
        })?;
        if condition.is_some() {
            return Err(primary_key());
        }
        let shape: Box<dyn Fn(&Item) -> Item + 'a> = if projection.is_empty() {
            Box::new(|item: &Item| item.clone())
        } else {
            Box::new(move |item: &Item| project_paths(item, &projection))
        };
        gets.push(Get { table: &select.source.table, key, projection: shape });
    }
    Ok(gets)
}

fn transaction_actions<'a>(
    state: &State,
    statements: &'a [Statement],
    entries: &[Entry],
) -> ApiResult<Vec<Action<'a>>> {
    let mut actions = Vec::with_capacity(statements.len());
    for (i, (statement, entry)) in statements.iter().zip(entries).enumerate() {
        let lowering = entry.statement.lowering();
        let return_old_on_failure = entry.return_old;
        let returning = matches!(
            statement,
            Statement::Update(sql::Update { returning: Some(_), .. })
                | Statement::Delete(sql::Delete { returning: Some(_), .. })
        );
        if returning {
            return Err(in_statement(i, "RETURNING clause is not supported in ExecuteTransaction."));
        }
        let table = &statement.source().table;
        let action = match statement {
            Statement::Insert(insert) => {
                let item = insert_item(insert, &lowering)?;
                Action { table, kind: ActionKind::Insert, source: item, condition: None, return_old_on_failure }
            }
            Statement::Update(update) => {
                let expression = lowering.update(&update.actions)?;
                let schema = key_schema_of(state, table)?;
                let (key, condition) = item_key(update.filter.as_ref(), &schema, &lowering)?;
                // UPDATE never creates an item.
                let condition = Some(with_existence(&schema, true, condition));
                Action { table, kind: ActionKind::Update(expression), source: key, condition, return_old_on_failure }
            }
            Statement::Delete(delete) => {
                let schema = key_schema_of(state, table)?;
                let (key, condition) = item_key(delete.filter.as_ref(), &schema, &lowering)?;
                // A missing item is deleted whatever the condition.
                let condition = condition.map(|c| with_existence(&schema, false, Some(c)));
                Action { table, kind: ActionKind::Delete, source: key, condition, return_old_on_failure }
            }
            Statement::Exists(select) => {
                let check = || in_statement(i, "EXISTS() must contain a single item read with additional condition");
                if select.source.index.is_some() {
                    return Err(in_statement(i, "Operations on indices are not supported in transactions"));
                }
                if !select.projection.is_empty() {
                    return Err(check());
                }
                let schema = key_schema_of(state, table)?;
                let (key, condition) = item_key(select.filter.as_ref(), &schema, &lowering).map_err(|_| check())?;
                let Some(condition) = condition else { return Err(check()) };
                let condition = Some(with_existence(&schema, true, Some(condition)));
                Action { table, kind: ActionKind::ConditionCheck, source: key, condition, return_old_on_failure }
            }
            Statement::Select(_) => continue,
        };
        actions.push(action);
    }
    Ok(actions)
}

/// `condition` joined to the item's existence: it must exist (`exists`), or
/// a missing item passes whatever the condition says.
fn with_existence(schema: &KeySchema, exists: bool, condition: Option<Condition>) -> Condition {
    let key = DocPath::attribute(&schema.partition.name);
    match (exists, condition) {
        (true, None) => Condition::AttributeExists(key),
        (true, Some(c)) => Condition::And(vec![Condition::AttributeExists(key), c]),
        (false, None) => Condition::AttributeNotExists(key),
        (false, Some(c)) => Condition::Or(vec![Condition::AttributeNotExists(key), c]),
    }
}
