//! The stylesheet, the icon sprite and the small scripts, compiled into the binary. Pages link
//! them with a content hash in the query string ([`href`]), so browsers may cache them for long
//! and still see every change. An area adds its file with one line in [`ASSETS`].

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The stylesheet: the shell and shared components first, then one file per area.
pub const APP_CSS: &str = concat!(
    include_str!("../static/app.css"),
    include_str!("../static/css/files.css"),
    include_str!("../static/css/handin.css"),
    include_str!("../static/css/preview.css"),
    include_str!("../static/css/admin.css"),
    include_str!("../static/css/home.css"),
    include_str!("../static/css/safe_editor.css"),
    include_str!("../static/css/mail.css"),
    include_str!("../static/css/calendar.css"),
    include_str!("../static/css/notify.css"),
    include_str!("../static/css/homepage.css"),
    include_str!("../static/css/lms.css"),
    include_str!("../static/css/conference.css"),
);

/// Every asset under `/static/`: name, content type, bytes.
pub const ASSETS: &[(&str, &str, &[u8])] = &[
    ("app.css", "text/css; charset=utf-8", APP_CSS.as_bytes()),
    // The icons (one SVG sprite) and the shell's menu, flash focus and dialogs.
    (
        "icons.svg",
        "image/svg+xml",
        include_bytes!("../static/icons.svg"),
    ),
    (
        "shell.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/shell.js"),
    ),
    // Progressive enhancement of the upload form; every page works without it.
    (
        "files.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/files.js"),
    ),
    // The file manager's list: filter, select all, drag and drop, rename in place, details.
    (
        "filemanager.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/filemanager.js"),
    ),
    // The Safe's editor: toolbar, autosave; without it a plain text form saves.
    (
        "safe_editor.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/safe_editor.js"),
    ),
    // The chat room live over the socket; without it the page posts its form.
    (
        "chat.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/chat.js"),
    ),
    // The video conference of a chat room (WebRTC to the built-in SFU); needs JavaScript.
    (
        "conference.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/conference.js"),
    ),
    // Webmail: address suggestions and drafts saved while writing.
    (
        "mail.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/mail.js"),
    ),
    // Course media: recording audio or video in the browser (MediaRecorder); the upload
    // form works without it.
    (
        "lms_record.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/lms_record.js"),
    ),
    // The course page: editors drag sections and material, or move them by keyboard; the
    // move buttons work without it.
    (
        "lms_arrange.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/lms_arrange.js"),
    ),
    // Assignments: speech recorded in the browser fills the form's file input.
    (
        "lms_assign_record.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/lms_assign_record.js"),
    ),
    // The quiz timer's countdown; the page shows the deadline without it.
    (
        "quiz_timer.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/quiz_timer.js"),
    ),
    // Previews: PDFs drawn by pdf.js (pdfjs-dist 6.5.438, Apache-2.0, see its LICENSE),
    // loaded only on preview pages of PDFs.
    (
        "preview.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/preview.js"),
    ),
    (
        "pdf.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/vendor/pdfjs/pdf.min.mjs"),
    ),
    (
        "pdf.worker.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/vendor/pdfjs/pdf.worker.min.mjs"),
    ),
];

/// FNV-1a, at compile time where it can be.
pub const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    hash
}

pub const APP_CSS_HASH: u64 = fnv1a(APP_CSS.as_bytes());

/// Every asset's link, hashed once: pages ask for them on every request.
static HREFS: LazyLock<HashMap<&'static str, String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|(name, _, bytes)| (*name, format!("/static/{name}?v={:x}", fnv1a(bytes))))
        .collect()
});

/// `/static/<name>?v=<hash of its content>`; a name not in [`ASSETS`] is a bug the tests catch.
pub fn href(name: &str) -> String {
    match HREFS.get(name) {
        Some(href) => href.clone(),
        None => {
            tracing::warn!(name, "unknown asset");
            format!("/static/{name}")
        }
    }
}

pub async fn serve(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, kind, bytes)) => (
            [
                (header::CONTENT_TYPE, *kind),
                // The URL changes with the content, so a long lifetime is safe.
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            *bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_has_a_distinct_name_and_a_hashed_href() {
        for (i, (name, _, _)) in ASSETS.iter().enumerate() {
            assert!(
                ASSETS[..i].iter().all(|(n, _, _)| n != name),
                "{name} twice"
            );
            assert!(href(name).starts_with(&format!("/static/{name}?v=")));
        }
    }
}
