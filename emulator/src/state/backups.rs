//! On-demand backups: consistent copies of a table taken at one instant,
//! kept apart from the catalog (they outlive their table). A copy shares
//! every item allocation with the table it came from (items are reference
//! counted), so a backup costs the maps, not the items. A backup never
//! changes once taken: it is shared (`Arc`), so listing backups or journaling
//! them copies nothing.

use crate::storage::history::History;
use crate::storage::TableState;
use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The name suffix of the backup DynamoDB takes when a table with
/// point-in-time recovery on is deleted (`<table>$DeletedTableBackup`); a
/// user's backup name cannot hold a `$`, so the name tells the two apart.
pub const SYSTEM_BACKUP_SUFFIX: &str = "$DeletedTableBackup";

/// How long a SYSTEM backup is kept: 35 days from its creation.
pub const SYSTEM_BACKUP_RETENTION_MILLIS: i64 = 35 * 24 * 3600 * 1000;

/// One backup.
pub struct Backup {
    pub arn: String,
    pub name: String,
    /// Clock milliseconds.
    pub created_millis: i64,
    /// The table as it was: definition and items.
    pub table: TableState,
}

impl Backup {
    /// Whether DynamoDB took it on deleting the table (`BackupType: SYSTEM`).
    pub fn is_system(&self) -> bool {
        self.name.ends_with(SYSTEM_BACKUP_SUFFIX)
    }

    /// When a SYSTEM backup expires (clock milliseconds); a USER backup never does.
    pub fn expires_millis(&self) -> Option<i64> {
        self.is_system().then_some(self.created_millis + SYSTEM_BACKUP_RETENTION_MILLIS)
    }
}

#[derive(Default)]
struct Registry {
    backups: BTreeMap<String, Arc<Backup>>,
    /// The table a restore from a backup (by ARN) is creating, while it is.
    restoring: BTreeMap<String, String>,
}

/// Every backup, by ARN.
#[derive(Default)]
pub struct Backups {
    inner: Mutex<Registry>,
}

impl Backups {
    pub fn insert(&self, backup: Backup) {
        self.inner.lock().backups.insert(backup.arn.clone(), Arc::new(backup));
    }

    pub fn get(&self, arn: &str) -> Option<Arc<Backup>> {
        self.inner.lock().backups.get(arn).cloned()
    }

    pub fn remove(&self, arn: &str) -> Option<Arc<Backup>> {
        let mut inner = self.inner.lock();
        inner.restoring.remove(arn);
        inner.backups.remove(arn)
    }

    /// Records that a restore from `arn` is creating `table`.
    pub fn set_restoring(&self, arn: &str, table: String) {
        self.inner.lock().restoring.insert(arn.to_string(), table);
    }

    /// The table the last restore from `arn` created.
    pub fn restoring(&self, arn: &str) -> Option<String> {
        self.inner.lock().restoring.get(arn).cloned()
    }

    /// Drops the SYSTEM backups expired at `now_millis` (clock milliseconds).
    pub fn drop_expired(&self, now_millis: i64) {
        let mut inner = self.inner.lock();
        inner.backups.retain(|_, b| b.expires_millis().is_none_or(|at| at > now_millis));
    }

    /// Every backup, oldest first (ties by ARN).
    pub fn all(&self) -> Vec<Arc<Backup>> {
        let mut all: Vec<Arc<Backup>> = self.inner.lock().backups.values().cloned().collect();
        all.sort_by(|a, b| a.created_millis.cmp(&b.created_millis).then_with(|| a.arn.cmp(&b.arn)));
        all
    }
}

/// How long point-in-time recovery keeps a table's history unless told otherwise.
pub const DEFAULT_RECOVERY_PERIOD_DAYS: u32 = 35;

impl crate::state::State {
    /// Starts the change history of every table with point-in-time recovery
    /// on that has none (after a restart, a snapshot restore or a fork: its
    /// history starts again there).
    pub fn attach_histories(&self) {
        for (_, table) in self.catalog.entries() {
            let mut guard = table.inner.write();
            if guard.def.point_in_time_recovery && guard.data.history.0.is_none() {
                let days = guard.def.integrations.recovery_period_days.unwrap_or(DEFAULT_RECOVERY_PERIOD_DAYS);
                let history = History::start(std::sync::Arc::clone(&self.clock), &guard.data.items, days);
                guard.data.history.0 = Some(Box::new(history));
            }
        }
    }
}
