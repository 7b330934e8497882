//! The legacy (pre-expression) read parameters: `KeyConditions`,
//! `QueryFilter` / `ScanFilter` with `ConditionalOperator`, and
//! `AttributesToGet`. Conditions are `{attribute: {ComparisonOperator,
//! AttributeValueList}}` maps; filters are evaluated here with DynamoDB's
//! documented comparison rules.

use super::input::{Input, Violations};
use super::query::{KeyOp, KeyTerm};
use crate::error::{ApiError, ApiResult};
use crate::types::{AttributeValue, Item, KeyValue};
use std::cmp::Ordering;

/// One legacy condition on one attribute.
#[derive(Clone, Debug)]
pub struct Condition {
    pub name: String,
    pub op: String,
    pub values: Vec<AttributeValue>,
}

/// Reads a map of legacy conditions (`KeyConditions`, `QueryFilter`, `ScanFilter`).
pub fn conditions(input: &Input, field: &str) -> ApiResult<Option<Vec<Condition>>> {
    let Some(map) = input.object(field)? else { return Ok(None) };
    let mut out = Vec::new();
    for (name, raw) in map.fields() {
        let condition = Input::new(raw)?;
        let op = condition.str("ComparisonOperator")?;
        let values = match condition.list("AttributeValueList")? {
            Some(list) => list.iter().map(AttributeValue::from_json).collect::<ApiResult<Vec<_>>>()?,
            None => Vec::new(),
        };
        let mut v = Violations::new();
        v.not_null(&format!("{}.{name}.member.comparisonOperator", lower_first(field)), &op);
        v.finish()?;
        let op = op.unwrap_or_default().to_string();
        check_arity(&op, values.len())?;
        out.push(Condition { name: name.clone(), op, values });
    }
    Ok(Some(out))
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_ascii_lowercase().to_string() + chars.as_str()).unwrap_or_default()
}

/// Each operator takes a fixed number of values.
fn check_arity(op: &str, count: usize) -> ApiResult<()> {
    let ok = match op {
        "EQ" | "NE" | "LE" | "LT" | "GE" | "GT" | "CONTAINS" | "NOT_CONTAINS" | "BEGINS_WITH" => count == 1,
        "NULL" | "NOT_NULL" => count == 0,
        "BETWEEN" => count == 2,
        "IN" => count >= 1,
        _ => return Err(ApiError::validation("Comparison type does not exist in DynamoDB")),
    };
    if ok {
        Ok(())
    } else {
        Err(ApiError::validation(format!(
            "One or more parameter values were invalid: Invalid number of argument(s) for the {op} ComparisonOperator"
        )))
    }
}

/// `ConditionalOperator` (AND or OR) joining legacy filter conditions.
pub fn conditional_operator(input: &Input, v: &mut Violations) -> ApiResult<Option<&'static str>> {
    let op = input.str("ConditionalOperator")?;
    v.one_of("conditionalOperator", op, &["AND", "OR"]);
    Ok(match op {
        Some("OR") => Some("OR"),
        Some("AND") => Some("AND"),
        _ => None,
    })
}

/// `KeyConditions` as key terms; only indexable operators are allowed.
pub fn key_terms(conditions: Vec<Condition>) -> ApiResult<Vec<KeyTerm>> {
    conditions
        .into_iter()
        .map(|c| {
            let op = match c.op.as_str() {
                "EQ" => KeyOp::Eq,
                "LT" => KeyOp::Lt,
                "LE" => KeyOp::Le,
                "GT" => KeyOp::Gt,
                "GE" => KeyOp::Ge,
                "BETWEEN" => KeyOp::Between,
                "BEGINS_WITH" => KeyOp::BeginsWith,
                _ => {
                    return Err(ApiError::validation("Attempted conditional constraint is not an indexable operation"))
                }
            };
            Ok(KeyTerm { name: c.name, op, values: c.values })
        })
        .collect()
}

/// `AttributesToGet`: no duplicates.
pub fn attributes_to_get(names: Option<&[String]>) -> ApiResult<Option<Vec<String>>> {
    let Some(names) = names else { return Ok(None) };
    let mut sorted: Vec<&String> = names.iter().collect();
    sorted.sort();
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        return Err(ApiError::validation("Cannot have two attributes with the same name"));
    }
    Ok(Some(names.to_vec()))
}

/// A legacy filter: conditions joined by AND (default) or OR.
pub struct Filter {
    conditions: Vec<Condition>,
    any: bool,
}

/// Builds the filter of `QueryFilter` / `ScanFilter`, if given.
pub fn filter(conditions: Option<Vec<Condition>>, operator: Option<&str>) -> ApiResult<Option<Filter>> {
    match conditions {
        Some(conditions) if !conditions.is_empty() => Ok(Some(Filter { conditions, any: operator == Some("OR") })),
        _ => Ok(None),
    }
}

