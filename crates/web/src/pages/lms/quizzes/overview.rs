//! `GET /kurse/tests/{a}`: the quiz page — what it asks, when it is open, the caller's
//! attempts and the score that counts; the start button. Editors get their links here.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::lms::quiz::{Counts, QuizOverview, Review, Window};
use schulhof_front::AppState;
use schulhof_types::ActivityId;

use super::{id, points};
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::pages::lms::course::course_href;
use crate::render;
use crate::when::Zone;

pub struct Line {
    pub number: i64,
    pub started: String,
    pub state: String,
    pub review: Option<String>,
}

#[derive(Template)]
#[template(path = "lms/quizzes/overview.html")]
pub struct OverviewPage {
    pub c: Chrome,
    pub id: String,
    pub back: String,
    pub title: String,
    pub intro: String,
    pub facts: Vec<(&'static str, String)>,
    pub status: Option<&'static str>,
    pub editor: bool,
    pub may_start: bool,
    pub resume: Option<String>,
    pub lines: Vec<Line>,
    pub counting: Option<String>,
}

fn facts(r: &Ready, o: &QuizOverview) -> Vec<(&'static str, String)> {
    let tr = r.page.tr();
    let zone = Zone::of(&r.actor);
    let s = &o.settings;
    let when = |us: i64| zone.datetime(tr, schulhof_store_time(us));
    let mut f = vec![
        ("quiz.fact.questions", o.questions.to_string()),
        ("quiz.fact.points", points(tr, i64::from(o.max_points))),
        (
            "quiz.fact.attempts",
            if s.attempts == 0 {
                tr.t("quiz.unlimited").to_owned()
            } else {
                s.attempts.to_string()
            },
        ),
        (
            "quiz.fact.time",
            if s.time_limit_minutes == 0 {
                tr.t("quiz.no_limit").to_owned()
            } else {
                tr.t("quiz.minutes")
                    .replace("{n}", &s.time_limit_minutes.to_string())
            },
        ),
    ];
    if let Some(o) = s.opens_at {
        f.push(("quiz.fact.opens", when(o)));
    }
    if let Some(c) = o.activity.due_at {
        f.push(("quiz.fact.closes", when(c)));
    }
    f.push((
        "quiz.fact.counts",
        tr.t(match s.counts {
            Counts::Best => "quiz.counts.best",
            Counts::Last => "quiz.counts.last",
        })
        .to_owned(),
    ));
    f.push((
        "quiz.fact.review",
        tr.t(match s.review {
            Review::Never => "quiz.review.never",
            Review::AfterAttempt => "quiz.review.after_attempt",
            Review::AfterClose => "quiz.review.after_close",
        })
        .to_owned(),
    ));
    if o.activity.completion == "pass" {
        f.push(("quiz.fact.pass", format!("{} %", s.pass_percent)));
    }
    f
}

fn schulhof_store_time(us: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_micros(us).unwrap_or_default()
}

fn lines(r: &Ready, o: &QuizOverview) -> Vec<Line> {
    let tr = r.page.tr();
    let zone = Zone::of(&r.actor);
    o.attempts
        .iter()
        .map(|a| Line {
            number: a.number,
            started: zone.datetime(tr, a.started),
            state: match (a.submitted, a.score, a.max) {
                (Some(_), Some(s), Some(m)) => tr
                    .t("quiz.score")
                    .replace("{score}", &points(tr, s))
                    .replace("{max}", &points(tr, m)),
                _ => tr.t("quiz.in_progress").to_owned(),
            },
            review: a
                .submitted
                .map(|_| format!("/kurse/tests/versuch/{}/auswertung", a.id)),
        })
        .collect()
}

/// `GET /kurse/tests/{a}`.
pub async fn show(State(state): State<AppState>, r: Ready, Path(a): Path<String>) -> Response {
    let a: ActivityId = match id(&r, &a) {
        Ok(a) => a,
        Err(e) => return e,
    };
    let o = match state.platform.lms_quiz_overview(&r.actor, a).await {
        Ok(o) => o,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let counting = o.counting.and_then(|(cid, passed)| {
        let l = o.attempts.iter().find(|l| l.id == cid)?;
        let mut t = tr
            .t("quiz.counting")
            .replace("{n}", &l.number.to_string())
            .replace("{score}", &points(tr, l.score.unwrap_or(0)))
            .replace("{max}", &points(tr, l.max.unwrap_or(0)));
        if o.activity.completion == "pass" {
            t.push_str(tr.t(if passed {
                "quiz.passed"
            } else {
                "quiz.not_passed"
            }));
        }
        Some(t)
    });
    let view = OverviewPage {
        c: Chrome::new(&r.page, o.activity.title.clone()).signed_in(&r.page, &r.actor),
        id: a.to_string(),
        back: course_href(o.activity.course_id),
        facts: facts(&r, &o),
        status: match o.window {
            Window::NotYetOpen => Some("quiz.not_open"),
            Window::Closed => Some("quiz.closed"),
            Window::Open => None,
        },
        editor: o.editor,
        may_start: o.may_start,
        resume: o.open_attempt.map(|t| format!("/kurse/tests/versuch/{t}")),
        lines: lines(&r, &o),
        counting,
        title: o.activity.title,
        intro: o.activity.body,
    };
    render::ok(&view)
}

/// `POST /kurse/tests/{a}/starten`: a new attempt (or the open one).
pub async fn start(State(state): State<AppState>, r: Ready, Path(a): Path<String>) -> Response {
    let a: ActivityId = match id(&r, &a) {
        Ok(a) => a,
        Err(e) => return e,
    };
    match state.platform.lms_quiz_start(&r.actor, a).await {
        Ok(t) => Redirect::to(&format!("/kurse/tests/versuch/{t}")).into_response(),
        Err(e) => r.fail(e),
    }
}
