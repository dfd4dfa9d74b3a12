//! An attempt being taken, and the review of a submitted one.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use schulhof_authz::check;
use schulhof_authz::lms::{TakePart, sees_work_of};
use schulhof_store::lms::activities::ActivityRow;
use schulhof_store::lms::quiz::attempts::{self, AttemptRow};
use schulhof_store::lms::quiz::extensions::{self, Extension};
use schulhof_store::{from_us, to_us, users};
use uuid::Uuid;

use super::attempt::{GRACE_US, offer, parse_answers, time_up};
use super::edit::load_questions;
use super::settings::QuizSettings;
use super::view::{Shown, review_open, shown};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// An attempt as its owner takes it.
#[derive(Clone, Debug)]
pub struct AttemptView {
    pub activity: ActivityRow,
    pub attempt: AttemptRow,
    pub questions: Vec<Shown>,
    pub deadline: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
    /// The extension the owner may still take.
    pub extension: Option<Extension>,
    /// Submitted (or closed when time ran out): the page shows the review instead.
    pub closed: bool,
}

/// A submitted attempt: the score always, answers and correct answers when the review is
/// open (editors: always).
#[derive(Clone, Debug)]
pub struct ReviewView {
    pub activity: ActivityRow,
    pub attempt: AttemptRow,
    /// Whose attempt (for editors).
    pub person: String,
    pub editor: bool,
    pub show_answers: bool,
    pub questions: Vec<Shown>,
}

impl Platform {
    async fn attempt_row(&self, a: &Actor, attempt: Uuid) -> Result<AttemptRow, DomainError> {
        let mut c = self.db.read().await?;
        attempts::get(&mut c, a.token.instance(), attempt)
            .await?
            .ok_or(DomainError::NotFound)
    }

    /// The caller's attempt to take: questions in the attempt's order with saved answers.
    pub async fn lms_quiz_attempt(
        &self,
        a: &Actor,
        attempt: Uuid,
    ) -> Result<AttemptView, DomainError> {
        let mut row = self.attempt_row(a, attempt).await?;
        if row.user_id != a.token.user() {
            return Err(DomainError::NotFound);
        }
        let ctx = self.lms_activity(a, row.activity_id).await?;
        check(&a.token, TakePart(ctx.course))?;
        let (instance, now) = (a.token.instance(), to_us(self.now()));
        if time_up(&row, now) {
            let mut tx = self.db.begin().await?;
            self.close_overdue(&mut tx, instance, &ctx.activity, Some(row.user_id), now)
                .await?;
            tx.commit().await?;
            row = self.attempt_row(a, attempt).await?;
        }
        let s = QuizSettings::parse(&ctx.activity.settings);
        let mut c = self.db.read().await?;
        let questions = load_questions(&mut c, instance, row.activity_id).await?;
        let granted = extensions::get(&mut c, instance, row.activity_id, row.user_id).await?;
        let answers = parse_answers(&row.answers);
        let extension = offer(&s, granted)
            .filter(|_| !row.extended && row.deadline_at.is_some_and(|d| now <= d + GRACE_US));
        Ok(AttemptView {
            questions: shown(&questions, &s, row.seed, &answers, None),
            deadline: row.deadline_at.map(from_us),
            now: from_us(now),
            extension,
            closed: row.submitted_at.is_some(),
            activity: ctx.activity,
            attempt: row,
        })
    }

    /// A submitted attempt: its owner (by the quiz's review rule) or an editor of the
    /// course. Anyone else: `NotFound`.
    pub async fn lms_quiz_review(
        &self,
        a: &Actor,
        attempt: Uuid,
    ) -> Result<ReviewView, DomainError> {
        let row = self.attempt_row(a, attempt).await?;
        let ctx = self.lms_activity(a, row.activity_id).await?;
        sees_work_of(&a.token, &ctx.course, row.user_id)?;
        if row.submitted_at.is_none() && !ctx.is_editor() {
            return Err(DomainError::NotFound);
        }
        let (instance, now) = (a.token.instance(), to_us(self.now()));
        let s = QuizSettings::parse(&ctx.activity.settings);
        let mut c = self.db.read().await?;
        let questions = load_questions(&mut c, instance, row.activity_id).await?;
        let person = users::get(&mut c, instance, row.user_id)
            .await?
            .map(|u| format!("{} {}", u.first_name, u.last_name))
            .unwrap_or_default();
        let points: Option<BTreeMap<Uuid, u32>> = row
            .points
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok());
        let answers = parse_answers(&row.answers);
        Ok(ReviewView {
            questions: shown(&questions, &s, row.seed, &answers, points.as_ref()),
            person,
            editor: ctx.is_editor(),
            show_answers: ctx.is_editor() || review_open(&ctx.activity, &s, now),
            activity: ctx.activity,
            attempt: row,
        })
    }
}
