//! Account and table metadata: DescribeEndpoints, DescribeLimits, tagging,
//! Time to Live settings and continuous-backup settings.
//!
//! DynamoDB Local answers UnknownOperationException for several of these;
//! we answer as DynamoDB does, since SDK helpers and infrastructure tools call them.

use super::table_request::{named_table, read_table_name};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::input::{Input, Violations};
use crate::state::State;
use crate::storage::{Table, TableDef, TtlChange};
use serde_json::{json, Value};
use std::sync::Arc;

/// DynamoDB's default quotas, as DescribeLimits reports them.
const ACCOUNT_MAX_CAPACITY_UNITS: i64 = 80_000;
const TABLE_MAX_CAPACITY_UNITS: i64 = 40_000;
/// Tags per resource, tag key and value lengths.
const MAX_TAGS: usize = 50;
const MAX_TAG_KEY_CHARS: usize = 128;
const MAX_TAG_VALUE_CHARS: usize = 256;
/// Longest Time to Live attribute name (UTF-8 bytes).
const MAX_TTL_ATTRIBUTE_NAME_BYTES: usize = 255;

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

/// A TagResource request, checked.
pub struct TagResourceRequest<'a> {
    pub resource_arn: &'a str,
    /// Keys and values, in request order.
    pub tags: Vec<(String, String)>,
}

impl<'a> TagResourceRequest<'a> {
    /// DynamoDB's order: the ARN's presence and shape, the tag list's
    /// presence, the table ARN's shape, an empty list, then each tag.
    pub fn read(input: Input<'a>) -> ApiResult<TagResourceRequest<'a>> {
        let arn = tagging_arn(&input, "TagResource")?;
        let tags = input.objects("Tags")?;
        let mut v = Violations::new();
        v.not_null("tags", &tags);
        let tags = tags.map(|tags| read_tags(&tags, &mut v)).transpose()?;
        v.finish()?;
        check_table_arn(arn)?;
        let tags = tags.unwrap_or_default();
        if tags.is_empty() {
            return Err(ApiError::validation("Atleast one Tag needs to be provided as Input."));
        }
        check_tag_characters(&tags)?;
        Ok(TagResourceRequest { resource_arn: arn, tags })
    }
}

/// A tagging request's `ResourceArn`, as DynamoDB first checks it: missing is
/// "Invalid TableArn"; anything not shaped `a:b:c:d:e:f/g` is refused as an
/// unauthorized resource (the caller's principal, the ARN or `*`).
fn tagging_arn<'a>(input: &Input<'a>, operation: &str) -> ApiResult<&'a str> {
    let Some(arn) = input.str("ResourceArn")? else {
        return Err(ApiError::validation("Invalid TableArn"));
    };
    if !resource_shaped(arn) {
        let resource = if arn.is_empty() { "*" } else { arn };
        return Err(ApiError::new(
            ErrorKind::AccessDenied,
            format!("User: arn:aws:iam::{TAGGING_ACCOUNT}:root is not authorized to perform: dynamodb:{operation} on resource: {resource}"),
        ));
    }
    Ok(arn)
}

/// The account named in AccessDeniedException's principal (the caller's, in DynamoDB).
const TAGGING_ACCOUNT: &str = "000000000000";

/// `^.+:.+:.+:.+:.+:.+/.+$`: six non-empty colon-separated parts, a `/` in the last.
fn resource_shaped(arn: &str) -> bool {
    let bytes = arn.as_bytes();
    let mut at = 0;
    for _ in 0..5 {
        // The earliest colon after a non-empty part leaves the most room.
        match bytes.iter().skip(at + 1).position(|&b| b == b':') {
            Some(i) => at = at + 1 + i + 1,
            None => return false,
        }
    }
    // `at` is just past the fifth colon: a non-empty part, a slash, a non-empty rest.
    arn.rfind('/').is_some_and(|slash| slash > at && slash + 1 < arn.len())
}

/// `^arn:aws:dynamodb:.+:\d+:table/[^/]{2}[^/]+$`, else "Invalid TableArn: ...".
fn check_table_arn(arn: &str) -> ApiResult<()> {
    let invalid = || ApiError::validation(format!("Invalid TableArn: Invalid ResourceArn provided as input {arn}"));
    let rest = arn.strip_prefix("arn:aws:dynamodb:").ok_or_else(invalid)?;
    let (head, name) = rest.rsplit_once(":table/").ok_or_else(invalid)?;
    let (region, account) = head.rsplit_once(':').ok_or_else(invalid)?;
    let account_ok = !account.is_empty() && account.bytes().all(|b| b.is_ascii_digit());
    if region.is_empty() || !account_ok || name.contains('/') || name.chars().count() < 3 {
        return Err(invalid());
    }
    Ok(())
}

