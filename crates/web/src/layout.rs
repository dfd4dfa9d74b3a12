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
    /// German texts say "du" to the viewer; set by [`Page::for_actor`] once the login is
    /// known.
    pub du: bool,
}

impl Page {
    pub fn from_parts(parts: &Parts, state: &AppState) -> Page {
        // The switch's choice wins; until then the browser's wish; German if it has none.
        let lang = axum_extra::extract::cookie::CookieJar::from_headers(&parts.headers)
            .get("lang")
            .and_then(|c| Lang::parse(c.value()))
            .or_else(|| {
                parts
                    .headers
                    .get(axum::http::header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(accept_language)
            })
            .unwrap_or_default();
        let here = parts
            .uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
        Page {
            lang,
            demo: state.demo,
            flash: flash_of(&here, Tr::new(lang)),
            here,
            du: false,
        }
    }

    /// The page as seen by `actor`: a student of a school that says "du" is addressed so.
    pub fn for_actor(mut self, actor: &Actor) -> Page {
        self.du = actor.addressed_with_du();
        self.flash = flash_of(&self.here, self.tr());
        self
    }

    pub fn tr(&self) -> Tr {
        Tr::new(self.lang).with_du(self.du)
    }
}

/// The text of `?ok=<key>` in `here`, if the key is a known message.
fn flash_of(here: &str, tr: Tr) -> Option<&'static str> {
    url::query_param(here.split_once('?').map(|(_, q)| q), "ok")
        .and_then(|key| tr.lookup(&format!("ok.{key}")))
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

/// The language of ours an `Accept-Language` header ranks highest (`en-GB;q=0.8, de;q=0.9`
/// gives German); the earlier of equal ranks; none if it names neither German nor English.
pub fn accept_language(header: &str) -> Option<Lang> {
    let mut best: Option<(f32, Lang)> = None;
    for range in header.split(',') {
        let mut parts = range.split(';');
        let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let primary = tag.split('-').next().unwrap_or("");
        let Some(lang) = Lang::parse(primary) else {
            continue;
        };
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())
            .unwrap_or(0.0);
        if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, lang));
        }
    }
    best.map(|(_, lang)| lang)
}

/// One area of the platform the signed-in account may use: a navigation link and a tile.
#[derive(Clone, Debug)]
pub struct Area {
    pub href: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    /// The symbol in the icon sprite, `i-folder`.
    pub icon: &'static str,
    pub current: bool,
}

