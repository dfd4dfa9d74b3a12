//! The course import pages: a teacher uploads a Common Cartridge, sees the preview (sections,
//! items, files with sizes, what stays behind), confirms and finds it in the course; a broken
//! archive shows the reader's message in German and English; students get no import page.

use std::io::{Cursor, Write};

use axum::http::StatusCode;

use super::*;

on_both_backends!(upload_preview_import, bad_archives_and_students);

fn cartridge() -> Vec<u8> {
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1">
  <metadata><schema>IMS Common Cartridge</schema><schemaversion>1.3.0</schemaversion></metadata>
  <organizations><organization identifier="o" structure="rooted-hierarchy"><item identifier="root">
    <item identifier="w1"><title>Woche 1: Optik</title>
      <item identifier="i1" identifierref="r_page"><title>Licht und Schatten</title></item>
      <item identifier="i2" identifierref="r_pdf"><title>Arbeitsblatt</title></item>
      <item identifier="i3" identifierref="r_disc"><title>Fragen zur Optik</title></item>
    </item></item></organization></organizations>
  <resources>
    <resource identifier="r_page" type="webcontent" href="licht.html"><file href="licht.html"/></resource>
    <resource identifier="r_pdf" type="webcontent" href="blatt.pdf"><file href="blatt.pdf"/></resource>
    <resource identifier="r_disc" type="imsdt_xmlv1p3"><file href="fragen.xml"/></resource>
  </resources></manifest>"#;
    let disc = r#"<?xml version="1.0" encoding="UTF-8"?>
<topic xmlns="http://www.imsglobal.org/xsd/imsccv1p3/imsdt_v1p3"><title>F</title><text>x</text></topic>"#;
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in [
        ("imsmanifest.xml", manifest.as_bytes()),
        (
            "licht.html",
            b"<html><body><p>Licht ist schnell.</p></body></html>".as_slice(),
        ),
        ("blatt.pdf", b"%PDF-ARBEITSBLATT".as_slice()),
        ("fragen.xml", disc.as_bytes()),
    ] {
        w.start_file(name, opts).expect("start");
        w.write_all(data).expect("write");
    }
    w.finish().expect("zip").into_inner()
}

/// The demo course of 5a (its id from the teacher's list).
async fn course(app: &App, teacher: &str) -> String {
    app.platform.system_seed_demo_files().await.expect("demo");
    let list = app.get("/kurse", teacher).await;
    list.body
        .match_indices("href=\"/kurse/")
        .filter_map(|(at, m)| list.body.get(at + m.len()..at + m.len() + 36))
        .find(|id| uuid::Uuid::parse_str(id).is_ok())
        .expect("course link")
        .to_owned()
}

fn token_in(body: &str) -> String {
    let at = body.find("name=\"token\" value=\"").expect("token") + 20;
    body[at..at + 64].to_owned()
}

async fn upload_preview_import(app: App) {
    let teacher = app.ready("lehrer").await;
    let id = course(&app, &teacher).await;
    let base = format!("/kurse/{id}/import");
    app.get(&base, &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Kurs importieren")
        .has(r#"enctype="multipart/form-data""#);
    let preview = app
        .post_multipart(
            &base,
            &teacher,
            &[],
            ("archiv", "physik.imscc", &cartridge()),
        )
        .await;
    preview
        .assert(StatusCode::OK)
        .has("Vorschau des Imports")
        .has("Common Cartridge 1.3.0")
        .has("Woche 1: Optik")
        .has("Licht und Schatten")
        .has("#i-text")
        .has("blatt.pdf")
        .has("17 B")
        .has("wird nicht übernommen")
        .has("Fragen zur Optik");
    let token = token_in(&preview.body);
    // Nothing is in the course before the confirmation.
    app.get(&format!("/kurse/{id}"), &teacher)
        .await
        .lacks("Licht und Schatten");
    let done = app
        .post(
            &format!("{base}/bestaetigen"),
            &teacher,
            &[("token", token.as_str()), ("verborgen", "ja")],
        )
        .await;
    done.assert(StatusCode::SEE_OTHER);
    assert_eq!(done.location(), format!("/kurse/{id}?ok=lms_imported"));
    app.get(done.location(), &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Der Kurs wurde importiert.")
        .has("Woche 1: Optik")
        .has("Licht und Schatten")
        .has("Arbeitsblatt");
    // The staged upload is gone with the import: no second copy.
    app.post(
        &format!("{base}/bestaetigen"),
        &teacher,
        &[("token", token.as_str())],
    )
    .await
    .assert(StatusCode::UNPROCESSABLE_ENTITY)
    .has("nicht mehr vorhanden");
}

async fn bad_archives_and_students(app: App) {
    let teacher = app.ready("lehrer").await;
    let id = course(&app, &teacher).await;
    let base = format!("/kurse/{id}/import");
    app.post_multipart(&base, &teacher, &[], ("archiv", "x.mbz", b"kein Archiv"))
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("weder eine Moodle-Sicherung (.mbz) noch ein Common Cartridge");
    let english = format!("{teacher}; lang=en");
    app.post_multipart(&base, &english, &[], ("archiv", "x.mbz", b"kein Archiv"))
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("neither a Moodle backup (.mbz) nor a Common Cartridge");
    app.post_multipart(&base, &teacher, &[], ("archiv", "", b""))
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("Bitte eine Datei auswählen.");
    let student = app.ready("schueler").await;
    let page = app.get(&base, &student).await;
    assert!(
        matches!(page.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        page.status
    );
    let up = app
        .post_multipart(&base, &student, &[], ("archiv", "p.imscc", &cartridge()))
        .await;
    assert!(matches!(
        up.status,
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    ));
    app.get(&format!("/kurse/{id}"), &teacher)
        .await
        .lacks("Woche 1: Optik");
}
