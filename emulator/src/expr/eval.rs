//! Evaluating conditions and filters against an item. Evaluation never
//! fails: a missing attribute or a type mismatch makes a comparison false,
//! as in DynamoDB. Recursion follows the checked tree, whose depth the
//! parser and the 4 KB expression limit bound.

use super::ast::*;
use crate::types::{AttributeValue, Item, Number};
use std::borrow::Cow;
use std::cmp::Ordering;

/// The value at `path` in `item`, if there is one.
pub fn lookup<'a>(item: &'a Item, path: &DocPath) -> Option<&'a AttributeValue> {
    let mut elements = path.0.iter();
    let mut current = match elements.next()? {
        PathElement::Attribute(name) => item.get(name)?,
        PathElement::Index(_) => return None,
    };
    for element in elements {
        current = match (element, current) {
            (PathElement::Attribute(name), AttributeValue::M(map)) => map.get(name)?,
            (PathElement::Index(i), AttributeValue::L(list)) => list.get(*i)?,
            _ => return None,
        };
    }
    Some(current)
}

/// `size()` of a value: UTF-16 code units of a string (as DynamoDB counts:
/// "a😀b" has size 4), bytes of a binary,
/// elements of a set, list or map; nothing for other types.
pub fn size_of(value: &AttributeValue) -> Option<usize> {
    Some(match value {
        AttributeValue::S(s) => s.encode_utf16().count(),
        AttributeValue::B(b) => b.len(),
        AttributeValue::SS(v) => v.len(),
        AttributeValue::NS(v) => v.len(),
        AttributeValue::BS(v) => v.len(),
        AttributeValue::L(v) => v.len(),
        AttributeValue::M(m) => m.len(),
        _ => return None,
    })
}

pub fn operand<'a>(op: &'a Operand, item: &'a Item) -> Option<Cow<'a, AttributeValue>> {
    match op {
        Operand::Path(p) => lookup(item, p).map(Cow::Borrowed),
        Operand::Value(v) => Some(Cow::Borrowed(v)),
        Operand::Size(inner) => {
            let value = operand(inner, item)?;
            let n = size_of(&value)?;
            Number::parse(&n.to_string()).ok().map(|n| Cow::Owned(AttributeValue::N(n)))
        }
    }
}

/// Ordering between two values of the same orderable type (N, S, B).
pub fn compare_values(a: &AttributeValue, b: &AttributeValue) -> Option<Ordering> {
    match (a, b) {
        (AttributeValue::N(x), AttributeValue::N(y)) => Some(x.cmp(y)),
        (AttributeValue::S(x), AttributeValue::S(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (AttributeValue::B(x), AttributeValue::B(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn same_members<T, F: Fn(&T, &T) -> bool>(a: &[T], b: &[T], eq: F) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| eq(x, y)))
}

/// DynamoDB equality: numbers by value, sets regardless of order, lists and
/// maps element by element; values of different types are never equal.
pub fn values_equal(a: &AttributeValue, b: &AttributeValue) -> bool {
    use AttributeValue::*;
    match (a, b) {
        (SS(x), SS(y)) => same_members(x, y, |p, q| p == q),
        (NS(x), NS(y)) => same_members(x, y, |p, q| p == q),
        (BS(x), BS(y)) => same_members(x, y, |p, q| p == q),
        (L(x), L(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| values_equal(p, q)),
        (M(x), M(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| values_equal(v, w))),
        _ => a == b,
    }
}

/// Whether `item` (absent: an empty item) satisfies `condition`.
pub fn evaluate(condition: &Condition, item: Option<&Item>) -> bool {
    static EMPTY: Item = Item::new();
    eval(condition, item.unwrap_or(&EMPTY))
}

fn eval(condition: &Condition, item: &Item) -> bool {
    match condition {
        Condition::And(all) => all.iter().all(|c| eval(c, item)),
        Condition::Or(any) => any.iter().any(|c| eval(c, item)),
        Condition::Not(_) => {
            let mut negate = false;
            let mut node = condition;
            while let Condition::Not(inner) = node {
                negate = !negate;
                node = inner;
            }
            eval(node, item) != negate
        }
        Condition::Compare(a, op, b) => {
            let (a, b) = (operand(a, item), operand(b, item));
            match op {
                Comparator::Eq => matches!((a, b), (Some(a), Some(b)) if values_equal(&a, &b)),
                Comparator::Ne => !matches!((a, b), (Some(a), Some(b)) if values_equal(&a, &b)),
                _ => {
                    let (Some(a), Some(b)) = (a, b) else { return false };
                    let Some(order) = compare_values(&a, &b) else { return false };
                    match op {
                        Comparator::Lt => order == Ordering::Less,
                        Comparator::Le => order != Ordering::Greater,
                        Comparator::Gt => order == Ordering::Greater,
                        _ => order != Ordering::Less,
                    }
                }
            }
        }
        Condition::Between(a, lo, hi) => {
            let (Some(a), Some(lo), Some(hi)) = (operand(a, item), operand(lo, item), operand(hi, item)) else {
                return false;
            };
            compare_values(&a, &lo).is_some_and(|o| o != Ordering::Less)
                && compare_values(&a, &hi).is_some_and(|o| o != Ordering::Greater)
        }
        Condition::In(a, list) => {
            let Some(a) = operand(a, item) else { return false };
            list.iter().any(|candidate| operand(candidate, item).is_some_and(|c| values_equal(&a, &c)))
        }
        Condition::AttributeExists(p) => lookup(item, p).is_some(),
        Condition::AttributeNotExists(p) => lookup(item, p).is_none(),
        Condition::AttributeType(p, kind) => {
            let (Some(value), Some(kind)) = (lookup(item, p), operand(kind, item)) else { return false };
            matches!(&*kind, AttributeValue::S(t) if t == value.type_name())
        }
        Condition::BeginsWith(a, prefix) => {
            let (Some(a), Some(prefix)) = (operand(a, item), operand(prefix, item)) else { return false };
            match (&*a, &*prefix) {
                (AttributeValue::S(s), AttributeValue::S(p)) => s.starts_with(p.as_str()),
                (AttributeValue::B(s), AttributeValue::B(p)) => s.starts_with(p),
                _ => false,
            }
        }
        Condition::Contains(a, needle) => {
            let (Some(a), Some(needle)) = (operand(a, item), operand(needle, item)) else { return false };
            match (&*a, &*needle) {
                (AttributeValue::S(s), AttributeValue::S(n)) => s.contains(n.as_str()),
                (AttributeValue::B(s), AttributeValue::B(n)) => n.is_empty() || s.windows(n.len()).any(|w| w == n),
                (AttributeValue::SS(set), AttributeValue::S(n)) => set.contains(n),
                (AttributeValue::NS(set), AttributeValue::N(n)) => set.contains(n),
                (AttributeValue::BS(set), AttributeValue::B(n)) => set.contains(n),
                (AttributeValue::L(list), n) => list.iter().any(|e| values_equal(e, n)),
                _ => false,
            }
        }
    }
}
