//! The legacy (pre-expression) parameters that older SDK code and object
//! mappers still send, turned into the same checked trees as expressions, so
//! one evaluator serves both styles: `Expected` (+ `ConditionalOperator`) on
//! writes, `KeyConditions` and `QueryFilter` / `ScanFilter` (+
//! `ConditionalOperator`) on reads, and `AttributeUpdates`. Conditions are
//! `{attribute: {ComparisonOperator, AttributeValueList}}` maps, checked
//! with DynamoDB's messages by one set of operator rules.
//! (`AttributesToGet` is read by `request::read_projection`.)

use super::ast::{Comparator, Condition, DocPath, Operand, UpdateAction, UpdateExpression, UpdateValue};
use super::eval::compare_values;
use crate::error::{ApiError, ApiResult};
use crate::input::{Input, Violations};
use crate::types::value::check_attribute_name;
use crate::types::AttributeValue;
use std::cmp::Ordering;

fn invalid(reason: impl AsRef<str>) -> ApiError {
    ApiError::validation(format!("One or more parameter values were invalid: {}", reason.as_ref()))
}

/// Reads `ConditionalOperator` (AND when absent), checking its value.
fn conditional_operator(input: &Input) -> ApiResult<Option<bool>> {
    let Some(op) = input.str("ConditionalOperator")? else { return Ok(None) };
    if op != "AND" && op != "OR" {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '{op}' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum value set: [AND, OR]"
        )));
    }
    Ok(Some(op == "AND"))
}

/// A `ConditionalOperator` joins two or more legacy conditions (`Expected`,
/// `QueryFilter`, `ScanFilter`, `entries` of them when given): checked after
/// the conditions' own values, as DynamoDB Local does.
pub fn check_conditional_operator_use(entries: Option<usize>) -> ApiResult<()> {
    match entries {
        None => Err(ApiError::validation("ConditionalOperator cannot be used without Filter or Expected")),
        Some(n) if n < 2 => Err(ApiError::validation(
            "ConditionalOperator can only be used when Filter or Expected has two or more elements",
        )),
        Some(_) => Ok(()),
    }
}

/// `Expected` with `ConditionalOperator`; `None` when absent or empty. The
/// conditions' values are checked before a `ConditionalOperator` without
/// two of them.
pub fn expected(input: &Input) -> ApiResult<Option<Condition>> {
    let map = input.object("Expected")?;
    let operator = conditional_operator(input)?;
    let condition = match &map {
        Some(map) => conditions(map, operator.unwrap_or(true), true)?,
        None => None,
    };
    if operator.is_some() {
        check_conditional_operator_use(map.map(|m| m.fields().count()))?;
    }
    Ok(condition)
}

/// A map of legacy conditions (attribute name → condition), joined with
/// AND (`all`) or OR. `with_exists` allows `Exists` / `Value` (Expected only).
pub fn conditions(map: &Input, all: bool, with_exists: bool) -> ApiResult<Option<Condition>> {
    if let Some(name) = map.null_member() {
        // DynamoDB Local's words (probed 2026-12-05).
        return Err(invalid(format!("ExpectedAttributeValue must not be null for Attribute: {name}")));
    }
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
    let raw_value = if with_exists { entry.raw("Value") } else { None };
    let raw_list = entry.list("AttributeValueList")?;
    let operator = entry.str("ComparisonOperator")?;
    // A Value beside `Exists: false` is refused before the value is read (an
    // invalid number in it is not reported): DynamoDB's order in dynalite's
    // validateAttributeConditions, and DynamoDB Local's.
    if exists == Some(false) && raw_value.is_some() && operator.is_none() && raw_list.is_none() {
        return Err(invalid(format!("Value cannot be used when Exists is false for Attribute: {name}")));
    }
    let value = raw_value.map(AttributeValue::from_json).transpose()?;
    let list = match raw_list {
        Some(l) => Some(l.iter().map(AttributeValue::from_json).collect::<ApiResult<Vec<_>>>()?),
        None => None,
    };
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

/// ComparisonOperator's enum in the order DynamoDB lists it in its message.
const COMPARISON_OPERATORS: [&str; 13] = [
    "IN",
    "NULL",
    "BETWEEN",
    "LT",
    "NOT_CONTAINS",
    "EQ",
    "GT",
    "NOT_NULL",
    "NE",
    "LE",
    "BEGINS_WITH",
    "GE",
    "CONTAINS",
];

/// A ComparisonOperator's rules: how many values it takes, and of which
/// types (`None`: any), as DynamoDB documents them.
fn operator_rules(operator: &str) -> ApiResult<(std::ops::RangeInclusive<usize>, Option<&'static [&'static str]>)> {
    Ok(match operator {
        "EQ" | "NE" => (1..=1, None),
        "LT" | "LE" | "GT" | "GE" => (1..=1, Some(&["S", "N", "B"])),
        // Any scalar (DynamoDB Local accepts BOOL and NULL, refuses sets,
        // lists and maps; dynalite checks no type in Expected).
        "CONTAINS" | "NOT_CONTAINS" => (1..=1, Some(&["S", "N", "B", "BOOL", "NULL"])),
        "BEGINS_WITH" => (1..=1, Some(&["S", "B"])),
        "IN" => (1..=usize::MAX, Some(&["S", "N", "B"])),
        "BETWEEN" => (2..=2, Some(&["S", "N", "B"])),
        "NULL" | "NOT_NULL" => (0..=0, None),
        _ => return Err(ApiError::validation("Comparison type does not exist in DynamoDB")),
    })
}

