//! Secondary indexes (GSI and LSI) and ordered key ranges.
//!
//! An index maps each index key (ordered like table keys: hash, partition,
//! sort) to the set of table keys of the items carrying it, so index keys may
//! repeat (non-unique) and items without the index key attributes are simply
//! absent (sparse). The items themselves stay in the table: an index entry is
//! a reference, and projections are applied when an index is read, so an
//! ALL-projected index costs no copy of the data.

use crate::types::key::{encoded_partition, encoding};
use crate::types::{item_size, Item, KeySchema, KeyValue, PrimaryKey, ScalarType};
use std::collections::BTreeMap;
use std::ops::Bound;

use super::shared::Shared;
use super::stored::StoredItem;
use super::table::{IndexDef, ProjectionType};

/// One secondary index's entries and statistics.
#[derive(Clone, Debug)]
pub struct IndexData {
    pub name: String,
    pub key_schema: KeySchema,
    pub projection: ProjectionType,
    /// The table's key schema: its attributes are projected into every index.
    pub table_key: KeySchema,
    /// Shared copy on write, like the table's items (a fork shares them until it writes).
    pub entries: Shared<BTreeMap<PrimaryKey, Group>>,
    pub item_count: u64,
    /// Sum of the projected items' sizes (what DescribeTable's IndexSizeBytes reports).
    pub size_bytes: u64,
}

impl IndexData {
    pub fn new(def: &IndexDef, table_key: &KeySchema) -> IndexData {
        IndexData {
            name: def.name.clone(),
            key_schema: def.key_schema.clone(),
            projection: def.projection.clone(),
            table_key: table_key.clone(),
            entries: Shared::default(),
            item_count: 0,
            size_bytes: 0,
        }
    }

    /// The index key of an item, or `None` when the item is not in the index:
    /// it lacks an index key attribute, or (for items written before the index
    /// was created) the attribute has another type, which a backfill skips.
    pub fn key_of(&self, item: &Item) -> Option<PrimaryKey> {
        // With a multi-attribute key, the item is indexed only with every one of them.
        self.key_schema.key_with(|attr| {
            KeyValue::from_attribute(item.get(&attr.name)?)
                .filter(|k| k.scalar_type() == attr.kind && (k.scalar_type() == ScalarType::N || k.size() > 0))
        })
    }

    /// Whether an attribute is stored in this index.
    pub fn projects(&self, name: &str) -> bool {
        match &self.projection {
            ProjectionType::All => true,
            ProjectionType::KeysOnly => self.is_key_attribute(name),
            ProjectionType::Include(attrs) => self.is_key_attribute(name) || attrs.iter().any(|a| a == name),
        }
    }

    /// Index or table key attribute.
    pub fn is_key_attribute(&self, name: &str) -> bool {
        self.key_schema.is_key_attribute(name) || self.table_key.is_key_attribute(name)
    }

    /// The item as this index stores it.
    pub fn project(&self, item: &Item) -> Item {
        match &self.projection {
            ProjectionType::All => item.clone(),
            _ => item.iter().filter(|(k, _)| self.projects(k)).map(|(k, v)| (k.clone(), v.clone())).collect(),
        }
    }

    /// [`IndexData::project`] of an item the caller owns (no copy for ALL).
    pub fn project_owned(&self, mut item: Item) -> Item {
        if self.projection != ProjectionType::All {
            item.retain(|name, _| self.projects(name));
        }
        item
    }

    pub fn projected_size(&self, item: &Item) -> usize {
        match &self.projection {
            ProjectionType::All => item_size(item),
            _ => item.iter().filter(|(k, _)| self.projects(k)).map(|(k, v)| k.len() + v.size()).sum(),
        }
    }

    /// The key attributes a `LastEvaluatedKey` on this index names: index key plus table key.
    pub fn last_evaluated_key(&self, item: &Item) -> Item {
        let mut key = self.table_key.project_key(item);
        key.extend(self.key_schema.project_key(item));
        key
    }

