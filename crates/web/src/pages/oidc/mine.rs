//! `/konto/werkzeuge` (Mein Konto): the connected tools the person agreed to, with when and
//! which personal data; withdrawing a consent deletes it, revokes the tool's tokens and logs
//! the person out there (back-channel at once, front-channel in hidden frames of the answer).
//! Above them "Meine Werkzeuge": a tile for each tool the person may open from the platform;
//! the tile's link (`/werkzeuge/{client_id}/start`) asks the domain again and sends the
//! browser to the tool's initiate login URI (OpenID Connect Core §4). The home page shows
//! the same tools in a card.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::oidc::ToolTile;
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
    /// The tools to open from here.
    tiles: Vec<ToolTile>,
}

/// Where a tool's tile leads.
pub(crate) fn start_href(client_id: &str) -> String {
    format!("/werkzeuge/{}/start", crate::url::encode(client_id))
}

async fn page(state: &AppState, r: &Ready, frames: Vec<String>) -> Response {
    let (tools, tiles) = match (
        state.platform.oidc_my_tools(&r.actor).await,
        state.platform.oidc_tool_tiles(&r.actor).await,
    ) {
        (Ok(t), Ok(k)) => (t, k),
        (Err(e), _) | (_, Err(e)) => return r.fail(e),
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
        tiles,
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

/// `GET /werkzeuge/{client_id}/start`: the tile's link. The domain checks again that the
/// person may use the tool (404 otherwise) and names the tool's initiate login URI with
/// `iss` and `target_link_uri`; the browser is sent there (303).
pub async fn start(
    State(state): State<AppState>,
    r: Ready,
    headers: HeaderMap,
    Path(client_id): Path<String>,
) -> Response {
    let iss = super::lti_admin::issuer(&state, &headers);
    match state
        .platform
        .oidc_tool_start(&r.actor, &client_id, &iss)
        .await
    {
        Ok(to) => Redirect::to(&to).into_response(),
        Err(e) => r.fail(e),
    }
}

/// The home page's card "Meine Werkzeuge": a link per tool the person may open (one
/// statement; no card when there is none).
pub fn card<'a>(cx: &'a crate::pages::home::Ctx<'a>) -> crate::pages::home::CardFuture<'a> {
    use crate::pages::home::{Card, CardItem};
    Box::pin(async move {
        let tiles = cx.state.platform.oidc_tool_tiles(cx.actor).await.ok()?;
        if tiles.is_empty() {
            return None;
        }
        let items = tiles
            .into_iter()
            .map(|t| CardItem {
                href: Some(start_href(&t.client_id)),
                icon: Some("i-share"),
                meta: t.state_wide.then(|| cx.tr.t("oidc.state_wide").to_owned()),
                ..CardItem::text(t.name)
            })
            .collect();
        Some(Card {
            id: "tools",
            title: cx.tr.t("oidc.tiles.title").to_owned(),
            icon: "i-share",
            urgent: false,
            lead: None,
            items,
            more: Some((PAGE.to_owned(), cx.tr.t("oidc.mine.title").to_owned())),
        })
    })
}
