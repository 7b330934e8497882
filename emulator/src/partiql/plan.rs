//! How a statement reaches its items, decided from its WHERE clause and the
//! key schema it reads, as DynamoDB decides it:
//! - a write (UPDATE, DELETE) and every read of a batch or transaction names
//!   one item: an equality on every key attribute ([`item_key`]);
//! - a SELECT that binds the partition key with `=` (or `IN`, or `OR`ed
//!   equalities) reads those partitions as a Query does, narrowed by a
//!   condition on the sort key ([`read_plan`]); anything else is a Scan.
//!
//! The whole WHERE clause is still evaluated on every item read, so the key
//! range only narrows what is read, never changes the answer.

use super::ast::{CompareOp, Expr, PathStep};
use super::lower::{conjuncts, equality, Lowering};
use crate::error::{ApiError, ApiResult};
use crate::expr::ast::Condition;
use crate::expr::keycond::SortCondition;
use crate::types::{AttributeValue, Item, KeyAttribute, KeySchema, KeyValue};

fn key_type_mismatch(attr: &KeyAttribute) -> ApiError {
    ApiError::validation(format!(
        "Key attribute's data type should match its data type in table's schema: Key {}",
        attr.name
    ))
}

/// A key attribute's value from a constant, checked against its type.
fn key_value(attr: &KeyAttribute, value: &AttributeValue) -> ApiResult<KeyValue> {
    KeyValue::from_attribute(value).filter(|k| k.scalar_type() == attr.kind).ok_or_else(|| key_type_mismatch(attr))
}

/// The one item a write names: the key (as an item) and the rest of the
/// WHERE clause as its condition.
pub fn item_key(
    filter: Option<&Expr>,
    schema: &KeySchema,
    lowering: &Lowering,
) -> ApiResult<(Item, Option<Condition>)> {
    let not_full_key =
        || ApiError::validation("Where clause does not contain a mandatory equality on all key attributes");
    let Some(filter) = filter else { return Err(not_full_key()) };
    let mut key = Item::new();
    let mut rest = Vec::new();
    for part in conjuncts(filter) {
        match equality(part).filter(|(name, _)| schema.is_key_attribute(name)) {
            Some((name, value)) => {
                let Some(value) = lowering.constant(value)? else { return Err(not_full_key()) };
                if key.insert(name.to_string(), value).is_some() {
                    return Err(ApiError::validation(format!(
                        "Multiple conditions on same key {name}. Only single item Update/Insert/Delete are supported"
                    )));
                }
            }
            None => rest.push(part),
        }
    }
    for attr in schema.attributes() {
        let value = key.get(&attr.name).ok_or_else(not_full_key)?;
        key_value(attr, value)?;
    }
    let condition = match rest.as_slice() {
        [] => None,
        [one] => Some(lowering.condition(one)?),
        many => Some(Condition::And(many.iter().map(|e| lowering.condition(e)).collect::<ApiResult<_>>()?)),
    };
    Ok((key, condition))
}

/// How a SELECT reads its target (the table or an index).
pub struct ReadPlan {
    /// The partitions to read, in key order; empty: scan the whole target.
    pub partitions: Vec<KeyValue>,
    /// A range of sort keys within each partition.
    pub sort: Option<SortCondition>,
    /// The whole WHERE clause, evaluated on every item read.
    pub filter: Option<Condition>,
}

impl ReadPlan {
    pub fn is_scan(&self) -> bool {
        self.partitions.is_empty()
    }
}

