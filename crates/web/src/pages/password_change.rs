//! `/konto/passwort-setzen`: an initial or reset password must be replaced before anything
//! else. The same form (old, new, repeat) serves "Mein Konto".

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use schulhof_domain::identity::Gate;
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::{Gated, after_gates, waiting_target};
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::render;

#[derive(Debug, Default, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    pub old: String,
    #[serde(default)]
    pub new: String,
    #[serde(default)]
    pub repeat: String,
}

impl PasswordForm {
    /// The two new passwords must match; checked here because only the page has two.
    pub fn mismatch(&self, tr: Tr, form: &'static str) -> Option<Failure> {
        (self.new != self.repeat).then(|| Failure::local(form, "repeat", tr.t("password.mismatch")))
    }
}

/// Old, new and repeated password. Passwords are never sent back into the form.
pub fn password_fields(tr: Tr, form: &'static str, failure: Option<&Failure>) -> FormView {
    let fields = vec![
        Field::new(tr, "pw-old", "old", "field.old_password")
            .kind("password")
            .auto("current-password")
            .required(),
        Field::new(tr, "pw-new", "new", "field.new_password")
            .kind("password")
            .auto("new-password")
            .required()
            .hint(tr, "password.rules")
            .answers(&["password"]),
        Field::new(tr, "pw-repeat", "repeat", "field.repeat_password")
            .kind("password")
            .auto("new-password")
            .required(),
    ];
    FormView::new(form, fields, failure)
}

#[derive(Template)]
#[template(path = "password_set.html")]
struct ForcedPage {
    c: Chrome,
    form: FormView,
}

fn wrong_place(g: &Gated) -> Option<Response> {
    match g.session.gate {
        Some(Gate::PasswordChange) => None,
        Some(Gate::Consent) => Some(Redirect::to("/zustimmung").into_response()),
        None => Some(Redirect::to("/konto").into_response()),
    }
}

fn render_forced(g: &Gated, jar: &CookieJar, failure: Option<&Failure>) -> Response {
    let tr = g.page.tr();
    let view = ForcedPage {
        c: Chrome::new(&g.page, tr.t("password.forced_title")).gated(&g.session.actor),
        form: password_fields(tr, "password", failure),
    };
    let response = render::html(
        failure.map_or(axum::http::StatusCode::OK, |f| f.status),
        &view,
    );
    // The new password may resume a tool's login, which ends at the tool.
    let waiting = waiting_target(jar).unwrap_or_default();
    crate::pages::oidc::with_resume_csp(response, &waiting)
}

pub async fn forced_form(g: Gated, jar: CookieJar) -> Response {
    wrong_place(&g).unwrap_or_else(|| render_forced(&g, &jar, None))
}

pub async fn forced_submit(
    State(state): State<AppState>,
    g: Gated,
    jar: CookieJar,
    Form(f): Form<PasswordForm>,
) -> Response {
    if let Some(r) = wrong_place(&g) {
        return r;
    }
    let tr = g.page.tr();
    if let Some(failure) = f.mismatch(tr, "password") {
        return render_forced(&g, &jar, Some(&failure));
    }
    match state
        .platform
        .change_own_password(&g.session.actor, &f.old, &f.new, &g.addr)
        .await
    {
        // On to the page a deep link asked for, or to the start page; either sends the
        // session on to the consent gate if that is next.
        Ok(()) => after_gates(jar, "/?ok=password_changed"),
        Err(e) => render_forced(&g, &jar, Some(&Failure::from_domain("password", tr, &e))),
    }
}
