//! What exports and imports share: the local directory standing for S3
//! (`DIR/<bucket>/<key>`), the request members both have (bucket, owner,
//! client token) with the SDK model's constraints, export and import ids,
//! ISO dates, and the paging of ListExports and ListImports.

use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::input::{describe, Input, Violations};
use crate::state::transfers::{Registry, Transfer};
use crate::state::State;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How long a ClientToken names one export or import (API reference: 8 hours).
pub const TOKEN_MILLIS: i64 = 8 * 60 * 60 * 1000;

/// Exports that may be in progress at once (developer guide, "Requesting a table export": 300 export tasks).
pub const MAX_EXPORTS_IN_PROGRESS: usize = 300;
/// Imports that may be in progress at once (developer guide, "Import quotas": 50 import jobs).
pub const MAX_IMPORTS_IN_PROGRESS: usize = 50;

/// LimitExceededException when `registry` already has `limit` in progress.
pub fn check_limit(registry: &Registry, now_millis: i64, limit: usize, what: &str) -> ApiResult<()> {
    if registry.in_progress(now_millis) >= limit {
        return Err(ApiError::new(
            ErrorKind::LimitExceeded,
            format!("There is a limit of {limit} {what} in progress at once: wait for one to complete"),
        ));
    }
    Ok(())
}

/// The directory standing for S3, or the emulator's answer that there is none.
pub fn s3_root(state: &State) -> ApiResult<PathBuf> {
    state.transfers.s3_dir().ok_or_else(|| {
        ApiError::validation(
            "Exports and imports need a directory standing for Amazon S3: start the emulator with --s3-dir DIR (or set_s3_dir in the harness)",
        )
    })
}

/// The SDK model's pattern for bucket names.
fn valid_bucket(bucket: &str) -> bool {
    let inner = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_');
    let bytes = bucket.as_bytes();
    bytes.len() >= 2
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && bytes.iter().all(|&b| inner(b))
}

/// `S3Bucket` (required) and `S3BucketOwner` of `input`, reported as `bucket_path` and `owner_path`.
pub fn check_bucket(v: &mut Violations, input: &Input, bucket_path: &str, owner_path: &str) -> ApiResult<()> {
    let bucket = input.str("S3Bucket")?;
    v.not_null(bucket_path, &bucket);
    v.length(bucket_path, bucket, 0, 255);
    if let Some(b) = bucket.filter(|b| !valid_bucket(b)) {
        v.add(
            describe(Some(b)),
            bucket_path,
            "Member must satisfy regular expression pattern: ^[a-z0-9A-Z]+[\\.\\-\\w]*[a-z0-9A-Z]+$",
        );
    }
    let owner = input.str("S3BucketOwner")?;
    if let Some(o) = owner.filter(|o| o.len() != 12 || !o.bytes().all(|b| b.is_ascii_digit())) {
        v.add(describe(Some(o)), owner_path, "Member must satisfy regular expression pattern: [0-9]{12}");
    }
    Ok(())
}

/// `ClientToken`, checked (the model's pattern: no `$`).
pub fn client_token(v: &mut Violations, input: &Input) -> ApiResult<Option<String>> {
    let token = input.str("ClientToken")?;
    if let Some(t) = token.filter(|t| t.is_empty() || t.contains('$')) {
        v.add(describe(Some(t)), "clientToken", "Member must satisfy regular expression pattern: ^[^\\$]+$");
    }
    Ok(token.map(str::to_string))
}

/// The path of `key` in `bucket`; keys with `.` or `..` segments would leave
/// the directory and are refused.
pub fn object_path(root: &Path, bucket: &str, key: &str) -> ApiResult<PathBuf> {
    let mut path = root.join(bucket);
    for segment in key.split('/').filter(|s| !s.is_empty()) {
        if segment == "." || segment == ".." {
            return Err(ApiError::validation(format!(
                "The key or prefix '{key}' has a '{segment}' segment, which the emulator's S3 directory cannot hold"
            )));
        }
        path.push(segment);
    }
    Ok(path)
}

/// A new export or import id: the clock's milliseconds and eight hex digits
/// (DynamoDB's `01693929395374-a4b0e6f2`).
pub fn new_id(now_millis: i64) -> String {
    format!("{now_millis:014}-{:08x}", fastrand::u32(..))
}

/// An instant as the manifests write it (`2020-11-04T07:28:34.028Z`).
pub fn iso(state: &State, millis: i64) -> String {
    format!("{}Z", state.clock.stream_label(millis as f64 / 1000.0))
}

pub fn seconds(millis: i64) -> f64 {
    millis as f64 / 1000.0
}

/// The table an ARN of this emulator's names, if it has that shape.
pub fn table_name_of<'a>(state: &State, arn: &'a str) -> Option<&'a str> {
    let prefix = state.table_arn("");
    arn.strip_prefix(prefix.as_str()).filter(|n| !n.is_empty() && !n.contains('/'))
}

