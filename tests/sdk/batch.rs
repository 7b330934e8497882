//! BatchGetItem and BatchWriteItem: limits, whole-batch validation,
//! projections, consumed capacity, and the seeds' batch patterns.

use crate::error_of;
use aws_sdk_dynamodb::types::{
    AttributeValue as Av, DeleteRequest, KeysAndAttributes, PutRequest, ReturnConsumedCapacity, ScalarAttributeType,
    WriteRequest,
};
use aws_sdk_dynamodb::Client;
use sdk_tests::apps::forum_migration::{count_present, migrate, ForumTables};
use sdk_tests::apps::starter_kit_users::{User, UserModel};
use sdk_tests::create_table;
use serde_json::json;
use std::collections::HashMap;

fn s(v: &str) -> Av {
    Av::S(v.to_string())
}

fn key(pk: &str) -> HashMap<String, Av> {
    HashMap::from([("pk".to_string(), s(pk))])
}

fn put(item: HashMap<String, Av>) -> WriteRequest {
    WriteRequest::builder().put_request(PutRequest::builder().set_item(Some(item)).build().unwrap()).build()
}

fn delete(key: HashMap<String, Av>) -> WriteRequest {
    WriteRequest::builder().delete_request(DeleteRequest::builder().set_key(Some(key)).build().unwrap()).build()
}

fn keys(keys: Vec<HashMap<String, Av>>) -> KeysAndAttributes {
    KeysAndAttributes::builder().set_keys(Some(keys)).build().unwrap()
}

async fn item_exists(client: &Client, table: &str, pk: &str) -> bool {
    client.get_item().table_name(table).key("pk", s(pk)).send().await.unwrap().item().is_some()
}

#[tokio::test]
async fn batch_write_puts_and_deletes_across_tables_then_batch_get_reads_them() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "batch-a", "pk", None).await;
    create_table(&client, "batch-b", "pk", None).await;
    client.put_item().table_name("batch-b").item("pk", s("old")).send().await.unwrap();

    let out = client
        .batch_write_item()
        .request_items(
            "batch-a",
            vec![put(HashMap::from([("pk".into(), s("a1")), ("v".into(), s("x"))])), put(key("a2"))],
        )
        .request_items("batch-b", vec![put(key("b1")), delete(key("old"))])
        .send()
        .await
        .unwrap();
    // UnprocessedItems is always present, empty when everything was written.
    assert!(out.unprocessed_items().unwrap().is_empty());
    assert!(item_exists(&client, "batch-b", "b1").await);
    assert!(!item_exists(&client, "batch-b", "old").await);

    let got = client
        .batch_get_item()
        .request_items("batch-a", keys(vec![key("a1"), key("a2"), key("missing")]))
        .request_items("batch-b", keys(vec![key("b1")]))
        .send()
        .await
        .unwrap();
    let responses = got.responses().unwrap();
    let mut a: Vec<_> = responses["batch-a"].iter().map(|i| i["pk"].as_s().unwrap().clone()).collect();
    a.sort();
    assert_eq!(a, ["a1", "a2"]);
    assert_eq!(responses["batch-b"].len(), 1);
    assert!(got.unprocessed_keys().unwrap().is_empty());
}

#[tokio::test]
async fn batch_get_projects_per_table_with_attributes_to_get() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "proj", "pk", None).await;
    client.put_item().table_name("proj").item("pk", s("p")).item("a", s("1")).item("b", s("2")).send().await.unwrap();
    let got = client
        .batch_get_item()
        .request_items(
            "proj",
            KeysAndAttributes::builder().keys(key("p")).attributes_to_get("a").consistent_read(true).build().unwrap(),
        )
        .send()
        .await
        .unwrap();
    let item = &got.responses().unwrap()["proj"][0];
    assert_eq!(item.len(), 1);
    assert_eq!(item["a"], s("1"));
    // An empty list breaks the model's minimum of one name: refused, not read as "everything".
    let empty = client
        .batch_get_item()
        .request_items(
            "proj",
            KeysAndAttributes::builder().keys(key("p")).set_attributes_to_get(Some(vec![])).build().unwrap(),
        )
        .send()
        .await;
    assert_eq!(
        error_of(empty),
        (
            "ValidationException".to_string(),
            "1 validation error detected: Value at 'RequestItems.proj.member.AttributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1".to_string()
        )
    );
}