/// A `Tags` list's keys and values, their constraint violations (the
/// model's: a key of 1 to 128 characters, a value of at most 256) added to `v`.
/// DynamoDB refuses an empty key with such a violation (scylladb/scylladb#16904,
/// "1 validation error detected: Value '' at 'ta..."); it takes an empty value
/// and counts characters, not bytes (scylladb `test/alternator/test_tag.py`,
/// run against DynamoDB).
pub fn read_tags(tags: &[Input], v: &mut Violations) -> ApiResult<Vec<(String, String)>> {
    let mut read = Vec::with_capacity(tags.len());
    for (i, tag) in tags.iter().enumerate() {
        let (key, value) = (tag.str("Key")?, tag.str("Value")?);
        let (key_path, value_path) = (format!("tags.{}.member.key", i + 1), format!("tags.{}.member.value", i + 1));
        v.not_null(&key_path, &key);
        v.length(&key_path, key, 1, MAX_TAG_KEY_CHARS);
        v.not_null(&value_path, &value);
        v.length(&value_path, value, 0, MAX_TAG_VALUE_CHARS);
        read.push((key.unwrap_or_default().to_string(), value.unwrap_or_default().to_string()));
    }
    Ok(read)
}

/// Tag keys and values hold Unicode letters, digits, white space and
/// `_ . : / = + - @` (the developer guide's tagging restrictions; DynamoDB
/// refuses `hi!`, `d%g`, `"hello"` with a ValidationException: scylladb
/// `test/alternator/test_tag.py` `test_tag_forbidden_chars`, run against
/// DynamoDB). DynamoDB's message is not recorded.
pub fn check_tag_characters(tags: &[(String, String)]) -> ApiResult<()> {
    let allowed = |c: char| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c);
    if tags.iter().any(|(k, v)| !k.chars().all(allowed) || !v.chars().all(allowed)) {
        return Err(ApiError::validation("One or more parameter values were invalid: Invalid tag key or value"));
    }
    Ok(())
}

/// More than 50 tags on a table: a ValidationException in DynamoDB, from
/// TagResource and from CreateTable alike (scylladb `test/alternator/test_tag.py`,
/// `test_tag_resource_incorrect` and `test_too_long_tags_from_creation`, run
/// against DynamoDB); the message is not recorded.
pub fn check_tag_count(count: usize) -> ApiResult<()> {
    if count > MAX_TAGS {
        return Err(ApiError::validation(format!(
            "The number of tags on the resource exceeds the limit of {MAX_TAGS}"
        )));
    }
    Ok(())
}

/// Adds tags to a table, replacing the values of keys it has.
pub fn tag_resource(state: &State, input: Input) -> ApiResult<Value> {
    let request = TagResourceRequest::read(input)?;
    let table = table_by_arn(state, request.resource_arn)?;
    let mut guard = table.inner.write();
    let mut merged = guard.def.tags.clone();
    for (key, value) in request.tags {
        match merged.iter_mut().find(|(k, _)| *k == key) {
            Some(existing) => existing.1 = value,
            None => merged.push((key, value)),
        }
    }
    check_tag_count(merged.len())?;
    guard.def.tags = merged;
    Ok(json!({}))
}

/// An UntagResource request, checked.
pub struct UntagResourceRequest<'a> {
    pub resource_arn: &'a str,
    pub tag_keys: Vec<String>,
}

impl<'a> UntagResourceRequest<'a> {
    /// In TagResource's order (see [`TagResourceRequest::read`]).
    pub fn read(input: Input<'a>) -> ApiResult<UntagResourceRequest<'a>> {
        let arn = tagging_arn(&input, "UntagResource")?;
        let keys = input.strings("TagKeys")?;
        let mut v = Violations::new();
        v.not_null("tagKeys", &keys);
        v.finish()?;
        check_table_arn(arn)?;
        let tag_keys = keys.unwrap_or_default();
        if tag_keys.is_empty() {
            return Err(ApiError::validation("Atleast one Tag Key needs to be provided as Input."));
        }
        Ok(UntagResourceRequest { resource_arn: arn, tag_keys })
    }
}

pub fn untag_resource(state: &State, input: Input) -> ApiResult<Value> {
    let request = UntagResourceRequest::read(input)?;
    // UntagResource's not-found message names nothing.
    let table = table_by_arn(state, request.resource_arn).map_err(|e| match e.kind {
        ErrorKind::ResourceNotFound => ApiError::table_not_found(),
        _ => e,
    })?;
    table.inner.write().def.tags.retain(|(k, _)| !request.tag_keys.contains(k));
    Ok(json!({}))
}

pub fn list_tags_of_resource(state: &State, input: Input) -> ApiResult<Value> {
    let arn = tagging_arn(&input, "ListTagsOfResource")?;
    check_table_arn(arn)?;
    let table = table_by_arn(state, arn)?;
    let guard = table.inner.read();
    let tags: Vec<Value> = guard.def.tags.iter().map(|(k, v)| json!({ "Key": k, "Value": v })).collect();
    Ok(json!({ "Tags": tags }))
}

pub fn describe_time_to_live(state: &State, input: Input) -> ApiResult<Value> {
    let table = named_table(state, read_table_name(&input)?)?;
    let guard = table.inner.read();
    Ok(json!({ "TimeToLiveDescription": ttl_description(&guard.def, state.clock.now_millis()) }))
}

/// An UpdateTimeToLive request, checked.
pub struct UpdateTimeToLiveRequest<'a> {
    pub table_name: &'a str,
    pub enabled: bool,
    /// The attribute holding each item's expiry time.
    pub attribute_name: &'a str,
}