    /// Adds `stored` (whose decoded form is `item`) when it carries the index key.
    pub fn insert(&mut self, stored: &StoredItem, item: &Item) {
        let Some(index_key) = self.key_of(item) else { return };
        if self.entries.make_mut().entry(index_key).or_insert_with(Group::new).insert(stored.clone()) {
            self.item_count += 1;
            self.size_bytes += self.projected_size(item) as u64;
        }
    }

    /// Adds many items at once (a table read back by the durable journal):
    /// `keyed` holds each one's index key ([`IndexData::key_of`]) in the
    /// table's key order, `size_bytes` their projected sizes. The keys are
    /// sorted and the map built in bulk: far faster than an `insert` each.
    pub fn load(&mut self, mut keyed: Vec<(PrimaryKey, StoredItem)>, size_bytes: u64) {
        self.size_bytes += size_bytes;
        let entries = self.entries.make_mut();
        if !entries.is_empty() {
            for (key, stored) in keyed {
                self.item_count += u64::from(entries.entry(key).or_insert_with(Group::new).insert(stored));
            }
            return;
        }
        // Stable: items sharing an index key stay in table key order, the order a group keeps.
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        let mut groups: Vec<(PrimaryKey, Group)> = Vec::new();
        for (key, stored) in keyed {
            if groups.last().is_none_or(|(last, _)| *last != key) {
                groups.push((key, Group::new()));
            }
            if let Some((_, group)) = groups.last_mut() {
                self.item_count += u64::from(group.insert(stored));
            }
        }
        *entries = groups.into_iter().collect();
    }

    /// The item under `table_key` changes from `old` (if any) to `new`, stored as `stored`.
    pub fn replace(&mut self, table_key: &PrimaryKey, old: Option<&Item>, new: &Item, stored: &StoredItem) {
        if let Some(old) = old {
            let new_key = self.key_of(new);
            if let Some(index_key) = new_key.as_ref().filter(|k| Some(*k) == self.key_of(old).as_ref()) {
                // Same index key (the common update): the entry stays, pointing at the new version.
                if let Some(group) = self.entries.make_mut().get_mut(index_key) {
                    group.swap(stored.clone());
                }
                self.size_bytes -= self.projected_size(old) as u64;
                self.size_bytes += self.projected_size(new) as u64;
                return;
            }
            self.remove(table_key, old);
        }
        self.insert(stored, new);
    }

    pub fn remove(&mut self, table_key: &PrimaryKey, item: &Item) {
        let Some(index_key) = self.key_of(item) else { return };
        let size = self.projected_size(item) as u64;
        let entries = self.entries.make_mut();
        let Some(group) = entries.get_mut(&index_key) else { return };
        if group.remove(table_key) {
            self.item_count -= 1;
            self.size_bytes -= size;
        }
        if group.is_empty() {
            entries.remove(&index_key);
        }
    }

    /// Entries within `range`, in order (or reverse order), as (index key,
    /// item). `after` is an exclusive start position (index key, table key).
    pub fn range<'a>(
        &'a self,
        range: &KeyRange,
        forward: bool,
        after: Option<(&PrimaryKey, &PrimaryKey)>,
    ) -> Box<dyn Iterator<Item = (&'a PrimaryKey, &'a StoredItem)> + 'a> {
        // Resume inside the start group (same index key), then go on with the groups past it.
        let mut range = range.clone();
        let mut first: Option<(PrimaryKey, PrimaryKey)> = None;
        if let Some((index_key, table_key)) = after {
            if range.contains(index_key) {
                first = Some((index_key.clone(), table_key.clone()));
            }
            range = range.after(index_key, forward);
        }
        let head: Box<dyn Iterator<Item = (&'a PrimaryKey, &'a StoredItem)> + 'a> =
            match first.and_then(|(ik, tk)| self.entries.get_key_value(&ik).map(|(k, group)| (k, group, tk))) {
                Some((index_key, group, table_key)) => {
                    Box::new(group.members(Some(&table_key), forward).map(move |t| (index_key, t)))
                }
                None => Box::new(std::iter::empty()),
            };
        let groups = ordered_range(&self.entries, &range, forward);
        let tail = groups.flat_map(move |(index_key, group)| group.members(None, forward).map(move |t| (index_key, t)));
        Box::new(head.chain(tail))
    }
}

