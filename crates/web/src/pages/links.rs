//! Share links for people outside the school, as their owners see them: the section on a
//! folder's or file's page, creating one (its address is shown this once), revoking, and
//! `/links` with one's own links (the admin: every link of the school).

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use chrono::NaiveDate;
use schulhof_authz::files::FileRole;
use schulhof_domain::DomainError;
use schulhof_domain::files::{FileEntry, LinkMode, LinkView, Located, NewLink};
use schulhof_front::AppState;
use schulhof_types::FunctionRole;
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::pages::files::node::{Crumb, Typed, crumbs, render_node};
use crate::pages::files::{back_to, display_name, locate, node_href};
use crate::render;
use crate::url;
use crate::when::Zone;

/// The links section of a folder's or file's page.
pub struct LinksView {
    /// The node's page; the form posts below it.
    pub base: String,
    pub is_dir: bool,
    pub rows: Vec<LinkRow>,
    pub form: FormView,
}

/// One link in a table.
pub struct LinkRow {
    pub id: String,
    pub name: String,
    /// The node's page, where it is the caller's own link.
    pub href: Option<String>,
    pub mode: &'static str,
    pub password: &'static str,
    pub expires: String,
    pub created: String,
    pub created_iso: String,
    pub by: String,
}

fn mode_label(tr: Tr, mode: LinkMode) -> &'static str {
    match mode {
        LinkMode::Read => tr.t("links.mode.read"),
        LinkMode::Upload => tr.t("links.mode.upload"),
    }
}

fn link_row(tr: Tr, zone: Zone, v: &LinkView, own_login: Option<&str>) -> LinkRow {
    let own = own_login.is_some_and(|l| v.created_by.as_deref() == Some(l));
    LinkRow {
        id: v.id.to_string(),
        name: v.name.clone(),
        href: own.then(|| node_href(v.node)),
        mode: mode_label(tr, v.mode),
        password: if v.has_password {
            tr.t("links.password.yes")
        } else {
            tr.t("links.password.no")
        },
        expires: v.expires_at.map_or_else(
            || tr.t("links.expires.never").to_owned(),
            |t| zone.date(tr, t),
        ),
        created: zone.datetime(tr, v.created_at),
        created_iso: v.created_at.to_rfc3339(),
        by: v.created_by.clone().unwrap_or_default(),
    }
}

fn link_fields(
    tr: Tr,
    today: NaiveDate,
    is_dir: bool,
    typed: &Typed,
    failure: Option<&Failure>,
) -> FormView {
    let mut fields = Vec::new();
    if is_dir {
        let mode = if typed.link_mode.is_empty() {
            "read"
        } else {
            typed.link_mode.as_str()
        };
        fields.push(
            Field::new(tr, "link-mode", "modus", "links.mode")
                .value(mode)
                .options([
                    ("read".to_owned(), tr.t("links.mode.read").to_owned()),
                    ("upload".to_owned(), tr.t("links.mode.upload").to_owned()),
                ])
                .answers(&["mode"]),
        );
    }
    fields.push(
        Field::new(tr, "link-password", "passwort", "links.password")
            .kind("password")
            .auto("new-password")
            .hint(tr, "links.password_hint")
            .answers(&["password"]),
    );
    fields.push(
        Field::new(tr, "link-expiry", "ablauf", "links.expiry")
            .kind("date")
            .value(typed.link_expiry.clone())
            .attr("min", today.format("%Y-%m-%d").to_string())
            .hint(tr, "links.expiry_hint")
            .answers(&["expires_at"]),
    );
    FormView::new("link", fields, failure)
}

/// The links of a node with the form for a new one; for those who may see them (the
/// service decides).
pub async fn links_view(
    state: &AppState,
    r: &Ready,
    located: &Located,
    entry: &FileEntry,
    failure: Option<&Failure>,
    typed: &Typed,
) -> Option<LinksView> {
    if entry.role_value < FileRole::Contributor {
        return None;
    }
    let tr = r.page.tr();
    let list = state
        .platform
        .link_list(&r.actor, Some(located))
        .await
        .ok()?;
    let zone = Zone::of(&r.actor);
    let today = zone.today(state.platform.now());
    Some(LinksView {
        base: node_href(entry.id),
        is_dir: entry.is_dir,
        rows: list.iter().map(|v| link_row(tr, zone, v, None)).collect(),
        form: link_fields(tr, today, entry.is_dir, typed, failure),
    })
}

