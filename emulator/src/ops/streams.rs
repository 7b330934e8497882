//! The DynamoDB Streams API (`DynamoDBStreams_20120810.*`): ListStreams,
//! DescribeStream, GetShardIterator and GetRecords over the stream logs of
//! `storage::stream`.
//!
//! A shard iterator is text the client hands back: the stream ARN, then the
//! shard, the position (the sequence number to read from) and when it was
//! handed out (iterators expire after 15 minutes of the clock), base64
//! encoded, in the layout DynamoDB Local uses.

use super::reply::Reply;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::input::{describe, Input, Violations};
use crate::state::State;
use crate::storage::stream::{sequence_text, RecordForm, Shard, Stream, StreamLog};
use crate::types::codec::json;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// How long a shard iterator can be used.
pub const ITERATOR_LIFETIME_MILLIS: i64 = 15 * 60 * 1000;
/// GetRecords returns at most this many records, and at most 1 MB.
pub const MAX_RECORDS: i64 = 1000;
const MAX_RECORDS_BYTES: usize = 1024 * 1024;
const SHARD_ITERATOR_TYPES: [&str; 4] = ["TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"];

fn stream_not_found(arn: &str) -> ApiError {
    ApiError::new(ErrorKind::ResourceNotFound, format!("Requested resource not found: Stream: {arn} not found"))
}

fn shard_not_found() -> ApiError {
    ApiError::new(ErrorKind::ResourceNotFound, "Requested resource not found: Shard does not exist")
}

/// `Limit`'s upper bound is the service's own check (the API model bounds it
/// only below), reported after the constraint violations in its own words.
fn check_limit_maximum(limit: Option<i64>, max: i64, message: &str) -> ApiResult<()> {
    match limit {
        Some(limit) if limit > max => {
            Err(ApiError::validation(format!("One or more parameter values were invalid: {message}")))
        }
        _ => Ok(()),
    }
}

fn find_stream(state: &State, arn: &str) -> ApiResult<Arc<Stream>> {
    state.streams.get(arn, state.clock.now_millis()).ok_or_else(|| stream_not_found(arn))
}

/// A length constraint (ARNs, shard ids and iterators have no character pattern).
fn length(v: &mut Violations, path: &str, value: &str, min: usize, max: usize) {
    let len = value.chars().count();
    if len < min {
        v.add(describe(Some(value)), path, &format!("Member must have length greater than or equal to {min}"));
    }
    if len > max {
        v.add(describe(Some(value)), path, &format!("Member must have length less than or equal to {max}"));
    }
}

// ---- ListStreams ----

pub fn list_streams(state: &State, input: Input) -> ApiResult<Value> {
    let mut v = Violations::new();
    let table = input.str("TableName")?;
    if let Some(name) = table {
        v.table_name("tableName", Some(name));
    }
    let limit = input.int("Limit")?;
    v.range("limit", limit, 1, None);
    let start = input.str("ExclusiveStartStreamArn")?;
    if let Some(arn) = start {
        length(&mut v, "exclusiveStartStreamArn", arn, 37, 1024);
    }
    v.finish()?;
    check_limit_maximum(limit, 100, "Limit cannot be greater than the maximum allowed size: 100")?;
    let now = state.clock.now_millis();
    let mut streams: Vec<Value> = Vec::new();
    let mut after_start = start.is_none();
    let mut last_evaluated = None;
    for stream in state.streams.all(now) {
        let log = stream.read();
        if table.is_some_and(|t| t != log.table) {
            continue;
        }
        if !after_start {
            after_start = start == Some(log.arn.as_str());
            continue;
        }
        if limit.is_some_and(|l| streams.len() as i64 >= l) {
            last_evaluated = streams.last().and_then(|s| s["StreamArn"].as_str().map(str::to_string));
            break;
        }
        streams.push(json!({"StreamArn": log.arn, "TableName": log.table, "StreamLabel": log.label}));
    }
    let mut out = json!({ "Streams": streams });
    if let Some(arn) = last_evaluated {
        out["LastEvaluatedStreamArn"] = json!(arn);
    }
    Ok(out)
}

// ---- DescribeStream ----

