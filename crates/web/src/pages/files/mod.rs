//! `/dateien`: the start of the cloud file manager — the areas one may see, what others
//! shared with one, and the storage used; plus what the other file pages share.

pub mod bulk;
pub mod handin;
pub mod list;
pub mod move_copy;
pub mod node;
pub mod offers;
pub mod picker;
pub mod preview;
pub mod share;
pub mod share_view;
pub mod trash;
pub mod write;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_domain::files::{FileEntry, Located, Usage};
use schulhof_front::{AppState, Lang};
use schulhof_types::NodeId;

use crate::auth::Ready;
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::render;
use crate::url;
use crate::when::Zone;

#[derive(Template)]
#[template(path = "files/overview.html")]
struct FilesPage {
    c: Chrome,
    areas: Vec<AreaRow>,
    /// Some area has a trash the caller may use.
    any_trash: bool,
    shared: Vec<EntryRow>,
    /// Shares other schools offer, to accept or decline.
    offers: Vec<crate::pages::files::offers::OfferRow>,
    usage: String,
    school_usage: String,
}

struct AreaRow {
    href: String,
    title: &'static str,
    role: &'static str,
    /// The policy lets the caller change nothing at the top of the area: the tile says so.
    read_only: bool,
    /// Its trash, where the caller may delete (and so restore) at the top of the area.
    trash_href: Option<String>,
}

impl AreaRow {
    /// The tile of an area, with what its root's entry says the policy allows.
    fn of(tr: Tr, a: &FileEntry) -> AreaRow {
        AreaRow {
            href: node_href(a.id),
            title: area_title(tr, a.area),
            role: role_label(tr, a.role),
            read_only: !a.caps.write,
            trash_href: a
                .caps
                .relocate
                .then(|| format!("/dateien/papierkorb?bereich={}", a.area)),
        }
    }
}

/// One folder or file in a table.
pub struct EntryRow {
    pub name: String,
    /// The folder's page, or the file's download.
    pub href: String,
    /// The file's page with its versions (files only).
    pub details_href: Option<String>,
    pub kind: &'static str,
    pub size: String,
    pub modified: String,
    pub modified_iso: String,
    pub rename_href: Option<String>,
    /// Move or copy elsewhere (the file manager only, not the Safe).
    pub move_href: Option<String>,
    pub delete_href: Option<String>,
    /// The Safe's online editor, for its documents.
    pub edit_href: Option<String>,
    /// Who shared it (in "Mit mir geteilt").
    pub shared_by: Option<String>,
}

pub fn parse_node(id: &str) -> Option<NodeId> {
    id.parse().ok()
}

pub fn node_href(id: NodeId) -> String {
    format!("/dateien/{id}")
}

/// "1,2 MB", "5 GB", "812 B": decimal units, as the quotas are set.
pub fn size_text(lang: Lang, bytes: u64) -> String {
    const UNITS: [(u64, &str); 4] = [
        (1_000_000_000_000, "TB"),
        (1_000_000_000, "GB"),
        (1_000_000, "MB"),
        (1_000, "KB"),
    ];
    let Some((unit, name)) = UNITS.iter().find(|(u, _)| bytes >= *u) else {
        return format!("{bytes} B");
    };
    let tenths = (u128::from(bytes) * 10 + u128::from(*unit) / 2) / u128::from(*unit);
    if tenths < 100 && tenths % 10 != 0 {
        let sep = match lang {
            Lang::De => ',',
            Lang::En => '.',
        };
        format!("{}{sep}{} {name}", tenths / 10, tenths % 10)
    } else {
        let whole = (u128::from(bytes) + u128::from(*unit) / 2) / u128::from(*unit);
        format!("{whole} {name}")
    }
}

/// "1,2 MB von 5 GB belegt".
pub fn usage_text(tr: Tr, used: u64, quota: u64) -> String {
    tr.t("files.usage")
        .replace("{used}", &size_text(tr.0, used))
        .replace("{quota}", &size_text(tr.0, quota))
}

/// The title of an area in the page's language (the domain's German one for an area
/// this table does not know yet).
pub fn area_title(tr: Tr, area: &str) -> &'static str {
    tr.lookup(&format!("files.area.{area}")).unwrap_or_else(|| {
        schulhof_authz::files::Area::parse(area).map_or("?", schulhof_domain::files::area_title)
    })
}

pub fn role_label(tr: Tr, role: &str) -> &'static str {
    tr.lookup(&format!("files.role.{role}")).unwrap_or("?")
}

/// A moment as the school reads it: its time zone, the page's language.
pub fn when(tr: Tr, zone: Zone, at: chrono::DateTime<chrono::Utc>) -> String {
    zone.datetime(tr, at)
}

/// The name to show: area roots by their area, in the page's language.
pub fn display_name(tr: Tr, e: &FileEntry) -> String {
    if e.is_root() {
        area_title(tr, e.area).to_owned()
    } else {
        e.name.clone()
    }
}