#[tokio::test]
async fn batch_limits_and_duplicates_are_rejected_with_dynamodbs_messages() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "limits", "pk", None).await;

    let too_many: Vec<_> = (0..101).map(|i| key(&format!("k{i}"))).collect();
    let err = error_of(client.batch_get_item().request_items("limits", keys(too_many)).send().await);
    assert_eq!(
        err,
        (
            "ValidationException".into(),
            "1 validation error detected: Value at 'RequestItems.limits.member.Keys' failed to satisfy constraint: \
             Member must have length less than or equal to 100"
                .into()
        )
    );
    // Over 100 keys across tables.
    create_table(&client, "limits2", "pk", None).await;
    let a: Vec<_> = (0..60).map(|i| key(&format!("k{i}"))).collect();
    let err = error_of(
        client.batch_get_item().request_items("limits", keys(a.clone())).request_items("limits2", keys(a)).send().await,
    );
    assert_eq!(err.1, "Too many items requested for the BatchGetItem call");

    let dup = error_of(client.batch_get_item().request_items("limits", keys(vec![key("a"), key("a")])).send().await);
    assert_eq!(dup.1, "Provided list of item keys contains duplicates");

    let empty = error_of(client.batch_get_item().request_items("limits", keys(vec![])).send().await);
    assert_eq!(
        empty.1,
        "1 validation error detected: Value at 'RequestItems.limits.member.Keys' failed to satisfy constraint: \
         Member must have length greater than or equal to 1"
    );

    let writes: Vec<_> = (0..26).map(|i| put(key(&format!("k{i}")))).collect();
    let err = error_of(client.batch_write_item().request_items("limits", writes).send().await);
    assert_eq!(
        err.1,
        "1 validation error detected: Value at 'RequestItems.limits.member' failed to satisfy constraint: \
         Member must have length less than or equal to 25"
    );
    let a: Vec<_> = (0..13).map(|i| put(key(&format!("k{i}")))).collect();
    let err =
        error_of(client.batch_write_item().request_items("limits", a.clone()).request_items("limits2", a).send().await);
    assert_eq!(err.1, "Too many items requested for the BatchWriteItem call");
    let bad_name = error_of(client.batch_get_item().request_items("bad!name", keys(vec![key("a")])).send().await);
    assert_eq!(
        bad_name.1,
        "1 validation error detected: Value '{\"bad!name\":{\"Keys\":[{\"pk\":{\"S\":\"a\"}}]}}' at 'requestItems' \
         failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal \
         to 255, Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: \
         [a-zA-Z0-9_.-]+]"
    );

    let dup =
        error_of(client.batch_write_item().request_items("limits", vec![put(key("a")), delete(key("a"))]).send().await);
    assert_eq!(dup.1, "Provided list of item keys contains duplicates");

    let empty = error_of(client.batch_write_item().request_items("limits", vec![]).send().await);
    assert_eq!(
        empty.1,
        "1 validation error detected: Value '{limits=[]}' at 'requestItems' failed to satisfy constraint: Map value \
         must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater \
         than or equal to 1]"
    );

    let missing = error_of(client.batch_get_item().request_items("nope-table", keys(vec![key("a")])).send().await);
    assert_eq!(missing, ("ResourceNotFoundException".into(), "Requested resource not found".into()));
}

