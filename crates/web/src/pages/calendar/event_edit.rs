//! Changing an event (`/kalender/{cal}/termin/{href}/bearbeiten`) and deleting it with a
//! choice for series: only the date chosen, it and all that follow (the series is split),
//! or all. The form writes iCalendar like the new-event form; the domain merges it into the
//! stored event and stores it through its one ingest path.

use axum::Form;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Duration, Utc};
use schulhof_domain::calendar::{
    CalAccess, CalendarId, CalendarKind, EventFields, Precondition, SeriesScope,
};
use schulhof_front::AppState;
use serde::Deserialize;

use super::event_form::{self, Frame, writable};
use super::form::{EventForm, When};
use super::{event_href, ics, parse_calendar};
use crate::auth::Ready;
use crate::forms::Failure;
use crate::url;
use crate::when::Zone;

/// The occurrence a link or form names (unix microseconds), if any.
pub fn occurrence(s: Option<&str>) -> Option<DateTime<Utc>> {
    s?.trim()
        .parse::<i64>()
        .ok()
        .and_then(DateTime::from_timestamp_micros)
}

/// What the form's `umfang` and `vorkommen` ask for; an event without a chosen date is
/// changed as a whole.
pub fn scope(umfang: &str, vorkommen: &str) -> SeriesScope {
    match (umfang, occurrence(Some(vorkommen))) {
        ("diesen", Some(at)) => SeriesScope::Only(at),
        ("folgende", Some(at)) => SeriesScope::Following(at),
        _ => SeriesScope::All,
    }
}

fn edit_href(cal: CalendarId, href: &str) -> String {
    format!("{}/bearbeiten", event_href(cal, href))
}

fn frame(r: &Ready, cal: CalendarId, href: &str, series: bool, at: &str) -> Frame {
    let q = if at.is_empty() {
        String::new()
    } else {
        format!("?vorkommen={at}")
    };
    Frame {
        heading: r.page.tr().t("cal.event.edit").to_owned(),
        action: edit_href(cal, href),
        back_href: format!("{}{q}", event_href(cal, href)),
        delete_href: Some(format!("{}/loeschen{q}", event_href(cal, href))),
        series,
        attach_href: Some(format!("{}/anhaenge", event_href(cal, href))),
    }
}

fn rule_value(freq: &str) -> &'static str {
    match freq {
        "DAILY" => "taeglich",
        "WEEKLY" => "woechentlich",
        "MONTHLY" => "monatlich",
        "YEARLY" => "jaehrlich",
        _ => "keine",
    }
}

/// The form filled from the stored event; a chosen date of a series shows its own times.
fn filled(e: &EventFields, cal: CalendarId, zone: Zone, at: Option<DateTime<Utc>>) -> EventForm {
    let (start, end) = match at {
        Some(s) if e.recurring => (s, s + (e.end - e.start)),
        _ => (e.start, e.end),
    };
    let (s, mut t) = (start.with_timezone(&zone.0), end.with_timezone(&zone.0));
    if e.all_day {
        // DTEND of a whole day is the next midnight; the form names the last day.
        t -= Duration::days(1);
    }
    let rule = e.rule.as_ref();
    EventForm {
        kalender: cal.to_string(),
        titel: e.summary.clone(),
        ort: e.location.clone(),
        beschreibung: e.description.clone(),
        ganztaegig: if e.all_day {
            "ja".into()
        } else {
            String::new()
        },
        beginn_datum: s.format("%Y-%m-%d").to_string(),
        beginn_zeit: s.format("%H:%M").to_string(),
        ende_datum: t.format("%Y-%m-%d").to_string(),
        ende_zeit: t.format("%H:%M").to_string(),
        wiederholung: rule.map_or("keine", |r| rule_value(r.freq)).into(),
        intervall: rule.map_or(String::new(), |r| r.interval.to_string()),
        serienende: match rule {
            Some(r) if r.until.is_some() => "bis",
            Some(r) if r.count.is_some() => "anzahl",
            _ => "nie",
        }
        .into(),
        bis: rule
            .and_then(|r| r.until)
            .map_or(String::new(), |d| d.format("%Y-%m-%d").to_string()),
        anzahl: rule
            .and_then(|r| r.count)
            .map_or(String::new(), |n| n.to_string()),
        etag: e.etag.clone(),
        umfang: "diesen".into(),
        vorkommen: at.map_or(String::new(), |a| a.timestamp_micros().to_string()),
        ..Default::default()
    }
}

