//! On-demand backups: CreateBackup, DescribeBackup, ListBackups,
//! DeleteBackup and RestoreTableFromBackup.
//!
//! A backup is the table as it was at one instant (its definition and
//! items, sharing the items' allocations), kept in `State::backups`; it
//! outlives its table. Behaviour follows DynamoDB as recorded against it
//! (ack-api-quirks' DynamoDB backup findings, 2026-10): CreateBackup answers
//! CREATING and the backup is AVAILABLE at once; DeleteBackup answers DELETED
//! and the backup is gone; a CREATING table is "not found"; a backup feeds one
//! restore at a time; ListBackups shows USER backups by default, its time
//! range is [lower, upper); a restore carries over keys, indexes, billing and
//! throughput and SSE, not streams, Time to Live, tags, PITR or deletion
//! protection (the developer guide's list of settings to set up again).
//!
//! Deleting a table with point-in-time recovery on takes a SYSTEM backup,
//! `<table>$DeletedTableBackup` (developer guide, "Delete a table with PITR
//! enabled"; ack-api-quirks DDB-BACKUP-015): ARN id `<ms>-00000000`,
//! `BackupExpiryDateTime` 35 days on, `SourceTableFeatureDetails` `{}`,
//! listed only for `BackupType` SYSTEM or ALL, restorable, and not deletable
//! (ValidationException); it goes when it expires on the clock.

use super::table_description::{describe, key_schema_json, projection_json, sse_description};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::input::{Input, Violations};
use crate::state::backups::{Backup, SYSTEM_BACKUP_SUFFIX};
use crate::state::State;
use crate::storage::integrations::{Integrations, RestoredFrom};
use crate::storage::lifecycle::{table_status, Phase, TableStatus};
use crate::storage::{BillingMode, IndexDef, IndexKind, TableDef, TableState, Throughput};
use serde_json::{json, Map, Value};

fn validation(message: impl Into<String>) -> ApiError {
    ApiError::validation(message)
}

fn seconds(millis: i64) -> f64 {
    millis as f64 / 1000.0
}

/// DynamoDB's words for a backup that is not there (ack-api-quirks DDB-BACKUP-005).
fn backup_not_found(arn: &str) -> ApiError {
    ApiError::new(ErrorKind::BackupNotFound, format!("Backup not found: {arn}"))
}

/// The backup `arn` names, unless missing or expired. DynamoDB looks a
/// backup up whatever region its ARN names (ack-api-quirks DDB-BACKUP-012).
fn find_backup(state: &State, arn: &str) -> ApiResult<std::sync::Arc<Backup>> {
    state.backups.drop_expired(state.clock.now_millis());
    let parts: Vec<&str> = arn.splitn(5, ':').collect();
    let here = match parts.as_slice() {
        [arn_, partition, service, _region, rest] => {
            format!("{arn_}:{partition}:{service}:{}:{rest}", state.config.region)
        }
        _ => arn.to_string(),
    };
    state.backups.get(&here).ok_or_else(|| backup_not_found(arn))
}

/// A backup's description as asked for: DynamoDB echoes the ARN it was given.
fn echoed(mut description: Value, arn: &str) -> Value {
    description["BackupDetails"]["BackupArn"] = json!(arn);
    description
}

/// `BackupArn` of a request: present, of the length the model allows, and
/// shaped like a backup's ARN (DynamoDB: "Invalid Backup ARN").
fn backup_arn<'a>(input: &Input<'a>, member: &str, path: &str, required: bool) -> ApiResult<Option<&'a str>> {
    let arn = input.str(member)?;
    let mut v = Violations::new();
    if required {
        v.not_null(path, &arn);
    }
    v.length(path, arn, 37, 1024);
    v.finish()?;
    // Not a backup's ARN at all, or one of another partition or service
    // (DynamoDB's words: ack-api-quirks DDB-BACKUP-012, DDB-TABLE-442).
    if let Some(a) = arn {
        let parts: Vec<&str> = a.splitn(6, ':').collect();
        let shaped = matches!(parts.as_slice(), ["arn", _, _, _, _, rest] if rest.starts_with("table/") && rest.contains("/backup/"));
        if !shaped {
            return Err(validation("Invalid Backup ARN"));
        }
        if parts[1] != "aws" || parts[2] != "dynamodb" {
            return Err(validation("Invalid Request: BackupArn is not valid"));
        }
    }
    Ok(arn)
}

