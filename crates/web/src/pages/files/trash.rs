//! `/dateien/papierkorb?bereich=…`: what was deleted in an area, by whom and when, with
//! restoring and deleting for good.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_authz::files::Area;
use schulhof_domain::DomainError;
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::Failure;
use crate::layout::Chrome;
use crate::pages::account::Confirmed;
use crate::pages::files::{area_title, back_to, node_href, parse_node, size_text, when};
use crate::pages::views::ConfirmPage;
use crate::render;
use crate::when::Zone;

#[derive(Template)]
#[template(path = "files/trash.html")]
struct TrashPage {
    c: Chrome,
    heading: String,
    area: &'static str,
    tabs: Vec<Tab>,
    rows: Vec<TrashRow>,
    alert: Option<String>,
}

struct Tab {
    href: String,
    title: &'static str,
    current: bool,
}

struct TrashRow {
    id: String,
    name: String,
    kind: &'static str,
    size: String,
    deleted: String,
    deleted_iso: String,
    by: String,
    folder_href: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct AreaQuery {
    #[serde(default)]
    bereich: String,
}

/// The area of `?bereich=`; the own area when none is given.
fn area_of(s: &str) -> Result<Area, DomainError> {
    if s.is_empty() {
        return Ok(Area::Own);
    }
    Area::parse(s).ok_or(DomainError::NotFound)
}

fn trash_href(area: Area) -> String {
    format!("/dateien/papierkorb?bereich={}", area.as_str())
}

async fn render_trash(
    state: &AppState,
    r: &Ready,
    area: Area,
    failure: Option<&Failure>,
) -> Response {
    let tr = r.page.tr();
    let p = &state.platform;
    let (areas, entries) = match async {
        Ok::<_, DomainError>((
            p.file_areas(&r.actor).await?,
            p.file_trash(&r.actor, area).await?,
        ))
    }
    .await
    {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    // An area one may not see has no trash to show either.
    if !areas.iter().any(|a| a.area == area.as_str()) {
        return r.fail(DomainError::NotFound);
    }
    let title = area_title(tr, area.as_str());
    let heading = tr.t("files.trash.title").replace("{area}", title);
    let view = TrashPage {
        c: Chrome::new(&r.page, heading.clone()).signed_in(&r.page, &r.actor),
        heading,
        area: area.as_str(),
        tabs: areas
            .iter()
            .filter_map(|a| Area::parse(a.area))
            .map(|a| Tab {
                href: trash_href(a),
                title: area_title(tr, a.as_str()),
                current: a == area,
            })
            .collect(),
        rows: entries
            .iter()
            .map(|t| TrashRow {
                id: t.id.to_string(),
                name: t.name.clone(),
                kind: if t.is_dir {
                    tr.t("files.kind.folder")
                } else {
                    tr.t("files.kind.file")
                },
                size: if t.is_dir {
                    "–".to_owned()
                } else {
                    size_text(tr.0, t.size)
                },
                deleted: when(tr, Zone::of(&r.actor), t.deleted_at),
                deleted_iso: t.deleted_at.to_rfc3339(),
                by: t.deleted_by.clone().unwrap_or_else(|| "–".to_owned()),
                folder_href: t.folder.map(node_href),
            })
            .collect(),
        alert: failure.map(|f| f.message.clone()),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

pub async fn show(State(state): State<AppState>, r: Ready, Query(q): Query<AreaQuery>) -> Response {
    match area_of(&q.bereich) {
        Ok(area) => render_trash(&state, &r, area, None).await,
        Err(e) => r.fail(e),
    }
}

pub async fn restore(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(q): Form<AreaQuery>,
) -> Response {
    let area = match area_of(&q.bereich) {
        Ok(a) => a,
        Err(e) => return r.fail(e),
    };
    let Some(id) = parse_node(&id) else {
        return r.fail(DomainError::NotFound);
    };
    match state.platform.file_restore(&r.actor, id).await {
        Ok(_) => back_to(&trash_href(area), "restored"),
        Err(e) => {
            let failure = Failure::from_domain("trash", r.page.tr(), &e);
            render_trash(&state, &r, area, Some(&failure)).await
        }
    }
}

pub async fn purge_confirm(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Query(q): Query<AreaQuery>,
) -> Response {
    let tr = r.page.tr();
    let area = match area_of(&q.bereich) {
        Ok(a) => a,
        Err(e) => return r.fail(e),
    };
    let entries = match state.platform.file_trash(&r.actor, area).await {
        Ok(t) => t,
        Err(e) => return r.fail(e),
    };
    let Some(entry) = entries.iter().find(|t| t.id.to_string() == id) else {
        return r.fail(DomainError::NotFound);
    };
    let heading = tr.t("files.purge.title").replace("{name}", &entry.name);
    let view = ConfirmPage {
        c: Chrome::new(&r.page, heading.clone()).signed_in(&r.page, &r.actor),
        heading,
        text: tr.t("files.purge.text").replace("{name}", &entry.name),
        action: format!(
            "/dateien/papierkorb/{}/endgueltig-loeschen?bereich={}",
            entry.id,
            area.as_str()
        ),
        button: tr.t("files.purge.button"),
        cancel_href: trash_href(area),
    };
    render::ok(&view)
}

pub async fn purge(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Query(q): Query<AreaQuery>,
    Form(f): Form<Confirmed>,
) -> Response {
    let area = match area_of(&q.bereich) {
        Ok(a) => a,
        Err(e) => return r.fail(e),
    };
    let Some(node) = parse_node(&id) else {
        return r.fail(DomainError::NotFound);
    };
    if f.bestaetigt != "ja" {
        return Redirect::to(&trash_href(area)).into_response();
    }
    match state.platform.file_purge(&r.actor, node).await {
        Ok(()) => back_to(&trash_href(area), "purged"),
        Err(e) => {
            let failure = Failure::from_domain("trash", r.page.tr(), &e);
            render_trash(&state, &r, area, Some(&failure)).await
        }
    }
}
