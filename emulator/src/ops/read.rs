//! What Query and Scan share: `Select` and projection rules, `Limit`,
//! `ExclusiveStartKey` checks, and the page loop that evaluates items in
//! storage order, applies the filter, cuts the page at `Limit` items
//! evaluated or 1 MB read, and answers with `LastEvaluatedKey`.

use super::capacity::{read_units, Consumed};
use crate::error::{ApiError, ApiResult};
use crate::expr::legacy;
use crate::expr::request::{check_parameter_styles, read_attributes, read_projection};
use crate::expr::{parse_condition, Condition, ExpressionKind, Projection};
use crate::input::{CapacityDetail, Input, Violations};
use crate::ops::reply::{ItemJson, ObjectWriter, Reply};
use crate::storage::{IndexData, IndexKind, ProjectionType, StoredItem, TableDef, TableState};
use crate::types::{item_size, Item, PrimaryKey};
use serde_json::json;

/// DynamoDB stops reading a page once it has read 1 MB.
pub const MAX_PAGE_BYTES: usize = 1024 * 1024;

/// Which operation is reading (some messages name it).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Query,
    Scan,
}

/// `Select`: what each returned item holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Select {
    AllAttributes,
    AllProjectedAttributes,
    SpecificAttributes,
    Count,
}

/// What is read: the table, or one of its indexes.
pub struct Target<'a> {
    pub def: &'a TableDef,
    pub index: Option<(&'a IndexData, IndexKind)>,
}

impl<'a> Target<'a> {
    /// Resolves `IndexName` against the table; an index still backfilling
    /// (see `crate::storage::lifecycle`) cannot be read yet.
    pub fn resolve(state: &'a TableState, index_name: Option<&str>, now_millis: i64) -> ApiResult<Target<'a>> {
        let index = match index_name {
            None => None,
            Some(name) => {
                let def = state.def.index(name).ok_or_else(|| {
                    ApiError::validation(format!("The table does not have the specified index: {name}"))
                })?;
                if crate::storage::lifecycle::is_backfilling(def, now_millis) {
                    return Err(ApiError::validation("Cannot read from backfilling global secondary index"));
                }
                let data = state.data.index(name).ok_or_else(|| {
                    ApiError::validation(format!("The table does not have the specified index: {name}"))
                })?;
                Some((data, def.kind))
            }
        };
        Ok(Target { def: &state.def, index })
    }

    pub fn is_global_index(&self) -> bool {
        matches!(self.index, Some((_, IndexKind::Global)))
    }

    /// The key schema reads are ordered and started by.
    pub fn key_schema(&self) -> &'a crate::types::KeySchema {
        match self.index {
            Some((index, _)) => &index.key_schema,
            None => &self.def.key_schema,
        }
    }
}

/// The conditions and projection of a read, from expression parameters or
/// their legacy equivalents (never both).
pub struct ReadExpressions {
    /// Query only: `KeyConditionExpression` parsed (narrowed to the key
    /// schema once the target is known), or `KeyConditions` lowered.
    pub key_condition: Option<Condition>,
    pub filter: Option<Condition>,
    /// `FilterExpression`, `QueryFilter` or `ScanFilter` (for messages).
    pub filter_param: &'static str,
    pub projection: Option<Projection>,
    /// `ProjectionExpression` or `AttributesToGet` (for messages).
    pub projection_param: Option<&'static str>,
}

impl ReadExpressions {
    /// The top-level attributes the projection names.
    pub fn projected_attributes(&self) -> Vec<String> {
        self.projection.iter().flat_map(|p| p.paths.iter().map(|path| path.top().to_string())).collect()
    }

    /// The top-level attributes the filter reads.
    pub fn filtered_attributes(&self) -> Vec<String> {
        self.filter.iter().flat_map(|f| f.paths().into_iter().map(|p| p.top().to_string())).collect()
    }

    /// Shapes a returned item.
    pub fn project(&self, item: Item) -> Item {
        match &self.projection {
            Some(projection) => crate::expr::projection::project(&item, projection),
            None => item,
        }
    }

    pub fn keep(&self, item: &Item) -> bool {
        self.filter.as_ref().is_none_or(|f| crate::expr::eval::evaluate(f, Some(item)))
    }
}

