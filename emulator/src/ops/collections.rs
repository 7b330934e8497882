//! Item collection metrics: for tables with local secondary indexes, a write
//! can report the size of the item collection it touched (the items sharing
//! its partition key, plus their LSI entries), when asked with
//! `ReturnItemCollectionMetrics: SIZE`.

use crate::storage::{ordered_range, IndexKind, KeyRange, TableData, TableDef};
use crate::types::{item_size, item_to_json, KeyValue};
use serde_json::{json, Value};
use std::ops::Bound;

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// The `ItemCollectionMetrics` of a write to `partition`, or `None` when the
/// table has no LSI (DynamoDB only reports collections of such tables).
pub fn metrics(def: &TableDef, data: &TableData, partition: &KeyValue) -> Option<Value> {
    if def.local_indexes.is_empty() {
        return None;
    }
    let range = KeyRange::partition(partition, Bound::Unbounded, Bound::Unbounded);
    let locals: Vec<_> =
        data.indexes.iter().filter(|i| def.index(&i.name).is_some_and(|d| d.kind == IndexKind::Local)).collect();
    let bytes: usize = ordered_range(&data.items, &range, true)
        .map(|(_, stored)| {
            let item = &stored.decode();
            let in_indexes: usize =
                locals.iter().filter(|i| i.key_of(item).is_some()).map(|i| i.projected_size(item)).sum();
            item_size(item) + in_indexes
        })
        .sum();
    let gb = (bytes as f64 / GIB).floor();
    let key = [(def.key_schema.partition.name.clone(), partition.to_attribute())].into_iter().collect();
    Some(json!({ "ItemCollectionKey": item_to_json(&key), "SizeEstimateRangeGB": [gb, gb + 1.0] }))
}
