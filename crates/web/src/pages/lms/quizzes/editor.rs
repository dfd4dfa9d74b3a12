//! The quiz editor: `GET/POST /kurse/abschnitte/{s}/tests/neu` (a new quiz) and
//! `GET/POST /kurse/tests/{a}/bearbeiten` (settings, and the questions in their order with
//! edit, move and delete). Plain forms: everything works without JavaScript.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDateTime;
use schulhof_domain::DomainError;
use schulhof_domain::lms::quiz::engine::Kind;
use schulhof_domain::lms::quiz::{Counts, QuizInput, QuizSettings, Review, local_of};
use schulhof_front::AppState;
use schulhof_types::{ActivityId, SectionId};

use super::{Pairs, checked, done, field, form_error, id, quiz_href};
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;

/// A question in the editor's list.
pub struct QLine {
    pub id: String,
    pub number: usize,
    pub kind: &'static str,
    pub prompt: String,
    pub points: String,
    pub first: bool,
    pub last: bool,
}

#[derive(Template)]
#[template(path = "lms/quizzes/quiz_form.html")]
pub struct QuizPage {
    pub c: Chrome,
    pub action: String,
    pub back: String,
    pub heading: String,
    pub f: Values,
    pub error: Option<(&'static str, String)>,
    /// Editing: the quiz's id and its questions.
    pub existing: Option<String>,
    pub questions: Vec<QLine>,
    pub kinds: Vec<(&'static str, &'static str)>,
}

/// The form's values as strings.
#[derive(Default)]
pub struct Values {
    pub title: String,
    pub intro: String,
    pub completion: String,
    pub pass: String,
    pub opens: String,
    pub closes: String,
    pub attempts: String,
    pub time: String,
    pub self_ext: String,
    pub shuffle_q: bool,
    pub shuffle_a: bool,
    pub review: &'static str,
    pub counts: &'static str,
    pub hidden: bool,
}

impl QuizPage {
    /// Whether the error belongs to `name`.
    pub fn err(&self, name: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| *f == name)
            .map(|(_, m)| m.as_str())
    }
}

fn values_of(f: &Pairs) -> Values {
    Values {
        title: field(f, "titel").into(),
        intro: field(f, "einleitung").into(),
        completion: field(f, "abschluss").into(),
        pass: field(f, "bestehen").into(),
        opens: field(f, "ab").into(),
        closes: field(f, "bis").into(),
        attempts: field(f, "versuche").into(),
        time: field(f, "zeit").into(),
        self_ext: field(f, "selbst").into(),
        shuffle_q: checked(f, "fragen_mischen"),
        shuffle_a: checked(f, "antworten_mischen"),
        review: match field(f, "auswertung") {
            "never" => "never",
            "after_attempt" => "after_attempt",
            _ => "after_close",
        },
        counts: if field(f, "zaehlt") == "last" {
            "last"
        } else {
            "best"
        },
        hidden: checked(f, "versteckt"),
    }
}

fn number(v: &str, name: &'static str) -> Result<u32, DomainError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(0);
    }
    v.parse()
        .map_err(|_| DomainError::invalid(name, "Bitte eine ganze Zahl ab 0 angeben."))
}

fn when(v: &str, name: &'static str) -> Result<Option<NaiveDateTime>, DomainError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
        .map(Some)
        .map_err(|_| DomainError::invalid(name, "Bitte Datum und Uhrzeit angeben."))
}

fn input_of(v: &Values) -> Result<QuizInput, DomainError> {
    Ok(QuizInput {
        title: v.title.clone(),
        intro: v.intro.clone(),
        completion: v.completion.clone(),
        opens: when(&v.opens, "opens")?,
        closes: when(&v.closes, "closes")?,
        hidden: v.hidden,
        settings: QuizSettings {
            opens_at: None,
            attempts: number(&v.attempts, "attempts")?,
            time_limit_minutes: number(&v.time, "time_limit")?,
            self_extension_minutes: number(&v.self_ext, "self_extension")?,
            shuffle_questions: v.shuffle_q,
            shuffle_answers: v.shuffle_a,
            review: match v.review {
                "never" => Review::Never,
                "after_attempt" => Review::AfterAttempt,
                _ => Review::AfterClose,
            },
            counts: if v.counts == "last" {
                Counts::Last
            } else {
                Counts::Best
            },
            pass_percent: number(&v.pass, "pass_percent")?,
        },
    })
}

fn page(r: &Ready, action: String, back: String, heading: String, f: Values) -> QuizPage {
    let tr = r.page.tr();
    QuizPage {
        c: Chrome::new(&r.page, heading.clone()).signed_in(&r.page, &r.actor),
        action,
        back,
        heading,
        f,
        error: None,
        existing: None,
        questions: Vec::new(),
        kinds: Kind::ALL
            .iter()
            .map(|k| (k.as_str(), tr.t(&format!("quiz.kind.{}", k.as_str()))))
            .collect(),
    }
}

