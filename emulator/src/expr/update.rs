//! Applying an update (UpdateExpression or legacy AttributeUpdates) to an
//! item. Every SET value is computed from the item as it was before the
//! update; the actions then apply in order SET, REMOVE, ADD, DELETE (their
//! paths never overlap, so the order only matters for list positions:
//! REMOVE takes higher list indexes first, so indexes refer to the old list).

use super::ast::{DocPath, PathElement, UpdateAction, UpdateExpression, UpdateValue};
use super::eval::lookup;
use crate::error::{ApiError, ApiResult};
use crate::types::{AttributeValue, Item, KeySchema};
use std::collections::BTreeSet;

fn missing_attribute() -> ApiError {
    ApiError::validation("The provided expression refers to an attribute that does not exist in the item")
}

fn wrong_type() -> ApiError {
    ApiError::validation("An operand in the update expression has an incorrect data type")
}

fn invalid_path() -> ApiError {
    ApiError::validation("The document path provided in the update expression is invalid for update")
}

/// Rejects an update touching a key attribute of the table.
pub fn check_key_attributes(update: &UpdateExpression, schema: &KeySchema) -> ApiResult<()> {
    for action in &update.actions {
        let top = action.path().top();
        if schema.is_key_attribute(top) {
            return Err(ApiError::validation(format!(
                "One or more parameter values were invalid: Cannot update attribute {top}. This attribute is part of the key"
            )));
        }
    }
    Ok(())
}

