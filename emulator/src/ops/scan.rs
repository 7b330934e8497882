//! Scan: every item of the table or of an index in storage order (by
//! partition hash). A parallel scan's segment is a range of partition
//! hashes, so segments are disjoint and together cover everything.

use super::read::{
    page_response, read_expressions, read_page, resolve_select, select_and_limit, start_key, Operation, ReadOptions,
    Target,
};
use crate::error::{ApiError, ApiResult};
use crate::input::{return_consumed_capacity, Input, Violations};
use crate::ops::Reply;
use crate::state::State;
use crate::storage::{ordered_range, KeyRange, StoredItem};

pub const MAX_TOTAL_SEGMENTS: i64 = 1_000_000;

pub fn scan(state: &State, input: Input) -> ApiResult<Reply> {
    let mut v = Violations::new();
    let name = input.str("TableName")?;
    v.table_name("tableName", name);
    let index_name = input.str("IndexName")?;
    if let Some(index) = index_name {
        v.name_rules("indexName", index, 3, 255);
    }
    let (select, limit) = select_and_limit(&input, &mut v)?;
    let capacity = return_consumed_capacity(&input, &mut v)?;
    let segment = input.int("Segment")?;
    let total_segments = input.int("TotalSegments")?;
    v.range("segment", segment, 0, Some(MAX_TOTAL_SEGMENTS - 1));
    v.range("totalSegments", total_segments, 1, Some(MAX_TOTAL_SEGMENTS));
    if let (Some(segment), Some(total)) = (segment, total_segments) {
        if segment >= total && (1..=MAX_TOTAL_SEGMENTS).contains(&total) && segment >= 0 {
            v.range("segment", Some(segment), 0, Some(total - 1));
        }
    }
    let consistent = input.bool("ConsistentRead")?.unwrap_or(false);
    let esk = input.item("ExclusiveStartKey")?;
    v.finish()?;
    let segment = match (segment, total_segments) {
        (Some(segment), Some(total)) => Some((segment as u64, total as u64)),
        (Some(_), None) => {
            return Err(ApiError::validation("If segment is specified, total segment must also be specified"))
        }
        (None, Some(_)) => {
            return Err(ApiError::validation(
                "If total segments is specified, a particular segment must also be specified for this request",
            ))
        }
        (None, None) => None,
    };
    let expressions = read_expressions(&input, Operation::Scan)?;

    let table = state.serving_table(name.unwrap_or_default())?;
    let guard = table.inner.read();
    let target = Target::resolve(&guard, index_name, state.clock.now_millis())?;
    if consistent && target.is_global_index() {
        return Err(ApiError::validation("Consistent reads are not supported on global secondary indexes"));
    }
    let projected = expressions.projected_attributes();
    let (select, fetch_from_table) =
        resolve_select(select, expressions.projection_param, &projected, &expressions.filtered_attributes(), &target)?;
    let range = match segment {
        Some((segment, total)) => segment_range(segment, total),
        None => KeyRange::hashes(0, u64::MAX),
    };
    let start = esk.map(|esk| start_key(Operation::Scan, &target, &esk)).transpose()?;
    if let Some((key, _)) = &start {
        if !range.contains(key) {
            // DynamoDB's wording (DynamoDB Local says "Exclusive start key must lie within the segment").
            let (segment, total) = segment.unwrap_or((0, 1));
            return Err(ApiError::validation(format!(
                "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: {total} Segment: {segment}"
            )));
        }
    }
    let options = ReadOptions { select, limit: limit.map(|l| l as usize), consistent, capacity, fetch_from_table };
    let items = &guard.data.items;
    let candidates: Box<dyn Iterator<Item = &StoredItem> + '_> = match target.index {
        Some((index, _)) => {
            Box::new(index.range(&range, true, start.as_ref().map(|(i, t)| (i, t))).map(|(_, item)| item))
        }
        None => {
            let range = match &start {
                Some((key, _)) => range.after(key, true),
                None => range,
            };
            Box::new(ordered_range(items, &range, true).map(|(_, item)| item))
        }
    };
    let page = read_page(&target, &options, candidates, &expressions);
    Ok(page_response(&target, &options, page))
}

/// Segment `segment` of `total`: an equal share of the hash space. Shares
/// are computed exactly in 128 bits, so they tile `0..=u64::MAX`.
pub fn segment_range(segment: u64, total: u64) -> KeyRange {
    let space: u128 = 1 << 64;
    let first = (segment as u128 * space / total as u128) as u64;
    let end = (segment as u128 + 1) * space / total as u128;
    let last = (end - 1) as u64;
    KeyRange::hashes(first, last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::ordered_range;
    use crate::types::{KeyValue, PrimaryKey};
    use std::collections::BTreeMap;

    #[test]
    fn segments_tile_the_hash_space() {
        let mut map = BTreeMap::new();
        for i in 0..1000 {
            map.insert(PrimaryKey::new(KeyValue::S(format!("item-{i}")), None), i);
        }
        for total in [1u64, 2, 3, 7, 1000, 1_000_000] {
            let mut seen: Vec<i32> = Vec::new();
            let segments = if total > 50 { vec![0, 1, total / 2, total - 1] } else { (0..total).collect() };
            for segment in segments {
                seen.extend(ordered_range(&map, &segment_range(segment, total), true).map(|(_, v)| *v));
            }
            if total <= 50 {
                seen.sort();
                assert_eq!(seen, (0..1000).collect::<Vec<_>>(), "total {total}");
            }
        }
    }
}