/// Reads and parses the expression (or legacy) parameters of a Query or Scan.
pub fn read_expressions(input: &Input, op: Operation) -> ApiResult<ReadExpressions> {
    let (legacy_params, expression_params, value_params, legacy_filter): (&[&str], &[&str], &[&str], _) = match op {
        Operation::Query => (
            &["AttributesToGet", "ConditionalOperator", "KeyConditions", "QueryFilter"],
            &["ProjectionExpression", "FilterExpression", "KeyConditionExpression"],
            &["FilterExpression", "KeyConditionExpression"],
            "QueryFilter",
        ),
        Operation::Scan => (
            &["AttributesToGet", "ConditionalOperator", "ScanFilter"],
            &["ProjectionExpression", "FilterExpression"],
            &["FilterExpression"],
            "ScanFilter",
        ),
    };
    check_parameter_styles(input, legacy_params, expression_params)?;
    let mut v = Violations::new();
    let conditional_operator = legacy::filter_conditional_operator(input, &mut v)?;
    v.finish()?;
    // A projection alone may use names, but values need a condition.
    let projection_only = input.has("ProjectionExpression") && !value_params.iter().any(|p| input.has(p));
    if projection_only && input.has("ExpressionAttributeValues") {
        let verb = if value_params.len() == 1 { "is" } else { "are" };
        return Err(ApiError::validation(format!(
            "ExpressionAttributeValues can only be specified when using expressions: {} {verb} null",
            value_params.join(" and ")
        )));
    }
    let mut attrs = if projection_only {
        read_attributes(input, &["ProjectionExpression"], false)?
    } else {
        read_attributes(input, value_params, true)?
    };
    let key_condition = match (op, input.str("KeyConditionExpression")?) {
        (Operation::Query, Some(src)) => Some(parse_condition(ExpressionKind::KeyCondition, src, &mut attrs)?),
        (Operation::Query, None) => {
            legacy::filter_conditions(input, "KeyConditions")?.map(legacy::key_condition).transpose()?
        }
        (Operation::Scan, _) => None,
    };
    if conditional_operator.is_some() && !input.has(legacy_filter) {
        return Err(ApiError::validation("ConditionalOperator cannot be used without Filter or Expected"));
    }
    let (filter, filter_param) = match input.str("FilterExpression")? {
        Some(src) => (Some(parse_condition(ExpressionKind::Filter, src, &mut attrs)?), "FilterExpression"),
        None => (legacy::filter(legacy::filter_conditions(input, legacy_filter)?, conditional_operator), legacy_filter),
    };
    let projection = read_projection(input, &mut attrs)?;
    attrs.check_all_used()?;
    let projection_param = projection.as_ref().map(|_| {
        if input.has("ProjectionExpression") {
            "ProjectionExpression"
        } else {
            "AttributesToGet"
        }
    });
    Ok(ReadExpressions { key_condition, filter, filter_param, projection, projection_param })
}

/// The parameters every read shares, validated.
pub struct ReadOptions {
    pub select: Select,
    pub limit: Option<usize>,
    pub consistent: bool,
    pub capacity: CapacityDetail,
    /// Whether items of an LSI are read from the table (all attributes, or
    /// attributes outside the index projection were asked for).
    pub fetch_from_table: bool,
}

/// Reads `Select` and `Limit`, collecting constraint violations.
pub fn select_and_limit(input: &Input, v: &mut Violations) -> ApiResult<(Option<&'static str>, Option<i64>)> {
    let select = input.str("Select")?;
    v.one_of("select", select, &["ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT"]);
    let limit = input.int("Limit")?;
    v.range("limit", limit, 1, None);
    let select = match select {
        Some("ALL_ATTRIBUTES") => Some("ALL_ATTRIBUTES"),
        Some("ALL_PROJECTED_ATTRIBUTES") => Some("ALL_PROJECTED_ATTRIBUTES"),
        Some("SPECIFIC_ATTRIBUTES") => Some("SPECIFIC_ATTRIBUTES"),
        Some("COUNT") => Some("COUNT"),
        _ => None,
    };
    Ok((select, limit))
}

