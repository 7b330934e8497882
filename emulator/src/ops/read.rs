//! What Query and Scan share: the members both requests carry
//! ([`ReadRequest`]), `Select` and projection rules, `ExclusiveStartKey`
//! checks, the items of a key range ([`Target::candidates`]), and the page
//! loop that evaluates items in storage order, applies the filter, cuts the
//! page at `Limit` items evaluated or 1 MB read, and answers with
//! `LastEvaluatedKey`.

use super::capacity::{read_units, Consumed};
use crate::error::{ApiError, ApiResult};
use crate::expr::legacy;
use crate::expr::request::{check_parameter_styles, read_attributes, read_projection};
use crate::expr::{parse_condition, Condition, ExpressionKind, Projection};
use crate::input::{Input, RequestEnum, ReturnConsumedCapacity, Select, Violations};
use crate::ops::reply::{ItemJson, ObjectWriter, Reply};
use crate::storage::{ordered_range, IndexData, IndexKind, KeyRange, ProjectionType, StoredItem, TableDef, TableState};
use crate::types::key::{MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES};
use crate::types::{item_size, Item, KeySchema, PrimaryKey, ScalarType};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// DynamoDB stops reading a page once it has read 1 MB.
pub const MAX_PAGE_BYTES: usize = 1024 * 1024;

/// A page's evaluation time (`crate::state::PAGE_TIME_BUDGET`) is looked at
/// once every this many items evaluated, first at that many (so small pages
/// never read the clock).
const TIME_CHECK_EVERY: usize = 1024;

/// Which operation is reading (some messages name it).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ReadKind {
    Query,
    Scan,
}

/// The members Query and Scan both open with, in DynamoDB's violation order.
pub struct ReadHead<'a> {
    table_name: Option<&'a str>,
    index_name: Option<&'a str>,
    select: Option<Select>,
    limit: Option<i64>,
    capacity: ReturnConsumedCapacity,
}

impl<'a> ReadHead<'a> {
    /// The `Select` asked for, if any.
    pub fn select(&self) -> Option<Select> {
        self.select
    }

    pub fn read(input: &Input<'a>, v: &mut Violations) -> ApiResult<ReadHead<'a>> {
        let table_name = input.str("TableName")?;
        v.table_name("tableName", table_name);
        let index_name = input.str("IndexName")?;
        if let Some(index) = index_name {
            v.name_rules("indexName", index, 3, 255);
        }
        let select = Select::read(input, v)?;
        let limit = input.int("Limit")?;
        v.range("limit", limit, 1, None);
        let capacity = ReturnConsumedCapacity::read(input, v)?.unwrap_or_default();
        // Refused as the model's minimum (dynalite's scan.js "incorrect
        // attributes", asserted against DynamoDB); DynamoDB Local reads it as absent.
        v.attributes_to_get("attributesToGet", input.strings("AttributesToGet")?.as_deref());
        Ok(ReadHead { table_name, index_name, select, limit, capacity })
    }

    /// The whole request, once its violations are finished (so the table
    /// name is there and the limit positive).
    pub fn complete(
        self,
        consistent: bool,
        exclusive_start_key: Option<Item>,
        expressions: ReadExpressions,
    ) -> ReadRequest<'a> {
        ReadRequest {
            table_name: self.table_name.unwrap_or_default(),
            index_name: self.index_name,
            select: self.select,
            limit: self.limit.map(|l| l as usize),
            capacity: self.capacity,
            consistent,
            exclusive_start_key,
            expressions,
        }
    }
}

/// What Query and Scan requests have in common, validated as far as it can
/// be without the table.
pub struct ReadRequest<'a> {
    pub table_name: &'a str,
    pub index_name: Option<&'a str>,
    pub select: Option<Select>,
    pub limit: Option<usize>,
    pub capacity: ReturnConsumedCapacity,
    pub consistent: bool,
    pub exclusive_start_key: Option<Item>,
    pub expressions: ReadExpressions,
}

