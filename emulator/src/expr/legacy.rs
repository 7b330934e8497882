//! The legacy (pre-expression) parameters that older SDK code and object
//! mappers still send, turned into the same checked trees as expressions:
//! `Expected` (+ `ConditionalOperator`), `QueryFilter` / `ScanFilter`
//! conditions, and `AttributeUpdates`.

use super::ast::{Comparator, Condition, DocPath, Operand, UpdateAction, UpdateExpression, UpdateValue};
use super::eval::compare_values;
use crate::error::{ApiError, ApiResult};
use crate::input::Input;
use crate::types::AttributeValue;
use std::cmp::Ordering;

fn invalid(reason: impl AsRef<str>) -> ApiError {
    ApiError::validation(format!("One or more parameter values were invalid: {}", reason.as_ref()))
}

/// Reads `ConditionalOperator` (AND when absent) for a map of `entries`
/// legacy conditions (`Expected`, `QueryFilter`, `ScanFilter`).
pub fn conditional_operator(input: &Input, entries: Option<usize>) -> ApiResult<bool> {
    let Some(op) = input.str("ConditionalOperator")? else { return Ok(true) };
    if op != "AND" && op != "OR" {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '{op}' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum value set: [AND, OR]"
        )));
    }
    match entries {
        None => Err(ApiError::validation("ConditionalOperator cannot be used without Filter or Expected")),
        Some(n) if n < 2 => Err(ApiError::validation(
            "ConditionalOperator can only be used when Filter or Expected has two or more elements",
        )),
        Some(_) => Ok(op == "AND"),
    }
}

/// `Expected` with `ConditionalOperator`; `None` when absent or empty.
pub fn expected(input: &Input) -> ApiResult<Option<Condition>> {
    let map = input.object("Expected")?;
    let entries = map.map(|m| m.fields().count());
    let all = conditional_operator(input, entries)?;
    let Some(map) = map else { return Ok(None) };
    conditions(&map, all, true)
}

/// A map of legacy conditions (attribute name → condition), joined with
/// AND (`all`) or OR. `with_exists` allows `Exists` / `Value` (Expected only).
pub fn conditions(map: &Input, all: bool, with_exists: bool) -> ApiResult<Option<Condition>> {
    let mut parts = Vec::new();
    for (name, raw) in map.fields() {
        let entry = Input::new(raw)?;
        parts.push(one_condition(name, &entry, with_exists)?);
    }
    Ok(match parts.len() {
        0 => None,
        1 => parts.pop(),
        _ if all => Some(Condition::And(parts)),
        _ => Some(Condition::Or(parts)),
    })
}

fn one_condition(name: &str, entry: &Input, with_exists: bool) -> ApiResult<Condition> {
    let exists = if with_exists { entry.bool("Exists")? } else { None };
    let value = if with_exists { entry.raw("Value").map(AttributeValue::from_json).transpose()? } else { None };
    let list = match entry.list("AttributeValueList")? {
        Some(l) => Some(l.iter().map(AttributeValue::from_json).collect::<ApiResult<Vec<_>>>()?),
        None => None,
    };
    let operator = entry.str("ComparisonOperator")?;
    let path = DocPath::attribute(name);
    if exists.is_some() && operator.is_some() {
        return Err(invalid(format!("Exists and ComparisonOperator cannot be used together for Attribute: {name}")));
    }
    if value.is_some() && list.is_some() {
        return Err(invalid(format!("Value and AttributeValueList cannot be used together for Attribute: {name}")));
    }
    let Some(operator) = operator else {
        if list.is_some() {
            return Err(invalid(format!(
                "AttributeValueList can only be used with a ComparisonOperator for Attribute: {name}"
            )));
        }
        return match (exists, value) {
            (Some(false), Some(_)) => {
                Err(invalid(format!("Value cannot be used when Exists is false for Attribute: {name}")))
            }
            (Some(false), None) => Ok(Condition::AttributeNotExists(path)),
            (Some(true), None) => {
                Err(invalid(format!("Value must be provided when Exists is true for Attribute: {name}")))
            }
            (None, None) => Err(invalid(format!("Value must be provided when Exists is null for Attribute: {name}"))),
            (_, Some(v)) => Ok(Condition::Compare(Operand::Path(path), Comparator::Eq, Operand::Value(v))),
        };
    };
    let args = match (value, list) {
        (Some(v), _) => Some(vec![v]),
        (None, l) => l,
    };
    comparison(name, path, operator, args)
}

