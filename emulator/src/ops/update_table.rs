//! UpdateTable: create (with backfill) and delete global secondary indexes,
//! change an index's throughput, the billing mode and table throughput,
//! streams, deletion protection and table class.
//!
//! The whole request is checked against a copy of the definition before
//! anything changes. A new index is backfilled synchronously under the table
//! lock: the UpdateTable answer reports it CREATING (table UPDATING) as
//! DynamoDB does, and the next DescribeTable finds it ACTIVE, or, with a
//! status delay set, CREATING with Backfilling until the delay has passed
//! (see `crate::storage::lifecycle`).

use super::tables::{
    describe, not_found, parse_attribute_definitions, parse_index, parse_stream_specification, parse_throughput,
    MAX_GLOBAL_INDEXES,
};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::input::{Input, Violations};
use crate::state::State;
use crate::storage::lifecycle::{table_status, Phase};
use crate::storage::{BillingMode, IndexDef, IndexKind, Throughput};
use crate::types::ScalarType;
use serde_json::{json, Value};

/// One entry of `GlobalSecondaryIndexUpdates`.
enum IndexUpdate {
    Create(IndexDef),
    Update(String, Throughput),
    Delete(String),
}

pub fn update_table(state: &State, input: Input) -> ApiResult<Value> {
    let name = input.str("TableName")?;
    let billing = input.str("BillingMode")?;
    let table_class = input.str("TableClass")?;
    let mut v = Violations::new();
    v.table_name("tableName", name);
    v.one_of("billingMode", billing, &["PROVISIONED", "PAY_PER_REQUEST"]);
    v.one_of("tableClass", table_class, &["STANDARD", "STANDARD_INFREQUENT_ACCESS"]);
    v.finish()?;
    let name = name.unwrap_or_default();
    let new_definitions = match input.objects("AttributeDefinitions")? {
        Some(raw) => Some(parse_attribute_definitions(&raw)?),
        None => None,
    };
    let throughput_raw = input.object("ProvisionedThroughput")?;
    let index_updates_raw = input.objects("GlobalSecondaryIndexUpdates")?.unwrap_or_default();
    let stream_raw = input.object("StreamSpecification")?;
    let deletion_protection = input.bool("DeletionProtectionEnabled")?;
    let sse = input.raw("SSESpecification").cloned();
    if billing.is_none()
        && throughput_raw.is_none()
        && index_updates_raw.is_empty()
        && stream_raw.is_none()
        && deletion_protection.is_none()
        && table_class.is_none()
        && sse.is_none()
    {
        return Err(ApiError::validation("Nothing to update"));
    }

    let table = state.table(name).ok_or_else(|| not_found(name))?;
    let mut guard = table.inner.write();
    let now = state.clock.now_millis();
    if let Some(error) = table_status(&guard.def, now).in_use_error(name) {
        return Err(error);
    }
    let mut def = guard.def.clone();

    // Billing mode and table throughput.
    let billing_mode = match billing {
        Some("PAY_PER_REQUEST") => BillingMode::PayPerRequest,
        Some(_) => BillingMode::Provisioned,
        None => def.billing_mode,
    };
    if billing_mode == BillingMode::Provisioned && (throughput_raw.is_some() || def.billing_mode != billing_mode) {
        let requested = parse_throughput(throughput_raw, billing_mode, "table")?;
        if def.billing_mode == billing_mode && requested == def.throughput && index_updates_raw.is_empty() {
            return Err(ApiError::validation(format!(
                "The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: {}. Requested ReadCapacityUnits: {}. Current WriteCapacityUnits provisioned for the table: {}. Requested WriteCapacityUnits: {}. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
                def.throughput.read, requested.read, def.throughput.write, requested.write
            )));
        }
        def.throughput = requested;
    } else if billing_mode == BillingMode::PayPerRequest {
        parse_throughput(throughput_raw, billing_mode, "table")?;
        def.throughput = Throughput::default();
        for index in &mut def.global_indexes {
            index.throughput = None;
        }
    }
    def.billing_mode = billing_mode;

    // Index updates, checked against the definition as it will be.
    let mut definitions = def.attribute_definitions.clone();
    for (attr, kind) in new_definitions.iter().flatten() {
        match definitions.iter().find(|(n, _)| n == attr) {
            Some((_, existing)) if existing != kind && is_used(&def, attr) => {
                return Err(ApiError::validation(format!(
                    "One or more parameter values were invalid: Attribute {attr} is already defined with type {}",
                    existing.as_str()
                )))
            }
            Some(_) => definitions.retain(|(n, _)| n != attr),
            None => {}
        }
        definitions.push((attr.clone(), *kind));
    }
    let mut updates = Vec::new();
    for raw in &index_updates_raw {
        updates.push(parse_update(raw, &definitions, &def, new_definitions.is_some())?);
    }
    let online = updates.iter().filter(|u| !matches!(u, IndexUpdate::Update(..))).count();
    if online > 1 {
        return Err(ApiError::new(
            ErrorKind::LimitExceeded,
            "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table",
        ));
    }
    let mut created: Option<String> = None;
    let mut deleted: Option<IndexDef> = None;
    for update in updates {
        match update {
            IndexUpdate::Create(index) => {
                if def.index(&index.name).is_some() {
                    return Err(ApiError::validation("Attempting to create an index which already exists"));
                }
                created = Some(index.name.clone());
                def.global_indexes.push(index);
            }
            IndexUpdate::Delete(index_name) => {
                let position = def.global_indexes.iter().position(|i| i.name == index_name);
                let Some(position) = position else {
                    return Err(ApiError::table_not_found());
                };
                deleted = Some(def.global_indexes.remove(position));
            }
            IndexUpdate::Update(index_name, throughput) => {
                let Some(index) = def.global_indexes.iter_mut().find(|i| i.name == index_name) else {
                    return Err(ApiError::table_not_found());
                };
                index.throughput = Some(throughput);
            }
        }
    }
    if def.global_indexes.len() > MAX_GLOBAL_INDEXES {
        return Err(ApiError::new(
            ErrorKind::LimitExceeded,
            format!("One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of {MAX_GLOBAL_INDEXES}"),
        ));
    }
    if def.billing_mode == BillingMode::Provisioned {
        if let Some(index) = def.global_indexes.iter().find(|i| i.throughput.is_none()) {
            return Err(ApiError::validation(format!(
                "One or more parameter values were invalid: ProvisionedThroughput must be specified for index: {}",
                index.name
            )));
        }
    }
    // DynamoDB keeps only the definitions some key schema uses.
    definitions.retain(|(attr, _)| is_used(&def, attr));
    def.attribute_definitions = definitions;

    // Streams, deletion protection, table class, encryption.
    if stream_raw.is_some() {
        let stream = parse_stream_specification(stream_raw)?;
        match (&def.stream_specification, &stream) {
            (Some(_), Some(_)) => {
                return Err(ApiError::validation(format!("Table already has an enabled stream: {}", def.arn)))
            }
            (None, None) => return Err(ApiError::validation("Table already has stream disabled")),
            _ => def.stream_specification = stream,
        }
    }
    if let Some(protect) = deletion_protection {
        def.deletion_protection = protect;
    }
    if let Some(class) = table_class {
        def.table_class = Some(class.to_string());
    }
    if sse.is_some() {
        def.sse_specification = sse;
    }

    // Everything checked: apply. With a status delay the table stays
    // UPDATING, and a new index backfilling, until the delay has passed.
    def.transition = state.status_delay.begin(Phase::Updating, now);
    if let Some(index) = def.global_indexes.iter_mut().find(|i| Some(&i.name) == created.as_ref()) {
        index.backfilled_at = def.transition.map(|t| t.until_millis);
    }
    if let Some(index) = &deleted {
        guard.data.remove_index(&index.name);
    }
    if let Some(index_name) = &created {
        if let Some(index) = def.index(index_name) {
            let index = index.clone();
            guard.data.add_index(&index, &def.key_schema);
        }
    }
    guard.def = def;

    let mut shown = guard.def.clone();
    if let Some(index) = &deleted {
        shown.global_indexes.push(index.clone());
    }
    let mut description = describe(state, &shown, &guard.data, "UPDATING");
    if let Some(indexes) = description.get_mut("GlobalSecondaryIndexes").and_then(Value::as_array_mut) {
        for index in indexes {
            let index_name = index.get("IndexName").and_then(Value::as_str).map(str::to_string);
            let status = match index_name {
                Some(n) if Some(&n) == created.as_ref() => "CREATING",
                Some(n) if deleted.as_ref().is_some_and(|d| d.name == n) => "DELETING",
                _ => continue,
            };
            index["IndexStatus"] = json!(status);
            if status == "CREATING" {
                index["Backfilling"] = json!(false);
                if let Some(obj) = index.as_object_mut() {
                    obj.remove("IndexSizeBytes");
                    obj.remove("ItemCount");
                }
            }
        }
    }
    Ok(json!({ "TableDescription": description }))
}

