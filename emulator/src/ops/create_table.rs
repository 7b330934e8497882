//! CreateTable: the request is read into a [`CreateTableRequest`], checked
//! whole with DynamoDB's rules and messages, then the table is added to the
//! catalog (unless one of that name exists).

use super::table_description::describe;
use super::table_request::{
    read_attribute_definitions, too_many_global_indexes, wire_enum, AttributeDefinitions, IndexSpec, KeyNames,
    KeyShape, Owner, ResolvedIndex, StreamSetting, TableClass, ThroughputParam, WireEnum, MAX_GLOBAL_INDEXES,
};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::input::{Input, Violations};
use crate::state::State;
use crate::storage::lifecycle::{table_status, Phase, TableStatus};
use crate::storage::{BillingMode, IndexKind, ProjectionType, TableData, TableDef, Throughput};
use crate::types::KeySchema;
use serde_json::{json, Value};

pub const MAX_LOCAL_INDEXES: usize = 5;
/// Attributes projected into all of a table's indexes, at most.
const MAX_PROJECTED_ATTRIBUTES: usize = 100;

pub fn create_table(state: &State, input: Input) -> ApiResult<Value> {
    let request = CreateTableRequest::read(input)?;
    let now = state.clock.now_millis();
    let name = request.table_name.clone();
    let stream = request.stream;
    let mut def = request.into_def(state, now);
    super::vector_indexes::create_table_indexes(&input, &mut def)?;
    let exists = || ApiError::new(ErrorKind::ResourceInUse, format!("Table already exists: {name}"));
    if let Some(existing) = state.table(&name) {
        // A table still being created or deleted says so instead.
        let in_use = match table_status(&existing.inner.read().def, now) {
            status @ (TableStatus::Creating | TableStatus::Deleting) => status.in_use_error(&name),
            _ => None,
        };
        return Err(in_use.unwrap_or_else(exists));
    }
    let table = state.catalog.create(def).ok_or_else(exists)?;
    let mut guard = table.inner.write();
    if let StreamSetting::Enabled(view) = stream {
        state.enable_stream(&mut guard, view);
    }
    // DynamoDB answers CREATING even when the table is ready at once.
    let description = describe(state, &guard.def, &TableData::default(), TableStatus::Creating);
    Ok(json!({ "TableDescription": description }))
}

/// A new table's definition from CreateTable's parameters, checked as
/// CreateTable checks them (ImportTable's `TableCreationParameters`).
pub fn new_table_def(state: &State, input: Input) -> ApiResult<TableDef> {
    let request = CreateTableRequest::read(input)?;
    Ok(request.into_def(state, state.clock.now_millis()))
}

/// A CreateTable request, checked.
pub struct CreateTableRequest {
    pub table_name: String,
    pub key_schema: KeySchema,
    pub attribute_definitions: AttributeDefinitions,
    pub billing_mode: BillingMode,
    pub throughput: Throughput,
    pub global_indexes: Vec<ResolvedIndex>,
    pub local_indexes: Vec<ResolvedIndex>,
    pub stream: StreamSetting,
    /// Kept as given: only `Enabled` is ever read back (DescribeTable).
    pub sse_specification: Option<Value>,
    pub table_class: Option<TableClass>,
    pub tags: Vec<(String, String)>,
    pub deletion_protection: bool,
}

