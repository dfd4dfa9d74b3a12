//! The assignment pages on the demo school: the teacher creates an assignment with an audio
//! instruction, the student hands in text and a recording, the teacher grades with spoken
//! feedback and releases, the student plays it (with ranges); other roles get 404; the ZIP
//! downloads; and the overview costs the same few statements for any class.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use super::statements::{self, statements_of};
use super::*;

on_both_backends!(create_hand_in_grade_and_play, others_never_see_the_work);

const OGG: &[u8] = b"OggS\0\x02\0\0\0\0\0\0\0\0 some opus";

/// The first id (36 characters that make a UUID) right after `before` in `body`.
fn id_in(body: &str, before: &str) -> String {
    body.match_indices(before)
        .filter_map(|(at, _)| body.get(at + before.len()..at + before.len() + 36))
        .find(|id| uuid::Uuid::parse_str(id).is_ok())
        .expect(before)
        .to_owned()
}

/// The demo course's page as the teacher and the id of its first section.
async fn course_and_section(app: &App, teacher: &str) -> (String, String) {
    let list = app.get("/kurse", teacher).await;
    let course = id_in(&list.body, "href=\"/kurse/");
    let page = app.get(&format!("/kurse/{course}"), teacher).await;
    let section = id_in(&page.body, "/kurse/abschnitte/");
    (course, section)
}

