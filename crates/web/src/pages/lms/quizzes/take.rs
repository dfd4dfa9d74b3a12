//! `GET/POST /kurse/tests/versuch/{t}`: one page with every question of an attempt, in the
//! attempt's order. Each question is a fieldset with its legend; saving keeps the page,
//! submitting grades at once. The timer is told to screen readers politely, and the
//! extension (when offered) is a button of the same form, so no answer is lost taking it.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::lms::quiz::engine::{Answer, Body, GapPart};
use schulhof_domain::lms::quiz::{Answers, AttemptView, Saved, Shown};
use schulhof_front::AppState;
use uuid::Uuid;

use super::{Pairs, done, field, id, quiz_href};
use crate::auth::Ready;
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::render;
use crate::when::Zone;

pub struct Opt {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

pub struct MatchRow {
    pub name: String,
    pub label: String,
    pub options: Vec<Opt>,
}

pub struct GapSeg {
    pub text: String,
    /// Input name, value, number of the gap (1-based).
    pub gap: Option<(String, String, usize)>,
}

/// One question as the form shows it.
pub struct QView {
    pub id: String,
    pub number: usize,
    pub prompt: String,
    pub max: String,
    pub kind: &'static str,
    pub options: Vec<Opt>,
    pub text: String,
    pub rows: Vec<MatchRow>,
    pub gaps: Vec<GapSeg>,
}

#[derive(Template)]
#[template(path = "lms/quizzes/attempt.html")]
pub struct AttemptPage {
    pub c: Chrome,
    pub back: String,
    pub title: String,
    pub number: i64,
    pub action: String,
    pub questions: Vec<QView>,
    /// "Noch 25 Minuten (bis 09:40)".
    pub timer: Option<String>,
    pub deadline_ms: i64,
    /// The timer's text with `{n}` for the minutes (the script counts down).
    pub timer_pattern: String,
    pub extend: Option<String>,
    pub timer_js: String,
}

fn opt(value: String, label: String, checked: bool) -> Opt {
    Opt {
        value,
        label,
        checked,
    }
}

/// The form of one question, with the saved answer filled in.
pub fn question_view(tr: Tr, q: &Shown) -> QView {
    let name = format!("q-{}", q.id);
    let mut v = QView {
        id: q.id.to_string(),
        number: q.number,
        prompt: q.question.prompt.clone(),
        max: super::points_label(tr, i64::from(q.max)),
        kind: q.question.body.kind().as_str(),
        options: Vec::new(),
        text: String::new(),
        rows: Vec::new(),
        gaps: Vec::new(),
    };
    let a = q.answer.as_ref();
    match &q.question.body {
        Body::SingleChoice { choices } | Body::MultipleChoice { choices, .. } => {
            v.options = q
                .items
                .iter()
                .filter_map(|i| {
                    let c = choices.get(*i)?;
                    let on = match a {
                        Some(Answer::Choice(Some(x))) => x == i,
                        Some(Answer::Choices(xs)) => xs.contains(i),
                        _ => false,
                    };
                    Some(opt(i.to_string(), c.text.clone(), on))
                })
                .collect();
        }
        Body::TrueFalse { .. } => {
            let b = match a {
                Some(Answer::Bool(b)) => *b,
                _ => None,
            };
            v.options = vec![
                opt("wahr".into(), tr.t("quiz.true").into(), b == Some(true)),
                opt("falsch".into(), tr.t("quiz.false").into(), b == Some(false)),
            ];
        }
        Body::ShortAnswer { .. } | Body::Numeric { .. } => {
            if let Some(Answer::Text(t)) = a {
                v.text = t.clone();
            }
        }
        Body::Matching { pairs } => v.rows = match_rows(tr, &name, pairs, &q.items, a),
        Body::GapText { parts, .. } => v.gaps = gap_segs(&name, parts, a),
    }
    v
}

fn match_rows(
    tr: Tr,
    name: &str,
    pairs: &[schulhof_domain::lms::quiz::engine::Pair],
    order: &[usize],
    a: Option<&Answer>,
) -> Vec<MatchRow> {
    let chosen = |i: usize| match a {
        Some(Answer::Matches(m)) => m.get(i).copied().flatten(),
        _ => None,
    };
    pairs
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut options = vec![opt(
                String::new(),
                tr.t("quiz.choose").into(),
                chosen(i).is_none(),
            )];
            options.extend(order.iter().filter_map(|j| {
                let r = pairs.get(*j)?;
                Some(opt(j.to_string(), r.right.clone(), chosen(i) == Some(*j)))
            }));
            MatchRow {
                name: format!("{name}-{i}"),
                label: p.left.clone(),
                options,
            }
        })
        .collect()
}

fn gap_segs(name: &str, parts: &[GapPart], a: Option<&Answer>) -> Vec<GapSeg> {
    let mut k = 0;
    parts
        .iter()
        .map(|p| match p {
            GapPart::Text(t) => GapSeg {
                text: t.clone(),
                gap: None,
            },
            GapPart::Gap(_) => {
                let value = match a {
                    Some(Answer::Gaps(g)) => g.get(k).cloned().unwrap_or_default(),
                    _ => String::new(),
                };
                k += 1;
                GapSeg {
                    text: String::new(),
                    gap: Some((format!("{name}-{}", k - 1), value, k)),
                }
            }
        })
        .collect()
}

