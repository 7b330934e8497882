//! Vector indexes: their definitions and their vectors, searched exactly.
//!
//! An item is in a vector index when its vector attribute is a list of
//! exactly `Dimensions` numbers that fit in 32-bit floats (the API
//! reference's form: "a list of numbers with dimensions matching the index
//! configuration", "Vector values must fit in 32-bit IEEE-754 floating point
//! format") and, when the search schema has a HASH attribute, the item
//! carries it with its declared type (DynamoDB's developer guide: an item
//! without it "is silently excluded from the vector index"). Writes are
//! checked before they happen (`ops::item_request`), so only items written
//! before the index was created can be malformed: a backfill skips them.
//!
//! Vectors are kept as `f32` in one contiguous array (the index stores
//! embeddings "at 32-bit floating point (f32) precision"), so a search is a
//! linear pass the compiler vectorizes; an entry is the item's
//! [`StoredItem`], shared with the table.

use super::shared::Shared;
use super::stored::StoredItem;
use super::table::ProjectionType;
use crate::types::{AttributeValue, Item, KeySchema, KeyValue, PrimaryKey, ScalarType};
use std::collections::BTreeMap;

/// The largest `Dimensions` DynamoDB accepts (the CloudFormation reference
/// for `AWS::DynamoDB::Table VectorIndex`: "Minimum: 1, Maximum: 4096").
pub const MAX_DIMENSIONS: i64 = 4096;

/// `DistanceFunction`, in the API reference's order of valid values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DistanceFunction {
    Cosine,
    DotProduct,
    Euclidean,
}

impl DistanceFunction {
    pub const ALL: [DistanceFunction; 3] =
        [DistanceFunction::Cosine, DistanceFunction::DotProduct, DistanceFunction::Euclidean];

    pub fn as_str(self) -> &'static str {
        match self {
            DistanceFunction::Cosine => "COSINE",
            DistanceFunction::DotProduct => "DOT_PRODUCT",
            DistanceFunction::Euclidean => "EUCLIDEAN",
        }
    }
}

/// A `SearchSchemaElementType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SearchRole {
    Hash,
    InlineFilter,
}

impl SearchRole {
    pub const ALL: [SearchRole; 2] = [SearchRole::Hash, SearchRole::InlineFilter];

    pub fn as_str(self) -> &'static str {
        match self {
            SearchRole::Hash => "HASH",
            SearchRole::InlineFilter => "INLINE_FILTER",
        }
    }
}

/// One `SearchSchema` element, typed by the table's AttributeDefinitions.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SearchAttribute {
    pub name: String,
    pub role: SearchRole,
    pub kind: ScalarType,
}

/// A vector index as CreateTable or UpdateTable defined it.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct VectorIndexDef {
    pub name: String,
    pub attribute: String,
    pub dimensions: usize,
    pub distance: DistanceFunction,
    /// As given; `None` when the request had none (DescribeTable omits it then).
    pub search_schema: Option<Vec<SearchAttribute>>,
    pub projection: ProjectionType,
    pub arn: String,
    /// Clock time (ms) an index added by UpdateTable finishes backfilling,
    /// with a status delay (see `crate::storage::lifecycle`).
    #[serde(default)]
    pub backfilled_at: Option<i64>,
}

impl VectorIndexDef {
    pub fn search_attributes(&self) -> &[SearchAttribute] {
        self.search_schema.as_deref().unwrap_or_default()
    }

    pub fn search_attribute(&self, name: &str) -> Option<&SearchAttribute> {
        self.search_attributes().iter().find(|a| a.name == name)
    }

    pub fn hash_attribute(&self) -> Option<&SearchAttribute> {
        self.search_attributes().iter().find(|a| a.role == SearchRole::Hash)
    }

    /// Whether the index stores `name`, so a ProjectionExpression can
    /// return it: the table's key, the vector and search schema attributes
    /// always, the rest as the projection says. Asking for another attribute
    /// is no error: it is simply absent (as for a missing attribute).
    pub fn stores(&self, name: &str, table_key: &KeySchema) -> bool {
        name == self.attribute || self.search_attribute(name).is_some() || self.shows(name, table_key)
    }

