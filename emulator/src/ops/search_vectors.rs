//! SearchVectors: the `TopK` nearest neighbours of `SearchVector` in a
//! vector index, by the index's distance function, exactly (every indexed
//! vector is scored: `storage::vector`).
//!
//! The request's rules are the API reference's (`SearchVectors`:
//! `SearchConditionExpression` may reference only the search schema's
//! top-level attributes, equality only for the HASH attribute, which must
//! be given; results sorted most similar first; no pagination), with what
//! Alternator's test suite observed on DynamoDB (test/alternator/test_vector.py):
//! `TopK` from 1 to 100, the HASH attribute required, NOT refused, constants
//! of the attribute's defined type, a search vector element that is not a
//! 32-bit float answered "All values in the search vector must be a 32-bit
//! floating-point number attribute", unprojected attributes in a
//! ProjectionExpression simply absent, the vector itself shown only when
//! asked for, rebuilt from its 32-bit floats. Equally near items come in
//! table key order (the emulator's choice: DynamoDB's search is approximate).

use crate::error::{ApiError, ApiResult};
use crate::expr::ast::{Comparator, Condition, Operand};
use crate::expr::eval::evaluate;
use crate::expr::projection::project;
use crate::expr::request::read_attributes;
use crate::expr::{parse_condition, parse_projection, ExpressionKind, Projection};
use crate::input::{Input, RequestEnum, ReturnConsumedCapacity, Violations};
use crate::state::State;
use crate::storage::vector::{float_number, read_floats, SearchRole, VectorIndexDef};
use crate::types::{item_to_json, AttributeValue, Item, KeyValue};
use serde_json::{json, Value};

/// `TopK` at most (DynamoDB's, as Alternator's test_searchvectors_topk_too_large found it).
pub const MAX_TOP_K: i64 = 100;

/// A SearchVectors request, validated as far as it can be without the table.
pub struct SearchVectorsRequest<'a> {
    pub table_name: &'a str,
    pub index_name: &'a str,
    pub vector: Vec<f32>,
    pub top_k: usize,
    pub condition: Option<Condition>,
    pub projection: Option<Projection>,
    pub capacity: ReturnConsumedCapacity,
}

impl<'a> SearchVectorsRequest<'a> {
    pub fn read(input: Input<'a>) -> ApiResult<SearchVectorsRequest<'a>> {
        let table_name = input.str("TableName")?;
        let index_name = input.str("IndexName")?;
        let vector = input.list("SearchVector")?;
        let top_k = input.int("TopK")?;
        let mut v = Violations::new();
        v.table_name("tableName", table_name);
        v.table_name("indexName", index_name);
        v.not_null("searchVector", &vector);
        v.not_null("topK", &top_k);
        v.range("topK", top_k, 1, Some(MAX_TOP_K));
        let capacity = ReturnConsumedCapacity::read(&input, &mut v)?.unwrap_or_default();
        v.finish()?;
        let values =
            vector.into_iter().flatten().map(AttributeValue::from_json).collect::<ApiResult<Vec<AttributeValue>>>()?;
        let vector = read_floats(&values).map_err(|_| {
            ApiError::validation("All values in the search vector must be a 32-bit floating-point number attribute")
        })?;
        let mut attrs = read_attributes(&input, &["ProjectionExpression", "SearchConditionExpression"], true)?;
        let condition = input
            .str("SearchConditionExpression")?
            .map(|src| parse_condition(ExpressionKind::SearchCondition, src, &mut attrs))
            .transpose()?;
        let projection = input.str("ProjectionExpression")?.map(|src| parse_projection(src, &mut attrs)).transpose()?;
        attrs.check_all_used()?;
        Ok(SearchVectorsRequest {
            table_name: table_name.unwrap_or_default(),
            index_name: index_name.unwrap_or_default(),
            vector,
            top_k: top_k.unwrap_or(1).clamp(1, MAX_TOP_K) as usize,
            condition,
            projection,
            capacity,
        })
    }
}

pub fn search_vectors(state: &State, input: Input) -> ApiResult<Value> {
    let request = SearchVectorsRequest::read(input)?;
    let table = state.serving_table(request.table_name)?;
    let guard = table.inner.read();
    let name = request.index_name;
    let (Some(index), Some(data)) = (guard.def.vector_index(name), guard.data.vector(name)) else {
        // Query's words for an index the table lacks.
        return Err(ApiError::validation(format!("The table does not have the specified index: {name}")));
    };
    if index.backfilled_at.is_some_and(|at| state.clock.now_millis() < at) {
        // The API reference: "The index must be in the ACTIVE state."
        return Err(ApiError::validation(format!(
            "Vector index {name} is not ACTIVE: it is still being created (backfilling)"
        )));
    }
    if request.vector.len() != index.dimensions {
        return Err(ApiError::validation(format!(
            "The search vector has {} dimensions, but vector index {name} has {} dimensions",
            request.vector.len(),
            index.dimensions
        )));
    }
    check_search_condition(request.condition.as_ref(), index)?;

    let key_schema = &guard.def.key_schema;
    let hits = data.search(&request.vector, request.top_k, |stored| match &request.condition {
        Some(condition) => evaluate(condition, Some(&stored.decode())),
        None => true,
    });
    let results: Vec<Value> = hits
        .iter()
        .map(|hit| {
            let mut item = hit.item.decode();
            if let Some(vector) = item.get_mut(&index.attribute) {
                // The index keeps 32-bit floats and answers with them.
                *vector = AttributeValue::L(hit.vector.iter().map(|&x| float_number(x)).collect());
            }
            let shown: Item = match &request.projection {
                Some(projection) => {
                    let stored: Item = item.into_iter().filter(|(attr, _)| index.stores(attr, key_schema)).collect();
                    project(&stored, projection)
                }
                None => item.into_iter().filter(|(attr, _)| index.shows(attr, key_schema)).collect(),
            };
            let score = if hit.score.is_finite() { hit.score } else { hit.score.signum() * f64::MAX };
            json!({ "Item": item_to_json(&shown), "Score": score })
        })
        .collect();
    let mut out = json!({ "SearchResults": results });
    if request.capacity != ReturnConsumedCapacity::None {
        // The API reference names the unit (VectorSearchRequestBytes) but
        // not how it is counted: the emulator reports the vector bytes the
        // search read.
        let bytes = data.item_count() as f64 * 4.0 * index.dimensions as f64;
        out["ConsumedCapacity"] = json!({ "VectorSearchRequestBytes": bytes });
    }
    Ok(out)
}

fn invalid(message: String) -> ApiError {
    ApiError::validation(format!("Invalid SearchConditionExpression: {message}"))
}

/// The condition's checks against the index's search schema: the HASH
/// attribute compared with `=` to a value, as one of the top-level `AND`ed
/// terms, and only there; the other terms comparisons (`=`, `<>`, `<`,
/// `<=`, `>`, `>=`, BETWEEN, IN) of INLINE_FILTER attributes with values of
/// their defined types, joined by AND and OR.
fn check_search_condition(condition: Option<&Condition>, index: &VectorIndexDef) -> ApiResult<()> {
    let mut terms = Vec::new();
    if let Some(condition) = condition {
        conjuncts(condition, &mut terms);
    }
    let hash = index.hash_attribute();
    let mut hash_given = false;
    for term in terms {
        if let (Some(hash), Condition::Compare(a, Comparator::Eq, b)) = (hash, term) {
            let named = |o: &Operand| matches!(o, Operand::Path(p) if p.0.len() == 1 && p.top() == hash.name);
            if named(a) || named(b) {
                let value = if named(a) { b } else { a };
                check_operand(value, index)?;
                check_types(&[a, b], index, true)?;
                hash_given = true;
                continue;
            }
        }
        check_filter(term, index)?;
    }
    match hash {
        Some(hash) if !hash_given => Err(ApiError::validation(format!(
            "SearchConditionExpression must compare the HASH attribute {} of vector index {} to a value with the equality operator (=)",
            hash.name, index.name
        ))),
        _ => Ok(()),
    }
}

/// The terms of a condition's top-level AND.
fn conjuncts<'c>(condition: &'c Condition, out: &mut Vec<&'c Condition>) {
    match condition {
        Condition::And(all) => all.iter().for_each(|c| conjuncts(c, out)),
        other => out.push(other),
    }
}