impl CreateTableRequest {
    /// Reads and checks the request, in the order DynamoDB reports errors.
    pub fn read(input: Input) -> ApiResult<CreateTableRequest> {
        let name = input.str("TableName")?;
        let key_schema_raw = input.objects("KeySchema")?;
        let definitions_raw = input.objects("AttributeDefinitions")?;
        let mut v = Violations::new();
        // In the order DynamoDB lists them (dynalite's test suite).
        v.not_null("attributeDefinitions", &definitions_raw);
        for (i, def) in definitions_raw.iter().flatten().enumerate() {
            let path = format!("attributeDefinitions.{}.member", i + 1);
            let (name, kind) = (def.str("AttributeName")?, def.str("AttributeType")?);
            v.not_null(&format!("{path}.attributeName"), &name);
            v.not_null(&format!("{path}.attributeType"), &kind);
            wire_enum::<crate::types::ScalarType>(&mut v, &format!("{path}.attributeType"), kind);
        }
        v.table_name("tableName", name);
        let billing_mode = wire_enum::<BillingMode>(&mut v, "billingMode", input.str("BillingMode")?);
        if let Some(units) = input.object("ProvisionedThroughput")? {
            for (field, path) in
                [("WriteCapacityUnits", "writeCapacityUnits"), ("ReadCapacityUnits", "readCapacityUnits")]
            {
                let value = units.long(field)?;
                let path = format!("provisionedThroughput.{path}");
                v.not_null(&path, &value);
                v.range(&path, value, 1, None);
            }
        }
        match key_schema_raw.as_deref() {
            None => v.not_null("keySchema", &key_schema_raw),
            Some([]) => v.add("'[]'".into(), "keySchema", "Member must have length greater than or equal to 1"),
            Some(keys) => {
                for (i, key) in keys.iter().enumerate() {
                    let path = format!("keySchema.{}.member", i + 1);
                    let (name, kind) = (key.str("AttributeName")?, key.str("KeyType")?);
                    v.not_null(&format!("{path}.attributeName"), &name);
                    v.not_null(&format!("{path}.keyType"), &kind);
                    wire_enum::<super::table_request::KeyType>(&mut v, &format!("{path}.keyType"), kind);
                }
            }
        }
        v.finish()?;
        let billing_mode = billing_mode.unwrap_or(BillingMode::Provisioned);
        dynamodb_schema_checks(&input)?;

        let key_names = KeyNames::read(key_schema_raw.as_deref(), KeyShape::Single)?;
        let definitions_raw = definitions_raw.unwrap_or_default();
        if definitions_raw.is_empty() {
            return Err(ApiError::validation("No Attribute Schema Defined"));
        }
        let attribute_definitions = read_attribute_definitions(&definitions_raw)?;
        let key_schema = key_names.resolve(&attribute_definitions, Owner::Table)?;
        let local_raw = input.objects("LocalSecondaryIndexes")?.unwrap_or_default();
        check_local_index_count(local_raw.len(), &key_schema)?;
        let throughput = ThroughputParam::read(&input, Owner::Table)?.resolve(billing_mode, Owner::Table)?;
        let (global_indexes, local_indexes) =
            read_indexes(&input, &local_raw, &key_schema, &attribute_definitions, billing_mode)?;
        let searched = super::vector_indexes::search_schema_names(&input)?;
        check_definitions_used(&attribute_definitions, &key_schema, &global_indexes, &local_indexes, &searched)?;

        let stream = match input.object("StreamSpecification")? {
            Some(spec) => StreamSetting::read(&spec, true)?,
            None => StreamSetting::Disabled,
        };
        let mut v = Violations::new();
        let table_class = wire_enum::<TableClass>(&mut v, "tableClass", input.str("TableClass")?);
        v.finish()?;
        Ok(CreateTableRequest {
            table_name: name.unwrap_or_default().to_string(),
            key_schema,
            attribute_definitions,
            billing_mode,
            throughput,
            global_indexes,
            local_indexes,
            stream,
            tags: read_tags(&input)?,
            sse_specification: input.raw("SSESpecification").cloned(),
            table_class,
            deletion_protection: input.bool("DeletionProtectionEnabled")?.unwrap_or(false),
        })
    }

    /// The new table's definition (CREATING for a while with a status delay).
    fn into_def(self, state: &State, now_millis: i64) -> TableDef {
        let arn = state.table_arn(&self.table_name);
        let index_defs = |indexes: Vec<ResolvedIndex>| indexes.into_iter().map(|i| i.into_def(&arn)).collect();
        TableDef {
            id: uuid::Uuid::new_v4().to_string(),
            global_indexes: index_defs(self.global_indexes),
            local_indexes: index_defs(self.local_indexes),
            arn,
            name: self.table_name,
            key_schema: self.key_schema,
            attribute_definitions: self.attribute_definitions,
            billing_mode: self.billing_mode,
            throughput: self.throughput,
            stream_view: None,
            latest_stream: None,
            sse_specification: self.sse_specification,
            table_class: self.table_class.map(|class| class.wire_name().to_string()),
            tags: self.tags,
            deletion_protection: self.deletion_protection,
            ttl_attribute: None,
            ttl_change: None,
            point_in_time_recovery: false,
            created_at: state.clock.now_seconds(),
            transition: state.status_delay.begin(Phase::Creating, now_millis),
            integrations: Default::default(),
            vector_indexes: Vec::new(),
        }
    }
}

