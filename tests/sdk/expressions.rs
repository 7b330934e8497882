//! Expressions through the SDK: conditions on writes, projections,
//! update expressions, and the legacy parameters.

use crate::error_of;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue as Av, ReturnValue, ReturnValuesOnConditionCheckFailure, ScalarAttributeType,
};
use sdk_tests::create_table;
use std::collections::HashMap;

fn s(v: &str) -> Av {
    Av::S(v.to_string())
}

fn n(v: &str) -> Av {
    Av::N(v.to_string())
}

/// The "user with this email already exists" guard of the user-aggregate
/// application: a put that only succeeds when no item has that key yet.
#[tokio::test]
async fn attribute_not_exists_guards_unique_email() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "emails", "email", None).await;
    let register = |user: &'static str| {
        client
            .put_item()
            .table_name("emails")
            .item("email", s("ann@example.com"))
            .item("userId", s(user))
            .condition_expression("attribute_not_exists(email)")
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
    };
    register("u1").await.unwrap();
    let err = register("u2").await.expect_err("the email is taken");
    let service = err.into_service_error();
    let PutItemError::ConditionalCheckFailedException(e) = service else { panic!("wrong error: {service:?}") };
    assert_eq!(e.message(), Some("The conditional request failed"));
    // ALL_OLD hands back the item that made the condition fail.
    assert_eq!(e.item().and_then(|i| i.get("userId")), Some(&s("u1")));
    let owner = client.get_item().table_name("emails").key("email", s("ann@example.com")).send().await.unwrap();
    assert_eq!(owner.item().unwrap().get("userId"), Some(&s("u1")), "the failed put wrote nothing");
}

#[tokio::test]
async fn conditional_delete_and_validation_errors() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "docs", "pk", None).await;
    client.put_item().table_name("docs").item("pk", s("a")).item("state", s("draft")).send().await.unwrap();
    let delete = |state: &'static str| {
        client
            .delete_item()
            .table_name("docs")
            .key("pk", s("a"))
            .condition_expression("#s = :s")
            .expression_attribute_names("#s", "state")
            .expression_attribute_values(":s", s(state))
            .send()
    };
    let (code, message) = error_of(delete("published").await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("ConditionalCheckFailedException", "The conditional request failed")
    );
    // Without ALL_OLD the error carries no item.
    let err = delete("published").await.unwrap_err().into_service_error();
    let DeleteItemError::ConditionalCheckFailedException(e) = err else { panic!("wrong error: {err:?}") };
    assert!(e.item().is_none());
    delete("draft").await.unwrap();
    let gone = client.get_item().table_name("docs").key("pk", s("a")).send().await.unwrap();
    assert!(gone.item().is_none());

    let bad = client
        .put_item()
        .table_name("docs")
        .item("pk", s("b"))
        .condition_expression("state = :s")
        .expression_attribute_values(":s", s("x"))
        .send()
        .await;
    assert_eq!(
        error_of(bad),
        (
            "ValidationException".into(),
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: state".into()
        )
    );
    let unused = client
        .put_item()
        .table_name("docs")
        .item("pk", s("b"))
        .condition_expression("attribute_not_exists(pk)")
        .expression_attribute_values(":unused", s("x"))
        .send()
        .await;
    assert_eq!(
        error_of(unused).1,
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}"
    );
    let syntax = client.put_item().table_name("docs").item("pk", s("b")).condition_expression("pk = = :x").send().await;
    assert_eq!(error_of(syntax).1, "Invalid ConditionExpression: Syntax error; token: \"=\", near: \"= = :x\"");
    let none = client.get_item().table_name("docs").key("pk", s("b")).send().await.unwrap();
    assert!(none.item().is_none(), "rejected requests write nothing");
}

