//! DescribeTableReplicaAutoScaling and UpdateTableReplicaAutoScaling: the
//! auto scaling of a global table's replicas (Application Auto Scaling
//! behind DynamoDB's API). Only global tables (version 2019.11.21) have it:
//! a regional table is not found. The emulator's replicas are all on-demand
//! (it has no Application Auto Scaling, so PROVISIONED tables get no
//! replica), which is what these answers follow, as recorded against
//! DynamoDB (ack-api-quirks `services/dynamodb` findings DDB-TABLE-187 and
//! 190, verified 2026-10-09): every replica listed, home region included,
//! in region order, without auto scaling settings; an update that would set
//! a capacity is refused because the replicas are PayPerRequest.

use super::table_request::read_definition_table_name;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::input::Input;
use crate::state::State;
use crate::storage::lifecycle::table_status;
use serde_json::{json, Value};

fn not_global(name: &str) -> ApiError {
    ApiError::new(ErrorKind::ResourceNotFound, format!("Global table with name: '{name}' does not exist."))
}

/// The `TableAutoScalingDescription` of global table `name`.
fn description(state: &State, name: &str) -> ApiResult<(Value, Vec<String>)> {
    let table = state.table(name).ok_or_else(|| not_global(name))?;
    let guard = table.inner.read();
    let Some(Value::Array(others)) = super::replicas::describe_replicas(state, &guard.def) else {
        return Err(not_global(name));
    };
    let now = state.clock.now_millis();
    let status = table_status(&guard.def, now);
    let indexes: Vec<Value> = (guard.def.global_indexes.iter())
        .map(|index| {
            let backfilling = crate::storage::lifecycle::is_backfilling(index, now);
            json!({ "IndexName": index.name, "IndexStatus": if backfilling { "CREATING" } else { "ACTIVE" } })
        })
        .collect();
    let mut replicas: Vec<(String, &str)> = others
        .iter()
        .map(|r| {
            (r["RegionName"].as_str().unwrap_or_default().to_string(), r["ReplicaStatus"].as_str().unwrap_or("ACTIVE"))
        })
        .collect();
    replicas.push((state.config.region.clone(), "ACTIVE"));
    replicas.sort();
    let regions = replicas.iter().map(|(region, _)| region.clone()).collect();
    let replicas: Vec<Value> = replicas
        .into_iter()
        .map(|(region, status)| json!({ "RegionName": region, "GlobalSecondaryIndexes": indexes, "ReplicaStatus": status }))
        .collect();
    let description = json!({ "TableName": name, "TableStatus": status.as_str(), "Replicas": replicas });
    Ok((description, regions))
}

pub fn describe_table_replica_auto_scaling(state: &State, input: Input) -> ApiResult<Value> {
    let name = read_definition_table_name(&input)?;
    let (description, _) = description(state, name)?;
    Ok(json!({ "TableAutoScalingDescription": description }))
}

pub fn update_table_replica_auto_scaling(state: &State, input: Input) -> ApiResult<Value> {
    let name = read_definition_table_name(&input)?;
    let write = input.object("ProvisionedWriteCapacityAutoScalingUpdate")?;
    let replica_updates = input.objects("ReplicaUpdates")?.unwrap_or_default();
    let (description, regions) = description(state, name)?;
    // What a setting would scale, in DynamoDB's names for the parameters it refuses on on-demand replicas.
    let sets = |update: &Input| update.bool("AutoScalingDisabled").ok().flatten() != Some(true);
    let refused = if write.as_ref().is_some_and(sets) {
        Some("GlobalTableProvisionedWriteCapacityAutoScalingSettingsUpdate")
    } else if replica_updates
        .iter()
        .any(|r| r.object("ReplicaProvisionedReadCapacityAutoScalingUpdate").ok().flatten().is_some_and(|u| sets(&u)))
    {
        Some("ReplicaProvisionedReadCapacityAutoScalingSettingsUpdate")
    } else {
        None
    };
    if let Some(parameter) = refused {
        let replicas: Vec<String> = regions.iter().map(|r| format!("'{}'", r.to_uppercase())).collect();
        return Err(ApiError::validation(format!(
            "Failed to update global table with name \u{2018}{name}\u{2018}. Replicas {} BillingMode is PayPerRequest. You must convert table's BillingMode to PROVISIONED to set parameters: '{parameter}'.",
            replicas.join(", ")
        )));
    }
    Ok(json!({ "TableAutoScalingDescription": description }))
}
