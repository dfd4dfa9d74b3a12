//! Forum topics and posts. They are read across schools, so every query selects of an
//! author exactly the name and the school's name, nothing else of the account.

use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, on};

/// A topic as a list or its page shows it (times µs UTC).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicLine {
    pub id: Uuid,
    pub forum: String,
    pub title: String,
    pub author_name: String,
    pub school_name: String,
    pub locked: bool,
    pub hidden: bool,
    pub created_at: i64,
    pub last_post_at: i64,
    /// Posts others can see (hidden ones not counted).
    pub posts: i64,
}

/// A post as a topic page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostLine {
    pub id: Uuid,
    pub author_name: String,
    pub school_name: String,
    pub body: String,
    pub hidden: bool,
    pub created_at: i64,
}

/// Who wrote something: the school and the login (kept, never shown).
#[derive(Clone, Copy, Debug)]
pub struct Author {
    pub instance: InstanceId,
    pub user: UserId,
}

/// The author's name and school, joined; a removed login shows as empty.
macro_rules! who {
    ($t:literal) => {
        concat!(
            "COALESCE(u.first_name || ' ' || u.last_name, ''), COALESCE(i.name, '') ",
            "FROM ",
            $t,
            " LEFT JOIN users u ON u.instance_id = x.instance_id AND u.id = x.author_id ",
            "LEFT JOIN instances i ON i.id = x.instance_id"
        )
    };
}

macro_rules! topic_columns {
    () => {
        concat!(
            "x.id, x.forum, x.title, x.locked, x.hidden, x.created_at, x.last_post_at, ",
            "(SELECT COUNT(*) FROM help_posts p WHERE p.topic_id = x.id AND NOT p.hidden), ",
            who!("help_topics x")
        )
    };
}

type TopicRaw = (
    Uuid,
    String,
    String,
    bool,
    bool,
    i64,
    i64,
    i64,
    String,
    String,
);

fn topic(r: TopicRaw) -> TopicLine {
    TopicLine {
        id: r.0,
        forum: r.1,
        title: r.2,
        locked: r.3,
        hidden: r.4,
        created_at: r.5,
        last_post_at: r.6,
        posts: r.7,
        author_name: r.8,
        school_name: r.9,
    }
}

/// Opens a topic with its first post.
pub async fn insert_topic(
    c: &mut impl AsConn,
    by: Author,
    forum: &str,
    title: &str,
    body: &str,
    now: i64,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    on!(c, c => sqlx::query(
        "INSERT INTO help_topics (id, instance_id, author_id, forum, title, locked, hidden,
             created_at, last_post_at) VALUES ($1, $2, $3, $4, $5, FALSE, FALSE, $6, $6)")
        .bind(id).bind(by.instance.0).bind(by.user.0).bind(forum).bind(title).bind(now)
        .execute(&mut *c).await.map(|_| ()))?;
    insert_post(c, by, id, body, now).await?;
    Ok(id)
}

/// Adds a post and moves the topic up.
pub async fn insert_post(
    c: &mut impl AsConn,
    by: Author,
    topic: Uuid,
    body: &str,
    now: i64,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    on!(c, c => sqlx::query(
        "INSERT INTO help_posts (id, topic_id, instance_id, author_id, body, hidden, created_at)
         VALUES ($1, $2, $3, $4, $5, FALSE, $6)")
        .bind(id).bind(topic).bind(by.instance.0).bind(by.user.0).bind(body).bind(now)
        .execute(&mut *c).await.map(|_| ()))?;
    on!(c, c => sqlx::query("UPDATE help_topics SET last_post_at = $2 WHERE id = $1")
        .bind(topic).bind(now).execute(&mut *c).await.map(|_| ()))?;
    Ok(id)
}

/// The topics of a forum, last activity first, `limit` from `offset` on; hidden ones only
/// for moderators.
pub async fn list_topics(
    c: &mut impl AsConn,
    forum: &str,
    with_hidden: bool,
    limit: i64,
    offset: i64,
) -> Result<Vec<TopicLine>, StoreError> {
    let r: Vec<TopicRaw> = on!(c, c => sqlx::query_as(concat!("SELECT ", topic_columns!(),
        " WHERE x.forum = $1 AND ($2 OR NOT x.hidden)
          ORDER BY x.last_post_at DESC, x.id DESC LIMIT $3 OFFSET $4"))
        .bind(forum).bind(with_hidden).bind(limit).bind(offset).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(topic).collect())
}

/// One topic; a hidden one only for moderators.
pub async fn get_topic(
    c: &mut impl AsConn,
    id: Uuid,
    with_hidden: bool,
) -> Result<Option<TopicLine>, StoreError> {
    let r: Option<TopicRaw> = on!(c, c => sqlx::query_as(concat!("SELECT ", topic_columns!(),
        " WHERE x.id = $1 AND ($2 OR NOT x.hidden)"))
        .bind(id).bind(with_hidden).fetch_optional(&mut *c).await)?;
    Ok(r.map(topic))
}

/// The posts of a topic, oldest first, `limit` from `offset` on; hidden ones only for
/// moderators.
pub async fn posts(
    c: &mut impl AsConn,
    topic: Uuid,
    with_hidden: bool,
    limit: i64,
    offset: i64,
) -> Result<Vec<PostLine>, StoreError> {
    type Raw = (Uuid, String, bool, i64, String, String);
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!(
        "SELECT x.id, x.body, x.hidden, x.created_at, ", who!("help_posts x"),
        " WHERE x.topic_id = $1 AND ($2 OR NOT x.hidden) ORDER BY x.created_at, x.id
          LIMIT $3 OFFSET $4"))
        .bind(topic).bind(with_hidden).bind(limit).bind(offset).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|r| PostLine {
            id: r.0,
            body: r.1,
            hidden: r.2,
            created_at: r.3,
            author_name: r.4,
            school_name: r.5,
        })
        .collect())
}

/// Locks or unlocks, hides or shows, or moves a topic (None: unchanged). Whether it exists.
pub async fn moderate_topic(
    c: &mut impl AsConn,
    id: Uuid,
    locked: Option<bool>,
    hidden: Option<bool>,
    forum: Option<&str>,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE help_topics SET locked = COALESCE($2, locked), hidden = COALESCE($3, hidden),
             forum = COALESCE($4, forum) WHERE id = $1")
        .bind(id).bind(locked).bind(hidden).bind(forum)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Hides or shows a post; returns its topic if it exists.
pub async fn set_post_hidden(
    c: &mut impl AsConn,
    id: Uuid,
    hidden: bool,
) -> Result<Option<Uuid>, StoreError> {
    let r: Option<(Uuid,)> = on!(c, c => sqlx::query_as(
        "UPDATE help_posts SET hidden = $2 WHERE id = $1 RETURNING topic_id")
        .bind(id).bind(hidden).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(t,)| t))
}