#[tokio::test]
async fn an_invalid_request_anywhere_fails_the_whole_batch_and_writes_nothing() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "first", "pk", None).await;
    create_table(&client, "second", "pk", Some(("sk", ScalarAttributeType::N))).await;

    // A bad key in the second table's requests.
    let bad = HashMap::from([("pk".to_string(), s("x"))]);
    let err = error_of(
        client
            .batch_write_item()
            .request_items("first", vec![put(key("good"))])
            .request_items("second", vec![put(bad)])
            .send()
            .await,
    );
    assert_eq!(err.1, "The provided key element does not match the schema");
    assert!(!item_exists(&client, "first", "good").await);

    // A missing table.
    let err = error_of(
        client
            .batch_write_item()
            .request_items("first", vec![put(key("good"))])
            .request_items("no-such-table", vec![put(key("x"))])
            .send()
            .await,
    );
    assert_eq!(err.0, "ResourceNotFoundException");
    assert!(!item_exists(&client, "first", "good").await);

    // An item over 400 KB.
    let big = HashMap::from([("pk".to_string(), s("big")), ("blob".to_string(), s(&"x".repeat(410 * 1024)))]);
    let err = error_of(client.batch_write_item().request_items("first", vec![put(key("good")), put(big)]).send().await);
    assert_eq!(err.1, "Item size has exceeded the maximum allowed size");
    assert!(!item_exists(&client, "first", "good").await);
}

#[tokio::test]
async fn large_batch_get_responses_are_cut_at_16_mb_into_unprocessed_keys() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "large", "pk", None).await;
    // 60 items of ~350 KB: about 21 MB, more than one response may carry.
    let payload = "x".repeat(350 * 1024);
    for chunk in (0..60).collect::<Vec<_>>().chunks(25) {
        let writes = chunk
            .iter()
            .map(|i| put(HashMap::from([("pk".to_string(), s(&format!("k{i}"))), ("p".to_string(), s(&payload))])))
            .collect();
        client.batch_write_item().request_items("large", writes).send().await.unwrap();
    }
    let all: Vec<_> = (0..60).map(|i| key(&format!("k{i}"))).collect();
    let first = client
        .batch_get_item()
        .request_items("large", keys(all))
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await
        .unwrap();
    let got = first.responses().unwrap()["large"].len();
    let rest = first.unprocessed_keys().unwrap()["large"].keys().to_vec();
    assert!(got > 0 && got < 60, "got {got}");
    assert_eq!(got + rest.len(), 60);
    // The rest can be fetched with the unprocessed keys as given.
    let second = client.batch_get_item().request_items("large", keys(rest)).send().await.unwrap();
    assert_eq!(got + second.responses().unwrap()["large"].len(), 60);
    // Eventually consistent reads of ~350 KB items (88 units of 4 KB), halved, per item returned.
    let units = first.consumed_capacity()[0].capacity_units().unwrap();
    assert_eq!(units, got as f64 * 44.0);
}

#[tokio::test]
async fn batch_consumed_capacity_counts_items_and_index_writes() {
    let db = harness::start().await;
    let client = db.client();
    UserModel::create_table(&client, "cap-users").await;
    let item = |id: &str| {
        HashMap::from([
            ("id".to_string(), s(id)),
            ("pk1".to_string(), s("USER")),
            ("sk1".to_string(), s(&format!("EMAIL#{id}"))),
            ("blob".to_string(), s(&"y".repeat(1500))),
        ])
    };
    let out = client
        .batch_write_item()
        .request_items("cap-users", vec![put(item("u1")), put(item("u2"))])
        .return_consumed_capacity(ReturnConsumedCapacity::Indexes)
        .send()
        .await
        .unwrap();
    let c = &out.consumed_capacity()[0];
    assert_eq!(c.table_name(), Some("cap-users"));
    // Each ~1.5 KB item: 2 write units on the table and 2 on GSI1 (not in GSI2: no pk2).
    assert_eq!(c.table().unwrap().capacity_units(), Some(4.0));
    assert_eq!(c.global_secondary_indexes().unwrap()["GSI1"].capacity_units(), Some(4.0));
    assert!(!c.global_secondary_indexes().unwrap().contains_key("GSI2"));
    assert_eq!(c.capacity_units(), Some(8.0));

    let read = client
        .batch_get_item()
        .request_items(
            "cap-users",
            KeysAndAttributes::builder()
                .keys(HashMap::from([("id".to_string(), s("u1"))]))
                .keys(HashMap::from([("id".to_string(), s("nobody"))]))
                .consistent_read(true)
                .build()
                .unwrap(),
        )
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await
        .unwrap();
    // A strongly consistent read costs one unit per item up to 4 KB, missing items included.
    assert_eq!(read.consumed_capacity()[0].capacity_units(), Some(2.0));
}

