//! From raw syntax trees to checked expressions: resolves `#name` / `:value`
//! placeholders, rejects reserved words, checks functions, operand types,
//! operator counts and overlapping paths, all with DynamoDB's messages
//! (`Invalid <Parameter>: <reason>`). Checks run in the order the tree is
//! written, so the first problem from the left is the one reported.

use super::ast::*;
use super::names::ExpressionAttributes;
use super::reserved::is_reserved;
use super::syntax::{RawAction, RawCondition, RawElement, RawOperand, RawUpdate, Section};
use crate::error::{ApiError, ApiResult};
use crate::types::value::MAX_NESTING_DEPTH;
use crate::types::AttributeValue;

/// DynamoDB's limit on operators and functions in one expression.
pub const MAX_OPERATORS: usize = 300;
/// DynamoDB's limit on the operands of one IN.
pub const MAX_IN_OPERANDS: usize = 100;
/// Largest list index DynamoDB accepts in a path.
const MAX_LIST_INDEX: u64 = i32::MAX as u64;

const VALID_TYPES: &str = "{N,BS,L,B,NULL,M,S,SS,NS,BOOL}";
/// DynamoDB's complaint when attribute_type's type is not a value (it lists
/// its internal type names).
const ATTRIBUTE_TYPE_OPERAND: &str = "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {DICT,HDS,DOUBLE,NS,FS,M,B,DECIMAL,BOOL,BS,NULL,HD,SS,L,S,N,INTSET,DECIMALSET,FLOAT,DOUBLESET,INT}";
const CONDITION_FUNCTIONS: [&str; 6] =
    ["attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains", "size"];
const UPDATE_FUNCTIONS: [&str; 2] = ["if_not_exists", "list_append"];

pub struct Resolver<'a> {
    /// The request parameter, for messages ("ConditionExpression").
    label: &'static str,
    attrs: &'a mut ExpressionAttributes,
    operators: usize,
}

/// `{N:5}` as DynamoDB shows a value inside a message: the request's value,
/// a number as written (`{N:1E+2}`, as DynamoDB Local answers).
fn show(value: &AttributeValue) -> String {
    let inner = match value {
        AttributeValue::S(s) => s.clone(),
        AttributeValue::N(n) => n.written().into_owned(),
        // DynamoDB prints binary as the Java buffer holding it.
        AttributeValue::B(b) => format!("java.nio.HeapByteBuffer[pos=0 lim={0} cap={0}]", b.len()),
        other => other.to_json().to_string(),
    };
    format!("AttributeValue: {{{}:{inner}}}", value.type_name())
}

/// The long type names of ADD / DELETE operand messages.
fn is_set(value: &AttributeValue) -> bool {
    matches!(value, AttributeValue::SS(_) | AttributeValue::NS(_) | AttributeValue::BS(_))
}

/// Whether an expression's fault is one DynamoDB Local reports as soon as it
/// reads the expression: its text (empty, too long, a syntax error, a
/// reserved word), or a name or value the request does not define. Its
/// other faults (operand types, BETWEEN bounds, ...) in a
/// KeyConditionExpression come after the FilterExpression's and
/// ProjectionExpression's faults of either kind (the differential run,
/// 2026-12-05: a filter's undefined value or wrong operand type, overlapping
/// projection paths, each before a key condition's reversed bounds or wrong
/// `begins_with` operand).
pub fn reported_at_once(error: &ApiError) -> bool {
    const AT_ONCE: [&str; 5] = [
        ": Syntax error;",
        "is not defined; attribute",
        "is a reserved keyword;",
        "The expression can not be empty;",
        "Expression size has exceeded",
    ];
    AT_ONCE.iter().any(|fault| error.message.contains(fault))
}

