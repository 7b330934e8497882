//! Consumed capacity, computed the way DynamoDB documents it: writes in
//! 1 KB units, reads in 4 KB units (half for eventually consistent reads),
//! every operation at least one unit.

use crate::expr::eval::values_equal;
use crate::input::ReturnConsumedCapacity;
use crate::storage::{IndexDef, IndexKind, ProjectionType, TableDef};
use crate::types::{item_size, AttributeValue, Item};
use serde_json::{json, Map, Value};

pub fn write_units(size_bytes: usize) -> f64 {
    size_bytes.div_ceil(1024).max(1) as f64
}

pub fn read_units(size_bytes: usize, consistent: bool) -> f64 {
    let units = size_bytes.div_ceil(4096).max(1) as f64;
    if consistent {
        units
    } else {
        units / 2.0
    }
}

/// What one operation consumed on a table and its indexes.
#[derive(Debug, Default, Clone)]
pub struct Consumed {
    pub table_name: String,
    pub table: f64,
    pub global_indexes: Vec<(String, f64)>,
    pub local_indexes: Vec<(String, f64)>,
    /// Bytes written to each vector index (`VectorWriteRequestBytes`, not units).
    pub vector_indexes: Vec<(String, f64)>,
}

impl Consumed {
    pub fn table(table_name: &str, units: f64) -> Consumed {
        Consumed { table_name: table_name.to_string(), table: units, ..Consumed::default() }
    }

    /// What writing one item costs: the table write (the larger of the old
    /// and new versions, in 1 KB units) plus, per secondary index, the index
    /// entries written or deleted. Transactional writes cost double.
    pub fn write(def: &TableDef, old: Option<&Item>, new: Option<&Item>, transactional: bool) -> Consumed {
        let factor = if transactional { 2.0 } else { 1.0 };
        let size = old.map_or(0, item_size).max(new.map_or(0, item_size));
        let mut consumed = Consumed::table(&def.name, factor * write_units(size));
        for index in def.global_indexes.iter().chain(&def.local_indexes) {
            let units = factor * index_write_units(def, index, old, new);
            if units > 0.0 {
                match index.kind {
                    IndexKind::Global => consumed.global_indexes.push((index.name.clone(), units)),
                    IndexKind::Local => consumed.local_indexes.push((index.name.clone(), units)),
                }
            }
        }
        for index in &def.vector_indexes {
            let bytes = factor * vector_write_bytes(def, index, old, new);
            if bytes > 0.0 {
                consumed.vector_indexes.push((index.name.clone(), bytes));
            }
        }
        consumed
    }

    /// What reading one item costs (`size` 0 for a missing item, which still costs the minimum).
    pub fn read(def: &TableDef, size: usize, consistent: bool, transactional: bool) -> Consumed {
        let factor = if transactional { 2.0 } else { 1.0 };
        Consumed::table(&def.name, factor * read_units(size, consistent || transactional))
    }

    /// Adds another operation's consumption on the same table.
    pub fn add(&mut self, other: &Consumed) {
        self.table += other.table;
        for (mine, theirs) in [
            (&mut self.global_indexes, &other.global_indexes),
            (&mut self.local_indexes, &other.local_indexes),
            (&mut self.vector_indexes, &other.vector_indexes),
        ] {
            for (name, units) in theirs {
                match mine.iter_mut().find(|(n, _)| n == name) {
                    Some((_, u)) => *u += units,
                    None => mine.push((name.clone(), *units)),
                }
            }
        }
    }

    pub fn total(&self) -> f64 {
        self.table + self.global_indexes.iter().chain(&self.local_indexes).map(|(_, u)| u).sum::<f64>()
    }

    /// The `ConsumedCapacity` element, or `None` when it was not asked for.
    pub fn to_json(&self, detail: ReturnConsumedCapacity) -> Option<Value> {
        match detail {
            ReturnConsumedCapacity::None => None,
            ReturnConsumedCapacity::Total => {
                Some(json!({ "TableName": self.table_name, "CapacityUnits": self.total() }))
            }
            ReturnConsumedCapacity::Indexes => {
                let mut out = Map::new();
                out.insert("TableName".into(), json!(self.table_name));
                out.insert("CapacityUnits".into(), json!(self.total()));
                out.insert("Table".into(), json!({ "CapacityUnits": self.table }));
                let section = |indexes: &[(String, f64)]| -> Value {
                    indexes
                        .iter()
                        .map(|(n, u)| (n.clone(), json!({ "CapacityUnits": u })))
                        .collect::<Map<_, _>>()
                        .into()
                };
                if !self.global_indexes.is_empty() {
                    out.insert("GlobalSecondaryIndexes".into(), section(&self.global_indexes));
                }
                if !self.local_indexes.is_empty() {
                    out.insert("LocalSecondaryIndexes".into(), section(&self.local_indexes));
                }
                if !self.vector_indexes.is_empty() {
                    let bytes = |(n, b): &(String, f64)| (n.clone(), json!({ "VectorWriteRequestBytes": b }));
                    out.insert(
                        "VectorIndexes".into(),
                        self.vector_indexes.iter().map(bytes).collect::<Map<_, _>>().into(),
                    );
                }
                Some(Value::Object(out))
            }
        }
    }
}

