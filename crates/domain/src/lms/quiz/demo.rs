//! The demo course's quiz: fractions for class 5a, one question of most kinds, three
//! attempts of 30 minutes (everyone may add 15), correct answers shown after each attempt.

use schulhof_types::{ActivityId, CourseId, SectionId};

use super::engine::QuestionDraft;
use super::settings::{Counts, QuizInput, QuizSettings, Review};
use crate::identity::Actor;
use crate::{DomainError, Platform};

fn q(kind: &str, prompt: &str, points: u32) -> QuestionDraft {
    QuestionDraft {
        kind: kind.into(),
        prompt: prompt.into(),
        points: points.to_string(),
        ..QuestionDraft::default()
    }
}

/// The demo questions (also used by the tests, which answer them).
pub fn demo_questions() -> Vec<QuestionDraft> {
    let mut single = q("single_choice", "Welcher Bruch ist gekürzt gleich 3/4?", 1);
    single.choices = vec![
        ("6/8".into(), true),
        ("4/6".into(), false),
        ("3/5".into(), false),
    ];
    let mut multi = q("multiple_choice", "Welche Brüche sind größer als 1/2?", 2);
    multi.choices = vec![
        ("2/3".into(), true),
        ("3/4".into(), true),
        ("1/3".into(), false),
        ("2/5".into(), false),
    ];
    let mut tf = q("true_false", "2/4 und 1/2 sind gleich groß.", 1);
    tf.correct = Some(true);
    let mut num = q("numeric", "Schreibe 7/2 als Dezimalzahl.", 1);
    num.value = "3,5".into();
    let mut short = q(
        "short_answer",
        "Wie heißt die Zahl unter dem Bruchstrich?",
        1,
    );
    short.accepted = "Nenner".into();
    let mut gaps = q("gap_text", "Ergänze den Satz.", 2);
    gaps.gap_text =
        "Beim Kürzen teilt man Zähler und [[Nenner]] durch die [[gleiche|selbe]] Zahl.".into();
    let mut pairs = q("matching", "Ordne die gleich großen Zahlen zu.", 2);
    pairs.pairs = vec![
        ("1/2".into(), "0,5".into()),
        ("1/4".into(), "0,25".into()),
        ("3/4".into(), "0,75".into()),
    ];
    vec![single, multi, tf, num, short, gaps, pairs]
}

impl Platform {
    /// Adds the demo quiz to `section` of the demo `course`.
    pub async fn seed_demo_quiz(
        &self,
        teacher: &Actor,
        course: CourseId,
        section: SectionId,
    ) -> Result<ActivityId, DomainError> {
        let input = QuizInput {
            title: "Test: Brüche".into(),
            intro: "Sieben kurze Fragen zu Brüchen. Du hast drei Versuche; der beste zählt.".into(),
            completion: "pass".into(),
            settings: QuizSettings {
                attempts: 3,
                time_limit_minutes: 30,
                self_extension_minutes: 15,
                shuffle_answers: true,
                review: Review::AfterAttempt,
                counts: Counts::Best,
                pass_percent: 50,
                ..QuizSettings::default()
            },
            ..QuizInput::default()
        };
        let id = self
            .lms_quiz_create(teacher, course, section, input)
            .await?;
        for d in demo_questions() {
            self.lms_quiz_question_save(teacher, id, None, &d).await?;
        }
        Ok(id)
    }
}
