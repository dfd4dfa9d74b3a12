//! Outside bytes never take the process down: deeply nested WebDAV XML, JSON and Safe HTML,
//! spreadsheets declaring a huge area, paths and `Destination`s leaving `/dav/files/`, and
//! search queries in the engine's syntax. Each is replayed through the router on SQLite and
//! PostgreSQL, and the server still answers afterwards.

#[allow(dead_code)]
use crate::books;
use crate::common;
use crate::file_helpers;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use base64::Engine;
use common::TestApp;
use file_helpers::{Raw, enc};
use schulhof_store::{Db, backend_tests};

const HOST: &str = "schule.example";

fn basic(login: &str) -> String {
    let pair = format!("{login}@100000:{}", common::DEMO_PW);
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

async fn dav(
    app: &TestApp,
    login: &str,
    method: &str,
    path: &str,
    extra: &[(&str, &str)],
    body: Vec<u8>,
) -> Raw {
    let auth = basic(login);
    let mut headers = vec![("authorization", auth.as_str()), ("host", HOST)];
    headers.extend_from_slice(extra);
    app.raw(method, path, "", &headers, body).await
}

fn nested(depth: usize) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0"?><D:propfind xmlns:D="DAV:">{}{}</D:propfind>"#,
        "<D:prop>".repeat(depth),
        "</D:prop>".repeat(depth)
    )
    .into_bytes()
}

const PROPFIND: &str = r#"<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/></D:prop></D:propfind>"#;

async fn still_answers(app: &TestApp) {
    let r = dav(
        app,
        "lehrer",
        "PROPFIND",
        "/dav/files/",
        &[("depth", "1")],
        PROPFIND.into(),
    )
    .await;
    assert_eq!(r.status, StatusCode::MULTI_STATUS);
}

/// The demo school with the terms accepted by `logins` (WebDAV asks nothing itself).
async fn app_with(db: Db, logins: &[&str]) -> TestApp {
    let app = TestApp::new(db).await;
    for login in logins {
        app.ready(login).await;
    }
    app
}

