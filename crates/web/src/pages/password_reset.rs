//! "Passwort vergessen": `/passwort-vergessen` asks for school and login (or address) and
//! mails a reset link to the external address of the account; the answer is the same
//! whether or not there is such an account. `/passwort-vergessen/{token}` is the link's
//! page, where the new password is set.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_front::{AppState, ClientAddr};
use serde::Deserialize;

use crate::forms::{Failure, Field, FormView};
use crate::layout::{Chrome, Page};
use crate::pages::links::absolute_url;
use crate::pages::views::MessagePage;
use crate::render;
use crate::schools;

#[derive(Template)]
#[template(path = "password_reset_request.html")]
struct RequestPage {
    c: Chrome,
    /// The only school's number, sent along unseen.
    school_hidden: Option<String>,
    form: FormView,
}

#[derive(Template)]
#[template(path = "password_reset_new.html")]
struct NewPasswordPage {
    c: Chrome,
    action: String,
    form: FormView,
}

#[derive(Debug, Default, Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    schule: String,
    #[serde(default)]
    login: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct NewForm {
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

/// Pages with a secret in their address are neither cached nor told to other sites.
fn private(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

async fn render_request(
    state: &AppState,
    page: &Page,
    input: &RequestForm,
    failure: Option<&Failure>,
) -> Response {
    let tr = page.tr();
    let schools = schools::list(state).await;
    let single = match schools.as_slice() {
        [one] => Some(one.number.clone()),
        _ => None,
    };
    let mut fields = Vec::new();
    if single.is_none() {
        fields.push(
            Field::new(tr, "schule", "schule", "field.school")
                .value(input.schule.trim())
                .auto("on")
                .required()
                .hint(tr, "login.school_hint"),
        );
    }
    fields.push(
        Field::new(tr, "login", "login", "field.login_or_mail")
            .value(input.login.trim())
            .auto("username")
            .required()
            .answers(&["login"]),
    );
    let view = RequestPage {
        c: Chrome::new(page, tr.t("reset.title")),
        school_hidden: single,
        form: FormView::new("reset", fields, failure),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

/// `GET /passwort-vergessen`
pub async fn show(State(state): State<AppState>, page: Page) -> Response {
    render_request(&state, &page, &RequestForm::default(), None).await
}

/// `POST /passwort-vergessen`: the same answer for every account, existing or not.
pub async fn request(
    State(state): State<AppState>,
    page: Page,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(input): Form<RequestForm>,
) -> Response {
    let base = absolute_url(&state, &headers, "");
    let result = state
        .platform
        .password_reset_request(&input.schule, &input.login, &addr, &base)
        .await;
    let tr = page.tr();
    match result {
        Ok(()) => {
            let view = MessagePage {
                c: Chrome::new(&page, tr.t("reset.sent_title")),
                heading: tr.t("reset.sent_title"),
                paragraphs: vec![tr.t("reset.sent_text").to_owned()],
                link: Some(("/anmelden", tr.t("reset.to_login"))),
                logout: false,
            };
            render::ok(&view)
        }
        Err(e) => {
            let failure = Failure::from_domain("reset", tr, &e);
            let mut r = render_request(&state, &page, &input, Some(&failure)).await;
            if let DomainError::Throttled { retry_after_secs } = e
                && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
            {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
    }
}

fn new_fields(page: &Page, failure: Option<&Failure>) -> FormView {
    let tr = page.tr();
    let fields = vec![
        Field::new(tr, "pw-new", "new", "field.new_password")
            .kind("password")
            .auto("new-password")
            .required()
            .hint(tr, "password.rules")
            .answers(&["password", "new"]),
        Field::new(tr, "pw-repeat", "repeat", "field.repeat_password")
            .kind("password")
            .auto("new-password")
            .required()
            .answers(&["repeat"]),
    ];
    FormView::new("reset_new", fields, failure)
}

fn render_new(page: &Page, token: &str, failure: Option<&Failure>) -> Response {
    let tr = page.tr();
    let view = NewPasswordPage {
        c: Chrome::new(page, tr.t("reset.new_title")),
        action: format!("/passwort-vergessen/{token}"),
        form: new_fields(page, failure),
    };
    private(render::html(
        failure.map_or(StatusCode::OK, |f| f.status),
        &view,
    ))
}

/// The link is used, expired or was never made: say so, and offer a new one.
fn gone(page: &Page) -> Response {
    let tr = page.tr();
    let view = MessagePage {
        c: Chrome::new(page, tr.t("reset.gone_title")),
        heading: tr.t("reset.gone_title"),
        paragraphs: vec![tr.t("reset.gone_text").to_owned()],
        link: Some(("/passwort-vergessen", tr.t("reset.again"))),
        logout: false,
    };
    private(render::html(StatusCode::GONE, &view))
}

/// A token is 43 URL-safe characters; anything else is not worth a database look-up.
fn plausible(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `GET /passwort-vergessen/{token}`
pub async fn link(
    State(state): State<AppState>,
    page: Page,
    Path(token): Path<String>,
) -> Response {
    if !plausible(&token) {
        return gone(&page);
    }
    match state.platform.password_reset_check(&token).await {
        Ok(()) => render_new(&page, &token, None),
        Err(DomainError::NotFound) => gone(&page),
        Err(e) => crate::pages::errors::domain_error(&page, None, &e),
    }
}

/// `POST /passwort-vergessen/{token}`: sets the new password; then on to the login.
pub async fn set(
    State(state): State<AppState>,
    page: Page,
    ClientAddr(addr): ClientAddr,
    Path(token): Path<String>,
    Form(f): Form<NewForm>,
) -> Response {
    if !plausible(&token) {
        return gone(&page);
    }
    let tr = page.tr();
    if f.new != f.repeat {
        let failure = Failure::local("reset_new", "repeat", tr.t("password.mismatch"));
        return render_new(&page, &token, Some(&failure));
    }
    match state
        .platform
        .password_reset_complete(&token, &f.new, &addr)
        .await
    {
        Ok(()) => Redirect::to("/anmelden?ok=password_reset_done").into_response(),
        Err(DomainError::NotFound) => gone(&page),
        Err(e) => render_new(
            &page,
            &token,
            Some(&Failure::from_domain("reset_new", tr, &e)),
        ),
    }
}
