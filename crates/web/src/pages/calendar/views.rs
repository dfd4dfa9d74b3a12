//! `GET /kalender`: the month (default), week, day and list views of every calendar the
//! account reads, in the calendars' colours, with the legend to show or hide calendars.
//! One call to the domain: the calendars and the occurrences of the shown ones.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use chrono::Datelike;
use schulhof_authz::calendar::UsePersonalCalendar;
use schulhof_domain::calendar::{
    CalAccess, CalendarId, CalendarInfo, CalendarKind, Instance, TimeRange,
};
use schulhof_front::AppState;

use super::grid::{self, DayCell, Entry, WeekRow};
use super::range::{ViewKind, ViewQuery, add_days};
use super::{event_href, kind_label, safe_colour};
use crate::auth::Ready;
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::render;
use crate::when::Zone;

#[derive(Template)]
#[template(path = "calendar/view.html")]
struct ViewPage {
    c: Chrome,
    v: View,
}

pub struct Tab {
    pub href: String,
    pub label: &'static str,
    pub current: bool,
}

pub struct LegendRow {
    pub id: String,
    pub name: String,
    pub colour: String,
    pub kind: &'static str,
    pub checked: bool,
    pub settings_href: Option<String>,
}

/// What the view template shows.
pub struct View {
    /// `monat`, `woche`, `tag` or `liste`.
    pub kind: &'static str,
    pub day_iso: String,
    pub heading: String,
    pub tabs: Vec<Tab>,
    pub prev_href: String,
    pub prev_label: &'static str,
    pub next_href: String,
    pub next_label: &'static str,
    pub today_href: String,
    pub legend: Vec<LegendRow>,
    pub heads: Vec<(&'static str, &'static str)>,
    pub weeks: Vec<WeekRow>,
    pub days: Vec<DayCell>,
    pub new_href: Option<String>,
    pub can_book: bool,
    pub can_create: bool,
}

/// Whether a calendar is ticked: as the legend says, or when the legend was not sent, all
/// but the rooms' and equipment's (whose bookings would crowd every view).
fn ticked(q: &ViewQuery, c: &CalendarInfo) -> bool {
    match &q.shown {
        None => c.kind != CalendarKind::Resource,
        Some(_) => q.shows(&c.id.to_string()),
    }
}

pub async fn show(State(state): State<AppState>, r: Ready, RawQuery(query): RawQuery) -> Response {
    let tr = r.page.tr();
    let zone = Zone::of(&r.actor);
    let today = zone.today(state.platform.now());
    let q = ViewQuery::parse(query.as_deref(), today);
    let (first, last) = q.days();
    let range = TimeRange {
        start: zone.start_of_day(first),
        end: zone.start_of_day(add_days(last, 1)),
    };
    // One listing for the legend and the query.
    let (cals, instances) = match state
        .platform
        .calendar_view(&r.actor, |c| ticked(&q, c), range)
        .await
    {
        Ok(v) => v,
        Err(e) => return r.fail(e.into()),
    };
    let names: std::collections::HashMap<_, &str> =
        cals.iter().map(|c| (c.id, c.name.as_str())).collect();
    let mut entries: Vec<Entry> = instances.iter().map(|i| entry(i, &names)).collect();
    // Due dates of the caller's courses: read-only, one more statement (see lms::dates).
    match crate::pages::lms::dates::entries(&state, &r, range).await {
        Ok(due) => entries.extend(due),
        Err(e) => return r.fail(e),
    }
    let v = view(tr, zone, &q, today, &cals, &entries, &r);
    render::ok(&ViewPage {
        c: Chrome::new(&r.page, v.heading.clone()).signed_in(&r.page, &r.actor),
        v,
    })
}

fn entry(i: &Instance, names: &std::collections::HashMap<CalendarId, &str>) -> Entry {
    let calendar = names
        .get(&i.calendar)
        .map(|n| (*n).to_owned())
        .unwrap_or_default();
    Entry {
        // A date of a series names itself, so its page can change just that date.
        href: if i.recurring {
            format!(
                "{}?vorkommen={}",
                event_href(i.calendar, &i.href),
                i.start.timestamp_micros()
            )
        } else {
            event_href(i.calendar, &i.href)
        },
        title: i.summary.clone(),
        place: i.location.clone(),
        calendar,
        colour: safe_colour(&i.colour).to_owned(),
        start: i.start,
        end: i.end,
        all_day: i.all_day,
        recurring: i.recurring,
    }
}

fn view(
    tr: Tr,
    zone: Zone,
    q: &ViewQuery,
    today: chrono::NaiveDate,
    cals: &[CalendarInfo],
    entries: &[Entry],
    r: &Ready,
) -> View {
    let span = q.days();
    let month = (q.kind == ViewKind::Month).then(|| q.day.month());
    let mut cells = grid::lay_out(tr, zone, entries, span, month, today);
    for d in &mut cells {
        d.href = q.href(ViewKind::Day, d.date);
    }
    let heading = heading(tr, q, span);
    let (weeks, days) = match q.kind {
        ViewKind::Month => (grid::weeks(tr, cells), Vec::new()),
        ViewKind::Agenda => (
            Vec::new(),
            cells.into_iter().filter(|d| !d.items.is_empty()).collect(),
        ),
        _ => (Vec::new(), cells),
    };
    let (prev, next) = q.prev_next();
    let key = q.kind.key();
    let writable = cals
        .iter()
        .any(|c| c.access >= CalAccess::Write && c.kind != CalendarKind::Resource);
    View {
        kind: q.kind.slug(),
        day_iso: q.day.format("%Y-%m-%d").to_string(),
        heading,
        tabs: ViewKind::ALL
            .iter()
            .map(|k| Tab {
                href: q.href(*k, q.day),
                label: tr.t(&format!("cal.view.{}", k.key())),
                current: *k == q.kind,
            })
            .collect(),
        prev_href: q.href(q.kind, prev),
        prev_label: tr.t(&format!("cal.prev.{key}")),
        next_href: q.href(q.kind, next),
        next_label: tr.t(&format!("cal.next.{key}")),
        today_href: q.href(q.kind, today),
        legend: legend(tr, q, cals),
        heads: grid::weekday_heads(tr),
        weeks,
        days,
        new_href: writable
            .then(|| format!("/kalender/termin/neu?datum={}", q.day.format("%Y-%m-%d"))),
        can_book: cals.iter().any(|c| c.may_book),
        can_create: schulhof_authz::check(&r.actor.token, UsePersonalCalendar).is_ok(),
    }
}

fn heading(tr: Tr, q: &ViewQuery, (first, last): (chrono::NaiveDate, chrono::NaiveDate)) -> String {
    let day = |d| crate::when::format_day(tr, d);
    match q.kind {
        ViewKind::Month => grid::month_title(tr, q.day),
        ViewKind::Week => tr
            .t("cal.week_title")
            .replace("{from}", &day(first))
            .replace("{to}", &day(last)),
        ViewKind::Day => grid::long_day(tr, q.day),
        ViewKind::Agenda => tr
            .t("cal.agenda_title")
            .replace("{from}", &day(first))
            .replace("{to}", &day(last)),
    }
}

fn legend(tr: Tr, q: &ViewQuery, cals: &[CalendarInfo]) -> Vec<LegendRow> {
    cals.iter()
        .map(|c| LegendRow {
            id: c.id.to_string(),
            name: c.name.clone(),
            colour: safe_colour(&c.colour).to_owned(),
            kind: kind_label(tr, c.kind),
            checked: ticked(q, c),
            settings_href: Some(format!("/kalender/{}/einstellungen", c.id)),
        })
        .collect()
}
