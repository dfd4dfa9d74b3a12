//! `/kalender`: the calendar pages. The views (month, week, day, list) of every calendar the
//! account sees, in their colours with a legend to hide some; the event form; a calendar's
//! settings (shares, export, subscription address, import); booking rooms and equipment.
//! Everything works with plain links and forms.
//!
//! The pages call the calendar service of the domain, the same one CalDAV uses; it decides
//! who sees and writes which calendar (a hidden calendar answers 404).

pub mod admin;
pub mod attachments;
pub mod event;
pub mod event_edit;
mod event_form;
pub mod export;
pub mod form;
pub mod grid;
mod ics;
pub mod invitations;
pub mod range;
mod repeats;
pub mod rooms;
pub mod settings;
pub mod views;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use schulhof_domain::DomainError;
use schulhof_domain::calendar::{CalendarId, CalendarKind};
use schulhof_front::AppState;

use crate::i18n::Tr;
use crate::url;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/kalender", get(views::show))
        .route("/kalender/raeume", get(rooms::show))
        .route("/kalender/einladungen", get(invitations::list))
        .route("/kalender/einladungen/antwort", post(invitations::answer))
        .route(
            "/kalender/{cal}/termin/{href}/einladen",
            get(invitations::manage).post(invitations::invite),
        )
        .route(
            "/kalender/{cal}/termin/{href}/ausladen",
            post(invitations::uninvite),
        )
        .route("/kalender/{cal}/export.ics", get(export::download))
        .route("/kalender/{cal}/abo", post(export::subscribe))
        .route("/kalender/abos/{id}/widerrufen", post(export::revoke))
        .route("/kalender-abo/{secret}", get(export::feed))
        .route(
            "/kalender/{cal}/import",
            post(export::preview).layer(DefaultBodyLimit::max(export::IMPORT_BODY)),
        )
        .route(
            "/kalender/{cal}/import/ausfuehren",
            post(export::apply).layer(DefaultBodyLimit::max(export::IMPORT_BODY)),
        )
        .route(
            "/kalender/neu",
            get(settings::new_form).post(settings::create),
        )
        .route(
            "/kalender/{cal}/einstellungen",
            get(settings::show).post(settings::save),
        )
        .route("/kalender/{cal}/freigaben", post(settings::share))
        .route(
            "/kalender/{cal}/freigaben/entfernen",
            post(settings::unshare),
        )
        .route(
            "/kalender/{cal}/loeschen",
            get(settings::delete_confirm).post(settings::delete),
        )
        .route(
            "/verwaltung/ressourcen",
            get(admin::show).post(admin::create),
        )
        .route("/verwaltung/buchungen/{id}", post(admin::decide))
        .route(
            "/kalender/termin/neu",
            get(event::new_form).post(event::create),
        )
        .route("/kalender/{cal}/termin/{href}", get(event::show))
        .route(
            "/kalender/{cal}/termin/{href}/anhaenge",
            get(attachments::pick_form).post(attachments::pick),
        )
        .route(
            "/kalender/{cal}/termin/{href}/anhang/{id}",
            get(attachments::download),
        )
        .route(
            "/kalender/{cal}/termin/{href}/anhang/{id}/entfernen",
            post(attachments::remove),
        )
        .route(
            "/kalender/{cal}/termin/{href}/bearbeiten",
            get(event_edit::edit_form).post(event_edit::save),
        )
        .route(
            "/kalender/{cal}/termin/{href}/loeschen",
            get(event::delete_confirm).post(event::delete),
        )
}

/// Whether the navigation offers the calendar: anyone with a calendar of any kind.
pub fn offered(token: &schulhof_authz::AccessToken) -> bool {
    let s = schulhof_authz::calendar::calendar_scope(token);
    s.personal || s.groups || s.school
}

/// The page of one event.
pub fn event_href(cal: CalendarId, href: &str) -> String {
    format!("/kalender/{cal}/termin/{}", url::encode(href))
}

pub fn parse_calendar(s: &str) -> Result<CalendarId, DomainError> {
    s.parse().map_err(|_| DomainError::NotFound)
}

pub fn kind_label(tr: Tr, k: CalendarKind) -> &'static str {
    tr.t(&format!("cal.kind.{}", k.as_str()))
}

/// A calendar's colour for a `style` attribute: `#rrggbb` only, else a neutral grey.
pub fn safe_colour(c: &str) -> &str {
    let ok = c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|x| x.is_ascii_hexdigit());
    if ok { c } else { "#6b7280" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_colours_reach_a_style() {
        assert_eq!(safe_colour("#3366cc"), "#3366cc");
        assert_eq!(safe_colour("red;background:url(x)"), "#6b7280");
        assert_eq!(safe_colour("#12345g"), "#6b7280");
    }
}
