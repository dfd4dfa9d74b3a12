//! Stored XSS: no user bytes are ever active in the platform's origin. A student's
//! `evil.html` (or SVG) must not run as the teacher who opens it — on any path that serves
//! user bytes: WebDAV GET, the API and page downloads, share links.

use crate::common;
use crate::file_helpers;
use axum::http::StatusCode;
use base64::Engine;
use common::TestApp;
use file_helpers::{Raw, id};
use schulhof_store::{Db, backend_tests};
use serde_json::json;

const EVIL_HTML: &[u8] =
    b"<html><script src=\"evil.js\"></script><script>fetch('/api/v1/me')</script></html>";
const EVIL_SVG: &[u8] =
    b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(document.cookie)</script></svg>";

/// What every response carrying user bytes must say.
fn assert_inert(r: &Raw, what: &str) {
    assert_eq!(r.status, StatusCode::OK, "{what}");
    let csp = r.header("content-security-policy");
    assert!(
        csp.split(';').any(|d| d.trim() == "sandbox"),
        "{what}: CSP {csp:?}"
    );
    assert!(!csp.contains("script-src 'self'"), "{what}: CSP {csp:?}");
    assert_eq!(r.header("x-content-type-options"), "nosniff", "{what}");
    assert!(
        r.header("content-disposition").starts_with("attachment"),
        "{what}: {:?}",
        r.header("content-disposition")
    );
}

fn basic(user: &str) -> String {
    let raw = format!("{user}@100000:{}", common::DEMO_PW);
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

async fn user_html_and_svg_never_run_in_the_platform_origin(db: Db) {
    let app = TestApp::new(db).await;
    let t = app.ready("lehrer").await;
    let own = app.area_root(&t, "own").await.expect("own area");
    for (name, bytes) in [("evil.html", EVIL_HTML), ("evil.svg", EVIL_SVG)] {
        let put = app.put_file(&t, &own, name, bytes).await;
        assert_eq!(put.status, StatusCode::CREATED, "{}", put.json);
        let file = id(&put.json);

        // WebDAV GET (the hole: served inline with a guessed type).
        let auth = basic("lehrer");
        let dav_path = format!("/dav/files/eigene-dateien/{name}");
        let dav = app
            .raw(
                "GET",
                &dav_path,
                "",
                &[("authorization", &auth)],
                Vec::new(),
            )
            .await;
        assert_eq!(dav.body, bytes);
        assert_inert(&dav, &format!("WebDAV GET {name}"));
        let head = app
            .raw(
                "HEAD",
                &dav_path,
                "",
                &[("authorization", &auth)],
                Vec::new(),
            )
            .await;
        assert_inert(&head, &format!("WebDAV HEAD {name}"));

        // The JSON API and the page download.
        assert_inert(&app.download(&t, &file, &[]).await, &format!("API {name}"));
        let page = format!("/dateien/{file}/herunterladen");
        assert_inert(
            &app.raw("GET", &page, &t, &[], Vec::new()).await,
            "page download",
        );

        // A share link opened by anyone.
        let link = app
            .call(
                "POST",
                &format!("/api/v1/files/{file}/links"),
                &t,
                json!({}),
            )
            .await;
        assert_eq!(link.status, StatusCode::CREATED, "{}", link.json);
        let token = link.json["token"].as_str().expect("token");
        let visit = format!("/l/{token}/herunterladen");
        assert_inert(
            &app.raw("GET", &visit, "", &[], Vec::new()).await,
            "link download",
        );
    }
}

async fn webdav_answers_are_sandboxed_too(db: Db) {
    let app = TestApp::new(db).await;
    app.ready("lehrer").await;
    let auth = basic("lehrer");
    let r = app
        .raw(
            "PROPFIND",
            "/dav/files/",
            "",
            &[("authorization", &auth), ("depth", "1")],
            Vec::new(),
        )
        .await;
    assert_eq!(r.status.as_u16(), 207);
    assert!(r.header("content-security-policy").contains("sandbox"));
    assert!(r.header("content-disposition").is_empty());
}

backend_tests!(
    user_html_and_svg_never_run_in_the_platform_origin,
    webdav_answers_are_sandboxed_too,
    pages_and_assets_are_compressed_user_files_never,
);

/// The platform's own pages and assets travel gzip-compressed; a user's file keeps its bytes,
/// length and byte ranges, however compressible it is.
async fn pages_and_assets_are_compressed_user_files_never(db: Db) {
    let app = TestApp::new(db).await;
    let t = app.ready("lehrer").await;
    let gzip = [("accept-encoding", "gzip")];
    let css = app
        .raw("GET", "/static/app.css", "", &gzip, Vec::new())
        .await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.header("content-encoding"), "gzip", "the stylesheet");
    let page = app.raw("GET", "/dateien", &t, &gzip, Vec::new()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header("content-encoding"), "gzip", "a page");

    let own = app.area_root(&t, "own").await.expect("own area");
    let text = "Zeile ".repeat(10_000);
    let put = app.put_file(&t, &own, "lang.txt", text.as_bytes()).await;
    assert_eq!(put.status, StatusCode::CREATED, "{}", put.json);
    let file = id(&put.json);
    let down = app
        .raw(
            "GET",
            &format!("/dateien/{file}/herunterladen"),
            &t,
            &gzip,
            Vec::new(),
        )
        .await;
    assert_eq!(down.status, StatusCode::OK);
    assert_eq!(down.header("content-encoding"), "", "a user's file");
    assert_eq!(down.body, text.as_bytes());
}
