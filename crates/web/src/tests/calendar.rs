//! The calendar pages through the router, without JavaScript: the views for every account
//! type, an event written into class 5a's calendar and read by a student, refusals (the
//! school calendar for a student, someone's hidden personal calendar), a double booking of
//! a room named in the form, and what the month view costs.

use axum::http::StatusCode;
use schulhof_domain::calendar::{CalendarInfo, CalendarKind, NewResource};
use schulhof_domain::identity::Actor;
use schulhof_types::AccountType;

use super::statements::{self, statements_of};
use super::{App, Resp, app, app_on_postgres};

async fn actor(app: &App, cookie: &str) -> Actor {
    let value = cookie.split_once('=').map_or(cookie, |(_, v)| v);
    app.platform.session(value).await.expect("session").actor
}

async fn calendars(app: &App, cookie: &str) -> Vec<CalendarInfo> {
    app.platform
        .calendars(&actor(app, cookie).await)
        .await
        .expect("calendars")
}

async fn calendar_of(app: &App, cookie: &str, kind: CalendarKind) -> CalendarInfo {
    calendars(app, cookie)
        .await
        .into_iter()
        .find(|c| c.kind == kind && (kind != CalendarKind::Personal || c.own))
        .expect("a calendar of that kind")
}

fn today(app: &App) -> String {
    app.platform
        .now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .format("%Y-%m-%d")
        .to_string()
}

/// Posts the event form: a timed event on `day` from `from` to `to`, plus `more` fields.
async fn post_event(
    app: &App,
    cookie: &str,
    cal: &str,
    title: &str,
    (day, from, to): (&str, &str, &str),
    more: &[(&str, &str)],
) -> Resp {
    let mut form = vec![
        ("kalender", cal),
        ("titel", title),
        ("beginn_datum", day),
        ("beginn_zeit", from),
        ("ende_datum", day),
        ("ende_zeit", to),
    ];
    form.extend_from_slice(more);
    app.post("/kalender/termin/neu", cookie, &form).await
}

async fn views_render_for_every_account_type(app: App) {
    for login in [
        "lehrer",
        "personal",
        "schueler",
        "extern",
        "admin",
        "schulleitung",
        "sekretariat",
    ] {
        let c = app.ready(login).await;
        for view in ["monat", "woche", "tag", "liste"] {
            let r = app.get(&format!("/kalender?ansicht={view}"), &c).await;
            r.assert(StatusCode::OK);
        }
    }
    let t = app.ready("lehrer").await;
    let month = app.get("/kalender", &t).await;
    month
        .has("href=\"/kalender\"")
        .has("<table class=\"cal-month\"")
        .has("scope=\"col\"")
        .has("aria-current=\"date\"")
        .has("name=\"k\"")
        .has("5a");
    app.get("/kalender?ansicht=woche", &t)
        .await
        .has("aria-current=\"page\">Woche</a>");
}

async fn an_event_in_5a_reaches_the_student(app: App) {
    let t = app.ready("lehrer").await;
    let s = app.ready("schueler").await;
    let class = calendar_of(&app, &t, CalendarKind::Group).await;
    let day = today(&app);
    let r = post_event(
        &app,
        &t,
        &class.id.to_string(),
        "Klassenarbeit <Mathe>",
        (&day, "08:00", "09:30"),
        &[
            ("ort", "Raum 12"),
            ("wiederholung", "woechentlich"),
            ("serienende", "anzahl"),
            ("anzahl", "3"),
            ("erinnerung", "1440"),
        ],
    )
    .await;
    r.assert(StatusCode::SEE_OTHER);
    assert!(
        r.location().contains("ok=cal_event_saved"),
        "{}",
        r.location()
    );
    let list = app
        .get(&format!("/kalender?ansicht=liste&datum={day}"), &s)
        .await;
    list.assert(StatusCode::OK)
        .has("Klassenarbeit &#60;Mathe&#62;")
        .lacks("<Mathe>");
    // Three weeks in a row.
    assert_eq!(list.body.matches("class=\"cal-event\"").count(), 3);
    // The student opens it but may not delete it.
    let href = list
        .body
        .split("href=\"/kalender/")
        .find(|p| p.contains("/termin/"))
        .and_then(|p| p.split(['"', '?']).next()) // the event, not one date of its series
        .map(|p| format!("/kalender/{p}"))
        .expect("an event link");
    app.get(&href, &s)
        .await
        .assert(StatusCode::OK)
        // The series in words: weekly on the first date's weekday, three times.
        .has("<dd>wöchentlich am ")
        .has(", 3-mal</dd>")
        .lacks("/loeschen");
    app.post(&format!("{href}/loeschen"), &s, &[("bestaetigt", "ja")])
        .await
        .assert(StatusCode::FORBIDDEN);
    // The teacher deletes it.
    app.get(&href, &t).await.has("/loeschen");
    app.post(&format!("{href}/loeschen"), &t, &[("bestaetigt", "ja")])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get(&format!("/kalender?ansicht=liste&datum={day}"), &s)
        .await
        .lacks("Klassenarbeit");
}