/// Whether a restore from `backup` is still creating its table.
fn feeding_restore(state: &State, backup: &Backup) -> bool {
    let Some(target) = state.backups.restoring(&backup.arn) else { return false };
    let Some(table) = state.table(&target) else { return false };
    let def = &table.inner.read().def;
    def.integrations.restored_from.as_ref().is_some_and(|r| r.backup_arn.as_deref() == Some(backup.arn.as_str()))
        && table_status(def, state.clock.now_millis()) == TableStatus::Creating
}

fn type_of(backup: &Backup) -> &'static str {
    if backup.is_system() {
        "SYSTEM"
    } else {
        "USER"
    }
}

fn details(backup: &Backup, status: &str) -> Value {
    let mut details = json!({
        "BackupArn": backup.arn,
        "BackupName": backup.name,
        "BackupSizeBytes": backup.table.data.size_bytes,
        "BackupStatus": status,
        "BackupType": type_of(backup),
        "BackupCreationDateTime": seconds(backup.created_millis),
    });
    if let Some(expiry) = backup.expires_millis() {
        details["BackupExpiryDateTime"] = json!(seconds(expiry));
    }
    details
}

fn throughput_json(t: Throughput) -> Value {
    json!({ "ReadCapacityUnits": t.read, "WriteCapacityUnits": t.write })
}

fn index_info(index: &IndexDef, billing: BillingMode) -> Value {
    let projection = projection_json(&index.projection);
    let mut info =
        json!({ "IndexName": index.name, "KeySchema": key_schema_json(&index.key_schema), "Projection": projection });
    if index.kind == IndexKind::Global && billing == BillingMode::Provisioned {
        info["ProvisionedThroughput"] = throughput_json(index.throughput.unwrap_or_default());
    }
    info
}

/// DescribeBackup's and DeleteBackup's `BackupDescription`.
fn description(state: &State, backup: &Backup, status: &str) -> Value {
    let def = &backup.table.def;
    let source = json!({
        "TableName": def.name,
        "TableId": def.id,
        "TableArn": def.arn,
        "TableSizeBytes": backup.table.data.size_bytes,
        "KeySchema": key_schema_json(&def.key_schema),
        "TableCreationDateTime": def.created_at,
        "ProvisionedThroughput": throughput_json(def.throughput),
        "ItemCount": backup.table.data.item_count(),
        "BillingMode": if def.billing_mode == BillingMode::PayPerRequest { "PAY_PER_REQUEST" } else { "PROVISIONED" },
    });
    // A SYSTEM backup's features are `{}`, as recorded.
    let features = if backup.is_system() { Map::new() } else { feature_details(state, def) };
    json!({
        "BackupDetails": details(backup, status),
        "SourceTableDetails": source,
        "SourceTableFeatureDetails": Value::Object(features),
    })
}

/// `SourceTableFeatureDetails`: only what the table has (a plain table's are `{}`).
fn feature_details(state: &State, def: &TableDef) -> Map<String, Value> {
    let mut features = Map::new();
    if !def.local_indexes.is_empty() {
        let list: Vec<Value> = def.local_indexes.iter().map(|i| index_info(i, def.billing_mode)).collect();
        features.insert("LocalSecondaryIndexes".into(), Value::Array(list));
    }
    if !def.global_indexes.is_empty() {
        let list: Vec<Value> = def.global_indexes.iter().map(|i| index_info(i, def.billing_mode)).collect();
        features.insert("GlobalSecondaryIndexes".into(), Value::Array(list));
    }
    if let Some(vectors) = super::vector_indexes::backup_info(def) {
        features.insert("VectorIndexes".into(), vectors);
    }
    if let Some(view) = def.stream_view {
        features.insert("StreamDescription".into(), json!({ "StreamEnabled": true, "StreamViewType": view.as_str() }));
    }
    if let Some(attribute) = &def.ttl_attribute {
        features.insert(
            "TimeToLiveDescription".into(),
            json!({ "TimeToLiveStatus": "ENABLED", "AttributeName": attribute }),
        );
    }
    if let Some(sse) = sse_description(state, def) {
        features.insert("SSEDescription".into(), sse);
    }
    features
}