/// `https://host/path` from the request's `Host` (the path alone without one).
pub fn absolute_url(state: &AppState, headers: &HeaderMap, path: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && !h.contains(['/', ' ', '\\', '@']));
    match host {
        Some(h) => {
            let scheme = if state.secure_cookies {
                "https"
            } else {
                "http"
            };
            format!("{scheme}://{h}{path}")
        }
        None => path.to_owned(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    modus: String,
    #[serde(default)]
    passwort: String,
    /// `YYYY-MM-DD`, or empty for no expiry.
    #[serde(default)]
    ablauf: String,
}

#[derive(Template)]
#[template(path = "link_created.html")]
struct CreatedPage {
    c: Chrome,
    crumbs: Vec<Crumb>,
    heading: String,
    url: String,
    facts: Vec<(&'static str, String)>,
    back_href: String,
}

/// `POST /dateien/{id}/links`: a new link; its address is shown on the answer page only.
pub async fn create(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(f): Form<LinkForm>,
) -> Response {
    let tr = r.page.tr();
    let (node, entry) = match locate(&state, &r, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let typed = Typed {
        link_mode: f.modus.clone(),
        link_expiry: f.ablauf.clone(),
        ..Typed::default()
    };
    let zone = Zone::of(&r.actor);
    let parsed = parse_link_form(tr, zone, &f);
    let new = match parsed {
        Ok(n) => n,
        Err(failure) => return render_node(&state, &r, &id, Some(&failure), &typed).await,
    };
    match state.platform.link_create(&r.actor, &node, new).await {
        Ok(created) => {
            let link = &created.link;
            let url = absolute_url(&state, &headers, &format!("/l/{}", created.token));
            let name = display_name(tr, &entry);
            let row = link_row(tr, zone, link, None);
            let heading = tr.t("links.created.title").replace("{name}", &name);
            let view = CreatedPage {
                c: Chrome::new(&r.page, heading.clone()).signed_in(&r.page, &r.actor),
                crumbs: crumbs(&state, &r, &node)
                    .into_iter()
                    .map(|b| Crumb {
                        current: false,
                        ..b
                    })
                    .collect(),
                heading,
                url,
                facts: vec![
                    (tr.t("links.col.mode"), row.mode.to_owned()),
                    (tr.t("links.col.password"), row.password.to_owned()),
                    (tr.t("links.col.expires"), row.expires),
                ],
                back_href: node_href(entry.id),
            };
            render::ok(&view)
        }
        Err(e) => {
            let failure = Failure::from_domain("link", tr, &e);
            render_node(&state, &r, &id, Some(&failure), &typed).await
        }
    }
}

/// Reads the form; a "valid until" date means the end of that day in the school's time.
fn parse_link_form(tr: Tr, zone: Zone, f: &LinkForm) -> Result<NewLink, Failure> {
    let mode = match f.modus.as_str() {
        "" | "read" => LinkMode::Read,
        "upload" => LinkMode::Upload,
        _ => return Err(Failure::local("link", "mode", tr.t("links.bad_mode"))),
    };
    let date = f.ablauf.trim();
    let expires_at = if date.is_empty() {
        None
    } else {
        let day = NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .ok()
            .map(|d| zone.end_of_day(d))
            .ok_or_else(|| Failure::local("link", "expires_at", tr.t("links.bad_date")))?;
        Some(day)
    };
    Ok(NewLink {
        mode,
        password: Some(f.passwort.clone()).filter(|p| !p.is_empty()),
        expires_at,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct RevokeForm {
    /// The page to go back to (a local path); `/links` when empty.
    #[serde(default)]
    zurueck: String,
}

/// `POST /links/{id}/widerrufen`.
pub async fn revoke(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<RevokeForm>,
) -> Response {
    let Ok(id) = id.parse::<uuid::Uuid>() else {
        return r.fail(DomainError::NotFound);
    };
    let back = if f.zurueck.is_empty() {
        "/links"
    } else {
        url::local_path(&f.zurueck)
    };
    match state.platform.link_revoke(&r.actor, id).await {
        Ok(()) => back_to(back, "link_revoked"),
        Err(e) => r.fail(e),
    }
}

#[derive(Template)]
#[template(path = "links.html")]
struct ListPage {
    c: Chrome,
    heading: &'static str,
    lead: &'static str,
    rows: Vec<LinkRow>,
}

/// `GET /links`: one's own links; the admin sees every link of the school.
pub async fn list(State(state): State<AppState>, r: Ready) -> Response {
    let tr = r.page.tr();
    let list = match state.platform.link_list(&r.actor, None).await {
        Ok(l) => l,
        Err(e) => return r.fail(e),
    };
    let admin = r.actor.token.principal().is(FunctionRole::Admin);
    let (heading, lead) = if admin {
        (tr.t("links.school_title"), tr.t("links.school_lead"))
    } else {
        (tr.t("links.mine_title"), tr.t("links.mine_lead"))
    };
    let login = r.actor.user.login.clone();
    let view = ListPage {
        c: Chrome::new(&r.page, heading).signed_in(&r.page, &r.actor),
        heading,
        lead,
        rows: list
            .iter()
            .map(|v| link_row(tr, Zone::of(&r.actor), v, Some(&login)))
            .collect(),
    };
    render::ok(&view)
}

#[cfg(test)]
mod tests {
    use super::*;
    use schulhof_front::Lang;

    #[test]
    fn expiry_dates_end_with_their_day_and_bad_input_is_named() {
        let tr = Tr::new(Lang::De);
        let f = LinkForm {
            modus: "upload".into(),
            passwort: String::new(),
            ablauf: "2031-02-28".into(),
        };
        let n = parse_link_form(tr, Zone::berlin(), &f).expect("valid");
        assert_eq!(n.mode, LinkMode::Upload);
        assert_eq!(n.password, None);
        assert_eq!(
            n.expires_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2031-02-28T22:59:59.999999+00:00")
        );
        let bad = LinkForm {
            ablauf: "28.02.2031".into(),
            ..LinkForm::default()
        };
        let failure = parse_link_form(tr, Zone::berlin(), &bad).expect_err("refused");
        assert_eq!(failure.field, Some("expires_at"));
        let odd = LinkForm {
            modus: "write".into(),
            ..LinkForm::default()
        };
        assert!(parse_link_form(tr, Zone::berlin(), &odd).is_err());
    }
}