impl ReadRequest<'_> {
    /// What the request reads: the table or the index it names, checked
    /// against the table (an index must exist, be readable, and a GSI
    /// cannot be read consistently).
    pub fn target<'t>(&self, state: &'t TableState, now_millis: i64) -> ApiResult<Target<'t>> {
        let target = Target::resolve(state, self.index_name, now_millis)?;
        if self.consistent && target.is_global_index() {
            return Err(ApiError::validation("Consistent reads are not supported on global secondary indexes"));
        }
        Ok(target)
    }

    /// What a page needs once the target is known: `Select` resolved
    /// against the projection and the target, then the start position from
    /// `ExclusiveStartKey` (checked in that order, as DynamoDB does).
    pub fn page_options(
        &self,
        kind: ReadKind,
        target: &Target,
        time_budget: Duration,
    ) -> ApiResult<(ReadOptions, Option<StartPosition>)> {
        let expressions = &self.expressions;
        let projected = expressions.projected_attributes();
        let filtered = expressions.filtered_attributes();
        let (select, fetch_from_table) =
            resolve_select(self.select, expressions.projection_param, &projected, &filtered, target)?;
        let start = self.exclusive_start_key.as_ref().map(|esk| start_key(kind, target, esk)).transpose()?;
        let options = ReadOptions {
            select,
            limit: self.limit,
            consistent: self.consistent,
            capacity: self.capacity,
            fetch_from_table,
            time_budget,
        };
        Ok((options, start))
    }
}

/// What is read: the table, or one of its indexes.
pub struct Target<'a> {
    pub def: &'a TableDef,
    /// The table's items (an index's entries are these items too).
    items: &'a BTreeMap<PrimaryKey, StoredItem>,
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
        Ok(Target { def: &state.def, items: &state.data.items, index })
    }

    pub fn is_global_index(&self) -> bool {
        matches!(self.index, Some((_, IndexKind::Global)))
    }

    /// The key schema reads are ordered and started by.
    pub fn key_schema(&self) -> &'a KeySchema {
        match self.index {
            Some((index, _)) => &index.key_schema,
            None => &self.def.key_schema,
        }
    }

    /// The items of `range` in reading order (`forward` or reverse), after
    /// `start` when a page resumes: Query and Scan read through this alike.
    pub fn candidates(
        &self,
        range: KeyRange,
        forward: bool,
        start: Option<&StartPosition>,
    ) -> Box<dyn Iterator<Item = &'a StoredItem> + 'a> {
        match self.index {
            Some((index, _)) => {
                Box::new(index.range(&range, forward, start.map(|(i, t)| (i, t))).map(|(_, item)| item))
            }
            None => {
                // On the table, both parts of the position are the table key.
                let range = match start {
                    Some((key, _)) => range.after(key, forward),
                    None => range,
                };
                Box::new(ordered_range(self.items, &range, forward).map(|(_, item)| item))
            }
        }
    }
}

/// Where a page resumes: the start key in the target's order (the index
/// key on an index), and the table key.
pub type StartPosition = (PrimaryKey, PrimaryKey);

/// The conditions and projection of a read, from expression parameters or
/// their legacy equivalents (never both).
pub struct ReadExpressions {
    pub filter: Option<Condition>,
    /// `FilterExpression`, `QueryFilter` or `ScanFilter` (for messages).
    pub filter_param: &'static str,
    pub projection: Option<Projection>,
    /// `ProjectionExpression` or `AttributesToGet` (for messages).
    pub projection_param: Option<&'static str>,
}

impl ReadExpressions {
    /// The top-level attributes the projection names.
    pub fn projected_attributes(&self) -> Vec<&str> {
        self.projection.iter().flat_map(|p| p.paths.iter().map(|path| path.top())).collect()
    }

