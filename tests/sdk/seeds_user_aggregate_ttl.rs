//! Customer scenario: the user aggregate's refresh tokens expire
//! (shared/seeds/002). Each issued token is an item of the `Users` table
//! found through `RefreshTokenIndex`, with Time to Live on `ExpiresAt`:
//! once swept, an expired token is gone from the table and the index, and
//! the users and their email reservations stay.

use aws_sdk_dynamodb::types::AttributeValue as Av;
use sdk_tests::apps::user_aggregate::{User, UserRepository};
use sdk_tests::apps::user_refresh_tokens::RefreshTokenStore;
use std::time::Duration;

const HOUR: i64 = 3600;

fn user(id: &str, email: &str, token: Option<&str>) -> User {
    User {
        id: id.into(),
        email: email.into(),
        first_name: "Grace".into(),
        last_name: "Hopper".into(),
        refresh_token: token.map(str::to_string),
    }
}

/// How many items `RefreshTokenIndex` holds for a token, expired or not (no filter).
async fn in_index(client: &aws_sdk_dynamodb::Client, token: &str) -> i32 {
    let out = client
        .query()
        .table_name("Users")
        .index_name("RefreshTokenIndex")
        .key_condition_expression("RefreshTokenIndex = :t")
        .expression_attribute_values(":t", Av::S(token.into()))
        .send()
        .await
        .unwrap();
    out.count()
}

async fn token_item_exists(client: &aws_sdk_dynamodb::Client, token: &str) -> bool {
    let out = client
        .get_item()
        .table_name("Users")
        .key("Id", Av::S(RefreshTokenStore::token_item_id(token)))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    out.item().is_some()
}

async fn setup(db: &harness::Emulator) -> (UserRepository, RefreshTokenStore) {
    let client = db.client();
    UserRepository::create_table(&client, "Users").await;
    RefreshTokenStore::enable_expiry(&client, "Users").await.unwrap();
    let mut users = UserRepository::new(client.clone(), "Users");
    users.add(&user("u-1", "grace@example.com", None));
    users.add(&user("u-2", "ada@example.com", None));
    users.commit().await.unwrap();
    (users, RefreshTokenStore::new(client, "Users"))
}

#[tokio::test]
async fn an_expired_refresh_token_is_no_longer_found_through_the_index_after_the_sweep() {
    if harness::skip_on_remote("the emulator's clock") {
        return;
    }
    let db = harness::start().await;
    let client = db.client();
    let (users, tokens) = setup(&db).await;
    // A user whose token lives on the user item (no expiry): TTL leaves it alone.
    users.save(&user("u-3", "hedy@example.com", Some("tok-session"))).await.unwrap();
    let now = db.clock().now_millis() / 1000;
    tokens.issue("u-1", "tok-short", now + 15 * 60).await.unwrap();
    tokens.issue("u-1", "tok-long", now + 7 * 24 * HOUR).await.unwrap();
    tokens.issue("u-2", "tok-ada", now + HOUR).await.unwrap();
    tokens.issue("u-2", "tok-logged-out", now + 7 * 24 * HOUR).await.unwrap();
    tokens.revoke("tok-logged-out").await.unwrap();
    for (token, owner) in [("tok-short", Some("u-1")), ("tok-long", Some("u-1")), ("tok-ada", Some("u-2"))] {
        assert_eq!(tokens.user_id_for(token, now).await.unwrap().as_deref(), owner, "{token}");
        assert_eq!(in_index(&client, token).await, 1, "{token}");
    }
    assert_eq!(tokens.user_id_for("tok-logged-out", now).await.unwrap(), None);

    // Half an hour later the short-lived token has expired and been swept.
    db.clock().advance(Duration::from_secs(30 * 60));
    let now = db.clock().now_millis() / 1000;
    assert_eq!(in_index(&client, "tok-short").await, 0, "swept from RefreshTokenIndex");
    assert!(!token_item_exists(&client, "tok-short").await);
    assert_eq!(tokens.user_id_for("tok-short", now).await.unwrap(), None);
    assert_eq!(tokens.user_id_for("tok-long", now).await.unwrap().as_deref(), Some("u-1"));
    assert_eq!(tokens.user_id_for("tok-ada", now).await.unwrap().as_deref(), Some("u-2"));
    // The token's owner is untouched.
    assert_eq!(users.get_by_email_async("grace@example.com").await.unwrap().map(|u| u.id).as_deref(), Some("u-1"));

    // Another hour: Ada's token goes as well.
    db.clock().advance(Duration::from_secs(HOUR as u64));
    let now = db.clock().now_millis() / 1000;
    assert_eq!(in_index(&client, "tok-ada").await, 0);
    assert!(!token_item_exists(&client, "tok-ada").await);
    assert_eq!(tokens.user_id_for("tok-ada", now).await.unwrap(), None);
    assert_eq!(in_index(&client, "tok-long").await, 1);
    assert_eq!(users.get_by_refresh_token_async("tok-session").await.unwrap().map(|u| u.id).as_deref(), Some("u-3"));

    // Left: three users, two email reservations, one token; the index holds
    // the long-lived token and u-3's own.
    for id in ["u-1", "u-2", "u-3"] {
        assert!(users.get_by_id(id).await.is_some(), "{id}");
    }
    for email in ["grace@example.com", "ada@example.com"] {
        assert!(users.get_by_id(&UserRepository::email_reservation_id(email)).await.is_some(), "{email}");
    }
    let described = client.describe_table().table_name("Users").send().await.unwrap();
    let table = described.table().unwrap();
    assert_eq!(table.item_count(), Some(6));
    let index = table.global_secondary_indexes().iter().find(|i| i.index_name() == Some("RefreshTokenIndex"));
    assert_eq!(index.and_then(|i| i.item_count()), Some(2));
}

#[tokio::test]
async fn a_token_past_its_expiry_is_refused_before_the_sweep_and_gone_after_it() {
    if harness::skip_on_remote("the emulator's clock") {
        return;
    }
    // DynamoDB deletes expired items some time after they expire: until
    // then the index still finds them, and the lookup's filter refuses them.
    let db = harness::start().await;
    let client = db.client();
    let (users, tokens) = setup(&db).await;
    let now = db.clock().now_millis() / 1000;
    tokens.issue("u-1", "tok-stale", now - 60).await.unwrap();
    tokens.issue("u-1", "tok-fresh", now + HOUR).await.unwrap();
    assert_eq!(in_index(&client, "tok-stale").await, 1, "expired but not yet swept");
    assert_eq!(tokens.user_id_for("tok-stale", now).await.unwrap(), None, "refused by the lookup");

    assert_eq!(db.expire_now(), 1);
    assert_eq!(in_index(&client, "tok-stale").await, 0);
    assert!(!token_item_exists(&client, "tok-stale").await);
    assert_eq!(tokens.user_id_for("tok-fresh", now).await.unwrap().as_deref(), Some("u-1"));
    assert!(users.get_by_id("u-1").await.is_some());
    // A token cannot be issued twice, even while its expired copy waits for the sweep.
    tokens.issue("u-2", "tok-twice", now - 60).await.unwrap();
    assert!(tokens.issue("u-2", "tok-twice", now + HOUR).await.is_err());
    assert_eq!(db.expire_now(), 1);
    tokens.issue("u-2", "tok-twice", now + HOUR).await.unwrap();
    assert_eq!(tokens.user_id_for("tok-twice", now).await.unwrap().as_deref(), Some("u-2"));
}
