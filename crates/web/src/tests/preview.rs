//! Previews: images, PDFs, text and Markdown in the browser, served like downloads (sandboxed,
//! never sniffed); scripts in Markdown stay text; hidden files answer 404; office files
//! without LibreOffice simply have no preview, and a conversion in progress says so.

use std::sync::Arc;

use axum::http::{StatusCode, header};
use schulhof_domain::clock::SystemClock;
use schulhof_store::testing::TestDb;

use super::files::{area, entry_href, upload};
use super::*;

on_both_backends!(
    pictures_pdfs_text_and_markdown_are_previewed_inertly,
    hidden_files_have_no_preview,
    office_files_without_libreoffice_are_only_downloaded,
);

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
const MARKDOWN: &str = "# Titel\n\nEin *Text* mit <script>alert(1)</script> und \
    [Link](javascript:alert(2)).\n\n<img src=x onerror=alert(3)>\n";

fn header_of(r: &Resp, name: header::HeaderName) -> &str {
    r.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Served like a download: a type the platform chose, sandboxed, not sniffed.
#[track_caller]
fn assert_inert(r: &Resp, mime: &str) {
    r.assert(StatusCode::OK);
    assert_eq!(header_of(r, header::CONTENT_TYPE), mime);
    assert_eq!(header_of(r, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    let csp = header_of(r, header::CONTENT_SECURITY_POLICY);
    assert!(csp.split(';').any(|d| d.trim() == "sandbox"), "CSP {csp:?}");
}

async fn own_files(app: &App, cookie: &str, files: &[(&str, &[u8])]) -> String {
    let own = area(app, cookie, "Eigene Dateien").await;
    upload(app, &own, cookie, files)
        .await
        .assert(StatusCode::SEE_OTHER);
    own
}

async fn pictures_pdfs_text_and_markdown_are_previewed_inertly(app: App) {
    let teacher = app.ready("lehrer").await;
    let own = own_files(
        &app,
        &teacher,
        &[
            ("foto.png", b"\x89PNG\r\n\x1a\n<html><script>x()</script>"),
            ("skript.pdf", PDF),
            ("notiz.txt", b"<b>fett?</b> Gr\xc3\xbc\xc3\x9fe"),
            ("liesmich.md", MARKDOWN.as_bytes()),
            (
                "logo.svg",
                b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>x()</script></svg>",
            ),
        ],
    )
    .await;
    let folder = app.get(&own, &teacher).await;
    let id = |name: &str| entry_href(&folder.body, name);

    let png = id("foto.png");
    app.get(&png, &teacher)
        .await
        .has(&format!(r#"href="{png}/vorschau""#));
    let page = app.get(&format!("{png}/vorschau"), &teacher).await;
    page.assert(StatusCode::OK)
        .has("<h1 class=\"preview-name\">foto.png</h1>")
        .has(&format!(
            r#"<img class="preview-image" src="{png}/vorschau/inhalt?v="#
        ))
        .has(r#"alt="Bild: foto.png""#)
        .lacks("preview.js");
    let content = app.get(&format!("{png}/vorschau/inhalt"), &teacher).await;
    assert_inert(&content, "image/png");

    let pdf = id("skript.pdf");
    app.get(&format!("{pdf}/vorschau"), &teacher)
        .await
        .assert(StatusCode::OK)
        .has(&format!(r#"data-pdf="{pdf}/vorschau/inhalt?v="#))
        .has("/static/pdf.min.js?v=")
        .has("/static/pdf.worker.min.js?v=")
        .has(r#"<script type="module" src="/static/preview.js?v="#)
        .has("Die PDF-Vorschau braucht JavaScript.");
    let content = app.get(&format!("{pdf}/vorschau/inhalt"), &teacher).await;
    assert_inert(&content, "application/pdf");
    assert_eq!(content.body.as_bytes(), PDF);
    let js = app.get("/static/pdf.min.js", &teacher).await;
    js.assert(StatusCode::OK);
    assert!(header_of(&js, header::CONTENT_TYPE).starts_with("text/javascript"));

    let txt = id("notiz.txt");
    app.get(&format!("{txt}/vorschau"), &teacher)
        .await
        .assert(StatusCode::OK)
        .has("&#60;b&#62;fett?&#60;/b&#62; Grüße</pre>")
        .lacks("<b>fett");
    app.get(&format!("{txt}/vorschau/inhalt"), &teacher)
        .await
        .assert(StatusCode::NOT_FOUND);

    let md = app
        .get(&format!("{}/vorschau", id("liesmich.md")), &teacher)
        .await;
    md.assert(StatusCode::OK)
        .has("<h1>Titel</h1>")
        .has("<em>Text</em>")
        .has("&lt;script&gt;alert(1)&lt;/script&gt;")
        .has("&lt;img src=x onerror=alert(3)&gt;")
        .lacks("<script>alert")
        .lacks("javascript:")
        .lacks("<img src=x");

    let svg = id("logo.svg");
    app.get(&format!("{svg}/vorschau"), &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Keine Vorschau")
        .lacks("<svg xmlns");
    app.get(&format!("{svg}/vorschau/inhalt"), &teacher)
        .await
        .assert(StatusCode::NOT_FOUND);

    // In English, too.
    let english = format!("{teacher}; lang=en");
    app.get(&format!("{png}/vorschau"), &english)
        .await
        .assert(StatusCode::OK)
        .has(r#"alt="Image: foto.png""#)
        .has("Details and versions");
}

async fn hidden_files_have_no_preview(app: App) {
    let teacher = app.ready("lehrer").await;
    let own = own_files(&app, &teacher, &[("geheim.png", b"\x89PNG")]).await;
    let folder = app.get(&own, &teacher).await;
    let file = entry_href(&folder.body, "geheim.png");
    let student = app.ready("schueler").await;
    app.get(&format!("{file}/vorschau"), &student)
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get(&format!("{file}/vorschau/inhalt"), &student)
        .await
        .assert(StatusCode::NOT_FOUND);
    // A folder has no preview either.
    app.get(&format!("{own}/vorschau"), &teacher)
        .await
        .assert(StatusCode::NOT_FOUND);
    // Nor does an id that is none.
    app.get("/dateien/kein-knoten/vorschau", &teacher)
        .await
        .assert(StatusCode::NOT_FOUND);
}

async fn office_files_without_libreoffice_are_only_downloaded(app: App) {
    let teacher = app.ready("lehrer").await;
    let own = own_files(&app, &teacher, &[("brief.docx", b"PK\x03\x04 not really")]).await;
    let folder = app.get(&own, &teacher).await;
    let file = entry_href(&folder.body, "brief.docx");
    app.get(&format!("{file}/vorschau"), &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Keine Vorschau")
        .has(&format!(r#"href="{file}/herunterladen""#))
        .lacks("wird erstellt");
    app.get(&format!("{file}/vorschau/inhalt"), &teacher)
        .await
        .assert(StatusCode::NOT_FOUND);
    assert!(
        !app.platform.system_preview_step().await.expect("step"),
        "nothing was queued"
    );
}

/// With a converter that always fails (`/bin/false` stands in for LibreOffice), the page
/// says the preview is being made, and once the worker gave up, that there is none.
#[tokio::test]
async fn a_conversion_in_progress_says_so_and_a_failed_one_offers_the_download() {
    let db = TestDb::sqlite().await;
    let config = Config {
        soffice: Some("/bin/false".into()),
        ..config()
    };
    let platform = Platform::new(db.db.clone(), Arc::new(SystemClock), config);
    platform.system_seed_demo().await.expect("seed demo");
    let app = App::with_platform(platform, db);
    let teacher = app.ready("lehrer").await;
    let own = own_files(&app, &teacher, &[("folien.pptx", b"PK\x03\x04 kaputt")]).await;
    let folder = app.get(&own, &teacher).await;
    let file = entry_href(&folder.body, "folien.pptx");
    let preview = format!("{file}/vorschau");
    app.get(&preview, &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Die Vorschau wird erstellt.")
        .has(r#"role="status" aria-live="polite""#)
        .has(&format!(r#"data-refresh="{preview}""#))
        .has("/static/preview.js?v=");
    app.get(&format!("{preview}/inhalt"), &teacher)
        .await
        .assert(StatusCode::NOT_FOUND);
    assert!(app.platform.system_preview_step().await.expect("step"));
    app.get(&preview, &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Keine Vorschau")
        .lacks("wird erstellt");
    assert!(
        !app.platform.system_preview_step().await.expect("step"),
        "a failed conversion is not tried again"
    );
}
