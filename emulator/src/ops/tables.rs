//! DescribeTable, ListTables and DeleteTable. CreateTable and UpdateTable
//! have modules of their own; all answer with [`describe`]'s TableDescription.

use super::table_description::describe;
use super::table_request::{read_definition_table_name, table_not_found};
use crate::error::{ApiError, ApiResult};
use crate::input::{Input, Violations};
use crate::state::State;
use crate::storage::lifecycle::{table_status, Phase, TableStatus};
use crate::storage::{Table, TableWriteGuard};
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// Table names a ListTables page holds, at most and by default.
const MAX_LIST_TABLES_LIMIT: i64 = 100;

pub fn describe_table(state: &State, input: Input) -> ApiResult<Value> {
    let name = read_definition_table_name(&input)?;
    let table = state.table(name).ok_or_else(|| table_not_found(name))?;
    let guard = table.inner.read();
    let status = table_status(&guard.def, state.clock.now_millis());
    Ok(json!({ "Table": describe(state, &guard.def, &guard.data, status) }))
}

/// Deletes a table: at once, or (with a status delay) after a DELETING
/// period during which it is still described and listed but serves no items.
pub fn delete_table(state: &State, input: Input) -> ApiResult<Value> {
    let name = read_definition_table_name(&input)?;
    let table = state.table(name).ok_or_else(|| table_not_found(name))?;
    let mut guard = table.inner.write();
    if guard.def.deletion_protection {
        return Err(ApiError::validation(
            "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.",
        ));
    }
    let now = state.clock.now_millis();
    let status = table_status(&guard.def, now);
    // A table already DELETING is answered again without an error, as DynamoDB does.
    let already_deleting = status == TableStatus::Deleting;
    if !already_deleting {
        if let Some(error) = status.in_use_error(name) {
            return Err(error);
        }
    }
    if !already_deleting {
        super::replicas::check_delete(state, &guard.def)?;
    }
    let description = describe(state, &guard.def, &guard.data, TableStatus::Deleting);
    if !already_deleting {
        super::backups::take_system_backup(state, &guard);
        let until = state.status_delay.begin(Phase::Deleting, now).map_or(now, |t| t.until_millis);
        super::replicas::leave(state, &mut guard, until);
        retire(state, &table, guard, now);
    }
    Ok(json!({ "TableDescription": description }))
}

/// Takes a table out of service: its stream closes (readable for 24 hours
/// more), and it is DELETING for the status delay, or gone at once.
pub fn retire(state: &State, table: &Arc<Table>, mut guard: TableWriteGuard, now: i64) {
    if guard.def.stream_view.is_some() {
        state.disable_stream(&mut guard);
    }
    match state.status_delay.begin(Phase::Deleting, now) {
        Some(transition) => guard.def.transition = Some(transition),
        None => {
            let name = guard.def.name.clone();
            drop(guard);
            state.catalog.remove_if_same(&name, table);
        }
    }
}

/// A ListTables request, checked.
pub struct ListTablesRequest<'a> {
    /// Names after this one (in name order) are listed.
    pub exclusive_start: Option<&'a str>,
    pub limit: usize,
}

impl<'a> ListTablesRequest<'a> {
    pub fn read(input: Input<'a>) -> ApiResult<ListTablesRequest<'a>> {
        let start = input.str("ExclusiveStartTableName")?;
        let limit = input.int("Limit")?;
        let mut v = Violations::new();
        v.range("limit", limit, 1, Some(MAX_LIST_TABLES_LIMIT));
        if let Some(s) = start {
            v.name_rules("exclusiveStartTableName", s, 3, 255);
        }
        v.finish()?;
        let limit = limit.unwrap_or(MAX_LIST_TABLES_LIMIT) as usize;
        Ok(ListTablesRequest { exclusive_start: start, limit })
    }
}

pub fn list_tables(state: &State, input: Input) -> ApiResult<Value> {
    let request = ListTablesRequest::read(input)?;
    let names = state.table_names();
    let start = request.exclusive_start;
    let after: Vec<&String> = names.iter().filter(|n| start.is_none_or(|s| n.as_str() > s)).collect();
    let page: Vec<&String> = after.iter().take(request.limit).copied().collect();
    let mut out = Map::new();
    out.insert("TableNames".into(), json!(page));
    if after.len() > request.limit {
        if let Some(last) = page.last() {
            out.insert("LastEvaluatedTableName".into(), json!(last));
        }
    }
    Ok(Value::Object(out))
}
