//! One table: its definition and its items, behind one lock.
//!
//! Every write goes through [`TableData::put`] and [`TableData::remove`], so
//! item counts, sizes (and secondary indexes) stay in step with the items.

use super::history::HistorySlot;
use super::index::IndexData;
use super::shared::Shared;
use super::stored::StoredItem;
use super::stream::{Change, StreamSink, StreamViewType};
use super::vector::{VectorData, VectorIndexDef};
use crate::types::{Item, KeySchema, PrimaryKey, ScalarType};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum BillingMode {
    Provisioned,
    PayPerRequest,
}

impl BillingMode {
    pub fn as_str(self) -> &'static str {
        match self {
            BillingMode::Provisioned => "PROVISIONED",
            BillingMode::PayPerRequest => "PAY_PER_REQUEST",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Throughput {
    pub read: i64,
    pub write: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ProjectionType {
    All,
    KeysOnly,
    Include(Vec<String>),
}

impl ProjectionType {
    pub fn as_str(&self) -> &'static str {
        match self {
            ProjectionType::All => "ALL",
            ProjectionType::KeysOnly => "KEYS_ONLY",
            ProjectionType::Include(_) => "INCLUDE",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum IndexKind {
    Global,
    Local,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct IndexDef {
    pub name: String,
    pub kind: IndexKind,
    pub key_schema: KeySchema,
    pub projection: ProjectionType,
    pub throughput: Option<Throughput>,
    pub arn: String,
    /// Clock time (ms) a GSI added by UpdateTable finishes backfilling, when a
    /// status delay is set (see `crate::storage::lifecycle`); `None`: readable.
    #[serde(default)]
    pub backfilled_at: Option<i64>,
}

/// Everything DescribeTable reports that is not derived from the items.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct TableDef {
    pub name: String,
    pub id: String,
    pub arn: String,
    pub key_schema: KeySchema,
    pub attribute_definitions: Vec<(String, ScalarType)>,
    pub billing_mode: BillingMode,
    pub throughput: Throughput,
    pub global_indexes: Vec<IndexDef>,
    pub local_indexes: Vec<IndexDef>,
    /// The enabled stream's view type (`None`: no stream enabled).
    #[serde(default)]
    pub stream_view: Option<StreamViewType>,
    /// The latest stream's ARN and label, kept after it is disabled (DescribeTable reports them).
    #[serde(default)]
    pub latest_stream: Option<(String, String)>,
    pub sse_specification: Option<Value>,
    pub table_class: Option<String>,
    pub tags: Vec<(String, String)>,
    pub deletion_protection: bool,
    /// The Time to Live attribute, when TTL is enabled.
    pub ttl_attribute: Option<String>,
    /// The last UpdateTimeToLive: when (clock ms), for which attribute, and
    /// until when it is ENABLING or DISABLING (with a status delay).
    #[serde(default)]
    pub ttl_change: Option<TtlChange>,
    pub point_in_time_recovery: bool,
    /// Seconds since the epoch.
    pub created_at: f64,
    /// A create, update or delete still in progress (see `crate::storage::lifecycle`).
    #[serde(default)]
    pub transition: Option<crate::storage::lifecycle::Transition>,
    /// Resource policies, Kinesis destinations, contributor insights.
    #[serde(default)]
    pub integrations: crate::storage::integrations::Integrations,
    /// Vector indexes (`VectorIndexes`), searched by SearchVectors.
    #[serde(default)]
    pub vector_indexes: Vec<VectorIndexDef>,
}

/// A Time to Live change. DynamoDB allows one per table per hour.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct TtlChange {
    pub at_millis: i64,
    pub attribute: String,
    /// ENABLING / DISABLING until then (`None`: done at once).
    pub until_millis: Option<i64>,
}

impl TableDef {
    /// An on-demand table with this key and nothing else set (unit tests).
    #[cfg(test)]
    pub fn for_tests(name: &str, key_schema: KeySchema) -> TableDef {
        TableDef {
            name: name.into(),
            id: String::new(),
            arn: String::new(),
            key_schema,
            attribute_definitions: vec![],
            billing_mode: BillingMode::PayPerRequest,
            throughput: Default::default(),
            global_indexes: vec![],
            local_indexes: vec![],
            stream_view: None,
            latest_stream: None,
            sse_specification: None,
            table_class: None,
            tags: vec![],
            deletion_protection: false,
            ttl_attribute: None,
            ttl_change: None,
            point_in_time_recovery: false,
            created_at: 0.0,
            transition: None,
            integrations: Default::default(),
            vector_indexes: Vec::new(),
        }
    }

    /// Whether items expire now: TTL enabled, and done ENABLING.
    pub fn ttl_active(&self, now_millis: i64) -> Option<&str> {
        let enabling = self.ttl_change.as_ref().and_then(|c| c.until_millis).is_some_and(|until| now_millis < until);
        self.ttl_attribute.as_deref().filter(|_| !enabling)
    }

    pub fn index(&self, name: &str) -> Option<&IndexDef> {
        self.global_indexes.iter().chain(&self.local_indexes).find(|i| i.name == name)
    }

    pub fn vector_index(&self, name: &str) -> Option<&VectorIndexDef> {
        self.vector_indexes.iter().find(|i| i.name == name)
    }
}

/// The items of a table, ordered by [`PrimaryKey`], and its secondary indexes.
#[derive(Default, Clone)]
pub struct TableData {
    /// Items encoded ([`StoredItem`]): read them with [`TableData::get`] or `StoredItem::decode`.
    /// Shared copy on write with every copy of the data (snapshot, fork, backup): see `shared`.
    pub items: Shared<BTreeMap<PrimaryKey, StoredItem>>,
    pub size_bytes: u64,
    /// One per GSI and LSI of the definition, kept in step by `put` and `remove`.
    pub indexes: Vec<IndexData>,
    /// One per vector index of the definition, kept in step like `indexes`.
    pub vectors: Vec<VectorData>,
    /// Keys written since the durable journal last looked (`None`: not
    /// journaled, the in-memory default). See `crate::durable`.
    pub changed: Option<BTreeSet<PrimaryKey>>,
    /// The table's enabled stream, if any, and the changes of the current
    /// write (published when the write lock is released). See `stream`.
    pub stream: StreamSink,
    /// The change history point-in-time recovery restores from, while it is on. See `history`.
    pub history: HistorySlot,
    /// The table's link to the other replicas of its global table, if any. See `replica`.
    pub replica: super::replica::ReplicaSlot,
}

impl TableData {
    /// Empty data with the (empty) indexes of `def`.
    pub fn new(def: &TableDef) -> TableData {
        let indexes =
            def.global_indexes.iter().chain(&def.local_indexes).map(|i| IndexData::new(i, &def.key_schema)).collect();
        let vectors = def.vector_indexes.iter().map(|v| VectorData::new(v, key_attributes(&def.key_schema))).collect();
        TableData {
            items: Shared::default(),
            size_bytes: 0,
            indexes,
            vectors,
            changed: None,
            stream: StreamSink::default(),
            history: HistorySlot::default(),
            replica: Default::default(),
        }
    }

    /// Whether a change must be noted (for the journal, a stream or the history).
    fn watched(&self) -> bool {
        self.changed.is_some() || self.stream.is_attached() || self.history.0.is_some() || self.replica.0.is_some()
    }

    /// Stores `item` under `key`, returning the item it replaced.
    pub fn put(&mut self, key: PrimaryKey, item: Item) -> Option<Item> {
        let old = self.get(&key);
        self.put_over(key, item, old.as_ref());
        old
    }

    /// [`TableData::put`] for a caller that has already read the item under
    /// `key` (`old_item`, exactly what [`TableData::get`] returned): it is
    /// not decoded again to update the indexes.
    pub fn put_over(&mut self, key: PrimaryKey, mut item: Item, old_item: Option<&Item>) {
        crate::types::value::forget_top_level_text(&mut item);
        let stored = StoredItem::encode(&key, &item);
        self.size_bytes += stored.size() as u64;
        for index in &mut self.indexes {
            index.replace(&key, old_item, &item, &stored);
        }
        for vectors in &mut self.vectors {
            vectors.replace(&key, old_item, &item, &stored);
        }
        // Only a journal, a stream or a history needs the key again (the
        // in-memory default pays no copy); a write that leaves the item as it
        // was is no change for a stream.
        let noted_key = self.watched().then(|| key.clone());
        let unchanged = self.stream.is_attached() && old_item == Some(&item);
        let new =
            (self.stream.is_attached() || self.history.0.is_some() || self.replica.0.is_some()).then(|| stored.clone());
        let old = self.items.make_mut().insert(key, stored);
        if let Some(old) = &old {
            self.size_bytes -= old.size() as u64;
        }
        debug_assert_eq!(old.as_ref().map(StoredItem::decode).as_ref(), old_item);
        if let Some(key) = noted_key.filter(|_| !unchanged) {
            self.note_change(key, old, new, false);
        }
    }

    /// The one place every committed change is noted: the journal gets the
    /// key, the history the new version, an attached stream the change with
    /// its images.
    fn note_change(&mut self, key: PrimaryKey, old: Option<StoredItem>, new: Option<StoredItem>, by_ttl: bool) {
        if let Some(changed) = &mut self.changed {
            changed.insert(key.clone());
        }
        if let Some(history) = &mut self.history.0 {
            history.record(key.clone(), new.clone());
        }
        if let Some(link) = &mut self.replica.0 {
            link.note(&key, new.as_ref());
        }
        if self.stream.is_attached() {
            self.stream.push(Change { key, old, new, by_ttl });
        }
    }

    /// Removes the item under `key`, returning it.
    pub fn remove(&mut self, key: &PrimaryKey) -> Option<Item> {
        let old = self.get(key);
        self.remove_over(key, old.as_ref());
        old
    }

    /// [`TableData::remove`] for a caller that has already read the item
    /// under `key` (`old_item`, exactly what [`TableData::get`] returned): it
    /// is not decoded again to update the indexes.
    pub fn remove_over(&mut self, key: &PrimaryKey, old_item: Option<&Item>) {
        self.remove_noted(key, old_item, false);
    }

    /// Removes an item whose Time to Live has passed (its stream record
    /// names the service as the author).
    pub fn remove_expired(&mut self, key: &PrimaryKey) -> Option<Item> {
        let old = self.get(key);
        self.remove_noted(key, old.as_ref(), true);
        old
    }

    fn remove_noted(&mut self, key: &PrimaryKey, old_item: Option<&Item>, by_ttl: bool) {
        let old = self.items.make_mut().remove(key);
        debug_assert_eq!(old.as_ref().map(StoredItem::decode).as_ref(), old_item);
        // Deleting a missing item changes nothing.
        let (Some(old), Some(old_item)) = (old, old_item) else { return };
        self.size_bytes -= old.size() as u64;
        for index in &mut self.indexes {
            index.remove(key, old_item);
        }
        for vectors in &mut self.vectors {
            vectors.remove(key);
        }
        if self.watched() {
            self.note_change(key.clone(), Some(old), None, by_ttl);
        }
    }

    /// The item under `key`, decoded.
    pub fn get(&self, key: &PrimaryKey) -> Option<Item> {
        self.items.get(key).map(StoredItem::decode)
    }

    /// DynamoDB's size of the item under `key`, without decoding it.
    pub fn size_of(&self, key: &PrimaryKey) -> Option<usize> {
        self.items.get(key).map(StoredItem::size)
    }

    pub fn item_count(&self) -> u64 {
        self.items.len() as u64
    }

    pub fn index(&self, name: &str) -> Option<&IndexData> {
        self.indexes.iter().find(|i| i.name == name)
    }

    /// Adds an index and backfills it from the items (UpdateTable).
    pub fn add_index(&mut self, def: &IndexDef, table_key: &KeySchema) {
        let mut index = IndexData::new(def, table_key);
        for item in self.items.values() {
            index.insert(item, &item.decode());
        }
        self.indexes.push(index);
    }

    pub fn remove_index(&mut self, name: &str) {
        self.indexes.retain(|i| i.name != name);
    }

    pub fn vector(&self, name: &str) -> Option<&VectorData> {
        self.vectors.iter().find(|v| v.name == name)
    }

    /// Adds a vector index and backfills it from the items (UpdateTable).
    pub fn add_vector_index(&mut self, def: &VectorIndexDef, table_key: &KeySchema) {
        let mut vectors = VectorData::new(def, key_attributes(table_key));
        for (key, item) in &self.items {
            vectors.insert(key, &item.decode(), item);
        }
        self.vectors.push(vectors);
    }

    pub fn remove_vector_index(&mut self, name: &str) {
        self.vectors.retain(|v| v.name != name);
    }
}

/// The names of a key schema's attributes (every vector index stores them).
fn key_attributes(schema: &KeySchema) -> Vec<String> {
    schema.attributes().map(|a| a.name.clone()).collect()
}

/// A table: definition and data under one lock, so a writer sees a
/// consistent schema and readers never see half a write.
pub struct Table {
    pub inner: TableLock,
    /// Unique per `Table` ever made in this process, so the journal can tell a
    /// re-created or restored table from the one it knew.
    pub serial: u64,
}

#[derive(Clone)]
pub struct TableState {
    pub def: TableDef,
    pub data: TableData,
}

impl Table {
    pub fn new(def: TableDef) -> Table {
        let data = TableData::new(&def);
        Table::from_state(TableState { def, data })
    }

    pub fn from_state(state: TableState) -> Table {
        static SERIALS: AtomicU64 = AtomicU64::new(1);
        Table { inner: TableLock(std::sync::RwLock::new(state)), serial: SERIALS.fetch_add(1, Ordering::Relaxed) }
    }
}

/// The lock of a table: the standard library's reader-writer lock, which
/// waits in the kernel after a short spin. On a machine with few cores
/// shared with the clients, spinning longer for a holder that may be
/// preempted only burns the CPU the holder needs.
pub struct TableLock(std::sync::RwLock<TableState>);

impl TableLock {
    pub fn read(&self) -> std::sync::RwLockReadGuard<'_, TableState> {
        // Operations validate before they write and panics are caught per
        // request, so a poisoned lock still guards consistent data.
        self.0.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn write(&self) -> TableWriteGuard<'_> {
        TableWriteGuard(self.0.write().unwrap_or_else(std::sync::PoisonError::into_inner))
    }
}

/// A table's write lock. Releasing it publishes the write's changes to the
/// table's stream, all together: no stream reader sees half of a write.
pub struct TableWriteGuard<'a>(std::sync::RwLockWriteGuard<'a, TableState>);

impl std::ops::Deref for TableWriteGuard<'_> {
    type Target = TableState;

    fn deref(&self) -> &TableState {
        &self.0
    }
}

impl std::ops::DerefMut for TableWriteGuard<'_> {
    fn deref_mut(&mut self) -> &mut TableState {
        &mut self.0
    }
}

impl Drop for TableWriteGuard<'_> {
    fn drop(&mut self) {
        self.0.data.stream.flush();
        if let Some(link) = &mut self.0.data.replica.0 {
            link.flush();
        }
    }
}