#[tokio::test]
async fn starter_kit_batch_delete_users_in_chunks_of_25() {
    let db = harness::start().await;
    let client = db.client();
    UserModel::create_table(&client, "aws-starter-kit-table").await;
    let model = UserModel::new(client.clone(), "aws-starter-kit-table");
    let ids: Vec<String> = (0..60).map(|i| format!("user-{i:03}")).collect();
    for (i, id) in ids.iter().enumerate() {
        let user = User {
            id: id.clone(),
            email: format!("{id}@example.com"),
            name: format!("User {i}"),
            created_at: format!("2024-01-01T00:00:{:02}Z", i % 60),
        };
        model.create(&user).await.unwrap();
    }
    // 60 ids: chunks of 25, 25 and 10, some with the prefix already applied.
    let mut to_delete: Vec<String> = ids[..50].to_vec();
    to_delete[3] = format!("USER#{}", to_delete[3]);
    let result = model.batch_delete(&to_delete).await;
    assert_eq!(result.success.len(), 50);
    assert!(result.failed.is_empty());
    assert!(!model.exists(&ids[3]).await.unwrap());
    assert!(!model.exists(&ids[49]).await.unwrap());
    assert!(model.exists(&ids[50]).await.unwrap());

    // A chunk naming the same user twice is rejected as a whole and reported as failed.
    let mut again: Vec<String> = ids[50..].to_vec();
    again.push(ids[50].clone());
    let result = model.batch_delete(&again).await;
    assert_eq!(result.success.len(), 0);
    assert_eq!(result.failed.len(), 11);
    assert!(model.exists(&ids[55]).await.unwrap(), "a rejected batch deletes nothing");
}

#[tokio::test]
async fn forum_migration_batch_writes_users_threads_posts_and_verifies_counts() {
    let db = harness::start().await;
    let client = db.client();
    let tables = ForumTables::named("forum-microservices-");
    tables.create(&client).await;
    let users: Vec<_> = (0..40)
        .map(|i| json!({"userId": format!("{i}"), "name": format!("user {i}"), "email": format!("u{i}@example.com"), "createdAt": "2024-11-23T10:00:00Z"}))
        .collect();
    let threads: Vec<_> = (0..12)
        .map(|i| json!({"threadId": format!("t{i}"), "title": format!("thread {i}"), "description": "d", "createdAt": format!("2024-11-{:02}T10:00:00Z", i + 1)}))
        .collect();
    let posts: Vec<_> = (0..130)
        .map(|i| json!({"postId": format!("p{i}"), "threadId": format!("t{}", i % 12), "userId": format!("{}", i % 40), "title": "re", "content": "hello", "createdAt": format!("2024-11-23T10:{:02}:00Z", i % 60), "likes": i}))
        .collect();
    assert_eq!(migrate(&client, &tables.users, &users).await.unwrap(), 40);
    assert_eq!(migrate(&client, &tables.threads, &threads).await.unwrap(), 12);
    assert_eq!(migrate(&client, &tables.posts, &posts).await.unwrap(), 130);

    let user_keys: Vec<_> = (0..40).map(|i| HashMap::from([("userId".to_string(), s(&i.to_string()))])).collect();
    let thread_keys: Vec<_> = (0..12).map(|i| HashMap::from([("threadId".to_string(), s(&format!("t{i}")))])).collect();
    let post_keys: Vec<_> = (0..130)
        .map(|i| {
            HashMap::from([
                ("postId".to_string(), s(&format!("p{i}"))),
                ("threadId".to_string(), s(&format!("t{}", i % 12))),
            ])
        })
        .collect();
    assert_eq!(count_present(&client, &tables.users, &user_keys).await.unwrap(), 40);
    assert_eq!(count_present(&client, &tables.threads, &thread_keys).await.unwrap(), 12);
    assert_eq!(count_present(&client, &tables.posts, &post_keys).await.unwrap(), 130);
    let post = client.get_item().table_name(&tables.posts).set_key(Some(post_keys[77].clone())).send().await.unwrap();
    assert_eq!(post.item().unwrap()["likes"], Av::N("77".into()));
}
