//! `GET/POST /kurse/tests/{a}/fragen/neu?art=…` and `/kurse/tests/{a}/fragen/{q}`: the form
//! of one question, per kind; moving and deleting questions.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use schulhof_domain::lms::quiz::engine::{Kind, QuestionDraft};
use schulhof_front::AppState;
use schulhof_types::ActivityId;
use serde::Deserialize;
use uuid::Uuid;

use super::{Pairs, checked, done, field, form_error, id, quiz_href};
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;

#[derive(Template)]
#[template(path = "lms/quizzes/question_form.html")]
pub struct QuestionPage {
    pub c: Chrome,
    pub action: String,
    pub back: String,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub d: QuestionDraft,
    /// Rows of choices or pairs to show (filled ones and some empty).
    pub rows: Vec<usize>,
    pub error: Option<(&'static str, String)>,
}

impl QuestionPage {
    pub fn err(&self, name: &str) -> bool {
        self.error.as_ref().is_some_and(|(f, _)| *f == name)
    }
    pub fn choice(&self, i: &usize) -> (&str, bool) {
        self.d
            .choices
            .get(*i)
            .map_or(("", false), |(t, c)| (t.as_str(), *c))
    }
    pub fn pair(&self, i: &usize) -> (&str, &str) {
        self.d
            .pairs
            .get(*i)
            .map_or(("", ""), |(l, r)| (l.as_str(), r.as_str()))
    }
}

fn draft_of(kind: Kind, f: &Pairs) -> QuestionDraft {
    let single = kind == Kind::SingleChoice;
    QuestionDraft {
        kind: kind.as_str().into(),
        prompt: field(f, "frage").into(),
        points: field(f, "punkte").into(),
        choices: (0..20)
            .map(|i| {
                let right = if single {
                    field(f, "richtig") == i.to_string()
                } else {
                    checked(f, &format!("richtig-{i}"))
                };
                (field(f, &format!("antwort-{i}")).to_owned(), right)
            })
            .filter(|(t, _)| !t.trim().is_empty())
            .collect(),
        all_or_nothing: checked(f, "alles_oder_nichts"),
        correct: match field(f, "richtig") {
            "wahr" => Some(true),
            "falsch" => Some(false),
            _ => None,
        },
        accepted: field(f, "antworten").into(),
        case_sensitive: checked(f, "gross_klein"),
        value: field(f, "wert").into(),
        tolerance: field(f, "toleranz").into(),
        pairs: (0..20)
            .map(|i| {
                (
                    field(f, &format!("links-{i}")).to_owned(),
                    field(f, &format!("rechts-{i}")).to_owned(),
                )
            })
            .filter(|(l, r)| !(l.trim().is_empty() && r.trim().is_empty()))
            .collect(),
        gap_text: field(f, "lueckentext").into(),
    }
}

fn page(r: &Ready, a: ActivityId, action: String, kind: Kind, d: QuestionDraft) -> QuestionPage {
    let tr = r.page.tr();
    let filled = d.choices.len().max(d.pairs.len());
    let n = (filled + 2).clamp(4, 20);
    QuestionPage {
        c: Chrome::new(&r.page, tr.t("quiz.question.edit")).signed_in(&r.page, &r.actor),
        action,
        back: format!("{}/bearbeiten", quiz_href(a)),
        kind: kind.as_str(),
        kind_label: tr.t(&format!("quiz.kind.{}", kind.as_str())),
        d,
        rows: (0..n).collect(),
        error: None,
    }
}

#[derive(Deserialize)]
pub struct KindQuery {
    art: Option<String>,
}

fn kind_of(r: &Ready, s: Option<&str>) -> Result<Kind, Response> {
    s.and_then(Kind::parse)
        .ok_or_else(|| r.fail(schulhof_domain::DomainError::NotFound))
}

/// `GET /kurse/tests/{a}/fragen/neu?art=single_choice`.
pub async fn new_form(
    State(state): State<AppState>,
    r: Ready,
    Path(a): Path<String>,
    Query(q): Query<KindQuery>,
) -> Response {
    let a: ActivityId = match id(&r, &a) {
        Ok(a) => a,
        Err(e) => return e,
    };
    let kind = match kind_of(&r, q.art.as_deref()) {
        Ok(k) => k,
        Err(e) => return e,
    };
    // Only editors reach the form.
    if let Err(e) = state.platform.lms_quiz_editor(&r.actor, a).await {
        return r.fail(e);
    }
    let d = QuestionDraft {
        kind: kind.as_str().into(),
        points: "1".into(),
        ..QuestionDraft::default()
    };
    let action = format!("{}/fragen/neu?art={}", quiz_href(a), kind.as_str());
    render::ok(&page(&r, a, action, kind, d))
}

async fn save(
    state: &AppState,
    r: &Ready,
    a: ActivityId,
    q: Option<Uuid>,
    kind: Kind,
    f: &Pairs,
    action: String,
) -> Response {
    let d = draft_of(kind, f);
    match state
        .platform
        .lms_quiz_question_save(&r.actor, a, q, &d)
        .await
    {
        Ok(_) => done(&format!("{}/bearbeiten", quiz_href(a)), "quiz_saved"),
        Err(e) => match form_error(r, e) {
            Ok(err) => {
                let mut p = page(r, a, action, kind, d);
                p.error = Some(err);
                render::html(axum::http::StatusCode::UNPROCESSABLE_ENTITY, &p)
            }
            Err(resp) => resp,
        },
    }
}

/// `POST /kurse/tests/{a}/fragen/neu?art=…`.
pub async fn create(
    State(state): State<AppState>,
    r: Ready,
    Path(a): Path<String>,
    Query(q): Query<KindQuery>,
    Form(f): Form<Pairs>,
) -> Response {
    let a: ActivityId = match id(&r, &a) {
        Ok(a) => a,
        Err(e) => return e,
    };
    let kind = match kind_of(&r, q.art.as_deref()) {
        Ok(k) => k,
        Err(e) => return e,
    };
    let action = format!("{}/fragen/neu?art={}", quiz_href(a), kind.as_str());
    save(&state, &r, a, None, kind, &f, action).await
}

/// `GET /kurse/tests/{a}/fragen/{q}`.
pub async fn edit_form(
    State(state): State<AppState>,
    r: Ready,
    Path((a, q)): Path<(String, String)>,
) -> Response {
    let (a, q): (ActivityId, Uuid) = match (id(&r, &a), id(&r, &q)) {
        (Ok(a), Ok(q)) => (a, q),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let e = match state.platform.lms_quiz_editor(&r.actor, a).await {
        Ok(e) => e,
        Err(e) => return r.fail(e),
    };
    let Some(found) = e.questions.iter().find(|x| x.id == q) else {
        return r.fail(schulhof_domain::DomainError::NotFound);
    };
    let kind = found.question.body.kind();
    let d = QuestionDraft::of(&found.question);
    render::ok(&page(
        &r,
        a,
        format!("{}/fragen/{q}", quiz_href(a)),
        kind,
        d,
    ))
}

/// `POST /kurse/tests/{a}/fragen/{q}`.
pub async fn update(
    State(state): State<AppState>,
    r: Ready,
    Path((a, q)): Path<(String, String)>,
    Form(f): Form<Pairs>,
) -> Response {
    let (a, q): (ActivityId, Uuid) = match (id(&r, &a), id(&r, &q)) {
        (Ok(a), Ok(q)) => (a, q),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let kind = match kind_of(&r, Some(field(&f, "art"))) {
        Ok(k) => k,
        Err(e) => return e,
    };
    save(
        &state,
        &r,
        a,
        Some(q),
        kind,
        &f,
        format!("{}/fragen/{q}", quiz_href(a)),
    )
    .await
}

/// `POST /kurse/tests/{a}/fragen/{q}/verschieben` (`richtung` = hoch/runter).
pub async fn move_it(
    State(state): State<AppState>,
    r: Ready,
    Path((a, q)): Path<(String, String)>,
    Form(f): Form<Pairs>,
) -> Response {
    let (a, q): (ActivityId, Uuid) = match (id(&r, &a), id(&r, &q)) {
        (Ok(a), Ok(q)) => (a, q),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let up = field(&f, "richtung") == "hoch";
    match state
        .platform
        .lms_quiz_question_move(&r.actor, a, q, up)
        .await
    {
        Ok(()) => done(&format!("{}/bearbeiten", quiz_href(a)), "quiz_saved"),
        Err(e) => r.fail(e),
    }
}

/// `POST /kurse/tests/{a}/fragen/{q}/loeschen`.
pub async fn delete(
    State(state): State<AppState>,
    r: Ready,
    Path((a, q)): Path<(String, String)>,
) -> Response {
    let (a, q): (ActivityId, Uuid) = match (id(&r, &a), id(&r, &q)) {
        (Ok(a), Ok(q)) => (a, q),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    match state
        .platform
        .lms_quiz_question_delete(&r.actor, a, q)
        .await
    {
        Ok(()) => done(&format!("{}/bearbeiten", quiz_href(a)), "quiz_deleted"),
        Err(e) => r.fail(e),
    }
}
