//! `/betrieb/missbrauch`: the data-protection officer decides abuse-control requests of every
//! school (Nutzungsbedingungen 7): stage 1 as soon as the Schulleitung asked, stage 2 once a
//! staff council member took part. Approve or refuse, always with a written reason that the
//! operators' log keeps. The officer sees the request (reason, period, how many accounts),
//! never traffic data. Other operators get what the policy answers them.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_front::AppState;
use serde::Deserialize;

use super::Operator;
use crate::render;
use crate::when::Zone;

pub const PATH: &str = "/betrieb/missbrauch";

struct Row {
    action: String,
    school: String,
    stage: i64,
    /// A further stage-1 analysis, asked after the general notice of an earlier case.
    further: bool,
    accounts: usize,
    reason: String,
    period: String,
    asked: String,
    /// Unique per row: the ids of the reason field and its label.
    n: usize,
}

#[derive(Template)]
#[template(path = "operator/abuse.html")]
struct Page {
    c: crate::layout::Chrome,
    rows: Vec<Row>,
}

/// `GET /betrieb/missbrauch`
pub async fn list(State(state): State<AppState>, o: Operator) -> Response {
    let tr = o.page.tr();
    let waiting = match state.platform.operator_abuse_waiting(&o.actor).await {
        Ok(w) => w,
        Err(e) => return o.fail(e),
    };
    // Operators have no school; the console shows times as the operators' log does.
    let zone = Zone::berlin();
    let rows = waiting
        .into_iter()
        .enumerate()
        .map(|(n, w)| Row {
            action: format!("{PATH}/{}/{}", w.case.school, w.case.id),
            school: w.case.school,
            stage: w.case.stage,
            further: w.case.stage == 1 && w.case.follows.is_some(),
            accounts: w.accounts,
            reason: w.case.reason,
            period: crate::pages::mail::abuse::period(tr, zone, w.case.from, w.case.until),
            asked: zone.datetime(tr, w.case.created_at),
            n,
        })
        .collect();
    render::ok(&Page {
        c: o.chrome(tr.t("op.abuse.title")),
        rows,
    })
}

#[derive(Deserialize)]
pub struct DecideForm {
    entscheidung: String,
    begruendung: String,
}

/// `POST /betrieb/missbrauch/{school}/{id}`: approve or refuse, with a reason.
pub async fn decide(
    State(state): State<AppState>,
    o: Operator,
    Path((school, id)): Path<(String, String)>,
    Form(f): Form<DecideForm>,
) -> Response {
    let decided = async {
        let id: uuid::Uuid = id.parse().map_err(|_| DomainError::NotFound)?;
        let approve = match f.entscheidung.as_str() {
            "zustimmen" => true,
            "ablehnen" => false,
            _ => return Err(DomainError::invalid("decision", "approve or refuse")),
        };
        state
            .platform
            .operator_abuse_decide_with_reason(
                &o.actor,
                &school,
                id,
                approve,
                &f.begruendung,
                &o.addr,
            )
            .await
            .map(|()| approve)
    };
    match decided.await {
        Ok(true) => Redirect::to(&format!("{PATH}?ok=abuse_approved")).into_response(),
        Ok(false) => Redirect::to(&format!("{PATH}?ok=abuse_refused")).into_response(),
        Err(e) => o.fail(e),
    }
}
