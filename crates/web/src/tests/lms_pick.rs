//! Choosing course files from the own file areas, without a script: the editor opens the
//! picker, walks into a folder, ticks two files and adds them (the same stored content);
//! a file of someone else cannot be added (404, and nothing of the ticked set is added); a
//! student of the course gets no picker; nothing ticked is a clear error.

use axum::http::StatusCode;

use super::mail_files::own_file;
use super::*;

on_both_backends!(the_editor_picks_files_from_the_own_areas);

fn id_in(body: &str, before: &str) -> String {
    let at = body.find(before).expect("link") + before.len();
    body[at..at + 36].to_owned()
}

async fn the_editor_picks_files_from_the_own_areas(app: App) {
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let list = app.get("/kurse", &teacher).await;
    let group = id_in(&list.body, "name=\"gruppe\" value=\"");
    let r = app
        .post("/kurse/anlegen", &teacher, &[("gruppe", &group)])
        .await;
    r.assert(StatusCode::SEE_OTHER);
    let course = r.location().trim_start_matches("/kurse/")[..36].to_owned();
    let page = app.get(&format!("/kurse/{course}"), &teacher).await;
    let section = id_in(&page.body, "/kurse/abschnitte/");
    let r = app
        .post(
            &format!("/kurse/abschnitte/{section}/material/neu?art=file"),
            &teacher,
            &[("titel", "Arbeitsblätter"), ("abschluss", "none")],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    let material = r.location().trim_start_matches("/kurse/material/")[..36].to_owned();
    let edit = format!("/kurse/material/{material}/bearbeiten");
    let picker = format!("/kurse/material/{material}/dateien/auswahl");
    app.get(&edit, &teacher)
        .await
        .assert(StatusCode::OK)
        .has(&format!("href=\"{picker}\""));

    let (first, own) = own_file(&app, &teacher, "bruch-1.txt", b"3/4").await;
    let (second, _) = own_file(&app, &teacher, "bruch-2.txt", b"1/2").await;
    let (foreign, _) = own_file(&app, &student, "meins.txt", b"privat").await;

    // The areas first, then the own area with both files to tick.
    app.get(&picker, &teacher)
        .await
        .assert(StatusCode::OK)
        .has(&format!("{picker}?ordner={own}"))
        .lacks("bruch-1.txt");
    app.get(&format!("{picker}?ordner={own}"), &teacher)
        .await
        .assert(StatusCode::OK)
        .has(&format!("name=\"knoten\" value=\"{first}\""))
        .has(&format!("name=\"knoten\" value=\"{second}\""))
        .has("Arbeitsblätter");
    // The student's own area is not the teacher's to open.
    let (_, student_own) = own_file(&app, &student, "noch.txt", b"x").await;
    app.get(&format!("{picker}?ordner={student_own}"), &teacher)
        .await
        .assert(StatusCode::NOT_FOUND);
    // A participant of the course gets no picker and adds nothing.
    let r = app.get(&picker, &student).await;
    assert!(
        matches!(r.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
        "{:?}",
        r.status
    );
    let r = app.post(&picker, &student, &[("knoten", &foreign)]).await;
    assert!(
        matches!(r.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
        "{:?}",
        r.status
    );

    // Someone else's file among the ticked: 404, and none of them is added.
    app.post(
        &picker,
        &teacher,
        &[("knoten", &first), ("knoten", &foreign)],
    )
    .await
    .assert(StatusCode::NOT_FOUND);
    app.get(&edit, &teacher).await.lacks("bruch-1.txt");
    // Nothing ticked: a clear message.
    app.post(&picker, &teacher, &[])
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("mindestens eine Datei");
    // Both ticked: both added, the same content for the student.
    app.post(
        &picker,
        &teacher,
        &[("knoten", &first), ("knoten", &second)],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&edit, &teacher)
        .await
        .has("bruch-1.txt")
        .has("bruch-2.txt");
    let view = app
        .get(&format!("/kurse/material/{material}"), &student)
        .await;
    view.assert(StatusCode::OK)
        .has("bruch-1.txt")
        .has("bruch-2.txt");
}
