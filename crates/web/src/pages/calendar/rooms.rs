//! `GET /kalender/raeume`: "Raum buchen". Every room and piece of equipment with its busy
//! times on the chosen day (busy only, never what or whose), and for those the account may
//! book a link to the event form in the room's calendar.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use schulhof_domain::calendar::{CalAccess, FreeBusyOf, TimeRange};
use schulhof_front::AppState;

use super::range::add_days;
use crate::auth::Ready;
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::render;
use crate::url;
use crate::when::Zone;

pub struct Room {
    pub name: String,
    pub description: String,
    pub capacity: String,
    pub needs_approval: bool,
    pub busy: Vec<String>,
    pub busy_caption: String,
    pub book_href: Option<String>,
    pub book_label: String,
}

#[derive(Template)]
#[template(path = "calendar/rooms.html")]
struct RoomsPage {
    c: Chrome,
    day_iso: String,
    rooms: Vec<Room>,
}

/// "08:00–09:30", cut to the day; "(angefragt)" for a booking awaiting approval.
fn busy_text(
    tr: Tr,
    zone: Zone,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    tentative: bool,
) -> String {
    let hm = |t: DateTime<Utc>| t.with_timezone(&zone.0).format("%H:%M").to_string();
    let mut s = tr
        .t("cal.time_range")
        .replace("{from}", &hm(from))
        .replace("{to}", &hm(to));
    if tentative {
        s.push(' ');
        s.push_str(tr.t("cal.res.tentative"));
    }
    s
}

pub async fn show(State(state): State<AppState>, r: Ready, RawQuery(query): RawQuery) -> Response {
    let tr = r.page.tr();
    let zone = Zone::of(&r.actor);
    let day = url::query_param(query.as_deref(), "datum")
        .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
        .unwrap_or_else(|| zone.today(state.platform.now()));
    let range = TimeRange {
        start: zone.start_of_day(day),
        end: zone.start_of_day(add_days(day, 1)),
    };
    let p = &state.platform;
    let (resources, cals) = match (p.resources(&r.actor).await, p.calendars(&r.actor).await) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return r.fail(e.into()),
    };
    let iso = day.format("%Y-%m-%d").to_string();
    let long = super::grid::long_day(tr, day);
    let mut rooms = Vec::with_capacity(resources.len());
    for res in resources {
        let busy = match p
            .calendar_free_busy(&r.actor, FreeBusyOf::Resource(res.id), range)
            .await
        {
            Ok(v) => v,
            Err(e) => return r.fail(e.into()),
        };
        let bookable = cals
            .iter()
            .any(|c| c.id == res.calendar && (c.may_book || c.access >= CalAccess::Write));
        rooms.push(Room {
            busy: busy
                .iter()
                .map(|b| {
                    let span = (b.start.max(range.start), b.end.min(range.end));
                    busy_text(tr, zone, span, b.tentative)
                })
                .collect(),
            busy_caption: tr
                .t("cal.res.busy_caption")
                .replace("{name}", &res.name)
                .replace("{day}", &long),
            book_href: bookable
                .then(|| format!("/kalender/termin/neu?kalender={}&datum={iso}", res.calendar)),
            book_label: tr.t("cal.res.book_name").replace("{name}", &res.name),
            capacity: tr
                .t("cal.res.capacity")
                .replace("{n}", &res.capacity.to_string()),
            needs_approval: res.needs_approval,
            name: res.name,
            description: res.description,
        });
    }
    render::ok(&RoomsPage {
        c: Chrome::new(&r.page, tr.t("cal.res.title")).signed_in(&r.page, &r.actor),
        day_iso: iso,
        rooms,
    })
}