/// The items sharing one index key, in table key order (members are the
/// table's own [`StoredItem`]s, shared). Many index keys carry one item (a
/// unique attribute, a timestamp): it is kept in place. Up to
/// [`Group::SMALL`] they are a sorted vector sized to fit (one small
/// allocation, where a B-tree node would reserve room for eleven); larger
/// groups are a B-tree so a low-cardinality index key (say, a status shared
/// by a million items) still inserts and removes in O(log n).
#[derive(Clone, Debug)]
pub enum Group {
    One(StoredItem),
    Small(Vec<StoredItem>),
    Large(BTreeMap<PrimaryKey, StoredItem>),
}

impl Group {
    const SMALL: usize = 16;

    fn new() -> Group {
        Group::Small(Vec::new())
    }

    /// Adds a member; false when its key was already there.
    fn insert(&mut self, item: StoredItem) -> bool {
        match self {
            Group::Small(items) if items.is_empty() => {
                *self = Group::One(item);
                true
            }
            Group::One(only) if *only == item => false,
            Group::One(only) => {
                let mut items = vec![only.clone(), item];
                items.sort_unstable();
                *self = Group::Small(items);
                true
            }
            Group::Small(items) => match items.binary_search(&item) {
                Ok(_) => false,
                Err(at) if items.len() < Group::SMALL => {
                    items.reserve_exact(1);
                    items.insert(at, item);
                    true
                }
                Err(_) => {
                    let mut large: BTreeMap<PrimaryKey, StoredItem> =
                        std::mem::take(items).into_iter().map(|i| (i.key(), i)).collect();
                    large.insert(item.key(), item);
                    *self = Group::Large(large);
                    true
                }
            },
            Group::Large(items) => items.insert(item.key(), item).is_none(),
        }
    }

    /// Replaces the member with the same key by `item` (a new version of it).
    fn swap(&mut self, item: StoredItem) {
        match self {
            Group::One(only) => *only = item,
            Group::Small(items) => {
                if let Ok(at) = items.binary_search(&item) {
                    items[at] = item;
                }
            }
            Group::Large(items) => {
                if let Some(member) = items.get_mut(&item.key()) {
                    *member = item;
                }
            }
        }
    }

    /// Removes the member with key `key`; false when it was not there.
    fn remove(&mut self, key: &PrimaryKey) -> bool {
        match self {
            Group::One(only) if only.cmp_key(key).is_eq() => {
                *self = Group::Small(Vec::new());
                true
            }
            Group::One(_) => false,
            Group::Small(items) => match items.binary_search_by(|m| m.cmp_key(key)) {
                Ok(at) => {
                    items.remove(at);
                    if items.len() == 1 {
                        *self = Group::One(items.remove(0));
                    } else {
                        items.shrink_to_fit();
                    }
                    true
                }
                Err(_) => false,
            },
            Group::Large(items) => items.remove(key).is_some(),
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            Group::One(_) => false,
            Group::Small(items) => items.is_empty(),
            Group::Large(items) => items.is_empty(),
        }
    }

