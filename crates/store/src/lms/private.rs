//! Private questions about an assignment: one thread per student and assignment. The
//! domain decides who reads a thread (the student and the course's editors); these
//! statements only read and write the rows asked for, each list in one statement.

use schulhof_types::{ActivityId, InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, on};

/// A post of a thread with its author's name.
#[derive(Clone, Debug)]
pub struct PrivatePost {
    pub id: Uuid,
    pub author_id: UserId,
    pub author: String,
    pub body: String,
    pub created_at: i64,
}

/// A thread as the teachers' list shows it.
#[derive(Clone, Debug)]
pub struct ThreadRow {
    pub student: UserId,
    pub name: String,
    pub posts: i64,
    pub last_at: i64,
    /// Whether the student wrote last (the question waits for an answer).
    pub open: bool,
}

pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
    student: UserId,
    author: UserId,
    body: &str,
    now: i64,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    on!(c, c => sqlx::query(
        "INSERT INTO lms_private_posts (instance_id, id, activity_id, student_id, author_id, body,
                created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(instance.0).bind(id).bind(activity.0).bind(student.0).bind(author.0).bind(body)
        .bind(now).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(id)
}

/// One student's thread about an assignment, oldest first.
pub async fn thread(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
    student: UserId,
) -> Result<Vec<PrivatePost>, StoreError> {
    let r: Vec<(Uuid, Uuid, String, String, i64)> = on!(c, c => sqlx::query_as(
        "SELECT p.id, p.author_id, u.first_name || ' ' || u.last_name, p.body, p.created_at
           FROM lms_private_posts p JOIN users u ON u.instance_id = p.instance_id AND u.id = p.author_id
          WHERE p.instance_id = $1 AND p.activity_id = $2 AND p.student_id = $3
          ORDER BY p.created_at, p.id")
        .bind(instance.0).bind(activity.0).bind(student.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(id, a, author, body, created_at)| PrivatePost {
            id,
            author_id: UserId(a),
            author,
            body,
            created_at,
        })
        .collect())
}

/// Every thread of an assignment, those waiting for an answer first, then newest first.
pub async fn threads(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
) -> Result<Vec<ThreadRow>, StoreError> {
    let r: Vec<(Uuid, String, i64, i64, bool)> = on!(c, c => sqlx::query_as(
        "SELECT t.student_id, u.last_name || ', ' || u.first_name, t.n, t.last_at,
                EXISTS (SELECT 1 FROM lms_private_posts l WHERE l.instance_id = t.instance_id
                    AND l.activity_id = t.activity_id AND l.student_id = t.student_id
                    AND l.created_at = t.last_at AND l.author_id = t.student_id)
           FROM (SELECT instance_id, activity_id, student_id, COUNT(*) AS n,
                        MAX(created_at) AS last_at
                   FROM lms_private_posts WHERE instance_id = $1 AND activity_id = $2
                  GROUP BY instance_id, activity_id, student_id) t
           JOIN users u ON u.instance_id = t.instance_id AND u.id = t.student_id
          ORDER BY 5 DESC, t.last_at DESC")
        .bind(instance.0).bind(activity.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(s, name, posts, last_at, open)| ThreadRow {
            student: UserId(s),
            name,
            posts,
            last_at,
            open,
        })
        .collect())
}
