//! Invitations. `/kalender/einladungen`: the account's invitations with buttons to accept,
//! decline or answer "maybe" (plain forms). `/kalender/{cal}/termin/{href}/einladen`: the
//! organiser invites persons and groups of the school (a search that works without script,
//! and a list of suggestions for the browser's autocomplete), sees who answered what, and
//! the busy times (only start and end) of the invited persons on the event's day.

use askama::Template;
use axum::Form;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use schulhof_domain::calendar::{CalendarId, InviteeInfo, PartStat, TimeRange};
use schulhof_front::AppState;

use super::{event_href, parse_calendar};
use crate::auth::Ready;
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::render;
use crate::url;
use crate::when::Zone;

pub struct InvitationRow {
    pub summary: String,
    pub when: String,
    pub organiser: String,
    pub answer: String,
    pub answer_code: &'static str,
    pub cancelled: bool,
    pub calendar: String,
    pub href: String,
    pub event_href: String,
}

#[derive(Template)]
#[template(path = "calendar/invitations.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<InvitationRow>,
}

pub struct Answered {
    pub name: String,
    pub answer: String,
    pub answer_code: &'static str,
    pub through_group: bool,
}

pub struct Busy {
    pub name: String,
    pub times: Vec<String>,
}

#[derive(Template)]
#[template(path = "calendar/invite.html")]
struct InvitePage {
    c: Chrome,
    title: String,
    action: String,
    uninvite_action: String,
    back_href: String,
    invited: Vec<InviteeInfo>,
    answers: Vec<Answered>,
    query: String,
    found: Vec<InviteeInfo>,
    groups: Vec<InviteeInfo>,
    busy: Vec<Busy>,
    busy_day: String,
}

fn answer_text(tr: Tr, p: PartStat) -> (String, &'static str) {
    let code = match p {
        PartStat::NeedsAction => "open",
        PartStat::Accepted => "accepted",
        PartStat::Declined => "declined",
        PartStat::Tentative => "tentative",
    };
    (tr.t(&format!("cal.inv.answer.{code}")).to_owned(), code)
}

fn when_text(zone: Zone, t: Option<DateTime<Utc>>) -> String {
    t.map(|t| {
        t.with_timezone(&zone.0)
            .format("%d.%m.%Y %H:%M")
            .to_string()
    })
    .unwrap_or_default()
}

pub async fn list(State(state): State<AppState>, r: Ready) -> Response {
    let tr = r.page.tr();
    let zone = Zone::of(&r.actor);
    let list = match state.platform.calendar_invitations(&r.actor).await {
        Ok(l) => l,
        Err(e) => return r.fail(e.into()),
    };
    let rows = list
        .into_iter()
        .map(|i| {
            let (answer, answer_code) = answer_text(tr, i.partstat);
            InvitationRow {
                when: when_text(zone, i.start),
                organiser: i.organiser,
                answer,
                answer_code,
                cancelled: i.cancelled,
                calendar: i.calendar.to_string(),
                event_href: event_href(i.calendar, &i.href),
                href: i.href,
                summary: i.summary,
            }
        })
        .collect();
    render::ok(&ListPage {
        c: Chrome::new(&r.page, tr.t("cal.inv.title")).signed_in(&r.page, &r.actor),
        rows,
    })
}

#[derive(Debug, serde::Deserialize)]
pub struct AnswerForm {
    kalender: String,
    termin: String,
    antwort: String,
}

