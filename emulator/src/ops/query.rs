//! Query: one partition of the table or of an index, read as a key range
//! (O(log n) to find the start, then one step per item), in sort-key order
//! or reverse. Paging, Select and projection are shared with Scan in `read`.

use super::input::{return_consumed_capacity, Input, Violations};
use super::items::table;
use super::legacy;
use super::read::{
    keep_attributes, page_response, read_page, resolve_select, select_and_limit, start_key, Operation, ReadOptions,
    Target,
};
use crate::error::{ApiError, ApiResult};
use crate::state::State;
use crate::storage::{ordered_range, KeyRange};
use crate::types::{AttributeValue, Item, KeySchema, KeyValue, ScalarType};
use serde_json::Value;
use std::ops::Bound;

/// A comparison on one key attribute, the form both `KeyConditions` and
/// `KeyConditionExpression` are lowered to.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyTerm {
    pub name: String,
    pub op: KeyOp,
    pub values: Vec<AttributeValue>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyOp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
    Between,
    BeginsWith,
}

pub fn query(state: &State, input: Input) -> ApiResult<Value> {
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
    let attributes_to_get = input.strings("AttributesToGet")?.filter(|a| !a.is_empty());
    let key_conditions = legacy::conditions(&input, "KeyConditions")?;
    let query_filter = legacy::conditions(&input, "QueryFilter")?;
    let conditional_operator = legacy::conditional_operator(&input, &mut v)?;
    v.finish()?;

    let key_terms = match key_conditions {
        Some(conditions) => legacy::key_terms(conditions)?,
        None => {
            return Err(ApiError::validation(
                "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
            ))
        }
    };
    let projected = legacy::attributes_to_get(attributes_to_get.as_deref())?;
    let filter = legacy::filter(query_filter, conditional_operator)?;

    let table = table(state, name)?;
    let guard = table.inner.read();
    let target = Target::resolve(&guard, index_name)?;
    if consistent && target.is_global_index() {
        return Err(ApiError::validation("Consistent reads are not supported on global secondary indexes"));
    }
    let (partition, range) = key_range(target.key_schema(), key_terms)?;
    if let Some(filter) = &filter {
        if let Some(key) = filter.attributes().find(|a| target.is_key_attribute(a)) {
            return Err(ApiError::validation(format!(
                "QueryFilter can only contain non-primary key attributes: Primary key attribute: {key}"
            )));
        }
    }
    let projection_param = projected.as_ref().map(|_| "AttributesToGet");
    let names = projected.clone().unwrap_or_default();
    let (select, fetch_from_table) = resolve_select(Operation::Query, select, projection_param, &names, &target)?;
    let start = esk.map(|esk| start_key(&target, &esk)).transpose()?;
    if let Some((key, _)) = &start {
        if key.partition != partition {
            return Err(ApiError::validation("The provided starting key does not match the range key predicate"));
        }
    }
    let options = ReadOptions { select, limit: limit.map(|l| l as usize), consistent, capacity, fetch_from_table };
    let items = &guard.data.items;
    let candidates: Box<dyn Iterator<Item = &Item>> = match target.index {
        Some((index, _)) => Box::new(
            index
                .range(&range, forward, start.as_ref().map(|(i, t)| (i, t)))
                .filter_map(|(_, table_key)| items.get(table_key)),
        ),
        None => {
            let range = match &start {
                Some((key, _)) => range.after(key, forward),
                None => range,
            };
            Box::new(ordered_range(items, &range, forward).map(|(_, item)| item))
        }
    };
    let keep = |item: &Item| filter.as_ref().is_none_or(|f| f.matches(item));
    let project = |item: &Item| match &projected {
        Some(names) => keep_attributes(item, names),
        None => item.clone(),
    };
    let page = read_page(&target, &options, candidates, &keep, &project);
    Ok(page_response(&target, &options, page))
}

/// Checks key terms against the key schema read and turns them into the
/// partition and the key range to read.
pub fn key_range(schema: &KeySchema, terms: Vec<KeyTerm>) -> ApiResult<(KeyValue, KeyRange)> {
    let missed = |name: &str| ApiError::validation(format!("Query condition missed key schema element: {name}"));
    let mut partition: Option<KeyValue> = None;
    let mut sort: Option<(KeyOp, Vec<KeyValue>)> = None;
    for term in terms {
        let attr = schema.attributes().find(|a| a.name == term.name);
        let Some(attr) = attr else {
            return Err(missed(schema.sort.as_ref().map_or(&schema.partition.name, |s| &s.name)));
        };
        let values = term
            .values
            .iter()
            .map(|v| KeyValue::from_attribute(v).filter(|k| k.scalar_type() == attr.kind))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                ApiError::validation(
                    "One or more parameter values were invalid: Condition parameter type does not match schema type",
                )
            })?;
        if attr.name == schema.partition.name {
            if term.op != KeyOp::Eq {
                return Err(ApiError::validation("Query key condition not supported"));
            }
            partition = values.into_iter().next();
        } else {
            if term.op == KeyOp::BeginsWith && attr.kind == ScalarType::N {
                return Err(ApiError::validation(
                    "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type",
                ));
            }
            if term.op == KeyOp::Between && values.len() == 2 && values[0] > values[1] {
                return Err(ApiError::validation(
                    "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound",
                ));
            }
            sort = Some((term.op, values));
        }
    }
    let Some(partition) = partition else { return Err(missed(&schema.partition.name)) };
    let (lower, upper) = match sort {
        None => (Bound::Unbounded, Bound::Unbounded),
        Some((op, mut values)) => {
            let second = if values.len() > 1 { values.pop() } else { None };
            let Some(first) = values.pop() else { return Err(missed(&schema.partition.name)) };
            match op {
                KeyOp::Eq => (Bound::Included(first.clone()), Bound::Included(first)),
                KeyOp::Lt => (Bound::Unbounded, Bound::Excluded(first)),
                KeyOp::Le => (Bound::Unbounded, Bound::Included(first)),
                KeyOp::Gt => (Bound::Excluded(first), Bound::Unbounded),
                KeyOp::Ge => (Bound::Included(first), Bound::Unbounded),
                KeyOp::Between => {
                    let upper = second.unwrap_or_else(|| first.clone());
                    (Bound::Included(first), Bound::Included(upper))
                }
                KeyOp::BeginsWith => {
                    let upper = prefix_successor(&first).map_or(Bound::Unbounded, Bound::Excluded);
                    (Bound::Included(first), upper)
                }
            }
        }
    };
    Ok((partition.clone(), KeyRange::partition(&partition, lower, upper)))
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