/// The number of values must suit the operator.
fn check_count(operator: &str, count: &std::ops::RangeInclusive<usize>, given: usize) -> ApiResult<()> {
    if count.contains(&given) {
        return Ok(());
    }
    Err(invalid(format!("Invalid number of argument(s) for the {operator} ComparisonOperator")))
}

/// Each value in turn: its type must suit the operator, then be the first
/// value's. Value by value, so `[N, S, SS]` is "must be of same type" (at the
/// S) as DynamoDB Local answers it (the differential run, 2026-12-05).
fn check_types(operator: &str, types: Option<&[&str]>, args: &[AttributeValue]) -> ApiResult<()> {
    for (i, arg) in args.iter().enumerate() {
        if types.is_some_and(|types| !types.contains(&arg.type_name())) {
            return Err(invalid(format!(
                "ComparisonOperator {operator} is not valid for {} AttributeValue type",
                arg.type_name()
            )));
        }
        if i > 0 && arg.type_name() != args[0].type_name() {
            return Err(invalid("AttributeValues inside AttributeValueList must be of same type"));
        }
    }
    Ok(())
}

fn comparison(name: &str, path: DocPath, operator: &str, args: Option<Vec<AttributeValue>>) -> ApiResult<Condition> {
    let (count, types) = operator_rules(operator)?;
    let args = match args {
        Some(a) => a,
        None if *count.start() == 0 => Vec::new(),
        None => {
            return Err(invalid(format!(
                "Value or AttributeValueList must be used with ComparisonOperator: {operator} for Attribute: {name}"
            )))
        }
    };
    check_values(operator, &count, types, &args)?;
    Ok(lower(path, operator, args))
}

/// A condition's values, in DynamoDB's order: how many, each one's type
/// and sameness, and BETWEEN's bounds in order.
fn check_values(
    operator: &str,
    count: &std::ops::RangeInclusive<usize>,
    types: Option<&[&str]>,
    args: &[AttributeValue],
) -> ApiResult<()> {
    check_count(operator, count, args.len())?;
    check_types(operator, types, args)?;
    if operator == "BETWEEN" && compare_values(&args[0], &args[1]) == Some(Ordering::Greater) {
        return Err(ApiError::validation(
            "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound",
        ));
    }
    Ok(())
}

/// One legacy comparison as the equivalent expression (operator and
/// argument count already checked).
fn lower(path: DocPath, operator: &str, args: Vec<AttributeValue>) -> Condition {
    let attr = || Operand::Path(path.clone());
    let mut args = args.into_iter().map(Operand::Value);
    let mut next = || args.next().unwrap_or(Operand::Value(AttributeValue::Null));
    let compare = |op: Comparator, v: Operand| Condition::Compare(attr(), op, v);
    match operator {
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
            let lo = next();
            Condition::Between(attr(), lo, next())
        }
        _ => Condition::In(attr(), args.collect()),
    }
}

