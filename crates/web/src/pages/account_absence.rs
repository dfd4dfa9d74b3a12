//! `/konto/abwesenheit` "Abwesenheitsnotiz": an automatic reply to mail for a period of
//! days, optionally naming a substitute of the school.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use schulhof_domain::mail::absence::{AbsenceInput, AbsenceNote};
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::layout::Chrome;
use crate::render;
use crate::when::Zone;

#[derive(Template)]
#[template(path = "account/absence.html")]
struct AbsencePage {
    c: Chrome,
    /// The stored note in words (state, period, substitute), when there is one.
    current: Option<Current>,
    form: FormView,
}

struct Current {
    state: &'static str,
    period: String,
    substitute: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct AbsenceForm {
    #[serde(default)]
    von: String,
    #[serde(default)]
    bis: String,
    #[serde(default)]
    betreff: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    vertretung: String,
    /// `speichern` or `entfernen`.
    #[serde(default)]
    aktion: String,
}

fn fields(r: &Ready, f: &AbsenceForm, failure: Option<&Failure>) -> FormView {
    let tr = r.page.tr();
    let fields = vec![
        Field::new(tr, "abs-von", "von", "absence.from")
            .kind("date")
            .value(f.von.trim())
            .required()
            .answers(&["von"]),
        Field::new(tr, "abs-bis", "bis", "absence.until")
            .kind("date")
            .value(f.bis.trim())
            .required()
            .hint(tr, "absence.until_hint")
            .answers(&["ends", "bis"]),
        Field::new(tr, "abs-betreff", "betreff", "absence.subject")
            .value(f.betreff.as_str())
            .required()
            .answers(&["reply_subject"]),
        Field::new(tr, "abs-text", "text", "absence.text")
            .kind("textarea")
            .value(f.text.as_str())
            .required()
            .answers(&["reply_text"]),
        Field::new(tr, "abs-vertretung", "vertretung", "absence.substitute")
            .value(f.vertretung.trim())
            .hint(tr, "absence.substitute_hint")
            .answers(&["substitute"]),
    ];
    FormView::new("absence", fields, failure)
}

/// The form filled with the stored note, or with today and a template text.
fn prefill(r: &Ready, zone: &Zone, note: Option<&AbsenceNote>, today: NaiveDate) -> AbsenceForm {
    let tr = r.page.tr();
    match note {
        Some(n) => AbsenceForm {
            von: zone.today(n.starts).to_string(),
            // The stored end is the first moment after the last day.
            bis: zone
                .today(n.ends - chrono::Duration::microseconds(1))
                .to_string(),
            betreff: n.subject.clone(),
            text: n.body.clone(),
            vertretung: n
                .substitute
                .as_ref()
                .map(|s| s.mail.clone())
                .unwrap_or_default(),
            aktion: String::new(),
        },
        None => AbsenceForm {
            von: today.to_string(),
            bis: today.to_string(),
            betreff: tr.t("absence_reply.default_subject").to_owned(),
            text: tr.t("absence_reply.default_text").to_owned(),
            ..AbsenceForm::default()
        },
    }
}

fn current_of(
    r: &Ready,
    zone: &Zone,
    n: &AbsenceNote,
    now: chrono::DateTime<chrono::Utc>,
) -> Current {
    let tr = r.page.tr();
    let state = if now < n.starts {
        "absence.state_planned"
    } else if now < n.ends {
        "absence.state_active"
    } else {
        "absence.state_over"
    };
    let last = n.ends - chrono::Duration::microseconds(1);
    Current {
        state: tr.t(state),
        period: format!("{} – {}", zone.date(tr, n.starts), zone.date(tr, last)),
        substitute: n
            .substitute
            .as_ref()
            .map(|s| format!("{} <{}>", s.name, s.mail)),
    }
}

async fn render_page(
    state: &AppState,
    r: &Ready,
    input: Option<&AbsenceForm>,
    failure: Option<&Failure>,
) -> Response {
    let tr = r.page.tr();
    let note = match state.platform.my_absence(&r.actor).await {
        Ok(n) => n,
        Err(e) => return r.fail(e),
    };
    let zone = Zone::of(&r.actor);
    let now = state.platform.now();
    let filled;
    let input = match input {
        Some(i) => i,
        None => {
            filled = prefill(r, &zone, note.as_ref(), zone.today(now));
            &filled
        }
    };
    let view = AbsencePage {
        c: Chrome::new(&r.page, tr.t("absence.title")).signed_in(&r.page, &r.actor),
        current: note.as_ref().map(|n| current_of(r, &zone, n, now)),
        form: fields(r, input, failure),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

/// `GET /konto/abwesenheit`
pub async fn show(State(state): State<AppState>, r: Ready) -> Response {
    render_page(&state, &r, None, None).await
}

fn day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// `POST /konto/abwesenheit`: save or remove the note.
pub async fn save(State(state): State<AppState>, r: Ready, Form(f): Form<AbsenceForm>) -> Response {
    let tr = r.page.tr();
    if f.aktion == "entfernen" {
        return match state.platform.clear_my_absence(&r.actor).await {
            Ok(()) => Redirect::to("/konto/abwesenheit?ok=absence_cleared").into_response(),
            Err(e) => r.fail(e),
        };
    }
    let zone = Zone::of(&r.actor);
    let (Some(from), Some(until)) = (day(&f.von), day(&f.bis)) else {
        let field = if day(&f.von).is_none() { "von" } else { "bis" };
        let failure = Failure::local("absence", field, tr.t("absence.bad_date"));
        return render_page(&state, &r, Some(&f), Some(&failure)).await;
    };
    let input = AbsenceInput {
        starts: zone.start_of_day(from),
        ends: zone.end_of_day(until) + chrono::Duration::microseconds(1),
        subject: &f.betreff,
        body: &f.text,
        substitute: Some(f.vertretung.as_str()),
    };
    match state.platform.set_my_absence(&r.actor, &input).await {
        Ok(()) => Redirect::to("/konto/abwesenheit?ok=absence_saved").into_response(),
        Err(e) => {
            let failure = Failure::from_domain("absence", tr, &e);
            render_page(&state, &r, Some(&f), Some(&failure)).await
        }
    }
}