impl<'a> Resolver<'a> {
    pub fn new(label: &'static str, attrs: &'a mut ExpressionAttributes) -> Resolver<'a> {
        Resolver { label, attrs, operators: 0 }
    }

    pub fn error(&self, reason: impl AsRef<str>) -> ApiError {
        ApiError::validation(format!("Invalid {}: {}", self.label, reason.as_ref()))
    }

    fn count_operator(&mut self) -> ApiResult<()> {
        self.operators += 1;
        if self.operators > MAX_OPERATORS {
            return Err(
                self.error(format!("The expression contains too many operators; operator count: {}", self.operators))
            );
        }
        Ok(())
    }

    fn wrong_operand_type(&self, function: &str, value: &AttributeValue) -> ApiError {
        self.error(format!(
            "Incorrect operand type for operator or function; operator or function: {function}, operand type: {}",
            value.type_name()
        ))
    }

    fn arity(&self, function: &str, args: &[RawOperand], expected: usize) -> ApiResult<()> {
        if args.len() != expected {
            return Err(self.error(format!(
                "Incorrect number of operands for operator or function; operator or function: {function}, number of operands: {}",
                args.len()
            )));
        }
        Ok(())
    }

    pub fn path(&mut self, raw: &[RawElement]) -> ApiResult<DocPath> {
        let mut out = Vec::with_capacity(raw.len());
        for element in raw {
            out.push(match element {
                RawElement::Name(name) => {
                    if is_reserved(name) {
                        return Err(
                            self.error(format!("Attribute name is a reserved keyword; reserved keyword: {name}"))
                        );
                    }
                    PathElement::Attribute(name.clone())
                }
                RawElement::Placeholder(p) => match self.attrs.name(p) {
                    Some(name) => PathElement::Attribute(name),
                    None => {
                        return Err(self.error(format!(
                            "An expression attribute name used in the document path is not defined; attribute name: {p}"
                        )))
                    }
                },
                RawElement::Index(digits) => {
                    let index = if digits.len() > 18 { u64::MAX } else { digits.parse::<u64>().unwrap_or(u64::MAX) };
                    if index > MAX_LIST_INDEX {
                        return Err(
                            self.error(format!("List index is not within the allowable range; index: [{digits}]"))
                        );
                    }
                    PathElement::Index(index as usize)
                }
            });
        }
        if out.len() > MAX_NESTING_DEPTH {
            return Err(
                self.error(format!("The document path has too many nesting levels; nesting levels: {}", out.len()))
            );
        }
        Ok(DocPath(out))
    }

    fn value(&mut self, placeholder: &str) -> ApiResult<AttributeValue> {
        self.attrs.value(placeholder).ok_or_else(|| {
            self.error(format!(
                "An expression attribute value used in expression is not defined; attribute value: {placeholder}"
            ))
        })
    }

    /// DynamoDB rejects `a = a`, `a BETWEEN a AND b`, `begins_with(a, a)`.
    fn distinct(&self, operator: &str, first: &Operand, rest: &[&Operand]) -> ApiResult<()> {
        if let Operand::Path(p) = first {
            if rest.iter().any(|o| matches!(o, Operand::Path(q) if q == p)) {
                return Err(self.error(format!(
                    "The first operand must be distinct from the remaining operands for this operator or function; operator: {operator}, first operand: {p}"
                )));
            }
        }
        Ok(())
    }

    fn requires_path(&self, function: &str) -> ApiError {
        self.error(format!("Operator or function requires a document path; operator or function: {function}"))
    }

    // ---- conditions ----

    fn redundant(&self, inner: &RawOperand) -> ApiResult<()> {
        if matches!(inner, RawOperand::Parens(_)) {
            return Err(self.error("The expression has redundant parentheses;"));
        }
        Ok(())
    }

    fn operand(&mut self, raw: &RawOperand) -> ApiResult<Operand> {
        match raw {
            RawOperand::Parens(inner) => {
                self.redundant(inner)?;
                self.operand(inner)
            }
            RawOperand::Path(p) => Ok(Operand::Path(self.path(p)?)),
            RawOperand::Value(v) => Ok(Operand::Value(self.value(v)?)),
            RawOperand::Call(name, args) if name == "size" => {
                self.count_operator()?;
                self.arity(name, args, 1)?;
                let arg = self.operand(&args[0])?;
                if let Operand::Value(v) = &arg {
                    if matches!(v, AttributeValue::N(_) | AttributeValue::Bool(_) | AttributeValue::Null) {
                        return Err(self.wrong_operand_type(name, v));
                    }
                }
                Ok(Operand::Size(Box::new(arg)))
            }
            RawOperand::Call(name, _) => Err(self.unusable_function(name)),
            // The condition grammar has no arithmetic; the parser never builds it here.
            RawOperand::Arith(_, op, _) => Err(self.error(format!("Syntax error; token: \"{op}\""))),
        }
    }

    fn unusable_function(&self, name: &str) -> ApiError {
        if UPDATE_FUNCTIONS.contains(&name) {
            self.error(format!("The function is not allowed in a condition expression; function: {name}"))
        } else if CONDITION_FUNCTIONS.contains(&name) {
            self.error(format!("The function is not allowed to be used this way in an expression; function: {name}"))
        } else {
            self.error(format!("Invalid function name; function: {name}"))
        }
    }

    /// Comparison operands other than `=`/`<>` must be scalars that order.
    fn check_ordered(&self, op: &str, operand: &Operand) -> ApiResult<()> {
        if let Operand::Value(v) = operand {
            if !matches!(v, AttributeValue::S(_) | AttributeValue::N(_) | AttributeValue::B(_)) {
                return Err(self.wrong_operand_type(op, v));
            }
        }
        Ok(())
    }

    pub fn condition(&mut self, raw: &RawCondition) -> ApiResult<Condition> {
        Ok(match raw {
            RawCondition::Parens(inner) => {
                if matches!(**inner, RawCondition::Parens(_)) {
                    return Err(self.error("The expression has redundant parentheses;"));
                }
                self.condition(inner)?
            }
            RawCondition::And(..) | RawCondition::Or(..) => {
                // Chains are left-deep; walk the spine in a loop, not by recursion.
                let mut spine = Vec::new();
                let mut node = raw;
                while let RawCondition::And(l, r) | RawCondition::Or(l, r) = node {
                    self.count_operator()?;
                    spine.push((matches!(node, RawCondition::And(..)), r));
                    node = l;
                }
                let mut acc = self.condition(node)?;
                for (is_and, right) in spine.into_iter().rev() {
                    let right = self.condition(right)?;
                    acc = join(is_and, acc, right);
                }
                acc
            }
            RawCondition::Not(_) => {
                let mut nots = 0;
                let mut node = raw;
                while let RawCondition::Not(inner) = node {
                    self.count_operator()?;
                    nots += 1;
                    node = inner;
                }
                let mut acc = self.condition(node)?;
                for _ in 0..nots {
                    acc = Condition::Not(Box::new(acc));
                }
                acc
            }
            RawCondition::Compare(l, op, r) => {
                self.count_operator()?;
                let l = self.operand(l)?;
                let r = self.operand(r)?;
                self.distinct(op.symbol(), &l, &[&r])?;
                if !matches!(op, Comparator::Eq | Comparator::Ne) {
                    self.check_ordered(op.symbol(), &l)?;
                    self.check_ordered(op.symbol(), &r)?;
                }
                Condition::Compare(l, *op, r)
            }
            RawCondition::Between(a, lo, hi) => {
                self.count_operator()?;
                let a = self.operand(a)?;
                let lo = self.operand(lo)?;
                let hi = self.operand(hi)?;
                self.distinct("BETWEEN", &a, &[&lo, &hi])?;
                for operand in [&a, &lo, &hi] {
                    self.check_ordered("BETWEEN", operand)?;
                }
                if let (Operand::Value(low), Operand::Value(high)) = (&lo, &hi) {
                    if low.type_name() != high.type_name() {
                        return Err(self.error(format!(
                            "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: {}, upper bound operand: {}",
                            show(low),
                            show(high)
                        )));
                    }
                    if super::eval::compare_values(low, high) == Some(std::cmp::Ordering::Greater) {
                        return Err(self.error(format!(
                            "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: {}, upper bound operand: {}",
                            show(low),
                            show(high)
                        )));
                    }
                }
                Condition::Between(a, lo, hi)
            }
            RawCondition::In(a, list) => {
                self.count_operator()?;
                if list.len() > MAX_IN_OPERANDS {
                    return Err(self.error(format!(
                        "The IN operator is provided with too many operands; number of operands: {}",
                        list.len()
                    )));
                }
                let a = self.operand(a)?;
                let list = list.iter().map(|o| self.operand(o)).collect::<ApiResult<Vec<_>>>()?;
                self.distinct("IN", &a, &list.iter().collect::<Vec<_>>())?;
                Condition::In(a, list)
            }
            RawCondition::Call(name, args) => self.function_condition(name, args)?,
        })
    }

    fn function_condition(&mut self, name: &str, args: &[RawOperand]) -> ApiResult<Condition> {
        let function = match name {
            "attribute_exists" | "attribute_not_exists" | "attribute_type" | "begins_with" | "contains" => name,
            _ => return Err(self.unusable_function(name)),
        };
        self.count_operator()?;
        let expected = if function.starts_with("attribute_") && function != "attribute_type" { 1 } else { 2 };
        self.arity(function, args, expected)?;
        match function {
            "attribute_exists" | "attribute_not_exists" | "attribute_type" => {
                let RawOperand::Path(raw) = args[0].unwrapped() else { return Err(self.requires_path(function)) };
                let path = self.path(raw)?;
                Ok(match function {
                    "attribute_exists" => Condition::AttributeExists(path),
                    "attribute_not_exists" => Condition::AttributeNotExists(path),
                    _ => {
                        let kind = self.operand(&args[1])?;
                        if !matches!(kind, Operand::Value(_)) {
                            return Err(self.error(ATTRIBUTE_TYPE_OPERAND));
                        }
                        if let Operand::Value(v) = &kind {
                            match v {
                                AttributeValue::S(t) => {
                                    if !["N", "BS", "L", "B", "NULL", "M", "S", "SS", "NS", "BOOL"]
                                        .contains(&t.as_str())
                                    {
                                        return Err(self.error(format!(
                                            "Invalid attribute type name found; type: {t}, valid types: {VALID_TYPES}"
                                        )));
                                    }
                                }
                                other => return Err(self.wrong_operand_type(function, other)),
                            }
                        }
                        Condition::AttributeType(path, kind)
                    }
                })
            }
            "begins_with" => {
                let a = self.operand(&args[0])?;
                let b = self.operand(&args[1])?;
                self.distinct(function, &a, &[&b])?;
                for operand in [&a, &b] {
                    if let Operand::Value(v) = operand {
                        if !matches!(v, AttributeValue::S(_) | AttributeValue::B(_)) {
                            return Err(self.wrong_operand_type(function, v));
                        }
                    }
                }
                Ok(Condition::BeginsWith(a, b))
            }
            _ => {
                let a = self.operand(&args[0])?;
                let b = self.operand(&args[1])?;
                self.distinct(function, &a, &[&b])?;
                Ok(Condition::Contains(a, b))
            }
        }
    }

    // ---- updates ----

    pub fn update(&mut self, raw: &RawUpdate) -> ApiResult<UpdateExpression> {
        let mut seen: Vec<Section> = Vec::new();
        for (section, _) in &raw.sections {
            if seen.contains(section) {
                return Err(self.error(format!(
                    "The \"{}\" section can only be used once in an update expression;",
                    section.keyword()
                )));
            }
            seen.push(*section);
        }
        let mut actions = Vec::new();
        for (_, raw_actions) in &raw.sections {
            for action in raw_actions {
                actions.push(match action {
                    RawAction::Set(path, value) => {
                        let path = self.path(path)?;
                        UpdateAction::Set(path, self.update_value(value)?)
                    }
                    RawAction::Remove(path) => UpdateAction::Remove(self.path(path)?),
                    RawAction::Add(path, value) => {
                        let path = self.path(path)?;
                        let value = self.value(value)?;
                        if !matches!(value, AttributeValue::N(_)) && !is_set(&value) {
                            return Err(self.error(format!(
                                "Incorrect operand type for operator or function; operator: ADD, operand type: {}, typeSet: ALLOWED_FOR_ADD_OPERAND",
                                value.long_type_name()
                            )));
                        }
                        UpdateAction::Add(path, value)
                    }
                    RawAction::Delete(path, value) => {
                        let path = self.path(path)?;
                        let value = self.value(value)?;
                        if !is_set(&value) {
                            return Err(self.error(format!(
                                "Incorrect operand type for operator or function; operator: DELETE, operand type: {}, typeSet: ALLOWED_FOR_DELETE_OPERAND",
                                value.long_type_name()
                            )));
                        }
                        UpdateAction::Delete(path, value)
                    }
                });
            }
        }
        let paths: Vec<&DocPath> = actions.iter().map(UpdateAction::path).collect();
        check_overlaps(&paths).map_err(|reason| self.error(reason))?;
        Ok(UpdateExpression { actions, legacy: false })
    }

    fn update_value(&mut self, raw: &RawOperand) -> ApiResult<UpdateValue> {
        match raw {
            RawOperand::Parens(inner) => {
                self.redundant(inner)?;
                self.update_value(inner)
            }
            RawOperand::Path(p) => Ok(UpdateValue::Path(self.path(p)?)),
            RawOperand::Value(v) => Ok(UpdateValue::Value(self.value(v)?)),
            RawOperand::Arith(l, op, r) => {
                self.count_operator()?;
                let l = self.update_value(l)?;
                let r = self.update_value(r)?;
                for side in [&l, &r] {
                    if let UpdateValue::Value(v) = side {
                        if !matches!(v, AttributeValue::N(_)) {
                            return Err(self.wrong_operand_type(&op.to_string(), v));
                        }
                    }
                }
                Ok(if *op == '+' {
                    UpdateValue::Plus(Box::new(l), Box::new(r))
                } else {
                    UpdateValue::Minus(Box::new(l), Box::new(r))
                })
            }
            RawOperand::Call(name, args) => match name.as_str() {
                "if_not_exists" => {
                    self.count_operator()?;
                    self.arity(name, args, 2)?;
                    let RawOperand::Path(p) = args[0].unwrapped() else { return Err(self.requires_path(name)) };
                    let path = self.path(p)?;
                    Ok(UpdateValue::IfNotExists(path, Box::new(self.update_value(&args[1])?)))
                }
                "list_append" => {
                    self.count_operator()?;
                    self.arity(name, args, 2)?;
                    let a = self.update_value(&args[0])?;
                    let b = self.update_value(&args[1])?;
                    for side in [&a, &b] {
                        if let UpdateValue::Value(v) = side {
                            if !matches!(v, AttributeValue::L(_)) {
                                return Err(self.wrong_operand_type(name, v));
                            }
                        }
                    }
                    Ok(UpdateValue::ListAppend(Box::new(a), Box::new(b)))
                }
                _ if CONDITION_FUNCTIONS.contains(&name.as_str()) => {
                    Err(self.error(format!("The function is not allowed in an update expression; function: {name}")))
                }
                _ => Err(self.error(format!("Invalid function name; function: {name}"))),
            },
        }
    }

    // ---- projections ----

    pub fn projection(&mut self, raw: &[Vec<RawElement>]) -> ApiResult<Projection> {
        let paths = raw.iter().map(|p| self.path(p)).collect::<ApiResult<Vec<_>>>()?;
        check_overlaps(&paths.iter().collect::<Vec<_>>()).map_err(|reason| self.error(reason))?;
        Ok(Projection { paths })
    }
}

