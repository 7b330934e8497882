//! Expressions through the SDK: conditions on writes, projections,
//! update expressions, and the legacy parameters.

use crate::error_of;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{AttributeValue as Av, ReturnValuesOnConditionCheckFailure, ScalarAttributeType};
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
