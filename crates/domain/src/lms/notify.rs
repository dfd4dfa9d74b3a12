//! What courses report to the one notification mechanism (`crate::notify`): a new
//! activity once its participants see it, released feedback, announcements and private
//! questions. Every fan-out is one statement in the transaction of the change; a scheduled
//! or hidden activity waits (`notified_at = 0`) and is claimed by whichever comes first,
//! the teacher's next save or the sweep [`Platform::lms_notify_due`], so it is told once.

use schulhof_store::lms::notify::{self as store, Audience};
use schulhof_store::{AsConn, to_us};
use schulhof_types::{ActivityId, CourseId, InstanceId, UserId};

use crate::notify::Kind;
use crate::{DomainError, Platform};

/// Activities handled per sweep.
const BATCH: i64 = 100;

/// A teacher saved an activity: a new one waits to be announced (`created`); either is
/// announced now if its participants see it. Returns how many persons were notified.
pub(crate) async fn activity_saved(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: ActivityId,
    created: bool,
    now: i64,
) -> Result<u64, DomainError> {
    if created {
        store::mark_pending(c, instance, id).await?;
    }
    Ok(announce(c, instance, id, now).await?.unwrap_or(0))
}

/// Claims a waiting activity its participants see at `now` and notifies them; `None` when
/// it is not waiting, not visible yet or claimed by another node.
async fn announce(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: ActivityId,
    now: i64,
) -> Result<Option<u64>, DomainError> {
    let Some((kind, title, course)) = store::claim(c, instance, id, now).await? else {
        return Ok(None);
    };
    let params = serde_json::json!({
        "activity_id": id.to_string(), "activity_kind": kind, "title": title, "course": course,
    })
    .to_string();
    let k = Kind::LmsActivityPublished.as_str();
    let n = store::fan_out(c, instance, Audience::Activity(id), k, &params, now).await?;
    Ok(Some(n))
}

/// Grades of an activity were released at `now` (to one student, or to all released now):
/// each of those students is told.
pub(crate) async fn feedback_released(
    c: &mut impl AsConn,
    instance: InstanceId,
    (id, kind, title): (ActivityId, &str, &str),
    only: Option<UserId>,
    now: i64,
) -> Result<u64, DomainError> {
    let params = serde_json::json!({
        "activity_id": id.to_string(), "activity_kind": kind, "title": title,
    })
    .to_string();
    let k = Kind::LmsFeedbackReleased.as_str();
    let to = Audience::Released(id, only);
    Ok(store::fan_out(c, instance, to, k, &params, now).await?)
}

/// An announcement of a course: every member but its author is told.
pub(crate) async fn announcement(
    c: &mut impl AsConn,
    instance: InstanceId,
    (course, name): (CourseId, &str),
    author: UserId,
    title: &str,
    now: i64,
) -> Result<u64, DomainError> {
    let params = serde_json::json!({
        "course_id": course.to_string(), "course": name, "title": title,
    })
    .to_string();
    let k = Kind::LmsAnnouncement.as_str();
    let to = Audience::Course(course, author);
    Ok(store::fan_out(c, instance, to, k, &params, now).await?)
}

/// A private question about an assignment: asked (the course's editors are told) or
/// answered (the student is told; `to` names them).
pub(crate) struct Question<'a> {
    pub course: CourseId,
    pub activity: ActivityId,
    pub title: &'a str,
    pub course_name: &'a str,
    pub student: UserId,
    pub by: &'a str,
}

pub(crate) async fn question_asked(
    c: &mut impl AsConn,
    instance: InstanceId,
    q: &Question<'_>,
    now: i64,
) -> Result<u64, DomainError> {
    let params = serde_json::json!({
        "activity_id": q.activity.to_string(), "student_id": q.student.to_string(),
        "title": q.title, "course": q.course_name, "by": q.by,
    })
    .to_string();
    let k = Kind::LmsQuestionAsked.as_str();
    let to = Audience::Editors(q.course, q.student);
    Ok(store::fan_out(c, instance, to, k, &params, now).await?)
}

pub(crate) async fn question_answered(
    c: &mut impl AsConn,
    instance: InstanceId,
    q: &Question<'_>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DomainError> {
    let Some(student) = schulhof_store::users::get(c, instance, q.student).await? else {
        return Ok(());
    };
    if !student.active {
        return Ok(());
    }
    let params = serde_json::json!({
        "activity_id": q.activity.to_string(), "activity_kind": "assignment",
        "title": q.title, "course": q.course_name, "by": q.by,
    });
    crate::notify::notify(c, &student, Kind::LmsQuestionAnswered, params, now).await
}

impl Platform {
    /// Notifies the participants of activities whose time came (scheduled material, a
    /// section shown again). Each activity is claimed in the transaction that writes its
    /// notifications, so any number of nodes may run this. Returns how many were announced.
    pub async fn lms_notify_due(&self) -> Result<usize, DomainError> {
        let now = to_us(self.now());
        let due = {
            let mut c = self.db.read().await?;
            store::due(&mut c, now, BATCH).await?
        };
        let mut done = 0;
        for (instance, id) in due {
            let mut tx = self.db.begin().await?;
            // `None`: another node claimed it first.
            if announce(&mut tx, instance, id, now).await?.is_some() {
                tx.commit().await?;
                done += 1;
            }
        }
        Ok(done)
    }
}
