//! The event form as a page: its inputs with their values, the calendars offered, and the
//! domain's refusals placed at the input they concern (a double booking names the booking
//! in the way).

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use schulhof_domain::calendar::{CalAccess, CalendarError, CalendarInfo, CalendarKind};

use super::form::EventForm;
use crate::auth::Ready;
use crate::forms::{Choice, Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::render;
use crate::when::Zone;

#[derive(Template)]
#[template(path = "calendar/event_form.html")]
struct FormPage {
    c: Chrome,
    heading: String,
    series: bool,
    action: String,
    etag: String,
    form: FormView,
    rec_end: Choice,
    /// A series: which of its dates the change concerns, and the chosen one.
    scope: Option<Choice>,
    occurrence: String,
    back_href: String,
    delete_href: Option<String>,
    /// An existing event: attach files of the own file areas.
    attach_href: Option<String>,
}

/// The calendars an event may go into: those the account writes, and the rooms and
/// equipment it may book (a booking is an event in their calendar).
pub fn writable(cals: Vec<CalendarInfo>) -> Vec<CalendarInfo> {
    cals.into_iter()
        .filter(|c| {
            if c.kind == CalendarKind::Resource {
                c.may_book || c.access >= CalAccess::Write
            } else {
                c.access >= CalAccess::Write
            }
        })
        .collect()
}

/// Where the form goes and what it says around its inputs.
pub struct Frame {
    pub heading: String,
    pub action: String,
    pub back_href: String,
    pub delete_href: Option<String>,
    pub series: bool,
    /// An existing event: where files are attached.
    pub attach_href: Option<String>,
}

fn options(tr: Tr, pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(v, k)| ((*v).to_owned(), tr.t(k).to_owned()))
        .collect()
}

fn fields(tr: Tr, f: &EventForm, cals: &[CalendarInfo], public: bool) -> Vec<Field> {
    let cal_options = cals
        .iter()
        .map(|c| (c.id.to_string(), c.name.clone()))
        .collect::<Vec<_>>();
    let mut v = vec![
        Field::new(tr, "cal-title", "titel", "cal.event.field_title")
            .value(&f.titel)
            .required(),
        Field::new(tr, "cal-place", "ort", "cal.event.place").value(&f.ort),
        Field::new(tr, "cal-desc", "beschreibung", "cal.event.description")
            .kind("textarea")
            .value(&f.beschreibung),
        Field::new(tr, "cal-cal", "kalender", "cal.event.calendar")
            .value(&f.kalender)
            .hint(tr, "cal.event.calendar_hint")
            .required()
            .options(cal_options),
        Field::new(tr, "cal-allday", "ganztaegig", "cal.event.all_day")
            .kind("checkbox")
            .value(&f.ganztaegig),
        Field::new(tr, "cal-start-d", "beginn_datum", "cal.event.start_date")
            .kind("date")
            .value(&f.beginn_datum)
            .required()
            .answers(&["event"]),
        Field::new(tr, "cal-start-t", "beginn_zeit", "cal.event.start_time")
            .kind("time")
            .value(&f.beginn_zeit),
        Field::new(tr, "cal-end-d", "ende_datum", "cal.event.end_date")
            .kind("date")
            .value(&f.ende_datum),
        Field::new(tr, "cal-end-t", "ende_zeit", "cal.event.end_time")
            .kind("time")
            .value(&f.ende_zeit),
        Field::new(tr, "cal-rec", "wiederholung", "cal.event.rec")
            .value(&f.wiederholung)
            .options(options(
                tr,
                &[
                    ("keine", "cal.event.rec.none"),
                    ("taeglich", "cal.event.rec.daily"),
                    ("woechentlich", "cal.event.rec.weekly"),
                    ("monatlich", "cal.event.rec.monthly"),
                    ("jaehrlich", "cal.event.rec.yearly"),
                ],
            )),
        Field::new(tr, "cal-interval", "intervall", "cal.event.interval")
            .kind("number")
            .value(&f.intervall)
            .attr("min", "1")
            .attr("max", "99"),
        Field::new(tr, "cal-until", "bis", "cal.event.until")
            .kind("date")
            .value(&f.bis),
        Field::new(tr, "cal-count", "anzahl", "cal.event.count")
            .kind("number")
            .value(&f.anzahl)
            .attr("min", "1")
            .attr("max", "999"),
        Field::new(tr, "cal-alarm", "erinnerung", "cal.event.reminder")
            .value(&f.erinnerung)
            .hint(tr, "cal.event.reminder_hint")
            .options(options(
                tr,
                &[
                    ("", "cal.event.reminder.none"),
                    ("0", "cal.event.reminder.at"),
                    ("15", "cal.event.reminder.m15"),
                    ("60", "cal.event.reminder.h1"),
                    ("1440", "cal.event.reminder.d1"),
                ],
            )),
    ];
    if public {
        v.push(
            Field::new(tr, "cal-public", "oeffentlich", "cal.event.public")
                .kind("checkbox")
                .value(&f.oeffentlich),
        );
    }
    v
}

