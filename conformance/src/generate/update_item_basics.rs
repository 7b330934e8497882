//! `UpdateItemBasics.json`: UpdateItem on the six-item table: each kind of
//! update action, ReturnValues, conditions, invalid keys, upserts, the legacy
//! AttributeUpdates, nested paths and index capacity. (The expression grammar
//! itself is in `update_item.rs`.)

use super::{get, key, put, seeded, usual, with};
use crate::scenario::Scenario;
use serde_json::{json, Value};

fn update(key_: Value, expression: &str, extra: Value) -> Value {
    with(json!({"TableName": "$Pt", "Key": key_, "UpdateExpression": expression}), extra)
}

pub(super) fn scenarios() -> Vec<Scenario> {
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
