//! `BatchGetItem.json`: reads of the six-item table, projections, capacity,
//! request limits and invalid keys, across one or two tables.

use super::{create, key, seeded, with};
use crate::scenario::Scenario;
use serde_json::{json, Value};

pub(super) fn scenarios() -> Vec<Scenario> {
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
        seeded("BatchGetItem/empty-attributes-to-get", "AttributesToGet may not be empty (the model's minimum of one name)")
            .step("BatchGetItem", bg(vec![key("a", 1)], json!({"AttributesToGet": []}))),
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
