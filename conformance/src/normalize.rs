//! Normalizing responses so that two correct answers compare equal: values
//! DynamoDB makes up per call or per account (request ids live in headers and
//! are ignored; timestamps, table ids, ARNs' region and account), the run's
//! table-name prefix, and orderings DynamoDB leaves undefined (Scan and
//! BatchGetItem result order, set members). Error types lose their namespace
//! (`com.amazonaws…#ValidationException` → `ValidationException`); messages
//! are kept exactly.
//!
//! Streams make up more: stream labels (timestamps, like the ARNs' labels),
//! shard ids, shard iterators, event ids, the record's region, and sequence
//! numbers. Sequence numbers are compared by shape only (21 to 40 digits →
//! `<sequence>`: DynamoDB Local numbers the records of all its streams from
//! one counter, DynamoDB its own way), and by order within an answer: a
//! GetRecords record not after the one before it, or a shard ending before it
//! starts, reads `<sequence out of order>`.
//!
//! PartiQL: a `NextToken` is opaque (presence only), and an ExecuteStatement
//! SELECT's items keep only each partition's order (`group_partitions`).

use crate::scenario::PREFIX;
use serde_json::{Map, Value};

const TIMESTAMP_FIELDS: &[&str] = &[
    "CreationDateTime",
    "LastIncreaseDateTime",
    "LastDecreaseDateTime",
    "LastUpdateToPayPerRequestDateTime",
    "InaccessibleEncryptionDateTime",
    "ArchivalDateTime",
    "LatestStreamLabel",
    "LastUpdateDateTime",
    "StreamLabel",
    "CreationRequestDateTime",
    "ApproximateCreationDateTime",
    "EarliestRestorableDateTime",
    "LatestRestorableDateTime",
    "RestoreDateTime",
    "BackupCreationDateTime",
    "BackupExpiryDateTime",
    "TableCreationDateTime",
];

/// String fields made up per stream, shard, call or record: only their
/// presence is compared.
const OPAQUE_FIELDS: &[(&str, &str)] = &[
    ("ShardId", "<shard>"),
    ("ParentShardId", "<shard>"),
    ("LastEvaluatedShardId", "<shard>"),
    ("ShardIterator", "<iterator>"),
    ("NextShardIterator", "<iterator>"),
    ("eventID", "<id>"),
    ("awsRegion", "<region>"),
    // PartiQL's paging token: DynamoDB Local's is base64 JSON with a creation
    // time, the emulator's its own encoding; DynamoDB documents neither.
    ("NextToken", "<token>"),
    // A resource policy's revision (a timestamp DynamoDB makes up per write).
    ("RevisionId", "<revision>"),
];

const SEQUENCE_FIELDS: &[&str] = &["StartingSequenceNumber", "EndingSequenceNumber", "SequenceNumber"];
const OUT_OF_ORDER: &str = "<sequence out of order>";

/// Normalizes one response body of `operation`, with the run's `prefix`.
pub fn response(operation: &str, prefix: &str, body: Value) -> Value {
    let mut body = unprefix(body, prefix);
    if let Value::Object(map) = &mut body {
        if let Some(Value::String(kind)) = map.get_mut("__type") {
            if let Some((_, short)) = kind.rsplit_once('#') {
                *kind = short.to_string();
            }
        }
        if let Some(message) = map.remove("Message") {
            map.insert("message".to_string(), message);
        }
    }
    check_sequence_order(&mut body);
    walk(&mut body);
    if operation == "UpdateTable" {
        // Likewise UPDATING (a stream turned on or off): DynamoDB Local is
        // ACTIVE at once, the emulator answers as DynamoDB.
        if let Some(v) = body.pointer_mut("/TableDescription/TableStatus").filter(|v| *v == "UPDATING") {
            *v = Value::String("ACTIVE".into());
        }
    }
    if operation == "CreateTable" {
        // Real DynamoDB answers CREATING and turns ACTIVE moments later (the
        // runner waits); local servers are ACTIVE at once. Both are right.
        for pointer in ["/TableDescription/TableStatus"] {
            if let Some(v) = body.pointer_mut(pointer).filter(|v| *v == "CREATING") {
                *v = Value::String("ACTIVE".into());
            }
        }
        if let Some(Value::Array(indexes)) = body.pointer_mut("/TableDescription/GlobalSecondaryIndexes") {
            for index in indexes {
                if let Some(v) = index.get_mut("IndexStatus").filter(|v| *v == "CREATING") {
                    *v = Value::String("ACTIVE".into());
                }
            }
        }
    }
    match operation {
        "Scan" => sort_array(body.get_mut("Items")),
        "BatchGetItem" => {
            if let Some(Value::Object(tables)) = body.get_mut("Responses") {
                tables.values_mut().for_each(|v| sort_array(Some(v)));
            }
        }
        "ExecuteStatement" => group_partitions(body.get_mut("Items")),
        "BatchWriteItem" | "TransactWriteItems" | "TransactGetItems" => {}
        _ => {}
    }
    body
}