    /// The members in reading direction, all of them or those whose key is strictly after `after`.
    fn members<'a>(
        &'a self,
        after: Option<&PrimaryKey>,
        forward: bool,
    ) -> Box<dyn Iterator<Item = &'a StoredItem> + 'a> {
        match (self, after) {
            (Group::One(only), after) => {
                let beyond =
                    after.is_none_or(|a| if forward { only.cmp_key(a).is_gt() } else { only.cmp_key(a).is_lt() });
                Box::new(beyond.then_some(only).into_iter())
            }
            (Group::Small(items), None) => {
                if forward {
                    Box::new(items.iter())
                } else {
                    Box::new(items.iter().rev())
                }
            }
            (Group::Small(items), Some(after)) => {
                if forward {
                    Box::new(items[items.partition_point(|m| m.cmp_key(after).is_le())..].iter())
                } else {
                    Box::new(items[..items.partition_point(|m| m.cmp_key(after).is_lt())].iter().rev())
                }
            }
            (Group::Large(items), None) => {
                if forward {
                    Box::new(items.values())
                } else {
                    Box::new(items.values().rev())
                }
            }
            (Group::Large(items), Some(after)) => {
                if forward {
                    Box::new(items.range((Bound::Excluded(after), Bound::Unbounded)).map(|(_, m)| m))
                } else {
                    Box::new(items.range((Bound::Unbounded, Bound::Excluded(after))).rev().map(|(_, m)| m))
                }
            }
        }
    }
}

/// A range of keys in storage order: one partition's sort-key range (Query)
/// or a range of partition hashes (a Scan segment).
#[derive(Clone, Debug)]
pub struct KeyRange {
    pub lower: Bound<PrimaryKey>,
    pub upper: Bound<PrimaryKey>,
    /// Only keys of this (encoded) partition: guards against hash collisions.
    pub partition: Option<Box<[u8]>>,
}

impl KeyRange {
    /// The keys of `partition` whose sort key lies within the given bounds.
    pub fn partition(partition: &KeyValue, lower: Bound<KeyValue>, upper: Bound<KeyValue>) -> KeyRange {
        KeyRange::within(std::slice::from_ref(partition), &[], lower, upper)
    }

    /// The keys of a partition (its partition attributes' values) whose first
    /// sort values are `prefix` and whose next sort value lies within the
    /// bounds. Bounds are encoded positions: `AFTER` appended to an encoding
    /// sorts after every key that extends it, so a bound on one sort value
    /// also takes in (or leaves out) every key with more sort values after it.
    pub fn within(
        partition: &[KeyValue],
        prefix: &[KeyValue],
        lower: Bound<KeyValue>,
        upper: Bound<KeyValue>,
    ) -> KeyRange {
        let (hash, bare) = encoded_partition(partition);
        let encoded: Box<[u8]> = Box::from(bare.as_slice());
        let mut base = bare;
        for value in prefix {
            encoding::put(&mut base, value);
        }
        let at = |value: Option<&KeyValue>, after: bool| {
            // One allocation, sized for the value's encoding and the AFTER byte.
            let mut bytes = Vec::with_capacity(base.len() + value.map_or(0, |v| v.size() + 8) + 1);
            bytes.extend_from_slice(&base);
            if let Some(value) = value {
                encoding::put(&mut bytes, value);
            }
            if after {
                bytes.push(encoding::AFTER);
            }
            PrimaryKey::position(hash, bytes)
        };
        let lower = match &lower {
            Bound::Included(v) => Bound::Included(at(Some(v), false)),
            Bound::Excluded(v) => Bound::Included(at(Some(v), true)),
            Bound::Unbounded => Bound::Included(at(None, false)),
        };
        let upper = match &upper {
            Bound::Included(v) => Bound::Excluded(at(Some(v), true)),
            Bound::Excluded(v) => Bound::Excluded(at(Some(v), false)),
            Bound::Unbounded => Bound::Excluded(at(None, true)),
        };
        KeyRange { lower, upper, partition: Some(encoded) }
    }

    /// Every key whose partition hash lies in `first..=last`.
    pub fn hashes(first: u64, last: u64) -> KeyRange {
        KeyRange { lower: Bound::Included(PrimaryKey::hash_start(first)), upper: hash_end(last), partition: None }
    }

    pub fn contains(&self, key: &PrimaryKey) -> bool {
        let above = match &self.lower {
            Bound::Included(l) => key >= l,
            Bound::Excluded(l) => key > l,
            Bound::Unbounded => true,
        };
        let below = match &self.upper {
            Bound::Included(u) => key <= u,
            Bound::Excluded(u) => key < u,
            Bound::Unbounded => true,
        };
        above && below && self.partition.as_deref().is_none_or(|p| p == key.partition_bytes())
    }

