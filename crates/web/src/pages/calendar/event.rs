//! One event: the form for a new one (`/kalender/termin/neu`), its page, deleting it. The
//! form's iCalendar goes through the domain's one ingest path, `calendar_put`, like a
//! CalDAV PUT; so does a room booking (an event in the room's calendar).

use askama::Template;
use axum::Form;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::calendar::{
    BookingStatus, CalAccess, CalendarInfo, CalendarKind, Precondition, attachment_path,
};
use schulhof_front::AppState;

use super::event_edit::{DeleteForm, occurrence, scope};
use super::event_form::{self, Frame, scope_choice, writable};
use super::form::{EventForm, When};
use super::{event_href, ics, parse_calendar, safe_colour};
use crate::auth::Ready;
use crate::forms::{Choice, Failure};
use crate::layout::Chrome;
use crate::pages::views::{ConfirmPage, paragraphs};
use crate::render;
use crate::url;
use crate::when::Zone;

#[derive(Template)]
#[template(path = "calendar/event.html")]
struct EventPage {
    c: Chrome,
    title: String,
    colour: String,
    when: String,
    place: String,
    calendar: String,
    repeats: Option<String>,
    description: Vec<String>,
    delete_href: Option<String>,
    edit_href: Option<String>,
    /// The own calendar's events: invite and see the answers.
    invite_href: Option<String>,
    back_href: String,
    /// The event's attachments (name, size, download and, for who changes it, removal).
    attachments: Vec<AttachmentRow>,
    /// Who changes the event: attach files of the own file areas.
    attach_href: Option<String>,
}

struct AttachmentRow {
    name: String,
    size: String,
    href: String,
    remove_href: Option<String>,
}

/// "Delete which dates of the series?"
#[derive(Template)]
#[template(path = "calendar/event_delete.html")]
struct DeleteSeriesPage {
    c: Chrome,
    heading: String,
    text: String,
    action: String,
    occurrence: String,
    scope: Choice,
    cancel_href: String,
}

fn new_frame(r: &Ready) -> Frame {
    Frame {
        heading: r.page.tr().t("cal.event.new").to_owned(),
        action: "/kalender/termin/neu".to_owned(),
        back_href: "/kalender".to_owned(),
        delete_href: None,
        series: false,
        attach_href: None,
    }
}

async fn writable_calendars(state: &AppState, r: &Ready) -> Result<Vec<CalendarInfo>, Response> {
    match state.platform.calendars(&r.actor).await {
        Ok(v) => Ok(writable(v)),
        Err(e) => Err(r.fail(e.into())),
    }
}

/// `GET /kalender/termin/neu?datum=…&kalender=…`: the empty form on that day, in that
/// calendar (else the own personal one).
pub async fn new_form(
    State(state): State<AppState>,
    r: Ready,
    RawQuery(query): RawQuery,
) -> Response {
    let cals = match writable_calendars(&state, &r).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    let zone = Zone::of(&r.actor);
    let day = url::query_param(query.as_deref(), "datum")
        .filter(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok())
        .unwrap_or_else(|| {
            zone.today(state.platform.now())
                .format("%Y-%m-%d")
                .to_string()
        });
    let wanted = url::query_param(query.as_deref(), "kalender");
    let kalender = wanted
        .filter(|w| cals.iter().any(|c| c.id.to_string() == *w))
        .or_else(|| cals.iter().find(|c| c.own).map(|c| c.id.to_string()))
        .unwrap_or_default();
    let f = EventForm {
        kalender,
        beginn_datum: day.clone(),
        ende_datum: day,
        beginn_zeit: "08:00".into(),
        ende_zeit: "09:00".into(),
        wiederholung: "keine".into(),
        serienende: "nie".into(),
        ..Default::default()
    };
    event_form::page(&r, new_frame(&r), &f, &cals, None)
}

