//! Courses and the rest of the platform, through the pages of the demo school: a new
//! assignment and an answered private question show in the notification centre, the
//! settings page lists the course kinds, private questions reach only the student and the
//! course's teachers (404 for another student, an external, a function account and a login
//! of another school), and the calendar shows the student's due dates.

use axum::http::StatusCode;
use chrono::Duration;
use schulhof_domain::admin::NewUser;
use schulhof_domain::identity::Actor;

use super::statements::{self, statements_of};
use super::*;

on_both_backends!(
    private_questions_and_their_notifications,
    due_dates_show_in_the_calendar
);

/// The first id (36 characters that make a UUID) right after `before` in `body`.
fn id_in(body: &str, before: &str) -> String {
    body.match_indices(before)
        .filter_map(|(at, _)| body.get(at + before.len()..at + before.len() + 36))
        .find(|id| uuid::Uuid::parse_str(id).is_ok())
        .expect(before)
        .to_owned()
}

const PW: &str = "ein-gutes-passwort-1";

/// A new person made by `admin` in their school, logged in.
async fn person(app: &App, admin: &Actor, school: &str, login: &str, kind: &str) -> String {
    let u = NewUser {
        first_name: login.into(),
        last_name: "Test".into(),
        account_type: Some(kind.into()),
        function_role: None,
        login: Some(login.into()),
        password: Some(PW.into()),
        external_mail: None,
        holder: None,
        groups: if school == "100000" {
            vec!["5a".into()]
        } else {
            Vec::new()
        },
    };
    app.platform.create_user(admin, u).await.expect("person");
    app.ready_at(school, login, PW).await
}

/// A teacher of another school, logged in.
async fn stranger(app: &App) -> String {
    app.platform
        .system_create_school("200000", "Goethe-Gymnasium")
        .await
        .expect("school");
    app.platform
        .system_set_password("200000", "admin", Some("admin-passwort-b"))
        .await
        .expect("password");
    let admin = app.ready_at("200000", "admin", "admin-passwort-b").await;
    let admin = app.actor(&admin).await;
    person(app, &admin, "200000", "bruno", "lehrer").await
}