fn comparison(name: &str, path: DocPath, operator: &str, args: Option<Vec<AttributeValue>>) -> ApiResult<Condition> {
    // (allowed argument count, allowed types; None = any type)
    let (count, types): (std::ops::RangeInclusive<usize>, Option<&[&str]>) = match operator {
        "EQ" | "NE" => (1..=1, None),
        "LT" | "LE" | "GT" | "GE" | "CONTAINS" | "NOT_CONTAINS" => (1..=1, Some(&["S", "N", "B"])),
        "BEGINS_WITH" => (1..=1, Some(&["S", "B"])),
        "IN" => (1..=usize::MAX, Some(&["S", "N", "B"])),
        "BETWEEN" => (2..=2, Some(&["S", "N", "B"])),
        "NULL" | "NOT_NULL" => (0..=0, None),
        _ => return Err(ApiError::validation("Comparison type does not exist in DynamoDB")),
    };
    let args = match args {
        Some(a) => a,
        None if *count.start() == 0 => Vec::new(),
        None => {
            return Err(invalid(format!(
                "Value or AttributeValueList must be used with ComparisonOperator: {operator} for Attribute: {name}"
            )))
        }
    };
    if !count.contains(&args.len()) {
        return Err(invalid(format!("Invalid number of argument(s) for the {operator} ComparisonOperator")));
    }
    if let Some(types) = types {
        for a in &args {
            if !types.contains(&a.type_name()) {
                return Err(invalid(format!(
                    "ComparisonOperator {operator} is not valid for {} AttributeValue type",
                    a.type_name()
                )));
            }
        }
    }
    if args.windows(2).any(|w| w[0].type_name() != w[1].type_name()) {
        return Err(invalid("AttributeValues inside AttributeValueList must be of same type"));
    }
    let attr = || Operand::Path(path.clone());
    let mut args = args.into_iter().map(Operand::Value);
    let mut next = || args.next().unwrap_or(Operand::Value(AttributeValue::Null));
    let compare = |op: Comparator, v: Operand| Condition::Compare(attr(), op, v);
    Ok(match operator {
        "EQ" => compare(Comparator::Eq, next()),
        "NE" => compare(Comparator::Ne, next()),
        "LT" => compare(Comparator::Lt, next()),
        "LE" => compare(Comparator::Le, next()),
        "GT" => compare(Comparator::Gt, next()),
        "GE" => compare(Comparator::Ge, next()),
        "CONTAINS" => Condition::Contains(attr(), next()),
        // A missing attribute does not "not contain" anything.
        "NOT_CONTAINS" => Condition::And(vec![
            Condition::AttributeExists(path.clone()),
            Condition::Not(Box::new(Condition::Contains(attr(), next()))),
        ]),
        "BEGINS_WITH" => Condition::BeginsWith(attr(), next()),
        "NULL" => Condition::AttributeNotExists(path.clone()),
        "NOT_NULL" => Condition::AttributeExists(path.clone()),
        "BETWEEN" => {
            let (lo, hi) = (next(), next());
            if let (Operand::Value(l), Operand::Value(h)) = (&lo, &hi) {
                if compare_values(l, h) == Some(Ordering::Greater) {
                    return Err(ApiError::validation(
                        "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound",
                    ));
                }
            }
            Condition::Between(attr(), lo, hi)
        }
        _ => Condition::In(attr(), args.collect()),
    })
}

fn long_type(value: &AttributeValue) -> &'static str {
    match value {
        AttributeValue::S(_) => "STRING",
        AttributeValue::N(_) => "NUMBER",
        AttributeValue::B(_) => "BINARY",
        AttributeValue::Bool(_) => "BOOLEAN",
        AttributeValue::Null => "NULL",
        AttributeValue::L(_) => "LIST",
        AttributeValue::M(_) => "MAP",
        AttributeValue::SS(_) => "STRING_SET",
        AttributeValue::NS(_) => "NUMBER_SET",
        AttributeValue::BS(_) => "BINARY_SET",
    }
}

/// `AttributeUpdates` as an update (PUT → SET, DELETE → REMOVE or set
/// DELETE, ADD → ADD, or list append for lists).
pub fn attribute_updates(input: &Input) -> ApiResult<Option<UpdateExpression>> {
    let Some(map) = input.object("AttributeUpdates")? else { return Ok(None) };
    let mut actions = Vec::new();
    for (name, raw) in map.fields() {
        let entry = Input::new(raw)?;
        let action = entry.str("Action")?.unwrap_or("PUT");
        if !matches!(action, "PUT" | "ADD" | "DELETE") {
            return Err(ApiError::validation("Member must satisfy enum value set: [ADD, DELETE, PUT]"));
        }
        let value = entry.raw("Value").map(AttributeValue::from_json).transpose()?;
        let path = DocPath::attribute(name);
        actions.push(match (action, value) {
            ("DELETE", None) => UpdateAction::Remove(path),
            (_, None) => return Err(invalid("Only DELETE action is allowed when no attribute value is specified")),
            ("PUT", Some(v)) => UpdateAction::Set(path, UpdateValue::Value(v)),
            ("ADD", Some(v)) => match v {
                AttributeValue::N(_) | AttributeValue::SS(_) | AttributeValue::NS(_) | AttributeValue::BS(_) => {
                    UpdateAction::Add(path, v)
                }
                AttributeValue::L(_) => UpdateAction::Set(
                    path.clone(),
                    UpdateValue::ListAppend(
                        Box::new(UpdateValue::IfNotExists(
                            path,
                            Box::new(UpdateValue::Value(AttributeValue::L(vec![]))),
                        )),
                        Box::new(UpdateValue::Value(v)),
                    ),
                ),
                other => {
                    return Err(invalid(format!("ADD action is not supported for the type {}", long_type(&other))))
                }
            },
            (_, Some(v)) => match v {
                AttributeValue::SS(_) | AttributeValue::NS(_) | AttributeValue::BS(_) => UpdateAction::Delete(path, v),
                other => {
                    return Err(invalid(format!(
                        "DELETE action with value is not supported for the type {}",
                        long_type(&other)
                    )))
                }
            },
        });
    }
    Ok(Some(UpdateExpression { actions, legacy: true }))
}
