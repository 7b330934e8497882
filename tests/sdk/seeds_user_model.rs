//! Customer scenario: the starter kit's single-table user model
//! (shared/seeds/001): email lookup on GSI1, creation-time queries on GSI2,
//! the prefix-filtered Scan of all users.

use sdk_tests::apps::starter_kit_users::{User, UserModel};

fn user(i: usize, created_at: &str) -> User {
    User {
        id: format!("u{i}"),
        email: format!("user{i}@example.com"),
        name: format!("User {i}"),
        created_at: created_at.into(),
    }
}

#[tokio::test]
async fn email_lookup_time_range_and_prefix_scan() {
    let db = harness::start().await;
    let client = db.client();
    UserModel::create_table(&client, "aws-starter-kit-table").await;
    let users = UserModel::new(client.clone(), "aws-starter-kit-table");
    let days = [
        "2023-12-31T10:00:00Z",
        "2024-01-01T00:00:00Z",
        "2024-01-02T08:30:00Z",
        "2024-02-10T12:00:00Z",
        "2024-03-01T00:00:00Z",
    ];
    for (i, day) in days.iter().enumerate() {
        users.create(&user(i, day)).await.unwrap();
    }
    // Another entity type in the same table is not a user.
    client
        .put_item()
        .table_name("aws-starter-kit-table")
        .item("id", aws_sdk_dynamodb::types::AttributeValue::S("PRODUCT#p1".into()))
        .send()
        .await
        .unwrap();

    let found = users.get_by_email("user3@example.com").await.unwrap().unwrap();
    assert_eq!(found, user(3, days[3]));
    assert!(users.get_by_email("nobody@example.com").await.unwrap().is_none());

    let after: Vec<String> =
        users.get_users_created_after("2024-01-01T00:00:00Z").await.unwrap().into_iter().map(|u| u.id).collect();
    assert_eq!(after, ["u2", "u3", "u4"], "strictly after, oldest first, across pages");

    let mut all: Vec<String> = users.get_all().await.unwrap().into_iter().map(|u| u.id).collect();
    all.sort();
    assert_eq!(all, ["u0", "u1", "u2", "u3", "u4"]);

    assert_eq!(users.get_by_id("USER#u1").await.unwrap().unwrap().email, "user1@example.com");
    users.delete("u3").await.unwrap();
    assert!(users.get_by_email("user3@example.com").await.unwrap().is_none(), "deleted users leave GSI1");
    assert_eq!(users.get_users_created_after("2024-01-01T00:00:00Z").await.unwrap().len(), 2);
}

/// The same model, multi-tenant, on multi-attribute GSI keys: an email is
/// looked up within its tenant (two tenants may share it), and creation-time
/// queries stay inside one tenant, ordered by (createdAt, id) across pages.
#[tokio::test]
async fn tenant_scoped_lookups_on_multi_attribute_index_keys() {
    use sdk_tests::apps::tenant_users::{TenantUser, TenantUserModel};
    let db = harness::start().await;
    let client = db.client();
    TenantUserModel::create_table(&client, "tenant-users").await;
    let users = TenantUserModel::new(client.clone(), "tenant-users");
    let user = |tenant: &str, id: &str, email: &str, created_at: &str| TenantUser {
        tenant_id: tenant.into(),
        id: id.into(),
        email: email.into(),
        created_at: created_at.into(),
    };
    let all = [
        user("acme", "u1", "ana@example.com", "2024-01-01T00:00:00Z"),
        user("acme", "u2", "bo@example.com", "2024-01-02T00:00:00Z"),
        user("acme", "u3", "cy@example.com", "2024-01-02T00:00:00Z"),
        user("acme", "u4", "di@example.com", "2024-02-01T00:00:00Z"),
        user("initech", "u5", "ana@example.com", "2024-01-03T00:00:00Z"),
    ];
    for u in &all {
        users.create(u).await.unwrap();
    }
    assert!(users.create(&all[0]).await.is_err(), "ids are unique");

    assert_eq!(users.get_by_email("acme", "ana@example.com").await.unwrap(), Some(all[0].clone()));
    assert_eq!(users.get_by_email("initech", "ana@example.com").await.unwrap(), Some(all[4].clone()));
    assert_eq!(users.get_by_email("initech", "bo@example.com").await.unwrap(), None);

    let after: Vec<String> =
        users.created_after("acme", "2024-01-01T00:00:00Z").await.unwrap().into_iter().map(|u| u.id).collect();
    assert_eq!(after, ["u2", "u3", "u4"], "same createdAt ordered by id, other tenants left out");
}