/// The areas to offer, in the order of the navigation. This only decides what to *show*;
/// every page asks the domain again. A new module (mail, calendar, …) adds its line here and
/// appears in the menu of every page and as a tile on the home page.
pub fn areas(tr: Tr, actor: &Actor, here: &str) -> Vec<Area> {
    let has = |r| actor.token.has(r);
    let mut list = vec![("/konto", "nav.account", "i-user")];
    if has(RightId::GroupsReadOwn) {
        list.push(("/gruppen", "nav.mine", "i-users"));
    }
    // Everyone has an own area, so everyone gets the file manager.
    list.push(("/dateien", "nav.files", "i-folder"));
    if schulhof_authz::check(&actor.token, schulhof_authz::mail::UseOwnMailbox).is_ok() {
        list.push(("/mail", "nav.mail", "i-mail"));
    }
    if crate::pages::calendar::offered(&actor.token) {
        list.push(("/kalender", "nav.calendar", "i-calendar"));
    }
    if has(RightId::NewsRead) || schulhof_authz::news::is_author(&actor.token) {
        list.push(("/neuigkeiten", "nav.news", "i-bell"));
    }
    // Persons have courses; the admin creates them for groups.
    if actor.token.principal().account_type().is_some() || has(RightId::AdminGroups) {
        list.push(("/kurse", "nav.courses", "i-book"));
    }
    if has(RightId::ChatUse) {
        list.push(("/chat", "nav.chat", "i-bell"));
    }
    if has(RightId::ContactsPersonal) || has(RightId::ContactsSchool) {
        list.push(("/adressbuch", "nav.contacts", "i-users"));
    }
    if has(RightId::MediaAccess) {
        list.push(("/mediathek", "nav.media", "i-book"));
    }
    // Who may enter the Safe (teachers, staff, the Schulleitung) gets its door; the admin,
    // who never enters, only the page to reset Safe passwords.
    if schulhof_authz::check(&actor.token, EnterSafe).is_ok() {
        list.push(("/safe", "nav.safe", "i-lock"));
    } else if has(RightId::AdminSafePasswordReset) {
        list.push(("/safe/passwoerter", "nav.safe_passwords", "i-lock"));
    }
    if has(RightId::AdminUsers) || has(RightId::UsersReadOnly) {
        list.push(("/verwaltung/benutzer", "nav.users", "i-user"));
    }
    if has(RightId::AdminGroups) || has(RightId::UsersReadOnly) {
        list.push(("/verwaltung/gruppen", "nav.groups", "i-users"));
    }
    if has(RightId::AdminAuditLog) {
        list.push(("/verwaltung/protokoll", "nav.audit", "i-clock"));
    }
    // Imports, deletion periods and the school year are the admin's (user administration).
    if has(RightId::AdminUsers) {
        list.push(("/verwaltung/import", "nav.import", "i-upload"));
        list.push(("/verwaltung/loeschfristen", "nav.deletion", "i-delete"));
        list.push(("/verwaltung/schuljahr", "nav.year", "i-calendar"));
        list.push(("/verwaltung/schulfreigaben", "nav.cross_sharing", "i-share"));
    }
    if schulhof_authz::check(&actor.token, schulhof_authz::calendar::ManageResources).is_ok() {
        list.push((
            "/verwaltung/ressourcen",
            "nav.resources_admin",
            "i-calendar",
        ));
    }
    if crate::pages::homepage::offered(&actor.token) {
        list.push(("/verwaltung/startseite", "nav.homepage", "i-home"));
    }
    let abuse = schulhof_authz::mail_governance::RequestAbuseAnalysis;
    if schulhof_authz::check(&actor.token, abuse).is_ok() {
        list.push(("/verwaltung/mail/missbrauch", "nav.abuse", "i-eye"));
    }
    if schulhof_authz::check(&actor.token, schulhof_authz::ManageSchoolSettings).is_ok() {
        list.push(("/verwaltung/schule", "nav.school", "i-settings"));
        list.push(("/verwaltung/mail", "nav.mail_admin", "i-settings"));
    }
    let path = here.split('?').next().unwrap_or(here);
    list.into_iter()
        .map(|(href, key, icon)| Area {
            href,
            label: tr.t(key),
            description: tr.t(&format!("{key}.desc")),
            icon,
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
    /// The context help for the page, when the reader may read the documentation.
    pub help_href: Option<String>,
    pub css_href: String,
    /// The icon sprite; `{{ c.icons }}#i-folder` names one icon.
    pub icons: String,
    /// The shell's script (menu, flash focus, dialogs).
    pub shell_js: String,
    /// Where the brand leads and where logout posts: the school's pages, or the
    /// operators' console under `/betrieb/`.
    pub home_href: &'static str,
    pub logout_href: &'static str,
    /// Unread notifications for the bell; `None`: no bell (not signed in, or at a gate).
    pub unread: Option<i64>,
    /// This is the notification centre (the bell is the current page).
    pub at_bell: bool,
    /// Unread chat messages, shown at the chat's menu entry (counted with the session).
    pub chat_unread: i64,
    /// A count shown at one other menu entry (the console's open tickets).
    pub nav_badge: Option<(&'static str, i64, &'static str)>,
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
            help_href: None,
            css_href: format!("/static/app.css?v={APP_CSS_HASH:x}"),
            icons: crate::assets::href("icons.svg"),
            shell_js: crate::assets::href("shell.js"),
            home_href: "/",
            logout_href: "/abmelden",
            unread: None,
            at_bell: false,
            chat_unread: 0,
            nav_badge: None,
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
            icon: "i-home",
            current: path == "/",
        });
        c.nav.extend(areas(c.tr, actor, &page.here));
        if schulhof_authz::check(&actor.token, schulhof_authz::help::ReadHelp).is_ok() {
            c.help_href = Some(format!("/hilfe/kontext?pfad={}", url::encode(path)));
        }
        // Counted in the session's own query: the bell costs no statement of its own.
        c.unread = Some(actor.unread_notifications);
        if actor.token.has(RightId::ChatUse) {
            c.chat_unread = actor.unread_chat;
        }
        c.at_bell = path == "/benachrichtigungen" || path.starts_with("/benachrichtigungen/");
        c
    }

    pub fn t(&self, key: &str) -> &'static str {
        self.tr.t(key)
    }

    /// The count at the menu entry `href` (0: none) and what it counts, for screen readers.
    pub fn badge(&self, href: &str) -> (i64, &'static str) {
        match self.nav_badge {
            Some((h, n, what)) if h == href => (n, what),
            _ => (0, ""),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_ranks_by_q_and_order() {
        assert_eq!(accept_language("en-US,en;q=0.9,de;q=0.8"), Some(Lang::En));
        assert_eq!(accept_language("de-DE,de;q=0.9,en;q=0.8"), Some(Lang::De));
        assert_eq!(accept_language("en;q=0.5, de;q=0.7"), Some(Lang::De));
        assert_eq!(accept_language("fr-FR, en-GB;q=0.3"), Some(Lang::En));
        assert_eq!(accept_language("en, de"), Some(Lang::En));
        assert_eq!(accept_language("EN-gb"), Some(Lang::En));
        assert_eq!(accept_language("en;q=0, fr"), None);
        assert_eq!(accept_language("fr, *;q=0.1"), None);
        assert_eq!(accept_language(""), None);
        assert_eq!(accept_language("en;q=bogus"), None);
    }
}
