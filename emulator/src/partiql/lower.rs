//! From PartiQL expressions to the `expr` module's trees: values, conditions
//! (the same evaluator as ConditionExpression and FilterExpression),
//! updates (the same updater as UpdateExpression) and projections. Every
//! failure is a ValidationException in DynamoDB's words.

use super::ast::{self, CompareOp, Expr, Literal, Path, PathStep, Span};
use crate::error::{ApiError, ApiResult};
use crate::expr::ast::{Condition, DocPath, Operand, PathElement, UpdateAction, UpdateExpression, UpdateValue};
use crate::expr::resolve::{check_overlaps, MAX_IN_OPERANDS};
use crate::expr::syntax::Comparator;
use crate::types::{AttributeValue, Item, Number};

const VALID_TYPES: [&str; 10] = ["N", "BS", "L", "B", "NULL", "M", "S", "SS", "NS", "BOOL"];
/// Functions a condition may call, and what an update may call instead.
const CONDITION_FUNCTIONS: [&str; 6] =
    ["begins_with", "contains", "attribute_type", "attribute_exists", "attribute_not_exists", "size"];
const UPDATE_FUNCTIONS: [&str; 4] = ["list_append", "if_not_exists", "set_add", "set_delete"];

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::validation(message)
}

fn missing_outside_is() -> ApiError {
    invalid("MISSING must be compared using IS operator")
}

/// Lowers a statement's expressions, its `?` bound to `parameters`.
pub struct Lowering<'a> {
    /// The statement, for the positions some messages give.
    pub text: &'a str,
    pub parameters: &'a [AttributeValue],
}

