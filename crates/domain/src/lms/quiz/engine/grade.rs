//! Grading one answer: the points it earns, in hundredths, never more than the maximum.

use super::text::{parse_number, same_text};
use super::{Answer, Body, GapPart, MultiScoring, Question};

/// The most a question earns, in hundredths of a point.
pub fn max_of(q: &Question) -> u32 {
    q.points.saturating_mul(100)
}

/// `max × num / den`, rounded down; 0 when `den` is 0.
fn share(max: u32, num: usize, den: usize) -> u32 {
    if den == 0 {
        return 0;
    }
    let v = u64::from(max) * (num.min(den) as u64) / den as u64;
    u32::try_from(v).unwrap_or(max)
}

fn all_or_nothing(max: u32, right: bool) -> u32 {
    if right { max } else { 0 }
}

/// The points `answer` earns for `q`, in hundredths (see the module's rules). Blank,
/// malformed or mismatched answers earn 0.
pub fn grade(q: &Question, answer: Option<&Answer>) -> u32 {
    let max = max_of(q);
    let Some(answer) = answer else { return 0 };
    match (&q.body, answer) {
        (Body::SingleChoice { choices }, Answer::Choice(Some(i))) => {
            all_or_nothing(max, choices.get(*i).is_some_and(|c| c.correct))
        }
        (Body::MultipleChoice { choices, scoring }, Answer::Choices(picked)) => multiple(
            max,
            choices.iter().map(|c| c.correct).collect(),
            picked,
            *scoring,
        ),
        (Body::TrueFalse { correct }, Answer::Bool(Some(b))) => all_or_nothing(max, b == correct),
        (
            Body::ShortAnswer {
                accepted,
                case_sensitive,
            },
            Answer::Text(t),
        ) => all_or_nothing(
            max,
            accepted.iter().any(|a| same_text(t, a, *case_sensitive)),
        ),
        (Body::Numeric { value, tolerance }, Answer::Text(t)) => {
            all_or_nothing(max, numeric_right(*value, *tolerance, t))
        }
        (Body::Matching { pairs }, Answer::Matches(m)) => {
            let right = (0..pairs.len())
                .filter(|i| m.get(*i).copied().flatten() == Some(*i))
                .count();
            share(max, right, pairs.len())
        }
        (
            Body::GapText {
                parts,
                case_sensitive,
            },
            Answer::Gaps(typed),
        ) => gaps(max, parts, typed, *case_sensitive),
        _ => 0,
    }
}

/// Whether a typed number lies within the tolerance (plus a little for binary fractions:
/// 0.1 + 0.2 must count as 0.3).
pub(crate) fn numeric_right(value: f64, tolerance: f64, typed: &str) -> bool {
    let Some(v) = parse_number(typed) else {
        return false;
    };
    let slack = 1e-9 * value.abs().max(1.0);
    (v - value).abs() <= tolerance.abs() + slack
}

fn multiple(max: u32, correct: Vec<bool>, picked: &[usize], scoring: MultiScoring) -> u32 {
    let mut ticked = vec![false; correct.len()];
    for i in picked {
        if let Some(t) = ticked.get_mut(*i) {
            *t = true;
        }
    }
    let n_correct = correct.iter().filter(|c| **c).count();
    let hits = correct
        .iter()
        .zip(&ticked)
        .filter(|(c, t)| **c && **t)
        .count();
    let misses = correct
        .iter()
        .zip(&ticked)
        .filter(|(c, t)| !**c && **t)
        .count();
    match scoring {
        MultiScoring::AllOrNothing => all_or_nothing(max, n_correct > 0 && correct == ticked),
        MultiScoring::Partial => share(max, hits.saturating_sub(misses), n_correct),
    }
}

fn gaps(max: u32, parts: &[GapPart], typed: &[String], case_sensitive: bool) -> u32 {
    let mut total = 0;
    let mut right = 0;
    for accepted in parts.iter().filter_map(|p| match p {
        GapPart::Gap(a) => Some(a),
        GapPart::Text(_) => None,
    }) {
        let t = typed.get(total).map(String::as_str).unwrap_or("");
        if accepted.iter().any(|a| same_text(t, a, case_sensitive)) {
            right += 1;
        }
        total += 1;
    }
    share(max, right, total)
}