/// What `UPDATED_OLD` / `UPDATED_NEW` return from one version of the item:
/// each top-level attribute holding an updated path that exists in that
/// version (so a removed attribute is in UPDATED_OLD only, and a list
/// element appended past the end is in neither), as DynamoDB Local does.
pub fn updated_attributes(update: &UpdateExpression, version: &Item) -> Item {
    let tops: BTreeSet<&str> = update
        .actions
        .iter()
        .map(UpdateAction::path)
        .filter(|p| lookup(version, p).is_some())
        .map(DocPath::top)
        .collect();
    version.iter().filter(|(k, _)| tops.contains(k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// Applies `update` to `item` (the current item, or just the key attributes
/// when the item does not exist yet) and returns the new item.
pub fn apply(update: &UpdateExpression, item: &Item) -> ApiResult<Item> {
    apply_actions(update, item).map_err(|e| {
        if update.legacy && e.message == wrong_type().message {
            ApiError::validation("Type mismatch for attribute to update")
        } else {
            e
        }
    })
}

fn apply_actions(update: &UpdateExpression, item: &Item) -> ApiResult<Item> {
    // SET values are computed against the item before any change.
    let mut sets = Vec::new();
    for action in &update.actions {
        if let UpdateAction::Set(path, value) = action {
            sets.push((path, compute(value, item)?));
        }
    }
    // Appends past the end of a list land in index order, whatever the
    // order written (`SET l[5] = :a, l[4] = :b` appends :b then :a).
    sets.sort_by(|a, b| a.0.cmp(b.0));
    let mut new = item.clone();
    for (path, value) in sets {
        set_path(&mut new, path, value)?;
    }
    let mut removes: Vec<&DocPath> = update
        .actions
        .iter()
        .filter_map(|a| match a {
            UpdateAction::Remove(p) => Some(p),
            _ => None,
        })
        .collect();
    removes.sort_by(|a, b| b.cmp(a));
    for path in removes {
        remove_path(&mut new, path)?;
    }
    for action in &update.actions {
        match action {
            UpdateAction::Add(path, value) => add(&mut new, path, value)?,
            UpdateAction::Delete(path, value) => delete(&mut new, path, value)?,
            _ => {}
        }
    }
    Ok(new)
}

/// The value of a SET action's right-hand side.
fn compute(value: &UpdateValue, item: &Item) -> ApiResult<AttributeValue> {
    match value {
        UpdateValue::Path(p) => lookup(item, p).cloned().ok_or_else(missing_attribute),
        UpdateValue::Value(v) => Ok(v.clone()),
        UpdateValue::IfNotExists(p, fallback) => match lookup(item, p) {
            Some(v) => Ok(v.clone()),
            None => compute(fallback, item),
        },
        UpdateValue::ListAppend(a, b) => match (compute(a, item)?, compute(b, item)?) {
            (AttributeValue::L(mut a), AttributeValue::L(b)) => {
                a.extend(b);
                Ok(AttributeValue::L(a))
            }
            _ => Err(wrong_type()),
        },
        UpdateValue::Plus(a, b) | UpdateValue::Minus(a, b) => match (compute(a, item)?, compute(b, item)?) {
            (AttributeValue::N(a), AttributeValue::N(b)) => {
                let result = if matches!(value, UpdateValue::Plus(..)) { a.checked_add(&b) } else { a.checked_sub(&b) };
                result.map(AttributeValue::N).map_err(|e| ApiError::validation(e.message()))
            }
            _ => Err(wrong_type()),
        },
    }
}

/// The container holding the last element of `path` (which must exist).
fn parent_mut<'a>(item: &'a mut Item, path: &DocPath) -> ApiResult<Option<&'a mut AttributeValue>> {
    let Some((_, parents)) = path.0.split_last() else { return Err(invalid_path()) };
    let Some((first, rest)) = parents.split_first() else { return Ok(None) };
    let PathElement::Attribute(name) = first else { return Err(invalid_path()) };
    let mut current = item.get_mut(name).ok_or_else(invalid_path)?;
    for element in rest {
        current = match (element, current) {
            (PathElement::Attribute(name), AttributeValue::M(map)) => map.get_mut(name).ok_or_else(invalid_path)?,
            (PathElement::Index(i), AttributeValue::L(list)) => list.get_mut(*i).ok_or_else(invalid_path)?,
            _ => return Err(invalid_path()),
        };
    }
    Ok(Some(current))
}

/// Sets the value at `path`; a list index past the end appends.
pub fn set_path(item: &mut Item, path: &DocPath, value: AttributeValue) -> ApiResult<()> {
    let last = path.0.last().ok_or_else(invalid_path)?;
    match (parent_mut(item, path)?, last) {
        (None, PathElement::Attribute(name)) => {
            item.insert(name.clone(), value);
        }
        (Some(AttributeValue::M(map)), PathElement::Attribute(name)) => {
            map.insert(name.clone(), value);
        }
        (Some(AttributeValue::L(list)), PathElement::Index(i)) => {
            if *i < list.len() {
                list[*i] = value;
            } else {
                list.push(value);
            }
        }
        _ => return Err(invalid_path()),
    }
    Ok(())
}

/// Removes the value at `path`; removing something absent changes nothing,
/// but the parent must exist.
pub fn remove_path(item: &mut Item, path: &DocPath) -> ApiResult<()> {
    let last = path.0.last().ok_or_else(invalid_path)?;
    match (parent_mut(item, path)?, last) {
        (None, PathElement::Attribute(name)) => {
            item.remove(name);
        }
        (Some(AttributeValue::M(map)), PathElement::Attribute(name)) => {
            map.remove(name);
        }
        (Some(AttributeValue::L(list)), PathElement::Index(i)) => {
            if *i < list.len() {
                list.remove(*i);
            }
        }
        _ => return Err(invalid_path()),
    }
    Ok(())
}

fn union<T: Clone + PartialEq>(into: &mut Vec<T>, more: &[T]) {
    for v in more {
        if !into.contains(v) {
            into.push(v.clone());
        }
    }
}

/// ADD: adds to a number, or adds elements to a set; creates the attribute
/// when it is absent.
pub fn add(item: &mut Item, path: &DocPath, value: &AttributeValue) -> ApiResult<()> {
    use AttributeValue::*;
    let current = lookup(item, path).cloned();
    let updated = match (current, value) {
        (None, v) => v.clone(),
        (Some(N(a)), N(b)) => N(a.checked_add(b).map_err(|e| ApiError::validation(e.message()))?),
        (Some(SS(mut a)), SS(b)) => {
            union(&mut a, b);
            SS(a)
        }
        (Some(NS(mut a)), NS(b)) => {
            union(&mut a, b);
            NS(a)
        }
        (Some(BS(mut a)), BS(b)) => {
            union(&mut a, b);
            BS(a)
        }
        _ => return Err(wrong_type()),
    };
    set_path(item, path, updated)
}

/// DELETE: removes elements from a set; a set left empty is removed.
pub fn delete(item: &mut Item, path: &DocPath, value: &AttributeValue) -> ApiResult<()> {
    use AttributeValue::*;
    let Some(current) = lookup(item, path).cloned() else { return Ok(()) };
    let (updated, empty) = match (current, value) {
        (SS(mut a), SS(b)) => {
            a.retain(|v| !b.contains(v));
            let empty = a.is_empty();
            (SS(a), empty)
        }
        (NS(mut a), NS(b)) => {
            a.retain(|v| !b.contains(v));
            let empty = a.is_empty();
            (NS(a), empty)
        }
        (BS(mut a), BS(b)) => {
            a.retain(|v| !b.contains(v));
            let empty = a.is_empty();
            (BS(a), empty)
        }
        _ => return Err(wrong_type()),
    };
    if empty {
        remove_path(item, path)
    } else {
        set_path(item, path, updated)
    }
}
