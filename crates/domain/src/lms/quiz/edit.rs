//! Building a quiz: the activity with its settings, its questions in order, and extra
//! time for single participants. Editors only (`lms_activity_for_edit`).

use schulhof_store::lms::activities::{self, ActivityRow, NewActivity};
use schulhof_store::lms::quiz::extensions::{self, Extension};
use schulhof_store::lms::quiz::questions::{self, QuestionWrite};
use schulhof_store::lms::{PersonRow, courses, sections};
use schulhof_store::{AsConn, to_us};
use schulhof_types::{ActivityId, CourseId, InstanceId, SectionId, UserId};
use uuid::Uuid;

use super::engine::{Question, QuestionDraft};
use super::settings::{QuizInput, QuizSettings, check};
use crate::identity::Actor;
use crate::lms::ActivityCtx;
use crate::{DomainError, Platform};

/// A stored question with its id.
#[derive(Clone, Debug)]
pub struct QuizQuestion {
    pub id: Uuid,
    pub question: Question,
}

/// Everything the editor shows.
#[derive(Clone, Debug)]
pub struct QuizEditor {
    pub activity: ActivityRow,
    pub settings: QuizSettings,
    pub questions: Vec<QuizQuestion>,
    pub participants: Vec<PersonRow>,
    pub extensions: Vec<(UserId, Extension)>,
}

/// The questions of a quiz, parsed. A definition the engine cannot read is a bug, not
/// input: it fails loudly rather than grading against half a quiz.
pub(crate) async fn load_questions(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
) -> Result<Vec<QuizQuestion>, DomainError> {
    questions::of_quiz(c, instance, activity)
        .await?
        .into_iter()
        .map(|r| {
            serde_json::from_str(&r.definition)
                .map(|question| QuizQuestion { id: r.id, question })
                .map_err(|e| DomainError::Internal(format!("quiz question {}: {e}", r.id)))
        })
        .collect()
}

fn new_activity<'a>(
    id: ActivityId,
    course: CourseId,
    section: SectionId,
    v: &'a super::settings::CheckedQuiz,
    settings: &'a str,
    now: i64,
) -> NewActivity<'a> {
    NewActivity {
        id,
        course_id: course,
        section_id: section,
        kind: "quiz",
        title: &v.title,
        body: &v.intro,
        url: None,
        transcript: "",
        hidden: v.hidden,
        visible_from: None,
        restricted: false,
        completion: v.completion,
        due_at: v.closes_at,
        settings,
        now,
    }
}

impl Platform {
    /// A quiz the caller edits; `NotFound` for other kinds of activity.
    pub(crate) async fn quiz_for_edit(
        &self,
        a: &Actor,
        id: ActivityId,
    ) -> Result<ActivityCtx, DomainError> {
        let ctx = self.lms_activity_for_edit(a, id).await?;
        if ctx.activity.kind != "quiz" {
            return Err(DomainError::NotFound);
        }
        Ok(ctx)
    }