pub fn create_backup(state: &State, input: Input) -> ApiResult<Value> {
    let mut v = Violations::new();
    let table_name = input.str("TableName")?;
    v.table_name("tableName", table_name);
    let backup_name = input.str("BackupName")?;
    v.not_null("backupName", &backup_name);
    if let Some(name) = backup_name {
        v.name_rules("backupName", name, 3, 255);
    }
    v.finish()?;
    let (table_name, backup_name) = (table_name.unwrap_or_default(), backup_name.unwrap_or_default());
    let not_found = || ApiError::new(ErrorKind::TableNotFound, format!("Table not found: {table_name}"));
    let table = state.table(table_name).ok_or_else(not_found)?;
    let now = state.clock.now_millis();
    // A consistent copy: taken under the table's read lock.
    let copy: TableState = {
        let guard = table.inner.read();
        // DynamoDB answers a table still CREATING as it answers a missing one.
        if table_status(&guard.def, now) == TableStatus::Creating {
            return Err(not_found());
        }
        guard.clone()
    };
    let arn = format!("{}/backup/{}", copy.def.arn, super::transfers::new_id(now));
    let backup = Backup { arn, name: backup_name.to_string(), created_millis: now, table: copy };
    let answer = json!({ "BackupDetails": details(&backup, "CREATING") });
    state.backups.insert(backup);
    Ok(answer)
}

/// The SYSTEM backup DynamoDB takes of a table with point-in-time recovery
/// on as it is deleted: the table just before deletion, kept 35 days.
pub fn take_system_backup(state: &State, table: &TableState) {
    if !table.def.point_in_time_recovery {
        return;
    }
    let now = state.clock.now_millis();
    state.backups.insert(Backup {
        arn: format!("{}/backup/{now:014}-00000000", table.def.arn),
        name: format!("{}{SYSTEM_BACKUP_SUFFIX}", table.def.name),
        created_millis: now,
        table: table.clone(),
    });
}

pub fn describe_backup(state: &State, input: Input) -> ApiResult<Value> {
    let arn = backup_arn(&input, "BackupArn", "backupArn", true)?.unwrap_or_default();
    let backup = find_backup(state, arn)?;
    Ok(json!({ "BackupDescription": echoed(description(state, &backup, "AVAILABLE"), arn) }))
}

pub fn delete_backup(state: &State, input: Input) -> ApiResult<Value> {
    let arn = backup_arn(&input, "BackupArn", "backupArn", true)?.unwrap_or_default();
    let backup = find_backup(state, arn)?;
    if let Some(expiry) = backup.expires_millis() {
        return Err(validation(format!(
            "Invalid Request: User is not allowed to delete the system backup with arn {arn}. It will automatically expire on {}",
            super::transfers::iso(state, expiry)
        )));
    }
    if feeding_restore(state, &backup) {
        return Err(ApiError::new(ErrorKind::BackupInUse, format!("Backup is being used to restore table: {arn}")));
    }
    state.backups.remove(&backup.arn);
    Ok(json!({ "BackupDescription": echoed(description(state, &backup, "DELETED"), arn) }))
}

/// A timestamp member (epoch seconds: `TimeRangeLowerBound`, `RestoreDateTime`, ...) in milliseconds.
pub(super) fn time_bound(input: &Input, member: &str) -> ApiResult<Option<i64>> {
    match input.raw(member) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64().map(|s| (s * 1000.0).round() as i64)),
        Some(_) => Err(ApiError::serialization("class java.lang.String can not be converted to an Date")),
    }
}