impl Lowering<'_> {
    /// A message that ends with where in the statement `span` is.
    pub fn at(&self, message: impl AsRef<str>, span: Span) -> ApiError {
        invalid(format!("{} at {}", message.as_ref(), span.describe(self.text)))
    }

    /// The value of a constant expression (literal, parameter, list, bag,
    /// tuple); `None` for a path or any other non-constant.
    pub fn constant(&self, expr: &Expr) -> ApiResult<Option<AttributeValue>> {
        Ok(Some(match expr {
            Expr::Literal(literal, _) => literal_value(literal)?,
            Expr::Parameter(i, _) => self
                .parameters
                .get(*i)
                .cloned()
                .ok_or_else(|| invalid("Number of parameters in request and statement don't match."))?,
            Expr::List(items, _) => AttributeValue::L(self.constants(items)?),
            Expr::Bag(items, _) => self.bag(items)?,
            Expr::Tuple(pairs, _) => AttributeValue::M(self.tuple(pairs)?),
            _ => return Ok(None),
        }))
    }

    /// `<<...>>`: a string, number or binary set; a value of another type
    /// (or of another type than the first) is refused where it stands.
    fn bag(&self, items: &[Expr]) -> ApiResult<AttributeValue> {
        let unsupported = |e: &Expr| {
            self.at(
                "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags",
                e.span().unwrap_or_default(),
            )
        };
        let mut out: Option<AttributeValue> = None;
        for expr in items {
            let value = self.constant(expr)?.ok_or_else(|| unsupported(expr))?;
            let set = match &mut out {
                Some(set) => set,
                None => out.insert(empty_set_like(&value).ok_or_else(|| unsupported(expr))?),
            };
            match (set, value) {
                (AttributeValue::SS(set), AttributeValue::S(s)) if !set.contains(&s) => set.push(s),
                (AttributeValue::NS(set), AttributeValue::N(n)) if !set.contains(&n) => set.push(n),
                (AttributeValue::BS(set), AttributeValue::B(b)) if !set.contains(&b) => set.push(b),
                (AttributeValue::SS(_), AttributeValue::S(_))
                | (AttributeValue::NS(_), AttributeValue::N(_))
                | (AttributeValue::BS(_), AttributeValue::B(_)) => {
                    return Err(invalid("Input collection contains duplicates"))
                }
                _ => return Err(unsupported(expr)),
            }
        }
        out.ok_or_else(|| invalid("Empty bags are not supported"))
    }

    fn constants(&self, items: &[Expr]) -> ApiResult<Vec<AttributeValue>> {
        items
            .iter()
            .map(|e| self.constant(e)?.ok_or_else(|| invalid("Unsupported path expression in collection literal")))
            .collect()
    }

    /// `{'k': v, ...}` as an item; keys must be strings, once each.
    pub fn tuple(&self, pairs: &[(Expr, Expr)]) -> ApiResult<Item> {
        let mut item = Item::new();
        for (key, value) in pairs {
            let key_span = key.span().unwrap_or_default();
            let name = match key {
                Expr::Literal(Literal::String(s), _) => s.clone(),
                Expr::Path(p, span) if p.0.len() == 1 => {
                    return Err(
                        self.at("Tuple keys must be of type String. Actual type: VariableReference under root", *span)
                    )
                }
                Expr::Path(..) => {
                    return Err(invalid("Tuple keys must be of type String. Actual type: Path under root"))
                }
                _ => return Err(self.at("Tuple keys must be of type String.", key_span)),
            };
            if let Expr::Literal(Literal::Missing, span) = value {
                return Err(self.at("Unsupported data type: MISSING under key root", *span));
            }
            let value = self.constant(value)?.ok_or_else(|| invalid("Unsupported path expression in tuple value"))?;
            if item.insert(name.clone(), value).is_some() {
                return Err(self.at(format!("Duplicate keys in tuple. Key: {name} under root"), key_span));
            }
        }
        Ok(item)
    }

    /// A WHERE clause (or a part of one) as a condition.
    pub fn condition(&self, expr: &Expr) -> ApiResult<Condition> {
        Ok(match expr {
            Expr::And(parts) => Condition::And(parts.iter().map(|p| self.condition(p)).collect::<ApiResult<_>>()?),
            Expr::Or(parts) => Condition::Or(parts.iter().map(|p| self.condition(p)).collect::<ApiResult<_>>()?),
            Expr::Not(inner) => Condition::Not(Box::new(self.condition(inner)?)),
            Expr::Compare(a, op, b) => Condition::Compare(self.operand(a)?, comparator(*op), self.operand(b)?),
            Expr::Between { value, low, high, negated } => {
                negate(Condition::Between(self.operand(value)?, self.operand(low)?, self.operand(high)?), *negated)
            }
            Expr::In { value, list, negated } => {
                if list.is_empty() {
                    return Err(invalid("IN operator must have a left hand argument of type Variable Reference and right hand argument of type Seq with at least one member"));
                }
                if list.len() > MAX_IN_OPERANDS {
                    return Err(invalid(format!(
                        "The IN operator is provided with too many operands; number of operands: {}",
                        list.len()
                    )));
                }
                let list = list.iter().map(|e| self.operand(e)).collect::<ApiResult<_>>()?;
                negate(Condition::In(self.operand(value)?, list), *negated)
            }
            Expr::Is { value, missing, negated } => {
                let path = match &**value {
                    Expr::Path(p, _) => doc_path(p)?,
                    _ => return Err(invalid("IS operator must have a left hand argument of type Variable Reference")),
                };
                match (missing, negated) {
                    (true, false) => Condition::AttributeNotExists(path),
                    (true, true) => Condition::AttributeExists(path),
                    (false, negated) => negate(
                        Condition::AttributeType(path, Operand::Value(AttributeValue::S("NULL".into()))),
                        *negated,
                    ),
                }
            }
            Expr::Call(name, args, _) => self.function(name, args)?,
            Expr::Add(..) => return Err(invalid("Unsupported operator in Condition Expression. Operator: +")),
            Expr::Subtract(..) => return Err(invalid("Unsupported operator in Condition Expression. Operator: -")),
            Expr::Unsupported(op, ..) => {
                return Err(invalid(format!("Unsupported operator in Condition Expression. Operator: {op}")))
            }
            _ => return Err(invalid("WHERE clause must contain an expression that resolves to a boolean")),
        })
    }

    fn function(&self, name: &str, args: &[Expr]) -> ApiResult<Condition> {
        let arity = |n: usize| {
            if args.len() == n {
                Ok(())
            } else {
                Err(invalid(format!(
                    "Incorrect number of operands for operator or function; operator or function: {name}, number of operands: {}",
                    args.len()
                )))
            }
        };
        let path_arg = |e: &Expr| match e {
            Expr::Path(p, _) => doc_path(p),
            _ => Err(invalid(format!("The first argument of {name} must be a document path"))),
        };
        match name {
            "begins_with" | "contains" => {
                arity(2)?;
                let (a, b) = (self.operand(&args[0])?, self.operand(&args[1])?);
                Ok(if name == "contains" { Condition::Contains(a, b) } else { Condition::BeginsWith(a, b) })
            }
            "attribute_type" => {
                arity(2)?;
                let path = path_arg(&args[0])?;
                let kind = self.operand(&args[1])?;
                if let Operand::Value(AttributeValue::S(t)) = &kind {
                    if !VALID_TYPES.contains(&t.as_str()) {
                        return Err(invalid(format!(
                            "Invalid attribute type name found; type: {t}, valid types: {{N,BS,L,B,NULL,M,S,SS,NS,BOOL}}"
                        )));
                    }
                }
                Ok(Condition::AttributeType(path, kind))
            }
            "attribute_exists" => {
                arity(1)?;
                Ok(Condition::AttributeExists(path_arg(&args[0])?))
            }
            "attribute_not_exists" => {
                arity(1)?;
                Ok(Condition::AttributeNotExists(path_arg(&args[0])?))
            }
            "size" => Err(invalid("WHERE clause must contain an expression that resolves to a boolean")),
            _ if UPDATE_FUNCTIONS.contains(&name) => {
                Err(invalid(format!("The function is not allowed in a condition expression; function: {name}")))
            }
            _ => Err(invalid(format!("Unrecognized function: {name}"))),
        }
    }

    /// One side of a comparison: a path, a constant, or `size(path)`.
    pub fn operand(&self, expr: &Expr) -> ApiResult<Operand> {
        match expr {
            Expr::Path(p, _) => Ok(Operand::Path(doc_path(p)?)),
            Expr::Literal(Literal::Missing, _) => Err(missing_outside_is()),
            Expr::Call(name, args, _) if name == "size" => match args.as_slice() {
                [one] => Ok(Operand::Size(Box::new(self.operand(one)?))),
                _ => Err(invalid(format!(
                    "Incorrect number of operands for operator or function; operator or function: size, number of operands: {}",
                    args.len()
                ))),
            },
            Expr::Call(name, _, _) if CONDITION_FUNCTIONS.contains(&name.as_str()) => {
                Err(invalid(format!("Unsupported function in operand position; function: {name}")))
            }
            Expr::Call(name, _, _) => Err(invalid(format!("Unrecognized function: {name}"))),
            Expr::Add(..) => Err(invalid("Unsupported operator in Condition Expression. Operator: +")),
            Expr::Subtract(..) => Err(invalid("Unsupported operator in Condition Expression. Operator: -")),
            Expr::Unsupported(op, ..) => Err(invalid(format!("Unsupported operator in Condition Expression. Operator: {op}"))),
            other => match self.constant(other)? {
                Some(value) => Ok(Operand::Value(value)),
                None => Err(invalid("WHERE clause must contain an expression that resolves to a boolean")),
            },
        }
    }

    /// The SET and REMOVE clauses of an UPDATE as one update expression.
    pub fn update(&self, actions: &[ast::UpdateAction]) -> ApiResult<UpdateExpression> {
        let mut out = Vec::with_capacity(actions.len());
        for action in actions {
            out.push(match action {
                ast::UpdateAction::Remove(path) => UpdateAction::Remove(doc_path(path)?),
                ast::UpdateAction::Set(path, value) => self.set(doc_path(path)?, value)?,
            });
        }
        // DynamoDB names the later path first.
        let paths: Vec<&DocPath> = out.iter().rev().map(UpdateAction::path).collect();
        check_overlaps(&paths).map_err(invalid)?;
        Ok(UpdateExpression { actions: out, legacy: false })
    }

    fn set(&self, target: DocPath, value: &Expr) -> ApiResult<UpdateAction> {
        if let Expr::Call(name, args, _) = value {
            if name == "set_add" || name == "set_delete" {
                let [set, more] = args.as_slice() else {
                    return Err(invalid(format!(
                        "Incorrect number of operands for operator or function; operator or function: {name}, number of operands: {}",
                        args.len()
                    )));
                };
                let same_path = matches!(set, Expr::Path(p, _) if doc_path(p)? == target);
                if !same_path {
                    return Err(invalid(format!(
                        "The first argument to {} must be the attribute being updated",
                        name.to_ascii_uppercase()
                    )));
                }
                let elements = match self.constant(more)? {
                    Some(v @ (AttributeValue::SS(_) | AttributeValue::NS(_) | AttributeValue::BS(_))) => v,
                    _ => {
                        // DynamoDB points at the call's first argument.
                        return Err(self.at(
                            format!(
                                "The second argument to {} must be a value with type SET",
                                name.to_ascii_uppercase()
                            ),
                            set.span().unwrap_or_default(),
                        ));
                    }
                };
                return Ok(match name.as_str() {
                    "set_add" => UpdateAction::Add(target, elements),
                    _ => UpdateAction::Delete(target, elements),
                });
            }
        }
        Ok(UpdateAction::Set(target, self.update_value(value)?))
    }

    fn update_value(&self, expr: &Expr) -> ApiResult<UpdateValue> {
        Ok(match expr {
            Expr::Path(p, _) => UpdateValue::Path(doc_path(p)?),
            Expr::Add(a, b) => UpdateValue::Plus(Box::new(self.update_value(a)?), Box::new(self.update_value(b)?)),
            Expr::Subtract(a, b) => {
                UpdateValue::Minus(Box::new(self.update_value(a)?), Box::new(self.update_value(b)?))
            }
            Expr::Literal(Literal::Missing, _) => return Err(missing_outside_is()),
            Expr::Unsupported(op, ..) => {
                return Err(invalid(format!("Unsupported operator in Update Expression. Operator: {op}")))
            }
            Expr::Call(name, args, _) => match (name.as_str(), args.as_slice()) {
                ("list_append", [a, b]) => {
                    UpdateValue::ListAppend(Box::new(self.update_value(a)?), Box::new(self.update_value(b)?))
                }
                ("if_not_exists", [Expr::Path(p, _), fallback]) => {
                    UpdateValue::IfNotExists(doc_path(p)?, Box::new(self.update_value(fallback)?))
                }
                ("list_append" | "if_not_exists", _) => {
                    return Err(invalid(format!(
                        "Incorrect number of operands for operator or function; operator or function: {name}, number of operands: {}",
                        args.len()
                    )))
                }
                (name, _) if CONDITION_FUNCTIONS.contains(&name) || name == "set_add" || name == "set_delete" => {
                    return Err(invalid(format!("The function is not allowed in an update expression; function: {name}")))
                }
                (name, _) => return Err(invalid(format!("Unrecognized function: {name}"))),
            },
            Expr::Compare(..) | Expr::Between { .. } | Expr::In { .. } | Expr::Is { .. } | Expr::And(_) | Expr::Or(_) | Expr::Not(_) => {
                return Err(invalid("Unsupported operator in Update Expression."))
            }
            other => UpdateValue::Value(self.constant(other)?.unwrap_or(AttributeValue::Null)),
        })
    }
}