impl<'a> UpdateTimeToLiveRequest<'a> {
    /// The specification is checked before the table name, as DynamoDB does.
    pub fn read(input: Input<'a>) -> ApiResult<UpdateTimeToLiveRequest<'a>> {
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
            let path = "timeToLiveSpecification.attributeName";
            if a.is_empty() {
                v.add(format!("'{a}'"), path, "Member must have length greater than or equal to 1");
            } else if a.len() > MAX_TTL_ATTRIBUTE_NAME_BYTES {
                v.add(format!("'{a}'"), path, "Member must have length less than or equal to 255");
            }
        }
        v.finish()?;
        Ok(UpdateTimeToLiveRequest {
            enabled: enabled.unwrap_or(false),
            attribute_name: attribute.unwrap_or_default(),
            table_name: read_table_name(&input)?,
        })
    }
}

/// Enables or disables Time to Live: turning it on twice, off twice, or off
/// naming another attribute is an error.
pub fn update_time_to_live(state: &State, input: Input) -> ApiResult<Value> {
    let request = UpdateTimeToLiveRequest::read(input)?;
    let (enabled, attribute) = (request.enabled, request.attribute_name);
    let table = named_table(state, request.table_name)?;
    let mut guard = table.inner.write();
    let different = |current: &str| {
        ApiError::validation(format!(
            "TimeToLive is active on a different AttributeName: current AttributeName is {current}"
        ))
    };
    match (&guard.def.ttl_attribute, enabled) {
        (Some(current), _) if current != attribute => return Err(different(current)),
        (Some(_), true) => return Err(ApiError::validation("TimeToLive is already enabled")),
        (None, false) => return Err(ApiError::validation("TimeToLive is already disabled")),
        _ => {}
    }
    // DynamoDB allows one change per table per hour.
    let now = state.clock.now_millis();
    if guard.def.ttl_change.as_ref().is_some_and(|c| now - c.at_millis < TTL_CHANGE_INTERVAL_MILLIS) {
        return Err(ApiError::validation("Time to live has been modified multiple times within a fixed interval"));
    }
    let delay = state.status_delay.get().as_millis() as i64;
    guard.def.ttl_change = Some(TtlChange {
        at_millis: now,
        attribute: attribute.to_string(),
        until_millis: (delay > 0).then_some(now + delay),
    });
    guard.def.ttl_attribute = enabled.then(|| attribute.to_string());
    // Time to Live is one setting for every replica of a global table.
    let (change, ttl, id) = (guard.def.ttl_change.clone(), guard.def.ttl_attribute.clone(), guard.def.id.clone());
    drop(guard);
    super::replicas::share_setting(state, request.table_name, &id, |def| {
        def.ttl_change = change.clone();
        def.ttl_attribute = ttl.clone();
    });
    Ok(json!({ "TimeToLiveSpecification": { "Enabled": enabled, "AttributeName": attribute } }))
}

/// How long after an UpdateTimeToLive another is refused.
const TTL_CHANGE_INTERVAL_MILLIS: i64 = 60 * 60 * 1000;

/// ENABLED / DISABLED, or ENABLING / DISABLING while a change is in
/// progress (only with a status delay: DynamoDB's is a matter of seconds).
fn ttl_description(def: &TableDef, now_millis: i64) -> Value {
    let changing = def.ttl_change.as_ref().filter(|c| c.until_millis.is_some_and(|until| now_millis < until));
    match (&def.ttl_attribute, changing) {
        (Some(name), None) => json!({ "TimeToLiveStatus": "ENABLED", "AttributeName": name }),
        (Some(name), Some(_)) => json!({ "TimeToLiveStatus": "ENABLING", "AttributeName": name }),
        (None, Some(change)) => json!({ "TimeToLiveStatus": "DISABLING", "AttributeName": change.attribute }),
        (None, None) => json!({ "TimeToLiveStatus": "DISABLED" }),
    }
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
