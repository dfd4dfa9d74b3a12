//! Course communication: announcements and the Q&A forum's threads and replies. Each list
//! is one statement with the authors' names.

use schulhof_types::{CourseId, InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, on};

/// A post with its author's name and, for a question, how many replies it has.
#[derive(Clone, Debug)]
pub struct PostRow {
    pub id: Uuid,
    pub course_id: CourseId,
    pub kind: String,
    pub parent_id: Option<Uuid>,
    pub author_id: UserId,
    pub author: String,
    pub title: String,
    pub body: String,
    pub created_at: i64,
    pub replies: i64,
}

type Raw = (
    Uuid,
    Uuid,
    String,
    Option<Uuid>,
    Uuid,
    String,
    String,
    String,
    i64,
    i64,
);

fn row(r: Raw) -> PostRow {
    PostRow {
        id: r.0,
        course_id: CourseId(r.1),
        kind: r.2,
        parent_id: r.3,
        author_id: UserId(r.4),
        author: r.5,
        title: r.6,
        body: r.7,
        created_at: r.8,
        replies: r.9,
    }
}

macro_rules! columns {
    () => {
        "SELECT p.id, p.course_id, p.kind, p.parent_id, p.author_id,
                u.first_name || ' ' || u.last_name, p.title, p.body, p.created_at,
                (SELECT COUNT(*) FROM lms_posts r WHERE r.instance_id = p.instance_id
                    AND r.parent_id = p.id)
           FROM lms_posts p JOIN users u ON u.instance_id = p.instance_id AND u.id = p.author_id "
    };
}

/// The fields of a new post.
#[derive(Clone, Debug)]
pub struct NewPost<'a> {
    pub id: Uuid,
    pub course_id: CourseId,
    pub kind: &'a str,
    pub parent_id: Option<Uuid>,
    pub author_id: UserId,
    pub title: &'a str,
    pub body: &'a str,
    pub now: i64,
}

pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    n: &NewPost<'_>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO lms_posts (instance_id, id, course_id, kind, parent_id, author_id, title,
                body, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(instance.0).bind(n.id).bind(n.course_id.0).bind(n.kind).bind(n.parent_id)
        .bind(n.author_id.0).bind(n.title).bind(n.body).bind(n.now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The announcements or questions of a course, newest first.
pub async fn of_course(
    c: &mut impl AsConn,
    instance: InstanceId,
    course: CourseId,
    kind: &str,
) -> Result<Vec<PostRow>, StoreError> {
    let q = concat!(
        columns!(),
        "WHERE p.instance_id = $1 AND p.course_id = $2 AND p.kind = $3
         ORDER BY p.created_at DESC, p.id DESC"
    );
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(q).bind(instance.0).bind(course.0).bind(kind)
        .fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// A question and its replies (oldest first), in one statement; empty: no such thread.
pub async fn thread(
    c: &mut impl AsConn,
    instance: InstanceId,
    question: Uuid,
) -> Result<Vec<PostRow>, StoreError> {
    let q = concat!(
        columns!(),
        "WHERE p.instance_id = $1 AND ((p.id = $2 AND p.kind = 'question') OR p.parent_id = $2)
         ORDER BY p.parent_id IS NOT NULL, p.created_at, p.id"
    );
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(q).bind(instance.0).bind(question)
        .fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// Deletes a post (a question with its replies).
pub async fn delete(c: &mut impl AsConn, instance: InstanceId, id: Uuid) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("DELETE FROM lms_posts WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
