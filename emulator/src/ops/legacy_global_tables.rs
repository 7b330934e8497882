//! The global tables version 2017.11.29 (Legacy) operations, answered as
//! DynamoDB answers them today: no legacy global table can be made any more
//! (CreateGlobalTable, and UpdateGlobalTable adding a replica, are a
//! ValidationException naming version 2019.11.21), so none exists:
//! ListGlobalTables is empty and the others find no global table, including
//! the 2019.11.21 tables `ops::replicas` makes (the legacy API does not see
//! them). Recorded against DynamoDB: ack-api-quirks `services/dynamodb`
//! findings DDB-GLOBALTABLE-001 and 002 (verified 2026-10-09).

use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::input::{Input, Violations};
use crate::state::State;
use serde_json::{json, Value};

fn not_supported() -> ApiError {
    ApiError::validation(
        "One or more parameter values were invalid: DynamoDB global tables version 2017.11.29 is not supported. We recommend using DynamoDB global tables version 2019.11.21, instead of version 2017.11.29 (Legacy).",
    )
}

fn not_found(name: &str) -> ApiError {
    ApiError::new(ErrorKind::GlobalTableNotFound, format!("Global table with name: '{name}' does not exist."))
}

/// `GlobalTableName`, checked as every table name is.
fn global_table_name<'a>(input: &Input<'a>, v: &mut Violations) -> ApiResult<&'a str> {
    let name = input.str("GlobalTableName")?;
    v.table_name("globalTableName", name);
    Ok(name.unwrap_or_default())
}

/// A required list of objects (`ReplicationGroup`, `ReplicaUpdates`), read.
fn require_list<'a>(input: &Input<'a>, field: &str, path: &str, v: &mut Violations) -> ApiResult<Vec<Input<'a>>> {
    let list = input.objects(field)?;
    v.not_null(path, &list);
    Ok(list.unwrap_or_default())
}

pub fn create_global_table(_state: &State, input: Input) -> ApiResult<Value> {
    let mut v = Violations::new();
    global_table_name(&input, &mut v)?;
    require_list(&input, "ReplicationGroup", "replicationGroup", &mut v)?;
    v.finish()?;
    Err(not_supported())
}

pub fn update_global_table(_state: &State, input: Input) -> ApiResult<Value> {
    let mut v = Violations::new();
    let name = global_table_name(&input, &mut v)?;
    let updates = require_list(&input, "ReplicaUpdates", "replicaUpdates", &mut v)?;
    v.finish()?;
    // Adding a replica is refused whether or not the global table exists (DDB-GLOBALTABLE-002).
    if updates.iter().any(|u| u.has("Create")) {
        return Err(not_supported());
    }
    Err(not_found(name))
}

pub fn describe_global_table(_state: &State, input: Input) -> ApiResult<Value> {
    let mut v = Violations::new();
    let name = global_table_name(&input, &mut v)?;
    v.finish()?;
    Err(not_found(name))
}

pub fn describe_global_table_settings(state: &State, input: Input) -> ApiResult<Value> {
    describe_global_table(state, input)
}

pub fn update_global_table_settings(state: &State, input: Input) -> ApiResult<Value> {
    describe_global_table(state, input)
}

pub fn list_global_tables(_state: &State, input: Input) -> ApiResult<Value> {
    let mut v = Violations::new();
    if let Some(start) = input.str("ExclusiveStartGlobalTableName")? {
        v.name_rules("exclusiveStartGlobalTableName", start, 3, 255);
    }
    v.range("limit", input.int("Limit")?, 1, None);
    v.finish()?;
    Ok(json!({ "GlobalTables": [] }))
}