pub async fn answer(
    State(state): State<AppState>,
    r: Ready,
    Form(f): Form<AnswerForm>,
) -> Response {
    let cal = match parse_calendar(&f.kalender) {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    let Some(p) = PartStat::parse(&f.antwort).filter(|p| *p != PartStat::NeedsAction) else {
        return r.fail(schulhof_domain::DomainError::invalid(
            "antwort",
            "unknown answer",
        ));
    };
    match state
        .platform
        .calendar_answer(&r.actor, cal, &f.termin, p)
        .await
    {
        Ok(()) => Redirect::to("/kalender/einladungen?ok=cal_answered").into_response(),
        Err(e) => r.fail(e.into()),
    }
}

/// The organiser's page of one event's invitations.
pub async fn manage(
    State(state): State<AppState>,
    r: Ready,
    Path((cal, href)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    let tr = r.page.tr();
    let zone = Zone::of(&r.actor);
    let id = match parse_calendar(&cal) {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    let p = &state.platform;
    let a = &r.actor;
    let obj = match p.calendar_get(a, id, &href).await {
        Ok(o) => o,
        Err(e) => return r.fail(e.into()),
    };
    let q = url::query_param(query.as_deref(), "suche").unwrap_or_default();
    let (invited, answers, found, groups) = match (
        p.calendar_invited(a, id, &href).await,
        p.calendar_attendees(a, id, &href).await,
        p.calendar_invitee_suggestions(a, &q).await,
        p.calendar_invitee_suggestions(a, "").await,
    ) {
        (Ok(i), Ok(x), Ok(f), Ok(g)) => (i, x, f, g),
        (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (.., Err(e)) => {
            return r.fail(e.into());
        }
    };
    let day = obj.info.first_start.map_or_else(
        || zone.today(p.now()),
        |t| t.with_timezone(&zone.0).date_naive(),
    );
    let range = TimeRange {
        start: zone.start_of_day(day),
        end: zone.start_of_day(super::range::add_days(day, 1)),
    };
    let persons: Vec<String> = invited
        .iter()
        .filter(|i| !i.group)
        .map(|i| i.address.clone())
        .collect();
    let busy = busy_of(&state, &r, &persons.join(","), range, zone).await;
    let base = event_href(id, &href);
    let answers = answers
        .into_iter()
        .map(|x| {
            let (answer, answer_code) = answer_text(tr, x.partstat);
            Answered {
                name: x.name,
                answer,
                answer_code,
                through_group: x.through_group,
            }
        })
        .collect();
    let found = found
        .into_iter()
        .filter(|f| !invited.iter().any(|i| i.address == f.address))
        .collect();
    render::ok(&InvitePage {
        c: Chrome::new(&r.page, tr.t("cal.inv.manage")).signed_in(&r.page, &r.actor),
        title: obj.info.summary,
        action: format!("{base}/einladen"),
        uninvite_action: format!("{base}/ausladen"),
        back_href: base,
        invited,
        answers,
        query: q,
        found,
        groups,
        busy,
        busy_day: super::grid::long_day(tr, day),
    })
}

/// Busy times of the invited persons on the day; none when they cannot be read.
async fn busy_of(
    state: &AppState,
    r: &Ready,
    addrs: &str,
    range: TimeRange,
    zone: Zone,
) -> Vec<Busy> {
    let p = &state.platform;
    if addrs.is_empty() {
        return vec![];
    }
    let Ok(who) = p.calendar_resolve_invitees(&r.actor, addrs).await else {
        return vec![];
    };
    let hm = |t: DateTime<Utc>| t.with_timezone(&zone.0).format("%H:%M").to_string();
    let tr = r.page.tr();
    p.calendar_invitee_busy(&r.actor, &who, range)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|b| Busy {
            name: b.name,
            times: b
                .busy
                .iter()
                .map(|x| {
                    tr.t("cal.time_range")
                        .replace("{from}", &hm(x.start.max(range.start)))
                        .replace("{to}", &hm(x.end.min(range.end)))
                })
                .collect(),
        })
        .collect()
}

#[derive(Debug, serde::Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    wer: String,
}

pub async fn invite(
    State(state): State<AppState>,
    r: Ready,
    Path((cal, href)): Path<(String, String)>,
    Form(f): Form<InviteForm>,
) -> Response {
    let id: CalendarId = match parse_calendar(&cal) {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    match state
        .platform
        .calendar_invite(&r.actor, id, &href, &f.wer)
        .await
    {
        Ok(_) => Redirect::to(&format!(
            "{}/einladen?ok=cal_invited",
            event_href(id, &href)
        ))
        .into_response(),
        Err(e) => r.fail(e.into()),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct UninviteForm {
    adresse: String,
}

pub async fn uninvite(
    State(state): State<AppState>,
    r: Ready,
    Path((cal, href)): Path<(String, String)>,
    Form(f): Form<UninviteForm>,
) -> Response {
    let id: CalendarId = match parse_calendar(&cal) {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    match state
        .platform
        .calendar_uninvite(&r.actor, id, &href, &f.adresse)
        .await
    {
        Ok(()) => Redirect::to(&format!(
            "{}/einladen?ok=cal_uninvited",
            event_href(id, &href)
        ))
        .into_response(),
        Err(e) => r.fail(e.into()),
    }
}
