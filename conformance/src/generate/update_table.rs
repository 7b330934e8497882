//! `UpdateTable.json`: what UpdateTable makes of the AttributeDefinitions it
//! is given beside a new global secondary index, and its index errors.
//! Recorded from DynamoDB Local; where real DynamoDB was recorded answering
//! otherwise, `differences/known.json` says so with the source.

use super::{create, without};
use crate::scenario::Scenario;
use serde_json::{json, Value};

/// `$Pu`: partition key `pk` (S), sort key `sk` (N).
fn table() -> Value {
    create("$Pu", ("pk", "S"), Some(("sk", "N")))
}

/// An UpdateTable of `$Pu` creating index `name` on `keys`, with `defs` as the request's definitions.
fn add_index(name: &str, keys: &[(&str, &str)], defs: &[(&str, &str)]) -> Value {
    let schema: Vec<Value> = keys.iter().map(|(n, k)| json!({"AttributeName": n, "KeyType": k})).collect();
    let defs: Vec<Value> = defs.iter().map(|(n, t)| json!({"AttributeName": n, "AttributeType": t})).collect();
    json!({"TableName": "$Pu", "AttributeDefinitions": defs,
        "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": name, "KeySchema": schema, "Projection": {"ProjectionType": "ALL"}}}]})
}

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("UpdateTable/add-index-with-its-definitions", "A new GSI needs only its own key attributes defined; the table's stay")
            .step("CreateTable", table())
            // Writes and reads right after: DynamoDB Local's answers depend on its timing
            // (HTTP 500, or an index missing the write), so the SDK tests cover them.
            .step("UpdateTable", add_index("by_g", &[("g", "HASH"), ("sk", "RANGE")], &[("g", "S"), ("sk", "N")])),
        Scenario::new(
            "UpdateTable/redeclared-key-type-is-ignored",
            "A table key redeclared with another type beside a new GSI: DynamoDB accepts the call and keeps the type (paritysuite/dynamodb-conformance#78, eu-west-2 2026-07)",
        )
        .step("CreateTable", table())
        .step("UpdateTable", add_index("by_g", &[("g", "HASH")], &[("pk", "N"), ("g", "S")]))
        .step("PutItem", json!({"TableName": "$Pu", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "g": {"S": "x"}}})),
        Scenario::new(
            "UpdateTable/index-key-defined-only-on-the-table",
            "A new GSI keyed on an attribute the table defines but the request omits is refused by DynamoDB (nubo-db/dynoxide#144, eu-west-2 2026-07-12)",
        )
        .step("CreateTable", table())
        .step("UpdateTable", add_index("by_g", &[("g", "HASH"), ("sk", "RANGE")], &[("g", "S")])),
        Scenario::new("UpdateTable/index-key-undefined", "A new GSI keyed on an attribute nobody defines")
            .step("CreateTable", table())
            .step("UpdateTable", add_index("by_g", &[("g", "HASH"), ("zz", "RANGE")], &[("g", "S")])),
        Scenario::new("UpdateTable/index-create-without-definitions", "A new GSI with no AttributeDefinitions at all")
            .step("CreateTable", table())
            .step("UpdateTable", without(add_index("by_g", &[("g", "HASH")], &[]), "AttributeDefinitions")),
        Scenario::new("UpdateTable/delete-missing-index", "Deleting an index the table does not have")
            .step("CreateTable", table())
            .step("UpdateTable", json!({"TableName": "$Pu", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "nope"}}]})),
        Scenario::new("UpdateTable/null-index-action", "An index update with no action")
            .step("CreateTable", table())
            .step("UpdateTable", json!({"TableName": "$Pu", "GlobalSecondaryIndexUpdates": [{}]})),
    ]
}