async fn form_mistakes_stay_at_their_input(app: App) {
    let t = app.ready("lehrer").await;
    let own = calendar_of(&app, &t, CalendarKind::Personal).await;
    let day = today(&app);
    let r = post_event(
        &app,
        &t,
        &own.id.to_string(),
        "",
        (&day, "08:00", "09:00"),
        &[],
    )
    .await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("id=\"cal-title-error\"")
        .has("Bitte einen Titel angeben.");
    let r = post_event(
        &app,
        &t,
        &own.id.to_string(),
        "X",
        (&day, "10:00", "09:00"),
        &[],
    )
    .await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("id=\"cal-end-t-error\"");
    // Nothing was stored.
    app.get(&format!("/kalender?ansicht=tag&datum={day}"), &t)
        .await
        .lacks("class=\"cal-event");
}

async fn a_student_cannot_write_the_school_calendar(app: App) {
    let s = app.ready("schueler").await;
    let school = calendar_of(&app, &s, CalendarKind::School).await;
    let day = today(&app);
    let r = post_event(
        &app,
        &s,
        &school.id.to_string(),
        "Hitzefrei",
        (&day, "08:00", "09:00"),
        &[],
    )
    .await;
    r.assert(StatusCode::FORBIDDEN).has("id=\"cal-cal-error\"");
    // Not offered in the form either.
    app.get("/kalender/termin/neu", &s)
        .await
        .assert(StatusCode::OK)
        .lacks(&school.id.to_string());
    // The Sekretariat writes it.
    let sek = app.ready("sekretariat").await;
    post_event(
        &app,
        &sek,
        &school.id.to_string(),
        "Elternsprechtag",
        (&day, "15:00", "19:00"),
        &[],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&format!("/kalender?ansicht=tag&datum={day}"), &s)
        .await
        .has("Elternsprechtag");
}

async fn a_hidden_calendar_answers_404(app: App) {
    let t = app.ready("lehrer").await;
    let s = app.ready("schueler").await;
    let own = calendar_of(&app, &t, CalendarKind::Personal).await;
    let day = today(&app);
    let r = post_event(
        &app,
        &t,
        &own.id.to_string(),
        "Arzttermin",
        (&day, "12:00", "13:00"),
        &[],
    )
    .await;
    r.assert(StatusCode::SEE_OTHER);
    let mine = app
        .get(&format!("/kalender?ansicht=tag&datum={day}"), &t)
        .await;
    mine.has("Arzttermin");
    let href = mine
        .body
        .split("href=\"/kalender/")
        .find(|p| p.contains("/termin/"))
        .and_then(|p| p.split(['"', '?']).next()) // the event, not one date of its series
        .map(|p| format!("/kalender/{p}"))
        .expect("an event link");
    app.get(&href, &s).await.assert(StatusCode::NOT_FOUND);
    app.post(&format!("{href}/loeschen"), &s, &[("bestaetigt", "ja")])
        .await
        .assert(StatusCode::NOT_FOUND);
    post_event(
        &app,
        &s,
        &own.id.to_string(),
        "Spam",
        (&day, "12:00", "13:00"),
        &[],
    )
    .await
    .assert(StatusCode::NOT_FOUND);
    app.get(&format!("/kalender?ansicht=tag&datum={day}"), &s)
        .await
        .lacks("Arzttermin");
    app.get("/kalender/not-an-id/termin/x.ics", &t)
        .await
        .assert(StatusCode::NOT_FOUND);
    // The admin never sees a personal calendar.
    let admin = app.ready("admin").await;
    app.get(&href, &admin).await.assert(StatusCode::NOT_FOUND);
}