impl Filter {
    pub fn attributes(&self) -> impl Iterator<Item = &str> {
        self.conditions.iter().map(|c| c.name.as_str())
    }

    pub fn matches(&self, item: &Item) -> bool {
        let mut results = self.conditions.iter().map(|c| holds(c, item.get(&c.name)));
        if self.any {
            results.any(|r| r)
        } else {
            results.all(|r| r)
        }
    }
}

/// Whether one legacy condition holds for an attribute value (absent: `None`).
fn holds(c: &Condition, value: Option<&AttributeValue>) -> bool {
    let arg = c.values.first();
    match (c.op.as_str(), value) {
        ("NULL", v) => v.is_none(),
        ("NOT_NULL", v) => v.is_some(),
        ("NE", None) => true,
        (_, None) => false,
        ("EQ", Some(v)) => arg.is_some_and(|a| equal(v, a)),
        ("NE", Some(v)) => arg.is_some_and(|a| !equal(v, a)),
        ("LT", Some(v)) => arg.is_some_and(|a| compare(v, a) == Some(Ordering::Less)),
        ("LE", Some(v)) => arg.is_some_and(|a| matches!(compare(v, a), Some(Ordering::Less | Ordering::Equal))),
        ("GT", Some(v)) => arg.is_some_and(|a| compare(v, a) == Some(Ordering::Greater)),
        ("GE", Some(v)) => arg.is_some_and(|a| matches!(compare(v, a), Some(Ordering::Greater | Ordering::Equal))),
        ("BETWEEN", Some(v)) => match (c.values.first(), c.values.get(1)) {
            (Some(lo), Some(hi)) => {
                matches!(compare(v, lo), Some(Ordering::Greater | Ordering::Equal))
                    && matches!(compare(v, hi), Some(Ordering::Less | Ordering::Equal))
            }
            _ => false,
        },
        ("IN", Some(v)) => c.values.iter().any(|a| equal(v, a)),
        ("BEGINS_WITH", Some(v)) => match (v, arg) {
            (AttributeValue::S(s), Some(AttributeValue::S(p))) => s.starts_with(p.as_str()),
            (AttributeValue::B(b), Some(AttributeValue::B(p))) => b.starts_with(p),
            _ => false,
        },
        ("CONTAINS", Some(v)) => arg.is_some_and(|a| contains(v, a) == Some(true)),
        ("NOT_CONTAINS", Some(v)) => arg.is_some_and(|a| contains(v, a) == Some(false)),
        _ => false,
    }
}

/// Equality as DynamoDB defines it: numbers by value, sets regardless of order.
fn equal(a: &AttributeValue, b: &AttributeValue) -> bool {
    use AttributeValue as V;
    match (a, b) {
        (V::SS(x), V::SS(y)) => same_set(x, y),
        (V::NS(x), V::NS(y)) => same_set(x, y),
        (V::BS(x), V::BS(y)) => same_set(x, y),
        (V::L(x), V::L(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q)),
        (V::M(x), V::M(y)) => x.len() == y.len() && x.iter().all(|(k, p)| y.get(k).is_some_and(|q| equal(p, q))),
        _ => a == b,
    }
}

fn same_set<T: PartialEq>(x: &[T], y: &[T]) -> bool {
    x.len() == y.len() && x.iter().all(|e| y.contains(e))
}

/// Ordering of two scalars of the same type (S, N or B); `None` otherwise.
fn compare(a: &AttributeValue, b: &AttributeValue) -> Option<Ordering> {
    let (a, b) = (KeyValue::from_attribute(a)?, KeyValue::from_attribute(b)?);
    (a.scalar_type() == b.scalar_type()).then(|| a.cmp(&b))
}

/// CONTAINS: substring of a string, subsequence of binary, member of a set or
/// list. `None` when the attribute's type cannot contain the argument.
fn contains(value: &AttributeValue, arg: &AttributeValue) -> Option<bool> {
    use AttributeValue as V;
    Some(match (value, arg) {
        (V::S(s), V::S(sub)) => s.contains(sub.as_str()),
        (V::B(b), V::B(sub)) => sub.is_empty() || b.windows(sub.len()).any(|w| w == sub.as_slice()),
        (V::SS(set), V::S(e)) => set.contains(e),
        (V::NS(set), V::N(e)) => set.contains(e),
        (V::BS(set), V::B(e)) => set.contains(e),
        (V::L(list), e) => list.iter().any(|x| equal(x, e)),
        _ => return None,
    })
}
