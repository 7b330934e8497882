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