/// The event's calendar when the account may change events there, as the form offers it.
async fn own_calendar(
    state: &AppState,
    r: &Ready,
    cal: CalendarId,
) -> Result<Vec<schulhof_domain::calendar::CalendarInfo>, Response> {
    let info = state
        .platform
        .calendar(&r.actor, cal)
        .await
        .map_err(|e| r.fail(e.into()))?;
    let may =
        info.access >= CalAccess::Write || (info.kind == CalendarKind::Resource && info.may_book);
    if !may {
        return Err(r.fail(schulhof_domain::DomainError::Forbidden));
    }
    Ok(writable(vec![info]))
}

/// `GET …/termin/{href}/bearbeiten?vorkommen=…`: the form with the event's values.
pub async fn edit_form(
    State(state): State<AppState>,
    r: Ready,
    Path((cal, href)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    let cal = match parse_calendar(&cal) {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    let cals = match own_calendar(&state, &r, cal).await {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let fields = match state
        .platform
        .calendar_event_fields(&r.actor, cal, &href)
        .await
    {
        Ok(f) => f,
        Err(e) => return r.fail(e.into()),
    };
    let at = occurrence(url::query_param(query.as_deref(), "vorkommen").as_deref());
    let f = filled(&fields, cal, Zone::of(&r.actor), at);
    let fr = frame(&r, cal, &href, fields.recurring, &f.vorkommen);
    event_form::page(&r, fr, &f, &cals, None)
}

/// `POST …/termin/{href}/bearbeiten`: checks the form, changes the event (or the chosen
/// dates of its series), back to the week of the date.
pub async fn save(
    State(state): State<AppState>,
    r: Ready,
    Path((cal, href)): Path<(String, String)>,
    Form(f): Form<EventForm>,
) -> Response {
    let tr = r.page.tr();
    let zone = Zone::of(&r.actor);
    let cal = match parse_calendar(&cal) {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    let cals = match own_calendar(&state, &r, cal).await {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let series = !f.vorkommen.is_empty();
    let fr = frame(&r, cal, &href, series, &f.vorkommen);
    let draft = match f.check() {
        Ok(d) => d,
        Err(m) => {
            let fl = Failure::local("event", m.field, tr.t(m.key));
            return event_form::page(&r, fr, &f, &cals, Some(&fl));
        }
    };
    let pre = if f.etag.is_empty() {
        Precondition::None
    } else {
        Precondition::IfMatch(f.etag.clone())
    };
    // The UID is the stored event's (or, for a split, a new one): the domain sets it.
    let text = ics::event("-", &draft, zone.0, state.platform.now());
    let done = state
        .platform
        .calendar_change_event(
            &r.actor,
            cal,
            &href,
            pre,
            scope(&f.umfang, &f.vorkommen),
            text.as_bytes(),
        )
        .await;
    match done {
        Ok(_) => {
            let day = match draft.when {
                When::AllDay(d, _) => d,
                When::Timed(t, _) => t.date(),
            };
            Redirect::to(&format!(
                "/kalender?ansicht=woche&datum={}&ok=cal_event_saved",
                day.format("%Y-%m-%d")
            ))
            .into_response()
        }
        Err(e) => {
            let fl = event_form::failure(tr, zone, e);
            event_form::page(&r, fr, &f, &cals, Some(&fl))
        }
    }
}

/// The answer of the delete page.
#[derive(Debug, Default, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    pub umfang: String,
    #[serde(default)]
    pub vorkommen: String,
}