/// Real DynamoDB's checks of the key schemas and indexes, in its order and
/// words (dynalite's validations/createTable.js and test/createTable.js,
/// asserted against DynamoDB; DynamoDB Local words these differently, see
/// conformance/differences/tables-and-indexes.md). Requests these leave
/// alone are checked further by the typed reading that follows.
fn dynamodb_schema_checks(input: &Input) -> ApiResult<()> {
    let invalid = |m: String| Err(ApiError::validation(format!("One or more parameter values were invalid: {m}")));
    if let Some(units) = input.object("ProvisionedThroughput")? {
        for field in ["ReadCapacityUnits", "WriteCapacityUnits"] {
            if let Some(n) = units.long(field)?.filter(|&n| n > 1_000_000_000_000) {
                return Err(ApiError::validation(format!("Given value {n} for {field} is out of bounds")));
            }
        }
    }
    let defs: Vec<&str> = input
        .objects("AttributeDefinitions")?
        .unwrap_or_default()
        .iter()
        .map(|d| d.str("AttributeName").map(Option::unwrap_or_default))
        .collect::<ApiResult<_>>()?;
    let table_keys = elements(input)?;
    // More than two key elements, or an attribute defined twice: the typed
    // reading that follows answers those.
    if table_keys.len() > 2 || defs.iter().enumerate().any(|(i, d)| defs[..i].contains(d)) {
        return Ok(());
    }
    let undefined = |keys: &[(&str, &str)]| keys.iter().any(|(k, _)| !defs.contains(k));
    let listed = |keys: &[(&str, &str)]| {
        let names: Vec<&str> = keys.iter().map(|(k, _)| *k).collect();
        format!(
            "Some index key attributes are not defined in AttributeDefinitions. Keys: [{}], AttributeDefinitions: [{}]",
            names.join(", "),
            defs.join(", ")
        )
    };
    // A global index's key may have several HASH and RANGE attributes: only
    // its first element is checked here, the typed reading checks the rest.
    let shape = |keys: &[(&str, &str)], multi: bool| -> ApiResult<()> {
        if keys.len() == 2 && keys[0].0 == keys[1].0 && (!multi || keys[1].1 == "RANGE") {
            return Err(ApiError::validation(
                "Both the Hash Key and the Range Key element in the KeySchema have the same name",
            ));
        }
        if keys.first().is_some_and(|(_, t)| *t != "HASH") {
            return Err(ApiError::validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type"));
        }
        if !multi && keys.get(1).is_some_and(|(_, t)| *t != "RANGE") {
            return Err(ApiError::validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"));
        }
        Ok(())
    };
    match table_keys.len() {
        2 if undefined(&table_keys) || (table_keys[0].0 == table_keys[1].0 && defs.len() == 1) => {
            return Err(ApiError::validation("Invalid KeySchema: Some index key attribute have no definition"));
        }
        1 if undefined(&table_keys) => return invalid(listed(&table_keys)),
        _ => {}
    }
    shape(&table_keys, false)?;
    let locals = input.objects("LocalSecondaryIndexes")?;
    let globals = input.objects("GlobalSecondaryIndexes")?;
    // A vector index's search schema uses definitions too.
    if locals.is_none() && globals.is_none() && !input.has("VectorIndexes") && table_keys.len() != defs.len() {
        return invalid(
            "Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"
                .into(),
        );
    }
    let mut names: Vec<String> = Vec::new();
    let mut index_checks = |index: &Input, local: bool| -> ApiResult<Option<()>> {
        let keys = elements(index)?;
        let name = index.str("IndexName")?.unwrap_or_default();
        if keys.is_empty() {
            return Ok(None);
        }
        if undefined(&keys) {
            return invalid(listed(&keys)).map(Some);
        }
        shape(&keys, !local)?;
        if local && keys.len() != 2 {
            return invalid(format!("Index KeySchema does not have a range key for index: {name}")).map(Some);
        }
        if local && keys[0].0 != table_keys[0].0 {
            return invalid(format!(
                "Index KeySchema does not have the same leading hash key as table KeySchema for index: {name}. index hash key: {}, table hash key: {}",
                keys[0].0, table_keys[0].0
            ))
            .map(Some);
        }
        let Some(projection) = index.object("Projection")? else { return Ok(None) };
        let Some(kind) = projection.str("ProjectionType")? else {
            return invalid("Unknown ProjectionType: null".into()).map(Some);
        };
        if projection.has("NonKeyAttributes") && kind != "INCLUDE" {
            return invalid(format!("ProjectionType is {kind}, but NonKeyAttributes is specified")).map(Some);
        }
        if names.iter().any(|n| n == name) {
            return invalid(format!("Duplicate index name: {name}")).map(Some);
        }
        names.push(name.to_string());
        Ok(Some(()))
    };
    if let Some(locals) = &locals {
        if locals.is_empty() {
            return invalid("List of LocalSecondaryIndexes is empty".into());
        }
        if table_keys.len() != 2 {
            return invalid(
                "Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"
                    .into(),
            );
        }
        for index in locals {
            if index_checks(index, true)?.is_none() {
                return Ok(());
            }
        }
        if locals.len() > MAX_LOCAL_INDEXES {
            return invalid(format!("Number of LocalSecondaryIndexes exceeds per-table limit of {MAX_LOCAL_INDEXES}"));
        }
    }
    if let Some(globals) = &globals {
        if globals.is_empty() {
            return invalid("List of GlobalSecondaryIndexes is empty".into());
        }
        for index in globals {
            if index_checks(index, false)?.is_none() {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// A KeySchema's (name, key type) pairs as given.
fn elements<'a>(raw: &Input<'a>) -> ApiResult<Vec<(&'a str, &'a str)>> {
    raw.objects("KeySchema")?
        .unwrap_or_default()
        .iter()
        .map(|k| Ok((k.str("AttributeName")?.unwrap_or_default(), k.str("KeyType")?.unwrap_or_default())))
        .collect()
}

/// Local indexes need a sort key on the table, and there are at most five.
fn check_local_index_count(count: usize, key_schema: &KeySchema) -> ApiResult<()> {
    if count > 0 && key_schema.sort.is_none() {
        return Err(ApiError::validation(
            "Local Secondary indices are not allowed on hash tables, only hash and range tables",
        ));
    }
    if count > MAX_LOCAL_INDEXES {
        return Err(ApiError::validation(format!(
            "Cannot have more than {MAX_LOCAL_INDEXES} local secondary indexes per table"
        )));
    }
    Ok(())
}

/// The global, then the local secondary indexes, each checked; then the
/// limits on all of them.
fn read_indexes(
    input: &Input,
    local_raw: &[Input],
    key_schema: &KeySchema,
    defs: &AttributeDefinitions,
    billing: BillingMode,
) -> ApiResult<(Vec<ResolvedIndex>, Vec<ResolvedIndex>)> {
    let mut global_indexes: Vec<ResolvedIndex> = Vec::new();
    for raw in input.objects("GlobalSecondaryIndexes")?.unwrap_or_default() {
        let index = IndexSpec::read(&raw, IndexKind::Global)?.resolve(defs, billing)?;
        if global_indexes.iter().any(|i| i.name == index.name) {
            return Err(ApiError::validation("Two global secondary indices have the same name"));
        }
        global_indexes.push(index);
    }
    let mut local_indexes: Vec<ResolvedIndex> = Vec::new();
    for raw in local_raw {
        let index = IndexSpec::read(raw, IndexKind::Local)?.resolve(defs, billing)?;
        if index.key_schema.partition.name != key_schema.partition.name {
            return Err(ApiError::validation("Local Secondary indices must have the same hash key as the main table"));
        }
        if local_indexes.iter().chain(&global_indexes).any(|i| i.name == index.name) {
            return Err(ApiError::validation("Two local secondary indices have the same name"));
        }
        local_indexes.push(index);
    }
    if global_indexes.len() > MAX_GLOBAL_INDEXES {
        return Err(too_many_global_indexes());
    }
    let projected: usize = global_indexes
        .iter()
        .chain(&local_indexes)
        .map(|i| match &i.projection {
            ProjectionType::Include(attrs) => attrs.len(),
            _ => 0,
        })
        .sum();
    if projected > MAX_PROJECTED_ATTRIBUTES {
        return Err(ApiError::validation(format!(
            "One or more parameter values were invalid: Number of projected attributes in all indexes exceeds limit of {MAX_PROJECTED_ATTRIBUTES}, number of projected attributes:{projected}"
        )));
    }
    Ok((global_indexes, local_indexes))
}

/// Every attribute definition must be used by the table's or an index's key.
fn check_definitions_used(
    defs: &AttributeDefinitions,
    key_schema: &KeySchema,
    global_indexes: &[ResolvedIndex],
    local_indexes: &[ResolvedIndex],
    searched: &[String],
) -> ApiResult<()> {
    let used = |attr: &str| {
        key_schema.is_key_attribute(attr)
            || searched.iter().any(|s| s == attr)
            || global_indexes.iter().chain(local_indexes).any(|i| i.key_schema.is_key_attribute(attr))
    };
    if !defs.iter().all(|(n, _)| used(n)) {
        // Real DynamoDB's wording, see conformance/differences/gaps.md.
        return Err(ApiError::validation(
            "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
        ));
    }
    Ok(())
}

/// `Tags`, checked as TagResource checks them, and at most 50 of them.
fn read_tags(input: &Input) -> ApiResult<Vec<(String, String)>> {
    let Some(raw) = input.objects("Tags")? else { return Ok(Vec::new()) };
    let mut v = Violations::new();
    let tags = super::metadata::read_tags(&raw, &mut v)?;
    v.finish()?;
    super::metadata::check_tag_characters(&tags)?;
    super::metadata::check_tag_count(tags.len())?;
    Ok(tags)
}
