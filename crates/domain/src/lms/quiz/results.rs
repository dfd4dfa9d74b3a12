//! The teacher's results: per participant (the attempt that counts) and per question
//! (how the counting attempts did). Four statements whatever the class size.

use std::collections::{BTreeMap, HashMap};

use schulhof_store::lms::quiz::attempts::{self, AttemptRow};
use schulhof_store::lms::quiz::extensions::{self, Extension};
use schulhof_store::lms::{PersonRow, courses};
use schulhof_store::to_us;
use schulhof_types::{ActivityId, UserId};
use uuid::Uuid;

use super::attempt::{counting, passed};
use super::edit::QuizQuestion;
use super::engine::{Kind, max_of};
use super::settings::QuizSettings;
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// One participant's line.
#[derive(Clone, Debug)]
pub struct PersonResult {
    pub person: PersonRow,
    pub attempts: usize,
    /// An attempt is running.
    pub open: bool,
    /// The counting attempt: id, score and maximum (hundredths), passed.
    pub counting: Option<(Uuid, i64, i64, bool)>,
    pub extension: Option<Extension>,
}

/// How one question went in the counting attempts.
#[derive(Clone, Debug)]
pub struct QuestionResult {
    pub number: usize,
    pub prompt: String,
    pub kind: Kind,
    /// Hundredths.
    pub max: u32,
    /// Counting attempts that answered it.
    pub answered: usize,
    /// …with full points.
    pub full: usize,
    /// Average hundredths over all counting attempts.
    pub average: u32,
}

#[derive(Clone, Debug)]
pub struct QuizResults {
    pub title: String,
    pub settings: QuizSettings,
    pub people: Vec<PersonResult>,
    pub questions: Vec<QuestionResult>,
    /// How many participants have a counting attempt.
    pub finished: usize,
}

fn per_question(questions: &[QuizQuestion], counted: &[&AttemptRow]) -> Vec<QuestionResult> {
    let graded: Vec<(BTreeMap<Uuid, u32>, BTreeMap<Uuid, serde_json::Value>)> = counted
        .iter()
        .map(|a| {
            let p = a
                .points
                .as_deref()
                .and_then(|p| serde_json::from_str(p).ok());
            let ans = serde_json::from_str(&a.answers).ok();
            (p.unwrap_or_default(), ans.unwrap_or_default())
        })
        .collect();
    questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let max = max_of(&q.question);
            let got: Vec<u32> = graded
                .iter()
                .map(|(p, _)| p.get(&q.id).copied().unwrap_or(0))
                .collect();
            let total: u64 = got.iter().map(|g| u64::from(*g)).sum();
            QuestionResult {
                number: i + 1,
                prompt: q.question.prompt.clone(),
                kind: q.question.body.kind(),
                max,
                answered: graded.iter().filter(|(_, a)| a.contains_key(&q.id)).count(),
                full: got.iter().filter(|g| **g >= max).count(),
                average: if got.is_empty() {
                    0
                } else {
                    (total / got.len() as u64) as u32
                },
            }
        })
        .collect()
}

impl Platform {
    /// Results of a quiz for its editors. Attempts whose time ran out are closed first.
    pub async fn lms_quiz_results(
        &self,
        a: &Actor,
        id: ActivityId,
    ) -> Result<QuizResults, DomainError> {
        let ctx = self.quiz_for_edit(a, id).await?;
        let (instance, now) = (a.token.instance(), to_us(self.now()));
        let s = QuizSettings::parse(&ctx.activity.settings);
        let mut tx = self.db.begin().await?;
        self.close_overdue(&mut tx, instance, &ctx.activity, None, now)
            .await?;
        tx.commit().await?;
        let mut c = self.db.read().await?;
        let people = courses::participants(&mut c, instance, ctx.activity.course_id).await?;
        let all = attempts::of_quiz(&mut c, instance, id).await?;
        let questions = super::edit::load_questions(&mut c, instance, id).await?;
        let ext: HashMap<UserId, Extension> = extensions::of_quiz(&mut c, instance, id)
            .await?
            .into_iter()
            .collect();
        let mut by_person: HashMap<UserId, Vec<AttemptRow>> = HashMap::new();
        for at in all {
            by_person.entry(at.user_id).or_default().push(at);
        }
        let empty = Vec::new();
        let mut counted = Vec::new();
        let people: Vec<PersonResult> = people
            .into_iter()
            .map(|p| {
                let mine = by_person.get(&p.id).unwrap_or(&empty);
                let c = counting(mine, s.counts);
                if let Some(c) = c {
                    counted.push(c);
                }
                PersonResult {
                    attempts: mine.len(),
                    open: mine.iter().any(|a| a.submitted_at.is_none()),
                    counting: c.map(|c| {
                        (
                            c.id,
                            c.score.unwrap_or(0),
                            c.max_score.unwrap_or(0),
                            passed(c, s.pass_percent),
                        )
                    }),
                    extension: ext.get(&p.id).copied(),
                    person: p,
                }
            })
            .collect();
        Ok(QuizResults {
            title: ctx.activity.title.clone(),
            finished: counted.len(),
            questions: per_question(&questions, &counted),
            people,
            settings: s,
        })
    }
}