fn parse_update(
    raw: &Input,
    definitions: &[(String, ScalarType)],
    def: &crate::storage::TableDef,
    has_definitions: bool,
) -> ApiResult<IndexUpdate> {
    let create = raw.object("Create")?;
    let update = raw.object("Update")?;
    let delete = raw.object("Delete")?;
    let actions = create.is_some() as usize + update.is_some() as usize + delete.is_some() as usize;
    if actions == 0 {
        return Err(ApiError::validation("Update global secondary index action is null"));
    }
    if actions > 1 {
        return Err(ApiError::validation(
            "One or more parameter values were invalid: Only one of Create, Update or Delete can be specified per global secondary index update",
        ));
    }
    if let Some(create) = create {
        if !has_definitions {
            return Err(ApiError::validation("No Attribute Schema Defined"));
        }
        let index = parse_index(create, IndexKind::Global, definitions, def.billing_mode, &def.arn)?;
        return Ok(IndexUpdate::Create(index));
    }
    let (raw, is_update) = match (update, delete) {
        (Some(u), _) => (u, true),
        (None, Some(d)) => (d, false),
        (None, None) => return Err(ApiError::validation("Update global secondary index action is null")),
    };
    let index_name = raw.str("IndexName")?;
    let mut v = Violations::new();
    v.table_name("globalSecondaryIndexUpdates.1.member.indexName", index_name);
    v.finish()?;
    let index_name = index_name.unwrap_or_default().to_string();
    if !is_update {
        return Ok(IndexUpdate::Delete(index_name));
    }
    if def.billing_mode == BillingMode::PayPerRequest {
        return Err(ApiError::validation(format!(
            "One or more parameter values were invalid: ProvisionedThroughput cannot be specified for index: {index_name} when BillingMode is PAY_PER_REQUEST"
        )));
    }
    let throughput = parse_throughput(raw.object("ProvisionedThroughput")?, BillingMode::Provisioned, "index")?;
    Ok(IndexUpdate::Update(index_name, throughput))
}

/// Whether a key schema of the table or one of its indexes uses `attr`.
fn is_used(def: &crate::storage::TableDef, attr: &str) -> bool {
    def.key_schema.is_key_attribute(attr)
        || def.global_indexes.iter().chain(&def.local_indexes).any(|i| i.key_schema.is_key_attribute(attr))
}
