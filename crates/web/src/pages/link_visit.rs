//! `/l/{token}…`: what a visitor without a login sees of a share link. A read link to a file
//! shows it with its download, one to a folder lists it (subfolders too); an upload link
//! takes files and shows nothing of what is there. A link with a password asks for it
//! once; the browser then keeps a cookie for this link only.
//!
//! Every file operation acts as the link's creator, through the same services and policy
//! as their own pages, so a link never opens more than its creator could still see.

use askama::Template;
use axum::Form;
use axum::extract::multipart::{Field as Part, MultipartRejection};
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use schulhof_domain::DomainError;
use schulhof_domain::files::{FileEntry, LinkMode, LinkRefusal, Located, OpenLink, Placement};
use schulhof_front::{AppState, ClientAddr};
use serde::Deserialize;

use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::{Chrome, Page};
use crate::pages::errors;
use crate::pages::files::node::{Crumb, file_facts, upload_form};
use crate::pages::files::{back_to, parse_node, size_text};
use crate::render;
use crate::when::Zone;

/// Cookies that remember a link's password are named after the link.
const UNLOCK_PREFIX: &str = "schulhof_link_";

#[derive(Template)]
#[template(path = "link_password.html")]
struct PasswordPage {
    c: Chrome,
    action: String,
    form: FormView,
}

#[derive(Template)]
#[template(path = "link_visit.html")]
struct VisitPage {
    c: Chrome,
    js_href: String,
    school: String,
    start_href: String,
    start_label: String,
    crumbs: Vec<Crumb>,
    heading: String,
    /// A file: its facts and download.
    file: Option<FileView>,
    /// A folder of a read link: what is in it.
    rows: Option<Vec<VisitRow>>,
    /// An upload link: the form.
    upload: Option<UploadView>,
}