/// `POST /kalender/termin/neu`: checks the form, writes the event, back to its day.
pub async fn create(State(state): State<AppState>, r: Ready, Form(f): Form<EventForm>) -> Response {
    let tr = r.page.tr();
    let zone = Zone::of(&r.actor);
    let cals = match writable_calendars(&state, &r).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    let draft = match f.check() {
        Ok(d) => d,
        Err(m) => {
            let fl = Failure::local("event", m.field, tr.t(m.key));
            return event_form::page(&r, new_frame(&r), &f, &cals, Some(&fl));
        }
    };
    // A calendar not offered is still the domain's to refuse (403 or 404 as the policy says).
    let Ok(cal) = parse_calendar(&f.kalender) else {
        let fl = Failure::local("event", "kalender", tr.t("cal.err.calendar"));
        return event_form::page(&r, new_frame(&r), &f, &cals, Some(&fl));
    };
    let uid = format!("{}@schulhof", uuid::Uuid::now_v7());
    let href = format!("{uid}.ics");
    let text = ics::event(&uid, &draft, zone.0, state.platform.now());
    let put = state
        .platform
        .calendar_put(
            &r.actor,
            cal,
            &href,
            text.as_bytes(),
            Precondition::IfNoneMatch,
        )
        .await;
    match put {
        Ok(out) => {
            let day = match draft.when {
                When::AllDay(d, _) => d,
                When::Timed(t, _) => t.date(),
            };
            let ok = match out.booking {
                Some(BookingStatus::Pending) => "cal_booking_pending",
                _ => "cal_event_saved",
            };
            Redirect::to(&format!(
                "/kalender?ansicht=woche&datum={}&ok={ok}",
                day.format("%Y-%m-%d")
            ))
            .into_response()
        }
        Err(e) => {
            let fl = event_form::failure(tr, zone, e);
            event_form::page(&r, new_frame(&r), &f, &cals, Some(&fl))
        }
    }
}