    /// Adds a quiz at the end of a section of a course the caller edits.
    pub async fn lms_quiz_create(
        &self,
        a: &Actor,
        course: CourseId,
        section: SectionId,
        input: QuizInput,
    ) -> Result<ActivityId, DomainError> {
        self.lms_course_for_edit(a, course).await?;
        let v = check(a, &input)?;
        let instance = a.token.instance();
        let mut tx = self.db.begin().await?;
        let s = sections::get(&mut tx, instance, section).await?;
        if s.is_none_or(|s| s.course_id != course) {
            return Err(DomainError::NotFound);
        }
        let id = ActivityId::new();
        let settings = v.settings.to_json();
        let n = new_activity(id, course, section, &v, &settings, to_us(self.now()));
        activities::insert(&mut tx, instance, &n).await?;
        crate::lms::notify::activity_saved(&mut tx, instance, id, true, n.now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Adds a quiz at the end of a section (its course from the section).
    pub async fn lms_quiz_create_in(
        &self,
        a: &Actor,
        section: SectionId,
        input: QuizInput,
    ) -> Result<ActivityId, DomainError> {
        let course = {
            let mut c = self.db.read().await?;
            sections::get(&mut c, a.token.instance(), section)
                .await?
                .ok_or(DomainError::NotFound)?
                .course_id
        };
        self.lms_quiz_create(a, course, section, input).await
    }

    /// Changes a quiz's title, introduction, completion rule, times and settings.
    pub async fn lms_quiz_update(
        &self,
        a: &Actor,
        id: ActivityId,
        input: QuizInput,
    ) -> Result<(), DomainError> {
        let ctx = self.quiz_for_edit(a, id).await?;
        let v = check(a, &input)?;
        let old = &ctx.activity;
        let settings = v.settings.to_json();
        let mut n = new_activity(
            id,
            old.course_id,
            old.section_id,
            &v,
            &settings,
            to_us(self.now()),
        );
        n.visible_from = old.visible_from;
        n.restricted = old.restricted;
        let mut tx = self.db.begin().await?;
        activities::update(&mut tx, a.token.instance(), &n).await?;
        crate::lms::notify::activity_saved(&mut tx, a.token.instance(), id, false, n.now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The quiz with its questions, participants and extensions, for its editors.
    pub async fn lms_quiz_editor(
        &self,
        a: &Actor,
        id: ActivityId,
    ) -> Result<QuizEditor, DomainError> {
        let ctx = self.quiz_for_edit(a, id).await?;
        let instance = a.token.instance();
        let mut c = self.db.read().await?;
        Ok(QuizEditor {
            settings: QuizSettings::parse(&ctx.activity.settings),
            questions: load_questions(&mut c, instance, id).await?,
            participants: courses::participants(&mut c, instance, ctx.activity.course_id).await?,
            extensions: extensions::of_quiz(&mut c, instance, id).await?,
            activity: ctx.activity,
        })
    }

    /// Adds (`question: None`) or changes a question. Errors name the question's number.
    pub async fn lms_quiz_question_save(
        &self,
        a: &Actor,
        id: ActivityId,
        question: Option<Uuid>,
        draft: &QuestionDraft,
    ) -> Result<Uuid, DomainError> {
        self.quiz_for_edit(a, id).await?;
        let instance = a.token.instance();
        let mut tx = self.db.begin().await?;
        let existing = questions::of_quiz(&mut tx, instance, id).await?;
        let number = match question {
            Some(q) => {
                existing
                    .iter()
                    .position(|r| r.id == q)
                    .ok_or(DomainError::NotFound)?
                    + 1
            }
            None => existing.len() + 1,
        };
        if question.is_none() && existing.len() >= 200 {
            return Err(DomainError::invalid(
                "kind",
                "Höchstens 200 Fragen je Test.",
            ));
        }
        let q = draft.check(number).map_err(|e| DomainError::Invalid {
            field: e.field,
            message: e.to_string(),
        })?;
        let definition =
            serde_json::to_string(&q).map_err(|e| DomainError::Internal(e.to_string()))?;
        let w = QuestionWrite {
            id: question.unwrap_or_else(Uuid::now_v7),
            activity: id,
            kind: q.body.kind().as_str(),
            points: i64::from(q.points),
            definition: &definition,
            now: to_us(self.now()),
        };
        match question {
            Some(_) => {
                questions::update(&mut tx, instance, &w).await?;
            }
            None => questions::insert(&mut tx, instance, &w).await?,
        }
        tx.commit().await?;
        Ok(w.id)
    }

    pub async fn lms_quiz_question_delete(
        &self,
        a: &Actor,
        id: ActivityId,
        question: Uuid,
    ) -> Result<(), DomainError> {
        self.quiz_for_edit(a, id).await?;
        let mut tx = self.db.begin().await?;
        if !questions::delete(&mut tx, a.token.instance(), id, question).await? {
            return Err(DomainError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    /// Moves a question one place up or down.
    pub async fn lms_quiz_question_move(
        &self,
        a: &Actor,
        id: ActivityId,
        question: Uuid,
        up: bool,
    ) -> Result<(), DomainError> {
        self.quiz_for_edit(a, id).await?;
        let instance = a.token.instance();
        let mut tx = self.db.begin().await?;
        let mut ids: Vec<Uuid> = questions::of_quiz(&mut tx, instance, id)
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect();
        let i = ids
            .iter()
            .position(|q| *q == question)
            .ok_or(DomainError::NotFound)?;
        let j = if up {
            i.checked_sub(1)
        } else {
            Some(i + 1).filter(|j| *j < ids.len())
        };
        let Some(j) = j else { return Ok(()) };
        ids.swap(i, j);
        for (pos, q) in ids.iter().enumerate() {
            questions::set_position(&mut tx, instance, id, *q, pos as i64).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Grants a participant more time (or none: withdraws it).
    pub async fn lms_quiz_set_extension(
        &self,
        a: &Actor,
        id: ActivityId,
        user: UserId,
        extension: Option<Extension>,
    ) -> Result<(), DomainError> {
        let ctx = self.quiz_for_edit(a, id).await?;
        if let Some(e) = extension
            && !e.no_limit
            && !(1..=24 * 60).contains(&e.extra_minutes)
        {
            return Err(DomainError::invalid(
                "extra_minutes",
                "Zusätzliche Minuten zwischen 1 und 1440 angeben.",
            ));
        }
        let instance = a.token.instance();
        let mut tx = self.db.begin().await?;
        let people = courses::participants(&mut tx, instance, ctx.activity.course_id).await?;
        if !people.iter().any(|p| p.id == user) {
            return Err(DomainError::NotFound);
        }
        extensions::set(&mut tx, instance, id, user, extension).await?;
        tx.commit().await?;
        Ok(())
    }
}
