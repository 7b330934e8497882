//! Control plane: CreateTable, DescribeTable, ListTables, DeleteTable, and
//! the TableDescription they all answer with.

use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::input::{Input, Violations};
use crate::state::State;
use crate::storage::lifecycle::{is_backfilling, table_status, Phase, TableStatus};
use crate::storage::{BillingMode, IndexDef, IndexKind, ProjectionType, TableData, TableDef, Throughput};
use crate::types::{KeyAttribute, KeySchema, ScalarType};
use serde_json::{json, Map, Value};

pub const MAX_GLOBAL_INDEXES: usize = 20;
pub const MAX_LOCAL_INDEXES: usize = 5;
/// Attributes projected into all of a table's indexes, at most.
const MAX_PROJECTED_ATTRIBUTES: usize = 100;
/// Longest name of a key or projected attribute (UTF-8 bytes).
const MAX_KEY_ATTRIBUTE_NAME_BYTES: usize = 255;

pub fn create_table(state: &State, input: Input) -> ApiResult<Value> {
    let name = input.str("TableName")?;
    let billing = input.str("BillingMode")?;
    let mut v = Violations::new();
    v.table_name("tableName", name);
    let key_schema_raw = input.objects("KeySchema")?;
    let defs_raw = input.objects("AttributeDefinitions")?;
    v.one_of("billingMode", billing, &["PROVISIONED", "PAY_PER_REQUEST"]);
    v.finish()?;
    let name = name.unwrap_or_default();
    let now = state.clock.now_millis();

    let key_names = key_schema_names(key_schema_raw.as_deref())?;
    let defs_raw = defs_raw.unwrap_or_default();
    if defs_raw.is_empty() {
        return Err(ApiError::validation("No Attribute Schema Defined"));
    }
    let attribute_definitions = parse_attribute_definitions(&defs_raw)?;
    let key_schema = resolve_key_schema(key_names, &attribute_definitions, "table")?;
    let lsis = input.objects("LocalSecondaryIndexes")?.unwrap_or_default();
    if !lsis.is_empty() && key_schema.sort.is_none() {
        return Err(ApiError::validation(
            "Local Secondary indices are not allowed on hash tables, only hash and range tables",
        ));
    }
    if lsis.len() > MAX_LOCAL_INDEXES {
        return Err(ApiError::validation(format!(
            "Cannot have more than {MAX_LOCAL_INDEXES} local secondary indexes per table"
        )));
    }

    let billing_mode = match billing {
        Some("PAY_PER_REQUEST") => BillingMode::PayPerRequest,
        _ => BillingMode::Provisioned,
    };
    let throughput = parse_throughput(input.object("ProvisionedThroughput")?, billing_mode, "table")?;

    let arn = state.table_arn(name);
    let mut global_indexes = Vec::new();
    for gsi in input.objects("GlobalSecondaryIndexes")?.unwrap_or_default() {
        let index = parse_index(gsi, IndexKind::Global, &attribute_definitions, billing_mode, &arn)?;
        if global_indexes.iter().any(|i: &IndexDef| i.name == index.name) {
            return Err(ApiError::validation("Two global secondary indices have the same name"));
        }
        global_indexes.push(index);
    }
    let mut local_indexes = Vec::new();
    for lsi in lsis {
        let index = parse_index(lsi, IndexKind::Local, &attribute_definitions, billing_mode, &arn)?;
        if index.key_schema.partition.name != key_schema.partition.name {
            return Err(ApiError::validation("Local Secondary indices must have the same hash key as the main table"));
        }
        if local_indexes.iter().chain(&global_indexes).any(|i: &IndexDef| i.name == index.name) {
            return Err(ApiError::validation("Two local secondary indices have the same name"));
        }
        local_indexes.push(index);
    }
    if global_indexes.len() > MAX_GLOBAL_INDEXES {
        return Err(ApiError::new(
            ErrorKind::LimitExceeded,
            format!("One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of {MAX_GLOBAL_INDEXES}"),
        ));
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

    // Every attribute definition must be used by the table or an index key.
    let used = |attr: &str| {
        key_schema.is_key_attribute(attr)
            || global_indexes.iter().chain(&local_indexes).any(|i| i.key_schema.is_key_attribute(attr))
    };
    if !attribute_definitions.iter().all(|(n, _)| used(n)) {
        // Real DynamoDB's wording, see conformance/differences/gaps.md.
        return Err(ApiError::validation(
            "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
        ));
    }

    let stream_specification = parse_stream_specification(input.object("StreamSpecification")?)?;
    let table_class = input.str("TableClass")?;
    let mut v = Violations::new();
    v.one_of("tableClass", table_class, &["STANDARD", "STANDARD_INFREQUENT_ACCESS"]);
    v.finish()?;
    let tags = input
        .objects("Tags")?
        .unwrap_or_default()
        .into_iter()
        .map(|t| Ok((t.str("Key")?.unwrap_or_default().to_string(), t.str("Value")?.unwrap_or_default().to_string())))
        .collect::<ApiResult<Vec<_>>>()?;

    let def = TableDef {
        name: name.to_string(),
        id: uuid::Uuid::new_v4().to_string(),
        arn,
        key_schema,
        attribute_definitions,
        billing_mode,
        throughput,
        global_indexes,
        local_indexes,
        stream_specification,
        sse_specification: input.raw("SSESpecification").cloned(),
        table_class: table_class.map(str::to_string),
        tags,
        deletion_protection: input.bool("DeletionProtectionEnabled")?.unwrap_or(false),
        ttl_attribute: None,
        point_in_time_recovery: false,
        created_at: state.clock.now_seconds(),
        transition: state.status_delay.begin(Phase::Creating, now),
    };
    // DynamoDB answers CREATING even when the table is ready at once.
    let description = describe(state, &def, &TableData::default(), TableStatus::Creating.as_str());
    let in_use = |existing: TableStatus| match existing {
        TableStatus::Creating | TableStatus::Deleting => existing.in_use_error(name),
        _ => None,
    };
    if let Some(existing) = state.table(name) {
        let status = table_status(&existing.inner.read().def, now);
        return Err(in_use(status)
            .unwrap_or_else(|| ApiError::new(ErrorKind::ResourceInUse, format!("Table already exists: {name}"))));
    }
    state
        .catalog
        .create(def)
        .ok_or_else(|| ApiError::new(ErrorKind::ResourceInUse, format!("Table already exists: {name}")))?;
    Ok(json!({ "TableDescription": description }))
}

pub fn describe_table(state: &State, input: Input) -> ApiResult<Value> {
    let name = table_name_param(input)?;
    let table = state.table(name).ok_or_else(|| not_found(name))?;
    let guard = table.inner.read();
    let status = table_status(&guard.def, state.clock.now_millis());
    Ok(json!({ "Table": describe(state, &guard.def, &guard.data, status.as_str()) }))
}

/// Deletes a table: at once, or (with a status delay) after a DELETING
/// period during which it is still described and listed but serves no items.
pub fn delete_table(state: &State, input: Input) -> ApiResult<Value> {
    let name = table_name_param(input)?;
    let table = state.table(name).ok_or_else(|| not_found(name))?;
    let mut guard = table.inner.write();
    if guard.def.deletion_protection {
        return Err(ApiError::validation(
            "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.",
        ));
    }
    let now = state.clock.now_millis();
    let status = table_status(&guard.def, now);
    // A table already DELETING is answered again without an error, as DynamoDB does.
    if status != TableStatus::Deleting {
        if let Some(error) = status.in_use_error(name) {
            return Err(error);
        }
    }
    let description = describe(state, &guard.def, &guard.data, TableStatus::Deleting.as_str());
    if status != TableStatus::Deleting {
        match state.status_delay.begin(Phase::Deleting, now) {
            Some(transition) => guard.def.transition = Some(transition),
            None => {
                drop(guard);
                state.catalog.remove_if_same(name, &table);
            }
        }
    }
    Ok(json!({ "TableDescription": description }))
}

pub fn list_tables(state: &State, input: Input) -> ApiResult<Value> {
    let start = input.str("ExclusiveStartTableName")?;
    let limit = input.int("Limit")?;
    let mut v = Violations::new();
    v.range("limit", limit, 1, Some(100));
    if let Some(s) = start {
        v.name_rules("exclusiveStartTableName", s, 3, 255);
    }
    v.finish()?;
    let limit = limit.unwrap_or(100) as usize;
    let names = state.table_names();
    let after: Vec<&String> = names.iter().filter(|n| start.is_none_or(|s| n.as_str() > s)).collect();
    let page: Vec<&String> = after.iter().take(limit).copied().collect();
    let mut out = Map::new();
    out.insert("TableNames".into(), json!(page));
    if after.len() > limit {
        if let Some(last) = page.last() {
            out.insert("LastEvaluatedTableName".into(), json!(last));
        }
    }
    Ok(Value::Object(out))
}

/// The `TableName` of DescribeTable/DeleteTable, with its constraints.
pub(crate) fn table_name_param<'a>(input: Input<'a>) -> ApiResult<&'a str> {
    let name = input.str("TableName")?;
    let mut v = Violations::new();
    v.table_name("tableName", name);
    v.finish()?;
    Ok(name.unwrap_or_default())
}