pub fn list_backups(state: &State, input: Input) -> ApiResult<Value> {
    let mut v = Violations::new();
    let table_name = input.str("TableName")?;
    if let Some(name) = table_name {
        v.name_rules("tableName", name, 3, 255);
    }
    let limit = input.int("Limit")?;
    v.range("limit", limit, 1, Some(100));
    let backup_type = input.str("BackupType")?;
    v.one_of("backupType", backup_type, &["USER", "SYSTEM", "AWS_BACKUP", "ALL"]);
    v.finish()?;
    let start = backup_arn(&input, "ExclusiveStartBackupArn", "exclusiveStartBackupArn", false)?;
    let (lower, upper) = (time_bound(&input, "TimeRangeLowerBound")?, time_bound(&input, "TimeRangeUpperBound")?);
    if let (Some(l), Some(u)) = (lower, upper) {
        if l > u {
            return Err(validation(
                "One or more parameter values were invalid: Time range lower bound must be less than or equal to upper bound",
            ));
        }
    }
    // USER unless asked otherwise; no backup here is an AWS_BACKUP one.
    let wanted = backup_type.unwrap_or("USER");
    state.backups.drop_expired(state.clock.now_millis());
    let all = state.backups.all();
    let matching: Vec<&Backup> = all
        .iter()
        .map(|b| &**b)
        .filter(|b| wanted == "ALL" || wanted == type_of(b))
        .filter(|b| table_name.is_none_or(|t| b.table.def.name == t))
        .filter(|b| lower.is_none_or(|l| b.created_millis >= l) && upper.is_none_or(|u| b.created_millis < u))
        .collect();
    // The start ARN is a cursor: a backup deleted since still marks a
    // position, the backups after it in (creation time, ARN) order.
    let after = match start {
        None => 0,
        Some(arn) => {
            if arn.split(':').nth(3) != Some(state.config.region.as_str()) {
                return Err(validation(
                    "Invalid Request: The supplied ExclusiveStartBackupArn does not match the region",
                ));
            }
            let millis = arn.rsplit('/').next().and_then(|id| id.split('-').next()).and_then(|m| m.parse::<i64>().ok());
            match millis {
                Some(m) => matching.iter().position(|b| (b.created_millis, b.arn.as_str()) > (m, arn)),
                None => matching.iter().position(|b| b.arn == arn).map(|i| i + 1),
            }
            .unwrap_or(matching.len())
        }
    };
    let limit = limit.map_or(usize::MAX, |l| l as usize);
    let page: Vec<&&Backup> = matching.iter().skip(after).take(limit).collect();
    let summaries: Vec<Value> = page
        .iter()
        .map(|b| {
            let mut summary = details(b, "AVAILABLE");
            summary["TableName"] = json!(b.table.def.name);
            summary["TableId"] = json!(b.table.def.id);
            summary["TableArn"] = json!(b.table.def.arn);
            summary
        })
        .collect();
    let mut out = Map::new();
    out.insert("BackupSummaries".into(), Value::Array(summaries));
    if after + page.len() < matching.len() {
        if let Some(last) = page.last() {
            out.insert("LastEvaluatedBackupArn".into(), json!(last.arn));
        }
    }
    Ok(Value::Object(out))
}

/// The names an index override keeps (`None`: no override, keep them all).
fn kept_indexes(input: &Input, member: &str) -> ApiResult<Option<Vec<String>>> {
    let Some(list) = input.objects(member)? else { return Ok(None) };
    let mut names = Vec::with_capacity(list.len());
    for index in list {
        let name = index.str("IndexName")?.ok_or_else(|| validation(format!("{member}: IndexName is required")))?;
        names.push(name.to_string());
    }
    Ok(Some(names))
}

pub fn restore_table_from_backup(state: &State, input: Input) -> ApiResult<Value> {
    let mut v = Violations::new();
    let target = input.str("TargetTableName")?;
    v.table_name("targetTableName", target);
    let billing = input.str("BillingModeOverride")?;
    v.one_of("billingModeOverride", billing, &["PROVISIONED", "PAY_PER_REQUEST"]);
    v.finish()?;
    let target = target.unwrap_or_default();
    let arn = backup_arn(&input, "BackupArn", "backupArn", true)?.unwrap_or_default();
    let backup = find_backup(state, arn)?;
    if feeding_restore(state, &backup) {
        return Err(ApiError::new(
            ErrorKind::BackupInUse,
            format!("Backup is being used to restore another table: {arn}"),
        ));
    }
    check_target(state, target)?;
    let overrides = RestoreOverrides::read(&input, billing)?;
    let from = RestoredFrom {
        backup_arn: Some(backup.arn.clone()),
        table_arn: backup.table.def.arn.clone(),
        at: state.clock.now_seconds(),
    };
    let answer = restore_into(state, target, backup.table.clone(), overrides, from)?;
    state.backups.set_restoring(&backup.arn, target.to_string());
    Ok(answer)
}

