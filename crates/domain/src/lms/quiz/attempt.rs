//! Taking a quiz: start (seed and deadline stored), save answers, submit (graded at once),
//! take the extension. Time is enforced here, on the server: answers reach an attempt until
//! its deadline plus [`GRACE_US`] (slow networks, a page sent at the last second); after that
//! the attempt is closed with what was saved last.

use std::collections::BTreeMap;

use schulhof_store::lms::activities::{self, ActivityRow};
use schulhof_store::lms::quiz::attempts::{self, AttemptRow, Graded};
use schulhof_store::lms::quiz::extensions::{self, Extension};
use schulhof_store::{Tx, to_us};
use schulhof_types::{ActivityId, InstanceId, UserId};
use uuid::Uuid;

use super::edit::{QuizQuestion, load_questions};
use super::engine::{Answer, grade, max_of};
use super::settings::{Counts, QuizSettings};
use crate::identity::Actor;
use crate::lms::ActivityCtx;
use crate::{DomainError, Platform};

/// How long after its deadline an attempt still takes answers.
pub const GRACE_US: i64 = 120 * 1_000_000;
const MINUTE_US: i64 = 60 * 1_000_000;

/// A participant's answers, by question id.
pub type Answers = BTreeMap<Uuid, Answer>;

/// What became of a save.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Saved {
    Saved,
    Submitted,
    /// Too late: the attempt was closed with the answers saved before.
    TimeUp,
}

/// The extension a participant may take in an attempt: granted to them, or the quiz's
/// extension for everyone.
pub(crate) fn offer(s: &QuizSettings, granted: Option<Extension>) -> Option<Extension> {
    granted.or((s.self_extension_minutes > 0).then_some(Extension {
        extra_minutes: i64::from(s.self_extension_minutes),
        no_limit: false,
    }))
}

/// The deadline of a new attempt: the time limit, cut at the close time.
fn deadline_of(s: &QuizSettings, closes: Option<i64>, now: i64) -> Option<i64> {
    let limit =
        (s.time_limit_minutes > 0).then(|| now + i64::from(s.time_limit_minutes) * MINUTE_US);
    match (limit, closes) {
        (Some(l), Some(c)) => Some(l.min(c)),
        (l, c) => l.or(c),
    }
}

/// A new attempt: numbered after `earlier`, with a fresh seed and its deadline.
fn new_attempt(
    id: ActivityId,
    user: UserId,
    earlier: usize,
    s: &QuizSettings,
    closes: Option<i64>,
    now: i64,
) -> AttemptRow {
    AttemptRow {
        id: Uuid::now_v7(),
        activity_id: id,
        user_id: user,
        number: earlier as i64 + 1,
        seed: rand::random::<i64>(),
        started_at: now,
        deadline_at: deadline_of(s, closes, now),
        extended: false,
        saved_at: now,
        submitted_at: None,
        answers: "{}".into(),
        points: None,
        score: None,
        max_score: None,
    }
}

/// Whether the attempt's time (with grace) is over at `now`.
pub(crate) fn time_up(a: &AttemptRow, now: i64) -> bool {
    a.submitted_at.is_none() && a.deadline_at.is_some_and(|d| now > d + GRACE_US)
}