fn negate(condition: Condition, negated: bool) -> Condition {
    if negated {
        Condition::Not(Box::new(condition))
    } else {
        condition
    }
}

fn comparator(op: CompareOp) -> Comparator {
    match op {
        CompareOp::Eq => Comparator::Eq,
        CompareOp::Ne => Comparator::Ne,
        CompareOp::Lt => Comparator::Lt,
        CompareOp::Le => Comparator::Le,
        CompareOp::Gt => Comparator::Gt,
        CompareOp::Ge => Comparator::Ge,
    }
}

fn literal_value(literal: &Literal) -> ApiResult<AttributeValue> {
    Ok(match literal {
        Literal::String(s) => AttributeValue::S(s.clone()),
        Literal::Number(text) => AttributeValue::N(Number::parse(text).map_err(|e| invalid(e.message()))?),
        Literal::Bool(b) => AttributeValue::Bool(*b),
        Literal::Null => AttributeValue::Null,
        Literal::Missing => return Err(missing_outside_is()),
    })
}

/// The set a bag's first value makes it, if that value can be in a set.
fn empty_set_like(value: &AttributeValue) -> Option<AttributeValue> {
    match value {
        AttributeValue::S(_) => Some(AttributeValue::SS(Vec::new())),
        AttributeValue::N(_) => Some(AttributeValue::NS(Vec::new())),
        AttributeValue::B(_) => Some(AttributeValue::BS(Vec::new())),
        _ => None,
    }
}

