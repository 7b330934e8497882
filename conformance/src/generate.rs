//! The corpus's source: families of scenarios written as Rust data, one
//! module per family under `generate/`, named after the file it becomes
//! (`generate/put_item.rs` → `scenarios/PutItem.json`). `record` (see
//! `main.rs`) plays them against DynamoDB Local and the emulator and writes
//! `scenarios/<family>.json` with the expected answers.
//!
//! Steps carry an explicit expectation where real DynamoDB's answer is
//! documented to differ from DynamoDB Local's; the rest are recorded.
//!
//! This module keeps what the families share: the list of families, request
//! builders, the usual tables and their items. `generate/expressions.rs` holds
//! what the three expression families share.

mod backups;
mod batch_get_item;
mod batch_write_item;
mod condition_expression;
mod create_table;
mod delete_item;
mod delete_table;
mod describe_table;
mod exports;
mod expressions;
mod get_item;
mod global_tables;
mod list_tables;
mod multi_key_indexes;
mod partiql;
mod point_in_time;
mod projection_expression;
mod put_item;
mod query;
mod real_dynamodb;
mod scan;
mod search_vectors;
mod streams;
mod time_to_live;
mod transactions;
mod update_item;
mod update_item_basics;
mod update_table;

use crate::scenario::{Expect, Scenario};
use serde_json::{json, Value};

const TYPES: [&str; 3] = ["S", "N", "B"];

/// Every family, by file name.
pub fn families() -> Vec<(&'static str, Vec<Scenario>)> {
    vec![
        ("CreateTable", create_table::scenarios()),
        ("DescribeTable", describe_table::scenarios()),
        ("DeleteTable", delete_table::scenarios()),
        ("UpdateTable", update_table::scenarios()),
        ("ListTables", list_tables::scenarios()),
        ("PutItem", put_item::scenarios()),
        ("GetItem", get_item::scenarios()),
        ("DeleteItem", delete_item::scenarios()),
        ("ConditionExpression", condition_expression::scenarios()),
        ("UpdateItem", update_item::scenarios()),
        ("ProjectionExpression", projection_expression::scenarios()),
        ("BatchWriteItem", batch_write_item::scenarios()),
        ("BatchGetItem", batch_get_item::scenarios()),
        ("UpdateItemBasics", update_item_basics::scenarios()),
        ("Query", query::scenarios()),
        ("Scan", scan::scenarios()),
        ("Transactions", transactions::scenarios()),
        ("Streams", streams::scenarios()),
        ("TimeToLive", time_to_live::scenarios()),
        ("PartiQL", partiql::scenarios()),
        ("MultiKeyIndexes", multi_key_indexes::scenarios()),
        ("PointInTimeRecovery", point_in_time::scenarios()),
        ("Backups", backups::scenarios()),
        ("SearchVectors", search_vectors::scenarios()),
        ("Exports", exports::scenarios()),
        ("GlobalTables", global_tables::scenarios()),
        ("RealDynamoDb", real_dynamodb::scenarios()),
    ]
}

/// A sample scalar of a key type.
fn sample(t: &str, i: usize) -> Value {
    match t {
        "S" => json!({ "S": format!("v{i}") }),
        "N" => json!({ "N": format!("{i}") }),
        _ => {
            let encoded = ["AQ==", "Ag==", "Aw==", "BA==", "BQ=="][i % 5];
            json!({ "B": encoded })
        }
    }
}

fn create(table: &str, hash: (&str, &str), range: Option<(&str, &str)>) -> Value {
    let mut schema = vec![json!({"AttributeName": hash.0, "KeyType": "HASH"})];
    let mut defs = vec![json!({"AttributeName": hash.0, "AttributeType": hash.1})];
    if let Some((name, t)) = range {
        schema.push(json!({"AttributeName": name, "KeyType": "RANGE"}));
        defs.push(json!({"AttributeName": name, "AttributeType": t}));
    }
    json!({"TableName": table, "KeySchema": schema, "AttributeDefinitions": defs, "BillingMode": "PAY_PER_REQUEST"})
}

/// `$Pt` with hash key `pk` (S) and range key `sk` (N): the usual table.
fn usual() -> Value {
    create("$Pt", ("pk", "S"), Some(("sk", "N")))
}