pub(crate) fn not_found(name: &str) -> ApiError {
    ApiError::new(ErrorKind::ResourceNotFound, format!("Requested resource not found: Table: {name} not found"))
}

pub(crate) fn parse_attribute_definitions(raw: &[Input]) -> ApiResult<Vec<(String, ScalarType)>> {
    let mut defs: Vec<(String, ScalarType)> = Vec::new();
    for (i, d) in raw.iter().enumerate() {
        let name = d.str("AttributeName")?;
        let kind = d.str("AttributeType")?;
        let mut v = Violations::new();
        v.not_null(&format!("attributeDefinitions.{}.member.attributeName", i + 1), &name);
        v.not_null(&format!("attributeDefinitions.{}.member.attributeType", i + 1), &kind);
        v.one_of(&format!("attributeDefinitions.{}.member.attributeType", i + 1), kind, &["B", "N", "S"]);
        v.finish()?;
        let (name, kind) = (name.unwrap_or_default(), kind.and_then(ScalarType::parse).unwrap_or(ScalarType::S));
        check_attribute_name_length(name)?;
        if defs.iter().any(|(n, _)| n == name) {
            // Real DynamoDB's wording (DynamoDB Local: "Cannot have two
            // attributes with the same name"), see conformance/differences/gaps.md.
            return Err(ApiError::validation(format!("Attribute Name is duplicated: {name}")));
        }
        defs.push((name.to_string(), kind));
    }
    Ok(defs)
}

