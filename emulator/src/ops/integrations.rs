//! The services around a table, kept as state so infrastructure code that
//! configures them runs unchanged: resource-based policies (stored and
//! returned, not enforced: requests carry no identity to check them
//! against), Kinesis streaming destinations and contributor insights (their
//! state machines on the emulator's clock; nothing is sent to Kinesis or
//! CloudWatch).
//!
//! Messages are DynamoDB's as recorded against it: LocalStack's
//! AWS-verified resource-policy tests (tests/aws/services/dynamodb/
//! test_dynamodb_resource_policy.py) and recorded Kinesis-destination
//! state-machine probes (ENABLING for seconds, then ACTIVE; one live
//! destination per table).

use super::table_request::{read_table_name, table_not_found};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::input::{Input, Violations};
use crate::state::State;
use crate::storage::integrations::{Change, ContributorInsights, KinesisDestination, ResourcePolicy};
use crate::storage::{Table, TableDef};
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// DynamoDB's limit on a policy document, whitespace included.
pub const MAX_POLICY_BYTES: usize = 20 * 1024;
/// `ExpectedRevisionId` that asks for no policy to be present.
const NO_POLICY: &str = "NO_POLICY";

fn validation(message: impl Into<String>) -> ApiError {
    ApiError::validation(message)
}

fn delay_millis(state: &State) -> i64 {
    state.status_delay.get().as_millis() as i64
}

/// The table a name (or a table ARN, which the newer API accepts) names.
fn table_named(state: &State, name: &str) -> ApiResult<Arc<Table>> {
    let name = name.rsplit_once(":table/").map_or(name, |(_, rest)| rest);
    state.table(name).ok_or_else(|| table_not_found(name))
}

// ---- resource policies ----

/// A table's or its stream's ARN, resolved to the table.
fn policy_target(state: &State, arn: &str) -> ApiResult<(Arc<Table>, String)> {
    let prefix = format!("arn:aws:dynamodb:{}:{}:table/", state.config.region, state.config.account_id);
    let not_dynamodb = || {
        validation(format!(
            "One or more parameter values were invalid: Provided Arn is not a DynamoDB resource arn: {arn}"
        ))
    };
    let rest = arn.strip_prefix(&prefix).ok_or_else(not_dynamodb)?;
    let (name, stream) = match rest.split_once('/') {
        None => (rest, false),
        Some((name, tail)) if tail.starts_with("stream/") => (name, true),
        Some(_) => return Err(not_dynamodb()),
    };
    let table = state.table(name).ok_or_else(|| table_not_found(name))?;
    if stream {
        let known = table.inner.read().def.latest_stream.as_ref().is_some_and(|(stream_arn, _)| stream_arn == arn);
        if !known {
            return Err(ApiError::new(
                ErrorKind::ResourceNotFound,
                format!("Requested resource not found: Stream: {arn} not found"),
            ));
        }
    }
    Ok((table, name.to_string()))
}

fn policy_not_found(message: String) -> ApiError {
    ApiError::new(
        ErrorKind::PolicyNotFound,
        format!("Resource-based policy not found for the provided ResourceArn: {message}"),
    )
}

/// `ExpectedRevisionId` against the policy in place (`current`).
fn check_revision(expected: Option<&str>, current: Option<&ResourcePolicy>, table: &str) -> ApiResult<()> {
    match (expected, current) {
        (None, _) => Ok(()),
        (Some(NO_POLICY), None) => Ok(()),
        (Some(NO_POLICY), Some(policy)) => Err(policy_not_found(format!(
            "Requested policy update expecting none to be present for table {table}, but a policy exists with revision id {}.",
            policy.revision_id
        ))),
        (Some(expected), Some(policy)) if policy.revision_id == expected => Ok(()),
        (Some(expected), Some(policy)) => Err(policy_not_found(format!(
            "Requested update for policy with revision id {expected}, but the policy associated to target table {table} has revision id {}.",
            policy.revision_id
        ))),
        (Some(expected), None) => Err(policy_not_found(format!(
            "Requested update for policy with revision id {expected}, but no policy is associated to target table {table}."
        ))),
    }
}

fn resource_arn<'a>(input: &Input<'a>, v: &mut Violations) -> ApiResult<&'a str> {
    let arn = input.str("ResourceArn")?;
    v.not_null("resourceArn", &arn);
    v.length("resourceArn", arn, 1, 1283);
    Ok(arn.unwrap_or_default())
}