/// The form page with `f`'s values and, after a refusal, its message.
pub fn page(
    r: &Ready,
    frame: Frame,
    f: &EventForm,
    cals: &[CalendarInfo],
    failure: Option<&Failure>,
) -> Response {
    let tr = r.page.tr();
    let public = cals
        .iter()
        .any(|c| c.kind == CalendarKind::School && c.access >= CalAccess::Write);
    let mut rec_end = Choice::new(
        tr,
        "cal-rec-end",
        "serienende",
        "cal.event.rec_end",
        if f.serienende.is_empty() {
            "nie"
        } else {
            &f.serienende
        },
        options(
            tr,
            &[
                ("nie", "cal.event.rec_end.never"),
                ("bis", "cal.event.rec_end.until"),
                ("anzahl", "cal.event.rec_end.count"),
            ],
        ),
    );
    if let Some(fl) = failure.filter(|fl| fl.field == Some("serienende")) {
        rec_end.error = Some(fl.message.clone());
    }
    let scope = frame
        .series
        .then(|| scope_choice(tr, "cal-scope", &f.umfang));
    let view = FormPage {
        c: Chrome::new(&r.page, frame.heading.clone()).signed_in(&r.page, &r.actor),
        heading: frame.heading,
        series: frame.series,
        action: frame.action,
        etag: f.etag.clone(),
        form: FormView::new("event", fields(tr, f, cals, public), failure),
        rec_end,
        scope,
        occurrence: f.vorkommen.clone(),
        back_href: frame.back_href,
        delete_href: frame.delete_href,
        attach_href: frame.attach_href,
    };
    render::html(failure.map_or(StatusCode::OK, |fl| fl.status), &view)
}

/// Radio buttons: only this date, this and the following, all (the default: "only this").
pub fn scope_choice(tr: Tr, id: &'static str, current: &str) -> Choice {
    let current = match current {
        "folgende" | "alle" => current,
        _ => "diesen",
    };
    Choice::new(
        tr,
        id,
        "umfang",
        "cal.event.scope",
        current,
        options(
            tr,
            &[
                ("diesen", "cal.event.scope.only"),
                ("folgende", "cal.event.scope.following"),
                ("alle", "cal.event.scope.all"),
            ],
        ),
    )
}

/// A refusal of the domain as a message at its input.
pub fn failure(tr: Tr, zone: Zone, e: CalendarError) -> Failure {
    let at = |field: &'static str, message: String, status: StatusCode| Failure {
        form: "event",
        field: Some(field),
        message,
        status,
    };
    let bad = StatusCode::UNPROCESSABLE_ENTITY;
    match e {
        CalendarError::BookingConflict {
            title,
            start,
            end,
            owner,
        } => {
            let when = tr
                .t("cal.time_range")
                .replace("{from}", &zone.datetime(tr, start))
                .replace("{to}", &zone.datetime(tr, end));
            let text = match owner {
                Some(o) => tr.t("cal.err.conflict_by").replace("{owner}", &o),
                None => tr.t("cal.err.conflict").to_owned(),
            };
            let text = text.replace("{title}", &title).replace("{when}", &when);
            at("beginn_datum", text, StatusCode::CONFLICT)
        }
        CalendarError::NotBookable => at(
            "kalender",
            tr.t("cal.err.not_bookable").to_owned(),
            StatusCode::FORBIDDEN,
        ),
        CalendarError::NotFound => at(
            "kalender",
            tr.t("cal.err.calendar").to_owned(),
            StatusCode::NOT_FOUND,
        ),
        CalendarError::Forbidden => at(
            "kalender",
            tr.t("cal.err.calendar").to_owned(),
            StatusCode::FORBIDDEN,
        ),
        CalendarError::InvalidData(m) | CalendarError::UnsupportedComponent(m) => Failure {
            form: "event",
            field: None,
            message: tr.t("cal.err.invalid").replace("{msg}", &tr.message(&m)),
            status: bad,
        },
        CalendarError::TooLarge { max } => at(
            "beschreibung",
            tr.t("cal.err.too_large")
                .replace("{max}", &crate::pages::files::size_text(tr.0, max as u64)),
            bad,
        ),
        CalendarError::UidConflict { .. } => Failure {
            form: "event",
            field: None,
            message: tr.t("cal.err.uid").to_owned(),
            status: StatusCode::CONFLICT,
        },
        CalendarError::PreconditionFailed => Failure {
            form: "event",
            field: None,
            message: tr.t("cal.err.changed").to_owned(),
            status: StatusCode::PRECONDITION_FAILED,
        },
        other => Failure::from_domain("event", tr, &other.into()),
    }
}