/// The hash and range attribute names of a KeySchema (of the table or an
/// index), with its shape checked: DynamoDB Local checks the shape before it
/// looks at AttributeDefinitions.
fn key_schema_names(raw: Option<&[Input]>) -> ApiResult<(String, Option<String>)> {
    let raw = raw.unwrap_or_default();
    if raw.is_empty() {
        return Err(ApiError::validation(
            "No defined key schema.  A key schema containing at least a hash key must be defined for all tables",
        ));
    }
    let mut elements = Vec::with_capacity(raw.len());
    for (i, k) in raw.iter().enumerate() {
        let name = k.str("AttributeName")?;
        let kind = k.str("KeyType")?;
        let mut v = Violations::new();
        v.not_null(&format!("keySchema.{}.member.attributeName", i + 1), &name);
        v.not_null(&format!("keySchema.{}.member.keyType", i + 1), &kind);
        v.one_of(&format!("keySchema.{}.member.keyType", i + 1), kind, &["HASH", "RANGE"]);
        v.finish()?;
        elements.push((name.unwrap_or_default(), kind == Some("HASH")));
    }
    if elements.len() > 2 {
        return Err(ApiError::validation(
            "Key Schema too big.  Key Schema must at most consist of the hash and range key of a table",
        ));
    }
    match elements.iter().filter(|(_, is_hash)| *is_hash).count() {
        0 => {
            return Err(ApiError::validation(
                "No Hash Key specified in schema.  All Dynamo DB tables must have exactly one hash key",
            ))
        }
        1 => {}
        _ => {
            return Err(ApiError::validation(
                "Too many hash keys specified.  All Dynamo DB tables must have exactly one hash key",
            ))
        }
    }
    let (hash, range) = match elements[..] {
        [(hash, true)] => (hash, None),
        [(hash, true), (range, false)] => (hash, Some(range)),
        // Real DynamoDB's wording (DynamoDB Local: "Invalid key order. ..."),
        // see conformance/differences/gaps.md.
        _ => return Err(ApiError::validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")),
    };
    if range == Some(hash) {
        return Err(ApiError::validation("Two keys can not have the same name"));
    }
    Ok((hash.to_string(), range.map(str::to_string)))
}

/// Types a KeySchema's attributes from the definitions.
fn resolve_key_schema(
    (hash, range): (String, Option<String>),
    defs: &[(String, ScalarType)],
    owner: &str,
) -> ApiResult<KeySchema> {
    let lookup = |name: String, what: &str| -> ApiResult<KeyAttribute> {
        match defs.iter().find(|(n, _)| *n == name) {
            Some((_, kind)) => Ok(KeyAttribute { name, kind: *kind }),
            None if owner == "table" => {
                Err(ApiError::validation(format!("{what} Key not specified in Attribute Definitions.  Type unknown.")))
            }
            None => Err(ApiError::validation(format!("Attribute {name} is not defined in AttributeDefinitions"))),
        }
    };
    Ok(KeySchema { partition: lookup(hash, "Hash")?, sort: range.map(|r| lookup(r, "Range")).transpose()? })
}

/// Key attribute names (in AttributeDefinitions) and projected attribute
/// names are 1 to 255 bytes long.
fn check_attribute_name_length(name: &str) -> ApiResult<()> {
    if name.is_empty() || name.len() > MAX_KEY_ATTRIBUTE_NAME_BYTES {
        return Err(ApiError::validation(
            "Names of key attributes and attributes projected into an index must be between 1 and 255 characters, inclusive",
        ));
    }
    Ok(())
}

pub(crate) fn parse_throughput(raw: Option<Input>, billing: BillingMode, owner: &str) -> ApiResult<Throughput> {
    match (billing, raw) {
        (BillingMode::PayPerRequest, Some(_)) if owner == "table" => Err(ApiError::validation(
            "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
        )),
        (BillingMode::PayPerRequest, _) => Ok(Throughput::default()),
        (BillingMode::Provisioned, None) if owner == "table" => {
            Err(ApiError::validation("No provisioned throughput specified for the table"))
        }
        (BillingMode::Provisioned, None) => {
            Err(ApiError::validation("No provisioned throughput specified for the global secondary index"))
        }
        (BillingMode::Provisioned, Some(t)) => {
            let read = t.int("ReadCapacityUnits")?;
            let write = t.int("WriteCapacityUnits")?;
            let mut v = Violations::new();
            v.not_null("provisionedThroughput.readCapacityUnits", &read);
            v.not_null("provisionedThroughput.writeCapacityUnits", &write);
            v.finish()?;
            let (read, write) = (read.unwrap_or(0), write.unwrap_or(0));
            if read < 1 || write < 1 {
                return Err(ApiError::validation(if owner == "table" {
                    "Table read and write throughput must be at least 1, and cannot be null".to_string()
                } else {
                    "Index read and write throughput must be at least 1, and cannot be null".to_string()
                }));
            }
            Ok(Throughput { read, write })
        }
    }
}

pub(crate) fn parse_index(
    raw: Input,
    kind: IndexKind,
    defs: &[(String, ScalarType)],
    billing: BillingMode,
    table_arn: &str,
) -> ApiResult<IndexDef> {
    let name = raw.str("IndexName")?;
    let mut v = Violations::new();
    let path = if kind == IndexKind::Global { "globalSecondaryIndexes" } else { "localSecondaryIndexes" };
    v.table_name(&format!("{path}.1.member.indexName"), name);
    v.finish()?;
    let name = name.unwrap_or_default().to_string();
    let key_schema = resolve_key_schema(key_schema_names(raw.objects("KeySchema")?.as_deref())?, defs, "index")?;
    if kind == IndexKind::Local && key_schema.sort.is_none() {
        return Err(ApiError::validation("Local secondary indices must have a range key"));
    }
    let Some(projection) = raw.object("Projection")? else {
        return Err(ApiError::validation("Indexes must have a projection specified"));
    };
    let projection_type = projection.str("ProjectionType")?;
    let non_key = projection.strings("NonKeyAttributes")?;
    let mut v = Violations::new();
    v.one_of(&format!("{path}.1.member.projection.projectionType"), projection_type, &["ALL", "KEYS_ONLY", "INCLUDE"]);
    v.finish()?;
    let projection = match (projection_type, non_key) {
        (Some("INCLUDE"), Some(attrs)) if !attrs.is_empty() => {
            attrs.iter().try_for_each(|a| check_attribute_name_length(a))?;
            ProjectionType::Include(attrs)
        }
        (Some("INCLUDE"), _) => {
            return Err(ApiError::validation(
                "If Projection type INCLUDE is specified, some non-key attributes to include in the projection must be specified as well",
            ))
        }
        (_, Some(_)) => {
            return Err(ApiError::validation(
                "No attributes should be specified to be projected unless projection type is INCLUDE",
            ))
        }
        (Some("KEYS_ONLY"), None) => ProjectionType::KeysOnly,
        (Some("ALL"), None) => ProjectionType::All,
        (None, None) => return Err(ApiError::validation("Unknown ProjectionType: null")),
        _ => unreachable!("enum checked above"),
    };
    let throughput = match kind {
        IndexKind::Global => Some(parse_throughput(raw.object("ProvisionedThroughput")?, billing, "index")?)
            .filter(|_| billing == BillingMode::Provisioned),
        IndexKind::Local => None,
    };
    Ok(IndexDef {
        arn: format!("{table_arn}/index/{name}"),
        name,
        kind,
        key_schema,
        projection,
        throughput,
        backfilled_at: None,
    })
}

pub(crate) fn parse_stream_specification(raw: Option<Input>) -> ApiResult<Option<Value>> {
    let Some(spec) = raw else { return Ok(None) };
    let enabled = spec.bool("StreamEnabled")?;
    let view = spec.str("StreamViewType")?;
    let mut v = Violations::new();
    v.not_null("streamSpecification.streamEnabled", &enabled);
    v.one_of(
        "streamSpecification.streamViewType",
        view,
        &["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"],
    );
    v.finish()?;
    match (enabled, view) {
        (Some(true), None) => Err(ApiError::validation(
            "Invalid StreamViewType: Stream ViewType must not be null or empty when enabling streams.",
        )),
        (Some(true), Some(view)) => Ok(Some(json!({ "StreamEnabled": true, "StreamViewType": view }))),
        _ => Ok(None),
    }
}

fn key_schema_json(schema: &KeySchema) -> Value {
    let mut keys = vec![json!({ "AttributeName": schema.partition.name, "KeyType": "HASH" })];
    if let Some(sort) = &schema.sort {
        keys.push(json!({ "AttributeName": sort.name, "KeyType": "RANGE" }));
    }
    Value::Array(keys)
}

fn throughput_json(t: Throughput) -> Value {
    json!({ "NumberOfDecreasesToday": 0, "ReadCapacityUnits": t.read, "WriteCapacityUnits": t.write })
}

/// The TableDescription of DescribeTable (and of Create/Delete/UpdateTable).
pub fn describe(state: &State, def: &TableDef, data: &TableData, status: &str) -> Value {
    let now = state.clock.now_millis();
    let mut out = Map::new();
    out.insert(
        "AttributeDefinitions".into(),
        def.attribute_definitions
            .iter()
            .map(|(n, k)| json!({ "AttributeName": n, "AttributeType": k.as_str() }))
            .collect(),
    );
    out.insert("TableName".into(), json!(def.name));
    out.insert("KeySchema".into(), key_schema_json(&def.key_schema));
    out.insert("TableStatus".into(), json!(status));
    out.insert("CreationDateTime".into(), json!(def.created_at));
    out.insert("ProvisionedThroughput".into(), throughput_json(def.throughput));
    out.insert("TableSizeBytes".into(), json!(data.size_bytes));
    out.insert("ItemCount".into(), json!(data.item_count()));
    out.insert("TableArn".into(), json!(def.arn));
    out.insert("TableId".into(), json!(def.id));
    if def.billing_mode == BillingMode::PayPerRequest {
        out.insert(
            "BillingModeSummary".into(),
            json!({ "BillingMode": "PAY_PER_REQUEST", "LastUpdateToPayPerRequestDateTime": def.created_at }),
        );
    }
    let index_json = |i: &IndexDef| {
        let mut m = Map::new();
        m.insert("IndexName".into(), json!(i.name));
        m.insert("KeySchema".into(), key_schema_json(&i.key_schema));
        let mut projection = json!({ "ProjectionType": i.projection.as_str() });
        if let ProjectionType::Include(attrs) = &i.projection {
            projection["NonKeyAttributes"] = json!(attrs);
        }
        m.insert("Projection".into(), projection);
        if i.kind == IndexKind::Global {
            if status == TableStatus::Creating.as_str() {
                m.insert("IndexStatus".into(), json!("CREATING"));
            } else if is_backfilling(i, now) {
                m.insert("IndexStatus".into(), json!("CREATING"));
                m.insert("Backfilling".into(), json!(true));
            } else {
                m.insert("IndexStatus".into(), json!("ACTIVE"));
            }
            if def.billing_mode == BillingMode::Provisioned {
                m.insert("ProvisionedThroughput".into(), throughput_json(i.throughput.unwrap_or_default()));
            }
        }
        let (count, size) = index_stats(data, i);
        m.insert("IndexSizeBytes".into(), json!(size));
        m.insert("ItemCount".into(), json!(count));
        m.insert("IndexArn".into(), json!(i.arn));
        Value::Object(m)
    };
    if !def.global_indexes.is_empty() {
        out.insert("GlobalSecondaryIndexes".into(), def.global_indexes.iter().map(index_json).collect());
    }
    if !def.local_indexes.is_empty() {
        out.insert("LocalSecondaryIndexes".into(), def.local_indexes.iter().map(index_json).collect());
    }
    if let Some(stream) = &def.stream_specification {
        out.insert("StreamSpecification".into(), stream.clone());
        let label = state.clock.stream_label(def.created_at);
        out.insert("LatestStreamLabel".into(), json!(label));
        out.insert("LatestStreamArn".into(), json!(format!("{}/stream/{label}", def.arn)));
    }
    if let Some(sse) = &def.sse_specification {
        if sse.get("Enabled").and_then(Value::as_bool) == Some(true) {
            let key = format!("arn:aws:kms:{}:{}:key/emulator-managed", state.config.region, state.config.account_id);
            out.insert(
                "SSEDescription".into(),
                json!({ "Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": key }),
            );
        }
    }
    if let Some(class) = &def.table_class {
        out.insert("TableClassSummary".into(), json!({ "TableClass": class }));
    }
    out.insert("DeletionProtectionEnabled".into(), json!(def.deletion_protection));
    Value::Object(out)
}

/// Item count and size of an index, kept up to date by every write.
fn index_stats(data: &TableData, index: &IndexDef) -> (u64, u64) {
    data.index(&index.name).map_or((0, 0), |i| (i.item_count, i.size_bytes))
}
