//! On-demand backups: consistent copies of a table taken at one instant,
//! kept apart from the catalog (they outlive their table). A copy shares
//! every item allocation with the table it came from (items are reference
//! counted), so a backup costs the maps, not the items.

use crate::storage::TableState;
use parking_lot::Mutex;
use std::collections::BTreeMap;

/// One backup.
#[derive(Clone)]
pub struct Backup {
    pub arn: String,
    pub name: String,
    /// Clock milliseconds.
    pub created_millis: i64,
    /// The table as it was: definition and items.
    pub table: TableState,
    /// The table a restore from this backup is creating, while it is.
    pub restoring: Option<String>,
}

/// Every backup, by ARN.
#[derive(Default)]
pub struct Backups {
    inner: Mutex<BTreeMap<String, Backup>>,
}

impl Backups {
    pub fn insert(&self, backup: Backup) {
        self.inner.lock().insert(backup.arn.clone(), backup);
    }

    pub fn get(&self, arn: &str) -> Option<Backup> {
        self.inner.lock().get(arn).cloned()
    }

    pub fn remove(&self, arn: &str) -> Option<Backup> {
        self.inner.lock().remove(arn)
    }

    /// Marks a backup as feeding a restore into `table` (`None`: no longer).
    pub fn set_restoring(&self, arn: &str, table: Option<String>) {
        if let Some(backup) = self.inner.lock().get_mut(arn) {
            backup.restoring = table;
        }
    }

    /// Every backup, oldest first (ties by ARN).
    pub fn all(&self) -> Vec<Backup> {
        let mut all: Vec<Backup> = self.inner.lock().values().cloned().collect();
        all.sort_by(|a, b| a.created_millis.cmp(&b.created_millis).then_with(|| a.arn.cmp(&b.arn)));
        all
    }
}
