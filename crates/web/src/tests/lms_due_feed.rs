//! Due dates for calendar programs through the pages of the demo school: the student's page
//! names the CalDAV calendar, the `.ics` download carries the demo assignment, and the
//! private address works without a login once made, is not shown again, and is gone when
//! revoked. And the simple view for primary schools: switched on in the course settings,
//! the student sees large tiles (the teacher keeps the full page), instructions offer
//! read-aloud.

use axum::http::StatusCode;

use super::*;

on_both_backends!(
    due_dates_leave_for_calendar_programs,
    the_simple_view_shows_tiles,
    the_due_list_shows_the_students_extension
);

/// Gives the student an extension of the demo assignment to 17 March 2031, 09:00 UTC.
async fn extend(app: &App, teacher: &str, student: &str) {
    let (t, s) = (app.actor(teacher).await, app.actor(student).await);
    let due = app.platform.lms_due(&s).await.expect("due");
    let essay = due
        .iter()
        .find(|d| d.activity.kind == "assignment")
        .expect("demo assignment")
        .activity
        .id;
    let later = chrono::DateTime::parse_from_rfc3339("2031-03-17T09:00:00Z")
        .expect("date")
        .to_utc();
    app.platform
        .lms_assignment_set_extension(&t, essay, s.token.user(), Some(later))
        .await
        .expect("extension");
}

/// The student with an extension sees their date on the due page, the dashboard and the
/// course page; the teacher keeps the assignment's date.
async fn the_due_list_shows_the_students_extension(app: App) {
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    app.get("/kurse/faellig", &student)
        .await
        .assert(StatusCode::OK)
        .lacks("17.03.2031")
        .lacks("(Verlängerung)");
    extend(&app, &teacher, &student).await;
    app.get("/kurse/faellig", &student)
        .await
        .assert(StatusCode::OK)
        .has("17.03.2031")
        .has("(Verlängerung)");
    app.get("/", &student)
        .await
        .assert(StatusCode::OK)
        .has("2031-03-17T09:00:00+00:00");
    let course = app.platform.lms_courses(&app.actor(&student).await).await;
    let course = format!("/kurse/{}", course.expect("courses")[0].id);
    app.get(&course, &student)
        .await
        .assert(StatusCode::OK)
        .has("17.03.2031")
        .has("(Verlängerung)");
    app.get(&course, &teacher)
        .await
        .assert(StatusCode::OK)
        .lacks("17.03.2031");
    app.get("/kurse/faellig", &teacher)
        .await
        .assert(StatusCode::OK)
        .lacks("17.03.2031")
        .lacks("(Verlängerung)");
}

#[tokio::test]
async fn an_extension_costs_the_due_page_no_statement() {
    if !super::statements::install() {
        return; // another subscriber counts already (not under nextest)
    }
    let app = app().await;
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let before = super::statements::statements_of(&app, "/kurse/faellig", &student).await;
    extend(&app, &teacher, &student).await;
    let after = super::statements::statements_of(&app, "/kurse/faellig", &student).await;
    assert!(before > 0, "statements are counted");
    assert_eq!(before, after, "the extension is joined, not looked up");
}

async fn due_dates_leave_for_calendar_programs(app: App) {
    app.platform.system_seed_demo_files().await.expect("demo");
    let student = app.ready("schueler").await;
    app.get("/kurse/faellig", &student)
        .await
        .assert(StatusCode::OK)
        .has("href=\"/kurse/faelligkeiten\"");
    app.get("/kurse/faelligkeiten", &student)
        .await
        .assert(StatusCode::OK)
        .has("/dav/calendars/schueler/faelligkeiten/")
        .has("Keine Abonnement-Adressen.");
    let file = app.get("/kurse/faelligkeiten.ics", &student).await;
    file.assert(StatusCode::OK)
        .has("BEGIN:VCALENDAR")
        .has("SUMMARY:Abgabe: Brüche kürzen erklären");
    assert!(
        file.headers[axum::http::header::CONTENT_TYPE]
            .to_str()
            .unwrap_or("")
            .starts_with("text/calendar")
    );
    let anonymous = app.get("/kurse/faelligkeiten.ics", "").await;
    assert_ne!(anonymous.status, StatusCode::OK, "a login is needed");
    assert!(!anonymous.body.contains("BEGIN:VCALENDAR"));
    let made = app.post("/kurse/faelligkeiten/abo", &student, &[]).await;
    made.assert(StatusCode::OK).has("/kurse-abo/");
    let secret = made
        .body
        .split("/kurse-abo/")
        .nth(1)
        .and_then(|p| p.split('"').next())
        .expect("an address")
        .to_owned();
    app.get(&format!("/kurse-abo/{secret}"), "")
        .await
        .assert(StatusCode::OK)
        .has("Brüche kürzen erklären");
    app.get("/kurse/faelligkeiten", &student)
        .await
        .lacks(&secret)
        .has("/kurse/faelligkeiten/abo/widerrufen");
    app.post("/kurse/faelligkeiten/abo/widerrufen", &student, &[])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get(&format!("/kurse-abo/{secret}"), "")
        .await
        .assert(StatusCode::NOT_FOUND);
}

async fn the_simple_view_shows_tiles(app: App) {
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let list = app.get("/kurse", &teacher).await;
    let name = list.body.find("Mathematik 5a").expect("the demo course");
    let before = &list.body[name - 60..];
    let at = before.find("href=\"/kurse/").expect("its link") + "href=\"/kurse/".len();
    let course = before[at..at + 36].to_owned();
    let page = format!("/kurse/{course}");
    app.get(&page, &student).await.lacks("lms-tiles");
    let settings = format!("/kurse/{course}/einstellungen");
    app.get(&settings, &teacher)
        .await
        .assert(StatusCode::OK)
        .has("name=\"einfach\"");
    let on = [("name", "Mathematik 5a"), ("einfach", "ja")];
    app.post(&settings, &student, &on)
        .await
        .assert(StatusCode::FORBIDDEN);
    app.post(&settings, &teacher, &on)
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get(&settings, &teacher).await.has("checked");
    let tiles = app.get(&page, &student).await;
    tiles
        .assert(StatusCode::OK)
        .has("class=\"lms-tiles\"")
        .has("Brüche kürzen erklären");
    app.get(&page, &teacher).await.lacks("lms-tiles");
    let at = tiles
        .body
        .find("href=\"/kurse/aufgaben/")
        .expect("assignment tile")
        + "href=\"/kurse/aufgaben/".len();
    let assignment = tiles.body[at..at + 36].to_owned();
    app.get(&format!("/kurse/aufgaben/{assignment}"), &student)
        .await
        .has("data-read-aloud=\"assign-instructions\"");
    app.post(&settings, &teacher, &[("name", "Mathematik 5a")])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get(&page, &student).await.lacks("lms-tiles");
}
