//! `CreateTable.json`: key schemas of every type, billing modes, indexes, and
//! the requests CreateTable rejects.

use super::{create, usual, validation, with, without, TYPES};
use crate::scenario::{Expect, Scenario};
use serde_json::{json, Value};

pub(super) fn scenarios() -> Vec<Scenario> {
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