/// `a AND b` with n-ary flattening (so evaluation needs no deep recursion).
fn join(is_and: bool, left: Condition, right: Condition) -> Condition {
    match (is_and, left) {
        (true, Condition::And(mut list)) => {
            list.push(right);
            Condition::And(list)
        }
        (false, Condition::Or(mut list)) => {
            list.push(right);
            Condition::Or(list)
        }
        (true, left) => Condition::And(vec![left, right]),
        (false, left) => Condition::Or(vec![left, right]),
    }
}

/// Two paths of one update or projection may not overlap (one a prefix of
/// the other) nor conflict (a map key where the other has a list index).
pub fn check_overlaps(paths: &[&DocPath]) -> Result<(), String> {
    for (i, one) in paths.iter().enumerate() {
        for two in &paths[i + 1..] {
            let mut diverged = false;
            for (a, b) in one.0.iter().zip(two.0.iter()) {
                if a == b {
                    continue;
                }
                if matches!(
                    (a, b),
                    (PathElement::Attribute(_), PathElement::Index(_))
                        | (PathElement::Index(_), PathElement::Attribute(_))
                ) {
                    return Err(format!(
                        "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: {one}, path two: {two}"
                    ));
                }
                diverged = true;
                break;
            }
            if !diverged {
                return Err(format!(
                    "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: {one}, path two: {two}"
                ));
            }
        }
    }
    Ok(())
}
