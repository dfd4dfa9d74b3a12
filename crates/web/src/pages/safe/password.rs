//! `/safe/passwort`: with the Safe open, its owner replaces the Safe password (say, the one
//! the Schulleitung generated) by one of their own. Locked, the page leads to the Safe's door
//! first: only who knows the current Safe password may set a new one.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::pages::safe::{SAFE, must_choose, open_safe};
use crate::render;
use crate::url;

/// The page's own path (also where the door sends back to once the Safe is open).
pub const PATH: &str = "/safe/passwort";

#[derive(Template)]
#[template(path = "safe/own_password.html")]
struct PasswordPage {
    c: Chrome,
    form: FormView,
    /// Still the generated Safe password: say why this page came up.
    choose_own: bool,
    /// Where to go once the own password is set (a Safe page), if anywhere.
    back: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct BackQuery {
    #[serde(default)]
    zurueck: String,
}

/// Only pages of the Safe are a target after setting the password.
fn safe_back(raw: &str) -> String {
    let back = url::local_path(raw.trim());
    if back.starts_with(&format!("{SAFE}/")) {
        back.to_owned()
    } else {
        String::new()
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
    #[serde(default)]
    zurueck: String,
}

/// New Safe password and its repetition; passwords are never sent back into the form.
pub(crate) fn password_fields(tr: Tr, failure: Option<&Failure>) -> FormView {
    let fields = vec![
        Field::new(tr, "safe-pw-new", "new", "safe.own_password.new")
            .kind("password")
            .auto("new-password")
            .required()
            .hint(tr, "safe.own_password.rules")
            .attr("minlength", "10")
            .answers(&["password"]),
        Field::new(tr, "safe-pw-repeat", "repeat", "safe.own_password.repeat")
            .kind("password")
            .auto("new-password")
            .required(),
    ];
    FormView::new("password", fields, failure)
}

async fn password_page(
    state: &AppState,
    r: &Ready,
    back: String,
    failure: Option<&Failure>,
) -> Response {
    let tr = r.page.tr();
    let view = PasswordPage {
        c: Chrome::new(&r.page, tr.t("safe.own_password.title")).signed_in(&r.page, &r.actor),
        form: password_fields(tr, failure),
        choose_own: must_choose(state, r).await,
        back,
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

/// `GET /safe/passwort`.
pub async fn show(State(state): State<AppState>, r: Ready, Query(q): Query<BackQuery>) -> Response {
    if let Err(answer) = open_safe(&state, &r, PATH).await {
        return answer;
    }
    password_page(&state, &r, safe_back(&q.zurueck), None).await
}

/// `POST /safe/passwort`: both inputs must match; the service checks the rest.
pub async fn change(
    State(state): State<AppState>,
    r: Ready,
    Form(f): Form<PasswordForm>,
) -> Response {
    let tr = r.page.tr();
    let safe = match open_safe(&state, &r, PATH).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let back = safe_back(&f.zurueck);
    if f.new != f.repeat {
        let failure = Failure::local("password", "repeat", tr.t("safe.own_password.mismatch"));
        return password_page(&state, &r, back, Some(&failure)).await;
    }
    match state.platform.safe_change_password(&safe, &f.new).await {
        Ok(()) if !back.is_empty() => Redirect::to(&back).into_response(),
        Ok(()) => Redirect::to(&format!("{SAFE}?ok=safe_password_changed")).into_response(),
        Err(e) => {
            let failure = Failure::from_domain("password", tr, &e);
            password_page(&state, &r, back, Some(&failure)).await
        }
    }
}
