//! `UpdateItem.json`: UpdateItem under each update expression of the grammar
//! (valid and invalid), each ReturnValues, and the legacy `AttributeUpdates`.
//! (UpdateItem on the six-item table is in `update_item_basics.rs`.)

use super::expressions::{seeded, used_values};
use super::{get, key};
use crate::scenario::Scenario;
use serde_json::json;

const UPDATES: [&str; 40] = [
    "SET n = n + :one",
    "SET n = :one - n, fresh = :x",
    "SET l[1] = :x, l[10] = :one",
    "SET m.deep.z = :one, m.added = :ss",
    "SET l = list_append(l, :l)",
    "SET q = list_append(if_not_exists(q, :l), :l)",
    "SET fresh = if_not_exists(n, :one)",
    "REMOVE l[0], l[2], m.x, nope",
    "ADD n :one, ss :ss, counter2 :one",
    "DELETE ss :ss",
    "SET a1 = (:one + :one)",
    "set n = :one remove s add ss :ss delete nope :ss",
    "SET n = n + :x",
    "SET q = nope + :one",
    "SET q = s + :one",
    "SET nope.x = :one",
    "SET n.x = :one",
    "REMOVE nope.x",
    "ADD s :one",
    "ADD ss :one",
    "ADD n :x",
    "DELETE n :one",
    "DELETE s :ss",
    "SET l = list_append(l, :x)",
    "SET q = size(l)",
    "SET q = if_not_exists(:one, n)",
    "SET n = :one, n.x = :one",
    "SET l[0] = :one REMOVE l.x",
    "SET n = :one SET s = :x",
    "SET pk = :x",
    "REMOVE sk",
    "SET n = :one + :one + :one",
    "REMOVE :one",
    "SET",
    "SET status = :one",
    "SET n = :undefined",
    "SET n = ((:one))",
    "SET n = :one,",
    "ADD m.deep.z :one",
    "",
];

pub(super) fn scenarios() -> Vec<Scenario> {
    let mut out = Vec::new();
    for (i, update) in UPDATES.iter().enumerate() {
        let mut body =
            json!({"TableName": "$Pt", "Key": key("a", 1), "UpdateExpression": update, "ReturnValues": "ALL_NEW"});
        if let Some(v) = used_values(&[update]) {
            body["ExpressionAttributeValues"] = v;
        }
        out.push(
            seeded(format!("UpdateItem/expression-{i:02}"), &format!("UpdateItem `{update}`"))
                .step("UpdateItem", body)
                .step("GetItem", get(key("a", 1))),
        );
    }
    for rv in ["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"] {
        out.push(
            seeded(format!("UpdateItem/return-{rv}"), "each ReturnValues choice")
                .step("UpdateItem", json!({"TableName": "$Pt", "Key": key("a", 1), "UpdateExpression": "SET n = n + :one, z = :one REMOVE s", "ExpressionAttributeValues": {":one": {"N": "1"}}, "ReturnValues": rv})),
        );
    }
    out.push(
        seeded("UpdateItem/creates-missing".into(), "an update of a missing item creates it from its key")
            .step("UpdateItem", json!({"TableName": "$Pt", "Key": key("b", 2), "UpdateExpression": "ADD hits :one", "ExpressionAttributeValues": {":one": {"N": "1"}}, "ReturnValues": "ALL_NEW"}))
            .step("GetItem", get(key("b", 2))),
    );
    out.push(
        seeded("UpdateItem/condition-failed".into(), "a failed condition writes nothing and returns the item")
            .step("UpdateItem", json!({"TableName": "$Pt", "Key": key("a", 1), "UpdateExpression": "SET n = :one", "ConditionExpression": "n = :one", "ExpressionAttributeValues": {":one": {"N": "1"}}, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}))
            .step("GetItem", get(key("a", 1))),
    );
    for (i, updates) in [
        json!({"n": {"Action": "ADD", "Value": {"N": "2"}}, "s": {"Action": "DELETE"}}),
        json!({"l": {"Action": "ADD", "Value": {"L": [{"S": "more"}]}}}),
        json!({"ss": {"Action": "DELETE", "Value": {"SS": ["x"]}}}),
        json!({"s": {"Action": "ADD", "Value": {"S": "x"}}}),
        json!({"n": {"Action": "PUT"}}),
        json!({"pk": {"Action": "PUT", "Value": {"S": "z"}}}),
    ]
    .into_iter()
    .enumerate()
    {
        out.push(
            seeded(format!("UpdateItem/attribute-updates-{i}"), "legacy AttributeUpdates")
                .step("UpdateItem", json!({"TableName": "$Pt", "Key": key("a", 1), "AttributeUpdates": updates, "ReturnValues": "ALL_NEW"}))
                .step("GetItem", get(key("a", 1))),
        );
    }
    out
}
