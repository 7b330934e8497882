//! KeyConditionExpression: a checked condition narrowed to what Query
//! accepts (`=` on the partition key; `= < <= > >=`, BETWEEN or
//! begins_with on the sort key), with DynamoDB's messages. On a
//! multi-attribute index key: `=` on every partition attribute, then `=` on
//! the first sort attributes and any one condition on the next.

use super::ast::{Comparator, Condition, DocPath, Operand, PathElement};
use crate::error::{ApiError, ApiResult};
use crate::types::{AttributeValue, KeyAttribute, KeySchema, KeyValue, ScalarType};

/// What a Query asks of the sort key.
#[derive(Clone, Debug, PartialEq)]
pub enum SortCondition {
    Eq(KeyValue),
    Lt(KeyValue),
    Le(KeyValue),
    Gt(KeyValue),
    Ge(KeyValue),
    Between(KeyValue, KeyValue),
    BeginsWith(KeyValue),
}

impl SortCondition {
    /// Whether a sort key value satisfies the condition.
    #[cfg(test)]
    pub fn matches(&self, value: &KeyValue) -> bool {
        match self {
            SortCondition::Eq(v) => value == v,
            SortCondition::Lt(v) => value < v,
            SortCondition::Le(v) => value <= v,
            SortCondition::Gt(v) => value > v,
            SortCondition::Ge(v) => value >= v,
            SortCondition::Between(lo, hi) => value >= lo && value <= hi,
            SortCondition::BeginsWith(prefix) => match (value, prefix) {
                (KeyValue::S(s), KeyValue::S(p)) => s.starts_with(p.as_str()),
                (KeyValue::B(s), KeyValue::B(p)) => s.starts_with(p),
                _ => false,
            },
        }
    }
}

/// A Query's key condition, typed against the key schema it targets.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyCondition {
    /// Every partition attribute's value, in key schema order.
    pub partition: Vec<KeyValue>,
    /// Equality on the first sort attributes (only on a multi-attribute key).
    pub sort_prefix: Vec<KeyValue>,
    /// The condition on the next sort attribute.
    pub sort: Option<SortCondition>,
}

impl KeyCondition {
    /// A single-attribute partition key and what is asked of the sort key.
    pub fn simple(partition: KeyValue, sort: Option<SortCondition>) -> KeyCondition {
        KeyCondition { partition: vec![partition], sort_prefix: Vec::new(), sort }
    }
}

fn invalid(message: &str) -> ApiError {
    ApiError::validation(message)
}

/// One comparison of the expression, normalised to `key OP values`.
struct Leaf<'a> {
    path: &'a DocPath,
    op: LeafOp,
    values: Vec<&'a AttributeValue>,
}

#[derive(Clone, Copy, PartialEq)]
enum LeafOp {
    Cmp(Comparator),
    Between,
    BeginsWith,
}

fn flip(op: Comparator) -> Comparator {
    match op {
        Comparator::Lt => Comparator::Gt,
        Comparator::Le => Comparator::Ge,
        Comparator::Gt => Comparator::Lt,
        Comparator::Ge => Comparator::Le,
        other => other,
    }
}

fn value_of(operand: &Operand) -> ApiResult<Option<&AttributeValue>> {
    match operand {
        Operand::Value(v) => Ok(Some(v)),
        Operand::Path(_) => Ok(None),
        Operand::Size(_) => Err(invalid("KeyConditionExpressions cannot contain nested operations")),
    }
}

