use crate::error_of;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue as Av, ReturnConsumedCapacity, ReturnValue, ScalarAttributeType};
use sdk_tests::create_table;
use std::collections::HashMap;

fn s(v: &str) -> Av {
    Av::S(v.to_string())
}

fn n(v: &str) -> Av {
    Av::N(v.to_string())
}

#[tokio::test]
async fn put_get_delete_round_trip_all_types() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "things", "pk", Some(("sk", ScalarAttributeType::N))).await;
    let item = HashMap::from([
        ("pk".to_string(), s("a")),
        ("sk".to_string(), n("1.50")),
        ("str".to_string(), s("hello")),
        ("num".to_string(), n("1E+3")),
        ("bin".to_string(), Av::B(Blob::new(vec![0u8, 1, 2, 255]))),
        ("flag".to_string(), Av::Bool(true)),
        ("nothing".to_string(), Av::Null(true)),
        ("ss".to_string(), Av::Ss(vec!["x".into(), "y".into()])),
        ("ns".to_string(), Av::Ns(vec!["1".into(), "2.5".into()])),
        ("bs".to_string(), Av::Bs(vec![Blob::new(vec![1u8]), Blob::new(vec![2u8])])),
        (
            "list".to_string(),
            Av::L(vec![s("a"), n("2"), Av::M(HashMap::from([("deep".to_string(), Av::Bool(false))]))]),
        ),
        ("map".to_string(), Av::M(HashMap::from([("k".to_string(), s("v"))]))),
    ]);
    client.put_item().table_name("things").set_item(Some(item.clone())).send().await.unwrap();

    let got = client.get_item().table_name("things").key("pk", s("a")).key("sk", n("1.5")).send().await.unwrap();
    let got = got.item().unwrap();
    // Numbers come back in canonical form; everything else exactly as stored.
    assert_eq!(got["sk"], n("1.5"));
    assert_eq!(got["num"], n("1000"));
    for k in ["str", "bin", "flag", "nothing", "ss", "ns", "bs", "list", "map"] {
        assert_eq!(got[k], item[k], "attribute {k}");
    }

    let deleted = client
        .delete_item()
        .table_name("things")
        .key("pk", s("a"))
        .key("sk", n("1.5"))
        .return_values(ReturnValue::AllOld)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.attributes().unwrap()["str"], s("hello"));
    let gone = client.get_item().table_name("things").key("pk", s("a")).key("sk", n("1.5")).send().await.unwrap();
    assert!(gone.item().is_none());
}

#[tokio::test]
async fn put_returns_old_item_and_overwrites() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "users", "id", None).await;
    let first = client
        .put_item()
        .table_name("users")
        .item("id", s("u1"))
        .item("v", n("1"))
        .return_values(ReturnValue::AllOld)
        .send()
        .await
        .unwrap();
    assert!(first.attributes().is_none());
    let second = client
        .put_item()
        .table_name("users")
        .item("id", s("u1"))
        .item("v", n("2"))
        .return_values(ReturnValue::AllOld)
        .send()
        .await
        .unwrap();
    assert_eq!(second.attributes().unwrap()["v"], n("1"));
    let table = client.describe_table().table_name("users").send().await.unwrap().table.unwrap();
    assert_eq!(table.item_count(), Some(1));
    assert!(table.table_size_bytes().unwrap() > 0);
    let (code, message) = error_of(
        client.put_item().table_name("users").item("id", s("u1")).return_values(ReturnValue::AllNew).send().await,
    );
    assert_eq!((code.as_str(), message.as_str()), ("ValidationException", "ReturnValues can only be ALL_OLD or NONE"));
}