/// `GET /kurse/abschnitte/{s}/tests/neu`.
pub async fn new_form(r: Ready, Path(s): Path<String>) -> Response {
    let s: SectionId = match id(&r, &s) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let f = Values {
        completion: "submit".into(),
        review: "after_attempt",
        counts: "best",
        ..Values::default()
    };
    let heading = r.page.tr().t("quiz.new").to_owned();
    render::ok(&page(
        &r,
        format!("/kurse/abschnitte/{s}/tests/neu"),
        "/kurse".into(),
        heading,
        f,
    ))
}

/// `POST /kurse/abschnitte/{s}/tests/neu`: creates the quiz, then on to its questions.
pub async fn create(
    State(state): State<AppState>,
    r: Ready,
    Path(s): Path<String>,
    Form(f): Form<Pairs>,
) -> Response {
    let s: SectionId = match id(&r, &s) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let v = values_of(&f);
    let res = match input_of(&v) {
        Ok(i) => state.platform.lms_quiz_create_in(&r.actor, s, i).await,
        Err(e) => Err(e),
    };
    match res {
        Ok(a) => done(&format!("{}/bearbeiten", quiz_href(a)), "quiz_saved"),
        Err(e) => match form_error(&r, e) {
            Ok(err) => {
                let heading = r.page.tr().t("quiz.new").to_owned();
                let mut p = page(
                    &r,
                    format!("/kurse/abschnitte/{s}/tests/neu"),
                    "/kurse".into(),
                    heading,
                    v,
                );
                p.error = Some(err);
                render::html(axum::http::StatusCode::UNPROCESSABLE_ENTITY, &p)
            }
            Err(resp) => resp,
        },
    }
}

async fn edit_page(
    state: &AppState,
    r: &Ready,
    a: ActivityId,
    f: Option<Values>,
) -> Result<QuizPage, Response> {
    let e = state
        .platform
        .lms_quiz_editor(&r.actor, a)
        .await
        .map_err(|e| r.fail(e))?;
    let tr = r.page.tr();
    let local = |us: Option<i64>| {
        us.map(|t| local_of(&r.actor, t).format("%Y-%m-%dT%H:%M").to_string())
            .unwrap_or_default()
    };
    let s = &e.settings;
    let f = f.unwrap_or_else(|| Values {
        title: e.activity.title.clone(),
        intro: e.activity.body.clone(),
        completion: e.activity.completion.clone(),
        pass: s.pass_percent.to_string(),
        opens: local(s.opens_at),
        closes: local(e.activity.due_at),
        attempts: s.attempts.to_string(),
        time: s.time_limit_minutes.to_string(),
        self_ext: s.self_extension_minutes.to_string(),
        shuffle_q: s.shuffle_questions,
        shuffle_a: s.shuffle_answers,
        review: match s.review {
            Review::Never => "never",
            Review::AfterAttempt => "after_attempt",
            Review::AfterClose => "after_close",
        },
        counts: if s.counts == Counts::Last {
            "last"
        } else {
            "best"
        },
        hidden: e.activity.hidden,
    });
    let n = e.questions.len();
    let heading = format!("{}: {}", tr.t("quiz.edit"), e.activity.title);
    let mut p = page(
        r,
        format!("{}/bearbeiten", quiz_href(a)),
        quiz_href(a),
        heading,
        f,
    );
    p.existing = Some(a.to_string());
    p.questions = e
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| QLine {
            id: q.id.to_string(),
            number: i + 1,
            kind: tr.t(&format!("quiz.kind.{}", q.question.body.kind().as_str())),
            prompt: q.question.prompt.clone(),
            points: super::points_label(tr, i64::from(q.question.points) * 100),
            first: i == 0,
            last: i + 1 == n,
        })
        .collect();
    Ok(p)
}

/// `GET /kurse/tests/{a}/bearbeiten`.
pub async fn edit_form(State(state): State<AppState>, r: Ready, Path(a): Path<String>) -> Response {
    let a: ActivityId = match id(&r, &a) {
        Ok(a) => a,
        Err(e) => return e,
    };
    match edit_page(&state, &r, a, None).await {
        Ok(p) => render::ok(&p),
        Err(e) => e,
    }
}

/// `POST /kurse/tests/{a}/bearbeiten`.
pub async fn update(
    State(state): State<AppState>,
    r: Ready,
    Path(a): Path<String>,
    Form(f): Form<Pairs>,
) -> Response {
    let a: ActivityId = match id(&r, &a) {
        Ok(a) => a,
        Err(e) => return e,
    };
    let v = values_of(&f);
    let res = match input_of(&v) {
        Ok(i) => state.platform.lms_quiz_update(&r.actor, a, i).await,
        Err(e) => Err(e),
    };
    match res {
        Ok(()) => {
            Redirect::to(&format!("{}/bearbeiten?ok=quiz_saved", quiz_href(a))).into_response()
        }
        Err(e) => {
            let err = match form_error(&r, e) {
                Ok(err) => err,
                Err(resp) => return resp,
            };
            match edit_page(&state, &r, a, Some(v)).await {
                Ok(mut p) => {
                    p.error = Some(err);
                    render::html(axum::http::StatusCode::UNPROCESSABLE_ENTITY, &p)
                }
                Err(resp) => resp,
            }
        }
    }
}
