//! `/betrieb/wiederherstellung`: the own recovery codes — how many remain, and a new set
//! (shown once, the old codes stop working) after the password is confirmed. A login with a
//! recovery code lands here, so the operator learns at once how many are left.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use schulhof_domain::operators::recovery::CODES_PER_SET;
use schulhof_front::AppState;
use serde::Deserialize;

use super::Operator;
use crate::forms::{Failure, Field, FormView};
use crate::render;

/// The page's path; the login sends an operator who used a code here.
pub const PATH: &str = "/betrieb/wiederherstellung";

/// At or below this many unused codes the page urges a new set.
const FEW: i64 = 3;

#[derive(Template)]
#[template(path = "operator/recovery.html")]
struct RecoveryPage {
    c: crate::layout::Chrome,
    left: i64,
    few: bool,
    status: String,
    /// The new codes, right after they were made (shown this once).
    codes: Vec<String>,
    form: FormView,
}

#[derive(Debug, Default, Deserialize)]
pub struct NewCodesForm {
    #[serde(default)]
    passwort: String,
}

fn render_page(o: &Operator, left: i64, codes: Vec<String>, failure: Option<&Failure>) -> Response {
    let tr = o.page.tr();
    let fields = vec![
        Field::new(tr, "rc-password", "passwort", "op.recovery.password")
            .kind("password")
            .auto("current-password")
            .answers(&["password"])
            .required(),
    ];
    let status = tr
        .t("op.recovery.left")
        .replace("{left}", &left.to_string())
        .replace("{all}", &CODES_PER_SET.to_string());
    let view = RecoveryPage {
        c: o.chrome(tr.t("op.recovery.title")),
        left,
        few: left <= FEW,
        status,
        codes,
        form: FormView::new("recovery", fields, failure),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

/// `GET /betrieb/wiederherstellung`.
pub async fn show(State(state): State<AppState>, o: Operator) -> Response {
    match state.platform.operator_recovery_codes_left(&o.actor).await {
        Ok(left) => render_page(&o, left, Vec::new(), None),
        Err(e) => o.fail(e),
    }
}

/// `POST /betrieb/wiederherstellung`: a new set, shown in the answer and never again.
pub async fn renew(
    State(state): State<AppState>,
    o: Operator,
    Form(f): Form<NewCodesForm>,
) -> Response {
    let p = &state.platform;
    match p
        .operator_new_recovery_codes(&o.actor, &f.passwort, &o.addr)
        .await
    {
        Ok(codes) => render_page(&o, codes.len() as i64, codes, None),
        Err(e) => {
            let failure = Failure::from_domain("recovery", o.page.tr(), &e);
            match p.operator_recovery_codes_left(&o.actor).await {
                Ok(left) => render_page(&o, left, Vec::new(), Some(&failure)),
                Err(e) => o.fail(e),
            }
        }
    }
}