fn expected_revision<'a>(input: &Input<'a>, v: &mut Violations) -> ApiResult<Option<&'a str>> {
    let expected = input.str("ExpectedRevisionId")?;
    v.length("expectedRevisionId", expected, 1, 255);
    Ok(expected)
}

pub fn put_resource_policy(state: &State, input: Input) -> ApiResult<Value> {
    let mut v = Violations::new();
    let arn = resource_arn(&input, &mut v)?;
    let policy = input.str("Policy")?;
    v.not_null("policy", &policy);
    let expected = expected_revision(&input, &mut v)?;
    input.bool("ConfirmRemoveSelfResourceAccess")?;
    v.finish()?;
    let document = policy.unwrap_or_default();
    // DynamoDB's words (ack-api-quirks DDB-TABLE-442's message catalogue).
    if document.len() > MAX_POLICY_BYTES {
        return Err(validation(format!(
            "One or more parameter values were invalid: Maximum policy size of {MAX_POLICY_BYTES} bytes exceeded"
        )));
    }
    if !matches!(serde_json::from_str::<Value>(document), Ok(Value::Object(_))) {
        return Err(validation(
            "One or more parameter values were invalid: Invalid policy document: This policy contains invalid Json",
        ));
    }
    let (table, name) = policy_target(state, arn)?;
    let mut guard = table.inner.write();
    let policies = &mut guard.def.integrations.policies;
    let current = policies.iter().position(|p| p.resource_arn == arn);
    check_revision(expected, current.map(|i| &policies[i]), &name)?;
    // The same document again is no change: the same revision.
    if let Some(existing) = current.map(|i| &policies[i]).filter(|p| p.document == document) {
        return Ok(json!({ "RevisionId": existing.revision_id }));
    }
    let revision_id = next_revision(state, current.map(|i| policies[i].revision_id.as_str()));
    let policy = ResourcePolicy { resource_arn: arn.to_string(), document: document.to_string(), revision_id };
    let revision = policy.revision_id.clone();
    match current {
        Some(i) => policies[i] = policy,
        None => policies.push(policy),
    }
    Ok(json!({ "RevisionId": revision }))
}

/// Revision ids are timestamps (milliseconds on the clock), so later ones
/// compare greater; never the same as the one they replace.
fn next_revision(state: &State, previous: Option<&str>) -> String {
    let now = state.clock.now_millis();
    let after = previous.and_then(|p| p.parse::<i64>().ok()).map_or(now, |p| now.max(p + 1));
    after.to_string()
}

pub fn get_resource_policy(state: &State, input: Input) -> ApiResult<Value> {
    let mut v = Violations::new();
    let arn = resource_arn(&input, &mut v)?;
    v.finish()?;
    let (table, _) = policy_target(state, arn)?;
    let guard = table.inner.read();
    let policy = guard.def.integrations.policies.iter().find(|p| p.resource_arn == arn);
    let policy = policy.ok_or_else(|| policy_not_found(arn.to_string()))?;
    Ok(json!({ "Policy": policy.document, "RevisionId": policy.revision_id }))
}

pub fn delete_resource_policy(state: &State, input: Input) -> ApiResult<Value> {
    let mut v = Violations::new();
    let arn = resource_arn(&input, &mut v)?;
    let expected = expected_revision(&input, &mut v)?;
    v.finish()?;
    let (table, name) = policy_target(state, arn)?;
    let mut guard = table.inner.write();
    let policies = &mut guard.def.integrations.policies;
    let Some(current) = policies.iter().position(|p| p.resource_arn == arn) else {
        return Err(policy_not_found(arn.to_string()));
    };
    check_revision(expected.filter(|e| *e != NO_POLICY), Some(&policies[current]), &name)?;
    let removed = policies.remove(current);
    Ok(json!({ "RevisionId": removed.revision_id }))
}

// ---- Kinesis streaming destinations ----

const PRECISIONS: [&str; 2] = ["MILLISECOND", "MICROSECOND"];

fn invalid_state(reason: &str) -> ApiError {
    validation(format!("Table is not in a valid state to enable Kinesis Streaming Destination: {reason}"))
}