async fn a_double_booking_names_the_booking(app: App) {
    let admin = app.ready("admin").await;
    let room = app
        .platform
        .resource_create(
            &actor(&app, &admin).await,
            &NewResource {
                name: "Aula".into(),
                description: "Bühne und 200 Plätze".into(),
                capacity: 200,
                needs_approval: false,
                account_types: vec![AccountType::Lehrer],
                groups: Vec::new(),
            },
        )
        .await
        .expect("resource");
    let t = app.ready("lehrer").await;
    let cal = room.calendar.to_string();
    let day = today(&app);
    post_event(
        &app,
        &t,
        &cal,
        "Theaterprobe",
        (&day, "10:00", "11:00"),
        &[],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let r = post_event(&app, &t, &cal, "Konzert", (&day, "10:30", "11:30"), &[]).await;
    r.assert(StatusCode::CONFLICT)
        .has("Schon gebucht: „Theaterprobe“")
        .has("id=\"cal-start-d-error\"");
    // A student may not book it.
    let s = app.ready("schueler").await;
    let r = post_event(&app, &s, &cal, "Party", (&day, "14:00", "15:00"), &[]).await;
    assert!(
        matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        r.status
    );
}

async fn own_calendars_are_made_renamed_shared_and_deleted(app: App) {
    let t = app.ready("lehrer").await;
    let s = app.ready("schueler").await;
    app.get("/kalender/neu", &t).await.assert(StatusCode::OK);
    let r = app
        .post(
            "/kalender/neu",
            &t,
            &[("name", "AG Robotik"), ("farbe", "#aa3300")],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    let settings = r.location().split('?').next().unwrap_or("").to_owned();
    assert!(settings.ends_with("/einstellungen"), "{settings}");
    let id = settings
        .trim_start_matches("/kalender/")
        .trim_end_matches("/einstellungen")
        .to_owned();
    app.get(&settings, &t)
        .await
        .assert(StatusCode::OK)
        .has("AG Robotik")
        .has("--cal-colour: #aa3300");
    // Hidden from the student until shared.
    app.get(&settings, &s).await.assert(StatusCode::NOT_FOUND);
    app.post(
        &settings,
        &t,
        &[
            ("name", "Robotik-AG"),
            ("farbe", "#0055aa"),
            ("beschreibung", ""),
        ],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let day = today(&app);
    post_event(&app, &t, &id, "Roboterbau", (&day, "14:00", "15:30"), &[])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get(&format!("/kalender?ansicht=tag&datum={day}"), &s)
        .await
        .lacks("Roboterbau");
    // An unknown name is the form's mistake.
    app.post(
        &format!("/kalender/{id}/freigaben"),
        &t,
        &[("wer", "niemand-hier"), ("recht", "lesen")],
    )
    .await
    .assert(StatusCode::UNPROCESSABLE_ENTITY)
    .has("id=\"cal-share-who-error\"");
    app.post(
        &format!("/kalender/{id}/freigaben"),
        &t,
        &[("wer", "schueler"), ("recht", "lesen")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&settings, &t).await.has("Sophie").has("lesen");
    app.get(&format!("/kalender?ansicht=tag&datum={day}"), &s)
        .await
        .has("Robotik-AG")
        .has("Roboterbau");
    // Read only: the student cannot write there.
    post_event(&app, &s, &id, "Hack", (&day, "16:00", "17:00"), &[])
        .await
        .assert(StatusCode::FORBIDDEN);
    let student = actor(&app, &s).await.user.id.to_string();
    app.post(
        &format!("/kalender/{id}/freigaben/entfernen"),
        &t,
        &[("art", "user"), ("wer", &student)],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&format!("/kalender?ansicht=tag&datum={day}"), &s)
        .await
        .lacks("Roboterbau");
    // The student cannot delete it; the owner can, not the default one.
    app.post(
        &format!("/kalender/{id}/loeschen"),
        &s,
        &[("bestaetigt", "ja")],
    )
    .await
    .assert(StatusCode::NOT_FOUND);
    app.post(
        &format!("/kalender/{id}/loeschen"),
        &t,
        &[("bestaetigt", "ja")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&settings, &t).await.assert(StatusCode::NOT_FOUND);
}

async fn rooms_show_busy_times_and_the_admin_decides(app: App) {
    let admin = app.ready("admin").await;
    app.get("/verwaltung/ressourcen", &admin)
        .await
        .assert(StatusCode::OK);
    let r = app
        .post(
            "/verwaltung/ressourcen",
            &admin,
            &[
                ("name", "Laptopwagen"),
                ("kapazitaet", "30"),
                ("bestaetigung", "ja"),
                ("kontoart", "lehrer"),
            ],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    app.get("/verwaltung/ressourcen", &admin)
        .await
        .has("Laptopwagen")
        .has("Lehrkraft");
    // A teacher books it: the request waits.
    let t = app.ready("lehrer").await;
    let rooms = app.get("/kalender/raeume", &t).await;
    rooms
        .assert(StatusCode::OK)
        .has("Laptopwagen")
        .has("Den ganzen Tag frei.");
    let book = rooms
        .body
        .split("href=\"/kalender/termin/neu?kalender=")
        .nth(1)
        .and_then(|p| p.split('&').next())
        .expect("a booking link")
        .to_owned();
    let day = today(&app);
    let r = post_event(&app, &t, &book, "Projekt 7b", (&day, "09:00", "10:30"), &[]).await;
    r.assert(StatusCode::SEE_OTHER);
    assert!(
        r.location().contains("ok=cal_booking_pending"),
        "{}",
        r.location()
    );
    let s = app.ready("schueler").await;
    let seen = app.get(&format!("/kalender/raeume?datum={day}"), &s).await;
    seen.assert(StatusCode::OK)
        .has("09:00–10:30")
        .has("(angefragt)")
        .lacks("Projekt 7b")
        .lacks("termin/neu?kalender=");
    let pending = app.get("/verwaltung/ressourcen", &admin).await;
    pending.has("Projekt 7b");
    let id = pending
        .body
        .split("action=\"/verwaltung/buchungen/")
        .nth(1)
        .and_then(|p| p.split('"').next())
        .expect("a pending booking")
        .to_owned();
    app.post(
        &format!("/verwaltung/buchungen/{id}"),
        &admin,
        &[("entscheidung", "bestaetigen")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&format!("/kalender/raeume?datum={day}"), &t)
        .await
        .has("09:00–10:30")
        .lacks("(angefragt)");
    // Only the admin manages resources.
    app.get("/verwaltung/ressourcen", &t)
        .await
        .assert(StatusCode::FORBIDDEN);
}

async fn ics_export_subscription_and_import(app: App) {
    let t = app.ready("lehrer").await;
    let own = calendar_of(&app, &t, CalendarKind::Personal).await;
    let id = own.id.to_string();
    let day = today(&app);
    post_event(
        &app,
        &t,
        &id,
        "Fachkonferenz",
        (&day, "15:00", "17:00"),
        &[],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let file = app.get(&format!("/kalender/{id}/export.ics"), &t).await;
    file.assert(StatusCode::OK)
        .has("BEGIN:VCALENDAR")
        .has("SUMMARY:Fachkonferenz");
    assert!(
        file.headers[axum::http::header::CONTENT_TYPE]
            .to_str()
            .unwrap_or("")
            .starts_with("text/calendar")
    );
    // Someone else's personal calendar cannot be exported.
    let s = app.ready("schueler").await;
    app.get(&format!("/kalender/{id}/export.ics"), &s)
        .await
        .assert(StatusCode::NOT_FOUND);
    // A private address: shown once, works without a login, revoked it is gone.
    let made = app.post(&format!("/kalender/{id}/abo"), &t, &[]).await;
    made.assert(StatusCode::OK).has("/kalender-abo/");
    let secret = made
        .body
        .split("/kalender-abo/")
        .nth(1)
        .and_then(|p| p.split('"').next())
        .expect("an address")
        .to_owned();
    app.get(&format!("/kalender-abo/{secret}"), "")
        .await
        .assert(StatusCode::OK)
        .has("Fachkonferenz");
    let settings = app.get(&format!("/kalender/{id}/einstellungen"), &t).await;
    settings.lacks(&secret);
    let sub = settings
        .body
        .split("action=\"/kalender/abos/")
        .nth(1)
        .and_then(|p| p.split('/').next())
        .expect("a subscription")
        .to_owned();
    app.post(&format!("/kalender/abos/{sub}/widerrufen"), &t, &[])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get(&format!("/kalender-abo/{secret}"), "")
        .await
        .assert(StatusCode::NOT_FOUND);
    // Import: a preview first, then all of it.
    let d = day.replace('-', "");
    let ics = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//DE\r\n\
         BEGIN:VEVENT\r\nUID:imp-1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{d}T090000Z\r\nDTEND:{d}T100000Z\r\nSUMMARY:Importiert eins\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:imp-2\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{d}T110000Z\r\nDTEND:{d}T120000Z\r\nSUMMARY:Importiert zwei\r\nEND:VEVENT\r\n\
         END:VCALENDAR\r\n"
    );
    let pv = app
        .post_multipart(
            &format!("/kalender/{id}/import"),
            &t,
            &[],
            ("datei", "termine.ics", ics.as_bytes()),
        )
        .await;
    pv.assert(StatusCode::OK)
        .has("Importiert eins")
        .has("Importiert zwei")
        .has("2 Termine können übernommen werden.");
    app.get(&format!("/kalender?ansicht=tag&datum={day}"), &t)
        .await
        .lacks("Importiert eins");
    let done = app
        .post(
            &format!("/kalender/{id}/import/ausfuehren"),
            &t,
            &[("datei", &ics)],
        )
        .await;
    done.assert(StatusCode::OK).has("2 Termine übernommen.");
    app.get(&format!("/kalender?ansicht=tag&datum={day}"), &t)
        .await
        .has("Importiert eins")
        .has("Importiert zwei");
    // A broken file: a clear message at the file input, nothing stored.
    let bad = app
        .post_multipart(
            &format!("/kalender/{id}/import"),
            &t,
            &[],
            (
                "datei",
                "kaputt.ics",
                b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n",
            ),
        )
        .await;
    // Either refused at the input, or every part reported and nothing offered to take over.
    if bad.status == StatusCode::OK {
        bad.has("Nicht lesbar und nicht übernommen")
            .lacks("/import/ausfuehren");
    } else {
        assert!(bad.status.is_client_error(), "{}", bad.status);
        bad.has("id=\"cal-import-file-error\"");
    }
}

on_both_backends!(
    views_render_for_every_account_type,
    an_event_in_5a_reaches_the_student,
    form_mistakes_stay_at_their_input,
    a_student_cannot_write_the_school_calendar,
    a_hidden_calendar_answers_404,
    a_double_booking_names_the_booking,
    own_calendars_are_made_renamed_shared_and_deleted,
    rooms_show_busy_times_and_the_admin_decides,
    ics_export_subscription_and_import,
);

/// The month view of a teacher with many calendars full of events costs the same few
/// statements as with one: not one per calendar.
async fn month_view_statements(app: App) {
    let t = app.ready("lehrer").await;
    let a = actor(&app, &t).await;
    let few = statements_of(&app, "/kalender", &t).await;
    let day = today(&app);
    for i in 0..12 {
        let cal = app
            .platform
            .calendar_create(&a, &format!("Kalender {i}"), None)
            .await
            .expect("calendar");
        for h in ["08:00", "10:00"] {
            post_event(
                &app,
                &t,
                &cal.id.to_string(),
                &format!("Termin {i}"),
                (&day, h, "11:00"),
                &[],
            )
            .await
            .assert(StatusCode::SEE_OTHER);
        }
    }
    let many = statements_of(&app, "/kalender", &t).await;
    eprintln!(
        "statements of the month view: {few} (few calendars), {many} (15 calendars, 24 events)"
    );
    assert!(few > 0, "statements are counted");
    // One statement more once the month has events at all (their objects are read), then
    // never more however many calendars and events.
    assert!(
        many <= few + 1,
        "the month view does not grow with its calendars"
    );
    assert!(
        many <= 8,
        "the month view costs a few statements, not {many}"
    );
}

#[tokio::test]
async fn the_month_view_costs_a_few_statements_on_sqlite() {
    if !statements::install() {
        return; // another subscriber counts already (not under nextest)
    }
    month_view_statements(app().await).await;
}

#[tokio::test]
async fn the_month_view_costs_a_few_statements_on_postgres() {
    if !statements::install() {
        return;
    }
    month_view_statements(app_on_postgres().await).await;
}
