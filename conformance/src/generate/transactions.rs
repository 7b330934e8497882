//! `Transactions.json`: TransactWriteItems and TransactGetItems on the
//! six-item table: commits, cancellations, limits, capacity and idempotency.

use super::{key, seeded, with};
use crate::scenario::Scenario;
use serde_json::{json, Value};

pub(super) fn scenarios() -> Vec<Scenario> {
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
