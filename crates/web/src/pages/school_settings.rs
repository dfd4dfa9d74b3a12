//! `/verwaltung/schule`: the school's settings for its admin: its time zone, in which
//! every page shows its times and a "valid until" date ends; and whether the German pages
//! address its students with "du"; and whether its address books may sync over CardDAV. It
//! also shows the LMS setting "courses without a click" and links to its form on `/kurse`.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::school_settings::{parse_time_zone, time_zone_names};
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::layout::Chrome;
use crate::render;
use crate::when::Zone;

/// Where a saved setting leads.
const SAVED: &str = "/verwaltung/schule?ok=school_saved";

#[derive(Template)]
#[template(path = "school_settings.html")]
struct SettingsPage {
    c: Chrome,
    form: FormView,
    /// The current time in the school's zone, so the admin sees what the choice means.
    now: String,
    zones: Vec<&'static str>,
    /// Students are addressed with "du".
    du: bool,
    /// Address books may sync over CardDAV.
    carddav: bool,
    /// The LMS setting "courses without a click" in words; it is set on `/kurse`.
    lms_auto: &'static str,
}

#[derive(Debug, Default, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    zeitzone: String,
    /// Which of the page's forms was sent: `anrede` for the form of address, else the zone.
    #[serde(default)]
    teil: String,
    /// The ticked box "Schüler duzen" (absent when not ticked).
    duzen: Option<String>,
    /// The ticked box "CardDAV an" (form `carddav`).
    carddav: Option<String>,
}

async fn render_page(
    state: &AppState,
    r: &Ready,
    typed: Option<&str>,
    failure: Option<&Failure>,
) -> Response {
    let tr = r.page.tr();
    // The domain decides who may see the settings.
    let settings = match state.platform.school_settings(&r.actor) {
        Ok(s) => s,
        Err(e) => return r.fail(e),
    };
    let value = typed.map_or_else(|| settings.time_zone.name().to_owned(), str::to_owned);
    let field = Field::new(tr, "school-zone", "zeitzone", "school.zone")
        .value(value)
        .attr("list", "school-zones")
        .hint(tr, "school.zone_hint")
        .required()
        .answers(&["time_zone"]);
    let carddav = match state.platform.carddav_enabled(&r.actor).await {
        Ok(on) => on,
        Err(e) => return r.fail(e),
    };
    let lms_auto = match state.platform.lms_auto_courses(&r.actor).await {
        Ok(a) => tr.t(crate::pages::lms::course::auto_label(a)),
        Err(e) => return r.fail(e),
    };
    let zone = Zone(settings.time_zone);
    let view = SettingsPage {
        c: Chrome::new(&r.page, tr.t("school.title")).signed_in(&r.page, &r.actor),
        form: FormView::new("zone", vec![field], failure),
        now: zone.datetime(tr, state.platform.now()),
        zones: time_zone_names(),
        du: settings.du_students,
        carddav,
        lms_auto,
    };
    match failure {
        Some(f) => render::html(f.status, &view),
        None => render::ok(&view),
    }
}

/// `GET /verwaltung/schule`.
pub async fn show(State(state): State<AppState>, r: Ready) -> Response {
    render_page(&state, &r, None, None).await
}

/// `POST /verwaltung/schule`: sets the time zone (an unknown name is refused at its field)
/// or the form of address, whichever form was sent.
pub async fn save(
    State(state): State<AppState>,
    r: Ready,
    Form(f): Form<SettingsForm>,
) -> Response {
    if f.teil == "carddav" {
        return match state
            .platform
            .set_carddav_enabled(&r.actor, f.carddav.is_some())
            .await
        {
            Ok(()) => Redirect::to(SAVED).into_response(),
            Err(e) => r.fail(e),
        };
    }
    if f.teil == "anrede" {
        return match state
            .platform
            .set_school_du_students(&r.actor, f.duzen.is_some())
            .await
        {
            Ok(()) => Redirect::to(SAVED).into_response(),
            Err(e) => r.fail(e),
        };
    }
    let tr = r.page.tr();
    if parse_time_zone(&f.zeitzone).is_none() {
        let failure = Failure::local("zone", "time_zone", tr.t("school.zone_unknown"));
        return render_page(&state, &r, Some(&f.zeitzone), Some(&failure)).await;
    }
    match state
        .platform
        .set_school_time_zone(&r.actor, &f.zeitzone)
        .await
    {
        Ok(()) => Redirect::to(SAVED).into_response(),
        Err(e) => {
            let failure = Failure::from_domain("zone", tr, &e);
            render_page(&state, &r, Some(&f.zeitzone), Some(&failure)).await
        }
    }
}
