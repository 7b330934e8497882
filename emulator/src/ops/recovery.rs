//! Point-in-time recovery: UpdateContinuousBackups and
//! DescribeContinuousBackups turn it on and report the restorable window;
//! RestoreTableToPointInTime creates a new table holding the items the
//! source held at any second of that window.
//!
//! The history it restores from is `storage::history`, kept while recovery is
//! on (started again after a restart: it is not journaled). The restorable
//! window runs from when recovery was turned on (or the start of the
//! recovery period, 35 days unless `RecoveryPeriodInDays` says otherwise) to
//! five minutes before now on the emulator's clock, as DynamoDB documents
//! ("LatestRestorableDateTime is typically 5 minutes before the current
//! time"; API_PointInTimeRecoveryDescription); within the first five
//! minutes it is the moment recovery was turned on. The restored table takes
//! the source's current settings (keys, indexes, billing, encryption) with
//! the request's overrides (API_RestoreTableToPointInTime).

use super::backups::{restore_into, time_bound, RestoreOverrides};
use super::table_request::read_table_name;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::input::{Input, Violations};
use crate::state::backups::DEFAULT_RECOVERY_PERIOD_DAYS;
use crate::state::State;
use crate::storage::history::History;
use crate::storage::integrations::RestoredFrom;
use crate::storage::lifecycle::{table_status, TableStatus};
use crate::storage::{TableDef, TableState};
use serde_json::{json, Value};
use std::sync::Arc;

/// LatestRestorableDateTime trails the clock by this much.
const LATEST_RESTORABLE_LAG_MILLIS: i64 = 5 * 60 * 1000;

/// DynamoDB's words for a restore naming both or neither of its times, and
/// of its sources (ack-api-quirks DDB-TABLE-442's message catalogue).
const BOTH_OR_NEITHER_TIME: &str =
    "Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime must be specified, but not both";
const BOTH_OR_NEITHER_SOURCE: &str = "Invalid Request: Must provide exactly one of: sourceTableArn, sourceTableName";

fn seconds(millis: i64) -> f64 {
    millis as f64 / 1000.0
}

/// The restorable window of a table's history: (earliest, latest), in clock milliseconds.
fn window(history: &History, now: i64) -> (i64, i64) {
    let earliest = history.earliest_millis();
    (earliest, (now - LATEST_RESTORABLE_LAG_MILLIS).max(earliest))
}

fn description(def: &TableDef, history: Option<&History>, now: i64) -> Value {
    let mut pitr = json!({ "PointInTimeRecoveryStatus": "DISABLED" });
    if def.point_in_time_recovery {
        pitr = json!({
            "PointInTimeRecoveryStatus": "ENABLED",
            "RecoveryPeriodInDays": def.integrations.recovery_period_days.unwrap_or(DEFAULT_RECOVERY_PERIOD_DAYS),
        });
        if let Some(history) = history {
            let (earliest, latest) = window(history, now);
            pitr["EarliestRestorableDateTime"] = json!(seconds(earliest));
            pitr["LatestRestorableDateTime"] = json!(seconds(latest));
        }
    }
    json!({ "ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": pitr })
}

/// The continuous-backups calls name a missing table with TableNotFoundException,
/// not ResourceNotFoundException (the API reference's errors; ScyllaDB's
/// test_backup.py test_describe_continuous_backups_nonexistent, run against
/// DynamoDB). The message is ours: no recording of it was found.
fn backed_up_table(state: &State, name: &str) -> ApiResult<std::sync::Arc<crate::storage::Table>> {
    state.table(name).ok_or_else(|| ApiError::new(ErrorKind::TableNotFound, format!("Table not found: {name}")))
}

pub fn describe_continuous_backups(state: &State, input: Input) -> ApiResult<Value> {
    let table = backed_up_table(state, read_table_name(&input)?)?;
    let guard = table.inner.read();
    let description = description(&guard.def, guard.data.history.0.as_deref(), state.clock.now_millis());
    Ok(json!({ "ContinuousBackupsDescription": description }))
}

/// An UpdateContinuousBackups request, checked.
pub struct UpdateContinuousBackupsRequest<'a> {
    pub table_name: &'a str,
    pub point_in_time_recovery: bool,
    pub recovery_period_days: Option<u32>,
}

