//! `/oidc/zustimmung`: the consent screen of a connected tool at first use. The person
//! sees which personal data the tool asks for and its terms, and either shares the data,
//! uses the tool under a pseudonym only, or cancels (the tool then learns `access_denied`).
//! The authorization request waits in `weiter` and is resumed afterwards.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
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
    Router::new().route("/oidc/zustimmung", get(show).post(answer))
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

/// The waiting authorization request, if `weiter` is one: (client_id, scope).
fn request_of(weiter: &str) -> Option<(String, String)> {
    let query = weiter.strip_prefix(AUTHORIZE)?;
    let client = url::query_param(Some(query), "client_id")?;
    let scope = url::query_param(Some(query), "scope").unwrap_or_default();
    Some((client, scope))
}

fn claim_label(c: schulhof_authz::oidc::Claim) -> &'static str {
    use schulhof_authz::oidc::Claim;
    match c {
        Claim::Name => "oidc.claim.name",
        Claim::Email => "oidc.claim.email",
        Claim::Groups => "oidc.claim.groups",
        Claim::Role => "oidc.claim.role",
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
        weiter: t.weiter,
    };
    render::ok(&view)
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