#[tokio::test]
async fn projections_on_get_item() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "things", "pk", Some(("sk", ScalarAttributeType::N))).await;
    client
        .put_item()
        .table_name("things")
        .item("pk", s("a"))
        .item("sk", n("1"))
        .item("name", s("widget"))
        .item("tags", Av::L(vec![s("red"), s("green"), s("blue")]))
        .item("dims", Av::M(HashMap::from([("w".to_string(), n("2")), ("h".to_string(), n("3"))])))
        .send()
        .await
        .unwrap();
    let got = client
        .get_item()
        .table_name("things")
        .key("pk", s("a"))
        .key("sk", n("1"))
        .projection_expression("#n, tags[2], tags[0], dims.h")
        .expression_attribute_names("#n", "name")
        .send()
        .await
        .unwrap();
    let item = got.item().unwrap();
    assert_eq!(item.len(), 3);
    assert_eq!(item["name"], s("widget"));
    assert_eq!(item["tags"], Av::L(vec![s("red"), s("blue")]));
    assert_eq!(item["dims"], Av::M(HashMap::from([("h".to_string(), n("3"))])));

    let legacy = client
        .get_item()
        .table_name("things")
        .key("pk", s("a"))
        .key("sk", n("1"))
        .attributes_to_get("sk")
        .attributes_to_get("name")
        .send()
        .await
        .unwrap();
    assert_eq!(legacy.item().unwrap().keys().count(), 2);

    let mixed = client
        .get_item()
        .table_name("things")
        .key("pk", s("a"))
        .key("sk", n("1"))
        .attributes_to_get("sk")
        .projection_expression("pk")
        .send()
        .await;
    assert_eq!(
        error_of(mixed).1,
        "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"
    );
}

/// Optimistic locking with a version attribute, as the user-aggregate
/// application plans it: each writer updates only if the version it read
/// is still current, and bumps it.
#[tokio::test]
async fn optimistic_locking_with_a_version_attribute() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "users", "id", None).await;
    client
        .put_item()
        .table_name("users")
        .item("id", s("u1"))
        .item("name", s("Ann"))
        .item("version", n("1"))
        .send()
        .await
        .unwrap();
    let save = |name: &'static str, read_version: &'static str| {
        client
            .update_item()
            .table_name("users")
            .key("id", s("u1"))
            .update_expression("SET #name = :name, #v = #v + :one")
            .condition_expression("#v = :expected")
            .expression_attribute_names("#name", "name")
            .expression_attribute_names("#v", "version")
            .expression_attribute_values(":name", s(name))
            .expression_attribute_values(":one", n("1"))
            .expression_attribute_values(":expected", n(read_version))
            .return_values(ReturnValue::AllNew)
            .send()
    };
    // Two writers read version 1; the first wins, the second is refused.
    let first = save("Anna", "1").await.unwrap();
    assert_eq!(first.attributes().unwrap()["version"], n("2"));
    let (code, _) = error_of(save("Annie", "1").await);
    assert_eq!(code, "ConditionalCheckFailedException");
    let stored = client.get_item().table_name("users").key("id", s("u1")).send().await.unwrap();
    assert_eq!(stored.item().unwrap()["name"], s("Anna"));
    // The loser re-reads and retries with the current version.
    save("Annie", "2").await.unwrap();

    // The failed update can hand back the current item.
    let err = client
        .update_item()
        .table_name("users")
        .key("id", s("u1"))
        .update_expression("SET #v = :one")
        .condition_expression("#v = :one")
        .expression_attribute_names("#v", "version")
        .expression_attribute_values(":one", n("1"))
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let UpdateItemError::ConditionalCheckFailedException(e) = err else { panic!("wrong error: {err:?}") };
    assert_eq!(e.item().unwrap()["version"], n("3"));
}