#[tokio::test]
async fn key_validation_messages() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "keys", "pk", Some(("sk", ScalarAttributeType::N))).await;
    let put = |item: Vec<(&str, Av)>| {
        client
            .put_item()
            .table_name("keys")
            .set_item(Some(item.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
            .send()
    };
    assert_eq!(
        error_of(put(vec![("pk", s("a"))]).await).1,
        "One or more parameter values were invalid: Missing the key sk in the item"
    );
    assert_eq!(
        error_of(put(vec![("pk", n("1")), ("sk", n("1"))]).await).1,
        "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"
    );
    assert_eq!(
        error_of(put(vec![("pk", s("")), ("sk", n("1"))]).await).1,
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"
    );
    assert_eq!(
        error_of(put(vec![("pk", s(&"x".repeat(2049))), ("sk", n("1"))]).await).1,
        "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes"
    );
    assert_eq!(
        error_of(put(vec![("pk", s("a")), ("sk", n("1")), ("big", s(&"x".repeat(400 * 1024)))]).await).1,
        "Item size has exceeded the maximum allowed size"
    );
    assert_eq!(
        error_of(put(vec![("pk", s("a")), ("sk", n("abc"))]).await).1,
        "The parameter cannot be converted to a numeric value: abc"
    );
    assert_eq!(
        error_of(put(vec![("pk", s("a")), ("sk", n("1e126"))]).await).1,
        "Number overflow. Attempting to store a number with magnitude larger than supported range"
    );
    assert_eq!(
        error_of(put(vec![("pk", s("a")), ("sk", n("1")), ("ss", Av::Ss(vec![]))]).await).1,
        "One or more parameter values were invalid: An string set  may not be empty"
    );
    assert_eq!(
        error_of(put(vec![("pk", s("a")), ("sk", n("1")), ("ss", Av::Ss(vec!["a".into(), "a".into()]))]).await).1,
        "One or more parameter values were invalid: Input collection [a, a] contains duplicates."
    );
    let get_partial = client.get_item().table_name("keys").key("pk", s("a")).send().await;
    assert_eq!(error_of(get_partial).1, "The provided key element does not match the schema");
    let get_wrong_type = client.get_item().table_name("keys").key("pk", s("a")).key("sk", s("1")).send().await;
    assert_eq!(error_of(get_wrong_type).1, "The provided key element does not match the schema");
    let update = |key: Vec<(&str, Av)>| {
        client
            .update_item()
            .table_name("keys")
            .set_key(Some(key.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
            .update_expression("SET x = :x")
            .expression_attribute_values(":x", s("x"))
            .send()
    };
    for key in [
        vec![("pk", s("a"))],
        vec![("pk", s("a")), ("sk", s("1"))],
        vec![("pk", s("a")), ("sk", n("1")), ("x", s("1"))],
        vec![("pk", Av::Ss(vec!["a".into()])), ("sk", n("1"))],
    ] {
        assert_eq!(error_of(update(key).await).1, "The provided key element does not match the schema");
    }
    let missing = client.get_item().table_name("nope").key("pk", s("a")).send().await;
    assert_eq!(error_of(missing), ("ResourceNotFoundException".into(), "Requested resource not found".into()));
    // None of the rejected writes stored anything.
    let table = client.describe_table().table_name("keys").send().await.unwrap().table.unwrap();
    assert_eq!(table.item_count(), Some(0));
}

#[tokio::test]
async fn consumed_capacity_follows_documented_units() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "cap", "pk", None).await;
    let put = client
        .put_item()
        .table_name("cap")
        .item("pk", s("a"))
        .item("data", s(&"x".repeat(3000)))
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await
        .unwrap();
    assert_eq!(put.consumed_capacity().unwrap().capacity_units(), Some(3.0));
    let eventual = client
        .get_item()
        .table_name("cap")
        .key("pk", s("a"))
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await
        .unwrap();
    assert_eq!(eventual.consumed_capacity().unwrap().capacity_units(), Some(0.5));
    let strong = client
        .get_item()
        .table_name("cap")
        .key("pk", s("a"))
        .consistent_read(true)
        .return_consumed_capacity(ReturnConsumedCapacity::Indexes)
        .send()
        .await
        .unwrap();
    let consumed = strong.consumed_capacity().unwrap();
    assert_eq!(consumed.capacity_units(), Some(1.0));
    assert_eq!(consumed.table().unwrap().capacity_units(), Some(1.0));
    let none = client.get_item().table_name("cap").key("pk", s("a")).send().await.unwrap();
    assert!(none.consumed_capacity().is_none());
}

#[tokio::test]
async fn numbers_order_and_compare_exactly() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "nums", "pk", Some(("sk", ScalarAttributeType::N))).await;
    // 38 significant digits survive exactly: no floating point anywhere.
    let precise = "1234567890123456789012345678.9012345678";
    client.put_item().table_name("nums").item("pk", s("p")).item("sk", n(precise)).send().await.unwrap();
    let got = client.get_item().table_name("nums").key("pk", s("p")).key("sk", n(precise)).send().await.unwrap();
    assert_eq!(got.item().unwrap()["sk"], n(precise));
    let too_precise = client
        .put_item()
        .table_name("nums")
        .item("pk", s("p"))
        .item("sk", n("1.23456789012345678901234567890123456789"))
        .send()
        .await;
    assert_eq!(error_of(too_precise).1, "Attempting to store more than 38 significant digits in a Number");
}