/// Bytes one item write sends to a vector index: the vector (4 bytes a
/// dimension) when the item enters or leaves the index or an attribute the
/// index stores changes; nothing otherwise. The API reference names
/// `VectorWriteRequestBytes` ("Reported for write operations that modify
/// attributes indexed by a vector index") but not its formula: this is the
/// emulator's estimate.
fn vector_write_bytes(
    def: &TableDef,
    index: &crate::storage::vector::VectorIndexDef,
    old: Option<&Item>,
    new: Option<&Item>,
) -> f64 {
    let indexed = |item: &&Item| {
        item.get(&index.attribute).is_some_and(|v| crate::storage::vector::read_vector(v, index.dimensions).is_ok())
    };
    let stored = |item: &Item| -> Vec<(String, AttributeValue)> {
        item.iter().filter(|(n, _)| index.stores(n, &def.key_schema)).map(|(n, v)| (n.clone(), v.clone())).collect()
    };
    let changed = match (old.filter(indexed), new.filter(indexed)) {
        (None, None) => false,
        (Some(old), Some(new)) => stored(old) != stored(new),
        _ => true,
    };
    if changed {
        4.0 * index.dimensions as f64
    } else {
        0.0
    }
}

/// Index writes for one item write: a put when the item enters the index, a
/// delete when it leaves, both when its index key changes, one update when a
/// projected attribute changes, nothing when the index entry is untouched.
fn index_write_units(def: &TableDef, index: &IndexDef, old: Option<&Item>, new: Option<&Item>) -> f64 {
    let old = old.and_then(|item| IndexEntry::of(def, index, item));
    let new = new.and_then(|item| IndexEntry::of(def, index, item));
    match (&old, &new) {
        (None, None) => 0.0,
        (Some(o), None) => write_units(o.size()),
        (None, Some(n)) => write_units(n.size()),
        (Some(o), Some(n)) if o.same_as(n) => 0.0,
        (Some(o), Some(n)) => {
            let key_changed = index.key_schema.attributes().any(|a| o.item.get(&a.name) != n.item.get(&a.name));
            if key_changed {
                write_units(o.size()) + write_units(n.size())
            } else {
                write_units(n.size())
            }
        }
    }
}

/// An item's entry in an index: the item seen through the index's
/// projection (borrowed: a write's accounting copies nothing).
struct IndexEntry<'a> {
    def: &'a TableDef,
    index: &'a IndexDef,
    item: &'a Item,
}

impl<'a> IndexEntry<'a> {
    /// The entry, or `None` when the item lacks the index key.
    fn of(def: &'a TableDef, index: &'a IndexDef, item: &'a Item) -> Option<IndexEntry<'a>> {
        index.key_schema.attributes().all(|a| item.contains_key(&a.name)).then_some(IndexEntry { def, index, item })
    }

    fn keeps(&self, name: &str) -> bool {
        let is_key = || self.def.key_schema.is_key_attribute(name) || self.index.key_schema.is_key_attribute(name);
        match &self.index.projection {
            ProjectionType::All => true,
            ProjectionType::KeysOnly => is_key(),
            ProjectionType::Include(extra) => is_key() || extra.iter().any(|e| e == name),
        }
    }

    fn attributes(&self) -> impl Iterator<Item = (&'a String, &'a AttributeValue)> + '_ {
        self.item.iter().filter(|(name, _)| self.keeps(name))
    }

    /// The entry's size by DynamoDB's rules (as `item_size` of the projected item).
    fn size(&self) -> usize {
        self.attributes().map(|(name, value)| name.len() + value.size()).sum()
    }

    /// Whether two entries hold the same values, by DynamoDB's equality (sets
    /// regardless of order, numbers by value): rewriting an equal entry costs
    /// nothing on the index.
    fn same_as(&self, other: &IndexEntry) -> bool {
        self.attributes().count() == other.attributes().count()
            && self.attributes().all(|(name, v)| other.item.get(name).is_some_and(|w| values_equal(v, w)))
    }
}