/// Restores that may be creating their tables at once, of any kind
/// (API reference, RestoreTableFromBackup: "up to 50 concurrent restores
/// (any type of restore) in a given account").
pub const MAX_RESTORES_IN_PROGRESS: usize = 50;

/// A restore's target name is free, and a restore may start: the target
/// exists (TableAlreadyExistsException) or is being created or deleted
/// (TableInUseException, as the API reference describes it), or 50 restores
/// are creating their tables (LimitExceededException).
pub fn check_target(state: &State, target: &str) -> ApiResult<()> {
    let now = state.clock.now_millis();
    if let Some(table) = state.table(target) {
        let status = table_status(&table.inner.read().def, now);
        return Err(match status {
            TableStatus::Creating | TableStatus::Deleting => {
                let doing = if status == TableStatus::Creating { "created" } else { "deleted" };
                ApiError::new(ErrorKind::TableInUse, format!("Table is being {doing}: {target}"))
            }
            _ => ApiError::new(ErrorKind::TableAlreadyExists, format!("Table already exists: {target}")),
        });
    }
    let restoring = state
        .catalog
        .entries()
        .into_iter()
        .filter(|(_, table)| {
            let def = &table.inner.read().def;
            def.integrations.restored_from.is_some() && table_status(def, now) == TableStatus::Creating
        })
        .count();
    if restoring >= MAX_RESTORES_IN_PROGRESS {
        return Err(ApiError::new(
            ErrorKind::LimitExceeded,
            format!(
                "There is a limit of {MAX_RESTORES_IN_PROGRESS} restores in progress at once: wait for one to complete"
            ),
        ));
    }
    Ok(())
}

/// What a restore request may change in the restored table: billing,
/// throughput, the indexes kept, encryption.
pub struct RestoreOverrides<'a> {
    billing: Option<&'a str>,
    throughput: Option<Throughput>,
    keep_global: Option<Vec<String>>,
    keep_local: Option<Vec<String>>,
    sse: Option<Value>,
}

impl<'a> RestoreOverrides<'a> {
    /// The overrides of a restore request (`billing`: its `BillingModeOverride`, already checked).
    pub fn read(input: &Input<'a>, billing: Option<&'a str>) -> ApiResult<RestoreOverrides<'a>> {
        let throughput = match input.object("ProvisionedThroughputOverride")? {
            None => None,
            Some(t) => Some(Throughput {
                read: t.int("ReadCapacityUnits")?.unwrap_or(0),
                write: t.int("WriteCapacityUnits")?.unwrap_or(0),
            }),
        };
        Ok(RestoreOverrides {
            billing,
            throughput,
            keep_global: kept_indexes(input, "GlobalSecondaryIndexOverride")?,
            keep_local: kept_indexes(input, "LocalSecondaryIndexOverride")?,
            sse: input.raw("SSESpecificationOverride").cloned(),
        })
    }
}