    /// Whether a result shows `name` when no ProjectionExpression is given:
    /// what the projection names, never the vector itself (the developer
    /// guide: "Vector data is large, and you typically don't need it in the
    /// response ... To include the vector attribute, request it with a
    /// ProjectionExpression").
    pub fn shows(&self, name: &str, table_key: &KeySchema) -> bool {
        if name == self.attribute {
            return false;
        }
        match &self.projection {
            ProjectionType::All => true,
            ProjectionType::KeysOnly => table_key.is_key_attribute(name),
            ProjectionType::Include(attrs) => table_key.is_key_attribute(name) || attrs.iter().any(|a| a == name),
        }
    }
}

/// Why a value is not a vector of an index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VectorError {
    /// Not a list, or an element that is not a number.
    NotNumbers,
    /// A number beyond the range of a 32-bit float.
    OutOfRange,
    /// A list of numbers of this length, not the index's dimensions.
    Length(usize),
}

/// The numbers of `values` as 32-bit floats: more precision than a float
/// holds is rounded away (DynamoDB accepts it and "loses precision"), a
/// magnitude beyond it is an error.
pub fn read_floats(values: &[AttributeValue]) -> Result<Vec<f32>, VectorError> {
    values
        .iter()
        .map(|value| match value {
            AttributeValue::N(n) => {
                let wide: f64 = n.written().parse().map_err(|_| VectorError::NotNumbers)?;
                let narrow = wide as f32;
                if narrow.is_finite() {
                    Ok(narrow)
                } else {
                    Err(VectorError::OutOfRange)
                }
            }
            _ => Err(VectorError::NotNumbers),
        })
        .collect()
}

/// `value` as a vector of `dimensions` floats.
pub fn read_vector(value: &AttributeValue, dimensions: usize) -> Result<Vec<f32>, VectorError> {
    let AttributeValue::L(values) = value else { return Err(VectorError::NotNumbers) };
    let floats = read_floats(values)?;
    if floats.len() != dimensions {
        return Err(VectorError::Length(floats.len()));
    }
    Ok(floats)
}

/// A float written as a DynamoDB number: the shortest text that reads back
/// as the same `f32` (what the index returns for a projected vector).
pub fn float_number(value: f32) -> AttributeValue {
    let text = format!("{value}");
    match crate::types::Number::parse(&text) {
        Ok(n) => AttributeValue::N(n),
        Err(_) => AttributeValue::N(crate::types::Number::zero()),
    }
}

/// One vector index's vectors.
#[derive(Clone, Debug)]
pub struct VectorData {
    pub name: String,
    attribute: String,
    dimensions: usize,
    distance: DistanceFunction,
    /// The search schema's HASH attribute: items without it are not indexed.
    hash: Option<(String, ScalarType)>,
    /// Shared copy on write with every copy of the table's data, like its items (see `shared`).
    columns: Shared<Columns>,
    /// Sum of the indexed items' sizes (keys, vector and projected attributes).
    pub size_bytes: u64,
    stored: Vec<String>,
    all: bool,
}

/// The indexed items, one slot each: slot `i` holds `entries[i]`,
/// `vectors[i * dimensions..][..dimensions]`, `norms[i]` (its Euclidean
/// length, for COSINE) and `sizes[i]`; `slots` finds an item's slot.
#[derive(Clone, Debug, Default)]
struct Columns {
    entries: Vec<StoredItem>,
    vectors: Vec<f32>,
    norms: Vec<f32>,
    slots: BTreeMap<PrimaryKey, usize>,
    sizes: Vec<u32>,
}

/// One search result: the item, its score as the API reports it.
pub struct Hit<'a> {
    pub item: &'a StoredItem,
    pub score: f64,
    /// The stored (f32) vector, for a projection that asks for it.
    pub vector: &'a [f32],
}

impl VectorData {
    /// An empty index; `key_attributes` name the table's key attributes.
    pub fn new(def: &VectorIndexDef, key_attributes: Vec<String>) -> VectorData {
        let mut stored = key_attributes;
        stored.push(def.attribute.clone());
        stored.extend(def.search_attributes().iter().map(|a| a.name.clone()));
        if let ProjectionType::Include(attrs) = &def.projection {
            stored.extend(attrs.iter().cloned());
        }
        VectorData {
            name: def.name.clone(),
            attribute: def.attribute.clone(),
            dimensions: def.dimensions,
            distance: def.distance,
            hash: def.hash_attribute().map(|a| (a.name.clone(), a.kind)),
            columns: Shared::default(),
            size_bytes: 0,
            stored,
            all: def.projection == ProjectionType::All,
        }
    }

