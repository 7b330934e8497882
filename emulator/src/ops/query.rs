//! Query: one partition of the table or of an index, read as a key range
//! (O(log n) to find the start, then one step per item), in sort-key order
//! or reverse. Paging, Select and projection are shared with Scan in `read`.

use super::read::{answer_page, read_expressions, ReadHead, ReadKind, ReadRequest, Target};
use crate::error::{ApiError, ApiResult};
use crate::expr::keycond::{key_condition, KeyCondition, SortCondition};
use crate::expr::Condition;
use crate::input::{Input, Violations};
use crate::ops::Reply;
use crate::state::State;
use crate::storage::KeyRange;
use crate::types::KeyValue;
use std::ops::Bound;

/// A Query request, validated as far as it can be without the table.
pub struct QueryRequest<'a> {
    pub read: ReadRequest<'a>,
    /// `KeyConditionExpression` or `KeyConditions`, narrowed to the key
    /// schema once the target is known.
    pub key_condition: Condition,
    /// `ScanIndexForward`: sort-key order, or reverse.
    pub forward: bool,
}

impl<'a> QueryRequest<'a> {
    pub fn read(input: Input<'a>) -> ApiResult<QueryRequest<'a>> {
        let mut v = Violations::new();
        let head = ReadHead::read(&input, &mut v)?;
        let consistent = input.bool("ConsistentRead")?.unwrap_or(false);
        let forward = input.bool("ScanIndexForward")?.unwrap_or(true);
        let exclusive_start_key = input.item("ExclusiveStartKey")?;
        v.finish()?;
        check_count_without_projection(&input, head.select())?;
        let (key_condition, expressions) = read_expressions(&input, ReadKind::Query, head.select())?;
        let Some(key_condition) = key_condition else {
            return Err(ApiError::validation(
                "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
            ));
        };
        let read = head.complete(consistent, exclusive_start_key, expressions);
        Ok(QueryRequest { read, key_condition, forward })
    }

    /// A Query's filter may not name the key attributes it reads by, and on
    /// an index only attributes the index holds (even on an LSI, which
    /// could fetch the others).
    fn check_filter(&self, target: &Target) -> ApiResult<()> {
        let expressions = &self.read.expressions;
        if let Some(filter) = &expressions.filter {
            let schema = target.key_schema();
            if let Some(key) = filter.paths().into_iter().map(|p| p.top()).find(|a| schema.is_key_attribute(a)) {
                let what = match expressions.filter_param {
                    "FilterExpression" => "Filter Expression",
                    other => other,
                };
                return Err(ApiError::validation(format!(
                    "{what} can only contain non-primary key attributes: Primary key attribute: {key}"
                )));
            }
        }
        let Some((index, _)) = target.index else { return Ok(()) };
        let mut missing: Vec<&str> = Vec::new();
        for attr in expressions.filtered_attributes() {
            if !index.projects(attr) && !missing.contains(&attr) {
                missing.push(attr);
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        // Sorted by name, as DynamoDB Local lists them.
        missing.sort_unstable();
        Err(ApiError::validation(format!(
            "One or more parameter values were invalid: Secondary index {} does not project one or more filter attributes: [{}]",
            index.name,
            missing.join(", ")
        )))
    }
}

pub fn query(state: &State, input: Input) -> ApiResult<Reply> {
    let request = QueryRequest::read(input)?;
    let read = &request.read;
    let table = state.serving_table(read.table_name)?;
    let guard = table.inner.read();
    let target = read.target(&guard, state.clock.now_millis())?;
    // The key condition narrowed to the target's key schema: one partition, a range of sort keys.
    let range = key_range(key_condition(&request.key_condition, target.key_schema())?)?;
    request.check_filter(&target)?;
    let (options, start) = read.page_options(ReadKind::Query, &target, state.page_time_budget())?;
    if let Some((key, _)) = &start {
        // Outside the partition, or outside the range the key condition reads.
        if !range.contains(key) {
            return Err(ApiError::validation("The provided starting key does not match the range key predicate"));
        }
    }
    Ok(answer_page(&target, &options, &read.expressions, range, request.forward, start.as_ref()))
}

/// A Query asking only for the Count cannot also name attributes: refused
/// with the request's validation, before the table is looked up, in
/// DynamoDB's words for Query (with the "1 validation error detected: "
/// prefix, which Scan's does not carry: ExtendDB's `validation_wording` tests,
/// verified against DynamoDB in us-east-1). DynamoDB Local checks it after the
/// table and the index's projection, without the prefix (listed difference
/// `query-count-with-projection`).
fn check_count_without_projection(input: &Input, select: Option<crate::input::Select>) -> ApiResult<()> {
    if select != Some(crate::input::Select::Count) {
        return Ok(());
    }
    let param = if input.has("ProjectionExpression") {
        "ProjectionExpression"
    } else if input.strings("AttributesToGet")?.is_some_and(|names| !names.is_empty()) {
        "AttributesToGet"
    } else {
        return Ok(());
    };
    Err(ApiError::validation(format!(
        "1 validation error detected: Cannot specify the {param} when choosing to get only the Count"
    )))
}

/// Turns a key condition (already narrowed to the key schema read) into the
/// key range to read: one partition's.
pub fn key_range(condition: KeyCondition) -> ApiResult<KeyRange> {
    let (lower, upper) = match condition.sort {
        None => (Bound::Unbounded, Bound::Unbounded),
        Some(SortCondition::Eq(v)) => (Bound::Included(v.clone()), Bound::Included(v)),
        Some(SortCondition::Lt(v)) => (Bound::Unbounded, Bound::Excluded(v)),
        Some(SortCondition::Le(v)) => (Bound::Unbounded, Bound::Included(v)),
        Some(SortCondition::Gt(v)) => (Bound::Excluded(v), Bound::Unbounded),
        Some(SortCondition::Ge(v)) => (Bound::Included(v), Bound::Unbounded),
        Some(SortCondition::Between(low, high)) => {
            if low > high {
                return Err(ApiError::validation(
                    "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound",
                ));
            }
            (Bound::Included(low), Bound::Included(high))
        }
        Some(SortCondition::BeginsWith(prefix)) => {
            let upper = prefix_successor(&prefix).map_or(Bound::Unbounded, Bound::Excluded);
            (Bound::Included(prefix), upper)
        }
    };
    Ok(KeyRange::within(&condition.partition, &condition.sort_prefix, lower, upper))
}

/// The smallest value greater than every value starting with `prefix`, if any.
fn prefix_successor(prefix: &KeyValue) -> Option<KeyValue> {
    match prefix {
        KeyValue::S(s) => {
            let mut chars: Vec<char> = s.chars().collect();
            while let Some(last) = chars.pop() {
                // The next code point (skipping surrogates); strings compare by code point.
                let next = (last as u32 + 1..=char::MAX as u32).find_map(char::from_u32);
                if let Some(next) = next {
                    chars.push(next);
                    return Some(KeyValue::S(chars.into_iter().collect()));
                }
            }
            None
        }
        KeyValue::B(b) => {
            let mut bytes = b.clone();
            while let Some(last) = bytes.pop() {
                if last < u8::MAX {
                    bytes.push(last + 1);
                    return Some(KeyValue::B(bytes));
                }
            }
            None
        }
        KeyValue::N(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_successors_bound_every_extension() {
        let s = |v: &str| KeyValue::S(v.to_string());
        assert_eq!(prefix_successor(&s("ab")), Some(s("ac")));
        assert_eq!(prefix_successor(&s("a\u{10FFFF}")), Some(s("b")));
        assert_eq!(prefix_successor(&s("\u{D7FF}")), Some(s("\u{E000}")));
        assert_eq!(prefix_successor(&KeyValue::B(vec![1, 255])), Some(KeyValue::B(vec![2])));
        assert_eq!(prefix_successor(&KeyValue::B(vec![255])), None);
        assert!(s("ab\u{10FFFF}\u{10FFFF}") < prefix_successor(&s("ab")).unwrap());
    }
}
