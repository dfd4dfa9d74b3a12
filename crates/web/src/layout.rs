//! The frame around every page: language, demo banner, navigation, the signed-in user, and
//! the flash message after a redirect.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use schulhof_authz::safe::EnterSafe;
use schulhof_domain::identity::Actor;
use schulhof_front::{AppState, Lang};
use schulhof_types::RightId;

use crate::assets::APP_CSS_HASH;
use crate::i18n::Tr;
use crate::url;

/// What every page needs from the request, signed in or not.
#[derive(Clone, Debug)]
pub struct Page {
    pub lang: Lang,
    pub demo: bool,
    /// Path and query of this request, to come back to after switching the language.
    pub here: String,
    /// The text of `?ok=<key>`, if the key is a known message.
    pub flash: Option<&'static str>,
}

impl Page {
    pub fn from_parts(parts: &Parts, state: &AppState) -> Page {
        let lang = axum_extra::extract::cookie::CookieJar::from_headers(&parts.headers)
            .get("lang")
            .and_then(|c| Lang::parse(c.value()))
            .unwrap_or_default();
        let tr = Tr(lang);
        let flash = url::query_param(parts.uri.query(), "ok")
            .and_then(|key| tr.lookup(&format!("ok.{key}")));
        Page {
            lang,
            demo: state.demo,
            here: parts
                .uri
                .path_and_query()
                .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
            flash,
        }
    }

    pub fn tr(&self) -> Tr {
        Tr(self.lang)
    }
}

impl FromRequestParts<AppState> for Page {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Page::from_parts(parts, state))
    }
}

/// One area of the platform the signed-in account may use: a navigation link and a tile.
#[derive(Clone, Debug)]
pub struct Area {
    pub href: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    pub current: bool,
}

/// The areas to offer. This only decides what to *show*; every page asks the domain again.
pub fn areas(tr: Tr, actor: &Actor, here: &str) -> Vec<Area> {
    let has = |r| actor.token.has(r);
    let mut list = vec![("/konto", "nav.account")];
    if has(RightId::GroupsReadOwn) {
        list.push(("/gruppen", "nav.mine"));
    }
    // Everyone has an own area, so everyone gets the file manager.
    list.push(("/dateien", "nav.files"));
    if has(RightId::MediaAccess) {
        list.push(("/mediathek", "nav.media"));
    }
    // Who may enter the Safe (teachers, staff, the Schulleitung) gets its door; the admin,
    // who never enters, only the page to reset Safe passwords.
    if schulhof_authz::check(&actor.token, EnterSafe).is_ok() {
        list.push(("/safe", "nav.safe"));
    } else if has(RightId::AdminSafePasswordReset) {
        list.push(("/safe/passwoerter", "nav.safe_passwords"));
    }
    if has(RightId::AdminUsers) || has(RightId::UsersReadOnly) {
        list.push(("/verwaltung/benutzer", "nav.users"));
    }
    if has(RightId::AdminGroups) || has(RightId::UsersReadOnly) {
        list.push(("/verwaltung/gruppen", "nav.groups"));
    }
    if has(RightId::AdminAuditLog) {
        list.push(("/verwaltung/protokoll", "nav.audit"));
    }
    // Imports, deletion periods and the school year are the admin's (user administration).
    if has(RightId::AdminUsers) {
        list.push(("/verwaltung/import", "nav.import"));
        list.push(("/verwaltung/loeschfristen", "nav.deletion"));
        list.push(("/verwaltung/schuljahr", "nav.year"));
        list.push(("/verwaltung/schulfreigaben", "nav.cross_sharing"));
    }
    let path = here.split('?').next().unwrap_or(here);
    list.into_iter()
        .map(|(href, key)| Area {
            href,
            label: tr.t(key),
            description: tr.t(&format!("{key}.desc")),
            current: path == href || path.starts_with(&format!("{href}/")),
        })
        .collect()
}

/// The frame of a page, handed to the base template.
pub struct Chrome {
    pub tr: Tr,
    pub title: String,
    pub demo: bool,
    pub school: Option<String>,
    /// Name of the signed-in login; shows the logout button.
    pub user: Option<String>,
    pub nav: Vec<Area>,
    pub flash: Option<&'static str>,
    pub lang_href: String,
    pub css_href: String,
}

impl Chrome {
    pub fn new(page: &Page, title: impl Into<String>) -> Chrome {
        let tr = page.tr();
        let other = match page.lang {
            Lang::De => "en",
            Lang::En => "de",
        };
        Chrome {
            tr,
            title: title.into(),
            demo: page.demo,
            school: None,
            user: None,
            nav: Vec::new(),
            flash: page.flash,
            lang_href: format!("/sprache?lang={other}&zurueck={}", url::encode(&page.here)),
            css_href: format!("/static/app.css?v={APP_CSS_HASH:x}"),
        }
    }

    /// Signed in, but held at a gate (consent, new password): logout only, no navigation.
    pub fn gated(mut self, actor: &Actor) -> Chrome {
        self.school = Some(actor.school_name.clone());
        self.user = Some(display_name(self.tr, actor));
        self
    }

    pub fn signed_in(self, page: &Page, actor: &Actor) -> Chrome {
        let mut c = self.gated(actor);
        let path = page.here.split('?').next().unwrap_or("/");
        c.nav.push(Area {
            href: "/",
            label: c.tr.t("nav.home"),
            description: "",
            current: path == "/",
        });
        c.nav.extend(areas(c.tr, actor, &page.here));
        c
    }

    pub fn t(&self, key: &str) -> &'static str {
        self.tr.t(key)
    }

    pub fn lang(&self) -> &'static str {
        self.tr.0.code()
    }

    /// The language the switch link leads to, for its `lang` attribute.
    pub fn other_lang(&self) -> &'static str {
        match self.tr.0 {
            Lang::De => "en",
            Lang::En => "de",
        }
    }
}

/// "Lena Lehmann", or for a function account "Admin (Funktionskonto)".
pub fn display_name(tr: Tr, actor: &Actor) -> String {
    match &actor.user.function_role {
        Some(role) => format!("{} ({})", tr.function_role(role), tr.t("account.function")),
        None => format!("{} {}", actor.user.first_name, actor.user.last_name),
    }
}
