//! Vector indexes in CreateTable (`VectorIndexes`), UpdateTable
//! (`VectorIndexUpdates`) and the TableDescription (`VectorIndexes`).
//!
//! The rules are the API reference's (`VectorIndex`,
//! `CreateVectorIndexAction`, `VectorIndexUpdate`, `SearchSchemaElement`)
//! and the developer guide's ("Requirements and limitations": on-demand
//! tables only), with the behaviour ScyllaDB's Alternator test suite
//! (test/alternator/test_vector.py) observed on DynamoDB: names unique among
//! all the table's indexes, the vector attribute no table or index key, one
//! attribute indexed by several vector indexes only with the same
//! dimensions, a non-whole `Dimensions` truncated, at most 4096 dimensions,
//! at most 18 INLINE_FILTER elements, one vector index update per
//! UpdateTable, never together with GSI or stream changes. DynamoDB Local
//! has no vector indexes, so messages the sources do not quote are the
//! emulator's, worded like DynamoDB's neighbouring ones
//! (conformance/differences/vector-indexes.md).

use super::table_request::{read_projection, wire_enum, AttributeDefinitions, WireEnum};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::input::{Input, Violations};
use crate::storage::lifecycle::TableStatus;
use crate::storage::vector::{
    read_vector, DistanceFunction, SearchAttribute, SearchRole, VectorError, VectorIndexDef, MAX_DIMENSIONS,
};
use crate::storage::{BillingMode, ProjectionType, TableData, TableDef};
use crate::types::{Item, KeyValue, ScalarType};
use serde_json::{json, Map, Value};

/// INLINE_FILTER elements per search schema, at most (DynamoDB's quota, as
/// test_vectorindexes_searchschema_inline_filter_count found it).
const MAX_INLINE_FILTERS: usize = 18;
/// Projected non-key attributes of a vector index, at most: the vector
/// attribute and each INLINE_FILTER count as one (CreateTable's
/// `VectorIndexes` documentation); 19 NonKeyAttributes pass, 20 do not.
const MAX_PROJECTED: usize = 20;

impl WireEnum for DistanceFunction {
    const ALL: &'static [Self] = &DistanceFunction::ALL;
    fn wire_name(self) -> &'static str {
        self.as_str()
    }
}

impl WireEnum for SearchRole {
    const ALL: &'static [Self] = &SearchRole::ALL;
    fn wire_name(self) -> &'static str {
        self.as_str()
    }
}

fn invalid(message: String) -> ApiError {
    ApiError::validation(format!("One or more parameter values were invalid: {message}"))
}

/// A `VectorIndex` / `CreateVectorIndexAction` as read, before it is
/// checked against the table.
pub struct VectorIndexSpec {
    name: String,
    attribute: String,
    dimensions: i64,
    distance: DistanceFunction,
    search_schema: Option<Vec<(String, SearchRole)>>,
    projection: ProjectionType,
}

