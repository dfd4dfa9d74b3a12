//! Resumable uploads (tus 1.0.0 at `/api/v1/uploads`) on SQLite and PostgreSQL: pieces,
//! a transfer broken off on a real socket and resumed, refusals, cancelling and expiry.

use crate::common;
use crate::file_helpers;
use std::time::Duration;

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::TestApp;
use file_helpers::{Raw, id, pattern, serve};
use schulhof_store::{Db, backend_tests};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

const TUS: (&str, &str) = ("tus-resumable", "1.0.0");

fn meta(name: &str, folder: &str) -> String {
    format!(
        "filename {},folder {}",
        STANDARD.encode(name),
        STANDARD.encode(folder)
    )
}

impl TestApp {
    async fn announce(&self, cookie: &str, folder: &str, name: &str, length: usize) -> Raw {
        let meta = meta(name, folder);
        let length = length.to_string();
        self.raw(
            "POST",
            "/api/v1/uploads",
            cookie,
            &[TUS, ("upload-length", &length), ("upload-metadata", &meta)],
            Vec::new(),
        )
        .await
    }

    async fn offset_of(&self, cookie: &str, location: &str) -> Raw {
        self.raw("HEAD", location, cookie, &[TUS], Vec::new()).await
    }

    async fn piece(&self, cookie: &str, location: &str, offset: usize, bytes: Vec<u8>) -> Raw {
        let offset = offset.to_string();
        self.raw(
            "PATCH",
            location,
            cookie,
            &[
                TUS,
                ("upload-offset", &offset),
                ("content-type", "application/offset+octet-stream"),
            ],
            bytes,
        )
        .await
    }
}

/// Sends the head of a PATCH announcing `announced` bytes, then only `sent` of them, and
/// drops the connection: a client whose network went away.
async fn broken_piece(
    addr: std::net::SocketAddr,
    cookie: &str,
    location: &str,
    offset: usize,
    announced: usize,
    sent: usize,
) {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "PATCH {location} HTTP/1.1\r\nHost: {addr}\r\nCookie: schulhof_session={cookie}\r\n\
         Tus-Resumable: 1.0.0\r\nUpload-Offset: {offset}\r\n\
         Content-Type: application/offset+octet-stream\r\nContent-Length: {announced}\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.expect("head");
    s.write_all(&pattern(offset, sent)).await.expect("part");
    s.flush().await.expect("flush");
    drop(s);
}