/// `TableName` and `StreamArn` of the enable, disable and update requests.
fn destination_request<'a>(input: &Input<'a>, v: &mut Violations) -> ApiResult<(&'a str, &'a str)> {
    let table = input.str("TableName")?;
    v.table_name("tableName", table);
    let stream = input.str("StreamArn")?;
    v.not_null("streamArn", &stream);
    v.length("streamArn", stream, 37, 1024);
    Ok((table.unwrap_or_default(), stream.unwrap_or_default()))
}

/// A precision from `configuration` (`EnableKinesisStreamingConfiguration` or
/// `UpdateKinesisStreamingConfiguration`), checked.
fn precision(input: &Input, configuration: &str, path: &str, v: &mut Violations) -> ApiResult<Option<String>> {
    let Some(config) = input.object(configuration)? else { return Ok(None) };
    let precision = config.str("ApproximateCreationDateTimePrecision")?;
    v.one_of(&format!("{path}.approximateCreationDateTimePrecision"), precision, &PRECISIONS);
    Ok(precision.map(str::to_string))
}

fn configuration_json(precision: Option<&str>) -> Value {
    match precision {
        Some(p) => json!({ "ApproximateCreationDateTimePrecision": p }),
        None => json!({}),
    }
}

/// The ACTIVE destination streaming to `stream_arn` (disable and update need one).
fn active_destination<'a>(def: &'a mut TableDef, stream_arn: &str, now: i64) -> Option<&'a mut KinesisDestination> {
    def.integrations.kinesis_destinations.iter_mut().find(|d| d.stream_arn == stream_arn && d.status(now) == "ACTIVE")
}

/// The destination that is not DISABLED (at most one per table).
fn live_destination(def: &TableDef, now: i64) -> Option<usize> {
    def.integrations.kinesis_destinations.iter().position(|d| d.status(now) != "DISABLED")
}

pub fn enable_kinesis_streaming_destination(state: &State, input: Input) -> ApiResult<Value> {
    let mut v = Violations::new();
    let (table_name, stream_arn) = destination_request(&input, &mut v)?;
    let precision =
        precision(&input, "EnableKinesisStreamingConfiguration", "enableKinesisStreamingConfiguration", &mut v)?;
    v.finish()?;
    let table = table_named(state, table_name)?;
    let mut guard = table.inner.write();
    let now = state.clock.now_millis();
    if live_destination(&guard.def, now).is_some() {
        return Err(invalid_state(
            "EnableKinesisStreamingDestination must be DISABLED or ENABLE_FAILED to perform ENABLE operation.",
        ));
    }
    let destination = KinesisDestination {
        stream_arn: stream_arn.to_string(),
        enabled: true,
        change: Change::new(now, delay_millis(state)),
        precision: precision.clone().unwrap_or_else(|| "MILLISECOND".into()),
    };
    let status = destination.status(now);
    let destinations = &mut guard.def.integrations.kinesis_destinations;
    destinations.retain(|d| d.stream_arn != stream_arn);
    destinations.insert(0, destination);
    let name = guard.def.name.clone();
    Ok(json!({
        "TableName": name,
        "StreamArn": stream_arn,
        "DestinationStatus": status,
        "EnableKinesisStreamingConfiguration": configuration_json(precision.as_deref()),
    }))
}

pub fn disable_kinesis_streaming_destination(state: &State, input: Input) -> ApiResult<Value> {
    let mut v = Violations::new();
    let (table_name, stream_arn) = destination_request(&input, &mut v)?;
    let precision =
        precision(&input, "EnableKinesisStreamingConfiguration", "enableKinesisStreamingConfiguration", &mut v)?;
    v.finish()?;
    let table = table_named(state, table_name)?;
    let mut guard = table.inner.write();
    let now = state.clock.now_millis();
    let delay = delay_millis(state);
    let name = guard.def.name.clone();
    let destination = active_destination(&mut guard.def, stream_arn, now)
        .ok_or_else(|| invalid_state("KinesisStreamingDestination must be ACTIVE to perform DISABLE operation."))?;
    destination.enabled = false;
    destination.change = Change::new(now, delay);
    Ok(json!({
        "TableName": name,
        "StreamArn": stream_arn,
        "DestinationStatus": destination.status(now),
        "EnableKinesisStreamingConfiguration": configuration_json(precision.as_deref()),
    }))
}

