//! Hand-in folders: `/dateien/{id}/abgaben` shows a drop folder's hand-ins — to its
//! coordinators every hand-in with who and when, late ones marked, and who has not handed
//! in; to everyone else their own hand-ins and their state. `/dateien/abgabeordner/neu`
//! creates one in one step. The domain decides every right; the page only asks.

use askama::Template;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, http::StatusCode};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use schulhof_domain::DomainError;
use schulhof_domain::files::handin::{Handin, HandinOverview};
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::pages::files::node::{Crumb, crumbs};
use crate::pages::files::write::store_uploads;
use crate::pages::files::{back_to, display_name, locate, node_href, size_text};
use crate::render;
use crate::when::Zone;

mod create;

pub use create::{may_create, new_href};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dateien/{id}/abgaben", get(show))
        .route("/dateien/{id}/abgaben/frist", post(set_deadline))
        .route("/dateien/{id}/abgaben/hochladen", post(hand_in))
        .route(
            "/dateien/abgabeordner/neu",
            get(create::new_form).post(create::create),
        )
}

#[derive(Template)]
#[template(path = "files/handin.html")]
struct HandinPage {
    c: Chrome,
    icons: String,
    crumbs: Vec<Crumb>,
    name: String,
    base: String,
    /// The coordinators' view.
    all: bool,
    groups: String,
    deadline: Option<String>,
    overdue: bool,
    /// "3 von 25 haben abgegeben" (coordinators' view).
    summary: Option<String>,
    /// The caller's own state: not yet, on time, late (the students' view).
    state: Option<(&'static str, &'static str)>,
    rows: Vec<HandinRow>,
    missing: Vec<String>,
    upload: Option<FormView>,
    deadline_form: Option<FormView>,
    has_deadline: bool,
}

struct HandinRow {
    name: String,
    href: String,
    by: String,
    at: String,
    at_iso: String,
    late: bool,
    size: String,
}

fn row(tr: Tr, zone: Zone, h: &Handin) -> HandinRow {
    HandinRow {
        name: h.name.clone(),
        href: if h.is_dir {
            node_href(h.id)
        } else {
            format!("{}/herunterladen", node_href(h.id))
        },
        by: h.by.as_ref().map_or_else(
            || tr.t("handin.by_unknown").to_owned(),
            |p| format!("{} ({})", p.name, p.login),
        ),
        at: zone.datetime(tr, h.at),
        at_iso: h.at.to_rfc3339(),
        late: h.late,
        size: if h.is_dir {
            "–".to_owned()
        } else {
            size_text(tr.0, h.size)
        },
    }
}

/// The student's own state: nothing yet, handed in on time, or late.
fn own_state(o: &HandinOverview) -> (&'static str, &'static str) {
    match (o.handins.is_empty(), o.handins.iter().any(|h| h.late)) {
        (true, _) if o.overdue => ("handin.state.missing_late", "late"),
        (true, _) => ("handin.state.missing", "open"),
        (false, true) => ("handin.state.late", "late"),
        (false, false) => ("handin.state.on_time", "ok"),
    }
}

fn upload_fields(tr: Tr, failure: Option<&Failure>) -> FormView {
    let field = Field::new(tr, "handin-files", "dateien", "handin.upload.files")
        .kind("file")
        .attr("multiple", "multiple")
        .required()
        .answers(&["file", "name"]);
    FormView::new("handin_upload", vec![field], failure)
}

fn deadline_fields(
    tr: Tr,
    zone: Zone,
    current: Option<DateTime<Utc>>,
    failure: Option<&Failure>,
) -> FormView {
    let local = current.map(|d| d.with_timezone(&zone.0));
    let date = local.map(|d| d.format("%Y-%m-%d").to_string());
    let time = local.map(|d| d.format("%H:%M").to_string());
    FormView::new(
        "handin_deadline",
        vec![
            Field::new(tr, "deadline-date", "datum", "handin.deadline.date")
                .kind("date")
                .value(date.unwrap_or_default())
                .required()
                .answers(&["deadline"]),
            Field::new(tr, "deadline-time", "uhrzeit", "handin.deadline.time")
                .kind("time")
                .value(time.unwrap_or_default())
                .hint(tr, "handin.deadline.time_hint"),
        ],
        failure,
    )
}

