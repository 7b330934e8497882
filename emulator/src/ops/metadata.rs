//! Account and table metadata: DescribeEndpoints, DescribeLimits, tagging,
//! Time to Live settings and continuous-backup settings.
//!
//! DynamoDB Local answers UnknownOperationException for several of these;
//! we answer as DynamoDB does, since SDK helpers and infrastructure tools call them.

use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::input::{Input, Violations};
use crate::state::State;
use crate::storage::Table;
use serde_json::{json, Value};
use std::sync::Arc;

/// DynamoDB's default quotas, as DescribeLimits reports them.
const ACCOUNT_MAX_CAPACITY_UNITS: i64 = 80_000;
const TABLE_MAX_CAPACITY_UNITS: i64 = 40_000;
/// Tags per resource, tag key and value lengths.
const MAX_TAGS: usize = 50;
const MAX_TAG_KEY_CHARS: usize = 128;
const MAX_TAG_VALUE_CHARS: usize = 256;

pub fn describe_endpoints(state: &State, _input: Input) -> ApiResult<Value> {
    Ok(json!({ "Endpoints": [{
        "Address": format!("dynamodb.{}.amazonaws.com", state.config.region),
        "CachePeriodInMinutes": 1440
    }] }))
}

pub fn describe_limits(_state: &State, _input: Input) -> ApiResult<Value> {
    Ok(json!({
        "AccountMaxReadCapacityUnits": ACCOUNT_MAX_CAPACITY_UNITS,
        "AccountMaxWriteCapacityUnits": ACCOUNT_MAX_CAPACITY_UNITS,
        "TableMaxReadCapacityUnits": TABLE_MAX_CAPACITY_UNITS,
        "TableMaxWriteCapacityUnits": TABLE_MAX_CAPACITY_UNITS,
    }))
}

pub fn tag_resource(state: &State, input: Input) -> ApiResult<Value> {
    let arn = input.str("ResourceArn")?;
    let tags = input.objects("Tags")?;
    let mut v = Violations::new();
    v.not_null("resourceArn", &arn);
    v.not_null("tags", &tags);
    v.finish()?;
    let mut parsed = Vec::new();
    for tag in tags.unwrap_or_default() {
        let (key, value) = (tag.str("Key")?, tag.str("Value")?);
        let mut v = Violations::new();
        v.not_null("tags.member.key", &key);
        v.not_null("tags.member.value", &value);
        v.finish()?;
        let (key, value) = (key.unwrap_or_default(), value.unwrap_or_default());
        if key.is_empty() || key.chars().count() > MAX_TAG_KEY_CHARS || value.chars().count() > MAX_TAG_VALUE_CHARS {
            return Err(ApiError::validation("One or more parameter values were invalid: Invalid tag key or value"));
        }
        parsed.push((key.to_string(), value.to_string()));
    }
    let table = table_by_arn(state, arn.unwrap_or_default())?;
    let mut guard = table.inner.write();
    let mut merged = guard.def.tags.clone();
    for (key, value) in parsed {
        match merged.iter_mut().find(|(k, _)| *k == key) {
            Some(existing) => existing.1 = value,
            None => merged.push((key, value)),
        }
    }
    if merged.len() > MAX_TAGS {
        return Err(ApiError::new(
            ErrorKind::LimitExceeded,
            format!("The number of tags on the resource exceeds the limit of {MAX_TAGS}"),
        ));
    }
    guard.def.tags = merged;
    Ok(json!({}))
}

pub fn untag_resource(state: &State, input: Input) -> ApiResult<Value> {
    let arn = input.str("ResourceArn")?;
    let keys = input.strings("TagKeys")?;
    let mut v = Violations::new();
    v.not_null("resourceArn", &arn);
    v.not_null("tagKeys", &keys);
    v.finish()?;
    let keys = keys.unwrap_or_default();
    let table = table_by_arn(state, arn.unwrap_or_default())?;
    table.inner.write().def.tags.retain(|(k, _)| !keys.contains(k));
    Ok(json!({}))
}

pub fn list_tags_of_resource(state: &State, input: Input) -> ApiResult<Value> {
    let arn = input.str("ResourceArn")?;
    let mut v = Violations::new();
    v.not_null("resourceArn", &arn);
    v.finish()?;
    let table = table_by_arn(state, arn.unwrap_or_default())?;
    let guard = table.inner.read();
    let tags: Vec<Value> = guard.def.tags.iter().map(|(k, v)| json!({ "Key": k, "Value": v })).collect();
    Ok(json!({ "Tags": tags }))
}

pub fn describe_time_to_live(state: &State, input: Input) -> ApiResult<Value> {
    let table = named_table(state, input)?;
    let guard = table.inner.read();
    Ok(json!({ "TimeToLiveDescription": ttl_description(guard.def.ttl_attribute.as_deref()) }))
}