/// Creates the table `target` from `source` (a backup's copy, or a table's
/// items at a point in time with its current definition), CREATING on the
/// clock, and answers its description.
pub fn restore_into(
    state: &State,
    target: &str,
    source: TableState,
    overrides: RestoreOverrides,
    from: RestoredFrom,
) -> ApiResult<Value> {
    let now = state.clock.now_millis();
    let TableState { def: source, mut data } = source;
    check_billing_overrides(&overrides, source.billing_mode)?;
    let table_arn = state.table_arn(target);
    let mut def: TableDef = source;
    def.name = target.to_string();
    def.id = uuid::Uuid::new_v4().to_string();
    def.arn = table_arn.clone();
    def.created_at = state.clock.now_seconds();
    def.transition = state.status_delay.begin(Phase::Creating, now);
    // What a restore does not carry over: streams, Time to Live, tags,
    // point-in-time recovery, deletion protection, the services around it.
    def.stream_view = None;
    def.latest_stream = None;
    def.ttl_attribute = None;
    def.ttl_change = None;
    def.tags = Vec::new();
    def.point_in_time_recovery = false;
    def.deletion_protection = false;
    def.integrations = Integrations { restored_from: Some(from), ..Integrations::default() };
    match overrides.billing {
        Some("PAY_PER_REQUEST") => {
            def.billing_mode = BillingMode::PayPerRequest;
            def.throughput = Throughput::default();
        }
        Some(_) => def.billing_mode = BillingMode::Provisioned,
        None => {}
    }
    if let Some(t) = overrides.throughput {
        def.throughput = t;
    }
    if let Some(sse) = overrides.sse {
        def.sse_specification = Some(sse);
    }
    let kept = [(overrides.keep_global, &mut def.global_indexes), (overrides.keep_local, &mut def.local_indexes)];
    for (keep, indexes) in kept {
        let Some(keep) = keep else { continue };
        // DynamoDB's words (ack-api-quirks DDB-TABLE-442's message catalogue).
        if let Some(unknown) = keep.iter().find(|name| !indexes.iter().any(|i| &i.name == *name)) {
            return Err(validation(format!(
                "Invalid Request: Index {unknown} does not match a secondary index that existed in the source table \
                 and cannot be created during the restore operation"
            )));
        }
        let dropped: Vec<String> = indexes.iter().filter(|i| !keep.contains(&i.name)).map(|i| i.name.clone()).collect();
        indexes.retain(|i| keep.contains(&i.name));
        for name in dropped {
            data.remove_index(&name);
        }
    }
    for index in def.global_indexes.iter_mut().chain(def.local_indexes.iter_mut()) {
        index.arn = format!("{table_arn}/index/{}", index.name);
        index.backfilled_at = None;
    }
    for index in &mut def.vector_indexes {
        index.arn = format!("{table_arn}/index/{}", index.name);
        index.backfilled_at = None;
    }
    let table = state
        .catalog
        .create_from(TableState { def, data })
        .ok_or_else(|| ApiError::new(ErrorKind::TableAlreadyExists, format!("Table already exists: {target}")))?;
    let guard = table.inner.read();
    let status = table_status(&guard.def, now);
    Ok(json!({ "TableDescription": describe(state, &guard.def, &guard.data, status) }))
}

/// A restore's billing and throughput overrides, as DynamoDB allows them
/// (its words: ack-api-quirks DDB-TABLE-442's message catalogue).
fn check_billing_overrides(overrides: &RestoreOverrides, source: BillingMode) -> ApiResult<()> {
    let on_demand_source = source == BillingMode::PayPerRequest;
    let refusal = match (overrides.billing, overrides.throughput.is_some()) {
        (Some("PAY_PER_REQUEST"), true) => {
            "Cannot override ProvisionedThroughput if BillingMode is overridden to PAY_PER_REQUEST"
        }
        (Some("PROVISIONED"), false) if on_demand_source => {
            "Must override ProvisionedThroughput if BillingMode is overridden to PROVISIONED"
        }
        (None, true) if on_demand_source => "Cannot override ProvisionedThroughput unless BillingMode is PROVISIONED",
        _ => return Ok(()),
    };
    Err(validation(format!("Invalid Request: {refusal}")))
}

/// DescribeTable's `RestoreSummary` of a restored table.
pub fn restore_summary(def: &TableDef, status: TableStatus) -> Option<Value> {
    let from = def.integrations.restored_from.as_ref()?;
    let mut summary = json!({
        "SourceTableArn": from.table_arn,
        "RestoreDateTime": from.at,
        "RestoreInProgress": status == TableStatus::Creating,
    });
    if let Some(backup) = &from.backup_arn {
        summary["SourceBackupArn"] = json!(backup);
    }
    Some(summary)
}
