//! What a teacher does after the hand-in, through the pages of the demo school: feedback
//! files for the whole class uploaded back as one ZIP (named folders as in the download,
//! with a report of what matched nobody) reach the student once released; asking for a
//! resubmission shows the student "not handed in" with the request, and they hand in again.
//! Students can do neither.

use std::io::{Cursor, Read, Write};

use axum::http::StatusCode;

use super::lms_grading_web::{
    self as grading, course_and_section, get_raw, hand_in_text as hand_in, id_in, refused,
};
use super::*;

on_both_backends!(
    feedback_files_go_back_as_one_zip,
    a_resubmission_asked_for_reopens_the_work
);

/// An assignment (text and files, points) made with the teacher's form in the demo course.
async fn assignment(app: &App, teacher: &str, title: &str) -> String {
    let (_, section) = course_and_section(app, teacher).await;
    let points = [("bewertung", "points"), ("punkte", "10"), ("bestehen", "5")];
    grading::assignment(app, teacher, &section, title, &points).await
}

/// A GET whose body stays bytes (a ZIP).
async fn get_bytes(app: &App, path: &str, cookie: &str) -> (StatusCode, Vec<u8>) {
    let (status, _, bytes) = get_raw(app, path, cookie).await;
    (status, bytes)
}

/// A ZIP of `entries` (path, content).
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default();
    for (name, data) in entries {
        w.start_file(*name, o).expect("file");
        w.write_all(data).expect("write");
    }
    w.finish().expect("zip").into_inner()
}

async fn feedback_files_go_back_as_one_zip(app: App) {
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let id = assignment(&app, &teacher, "Bildbeschreibung").await;
    hand_in(&app, &id, &student, "Auf dem Bild ist ein Hafen.").await;

    // The folder of the student, as the download names it.
    let (status, bytes) =
        get_bytes(&app, &format!("/kurse/aufgaben/{id}/abgaben.zip"), &teacher).await;
    assert_eq!(status, StatusCode::OK);
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut text = String::new();
    let names: Vec<String> = (0..z.len())
        .map(|i| {
            z.by_index(i)
                .expect("entry")
                .name()
                .expect("name")
                .into_owned()
        })
        .collect();
    let folder = names
        .iter()
        .find(|n| n.ends_with("(schueler)/"))
        .unwrap_or_else(|| panic!("the student's folder in {names:?}"))
        .clone();
    z.by_name(&format!("{folder}Abgabetext.txt"))
        .expect("the text")
        .read_to_string(&mut text)
        .expect("read");
    assert!(text.contains("Hafen"), "{text}");

    // The teacher puts a corrected file into the folder and one into a folder of nobody.
    let corrected = format!("{folder}korrektur.txt");
    let upload = zip_of(&[
        (corrected.as_str(), b"Korrektur: der Hafen liegt im Norden."),
        ("Niemand (x)/irgendwas.txt", b"?"),
    ]);
    let path = format!("/kurse/aufgaben/{id}/abgaben/rueckmeldungen");
    // Not for the student, and not an unreadable file.
    refused(
        &app.post_multipart(&path, &student, &[], ("zip", "r.zip", &upload))
            .await,
    );
    app.post_multipart(&path, &teacher, &[], ("zip", "r.zip", b"kein zip"))
        .await
        .assert(StatusCode::OK)
        .has("role=\"alert\"");
    app.post_multipart(&path, &teacher, &[], ("zip", "r.zip", &upload))
        .await
        .assert(StatusCode::OK)
        .has("role=\"status\"")
        .has("Zugeordnete Dateien: 1")
        .has("Niemand (x)/irgendwas.txt");

    // Unreleased: the student sees nothing of it yet.
    app.get(&format!("/kurse/aufgaben/{id}"), &student)
        .await
        .assert(StatusCode::OK)
        .lacks("korrektur.txt");
    app.post(
        &format!("/kurse/aufgaben/{id}/abgaben/freigeben"),
        &teacher,
        &[],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let back = app.get(&format!("/kurse/aufgaben/{id}"), &student).await;
    back.assert(StatusCode::OK)
        .has("data-state=\"returned\"")
        .has("korrektur.txt");
    let file = id_in(&back.body, "/kurse/aufgaben/datei/rueckmeldung/");
    let got = app
        .get(
            &format!("/kurse/aufgaben/datei/rueckmeldung/{file}"),
            &student,
        )
        .await;
    got.assert(StatusCode::OK);
    assert_eq!(got.body, "Korrektur: der Hafen liegt im Norden.");
    // Nobody outside the course gets the file.
    let ext = app.ready("extern").await;
    app.get(&format!("/kurse/aufgaben/datei/rueckmeldung/{file}"), &ext)
        .await
        .assert(StatusCode::NOT_FOUND);
}

async fn a_resubmission_asked_for_reopens_the_work(app: App) {
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let id = assignment(&app, &teacher, "Gedichtanalyse").await;
    let mine = format!("/kurse/aufgaben/{id}");
    hand_in(&app, &id, &student, "Erste Fassung").await;
    let o = app
        .get(&format!("/kurse/aufgaben/{id}/abgaben"), &teacher)
        .await;
    o.assert(StatusCode::OK);
    let work = format!(
        "/kurse/aufgaben/{id}/abgaben/{}",
        id_in(&o.body, &format!("/kurse/aufgaben/{id}/abgaben/"))
    );
    // Graded and returned first: the work is closed.
    app.post_multipart(
        &work,
        &teacher,
        &[
            ("note", "4"),
            ("rueckmeldung", "Bitte die zweite Strophe deuten."),
        ],
        ("dateien", "", b""),
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.post(&format!("{work}/freigeben"), &teacher, &[])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get(&mine, &student)
        .await
        .has("data-state=\"returned\"")
        .lacks("id=\"hand-in\"");

    // The student cannot ask for it themselves; the teacher's page offers it.
    refused(&app.post(&format!("{work}/erneut"), &student, &[]).await);
    app.get(&work, &teacher)
        .await
        .assert(StatusCode::OK)
        .has(&format!("action=\"{work}/erneut\""));
    let r = app.post(&format!("{work}/erneut"), &teacher, &[]).await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("{work}?ok=lms_assign_reopened"));
    app.get(&work, &teacher)
        .await
        .lacks(&format!("action=\"{work}/erneut\""));
    app.get(&format!("/kurse/aufgaben/{id}/abgaben"), &teacher)
        .await
        .has("Überarbeitung erbeten");

    // The student sees the request, the feedback so far and may hand in again.
    app.get(&mine, &student)
        .await
        .assert(StatusCode::OK)
        .has("data-state=\"not_handed_in\"")
        .has("Bitte erneut abgeben")
        .has("Bitte die zweite Strophe deuten.")
        .has("id=\"hand-in\"");
    hand_in(&app, &id, &student, "Zweite Fassung mit Strophe 2").await;
    app.get(&mine, &student)
        .await
        .has("data-state=\"handed_in\"")
        .has("Zweite Fassung mit Strophe 2")
        .lacks("Bitte erneut abgeben");
    app.get(&format!("/kurse/aufgaben/{id}/abgaben"), &teacher)
        .await
        .lacks("Überarbeitung erbeten");
}