pub(crate) fn parse_answers(json: &str) -> Answers {
    serde_json::from_str(json).unwrap_or_default()
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, DomainError> {
    serde_json::to_string(v).map_err(|e| DomainError::Internal(e.to_string()))
}

/// Grades and closes an open attempt, then sets the person's completion.
pub(crate) async fn finish(
    tx: &mut Tx,
    instance: InstanceId,
    quiz: &ActivityRow,
    questions: &[QuizQuestion],
    attempt: &AttemptRow,
    answers: &Answers,
    now: i64,
) -> Result<bool, DomainError> {
    let points: BTreeMap<Uuid, u32> = questions
        .iter()
        .map(|q| (q.id, grade(&q.question, answers.get(&q.id))))
        .collect();
    let score: i64 = points.values().map(|p| i64::from(*p)).sum();
    let max: i64 = questions
        .iter()
        .map(|q| i64::from(max_of(&q.question)))
        .sum();
    let (a, p) = (json(answers)?, json(&points)?);
    let g = Graded {
        answers: &a,
        points: &p,
        score,
        max_score: max,
        submitted_at: now,
    };
    if !attempts::finish(tx, instance, attempt.id, &g).await? {
        return Ok(false);
    }
    let all = attempts::of_person(tx, instance, quiz.id, attempt.user_id).await?;
    let s = QuizSettings::parse(&quiz.settings);
    let done = match quiz.completion.as_str() {
        "submit" | "grade" => Some(now),
        "pass" => counting(&all, s.counts)
            .filter(|a| passed(a, s.pass_percent))
            .map(|_| now),
        _ => return Ok(true),
    };
    activities::set_completed(tx, instance, quiz.id, attempt.user_id, done).await?;
    Ok(true)
}

/// The submitted attempt that counts.
pub fn counting(all: &[AttemptRow], counts: Counts) -> Option<&AttemptRow> {
    let done = all.iter().filter(|a| a.submitted_at.is_some());
    match counts {
        Counts::Last => done.max_by_key(|a| a.number),
        // The first of equally good attempts.
        Counts::Best => done.min_by_key(|a| (-a.score.unwrap_or(0), a.number)),
    }
}

/// Whether an attempt reaches the pass mark (in percent of the maximum).
pub fn passed(a: &AttemptRow, pass_percent: u32) -> bool {
    let (score, max) = (a.score.unwrap_or(0), a.max_score.unwrap_or(0));
    max > 0 && score * 100 >= i64::from(pass_percent) * max
}

impl Platform {
    /// A quiz the caller takes part in; `NotFound` for other kinds.
    async fn quiz_for_participant(
        &self,
        a: &Actor,
        id: ActivityId,
    ) -> Result<ActivityCtx, DomainError> {
        let ctx = self.lms_activity_for_participant(a, id).await?;
        if ctx.activity.kind != "quiz" {
            return Err(DomainError::NotFound);
        }
        Ok(ctx)
    }

    /// Closes the caller's attempts whose time ran out (with what they saved).
    pub(crate) async fn close_overdue(
        &self,
        tx: &mut Tx,
        instance: InstanceId,
        quiz: &ActivityRow,
        user: Option<UserId>,
        now: i64,
    ) -> Result<(), DomainError> {
        let late = attempts::overdue(tx, instance, quiz.id, now - GRACE_US).await?;
        let late: Vec<_> = late
            .into_iter()
            .filter(|a| user.is_none_or(|u| a.user_id == u))
            .collect();
        if late.is_empty() {
            return Ok(());
        }
        let questions = load_questions(tx, instance, quiz.id).await?;
        for at in late {
            let answers = parse_answers(&at.answers);
            let end = at.deadline_at.unwrap_or(now);
            finish(tx, instance, quiz, &questions, &at, &answers, end).await?;
        }
        Ok(())
    }

    /// Starts an attempt, or returns the open one. Refused before the opening, after the
    /// close and when every allowed attempt is used.
    pub async fn lms_quiz_start(&self, a: &Actor, id: ActivityId) -> Result<Uuid, DomainError> {
        let ctx = self.quiz_for_participant(a, id).await?;
        let (instance, user, now) = (a.token.instance(), a.token.user(), to_us(self.now()));
        let quiz = &ctx.activity;
        let s = QuizSettings::parse(&quiz.settings);
        let mut tx = self.db.begin().await?;
        self.close_overdue(&mut tx, instance, quiz, Some(user), now)
            .await?;
        let mine = attempts::of_person(&mut tx, instance, id, user).await?;
        if let Some(open) = mine.iter().find(|a| a.submitted_at.is_none()) {
            tx.commit().await?;
            return Ok(open.id);
        }
        if s.opens_at.is_some_and(|o| now < o) || quiz.due_at.is_some_and(|c| now >= c) {
            return Err(DomainError::invalid(
                "attempt",
                "Der Test ist zurzeit nicht geöffnet.",
            ));
        }
        if s.attempts > 0 && mine.len() >= s.attempts as usize {
            return Err(DomainError::invalid(
                "attempt",
                "Alle erlaubten Versuche sind verbraucht.",
            ));
        }
        if load_questions(&mut tx, instance, id).await?.is_empty() {
            return Err(DomainError::invalid(
                "attempt",
                "Der Test hat noch keine Fragen.",
            ));
        }
        let row = new_attempt(id, user, mine.len(), &s, quiz.due_at, now);
        match attempts::insert(&mut tx, instance, &row).await {
            Ok(()) => {}
            // Started twice at the same moment (two tabs): the other start won.
            Err(e) if e.is_unique_violation() => {
                drop(tx);
                return self.started_meanwhile(instance, id, user).await;
            }
            Err(e) => return Err(e.into()),
        }
        tx.commit().await?;
        Ok(row.id)
    }

    /// The open attempt another start created a moment ago.
    async fn started_meanwhile(
        &self,
        instance: InstanceId,
        id: ActivityId,
        user: UserId,
    ) -> Result<Uuid, DomainError> {
        let mut c = self.db.read().await?;
        let mine = attempts::of_person(&mut c, instance, id, user).await?;
        mine.iter()
            .find(|a| a.submitted_at.is_none())
            .map(|a| a.id)
            .ok_or(DomainError::Conflict {
                field: "attempt",
                message: "Bitte noch einmal versuchen.".into(),
            })
    }

    /// The caller's own open attempt with its quiz; `NotFound` for anyone else's.
    async fn own_attempt(
        &self,
        a: &Actor,
        attempt: Uuid,
    ) -> Result<(ActivityCtx, AttemptRow), DomainError> {
        let mut c = self.db.read().await?;
        let row = attempts::get(&mut c, a.token.instance(), attempt)
            .await?
            .ok_or(DomainError::NotFound)?;
        drop(c);
        if row.user_id != a.token.user() {
            return Err(DomainError::NotFound);
        }
        let ctx = self.quiz_for_participant(a, row.activity_id).await?;
        Ok((ctx, row))
    }

    /// Saves answers; with `submit`, submits and grades the attempt. Answers to questions
    /// the quiz does not have are dropped.
    pub async fn lms_quiz_save(
        &self,
        a: &Actor,
        attempt: Uuid,
        mut answers: Answers,
        submit: bool,
    ) -> Result<Saved, DomainError> {
        let (ctx, _) = self.own_attempt(a, attempt).await?;
        let (instance, now) = (a.token.instance(), to_us(self.now()));
        let mut tx = self.db.begin().await?;
        // Read again inside the transaction: a parallel submit must not be graded twice.
        let row = attempts::get(&mut tx, instance, attempt)
            .await?
            .ok_or(DomainError::NotFound)?;
        if row.submitted_at.is_some() {
            return Err(DomainError::invalid(
                "attempt",
                "Dieser Versuch ist schon abgegeben.",
            ));
        }
        let questions = load_questions(&mut tx, instance, ctx.activity.id).await?;
        if time_up(&row, now) {
            self.close_overdue(&mut tx, instance, &ctx.activity, Some(row.user_id), now)
                .await?;
            tx.commit().await?;
            return Ok(Saved::TimeUp);
        }
        answers.retain(|k, _| questions.iter().any(|q| q.id == *k));
        if submit {
            finish(
                &mut tx,
                instance,
                &ctx.activity,
                &questions,
                &row,
                &answers,
                now,
            )
            .await?;
        } else {
            attempts::save(&mut tx, instance, attempt, &json(&answers)?, now).await?;
        }
        tx.commit().await?;
        Ok(if submit {
            Saved::Submitted
        } else {
            Saved::Saved
        })
    }

    /// Takes the extension offered in this attempt (once): more minutes, or no limit.
    pub async fn lms_quiz_extend(&self, a: &Actor, attempt: Uuid) -> Result<(), DomainError> {
        let (ctx, row) = self.own_attempt(a, attempt).await?;
        let (instance, now) = (a.token.instance(), to_us(self.now()));
        let s = QuizSettings::parse(&ctx.activity.settings);
        let mut tx = self.db.begin().await?;
        let granted = extensions::get(&mut tx, instance, row.activity_id, row.user_id).await?;
        let Some(e) = offer(&s, granted) else {
            return Err(DomainError::invalid(
                "extend",
                "Für diesen Test ist keine Verlängerung vorgesehen.",
            ));
        };
        let Some(deadline) = row.deadline_at else {
            return Err(DomainError::invalid(
                "extend",
                "Dieser Versuch hat keine Zeitgrenze.",
            ));
        };
        if row.extended || time_up(&row, now) || row.submitted_at.is_some() {
            return Err(DomainError::invalid(
                "extend",
                "Die Zeit kann nicht mehr verlängert werden.",
            ));
        }
        let new = (!e.no_limit).then(|| deadline.max(now) + e.extra_minutes * MINUTE_US);
        attempts::extend(&mut tx, instance, attempt, new).await?;
        tx.commit().await?;
        Ok(())
    }
}