/// A PartiQL path as a document path.
pub fn doc_path(path: &Path) -> ApiResult<DocPath> {
    path.0
        .iter()
        .map(|step| match step {
            PathStep::Name(name) => Ok(PathElement::Attribute(name.clone())),
            PathStep::Index(i) if *i <= i32::MAX as u64 => Ok(PathElement::Index(*i as usize)),
            PathStep::Index(i) => Err(invalid(format!("List index is not within the allowable range; index: [{i}]"))),
        })
        .collect::<ApiResult<Vec<_>>>()
        .map(DocPath)
}

/// Top-level conjuncts of a WHERE clause (`a AND b AND c`).
pub fn conjuncts(expr: &Expr) -> Vec<&Expr> {
    match expr {
        Expr::And(parts) => parts.iter().collect(),
        other => vec![other],
    }
}

/// `attr = constant` (either way round) for a top-level attribute: its name
/// and the constant's expression.
pub fn equality(expr: &Expr) -> Option<(&str, &Expr)> {
    let Expr::Compare(a, CompareOp::Eq, b) = expr else { return None };
    match (&**a, &**b) {
        (Expr::Path(p, _), value) | (value, Expr::Path(p, _)) if !matches!(value, Expr::Path(..)) => {
            match p.0.as_slice() {
                [PathStep::Name(name)] => Some((name, value)),
                _ => None,
            }
        }
        _ => None,
    }
}