fn leaves<'a>(condition: &'a Condition, out: &mut Vec<Leaf<'a>>) -> ApiResult<()> {
    let operator_error = |name: &str| invalid(&format!("Invalid operator used in KeyConditionExpression: {name}"));
    match condition {
        Condition::And(all) => {
            for c in all {
                // Nested ANDs come from parentheses; they are at most 100 deep.
                leaves(c, out)?;
            }
        }
        Condition::Or(_) => return Err(operator_error("OR")),
        Condition::Not(_) => return Err(operator_error("NOT")),
        Condition::In(..) => return Err(operator_error("IN")),
        Condition::AttributeExists(_) => return Err(operator_error("attribute_exists")),
        Condition::AttributeNotExists(_) => return Err(operator_error("attribute_not_exists")),
        Condition::AttributeType(..) => return Err(operator_error("attribute_type")),
        Condition::Contains(..) => return Err(operator_error("contains")),
        Condition::Compare(l, op, r) => {
            if *op == Comparator::Ne {
                return Err(operator_error("<>"));
            }
            let (lv, rv) = (value_of(l)?, value_of(r)?);
            let leaf = match (l, r, lv, rv) {
                (Operand::Path(p), _, None, Some(v)) => Leaf { path: p, op: LeafOp::Cmp(*op), values: vec![v] },
                (_, Operand::Path(p), Some(v), None) => Leaf { path: p, op: LeafOp::Cmp(flip(*op)), values: vec![v] },
                (_, _, None, None) => {
                    return Err(invalid(
                        "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
                    ))
                }
                _ => return Err(invalid("Invalid condition in KeyConditionExpression: No key attribute specified")),
            };
            out.push(leaf);
        }
        Condition::Between(a, lo, hi) => {
            let (lo, hi) = (value_of(lo)?, value_of(hi)?);
            let Operand::Path(p) = a else {
                value_of(a)?;
                return Err(invalid("Invalid condition in KeyConditionExpression: No key attribute specified"));
            };
            let (Some(lo), Some(hi)) = (lo, hi) else {
                return Err(invalid(
                    "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
                ));
            };
            out.push(Leaf { path: p, op: LeafOp::Between, values: vec![lo, hi] });
        }
        Condition::BeginsWith(a, prefix) => {
            let prefix = value_of(prefix)?;
            let Operand::Path(p) = a else {
                value_of(a)?;
                return Err(invalid(
                    "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand",
                ));
            };
            let Some(prefix) = prefix else {
                return Err(invalid(
                    "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
                ));
            };
            out.push(Leaf { path: p, op: LeafOp::BeginsWith, values: vec![prefix] });
        }
    }
    Ok(())
}

/// The key attribute a condition names; `what` is how DynamoDB names it in
/// the message for a nested path (`Key`, or `IndexKey` on a multi-attribute key).
fn key_name<'a>(path: &'a DocPath, what: &str) -> ApiResult<&'a str> {
    match path.0.as_slice() {
        [PathElement::Attribute(name)] => Ok(name),
        _ => Err(invalid(&format!(
            "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: {what}: {}",
            path.top()
        ))),
    }
}

fn typed(value: &AttributeValue, kind: crate::types::ScalarType) -> ApiResult<KeyValue> {
    KeyValue::from_attribute(value).filter(|k| k.scalar_type() == kind).ok_or_else(|| {
        invalid("One or more parameter values were invalid: Condition parameter type does not match schema type")
    })
}

/// Narrows a parsed KeyConditionExpression to the key schema of the table
/// or index being queried.
pub fn key_condition(condition: &Condition, schema: &KeySchema) -> ApiResult<KeyCondition> {
    let mut found = Vec::new();
    leaves(condition, &mut found)?;
    if schema.is_composite() {
        return composite_key_condition(&found, schema);
    }
    let mut partition: Option<&Leaf> = None;
    let mut sort: Option<&Leaf> = None;
    for leaf in &found {
        let name = key_name(leaf.path, "Key")?;
        if name == schema.partition.name {
            if partition.is_some() {
                return Err(invalid("KeyConditionExpressions must only contain one condition per key"));
            }
            if leaf.op != LeafOp::Cmp(Comparator::Eq) {
                return Err(invalid("Query key condition not supported"));
            }
            partition = Some(leaf);
        } else if schema.sort.as_ref().is_some_and(|s| s.name == name) {
            if sort.is_some() {
                return Err(invalid("KeyConditionExpressions must only contain one condition per key"));
            }
            sort = Some(leaf);
        } else if schema.sort.is_some() {
            return Err(invalid("Query condition missed key schema element"));
        } else {
            return Err(invalid("Query key condition not supported"));
        }
    }
    let Some(partition) = partition else {
        return Err(invalid("Query condition missed key schema element"));
    };
    let partition = typed(partition.values[0], schema.partition.kind)?;
    let sort = match (sort, &schema.sort) {
        (Some(leaf), Some(attr)) => Some(sort_condition(leaf, attr)?),
        _ => None,
    };
    Ok(KeyCondition::simple(partition, sort))
}

