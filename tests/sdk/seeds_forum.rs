//! Customer scenario: the forum's posts by thread and by user (shared/seeds/004).

use sdk_tests::apps::forum::{Post, PostsAdapter};
use sdk_tests::apps::forum_migration::ForumTables;

fn post(id: usize, thread: &str, user: &str, minute: usize) -> Post {
    Post {
        post_id: format!("post-{id}"),
        thread_id: thread.into(),
        user_id: user.into(),
        title: format!("Post {id}"),
        created_at: format!("2024-06-01T10:{minute:02}:00.000Z"),
    }
}

#[tokio::test]
async fn posts_of_a_thread_and_of_a_user_in_time_order() {
    let db = harness::start().await;
    let tables = ForumTables::named("forum-");
    tables.create(&db.client()).await;
    let posts = PostsAdapter::new(db.client(), &tables.posts);
    // Written out of time order; two posts share a timestamp.
    let minutes = [7, 2, 9, 2, 5, 0, 8, 3];
    for (i, minute) in minutes.iter().enumerate() {
        let thread = if i % 2 == 0 { "thread-a" } else { "thread-b" };
        let user = if i < 4 { "alice" } else { "bob" };
        posts.put(&post(i, thread, user, *minute)).await.unwrap();
    }
    let times = |list: &[Post]| list.iter().map(|p| p.created_at[14..16].to_string()).collect::<Vec<_>>();

    let oldest_first = posts.posts_of_thread("thread-a", false).await.unwrap();
    assert_eq!(times(&oldest_first), ["05", "07", "08", "09"]);
    assert!(oldest_first.iter().all(|p| p.thread_id == "thread-a"));
    let newest_first = posts.posts_of_thread("thread-b", true).await.unwrap();
    assert_eq!(times(&newest_first), ["03", "02", "02", "00"]);

    let alice = posts.posts_of_user("alice", false).await.unwrap();
    assert_eq!(times(&alice), ["02", "02", "07", "09"]);
    let bob = posts.posts_of_user("bob", true).await.unwrap();
    assert_eq!(bob.iter().map(|p| p.post_id.as_str()).collect::<Vec<_>>(), ["post-6", "post-4", "post-7", "post-5"]);

    let since = posts.thread_posts_since("thread-a", "2024-06-01T10:08:00.000Z").await.unwrap();
    assert_eq!(times(&since), ["08", "09"]);
    assert!(posts.posts_of_thread("thread-z", false).await.unwrap().is_empty());
}