/// Plans a SELECT over a target with key schema `schema`.
pub fn read_plan(filter: Option<&Expr>, schema: &KeySchema, lowering: &Lowering) -> ApiResult<ReadPlan> {
    let Some(filter) = filter else { return Ok(ReadPlan { partitions: Vec::new(), sort: None, filter: None }) };
    let condition = lowering.condition(filter)?;
    let parts = conjuncts(filter);
    let mut partitions = Vec::new();
    for part in &parts {
        if let Some(values) = partition_values(part, &schema.partition.name, lowering)? {
            partitions = values.iter().map(|v| key_value(&schema.partition, v)).collect::<ApiResult<Vec<_>>>()?;
            break;
        }
    }
    partitions.sort();
    partitions.dedup();
    let mut sort = None;
    if let (Some(attr), false) = (&schema.sort, partitions.is_empty()) {
        for part in &parts {
            if let Some(found) = sort_condition(part, attr, lowering)? {
                sort = Some(found);
                break;
            }
        }
    }
    Ok(ReadPlan { partitions, sort, filter: Some(condition) })
}

/// The partition key values one conjunct binds: `pk = v`, `pk IN [...]`,
/// or `pk = a OR pk = b ...`.
fn partition_values(part: &Expr, name: &str, lowering: &Lowering) -> ApiResult<Option<Vec<AttributeValue>>> {
    let constants = |exprs: Vec<&Expr>| -> ApiResult<Option<Vec<AttributeValue>>> {
        let mut out = Vec::with_capacity(exprs.len());
        for e in exprs {
            match lowering.constant(e)? {
                Some(v) => out.push(v),
                None => return Ok(None),
            }
        }
        Ok(Some(out))
    };
    match part {
        Expr::In { value, list, negated: false } if is_attribute(value, name) => constants(list.iter().collect()),
        Expr::Or(options) => {
            let mut values = Vec::with_capacity(options.len());
            for option in options {
                match equality(option) {
                    Some((n, v)) if n == name => values.push(v),
                    _ => return Ok(None),
                }
            }
            constants(values)
        }
        other => match equality(other) {
            Some((n, v)) if n == name => constants(vec![v]),
            _ => Ok(None),
        },
    }
}

fn is_attribute(expr: &Expr, name: &str) -> bool {
    matches!(expr, Expr::Path(p, _) if matches!(p.0.as_slice(), [PathStep::Name(n)] if n == name))
}

/// A condition on the sort key one conjunct states, when its values are
/// constants of the key's type (otherwise the filter alone decides).
fn sort_condition(part: &Expr, attr: &KeyAttribute, lowering: &Lowering) -> ApiResult<Option<SortCondition>> {
    let key = |e: &Expr| -> ApiResult<Option<KeyValue>> {
        Ok(lowering.constant(e)?.and_then(|v| KeyValue::from_attribute(&v)).filter(|k| k.scalar_type() == attr.kind))
    };
    Ok(match part {
        Expr::Compare(a, op, b) => {
            let (op, value) = if is_attribute(a, &attr.name) {
                (*op, b)
            } else if is_attribute(b, &attr.name) {
                (mirror(*op), a)
            } else {
                return Ok(None);
            };
            let Some(v) = key(value)? else { return Ok(None) };
            match op {
                CompareOp::Eq => Some(SortCondition::Eq(v)),
                CompareOp::Lt => Some(SortCondition::Lt(v)),
                CompareOp::Le => Some(SortCondition::Le(v)),
                CompareOp::Gt => Some(SortCondition::Gt(v)),
                CompareOp::Ge => Some(SortCondition::Ge(v)),
                CompareOp::Ne => None,
            }
        }
        Expr::Between { value, low, high, negated: false } if is_attribute(value, &attr.name) => {
            match (key(low)?, key(high)?) {
                (Some(low), Some(high)) if low <= high => Some(SortCondition::Between(low, high)),
                _ => None,
            }
        }
        Expr::Call(name, args, _) if name == "begins_with" && args.len() == 2 && is_attribute(&args[0], &attr.name) => {
            key(&args[1])?.filter(|k| !matches!(k, KeyValue::N(_))).map(SortCondition::BeginsWith)
        }
        _ => None,
    })
}

/// `5 < sk` is `sk > 5`.
fn mirror(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Lt => CompareOp::Gt,
        CompareOp::Le => CompareOp::Ge,
        CompareOp::Gt => CompareOp::Lt,
        CompareOp::Ge => CompareOp::Le,
        other => other,
    }
}
