//! Notifications from courses: each fan-out is one `INSERT … SELECT` over the persons it
//! concerns, in the transaction of the change it reports, leaving out persons who switched
//! the kind off. New activities are claimed once (`notified_at` from 0 to the time) so two
//! nodes, or a request and the sweep, never notify twice.

use schulhof_types::{ActivityId, CourseId, InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, Conn, StoreError, on};

use super::{editor_of, participant_of};

/// One notification per active person of school `$1` matching `$who`, kind `$3`, params
/// `$4`, at `$5`; `$id` makes the row id in the database's dialect.
macro_rules! fan_out {
    ($id:literal, $who:expr) => {
        concat!(
            "INSERT INTO notifications (instance_id, id, user_id, kind, params, created_at)
             SELECT u.instance_id, ",
            $id,
            ", u.id, $3, $4, $5 FROM users u
              WHERE u.instance_id = $1 AND u.active
                AND NOT EXISTS (SELECT 1 FROM notification_prefs pr
                     WHERE pr.instance_id = u.instance_id AND pr.user_id = u.id
                       AND pr.kind = $3 AND pr.mode = 'off')
                AND ",
            $who
        )
    };
}

/// The participants who see activity `$2` (restricted ones: only those it is meant for).
macro_rules! activity_audience {
    () => {
        concat!(
            "EXISTS (SELECT 1 FROM lms_activities a WHERE a.instance_id = $1 AND a.id = $2
                AND (NOT a.restricted OR EXISTS (SELECT 1 FROM lms_activity_people ap
                     WHERE ap.instance_id = a.instance_id AND ap.activity_id = a.id
                       AND ap.user_id = u.id))
                AND ",
            participant_of!("$1", "a.course_id"),
            ") AND $6 IS NULL"
        )
    };
}

/// Members of course `$2` but `$6` (the author).
macro_rules! course_members {
    () => {
        concat!(
            "u.id <> $6 AND (",
            participant_of!("$1", "$2"),
            " OR ",
            editor_of!("$1", "$2"),
            ")"
        )
    };
}

/// Editors of course `$2` but `$6`.
macro_rules! course_editors {
    () => {
        concat!("u.id <> $6 AND ", editor_of!("$1", "$2"))
    };
}

/// Students whose grade for activity `$2` was released at `$5` (all, or only `$6`).
macro_rules! released_to {
    () => {
        "EXISTS (SELECT 1 FROM lms_grades gr WHERE gr.instance_id = $1 AND gr.activity_id = $2
            AND gr.user_id = u.id AND gr.released_at = $5) AND ($6 IS NULL OR u.id = $6)"
    };
}

/// Who a fan-out reaches.
#[derive(Clone, Copy, Debug)]
pub enum Audience {
    /// The participants who see an activity.
    Activity(ActivityId),
    /// Every member of a course but the author.
    Course(CourseId, UserId),
    /// The editors of a course but the author.
    Editors(CourseId, UserId),
    /// Students whose grade for an activity was released at the fan-out's time (one, or
    /// all of them).
    Released(ActivityId, Option<UserId>),
}

/// The statements for SQLite and PostgreSQL, the id bound as `$2` and the one as `$6`.
fn statement(to: Audience) -> (&'static str, &'static str, Uuid, Option<Uuid>) {
    match to {
        Audience::Activity(a) => (
            fan_out!("randomblob(16)", activity_audience!()),
            fan_out!("gen_random_uuid()", activity_audience!()),
            a.0,
            None,
        ),
        Audience::Course(c, u) => (
            fan_out!("randomblob(16)", course_members!()),
            fan_out!("gen_random_uuid()", course_members!()),
            c.0,
            Some(u.0),
        ),
        Audience::Editors(c, u) => (
            fan_out!("randomblob(16)", course_editors!()),
            fan_out!("gen_random_uuid()", course_editors!()),
            c.0,
            Some(u.0),
        ),
        Audience::Released(a, only) => (
            fan_out!("randomblob(16)", released_to!()),
            fan_out!("gen_random_uuid()", released_to!()),
            a.0,
            only.map(|u| u.0),
        ),
    }
}

