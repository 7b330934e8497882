//! `BatchWriteItem.json`: puts and deletes on the six-item table, request
//! limits, invalid requests, capacity and item collection metrics. (Two
//! `PutItem/` scenarios on the indexed table are recorded in this file too.)

use super::{create, get, key, put, seeded, usual, with};
use crate::scenario::Scenario;
use serde_json::{json, Value};

pub(super) fn scenarios() -> Vec<Scenario> {
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