pub fn describe_stream(state: &State, input: Input) -> ApiResult<Value> {
    let mut v = Violations::new();
    let arn = input.str("StreamArn")?;
    v.not_null("streamArn", &arn);
    if let Some(arn) = arn {
        length(&mut v, "streamArn", arn, 37, 1024);
    }
    let limit = input.int("Limit")?;
    v.range("limit", limit, 1, None);
    let start = input.str("ExclusiveStartShardId")?;
    if let Some(id) = start {
        length(&mut v, "exclusiveStartShardId", id, 28, 65);
    }
    let filter = input.object("ShardFilter")?;
    let child_of = match filter {
        Some(filter) => {
            let kind = filter.str("Type")?;
            v.one_of("shardFilter.type", kind, &["CHILD_SHARDS"]);
            filter.str("ShardId")?
        }
        None => None,
    };
    v.finish()?;
    check_limit_maximum(limit, 100, "Limit cannot be greater than the maximum: 100")?;
    let arn = arn.unwrap_or_default();
    let stream = find_stream(state, arn)?;
    let log = stream.read();
    let shards = log.shards.iter().filter(|s| child_of.is_none_or(|parent| s.parent.as_deref() == Some(parent)));
    let shards: Vec<&Shard> = match start {
        Some(start) => shards.skip_while(|s| s.id != start).skip(1).collect(),
        None => shards.collect(),
    };
    let limit = limit.map_or(usize::MAX, |l| l as usize);
    let mut description = stream_description(&log);
    description["Shards"] = shards.iter().take(limit).map(|s| shard_json(s)).collect();
    if shards.len() > limit {
        description["LastEvaluatedShardId"] = json!(shards[limit - 1].id);
    }
    Ok(json!({ "StreamDescription": description }))
}

fn stream_description(log: &StreamLog) -> Value {
    let key_schema: Vec<Value> = log
        .key_schema
        .attributes()
        .enumerate()
        .map(|(i, a)| json!({"AttributeName": a.name, "KeyType": if i == 0 { "HASH" } else { "RANGE" }}))
        .collect();
    json!({
        "StreamArn": log.arn,
        "StreamLabel": log.label,
        "StreamStatus": log.status(),
        "StreamViewType": log.view_type.as_str(),
        "CreationRequestDateTime": log.created_ms as f64 / 1000.0,
        "TableName": log.table,
        "KeySchema": key_schema,
    })
}

fn shard_json(shard: &Shard) -> Value {
    let mut range = Map::new();
    range.insert("StartingSequenceNumber".into(), json!(sequence_text(shard.starting_sequence)));
    if let Some(end) = shard.ending_sequence {
        range.insert("EndingSequenceNumber".into(), json!(sequence_text(end)));
    }
    let mut out = json!({ "ShardId": shard.id, "SequenceNumberRange": range });
    if let Some(parent) = &shard.parent {
        out["ParentShardId"] = json!(parent);
    }
    out
}

// ---- GetShardIterator ----

/// Where a shard iterator points: the next record to read is the first with
/// a sequence number at or after `position`.
struct ShardIterator {
    arn: String,
    shard: String,
    position: u64,
    issued_ms: i64,
}

impl ShardIterator {
    fn encode(&self) -> String {
        let inner = format!("{}|{}|{:020}", self.shard, sequence_text(self.position), self.issued_ms);
        format!("{}|001|{}", self.arn, BASE64.encode(inner))
    }

    fn decode(text: &str) -> Option<ShardIterator> {
        let (rest, encoded) = text.rsplit_once('|')?;
        let arn = rest.strip_suffix("|001")?;
        let inner = String::from_utf8(BASE64.decode(encoded).ok()?).ok()?;
        let mut parts = inner.split('|');
        let (shard, position, issued) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || !shard.starts_with("shardId-") {
            return None;
        }
        Some(ShardIterator {
            arn: arn.to_string(),
            shard: shard.to_string(),
            position: position.parse().ok()?,
            issued_ms: issued.parse().ok()?,
        })
    }
}

pub fn get_shard_iterator(state: &State, input: Input) -> ApiResult<Value> {
    let mut v = Violations::new();
    let arn = input.str("StreamArn")?;
    v.not_null("streamArn", &arn);
    if let Some(arn) = arn {
        length(&mut v, "streamArn", arn, 37, 1024);
    }
    let shard_id = input.str("ShardId")?;
    v.not_null("shardId", &shard_id);
    if let Some(id) = shard_id {
        length(&mut v, "shardId", id, 28, 65);
    }
    let kind = input.str("ShardIteratorType")?;
    v.not_null("shardIteratorType", &kind);
    v.one_of("shardIteratorType", kind, &SHARD_ITERATOR_TYPES);
    let sequence = input.str("SequenceNumber")?;
    if let Some(sequence) = sequence {
        length(&mut v, "sequenceNumber", sequence, 21, 40);
    }
    v.finish()?;
    let (arn, shard_id, kind) = (arn.unwrap_or_default(), shard_id.unwrap_or_default(), kind.unwrap_or_default());
    let by_sequence = matches!(kind, "AT_SEQUENCE_NUMBER" | "AFTER_SEQUENCE_NUMBER");
    let sequence = match (by_sequence, sequence) {
        (true, None) => return Err(invalid("Invalid SequenceNumber")),
        (false, Some(_)) => return Err(invalid("SequenceNumber should not be passed for this iterator type")),
        (true, Some(text)) => Some(text.parse::<u64>().map_err(|_| invalid("Invalid SequenceNumber"))?),
        (false, None) => None,
    };
    // DynamoDB Local's words here (the best witness: no record of AWS's).
    let stream = state
        .streams
        .get(arn, state.clock.now_millis())
        .ok_or_else(|| ApiError::new(ErrorKind::ResourceNotFound, "Stream does not exist"))?;
    let log = stream.read();
    let shard = log.shard(shard_id).ok_or_else(shard_not_found)?;
    let position = match (kind, sequence) {
        ("TRIM_HORIZON", _) => shard.trimmed_before,
        ("LATEST", _) => shard.ending_sequence.map_or_else(|| stream.next_sequence(), |end| end + 1),
        (_, Some(sequence)) => {
            if sequence < shard.starting_sequence || shard.ending_sequence.is_some_and(|end| sequence > end) {
                return Err(ApiError::validation("Invalid SequenceNumber for the shard"));
            }
            if sequence < shard.trimmed_before {
                return Err(trimmed());
            }
            sequence + u64::from(kind == "AFTER_SEQUENCE_NUMBER")
        }
        _ => shard.trimmed_before,
    };
    let iterator =
        ShardIterator { arn: arn.to_string(), shard: shard.id.clone(), position, issued_ms: state.clock.now_millis() };
    Ok(json!({ "ShardIterator": iterator.encode() }))
}

