//! Handing in files and recordings through the JSON API on SQLite and PostgreSQL (the web
//! hand-in's domain function): a student's photo and recording become their work; someone
//! outside the course gets 404; a file over its cap (413), a recording that is none (422)
//! and a broken form (400) give a clear error and change nothing; the OpenAPI document
//! describes the multipart endpoint.

use crate::common;
use crate::file_helpers;
use axum::http::StatusCode;
use common::TestApp;
use file_helpers::Raw;
use schulhof_domain::lms::assignments::MAX_FILE;
use schulhof_store::{Db, backend_tests};
use serde_json::Value;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR-a photo of paper work";
const WEBM: &[u8] = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01-a recording";

/// One multipart form: (part name, file name, bytes); no file name: a plain field.
async fn post_form(
    app: &TestApp,
    cookie: &str,
    path: &str,
    parts: &[(&str, Option<&str>, &[u8])],
) -> Raw {
    const B: &str = "schulhof-handin-boundary-51c2";
    let mut body = Vec::new();
    for (part, file, bytes) in parts {
        let head = match file {
            Some(f) => format!(
                "--{B}\r\nContent-Disposition: form-data; name=\"{part}\"; filename=\"{f}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            ),
            None => format!("--{B}\r\nContent-Disposition: form-data; name=\"{part}\"\r\n\r\n"),
        };
        body.extend_from_slice(head.as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{B}--\r\n").as_bytes());
    let ct = format!("multipart/form-data; boundary={B}");
    app.raw("POST", path, cookie, &[("content-type", &ct)], body)
        .await
}

async fn work(app: &TestApp, aid: &str, cookie: &str) -> Value {
    let page = app.get(&format!("/api/v1/assignments/{aid}"), cookie).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.json);
    page.json["work"].clone()
}

async fn demo_assignment(app: &TestApp, student: &str) -> String {
    let list = app.get("/api/v1/courses", student).await;
    let course = list.json[0]["id"].as_str().expect("a course").to_owned();
    let outline = app.get(&format!("/api/v1/courses/{course}"), student).await;
    outline.json["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .flat_map(|s| s["activities"].as_array().expect("a").clone())
        .find(|a| a["kind"] == "assignment")
        .and_then(|a| a["id"].as_str().map(str::to_owned))
        .expect("the demo assignment")
}

async fn files_and_recordings_through_the_api(db: Db) {
    let app = TestApp::new(db).await;
    app.platform.system_seed_demo_files().await.expect("demo");
    let student = app.ready("schueler").await;
    let aid = demo_assignment(&app, &student).await;
    let path = format!("/api/v1/assignments/{aid}/submission/files");
    // Outside the course: 404, before anything is read.
    for who in ["extern", "personal", "admin"] {
        let c = app.ready(who).await;
        let r = post_form(&app, &c, &path, &[("file", Some("a.png"), PNG)]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{who}: {}", r.json);
    }
    let teacher = app.ready("lehrer").await;
    let r = post_form(&app, &teacher, &path, &[("file", Some("a.png"), PNG)]).await;
    assert!(
        matches!(r.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
        "a teacher hands in nothing: {}",
        r.status
    );
    let unknown = format!(
        "/api/v1/assignments/{}/submission/files",
        uuid::Uuid::now_v7()
    );
    let r = post_form(&app, &student, &unknown, &[("file", Some("a.png"), PNG)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A photo, a recording and text in one form.
    let parts: &[(&str, Option<&str>, &[u8])] = &[
        ("file", Some("Heft Seite 3.png"), PNG),
        ("audio", Some("aufnahme.webm"), WEBM),
        ("text", None, "Siehe Foto.".as_bytes()),
    ];
    let done = post_form(&app, &student, &path, parts).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.json);
    assert_eq!(done.json["state"], "handed_in");
    assert_eq!(done.json["text"], "Siehe Foto.");
    let files = done.json["files"].as_array().expect("files").clone();
    assert_eq!(files.len(), 2, "{files:?}");
    let photo = files.iter().find(|f| f["audio"] == false).expect("photo");
    assert_eq!(photo["mime"], "image/png");
    let rec = files
        .iter()
        .find(|f| f["audio"] == true)
        .expect("recording");
    assert_eq!(rec["mime"], "audio/webm");
    let before = work(&app, &aid, &student).await;
    // Too large: 413 with a clear code; nothing changes.
    let big = vec![0u8; MAX_FILE as usize + 1];
    let r = post_form(&app, &student, &path, &[("file", Some("gross.bin"), &big)]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.json);
    assert_eq!(r.code(), "too_large");
    assert!(r.json["message"].as_str().unwrap_or("").contains("20 MB"));
    assert_eq!(work(&app, &aid, &student).await, before);
    // A "recording" that is a picture: refused by its bytes, even beside a good file.
    let r = post_form(
        &app,
        &student,
        &path,
        &[
            ("file", Some("noch.png"), PNG),
            ("audio", Some("fake.webm"), PNG),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    assert!(
        r.json["message"]
            .as_str()
            .unwrap_or("")
            .to_lowercase()
            .contains("webm"),
        "{}",
        r.json
    );
    assert_eq!(work(&app, &aid, &student).await, before);
    // Not a form, an unknown part, or an empty form: 400, nothing changes.
    let r = app
        .raw(
            "POST",
            &path,
            &student,
            &[("content-type", "application/json")],
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.json);
    let r = post_form(&app, &student, &path, &[("virus", Some("x.exe"), PNG)]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.json);
    let r = post_form(&app, &student, &path, &[]).await;
    assert!(r.status.is_client_error(), "{}", r.status);
    assert_eq!(work(&app, &aid, &student).await, before);
    // The document describes the multipart endpoint.
    let doc = app
        .send("GET", "/api/v1/openapi.json", None, None, &[])
        .await;
    let op = &doc.json["paths"]["/api/v1/assignments/{id}/submission/files"]["post"];
    assert!(
        op["requestBody"]["content"]["multipart/form-data"].is_object(),
        "{op}"
    );
    assert!(doc.json["components"]["schemas"]["SubmissionUpload"].is_object());
}

backend_tests!(files_and_recordings_through_the_api);
