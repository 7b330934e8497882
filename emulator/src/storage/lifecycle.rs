//! Transient table and index statuses: CREATING, UPDATING, DELETING and a
//! new global secondary index's backfill.
//!
//! Real DynamoDB creates, updates and deletes tables asynchronously. By
//! default the emulator finishes every change before answering (the status
//! delay is zero), which is what most tests want; the answers still name the
//! transient status DynamoDB names (CreateTable says CREATING, DeleteTable
//! DELETING, UpdateTable UPDATING). With a delay set, the change stays in
//! progress for that long on the emulator's clock, so code that waits for
//! ACTIVE (the SDK's waiters, a polling loop) or trips over a table that is
//! not ready can be rehearsed; advancing the clock ends the wait at once.
//!
//! A transition is stored with the table's definition as the clock time it
//! ends at, and every status is computed from the clock when asked: nothing
//! runs in the background.

use crate::error::{ApiError, ErrorKind};
use crate::storage::{IndexDef, TableDef};
use std::sync::atomic::{AtomicI64, Ordering};

/// What a table is doing until `until_millis` (on the emulator's clock).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Transition {
    pub phase: Phase,
    pub until_millis: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Phase {
    Creating,
    Updating,
    Deleting,
}

/// A table's status as DescribeTable reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableStatus {
    Active,
    Creating,
    Updating,
    Deleting,
}

impl TableStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TableStatus::Active => "ACTIVE",
            TableStatus::Creating => "CREATING",
            TableStatus::Updating => "UPDATING",
            TableStatus::Deleting => "DELETING",
        }
    }

    /// Items can be read and written (ACTIVE or UPDATING, as in DynamoDB).
    pub fn serves_items(self) -> bool {
        matches!(self, TableStatus::Active | TableStatus::Updating)
    }

    /// The ResourceInUseException DynamoDB gives for a table-level change
    /// (CreateTable of the name, UpdateTable, DeleteTable) while this status lasts.
    pub fn in_use_error(self, table: &str) -> Option<ApiError> {
        let doing = match self {
            TableStatus::Active => return None,
            TableStatus::Creating => "created",
            TableStatus::Updating => "updated",
            TableStatus::Deleting => "deleted",
        };
        Some(ApiError::new(
            ErrorKind::ResourceInUse,
            format!("Attempt to change a resource which is still in use: Table is being {doing}: {table}"),
        ))
    }
}

/// The status of `def` at `now_millis`.
pub fn table_status(def: &TableDef, now_millis: i64) -> TableStatus {
    match def.transition {
        Some(Transition { phase: Phase::Deleting, .. }) => TableStatus::Deleting,
        Some(t) if now_millis < t.until_millis => match t.phase {
            Phase::Creating => TableStatus::Creating,
            _ => TableStatus::Updating,
        },
        _ => TableStatus::Active,
    }
}

/// Has a deleted table's DELETING period ended (so it is gone)?
pub fn is_gone(def: &TableDef, now_millis: i64) -> bool {
    matches!(def.transition, Some(Transition { phase: Phase::Deleting, until_millis }) if now_millis >= until_millis)
}

/// Is `index` still being backfilled at `now_millis`?
pub fn is_backfilling(index: &IndexDef, now_millis: i64) -> bool {
    index.backfilled_at.is_some_and(|at| now_millis < at)
}

/// How long changes stay in progress (milliseconds; 0: done at once).
#[derive(Default)]
pub struct StatusDelay {
    millis: AtomicI64,
}

impl StatusDelay {
    pub fn set(&self, delay: std::time::Duration) {
        self.millis.store(delay.as_millis().min(i64::MAX as u128) as i64, Ordering::Relaxed);
    }

    pub fn get(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.millis.load(Ordering::Relaxed).max(0) as u64)
    }

    /// A transition of `phase` starting at `now_millis`, or `None` when
    /// changes are immediate.
    pub fn begin(&self, phase: Phase, now_millis: i64) -> Option<Transition> {
        let millis = self.millis.load(Ordering::Relaxed);
        (millis > 0).then(|| Transition { phase, until_millis: now_millis.saturating_add(millis) })
    }
}
