//! The forum microservices' posts adapter (shared/seeds/004) on the Posts
//! table of [`crate::apps::forum_migration::ForumTables`]: keyed by `postId` +
//! `threadId`, read through `ThreadIndex` (threadId, createdAt) and
//! `UserIndex` (userId, createdAt), newest or oldest first.

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    pub post_id: String,
    pub thread_id: String,
    pub user_id: String,
    pub title: String,
    pub created_at: String,
}

pub struct PostsAdapter {
    client: Client,
    table: String,
}

impl PostsAdapter {
    pub fn new(client: Client, table: &str) -> PostsAdapter {
        PostsAdapter { client, table: table.to_string() }
    }

    pub async fn put(&self, post: &Post) -> Result<(), aws_sdk_dynamodb::Error> {
        self.client.put_item().table_name(&self.table).set_item(Some(to_item(post))).send().await?;
        Ok(())
    }

    /// A post under the retention policy ("Enable TTL: auto-delete old
    /// data"): its `expiresAt` (epoch seconds, the table's TTL attribute)
    /// says when DynamoDB may delete it.
    pub async fn put_expiring(&self, post: &Post, expires_at: i64) -> Result<(), aws_sdk_dynamodb::Error> {
        let mut item = to_item(post);
        item.insert(EXPIRES_AT.to_string(), AttributeValue::N(expires_at.to_string()));
        self.client.put_item().table_name(&self.table).set_item(Some(item)).send().await?;
        Ok(())
    }

    /// Keeps a post longer (a pinned or reported post): moves its expiry.
    pub async fn extend_retention(
        &self,
        post_id: &str,
        thread_id: &str,
        expires_at: i64,
    ) -> Result<(), aws_sdk_dynamodb::Error> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("postId", AttributeValue::S(post_id.to_string()))
            .key("threadId", AttributeValue::S(thread_id.to_string()))
            .update_expression("SET #expiresAt = :at")
            .condition_expression("attribute_exists(postId)")
            .expression_attribute_names("#expiresAt", EXPIRES_AT)
            .expression_attribute_values(":at", AttributeValue::N(expires_at.to_string()))
            .send()
            .await?;
        Ok(())
    }

    /// A moderator deleting a post.
    pub async fn delete(&self, post_id: &str, thread_id: &str) -> Result<(), aws_sdk_dynamodb::Error> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("postId", AttributeValue::S(post_id.to_string()))
            .key("threadId", AttributeValue::S(thread_id.to_string()))
            .send()
            .await?;
        Ok(())
    }

    /// `queryByIndex`: every item of an index partition, ordered by `createdAt`.
    pub async fn query_by_index(
        &self,
        index: &str,
        key: &str,
        value: &str,
        newest_first: bool,
        page_size: Option<i32>,
    ) -> Result<Vec<Post>, aws_sdk_dynamodb::Error> {
        let mut posts = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(index)
                .key_condition_expression("#key = :value")
                .expression_attribute_names("#key", key)
                .expression_attribute_values(":value", AttributeValue::S(value.to_string()))
                .scan_index_forward(!newest_first)
                .set_limit(page_size)
                .set_exclusive_start_key(start)
                .send()
                .await?;
            posts.extend(page.items().iter().map(from_item));
            start = page.last_evaluated_key().cloned();
            if start.is_none() {
                return Ok(posts);
            }
        }
    }

    pub async fn posts_of_thread(
        &self,
        thread_id: &str,
        newest_first: bool,
    ) -> Result<Vec<Post>, aws_sdk_dynamodb::Error> {
        self.query_by_index("ThreadIndex", "threadId", thread_id, newest_first, Some(3)).await
    }

    pub async fn posts_of_user(&self, user_id: &str, newest_first: bool) -> Result<Vec<Post>, aws_sdk_dynamodb::Error> {
        self.query_by_index("UserIndex", "userId", user_id, newest_first, None).await
    }

    /// Posts of a thread since a time (a sort-key range on the index).
    pub async fn thread_posts_since(&self, thread_id: &str, since: &str) -> Result<Vec<Post>, aws_sdk_dynamodb::Error> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("ThreadIndex")
            .key_condition_expression("threadId = :t AND createdAt >= :since")
            .expression_attribute_values(":t", AttributeValue::S(thread_id.to_string()))
            .expression_attribute_values(":since", AttributeValue::S(since.to_string()))
            .projection_expression("postId, threadId, userId, title, createdAt")
            .send()
            .await?;
        Ok(out.items().iter().map(from_item).collect())
    }
}

/// The Posts table's Time to Live attribute (epoch seconds).
pub const EXPIRES_AT: &str = "expiresAt";

fn to_item(post: &Post) -> HashMap<String, AttributeValue> {
    let s = |v: &str| AttributeValue::S(v.to_string());
    HashMap::from([
        ("postId".to_string(), s(&post.post_id)),
        ("threadId".to_string(), s(&post.thread_id)),
        ("userId".to_string(), s(&post.user_id)),
        ("title".to_string(), s(&post.title)),
        ("content".to_string(), s("...")),
        ("createdAt".to_string(), s(&post.created_at)),
    ])
}

fn from_item(item: &HashMap<String, AttributeValue>) -> Post {
    let s = |k: &str| item.get(k).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
    Post {
        post_id: s("postId"),
        thread_id: s("threadId"),
        user_id: s("userId"),
        title: s("title"),
        created_at: s("createdAt"),
    }
}