pub fn update_kinesis_streaming_destination(state: &State, input: Input) -> ApiResult<Value> {
    let mut v = Violations::new();
    let (table_name, stream_arn) = destination_request(&input, &mut v)?;
    let precision =
        precision(&input, "UpdateKinesisStreamingConfiguration", "updateKinesisStreamingConfiguration", &mut v)?;
    v.finish()?;
    let Some(precision) = precision else {
        return Err(validation("The update for the Kinesis streaming destination must specify a configuration"));
    };
    let table = table_named(state, table_name)?;
    let mut guard = table.inner.write();
    let now = state.clock.now_millis();
    let delay = delay_millis(state);
    let name = guard.def.name.clone();
    let destination = active_destination(&mut guard.def, stream_arn, now).ok_or_else(|| {
        invalid_state(&format!(
            "Kinesis streaming is not in ACTIVE state. Updates are only allowed in ACTIVE state. TableName: {name}"
        ))
    })?;
    destination.precision = precision.clone();
    destination.change = Change::new(now, delay);
    let status = if destination.change.in_progress(now) { "UPDATING" } else { "ACTIVE" };
    Ok(json!({
        "TableName": name,
        "StreamArn": stream_arn,
        "DestinationStatus": status,
        "UpdateKinesisStreamingConfiguration": { "ApproximateCreationDateTimePrecision": precision },
    }))
}

pub fn describe_kinesis_streaming_destination(state: &State, input: Input) -> ApiResult<Value> {
    let table = table_named(state, read_table_name(&input)?)?;
    let guard = table.inner.read();
    let now = state.clock.now_millis();
    let destinations: Vec<Value> = guard
        .def
        .integrations
        .kinesis_destinations
        .iter()
        .map(|d| {
            json!({
                "StreamArn": d.stream_arn,
                "DestinationStatus": d.status(now),
                "ApproximateCreationDateTimePrecision": d.precision,
            })
        })
        .collect();
    Ok(json!({ "TableName": guard.def.name, "KinesisDataStreamDestinations": destinations }))
}

// ---- contributor insights ----

const INSIGHTS_MODES: [&str; 2] = ["ACCESSED_AND_THROTTLED_KEYS", "THROTTLED_KEYS"];

fn index_name<'a>(input: &Input<'a>, v: &mut Violations) -> ApiResult<Option<&'a str>> {
    let index = input.str("IndexName")?;
    if let Some(i) = index {
        v.name_rules("indexName", i, 3, 255);
    }
    Ok(index)
}

/// The index must exist on the table (a local index is not one: DynamoDB's
/// words as recorded, ack-api-quirks DDB-TABLE-094).
fn check_index(def: &TableDef, index: Option<&str>) -> ApiResult<()> {
    match index {
        Some(name) if !def.global_indexes.iter().any(|i| i.name == name) => Err(ApiError::new(
            ErrorKind::ResourceNotFound,
            format!("Requested resource not found: Index: {name} not found for table: {}", def.name),
        )),
        _ => Ok(()),
    }
}

/// The CloudWatch Contributor Insights rules DynamoDB creates: the most
/// accessed and throttled partition keys, and sort keys where there are.
fn rule_list(def: &TableDef, index: Option<&str>, at_millis: i64) -> Vec<String> {
    let target = index.map_or(def.name.clone(), |i| format!("{}-{i}", def.name));
    let has_sort = match index {
        None => def.key_schema.sort.is_some(),
        Some(name) => def.index(name).is_some_and(|i| i.key_schema.sort.is_some()),
    };
    let kinds: &[&str] = if has_sort { &["PKC", "PKT", "SKC", "SKT"] } else { &["PKC", "PKT"] };
    kinds.iter().map(|k| format!("DynamoDBContributorInsights-{k}-{target}-{at_millis}")).collect()
}

fn insights_entry<'a>(def: &'a TableDef, index: Option<&str>) -> Option<&'a ContributorInsights> {
    def.integrations.contributor_insights.iter().find(|c| c.index.as_deref() == index)
}

