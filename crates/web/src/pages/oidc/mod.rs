//! `/oidc/zustimmung`: the consent screen of a connected tool at first use. The person
//! sees which personal data the tool asks for and its terms, and either shares the data,
//! uses the tool under a pseudonym only, or cancels (the tool then learns `access_denied`).
//! The authorization request waits in `weiter` and is resumed afterwards. Also Mein Konto's
//! list of tools (`mine`) and the administrators' tool pages (`admin`).

mod admin;
mod lti_admin;
mod mine;
/// The home page's card of the tools a person may open.
pub(crate) use mine::card;

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::Ready;
use crate::layout::Chrome;
use crate::pages::views::paragraphs;
use crate::{render, url};

/// The authorization endpoint this page returns to (see `schulhof-oidc`).
const AUTHORIZE: &str = "/oidc/authorize?";
/// What the authorization endpoint reads as "the person cancelled".
const CANCELLED: &str = "schulhof_abgebrochen=1";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/oidc/zustimmung", get(show).post(answer))
        .route("/konto/werkzeuge", get(mine::show))
        .route("/werkzeuge/{client_id}/start", get(mine::start))
        .route(
            "/konto/werkzeuge/{client_id}/widerrufen",
            post(mine::revoke),
        )
        .route(
            "/verwaltung/werkzeuge",
            get(admin::school_show).post(admin::school_register),
        )
        .route("/verwaltung/werkzeuge/unter16", post(admin::school_under16))
        .route(
            "/betrieb/werkzeuge",
            get(admin::operator_show).post(admin::operator_register),
        )
        .route(
            "/verwaltung/werkzeuge/lti",
            get(lti_admin::school_show).post(lti_admin::school_register),
        )
        .route(
            "/betrieb/werkzeuge/lti",
            get(lti_admin::operator_show).post(lti_admin::operator_register),
        )
}

/// `scheme://host[:port]` of an absolute http(s) URL, when it can stand in a policy.
fn origin(u: &str) -> Option<&str> {
    let rest = u
        .strip_prefix("https://")
        .map(|r| u.len() - r.len())
        .or_else(|| u.strip_prefix("http://").map(|r| u.len() - r.len()))?;
    let end = u[rest..]
        .find(['/', '?', '#'])
        .map_or(u.len(), |i| rest + i);
    Some(&u[..end]).filter(|o| o.len() > rest && !o.contains([' ', ';', ',', '\'', '"']))
}

/// The server's policy forbids foreign frames; a page that loads front-channel logout URIs
/// allows exactly their origins.
pub(crate) fn frames_csp(frames: &[String]) -> Option<HeaderValue> {
    if frames.is_empty() {
        return None;
    }
    let origins: Vec<&str> = frames.iter().filter_map(|u| origin(u)).collect();
    HeaderValue::from_str(&format!(
        "default-src 'self'; img-src 'self' data:; frame-src {}; frame-ancestors 'none'; \
         base-uri 'none'; form-action 'self'; object-src 'none'",
        origins.join(" ")
    ))
    .ok()
}

/// A form whose answer resumes the authorization request `weiter` ends, through redirects,
/// at the tool's redirect URI; browsers check `form-action` along the whole chain, so the
/// page allows that one origin too (the authorization endpoint refuses unregistered URIs
/// before redirecting anywhere).
pub(crate) fn resume_csp(weiter: &str) -> Option<HeaderValue> {
    let query = weiter.strip_prefix(AUTHORIZE)?;
    let target = url::query_param(Some(query), "redirect_uri")?;
    HeaderValue::from_str(&format!(
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; \
         form-action 'self' {}; object-src 'none'",
        origin(&target)?
    ))
    .ok()
}

/// Whether a local path `weiter` is an authorization request to resume.
pub(crate) fn is_authorize(weiter: &str) -> bool {
    weiter.starts_with(AUTHORIZE)
}

/// `response` with [`resume_csp`] when `weiter` resumes an authorization request (the
/// login page and the terms gate a tool's login passes through).
pub(crate) fn with_resume_csp(mut response: Response, weiter: &str) -> Response {
    if let Some(v) = resume_csp(weiter) {
        response
            .headers_mut()
            .insert(axum::http::header::CONTENT_SECURITY_POLICY, v);
    }
    response
}

#[derive(Template)]
#[template(path = "oidc/goodbye.html")]
struct GoodbyePage {
    c: Chrome,
    frames: Vec<String>,
}

/// After logging out of the platform: the tools' front-channel logout URIs in hidden
/// frames, then on to the start page.
pub fn goodbye(page: &crate::layout::Page, frames: Vec<String>) -> Response {
    let csp = frames_csp(&frames);
    let view = GoodbyePage {
        c: Chrome::new(page, page.tr().t("oidc.goodbye.title")),
        frames,
    };
    let mut r = render::ok(&view);
    if let Some(v) = csp {
        r.headers_mut()
            .insert(axum::http::header::CONTENT_SECURITY_POLICY, v);
    }
    r
}