impl VectorIndexSpec {
    /// One index; `path` names it in violations (`vectorIndexes.1.member`).
    pub fn read(raw: &Input, path: &str) -> ApiResult<VectorIndexSpec> {
        let name = raw.str("IndexName")?;
        let vector = raw.object("VectorAttribute")?;
        let attribute = vector.as_ref().map(|v| v.str("AttributeName")).transpose()?.flatten();
        let dimensions = raw.int("Dimensions")?;
        let distance = raw.str("DistanceFunction")?;
        let schema = raw.objects("SearchSchema")?;
        let mut v = Violations::new();
        v.table_name(&format!("{path}.indexName"), name);
        v.not_null(&format!("{path}.vectorAttribute"), &vector);
        if vector.is_some() {
            let attribute_path = format!("{path}.vectorAttribute.attributeName");
            v.not_null(&attribute_path, &attribute);
            v.length(&attribute_path, attribute, 1, 65535);
        }
        v.not_null(&format!("{path}.dimensions"), &dimensions);
        v.range(&format!("{path}.dimensions"), dimensions, 1, None);
        v.not_null(&format!("{path}.distanceFunction"), &distance);
        let distance = wire_enum::<DistanceFunction>(&mut v, &format!("{path}.distanceFunction"), distance);
        if !raw.has("Projection") {
            v.not_null(&format!("{path}.projection"), &None::<()>);
        }
        let mut search_schema = None;
        if let Some(elements) = &schema {
            if elements.is_empty() {
                v.add(
                    "'[]'".into(),
                    &format!("{path}.searchSchema"),
                    "Member must have length greater than or equal to 1",
                );
            }
            let mut read = Vec::new();
            for (i, element) in elements.iter().enumerate() {
                let element_path = format!("{path}.searchSchema.{}.member", i + 1);
                let attr = element.str("AttributeName")?;
                let role = element.str("SearchSchemaElementType")?;
                v.not_null(&format!("{element_path}.attributeName"), &attr);
                v.length(&format!("{element_path}.attributeName"), attr, 1, 65535);
                v.not_null(&format!("{element_path}.searchSchemaElementType"), &role);
                let role = wire_enum::<SearchRole>(&mut v, &format!("{element_path}.searchSchemaElementType"), role);
                if let (Some(attr), Some(role)) = (attr, role) {
                    read.push((attr.to_string(), role));
                }
            }
            search_schema = Some(read);
        }
        v.finish()?;
        let name = name.unwrap_or_default().to_string();
        let dimensions = dimensions.unwrap_or(1);
        if dimensions > MAX_DIMENSIONS {
            return Err(invalid(format!(
                "Dimensions must be between 1 and {MAX_DIMENSIONS} for vector index {name}, but was {dimensions}"
            )));
        }
        Ok(VectorIndexSpec {
            projection: read_projection(raw, path.split('.').next().unwrap_or("vectorIndexes"))?,
            name,
            attribute: attribute.unwrap_or_default().to_string(),
            dimensions,
            distance: distance.unwrap_or(DistanceFunction::Cosine),
            search_schema,
        })
    }

    /// The index checked against the table it joins (`table`: its key,
    /// indexes and billing mode as they will be; `defs`: the attribute
    /// definitions its search schema is typed by).
    pub fn resolve(self, table: &TableDef, defs: &AttributeDefinitions) -> ApiResult<VectorIndexDef> {
        let name = &self.name;
        if table.billing_mode == BillingMode::Provisioned {
            // The developer guide: "Vector indexes are supported only on
            // tables that use on-demand capacity mode."
            return Err(invalid(format!(
                "Vector index {name} can only be created on a table whose BillingMode is PAY_PER_REQUEST"
            )));
        }
        if table.index(name).is_some() || table.vector_index(name).is_some() {
            return Err(ApiError::validation("Attempting to create an index which already exists"));
        }
        let attr = &self.attribute;
        let is_key = |a: &str| is_index_key(table, a);
        if is_key(attr) {
            return Err(invalid(format!(
                "The vector attribute '{attr}' of vector index {name} is a key attribute of the table or of a secondary index"
            )));
        }
        let dimensions = self.dimensions as usize;
        if let Some(other) = table.vector_indexes.iter().find(|v| v.attribute == *attr && v.dimensions != dimensions) {
            return Err(invalid(format!(
                "Vector indexes on the same attribute '{attr}' must have the same Dimensions: index {} has {}, index {name} has {dimensions}",
                other.name, other.dimensions
            )));
        }
        let search_schema = self.search_schema.map(|elements| search_schema(name, elements, defs)).transpose()?;
        let filters = search_schema.iter().flatten().filter(|a| a.role == SearchRole::InlineFilter).count();
        if filters > MAX_INLINE_FILTERS {
            return Err(invalid(format!(
                "Number of INLINE_FILTER elements in the SearchSchema of vector index {name} exceeds the limit of {MAX_INLINE_FILTERS}"
            )));
        }
        let included = match &self.projection {
            ProjectionType::Include(attrs) => attrs.iter().filter(|a| !is_key(a) && *a != attr).count(),
            _ => 0,
        };
        let projected = 1 + filters + included;
        if projected > MAX_PROJECTED {
            return Err(invalid(format!(
                "Number of projected attributes in vector index {name} exceeds limit of {MAX_PROJECTED}, number of projected attributes:{projected}"
            )));
        }
        Ok(VectorIndexDef {
            arn: format!("{}/index/{name}", table.arn),
            name: self.name,
            attribute: self.attribute,
            dimensions,
            distance: self.distance,
            search_schema,
            projection: self.projection,
            backfilled_at: None,
        })
    }
}