async fn deeply_nested_dav_xml_is_refused(db: Db) {
    let app = app_with(db, &["lehrer", "schueler"]).await;
    for depth in [1_000, 100_000] {
        let body = nested(depth);
        let r = dav(
            &app,
            "lehrer",
            "PROPFIND",
            "/dav/files/eigene-dateien/",
            &[("depth", "1")],
            body,
        )
        .await;
        // 100,000 levels are more than the 64 KiB an XML body may have.
        let expected = if depth == 1_000 {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::PAYLOAD_TOO_LARGE
        };
        assert_eq!(
            r.status,
            expected,
            "PROPFIND {depth}: {}",
            String::from_utf8_lossy(&r.body)
        );
        still_answers(&app).await;
    }
    let body = nested(1_000);
    let r = dav(
        &app,
        "schueler",
        "PROPPATCH",
        "/dav/files/eigene-dateien/",
        &[],
        body,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = dav(
        &app,
        "schueler",
        "LOCK",
        "/dav/files/eigene-dateien/x.txt",
        &[],
        nested(1_000),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    still_answers(&app).await;
}

async fn dav_paths_outside_the_prefix_are_refused(db: Db) {
    let app = app_with(db, &["lehrer"]).await;
    for path in [
        "/dav/files/%2e%2e/",
        "/dav/files/../api/v1/me",
        "/dav/files/eigene-dateien/%2E%2e/%2e%2E/",
    ] {
        let r = dav(
            &app,
            "lehrer",
            "PROPFIND",
            path,
            &[("depth", "0")],
            Vec::new(),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
    }
    let put = dav(
        &app,
        "lehrer",
        "PUT",
        "/dav/files/eigene-dateien/a.txt",
        &[],
        b"a".to_vec(),
    )
    .await;
    assert_eq!(put.status, StatusCode::CREATED);
    for dest in [
        "http://elsewhere.example/dav/files/eigene-dateien/b.txt".to_owned(),
        "/dav/files/../api/v1/me".to_owned(),
        format!("http://{HOST}/dav/files/%2e%2e/b.txt"),
        format!("http://{HOST}/api/v1/files"),
        "/dav/files/eigene-dateien/%2E%2E/%2E%2E/b.txt".to_owned(),
    ] {
        for method in ["COPY", "MOVE"] {
            let r = dav(
                &app,
                "lehrer",
                method,
                "/dav/files/eigene-dateien/a.txt",
                &[("destination", &dest)],
                Vec::new(),
            )
            .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} to {dest}");
        }
    }
    // Within the prefix on this host, COPY works.
    let dest = format!("http://{HOST}/dav/files/eigene-dateien/b.txt");
    let r = dav(
        &app,
        "lehrer",
        "COPY",
        "/dav/files/eigene-dateien/a.txt",
        &[("destination", &dest)],
        Vec::new(),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
}

async fn deeply_nested_json_is_a_bad_request(db: Db) {
    let app = TestApp::new(db).await;
    let teacher = app.ready("lehrer").await;
    let body = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    for path in ["/api/v1/session", "/api/v1/consent"] {
        let r = app
            .raw(
                "POST",
                path,
                &teacher,
                &[("content-type", "application/json")],
                body.clone().into_bytes(),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{path}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
    assert_eq!(app.get("/api/v1/me", &teacher).await.status, StatusCode::OK);
}

fn multipart(fields: &[(&str, &str)], file: &[u8]) -> (String, Vec<u8>) {
    const B: &str = "schulhof-parsers-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{B}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{B}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{B}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={B}"), body)
}

async fn a_spreadsheet_reaching_the_far_corner_is_refused(db: Db) {
    let app = TestApp::new(db).await;
    let admin = app.ready("admin").await;
    let bomb = books::xlsx(
        "A1:XFD1048576",
        &[
            ("A1", "Quell-ID"),
            ("B1", "Nachname"),
            ("C1", "Vorname"),
            ("XFD1048576", "x"),
        ],
    );
    assert!(bomb.len() < 4096, "{} bytes", bomb.len());
    let (content_type, body) = multipart(&[("format", "csv"), ("account_type", "schueler")], &bomb);
    let started = Instant::now();
    let r = app
        .raw(
            "POST",
            "/api/v1/imports",
            &admin,
            &[("content-type", &content_type)],
            body,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    let message = r.json["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Schüler") && message.contains("at most"),
        "{message}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        app.get("/api/v1/imports", &admin).await.status,
        StatusCode::OK
    );
}

async fn search_syntax_is_plain_text(db: Db) {
    let app = TestApp::new(db).await;
    let t = app.ready("lehrer").await;
    let teaching = app.area_root(&t, "teaching").await.expect("teaching");
    app.put_file(&t, &teaching, "Vulkane.txt", b"Magma steigt auf.")
        .await;
    app.platform.system_media_step(50).await.expect("index");
    for q in [
        "name:*",
        "*",
        "body:[a TO z]",
        "\"unclosed",
        "((((",
        "!!!",
        "magma AND (",
        "name:Vulkane",
    ] {
        let r = app.get(&format!("/api/v1/media?q={}", enc(q)), &t).await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.json);
    }
    let r = app
        .get(&format!("/api/v1/media?q={}", enc("!!! ***")), &t)
        .await;
    assert_eq!(r.json.as_array().map(Vec::len), Some(0), "{}", r.json);
    let r = app
        .get(&format!("/api/v1/media?q={}", enc("magma:*")), &t)
        .await;
    assert_eq!(
        r.json.as_array().map(Vec::len),
        Some(1),
        "words still match: {}",
        r.json
    );
}

/// A PDF whose trailer nests `depth` arrays, with a valid cross-reference table.
fn deep_pdf(depth: usize) -> Vec<u8> {
    let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let head = "%PDF-1.4\n";
    let o1 = "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n";
    let o2 = "2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n";
    let (a, b) = (head.len(), head.len() + o1.len());
    let xref = b + o2.len();
    format!(
        "{head}{o1}{o2}xref\n0 3\n0000000000 65535 f \n{a:010} 00000 n \n{b:010} 00000 n \ntrailer\n<< /Size 3 /Root 1 0 R /X {deep} >>\nstartxref\n{xref}\n%%EOF\n"
    )
    .into_bytes()
}

async fn a_deeply_nested_pdf_does_not_stop_the_indexer(db: Db) {
    let app = TestApp::new(db).await;
    let t = app.ready("lehrer").await;
    let teaching = app.area_root(&t, "teaching").await.expect("teaching");
    let up = app
        .put_file(&t, &teaching, "Tief.pdf", &deep_pdf(100_000))
        .await;
    assert!(up.status.is_success(), "{}", up.json);
    app.put_file(&t, &teaching, "Vulkane.txt", b"Magma steigt auf.")
        .await;
    app.platform.system_media_step(50).await.expect("index");
    let r = app
        .get(&format!("/api/v1/media?q={}", enc("magma")), &t)
        .await;
    assert_eq!(r.json.as_array().map(Vec::len), Some(1), "{}", r.json);
    let r = app
        .get(&format!("/api/v1/media?q={}", enc("tief")), &t)
        .await;
    assert_eq!(
        r.json.as_array().map(Vec::len),
        Some(1),
        "found by name: {}",
        r.json
    );
}

backend_tests!(
    a_deeply_nested_pdf_does_not_stop_the_indexer,
    deeply_nested_dav_xml_is_refused,
    dav_paths_outside_the_prefix_are_refused,
    deeply_nested_json_is_a_bad_request,
    a_spreadsheet_reaching_the_far_corner_is_refused,
    search_syntax_is_plain_text,
);