fn invalid(reason: &str) -> ApiError {
    ApiError::validation(format!("One or more parameter values were invalid: {reason}"))
}

fn trimmed() -> ApiError {
    ApiError::new(ErrorKind::TrimmedDataAccess, "The data you are trying to access has been trimmed")
}

// ---- GetRecords ----

pub fn get_records(state: &State, input: Input) -> ApiResult<Reply> {
    let mut v = Violations::new();
    let text = input.str("ShardIterator")?;
    v.not_null("shardIterator", &text);
    if let Some(text) = text {
        length(&mut v, "shardIterator", text, 1, 2048);
    }
    let limit = input.int("Limit")?;
    v.range("limit", limit, 1, None);
    v.finish()?;
    check_limit_maximum(limit, MAX_RECORDS, "Limit should be less than or equal to 1000")?;
    let iterator =
        ShardIterator::decode(text.unwrap_or_default()).ok_or_else(|| ApiError::validation("Invalid ShardIterator"))?;
    let now = state.clock.now_millis();
    if now - iterator.issued_ms > ITERATOR_LIFETIME_MILLIS {
        return Err(ApiError::new(ErrorKind::ExpiredIterator, "Shard iterator has expired"));
    }
    let stream = find_stream(state, &iterator.arn)?;
    let log = stream.read();
    let shard = log.shard(&iterator.shard).ok_or_else(shard_not_found)?;
    if iterator.position < shard.trimmed_before {
        return Err(trimmed());
    }
    // Records are written straight to the reply's bytes, images from the stored items.
    let mut out = Vec::with_capacity(64 * 1024);
    out.extend_from_slice(br#"{"Records":["#);
    let (mut count, mut next) = (0, iterator.position);
    for record in shard.records_from(iterator.position).take(limit.unwrap_or(MAX_RECORDS) as usize) {
        let start = out.len();
        if count > 0 {
            out.push(b',');
        }
        log.write_record(&mut out, record, &state.config.region, RecordForm::Api);
        // A page stops at 1 MB (the first record always goes).
        if count > 0 && out.len() > MAX_RECORDS_BYTES {
            out.truncate(start);
            break;
        }
        count += 1;
        next = record.sequence + 1;
    }
    out.push(b']');
    // A closed shard read to its end (or that never had a record) has no
    // next iterator: the reader moves on to its child.
    let exhausted = shard.ending_sequence.is_some() && shard.records.back().is_none_or(|r| next > r.sequence);
    if !exhausted {
        let next = ShardIterator { position: next, issued_ms: now, ..iterator };
        out.extend_from_slice(br#","NextShardIterator":"#);
        json::write_str(&mut out, &next.encode());
    }
    out.push(b'}');
    Ok(Reply::Encoded(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iterators_round_trip_and_reject_garbage() {
        let it = ShardIterator {
            arn: "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2026-01-01T00:00:00.000".into(),
            shard: "shardId-00000001796426192945-3ada4103".into(),
            position: 42,
            issued_ms: 1_796_426_193_575,
        };
        let back = ShardIterator::decode(&it.encode()).unwrap();
        assert_eq!((back.arn, back.shard, back.position, back.issued_ms), (it.arn, it.shard, 42, it.issued_ms));
        assert!(ShardIterator::decode("garbage").is_none());
        assert!(ShardIterator::decode("a|001|!!!").is_none());
        assert!(ShardIterator::decode(&format!("a|001|{}", BASE64.encode("x|1|2"))).is_none());
    }
}