/// A page of `registry` (those whose table is `table_arn`, if given), after
/// the position `next_token` marks; and the token of the next page.
fn page(
    registry: &Registry,
    table_arn: Option<&str>,
    next_token: Option<&str>,
    limit: usize,
) -> ApiResult<(Vec<Arc<Transfer>>, Option<String>)> {
    let all: Vec<Arc<Transfer>> =
        registry.all().into_iter().filter(|t| table_arn.is_none_or(|arn| t.table_arn == arn)).collect();
    let start = match next_token {
        None => 0,
        Some(token) => {
            // DynamoDB's words (ack-api-quirks DDB-TABLE-442's message catalogue).
            let invalid = || ApiError::validation(format!("Invalid Request: Provided nextToken is invalid: {token}"));
            let arn = decode_token(token).ok_or_else(invalid)?;
            all.iter().position(|t| t.arn == arn).map_or(all.len(), |i| i + 1)
        }
    };
    let page: Vec<Arc<Transfer>> = all.iter().skip(start).take(limit).cloned().collect();
    let next = (start + page.len() < all.len()).then(|| page.last().map(|t| encode_token(&t.arn))).flatten();
    Ok((page, next))
}

/// The export or import the request's `member` names (`path` in
/// violations), or `missing` (ExportNotFound, ImportNotFound).
pub fn named(
    registry: &Registry,
    input: &Input,
    member: &str,
    path: &str,
    missing: ErrorKind,
) -> ApiResult<Arc<Transfer>> {
    let arn = input.str(member)?;
    let mut v = Violations::new();
    v.not_null(path, &arn);
    v.length(path, arn, 37, 1024);
    v.finish()?;
    let arn = arn.unwrap_or_default();
    let what = if missing == ErrorKind::ExportNotFound { "Export" } else { "Import" };
    registry.get(arn).ok_or_else(|| ApiError::new(missing, format!("{what} not found: {arn}")))
}

/// ListExports' and ListImports' answer: `TableArn` filters, `size_member`
/// (1 to 25, reported as `size_path`) bounds the page, `NextToken` follows on;
/// each one summarized under `list_member`.
pub fn list(
    state: &State,
    input: &Input,
    registry: &Registry,
    (size_member, size_path): (&str, &str),
    list_member: &str,
    summary: impl Fn(&Transfer, i64) -> Value,
) -> ApiResult<Value> {
    let mut v = Violations::new();
    let table_arn = input.str("TableArn")?;
    v.length("tableArn", table_arn, 1, 1024);
    let size = input.int(size_member)?;
    v.range(size_path, size, 1, Some(25));
    v.finish()?;
    let token = input.str("NextToken")?;
    let (page, next) = page(registry, table_arn, token, size.unwrap_or(25) as usize)?;
    let now = state.clock.now_millis();
    let summaries: Vec<Value> = page.iter().map(|t| summary(t, now)).collect();
    let mut out = serde_json::Map::new();
    out.insert(list_member.into(), Value::Array(summaries));
    if let Some(next) = next {
        out.insert("NextToken".into(), Value::from(next));
    }
    Ok(Value::Object(out))
}

/// A NextToken: the last ARN of a page in hex, padded to whole 16-digit groups
/// (the SDK model's pattern for ListImports' token, `([0-9a-f]{16})+`).
fn encode_token(arn: &str) -> String {
    let mut token = hex::encode(arn);
    while !token.len().is_multiple_of(16) || token.len() < 112 {
        token.push_str("00");
    }
    token
}

fn decode_token(token: &str) -> Option<String> {
    let bytes = hex::decode(token).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    Some(text.trim_end_matches('\0').to_string())
}

/// A description's fields with the status and end time at `now_millis`.
pub fn describe_transfer(transfer: &Transfer, now_millis: i64, status_field: &str) -> serde_json::Map<String, Value> {
    let mut fields = transfer.details.clone();
    let status = transfer.status(now_millis);
    fields.insert(status_field.into(), Value::from(status));
    if status != "IN_PROGRESS" {
        fields.insert("EndTime".into(), Value::from(seconds(transfer.done_millis)));
        if let Some((code, message)) = &transfer.failure {
            fields.insert("FailureCode".into(), Value::from(code.as_str()));
            fields.insert("FailureMessage".into(), Value::from(message.as_str()));
        }
    }
    fields
}

/// The conflict DynamoDB answers a ClientToken reused with other parameters.
pub fn conflict(kind: ErrorKind, what: &str) -> ApiError {
    ApiError::new(
        kind,
        format!("There was a conflict when {what}. This can occur when the current request conflicts with a previous request that had the same client token."),
    )
}