/// Notifies an audience in one statement; returns how many notifications were written.
pub async fn fan_out(
    c: &mut impl AsConn,
    instance: InstanceId,
    to: Audience,
    kind: &str,
    params: &str,
    now: i64,
) -> Result<u64, StoreError> {
    let (lite, pg, id, extra) = statement(to);
    let n = match c.conn() {
        Conn::Sqlite(c) => sqlx::query(lite)
            .bind(instance.0)
            .bind(id)
            .bind(kind)
            .bind(params)
            .bind(now)
            .bind(extra)
            .execute(&mut *c)
            .await?
            .rows_affected(),
        Conn::Pg(c) => sqlx::query(pg)
            .bind(instance.0)
            .bind(id)
            .bind(kind)
            .bind(params)
            .bind(now)
            .bind(extra)
            .execute(&mut *c)
            .await?
            .rows_affected(),
    };
    Ok(n)
}

/// Whether activity `a` (of `lms_activities`) reaches its participants at `$now`: open
/// course, visible section, visible activity.
macro_rules! reaches_participants {
    ($a:literal, $now:literal) => {
        concat!(
            "NOT ",
            $a,
            ".hidden AND (",
            $a,
            ".visible_from IS NULL OR ",
            $a,
            ".visible_from <= ",
            $now,
            ")
             AND EXISTS (SELECT 1 FROM lms_sections s WHERE s.instance_id = ",
            $a,
            ".instance_id
                  AND s.id = ",
            $a,
            ".section_id AND NOT s.hidden
                  AND (s.visible_from IS NULL OR s.visible_from <= ",
            $now,
            "))
             AND EXISTS (SELECT 1 FROM lms_courses c WHERE c.instance_id = ",
            $a,
            ".instance_id
                  AND c.id = ",
            $a,
            ".course_id AND c.archived_at IS NULL)"
        )
    };
}

/// A new activity waits to be announced to its participants (it was made by a teacher, not
/// imported or copied). Nothing changes for one announced before.
pub async fn mark_pending(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: ActivityId,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE lms_activities SET notified_at = 0
          WHERE instance_id = $1 AND id = $2 AND notified_at IS NULL")
        .bind(instance.0).bind(id.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// What a claimed activity's notification says: kind, title, course name.
pub type Claimed = (String, String, String);

/// Claims a waiting activity that participants see at `now`; `None` when it is not waiting,
/// not visible yet, or another node claimed it first.
pub async fn claim(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: ActivityId,
    now: i64,
) -> Result<Option<Claimed>, StoreError> {
    let q = concat!(
        "UPDATE lms_activities SET notified_at = $3
          WHERE instance_id = $1 AND id = $2 AND notified_at = 0 AND ",
        reaches_participants!("lms_activities", "$3"),
        " RETURNING kind, title, (SELECT c.name FROM lms_courses c
             WHERE c.instance_id = lms_activities.instance_id AND c.id = lms_activities.course_id)"
    );
    let r: Option<Claimed> = on!(c, c => sqlx::query_as(q)
        .bind(instance.0).bind(id.0).bind(now).fetch_optional(&mut *c).await)?;
    Ok(r)
}

/// Waiting activities that participants see by `now`, oldest first, across schools (the
/// sweep runs for the whole installation).
pub async fn due(
    c: &mut impl AsConn,
    now: i64,
    limit: i64,
) -> Result<Vec<(InstanceId, ActivityId)>, StoreError> {
    let q = concat!(
        "SELECT a.instance_id, a.id FROM lms_activities a WHERE a.notified_at = 0 AND ",
        reaches_participants!("a", "$1"),
        " ORDER BY a.visible_from, a.id LIMIT $2"
    );
    let r: Vec<(Uuid, Uuid)> = on!(c, c => sqlx::query_as(q)
        .bind(now).bind(limit).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(i, a)| (InstanceId(i), ActivityId(a)))
        .collect())
}