#[derive(Template)]
#[template(path = "oidc/consent.html")]
struct ConsentPage {
    c: Chrome,
    tool: String,
    state_wide: bool,
    /// Labels of the personal data asked for.
    asked: Vec<&'static str>,
    terms: Vec<String>,
    terms_url: String,
    /// The school keeps this pupil's decision: nothing personal is shared, and why.
    school_decides: bool,
    weiter: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct Target {
    #[serde(default)]
    weiter: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct Answer {
    #[serde(default)]
    weiter: String,
    #[serde(default)]
    antwort: String,
}

/// The waiting authorization request, if `weiter` is one: (client_id, scope). An LTI
/// launch's authentication request waits here too; it asks for what every launch asks
/// ([`schulhof_domain::lti::LAUNCH_SCOPE`]), whatever its `scope` says.
fn request_of(weiter: &str) -> Option<(String, String)> {
    if let Some(query) = weiter
        .strip_prefix(schulhof_domain::lti::path::AUTHORIZE)
        .and_then(|q| q.strip_prefix('?'))
    {
        let client = url::query_param(Some(query), "client_id")?;
        return Some((client, schulhof_domain::lti::LAUNCH_SCOPE.to_owned()));
    }
    // Opening a tool from the course asks before the tool is contacted (`werkzeug` names it).
    use schulhof_domain::lti::path::{PICK, START};
    if let Some((p, query)) = weiter.split_once('?')
        && [START, PICK]
            .iter()
            .any(|s| p.strip_prefix(s).is_some_and(|r| r.starts_with('/')))
    {
        let client = url::query_param(Some(query), "werkzeug")?;
        return Some((client, schulhof_domain::lti::LAUNCH_SCOPE.to_owned()));
    }
    let query = weiter.strip_prefix(AUTHORIZE)?;
    let client = url::query_param(Some(query), "client_id")?;
    let scope = url::query_param(Some(query), "scope").unwrap_or_default();
    Some((client, scope))
}

pub(crate) fn claim_label(c: schulhof_authz::oidc::Claim) -> &'static str {
    use schulhof_authz::oidc::Claim;
    match c {
        Claim::Name => "oidc.claim.name",
        Claim::Email => "oidc.claim.email",
        Claim::Groups => "oidc.claim.groups",
        Claim::Role => "oidc.claim.role",
        Claim::School => "oidc.claim.school",
    }
}

pub async fn show(State(state): State<AppState>, r: Ready, Query(t): Query<Target>) -> Response {
    let Some((client, scope)) = request_of(&t.weiter) else {
        return Redirect::to("/").into_response();
    };
    let screen = match state
        .platform
        .oidc_consent_screen(&r.actor, &client, &scope)
        .await
    {
        Ok(s) => s,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let view = ConsentPage {
        c: Chrome::new(&r.page, tr.t("oidc.title")).signed_in(&r.page, &r.actor),
        tool: screen.tool.name,
        state_wide: screen.tool.state_wide,
        asked: screen
            .asked
            .into_iter()
            .map(|c| tr.t(claim_label(c)))
            .collect(),
        terms: paragraphs(&screen.tool.terms),
        terms_url: screen.tool.terms_url,
        school_decides: screen.school_decides,
        weiter: t.weiter,
    };
    with_resume_csp(render::ok(&view), &view.weiter)
}

pub async fn answer(State(state): State<AppState>, r: Ready, Form(a): Form<Answer>) -> Response {
    let Some((client, scope)) = request_of(&a.weiter) else {
        return Redirect::to("/").into_response();
    };
    let share = match a.antwort.as_str() {
        "teilen" => true,
        "pseudonym" => false,
        _ => return Redirect::to(&format!("{}&{CANCELLED}", a.weiter)).into_response(),
    };
    match state
        .platform
        .oidc_give_consent(&r.actor, &client, &scope, share)
        .await
    {
        Ok(()) => Redirect::to(&a.weiter).into_response(),
        Err(e) => r.fail(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_consent_form_may_end_at_the_tools_origin_only() {
        let weiter = "/oidc/authorize?client_id=x&redirect_uri=https%3A%2F%2Ftool.example%3A8443%2Fcb%3Fa%3D1&scope=openid";
        let csp = resume_csp(weiter).expect("a policy");
        assert!(
            csp.to_str()
                .expect("visible ASCII")
                .contains("form-action 'self' https://tool.example:8443;")
        );
        // Not an authorization request, no URL, or one that cannot stand in a policy.
        assert!(resume_csp("/konto?redirect_uri=https%3A%2F%2Fa.example").is_none());
        assert!(resume_csp("/oidc/authorize?client_id=x").is_none());
        assert!(resume_csp("/oidc/authorize?redirect_uri=javascript%3Aalert(1)").is_none());
        assert!(
            resume_csp("/oidc/authorize?redirect_uri=https%3A%2F%2Fa.example%3B%20script-src")
                .is_none()
        );
        assert!(resume_csp("/oidc/authorize?redirect_uri=https%3A%2F%2F").is_none());
    }
}