/// A filter term (the expression parser bounds the nesting).
fn check_filter(condition: &Condition, index: &VectorIndexDef) -> ApiResult<()> {
    match condition {
        Condition::And(all) | Condition::Or(all) => all.iter().try_for_each(|c| check_filter(c, index)),
        Condition::Compare(a, _, b) => check_types(&[a, b], index, false),
        Condition::Between(a, low, high) => check_types(&[a, low, high], index, false),
        Condition::In(a, list) => {
            let mut operands = vec![a];
            operands.extend(list);
            check_types(&operands, index, false)
        }
        Condition::Not(_) => Err(invalid("The NOT operator is not supported".into())),
        other => Err(invalid(format!("Functions are not supported: {}", function_name(other)))),
    }
}

fn function_name(condition: &Condition) -> &'static str {
    match condition {
        Condition::AttributeExists(_) => "attribute_exists",
        Condition::AttributeNotExists(_) => "attribute_not_exists",
        Condition::AttributeType(..) => "attribute_type",
        Condition::BeginsWith(..) => "begins_with",
        Condition::Contains(..) => "contains",
        _ => "",
    }
}

/// A path must be a top-level attribute of the search schema; `size()` is
/// not supported.
fn check_operand(operand: &Operand, index: &VectorIndexDef) -> ApiResult<()> {
    match operand {
        Operand::Value(_) => Ok(()),
        Operand::Size(_) => Err(invalid("Functions are not supported: size".into())),
        Operand::Path(path) => {
            if path.0.len() != 1 {
                return Err(invalid(format!("Only top-level attributes can be referenced; path: {path}")));
            }
            let Some(attr) = index.search_attribute(path.top()) else {
                return Err(invalid(format!(
                    "Attribute {} is not in the SearchSchema of vector index {}",
                    path.top(),
                    index.name
                )));
            };
            if attr.role == SearchRole::Hash {
                return Err(invalid(format!(
                    "Only the equality operator (=) is supported for the HASH attribute {} of vector index {}",
                    attr.name, index.name
                )));
            }
            Ok(())
        }
    }
}

/// The operands of one comparison (`hash_term`: the HASH attribute's
/// equality, already checked): each path checked, each value of the type
/// the compared attribute is defined with.
fn check_types(operands: &[&Operand], index: &VectorIndexDef, hash_term: bool) -> ApiResult<()> {
    let mut kind = None;
    for operand in operands {
        if !hash_term {
            check_operand(operand, index)?;
        }
        if let Operand::Path(path) = operand {
            kind = index.search_attribute(path.top()).map(|a| (a.name.as_str(), a.kind));
        }
    }
    let Some((name, kind)) = kind else { return Ok(()) };
    for operand in operands {
        if let Operand::Value(value) = operand {
            if KeyValue::from_attribute(value).map(|k| k.scalar_type()) != Some(kind) {
                return Err(invalid(format!(
                    "Type mismatch for attribute {name}: expected type {}, actual type {}",
                    kind.as_str(),
                    value.type_name()
                )));
            }
        }
    }
    Ok(())
}
