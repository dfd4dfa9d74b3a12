//! `/dateien/{id}/vorschau`: a file shown in the browser — an image, a PDF drawn by pdf.js,
//! text, Markdown rendered without raw HTML, or an office document as the PDF LibreOffice
//! made of it in the background. `/dateien/{id}/vorschau/inhalt` serves the bytes of image
//! and PDF previews with the same no-active-content rules as downloads.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use schulhof_domain::files::preview::{Preview, extension};
use schulhof_front::AppState;
use schulhof_front::files::{Download, download_as};

use crate::auth::Ready;
use crate::layout::Chrome;
use crate::pages::files::node::{Crumb, crumbs};
use crate::pages::files::{locate, node_href};
use crate::render;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dateien/{id}/vorschau", get(page))
        .route("/dateien/{id}/vorschau/inhalt", get(content))
}

#[derive(Template)]
#[template(path = "files/preview.html")]
struct PreviewPage {
    c: Chrome,
    crumbs: Vec<Crumb>,
    name: String,
    base: String,
    /// The page's script: only where it has something to do.
    script: Option<String>,
    body: Body,
}

/// What the preview section holds; exactly one of these is set.
#[derive(Default)]
struct Body {
    image: Option<String>,
    image_alt: String,
    pdf: Option<PdfView>,
    text: Option<String>,
    markdown: Option<String>,
    truncated: bool,
    converting: bool,
}

/// Where preview.js finds pdf.js, its worker and the PDF.
struct PdfView {
    src: String,
    lib: String,
    worker: String,
}

async fn page(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let (located, entry) = match locate(&state, &r, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    if entry.is_dir {
        return r.fail(schulhof_domain::DomainError::NotFound);
    }
    let preview = match state.platform.file_preview(&r.actor, &located).await {
        Ok(p) => p,
        Err(e) => return r.fail(e),
    };
    let base = node_href(entry.id);
    // The content's address changes with the file, so browsers never show an old version.
    let src = format!("{base}/vorschau/inhalt?v={}", entry.etag);
    let tr = r.page.tr();
    let mut body = Body::default();
    match preview {
        Preview::None => {}
        Preview::Image => {
            body.image = Some(src);
            body.image_alt = tr.t("preview.image_alt").replace("{name}", &entry.name);
        }
        Preview::Pdf | Preview::Converted => {
            body.pdf = Some(PdfView {
                src,
                lib: crate::assets::href("pdf.min.js"),
                worker: crate::assets::href("pdf.worker.min.js"),
            });
        }
        Preview::Text { text, truncated } => {
            body.text = Some(text);
            body.truncated = truncated;
        }
        Preview::Markdown { text, truncated } => {
            body.markdown = Some(crate::markdown::render(&text));
            body.truncated = truncated;
        }
        Preview::Converting => body.converting = true,
    }
    let script = (body.pdf.is_some() || body.converting).then(|| crate::assets::href("preview.js"));
    let mut trail = crumbs(&state, &r, &located);
    // The file's crumb leads back to its page; this page is not in the trail.
    for crumb in &mut trail {
        crumb.current = false;
    }
    let view = PreviewPage {
        c: Chrome::new(
            &r.page,
            tr.t("preview.title").replace("{name}", &entry.name),
        )
        .signed_in(&r.page, &r.actor),
        crumbs: trail,
        name: entry.name.clone(),
        base,
        script,
        body,
    };
    render::ok(&view)
}

/// The bytes of an image or PDF preview (or the PDF made of an office document): typed by
/// the platform, never by the uploader, and sandboxed like every download.
async fn content(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (located, entry) = match locate(&state, &r, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let c = match state
        .platform
        .file_preview_content(&r.actor, &located)
        .await
    {
        Ok(c) => c,
        Err(e) => return r.fail(e),
    };
    // A PDF made of an office document is named as one.
    let is_pdf = extension(&entry.name).as_deref() == Some("pdf");
    let name = if c.mime == "application/pdf" && !is_pdf {
        format!("{}.pdf", entry.name)
    } else {
        entry.name.clone()
    };
    let what = Download {
        name: &name,
        size: c.size,
        mime: Some(c.mime),
        etag: &c.etag,
    };
    download_as(&what, c.reader, &headers).await
}