pub fn update_time_to_live(state: &State, input: Input) -> ApiResult<Value> {
    let spec = input.object("TimeToLiveSpecification")?;
    let mut v = Violations::new();
    v.not_null("timeToLiveSpecification", &spec);
    v.finish()?;
    let spec = spec.unwrap_or(Input::empty());
    let (enabled, attribute) = (spec.bool("Enabled")?, spec.str("AttributeName")?);
    let mut v = Violations::new();
    v.not_null("timeToLiveSpecification.enabled", &enabled);
    v.not_null("timeToLiveSpecification.attributeName", &attribute);
    if let Some(a) = attribute {
        if a.is_empty() || a.len() > 255 {
            v.add(
                format!("'{a}'"),
                "timeToLiveSpecification.attributeName",
                "Member must have length between 1 and 255",
            );
        }
    }
    v.finish()?;
    let (enabled, attribute) = (enabled.unwrap_or(false), attribute.unwrap_or_default());
    let table = named_table(state, input)?;
    let mut guard = table.inner.write();
    match (&guard.def.ttl_attribute, enabled) {
        (Some(_), true) => return Err(ApiError::validation("TimeToLive is already enabled")),
        (None, false) => return Err(ApiError::validation("TimeToLive is already disabled")),
        (Some(current), false) if current != attribute => {
            return Err(ApiError::validation(
                "TimeToLive attribute name does not match the currently enabled TimeToLive attribute name",
            ))
        }
        _ => {}
    }
    guard.def.ttl_attribute = enabled.then(|| attribute.to_string());
    Ok(json!({ "TimeToLiveSpecification": { "Enabled": enabled, "AttributeName": attribute } }))
}

pub fn describe_continuous_backups(state: &State, input: Input) -> ApiResult<Value> {
    let table = named_table(state, input)?;
    let pitr = table.inner.read().def.point_in_time_recovery;
    Ok(json!({ "ContinuousBackupsDescription": continuous_backups(pitr) }))
}

pub fn update_continuous_backups(state: &State, input: Input) -> ApiResult<Value> {
    let spec = input.object("PointInTimeRecoverySpecification")?;
    let mut v = Violations::new();
    v.not_null("pointInTimeRecoverySpecification", &spec);
    v.finish()?;
    let enabled = spec.unwrap_or(Input::empty()).bool("PointInTimeRecoveryEnabled")?;
    let mut v = Violations::new();
    v.not_null("pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled", &enabled);
    v.finish()?;
    let table = named_table(state, input)?;
    table.inner.write().def.point_in_time_recovery = enabled.unwrap_or(false);
    Ok(json!({ "ContinuousBackupsDescription": continuous_backups(enabled.unwrap_or(false)) }))
}

fn ttl_description(attribute: Option<&str>) -> Value {
    match attribute {
        Some(name) => json!({ "TimeToLiveStatus": "ENABLED", "AttributeName": name }),
        None => json!({ "TimeToLiveStatus": "DISABLED" }),
    }
}

fn continuous_backups(pitr: bool) -> Value {
    let status = if pitr { "ENABLED" } else { "DISABLED" };
    let mut description = json!({ "PointInTimeRecoveryStatus": status });
    if pitr {
        description["RecoveryPeriodInDays"] = json!(35);
    }
    json!({ "ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": description })
}

/// The table a `TableName` parameter names (with its constraints checked).
fn named_table(state: &State, input: Input) -> ApiResult<Arc<Table>> {
    let name = input.str("TableName")?;
    let mut v = Violations::new();
    v.table_name("tableName", name);
    v.finish()?;
    let name = name.unwrap_or_default();
    state.table(name).ok_or_else(|| {
        ApiError::new(ErrorKind::ResourceNotFound, format!("Requested resource not found: Table: {name} not found"))
    })
}

/// The table an ARN names; tags can only be attached to tables here.
fn table_by_arn(state: &State, arn: &str) -> ApiResult<Arc<Table>> {
    let prefix = format!("arn:aws:dynamodb:{}:{}:table/", state.config.region, state.config.account_id);
    let not_found = || {
        ApiError::new(ErrorKind::ResourceNotFound, format!("Requested resource not found: ResourcArn: {arn} not found"))
    };
    let Some(rest) = arn.strip_prefix(&prefix) else {
        if arn.starts_with("arn:aws:dynamodb:") {
            return Err(not_found());
        }
        return Err(ApiError::validation(format!("Invalid TableArn: Invalid ResourceArn provided as input {arn}")));
    };
    if rest.contains('/') {
        return Err(ApiError::validation(format!("Invalid TableArn: Invalid ResourceArn provided as input {arn}")));
    }
    state.table(rest).ok_or_else(not_found)
}