/// What a condition asks of a sort attribute.
fn sort_condition(leaf: &Leaf, attr: &KeyAttribute) -> ApiResult<SortCondition> {
    let values = leaf.values.iter().map(|v| typed(v, attr.kind)).collect::<ApiResult<Vec<_>>>()?;
    let mut values = values.into_iter();
    let mut next = || values.next().ok_or_else(|| invalid("Query key condition not supported"));
    Ok(match leaf.op {
        LeafOp::Cmp(Comparator::Eq) => SortCondition::Eq(next()?),
        LeafOp::Cmp(Comparator::Lt) => SortCondition::Lt(next()?),
        LeafOp::Cmp(Comparator::Le) => SortCondition::Le(next()?),
        LeafOp::Cmp(Comparator::Gt) => SortCondition::Gt(next()?),
        LeafOp::Cmp(Comparator::Ge) => SortCondition::Ge(next()?),
        LeafOp::Cmp(Comparator::Ne) => return Err(invalid("Invalid operator used in KeyConditionExpression: <>")),
        LeafOp::Between => SortCondition::Between(next()?, next()?),
        LeafOp::BeginsWith => {
            if attr.kind == ScalarType::N {
                return Err(invalid(
                    "One or more parameter values were invalid: Condition parameter type does not match schema type",
                ));
            }
            SortCondition::BeginsWith(next()?)
        }
    })
}

/// A key condition on a multi-attribute key, checked in DynamoDB Local
/// 3.3's order: equality on every partition attribute, their types, the
/// sort attributes left to right (every one before the last one with a
/// condition needs equality), a condition on a non-key attribute, then the
/// sort values' types.
fn composite_key_condition(found: &[Leaf], schema: &KeySchema) -> ApiResult<KeyCondition> {
    let attrs: Vec<&KeyAttribute> = schema.attributes().collect();
    let hash_count = schema.partition_attributes().count();
    let mut by_attr: Vec<Option<&Leaf>> = vec![None; attrs.len()];
    let mut names_other = false;
    for leaf in found {
        let name = key_name(leaf.path, "IndexKey")?;
        match attrs.iter().position(|a| a.name == name) {
            Some(i) if by_attr[i].is_some() => {
                return Err(invalid("KeyConditionExpressions must only contain one condition per key"))
            }
            Some(i) => by_attr[i] = Some(leaf),
            None => names_other = true,
        }
    }
    let is_eq = |i: usize| by_attr[i].is_some_and(|leaf| leaf.op == LeafOp::Cmp(Comparator::Eq));
    let names = |range: std::ops::Range<usize>| -> Vec<&str> {
        range.filter(|&i| !is_eq(i)).map(|i| attrs[i].name.as_str()).collect()
    };
    let missing = names(0..hash_count);
    if !missing.is_empty() {
        return Err(invalid(&format!(
            "HASH key attributes {} must have equality conditions specified in the query",
            missing.join(", ")
        )));
    }
    let partition = (0..hash_count)
        .map(|i| typed(by_attr[i].expect("checked: equality on every partition attribute").values[0], attrs[i].kind))
        .collect::<ApiResult<Vec<_>>>()?;
    let last = (hash_count..attrs.len()).rev().find(|&i| by_attr[i].is_some());
    if let Some(last) = last {
        let missing = names(hash_count..last);
        if !missing.is_empty() {
            return Err(invalid(&format!(
                "RANGE key attributes {} must have equality conditions specified in the query because a condition is present on key attribute {}",
                missing.join(", "),
                attrs[last].name
            )));
        }
    }
    if names_other {
        return Err(invalid("Query condition missed key schema element"));
    }
    let mut sort_prefix = Vec::new();
    let mut sort = None;
    if let Some(last) = last {
        for i in hash_count..last {
            let leaf = by_attr[i].expect("checked: equality on every sort attribute before the last");
            sort_prefix.push(typed(leaf.values[0], attrs[i].kind)?);
        }
        let leaf = by_attr[last].expect("the last sort attribute with a condition");
        sort = Some(sort_condition(leaf, attrs[last])?);
    }
    Ok(KeyCondition { partition, sort_prefix, sort })
}
