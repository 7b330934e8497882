//! Customer scenario: the forum (shared/seeds/004) turns on Time to Live for
//! its Posts table ("Enable TTL: auto-delete old data"): posts under the
//! retention policy carry `expiresAt` (epoch seconds). The seed's Terraform
//! enables Global Tables, which replicate through the table's stream with
//! both images, so the Posts table has a `NEW_AND_OLD_IMAGES` stream; TTL
//! deletions show in it as REMOVE records authored by the DynamoDB service.

use aws_sdk_dynamodb::types::{
    AttributeValue as Av, StreamSpecification, StreamViewType, TimeToLiveSpecification, TimeToLiveStatus,
};
use aws_sdk_dynamodbstreams::types::{AttributeValue as Sv, OperationType, Record};
use sdk_tests::apps::forum::{Post, PostsAdapter, EXPIRES_AT};
use sdk_tests::apps::forum_migration::ForumTables;
use sdk_tests::stream_records;
use std::collections::BTreeSet;
use std::time::Duration;

const HOUR: i64 = 3600;

fn post(id: usize, thread: &str, user: &str) -> Post {
    Post {
        post_id: format!("post-{id}"),
        thread_id: thread.into(),
        user_id: user.into(),
        title: format!("Post {id}"),
        created_at: format!("2024-06-01T10:{id:02}:00.000Z"),
    }
}

/// The Posts table's infrastructure: the Global Tables stream and TTL on `expiresAt`.
async fn forum_with_expiring_posts(db: &harness::Emulator) -> (ForumTables, String) {
    let client = db.client();
    let tables = ForumTables::named("forum-microservices-");
    tables.create(&client).await;
    let updated = client
        .update_table()
        .table_name(&tables.posts)
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::NewAndOldImages)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("enable the Posts stream");
    let stream_arn = updated.table_description().unwrap().latest_stream_arn().unwrap().to_string();
    client
        .update_time_to_live()
        .table_name(&tables.posts)
        .time_to_live_specification(
            TimeToLiveSpecification::builder().attribute_name(EXPIRES_AT).enabled(true).build().unwrap(),
        )
        .send()
        .await
        .expect("enable TTL");
    let ttl = client.describe_time_to_live().table_name(&tables.posts).send().await.unwrap();
    let ttl = ttl.time_to_live_description().unwrap();
    assert_eq!(ttl.attribute_name(), Some(EXPIRES_AT));
    assert_eq!(ttl.time_to_live_status(), Some(&TimeToLiveStatus::Enabled));
    (tables, stream_arn)
}

fn ids(posts: &[Post]) -> Vec<&str> {
    posts.iter().map(|p| p.post_id.as_str()).collect()
}

async fn all_post_ids(client: &aws_sdk_dynamodb::Client, table: &str) -> BTreeSet<String> {
    let scan = client.scan().table_name(table).consistent_read(true).send().await.unwrap();
    scan.items().iter().map(|item| item["postId"].as_s().unwrap().clone()).collect()
}

/// The table's and each index's item counts, as DescribeTable reports them.
async fn counts(client: &aws_sdk_dynamodb::Client, table: &str) -> (i64, i64, i64) {
    let described = client.describe_table().table_name(table).send().await.unwrap();
    let table = described.table().unwrap();
    let index = |name: &str| {
        table.global_secondary_indexes().iter().find(|i| i.index_name() == Some(name)).unwrap().item_count().unwrap()
    };
    (table.item_count().unwrap(), index("ThreadIndex"), index("UserIndex"))
}

fn post_id_of(record: &Record) -> String {
    match &record.dynamodb().unwrap().keys().unwrap()["postId"] {
        Sv::S(id) => id.clone(),
        other => panic!("postId {other:?}"),
    }
}