/// Checks `Select` against the projection parameter and the target, as
/// DynamoDB does. `projection_param` names the parameter given, if any
/// (`ProjectionExpression` or `AttributesToGet`); `projected` lists the
/// top-level attributes it names.
pub fn resolve_select(
    select: Option<&str>,
    projection_param: Option<&str>,
    projected: &[String],
    filtered: &[String],
    target: &Target,
) -> ApiResult<(Select, bool)> {
    let select = match (select, projection_param) {
        (None, Some(_)) => Select::SpecificAttributes,
        (None, None) if target.index.is_some() => Select::AllProjectedAttributes,
        (None, None) => Select::AllAttributes,
        (Some("SPECIFIC_ATTRIBUTES"), None) => {
            return Err(ApiError::validation(
                "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES",
            ))
        }
        (Some("SPECIFIC_ATTRIBUTES"), Some(_)) => Select::SpecificAttributes,
        (Some("COUNT"), Some(param)) => {
            return Err(ApiError::validation(format!("Cannot specify the {param} when choosing to get only the Count")))
        }
        (Some("COUNT"), None) => Select::Count,
        (Some("ALL_ATTRIBUTES"), Some(param)) => {
            return Err(ApiError::validation(format!("Cannot specify the {param} when choosing to get ALL_ATTRIBUTES")))
        }
        (Some("ALL_ATTRIBUTES"), None) => Select::AllAttributes,
        (Some(_), Some(param)) => {
            return Err(ApiError::validation(format!(
                "Cannot specify the {param} when choosing to get ALL_PROJECTED_ATTRIBUTES"
            )))
        }
        (Some(_), None) => Select::AllProjectedAttributes,
    };
    // DynamoDB says "Querying" for Scan too.
    if select == Select::AllProjectedAttributes && target.index.is_none() {
        return Err(ApiError::validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"));
    }
    let mut fetch_from_table = false;
    if let Some((index, kind)) = target.index {
        let projects_all = index.projection == ProjectionType::All;
        if select == Select::AllAttributes && !projects_all {
            if kind == IndexKind::Global {
                return Err(ApiError::validation(format!(
                    "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index {} because its projection type is not ALL",
                    index.name
                )));
            }
            fetch_from_table = true;
        }
        // An LSI fetches attributes it does not hold from the table; a GSI cannot.
        let missing: Vec<&str> = projected.iter().filter(|a| !index.projects(a)).map(String::as_str).collect();
        if !missing.is_empty() {
            if kind == IndexKind::Global {
                return Err(ApiError::validation(format!(
                    "One or more parameter values were invalid: Global secondary index {} does not project [{}]",
                    index.name,
                    missing.join(", ")
                )));
            }
            fetch_from_table = true;
        }
        // A filter on attributes an LSI does not hold reads them from the table too.
        if kind == IndexKind::Local && filtered.iter().any(|a| !index.projects(a)) {
            fetch_from_table = true;
        }
    }
    Ok((select, fetch_from_table))
}

/// Checks `ExclusiveStartKey` against the target and turns it into a
/// storage position: (key in the target's order, table key).
/// DynamoDB words a malformed start key differently for Query and Scan.
pub fn start_key(op: Operation, target: &Target, esk: &Item) -> ApiResult<(PrimaryKey, PrimaryKey)> {
    let table_schema = &target.def.key_schema;
    let invalid = || match op {
        Operation::Query => ApiError::validation("The provided starting key is invalid"),
        Operation::Scan => ApiError::validation(
            "The provided starting key is invalid: The provided key element does not match the schema",
        ),
    };
    match target.index {
        None => {
            let expected = table_schema.attributes().count();
            if esk.len() != expected {
                return Err(ApiError::validation("Exclusive Start Key must have same size as table's key schema"));
            }
            let key = table_schema.key_from_request(esk).map_err(|e| start_key_error(e, invalid()))?;
            Ok((key.clone(), key))
        }
        Some((index, _)) => {
            let mut names: Vec<&str> = table_schema.attributes().map(|a| a.name.as_str()).collect();
            names.extend(index.key_schema.attributes().map(|a| a.name.as_str()));
            names.sort_unstable();
            names.dedup();
            if esk.len() != names.len() || !names.iter().all(|n| esk.contains_key(*n)) {
                return Err(invalid());
            }
            let table_part: Item = table_schema.project_key(esk);
            let index_part: Item = index.key_schema.project_key(esk);
            let table_key = table_schema.key_from_request(&table_part).map_err(|e| start_key_error(e, invalid()))?;
            let index_key =
                index.key_schema.key_from_request(&index_part).map_err(|e| start_key_error(e, invalid()))?;
            Ok((index_key, table_key))
        }
    }
}

/// A wrong type in a start key is reported as DynamoDB does; other key errors as `fallback`.
fn start_key_error(err: ApiError, fallback: ApiError) -> ApiError {
    if err.message == "The provided key element does not match the schema" {
        fallback
    } else {
        err
    }
}

/// An item of a page: decoded (filtered, projected), or as stored when the
/// request returns whole items (written to JSON straight from its bytes).
pub enum PageItem {
    Decoded(Item),
    Stored(StoredItem),
}

impl ItemJson for PageItem {
    fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            PageItem::Decoded(item) => item.write_json(out),
            PageItem::Stored(stored) => ItemJson::write_json(stored, out),
        }
    }
}