/// `GET /kalender/{cal}/termin/{href}`: what the event is, for everyone who reads the
/// calendar; a link to delete it for whoever writes there.
pub async fn show(
    State(state): State<AppState>,
    r: Ready,
    Path((cal, href)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    let tr = r.page.tr();
    let zone = Zone::of(&r.actor);
    let at = occurrence(url::query_param(query.as_deref(), "vorkommen").as_deref());
    let q = at.map_or(String::new(), |t| {
        format!("?vorkommen={}", t.timestamp_micros())
    });
    let cal = match parse_calendar(&cal) {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    let info = match state.platform.calendar(&r.actor, cal).await {
        Ok(i) => i,
        Err(e) => return r.fail(e.into()),
    };
    let obj = match state.platform.calendar_get(&r.actor, cal, &href).await {
        Ok(o) => o.info,
        Err(e) => return r.fail(e.into()),
    };
    let fields = state
        .platform
        .calendar_event_fields(&r.actor, cal, &href)
        .await
        .ok();
    // A chosen date of a series shows its own times.
    let (first, last) = match (at, &fields) {
        (Some(s), Some(f)) if obj.recurring => (Some(s), Some(s + (f.end - f.start))),
        _ => (obj.first_start, obj.last_end),
    };
    let when = match (first, last) {
        (Some(s), Some(e)) if obj.all_day => {
            let last = e - chrono::Duration::hours(12);
            let (s, last) = (s + chrono::Duration::hours(12), last);
            tr.t("cal.time_range")
                .replace("{from}", &crate::when::format_day(tr, s.date_naive()))
                .replace("{to}", &crate::when::format_day(tr, last.date_naive()))
        }
        (Some(s), Some(e)) => tr
            .t("cal.time_range")
            .replace("{from}", &zone.datetime(tr, s))
            .replace("{to}", &zone.datetime(tr, e)),
        (Some(s), None) => zone.datetime(tr, s),
        _ => String::new(),
    };
    // An invitation (the copy in the invitee's calendar) lists the organiser's attachments
    // too, to download through the copy's address; only the organiser removes them.
    let attachments = match state
        .platform
        .calendar_event_attachments(&r.actor, cal, &href)
        .await
    {
        Ok(v) => v,
        Err(e) => return r.fail(e.into()),
    };
    let writes =
        info.access >= CalAccess::Write || (info.kind == CalendarKind::Resource && info.may_book);
    let attachments = attachments
        .own
        .into_iter()
        .map(|a| (a, writes))
        .chain(attachments.organiser.into_iter().map(|a| (a, false)))
        .map(|(a, removable)| {
            let href = attachment_path(cal, &href, a.id);
            AttachmentRow {
                name: a.name,
                size: crate::pages::files::size_text(tr.0, a.size),
                remove_href: removable.then(|| format!("{href}/entfernen")),
                href,
            }
        })
        .collect();
    let view = EventPage {
        c: Chrome::new(&r.page, obj.summary.clone()).signed_in(&r.page, &r.actor),
        title: obj.summary,
        colour: safe_colour(&info.colour).to_owned(),
        when,
        place: fields
            .as_ref()
            .map_or(String::new(), |f| f.location.clone()),
        calendar: info.name,
        repeats: match &fields {
            Some(f) => super::repeats::words(tr, zone, f),
            None => obj.recurring.then(|| tr.t("cal.recurring").to_owned()),
        },
        description: paragraphs(fields.as_ref().map_or("", |f| f.description.as_str())),
        delete_href: writes.then(|| format!("{}/loeschen{q}", event_href(cal, &href))),
        edit_href: writes.then(|| format!("{}/bearbeiten{q}", event_href(cal, &href))),
        invite_href: info
            .own
            .then(|| format!("{}/einladen", event_href(cal, &href))),
        back_href: "/kalender".to_owned(),
        attachments,
        attach_href: writes.then(|| format!("{}/anhaenge", event_href(cal, &href))),
    };
    render::ok(&view)
}

/// `GET /kalender/{cal}/termin/{href}/loeschen`: "really delete?".
pub async fn delete_confirm(
    State(state): State<AppState>,
    r: Ready,
    Path((cal, href)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    let tr = r.page.tr();
    let id = match parse_calendar(&cal) {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    let obj = match state.platform.calendar_get(&r.actor, id, &href).await {
        Ok(o) => o.info,
        Err(e) => return r.fail(e.into()),
    };
    let heading = tr.t("cal.event.delete").to_owned();
    let at = occurrence(url::query_param(query.as_deref(), "vorkommen").as_deref());
    if let (true, Some(at)) = (obj.recurring, at) {
        return render::ok(&DeleteSeriesPage {
            c: Chrome::new(&r.page, heading.clone()).signed_in(&r.page, &r.actor),
            heading,
            text: tr
                .t("cal.event.delete_series_text")
                .replace("{title}", &obj.summary),
            action: format!("{}/loeschen", event_href(id, &href)),
            occurrence: at.timestamp_micros().to_string(),
            scope: scope_choice(tr, "cal-del-scope", "diesen"),
            cancel_href: event_href(id, &href),
        });
    }
    render::ok(&ConfirmPage {
        c: Chrome::new(&r.page, heading.clone()).signed_in(&r.page, &r.actor),
        heading,
        text: tr
            .t("cal.event.delete_text")
            .replace("{title}", &obj.summary),
        action: format!("{}/loeschen", event_href(id, &href)),
        button: tr.t("cal.event.delete"),
        cancel_href: event_href(id, &href),
    })
}

/// `POST /kalender/{cal}/termin/{href}/loeschen`.
pub async fn delete(
    State(state): State<AppState>,
    r: Ready,
    Path((cal, href)): Path<(String, String)>,
    Form(f): Form<DeleteForm>,
) -> Response {
    let id = match parse_calendar(&cal) {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    let which = scope(&f.umfang, &f.vorkommen);
    match state
        .platform
        .calendar_delete_event(&r.actor, id, &href, Precondition::None, which)
        .await
    {
        Ok(()) => Redirect::to("/kalender?ok=cal_event_deleted").into_response(),
        Err(e) => r.fail(e.into()),
    }
}
