//! `/konto/werkzeuge` (Mein Konto): the connected tools the person agreed to, with when and
//! which personal data; withdrawing a consent deletes it, revokes the tool's tokens and logs
//! the person out there (back-channel at once, front-channel in hidden frames of the answer).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_front::AppState;

use super::{claim_label, frames_csp};
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;

const PAGE: &str = "/konto/werkzeuge";

struct Row {
    client_id: String,
    name: String,
    state_wide: bool,
    granted: String,
    /// Labels of the personal data shared; empty: the pseudonym only.
    shared: Vec<&'static str>,
    terms_url: String,
}

#[derive(Template)]
#[template(path = "oidc/mine.html")]
struct MinePage {
    c: Chrome,
    rows: Vec<Row>,
    /// Front-channel logout URIs of a tool just withdrawn from (hidden frames).
    frames: Vec<String>,
}

async fn page(state: &AppState, r: &Ready, frames: Vec<String>) -> Response {
    let tools = match state.platform.oidc_my_tools(&r.actor).await {
        Ok(t) => t,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let zone = crate::when::Zone::of(&r.actor);
    let rows = tools
        .into_iter()
        .map(|t| Row {
            granted: zone.datetime(
                tr,
                chrono::DateTime::from_timestamp_micros(t.granted_at).unwrap_or_default(),
            ),
            shared: t
                .claims
                .iter()
                .filter_map(|c| schulhof_authz::oidc::Claim::parse(c))
                .map(|c| tr.t(claim_label(c)))
                .collect(),
            client_id: t.client_id,
            name: t.name,
            state_wide: t.state_wide,
            terms_url: t.terms_url,
        })
        .collect();
    let csp = frames_csp(&frames);
    let view = MinePage {
        c: Chrome::new(&r.page, tr.t("oidc.mine.title")).signed_in(&r.page, &r.actor),
        rows,
        frames,
    };
    let mut resp = render::ok(&view);
    if let Some(v) = csp {
        resp.headers_mut()
            .insert(axum::http::header::CONTENT_SECURITY_POLICY, v);
    }
    resp
}

/// `GET /konto/werkzeuge`.
pub async fn show(State(state): State<AppState>, r: Ready) -> Response {
    page(&state, &r, Vec::new()).await
}

/// `POST /konto/werkzeuge/{client_id}/widerrufen`.
pub async fn revoke(
    State(state): State<AppState>,
    r: Ready,
    Path(client_id): Path<String>,
) -> Response {
    match state
        .platform
        .oidc_revoke_consent(&r.actor, &client_id)
        .await
    {
        Ok(frames) if frames.is_empty() => {
            Redirect::to(&format!("{PAGE}?ok=tool_revoked")).into_response()
        }
        // The frames must load in this answer; a redirect would lose them.
        Ok(frames) => page(&state, &r, frames).await,
        Err(e) => r.fail(e),
    }
}