/// Whether `attr` is a key attribute of the table or of one of its secondary indexes.
fn is_index_key(table: &TableDef, attr: &str) -> bool {
    table.key_schema.is_key_attribute(attr)
        || table.global_indexes.iter().chain(&table.local_indexes).any(|i| i.key_schema.is_key_attribute(attr))
}

/// The search schema typed by `defs`: one HASH at most, no attribute twice,
/// each defined as S, N or B.
fn search_schema(
    index: &str,
    elements: Vec<(String, SearchRole)>,
    defs: &AttributeDefinitions,
) -> ApiResult<Vec<SearchAttribute>> {
    if elements.iter().filter(|(_, role)| *role == SearchRole::Hash).count() > 1 {
        return Err(invalid(format!("The SearchSchema of vector index {index} has more than one HASH element")));
    }
    let mut out: Vec<SearchAttribute> = Vec::with_capacity(elements.len());
    for (name, role) in elements {
        if out.iter().any(|a| a.name == name) {
            return Err(invalid(format!("Duplicate attribute in the SearchSchema of vector index {index}: {name}")));
        }
        let Some((_, kind)) = defs.iter().find(|(n, _)| *n == name) else {
            return Err(invalid(format!(
                "Some SearchSchema attributes are not defined in attribute definitions. Attribute: {name}, IndexName: {index}"
            )));
        };
        out.push(SearchAttribute { name, role, kind: *kind });
    }
    Ok(out)
}

/// CreateTable's `VectorIndexes`, checked one by one against the table as
/// the request defines it (`table`, whose `vector_indexes` they fill).
pub fn create_table_indexes(input: &Input, table: &mut TableDef) -> ApiResult<()> {
    let Some(raw) = input.objects("VectorIndexes")? else { return Ok(()) };
    let specs = raw
        .iter()
        .enumerate()
        .map(|(i, raw)| VectorIndexSpec::read(raw, &format!("vectorIndexes.{}.member", i + 1)))
        .collect::<ApiResult<Vec<_>>>()?;
    let defs = table.attribute_definitions.clone();
    for spec in specs {
        if table.index(&spec.name).is_some() || table.vector_index(&spec.name).is_some() {
            // The words of CreateTable's other duplicate index names.
            return Err(invalid(format!("Duplicate index name: {}", spec.name)));
        }
        let index = spec.resolve(table, &defs)?;
        table.vector_indexes.push(index);
    }
    Ok(())
}

/// The attributes the search schemas of CreateTable's `VectorIndexes`
/// name: their definitions are used.
pub fn search_schema_names(input: &Input) -> ApiResult<Vec<String>> {
    let mut names = Vec::new();
    for index in input.objects("VectorIndexes")?.unwrap_or_default() {
        for element in index.objects("SearchSchema")?.unwrap_or_default() {
            names.extend(element.str("AttributeName")?.map(str::to_string));
        }
    }
    Ok(names)
}

/// A new version of an item must carry, for each vector index, a vector of
/// its dimensions (when it has the vector attribute) and search schema
/// attributes of their defined types (PutItem's `Item` documentation: "If
/// the table has vector indexes ... A violation of any of these constraints
/// results in a ValidationException"). The search schema's messages are
/// the secondary index keys' (Alternator's tests match "mismatch" and
/// "empty string" on DynamoDB); the vector's are the emulator's words.
pub fn validate_item(def: &TableDef, item: &Item) -> ApiResult<()> {
    for index in &def.vector_indexes {
        let (name, attr) = (&index.name, &index.attribute);
        if let Some(value) = item.get(attr) {
            match read_vector(value, index.dimensions) {
                Ok(_) => {}
                Err(VectorError::NotNumbers) => {
                    return Err(invalid(format!(
                        "Type mismatch for the vector attribute {attr} of vector index {name}: a list of numbers is expected. Actual: {}",
                        value.type_name()
                    )))
                }
                Err(VectorError::Length(n)) => {
                    return Err(invalid(format!(
                        "The vector attribute {attr} has {n} dimensions, but vector index {name} has {} dimensions",
                        index.dimensions
                    )))
                }
                Err(VectorError::OutOfRange) => {
                    return Err(invalid(format!(
                        "The vector attribute {attr} of vector index {name} has a value that is not a 32-bit floating-point number"
                    )))
                }
            }
        }
        for search in index.search_attributes() {
            let Some(value) = item.get(&search.name) else { continue };
            let Some(key) = KeyValue::from_attribute(value).filter(|k| k.scalar_type() == search.kind) else {
                return Err(invalid(format!(
                    "Type mismatch for Index Key {} Expected: {} Actual: {} IndexName: {name}",
                    search.name,
                    search.kind.as_str(),
                    value.type_name()
                )));
            };
            if search.role == SearchRole::Hash && key.scalar_type() != ScalarType::N && key.size() == 0 {
                let what = if key.scalar_type() == ScalarType::S { "string" } else { "binary" };
                return Err(ApiError::validation(format!(
                    "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty {what} value. IndexName: {name}, IndexKey: {}",
                    search.name
                )));
            }
        }
    }
    Ok(())
}

