//! `/betrieb/anmelden`: login name, password and the code of the authenticator app, all
//! three every time; `/betrieb/passwort`: the one-time password is replaced at the first
//! login (and the own password changed later).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use schulhof_domain::DomainError;
use schulhof_front::{AppState, ClientAddr};
use serde::Deserialize;

use super::{HOME, OPERATOR_COOKIE, OperatorGated, expired_cookie, session_cookie};
use crate::forms::{Failure, Field, FormView};
use crate::layout::{Chrome, Page};
use crate::pages::password_change::{PasswordForm, password_fields};
use crate::render;

/// Where a login with a recovery code lands.
const RECOVERY_USED: &str = "/betrieb/wiederherstellung?ok=op_recovery_used";

#[derive(Template)]
#[template(path = "operator/login.html")]
struct LoginPage {
    c: Chrome,
    form: FormView,
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    passwort: String,
    #[serde(default)]
    code: String,
}

fn render_login(page: &Page, typed: &str, failure: Option<&Failure>) -> Response {
    let tr = page.tr();
    let fields = vec![
        Field::new(tr, "op-login", "login", "field.login")
            .value(typed.trim())
            .auto("username")
            .required(),
        Field::new(tr, "op-password", "passwort", "field.password")
            .kind("password")
            .auto("current-password")
            .required(),
        // The app's six digits, or a recovery code in their place (so no numeric keypad).
        Field::new(tr, "op-code", "code", "op.login.code")
            .auto("one-time-code")
            .attr("pattern", "[0-9 ]{6,7}|[A-Za-z2-7 \\-]{16,23}")
            .hint(tr, "op.login.code_hint")
            .required(),
    ];
    let view = LoginPage {
        c: Chrome::new(page, tr.t("op.login.title")),
        form: FormView::new("login", fields, failure),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

/// `GET /betrieb/anmelden`.
pub async fn show(page: Page) -> Response {
    render_login(&page, "", None)
}

/// `POST /betrieb/anmelden`.
pub async fn submit(
    State(state): State<AppState>,
    page: Page,
    ClientAddr(addr): ClientAddr,
    jar: CookieJar,
    Form(f): Form<LoginForm>,
) -> Response {
    let result = state
        .platform
        .operator_login(&f.login, &f.passwort, &f.code, &addr)
        .await;
    match result {
        Ok(s) => {
            // A recovery code was used: show how many remain, and the way to new ones.
            let to = match s.recovery_codes_left {
                Some(_) => RECOVERY_USED,
                None => HOME,
            };
            let jar = jar.add(session_cookie(s.cookie, state.secure_cookies));
            (jar, Redirect::to(to)).into_response()
        }
        Err(e) => {
            let mut failure = Failure::from_domain("login", page.tr(), &e);
            if matches!(e, DomainError::BadCredentials) {
                // Operators have no school number: the schools' wording would ask for one.
                failure.message = page.tr().t("op.login.bad_credentials").to_owned();
            }
            let response = render_login(&page, &f.login, Some(&failure));
            crate::pages::login::with_retry_after(response, &e)
        }
    }
}

/// `POST /betrieb/abmelden`.
pub async fn logout(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    jar: CookieJar,
) -> Response {
    if let Some(c) = jar.get(OPERATOR_COOKIE)
        && let Err(e) = state.platform.operator_logout(c.value(), &addr).await
    {
        tracing::error!(error = %e, "operator logout failed");
    }
    let jar = jar.add(expired_cookie(state.secure_cookies));
    (jar, Redirect::to("/betrieb/anmelden?ok=logged_out")).into_response()
}

#[derive(Template)]
#[template(path = "operator/password.html")]
struct PasswordPage {
    c: Chrome,
    forced: bool,
    form: FormView,
}

fn render_password(g: &OperatorGated, failure: Option<&Failure>) -> Response {
    let tr = g.page.tr();
    let mut c = super::chrome(&g.page, &g.actor, tr.t("op.password.title"));
    if g.must_change_password {
        // Nothing else is open until the one-time password is replaced.
        c.nav.clear();
    }
    let view = PasswordPage {
        c,
        forced: g.must_change_password,
        form: password_fields(tr, "password", failure),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

/// `GET /betrieb/passwort`.
pub async fn password_form(g: OperatorGated) -> Response {
    render_password(&g, None)
}

/// `POST /betrieb/passwort`.
pub async fn password_submit(
    State(state): State<AppState>,
    g: OperatorGated,
    Form(f): Form<PasswordForm>,
) -> Response {
    let tr = g.page.tr();
    if let Some(failure) = f.mismatch(tr, "password") {
        return render_password(&g, Some(&failure));
    }
    match state
        .platform
        .operator_change_password(&g.actor, &f.old, &f.new, &g.addr)
        .await
    {
        Ok(()) => Redirect::to("/betrieb/?ok=password_changed").into_response(),
        Err(e) => render_password(&g, Some(&Failure::from_domain("password", tr, &e))),
    }
}
