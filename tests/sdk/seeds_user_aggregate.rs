//! Customer scenario: the user aggregate's repository (shared/seeds/002):
//! `GetByEmailAsync` and `GetByRefreshTokenAsync` on sparse GSIs.

use sdk_tests::apps::user_aggregate::{User, UserRepository};

fn user(id: &str, email: &str, token: Option<&str>) -> User {
    User {
        id: id.into(),
        email: email.into(),
        first_name: "Grace".into(),
        last_name: "Hopper".into(),
        refresh_token: token.map(str::to_string),
    }
}

#[tokio::test]
async fn users_by_email_and_by_refresh_token() {
    let db = harness::start().await;
    UserRepository::create_table(&db.client(), "Users").await;
    let repo = UserRepository::new(db.client(), "Users");
    repo.save(&user("1", "Grace@Example.com", Some("tok-1"))).await.unwrap();
    repo.save(&user("2", "ada@example.com", None)).await.unwrap();

    assert_eq!(repo.get_by_email_async("grace@example.com").await.unwrap().unwrap().id, "1");
    assert_eq!(repo.get_by_email_async("ADA@example.com").await.unwrap().unwrap().id, "2");
    assert_eq!(repo.get_by_refresh_token_async("tok-1").await.unwrap().unwrap().id, "1");
    assert!(repo.get_by_refresh_token_async("tok-2").await.unwrap().is_none());

    // Rotating the token: the old one no longer finds the user.
    repo.save(&user("1", "Grace@Example.com", Some("tok-3"))).await.unwrap();
    assert!(repo.get_by_refresh_token_async("tok-1").await.unwrap().is_none());
    assert_eq!(
        repo.get_by_refresh_token_async("tok-3").await.unwrap().unwrap(),
        user("1", "Grace@Example.com", Some("tok-3"))
    );
    // Logging out removes the token, and the user from the sparse index.
    repo.save(&user("1", "Grace@Example.com", None)).await.unwrap();
    assert!(repo.get_by_refresh_token_async("tok-3").await.unwrap().is_none());
    assert_eq!(repo.get_by_email_async("grace@example.com").await.unwrap().unwrap().refresh_token, None);
}