async fn a_broken_upload_goes_on_where_it_stopped(db: Db) {
    let app = TestApp::new(db).await;
    let t = app.ready("lehrer").await;
    let own = app.area_root(&t, "own").await.expect("own area");
    let len = 3 * 1024 * 1024 + 5;

    let discovery = app
        .raw("OPTIONS", "/api/v1/uploads", &t, &[], Vec::new())
        .await;
    assert_eq!(discovery.status, StatusCode::NO_CONTENT);
    assert_eq!(discovery.header("tus-version"), "1.0.0");
    assert!(discovery.header("tus-extension").contains("creation"));

    let r = app.announce(&t, &own, "film.bin", len).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let location = r.header("location").to_owned();
    assert!(location.starts_with("/api/v1/uploads/"), "{location}");
    assert_eq!(r.header("upload-offset"), "0");
    assert!(r.header("upload-expires").ends_with("GMT"));

    let r = app.piece(&t, &location, 0, pattern(0, 1 << 20)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.json);
    assert_eq!(r.header("upload-offset"), (1 << 20).to_string());
    assert!(
        !app.names(&t, &own).await.contains(&"film.bin".to_owned()),
        "an incomplete upload is not a file yet"
    );

    // The connection breaks 300 KiB into the next piece: what arrived is kept.
    let addr = serve(&app).await;
    broken_piece(addr, &t, &location, 1 << 20, 1 << 20, 300 * 1024).await;
    let kept = (1 << 20) + 300 * 1024;
    let mut offset = String::new();
    for _ in 0..100 {
        let h = app.offset_of(&t, &location).await;
        assert_eq!(h.status, StatusCode::OK);
        assert_eq!(h.header("upload-length"), len.to_string());
        assert_eq!(h.header("cache-control"), "no-store");
        offset = h.header("upload-offset").to_owned();
        if offset == kept.to_string() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        offset,
        kept.to_string(),
        "the broken piece's bytes are kept"
    );

    // The broken request may still hold the upload's lock for a moment after its bytes are
    // counted: a client sees "busy" (503, Retry-After) and tries again.
    let mut stale = app
        .piece(&t, &location, 1 << 20, pattern(1 << 20, 10))
        .await;
    for _ in 0..100 {
        if stale.status != StatusCode::SERVICE_UNAVAILABLE {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        stale = app
            .piece(&t, &location, 1 << 20, pattern(1 << 20, 10))
            .await;
    }
    assert_eq!(
        (stale.status, stale.code()),
        (StatusCode::CONFLICT, "conflict")
    );
    let wrong_type = app
        .raw(
            "PATCH",
            &location,
            &t,
            &[TUS, ("upload-offset", &kept.to_string())],
            pattern(kept, 10),
        )
        .await;
    assert_eq!(wrong_type.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let no_version = app.raw("HEAD", &location, &t, &[], Vec::new()).await;
    assert_eq!(no_version.status, StatusCode::PRECONDITION_FAILED);

    // Nobody else learns of the upload or can add to it.
    let other = app.ready("schueler").await;
    assert_eq!(
        app.offset_of(&other, &location).await.status,
        StatusCode::NOT_FOUND
    );
    let foreign = app.piece(&other, &location, kept, pattern(kept, 10)).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);

    let last = app
        .piece(&t, &location, kept, pattern(kept, len - kept))
        .await;
    assert_eq!(last.status, StatusCode::OK, "{}", last.json);
    assert_eq!(last.header("upload-offset"), len.to_string());
    assert_eq!(last.json["name"], "film.bin");
    assert_eq!(last.json["size"], len);
    let got = app.download(&t, &id(&last.json), &[]).await;
    assert!(got.body == pattern(0, len), "the file comes back whole");
    assert_eq!(
        app.offset_of(&t, &location).await.status,
        StatusCode::NOT_FOUND,
        "a finished upload is gone"
    );

    // The same name again becomes a new version of the file.
    let r = app.announce(&t, &own, "film.bin", 3).await;
    let again = r.header("location").to_owned();
    let r = app.piece(&t, &again, 0, b"neu".to_vec()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(id(&r.json), id(&last.json), "the same file, a new version");
    let versions = app
        .get(&format!("/api/v1/files/{}/versions", id(&r.json)), &t)
        .await;
    assert_eq!(versions.json.as_array().map(Vec::len), Some(1));
}

async fn uploads_are_refused_clearly_and_leave_nothing(db: Db) {
    let staging = tempfile::tempdir().expect("staging dir");
    let dir = staging.path().to_owned();
    let app = TestApp::with_config(db, |c| {
        c.file_quotas.lehrer = 1000;
        c.file_quotas.school_per_staff = 1500;
        c.upload_dir = Some(dir);
    })
    .await;
    let t = app.ready("lehrer").await;
    let own = app.area_root(&t, "own").await.expect("own area");
    let staged = || std::fs::read_dir(staging.path()).expect("dir").count();

    let r = app.announce(&t, &own, "../x", 10).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input")
    );
    let r = app
        .raw(
            "POST",
            "/api/v1/uploads",
            &t,
            &[TUS, ("upload-length", "10")],
            Vec::new(),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "invalid_metadata")
    );
    let r = app
        .raw(
            "POST",
            "/api/v1/uploads",
            &t,
            &[
                TUS,
                ("upload-length", "zehn"),
                ("upload-metadata", &meta("a", &own)),
            ],
            Vec::new(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app.announce(&t, &own, "gross.bin", 1001).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::INSUFFICIENT_STORAGE, "quota_exceeded")
    );
    // Announced but unfinished uploads hold their room.
    let first = app.announce(&t, &own, "a.bin", 600).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.json);
    let r = app.announce(&t, &own, "b.bin", 600).await;
    assert_eq!(r.status, StatusCode::INSUFFICIENT_STORAGE);
    assert_eq!(staged(), 1);

    // More than announced: refused, and the upload stays where it was.
    let location = first.header("location").to_owned();
    let r = app.piece(&t, &location, 0, pattern(0, 601)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    assert_eq!(
        app.offset_of(&t, &location).await.header("upload-offset"),
        "0"
    );

    // A folder the login cannot see answers as if there were none.
    let admin = app.ready("admin").await;
    let foreign_own = app
        .area_root(&admin, "own")
        .await
        .expect("admin's own area");
    let r = app.announce(&t, &foreign_own, "x.bin", 1).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A folder it may only read refuses the upload before any byte.
    let student = app.ready("schueler").await;
    let info = app.area_root(&student, "info").await.expect("info");
    let r = app.announce(&student, &info, "x.bin", 1).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.json);

    // Cancelled: the row and the staged bytes go.
    let r = app.piece(&t, &location, 0, pattern(0, 100)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app.raw("DELETE", &location, &t, &[TUS], Vec::new()).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.offset_of(&t, &location).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(staged(), 0);

    // Unfinished uploads expire after a day.
    let r = app.announce(&t, &own, "c.bin", 10).await;
    let location = r.header("location").to_owned();
    assert_eq!(staged(), 1);
    app.advance(chrono::Duration::hours(25));
    let t = app.ready("lehrer").await;
    assert_eq!(
        app.offset_of(&t, &location).await.status,
        StatusCode::NOT_FOUND
    );
    let removed = app.platform.system_expire_uploads().await.expect("expire");
    assert_eq!(removed, 1);
    assert_eq!(staged(), 0);
    assert!(app.names(&t, &own).await.is_empty(), "nothing was stored");
}

backend_tests!(
    a_broken_upload_goes_on_where_it_stopped,
    uploads_are_refused_clearly_and_leave_nothing,
);
