//! The quiz engine: question definitions, validation of what a teacher enters, grading of
//! answers and the deterministic order of an attempt. Pure: no I/O, no clock, no database —
//! the service around it stores definitions as JSON and answers per attempt.
//!
//! Points are counted in hundredths ("centipoints", `u32`) so partial credit adds up
//! exactly. A question is worth `points` whole points (1–100).
//!
//! Partial credit:
//! - single choice, true/false, short answer, numeric: all or nothing;
//! - multiple choice, [`MultiScoring::Partial`] (the default): every correct option ticked
//!   earns `points / correct options`, every wrong option ticked takes the same share off,
//!   never below 0 — so ticking everything earns nothing when there are at least as many
//!   wrong options as correct ones. [`MultiScoring::AllOrNothing`]: full points only for
//!   exactly the correct set;
//! - matching: `points × right pairs / pairs`;
//! - gap text: `points × right gaps / gaps`.
//!
//! Shares are rounded down, so the sum never exceeds the maximum.

mod grade;
mod shuffle;
mod text;
mod validate;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_kinds;

use serde::{Deserialize, Serialize};

pub use grade::{grade, max_of};
pub use shuffle::{Order, order_for};
pub use text::{parse_number, same_text};
pub use validate::{DraftError, QuestionDraft, check, format_gaps, parse_gaps};

/// The most points one question is worth.
pub const MAX_POINTS: u32 = 100;
/// The most choices, pairs, accepted answers or gaps of one question.
pub const MAX_ITEMS: usize = 20;

/// One question as the teacher defined it; stored as JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub prompt: String,
    /// Whole points (1–[`MAX_POINTS`]).
    pub points: u32,
    pub body: Body,
}

/// What the question asks for, by kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Body {
    /// Exactly one choice is correct.
    SingleChoice {
        choices: Vec<Choice>,
    },
    /// At least one choice is correct.
    MultipleChoice {
        choices: Vec<Choice>,
        scoring: MultiScoring,
    },
    TrueFalse {
        correct: bool,
    },
    /// Any of `accepted` is right; spaces around and inside are evened out, and case is
    /// ignored unless `case_sensitive`.
    ShortAnswer {
        accepted: Vec<String>,
        case_sensitive: bool,
    },
    /// Right when within `tolerance` of `value` (a decimal comma is fine).
    Numeric {
        value: f64,
        tolerance: f64,
    },
    /// Each left item is matched with one right item; the right items are offered shuffled.
    Matching {
        pairs: Vec<Pair>,
    },
    /// A text with gaps, each with its accepted answers.
    GapText {
        parts: Vec<GapPart>,
        case_sensitive: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub text: String,
    pub correct: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MultiScoring {
    #[default]
    Partial,
    AllOrNothing,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pair {
    pub left: String,
    pub right: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GapPart {
    Text(String),
    Gap(Vec<String>),
}

/// The kinds, by their stored name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    SingleChoice,
    MultipleChoice,
    TrueFalse,
    ShortAnswer,
    Numeric,
    Matching,
    GapText,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::SingleChoice,
        Kind::MultipleChoice,
        Kind::TrueFalse,
        Kind::ShortAnswer,
        Kind::Numeric,
        Kind::Matching,
        Kind::GapText,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::SingleChoice => "single_choice",
            Kind::MultipleChoice => "multiple_choice",
            Kind::TrueFalse => "true_false",
            Kind::ShortAnswer => "short_answer",
            Kind::Numeric => "numeric",
            Kind::Matching => "matching",
            Kind::GapText => "gap_text",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl Body {
    pub fn kind(&self) -> Kind {
        match self {
            Body::SingleChoice { .. } => Kind::SingleChoice,
            Body::MultipleChoice { .. } => Kind::MultipleChoice,
            Body::TrueFalse { .. } => Kind::TrueFalse,
            Body::ShortAnswer { .. } => Kind::ShortAnswer,
            Body::Numeric { .. } => Kind::Numeric,
            Body::Matching { .. } => Kind::Matching,
            Body::GapText { .. } => Kind::GapText,
        }
    }

    /// How many gaps a gap text has (0 for other kinds).
    pub fn gap_count(&self) -> usize {
        match self {
            Body::GapText { parts, .. } => parts
                .iter()
                .filter(|p| matches!(p, GapPart::Gap(_)))
                .count(),
            _ => 0,
        }
    }
}

/// A participant's answer to one question. Choices and right items are named by their
/// index in the definition (not in the shuffled order shown), so the order of an attempt
/// never changes what an answer means. An answer of the wrong shape earns nothing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", content = "v", rename_all = "snake_case")]
pub enum Answer {
    Choice(Option<usize>),
    Choices(Vec<usize>),
    Bool(Option<bool>),
    /// Short answer or numeric, as typed.
    Text(String),
    /// Matching: for each left item, the index of the chosen right item.
    Matches(Vec<Option<usize>>),
    Gaps(Vec<String>),
}

impl Answer {
    /// Whether anything was answered at all.
    pub fn is_blank(&self) -> bool {
        match self {
            Answer::Choice(c) => c.is_none(),
            Answer::Choices(c) => c.is_empty(),
            Answer::Bool(b) => b.is_none(),
            Answer::Text(t) => t.trim().is_empty(),
            Answer::Matches(m) => m.iter().all(Option::is_none),
            Answer::Gaps(g) => g.iter().all(|s| s.trim().is_empty()),
        }
    }
}
