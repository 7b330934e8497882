//! The TableDescription that CreateTable, DescribeTable, UpdateTable and
//! DeleteTable answer with, from a table's definition and items.

use crate::state::State;
use crate::storage::lifecycle::{is_backfilling, TableStatus};
use crate::storage::{BillingMode, IndexDef, IndexKind, ProjectionType, TableData, TableDef, Throughput};
use crate::types::{KeyAttribute, KeySchema};
use serde_json::{json, Map, Value};

/// The TableDescription of `def` with `data`'s counts, as of `status`.
pub fn describe(state: &State, def: &TableDef, data: &TableData, status: TableStatus) -> Value {
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
    out.insert("TableStatus".into(), json!(status.as_str()));
    out.insert("CreationDateTime".into(), json!(def.created_at));
    out.insert("ProvisionedThroughput".into(), throughput_json(def.throughput));
    out.insert("TableSizeBytes".into(), json!(data.size_bytes));
    out.insert("ItemCount".into(), json!(data.item_count()));
    out.insert("TableArn".into(), json!(def.arn));
    out.insert("TableId".into(), json!(def.id));
    if let Some(replicas) = super::replicas::describe_replicas(state, def) {
        out.insert("GlobalTableVersion".into(), json!(super::replicas::GLOBAL_TABLE_VERSION));
        out.insert("Replicas".into(), replicas);
    }
    if def.billing_mode == BillingMode::PayPerRequest {
        out.insert(
            "BillingModeSummary".into(),
            json!({ "BillingMode": "PAY_PER_REQUEST", "LastUpdateToPayPerRequestDateTime": def.created_at }),
        );
    }
    let now = state.clock.now_millis();
    let indexes = |list: &[IndexDef]| -> Value {
        list.iter().map(|index| index_description(def, data, index, status, now)).collect()
    };
    if !def.global_indexes.is_empty() {
        out.insert("GlobalSecondaryIndexes".into(), indexes(&def.global_indexes));
    }
    if !def.local_indexes.is_empty() {
        out.insert("LocalSecondaryIndexes".into(), indexes(&def.local_indexes));
    }
    if let Some(vectors) = super::vector_indexes::describe(def, data, status, now) {
        out.insert("VectorIndexes".into(), vectors);
    }
    insert_stream_and_encryption(state, def, &mut out);
    if let Some(class) = &def.table_class {
        out.insert("TableClassSummary".into(), json!({ "TableClass": class }));
    }
    out.insert("DeletionProtectionEnabled".into(), json!(def.deletion_protection));
    if let Some(summary) = super::backups::restore_summary(def, status) {
        out.insert("RestoreSummary".into(), summary);
    }
    Value::Object(out)
}

/// One entry of `GlobalSecondaryIndexes` / `LocalSecondaryIndexes`.
fn index_description(def: &TableDef, data: &TableData, index: &IndexDef, status: TableStatus, now: i64) -> Value {
    let mut m = Map::new();
    m.insert("IndexName".into(), json!(index.name));
    m.insert("KeySchema".into(), key_schema_json(&index.key_schema));
    m.insert("Projection".into(), projection_json(&index.projection));
    if index.kind == IndexKind::Global {
        // A new table's indexes are created with it; one added later is
        // CREATING while it backfills.
        if status == TableStatus::Creating {
            m.insert("IndexStatus".into(), json!("CREATING"));
        } else if is_backfilling(index, now) {
            m.insert("IndexStatus".into(), json!("CREATING"));
            m.insert("Backfilling".into(), json!(true));
        } else {
            m.insert("IndexStatus".into(), json!("ACTIVE"));
        }
        if def.billing_mode == BillingMode::Provisioned {
            m.insert("ProvisionedThroughput".into(), throughput_json(index.throughput.unwrap_or_default()));
        }
    }
    // Item count and size of the index, kept up to date by every write.
    let (count, size) = data.index(&index.name).map_or((0, 0), |i| (i.item_count, i.size_bytes));
    m.insert("IndexSizeBytes".into(), json!(size));
    m.insert("ItemCount".into(), json!(count));
    m.insert("IndexArn".into(), json!(index.arn));
    Value::Object(m)
}

/// The stream's specification, label and ARN; the SSE description when
/// encryption with a KMS key was asked for.
fn insert_stream_and_encryption(state: &State, def: &TableDef, out: &mut Map<String, Value>) {
    if let Some(view) = def.stream_view {
        out.insert("StreamSpecification".into(), json!({ "StreamEnabled": true, "StreamViewType": view.as_str() }));
    }
    if let Some((arn, label)) = &def.latest_stream {
        out.insert("LatestStreamLabel".into(), json!(label));
        out.insert("LatestStreamArn".into(), json!(arn));
    }
    if let Some(sse) = sse_description(state, def) {
        out.insert("SSEDescription".into(), sse);
    }
}

/// The SSE description of a table encrypted with a KMS key, if it is.
pub fn sse_description(state: &State, def: &TableDef) -> Option<Value> {
    let enabled = def.sse_specification.as_ref().and_then(|sse| sse.get("Enabled")).and_then(Value::as_bool);
    (enabled == Some(true)).then(|| {
        let key = format!("arn:aws:kms:{}:{}:key/emulator-managed", state.config.region, state.config.account_id);
        json!({ "Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": key })
    })
}

/// An index's `Projection`.
pub fn projection_json(projection: &ProjectionType) -> Value {
    let mut out = json!({ "ProjectionType": projection.as_str() });
    if let ProjectionType::Include(attrs) = projection {
        out["NonKeyAttributes"] = json!(attrs);
    }
    out
}

pub fn key_schema_json(schema: &KeySchema) -> Value {
    let element = |attr: &KeyAttribute, kind: &str| json!({ "AttributeName": attr.name, "KeyType": kind });
    let hash = schema.partition_attributes().map(|a| element(a, "HASH"));
    Value::Array(hash.chain(schema.sort_attributes().map(|a| element(a, "RANGE"))).collect())
}

fn throughput_json(t: Throughput) -> Value {
    json!({ "NumberOfDecreasesToday": 0, "ReadCapacityUnits": t.read, "WriteCapacityUnits": t.write })
}