pub fn update_contributor_insights(state: &State, input: Input) -> ApiResult<Value> {
    let mut v = Violations::new();
    let table_name = input.str("TableName")?;
    v.table_name("tableName", table_name);
    let index = index_name(&input, &mut v)?;
    let action = input.str("ContributorInsightsAction")?;
    v.not_null("contributorInsightsAction", &action);
    v.one_of("contributorInsightsAction", action, &["ENABLE", "DISABLE"]);
    let mode = input.str("ContributorInsightsMode")?;
    v.one_of("contributorInsightsMode", mode, &INSIGHTS_MODES);
    v.finish()?;
    let table = table_named(state, table_name.unwrap_or_default())?;
    let mut guard = table.inner.write();
    check_index(&guard.def, index)?;
    let now = state.clock.now_millis();
    let enable = action == Some("ENABLE");
    let entry = ContributorInsights {
        index: index.map(str::to_string),
        enabled: enable,
        change: Change::new(now, delay_millis(state)),
        mode: mode.unwrap_or(INSIGHTS_MODES[0]).to_string(),
    };
    let status = entry.status(now);
    let mode = entry.mode.clone();
    let entries = &mut guard.def.integrations.contributor_insights;
    entries.retain(|c| c.index.as_deref() != index);
    entries.push(entry);
    let mut out = Map::new();
    out.insert("TableName".into(), json!(guard.def.name));
    if let Some(index) = index {
        out.insert("IndexName".into(), json!(index));
    }
    out.insert("ContributorInsightsStatus".into(), json!(status));
    out.insert("ContributorInsightsMode".into(), json!(mode));
    Ok(Value::Object(out))
}

pub fn describe_contributor_insights(state: &State, input: Input) -> ApiResult<Value> {
    let mut v = Violations::new();
    let table_name = input.str("TableName")?;
    v.table_name("tableName", table_name);
    let index = index_name(&input, &mut v)?;
    v.finish()?;
    let table = table_named(state, table_name.unwrap_or_default())?;
    let guard = table.inner.read();
    check_index(&guard.def, index)?;
    let now = state.clock.now_millis();
    let mut out = Map::new();
    out.insert("TableName".into(), json!(guard.def.name));
    if let Some(index) = index {
        out.insert("IndexName".into(), json!(index));
    }
    match insights_entry(&guard.def, index) {
        None => {
            out.insert("ContributorInsightsStatus".into(), json!("DISABLED"));
        }
        Some(entry) => {
            if entry.enabled {
                out.insert(
                    "ContributorInsightsRuleList".into(),
                    json!(rule_list(&guard.def, index, entry.change.at_millis)),
                );
            }
            out.insert("ContributorInsightsStatus".into(), json!(entry.status(now)));
            out.insert("LastUpdateDateTime".into(), json!(entry.change.at_millis as f64 / 1000.0));
            out.insert("ContributorInsightsMode".into(), json!(entry.mode));
        }
    }
    Ok(Value::Object(out))
}

pub fn list_contributor_insights(state: &State, input: Input) -> ApiResult<Value> {
    let mut v = Violations::new();
    let table_name = input.str("TableName")?;
    if let Some(name) = table_name {
        v.name_rules("tableName", name, 1, 1024);
    }
    let next_token = input.str("NextToken")?;
    let max_results = input.int("MaxResults")?;
    v.range("maxResults", max_results, 0, Some(100));
    v.finish()?;
    let max_results = max_results.filter(|m| *m > 0).unwrap_or(100) as usize;
    let now = state.clock.now_millis();
    let tables = match table_name {
        Some(name) => vec![table_named(state, name)?],
        None => {
            let mut names = state.table_names();
            names.sort();
            names.iter().filter_map(|n| state.table(n)).collect()
        }
    };
    let mut summaries = Vec::new();
    for table in tables {
        let guard = table.inner.read();
        for entry in &guard.def.integrations.contributor_insights {
            let mut summary = Map::new();
            summary.insert("TableName".into(), json!(guard.def.name));
            if let Some(index) = &entry.index {
                summary.insert("IndexName".into(), json!(index));
            }
            summary.insert("ContributorInsightsStatus".into(), json!(entry.status(now)));
            summary.insert("ContributorInsightsMode".into(), json!(entry.mode));
            summaries.push(Value::Object(summary));
        }
    }
    let start = match next_token {
        None => 0,
        Some(token) => token
            .parse::<usize>()
            .ok()
            .filter(|s| *s <= summaries.len())
            .ok_or_else(|| validation(format!("Invalid NextToken: {token}")))?,
    };
    let page: Vec<Value> = summaries.iter().skip(start).take(max_results).cloned().collect();
    let mut out = Map::new();
    out.insert("ContributorInsightsSummaries".into(), Value::Array(page));
    if start + max_results < summaries.len() {
        out.insert("NextToken".into(), json!((start + max_results).to_string()));
    }
    Ok(Value::Object(out))
}
