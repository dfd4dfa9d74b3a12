//! Abuse control, stage 2 (Nutzungsbedingungen 7) on the pages: the Schulleitung asks with
//! purpose, named logins and period after an approved further analysis; a staff council
//! member takes part on `/verwaltung/mail/missbrauch/beteiligung`; after the officer's
//! approval the Schulleitung sees the traffic data of just those logins and that period,
//! and closes the case on the same page with the written result for each person concerned,
//! who is told. The domain decides every step.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::mail::abuse_scope::PersonTraffic;
use schulhof_front::AppState;
use serde::Deserialize;

use super::abuse::{PATH, parse_id, period, period_of, volume};
use crate::auth::Ready;
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::render;
use crate::when::Zone;

pub const COUNCIL: &str = "/verwaltung/mail/missbrauch/beteiligung";

#[derive(Deserialize)]
pub struct ScopeForm {
    /// The stage-1 case this one follows.
    fall: String,
    zweck: String,
    /// Logins, separated by commas, spaces or lines.
    konten: String,
    von: String,
    bis: String,
}

/// The logins of the form's field, in the order given.
fn logins(field: &str) -> Vec<String> {
    field
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `POST /verwaltung/mail/missbrauch/stufe2`: the Schulleitung asks for stage 2.
pub async fn request(
    State(state): State<AppState>,
    r: Ready,
    Form(f): Form<ScopeForm>,
) -> Response {
    let p = &state.platform;
    let asked = async {
        let follows = parse_id(&f.fall).map_err(|_| {
            schulhof_domain::DomainError::invalid(
                "case",
                "stage 2 follows only a further domain analysis, approved after the general notice to the affected circle",
            )
        })?;
        let (from, until) = period_of(Zone::of(&r.actor), p.now(), &f.von, &f.bis)?;
        let scope = logins(&f.konten);
        p.mail_abuse_scope_request(&r.actor, follows, &f.zweck, &scope, from, until)
            .await
    };
    match asked.await {
        Ok(_) => Redirect::to(&format!("{PATH}?ok=abuse_scope_requested")).into_response(),
        Err(e) => r.fail(e),
    }
}

struct Message {
    at: String,
    direction: &'static str,
    sender: String,
    recipient: String,
    subject: String,
    size: String,
}

struct Person {
    login: String,
    /// The name of the field of the written result for this login.
    field: String,
    messages: Vec<Message>,
}

#[derive(Template)]
#[template(path = "mail/abuse_scope.html")]
struct DataPage {
    c: Chrome,
    purpose: String,
    period: String,
    persons: Vec<Person>,
    close: String,
}

fn direction(tr: Tr, d: &str) -> &'static str {
    tr.t(match d {
        "in" => "abuse.dir_in",
        "out" => "abuse.dir_out",
        _ => "abuse.dir_local",
    })
}

fn person(tr: Tr, zone: Zone, p: PersonTraffic) -> Person {
    Person {
        field: format!("{RESULT_FIELD}{}", p.login),
        login: p.login,
        messages: p
            .rows
            .into_iter()
            .map(|m| Message {
                at: zone.datetime(tr, m.at),
                direction: direction(tr, &m.direction),
                sender: m.sender,
                recipient: m.recipient,
                subject: m.subject,
                size: volume(tr, m.size),
            })
            .collect(),
    }
}

/// `GET /verwaltung/mail/missbrauch/stufe2/{id}`: the scope's traffic data (audited).
pub async fn data(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let (tr, zone) = (r.page.tr(), Zone::of(&r.actor));
    let shown = async {
        let id = parse_id(&id)?;
        state.platform.mail_abuse_scope_data(&r.actor, id).await
    };
    let (case, persons) = match shown.await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let view = DataPage {
        c: Chrome::new(&r.page, tr.t("abuse.scope.title")).signed_in(&r.page, &r.actor),
        purpose: case.reason,
        period: period(tr, zone, case.from, case.until),
        persons: persons.into_iter().map(|p| person(tr, zone, p)).collect(),
        close: format!("{PATH}/stufe2/{}/abschliessen", case.id),
    };
    render::ok(&view)
}

/// The form field of the written result for one login.
const RESULT_FIELD: &str = "ergebnis:";

/// `POST /verwaltung/mail/missbrauch/stufe2/{id}/abschliessen`: ends the case with the
/// written result for each person concerned (`ergebnis:<login>`), who is told.
pub async fn close(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let results: Vec<(String, String)> = pairs
        .into_iter()
        .filter_map(|(k, v)| k.strip_prefix(RESULT_FIELD).map(|l| (l.to_owned(), v)))
        .collect();
    let closed = async {
        let id = parse_id(&id)?;
        state
            .platform
            .mail_abuse_scope_close(&r.actor, id, &results)
            .await
    };
    match closed.await {
        Ok(()) => Redirect::to(&format!("{PATH}?ok=abuse_scope_closed")).into_response(),
        Err(e) => r.fail(e),
    }
}

struct Waiting {
    id: String,
    purpose: String,
    period: String,
    asked: String,
    logins: Vec<String>,
}

#[derive(Template)]
#[template(path = "mail/abuse_council.html")]
struct CouncilPage {
    c: Chrome,
    cases: Vec<Waiting>,
}

/// `GET /verwaltung/mail/missbrauch/beteiligung`: the staff council's waiting cases.
pub async fn council(State(state): State<AppState>, r: Ready) -> Response {
    let (tr, zone) = (r.page.tr(), Zone::of(&r.actor));
    let cases = match state.platform.mail_abuse_council_cases(&r.actor).await {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    let view = CouncilPage {
        c: Chrome::new(&r.page, tr.t("abuse.council.title")).signed_in(&r.page, &r.actor),
        cases: cases
            .into_iter()
            .map(|w| Waiting {
                id: w.case.id.to_string(),
                purpose: w.case.reason,
                period: period(tr, zone, w.case.from, w.case.until),
                asked: zone.datetime(tr, w.case.created_at),
                logins: w.logins,
            })
            .collect(),
    };
    render::ok(&view)
}

/// `POST /verwaltung/mail/missbrauch/beteiligung/{id}`: a member takes part.
pub async fn join(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let joined = async {
        let id = parse_id(&id)?;
        state.platform.mail_abuse_scope_join(&r.actor, id).await
    };
    match joined.await {
        Ok(()) => Redirect::to(&format!("{COUNCIL}?ok=abuse_joined")).into_response(),
        Err(e) => r.fail(e),
    }
}