/// An assignment in the demo course (due in two days at noon, school time); its id.
async fn assignment(app: &App, teacher: &str, due: &str) -> String {
    let list = app.get("/kurse", teacher).await;
    let course = id_in(&list.body, "href=\"/kurse/");
    let page = app.get(&format!("/kurse/{course}"), teacher).await;
    let section = id_in(&page.body, "/kurse/abschnitte/");
    let r = app
        .post_multipart(
            &format!("/kurse/abschnitte/{section}/aufgabe/neu"),
            teacher,
            &[
                ("titel", "Vulkane erklären"),
                ("anleitung", "<p>Erkläre einen Vulkan.</p>"),
                ("faellig", due),
                ("formen", "text"),
                ("bewertung", "points"),
                ("punkte", "10"),
                ("bestehen", "5"),
                ("abschluss", "submit"),
            ],
            ("aufnahme", "", b""),
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    let loc = r.location().to_owned();
    loc["/kurse/aufgaben/".len().."/kurse/aufgaben/".len() + 36].to_owned()
}

fn in_two_days(app: &App) -> chrono::NaiveDate {
    let tz: chrono_tz::Tz = "Europe/Berlin".parse().expect("zone");
    (app.platform.now() + Duration::days(2))
        .with_timezone(&tz)
        .date_naive()
}

async fn private_questions_and_their_notifications(app: App) {
    app.platform
        .system_seed_demo_files()
        .await
        .expect("demo course");
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let due = format!("{}T12:00", in_two_days(&app).format("%Y-%m-%d"));
    let id = assignment(&app, &teacher, &due).await;
    // The student is told of the new assignment; the teacher is not.
    app.get("/benachrichtigungen", &student)
        .await
        .has("Neu im Kurs")
        .has("„Vulkane erklären“");
    app.get("/benachrichtigungen", &teacher)
        .await
        .lacks("Neu im Kurs");
    app.get("/benachrichtigungen/einstellungen", &student)
        .await
        .assert(StatusCode::OK)
        .has("Rückmeldungen zu meinen Abgaben")
        .has("Antworten auf meine privaten Fragen");
    // The student asks privately; bad input stores nothing.
    let mine = format!("/kurse/aufgaben/{id}/fragen");
    app.get(&format!("/kurse/aufgaben/{id}"), &student)
        .await
        .has(&format!("href=\"{mine}\""));
    app.get(&mine, &student)
        .await
        .assert(StatusCode::OK)
        .has("Noch keine Fragen.")
        .has("<textarea id=\"text\"");
    let bad = app.post(&mine, &student, &[("text", "  ")]).await;
    assert_ne!(bad.status, StatusCode::SEE_OTHER);
    app.get(&mine, &student).await.has("Noch keine Fragen.");
    app.post(&mine, &student, &[("text", "Muss ich Bilder malen?")])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get(&mine, &student)
        .await
        .has("Muss ich Bilder malen?")
        .lacks("Noch keine Fragen.");
    // The teacher is told, lists the threads and answers.
    app.get("/benachrichtigungen", &teacher)
        .await
        .has("fragt zu „Vulkane erklären“");
    let list = app.get(&mine, &teacher).await;
    list.assert(StatusCode::OK).has("wartet auf Antwort");
    let who = id_in(&list.body, &format!("/kurse/aufgaben/{id}/fragen/"));
    let thread = format!("/kurse/aufgaben/{id}/fragen/{who}");
    app.get(&thread, &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Muss ich Bilder malen?");
    // An extension shows in the grading overview.
    let later = format!(
        "{}T18:00",
        (in_two_days(&app) + Duration::days(3)).format("%Y-%m-%d")
    );
    app.post(
        &format!("/kurse/aufgaben/{id}/abgaben/{who}/verlaengerung"),
        &teacher,
        &[("bis", &later)],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&format!("/kurse/aufgaben/{id}/abgaben"), &teacher)
        .await
        .has("<span data-extension>Verlängert bis");
    app.post(&thread, &teacher, &[("text", "Nein, zwei Sätze reichen.")])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get(&mine, &student)
        .await
        .has("Nein, zwei Sätze reichen.");
    app.get("/benachrichtigungen", &student)
        .await
        .has("hat deine Frage zu „Vulkane erklären“ beantwortet.");
    // Another student of the class, the external login (in no group of the course), a
    // function account and a teacher of another school: 404, and nothing to write.
    let admin = app.ready("admin").await;
    let other = person(
        &app,
        &app.actor(&admin).await,
        "100000",
        "zweiter",
        "schueler",
    )
    .await;
    app.get(&thread, &other)
        .await
        .assert(StatusCode::NOT_FOUND)
        .lacks("Bilder");
    app.post(&thread, &other, &[("text", "x")])
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get(&mine, &other).await.lacks("Bilder");
    let ext = app.ready("extern").await;
    let b = stranger(&app).await;
    for c in [&ext, &admin, &b] {
        app.get(&mine, c).await.assert(StatusCode::NOT_FOUND);
        app.get(&thread, c).await.assert(StatusCode::NOT_FOUND);
        app.post(&mine, c, &[("text", "x")])
            .await
            .assert(StatusCode::NOT_FOUND);
    }
    // English pages have every text, the domain's messages included.
    let (en_student, en_teacher) = (format!("{student}; lang=en"), format!("{teacher}; lang=en"));
    app.get(&mine, &en_student)
        .await
        .has("Question to the teachers")
        .lacks("[?]");
    app.get(&mine, &en_teacher)
        .await
        .has("Private questions")
        .lacks("[?]");
    app.get("/benachrichtigungen", &en_student)
        .await
        .has("New in")
        .has("answered your question about")
        .lacks("[?]");
    app.post(&mine, &en_student, &[("text", " ")])
        .await
        .has("Please give a text of at most 5000 characters.");
}

async fn due_dates_show_in_the_calendar(app: App) {
    app.platform
        .system_seed_demo_files()
        .await
        .expect("demo course");
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let day = in_two_days(&app);
    let id = assignment(&app, &teacher, &format!("{}T12:00", day.format("%Y-%m-%d"))).await;
    let view = format!("/kalender?ansicht=tag&datum={}", day.format("%Y-%m-%d"));
    for c in [&student, &teacher] {
        app.get(&view, c)
            .await
            .assert(StatusCode::OK)
            .has("Abgabe: Vulkane erklären")
            .has(&format!("href=\"/kurse/aufgaben/{id}\""));
    }
    // Not for the external login, nor on another day.
    let ext = app.ready("extern").await;
    app.get(&view, &ext).await.lacks("Vulkane");
    let before = format!(
        "/kalender?ansicht=tag&datum={}",
        app.platform.now().format("%Y-%m-%d")
    );
    app.get(&before, &student).await.lacks("Vulkane");
}

/// The calendar's view costs the same statements for one due date or many: the course
/// dates are one more statement, not one per course or assignment.
#[tokio::test]
async fn due_dates_cost_one_statement_for_any_number() {
    if !statements::install() {
        return; // another subscriber counts already (not under nextest)
    }
    let app = app().await;
    app.platform
        .system_seed_demo_files()
        .await
        .expect("demo course");
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let day = in_two_days(&app);
    let due = format!("{}T12:00", day.format("%Y-%m-%d"));
    let view = format!("/kalender?ansicht=tag&datum={}", day.format("%Y-%m-%d"));
    assignment(&app, &teacher, &due).await;
    let few = statements_of(&app, &view, &student).await;
    for _ in 0..4 {
        assignment(&app, &teacher, &due).await;
    }
    let many = statements_of(&app, &view, &student).await;
    assert!(few > 0, "statements are counted");
    assert_eq!(few, many, "the same statements for 1 or 5 due dates");
}