struct FileView {
    facts: Vec<(&'static str, String)>,
    download_href: String,
}

struct VisitRow {
    name: String,
    href: String,
    kind: &'static str,
    size: String,
    modified: String,
    modified_iso: String,
}

struct UploadView {
    /// The link's page; the form posts below it.
    base: String,
    form: FormView,
}

/// Tokens are URL-safe base64; anything else cannot be one (and must not reach a cookie path).
fn plausible(token: &str) -> bool {
    !token.is_empty()
        && token.len() <= 128
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn link_base(token: &str) -> String {
    format!("/l/{token}")
}

/// "This link is not (or no longer) valid": every refusal looks the same.
fn gone(page: &Page) -> Response {
    let message = page.tr().t("visit.gone").to_owned();
    errors::error_page(page, None, StatusCode::NOT_FOUND, message)
}

/// What the browser kept from earlier correct passwords, for this path.
fn unlock_keys(headers: &HeaderMap) -> Vec<String> {
    CookieJar::from_headers(headers)
        .iter()
        .filter(|c| c.name().starts_with(UNLOCK_PREFIX))
        .map(|c| c.value().to_owned())
        .collect()
}

/// Opens the link with a kept unlock key, if one fits.
async fn open(
    state: &AppState,
    token: &str,
    headers: &HeaderMap,
    addr: &str,
) -> Result<OpenLink, LinkRefusal> {
    if !plausible(token) {
        return Err(LinkRefusal::Gone);
    }
    let keys = unlock_keys(headers);
    if keys.is_empty() {
        return state.platform.link_open(token, None, None, addr).await;
    }
    for key in &keys {
        match state.platform.link_open(token, None, Some(key), addr).await {
            Err(LinkRefusal::PasswordNeeded { .. }) => continue,
            other => return other,
        }
    }
    Err(LinkRefusal::PasswordNeeded { wrong: false })
}

fn password_page(page: &Page, token: &str, wrong: bool) -> Response {
    let tr = page.tr();
    let failure = wrong.then(|| Failure {
        form: "unlock",
        field: Some("password"),
        message: tr.t("visit.password_wrong").to_owned(),
        status: StatusCode::UNAUTHORIZED,
    });
    let field = Field::new(tr, "link-password", "passwort", "visit.password")
        .kind("password")
        .auto("off")
        .required()
        .answers(&["password"]);
    let view = PasswordPage {
        c: Chrome::new(page, tr.t("visit.password_title")),
        action: link_base(token),
        form: FormView::new("unlock", vec![field], failure.as_ref()),
    };
    render::html(failure.as_ref().map_or(StatusCode::OK, |f| f.status), &view)
}

/// Too many wrong passwords: the form again, saying how long to wait.
fn throttled_page(page: &Page, token: &str, secs: u64) -> Response {
    let tr = page.tr();
    let failure = Failure {
        form: "unlock",
        field: Some("password"),
        message: tr.t("error.throttled").replace("{n}", &secs.to_string()),
        status: StatusCode::TOO_MANY_REQUESTS,
    };
    let field = Field::new(tr, "link-password", "passwort", "visit.password")
        .kind("password")
        .auto("off")
        .required()
        .answers(&["password"]);
    let view = PasswordPage {
        c: Chrome::new(page, tr.t("visit.password_title")),
        action: link_base(token),
        form: FormView::new("unlock", vec![field], Some(&failure)),
    };
    let mut r = render::html(failure.status, &view);
    if let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string()) {
        r.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
    }
    r
}

fn refused(page: &Page, token: &str, why: LinkRefusal) -> Response {
    match why {
        LinkRefusal::Gone => gone(page),
        LinkRefusal::PasswordNeeded { wrong } => password_page(page, token, wrong),
        LinkRefusal::Throttled { retry_after_secs } => {
            throttled_page(page, token, retry_after_secs)
        }
    }
}

/// Opens the link or answers for it: the password form, or "gone".
macro_rules! open_or_answer {
    ($state:expr, $page:expr, $token:expr, $headers:expr, $addr:expr) => {
        match open($state, $token, $headers, $addr).await {
            Ok(o) => o,
            Err(why) => return refused($page, $token, why),
        }
    };
}

fn visit_row(tr: Tr, zone: Zone, token: &str, e: &FileEntry) -> VisitRow {
    let href = format!("/l/{token}/n/{}", e.id);
    VisitRow {
        name: e.name.clone(),
        href: if e.is_dir {
            href
        } else {
            format!("{href}/herunterladen")
        },
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
        modified: zone.datetime(tr, e.modified_at),
        modified_iso: e.modified_at.to_rfc3339(),
    }
}

/// The page frame of a visit: no navigation, no login.
fn visit_frame(page: &Page, open: &OpenLink, token: &str, heading: String) -> VisitPage {
    VisitPage {
        c: Chrome::new(page, heading.clone()),
        js_href: crate::assets::href("files.js"),
        school: open.actor.school_name.clone(),
        start_href: link_base(token),
        start_label: open.entry.name.clone(),
        crumbs: Vec::new(),
        heading,
        file: None,
        rows: None,
        upload: None,
    }
}

/// The way from the linked folder down to `node` (the linked folder is the start).
fn crumbs_below(open: &OpenLink, token: &str, node: &Located) -> Vec<Crumb> {
    let top = open.node.node().id;
    let Some(start) = node.rows.iter().position(|r| r.id == top) else {
        return Vec::new();
    };
    let below = &node.rows[start + 1..];
    let n = below.len();
    below
        .iter()
        .enumerate()
        .map(|(i, r)| Crumb {
            href: format!("/l/{token}/n/{}", r.id),
            name: r.name.clone(),
            current: i + 1 == n,
        })
        .collect()
}

async fn render_visit(
    state: &AppState,
    page: &Page,
    open: &OpenLink,
    token: &str,
    at: Option<&Located>,
    failure: Option<&Failure>,
) -> Response {
    let tr = page.tr();
    let (node, entry) = match at {
        Some(n) => match n.entry(&open.actor) {
            Some(e) => (n, e),
            None => return gone(page),
        },
        None => (&open.node, open.entry.clone()),
    };
    let heading = if at.is_some() {
        entry.name.clone()
    } else {
        open.entry.name.clone()
    };
    let mut view = visit_frame(page, open, token, heading);
    if at.is_some() {
        view.crumbs = crumbs_below(open, token, node);
    }
    match open.mode {
        LinkMode::Upload => {
            let mut form = upload_form(tr, failure);
            // Visitors only add: a name already there is refused, never replaced.
            if let Some(f) = form.fields.first_mut() {
                f.hint = Some(tr.t("visit.upload_hint"));
            }
            view.upload = Some(UploadView {
                base: link_base(token),
                form,
            });
        }
        LinkMode::Read if entry.is_dir => {
            let list = match state.platform.file_list(&open.actor, node).await {
                Ok(l) => l,
                Err(e) => return errors::domain_error(page, None, &e),
            };
            // The linked school's time: the link's creator acts for it.
            let zone = Zone::of(&open.actor);
            view.rows = Some(list.iter().map(|e| visit_row(tr, zone, token, e)).collect());
        }
        LinkMode::Read => {
            let download_href = match at {
                Some(n) => format!("/l/{token}/n/{}/herunterladen", n.node().id),
                None => format!("{}/herunterladen", link_base(token)),
            };
            let mut facts = file_facts(tr, Zone::of(&open.actor), &entry);
            // The visitor's "role" is the link's, not the creator's.
            facts.truncate(3);
            view.file = Some(FileView {
                facts,
                download_href,
            });
        }
    }
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

/// `GET /l/{token}`.
pub async fn show(
    State(state): State<AppState>,
    page: Page,
    ClientAddr(addr): ClientAddr,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let open = open_or_answer!(&state, &page, &token, &headers, &addr);
    render_visit(&state, &page, &open, &token, None, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    passwort: String,
}

/// `POST /l/{token}`: the link's password; right, the browser keeps a key for this link.
pub async fn unlock(
    State(state): State<AppState>,
    page: Page,
    ClientAddr(addr): ClientAddr,
    Path(token): Path<String>,
    jar: CookieJar,
    Form(f): Form<PasswordForm>,
) -> Response {
    if !plausible(&token) {
        return gone(&page);
    }
    match state
        .platform
        .link_open(&token, Some(&f.passwort), None, &addr)
        .await
    {
        Ok(open) => {
            let cookie = Cookie::build((format!("{UNLOCK_PREFIX}{}", open.id), open.unlock_key))
                .path(link_base(&token))
                .http_only(true)
                .secure(state.secure_cookies)
                .same_site(SameSite::Lax)
                .build();
            (jar.add(cookie), Redirect::to(&link_base(&token))).into_response()
        }
        Err(why) => refused(&page, &token, why),
    }
}

/// `GET /l/{token}/herunterladen`: the linked file.
pub async fn download(
    State(state): State<AppState>,
    page: Page,
    ClientAddr(addr): ClientAddr,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let open = open_or_answer!(&state, &page, &token, &headers, &addr);
    if open.mode != LinkMode::Read || open.entry.is_dir {
        return gone(&page);
    }
    match state.platform.file_open(&open.actor, &open.node).await {
        Ok(file) => schulhof_front::files::download(&open.entry, file, &headers).await,
        Err(_) => gone(&page),
    }
}

/// A node below a read link's folder.
async fn below(state: &AppState, open: &OpenLink, node: &str) -> Result<Located, DomainError> {
    let id = parse_node(node).ok_or(DomainError::NotFound)?;
    state.platform.link_locate(open, id).await
}

/// `GET /l/{token}/n/{node}`: a subfolder or file of a linked folder.
pub async fn show_below(
    State(state): State<AppState>,
    page: Page,
    ClientAddr(addr): ClientAddr,
    Path((token, node)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let open = open_or_answer!(&state, &page, &token, &headers, &addr);
    match below(&state, &open, &node).await {
        Ok(located) => render_visit(&state, &page, &open, &token, Some(&located), None).await,
        Err(_) => gone(&page),
    }
}

/// `GET /l/{token}/n/{node}/herunterladen`.
pub async fn download_below(
    State(state): State<AppState>,
    page: Page,
    ClientAddr(addr): ClientAddr,
    Path((token, node)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let open = open_or_answer!(&state, &page, &token, &headers, &addr);
    let Ok(located) = below(&state, &open, &node).await else {
        return gone(&page);
    };
    let Some(entry) = located.entry(&open.actor).filter(|e| !e.is_dir) else {
        return gone(&page);
    };
    match state.platform.file_open(&open.actor, &located).await {
        Ok(file) => schulhof_front::files::download(&entry, file, &headers).await,
        Err(_) => gone(&page),
    }
}

/// The last part of a file name as browsers send it (old ones send a whole path).
fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

async fn store_one(
    state: &AppState,
    open: &OpenLink,
    name: &str,
    mime: Option<&str>,
    part: &mut Part<'_>,
) -> Result<FileEntry, DomainError> {
    let at = Placement {
        folder: &open.node,
        name,
    };
    // Always a new entry: a visitor neither sees, replaces nor learns of what is there.
    let mut pending = state
        .platform
        .begin_link_upload(&open.actor, at, mime)
        .await?;
    schulhof_front::files::stream_field(part, &mut pending).await?;
    state.platform.finish_upload(&open.actor, pending).await
}

/// `POST /l/{token}/hochladen`: the files of an upload link, streamed into the folder.
pub async fn upload(
    State(state): State<AppState>,
    page: Page,
    ClientAddr(addr): ClientAddr,
    Path(token): Path<String>,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let tr = page.tr();
    let open = open_or_answer!(&state, &page, &token, &headers, &addr);
    if open.mode != LinkMode::Upload {
        return gone(&page);
    }
    let fail = |failure: Failure| {
        let (state, page, open, token) = (&state, &page, &open, &token);
        async move { render_visit(state, page, open, token, None, Some(&failure)).await }
    };
    let broken = || Failure::local("upload", "file", tr.t("files.upload.broken"));
    let Ok(mut form) = form else {
        return fail(broken()).await;
    };
    let mut stored = 0;
    loop {
        let mut part = match form.next_field().await {
            Ok(Some(p)) => p,
            Ok(None) => break,
            Err(_) => return fail(broken()).await,
        };
        let Some(name) = part.file_name().map(|n| base_name(n).to_owned()) else {
            continue;
        };
        if name.is_empty() {
            continue;
        }
        let mime = part
            .content_type()
            .filter(|m| !m.is_empty() && *m != "application/octet-stream")
            .map(str::to_owned);
        if let Err(e) = store_one(&state, &open, &name, mime.as_deref(), &mut part).await {
            let mut failure = Failure::from_domain("upload", tr, &e);
            failure.message = format!("„{name}“: {}", failure.message);
            return fail(failure).await;
        }
        stored += 1;
    }
    if stored == 0 {
        return fail(Failure::local("upload", "file", tr.t("files.upload.none"))).await;
    }
    back_to(&link_base(&token), "link_uploaded")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_url_safe_tokens_are_tried() {
        assert!(plausible("abc-DEF_123"));
        assert!(!plausible(""));
        assert!(!plausible("a/b"));
        assert!(!plausible("a;b"));
        assert!(!plausible(&"a".repeat(200)));
    }
}
