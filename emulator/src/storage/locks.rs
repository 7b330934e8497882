//! Several tables locked together, in name order: the one global lock order
//! every multi-table operation (batches, transactions) uses, so they cannot
//! deadlock. Single-table operations take one table's lock.

use super::{Table, TableState, TableWriteGuard};
use crate::error::{ApiError, ApiResult};
use std::collections::BTreeMap;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::RwLockReadGuard;

/// Several tables locked together in name order (the `BTreeMap` order), the
/// one global order every multi-table operation uses, so they cannot deadlock.
pub struct LockedTables<'a, G> {
    guards: BTreeMap<&'a str, G>,
}

pub type ReadLocked<'a> = LockedTables<'a, RwLockReadGuard<'a, TableState>>;
pub type WriteLocked<'a> = LockedTables<'a, TableWriteGuard<'a>>;

pub fn lock_read(tables: &BTreeMap<String, Arc<Table>>) -> ReadLocked<'_> {
    LockedTables { guards: tables.iter().map(|(n, t)| (n.as_str(), t.inner.read())).collect() }
}

pub fn lock_write(tables: &BTreeMap<String, Arc<Table>>) -> WriteLocked<'_> {
    LockedTables { guards: tables.iter().map(|(n, t)| (n.as_str(), t.inner.write())).collect() }
}

impl<G: Deref<Target = TableState>> LockedTables<'_, G> {
    /// A locked table. Every name asked for was locked (both come from the same request).
    pub fn state(&self, name: &str) -> ApiResult<&TableState> {
        self.guards.get(name).map(|g| &**g).ok_or_else(ApiError::table_not_found)
    }
}

impl<G: DerefMut<Target = TableState>> LockedTables<'_, G> {
    pub fn state_mut(&mut self, name: &str) -> ApiResult<&mut TableState> {
        self.guards.get_mut(name).map(|g| &mut **g).ok_or_else(ApiError::table_not_found)
    }
}