async fn render_page(state: &AppState, r: &Ready, id: &str, failure: Option<&Failure>) -> Response {
    let (located, _) = match locate(state, r, id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let o = match state.platform.handin_overview(&r.actor, &located).await {
        Ok(o) => o,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let zone = Zone::of(&r.actor);
    let name = display_name(tr, &o.folder);
    let summary = o.all.then(|| {
        tr.t("handin.summary")
            .replace("{n}", &o.handed_in.to_string())
            .replace("{of}", &o.expected.to_string())
    });
    let view = HandinPage {
        c: Chrome::new(&r.page, name.clone()).signed_in(&r.page, &r.actor),
        icons: crate::assets::href("icons.svg"),
        crumbs: crumbs(state, r, &located),
        base: node_href(o.folder.id),
        all: o.all,
        groups: o.groups.join(", "),
        deadline: o.deadline.map(|d| zone.datetime(tr, d)),
        overdue: o.overdue,
        summary,
        state: (!o.all).then(|| own_state(&o)),
        rows: o.handins.iter().map(|h| row(tr, zone, h)).collect(),
        missing: o
            .missing
            .iter()
            .map(|p| format!("{} ({})", p.name, p.login))
            .collect(),
        upload: (o.may_hand_in && !o.all).then(|| upload_fields(tr, failure)),
        deadline_form: o
            .may_set_deadline
            .then(|| deadline_fields(tr, zone, o.deadline, failure)),
        has_deadline: o.deadline.is_some(),
        name,
    };
    let status = failure.map_or(StatusCode::OK, |f| f.status);
    render::html(status, &view)
}

/// `GET /dateien/{id}/abgaben`.
async fn show(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    render_page(&state, &r, &id, None).await
}

/// `POST /dateien/{id}/abgaben/hochladen`: a student hands in one or more files.
async fn hand_in(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let (folder, _) = match locate(&state, &r, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    if !folder.node().drop_box {
        return r.fail(DomainError::NotFound);
    }
    match store_uploads(&state, &r.actor, r.page.tr(), &folder, form).await {
        Ok(_) => back_to(
            &format!("{}/abgaben", node_href(folder.node().id)),
            "handin_done",
        ),
        Err(mut failure) => {
            failure.form = "handin_upload";
            render_page(&state, &r, &id, Some(&failure)).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct DeadlineForm {
    #[serde(default)]
    datum: String,
    #[serde(default)]
    uhrzeit: String,
    /// `entfernen` clears the deadline.
    #[serde(default)]
    aktion: String,
}

/// The moment a date and an optional time (the end of that day) mean in the school's zone.
fn parse_deadline(zone: Zone, date: &str, time: &str) -> Option<DateTime<Utc>> {
    let day = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    // 23:59 is what the form shows for "the end of the day": it keeps meaning that.
    if time.trim().is_empty() || time.trim() == "23:59" {
        return Some(zone.end_of_day(day));
    }
    let at = NaiveTime::parse_from_str(time.trim(), "%H:%M").ok()?;
    let local = day.and_time(at);
    // In a doubled hour the earlier moment; in a gap the hour after it.
    zone.0
        .from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            zone.0
                .from_local_datetime(&(local + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
}

/// `POST /dateien/{id}/abgaben/frist`: sets or removes the deadline.
async fn set_deadline(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<DeadlineForm>,
) -> Response {
    let tr = r.page.tr();
    let (folder, _) = match locate(&state, &r, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let deadline = if f.aktion == "entfernen" {
        None
    } else {
        match parse_deadline(Zone::of(&r.actor), &f.datum, &f.uhrzeit) {
            Some(d) => Some(d),
            None => {
                let failure =
                    Failure::local("handin_deadline", "datum", tr.t("handin.deadline.invalid"));
                return render_page(&state, &r, &id, Some(&failure)).await;
            }
        }
    };
    let p = &state.platform;
    match p.handin_set_deadline(&r.actor, &folder, deadline).await {
        Ok(()) => back_to(
            &format!("{}/abgaben", node_href(folder.node().id)),
            "handin_deadline",
        ),
        Err(e @ (DomainError::Invalid { .. } | DomainError::Conflict { .. })) => {
            let failure = Failure::from_domain("handin_deadline", tr, &e);
            render_page(&state, &r, &id, Some(&failure)).await
        }
        Err(e) => r.fail(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_are_read_in_the_schools_time() {
        let z = Zone(chrono_tz::Europe::Berlin);
        let at = |s: &str| Some(s.parse::<DateTime<Utc>>().expect("time"));
        assert_eq!(
            parse_deadline(z, "2026-12-03", "14:05"),
            at("2026-12-03T13:05:00Z")
        );
        assert_eq!(
            parse_deadline(z, "2026-12-03", ""),
            at("2026-12-03T22:59:59.999999Z"),
            "no time: the end of that day"
        );
        assert_eq!(
            parse_deadline(z, "2026-07-01", "23:59"),
            at("2026-07-01T21:59:59.999999Z")
        );
        assert_eq!(parse_deadline(z, "03.12.2026", ""), None);
        assert_eq!(parse_deadline(z, "2026-12-03", "25:00"), None);
    }
}
