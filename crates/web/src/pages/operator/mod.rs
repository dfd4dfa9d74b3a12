//! The operators' console under `/betrieb/`: its own login (password and TOTP), its own
//! session cookie (path `/betrieb`), and pages for the schools as a whole, the state-wide
//! defaults and the operators' log. A school session opens none of these pages, and an
//! operator session opens no school page: the two cookies are read by different services.

mod abuse;
mod blog;
mod defaults;
mod guides;
mod help;
mod log;
mod login;
mod recovery;
mod schools;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use schulhof_domain::DomainError;
use schulhof_domain::operators::{OperatorActor, OperatorRole};
use schulhof_front::{AppState, ClientAddr};

use crate::layout::{Area, Chrome, Page};
use crate::pages::errors;

/// The operator session cookie, sent only to the console.
pub const OPERATOR_COOKIE: &str = "schulhof_betrieb";
const COOKIE_PATH: &str = "/betrieb";
pub const LOGIN: &str = "/betrieb/anmelden";
const PASSWORD: &str = "/betrieb/passwort";
const HOME: &str = "/betrieb/";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/betrieb", get(|| async { Redirect::permanent(HOME) }))
        .route("/betrieb/", get(schools::list))
        .route("/betrieb/anmelden", get(login::show).post(login::submit))
        .route("/betrieb/abmelden", post(login::logout))
        .route(
            "/betrieb/passwort",
            get(login::password_form).post(login::password_submit),
        )
        .route("/betrieb/schulen", post(schools::create))
        .route("/betrieb/schulen/{number}", get(schools::show))
        .route(
            "/betrieb/schulen/{number}/umbenennen",
            post(schools::rename),
        )
        .route("/betrieb/schulen/{number}/aktiv", post(schools::set_active))
        .route(
            "/betrieb/schulen/{number}/loeschen",
            get(schools::delete_confirm).post(schools::delete),
        )
        .route(
            "/betrieb/vorgaben",
            get(defaults::show).post(defaults::save),
        )
        .route("/betrieb/protokoll", get(log::show))
        .route(recovery::PATH, get(recovery::show).post(recovery::renew))
        .route("/betrieb/forum", get(help::forums))
        .route("/betrieb/forum/{slug}", get(help::forum))
        .route(
            "/betrieb/forum/thema/{id}",
            get(help::topic).post(help::moderate),
        )
        .route("/betrieb/forum/beitrag/{id}", post(help::post))
        .route(
            "/betrieb/anleitungen",
            get(guides::list).post(guides::create),
        )
        .route("/betrieb/anleitungen/neu", get(guides::new))
        .route(
            "/betrieb/anleitungen/{slug}",
            get(guides::edit).post(guides::save),
        )
        .route(
            "/betrieb/anleitungen/{slug}/zuruecksetzen",
            post(guides::reset),
        )
        .route("/betrieb/blog", get(blog::list).post(blog::create))
        .route("/betrieb/blog/neu", get(blog::new))
        .route("/betrieb/blog/{id}", get(blog::edit).post(blog::save))
        .route("/betrieb/blog/{id}/loeschen", post(blog::delete))
        .route(abuse::PATH, get(abuse::list))
        .route("/betrieb/missbrauch/{school}/{id}", post(abuse::decide))
        .route("/betrieb/tickets", get(help::tickets))
        .route(
            "/betrieb/tickets/{id}",
            get(help::ticket).post(help::answer),
        )
}

pub fn session_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((OPERATOR_COOKIE, value))
        .path(COOKIE_PATH)
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .build()
}

fn expired_cookie(secure: bool) -> Cookie<'static> {
    let mut c = session_cookie(String::new(), secure);
    c.make_removal();
    c
}

/// A signed-in operator whose password needs no change.
pub struct Operator {
    pub actor: OperatorActor,
    pub page: Page,
    pub addr: String,
    /// Tickets waiting for support, shown at the menu entry (support and admins).
    pub open_tickets: i64,
}

/// A signed-in operator, possibly held at the password page.
pub struct OperatorGated {
    pub actor: OperatorActor,
    pub must_change_password: bool,
    pub open_tickets: i64,
    pub page: Page,
    pub addr: String,
}