/// The row of an entry; rename, move and delete links only where the policy allows them
/// (the entry carries its answer; the services decide again).
pub fn entry_row(tr: Tr, zone: Zone, e: &FileEntry, back: &str) -> EntryRow {
    entry_row_at(tr, zone, e, back, "/dateien")
}

/// [`entry_row`] for pages under another path (`/safe`).
pub fn entry_row_at(tr: Tr, zone: Zone, e: &FileEntry, back: &str, prefix: &str) -> EntryRow {
    let href = format!("{prefix}/{}", e.id);
    // An area root is no entry of a folder: it is never renamed, moved or deleted.
    let may_rename = !e.is_root() && e.caps.rename;
    let may_delete = !e.is_root() && e.caps.relocate;
    let back = url::encode(back);
    EntryRow {
        name: display_name(tr, e),
        href: if e.is_dir {
            href.clone()
        } else {
            format!("{href}/herunterladen")
        },
        details_href: (!e.is_dir).then(|| href.clone()),
        kind: if e.is_dir {
            tr.t("files.kind.folder")
        } else {
            tr.t("files.kind.file")
        },
        size: if e.is_dir {
            "–".to_owned()
        } else {
            size_text(tr.0, e.size)
        },
        modified: when(tr, zone, e.modified_at),
        modified_iso: e.modified_at.to_rfc3339(),
        rename_href: may_rename.then(|| format!("{href}/umbenennen?zurueck={back}")),
        move_href: (!e.is_root() && prefix == "/dateien" && !e.guest)
            .then(|| format!("{href}/verschieben")),
        delete_href: may_delete.then(|| format!("{href}/loeschen")),
        edit_href: None,
        shared_by: e.shared_by.clone(),
    }
}

/// The live folder a node is in, as far as the caller may see it (for links back).
pub fn visible_parent(state: &AppState, r: &Ready, node: &Located) -> Option<NodeId> {
    let parent = node.node().parent_id?;
    state
        .platform
        .file_breadcrumbs(&r.actor, node)
        .iter()
        .any(|(id, _)| *id == parent)
        .then_some(parent)
}

/// Finds a node the caller may see, from the id in the path.
pub async fn locate(
    state: &AppState,
    r: &Ready,
    id: &str,
) -> Result<(Located, FileEntry), DomainError> {
    let id = parse_node(id).ok_or(DomainError::NotFound)?;
    let located = state.platform.locate(&r.actor, id).await?;
    let entry = located.entry(&r.actor).ok_or(DomainError::NotFound)?;
    Ok((located, entry))
}

/// Back to a page of the file manager with a message (`?ok=<key>`).
pub fn back_to(path: &str, ok: &str) -> Response {
    let sep = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{sep}ok={ok}")).into_response()
}

pub async fn overview(State(state): State<AppState>, r: Ready) -> Response {
    let tr = r.page.tr();
    let p = &state.platform;
    let (areas, shared, usage) = match overview_data(p, &r).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let offers = match p.file_offers(&r.actor).await {
        Ok(o) => crate::pages::files::offers::offer_rows(tr, &o),
        Err(e) => return r.fail(e),
    };
    let view = FilesPage {
        c: Chrome::new(&r.page, tr.t("files.title")).signed_in(&r.page, &r.actor),
        any_trash: areas.iter().any(|a| a.caps.relocate),
        areas: areas.iter().map(|a| AreaRow::of(tr, a)).collect(),
        shared: shared
            .iter()
            .map(|e| entry_row(tr, Zone::of(&r.actor), e, "/dateien"))
            .collect(),
        offers,
        usage: usage_text(tr, usage.used, usage.quota),
        school_usage: usage_text(tr, usage.school_used, usage.school_quota),
    };
    render::ok(&view)
}

/// The three reads of the overview, one after the other (they are small).
async fn overview_data(
    p: &schulhof_domain::Platform,
    r: &Ready,
) -> Result<(Vec<FileEntry>, Vec<FileEntry>, Usage), DomainError> {
    let areas = p.file_areas(&r.actor).await?;
    let shared = p.file_shared_with_me(&r.actor).await?;
    let usage = p.file_usage(&r.actor).await?;
    Ok((areas, shared, usage))
}

/// `GET /dateien/{id}/herunterladen`: the content, with ranges and `If-None-Match`.
pub async fn download(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (located, entry) = match locate(&state, &r, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    match state.platform.file_open(&r.actor, &located).await {
        Ok(file) => schulhof_front::files::download(&entry, file, &headers).await,
        Err(e) => r.fail(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size_text(Lang::De, 812), "812 B");
        assert_eq!(size_text(Lang::De, 1_200_000), "1,2 MB");
        assert_eq!(size_text(Lang::En, 1_249_999), "1.2 MB");
        assert_eq!(size_text(Lang::De, 5_000_000_000), "5 GB");
        assert_eq!(size_text(Lang::De, 12_345_678), "12 MB");
        assert_eq!(size_text(Lang::De, 10_450_000), "10 MB");
        assert_eq!(size_text(Lang::De, 999_999), "1000 KB");
        assert_eq!(size_text(Lang::De, 0), "0 B");
    }
}
