//! Normalizing responses so that two correct answers compare equal: values
//! DynamoDB makes up per call or per account (request ids live in headers and
//! are ignored; timestamps, table ids, ARNs' region and account), the run's
//! table-name prefix, and orderings DynamoDB leaves undefined (Scan and
//! BatchGetItem result order, set members). Error types lose their namespace
//! (`com.amazonaws…#ValidationException` → `ValidationException`); messages
//! are kept exactly.

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
];

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
    walk(&mut body);
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
    for (_, v) in map.iter_mut() {
        if let Value::String(s) = v {
            if let Some(arn) = normalize_arn(s) {
                *s = arn;
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
}