/// Whether a vector index's search schema uses `attr` (so its attribute
/// definition is needed).
pub fn uses_definition(def: &TableDef, attr: &str) -> bool {
    def.vector_indexes.iter().any(|v| v.search_attribute(attr).is_some())
}

/// One `VectorIndexUpdates` entry as read.
pub enum VectorUpdate {
    Create(VectorIndexSpec),
    Delete(String),
}

impl VectorUpdate {
    pub fn read(raw: &Input, position: usize) -> ApiResult<VectorUpdate> {
        let path = format!("vectorIndexUpdates.{position}.member");
        let known = raw.fields().all(|(field, _)| field == "Create" || field == "Delete");
        match (raw.object("Create")?, raw.object("Delete")?) {
            (Some(create), None) if known => {
                Ok(VectorUpdate::Create(VectorIndexSpec::read(&create, &format!("{path}.create"))?))
            }
            (None, Some(delete)) if known => {
                let name = delete.str("IndexName")?;
                let mut v = Violations::new();
                v.table_name(&format!("{path}.delete.indexName"), name);
                v.finish()?;
                Ok(VectorUpdate::Delete(name.unwrap_or_default().to_string()))
            }
            _ => Err(invalid(
                "One of VectorIndexUpdate.Create, VectorIndexUpdate.Delete must be specified, and only one".into(),
            )),
        }
    }
}

/// What UpdateTable does to the vector indexes.
#[derive(Default)]
pub struct VectorChange {
    pub created: Option<String>,
    pub deleted: Option<VectorIndexDef>,
}

/// The request's vector index update applied to `def` (billing mode and
/// GSIs already as the UpdateTable leaves them): one at most, alone
/// (Alternator's tests found DynamoDB refusing two, or one beside a GSI
/// update, with the GSI's LimitExceededException, and one beside a stream
/// change with a ValidationException).
pub fn update_table_indexes(
    def: &mut TableDef,
    updates: Vec<ApiResult<VectorUpdate>>,
    defs: &AttributeDefinitions,
    gsi_updates: bool,
    stream_change: bool,
) -> ApiResult<VectorChange> {
    let mut change = VectorChange::default();
    // A new GSI may not take a vector attribute as its key (Alternator's
    // test_updatetable_gsi_key_is_vector_attribute found DynamoDB refusing it).
    if let Some(index) = def.vector_indexes.iter().find(|v| is_index_key(def, &v.attribute)) {
        return Err(invalid(format!(
            "Attribute {} is the vector attribute of vector index {}: it cannot be a key attribute of a secondary index",
            index.attribute, index.name
        )));
    }
    if updates.is_empty() {
        if def.billing_mode == BillingMode::Provisioned && !def.vector_indexes.is_empty() {
            return Err(invalid(
                "BillingMode cannot be PROVISIONED: the table has vector indexes, which need PAY_PER_REQUEST".into(),
            ));
        }
        return Ok(change);
    }
    if updates.len() > 1 || gsi_updates {
        return Err(ApiError::new(
            ErrorKind::LimitExceeded,
            "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table",
        ));
    }
    if stream_change {
        return Err(invalid("Cannot create or delete index while changing stream status".into()));
    }
    for update in updates {
        match update? {
            VectorUpdate::Create(spec) => {
                let index = spec.resolve(def, defs)?;
                change.created = Some(index.name.clone());
                def.vector_indexes.push(index);
            }
            VectorUpdate::Delete(name) => {
                let Some(position) = def.vector_indexes.iter().position(|v| v.name == name) else {
                    return Err(ApiError::new(
                        ErrorKind::ResourceNotFound,
                        format!("Requested resource not found: Vector index: {name} not found"),
                    ));
                };
                change.deleted = Some(def.vector_indexes.remove(position));
            }
        }
    }
    Ok(change)
}

