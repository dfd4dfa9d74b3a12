//! `GET /kurse/tests/versuch/{t}/auswertung`: a submitted attempt — the score always; each
//! answer beside the correct one and its points when the quiz's review rule allows (for
//! editors always).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use schulhof_domain::lms::quiz::Shown;
use schulhof_domain::lms::quiz::engine::{Answer, Body, GapPart};
use schulhof_front::AppState;
use uuid::Uuid;

use super::{id, points, quiz_href};
use crate::auth::Ready;
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::render;

pub struct Item {
    pub number: usize,
    pub prompt: String,
    pub given: String,
    pub correct: String,
    pub points: String,
    /// "full", "part" or "none".
    pub mark: &'static str,
}

#[derive(Template)]
#[template(path = "lms/quizzes/review.html")]
pub struct ReviewPage {
    pub c: Chrome,
    pub back: String,
    pub title: String,
    pub person: Option<String>,
    pub number: i64,
    pub score: String,
    pub show_answers: bool,
    pub items: Vec<Item>,
}

fn number(tr: Tr, v: f64) -> String {
    let s = v.to_string();
    if tr.0 == schulhof_front::Lang::De {
        s.replace('.', ",")
    } else {
        s
    }
}

fn given(tr: Tr, q: &Shown) -> String {
    let body = &q.question.body;
    let text = match (body, q.answer.as_ref()) {
        (Body::SingleChoice { choices }, Some(Answer::Choice(Some(i)))) => {
            choices.get(*i).map(|c| c.text.clone()).unwrap_or_default()
        }
        (Body::MultipleChoice { choices, .. }, Some(Answer::Choices(xs))) => xs
            .iter()
            .filter_map(|i| choices.get(*i).map(|c| c.text.clone()))
            .collect::<Vec<_>>()
            .join("; "),
        (Body::TrueFalse { .. }, Some(Answer::Bool(Some(b)))) => {
            tr.t(if *b { "quiz.true" } else { "quiz.false" }).to_owned()
        }
        (_, Some(Answer::Text(t))) => t.clone(),
        (Body::Matching { pairs }, Some(Answer::Matches(m))) => pairs
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let r = m.get(i).copied().flatten().and_then(|j| pairs.get(j));
                format!("{} → {}", p.left, r.map_or("—", |r| r.right.as_str()))
            })
            .collect::<Vec<_>>()
            .join("; "),
        (_, Some(Answer::Gaps(g))) => g.join("; "),
        _ => String::new(),
    };
    if text.trim().is_empty() {
        tr.t("quiz.no_answer").to_owned()
    } else {
        text
    }
}

fn correct(tr: Tr, body: &Body) -> String {
    match body {
        Body::SingleChoice { choices } | Body::MultipleChoice { choices, .. } => choices
            .iter()
            .filter(|c| c.correct)
            .map(|c| c.text.clone())
            .collect::<Vec<_>>()
            .join("; "),
        Body::TrueFalse { correct } => tr
            .t(if *correct { "quiz.true" } else { "quiz.false" })
            .to_owned(),
        Body::ShortAnswer { accepted, .. } => accepted.join(" / "),
        Body::Numeric { value, tolerance } if *tolerance > 0.0 => {
            format!("{} ± {}", number(tr, *value), number(tr, *tolerance))
        }
        Body::Numeric { value, .. } => number(tr, *value),
        Body::Matching { pairs } => pairs
            .iter()
            .map(|p| format!("{} → {}", p.left, p.right))
            .collect::<Vec<_>>()
            .join("; "),
        Body::GapText { parts, .. } => parts
            .iter()
            .filter_map(|p| match p {
                GapPart::Gap(a) => Some(a.join(" / ")),
                GapPart::Text(_) => None,
            })
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// `GET /kurse/tests/versuch/{t}/auswertung`.
pub async fn review(State(state): State<AppState>, r: Ready, Path(t): Path<String>) -> Response {
    let t: Uuid = match id(&r, &t) {
        Ok(t) => t,
        Err(e) => return e,
    };
    let v = match state.platform.lms_quiz_review(&r.actor, t).await {
        Ok(v) => v,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let score = match (v.attempt.score, v.attempt.max_score) {
        (Some(s), Some(m)) => tr
            .t("quiz.score")
            .replace("{score}", &points(tr, s))
            .replace("{max}", &points(tr, m)),
        _ => tr.t("quiz.in_progress").to_owned(),
    };
    let items = v
        .questions
        .iter()
        .map(|q| {
            let got = q.points.unwrap_or(0);
            Item {
                number: q.number,
                prompt: q.question.prompt.clone(),
                given: given(tr, q),
                correct: correct(tr, &q.question.body),
                points: tr
                    .t("quiz.score")
                    .replace("{score}", &points(tr, i64::from(got)))
                    .replace("{max}", &points(tr, i64::from(q.max))),
                mark: if got >= q.max {
                    "full"
                } else if got > 0 {
                    "part"
                } else {
                    "none"
                },
            }
        })
        .collect();
    let view = ReviewPage {
        c: Chrome::new(&r.page, v.activity.title.clone()).signed_in(&r.page, &r.actor),
        back: if v.editor {
            format!("{}/ergebnisse", quiz_href(v.activity.id))
        } else {
            quiz_href(v.activity.id)
        },
        person: v.editor.then_some(v.person),
        number: v.attempt.number,
        score,
        show_answers: v.show_answers,
        items,
        title: v.activity.title,
    };
    render::ok(&view)
}