    /// The part of this range strictly after `key` in reading direction.
    pub fn after(mut self, key: &PrimaryKey, forward: bool) -> KeyRange {
        if forward {
            let tighter = match &self.lower {
                Bound::Included(l) | Bound::Excluded(l) => key >= l,
                Bound::Unbounded => true,
            };
            if tighter {
                self.lower = Bound::Excluded(key.clone());
            }
        } else {
            let tighter = match &self.upper {
                Bound::Included(u) | Bound::Excluded(u) => key <= u,
                Bound::Unbounded => true,
            };
            if tighter {
                self.upper = Bound::Excluded(key.clone());
            }
        }
        self
    }

    /// Whether the range holds no key at all (`BTreeMap::range` panics on such ranges).
    fn is_empty(&self) -> bool {
        match (&self.lower, &self.upper) {
            (Bound::Included(l), Bound::Included(u)) => l > u,
            (Bound::Included(l) | Bound::Excluded(l), Bound::Included(u) | Bound::Excluded(u)) => l >= u,
            _ => false,
        }
    }
}

/// Just past every key with partition hash `hash`.
fn hash_end(hash: u64) -> Bound<PrimaryKey> {
    match hash.checked_add(1) {
        Some(next) => Bound::Excluded(PrimaryKey::hash_start(next)),
        None => Bound::Unbounded,
    }
}

