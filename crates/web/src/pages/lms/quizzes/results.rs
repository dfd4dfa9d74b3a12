//! `GET /kurse/tests/{a}/ergebnisse`: the teacher's results per participant and per
//! question, and the form that grants a participant more time.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use schulhof_domain::lms::quiz::Extension;
use schulhof_front::AppState;
use schulhof_types::{ActivityId, UserId};

use super::{Pairs, checked, done, field, id, points, quiz_href};
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;

pub struct PersonLine {
    pub id: String,
    pub name: String,
    pub attempts: usize,
    pub score: String,
    pub passed: &'static str,
    pub extension: String,
    pub review: Option<String>,
}

pub struct QuestionLine {
    pub number: usize,
    pub prompt: String,
    pub kind: &'static str,
    pub answered: usize,
    pub full: usize,
    pub average: String,
}

#[derive(Template)]
#[template(path = "lms/quizzes/results.html")]
pub struct ResultsPage {
    pub c: Chrome,
    pub id: String,
    pub back: String,
    pub title: String,
    pub finished: usize,
    pub people: Vec<PersonLine>,
    pub questions: Vec<QuestionLine>,
    pub pass: bool,
}

/// `GET /kurse/tests/{a}/ergebnisse`.
pub async fn show(State(state): State<AppState>, r: Ready, Path(a): Path<String>) -> Response {
    let a: ActivityId = match id(&r, &a) {
        Ok(a) => a,
        Err(e) => return e,
    };
    let res = match state.platform.lms_quiz_results(&r.actor, a).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let people = res
        .people
        .iter()
        .map(|p| PersonLine {
            id: p.person.id.0.to_string(),
            name: format!("{} {}", p.person.first_name, p.person.last_name),
            attempts: p.attempts,
            score: match p.counting {
                Some((_, s, m, _)) => tr
                    .t("quiz.score")
                    .replace("{score}", &points(tr, s))
                    .replace("{max}", &points(tr, m)),
                None if p.open => tr.t("quiz.in_progress").to_owned(),
                None => "—".to_owned(),
            },
            passed: match p.counting {
                Some((.., true)) => tr.t("quiz.yes"),
                Some(_) => tr.t("quiz.no"),
                None => "—",
            },
            extension: match p.extension {
                Some(e) if e.no_limit => tr.t("quiz.no_limit").to_owned(),
                Some(e) => format!(
                    "+{}",
                    tr.t("quiz.minutes")
                        .replace("{n}", &e.extra_minutes.to_string())
                ),
                None => String::new(),
            },
            review: p
                .counting
                .map(|(t, ..)| format!("/kurse/tests/versuch/{t}/auswertung")),
        })
        .collect();
    let questions = res
        .questions
        .iter()
        .map(|q| QuestionLine {
            number: q.number,
            prompt: q.prompt.clone(),
            kind: tr.t(&format!("quiz.kind.{}", q.kind.as_str())),
            answered: q.answered,
            full: q.full,
            average: tr
                .t("quiz.score")
                .replace("{score}", &points(tr, i64::from(q.average)))
                .replace("{max}", &points(tr, i64::from(q.max))),
        })
        .collect();
    let view = ResultsPage {
        c: Chrome::new(&r.page, format!("{} – {}", tr.t("quiz.results"), res.title))
            .signed_in(&r.page, &r.actor),
        id: a.to_string(),
        back: quiz_href(a),
        title: res.title,
        finished: res.finished,
        people,
        questions,
        pass: res.settings.pass_percent > 0,
    };
    render::ok(&view)
}

/// `POST /kurse/tests/{a}/verlaengerung`: `person`, `minuten`, `unbegrenzt`; neither
/// minutes nor "no limit" withdraws the extension.
pub async fn extension(
    State(state): State<AppState>,
    r: Ready,
    Path(a): Path<String>,
    Form(f): Form<Pairs>,
) -> Response {
    let a: ActivityId = match id(&r, &a) {
        Ok(a) => a,
        Err(e) => return e,
    };
    let Ok(user) = field(&f, "person").parse::<uuid::Uuid>() else {
        return r.fail(schulhof_domain::DomainError::invalid(
            "person",
            "Bitte eine Person wählen.",
        ));
    };
    let minutes = field(&f, "minuten").trim();
    let ext = if checked(&f, "unbegrenzt") {
        Some(Extension {
            extra_minutes: 0,
            no_limit: true,
        })
    } else if minutes.is_empty() {
        None
    } else {
        Some(Extension {
            extra_minutes: minutes.parse().unwrap_or(0),
            no_limit: false,
        })
    };
    match state
        .platform
        .lms_quiz_set_extension(&r.actor, a, UserId(user), ext)
        .await
    {
        Ok(()) => done(&format!("{}/ergebnisse", quiz_href(a)), "quiz_saved"),
        Err(e) => r.fail(e),
    }
}
