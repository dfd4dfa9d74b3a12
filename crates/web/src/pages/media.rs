//! The Mediathek: `/mediathek` searches everything the caller may see (and licensed files of
//! other schools), shows the favourites when nothing is asked; plus the licence and
//! metadata form on a file's page.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use schulhof_authz::files::FileRole;
use schulhof_domain::DomainError;
use schulhof_domain::files::{FileEntry, Located};
use schulhof_domain::media::{LICENSES, MediaHit, MediaMeta};
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::pages::files::node::{Typed, render_node};
use crate::pages::files::{back_to, locate, node_href, parse_node, size_text, when};
use crate::render;
use crate::url;
use crate::when::Zone;

/// How many hits one search shows.
const HITS: usize = 50;

/// Licence and metadata on a file's page: what is set, and the form for contributors.
pub struct MetaView {
    pub facts: Vec<(&'static str, String)>,
    pub form: Option<FormView>,
}

fn meta_fields(tr: Tr, meta: &MediaMeta, failure: Option<&Failure>) -> FormView {
    let current = meta.license.clone().unwrap_or_default();
    let licences = std::iter::once((String::new(), tr.t("media.license.none").to_owned()))
        .chain(LICENSES.iter().map(|l| ((*l).to_owned(), (*l).to_owned())));
    let fields = vec![
        Field::new(tr, "meta-license", "lizenz", "media.license")
            .value(current)
            .options(licences)
            .hint(tr, "media.license_hint")
            .answers(&["license"]),
        Field::new(tr, "meta-subject", "fach", "media.subject")
            .value(meta.subject.clone())
            .answers(&["subject"]),
        Field::new(tr, "meta-grade", "stufe", "media.grade")
            .value(meta.grade.clone())
            .hint(tr, "media.grade_hint")
            .answers(&["grade"]),
        Field::new(tr, "meta-keywords", "schlagwoerter", "media.keywords")
            .value(meta.keywords.clone())
            .hint(tr, "media.keywords_hint")
            .answers(&["keywords"]),
    ];
    FormView::new("meta", fields, failure)
}

fn meta_facts(tr: Tr, meta: &MediaMeta) -> Vec<(&'static str, String)> {
    [
        (
            tr.t("media.license"),
            meta.license.clone().unwrap_or_default(),
        ),
        (tr.t("media.subject"), meta.subject.clone()),
        (tr.t("media.grade"), meta.grade.clone()),
        (tr.t("media.keywords"), meta.keywords.clone()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect()
}

/// The licence section of a file's page.
pub async fn meta_view(
    state: &AppState,
    r: &Ready,
    located: &Located,
    entry: &FileEntry,
    failure: Option<&Failure>,
    typed: &Typed,
) -> MetaView {
    let tr = r.page.tr();
    let stored = state
        .platform
        .media_meta(&r.actor, located)
        .await
        .unwrap_or_default();
    let shown = typed.meta.as_ref().unwrap_or(&stored);
    MetaView {
        facts: meta_facts(tr, &stored),
        form: (entry.role_value >= FileRole::Contributor).then(|| meta_fields(tr, shown, failure)),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct MetaForm {
    #[serde(default)]
    lizenz: String,
    #[serde(default)]
    fach: String,
    #[serde(default)]
    stufe: String,
    #[serde(default)]
    schlagwoerter: String,
}

/// `POST /dateien/{id}/metadaten`.
pub async fn save_meta(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<MetaForm>,
) -> Response {
    let tr = r.page.tr();
    let (node, _) = match locate(&state, &r, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let meta = MediaMeta {
        license: Some(f.lizenz.trim().to_owned()).filter(|l| !l.is_empty()),
        subject: f.fach,
        grade: f.stufe,
        keywords: f.schlagwoerter,
    };
    match state
        .platform
        .media_set_meta(&r.actor, &node, meta.clone())
        .await
    {
        Ok(()) => back_to(&node_href(node.node().id), "meta_saved"),
        Err(e) => {
            let failure = match e {
                // Only a licence needs more than contributing: say so at the licence.
                DomainError::Forbidden => Failure {
                    form: "meta",
                    field: Some("license"),
                    message: tr.t("media.license_forbidden").to_owned(),
                    status: StatusCode::FORBIDDEN,
                },
                e => Failure::from_domain("meta", tr, &e),
            };
            let typed = Typed {
                meta: Some(meta),
                ..Typed::default()
            };
            render_node(&state, &r, &id, Some(&failure), &typed).await
        }
    }
}

#[derive(Template)]
#[template(path = "media.html")]
struct MediaPage {
    c: Chrome,
    search: Field,
    heading: String,
    empty: &'static str,
    hits: Vec<HitRow>,
    back: String,
}

struct HitRow {
    id: String,
    name: String,
    facts: Vec<(&'static str, String)>,
    download_href: String,
    details_href: Option<String>,
    favourite: bool,
}

fn hit_row(tr: Tr, zone: Zone, h: &MediaHit) -> HitRow {
    let mut facts = vec![
        (
            tr.t("media.license"),
            h.meta
                .license
                .clone()
                .unwrap_or_else(|| tr.t("media.license.none").to_owned()),
        ),
        (tr.t("media.subject"), h.meta.subject.clone()),
        (tr.t("media.grade"), h.meta.grade.clone()),
        (tr.t("media.keywords"), h.meta.keywords.clone()),
        (tr.t("files.col.size"), size_text(tr.0, h.size)),
        (tr.t("files.col.modified"), when(tr, zone, h.modified_at)),
    ];
    if let Some(school) = &h.other_school {
        facts.push((
            tr.t("media.school"),
            tr.t("media.from").replace("{school}", school),
        ));
    }
    HitRow {
        id: h.id.to_string(),
        name: h.name.clone(),
        facts: facts.into_iter().filter(|(_, v)| !v.is_empty()).collect(),
        download_href: format!("/mediathek/{}/herunterladen", h.id),
        details_href: h.other_school.is_none().then(|| node_href(h.id)),
        favourite: h.favourite,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// This page's address without a flash message, to come back to after a favourite.
fn without_ok(here: &str) -> String {
    let (path, query) = here.split_once('?').unwrap_or((here, ""));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("ok="))
        .collect();
    if kept.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

/// `GET /mediathek?q=…`: the hits, or the favourites without a query.
pub async fn show(
    State(state): State<AppState>,
    r: Ready,
    Query(q): Query<SearchQuery>,
) -> Response {
    let tr = r.page.tr();
    let query = q.q.trim().to_owned();
    let p = &state.platform;
    let (hits, heading, empty) = if query.is_empty() {
        match p.media_favourites(&r.actor).await {
            Ok(h) => (
                h,
                tr.t("media.favourites").to_owned(),
                tr.t("media.favourites_none"),
            ),
            Err(e) => return r.fail(e),
        }
    } else {
        match p.media_search(&r.actor, &query, HITS).await {
            Ok(h) => (
                h,
                tr.t("media.results").replace("{q}", &query),
                tr.t("media.results_none"),
            ),
            Err(e) => return r.fail(e),
        }
    };
    let search = Field::new(tr, "media-q", "q", "media.query")
        .kind("search")
        .value(query.clone())
        .hint(tr, "media.query_hint");
    let view = MediaPage {
        c: Chrome::new(&r.page, tr.t("media.title")).signed_in(&r.page, &r.actor),
        search,
        heading,
        empty,
        hits: hits
            .iter()
            .map(|h| hit_row(tr, Zone::of(&r.actor), h))
            .collect(),
        back: without_ok(&r.page.here),
    };
    render::ok(&view)
}

#[derive(Debug, Default, Deserialize)]
pub struct FavouriteForm {
    /// `ja` adds, anything else removes.
    #[serde(default)]
    an: String,
    #[serde(default)]
    zurueck: String,
}

/// `POST /mediathek/{id}/favorit`.
pub async fn favourite(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<FavouriteForm>,
) -> Response {
    let Some(id) = parse_node(&id) else {
        return r.fail(DomainError::NotFound);
    };
    let on = f.an == "ja";
    let back = if f.zurueck.is_empty() {
        "/mediathek"
    } else {
        url::local_path(&f.zurueck)
    };
    match state.platform.media_set_favourite(&r.actor, id, on).await {
        Ok(()) => back_to(back, if on { "favourite_on" } else { "favourite_off" }),
        Err(e) => r.fail(e),
    }
}

/// `GET /mediathek/{id}/herunterladen`: a hit's content, also from another school.
pub async fn download(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(id) = parse_node(&id) else {
        return r.fail(DomainError::NotFound);
    };
    match state.platform.media_open(&r.actor, id).await {
        Ok((_, hit, file)) => {
            let etag = format!("m{:x}", hit.modified_at.timestamp_micros());
            let what = schulhof_front::files::Download {
                name: &hit.name,
                size: hit.size,
                mime: None,
                etag: &etag,
            };
            schulhof_front::files::download_as(&what, file, &headers).await
        }
        Err(e) => r.fail(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coming_back_drops_the_old_message() {
        assert_eq!(without_ok("/mediathek"), "/mediathek");
        assert_eq!(
            without_ok("/mediathek?q=blatt&ok=favourite_on"),
            "/mediathek?q=blatt"
        );
        assert_eq!(without_ok("/mediathek?ok=favourite_on"), "/mediathek");
    }
}
