//! Previews of office documents: LibreOffice converts them in the background worker, once
//! per content; without it nothing is queued and they are only downloaded. On SQLite and
//! PostgreSQL; the conversion itself only where `soffice` is installed.

use std::io::Write;
use std::sync::Arc;

use schulhof_domain::clock::SystemClock;
use schulhof_domain::files::preview::{Preview, find_soffice};
use schulhof_domain::files::{Located, Placement};
use schulhof_domain::identity::Actor;
use schulhof_domain::{Config, Db, DomainError, HashParams, Platform};
use schulhof_store::backend_tests;
use tokio::io::AsyncReadExt;

backend_tests!(
    an_odt_becomes_a_pdf_through_the_worker_once,
    without_libreoffice_office_files_are_only_downloaded,
);

/// The smallest OpenDocument text LibreOffice opens.
fn odt(text: &str) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, ZipWriter};
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let files = [
        ("mimetype", "application/vnd.oasis.opendocument.text".to_owned()),
        (
            "META-INF/manifest.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"#
                .to_owned(),
        ),
        (
            "content.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:text><text:p>{text}</text:p></office:text></office:body></office:document-content>"#
            ),
        ),
    ];
    for (name, body) in files {
        zip.start_file(name, stored).expect("zip entry");
        zip.write_all(body.as_bytes()).expect("zip write");
    }
    zip.finish().expect("zip").into_inner()
}

async fn demo(db: Db, soffice: Option<std::path::PathBuf>) -> (Platform, tempfile::TempDir) {
    let blobs = tempfile::tempdir().expect("blob dir");
    let config = Config {
        hash: HashParams::insecure_fast_for_tests(),
        blob_dir: Some(blobs.path().to_owned()),
        soffice,
        ..Config::default()
    };
    let p = Platform::new(db, Arc::new(SystemClock), config);
    p.system_seed_demo().await.expect("demo");
    (p, blobs)
}

async fn teacher(p: &Platform) -> Actor {
    let s = p
        .login("100000", "lehrer", "schulhof-demo", "127.0.0.1")
        .await
        .expect("login");
    p.session(&s.cookie).await.expect("session").actor
}

async fn put(p: &Platform, a: &Actor, name: &str, content: &[u8]) -> Located {
    let root = p
        .file_areas(a)
        .await
        .expect("areas")
        .into_iter()
        .find(|e| e.area == "own")
        .expect("own area");
    let own = p.locate(a, root.id).await.expect("own");
    let e = p
        .file_upload(a, Placement { folder: &own, name }, None, content)
        .await
        .expect("upload");
    p.locate(a, e.id).await.expect("file")
}

async fn an_odt_becomes_a_pdf_through_the_worker_once(db: Db) {
    let Some(soffice) = find_soffice(None) else {
        eprintln!(
            "skipped: soffice is not installed (Debian: libreoffice-writer-nogui), so nothing converts"
        );
        return;
    };
    let (p, _blobs) = demo(db, Some(soffice)).await;
    let t = teacher(&p).await;
    let file = put(&p, &t, "Brief.odt", &odt("Hallo aus dem Schulhof")).await;
    assert_eq!(
        p.file_preview(&t, &file).await.expect("preview"),
        Preview::Converting
    );
    // Asked again while waiting: still one job.
    assert_eq!(
        p.file_preview(&t, &file).await.expect("preview"),
        Preview::Converting
    );
    assert!(matches!(
        p.file_preview_content(&t, &file).await,
        Err(DomainError::NotFound)
    ));

    assert!(p.system_preview_step().await.expect("convert"), "one job");
    assert!(
        !p.system_preview_step().await.expect("idle"),
        "converted once"
    );
    assert_eq!(
        p.file_preview(&t, &file).await.expect("preview"),
        Preview::Converted
    );
    let mut content = p.file_preview_content(&t, &file).await.expect("pdf");
    assert_eq!(content.mime, "application/pdf");
    let mut pdf = Vec::new();
    content.reader.read_to_end(&mut pdf).await.expect("read");
    assert!(pdf.starts_with(b"%PDF"), "a PDF");

    // A copy of the same content shares the preview.
    let copy = put(&p, &t, "Kopie.odt", &odt("Hallo aus dem Schulhof")).await;
    assert_eq!(
        p.file_preview(&t, &copy).await.expect("preview"),
        Preview::Converted
    );
    // The PDF is kept while the document exists.
    assert_eq!(p.system_forget_old_previews().await.expect("clean"), 0);
}

async fn without_libreoffice_office_files_are_only_downloaded(db: Db) {
    let (p, _blobs) = demo(db, None).await;
    let t = teacher(&p).await;
    let file = put(&p, &t, "Brief.odt", &odt("Hallo")).await;
    assert!(!p.previews_office());
    assert_eq!(
        p.file_preview(&t, &file).await.expect("preview"),
        Preview::None
    );
    assert!(
        !p.system_preview_step().await.expect("step"),
        "nothing queued"
    );
    assert!(matches!(
        p.file_preview_content(&t, &file).await,
        Err(DomainError::NotFound)
    ));
}
