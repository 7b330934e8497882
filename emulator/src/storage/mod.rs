//! Storage: the catalog of tables and each table's items.
//!
//! Tables live in a concurrent map, each behind its own lock, so requests on
//! different tables never wait for each other.

pub mod history;
mod index;
pub mod integrations;
pub mod lifecycle;
mod locks;
pub mod replica;
mod shared;
mod stored;
pub mod stream;
mod table;
pub mod vector;

pub use index::{ordered_range, IndexData, KeyRange};
pub use locks::{lock_read, lock_write};
pub use stored::StoredItem;

pub use table::{
    BillingMode, IndexDef, IndexKind, ProjectionType, Table, TableData, TableDef, TableState, TableWriteGuard,
    Throughput, TtlChange,
};

use dashmap::DashMap;
use std::sync::Arc;

#[derive(Default)]
pub struct Catalog {
    tables: DashMap<String, Arc<Table>>,
}

impl Catalog {
    pub fn get(&self, name: &str) -> Option<Arc<Table>> {
        self.tables.get(name).map(|t| Arc::clone(&t))
    }

    /// Adds a table; `None` if the name is taken.
    pub fn create(&self, def: TableDef) -> Option<Arc<Table>> {
        match self.tables.entry(def.name.clone()) {
            dashmap::Entry::Occupied(_) => None,
            dashmap::Entry::Vacant(slot) => Some(Arc::clone(&slot.insert(Arc::new(Table::new(def))))),
        }
    }

    pub fn remove(&self, name: &str) -> Option<Arc<Table>> {
        self.tables.remove(name).map(|(_, t)| t)
    }

    /// Adds a table with its items (a restore); `None` if the name is taken.
    pub fn create_from(&self, state: TableState) -> Option<Arc<Table>> {
        match self.tables.entry(state.def.name.clone()) {
            dashmap::Entry::Occupied(_) => None,
            dashmap::Entry::Vacant(slot) => Some(Arc::clone(&slot.insert(Arc::new(Table::from_state(state))))),
        }
    }

    /// Removes `name` if it is still `table` (not a table created since).
    pub fn remove_if_same(&self, name: &str, table: &Arc<Table>) {
        self.tables.remove_if(name, |_, t| Arc::ptr_eq(t, table));
    }

    /// A copy of every table (definition and items), each read under its lock.
    pub fn snapshot(&self) -> Vec<TableState> {
        let tables: Vec<Arc<Table>> = self.tables.iter().map(|e| Arc::clone(e.value())).collect();
        tables.iter().map(|t| t.inner.read().clone()).collect()
    }

    /// Replaces every table with copies of `tables`.
    pub fn restore(&self, tables: &[TableState]) {
        self.tables.clear();
        for table in tables {
            self.tables.insert(table.def.name.clone(), Arc::new(Table::from_state(table.clone())));
        }
    }

    /// Every table with its name, in no particular order.
    pub fn entries(&self) -> Vec<(String, Arc<Table>)> {
        self.tables.iter().map(|e| (e.key().clone(), Arc::clone(e.value()))).collect()
    }

    /// Table names in ListTables order (sorted).
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.tables.iter().map(|e| e.key().clone()).collect();
        names.sort();
        names
    }
}
