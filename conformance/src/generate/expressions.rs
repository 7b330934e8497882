//! Expression scenarios: conditions on writes, UpdateItem, projections.
//! Each rejected request is followed by a read showing nothing was written.

use super::{get, key, put, usual, with};
use crate::scenario::Scenario;
use serde_json::{json, Value};

/// The item every expression scenario starts from.
fn seed() -> Value {
    with(
        key("a", 1),
        json!({
            "n": {"N": "5"}, "s": {"S": "héllo"}, "ss": {"SS": ["x", "y"]},
            "l": {"L": [{"N": "1"}, {"S": "two"}, {"M": {"k": {"S": "v"}}}]},
            "m": {"M": {"x": {"S": "y"}, "deep": {"M": {"z": {"N": "0"}}}}}
        }),
    )
}

fn seeded(name: String, doc: &str) -> Scenario {
    Scenario::new(name, doc).step("CreateTable", usual()).step("PutItem", put(seed()))
}

fn values() -> Value {
    json!({
        ":one": {"N": "1"}, ":five": {"N": "5"}, ":s": {"S": "hé"}, ":x": {"S": "x"}, ":l": {"L": [{"S": "z"}]},
        ":ss": {"SS": ["y", "w"]}, ":b": {"BOOL": true}, ":type": {"S": "SS"}
    })
}

/// Keeps only the placeholders `expression` mentions (DynamoDB rejects unused ones).
fn used_values(expressions: &[&str]) -> Option<Value> {
    let all = values();
    let map: serde_json::Map<String, Value> = all
        .as_object()?
        .iter()
        .filter(|(k, _)| expressions.iter().any(|e| mentions(e, k)))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    (!map.is_empty()).then_some(Value::Object(map))
}

fn mentions(expression: &str, placeholder: &str) -> bool {
    expression.match_indices(placeholder).any(|(i, _)| {
        let after = expression[i + placeholder.len()..].chars().next();
        !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

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

const PROJECTIONS: [&str; 10] =
    ["n", "l[2].k, l[0], m.deep", "nope, m.nope", "#n, s", "n, n", "m, m.x", "l[0], l.x", "status", "n,", ""];

pub fn condition_expression() -> Vec<Scenario> {
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

pub fn update_item() -> Vec<Scenario> {
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

pub fn projection_expression() -> Vec<Scenario> {
    PROJECTIONS
        .iter()
        .enumerate()
        .map(|(i, projection)| {
            let mut body = get(key("a", 1));
            body["ProjectionExpression"] = json!(projection);
            if projection.contains("#n") {
                body["ExpressionAttributeNames"] = json!({"#n": "n"});
            }
            seeded(format!("ProjectionExpression/get-{i}"), &format!("GetItem projecting `{projection}`"))
                .step("GetItem", body)
        })
        .collect()
}