impl<'a> UpdateContinuousBackupsRequest<'a> {
    /// The specification is checked before the table name, as DynamoDB does.
    pub fn read(input: Input<'a>) -> ApiResult<UpdateContinuousBackupsRequest<'a>> {
        let spec = input.object("PointInTimeRecoverySpecification")?;
        let mut v = Violations::new();
        v.not_null("pointInTimeRecoverySpecification", &spec);
        v.finish()?;
        let spec = spec.unwrap_or(Input::empty());
        let enabled = spec.bool("PointInTimeRecoveryEnabled")?;
        let period = spec.int("RecoveryPeriodInDays")?;
        let mut v = Violations::new();
        v.not_null("pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled", &enabled);
        // The SDK model's range for RecoveryPeriodInDays.
        v.range("pointInTimeRecoverySpecification.recoveryPeriodInDays", period, 1, Some(35));
        v.finish()?;
        let enabled = enabled.unwrap_or(false);
        if period.is_some() && !enabled {
            return Err(ApiError::validation(
                "Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery.",
            ));
        }
        Ok(UpdateContinuousBackupsRequest {
            point_in_time_recovery: enabled,
            recovery_period_days: period.map(|p| p as u32),
            table_name: read_table_name(&input)?,
        })
    }
}

pub fn update_continuous_backups(state: &State, input: Input) -> ApiResult<Value> {
    let request = UpdateContinuousBackupsRequest::read(input)?;
    let table = backed_up_table(state, request.table_name)?;
    let mut guard = table.inner.write();
    let TableState { def, data } = &mut *guard;
    let was_enabled = def.point_in_time_recovery;
    def.point_in_time_recovery = request.point_in_time_recovery;
    def.integrations.recovery_period_days = request.recovery_period_days.filter(|_| request.point_in_time_recovery);
    if !request.point_in_time_recovery {
        // Turning recovery off drops its history: a later restore starts from when it is on again.
        data.history.0 = None;
    } else if !was_enabled || data.history.0.is_none() {
        let days = def.integrations.recovery_period_days.unwrap_or(DEFAULT_RECOVERY_PERIOD_DAYS);
        data.history.0 = Some(Box::new(History::start(Arc::clone(&state.clock), &data.items, days)));
    } else if let (Some(days), Some(history)) = (request.recovery_period_days, data.history.0.as_mut()) {
        history.set_period_days(days);
    }
    let description = description(def, data.history.0.as_deref(), state.clock.now_millis());
    Ok(json!({ "ContinuousBackupsDescription": description }))
}

/// The change history a restore or an export reads from: a table still
/// CREATING is not found (`not_found`), one without recovery has none.
pub fn readable_history<'g>(
    table: &'g TableState,
    name: &str,
    now: i64,
    not_found: impl Fn() -> ApiError,
) -> ApiResult<&'g History> {
    if table_status(&table.def, now) == TableStatus::Creating {
        return Err(not_found());
    }
    let history = table.data.history.0.as_deref().filter(|_| table.def.point_in_time_recovery);
    history.ok_or_else(|| {
        ApiError::new(
            ErrorKind::PointInTimeRecoveryUnavailable,
            format!("Point in time recovery is not enabled for table '{name}'"),
        )
    })
}

/// When a point-in-time restore restores to.
enum RestoreTime {
    Latest,
    At(i64),
}

pub fn restore_table_to_point_in_time(state: &State, input: Input) -> ApiResult<Value> {
    let mut v = Violations::new();
    let target = input.str("TargetTableName")?;
    v.table_name("targetTableName", target);
    let source_name = input.str("SourceTableName")?;
    if let Some(name) = source_name {
        v.name_rules("sourceTableName", name, 3, 255);
    }
    let source_arn = input.str("SourceTableArn")?;
    v.length("sourceTableArn", source_arn, 1, 1024);
    let billing = input.str("BillingModeOverride")?;
    v.one_of("billingModeOverride", billing, &["PROVISIONED", "PAY_PER_REQUEST"]);
    v.finish()?;
    let target = target.unwrap_or_default();
    let use_latest = input.bool("UseLatestRestorableTime")?.unwrap_or(false);
    let at = time_bound(&input, "RestoreDateTime")?;
    let when = match (use_latest, at) {
        (true, Some(_)) => return Err(ApiError::validation(BOTH_OR_NEITHER_TIME)),
        (true, None) => RestoreTime::Latest,
        (false, Some(at)) => RestoreTime::At(at),
        (false, None) => return Err(ApiError::validation(BOTH_OR_NEITHER_TIME)),
    };
    let source = match (source_name, source_arn) {
        (Some(_), Some(_)) => return Err(ApiError::validation(BOTH_OR_NEITHER_SOURCE)),
        (Some(name), None) => name.to_string(),
        (None, Some(arn)) => {
            let prefix = state.table_arn("");
            arn.strip_prefix(&prefix)
                .filter(|n| !n.contains('/'))
                .map(str::to_string)
                .ok_or_else(|| ApiError::new(ErrorKind::TableNotFound, format!("Table not found: {arn}")))?
        }
        (None, None) => return Err(ApiError::validation(BOTH_OR_NEITHER_SOURCE)),
    };
    let not_found = || ApiError::new(ErrorKind::TableNotFound, format!("Table not found: {source}"));
    let table = state.table(&source).ok_or_else(not_found)?;
    super::backups::check_target(state, target)?;
    let overrides = RestoreOverrides::read(&input, billing)?;
    let now = state.clock.now_millis();
    // The source as it was: its current definition, its items at that time (under its read lock).
    let (copy, at) = {
        let guard = table.inner.read();
        let history = readable_history(&guard, &source, now, not_found)?;
        let (earliest, latest) = window(history, now);
        let at = match when {
            RestoreTime::Latest => latest,
            RestoreTime::At(at) if (earliest..=latest).contains(&at) => at,
            // The exception's description in the API reference (InvalidRestoreTimeException).
            RestoreTime::At(_) => {
                return Err(ApiError::new(
                    ErrorKind::InvalidRestoreTime,
                    "Invalid restore time specified: RestoreDateTime must be between EarliestRestorableDateTime and LatestRestorableDateTime",
                ))
            }
        };
        let mut data = crate::storage::TableData::new(&guard.def);
        for (key, stored) in history.items_at(at) {
            data.put(key, stored.decode());
        }
        (TableState { def: guard.def.clone(), data }, at)
    };
    let from = RestoredFrom { backup_arn: None, table_arn: copy.def.arn.clone(), at: seconds(at) };
    restore_into(state, target, copy, overrides, from)
}