/// A record with a `userIdentity`: only Time to Live deletions have one.
/// (The identity's `Type` and `PrincipalId` are checked on the harness's
/// records: the emulator writes them as `type` and `principalId`, the Lambda
/// event's spelling, which the Streams SDK does not read.)
fn by_ttl(record: &Record) -> bool {
    record.user_identity().is_some()
}

#[tokio::test]
async fn expired_posts_leave_the_table_and_its_indexes_and_the_stream_names_the_service() {
    if harness::skip_on_remote("the emulator's clock") {
        return;
    }
    let db = harness::start().await;
    let client = db.client();
    let (tables, stream_arn) = forum_with_expiring_posts(&db).await;
    let posts = PostsAdapter::new(client.clone(), &tables.posts);
    let now = db.clock().now_millis() / 1000;

    posts.put_expiring(&post(0, "thread-a", "alice"), now + HOUR).await.unwrap();
    posts.put_expiring(&post(1, "thread-a", "bob"), now + HOUR).await.unwrap();
    posts.put_expiring(&post(2, "thread-b", "alice"), now + 3 * HOUR).await.unwrap();
    posts.put_expiring(&post(3, "thread-a", "alice"), now + 30 * 24 * HOUR).await.unwrap();
    posts.put(&post(4, "thread-b", "bob")).await.unwrap(); // an announcement: no expiry
    posts.put_expiring(&post(5, "thread-b", "bob"), now + HOUR).await.unwrap();
    posts.extend_retention("post-5", "thread-b", now + 30 * 24 * HOUR).await.unwrap(); // pinned: kept longer
    posts.put_expiring(&post(6, "thread-a", "bob"), now + HOUR).await.unwrap();
    posts.delete("post-6", "thread-a").await.unwrap(); // a moderator's delete
                                                       // Milliseconds by mistake: a date tens of thousands of years away, never reached.
    posts.put_expiring(&post(7, "thread-b", "alice"), (now + HOUR) * 1000).await.unwrap();

    assert_eq!(db.expire_now(), 0, "nothing has expired yet");
    assert_eq!(counts(&client, &tables.posts).await, (7, 7, 7));

    // An hour and a half later: the posts of the first hour are swept at the next call.
    db.clock().advance(Duration::from_secs(90 * 60));
    assert_eq!(ids(&posts.posts_of_thread("thread-a", false).await.unwrap()), ["post-3"]);
    assert_eq!(ids(&posts.posts_of_thread("thread-b", false).await.unwrap()), ["post-2", "post-4", "post-5", "post-7"]);
    assert_eq!(ids(&posts.posts_of_user("bob", false).await.unwrap()), ["post-4", "post-5"]);
    assert_eq!(ids(&posts.posts_of_user("alice", false).await.unwrap()), ["post-2", "post-3", "post-7"]);
    let got = client
        .get_item()
        .table_name(&tables.posts)
        .key("postId", Av::S("post-0".into()))
        .key("threadId", Av::S("thread-a".into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    assert!(got.item().is_none(), "post-0 expired");
    assert_eq!(counts(&client, &tables.posts).await, (5, 5, 5));

    // Two more hours: the three-hour post goes too; the rest stay.
    db.clock().advance(Duration::from_secs(2 * 3600));
    let left = all_post_ids(&client, &tables.posts).await;
    assert_eq!(left, ["post-3", "post-4", "post-5", "post-7"].map(String::from).into());
    assert_eq!(ids(&posts.posts_of_user("alice", true).await.unwrap()), ["post-7", "post-3"]);
    assert_eq!(counts(&client, &tables.posts).await, (4, 4, 4));
    assert_eq!(db.expire_now(), 0, "nothing else is due");

    // The stream: a REMOVE by the service for each expired post and only
    // for them; the moderator's delete is the application's own.
    let streams = aws_sdk_dynamodbstreams::Client::new(&db.sdk_config());
    let records = stream_records(&streams, &stream_arn).await;
    let mut expired: Vec<String> = records.iter().filter(|r| by_ttl(r)).map(post_id_of).collect();
    expired.sort();
    assert_eq!(expired, ["post-0", "post-1", "post-2"]);
    for record in records.iter().filter(|r| by_ttl(r)) {
        assert_eq!(record.event_name(), Some(&OperationType::Remove));
        let change = record.dynamodb().unwrap();
        assert!(change.new_image().is_none());
        let old = change.old_image().expect("the expired post, as it was");
        assert!(matches!(&old[EXPIRES_AT], Sv::N(_)));
        assert!(matches!(&old["title"], Sv::S(title) if *title == format!("Post {}", &post_id_of(record)[5..])));
    }
    let mut removes: Vec<(String, bool)> = records
        .iter()
        .filter(|r| r.event_name() == Some(&OperationType::Remove))
        .map(|r| (post_id_of(r), by_ttl(r)))
        .collect();
    // In commit order: the moderator's delete, the first sweep (two posts, in
    // no particular order), the second sweep.
    removes[1..3].sort();
    assert_eq!(
        removes,
        [("post-6".into(), false), ("post-0".into(), true), ("post-1".into(), true), ("post-2".into(), true)]
    );
    // Every other record (8 INSERT, 1 MODIFY, the moderator's REMOVE) names no identity.
    assert_eq!(records.len(), 13);
    // The same records as a Lambda trigger receives them: the service's identity, exactly.
    let service = serde_json::json!({"type": "Service", "principalId": "dynamodb.amazonaws.com"});
    let mut by_service: Vec<String> = db
        .stream_records(&tables.posts)
        .iter()
        .filter(|r| r.get("userIdentity").is_some())
        .map(|r| {
            assert_eq!((&r["eventName"], &r["userIdentity"]), (&serde_json::json!("REMOVE"), &service));
            r["dynamodb"]["Keys"]["postId"]["S"].as_str().unwrap().to_string()
        })
        .collect();
    by_service.sort();
    assert_eq!(by_service, ["post-0", "post-1", "post-2"]);
}

#[tokio::test]
async fn a_ttl_sweep_is_seen_by_a_stream_trigger_filtering_on_the_service_identity() {
    if harness::skip_on_remote("the emulator's clock") {
        return;
    }
    // The archiving Lambda's filter: only TTL deletions
    // (`userIdentity.type = Service`, `principalId = dynamodb.amazonaws.com`).
    let db = harness::start().await;
    let client = db.client();
    let (tables, _) = forum_with_expiring_posts(&db).await;
    let posts = PostsAdapter::new(client.clone(), &tables.posts);
    let now = db.clock().now_millis() / 1000;
    let mut trigger = db.stream_consumer(&tables.posts, harness::StartingPosition::Latest, 10);
    for i in 0..6 {
        posts
            .put_expiring(&post(i, "thread-a", "alice"), now + if i % 2 == 0 { HOUR } else { 48 * HOUR })
            .await
            .unwrap();
    }
    posts.delete("post-1", "thread-a").await.unwrap();
    db.clock().advance(Duration::from_secs(2 * 3600));
    assert_eq!(all_post_ids(&client, &tables.posts).await, ["post-3", "post-5"].map(String::from).into());

    let mut archived = Vec::new();
    let delivered = trigger
        .deliver(|batch| {
            for record in batch {
                if record["userIdentity"]
                    == serde_json::json!({"type": "Service", "principalId": "dynamodb.amazonaws.com"})
                {
                    assert_eq!(record["eventName"], "REMOVE");
                    archived.push(record["dynamodb"]["OldImage"]["postId"]["S"].as_str().unwrap().to_string());
                }
            }
            async { Ok::<(), ()>(()) }
        })
        .await
        .unwrap();
    assert_eq!(delivered, 6 + 1 + 3, "6 INSERT, the moderator's REMOVE and 3 TTL REMOVE records");
    archived.sort();
    assert_eq!(archived, ["post-0", "post-2", "post-4"]);
}
