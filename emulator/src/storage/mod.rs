//! Storage: the catalog of tables and each table's items.
//!
//! Tables live in a concurrent map, each behind its own lock, so requests on
//! different tables never wait for each other.

mod index;
mod table;

pub use index::{ordered_range, IndexData, KeyRange};

pub use table::{BillingMode, IndexDef, IndexKind, ProjectionType, Table, TableData, TableDef, TableState, Throughput};

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

    /// Table names in ListTables order (sorted).
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.tables.iter().map(|e| e.key().clone()).collect();
        names.sort();
        names
    }
}
