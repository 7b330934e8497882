//! Checked expression trees: placeholders resolved, functions validated.
//! These are what the evaluator, the updater and the projector work on.

pub use super::syntax::Comparator;
use crate::types::AttributeValue;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathElement {
    Attribute(String),
    Index(usize),
}

/// A document path: `a.b[3].c` is `[a, b, [3], c]`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocPath(pub Vec<PathElement>);

impl DocPath {
    pub fn attribute(name: &str) -> DocPath {
        DocPath(vec![PathElement::Attribute(name.to_string())])
    }

    /// The top-level attribute this path starts at.
    pub fn top(&self) -> &str {
        match self.0.first() {
            Some(PathElement::Attribute(name)) => name,
            _ => "",
        }
    }
}

/// DynamoDB's rendering in messages: `[a, b, [3]]`.
impl fmt::Display for DocPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match e {
                PathElement::Attribute(name) => f.write_str(name)?,
                PathElement::Index(n) => write!(f, "[{n}]")?,
            }
        }
        f.write_str("]")
    }
}

/// A value in a condition.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    Path(DocPath),
    Value(AttributeValue),
    Size(Box<Operand>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    Compare(Operand, Comparator, Operand),
    Between(Operand, Operand, Operand),
    In(Operand, Vec<Operand>),
    /// All must hold (chains are flattened).
    And(Vec<Condition>),
    /// One must hold (chains are flattened).
    Or(Vec<Condition>),
    Not(Box<Condition>),
    AttributeExists(DocPath),
    AttributeNotExists(DocPath),
    AttributeType(DocPath, Operand),
    BeginsWith(Operand, Operand),
    Contains(Operand, Operand),
}

impl Condition {
    /// Every document path the condition reads (Query uses it to refuse
    /// filters on key attributes). Depth is bounded by the parser.
    pub fn paths(&self) -> Vec<&DocPath> {
        let mut out = Vec::new();
        self.collect_paths(&mut out);
        out
    }

    fn collect_paths<'a>(&'a self, out: &mut Vec<&'a DocPath>) {
        match self {
            Condition::Compare(a, _, b) | Condition::BeginsWith(a, b) | Condition::Contains(a, b) => {
                a.collect_paths(out);
                b.collect_paths(out);
            }
            Condition::Between(a, lo, hi) => {
                for o in [a, lo, hi] {
                    o.collect_paths(out);
                }
            }
            Condition::In(a, list) => {
                a.collect_paths(out);
                list.iter().for_each(|o| o.collect_paths(out));
            }
            Condition::And(all) | Condition::Or(all) => all.iter().for_each(|c| c.collect_paths(out)),
            Condition::Not(inner) => inner.collect_paths(out),
            Condition::AttributeExists(p) | Condition::AttributeNotExists(p) => out.push(p),
            Condition::AttributeType(p, kind) => {
                out.push(p);
                kind.collect_paths(out);
            }
        }
    }
}

impl Operand {
    fn collect_paths<'a>(&'a self, out: &mut Vec<&'a DocPath>) {
        match self {
            Operand::Path(p) => out.push(p),
            Operand::Value(_) => {}
            Operand::Size(inner) => inner.collect_paths(out),
        }
    }
}

/// The right-hand side of a SET action.
#[derive(Clone, Debug, PartialEq)]
pub enum UpdateValue {
    Path(DocPath),
    Value(AttributeValue),
    IfNotExists(DocPath, Box<UpdateValue>),
    ListAppend(Box<UpdateValue>, Box<UpdateValue>),
    Plus(Box<UpdateValue>, Box<UpdateValue>),
    Minus(Box<UpdateValue>, Box<UpdateValue>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum UpdateAction {
    Set(DocPath, UpdateValue),
    Remove(DocPath),
    Add(DocPath, AttributeValue),
    Delete(DocPath, AttributeValue),
}

impl UpdateExpression {
    /// Only REMOVE and DELETE actions (or `AttributeUpdates` DELETEs): on a
    /// missing item DynamoDB writes nothing, where any other update creates it.
    pub fn only_deletes(&self) -> bool {
        !self.actions.is_empty()
            && self.actions.iter().all(|a| matches!(a, UpdateAction::Remove(_) | UpdateAction::Delete(..)))
    }
}

impl UpdateAction {
    pub fn path(&self) -> &DocPath {
        match self {
            UpdateAction::Set(p, _)
            | UpdateAction::Remove(p)
            | UpdateAction::Add(p, _)
            | UpdateAction::Delete(p, _) => p,
        }
    }
}

/// An UpdateExpression (or the legacy AttributeUpdates turned into one):
/// actions in the order written.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct UpdateExpression {
    pub actions: Vec<UpdateAction>,
    /// Built from `AttributeUpdates` (whose type errors read differently).
    pub legacy: bool,
}

/// A ProjectionExpression (or AttributesToGet): the paths to keep.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Projection {
    pub paths: Vec<DocPath>,
}