/// `AttributeUpdates` as an update (PUT → SET, DELETE → REMOVE or set
/// DELETE, ADD → ADD, or list append for lists).
pub fn attribute_updates(input: &Input) -> ApiResult<Option<UpdateExpression>> {
    let Some(map) = input.object("AttributeUpdates")? else { return Ok(None) };
    if let Some(name) = map.null_member() {
        // Refused, never dropped. DynamoDB's answer is not recorded (DynamoDB
        // Local fails with HTTP 500): these words follow its `Expected` ones.
        return Err(invalid(format!("AttributeValueUpdate must not be null for Attribute: {name}")));
    }
    let mut actions = Vec::new();
    for (name, raw) in map.fields() {
        check_attribute_name(name)?;
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
                    return Err(invalid(format!("ADD action is not supported for the type {}", other.type_name())))
                }
            },
            (_, Some(v)) => match v {
                AttributeValue::SS(_) | AttributeValue::NS(_) | AttributeValue::BS(_) => UpdateAction::Delete(path, v),
                other => {
                    return Err(invalid(format!(
                        "DELETE action with value is not supported for the type {}",
                        other.type_name()
                    )))
                }
            },
        });
    }
    Ok(Some(UpdateExpression { actions, legacy: true }))
}

// ---- Reads: KeyConditions, QueryFilter, ScanFilter ----

/// One condition of `KeyConditions`, `QueryFilter` or `ScanFilter`.
#[derive(Clone, Debug)]
pub struct FilterCondition {
    pub name: String,
    pub op: String,
    pub values: Vec<AttributeValue>,
}

/// Reads a map of legacy conditions (`KeyConditions`, `QueryFilter`,
/// `ScanFilter`); an empty map counts as absent, as in DynamoDB.
pub fn filter_conditions(input: &Input, field: &str) -> ApiResult<Option<Vec<FilterCondition>>> {
    let Some(map) = input.object(field)? else { return Ok(None) };
    if let Some(name) = map.null_member() {
        // DynamoDB Local's words (probed 2026-12-05).
        return Err(ApiError::validation(format!("The filter condition for an attribute cannot be null: {name}")));
    }
    let mut out = Vec::new();
    for (name, raw) in map.fields() {
        let condition = Input::new(raw)?;
        let op = condition.str("ComparisonOperator")?;
        // The model's enum, case-sensitive, before the values (dynalite's
        // scan.js and query.js "incorrect attributes", asserted against
        // DynamoDB); DynamoDB Local: "Comparison type does not exist in DynamoDB".
        let mut v = Violations::new();
        let path = format!("{}.{name}.member.comparisonOperator", lower_first(field));
        v.not_null(&path, &op);
        v.one_of(&path, op, &COMPARISON_OPERATORS);
        v.finish()?;
        let values = match condition.list("AttributeValueList")? {
            Some(list) => list.iter().map(AttributeValue::from_json).collect::<ApiResult<Vec<_>>>()?,
            None => Vec::new(),
        };
        let op = op.unwrap_or_default().to_string();
        let (count, types) = operator_rules(&op)?;
        check_values(&op, &count, types, &values)?;
        out.push(FilterCondition { name: name.clone(), op, values });
    }
    Ok(Some(out).filter(|c| !c.is_empty()))
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_ascii_lowercase().to_string() + chars.as_str()).unwrap_or_default()
}

/// `ConditionalOperator` (AND or OR) joining legacy filter conditions.
pub fn filter_conditional_operator(input: &Input, v: &mut Violations) -> ApiResult<Option<&'static str>> {
    let op = input.str("ConditionalOperator")?;
    v.one_of("conditionalOperator", op, &["AND", "OR"]);
    Ok(match op {
        Some("OR") => Some("OR"),
        Some("AND") => Some("AND"),
        _ => None,
    })
}

/// `KeyConditions` as a key condition expression tree: only indexable
/// operators, `BEGINS_WITH` only on strings and binary.
pub fn key_condition(conditions: Vec<FilterCondition>) -> ApiResult<Condition> {
    for c in &conditions {
        if !matches!(c.op.as_str(), "EQ" | "LT" | "LE" | "GT" | "GE" | "BETWEEN" | "BEGINS_WITH") {
            return Err(ApiError::validation("Attempted conditional constraint is not an indexable operation"));
        }
    }
    Ok(join(conditions.into_iter().map(FilterCondition::lower).collect(), false))
}

/// `QueryFilter` / `ScanFilter` joined by `ConditionalOperator` (AND by default).
pub fn filter(conditions: Option<Vec<FilterCondition>>, operator: Option<&str>) -> Option<Condition> {
    let conditions = conditions?;
    Some(join(conditions.into_iter().map(FilterCondition::lower).collect(), operator == Some("OR")))
}

fn join(mut all: Vec<Condition>, any: bool) -> Condition {
    if all.len() == 1 {
        return all.remove(0);
    }
    if any {
        Condition::Or(all)
    } else {
        Condition::And(all)
    }
}

impl FilterCondition {
    fn lower(self) -> Condition {
        lower(DocPath::attribute(&self.name), &self.op, self.values)
    }
}
