//! `ConditionExpression.json`: PutItem under each condition of the grammar
//! (valid and invalid), DeleteItem's condition options and the legacy
//! `Expected`.

use super::expressions::{seeded, used_values};
use super::{get, key, with};
use crate::scenario::Scenario;
use serde_json::{json, Value};

const CONDITIONS: [&str; 40] = [
    "n = :five",
    "n <> :five",
    "n BETWEEN :one AND :five",
    "n IN (:one, :five)",
    "begins_with(s, :s)",
    "contains(ss, :x)",
    "contains(l, :one)",
    "size(s) = :five",
    "size(l) > :one",
    "attribute_type(ss, :type)",
    "attribute_exists(m.deep.z)",
    "attribute_not_exists(l[3])",
    "l[2].k = :x OR NOT n < :one",
    "(n = :five) AND ((s = :x) OR (ss = :ss))",
    "nope <> :one",
    "(n) = :five",
    "a = = b",
    "n = :five AND",
    "(n = :five",
    "n = :five)",
    "n = 5",
    "_n = :five",
    "status = :one",
    "m.name = :one",
    "n = :undefined",
    "#undefined = :one",
    "((n = :five))",
    "foo(n)",
    "size(n)",
    "attribute_exists(n, s)",
    "attribute_exists(:one)",
    "begins_with(s, :one)",
    "n < :b",
    "n BETWEEN :five AND :one",
    "attribute_type(n, :x)",
    "n = n",
    "if_not_exists(n, :one) = :one",
    "l[2147483648] = :one",
    "",
    "   ",
];

pub(super) fn scenarios() -> Vec<Scenario> {
    let mut out = Vec::new();
    for (i, condition) in CONDITIONS.iter().enumerate() {
        let mut body = json!({"TableName": "$Pt", "Item": with(key("a", 1), json!({"replaced": {"BOOL": true}})), "ConditionExpression": condition});
        if let Some(v) = used_values(&[condition]) {
            body["ExpressionAttributeValues"] = v;
        }
        out.push(
            seeded(format!("ConditionExpression/put-{i:02}"), &format!("PutItem under `{condition}`"))
                .step("PutItem", body)
                .step("GetItem", get(key("a", 1))),
        );
    }
    let delete = |name: &str, doc: &str, extra: Value| {
        seeded(format!("ConditionExpression/{name}"), doc)
            .step("DeleteItem", with(json!({"TableName": "$Pt", "Key": key("a", 1)}), extra))
            .step("GetItem", get(key("a", 1)))
    };
    out.push(delete(
        "delete-failed-all-old",
        "a failed condition returns the item with ALL_OLD",
        json!({"ConditionExpression": "n = :one", "ExpressionAttributeValues": {":one": {"N": "1"}}, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
    ));
    out.push(delete(
        "delete-unused-value",
        "unused ExpressionAttributeValues are rejected",
        json!({"ConditionExpression": "attribute_exists(n)", "ExpressionAttributeValues": {":one": {"N": "1"}}}),
    ));
    out.push(delete(
        "delete-unused-name",
        "unused ExpressionAttributeNames are rejected",
        json!({"ConditionExpression": "attribute_exists(#n)", "ExpressionAttributeNames": {"#n": "n", "#m": "m"}}),
    ));
    out.push(delete(
        "delete-names-without-expression",
        "ExpressionAttributeNames need an expression",
        json!({"ExpressionAttributeNames": {"#n": "n"}}),
    ));
    out.push(delete(
        "delete-mixed-styles",
        "Expected and ConditionExpression cannot be mixed",
        json!({"ConditionExpression": "attribute_exists(n)", "Expected": {"n": {"Exists": true, "Value": {"N": "5"}}}}),
    ));
    for (i, expected) in [
        json!({"n": {"Value": {"N": "5"}}}),
        json!({"n": {"Exists": false}}),
        json!({"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"N": "9"}]}}),
        json!({"s": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"N": "1"}]}}),
        json!({"n": {"Exists": true}}),
        json!({"nope": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"S": "x"}]}}),
    ]
    .into_iter()
    .enumerate()
    {
        out.push(delete(&format!("delete-expected-{i}"), "legacy Expected conditions", json!({"Expected": expected})));
    }
    out
}