#[tokio::test]
async fn counters_lists_maps_and_sets() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "stats", "pk", None).await;
    let update = |expr: &'static str, values: Vec<(&'static str, Av)>| {
        let mut req = client
            .update_item()
            .table_name("stats")
            .key("pk", s("p"))
            .update_expression(expr)
            .return_values(ReturnValue::AllNew);
        for (k, v) in values {
            req = req.expression_attribute_values(k, v);
        }
        req.send()
    };
    // ADD on a missing item creates it with the counter.
    for _ in 0..3 {
        update("ADD hits :one", vec![(":one", n("1"))]).await.unwrap();
    }
    let out = update("SET seen = if_not_exists(seen, :zero) + :inc", vec![(":zero", n("0")), (":inc", n("0.5"))])
        .await
        .unwrap();
    let attrs = out.attributes().unwrap();
    assert_eq!((attrs["hits"].clone(), attrs["seen"].clone()), (n("3"), n("0.5")));

    update(
        "SET events = list_append(if_not_exists(events, :empty), :e)",
        vec![(":empty", Av::L(vec![])), (":e", Av::L(vec![s("a"), s("b")]))],
    )
    .await
    .unwrap();
    update("SET events = list_append(:e, events)", vec![(":e", Av::L(vec![s("first")]))]).await.unwrap();
    let out = update("SET events[1] = :x REMOVE events[2]", vec![(":x", s("A"))]).await.unwrap();
    assert_eq!(out.attributes().unwrap()["events"], Av::L(vec![s("first"), s("A")]));

    update("SET profile = :p", vec![(":p", Av::M(HashMap::from([("city".to_string(), s("Oslo"))])))]).await.unwrap();
    let out = update("SET profile.zip = :z REMOVE profile.city", vec![(":z", s("0150"))]).await.unwrap();
    assert_eq!(out.attributes().unwrap()["profile"], Av::M(HashMap::from([("zip".to_string(), s("0150"))])));
    let (_, message) = error_of(update("SET nothing.here = :z", vec![(":z", s("x"))]).await);
    assert_eq!(message, "The document path provided in the update expression is invalid for update");

    update("ADD tags :t", vec![(":t", Av::Ss(vec!["x".into(), "y".into()]))]).await.unwrap();
    let out = update("ADD tags :t", vec![(":t", Av::Ss(vec!["y".into(), "z".into()]))]).await.unwrap();
    let Av::Ss(mut tags) = out.attributes().unwrap()["tags"].clone() else { panic!("a string set") };
    tags.sort();
    assert_eq!(tags, vec!["x", "y", "z"]);
    let out = update("DELETE tags :t", vec![(":t", Av::Ss(vec!["x".into(), "y".into(), "z".into()]))]).await.unwrap();
    assert!(!out.attributes().unwrap().contains_key("tags"), "an emptied set is removed");

    let (_, message) = error_of(update("ADD hits :s", vec![(":s", s("1"))]).await);
    assert_eq!(message, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND");
    let (_, message) = error_of(update("SET pk = :s", vec![(":s", s("q"))]).await);
    assert_eq!(
        message,
        "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"
    );
}

#[tokio::test]
async fn update_item_return_values() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "retvals", "pk", None).await;
    client
        .put_item()
        .table_name("retvals")
        .item("pk", s("k"))
        .item("a", n("1"))
        .item("b", n("2"))
        .send()
        .await
        .unwrap();
    let update = |rv: ReturnValue| {
        client
            .update_item()
            .table_name("retvals")
            .key("pk", s("k"))
            .update_expression("SET a = a + :one, c = :one")
            .expression_attribute_values(":one", n("1"))
            .return_values(rv)
            .send()
    };
    let none = update(ReturnValue::None).await.unwrap();
    assert!(none.attributes().is_none());
    let old = update(ReturnValue::UpdatedOld).await.unwrap();
    assert_eq!(old.attributes().unwrap(), &HashMap::from([("a".to_string(), n("2")), ("c".to_string(), n("1"))]));
    let new = update(ReturnValue::UpdatedNew).await.unwrap();
    assert_eq!(new.attributes().unwrap(), &HashMap::from([("a".to_string(), n("4")), ("c".to_string(), n("1"))]));
    let all_old = update(ReturnValue::AllOld).await.unwrap();
    assert_eq!(all_old.attributes().unwrap()["a"], n("4"));
    assert_eq!(all_old.attributes().unwrap().len(), 4);
    let all_new = update(ReturnValue::AllNew).await.unwrap();
    assert_eq!(all_new.attributes().unwrap()["a"], n("6"));

    // UpdateItem without any update creates the item from its key.
    let created = client
        .update_item()
        .table_name("retvals")
        .key("pk", s("fresh"))
        .return_values(ReturnValue::AllNew)
        .send()
        .await
        .unwrap();
    assert_eq!(created.attributes().unwrap(), &HashMap::from([("pk".to_string(), s("fresh"))]));
}