/// Replaces the run's prefix by the placeholder in every string and key.
pub fn unprefix(value: Value, prefix: &str) -> Value {
    replace_strings(value, &|s| s.replace(prefix, PREFIX))
}

/// Replaces the placeholder by the run's prefix in every string and key.
pub fn prefix(value: &Value, prefix: &str) -> Value {
    replace_strings(value.clone(), &|s| s.replace(PREFIX, prefix))
}

fn replace_strings(value: Value, f: &dyn Fn(&str) -> String) -> Value {
    match value {
        Value::String(s) => Value::String(f(&s)),
        Value::Array(a) => Value::Array(a.into_iter().map(|v| replace_strings(v, f)).collect()),
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (f(&k), replace_strings(v, f))).collect()),
        other => other,
    }
}

fn walk(value: &mut Value) {
    match value {
        Value::Array(a) => a.iter_mut().for_each(walk),
        Value::Object(map) => {
            normalize_object(map);
            map.values_mut().for_each(walk);
        }
        _ => {}
    }
}

fn normalize_object(map: &mut Map<String, Value>) {
    for field in TIMESTAMP_FIELDS {
        if let Some(v) = map.get_mut(*field) {
            *v = Value::String("<time>".into());
        }
    }
    if let Some(v) = map.get_mut("TableId") {
        *v = Value::String("<id>".into());
    }
    for (field, placeholder) in OPAQUE_FIELDS {
        if let Some(v @ Value::String(_)) = map.get_mut(*field) {
            *v = Value::String((*placeholder).into());
        }
    }
    for field in SEQUENCE_FIELDS {
        if let Some(v @ Value::String(_)) = map.get_mut(*field) {
            if v.as_str().is_some_and(is_sequence_number) {
                *v = Value::String("<sequence>".into());
            }
        }
    }
    for (_, v) in map.iter_mut() {
        if let Value::String(s) = v {
            if let Some(arn) = normalize_arn(s) {
                *s = arn;
            }
            if s.contains(BACKUP_ID_AFTER) {
                *s = normalize_backup_ids(s);
            }
        }
    }
    // Set members have no order.
    if map.len() == 1 {
        if let Some((k, v)) = map.iter_mut().next() {
            if matches!(k.as_str(), "SS" | "NS" | "BS") {
                sort_array(Some(v));
            }
        }
    }
}

/// `arn:aws:dynamodb:REGION:ACCOUNT:rest` → `arn:aws:dynamodb:<region>:<account>:rest`.
fn normalize_arn(s: &str) -> Option<String> {
    let rest = s.strip_prefix("arn:aws:dynamodb:")?;
    let mut parts = rest.splitn(3, ':');
    let (_region, _account, tail) = (parts.next()?, parts.next()?, parts.next()?);
    let tail = match tail.split_once("/stream/") {
        Some((table, _label)) => format!("{table}/stream/<time>"),
        None => tail.to_string(),
    };
    Some(format!("arn:aws:dynamodb:<region>:<account>:{tail}"))
}

/// What precedes a backup's id in its ARN.
const BACKUP_ID_AFTER: &str = "/backup/";

/// Every backup id (`<14 digits>-<8 hex>`, made up per backup) after
/// `/backup/` in `s`, ARN or message, → `<id>`.
fn normalize_backup_ids(s: &str) -> String {
    let is_id = |id: &[u8]| {
        id.len() == 23
            && id[..14].iter().all(u8::is_ascii_digit)
            && id[14] == b'-'
            && id[15..].iter().all(u8::is_ascii_hexdigit)
    };
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find(BACKUP_ID_AFTER) {
        let (before, after) = rest.split_at(at + BACKUP_ID_AFTER.len());
        out.push_str(before);
        match after.as_bytes().get(..23).filter(|id| is_id(id)) {
            Some(_) => {
                out.push_str("<id>");
                rest = &after[23..];
            }
            None => rest = after,
        }
    }
    out.push_str(rest);
    out
}

