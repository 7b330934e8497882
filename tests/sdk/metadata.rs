//! Tagging, Time to Live and backup settings, endpoints and limits.

use crate::error_of;
use aws_sdk_dynamodb::types::{PointInTimeRecoverySpecification, Tag, TimeToLiveSpecification, TimeToLiveStatus};
use sdk_tests::create_table;

fn tag(k: &str, v: &str) -> Tag {
    Tag::builder().key(k).value(v).build().unwrap()
}

#[tokio::test]
async fn tags_are_added_listed_and_removed() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "tagged", "pk", None).await;
    let arn = "arn:aws:dynamodb:us-east-1:000000000000:table/tagged";
    client.tag_resource().resource_arn(arn).tags(tag("team", "tickets")).tags(tag("env", "test")).send().await.unwrap();
    client.tag_resource().resource_arn(arn).tags(tag("env", "ci")).send().await.unwrap();
    let listed = client.list_tags_of_resource().resource_arn(arn).send().await.unwrap();
    let pairs: Vec<(&str, &str)> = listed.tags().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(pairs, [("team", "tickets"), ("env", "ci")]);
    client.untag_resource().resource_arn(arn).tag_keys("team").send().await.unwrap();
    let listed = client.list_tags_of_resource().resource_arn(arn).send().await.unwrap();
    assert_eq!(listed.tags().len(), 1);
    let missing = "arn:aws:dynamodb:us-east-1:000000000000:table/missing";
    let (code, message) = error_of(client.list_tags_of_resource().resource_arn(missing).send().await);
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(message, format!("Requested resource not found: ResourcArn: {missing} not found"));
}

/// What DynamoDB takes as a tag, from scylladb `test/alternator/test_tag.py` (run against
/// DynamoDB): keys of 1 to 128 characters and values of up to 256, counted in characters;
/// letters of any script, digits, white space and `_ . : / = + - @`; an empty value; at most 50
/// tags on a table, whether added by TagResource or given to CreateTable (ValidationException).
#[tokio::test]
async fn tags_follow_dynamodbs_restrictions() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "tagged", "pk", None).await;
    let arn = "arn:aws:dynamodb:us-east-1:000000000000:table/tagged";
    let tag_with = |tags: Vec<Tag>| client.tag_resource().resource_arn(arn).set_tags(Some(tags)).send();
    for accepted in
        [tag("א".repeat(128).as_str(), "dog"), tag("k", &"ѮѮ".repeat(128)), tag(" ", ""), tag("a+b-c=d.e_f:g/h@i", "9")]
    {
        tag_with(vec![accepted.clone()]).await.unwrap_or_else(|e| panic!("{accepted:?}: {e:?}"));
    }
    let listed = client.list_tags_of_resource().resource_arn(arn).send().await.unwrap();
    assert_eq!(listed.tags().len(), 4);

    let (code, message) = error_of(tag_with(vec![tag("", "dog")]).await);
    assert_eq!(code, "ValidationException");
    assert_eq!(message, "1 validation error detected: Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1");
    let long_key = "x".repeat(129);
    let (_, message) = error_of(tag_with(vec![tag("ok", "1"), tag(&long_key, "dog")]).await);
    assert_eq!(message, format!("1 validation error detected: Value '{long_key}' at 'tags.2.member.key' failed to satisfy constraint: Member must have length less than or equal to 128"));
    let (_, message) = error_of(tag_with(vec![tag("dog", &"x".repeat(257))]).await);
    assert!(
        message.ends_with(
            "at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256"
        ),
        "{message}"
    );
    for forbidden in ["hi!", "d%g", "\"hello\"", "<><"] {
        for tags in [vec![tag(forbidden, "dog")], vec![tag("dog", forbidden)]] {
            let (code, _) = error_of(tag_with(tags).await);
            assert_eq!(code, "ValidationException", "{forbidden}");
        }
    }
    // 4 + 40 tags fit; 7 more do not, and none of them is added.
    tag_with((0..40).map(|i| tag(&i.to_string(), "v")).collect()).await.unwrap();
    let (code, _) = error_of(tag_with((40..47).map(|i| tag(&i.to_string(), "v")).collect()).await);
    assert_eq!(code, "ValidationException");
    let listed = client.list_tags_of_resource().resource_arn(arn).send().await.unwrap();
    assert_eq!(listed.tags().len(), 44);

    // CreateTable with 100 tags is refused, and no table is made.
    let too_many = (0..100).map(|i| tag(&i.to_string(), "v")).collect();
    let created = client
        .create_table()
        .table_name("overtagged")
        .billing_mode(aws_sdk_dynamodb::types::BillingMode::PayPerRequest)
        .key_schema(crate::indexes::key("pk", aws_sdk_dynamodb::types::KeyType::Hash))
        .attribute_definitions(crate::indexes::def("pk", aws_sdk_dynamodb::types::ScalarAttributeType::S))
        .set_tags(Some(too_many))
        .send()
        .await;
    assert_eq!(error_of(created).0, "ValidationException");
    let (code, _) = error_of(client.describe_table().table_name("overtagged").send().await);
    assert_eq!(code, "ResourceNotFoundException");
}

#[tokio::test]
async fn time_to_live_settings() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "sessions", "pk", None).await;
    let described = client.describe_time_to_live().table_name("sessions").send().await.unwrap();
    assert_eq!(described.time_to_live_description().unwrap().time_to_live_status(), Some(&TimeToLiveStatus::Disabled));
    let spec =
        |enabled| TimeToLiveSpecification::builder().enabled(enabled).attribute_name("expiresAt").build().unwrap();
    let updated = client
        .update_time_to_live()
        .table_name("sessions")
        .time_to_live_specification(spec(true))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.time_to_live_specification().unwrap().attribute_name(), "expiresAt");
    let described = client.describe_time_to_live().table_name("sessions").send().await.unwrap();
    let description = described.time_to_live_description().unwrap();
    assert_eq!(description.time_to_live_status(), Some(&TimeToLiveStatus::Enabled));
    assert_eq!(description.attribute_name(), Some("expiresAt"));
    let again = client.update_time_to_live().table_name("sessions").time_to_live_specification(spec(true)).send().await;
    assert_eq!(error_of(again), ("ValidationException".into(), "TimeToLive is already enabled".into()));
}

#[tokio::test]
async fn continuous_backups_endpoints_and_limits() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "ledger", "pk", None).await;
    let spec = PointInTimeRecoverySpecification::builder().point_in_time_recovery_enabled(true).build().unwrap();
    client
        .update_continuous_backups()
        .table_name("ledger")
        .point_in_time_recovery_specification(spec)
        .send()
        .await
        .unwrap();
    let backups = client.describe_continuous_backups().table_name("ledger").send().await.unwrap();
    let pitr = backups.continuous_backups_description().unwrap().point_in_time_recovery_description().unwrap();
    assert_eq!(pitr.point_in_time_recovery_status().map(|s| s.as_str()), Some("ENABLED"));
    let endpoints = client.describe_endpoints().send().await.unwrap();
    assert_eq!(endpoints.endpoints()[0].address(), "dynamodb.us-east-1.amazonaws.com");
    let limits = client.describe_limits().send().await.unwrap();
    assert_eq!(limits.table_max_read_capacity_units(), Some(40_000));
}