/// The answers of the form, question by question (blank ones left out).
fn answers_of(v: &AttemptView, f: &Pairs) -> Answers {
    let mut out = Answers::new();
    for q in &v.questions {
        let name = format!("q-{}", q.id);
        let one = field(f, &name);
        let a = match &q.question.body {
            Body::SingleChoice { .. } => Answer::Choice(one.parse().ok()),
            Body::MultipleChoice { .. } => Answer::Choices(
                f.iter()
                    .filter(|(k, _)| *k == name)
                    .filter_map(|(_, v)| v.parse().ok())
                    .collect(),
            ),
            Body::TrueFalse { .. } => Answer::Bool(match one {
                "wahr" => Some(true),
                "falsch" => Some(false),
                _ => None,
            }),
            Body::ShortAnswer { .. } | Body::Numeric { .. } => {
                Answer::Text(one.chars().take(500).collect())
            }
            Body::Matching { pairs } => Answer::Matches(
                (0..pairs.len())
                    .map(|i| field(f, &format!("{name}-{i}")).parse().ok())
                    .collect(),
            ),
            Body::GapText { .. } => Answer::Gaps(
                (0..q.question.body.gap_count())
                    .map(|k| field(f, &format!("{name}-{k}")).chars().take(200).collect())
                    .collect(),
            ),
        };
        if !a.is_blank() {
            out.insert(q.id, a);
        }
    }
    out
}

fn timer(r: &Ready, v: &AttemptView) -> Option<String> {
    let d = v.deadline?;
    let tr = r.page.tr();
    let left = (d - v.now).num_minutes().max(0);
    Some(
        tr.t("quiz.timer")
            .replace("{n}", &left.to_string())
            .replace("{until}", &Zone::of(&r.actor).datetime(tr, d)),
    )
}

fn attempt_id(r: &Ready, t: &str) -> Result<Uuid, Response> {
    id(r, t)
}

/// `GET /kurse/tests/versuch/{t}`.
pub async fn show(State(state): State<AppState>, r: Ready, Path(t): Path<String>) -> Response {
    let t = match attempt_id(&r, &t) {
        Ok(t) => t,
        Err(e) => return e,
    };
    let v = match state.platform.lms_quiz_attempt(&r.actor, t).await {
        Ok(v) => v,
        Err(e) => return r.fail(e),
    };
    if v.closed {
        return Redirect::to(&format!("/kurse/tests/versuch/{t}/auswertung")).into_response();
    }
    let tr = r.page.tr();
    let extend = v.extension.map(|e| {
        if e.no_limit {
            tr.t("quiz.extend.no_limit").to_owned()
        } else {
            tr.t("quiz.extend.minutes")
                .replace("{n}", &e.extra_minutes.to_string())
        }
    });
    let view = AttemptPage {
        c: Chrome::new(&r.page, v.activity.title.clone()).signed_in(&r.page, &r.actor),
        back: quiz_href(v.activity.id),
        number: v.attempt.number,
        action: format!("/kurse/tests/versuch/{t}"),
        questions: v.questions.iter().map(|q| question_view(tr, q)).collect(),
        timer: timer(&r, &v),
        deadline_ms: v.deadline.map_or(0, |d| d.timestamp_millis()),
        timer_pattern: v.deadline.map_or_else(String::new, |d| {
            tr.t("quiz.timer")
                .replace("{until}", &Zone::of(&r.actor).datetime(tr, d))
        }),
        extend,
        timer_js: crate::assets::href("quiz_timer.js"),
        title: v.activity.title,
    };
    render::ok(&view)
}

/// `POST /kurse/tests/versuch/{t}`: `aktion` = speichern, abgeben or verlaengern.
pub async fn save(
    State(state): State<AppState>,
    r: Ready,
    Path(t): Path<String>,
    Form(f): Form<Pairs>,
) -> Response {
    let t = match attempt_id(&r, &t) {
        Ok(t) => t,
        Err(e) => return e,
    };
    let p = &state.platform;
    let v = match p.lms_quiz_attempt(&r.actor, t).await {
        Ok(v) => v,
        Err(e) => return r.fail(e),
    };
    let here = format!("/kurse/tests/versuch/{t}");
    if v.closed {
        return Redirect::to(&format!("{here}/auswertung")).into_response();
    }
    let action = field(&f, "aktion");
    let submit = action == "abgeben";
    let saved = match p
        .lms_quiz_save(&r.actor, t, answers_of(&v, &f), submit)
        .await
    {
        Ok(s) => s,
        Err(e) => return r.fail(e),
    };
    if action == "verlaengern" && saved == Saved::Saved {
        if let Err(e) = p.lms_quiz_extend(&r.actor, t).await {
            return r.fail(e);
        }
        return done(&here, "quiz_extended");
    }
    match saved {
        Saved::Saved => done(&here, "quiz_saved"),
        Saved::Submitted => done(&format!("{here}/auswertung"), "quiz_submitted"),
        Saved::TimeUp => done(&format!("{here}/auswertung"), "quiz_time_up"),
    }
}

/// `POST /kurse/tests/versuch/{t}/verlaengern`: the extension without answers (the
/// attempt page sends it with its answers through `save`).
pub async fn extend(State(state): State<AppState>, r: Ready, Path(t): Path<String>) -> Response {
    let t = match attempt_id(&r, &t) {
        Ok(t) => t,
        Err(e) => return e,
    };
    match state.platform.lms_quiz_extend(&r.actor, t).await {
        Ok(()) => done(&format!("/kurse/tests/versuch/{t}"), "quiz_extended"),
        Err(e) => r.fail(e),
    }
}
