//! The legacy (pre-expression) read parameters: `KeyConditions` and
//! `QueryFilter` / `ScanFilter` with `ConditionalOperator`. Conditions are
//! `{attribute: {ComparisonOperator, AttributeValueList}}` maps; they are
//! checked here with DynamoDB's messages and lowered to expression trees, so
//! the expression evaluator and key-condition narrowing do the rest.
//! (`AttributesToGet` is read by `expr::request::read_projection`.)

use crate::error::{ApiError, ApiResult};
use crate::expr::ast::Comparator;
use crate::expr::{Condition as Expr, DocPath, Operand};
use crate::input::{Input, Violations};
use crate::types::AttributeValue;

/// One legacy condition on one attribute.
#[derive(Clone, Debug)]
pub struct Condition {
    pub name: String,
    pub op: String,
    pub values: Vec<AttributeValue>,
}

/// Reads a map of legacy conditions (`KeyConditions`, `QueryFilter`,
/// `ScanFilter`); an empty map counts as absent, as in DynamoDB.
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
        check_operand_types(&op, &values)?;
        out.push(Condition { name: name.clone(), op, values });
    }
    Ok(Some(out).filter(|c| !c.is_empty()))
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

/// The value types each operator accepts (DynamoDB's documented rules):
/// EQ and NE take any type; BEGINS_WITH strings and binary; the others
/// scalars (S, N, B).
fn check_operand_types(op: &str, values: &[AttributeValue]) -> ApiResult<()> {
    for value in values {
        let ok = match op {
            "EQ" | "NE" => true,
            "BEGINS_WITH" => matches!(value, AttributeValue::S(_) | AttributeValue::B(_)),
            _ => matches!(value, AttributeValue::S(_) | AttributeValue::N(_) | AttributeValue::B(_)),
        };
        if !ok {
            return Err(ApiError::validation(format!(
                "One or more parameter values were invalid: ComparisonOperator {op} is not valid for {} AttributeValue type",
                value.type_name()
            )));
        }
    }
    Ok(())
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

/// `KeyConditions` as a key condition expression tree: only indexable
/// operators, `BEGINS_WITH` only on strings and binary.
pub fn key_condition(conditions: Vec<Condition>) -> ApiResult<Expr> {
    for c in &conditions {
        if !matches!(c.op.as_str(), "EQ" | "LT" | "LE" | "GT" | "GE" | "BETWEEN" | "BEGINS_WITH") {
            return Err(ApiError::validation("Attempted conditional constraint is not an indexable operation"));
        }
    }
    Ok(join(conditions.into_iter().map(lower).collect(), false))
}

/// `QueryFilter` / `ScanFilter` joined by `ConditionalOperator` (AND by default).
pub fn filter(conditions: Option<Vec<Condition>>, operator: Option<&str>) -> Option<Expr> {
    let conditions = conditions?;
    Some(join(conditions.into_iter().map(lower).collect(), operator == Some("OR")))
}

fn join(mut all: Vec<Expr>, any: bool) -> Expr {
    if all.len() == 1 {
        return all.remove(0);
    }
    if any {
        Expr::Or(all)
    } else {
        Expr::And(all)
    }
}

/// One legacy condition as the equivalent expression.
fn lower(c: Condition) -> Expr {
    let path = DocPath::attribute(&c.name);
    let attr = || Operand::Path(path.clone());
    let values: Vec<Operand> = c.values.into_iter().map(Operand::Value).collect();
    // Arity was checked on reading.
    let value = |i: usize| values.get(i).cloned().unwrap_or(Operand::Value(AttributeValue::Null));
    let compare = |op: Comparator| Expr::Compare(attr(), op, value(0));
    match c.op.as_str() {
        "EQ" => compare(Comparator::Eq),
        "NE" => compare(Comparator::Ne),
        "LT" => compare(Comparator::Lt),
        "LE" => compare(Comparator::Le),
        "GT" => compare(Comparator::Gt),
        "GE" => compare(Comparator::Ge),
        "NULL" => Expr::AttributeNotExists(path),
        "NOT_NULL" => Expr::AttributeExists(path),
        "BEGINS_WITH" => Expr::BeginsWith(attr(), value(0)),
        "CONTAINS" => Expr::Contains(attr(), value(0)),
        // Only an attribute that exists can fail to contain the value.
        "NOT_CONTAINS" => {
            let contains = Expr::Contains(attr(), value(0));
            Expr::And(vec![Expr::AttributeExists(path.clone()), Expr::Not(Box::new(contains))])
        }
        "BETWEEN" => Expr::Between(attr(), value(0), value(1)),
        _ => Expr::In(attr(), values.clone()),
    }
}