/// Applies a change to the table's data: a new index is backfilled now
/// (and reported backfilling until `backfilled_at`, with a status delay).
pub fn apply(def: &mut TableDef, data: &mut TableData, change: &VectorChange, backfilled_at: Option<i64>) {
    if let Some(deleted) = &change.deleted {
        data.remove_vector_index(&deleted.name);
    }
    let Some(created) = &change.created else { return };
    if let Some(index) = def.vector_indexes.iter_mut().find(|v| &v.name == created) {
        index.backfilled_at = backfilled_at;
        data.add_vector_index(index, &def.key_schema);
    }
}

/// The TableDescription's `VectorIndexes` (absent when the table has none).
pub fn describe(def: &TableDef, data: &TableData, status: TableStatus, now: i64) -> Option<Value> {
    if def.vector_indexes.is_empty() {
        return None;
    }
    Some(def.vector_indexes.iter().map(|index| describe_index(data, index, status, now)).collect())
}

/// An index's definition as DescribeTable and backups show it (`VectorIndexInfo`).
fn definition(index: &VectorIndexDef) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("IndexName".into(), json!(index.name));
    m.insert("VectorAttribute".into(), json!({ "AttributeName": index.attribute }));
    m.insert("Dimensions".into(), json!(index.dimensions));
    m.insert("DistanceFunction".into(), json!(index.distance.as_str()));
    if let Some(schema) = &index.search_schema {
        let elements: Vec<Value> = schema
            .iter()
            .map(|a| json!({ "AttributeName": a.name, "SearchSchemaElementType": a.role.as_str() }))
            .collect();
        m.insert("SearchSchema".into(), Value::Array(elements));
    }
    m.insert("Projection".into(), super::table_description::projection_json(&index.projection));
    m
}

fn describe_index(data: &TableData, index: &VectorIndexDef, status: TableStatus, now: i64) -> Value {
    let mut m = definition(index);
    // Created with its table: CREATING with it, never backfilling (as
    // test_describetable_vectorindex_backfilling_createtable found).
    if status == TableStatus::Creating {
        m.insert("IndexStatus".into(), json!("CREATING"));
    } else if index.backfilled_at.is_some_and(|at| now < at) {
        m.insert("IndexStatus".into(), json!("CREATING"));
        m.insert("Backfilling".into(), json!(true));
    } else {
        m.insert("IndexStatus".into(), json!("ACTIVE"));
    }
    let (count, size) = data.vector(&index.name).map_or((0, 0), |v| (v.item_count(), v.size_bytes));
    m.insert("IndexSizeBytes".into(), json!(size));
    m.insert("ItemCount".into(), json!(count));
    m.insert("IndexArn".into(), json!(index.arn));
    Value::Object(m)
}

/// UpdateTable's answer: the index created CREATING (not backfilled yet,
/// no counts), the index deleted DELETING.
pub fn describe_update(description: &mut Value, change: &VectorChange) {
    if let Some(deleted) = &change.deleted {
        let mut shown = definition(deleted);
        shown.insert("IndexStatus".into(), json!("DELETING"));
        shown.insert("IndexArn".into(), json!(deleted.arn));
        match description.get_mut("VectorIndexes").and_then(Value::as_array_mut) {
            Some(list) => list.push(Value::Object(shown)),
            None => description["VectorIndexes"] = json!([shown]),
        }
    }
    let Some(created) = &change.created else { return };
    let Some(list) = description.get_mut("VectorIndexes").and_then(Value::as_array_mut) else { return };
    for index in list.iter_mut().filter(|i| i.get("IndexName").and_then(Value::as_str) == Some(created)) {
        index["IndexStatus"] = json!("CREATING");
        index["Backfilling"] = json!(false);
        if let Some(obj) = index.as_object_mut() {
            obj.remove("IndexSizeBytes");
            obj.remove("ItemCount");
        }
    }
}

/// The vector indexes a backup's `SourceTableFeatureDetails` lists (`VectorIndexInfo`).
pub fn backup_info(def: &TableDef) -> Option<Value> {
    let list: Vec<Value> = def.vector_indexes.iter().map(|index| Value::Object(definition(index))).collect();
    (!list.is_empty()).then_some(Value::Array(list))
}