/// The entries of `map` within `range`, forward or backward. Cost: O(log n) to
/// find the start, then O(1) per entry.
pub fn ordered_range<'a, V>(
    map: &'a BTreeMap<PrimaryKey, V>,
    range: &KeyRange,
    forward: bool,
) -> Box<dyn Iterator<Item = (&'a PrimaryKey, &'a V)> + 'a> {
    if range.is_empty() {
        return Box::new(std::iter::empty());
    }
    let entries = map.range((range.lower.clone(), range.upper.clone()));
    let partition = range.partition.clone();
    let same_partition =
        move |(k, _): &(&PrimaryKey, &V)| partition.as_deref().is_none_or(|p| p == k.partition_bytes());
    if forward {
        Box::new(entries.filter(same_partition))
    } else {
        Box::new(entries.rev().filter(same_partition))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Number;

    fn n(v: i64) -> KeyValue {
        KeyValue::N(Number::parse(&v.to_string()).unwrap())
    }

    fn s(v: &str) -> KeyValue {
        KeyValue::S(v.to_string())
    }

    #[test]
    fn partition_ranges_stay_inside_the_partition() {
        let mut map = BTreeMap::new();
        for p in ["a", "b", "c"] {
            for i in 0..5 {
                map.insert(PrimaryKey::new(s(p), Some(n(i))), ());
            }
        }
        let range = KeyRange::partition(&s("b"), Bound::Excluded(n(1)), Bound::Unbounded);
        let keys: Vec<_> = ordered_range(&map, &range, true).map(|(k, _)| k.sort().unwrap()).collect();
        assert_eq!(keys, vec![n(2), n(3), n(4)]);
        let back: Vec<_> = ordered_range(&map, &range, false).map(|(k, _)| k.sort().unwrap()).collect();
        assert_eq!(back, vec![n(4), n(3), n(2)]);
        let resumed = range.clone().after(&PrimaryKey::new(s("b"), Some(n(3))), false);
        let keys: Vec<_> = ordered_range(&map, &resumed, false).map(|(k, _)| k.sort().unwrap()).collect();
        assert_eq!(keys, vec![n(2)]);
    }

    proptest::proptest! {
        /// A range within a multi-attribute partition (two sort attributes)
        /// holds exactly the keys whose sort values start with the prefix and
        /// whose next value is within the bounds, in tuple order.
        #[test]
        fn composite_ranges_hold_exactly_the_matching_keys(
            prefix in proptest::option::of(0..4i64),
            lower in 0..3u8, low in 0..4i64, upper in 0..3u8, high in 0..4i64, forward in proptest::bool::ANY,
        ) {
            let partition = [s("a"), n(7)];
            let mut map = BTreeMap::new();
            for p in [vec![s("a"), n(7)], vec![s("a"), n(8)], vec![s("a")]] {
                for x in 0..4 {
                    for y in 0..4 {
                        map.insert(PrimaryKey::compose(&p, &[n(x), n(y)]), (p.clone(), vec![n(x), n(y)]));
                    }
                }
            }
            let bound = |kind: u8, v: i64| match kind {
                0 => Bound::Unbounded,
                1 => Bound::Included(n(v)),
                _ => Bound::Excluded(n(v)),
            };
            let (lower, upper) = (bound(lower, low), bound(upper, high));
            let prefix: Vec<KeyValue> = prefix.map(n).into_iter().collect();
            let range = KeyRange::within(&partition, &prefix, lower.clone(), upper.clone());
            let got: Vec<&Vec<KeyValue>> = ordered_range(&map, &range, forward).map(|(_, (_, sort))| sort).collect();
            let mut expected: Vec<&Vec<KeyValue>> = map
                .values()
                .filter(|(p, sort)| {
                    let Some(next) = sort.get(prefix.len()) else { return false };
                    let bounds = (lower.as_ref(), upper.as_ref());
                    p[..] == partition[..] && sort.starts_with(&prefix) && std::ops::RangeBounds::contains(&bounds, next)
                })
                .map(|(_, sort)| sort)
                .collect();
            expected.sort();
            if !forward {
                expected.reverse();
            }
            proptest::prop_assert_eq!(got, expected);
        }
    }

    #[test]
    fn empty_and_inverted_ranges_do_not_panic() {
        let map: BTreeMap<PrimaryKey, ()> = BTreeMap::from([(PrimaryKey::new(s("a"), Some(n(1))), ())]);
        let range = KeyRange::partition(&s("a"), Bound::Excluded(n(1)), Bound::Excluded(n(1)));
        assert_eq!(ordered_range(&map, &range, true).count(), 0);
        let range = KeyRange::partition(&s("a"), Bound::Included(n(5)), Bound::Included(n(1)));
        assert_eq!(ordered_range(&map, &range, false).count(), 0);
        let full = KeyRange::hashes(0, u64::MAX);
        assert_eq!(ordered_range(&map, &full, true).count(), 1);
    }

    #[test]
    fn groups_stay_ordered_and_resume_after_a_member_small_or_large() {
        for size in [3usize, 40] {
            let mut group = Group::new();
            // Inserted out of order, with a duplicate.
            for i in (0..size).rev().chain([0]) {
                let key = PrimaryKey::new(s("t"), Some(n(i as i64)));
                group.insert(StoredItem::encode(&key, &Item::new()));
            }
            assert_eq!(matches!(group, Group::Large(_)), size > Group::SMALL);
            let sorts = |it: Box<dyn Iterator<Item = &StoredItem> + '_>| -> Vec<KeyValue> {
                it.map(|m| m.key().sort().unwrap()).collect()
            };
            let all: Vec<KeyValue> = (0..size as i64).map(n).collect();
            assert_eq!(sorts(group.members(None, true)), all);
            assert_eq!(sorts(group.members(None, false)), all.iter().rev().cloned().collect::<Vec<_>>());
            let middle = PrimaryKey::new(s("t"), Some(n(1)));
            assert_eq!(sorts(group.members(Some(&middle), true)), all[2..].to_vec());
            assert_eq!(sorts(group.members(Some(&middle), false)), vec![n(0)]);
            assert!(group.remove(&middle));
            assert!(!group.remove(&middle));
            for i in 0..size as i64 {
                group.remove(&PrimaryKey::new(s("t"), Some(n(i))));
            }
            assert!(group.is_empty());
        }
    }

    mod maintenance {
        use super::super::super::table::{IndexDef, IndexKind, TableData};
        use super::*;
        use crate::types::{AttributeValue, KeyAttribute};
        use proptest::prelude::*;

        #[derive(Clone, Debug)]
        enum Op {
            Put(u8, Option<u8>, Option<i64>),
            Remove(u8),
        }

        fn index_def() -> IndexDef {
            IndexDef {
                name: "by_group".into(),
                kind: IndexKind::Global,
                key_schema: KeySchema::simple(
                    KeyAttribute { name: "group".into(), kind: ScalarType::S },
                    Some(KeyAttribute { name: "score".into(), kind: ScalarType::N }),
                ),
                projection: ProjectionType::KeysOnly,
                throughput: None,
                arn: String::new(),
                backfilled_at: None,
            }
        }

        proptest! {
            /// After any sequence of writes, the index holds exactly the items
            /// that carry both index key attributes, under their current keys,
            /// and its count and size match a recount.
            #[test]
            fn index_matches_the_items_after_any_writes(ops in proptest::collection::vec(
                prop_oneof![
                    // Few index keys for many items: groups grow past the small-vector size.
                    (0..60u8, proptest::option::of(0..2u8), proptest::option::of(0..1i64))
                        .prop_map(|(k, g, s)| Op::Put(k, g, s)),
                    (0..60u8).prop_map(Op::Remove),
                ],
                0..150,
            )) {
                let table_key = KeySchema::simple(KeyAttribute { name: "pk".into(), kind: ScalarType::S }, None);
                let mut data = TableData::default();
                data.add_index(&index_def(), &table_key);
                for op in ops {
                    match op {
                        Op::Put(k, group, score) => {
                            let mut item = Item::new();
                            item.insert("pk".into(), AttributeValue::S(format!("k{k}")));
                            if let Some(g) = group {
                                item.insert("group".into(), AttributeValue::S(format!("g{g}")));
                            }
                            if let Some(s) = score {
                                item.insert("score".into(), n(s).to_attribute());
                            }
                            item.insert("other".into(), AttributeValue::S("x".repeat(k as usize)));
                            data.put(PrimaryKey::new(s(&format!("k{k}")), None), item);
                        }
                        Op::Remove(k) => {
                            data.remove(&PrimaryKey::new(s(&format!("k{k}")), None));
                        }
                    }
                }
                let index = &data.indexes[0];
                let mut expected: Vec<(PrimaryKey, PrimaryKey)> = data
                    .items
                    .iter()
                    .filter_map(|(k, item)| index.key_of(&item.decode()).map(|ik| (ik, k.clone())))
                    .collect();
                expected.sort();
                let actual: Vec<(PrimaryKey, PrimaryKey)> = index
                    .entries
                    .iter()
                    .flat_map(|(ik, group)| group.members(None, true).map(move |t| (ik.clone(), t.key())))
                    .collect();
                // Members are the table's current versions of the items.
                for group in index.entries.values() {
                    for member in group.members(None, true) {
                        prop_assert_eq!(member.decode(), data.items[&member.key()].decode());
                    }
                }
                prop_assert_eq!(&actual, &expected);
                prop_assert_eq!(index.item_count as usize, expected.len());
                let size: usize = data.items.values().map(|i| i.decode()).filter(|i| index.key_of(i).is_some()).map(|i| index.projected_size(&i)).sum();
                prop_assert_eq!(index.size_bytes as usize, size);
                prop_assert!(index.entries.values().all(|group| !group.is_empty()), "no empty groups left behind");
            }
        }
    }

    #[test]
    fn hash_segments_split_completely_and_disjointly() {
        let mut map = BTreeMap::new();
        for i in 0..500 {
            map.insert(PrimaryKey::new(s(&format!("k{i}")), None), ());
        }
        let halves = [KeyRange::hashes(0, u64::MAX / 2), KeyRange::hashes(u64::MAX / 2 + 1, u64::MAX)];
        let counts: Vec<usize> = halves.iter().map(|r| ordered_range(&map, r, true).count()).collect();
        assert_eq!(counts.iter().sum::<usize>(), 500);
        assert!(counts.iter().all(|&c| c > 100));
    }
}