    pub fn item_count(&self) -> u64 {
        self.columns.entries.len() as u64
    }

    /// The item's vector, when the item belongs in the index.
    fn vector_of(&self, item: &Item) -> Option<Vec<f32>> {
        if let Some((name, kind)) = &self.hash {
            let key = KeyValue::from_attribute(item.get(name)?)?;
            if key.scalar_type() != *kind || (key.scalar_type() != ScalarType::N && key.size() == 0) {
                return None;
            }
        }
        read_vector(item.get(&self.attribute)?, self.dimensions).ok()
    }

    /// The size the index counts for an item: its stored attributes, the
    /// vector as `f32`s.
    fn size_of(&self, item: &Item) -> u32 {
        let attrs: usize = item
            .iter()
            .filter(|(name, _)| **name != self.attribute && (self.all || self.stored.iter().any(|s| s == *name)))
            .map(|(name, value)| name.len() + value.size())
            .sum();
        (attrs + self.attribute.len() + 4 * self.dimensions).min(u32::MAX as usize) as u32
    }

    /// The item under `key` changes from `old` (if any) to `new` (stored as `stored`).
    pub fn replace(&mut self, key: &PrimaryKey, old: Option<&Item>, new: &Item, stored: &StoredItem) {
        if old.is_some() {
            self.remove(key);
        }
        self.insert(key, new, stored);
    }

    /// Adds the item when it belongs in the index (also the backfill).
    pub fn insert(&mut self, key: &PrimaryKey, item: &Item, stored: &StoredItem) {
        let Some(vector) = self.vector_of(item) else { return };
        if self.columns.slots.contains_key(key) {
            self.remove(key);
        }
        let size = self.size_of(item);
        let columns = self.columns.make_mut();
        columns.norms.push(norm(&vector));
        columns.vectors.extend_from_slice(&vector);
        columns.entries.push(stored.clone());
        columns.sizes.push(size);
        columns.slots.insert(key.clone(), columns.entries.len() - 1);
        self.size_bytes += u64::from(size);
    }

    /// Removes the item under `key`, if indexed: the last slot moves into its place.
    pub fn remove(&mut self, key: &PrimaryKey) {
        if !self.columns.slots.contains_key(key) {
            return;
        }
        let dimensions = self.dimensions;
        let columns = self.columns.make_mut();
        let Some(slot) = columns.slots.remove(key) else { return };
        let last = columns.entries.len() - 1;
        self.size_bytes -= u64::from(columns.sizes[slot]);
        if slot != last {
            let moved = columns.entries[last].key();
            columns.vectors.copy_within(last * dimensions..(last + 1) * dimensions, slot * dimensions);
            columns.slots.insert(moved, slot);
        }
        columns.entries.swap_remove(slot);
        columns.norms.swap_remove(slot);
        columns.sizes.swap_remove(slot);
        columns.vectors.truncate(last * dimensions);
    }

