//! Applying a ProjectionExpression (or AttributesToGet) to an item: only the
//! named paths are kept; list elements picked by index are returned in
//! index order, packed together, as DynamoDB returns them.

use super::ast::{DocPath, PathElement, Projection};
use super::eval::lookup;
use crate::types::{AttributeValue, Item};
use std::collections::BTreeMap;

enum Node {
    Leaf(AttributeValue),
    Map(BTreeMap<String, Node>),
    List(BTreeMap<usize, Node>),
}

impl Node {
    fn into_value(self) -> AttributeValue {
        match self {
            Node::Leaf(v) => v,
            Node::Map(m) => AttributeValue::M(m.into_iter().map(|(k, n)| (k, n.into_value())).collect()),
            Node::List(l) => AttributeValue::L(l.into_values().map(Node::into_value).collect()),
        }
    }
}

/// Inserts `value` at `rest` below `node` (paths of one projection never overlap).
fn insert(node: &mut Node, rest: &[PathElement], value: AttributeValue) {
    let Some((first, rest)) = rest.split_first() else {
        *node = Node::Leaf(value);
        return;
    };
    let child = match (first, &mut *node) {
        (PathElement::Attribute(name), Node::Map(map)) => map.entry(name.clone()).or_insert_with(|| empty_for(rest)),
        (PathElement::Index(i), Node::List(list)) => list.entry(*i).or_insert_with(|| empty_for(rest)),
        // A leaf already covers this path (not possible for validated projections).
        _ => return,
    };
    insert(child, rest, value);
}

fn empty_for(rest: &[PathElement]) -> Node {
    match rest.first() {
        Some(PathElement::Index(_)) => Node::List(BTreeMap::new()),
        _ => Node::Map(BTreeMap::new()),
    }
}

/// The parts of `item` that `projection` names.
pub fn project(item: &Item, projection: &Projection) -> Item {
    project_paths(item, &projection.paths)
}

pub fn project_paths(item: &Item, paths: &[DocPath]) -> Item {
    let mut root = Node::Map(BTreeMap::new());
    for path in paths {
        if let Some(value) = lookup(item, path) {
            insert(&mut root, &path.0, value.clone());
        }
    }
    match root.into_value() {
        AttributeValue::M(m) => m,
        _ => Item::new(),
    }
}