/// One page's result, built by [`read_page`].
pub struct Page {
    pub items: Vec<PageItem>,
    pub count: usize,
    pub scanned: usize,
    pub last_evaluated_key: Option<Item>,
    /// Bytes read from the table or index read (projected sizes for an index).
    pub bytes_read: usize,
    /// Read units spent fetching LSI items' other attributes from the table.
    pub fetch_units: f64,
}

/// Evaluates `candidates` (table items, in reading order) into one page,
/// filtered and projected by `expressions`.
pub fn read_page<'a>(
    target: &Target,
    options: &ReadOptions,
    candidates: impl Iterator<Item = &'a StoredItem>,
    expressions: &ReadExpressions,
) -> Page {
    let mut page =
        Page { items: Vec::new(), count: 0, scanned: 0, last_evaluated_key: None, bytes_read: 0, fetch_units: 0.0 };
    let index = target.index.map(|(index, _)| index);
    // Whole items, unfiltered (the common read): no item is decoded but the last, for its key.
    let whole = expressions.filter.is_none()
        && expressions.projection.is_none()
        && index.is_none_or(|index| index.projection == ProjectionType::All);
    for stored in candidates {
        let item = (!whole).then(|| stored.decode());
        page.scanned += 1;
        let size = item.as_ref().map_or_else(|| stored.size(), item_size);
        page.bytes_read += match (index, &item) {
            (Some(index), Some(item)) => index.projected_size(item),
            _ => size,
        };
        if index.is_some() && options.fetch_from_table {
            // Each fetch is its own table read, as DynamoDB charges it.
            page.fetch_units += read_units(size, options.consistent);
        }
        let stop = options.limit == Some(page.scanned) || page.bytes_read >= MAX_PAGE_BYTES;
        if stop {
            let decoded;
            let last = match &item {
                Some(item) => item,
                None => {
                    decoded = stored.decode();
                    &decoded
                }
            };
            page.last_evaluated_key = Some(match index {
                Some(index) => index.last_evaluated_key(last),
                None => target.def.key_schema.project_key(last),
            });
        }
        let Some(item) = item else {
            page.count += 1;
            if options.select != Select::Count {
                page.items.push(PageItem::Stored(stored.clone()));
            }
            if stop {
                break;
            }
            continue;
        };
        // What the filter sees: the index's attributes, or the whole item when fetched from the table.
        let visible = match index {
            Some(index) if !options.fetch_from_table => index.project_owned(item),
            _ => item,
        };
        if expressions.keep(&visible) {
            page.count += 1;
            match (options.select, index) {
                (Select::Count, _) => {}
                // Fetched from the table for the filter, but only the index's attributes were asked for.
                (Select::AllProjectedAttributes, Some(index)) if options.fetch_from_table => {
                    page.items.push(PageItem::Decoded(index.project_owned(visible)))
                }
                _ => page.items.push(PageItem::Decoded(expressions.project(visible))),
            }
        }
        if stop {
            break;
        }
    }
    page
}

/// The response of a Query or Scan page.
pub fn page_response(target: &Target, options: &ReadOptions, page: Page) -> Reply {
    let mut out = ObjectWriter::new();
    if options.select != Select::Count {
        out.items("Items", &page.items);
    }
    out.value("Count", &json!(page.count));
    out.value("ScannedCount", &json!(page.scanned));
    if let Some(key) = &page.last_evaluated_key {
        out.item("LastEvaluatedKey", key);
    }
    let units = read_units(page.bytes_read, options.consistent);
    let consumed = match target.index {
        None => Consumed::table(&target.def.name, units),
        Some((index, kind)) => {
            let mut c = Consumed::table(&target.def.name, page.fetch_units);
            let entry = vec![(index.name.clone(), units)];
            match kind {
                IndexKind::Global => c.global_indexes = entry,
                IndexKind::Local => c.local_indexes = entry,
            }
            c
        }
    };
    if let Some(capacity) = consumed.to_json(options.capacity) {
        out.value("ConsumedCapacity", &capacity);
    }
    out.finish()
}
