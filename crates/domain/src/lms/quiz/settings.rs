//! A quiz's settings (the activity's `settings` JSON) and the editor's form of them.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::identity::Actor;

/// Which submitted attempt counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Counts {
    #[default]
    Best,
    Last,
}

/// When a participant sees the correct answers of a submitted attempt (the score is always
/// shown).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Review {
    Never,
    AfterAttempt,
    #[default]
    AfterClose,
}

/// Stored in `lms_activities.settings`; the close time is the activity's `due_at`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuizSettings {
    /// Unix µs: attempts start from then on.
    pub opens_at: Option<i64>,
    /// 0: as many as wanted.
    pub attempts: u32,
    /// 0: no time limit.
    pub time_limit_minutes: u32,
    /// Minutes every participant may add once per attempt (0: only granted extensions).
    pub self_extension_minutes: u32,
    pub shuffle_questions: bool,
    pub shuffle_answers: bool,
    pub review: Review,
    pub counts: Counts,
    /// For completion 'pass': the share of points needed, in percent.
    pub pass_percent: u32,
}

impl QuizSettings {
    /// Reads stored settings; unreadable ones fall back to the defaults.
    pub fn parse(json: &str) -> QuizSettings {
        serde_json::from_str(json).unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }
}

/// The quiz form. Times are the school's local time.
#[derive(Clone, Debug, Default)]
pub struct QuizInput {
    pub title: String,
    /// Plain text shown above the questions.
    pub intro: String,
    /// 'none', 'submit', 'grade' or 'pass'.
    pub completion: String,
    pub opens: Option<NaiveDateTime>,
    pub closes: Option<NaiveDateTime>,
    pub hidden: bool,
    pub settings: QuizSettings,
}

/// The checked form: what the activity row gets.
pub(crate) struct CheckedQuiz {
    pub title: String,
    pub intro: String,
    pub completion: &'static str,
    pub closes_at: Option<i64>,
    pub hidden: bool,
    pub settings: QuizSettings,
}

fn local(a: &Actor, t: NaiveDateTime, field: &'static str) -> Result<i64, DomainError> {
    a.time_zone
        .from_local_datetime(&t)
        .earliest()
        .map(|t| schulhof_store::to_us(t.with_timezone(&Utc)))
        .ok_or_else(|| DomainError::invalid(field, "Diese Uhrzeit gibt es an dem Tag nicht."))
}

/// A stored time as the school's local time (for the form).
pub fn local_of(a: &Actor, us: i64) -> NaiveDateTime {
    let t: DateTime<Utc> = schulhof_store::from_us(us);
    t.with_timezone(&a.time_zone).naive_local()
}

pub(crate) fn check(a: &Actor, input: &QuizInput) -> Result<CheckedQuiz, DomainError> {
    let title = input.title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(DomainError::invalid(
            "title",
            "Einen Titel angeben (höchstens 200 Zeichen).",
        ));
    }
    if input.intro.chars().count() > 10_000 {
        return Err(DomainError::invalid("intro", "Die Einleitung ist zu lang."));
    }
    let completion = match input.completion.as_str() {
        "none" | "" => "none",
        "submit" => "submit",
        "grade" => "grade",
        "pass" => "pass",
        _ => {
            return Err(DomainError::invalid(
                "completion",
                "Unbekannte Art des Abschlusses.",
            ));
        }
    };
    let s = &input.settings;
    if s.attempts > 100 || s.time_limit_minutes > 24 * 60 || s.self_extension_minutes > 24 * 60 {
        return Err(DomainError::invalid(
            "attempts",
            "Versuche höchstens 100, Zeiten höchstens 24 Stunden.",
        ));
    }
    if s.pass_percent > 100 || (completion == "pass" && s.pass_percent == 0) {
        return Err(DomainError::invalid(
            "pass_percent",
            "Bestehensgrenze zwischen 1 und 100 Prozent angeben.",
        ));
    }
    let mut settings = s.clone();
    settings.opens_at = input.opens.map(|t| local(a, t, "opens")).transpose()?;
    let closes_at = input.closes.map(|t| local(a, t, "closes")).transpose()?;
    if let (Some(o), Some(c)) = (settings.opens_at, closes_at)
        && c <= o
    {
        return Err(DomainError::invalid(
            "closes",
            "Das Ende muss nach dem Beginn liegen.",
        ));
    }
    Ok(CheckedQuiz {
        title,
        intro: input.intro.trim().to_owned(),
        completion,
        closes_at,
        hidden: input.hidden,
        settings,
    })
}
