//! Query: one partition of the table or of an index, read as a key range
//! (O(log n) to find the start, then one step per item), in sort-key order
//! or reverse. Paging, Select and projection are shared with Scan in `read`.

use super::read::{
    page_response, read_expressions, read_page, resolve_select, select_and_limit, start_key, Operation, ReadOptions,
    Target,
};
use crate::error::{ApiError, ApiResult};
use crate::expr::keycond::{key_condition, KeyCondition, SortCondition};
use crate::input::{return_consumed_capacity, Input, Violations};
use crate::ops::Reply;
use crate::state::State;
use crate::storage::{ordered_range, KeyRange, StoredItem};
use crate::types::KeyValue;
use std::ops::Bound;

pub fn query(state: &State, input: Input) -> ApiResult<Reply> {
    let mut v = Violations::new();
    let name = input.str("TableName")?;
    v.table_name("tableName", name);
    let index_name = input.str("IndexName")?;
    if let Some(index) = index_name {
        v.name_rules("indexName", index, 3, 255);
    }
    let (select, limit) = select_and_limit(&input, &mut v)?;
    let capacity = return_consumed_capacity(&input, &mut v)?;
    let consistent = input.bool("ConsistentRead")?.unwrap_or(false);
    let forward = input.bool("ScanIndexForward")?.unwrap_or(true);
    let esk = input.item("ExclusiveStartKey")?;
    v.finish()?;
    let expressions = read_expressions(&input, Operation::Query)?;
    let Some(condition) = &expressions.key_condition else {
        return Err(ApiError::validation(
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
        ));
    };

    let table = state.serving_table(name.unwrap_or_default())?;
    let guard = table.inner.read();
    let target = Target::resolve(&guard, index_name, state.clock.now_millis())?;
    if consistent && target.is_global_index() {
        return Err(ApiError::validation("Consistent reads are not supported on global secondary indexes"));
    }
    let (partition, range) = key_range(key_condition(condition, target.key_schema())?)?;
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
    // Query filters only on what the index holds (even an LSI, which could fetch).
    if let Some((index, _)) = target.index {
        let mut missing: Vec<String> = Vec::new();
        for attr in expressions.filtered_attributes() {
            if !index.projects(&attr) && !missing.contains(&attr) {
                missing.push(attr);
            }
        }
        if !missing.is_empty() {
            return Err(ApiError::validation(format!(
                "One or more parameter values were invalid: Secondary index {} does not project one or more filter attributes: [{}]",
                index.name,
                missing.join(", ")
            )));
        }
    }
    let projected = expressions.projected_attributes();
    let (select, fetch_from_table) =
        resolve_select(select, expressions.projection_param, &projected, &expressions.filtered_attributes(), &target)?;
    let start = esk.map(|esk| start_key(Operation::Query, &target, &esk)).transpose()?;
    if let Some((key, _)) = &start {
        if key.partition() != partition {
            return Err(ApiError::validation("The provided starting key does not match the range key predicate"));
        }
    }
    let options = ReadOptions { select, limit: limit.map(|l| l as usize), consistent, capacity, fetch_from_table };
    let items = &guard.data.items;
    let candidates: Box<dyn Iterator<Item = &StoredItem> + '_> = match target.index {
        Some((index, _)) => {
            Box::new(index.range(&range, forward, start.as_ref().map(|(i, t)| (i, t))).map(|(_, item)| item))
        }
        None => {
            let range = match &start {
                Some((key, _)) => range.after(key, forward),
                None => range,
            };
            Box::new(ordered_range(items, &range, forward).map(|(_, item)| item))
        }
    };
    let page = read_page(&target, &options, candidates, &expressions);
    Ok(page_response(&target, &options, page))
}

/// Turns a key condition (already narrowed to the key schema read) into the
/// partition and the key range to read.
pub fn key_range(condition: KeyCondition) -> ApiResult<(KeyValue, KeyRange)> {
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
    let range = KeyRange::partition(&condition.partition, lower, upper);
    Ok((condition.partition, range))
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
