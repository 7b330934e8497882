//! The corpus's source: families of scenarios written as Rust data. `record`
//! (see `main.rs`) plays them against DynamoDB Local and the emulator and
//! writes `scenarios/<family>.json` with the expected answers.
//!
//! Steps carry an explicit expectation where real DynamoDB's answer is
//! documented to differ from DynamoDB Local's; the rest are recorded.

mod expressions;

use crate::scenario::{Expect, Scenario};
use serde_json::{json, Value};

const TYPES: [&str; 3] = ["S", "N", "B"];

/// Every family, by file name.
pub fn families() -> Vec<(&'static str, Vec<Scenario>)> {
    vec![
        ("CreateTable", create_table()),
        ("DescribeTable", describe_table()),
        ("DeleteTable", delete_table()),
        ("ListTables", list_tables()),
        ("PutItem", put_item()),
        ("GetItem", get_item()),
        ("DeleteItem", delete_item()),
        ("ConditionExpression", expressions::condition_expression()),
        ("UpdateItem", expressions::update_item()),
        ("ProjectionExpression", expressions::projection_expression()),
        ("BatchWriteItem", batch_write_item()),
        ("BatchGetItem", batch_get_item()),
        ("UpdateItemBasics", update_item()),
        ("Query", query()),
        ("Scan", scan()),
        ("Transactions", transactions()),
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

/// A value of the *wrong* type for key type `t`.
fn wrong(t: &str) -> Value {
    match t {
        "S" => json!({ "N": "1" }),
        _ => json!({ "S": "x" }),
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

fn create_table() -> Vec<Scenario> {
    let mut out = Vec::new();
    for h in TYPES {
        out.push(
            Scenario::new(format!("CreateTable/hash-{h}"), format!("a table with a {h} partition key"))
                .step("CreateTable", create("$Pt", ("id", h), None))
                .step("DescribeTable", json!({"TableName": "$Pt"})),
        );
        for r in TYPES {
            out.push(
                Scenario::new(format!("CreateTable/hash-{h}-range-{r}"), format!("{h} partition key, {r} sort key"))
                    .step("CreateTable", create("$Pt", ("h", h), Some(("r", r))))
                    .step("DescribeTable", json!({"TableName": "$Pt"})),
            );
        }
    }
    out.push(
        Scenario::new("CreateTable/provisioned", "provisioned throughput is echoed")
            .step(
                "CreateTable",
                with(
                    without(usual(), "BillingMode"),
                    json!({"ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 7}}),
                ),
            )
            .step("DescribeTable", json!({"TableName": "$Pt"})),
    );
    out.push(
        Scenario::new("CreateTable/provisioned-explicit", "BillingMode PROVISIONED with throughput")
            .step(
                "CreateTable",
                with(
                    usual(),
                    json!({"BillingMode": "PROVISIONED", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}),
                ),
            ),
    );
    let bad_bodies: Vec<(&str, Value)> = vec![
        ("missing-table-name", without(usual(), "TableName")),
        ("missing-key-schema", without(usual(), "KeySchema")),
        ("missing-attribute-definitions", without(usual(), "AttributeDefinitions")),
        ("empty-key-schema", with(usual(), json!({"KeySchema": []}))),
        ("bad-key-type", with(usual(), json!({"KeySchema": [{"AttributeName": "pk", "KeyType": "PRIMARY"}]}))),
        (
            "bad-attribute-type",
            with(
                usual(),
                json!({"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "BOOL"}]}),
            ),
        ),
        (
            "two-hash-keys",
            with(
                usual(),
                json!({"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "HASH"}]}),
            ),
        ),
        ("range-only", with(usual(), json!({"KeySchema": [{"AttributeName": "sk", "KeyType": "RANGE"}]}))),
        (
            "range-first",
            with(
                usual(),
                json!({"KeySchema": [{"AttributeName": "sk", "KeyType": "RANGE"}, {"AttributeName": "pk", "KeyType": "HASH"}]}),
            ),
        ),
        (
            "three-keys",
            with(
                usual(),
                json!({"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}, {"AttributeName": "x", "KeyType": "RANGE"}]}),
            ),
        ),
        (
            "undefined-key-attribute",
            with(usual(), json!({"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]})),
        ),
        (
            "unused-attribute-definition",
            with(
                usual(),
                json!({"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}, {"AttributeName": "extra", "AttributeType": "S"}]}),
            ),
        ),
        (
            "duplicate-attribute-definition",
            with(
                usual(),
                json!({"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "pk", "AttributeType": "N"}, {"AttributeName": "sk", "AttributeType": "N"}]}),
            ),
        ),
        ("provisioned-without-throughput", with(usual(), json!({"BillingMode": "PROVISIONED"}))),
        ("bad-billing-mode", with(usual(), json!({"BillingMode": "FREE"}))),
        (
            "zero-throughput",
            with(
                without(usual(), "BillingMode"),
                json!({"ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 1}}),
            ),
        ),
        ("empty-attribute-name", create("$Pt", ("", "S"), None)),
        (
            "gsi-unknown-projection",
            with(
                usual(),
                json!({"GlobalSecondaryIndexes": [{"IndexName": "gsi1", "KeySchema": [{"AttributeName": "sk", "KeyType": "HASH"}], "Projection": {"ProjectionType": "SOME"}}]}),
            ),
        ),
        (
            "gsi-missing-projection",
            with(
                usual(),
                json!({"GlobalSecondaryIndexes": [{"IndexName": "gsi1", "KeySchema": [{"AttributeName": "sk", "KeyType": "HASH"}]}]}),
            ),
        ),
        (
            "gsi-duplicate-name",
            with(
                usual(),
                json!({"GlobalSecondaryIndexes": [
                    {"IndexName": "gsi1", "KeySchema": [{"AttributeName": "sk", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}},
                    {"IndexName": "gsi1", "KeySchema": [{"AttributeName": "sk", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}),
            ),
        ),
        (
            "gsi-undefined-attribute",
            with(
                usual(),
                json!({"GlobalSecondaryIndexes": [{"IndexName": "gsi1", "KeySchema": [{"AttributeName": "nope", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}),
            ),
        ),
        (
            "gsi-keys-only-with-non-key-attributes",
            with(
                usual(),
                json!({"GlobalSecondaryIndexes": [{"IndexName": "gsi1", "KeySchema": [{"AttributeName": "sk", "KeyType": "HASH"}], "Projection": {"ProjectionType": "KEYS_ONLY", "NonKeyAttributes": ["a"]}}]}),
            ),
        ),
        (
            "gsi-short-name",
            with(
                usual(),
                json!({"GlobalSecondaryIndexes": [{"IndexName": "g", "KeySchema": [{"AttributeName": "sk", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}),
            ),
        ),
        (
            "lsi-on-hash-only-table",
            with(
                create("$Pt", ("pk", "S"), None),
                json!({"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "x", "AttributeType": "S"}],
                       "LocalSecondaryIndexes": [{"IndexName": "lsi1", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "x", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}]}),
            ),
        ),
        (
            "lsi-different-hash-key",
            with(
                usual(),
                json!({"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}, {"AttributeName": "x", "AttributeType": "S"}],
                       "LocalSecondaryIndexes": [{"IndexName": "lsi1", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}]}),
            ),
        ),
        (
            "lsi-hash-only",
            with(
                usual(),
                json!({"LocalSecondaryIndexes": [{"IndexName": "lsi1", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}),
            ),
        ),
        (
            "six-lsis",
            with(
                usual(),
                json!({"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}, {"AttributeName": "x", "AttributeType": "S"}],
                       "LocalSecondaryIndexes": (1..=6).map(|i| json!({"IndexName": format!("lsi{i}"), "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "x", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "KEYS_ONLY"}})).collect::<Vec<_>>()}),
            ),
        ),
    ];
    for (case, body) in bad_bodies {
        out.push(
            Scenario::new(format!("CreateTable/{case}"), format!("CreateTable rejects: {case}"))
                .step("CreateTable", body),
        );
    }
    out.push(
        Scenario::new("CreateTable/gsi-and-lsi", "a table with a GSI and an LSI describes both")
            .step(
                "CreateTable",
                with(
                    usual(),
                    json!({"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}, {"AttributeName": "g", "AttributeType": "S"}, {"AttributeName": "l", "AttributeType": "B"}],
                           "GlobalSecondaryIndexes": [{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a", "b"]}}],
                           "LocalSecondaryIndexes": [{"IndexName": "byL", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}]}),
                ),
            )
            .step("DescribeTable", json!({"TableName": "$Pt"})),
    );
    // Table names: real DynamoDB reports them as constraint violations.
    for (case, name, message) in [
        ("name-too-short", "ab", "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"),
        ("name-bad-characters", "a b!", "1 validation error detected: Value 'a b!' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
    ] {
        out.push(
            Scenario::new(format!("CreateTable/{case}"), "table-name constraints are validation errors")
                .expect("CreateTable", with(usual(), json!({"TableName": name})), validation(message)),
        );
    }
    let long = "x".repeat(256);
    out.push(
        Scenario::new("CreateTable/name-too-long", "table names are at most 255 characters").expect(
            "CreateTable",
            with(usual(), json!({"TableName": long})),
            validation(&format!("1 validation error detected: Value '{long}' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to 255")),
        ),
    );
    out.push(
        Scenario::new("CreateTable/already-exists", "a second CreateTable of the same name is ResourceInUse")
            .step("CreateTable", usual())
            .expect("CreateTable", usual(), Expect::error("ResourceInUseException", "Table already exists: $Pt")),
    );
    out.push(
        Scenario::new("CreateTable/on-demand-with-throughput", "PAY_PER_REQUEST refuses ProvisionedThroughput").expect(
            "CreateTable",
            with(usual(), json!({"ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}})),
            validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"),
        ),
    );
    out
}

fn describe_table() -> Vec<Scenario> {
    vec![
        Scenario::new("DescribeTable/missing-table", "DescribeTable of an unknown table").expect(
            "DescribeTable",
            json!({"TableName": "$Pnone"}),
            Expect::error("ResourceNotFoundException", "Requested resource not found: Table: $Pnone not found"),
        ),
        Scenario::new("DescribeTable/missing-name", "TableName is required").step("DescribeTable", json!({})),
        Scenario::new("DescribeTable/after-puts", "DescribeTable after writes")
            .step("CreateTable", usual())
            .step("PutItem", json!({"TableName": "$Pt", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}}}))
            .step("DescribeTable", json!({"TableName": "$Pt"})),
    ]
}

fn delete_table() -> Vec<Scenario> {
    vec![
        Scenario::new("DeleteTable/then-describe", "a deleted table is gone")
            .step("CreateTable", usual())
            .step("DeleteTable", json!({"TableName": "$Pt"}))
            .expect(
                "DescribeTable",
                json!({"TableName": "$Pt"}),
                Expect::error("ResourceNotFoundException", "Requested resource not found: Table: $Pt not found"),
            ),
        Scenario::new("DeleteTable/missing-table", "DeleteTable of an unknown table").expect(
            "DeleteTable",
            json!({"TableName": "$Pnone"}),
            Expect::error("ResourceNotFoundException", "Requested resource not found: Table: $Pnone not found"),
        ),
        Scenario::new("DeleteTable/then-put", "writes to a deleted table fail")
            .step("CreateTable", usual())
            .step("DeleteTable", json!({"TableName": "$Pt"}))
            .expect(
                "PutItem",
                json!({"TableName": "$Pt", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}}}),
                not_found_data_plane(),
            ),
        Scenario::new("DeleteTable/missing-name", "TableName is required").step("DeleteTable", json!({})),
    ]
}

fn list_tables() -> Vec<Scenario> {
    let three = |s: Scenario| {
        s.step("CreateTable", create("$Pa", ("k", "S"), None))
            .step("CreateTable", create("$Pb", ("k", "S"), None))
            .step("CreateTable", create("$Pc", ("k", "S"), None))
    };
    vec![
        three(Scenario::new("ListTables/paging", "Limit and ExclusiveStartTableName page through names"))
            .step("ListTables", json!({"Limit": 2, "ExclusiveStartTableName": "$P"}))
            .step("ListTables", json!({"Limit": 2, "ExclusiveStartTableName": "$Pb"})),
        three(Scenario::new("ListTables/limit-one", "Limit 1 returns one name and where to go on"))
            .step("ListTables", json!({"Limit": 1, "ExclusiveStartTableName": "$Pa"})),
        Scenario::new("ListTables/limit-zero", "Limit must be at least 1").step("ListTables", json!({"Limit": 0})),
        Scenario::new("ListTables/limit-over-100", "Limit is at most 100").step("ListTables", json!({"Limit": 101})),
        Scenario::new("ListTables/start-name-too-short", "ExclusiveStartTableName follows table-name rules")
            .step("ListTables", json!({"ExclusiveStartTableName": "ab"})),
    ]
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

/// Invalid attribute values, as a non-key attribute.
fn bad_attribute_values() -> Vec<(&'static str, Value)> {
    vec![
        ("N-not-a-number", json!({"N": "abc"})),
        ("N-empty", json!({"N": ""})),
        ("N-39-digits", json!({"N": "123456789012345678901234567890123456789"})),
        ("N-overflow", json!({"N": "1E+126"})),
        ("N-underflow", json!({"N": "1E-131"})),
        ("N-space", json!({"N": " 1"})),
        ("N-plus", json!({"N": "+1"})),
        ("N-hex", json!({"N": "0x10"})),
        ("N-infinity", json!({"N": "Infinity"})),
        ("SS-empty", json!({"SS": []})),
        ("NS-empty", json!({"NS": []})),
        ("BS-empty", json!({"BS": []})),
        ("SS-duplicates", json!({"SS": ["a", "a"]})),
        ("NS-duplicates", json!({"NS": ["1", "1.0"]})),
        ("BS-duplicates", json!({"BS": ["AQ==", "AQ=="]})),
        ("NS-bad-member", json!({"NS": ["1", "x"]})),
        ("NULL-false", json!({"NULL": false})),
        ("no-type", json!({})),
        ("two-types", json!({"S": "a", "N": "1"})),
        ("nested-too-deep", nest(32)),
        ("nested-bad-number", json!({"M": {"a": {"L": [{"N": "x"}]}}})),
        ("nested-empty-set", json!({"L": [{"SS": []}]})),
    ]
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

fn put_item() -> Vec<Scenario> {
    let mut out = Vec::new();
    for (case, value) in attribute_values() {
        out.push(
            Scenario::new(format!("PutItem/type-{case}"), format!("a {case} attribute round-trips"))
                .step("CreateTable", usual())
                .step("PutItem", put(item_with(value)))
                .step("GetItem", get(key("a", 1))),
        );
    }
    for (case, value) in bad_attribute_values() {
        out.push(
            Scenario::new(format!("PutItem/invalid-{case}"), format!("PutItem rejects {case} and writes nothing"))
                .step("CreateTable", usual())
                .step("PutItem", put(item_with(value)))
                .step("GetItem", get(key("a", 1))),
        );
    }
    // Key attributes of every type: right, wrong, missing, empty.
    for h in TYPES {
        for r in [None, Some("S"), Some("N"), Some("B")] {
            let table = create("$Pt", ("h", h), r.map(|r| ("r", r)));
            let label = format!("{h}{}", r.map(|r| format!("-{r}")).unwrap_or_default());
            let mut good = json!({"h": sample(h, 1), "x": {"S": "payload"}});
            if let Some(r) = r {
                good["r"] = sample(r, 2);
            }
            out.push(
                Scenario::new(format!("PutItem/key-{label}"), "items with every key type are stored and read back")
                    .step("CreateTable", table.clone())
                    .step("PutItem", json!({"TableName": "$Pt", "Item": good.clone()}))
                    .step("GetItem", json!({"TableName": "$Pt", "Key": without(good.clone(), "x")})),
            );
            let mut wrong_hash = good.clone();
            wrong_hash["h"] = wrong(h);
            out.push(
                Scenario::new(format!("PutItem/key-{label}-wrong-hash-type"), "a partition key of the wrong type")
                    .step("CreateTable", table.clone())
                    .step("PutItem", json!({"TableName": "$Pt", "Item": wrong_hash})),
            );
            out.push(
                Scenario::new(format!("PutItem/key-{label}-missing-hash"), "the partition key is required")
                    .step("CreateTable", table.clone())
                    .step("PutItem", json!({"TableName": "$Pt", "Item": without(good.clone(), "h")})),
            );
            if h != "N" {
                let mut empty = good.clone();
                empty["h"] = json!({ h: "" });
                out.push(
                    Scenario::new(format!("PutItem/key-{label}-empty-hash"), "key values may not be empty")
                        .step("CreateTable", table.clone())
                        .step("PutItem", json!({"TableName": "$Pt", "Item": empty})),
                );
            }
            if let Some(r) = r {
                let mut wrong_range = good.clone();
                wrong_range["r"] = wrong(r);
                out.push(
                    Scenario::new(format!("PutItem/key-{label}-wrong-range-type"), "a sort key of the wrong type")
                        .step("CreateTable", table.clone())
                        .step("PutItem", json!({"TableName": "$Pt", "Item": wrong_range})),
                );
                out.push(
                    Scenario::new(format!("PutItem/key-{label}-missing-range"), "the sort key is required")
                        .step("CreateTable", table.clone())
                        .step("PutItem", json!({"TableName": "$Pt", "Item": without(good.clone(), "r")})),
                );
            }
            let mut set_key = good.clone();
            set_key["h"] = json!({"SS": ["a"]});
            out.push(
                Scenario::new(format!("PutItem/key-{label}-set-hash"), "a set is never a key")
                    .step("CreateTable", table)
                    .step("PutItem", json!({"TableName": "$Pt", "Item": set_key})),
            );
        }
    }
    for rv in ["NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW", "SOMETHING"] {
        out.push(
            Scenario::new(format!("PutItem/return-values-{rv}"), format!("ReturnValues {rv} on PutItem"))
                .step("CreateTable", usual())
                .step("PutItem", put(item_with(json!({"S": "old"}))))
                .step("PutItem", with(put(item_with(json!({"S": "new"}))), json!({"ReturnValues": rv})))
                .step("GetItem", get(key("a", 1))),
        );
    }
    out.push(
        Scenario::new("PutItem/return-all-old-when-absent", "ALL_OLD with no previous item returns nothing")
            .step("CreateTable", usual())
            .step("PutItem", with(put(item_with(json!({"S": "new"}))), json!({"ReturnValues": "ALL_OLD"}))),
    );
    for rcc in ["TOTAL", "INDEXES", "NONE", "SOME"] {
        out.push(
            Scenario::new(format!("PutItem/consumed-capacity-{rcc}"), format!("ReturnConsumedCapacity {rcc}"))
                .step("CreateTable", usual())
                .step("PutItem", with(put(item_with(json!({"S": "x"}))), json!({"ReturnConsumedCapacity": rcc}))),
        );
    }
    for (case, size) in [("item-size-1kb", 1000), ("item-size-4kb", 4000), ("item-size-399kb", 399 * 1024)] {
        out.push(
            Scenario::new(format!("PutItem/{case}"), "write capacity grows with item size")
                .step("CreateTable", usual())
                .step(
                    "PutItem",
                    with(put(item_with(json!({"S": "x".repeat(size)}))), json!({"ReturnConsumedCapacity": "TOTAL"})),
                ),
        );
    }
    out.push(
        Scenario::new("PutItem/item-too-large", "items over 400 KB are refused")
            .step("CreateTable", usual())
            .step("PutItem", put(item_with(json!({"S": "x".repeat(400 * 1024)}))))
            .step("GetItem", get(key("a", 1))),
    );
    out.push(Scenario::new("PutItem/missing-table", "PutItem on an unknown table").expect(
        "PutItem",
        json!({"TableName": "$Pnone", "Item": key("a", 1)}),
        not_found_data_plane(),
    ));
    out.push(Scenario::new("PutItem/missing-item", "Item is required").step("PutItem", json!({"TableName": "$Pt"})));
    out.push(
        Scenario::new("PutItem/missing-item-on-table", "Item is required")
            .step("CreateTable", usual())
            .step("PutItem", json!({"TableName": "$Pt"})),
    );
    out.push(
        Scenario::new("PutItem/overwrite", "a second put replaces the whole item")
            .step("CreateTable", usual())
            .step("PutItem", put(with(key("a", 1), json!({"x": {"S": "1"}, "y": {"S": "2"}}))))
            .step("PutItem", put(with(key("a", 1), json!({"z": {"S": "3"}}))))
            .step("GetItem", get(key("a", 1))),
    );
    out.push(
        Scenario::new("PutItem/nested-number-text", "numbers inside maps and lists keep their text")
            .step("CreateTable", usual())
            .step(
                "PutItem",
                put(item_with(json!({"M": {"a": {"N": "1.0"}, "l": {"L": [{"N": "2.50"}, {"N": "1e3"}]}}}))),
            )
            .step("GetItem", get(key("a", 1))),
    );
    out.push(
        Scenario::new("PutItem/string-as-number-value", "a JSON number where a string is expected")
            .step("CreateTable", usual())
            .expect(
                "PutItem",
                put(item_with(json!({"S": 5}))),
                Expect::error("SerializationException", "NUMBER_VALUE cannot be converted to String"),
            )
            .step("GetItem", get(key("a", 1))),
    );
    out
}

fn get_item() -> Vec<Scenario> {
    let seeded = |name: &str, doc: &str| {
        Scenario::new(format!("GetItem/{name}"), doc)
            .step("CreateTable", usual())
            .step(
                "PutItem",
                put(with(
                    key("a", 1),
                    json!({"x": {"S": "1"}, "m": {"M": {"n": {"N": "5"}, "l": {"L": [{"S": "p"}, {"S": "q"}]}}}, "#odd": {"S": "o"}}),
                )),
            )
    };
    let mut out = vec![
        seeded("existing", "GetItem returns the whole item").step("GetItem", get(key("a", 1))),
        seeded("absent", "GetItem of a missing item returns no Item").step("GetItem", get(key("a", 2))),
        seeded("eventually-consistent", "ConsistentRead false").step(
            "GetItem",
            json!({"TableName": "$Pt", "Key": key("a", 1), "ConsistentRead": false, "ReturnConsumedCapacity": "TOTAL"}),
        ),
        seeded("consumed-capacity-strong", "a strongly consistent read costs one unit").step(
            "GetItem",
            json!({"TableName": "$Pt", "Key": key("a", 1), "ConsistentRead": true, "ReturnConsumedCapacity": "TOTAL"}),
        ),
        seeded("consumed-capacity-indexes", "INDEXES adds the table breakdown")
            .step("GetItem", json!({"TableName": "$Pt", "Key": key("a", 1), "ReturnConsumedCapacity": "INDEXES"})),
        seeded("attributes-to-get", "legacy AttributesToGet")
            .step("GetItem", json!({"TableName": "$Pt", "Key": key("a", 1), "AttributesToGet": ["x", "nope"]})),
        seeded("projection", "ProjectionExpression picks attributes")
            .step("GetItem", json!({"TableName": "$Pt", "Key": key("a", 1), "ProjectionExpression": "x, sk"})),
        seeded("missing-table", "GetItem on an unknown table").expect(
            "GetItem",
            json!({"TableName": "$Pnone", "Key": key("a", 1)}),
            not_found_data_plane(),
        ),
        seeded("missing-key", "Key is required").step("GetItem", json!({"TableName": "$Pt"})),
        seeded("key-missing-range", "both key attributes are required")
            .step("GetItem", json!({"TableName": "$Pt", "Key": {"pk": {"S": "a"}}})),
        seeded("key-extra-attribute", "the key has exactly the key attributes")
            .step("GetItem", json!({"TableName": "$Pt", "Key": with(key("a", 1), json!({"x": {"S": "1"}}))})),
        seeded("key-wrong-type", "key types must match the schema")
            .step("GetItem", json!({"TableName": "$Pt", "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}}})),
        seeded("key-empty-string", "empty key strings are invalid")
            .step("GetItem", json!({"TableName": "$Pt", "Key": {"pk": {"S": ""}, "sk": {"N": "1"}}})),
        seeded("key-bad-number", "a key number must parse")
            .step("GetItem", json!({"TableName": "$Pt", "Key": {"pk": {"S": "a"}, "sk": {"N": "one"}}})),
        seeded("number-key-normalized", "1.0 and 1 are the same key")
            .step("GetItem", json!({"TableName": "$Pt", "Key": {"pk": {"S": "a"}, "sk": {"N": "1.0"}}})),
        seeded("bad-consumed-capacity", "ReturnConsumedCapacity is an enum")
            .step("GetItem", json!({"TableName": "$Pt", "Key": key("a", 1), "ReturnConsumedCapacity": "ALL"})),
        seeded("empty-attributes-to-get", "AttributesToGet may not be empty")
            .step("GetItem", json!({"TableName": "$Pt", "Key": key("a", 1), "AttributesToGet": []})),
    ];
    for h in TYPES {
        for (i, v) in [sample(h, 0), sample(h, 3)].into_iter().enumerate() {
            out.push(
                Scenario::new(format!("GetItem/hash-{h}-{i}"), "items are found by keys of every type")
                    .step("CreateTable", create("$Pt", ("h", h), None))
                    .step("PutItem", json!({"TableName": "$Pt", "Item": {"h": v.clone(), "n": {"N": "1"}}}))
                    .step("GetItem", json!({"TableName": "$Pt", "Key": {"h": v}}))
                    .step("GetItem", json!({"TableName": "$Pt", "Key": {"h": sample(h, 4)}})),
            );
        }
    }
    out
}

fn delete_item() -> Vec<Scenario> {
    let seeded = |name: &str, doc: &str| {
        Scenario::new(format!("DeleteItem/{name}"), doc)
            .step("CreateTable", usual())
            .step("PutItem", put(with(key("a", 1), json!({"x": {"SS": ["p", "q"]}}))))
    };
    let mut out = vec![
        seeded("existing", "a deleted item is gone")
            .step("DeleteItem", json!({"TableName": "$Pt", "Key": key("a", 1)}))
            .step("GetItem", get(key("a", 1))),
        seeded("absent", "deleting a missing item succeeds")
            .step("DeleteItem", json!({"TableName": "$Pt", "Key": key("a", 2)})),
        seeded("return-all-old", "ALL_OLD returns the deleted item")
            .step("DeleteItem", json!({"TableName": "$Pt", "Key": key("a", 1), "ReturnValues": "ALL_OLD"})),
        seeded("return-all-old-absent", "ALL_OLD of a missing item returns nothing")
            .step("DeleteItem", json!({"TableName": "$Pt", "Key": key("a", 9), "ReturnValues": "ALL_OLD"})),
        seeded("consumed-capacity", "ReturnConsumedCapacity TOTAL")
            .step("DeleteItem", json!({"TableName": "$Pt", "Key": key("a", 1), "ReturnConsumedCapacity": "TOTAL"})),
        seeded("missing-table", "DeleteItem on an unknown table").expect(
            "DeleteItem",
            json!({"TableName": "$Pnone", "Key": key("a", 1)}),
            not_found_data_plane(),
        ),
        seeded("missing-key", "Key is required").step("DeleteItem", json!({"TableName": "$Pt"})),
        seeded("key-missing-range", "both key attributes are required")
            .step("DeleteItem", json!({"TableName": "$Pt", "Key": {"pk": {"S": "a"}}})),
        seeded("key-extra-attribute", "the key has exactly the key attributes")
            .step("DeleteItem", json!({"TableName": "$Pt", "Key": with(key("a", 1), json!({"x": {"S": "1"}}))})),
        seeded("key-wrong-type", "key types must match the schema")
            .step("DeleteItem", json!({"TableName": "$Pt", "Key": {"pk": {"N": "1"}, "sk": {"N": "1"}}}))
            .step("GetItem", get(key("a", 1))),
    ];
    for rv in ["NONE", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW", "BOGUS"] {
        out.push(
            seeded(&format!("return-values-{rv}"), "DeleteItem accepts only NONE and ALL_OLD")
                .step("DeleteItem", json!({"TableName": "$Pt", "Key": key("a", 1), "ReturnValues": rv}))
                .step("GetItem", get(key("a", 1))),
        );
    }
    for (case, value) in attribute_values().into_iter().step_by(3) {
        out.push(
            Scenario::new(format!("DeleteItem/old-{case}"), "ALL_OLD returns every attribute type")
                .step("CreateTable", usual())
                .step("PutItem", put(item_with(value)))
                .step("DeleteItem", json!({"TableName": "$Pt", "Key": key("a", 1), "ReturnValues": "ALL_OLD"}))
                .step("GetItem", get(key("a", 1))),
        );
    }
    out
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

fn batch_write_item() -> Vec<Scenario> {
    let bw = |requests: Value| json!({"RequestItems": {"$Pt": requests}});
    let put_req = |pk: &str, sk: i64| json!({"PutRequest": {"Item": with(key(pk, sk), json!({"v": {"S": "new"}}))}});
    let del_req = |pk: &str, sk: i64| json!({"DeleteRequest": {"Key": key(pk, sk)}});
    // Reads back every key the scenarios touch (BatchGetItem, not Scan, so
    // these run wherever batches do).
    let check = |s: Scenario| {
        let keys: Vec<Value> = (0..26)
            .map(|i| key("a", i))
            .chain((1..=3).map(|i| key("b", i)))
            .chain([key("c", 1), key("c", 2), key("z", 9)])
            .collect();
        s.step("BatchGetItem", json!({"RequestItems": {"$Pt": {"Keys": keys, "ConsistentRead": true}}}))
    };
    let mut out = vec![
        check(Scenario::new("BatchWriteItem/puts", "three puts land").step("CreateTable", usual()).step(
            "BatchWriteItem",
            bw(json!([put_req("a", 1), put_req("a", 2), put_req("b", 1)])),
        )),
        check(seeded("BatchWriteItem/deletes", "deletes of present and absent items").step(
            "BatchWriteItem",
            bw(json!([del_req("a", 1), del_req("b", 3), del_req("z", 9)])),
        )),
        check(seeded("BatchWriteItem/mixed", "puts and deletes together").step(
            "BatchWriteItem",
            bw(json!([put_req("c", 1), del_req("a", 2)])),
        )),
        seeded("BatchWriteItem/capacity-total", "ReturnConsumedCapacity TOTAL sums the writes").step(
            "BatchWriteItem",
            with(bw(json!([put_req("a", 1), del_req("a", 2)])), json!({"ReturnConsumedCapacity": "TOTAL"})),
        ),
        seeded("BatchWriteItem/capacity-indexes", "ReturnConsumedCapacity INDEXES").step(
            "BatchWriteItem",
            with(bw(json!([put_req("a", 1)])), json!({"ReturnConsumedCapacity": "INDEXES"})),
        ),
        seeded("BatchWriteItem/delete-absent-capacity", "a delete of an absent item costs one unit").step(
            "BatchWriteItem",
            with(bw(json!([del_req("z", 1)])), json!({"ReturnConsumedCapacity": "TOTAL"})),
        ),
        Scenario::new("BatchWriteItem/two-tables", "one batch across two tables")
            .step("CreateTable", usual())
            .step("CreateTable", create("$Pu", ("id", "S"), None))
            .step(
                "BatchWriteItem",
                json!({"RequestItems": {"$Pt": [put_req("a", 1)], "$Pu": [{"PutRequest": {"Item": {"id": {"S": "x"}}}}]}, "ReturnConsumedCapacity": "TOTAL"}),
            )
            .step("GetItem", json!({"TableName": "$Pu", "Key": {"id": {"S": "x"}}})),
        Scenario::new("BatchWriteItem/empty-request-items", "RequestItems may not be empty")
            .step("BatchWriteItem", json!({"RequestItems": {}})),
        Scenario::new("BatchWriteItem/missing-request-items", "RequestItems is required").step("BatchWriteItem", json!({})),
        Scenario::new("BatchWriteItem/missing-table", "a batch naming an unknown table")
            .step("BatchWriteItem", json!({"RequestItems": {"$Pnone": [put_req("a", 1)]}})),
        check(
            Scenario::new("BatchWriteItem/26-requests", "at most 25 requests")
                .step("CreateTable", usual())
                .step("BatchWriteItem", bw(Value::Array((0..26).map(|i| put_req("a", i)).collect()))),
        ),
        check(
            Scenario::new("BatchWriteItem/25-requests", "25 requests are fine")
                .step("CreateTable", usual())
                .step("BatchWriteItem", bw(Value::Array((0..25).map(|i| put_req("a", i)).collect()))),
        ),
        check(
            seeded("BatchWriteItem/duplicate-keys", "one key twice in a batch fails it all")
                .step("BatchWriteItem", bw(json!([put_req("c", 1), put_req("c", 1)]))),
        ),
        check(
            seeded("BatchWriteItem/put-and-delete-same-key", "a put and a delete of one key")
                .step("BatchWriteItem", bw(json!([put_req("a", 1), del_req("a", 1)]))),
        ),
        seeded("BatchWriteItem/empty-write-request", "a WriteRequest needs a put or a delete")
            .step("BatchWriteItem", bw(json!([{}]))),
        seeded("BatchWriteItem/both-in-one-request", "a WriteRequest has one of put or delete").step(
            "BatchWriteItem",
            bw(json!([{"PutRequest": {"Item": key("c", 1)}, "DeleteRequest": {"Key": key("c", 1)}}])),
        ),
        check(seeded("BatchWriteItem/invalid-item", "an invalid item fails the whole batch").step(
            "BatchWriteItem",
            bw(json!([put_req("c", 1), {"PutRequest": {"Item": with(key("c", 2), json!({"v": {"N": "x"}}))}}])),
        )),
        seeded("BatchWriteItem/missing-key", "a put without its key").step(
            "BatchWriteItem",
            bw(json!([{"PutRequest": {"Item": {"pk": {"S": "c"}}}}])),
        ),
        seeded("BatchWriteItem/delete-wrong-key-type", "a delete key of the wrong type").step(
            "BatchWriteItem",
            bw(json!([{"DeleteRequest": {"Key": {"pk": {"S": "a"}, "sk": {"S": "1"}}}}])),
        ),
        seeded("BatchWriteItem/item-too-large", "items over 400 KB").step(
            "BatchWriteItem",
            bw(json!([{"PutRequest": {"Item": with(key("c", 1), json!({"v": {"S": "x".repeat(400 * 1024)}}))}}])),
        ),
        seeded("BatchWriteItem/item-collection-metrics", "ReturnItemCollectionMetrics SIZE on a table with an LSI")
            .step("BatchWriteItem", with(bw(json!([put_req("a", 5)])), json!({"ReturnItemCollectionMetrics": "SIZE"}))),
    ];
    out.push(
        seeded("PutItem/gsi-key-wrong-type", "an index key of the wrong type is refused")
            .step("PutItem", put(with(key("c", 1), json!({"g": {"N": "1"}}))))
            .step("GetItem", get(key("c", 1))),
    );
    out.push(seeded("PutItem/lsi-capacity", "a put into a local secondary index is charged").step(
        "PutItem",
        with(put(with(key("c", 1), json!({"n": {"N": "5"}}))), json!({"ReturnConsumedCapacity": "INDEXES"})),
    ));
    out.push(
        seeded("BatchWriteItem/gsi-key-wrong-type", "an index key of the wrong type is refused")
            .step("BatchWriteItem", bw(json!([{"PutRequest": {"Item": with(key("c", 1), json!({"g": {"N": "1"}}))}}]))),
    );
    out
}

fn batch_get_item() -> Vec<Scenario> {
    let bg = |keys: Vec<Value>, extra: Value| json!({"RequestItems": {"$Pt": with(json!({"Keys": keys}), extra)}});
    vec![
        seeded("BatchGetItem/present-and-absent", "found items come back, absent ones do not")
            .step("BatchGetItem", bg(vec![key("a", 1), key("b", 2), key("z", 1)], json!({}))),
        seeded("BatchGetItem/consistent-capacity", "strongly consistent reads with capacity").step(
            "BatchGetItem",
            with(bg(vec![key("a", 1), key("a", 2)], json!({"ConsistentRead": true})), json!({"ReturnConsumedCapacity": "TOTAL"})),
        ),
        seeded("BatchGetItem/eventual-capacity", "eventually consistent reads cost half")
            .step("BatchGetItem", with(bg(vec![key("a", 1), key("a", 2)], json!({})), json!({"ReturnConsumedCapacity": "INDEXES"}))),
        seeded("BatchGetItem/projection", "ProjectionExpression with names").step(
            "BatchGetItem",
            bg(vec![key("a", 1)], json!({"ProjectionExpression": "#s, n", "ExpressionAttributeNames": {"#s": "s"}})),
        ),
        seeded("BatchGetItem/attributes-to-get", "legacy AttributesToGet")
            .step("BatchGetItem", bg(vec![key("a", 1)], json!({"AttributesToGet": ["s", "tags"]}))),
        seeded("BatchGetItem/duplicate-keys", "one key twice is an error")
            .step("BatchGetItem", bg(vec![key("a", 1), key("a", 1)], json!({}))),
        seeded("BatchGetItem/101-keys", "at most 100 keys")
            .step("BatchGetItem", bg((0..101).map(|i| key("a", i)).collect(), json!({}))),
        seeded("BatchGetItem/100-keys", "100 keys are fine")
            .step("BatchGetItem", bg((0..100).map(|i| key("a", i)).collect(), json!({}))),
        seeded("BatchGetItem/empty-keys", "Keys may not be empty").step("BatchGetItem", bg(vec![], json!({}))),
        Scenario::new("BatchGetItem/empty-request-items", "RequestItems may not be empty")
            .step("BatchGetItem", json!({"RequestItems": {}})),
        Scenario::new("BatchGetItem/missing-table", "an unknown table")
            .step("BatchGetItem", json!({"RequestItems": {"$Pnone": {"Keys": [key("a", 1)]}}})),
        seeded("BatchGetItem/wrong-key-type", "keys must match the schema")
            .step("BatchGetItem", bg(vec![json!({"pk": {"S": "a"}, "sk": {"S": "1"}})], json!({}))),
        seeded("BatchGetItem/missing-range-key", "keys need every key attribute")
            .step("BatchGetItem", bg(vec![json!({"pk": {"S": "a"}})], json!({}))),
        seeded("BatchGetItem/projection-and-attributes-to-get", "the two projection styles do not mix").step(
            "BatchGetItem",
            bg(vec![key("a", 1)], json!({"ProjectionExpression": "s", "AttributesToGet": ["s"]})),
        ),
        seeded("BatchGetItem/two-tables", "reads across two tables")
            .step("CreateTable", create("$Pu", ("id", "S"), None))
            .step("PutItem", json!({"TableName": "$Pu", "Item": {"id": {"S": "x"}, "v": {"BOOL": true}}}))
            .step(
                "BatchGetItem",
                json!({"RequestItems": {"$Pt": {"Keys": [key("b", 3)]}, "$Pu": {"Keys": [{"id": {"S": "x"}}, {"id": {"S": "y"}}]}}}),
            ),
    ]
}

fn update(key_: Value, expression: &str, extra: Value) -> Value {
    with(json!({"TableName": "$Pt", "Key": key_, "UpdateExpression": expression}), extra)
}

fn update_item() -> Vec<Scenario> {
    let cases: Vec<(&str, &str, Value)> = vec![
        ("set-new", "SET newattr = :v", json!({"ExpressionAttributeValues": {":v": {"S": "hello"}}})),
        ("set-overwrite", "SET s = :v", json!({"ExpressionAttributeValues": {":v": {"S": "changed"}}})),
        ("set-two", "SET s = :v, n = :n", json!({"ExpressionAttributeValues": {":v": {"S": "x"}, ":n": {"N": "5"}}})),
        ("set-plus", "SET n = n + :d", json!({"ExpressionAttributeValues": {":d": {"N": "2.5"}}})),
        ("set-minus", "SET n = n - :d", json!({"ExpressionAttributeValues": {":d": {"N": "100"}}})),
        (
            "set-if-not-exists-absent",
            "SET c = if_not_exists(c, :z)",
            json!({"ExpressionAttributeValues": {":z": {"N": "0"}}}),
        ),
        (
            "set-if-not-exists-present",
            "SET n = if_not_exists(n, :z)",
            json!({"ExpressionAttributeValues": {":z": {"N": "0"}}}),
        ),
        (
            "set-list-append",
            "SET l = list_append(if_not_exists(l, :empty), :more)",
            json!({"ExpressionAttributeValues": {":empty": {"L": []}, ":more": {"L": [{"S": "x"}]}}}),
        ),
        (
            "set-nested-map",
            "SET m = :m",
            json!({"ExpressionAttributeValues": {":m": {"M": {"inner": {"M": {"deep": {"N": "1"}}}}}}}),
        ),
        (
            "set-names",
            "SET #s = :v",
            json!({"ExpressionAttributeNames": {"#s": "s"}, "ExpressionAttributeValues": {":v": {"S": "named"}}}),
        ),
        ("remove", "REMOVE s, tags", json!({})),
        ("remove-absent", "REMOVE nothere", json!({})),
        ("add-number", "ADD n :d", json!({"ExpressionAttributeValues": {":d": {"N": "1"}}})),
        ("add-new-number", "ADD counter :d", json!({"ExpressionAttributeValues": {":d": {"N": "7"}}})),
        ("add-to-set", "ADD tags :t", json!({"ExpressionAttributeValues": {":t": {"SS": ["y", "x"]}}})),
        ("delete-from-set", "DELETE tags :t", json!({"ExpressionAttributeValues": {":t": {"SS": ["x"]}}})),
        ("delete-whole-set", "DELETE tags :t", json!({"ExpressionAttributeValues": {":t": {"SS": ["x", "t1"]}}})),
        ("set-and-remove", "SET s = :v REMOVE tags", json!({"ExpressionAttributeValues": {":v": {"S": "both"}}})),
        // Errors.
        ("update-key", "SET sk = :v", json!({"ExpressionAttributeValues": {":v": {"N": "9"}}})),
        ("syntax-error", "SET = :v", json!({"ExpressionAttributeValues": {":v": {"N": "9"}}})),
        ("undefined-value", "SET s = :nope", json!({})),
        ("undefined-name", "SET #nope = :v", json!({"ExpressionAttributeValues": {":v": {"S": "x"}}})),
        ("unused-value", "SET s = :v", json!({"ExpressionAttributeValues": {":v": {"S": "x"}, ":unused": {"S": "y"}}})),
        (
            "unused-name",
            "SET s = :v",
            json!({"ExpressionAttributeNames": {"#u": "u"}, "ExpressionAttributeValues": {":v": {"S": "x"}}}),
        ),
        ("overlapping-paths", "SET s = :v REMOVE s", json!({"ExpressionAttributeValues": {":v": {"S": "x"}}})),
        ("add-string", "ADD s :v", json!({"ExpressionAttributeValues": {":v": {"S": "x"}}})),
        ("plus-on-string", "SET s = s + :d", json!({"ExpressionAttributeValues": {":d": {"N": "1"}}})),
        ("delete-wrong-set-type", "DELETE tags :t", json!({"ExpressionAttributeValues": {":t": {"NS": ["1"]}}})),
        ("set-empty-string-value", "SET s = :v", json!({"ExpressionAttributeValues": {":v": {"S": ""}}})),
        ("reserved-word", "SET name = :v", json!({"ExpressionAttributeValues": {":v": {"S": "x"}}})),
        ("set-index-key-wrong-type", "SET g = :v", json!({"ExpressionAttributeValues": {":v": {"N": "1"}}})),
        (
            "duplicate-section",
            "SET s = :v SET n = :n",
            json!({"ExpressionAttributeValues": {":v": {"S": "x"}, ":n": {"N": "1"}}}),
        ),
    ];
    let mut out: Vec<Scenario> = cases
        .into_iter()
        .map(|(case, expression, extra)| {
            seeded(&format!("UpdateItem/{case}"), &format!("UpdateItem: {expression}"))
                .step("UpdateItem", update(key("a", 1), expression, with(extra, json!({"ReturnValues": "ALL_NEW"}))))
                .step("GetItem", get(key("a", 1)))
        })
        .collect();
    for rv in ["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW", "WRONG"] {
        out.push(seeded(&format!("UpdateItem/return-values-{rv}"), "ReturnValues on UpdateItem").step(
            "UpdateItem",
            update(
                key("a", 2),
                "SET s = :v, z = :v",
                json!({"ExpressionAttributeValues": {":v": {"S": "new"}}, "ReturnValues": rv}),
            ),
        ));
    }
    let conditions: Vec<(&str, &str, Value)> = vec![
        ("exists-pass", "attribute_exists(s)", json!({})),
        ("exists-fail", "attribute_exists(nothere)", json!({})),
        ("not-exists-fail", "attribute_not_exists(s)", json!({})),
        ("equals-pass", "n = :ten", json!({":ten": {"N": "10"}})),
        ("equals-fail", "n = :ten", json!({":ten": {"N": "11"}})),
        ("compare-and", "n > :a AND n < :b", json!({":a": {"N": "5"}, ":b": {"N": "15"}})),
        ("between", "n BETWEEN :a AND :b", json!({":a": {"N": "10"}, ":b": {"N": "20"}})),
        ("in", "s IN (:x, :y)", json!({":x": {"S": "a-1"}, ":y": {"S": "z"}})),
        ("begins-with", "begins_with(s, :p)", json!({":p": {"S": "a-"}})),
        ("contains-set", "contains(tags, :t)", json!({":t": {"S": "t1"}})),
        ("size", "size(tags) = :two", json!({":two": {"N": "2"}})),
        ("attribute-type", "attribute_type(n, :t)", json!({":t": {"S": "N"}})),
        ("not-or", "NOT (n = :a OR s = :b)", json!({":a": {"N": "1"}, ":b": {"S": "q"}})),
        ("type-mismatch-compare", "s < :n", json!({":n": {"N": "1"}})),
        ("bad-function", "nosuch(s)", json!({})),
        ("bad-attribute-type", "attribute_type(n, :t)", json!({":t": {"S": "NUMBER"}})),
    ];
    for (case, condition, values) in conditions {
        let mut extra = json!({"ConditionExpression": condition, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"});
        let mut all_values = json!({":v": {"S": "cond"}});
        if let (Some(a), Value::Object(b)) = (all_values.as_object_mut(), values) {
            a.extend(b);
        }
        extra["ExpressionAttributeValues"] = all_values;
        out.push(
            seeded(&format!("UpdateItem/condition-{case}"), &format!("ConditionExpression {condition}"))
                .step("UpdateItem", update(key("a", 1), "SET s = :v", extra))
                .step("GetItem", get(key("a", 1))),
        );
    }
    out.push(
        seeded(
            "UpdateItem/number-text",
            "a top-level number SET by UpdateItem reads back canonical (DynamoDB Local keeps its text)",
        )
        .step(
            "UpdateItem",
            update(
                key("a", 1),
                "SET x = :v",
                json!({"ExpressionAttributeValues": {":v": {"N": "1.0"}}, "ReturnValues": "ALL_NEW"}),
            ),
        )
        .step("GetItem", get(key("a", 1))),
    );
    let bad_keys: Vec<(&str, &str, Value)> = vec![
        ("missing-key", "Key is required", json!({"TableName": "$Pt", "UpdateExpression": "SET s = :v"})),
        (
            "key-missing-range",
            "both key attributes are required",
            update(json!({"pk": {"S": "a"}}), "SET s = :v", json!({})),
        ),
        (
            "key-extra-attribute",
            "the key has exactly the key attributes",
            update(with(key("a", 1), json!({"x": {"S": "1"}})), "SET s = :v", json!({})),
        ),
        (
            "key-wrong-type",
            "key types must match the schema",
            update(json!({"pk": {"S": "a"}, "sk": {"S": "1"}}), "SET s = :v", json!({})),
        ),
        (
            "key-set-type",
            "a key attribute cannot be a set",
            update(json!({"pk": {"SS": ["a"]}, "sk": {"N": "1"}}), "SET s = :v", json!({})),
        ),
    ];
    for (case, doc, mut body) in bad_keys {
        body["ExpressionAttributeValues"] = json!({":v": {"S": "new"}});
        out.push(seeded(&format!("UpdateItem/{case}"), doc).step("UpdateItem", body).step("GetItem", get(key("a", 1))));
    }
    out.push(
        seeded("UpdateItem/upsert", "UpdateItem creates a missing item")
            .step(
                "UpdateItem",
                update(
                    key("n", 1),
                    "SET v = :v",
                    json!({"ExpressionAttributeValues": {":v": {"S": "x"}}, "ReturnValues": "ALL_NEW"}),
                ),
            )
            .step("GetItem", get(key("n", 1))),
    );
    out.push(
        seeded("UpdateItem/upsert-condition-fails", "a condition on a missing item")
            .step("UpdateItem", update(key("n", 1), "SET v = :v", json!({"ExpressionAttributeValues": {":v": {"S": "x"}}, "ConditionExpression": "attribute_exists(pk)"})))
            .step("GetItem", get(key("n", 1))),
    );
    out.push(
        seeded("UpdateItem/remove-only-on-missing", "REMOVE on a missing item does not create it")
            .step("UpdateItem", update(key("n", 1), "REMOVE v", json!({})))
            .step("GetItem", get(key("n", 1))),
    );
    out.push(seeded("UpdateItem/legacy-attribute-updates", "AttributeUpdates PUT, ADD and DELETE").step(
        "UpdateItem",
        json!({"TableName": "$Pt", "Key": key("a", 1), "ReturnValues": "ALL_NEW", "AttributeUpdates": {
                    "s": {"Action": "PUT", "Value": {"S": "legacy"}},
                    "n": {"Action": "ADD", "Value": {"N": "5"}},
                    "tags": {"Action": "DELETE", "Value": {"SS": ["x"]}}}}),
    ));
    out.push(
        seeded("UpdateItem/expression-and-attribute-updates", "the two update styles do not mix").step(
            "UpdateItem",
            json!({"TableName": "$Pt", "Key": key("a", 1), "UpdateExpression": "SET s = :v", "ExpressionAttributeValues": {":v": {"S": "x"}},
                   "AttributeUpdates": {"n": {"Action": "PUT", "Value": {"N": "1"}}}}),
        ),
    );
    out.push(
        seeded("UpdateItem/missing-table", "an unknown table")
            .step("UpdateItem", json!({"TableName": "$Pnone", "Key": key("a", 1), "UpdateExpression": "SET s = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}})),
    );
    out.push(
        seeded("UpdateItem/nested-paths", "SET into maps and lists by path")
            .step(
                "UpdateItem",
                update(
                    key("a", 1),
                    "SET m = :m",
                    json!({"ExpressionAttributeValues": {":m": {"M": {"l": {"L": [{"N": "1"}, {"N": "2"}]}}}}}),
                ),
            )
            .step(
                "UpdateItem",
                update(
                    key("a", 1),
                    "SET m.l[1] = :v, m.k = :v",
                    json!({"ExpressionAttributeValues": {":v": {"S": "set"}}, "ReturnValues": "UPDATED_NEW"}),
                ),
            )
            .step("UpdateItem", update(key("a", 1), "REMOVE m.l[0]", json!({"ReturnValues": "ALL_NEW"}))),
    );
    out.push(seeded("UpdateItem/path-into-scalar", "a path through a scalar is invalid").step(
        "UpdateItem",
        update(key("a", 1), "SET s.x = :v", json!({"ExpressionAttributeValues": {":v": {"S": "x"}}})),
    ));
    out.push(seeded("UpdateItem/capacity", "ReturnConsumedCapacity INDEXES on a table with indexes").step(
        "UpdateItem",
        update(
            key("a", 1),
            "SET g = :g",
            json!({"ExpressionAttributeValues": {":g": {"S": "moved"}}, "ReturnConsumedCapacity": "INDEXES"}),
        ),
    ));
    // An INCLUDE index is charged only when an attribute it projects changes.
    let capacity = |expression: &str| {
        update(
            key("a", 1),
            expression,
            json!({"ExpressionAttributeValues": {":v": {"S": "new"}}, "ReturnConsumedCapacity": "INDEXES"}),
        )
    };
    out.push(
        Scenario::new("UpdateItem/capacity-include", "ReturnConsumedCapacity INDEXES with an INCLUDE projection")
            .step(
                "CreateTable",
                with(
                    usual(),
                    json!({"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}, {"AttributeName": "g", "AttributeType": "S"}],
                           "GlobalSecondaryIndexes": [{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]}}]}),
                ),
            )
            .step("PutItem", put(with(key("a", 1), json!({"g": {"S": "x"}, "a": {"S": "old"}, "b": {"S": "old"}}))))
            .step("UpdateItem", capacity("SET b = :v"))
            .step("UpdateItem", capacity("SET a = :v"))
            .step("UpdateItem", capacity("SET a = :v")),
    );
    out
}

fn query_body(extra: Value) -> Value {
    with(json!({"TableName": "$Pt"}), extra)
}

fn query() -> Vec<Scenario> {
    let eq_a = json!({"KeyConditionExpression": "pk = :a", "ExpressionAttributeValues": {":a": {"S": "a"}}});
    let sk = |condition: &str, values: Value| {
        let mut v = json!({":a": {"S": "a"}});
        if let (Some(m), Value::Object(extra)) = (v.as_object_mut(), values) {
            m.extend(extra);
        }
        json!({"KeyConditionExpression": format!("pk = :a AND {condition}"), "ExpressionAttributeValues": v})
    };
    let cases: Vec<(&str, Value)> = vec![
        ("partition", eq_a.clone()),
        (
            "partition-absent",
            json!({"KeyConditionExpression": "pk = :a", "ExpressionAttributeValues": {":a": {"S": "zz"}}}),
        ),
        ("sort-eq", sk("sk = :s", json!({":s": {"N": "2"}}))),
        ("sort-lt", sk("sk < :s", json!({":s": {"N": "3"}}))),
        ("sort-le", sk("sk <= :s", json!({":s": {"N": "2"}}))),
        ("sort-gt", sk("sk > :s", json!({":s": {"N": "1"}}))),
        ("sort-ge", sk("sk >= :s", json!({":s": {"N": "2"}}))),
        ("sort-between", sk("sk BETWEEN :x AND :y", json!({":x": {"N": "1"}, ":y": {"N": "2"}}))),
        ("backwards", with(eq_a.clone(), json!({"ScanIndexForward": false}))),
        ("limit-1", with(eq_a.clone(), json!({"Limit": 1}))),
        ("limit-page-2", with(eq_a.clone(), json!({"Limit": 2, "ExclusiveStartKey": key("a", 1)}))),
        ("limit-last-page", with(eq_a.clone(), json!({"Limit": 2, "ExclusiveStartKey": key("a", 2)}))),
        ("count", with(eq_a.clone(), json!({"Select": "COUNT"}))),
        (
            "filter",
            with(
                sk("sk > :s", json!({":s": {"N": "0"}, ":ten": {"N": "10"}})),
                json!({"FilterExpression": "n > :ten"}),
            ),
        ),
        (
            "filter-with-limit",
            with(
                sk("sk > :s", json!({":s": {"N": "0"}, ":ten": {"N": "10"}})),
                json!({"FilterExpression": "n > :ten", "Limit": 1}),
            ),
        ),
        (
            "projection",
            with(eq_a.clone(), json!({"ProjectionExpression": "sk, #s", "ExpressionAttributeNames": {"#s": "s"}})),
        ),
        ("capacity", with(eq_a.clone(), json!({"ReturnConsumedCapacity": "TOTAL", "ConsistentRead": true}))),
        (
            "gsi",
            json!({"IndexName": "byG", "KeyConditionExpression": "g = :g", "ExpressionAttributeValues": {":g": {"S": "odd"}}}),
        ),
        (
            "gsi-consistent",
            json!({"IndexName": "byG", "ConsistentRead": true, "KeyConditionExpression": "g = :g", "ExpressionAttributeValues": {":g": {"S": "odd"}}}),
        ),
        ("lsi", with(sk("n >= :m", json!({":m": {"N": "20"}})), json!({"IndexName": "byN"}))),
        (
            "lsi-all-attributes",
            with(sk("n >= :m", json!({":m": {"N": "20"}})), json!({"IndexName": "byN", "Select": "ALL_ATTRIBUTES"})),
        ),
        ("unknown-index", with(eq_a.clone(), json!({"IndexName": "nope"}))),
        // Errors.
        ("missing-key-condition", json!({})),
        (
            "no-partition-condition",
            json!({"KeyConditionExpression": "sk = :s", "ExpressionAttributeValues": {":s": {"N": "1"}}}),
        ),
        (
            "partition-range-condition",
            json!({"KeyConditionExpression": "pk > :a", "ExpressionAttributeValues": {":a": {"S": "a"}}}),
        ),
        ("non-key-condition", sk("n = :s", json!({":s": {"N": "1"}}))),
        (
            "or-in-key-condition",
            json!({"KeyConditionExpression": "pk = :a OR pk = :b", "ExpressionAttributeValues": {":a": {"S": "a"}, ":b": {"S": "b"}}}),
        ),
        (
            "wrong-value-type",
            json!({"KeyConditionExpression": "pk = :a", "ExpressionAttributeValues": {":a": {"N": "1"}}}),
        ),
        ("begins-with-on-number", sk("begins_with(sk, :s)", json!({":s": {"N": "1"}}))),
        ("limit-zero", with(eq_a.clone(), json!({"Limit": 0}))),
        ("filter-on-key", with(eq_a.clone(), json!({"FilterExpression": "sk = :a"}))),
        ("bad-select", with(eq_a.clone(), json!({"Select": "SOME"}))),
        ("exclusive-start-key-wrong-partition", with(eq_a.clone(), json!({"ExclusiveStartKey": key("b", 1)}))),
    ];
    let mut out: Vec<Scenario> = cases
        .into_iter()
        .map(|(case, extra)| {
            seeded(&format!("Query/{case}"), &format!("Query {case}")).step("Query", query_body(extra))
        })
        .collect();
    out.push(
        Scenario::new("Query/string-sort-begins-with", "begins_with on a string sort key")
            .step("CreateTable", create("$Pt", ("pk", "S"), Some(("sk", "S"))))
            .step("PutItem", json!({"TableName": "$Pt", "Item": {"pk": {"S": "p"}, "sk": {"S": "order#1"}}}))
            .step("PutItem", json!({"TableName": "$Pt", "Item": {"pk": {"S": "p"}, "sk": {"S": "order#2"}}}))
            .step("PutItem", json!({"TableName": "$Pt", "Item": {"pk": {"S": "p"}, "sk": {"S": "profile"}}}))
            .step(
                "Query",
                json!({"TableName": "$Pt", "KeyConditionExpression": "pk = :p AND begins_with(sk, :o)", "ExpressionAttributeValues": {":p": {"S": "p"}, ":o": {"S": "order#"}}}),
            ),
    );
    out.push(
        Scenario::new("Query/binary-sort-order", "binary sort keys order bytewise, unsigned")
            .step("CreateTable", create("$Pt", ("pk", "S"), Some(("sk", "B"))))
            .step("PutItem", json!({"TableName": "$Pt", "Item": {"pk": {"S": "p"}, "sk": {"B": "/w=="}}}))
            .step("PutItem", json!({"TableName": "$Pt", "Item": {"pk": {"S": "p"}, "sk": {"B": "AA=="}}}))
            .step("PutItem", json!({"TableName": "$Pt", "Item": {"pk": {"S": "p"}, "sk": {"B": "fw=="}}}))
            .step("Query", json!({"TableName": "$Pt", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p"}}})),
    );
    out.push(
        Scenario::new("Query/number-sort-order", "number sort keys order numerically")
            .step("CreateTable", usual())
            .step("PutItem", put(key("p", 10)))
            .step("PutItem", put(key("p", -3)))
            .step("PutItem", put(key("p", 2)))
            .step("PutItem", put(with(key("p", 0), json!({"x": {"S": "zero"}}))))
            .step("Query", json!({"TableName": "$Pt", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p"}}})),
    );
    out
}

fn scan() -> Vec<Scenario> {
    let cases: Vec<(&str, Value)> = vec![
        ("all", json!({})),
        ("count", json!({"Select": "COUNT"})),
        ("filter", json!({"FilterExpression": "n >= :m", "ExpressionAttributeValues": {":m": {"N": "20"}}})),
        (
            "filter-contains",
            json!({"FilterExpression": "contains(tags, :t)", "ExpressionAttributeValues": {":t": {"S": "t3"}}}),
        ),
        ("filter-key", json!({"FilterExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "b"}}})),
        ("projection", json!({"ProjectionExpression": "pk, sk, tags"})),
        ("gsi", json!({"IndexName": "byG"})),
        ("lsi", json!({"IndexName": "byN"})),
        ("capacity", json!({"ReturnConsumedCapacity": "TOTAL"})),
        ("consistent", json!({"ConsistentRead": true, "ReturnConsumedCapacity": "TOTAL"})),
        ("segment-without-total", json!({"Segment": 0})),
        ("segment-out-of-range", json!({"Segment": 2, "TotalSegments": 2})),
        ("total-segments-zero", json!({"Segment": 0, "TotalSegments": 0})),
        ("limit-zero", json!({"Limit": 0})),
        ("unknown-index", json!({"IndexName": "nope"})),
        ("bad-filter", json!({"FilterExpression": "n >>= :m", "ExpressionAttributeValues": {":m": {"N": "1"}}})),
        (
            "unused-value",
            json!({"FilterExpression": "n > :m", "ExpressionAttributeValues": {":m": {"N": "1"}, ":x": {"N": "2"}}}),
        ),
        (
            "scan-filter-legacy",
            json!({"ScanFilter": {"n": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "15"}]}}}),
        ),
    ];
    let mut out: Vec<Scenario> = cases
        .into_iter()
        .map(|(case, extra)| seeded(&format!("Scan/{case}"), &format!("Scan {case}")).step("Scan", query_body(extra)))
        .collect();
    out.push(Scenario::new("Scan/missing-table", "an unknown table").step("Scan", json!({"TableName": "$Pnone"})));
    out.push(
        Scenario::new("Scan/empty-table", "an empty table")
            .step("CreateTable", usual())
            .step("Scan", json!({"TableName": "$Pt"})),
    );
    out
}

fn transactions() -> Vec<Scenario> {
    let tw = |items: Value| json!({"TransactItems": items});
    let put_tx =
        |pk: &str, sk: i64| json!({"Put": {"TableName": "$Pt", "Item": with(key(pk, sk), json!({"v": {"S": "tx"}}))}});
    let check = |s: Scenario| s.step("Scan", json!({"TableName": "$Pt"}));
    vec![
        check(seeded("TransactWriteItems/all-kinds", "put, update, delete and condition check commit together").step(
            "TransactWriteItems",
            tw(json!([
                put_tx("c", 1),
                {"Update": {"TableName": "$Pt", "Key": key("a", 1), "UpdateExpression": "SET v = :v", "ExpressionAttributeValues": {":v": {"S": "u"}}}},
                {"Delete": {"TableName": "$Pt", "Key": key("a", 2)}},
                {"ConditionCheck": {"TableName": "$Pt", "Key": key("b", 1), "ConditionExpression": "attribute_exists(pk)"}}
            ])),
        )),
        check(seeded("TransactWriteItems/condition-fails", "one failed condition cancels everything").step(
            "TransactWriteItems",
            tw(json!([
                put_tx("c", 1),
                {"ConditionCheck": {"TableName": "$Pt", "Key": key("b", 1), "ConditionExpression": "attribute_not_exists(pk)", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}
            ])),
        )),
        check(seeded("TransactWriteItems/same-item-twice", "one item twice in a transaction").step(
            "TransactWriteItems",
            tw(json!([put_tx("c", 1), {"Delete": {"TableName": "$Pt", "Key": key("c", 1)}}])),
        )),
        seeded("TransactWriteItems/empty", "TransactItems may not be empty").step("TransactWriteItems", tw(json!([]))),
        seeded("TransactWriteItems/101-items", "at most 100 items")
            .step("TransactWriteItems", tw(Value::Array((0..101).map(|i| put_tx("t", i)).collect()))),
        seeded("TransactWriteItems/missing-table", "an unknown table")
            .step("TransactWriteItems", tw(json!([{"Put": {"TableName": "$Pnone", "Item": key("a", 1)}}]))),
        seeded("TransactWriteItems/capacity", "transactional writes cost double")
            .step("TransactWriteItems", with(tw(json!([put_tx("c", 1)])), json!({"ReturnConsumedCapacity": "TOTAL"}))),
        seeded("TransactWriteItems/idempotent", "a repeated client token is idempotent")
            .step("TransactWriteItems", with(tw(json!([put_tx("c", 1)])), json!({"ClientRequestToken": "token-1"})))
            .step("TransactWriteItems", with(tw(json!([put_tx("c", 1)])), json!({"ClientRequestToken": "token-1"}))),
        seeded("TransactWriteItems/two-operations-in-one", "an item holds exactly one operation").step(
            "TransactWriteItems",
            tw(json!([{"Put": {"TableName": "$Pt", "Item": key("c", 1)}, "Delete": {"TableName": "$Pt", "Key": key("c", 1)}}])),
        ),
        seeded("TransactGetItems/two", "reads two items atomically").step(
            "TransactGetItems",
            json!({"TransactItems": [{"Get": {"TableName": "$Pt", "Key": key("a", 1)}}, {"Get": {"TableName": "$Pt", "Key": key("z", 1)}}], "ReturnConsumedCapacity": "TOTAL"}),
        ),
        seeded("TransactGetItems/projection", "per-item projections").step(
            "TransactGetItems",
            json!({"TransactItems": [{"Get": {"TableName": "$Pt", "Key": key("a", 1), "ProjectionExpression": "s"}}]}),
        ),
        seeded("TransactGetItems/same-item-twice", "one item twice").step(
            "TransactGetItems",
            json!({"TransactItems": [{"Get": {"TableName": "$Pt", "Key": key("a", 1)}}, {"Get": {"TableName": "$Pt", "Key": key("a", 1)}}]}),
        ),
        Scenario::new("TransactGetItems/missing-table", "an unknown table")
            .step("TransactGetItems", json!({"TransactItems": [{"Get": {"TableName": "$Pnone", "Key": key("a", 1)}}]})),
    ]
}
