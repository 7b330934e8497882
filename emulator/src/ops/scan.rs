//! Scan: every item of the table or of an index in storage order (by
//! partition hash). A parallel scan's segment is a range of partition
//! hashes, so segments are disjoint and together cover everything.

use super::read::{answer_page, read_expressions, ReadHead, ReadKind, ReadRequest};
use crate::error::{ApiError, ApiResult};
use crate::input::{Input, Violations};
use crate::ops::Reply;
use crate::state::State;
use crate::storage::KeyRange;

pub const MAX_TOTAL_SEGMENTS: i64 = 1_000_000;

/// A Scan request, validated as far as it can be without the table.
pub struct ScanRequest<'a> {
    pub read: ReadRequest<'a>,
    /// `Segment` and `TotalSegments` of a parallel scan.
    pub segment: Option<(u64, u64)>,
}

impl<'a> ScanRequest<'a> {
    pub fn read(input: Input<'a>) -> ApiResult<ScanRequest<'a>> {
        let mut v = Violations::new();
        let head = ReadHead::read(&input, &mut v)?;
        let segment = input.int("Segment")?;
        let total_segments = input.int("TotalSegments")?;
        v.range("segment", segment, 0, Some(MAX_TOTAL_SEGMENTS - 1));
        v.range("totalSegments", total_segments, 1, Some(MAX_TOTAL_SEGMENTS));
        let consistent = input.bool("ConsistentRead")?.unwrap_or(false);
        let exclusive_start_key = input.item("ExclusiveStartKey")?;
        v.finish()?;
        // DynamoDB's words (dynalite's tests, asserted against DynamoDB); DynamoDB Local's differ.
        let segment = match (segment, total_segments) {
            (Some(segment), Some(total)) if segment >= total => {
                return Err(ApiError::validation(format!(
                    "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: {segment} is not less than TotalSegments: {total}"
                )))
            }
            (Some(segment), Some(total)) => Some((segment as u64, total as u64)),
            (Some(_), None) => {
                return Err(ApiError::validation(
                    "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
                ))
            }
            (None, Some(_)) => {
                return Err(ApiError::validation(
                    "The Segment parameter is required but was not present in the request when parameter TotalSegments is present",
                ))
            }
            (None, None) => None,
        };
        let (_, expressions) = read_expressions(&input, ReadKind::Scan, head.select())?;
        Ok(ScanRequest { read: head.complete(consistent, exclusive_start_key, expressions), segment })
    }

    /// The hashes the scan reads: its segment's share, or all of them.
    fn range(&self) -> KeyRange {
        match self.segment {
            Some((segment, total)) => segment_range(segment, total),
            None => KeyRange::hashes(0, u64::MAX),
        }
    }
}

pub fn scan(state: &State, input: Input) -> ApiResult<Reply> {
    let request = ScanRequest::read(input)?;
    let read = &request.read;
    let table = state.serving_table(read.table_name)?;
    let guard = table.inner.read();
    let target = read.target(&guard, state.clock.now_millis())?;
    let (options, start) = read.page_options(ReadKind::Scan, &target, state.page_time_budget())?;
    let range = request.range();
    if let Some((key, _)) = &start {
        if !range.contains(key) {
            // DynamoDB's wording (DynamoDB Local says "Exclusive start key must lie within the segment").
            let (segment, total) = request.segment.unwrap_or((0, 1));
            return Err(ApiError::validation(format!(
                "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: {total} Segment: {segment}"
            )));
        }
    }
    Ok(answer_page(&target, &options, &read.expressions, range, true, start.as_ref()))
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