/// A sequence number's shape: 21 to 40 decimal digits.
fn is_sequence_number(s: &str) -> bool {
    (21..=40).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// Sequence numbers compared as the numbers they are (any length).
fn sequence_key(s: &str) -> Option<(usize, &str)> {
    let digits = s.trim_start_matches('0');
    (is_sequence_number(s)).then_some((digits.len(), digits))
}

/// Marks what breaks the order of sequence numbers within the answer (before
/// they are replaced by their shape): GetRecords' records in increasing
/// order, each shard's range ending at or after its start.
fn check_sequence_order(body: &mut Value) {
    if let Some(Value::Array(records)) = body.get_mut("Records") {
        let mut previous: Option<String> = None;
        for record in records {
            let Some(v) = record.pointer_mut("/dynamodb/SequenceNumber") else { continue };
            let current = v.as_str().unwrap_or_default().to_string();
            let in_order = match (&previous, sequence_key(&current)) {
                (Some(p), Some(c)) => sequence_key(p).is_none_or(|p| p < c),
                _ => true,
            };
            if !in_order {
                *v = Value::String(OUT_OF_ORDER.into());
            }
            previous = Some(current);
        }
    }
    if let Some(Value::Array(shards)) = body.pointer_mut("/StreamDescription/Shards") {
        for range in shards.iter_mut().filter_map(|s| s.get_mut("SequenceNumberRange")) {
            let key = |field: &str| range.get(field).and_then(Value::as_str).map(str::to_string);
            if let (Some(start), Some(end)) = (key("StartingSequenceNumber"), key("EndingSequenceNumber")) {
                if let (Some(s), Some(e)) = (sequence_key(&start), sequence_key(&end)) {
                    if e < s {
                        range["EndingSequenceNumber"] = Value::String(OUT_OF_ORDER.into());
                    }
                }
            }
        }
    }
}

/// A PartiQL SELECT that scans, or reads several partition keys, answers
/// the partitions in an order DynamoDB leaves undefined, each partition's
/// items in sort-key order (reversed by ORDER BY ... DESC). The corpus names
/// partition keys `pk`: when every item has one, items are sorted by it,
/// stably, which erases the partitions' order and keeps each one's. (Items
/// without `pk` keep their order: a SELECT that leaves `pk` out reads one
/// partition.)
fn group_partitions(value: Option<&mut Value>) {
    if let Some(Value::Array(items)) = value {
        if items.iter().all(|item| item.get("pk").is_some()) {
            items.sort_by_cached_key(|item| item["pk"].to_string());
        }
    }
}

fn sort_array(value: Option<&mut Value>) {
    if let Some(Value::Array(items)) = value {
        items.sort_by_cached_key(|v| v.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn normalizes_errors_arns_times_sets_and_prefix() {
        let raw = json!({
            "__type": "com.amazonaws.dynamodb.v20120810#ResourceInUseException",
            "Message": "Table already exists: cfABC_t",
        });
        assert_eq!(
            response("CreateTable", "cfABC_", raw),
            json!({"__type": "ResourceInUseException", "message": "Table already exists: $Pt"})
        );
        let described = json!({"Table": {
            "TableArn": "arn:aws:dynamodb:ddblocal:000000000000:table/cfABC_t",
            "CreationDateTime": 1.7e9, "TableId": "x",
        }});
        assert_eq!(
            response("DescribeTable", "cfABC_", described),
            json!({"Table": {
                "TableArn": "arn:aws:dynamodb:<region>:<account>:table/$Pt",
                "CreationDateTime": "<time>", "TableId": "<id>",
            }})
        );
        let item = json!({"Item": {"s": {"SS": ["b", "a"]}, "n": {"NS": ["2", "1"]}}});
        assert_eq!(response("GetItem", "p", item), json!({"Item": {"s": {"SS": ["a", "b"]}, "n": {"NS": ["1", "2"]}}}));
        let scanned = json!({"Items": [{"k": {"S": "b"}}, {"k": {"S": "a"}}]});
        assert_eq!(response("Scan", "p", scanned), json!({"Items": [{"k": {"S": "a"}}, {"k": {"S": "b"}}]}));
    }

    #[test]
    fn normalizes_backup_ids_in_arns_and_messages() {
        let arn = "arn:aws:dynamodb:us-east-1:000000000000:table/cfABC_t/backup/01791504762511-2779fadd";
        let raw = json!({"__type": "BackupNotFoundException", "message": format!("Backup not found: {arn}")});
        let expected = "arn:aws:dynamodb:us-east-1:000000000000:table/$Pt/backup/<id>";
        assert_eq!(response("DescribeBackup", "cfABC_", raw)["message"], format!("Backup not found: {expected}"));
        let details = json!({"BackupDetails": {"BackupArn": arn, "BackupCreationDateTime": 1.7e9}});
        assert_eq!(
            response("CreateBackup", "cfABC_", details),
            json!({"BackupDetails": {"BackupArn": "arn:aws:dynamodb:<region>:<account>:table/$Pt/backup/<id>", "BackupCreationDateTime": "<time>"}})
        );
        // Not an id: left alone.
        assert_eq!(normalize_backup_ids("table/t/backup/123-x and /backup/"), "table/t/backup/123-x and /backup/");
    }

    #[test]
    fn normalizes_statement_pages_by_partition_and_their_token() {
        let row = |pk: &str, sk: &str| json!({"pk": {"S": pk}, "sk": {"N": sk}});
        let page =
            json!({"Items": [row("b", "2"), row("a", "3"), row("b", "1"), row("a", "1")], "NextToken": "eyJ4IjoxfQ=="});
        assert_eq!(
            response("ExecuteStatement", "cfABC_", page),
            json!({"Items": [row("a", "3"), row("a", "1"), row("b", "2"), row("b", "1")], "NextToken": "<token>"})
        );
        // Without a partition key in every item, the order is kept.
        let projected = json!({"Items": [{"n": {"N": "2"}}, {"n": {"N": "1"}}]});
        assert_eq!(response("ExecuteStatement", "cfABC_", projected.clone()), projected);
    }

    #[test]
    fn normalizes_streams_ids_iterators_and_sequence_numbers() {
        let arn = "arn:aws:dynamodb:ddblocal:000000000000:table/cfABC_t/stream/2026-01-01T00:00:00.000";
        let described = json!({"StreamDescription": {
            "StreamArn": arn, "StreamLabel": "2026-01-01T00:00:00.000", "CreationRequestDateTime": 1.7e9,
            "Shards": [
                {"ShardId": "shardId-00000001-aa", "SequenceNumberRange": {
                    "StartingSequenceNumber": "000000000000000000007", "EndingSequenceNumber": "000000000000000000009"}},
                {"ShardId": "shardId-00000002-bb", "ParentShardId": "shardId-00000001-aa", "SequenceNumberRange": {
                    "StartingSequenceNumber": "000000000000000000010", "EndingSequenceNumber": "000000000000000000002"}},
            ],
        }});
        assert_eq!(
            response("DescribeStream", "cfABC_", described),
            json!({"StreamDescription": {
                "StreamArn": "arn:aws:dynamodb:<region>:<account>:table/$Pt/stream/<time>",
                "StreamLabel": "<time>", "CreationRequestDateTime": "<time>",
                "Shards": [
                    {"ShardId": "<shard>", "SequenceNumberRange": {
                        "StartingSequenceNumber": "<sequence>", "EndingSequenceNumber": "<sequence>"}},
                    {"ShardId": "<shard>", "ParentShardId": "<shard>", "SequenceNumberRange": {
                        "StartingSequenceNumber": "<sequence>", "EndingSequenceNumber": OUT_OF_ORDER}},
                ],
            }})
        );
        let record = |sequence: &str| {
            json!({"eventID": "0f6d…", "eventName": "INSERT", "awsRegion": "ddblocal", "dynamodb": {
                "ApproximateCreationDateTime": 1.7e9, "Keys": {"k": {"S": "a"}}, "SequenceNumber": sequence,
                "SizeBytes": 4, "StreamViewType": "KEYS_ONLY"}})
        };
        let records = json!({
            "Records": [record("000000000000000000005"), record("100000000000000000000004"), record("000000000000000000006")],
            "NextShardIterator": format!("{arn}|001|c2hhcmQ="),
        });
        let normalized = response("GetRecords", "cfABC_", records);
        let sequences: Vec<&Value> =
            normalized["Records"].as_array().unwrap().iter().map(|r| &r["dynamodb"]["SequenceNumber"]).collect();
        assert_eq!(sequences, [&json!("<sequence>"), &json!("<sequence>"), &json!(OUT_OF_ORDER)]);
        assert_eq!(normalized["NextShardIterator"], "<iterator>");
        assert_eq!(normalized["Records"][0]["eventID"], "<id>");
        assert_eq!(normalized["Records"][0]["awsRegion"], "<region>");
        assert_eq!(normalized["Records"][0]["dynamodb"]["ApproximateCreationDateTime"], "<time>");
        // Item attributes with those names keep their values.
        let item = json!({"Item": {"ShardId": {"S": "x"}, "SequenceNumber": {"S": "000000000000000000001"}}});
        assert_eq!(response("GetItem", "p", item.clone()), item);
    }
}
