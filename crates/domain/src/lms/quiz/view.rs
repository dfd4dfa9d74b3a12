//! What the pages show: a quiz's overview for a participant or editor, an attempt being
//! taken, the review of a submitted attempt.

use chrono::{DateTime, Utc};
use schulhof_store::lms::activities::ActivityRow;
use schulhof_store::lms::quiz::attempts::{self, AttemptRow};
use schulhof_store::lms::quiz::extensions::{self, Extension};
use schulhof_store::{from_us, to_us};
use schulhof_types::ActivityId;
use uuid::Uuid;

use super::attempt::{Answers, counting, offer, passed, time_up};
use super::edit::{QuizQuestion, load_questions};
use super::engine::{Answer, Question, max_of, order_for};
use super::settings::{QuizSettings, Review};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// One question as an attempt shows it.
#[derive(Clone, Debug)]
pub struct Shown {
    pub id: Uuid,
    /// 1-based, in the attempt's order.
    pub number: usize,
    pub question: Question,
    /// The order of choices or right items (indexes into the definition).
    pub items: Vec<usize>,
    pub answer: Option<Answer>,
    /// Earned hundredths, once graded.
    pub points: Option<u32>,
    pub max: u32,
}

/// The questions in the order of `seed`, with answers and points.
pub(crate) fn shown(
    questions: &[QuizQuestion],
    s: &QuizSettings,
    seed: i64,
    answers: &Answers,
    points: Option<&std::collections::BTreeMap<Uuid, u32>>,
) -> Vec<Shown> {
    let keyed: Vec<(u64, &Question)> = questions
        .iter()
        .map(|q| {
            let (hi, lo) = q.id.as_u64_pair();
            (hi ^ lo, &q.question)
        })
        .collect();
    let order = order_for(seed as u64, &keyed, s.shuffle_questions, s.shuffle_answers);
    order
        .questions
        .iter()
        .enumerate()
        .filter_map(|(k, i)| {
            let q = questions.get(*i)?;
            Some(Shown {
                id: q.id,
                number: k + 1,
                question: q.question.clone(),
                items: order.items.get(*i).cloned().unwrap_or_default(),
                answer: answers.get(&q.id).cloned(),
                points: points.map(|p| p.get(&q.id).copied().unwrap_or(0)),
                max: max_of(&q.question),
            })
        })
        .collect()
}

/// Where the quiz stands in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    NotYetOpen,
    Open,
    Closed,
}

fn window(quiz: &ActivityRow, s: &QuizSettings, now: i64) -> Window {
    if s.opens_at.is_some_and(|o| now < o) {
        Window::NotYetOpen
    } else if quiz.due_at.is_some_and(|c| now >= c) {
        Window::Closed
    } else {
        Window::Open
    }
}

/// Whether a participant sees the correct answers of their submitted attempt now.
pub(crate) fn review_open(quiz: &ActivityRow, s: &QuizSettings, now: i64) -> bool {
    match s.review {
        Review::Never => false,
        Review::AfterAttempt => true,
        Review::AfterClose => quiz.due_at.is_some_and(|c| now >= c),
    }
}

/// One of the caller's attempts in the overview.
#[derive(Clone, Debug)]
pub struct AttemptLine {
    pub id: Uuid,
    pub number: i64,
    pub started: DateTime<Utc>,
    pub submitted: Option<DateTime<Utc>>,
    pub score: Option<i64>,
    pub max: Option<i64>,
}

/// The quiz page.
#[derive(Clone, Debug)]
pub struct QuizOverview {
    pub activity: ActivityRow,
    pub settings: QuizSettings,
    pub editor: bool,
    pub questions: usize,
    /// Hundredths.
    pub max_points: u32,
    pub window: Window,
    pub attempts: Vec<AttemptLine>,
    pub open_attempt: Option<Uuid>,
    pub may_start: bool,
    /// The attempt that counts and whether it passed (participants).
    pub counting: Option<(Uuid, bool)>,
    pub review_open: bool,
    pub extension: Option<Extension>,
}

fn line(a: &AttemptRow) -> AttemptLine {
    AttemptLine {
        id: a.id,
        number: a.number,
        started: from_us(a.started_at),
        submitted: a.submitted_at.map(from_us),
        score: a.score,
        max: a.max_score,
    }
}

impl Platform {
    /// The quiz for a participant (their attempts; overdue ones are closed first) or an
    /// editor.
    pub async fn lms_quiz_overview(
        &self,
        a: &Actor,
        id: ActivityId,
    ) -> Result<QuizOverview, DomainError> {
        let ctx = self.lms_activity(a, id).await?;
        if ctx.activity.kind != "quiz" {
            return Err(DomainError::NotFound);
        }
        let (instance, user, now) = (a.token.instance(), a.token.user(), to_us(self.now()));
        let s = QuizSettings::parse(&ctx.activity.settings);
        let mut c = self.db.read().await?;
        let questions = load_questions(&mut c, instance, id).await?;
        let mut mine = attempts::of_person(&mut c, instance, id, user).await?;
        let granted = extensions::get(&mut c, instance, id, user).await?;
        drop(c);
        if !ctx.is_editor() && !ctx.course.archived && mine.iter().any(|r| time_up(r, now)) {
            let mut tx = self.db.begin().await?;
            self.close_overdue(&mut tx, instance, &ctx.activity, Some(user), now)
                .await?;
            mine = attempts::of_person(&mut tx, instance, id, user).await?;
            tx.commit().await?;
        }
        let w = window(&ctx.activity, &s, now);
        let open = mine.iter().find(|r| r.submitted_at.is_none()).map(|r| r.id);
        let used_up = s.attempts > 0 && mine.len() >= s.attempts as usize;
        let may_start = !ctx.is_editor()
            && !ctx.course.archived
            && open.is_none()
            && w == Window::Open
            && !used_up
            && !questions.is_empty();
        Ok(QuizOverview {
            settings: s.clone(),
            editor: ctx.is_editor(),
            questions: questions.len(),
            max_points: questions.iter().map(|q| max_of(&q.question)).sum(),
            window: w,
            attempts: mine.iter().map(line).collect(),
            open_attempt: open,
            may_start,
            counting: counting(&mine, s.counts).map(|r| (r.id, passed(r, s.pass_percent))),
            review_open: review_open(&ctx.activity, &s, now),
            extension: offer(&s, granted),
            activity: ctx.activity,
        })
    }
}