    /// The top-level attributes the filter reads.
    pub fn filtered_attributes(&self) -> Vec<&str> {
        self.filter.iter().flat_map(|f| f.paths().into_iter().map(|p| p.top())).collect()
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

/// Reads and parses the expression (or legacy) parameters of a Query or
/// Scan; with a Query's key condition: `KeyConditionExpression` parsed (to
/// be narrowed to the key schema once the target is known), or
/// `KeyConditions` lowered.
pub fn read_expressions(
    input: &Input,
    kind: ReadKind,
    select: Option<Select>,
) -> ApiResult<(Option<Condition>, ReadExpressions)> {
    let (legacy_params, expression_params, value_params, legacy_filter): (&[&str], &[&str], &[&str], _) = match kind {
        ReadKind::Query => (
            &["AttributesToGet", "ConditionalOperator", "KeyConditions", "QueryFilter"],
            &["ProjectionExpression", "FilterExpression", "KeyConditionExpression"],
            &["FilterExpression", "KeyConditionExpression"],
            "QueryFilter",
        ),
        ReadKind::Scan => (
            &["AttributesToGet", "ConditionalOperator", "ScanFilter"],
            &["ProjectionExpression", "FilterExpression"],
            &["FilterExpression"],
            "ScanFilter",
        ),
    };
    // Legacy KeyConditions go with FilterExpression and ProjectionExpression:
    // DynamoDB counts them against the expression parameters only beside a
    // KeyConditionExpression (dynalite's validateExpressionParams, asserted
    // against DynamoDB; DynamoDB Local accepts them too).
    let legacy_params: Vec<&str> = legacy_params
        .iter()
        .copied()
        .filter(|p| *p != "KeyConditions" || input.has("KeyConditionExpression"))
        .collect();
    check_parameter_styles(input, &legacy_params, expression_params)?;
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
    // Legacy KeyConditions beside a FilterExpression or ProjectionExpression
    // are checked after the expressions (an unused value is reported first):
    // DynamoDB's order (dynalite's query.js validates KeyConditions after
    // validateExpressions) and DynamoDB Local's.
    let keys_after_expressions = input.has("FilterExpression") || input.has("ProjectionExpression");
    let legacy_keys = |input: &Input| -> ApiResult<Option<Condition>> {
        legacy::filter_conditions(input, "KeyConditions")?.map(legacy::key_condition).transpose()
    };
    // A key condition's faults other than syntax and undefined names or
    // values wait for the filter's and the projection's (see `reported_at_once`).
    let mut key_condition_fault = None;
    let mut key_condition = match (kind, input.str("KeyConditionExpression")?) {
        (ReadKind::Query, Some(src)) => match parse_condition(ExpressionKind::KeyCondition, src, &mut attrs) {
            Ok(condition) => Some(condition),
            Err(fault) if !crate::expr::resolve::reported_at_once(&fault) => {
                key_condition_fault = Some(fault);
                None
            }
            Err(fault) => return Err(fault),
        },
        (ReadKind::Query, None) if !keys_after_expressions => legacy_keys(input)?,
        (ReadKind::Query, None) | (ReadKind::Scan, _) => None,
    };
    if conditional_operator.is_some() && !input.has(legacy_filter) {
        return Err(ApiError::validation("ConditionalOperator cannot be used without Filter or Expected"));
    }
    let (filter, filter_param) = match input.str("FilterExpression")? {
        Some(src) => (Some(parse_condition(ExpressionKind::Filter, src, &mut attrs)?), "FilterExpression"),
        None => {
            let conditions = legacy::filter_conditions(input, legacy_filter)?;
            // A ConditionalOperator joins two or more conditions: checked
            // after their values (DynamoDB Local's order).
            if conditional_operator.is_some() {
                legacy::check_conditional_operator_use(Some(conditions.as_ref().map_or(0, Vec::len)))?;
            }
            (legacy::filter(conditions, conditional_operator), legacy_filter)
        }
    };
    // A Select that excludes AttributesToGet is reported before the
    // attribute names themselves (a duplicate), as DynamoDB Local does.
    let names_given = input.strings("AttributesToGet")?.is_some_and(|names| !names.is_empty());
    if names_given && !input.has("ProjectionExpression") {
        if let Some(select) = select {
            check_select_with_projection(select, "AttributesToGet")?;
        }
    }
    let projection = read_projection(input, &mut attrs)?;
    if let Some(fault) = key_condition_fault {
        return Err(fault);
    }
    attrs.check_all_used()?;
    if kind == ReadKind::Query && keys_after_expressions && !input.has("KeyConditionExpression") {
        key_condition = legacy_keys(input)?;
    }
    let projection_param = projection.as_ref().map(|_| {
        if input.has("ProjectionExpression") {
            "ProjectionExpression"
        } else {
            "AttributesToGet"
        }
    });
    Ok((key_condition, ReadExpressions { filter, filter_param, projection, projection_param }))
}

/// The parameters every read shares, validated.
#[derive(Clone)]
pub struct ReadOptions {
    pub select: Select,
    pub limit: Option<usize>,
    pub consistent: bool,
    pub capacity: ReturnConsumedCapacity,
    /// Whether items of an LSI are read from the table (all attributes, or
    /// attributes outside the index projection were asked for).
    pub fetch_from_table: bool,
    /// See [`crate::state::PAGE_TIME_BUDGET`] (the state's, `State::page_time_budget`).
    pub time_budget: Duration,
}

/// `names` (a subset of `all`) without duplicates, in the order a Java
/// `HashSet` holding `all` iterates them: by bucket (`String.hashCode`
/// spread as `HashMap.hash`, masked by the table's capacity: 16, doubled
/// while more than three quarters full), then in insertion order. DynamoDB
/// Local lists the attributes a GSI does not project from such a set
/// ("does not project [sk, l]"); DynamoDB's order is not recorded anywhere.
fn java_hash_set_order<'a>(all: &[&str], names: &[&'a str]) -> Vec<&'a str> {
    let mut distinct: Vec<&str> = Vec::new();
    for a in all {
        if !distinct.contains(a) {
            distinct.push(a);
        }
    }
    let mut capacity = 16usize;
    while distinct.len() * 4 > capacity * 3 {
        capacity *= 2;
    }
    let bucket = |name: &str| {
        let h = name.encode_utf16().fold(0u32, |h, c| h.wrapping_mul(31).wrapping_add(u32::from(c)));
        (h ^ (h >> 16)) as usize & (capacity - 1)
    };
    let mut out: Vec<&'a str> = Vec::new();
    for n in names {
        if !out.contains(n) {
            out.push(n);
        }
    }
    // A stable sort keeps insertion order within a bucket.
    out.sort_by_key(|n| bucket(n));
    out
}