    /// The `k` nearest items to `query` that `accept` takes, nearest first;
    /// equally near items in table key order. Exact: every vector is scored.
    pub fn search(&self, query: &[f32], k: usize, mut accept: impl FnMut(&StoredItem) -> bool) -> Vec<Hit<'_>> {
        let query_norm = norm(query);
        // Lower is nearer: the COSINE distance, the squared Euclidean
        // distance, the negated dot product.
        let columns = &*self.columns;
        let mut order: Vec<(f32, u32)> = columns
            .vectors
            .chunks_exact(self.dimensions.max(1))
            .enumerate()
            .map(|(slot, v)| (self.nearness(query, query_norm, slot, v), slot as u32))
            .collect();
        let by_nearness = |a: &(f32, u32), b: &(f32, u32)| {
            a.0.total_cmp(&b.0)
                .then_with(|| columns.entries[a.1 as usize].cmp_key(&columns.entries[b.1 as usize].key()))
        };
        let mut chosen: Vec<(f32, u32)> = Vec::with_capacity(k.min(order.len()));
        // Only the nearest k matter without a filter; a filter may need more:
        // each round judges the next nearest candidates, four times as many.
        let mut limit = k.max(1);
        // The nearest `seen` candidates, already judged, stay in front in order.
        let mut seen = 0;
        loop {
            let bound = limit.min(order.len());
            if bound < order.len() {
                order[seen..].select_nth_unstable_by(bound - seen - 1, by_nearness);
            }
            order[seen..bound].sort_unstable_by(by_nearness);
            let room = k - chosen.len();
            let accepted = order[seen..bound].iter().filter(|(_, slot)| accept(&columns.entries[*slot as usize]));
            chosen.extend(accepted.take(room));
            seen = bound;
            if chosen.len() >= k || bound == order.len() {
                break;
            }
            limit = limit.saturating_mul(4);
        }
        chosen.truncate(k);
        chosen
            .into_iter()
            .map(|(_, slot)| {
                let slot = slot as usize;
                let vector = &columns.vectors[slot * self.dimensions..(slot + 1) * self.dimensions];
                Hit { item: &columns.entries[slot], score: score(self.distance, query, vector), vector }
            })
            .collect()
    }

    fn nearness(&self, query: &[f32], query_norm: f32, slot: usize, vector: &[f32]) -> f32 {
        let near = match self.distance {
            DistanceFunction::Cosine => {
                let lengths = query_norm * self.columns.norms[slot];
                if lengths == 0.0 {
                    1.0
                } else {
                    1.0 - dot(query, vector) / lengths
                }
            }
            DistanceFunction::Euclidean => squared_distance(query, vector),
            DistanceFunction::DotProduct => -dot(query, vector),
        };
        if near.is_finite() {
            near
        } else {
            // Beyond f32 (vectors near the float range): ordered by the exact score.
            let exact = score(self.distance, query, vector);
            let near = if self.distance == DistanceFunction::DotProduct { -exact } else { exact };
            near.clamp(f32::MIN as f64, f32::MAX as f64) as f32
        }
    }
}

/// The score SearchVectors reports (the API reference: COSINE "Scores range
/// from 0 (identical) to 2 (opposite)", EUCLIDEAN "the Euclidean distance
/// between vectors", DOT_PRODUCT higher is more similar), computed in f64 so
/// that vectors near the float range still score finitely. A zero vector
/// has no direction: its COSINE distance to anything is 1 (the emulator's
/// choice; the API reference does not say).
pub fn score(distance: DistanceFunction, query: &[f32], vector: &[f32]) -> f64 {
    let pairs = || query.iter().zip(vector).map(|(&a, &b)| (f64::from(a), f64::from(b)));
    match distance {
        DistanceFunction::DotProduct => pairs().map(|(a, b)| a * b).sum(),
        DistanceFunction::Euclidean => pairs().map(|(a, b)| (a - b) * (a - b)).sum::<f64>().sqrt(),
        DistanceFunction::Cosine => {
            let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
            for (a, b) in pairs() {
                ab += a * b;
                aa += a * a;
                bb += b * b;
            }
            // One square root: identical vectors score exactly 0.
            let lengths = (aa * bb).sqrt();
            if lengths == 0.0 || !lengths.is_finite() {
                let lengths = aa.sqrt() * bb.sqrt();
                if lengths == 0.0 {
                    return 1.0;
                }
                return (1.0 - ab / lengths).clamp(0.0, 2.0);
            }
            (1.0 - ab / lengths).clamp(0.0, 2.0)
        }
    }
}

/// Eight running sums, so the loop vectorizes.
const LANES: usize = 8;

fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut sums = [0.0f32; LANES];
    let (a_chunks, b_chunks) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: f32 = a_chunks.remainder().iter().zip(b_chunks.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in a_chunks.zip(b_chunks) {
        for lane in 0..LANES {
            sums[lane] += x[lane] * y[lane];
        }
    }
    sums.iter().sum::<f32>() + tail
}

fn squared_distance(a: &[f32], b: &[f32]) -> f32 {
    let mut sums = [0.0f32; LANES];
    let (a_chunks, b_chunks) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: f32 = a_chunks.remainder().iter().zip(b_chunks.remainder()).map(|(x, y)| (x - y) * (x - y)).sum();
    for (x, y) in a_chunks.zip(b_chunks) {
        for lane in 0..LANES {
            let d = x[lane] - y[lane];
            sums[lane] += d * d;
        }
    }
    sums.iter().sum::<f32>() + tail
}