/// The pre-expression parameters older mappers send: Expected with
/// ConditionalOperator, AttributeUpdates, and mixing rules.
#[tokio::test]
async fn legacy_expected_and_attribute_updates() {
    use aws_sdk_dynamodb::types::{
        AttributeAction, AttributeValueUpdate, ComparisonOperator, ConditionalOperator, ExpectedAttributeValue,
    };
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "legacy", "pk", None).await;
    let put = |expected: Vec<(&'static str, ExpectedAttributeValue)>, op: Option<ConditionalOperator>| {
        let mut req =
            client.put_item().table_name("legacy").item("pk", s("k")).item("n", n("5")).item("tag", s("blue"));
        for (name, e) in expected {
            req = req.expected(name, e);
        }
        req.set_conditional_operator(op).send()
    };
    let absent = ExpectedAttributeValue::builder().exists(false).build();
    put(vec![("pk", absent.clone())], None).await.unwrap();
    let (code, _) = error_of(put(vec![("pk", absent.clone())], None).await);
    assert_eq!(code, "ConditionalCheckFailedException");
    let between = ExpectedAttributeValue::builder()
        .comparison_operator(ComparisonOperator::Between)
        .attribute_value_list(n("1"))
        .attribute_value_list(n("9"))
        .build();
    put(vec![("n", between.clone())], None).await.unwrap();
    // Either condition may hold with OR.
    put(vec![("n", between), ("pk", absent.clone())], Some(ConditionalOperator::Or)).await.unwrap();
    let equals_red = ExpectedAttributeValue::builder().value(s("red")).build();
    let (code, _) = error_of(put(vec![("tag", equals_red), ("pk", absent)], Some(ConditionalOperator::Or)).await);
    assert_eq!(code, "ConditionalCheckFailedException");
    let bad = ExpectedAttributeValue::builder().exists(true).build();
    assert_eq!(
        error_of(put(vec![("tag", bad)], None).await).1,
        "One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: tag"
    );
    // A Value beside Exists false is refused before its number is read
    // (dynalite's validateAttributeConditions; DynamoDB Local alike).
    let value_when_absent = ExpectedAttributeValue::builder().exists(false).value(n(" 1")).build();
    assert_eq!(
        error_of(put(vec![("n", value_when_absent)], None).await).1,
        "One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: n"
    );

    let update = |name: &'static str, action: AttributeAction, value: Option<Av>| {
        client
            .update_item()
            .table_name("legacy")
            .key("pk", s("k"))
            .attribute_updates(name, AttributeValueUpdate::builder().action(action).set_value(value).build())
            .return_values(ReturnValue::AllNew)
            .send()
    };
    let out = update("n", AttributeAction::Add, Some(n("2"))).await.unwrap();
    assert_eq!(out.attributes().unwrap()["n"], n("7"));
    let out = update("log", AttributeAction::Add, Some(Av::L(vec![s("a")]))).await.unwrap();
    assert_eq!(out.attributes().unwrap()["log"], Av::L(vec![s("a")]));
    let out = update("tag", AttributeAction::Delete, None).await.unwrap();
    assert!(!out.attributes().unwrap().contains_key("tag"));
    let out = update("tag", AttributeAction::Put, Some(s("green"))).await.unwrap();
    assert_eq!(out.attributes().unwrap()["tag"], s("green"));
    assert_eq!(
        error_of(update("tag", AttributeAction::Add, Some(s("x"))).await).1,
        "One or more parameter values were invalid: ADD action is not supported for the type S"
    );
    assert_eq!(
        error_of(update("n", AttributeAction::Add, Some(Av::Ns(vec!["1".into()]))).await).1,
        "Type mismatch for attribute to update"
    );
    let mixed = client
        .update_item()
        .table_name("legacy")
        .key("pk", s("k"))
        .update_expression("REMOVE tag")
        .attribute_updates("n", AttributeValueUpdate::builder().action(AttributeAction::Delete).build())
        .send()
        .await;
    assert_eq!(
        error_of(mixed).1,
        "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributeUpdates} Expression parameters: {UpdateExpression}"
    );
}