#[tokio::test]
async fn nested_numbers_keep_their_text_top_level_numbers_are_canonical() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "text", "pk", None).await;
    let map = |pairs: &[(&str, Av)]| Av::M(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect());
    client
        .put_item()
        .table_name("text")
        .item("pk", s("a"))
        .item("top", n("1.0"))
        .item("set", Av::Ns(vec!["2.50".into(), "1e3".into()]))
        .item(
            "doc",
            map(&[("x", n("1.0")), ("l", Av::L(vec![n("2.50"), n("+1e3")])), ("ns", Av::Ns(vec!["0.10".into()]))]),
        )
        .send()
        .await
        .unwrap();
    let get = || async { client.get_item().table_name("text").key("pk", s("a")).send().await.unwrap().item.unwrap() };
    let item = get().await;
    assert_eq!(item["top"], n("1"));
    let mut set = item["set"].as_ns().unwrap().clone();
    set.sort();
    assert_eq!(set, ["1000", "2.5"]);
    assert_eq!(
        item["doc"],
        map(&[("x", n("1.0")), ("l", Av::L(vec![n("2.50"), n("+1e3")])), ("ns", Av::Ns(vec!["0.10".into()]))])
    );
    // Comparisons and arithmetic are by value: "1.0" equals 1, and SET of a
    // nested number keeps the text of the value while arithmetic answers canonically.
    let updated = client
        .update_item()
        .table_name("text")
        .key("pk", s("a"))
        .condition_expression("doc.x = :one AND top = :one")
        .update_expression("SET doc.y = :v, doc.z = doc.x + :one, top2 = :v")
        .expression_attribute_values(":one", n("1"))
        .expression_attribute_values(":v", n("5.00"))
        .return_values(aws_sdk_dynamodb::types::ReturnValue::UpdatedNew)
        .send()
        .await
        .unwrap();
    let attributes = updated.attributes().unwrap();
    assert_eq!(attributes["top2"], n("5"));
    let doc = attributes["doc"].as_m().unwrap();
    assert_eq!((&doc["x"], &doc["y"], &doc["z"]), (&n("1.0"), &n("5.00"), &n("2")));
    assert_eq!(get().await["doc"].as_m().unwrap()["y"], n("5.00"));
    // A top-level number keeps only its value: copied into a map it reads back canonical.
    client
        .update_item()
        .table_name("text")
        .key("pk", s("a"))
        .update_expression("SET doc.fromtop = top, doc.numbers = #set")
        .expression_attribute_names("#set", "set")
        .send()
        .await
        .unwrap();
    let doc = get().await["doc"].as_m().unwrap().clone();
    assert_eq!(doc["fromtop"], n("1"));
    let mut set = doc["numbers"].as_ns().unwrap().clone();
    set.sort();
    assert_eq!(set, ["1000", "2.5"]);
}

/// DynamoDB creates a missing item on UpdateItem, except when the update only
/// removes attributes (REMOVE, DELETE from a set, AttributeUpdates DELETE):
/// then nothing is written (scylladb/scylladb#5862, asserted against DynamoDB;
/// DynamoDB Local creates it: conformance/differences/known.json).
#[tokio::test]
async fn an_update_that_only_removes_does_not_create_a_missing_item() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "things", "pk", None).await;
    let update = |pk: &str, expression: &str| {
        client.update_item().table_name("things").key("pk", s(pk)).update_expression(expression.to_string())
    };
    let removed = update("a", "REMOVE x").return_values(ReturnValue::AllNew).send().await.unwrap();
    assert!(removed.attributes().is_none());
    update("b", "DELETE tags :t").expression_attribute_values(":t", Av::Ss(vec!["x".into()])).send().await.unwrap();
    let legacy = aws_sdk_dynamodb::types::AttributeValueUpdate::builder()
        .action(aws_sdk_dynamodb::types::AttributeAction::Delete)
        .build();
    client.update_item().table_name("things").key("pk", s("c")).attribute_updates("x", legacy).send().await.unwrap();
    // Anything that writes creates it, a removal beside it included.
    update("d", "SET y = :one REMOVE x").expression_attribute_values(":one", n("1")).send().await.unwrap();
    let scan = client.scan().table_name("things").send().await.unwrap();
    let keys: Vec<&str> = scan.items().iter().map(|i| i["pk"].as_s().unwrap().as_str()).collect();
    assert_eq!(keys, ["d"]);
}