fn with(mut base: Value, extra: Value) -> Value {
    if let (Some(b), Value::Object(e)) = (base.as_object_mut(), extra) {
        b.extend(e);
    }
    base
}

fn without(mut base: Value, field: &str) -> Value {
    if let Some(b) = base.as_object_mut() {
        b.remove(field);
    }
    base
}

fn validation(message: &str) -> Expect {
    Expect::error("ValidationException", message)
}

fn not_found_data_plane() -> Expect {
    Expect::error("ResourceNotFoundException", "Requested resource not found")
}

/// Every attribute type, as a non-key attribute.
fn attribute_values() -> Vec<(&'static str, Value)> {
    vec![
        ("S", json!({"S": "hello"})),
        ("S-unicode", json!({"S": "héllo wörld ✓ 😀"})),
        ("S-empty", json!({"S": ""})),
        ("N-int", json!({"N": "42"})),
        ("N-negative", json!({"N": "-17"})),
        ("N-decimal", json!({"N": "3.14159"})),
        ("N-trailing-zeros", json!({"N": "1.500"})),
        ("N-leading-zeros", json!({"N": "007"})),
        ("N-exponent", json!({"N": "1.5e3"})),
        ("N-small-exponent", json!({"N": "1E-5"})),
        ("N-negative-zero", json!({"N": "-0"})),
        ("N-38-digits", json!({"N": "12345678901234567890123456789012345678"})),
        ("N-max", json!({"N": "9.9999999999999999999999999999999999999E+125"})),
        ("N-min-positive", json!({"N": "1E-130"})),
        ("N-min", json!({"N": "-9.9999999999999999999999999999999999999E+125"})),
        ("B", json!({"B": "AAECAwQ="})),
        ("B-empty", json!({"B": ""})),
        ("BOOL-true", json!({"BOOL": true})),
        ("BOOL-false", json!({"BOOL": false})),
        ("NULL", json!({"NULL": true})),
        ("SS", json!({"SS": ["b", "a", "c"]})),
        ("NS", json!({"NS": ["3", "1.5", "-2"]})),
        ("BS", json!({"BS": ["AQ==", "Ag=="]})),
        ("L", json!({"L": [{"S": "x"}, {"N": "1"}, {"NULL": true}]})),
        ("L-empty", json!({"L": []})),
        ("M", json!({"M": {"a": {"S": "x"}, "b": {"L": [{"BOOL": true}]}}})),
        ("M-empty", json!({"M": {}})),
        ("nested-deep", nest(31)),
    ]
}

fn nest(depth: usize) -> Value {
    let mut v = json!({"S": "leaf"});
    for _ in 0..depth {
        v = json!({"M": {"m": v}});
    }
    v
}

fn put(item: Value) -> Value {
    json!({"TableName": "$Pt", "Item": item})
}

fn key(pk: &str, sk: i64) -> Value {
    json!({"pk": {"S": pk}, "sk": {"N": sk.to_string()}})
}

fn item_with(attr: Value) -> Value {
    let mut item = key("a", 1);
    item["v"] = attr;
    item
}

fn get(key: Value) -> Value {
    json!({"TableName": "$Pt", "Key": key, "ConsistentRead": true})
}

/// The usual table with six items: partitions `a` and `b`, sort keys 1..=3,
/// attributes `n` (N), `s` (S), `tags` (SS) and `g` (S, for indexes).
fn seeded(name: &str, doc: &str) -> Scenario {
    let mut s = Scenario::new(name, doc).step(
        "CreateTable",
        with(
            usual(),
            json!({"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}, {"AttributeName": "g", "AttributeType": "S"}, {"AttributeName": "n", "AttributeType": "N"}],
                   "GlobalSecondaryIndexes": [{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}],
                   "LocalSecondaryIndexes": [{"IndexName": "byN", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}]}),
        ),
    );
    for pk in ["a", "b"] {
        for sk in 1..=3 {
            let item = with(
                key(pk, sk),
                json!({"n": {"N": (sk * 10).to_string()}, "s": {"S": format!("{pk}-{sk}")}, "tags": {"SS": ["x", format!("t{sk}")]}, "g": {"S": if sk == 2 { "even" } else { "odd" }}}),
            );
            s = s.step("PutItem", put(item));
        }
    }
    s
}

fn query_body(extra: Value) -> Value {
    with(json!({"TableName": "$Pt"}), extra)
}