/// Consumption per table, in first-seen order, for batch and transaction responses.
#[derive(Default)]
pub struct PerTable {
    tables: Vec<Consumed>,
}

impl PerTable {
    pub fn add(&mut self, consumed: Consumed) {
        match self.tables.iter_mut().find(|c| c.table_name == consumed.table_name) {
            Some(existing) => existing.add(&consumed),
            None => self.tables.push(consumed),
        }
    }

    /// Makes sure a table appears even if nothing was consumed on it.
    pub fn touch(&mut self, table_name: &str) {
        self.add(Consumed::table(table_name, 0.0));
    }

    /// The `ConsumedCapacity` list, or `None` when it was not asked for.
    pub fn to_json(&self, detail: ReturnConsumedCapacity) -> Option<Value> {
        if detail == ReturnConsumedCapacity::None {
            return None;
        }
        Some(Value::Array(self.tables.iter().filter_map(|c| c.to_json(detail)).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_round_up() {
        assert_eq!(write_units(0), 1.0);
        assert_eq!(write_units(1024), 1.0);
        assert_eq!(write_units(1025), 2.0);
        assert_eq!(read_units(4096, true), 1.0);
        assert_eq!(read_units(4097, true), 2.0);
        assert_eq!(read_units(100, false), 0.5);
    }

    fn def_with_gsi() -> TableDef {
        use crate::types::{KeyAttribute, KeySchema, ScalarType};
        let key = |name: &str| KeySchema::simple(KeyAttribute { name: name.into(), kind: ScalarType::S }, None);
        let mut def = TableDef::for_tests("t", key("pk"));
        def.global_indexes.push(IndexDef {
            name: "g".into(),
            kind: IndexKind::Global,
            key_schema: key("gk"),
            projection: ProjectionType::KeysOnly,
            throughput: None,
            arn: String::new(),
            backfilled_at: None,
        });
        def
    }

    fn item(pairs: &[(&str, &str)]) -> Item {
        pairs.iter().map(|(k, v)| (k.to_string(), crate::types::AttributeValue::S(v.to_string()))).collect()
    }

    #[test]
    fn index_writes_follow_the_index_entry() {
        let def = def_with_gsi();
        let big = "x".repeat(3000);
        let without = item(&[("pk", "a"), ("data", &big)]);
        let with_a = item(&[("pk", "a"), ("gk", "1"), ("data", &big)]);
        let with_b = item(&[("pk", "a"), ("gk", "2"), ("data", &big)]);
        let with_a_changed = item(&[("pk", "a"), ("gk", "1"), ("data", "small")]);
        let index = |c: &Consumed| c.global_indexes.iter().map(|(_, u)| u).sum::<f64>();
        // Not in the index: table only (3 KB item: 3 units).
        let c = Consumed::write(&def, None, Some(&without), false);
        assert_eq!((c.table, index(&c)), (3.0, 0.0));
        // Entering the index: one put of the keys-only entry.
        assert_eq!(index(&Consumed::write(&def, Some(&without), Some(&with_a), false)), 1.0);
        // Index key changes: a delete and a put.
        assert_eq!(index(&Consumed::write(&def, Some(&with_a), Some(&with_b), false)), 2.0);
        // A non-projected attribute changes: the index entry is untouched.
        assert_eq!(index(&Consumed::write(&def, Some(&with_a), Some(&with_a_changed), false)), 0.0);
        // A projected set rewritten in another order is the same entry.
        let mut all = def.clone();
        all.global_indexes[0].projection = ProjectionType::All;
        let set = |members: &[&str]| {
            let mut i = item(&[("pk", "a"), ("gk", "1")]);
            let members = members.iter().map(|m| m.to_string()).collect();
            i.insert("tags".into(), crate::types::AttributeValue::SS(members));
            i
        };
        let reordered = Consumed::write(&all, Some(&set(&["x", "y"])), Some(&set(&["y", "x"])), false);
        assert_eq!(index(&reordered), 0.0);
        assert_eq!(index(&Consumed::write(&all, Some(&set(&["x", "y"])), Some(&set(&["x", "z"])), false)), 1.0);
        // Leaving the index (delete): one write; transactions cost double.
        let c = Consumed::write(&def, Some(&with_a), None, true);
        assert_eq!((c.table, index(&c), c.total()), (6.0, 2.0, 8.0));
    }
}