/// Checks `Select` against the projection parameter and the target, as
/// DynamoDB does. `projection_param` names the parameter given, if any
/// (`ProjectionExpression` or `AttributesToGet`); `projected` lists the
/// top-level attributes it names, `filtered` those the filter reads.
/// Answers the `Select` in effect and whether LSI items are fetched from the table.
pub fn resolve_select(
    select: Option<Select>,
    projection_param: Option<&str>,
    projected: &[&str],
    filtered: &[&str],
    target: &Target,
) -> ApiResult<(Select, bool)> {
    let select = select_in_effect(select, projection_param, target)?;
    // DynamoDB says "Querying" for Scan too.
    if select == Select::AllProjectedAttributes && target.index.is_none() {
        return Err(ApiError::validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"));
    }
    let Some((index, kind)) = target.index else { return Ok((select, false)) };
    let mut fetch_from_table = false;
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
    let missing: Vec<&str> = projected.iter().copied().filter(|a| !index.projects(a)).collect();
    if !missing.is_empty() {
        if kind == IndexKind::Global {
            let missing = java_hash_set_order(projected, &missing);
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
    Ok((select, fetch_from_table))
}

/// The `Select` asked for, or the default for the request, checked against
/// the projection parameter (`projection_param`, if any).
fn select_in_effect(select: Option<Select>, projection_param: Option<&str>, target: &Target) -> ApiResult<Select> {
    match (select, projection_param) {
        (None, Some(_)) => Ok(Select::SpecificAttributes),
        (None, None) if target.index.is_some() => Ok(Select::AllProjectedAttributes),
        (None, None) => Ok(Select::AllAttributes),
        (Some(Select::SpecificAttributes), None) => Err(ApiError::validation(
            "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES",
        )),
        (Some(select), Some(param)) => check_select_with_projection(select, param).map(|()| select),
        (Some(select), None) => Ok(select),
    }
}

/// Only SPECIFIC_ATTRIBUTES goes with a projection parameter (`param`).
fn check_select_with_projection(select: Select, param: &str) -> ApiResult<()> {
    let what = match select {
        Select::SpecificAttributes => return Ok(()),
        Select::Count => "only the Count",
        Select::AllAttributes => "ALL_ATTRIBUTES",
        Select::AllProjectedAttributes => "ALL_PROJECTED_ATTRIBUTES",
    };
    Err(ApiError::validation(format!("Cannot specify the {param} when choosing to get {what}")))
}

/// Checks `ExclusiveStartKey` against the target and turns it into a
/// storage position. DynamoDB words a start key that does not fit the key
/// schema differently for Query and Scan; other key faults (an empty value,
/// a size limit) are reported as for any key.
pub fn start_key(kind: ReadKind, target: &Target, esk: &Item) -> ApiResult<StartPosition> {
    let table_schema = &target.def.key_schema;
    let invalid = || match kind {
        ReadKind::Query => ApiError::validation("The provided starting key is invalid"),
        ReadKind::Scan => ApiError::validation(
            "The provided starting key is invalid: The provided key element does not match the schema",
        ),
    };
    let part = |schema: &KeySchema, key: &Item| {
        start_key_part(schema, key).map_err(|fault| match fault {
            StartKeyFault::SchemaMismatch => invalid(),
            StartKeyFault::Invalid(err) => err,
        })
    };
    match target.index {
        None => {
            let expected = table_schema.attributes().count();
            if esk.len() != expected {
                return Err(ApiError::validation("Exclusive Start Key must have same size as table's key schema"));
            }
            let key = part(table_schema, esk)?;
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
            let table_key = part(table_schema, &table_schema.project_key(esk))?;
            let index_key = part(&index.key_schema, &index.key_schema.project_key(esk))?;
            Ok((index_key, table_key))
        }
    }
}

/// Why a start key (or its table or index part) was refused.
enum StartKeyFault {
    /// It does not fit the key schema: attributes or their types.
    SchemaMismatch,
    /// Another key rule, reported as is.
    Invalid(ApiError),
}

/// One part of a start key read against `schema`, its fault classified.
fn start_key_part(schema: &KeySchema, key: &Item) -> Result<PrimaryKey, StartKeyFault> {
    schema.key_from_request(key).map_err(|err| match fits_schema(schema, key) {
        true => StartKeyFault::Invalid(err),
        false => StartKeyFault::SchemaMismatch,
    })
}

/// Whether `key` fits `schema` as far as `KeySchema::key_from_request` gets
/// before it fails: its attributes are the schema's, and each has the
/// schema's type up to the first attribute that breaks another rule (it
/// checks them in order and reports the first fault).
fn fits_schema(schema: &KeySchema, key: &Item) -> bool {
    if key.len() != schema.attributes().count() {
        return false;
    }
    for (position, attr) in schema.attributes().enumerate() {
        let Some(value) = key.get(&attr.name) else { return false };
        if value.type_name() != attr.kind.as_str() {
            return false;
        }
        let limit = if position == 0 { MAX_PARTITION_KEY_BYTES } else { MAX_SORT_KEY_BYTES };
        let empty = value.size() == 0 && attr.kind != ScalarType::N;
        if empty || value.size() > limit {
            return true;
        }
    }
    true
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

/// Reads one page of `range` (after `start`) from the target and answers
/// it: how every Query and Scan ends.
pub fn answer_page(
    target: &Target,
    options: &ReadOptions,
    expressions: &ReadExpressions,
    range: KeyRange,
    forward: bool,
    start: Option<&StartPosition>,
) -> Reply {
    let candidates = target.candidates(range, forward, start);
    let page = read_page(target, options, candidates, expressions);
    page_response(target, options, page)
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
    let mut timed_since: Option<Instant> = None;
    for stored in candidates {
        let item = (!whole).then(|| stored.decode());
        page.scanned += 1;
        let out_of_time = page.scanned.is_multiple_of(TIME_CHECK_EVERY) && {
            let now = Instant::now();
            now.duration_since(*timed_since.get_or_insert(now)) >= options.time_budget
        };
        let size = item.as_ref().map_or_else(|| stored.size(), item_size);
        page.bytes_read += match (index, &item) {
            (Some(index), Some(item)) => index.projected_size(item),
            _ => size,
        };
        if index.is_some() && options.fetch_from_table {
            // Each fetch is its own table read, as DynamoDB charges it.
            page.fetch_units += read_units(size, options.consistent);
        }
        let stop = options.limit == Some(page.scanned) || page.bytes_read >= MAX_PAGE_BYTES || out_of_time;
        if stop {
            page.stop_at(target, stored, item.as_ref());
        }
        match item {
            None => {
                page.count += 1;
                if options.select != Select::Count {
                    page.items.push(PageItem::Stored(stored.clone()));
                }
            }
            Some(item) => page.evaluate(item, index, options, expressions),
        }
        if stop {
            break;
        }
    }
    page
}

impl Page {
    /// Records the key of the last item evaluated (`decoded`, if it was),
    /// where the next page starts: the table key, plus the index key on an index.
    fn stop_at(&mut self, target: &Target, stored: &StoredItem, decoded: Option<&Item>) {
        let decoded_here;
        let last = match decoded {
            Some(item) => item,
            None => {
                decoded_here = stored.decode();
                &decoded_here
            }
        };
        self.last_evaluated_key = Some(match target.index {
            Some((index, _)) => index.last_evaluated_key(last),
            None => target.def.key_schema.project_key(last),
        });
    }

    /// Filters a decoded item and, when it passes, adds it shaped as asked.
    fn evaluate(
        &mut self,
        item: Item,
        index: Option<&IndexData>,
        options: &ReadOptions,
        expressions: &ReadExpressions,
    ) {
        // What the filter sees: the index's attributes, or the whole item when fetched from the table.
        let visible = match index {
            Some(index) if !options.fetch_from_table => index.project_owned(item),
            _ => item,
        };
        if !expressions.keep(&visible) {
            return;
        }
        self.count += 1;
        match (options.select, index) {
            (Select::Count, _) => {}
            // Fetched from the table for the filter, but only the index's attributes were asked for.
            (Select::AllProjectedAttributes, Some(index)) if options.fetch_from_table => {
                self.items.push(PageItem::Decoded(index.project_owned(visible)))
            }
            _ => self.items.push(PageItem::Decoded(expressions.project(visible))),
        }
    }
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
    let consumed = read_consumed(target, page.bytes_read, page.fetch_units, options.consistent);
    if let Some(capacity) = consumed.to_json(options.capacity) {
        out.value("ConsumedCapacity", &capacity);
    }
    out.finish()
}

/// What reading `bytes_read` of the target cost: the table's units, or the
/// index's plus the table's for LSI items fetched from it (`fetch_units`).
pub fn read_consumed(target: &Target, bytes_read: usize, fetch_units: f64, consistent: bool) -> Consumed {
    let units = read_units(bytes_read, consistent);
    match target.index {
        None => Consumed::table(&target.def.name, units),
        Some((index, kind)) => {
            let mut c = Consumed::table(&target.def.name, fetch_units);
            let entry = vec![(index.name.clone(), units)];
            match kind {
                IndexKind::Global => c.global_indexes = entry,
                IndexKind::Local => c.local_indexes = entry,
            }
            c
        }
    }
}

#[cfg(test)]
mod tests {
    use super::java_hash_set_order;

    #[test]
    fn unprojected_attributes_are_listed_in_java_hash_set_order() {
        // As DynamoDB Local answers: "sk" (bucket 8) before "l" (bucket 12).
        assert_eq!(java_hash_set_order(&["l", "sk", "g"], &["l", "sk"]), ["sk", "l"]);
        assert_eq!(java_hash_set_order(&["b", "a"], &["b", "a"]), ["a", "b"]);
        assert_eq!(java_hash_set_order(&["b", "a", "b"], &["b", "a", "b"]), ["a", "b"]);
    }
}