async fn create(app: &App, teacher: &str, section: &str) -> String {
    let r = app
        .post_multipart(
            &format!("/kurse/abschnitte/{section}/aufgabe/neu"),
            teacher,
            &[
                ("titel", "Vulkane erklären"),
                ("anleitung", "<p>Erkläre einen <b>Vulkan</b>.</p>"),
                ("transkript", "Erkläre einen Vulkan in zwei Sätzen."),
                ("formen", "text"),
                ("formen", "audio"),
                ("bewertung", "points"),
                ("punkte", "10"),
                ("bestehen", "5"),
                ("abschluss", "grade"),
            ],
            ("aufnahme", "", OGG),
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    let loc = r.location().to_owned();
    assert!(loc.starts_with("/kurse/aufgaben/"), "{loc}");
    loc["/kurse/aufgaben/".len().."/kurse/aufgaben/".len() + 36].to_owned()
}

async fn ranged(app: &App, path: &str, cookie: &str) -> Resp {
    let req = Request::get(path)
        .header(header::COOKIE, cookie)
        .header(header::RANGE, "bytes=0-3")
        .body(Body::empty())
        .expect("request");
    app.send(req).await
}

async fn create_hand_in_grade_and_play(app: App) {
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let (_, section) = course_and_section(&app, &teacher).await;
    app.get(
        &format!("/kurse/abschnitte/{section}/aufgabe/neu"),
        &teacher,
    )
    .await
    .assert(StatusCode::OK)
    .has("data-recorder")
    .has("lms_assign_record.js");
    let id = create(&app, &teacher, &section).await;
    let page = app.get(&format!("/kurse/aufgaben/{id}"), &student).await;
    page.assert(StatusCode::OK)
        .has("<b>Vulkan</b>")
        .has("id=\"instruction-audio\"")
        .has("Erkläre einen Vulkan in zwei Sätzen.")
        .has("Nicht abgegeben")
        .lacks("/abgaben\"");
    let audio = id_in(&page.body, "/kurse/aufgaben/datei/anleitung/");
    let part = ranged(
        &app,
        &format!("/kurse/aufgaben/datei/anleitung/{audio}"),
        &student,
    )
    .await;
    part.assert(StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.body, "OggS");
    // Handing in: text and a recording in one form.
    let r = app
        .post_multipart(
            &format!("/kurse/aufgaben/{id}/abgabe"),
            &student,
            &[("text", "Ein Berg, der Feuer spuckt.")],
            ("aufnahme", "aufnahme.ogg", OGG),
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    let mine = app.get(&format!("/kurse/aufgaben/{id}"), &student).await;
    mine.has("data-state=\"handed_in\"")
        .has("Ein Berg, der Feuer spuckt.");
    let bad = app
        .post_multipart(
            &format!("/kurse/aufgaben/{id}/abgabe"),
            &student,
            &[],
            ("aufnahme", "x.webm", b"<html>"),
        )
        .await;
    bad.assert(StatusCode::OK).has("role=\"alert\"");
    // The teacher's overview, grading with spoken feedback, release.
    let o = app
        .get(&format!("/kurse/aufgaben/{id}/abgaben"), &teacher)
        .await;
    o.assert(StatusCode::OK)
        .has("Schüler, Sophie")
        .has("data-state=\"handed_in\"");
    let work = id_in(&o.body, &format!("/kurse/aufgaben/{id}/abgaben/"));
    let base = format!("/kurse/aufgaben/{id}/abgaben/{work}");
    app.get(&base, &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Ein Berg")
        .has("data-recorder");
    app.post_multipart(
        &base,
        &teacher,
        &[
            ("note", "9"),
            ("rueckmeldung", "Sehr gut."),
            ("transkript", "Prima gemacht."),
        ],
        ("aufnahme", "", OGG),
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&format!("/kurse/aufgaben/{id}"), &student)
        .await
        .lacks("Sehr gut.")
        .lacks("spoken-feedback");
    app.post(
        &format!("/kurse/aufgaben/{id}/abgaben/freigeben"),
        &teacher,
        &[],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let back = app.get(&format!("/kurse/aufgaben/{id}"), &student).await;
    back.has("data-state=\"returned\"")
        .has("Sehr gut.")
        .has("Prima gemacht.")
        .has("id=\"spoken-feedback\"");
    let spoken = id_in(&back.body, "/kurse/aufgaben/datei/rueckmeldung/");
    ranged(
        &app,
        &format!("/kurse/aufgaben/datei/rueckmeldung/{spoken}"),
        &student,
    )
    .await
    .assert(StatusCode::PARTIAL_CONTENT);
    let zip = app
        .get(&format!("/kurse/aufgaben/{id}/abgaben.zip"), &teacher)
        .await;
    zip.assert(StatusCode::OK);
    assert!(zip.body.starts_with("PK"));
    // English pages have every text.
    app.get(&format!("/kurse/aufgaben/{id}?lang=en"), &student)
        .await
        .lacks("[?]");
    app.get(&base, &teacher).await.lacks("[?]");
}

async fn others_never_see_the_work(app: App) {
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let (_, section) = course_and_section(&app, &teacher).await;
    let id = create(&app, &teacher, &section).await;
    app.post_multipart(
        &format!("/kurse/aufgaben/{id}/abgabe"),
        &student,
        &[("text", "geheim")],
        ("aufnahme", "a.ogg", OGG),
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let page = app.get(&format!("/kurse/aufgaben/{id}"), &student).await;
    let file = id_in(&page.body, "/kurse/aufgaben/datei/abgabe/");
    // The student does not grade or list; the demo's external login is in no group of the
    // course: for them the assignment does not exist.
    app.get(&format!("/kurse/aufgaben/{id}/abgaben"), &student)
        .await
        .assert(StatusCode::FORBIDDEN);
    let ext = app.ready("extern").await;
    app.get(&format!("/kurse/aufgaben/{id}"), &ext)
        .await
        .assert(StatusCode::NOT_FOUND)
        .lacks("geheim");
    app.get(&format!("/kurse/aufgaben/datei/abgabe/{file}"), &ext)
        .await
        .assert(StatusCode::NOT_FOUND);
    let me = app
        .get(&format!("/kurse/aufgaben/{id}/abgaben"), &teacher)
        .await;
    let work = id_in(&me.body, &format!("/kurse/aufgaben/{id}/abgaben/"));
    app.get(&format!("/kurse/aufgaben/{id}/abgaben/{work}"), &ext)
        .await
        .assert(StatusCode::NOT_FOUND);
    // A function account and an unknown id: not found.
    let admin = app.ready("admin").await;
    app.get(&format!("/kurse/aufgaben/{id}"), &admin)
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get(&format!("/kurse/aufgaben/datei/abgabe/{file}"), &admin)
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get(
        "/kurse/aufgaben/00000000-0000-0000-0000-000000000000",
        &teacher,
    )
    .await
    .assert(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_overview_costs_the_same_statements_for_1_or_31_students() {
    if !statements::install() {
        return; // another subscriber counts already (not under nextest)
    }
    let app = app().await;
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let (_, section) = course_and_section(&app, &teacher).await;
    let id = create(&app, &teacher, &section).await;
    let path = format!("/kurse/aufgaben/{id}/abgaben");
    let few = statements_of(&app, &path, &teacher).await;
    let admin = app.actor(&app.ready("admin").await).await;
    for i in 0..30 {
        let u = schulhof_domain::admin::NewUser {
            first_name: format!("Kind{i}"),
            last_name: "Test".into(),
            account_type: Some("schueler".into()),
            function_role: None,
            login: Some(format!("kind{i}")),
            password: None,
            external_mail: None,
            holder: None,
            groups: vec!["5a".into()],
        };
        app.platform.create_user(&admin, u).await.expect("student");
    }
    let o = app.get(&path, &teacher).await;
    o.has("Kind29");
    let many = statements_of(&app, &path, &teacher).await;
    assert!(few > 0, "statements are counted");
    assert_eq!(few, many, "the same statements for 1 or 31 students");
    // The session (3), the assignment with the caller's role, the participants with their
    // grades, and the submissions.
    assert_eq!(many, 6, "the overview costs six statements, not {many}");
}

/// Adds students `from..to` of class 5a who each hand in a text for assignment `id`.
async fn students_hand_in(app: &App, id: &str, from: usize, to: usize) {
    let admin = app.actor(&app.ready("admin").await).await;
    let activity = schulhof_types::ActivityId(id.parse().expect("id"));
    for i in from..to {
        let login = format!("zipkind{i}");
        let u = schulhof_domain::admin::NewUser {
            first_name: format!("Zipkind{i}"),
            last_name: "Test".into(),
            account_type: Some("schueler".into()),
            function_role: None,
            login: Some(login.clone()),
            password: Some("zip-kind-passwort-1".into()),
            external_mail: None,
            holder: None,
            groups: vec!["5a".into()],
        };
        app.platform.create_user(&admin, u).await.expect("student");
        let s = app
            .platform
            .login("100000", &login, "zip-kind-passwort-1", "127.0.0.1")
            .await
            .expect("login");
        let student = app
            .platform
            .session(&s.cookie)
            .await
            .expect("session")
            .actor;
        app.platform
            .lms_assignment_hand_in(
                &student,
                activity,
                schulhof_domain::lms::assignments::HandIn {
                    text: Some(format!("Vulkan-Text von Kind {i}")),
                    files: Vec::new(),
                },
            )
            .await
            .expect("hand in");
    }
}

#[tokio::test]
async fn the_zip_costs_the_same_statements_for_5_or_30_who_handed_in() {
    if !statements::install() {
        return; // another subscriber counts already (not under nextest)
    }
    let app = app().await;
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let (_, section) = course_and_section(&app, &teacher).await;
    let id = create(&app, &teacher, &section).await;
    let path = format!("/kurse/aufgaben/{id}/abgaben.zip");
    students_hand_in(&app, &id, 0, 5).await;
    let zip = app.get(&path, &teacher).await;
    zip.assert(StatusCode::OK)
        .has("Test Zipkind4 (zipkind4)/Abgabetext.txt")
        .has("Vulkan-Text von Kind 4");
    let few = statements_of(&app, &path, &teacher).await;
    students_hand_in(&app, &id, 5, 30).await;
    let zip = app.get(&path, &teacher).await;
    zip.has("Test Zipkind29 (zipkind29)/Abgabetext.txt")
        .has("Vulkan-Text von Kind 29");
    assert_eq!(
        zip.body.matches("Vulkan-Text von Kind").count(),
        30,
        "a folder with the text for each of the 30"
    );
    let many = statements_of(&app, &path, &teacher).await;
    assert!(few > 0, "statements are counted");
    assert_eq!(few, many, "the same statements for 5 or 30 who handed in");
}