#[tokio::test]
async fn invalid_expression_values_name_their_key() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "vals", "pk", None).await;
    let result = client
        .update_item()
        .table_name("vals")
        .key("pk", s("a"))
        .update_expression("SET n = :v")
        .expression_attribute_values(":v", Av::Ss(vec![]))
        .send()
        .await;
    assert_eq!(
        error_of(result).1,
        "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: An string set  may not be empty for key :v"
    );
}

/// Legacy `Expected` in DynamoDB Local's order: the conditions' values before
/// a ConditionalOperator without two of them, and (UpdateItem) before
/// `AttributeUpdates`; CONTAINS / NOT_CONTAINS take any scalar, so a NULL
/// value is evaluated (and fails on a missing item) rather than refused.
#[tokio::test]
async fn legacy_expected_values_before_a_lone_conditional_operator() {
    use aws_sdk_dynamodb::types::{
        AttributeAction, AttributeValueUpdate, ComparisonOperator, ConditionalOperator, ExpectedAttributeValue,
    };
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "order", "pk", None).await;
    let expected = |op: ComparisonOperator, values: Vec<Av>| {
        ExpectedAttributeValue::builder().comparison_operator(op).set_attribute_value_list(Some(values)).build()
    };
    let delete = |e: ExpectedAttributeValue, or: bool| {
        let request = client.delete_item().table_name("order").key("pk", s("gone")).expected("a", e);
        let request = if or { request.conditional_operator(ConditionalOperator::Or) } else { request };
        request.send()
    };
    let lone = "ConditionalOperator can only be used when Filter or Expected has two or more elements";
    assert_eq!(error_of(delete(expected(ComparisonOperator::NotNull, vec![]), true).await).1, lone);
    assert_eq!(
        error_of(delete(expected(ComparisonOperator::Null, vec![s("x")]), true).await).1,
        "One or more parameter values were invalid: Invalid number of argument(s) for the NULL ComparisonOperator"
    );
    assert_eq!(
        error_of(delete(expected(ComparisonOperator::In, vec![s("x"), n("1")]), true).await).1,
        "One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type"
    );
    assert_eq!(
        error_of(delete(expected(ComparisonOperator::NotContains, vec![Av::Null(true)]), false).await).0,
        "ConditionalCheckFailedException"
    );
    assert_eq!(
        error_of(delete(expected(ComparisonOperator::Contains, vec![Av::L(vec![])]), false).await).1,
        "One or more parameter values were invalid: ComparisonOperator CONTAINS is not valid for L AttributeValue type"
    );
    let update = client
        .update_item()
        .table_name("order")
        .key("pk", s("k"))
        .expected("a", expected(ComparisonOperator::NotNull, vec![]))
        .conditional_operator(ConditionalOperator::Or)
        .attribute_updates("b", AttributeValueUpdate::builder().action(AttributeAction::Add).value(s("x")).build())
        .send()
        .await;
    // UpdateItem checks AttributeUpdates before Expected (dynalite's updateItem.js, asserted against
    // DynamoDB; DynamoDB Local checks Expected first: known difference update-item-check-order).
    assert_eq!(
        error_of(update).1,
        "One or more parameter values were invalid: ADD action is not supported for the type S"
    );
}