fn norm(v: &[f32]) -> f32 {
    let squared = dot(v, v);
    if squared.is_finite() {
        squared.sqrt()
    } else {
        v.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>().sqrt() as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Number;

    fn def(distance: DistanceFunction) -> VectorIndexDef {
        VectorIndexDef {
            name: "vind".into(),
            attribute: "v".into(),
            dimensions: 3,
            distance,
            search_schema: None,
            projection: ProjectionType::KeysOnly,
            arn: String::new(),
            backfilled_at: None,
        }
    }

    fn schema() -> Vec<String> {
        vec!["p".to_string()]
    }

    fn entry(p: &str, v: &[f64]) -> (PrimaryKey, Item, StoredItem) {
        let mut item = Item::new();
        item.insert("p".into(), AttributeValue::S(p.into()));
        let list = v.iter().map(|x| AttributeValue::N(Number::parse(&x.to_string()).unwrap())).collect();
        item.insert("v".into(), AttributeValue::L(list));
        let key = PrimaryKey::new(KeyValue::S(p.into()), None);
        let stored = StoredItem::encode(&key, &item);
        (key, item, stored)
    }

    fn names(hits: &[Hit]) -> Vec<String> {
        hits.iter()
            .map(|h| match h.item.decode().get("p") {
                Some(AttributeValue::S(s)) => s.clone(),
                _ => String::new(),
            })
            .collect()
    }

    #[test]
    fn a_copy_shares_the_vectors_until_either_side_writes() {
        let mut original = VectorData::new(&def(DistanceFunction::Euclidean), schema());
        for (p, v) in [("a", [0.0, 0.0, 1.0]), ("b", [0.5, 1.0, 0.0]), ("c", [1.0, 0.0, 0.0])] {
            let (key, item, stored) = entry(p, &v);
            original.insert(&key, &item, &stored);
        }
        let mut copy = original.clone();
        assert!(std::ptr::eq(&*original.columns, &*copy.columns));
        // The copy moves "a" and drops "c"; the original still finds them as they were.
        let (key, item, stored) = entry("a", &[1.0, 0.0, 0.0]);
        copy.replace(&key, Some(&item), &item, &stored);
        copy.remove(&entry("c", &[0.0; 3]).0);
        assert_eq!(names(&copy.search(&[1.0, 0.0, 0.0], 3, |_| true)), ["a", "b"]);
        assert_eq!(names(&original.search(&[1.0, 0.0, 0.0], 3, |_| true)), ["c", "b", "a"]);
        assert_eq!((original.item_count(), copy.item_count()), (3, 2));
    }

    #[test]
    fn each_distance_orders_and_scores() {
        let points: [(&str, [f64; 3]); 3] = [("a", [0.5, 0.0, 0.0]), ("b", [2.0, 0.01, 0.0]), ("c", [1.0, 0.3, 0.0])];
        for (distance, nearest, first_score) in [
            (DistanceFunction::Cosine, "a", 0.0),
            (DistanceFunction::DotProduct, "b", 2.0),
            (DistanceFunction::Euclidean, "c", 0.3),
        ] {
            let mut data = VectorData::new(&def(distance), schema());
            for (p, v) in &points {
                let (key, item, stored) = entry(p, v);
                data.insert(&key, &item, &stored);
            }
            let hits = data.search(&[1.0, 0.0, 0.0], 1, |_| true);
            assert_eq!(names(&hits), vec![nearest.to_string()], "{distance:?}");
            assert!((hits[0].score - first_score).abs() < 1e-6, "{distance:?} {}", hits[0].score);
        }
    }

    #[test]
    fn removal_keeps_slots_consistent_and_ties_follow_key_order() {
        let mut data = VectorData::new(&def(DistanceFunction::Euclidean), schema());
        let mut keys = Vec::new();
        for i in 0..50 {
            let (key, item, stored) = entry(&format!("k{i:02}"), &[1.0, 0.0, 0.0]);
            data.insert(&key, &item, &stored);
            keys.push(key);
        }
        for key in keys.iter().step_by(3) {
            data.remove(key);
        }
        assert_eq!(data.item_count(), 33);
        let hits = data.search(&[1.0, 0.0, 0.0], 40, |_| true);
        assert_eq!(hits.len(), 33);
        let order: Vec<PrimaryKey> = hits.iter().map(|h| h.item.key()).collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted);
        let filtered = data.search(&[1.0, 0.0, 0.0], 2, |s| s.key() == keys[49]);
        assert_eq!(names(&filtered), vec!["k49".to_string()]);
    }

    #[test]
    fn malformed_vectors_are_not_indexed() {
        let mut data = VectorData::new(&def(DistanceFunction::Cosine), schema());
        let (key, item, stored) = entry("short", &[1.0, 2.0]);
        data.insert(&key, &item, &stored);
        let (key, item, stored) = entry("huge", &[1e39, 0.0, 0.0]);
        data.insert(&key, &item, &stored);
        assert_eq!(data.item_count(), 0);
        assert_eq!(read_vector(&AttributeValue::S("x".into()), 3), Err(VectorError::NotNumbers));
    }

    proptest::proptest! {
        /// Any sequence of writes and removals, then a search: the same items,
        /// order and scores as scoring every live item naively.
        #[test]
        fn search_matches_a_naive_ranking(
            writes in proptest::collection::vec((0..12usize, proptest::option::of(proptest::array::uniform3(-3i8..4))), 0..60),
            query in proptest::array::uniform3(-3i8..4),
            k in 1..15usize,
            which in 0..3usize,
            filtered in proptest::bool::ANY,
        ) {
            let distance = DistanceFunction::ALL[which];
            let mut data = VectorData::new(&def(distance), schema());
            let mut model: BTreeMap<PrimaryKey, Vec<f32>> = BTreeMap::new();
            for (id, vector) in writes {
                let name = format!("k{id}");
                let key = PrimaryKey::new(KeyValue::S(name.clone()), None);
                match vector {
                    Some(v) => {
                        let v: Vec<f64> = v.iter().map(|&x| f64::from(x)).collect();
                        let (key, item, stored) = entry(&name, &v);
                        data.replace(&key, Some(&item), &item, &stored);
                        model.insert(key, v.iter().map(|&x| x as f32).collect());
                    }
                    None => {
                        data.remove(&key);
                        model.remove(&key);
                    }
                }
            }
            let query: Vec<f32> = query.iter().map(|&x| f32::from(x)).collect();
            let mut expected: Vec<(f64, PrimaryKey)> =
                model.iter().map(|(key, v)| (score(distance, &query, v), key.clone())).collect();
            expected.sort_by(|a, b| {
                let by_score = if distance == DistanceFunction::DotProduct { b.0.total_cmp(&a.0) } else { a.0.total_cmp(&b.0) };
                by_score.then_with(|| a.1.cmp(&b.1))
            });
            // With `filtered`, only the even keys pass (a search condition).
            let passes = |key: &PrimaryKey| {
                !filtered || matches!(key.partition(), KeyValue::S(name) if name.ends_with(['0', '2', '4', '6', '8']))
            };
            expected.retain(|(_, key)| passes(key));
            // Ties at the k-th place may be broken either way: a key past the
            // cut is looked up among all the passing items.
            let ranked = expected.clone();
            expected.truncate(k);
            let got: Vec<(f64, PrimaryKey)> =
                data.search(&query, k, |item| passes(&item.key())).iter().map(|h| (h.score, h.item.key())).collect();
            proptest::prop_assert_eq!(data.item_count() as usize, model.len());
            proptest::prop_assert_eq!(got.len(), expected.len());
            for ((got_score, got_key), (want_score, want_key)) in got.iter().zip(&expected) {
                proptest::prop_assert!((got_score - want_score).abs() < 1e-5, "{} vs {}", got_score, want_score);
                // Keys agree unless two scores are within float noise of each other.
                if got_key != want_key {
                    let other = ranked.iter().find(|(_, k)| k == got_key).map(|(s, _)| *s);
                    proptest::prop_assert!(other.is_some_and(|s| (s - want_score).abs() < 1e-5));
                }
            }
        }
    }

    #[test]
    fn scores_stay_finite_near_the_float_range() {
        let big = 1e38f32;
        assert!(score(DistanceFunction::DotProduct, &[big, 0.0], &[big, 0.0]) > 1e38);
        assert!(score(DistanceFunction::Euclidean, &[big, 0.0], &[-big, 0.0]) > 1e38);
    }
}