impl FromRequestParts<AppState> for OperatorGated {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let page = Page::from_parts(parts, state);
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(cookie) = jar.get(OPERATOR_COOKIE) else {
            return Err(Redirect::to(LOGIN).into_response());
        };
        let session = match state.platform.operator_session(cookie.value()).await {
            Ok(s) => s,
            Err(DomainError::SessionEnded) => return Err(Redirect::to(LOGIN).into_response()),
            Err(e) => return Err(errors::domain_error(&page, None, &e)),
        };
        let addr = match ClientAddr::from_request_parts(parts, state).await {
            Ok(ClientAddr(a)) => a,
            Err(never) => match never {},
        };
        Ok(OperatorGated {
            actor: session.actor,
            must_change_password: session.must_change_password,
            open_tickets: session.open_tickets,
            page,
            addr,
        })
    }
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let g = OperatorGated::from_request_parts(parts, state).await?;
        if g.must_change_password {
            return Err(Redirect::to(PASSWORD).into_response());
        }
        Ok(Operator {
            actor: g.actor,
            page: g.page,
            addr: g.addr,
            open_tickets: g.open_tickets,
        })
    }
}

impl Operator {
    /// The answer to a failed domain call: the error page with its status (403, 404, …).
    pub fn fail(&self, e: DomainError) -> Response {
        if matches!(e, DomainError::SessionEnded) {
            return Redirect::to(LOGIN).into_response();
        }
        let info = schulhof_front::error_info(&e);
        let message = self.page.tr().error_text(&e, &info);
        let c = chrome(&self.page, &self.actor, self.page.tr().t("error.generic"));
        let heading = match info.status {
            axum::http::StatusCode::NOT_FOUND => self.page.tr().t("error.not_found"),
            axum::http::StatusCode::FORBIDDEN => self.page.tr().t("error.forbidden"),
            _ => self.page.tr().t("error.generic"),
        };
        let view = ErrorView {
            c,
            heading,
            message,
        };
        crate::render::html(info.status, &view)
    }

    pub fn chrome(&self, title: &str) -> Chrome {
        let mut c = chrome(&self.page, &self.actor, title);
        c.nav_badge = Some((
            "/betrieb/tickets",
            self.open_tickets,
            c.t("op.tickets.open"),
        ));
        c
    }
}

#[derive(askama::Template)]
#[template(path = "operator/error.html")]
struct ErrorView {
    c: Chrome,
    heading: &'static str,
    message: String,
}

/// The console's frame: its own navigation, logout and home, the operator's name and role.
pub fn chrome(page: &Page, actor: &OperatorActor, title: &str) -> Chrome {
    let mut c = Chrome::new(page, title.to_owned());
    let tr = c.tr;
    c.home_href = HOME;
    c.logout_href = "/betrieb/abmelden";
    c.school = Some(tr.t("op.realm").to_owned());
    c.user = Some(format!(
        "{} ({})",
        actor.login,
        role_label(tr, actor.token.role())
    ));
    let path = page.here.split('?').next().unwrap_or("/");
    let mut nav = vec![(HOME, "op.nav.schools", "i-home")];
    // The help network is support's work; the DPO has no part in it.
    if actor.token.role() != OperatorRole::Dpo {
        nav.push(("/betrieb/tickets", "op.nav.tickets", "i-mail"));
        nav.push(("/betrieb/forum", "op.nav.forum", "i-chat"));
        nav.push(("/betrieb/anleitungen", "op.nav.guides", "i-book"));
        nav.push(("/betrieb/blog", "op.nav.blog", "i-text"));
    }
    // Abuse-control requests are the data-protection officer's to decide.
    if actor.token.role() == OperatorRole::Dpo {
        nav.push((abuse::PATH, "op.nav.abuse", "i-eye"));
    }
    if actor.token.role() == OperatorRole::Admin {
        nav.push(("/betrieb/vorgaben", "op.nav.defaults", "i-settings"));
        nav.push(("/betrieb/protokoll", "op.nav.log", "i-clock"));
    }
    nav.push((recovery::PATH, "op.nav.recovery", "i-lock"));
    c.nav = nav
        .into_iter()
        .map(|(href, key, icon)| Area {
            href,
            label: tr.t(key),
            description: "",
            icon,
            current: path == href || (href != HOME && path.starts_with(href)),
        })
        .collect();
    c
}

pub fn role_label(tr: crate::i18n::Tr, role: OperatorRole) -> &'static str {
    match role {
        OperatorRole::Admin => tr.t("op.role.admin"),
        OperatorRole::Support => tr.t("op.role.support"),
        OperatorRole::Dpo => tr.t("op.role.dpo"),
    }
}
