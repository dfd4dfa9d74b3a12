//! WebDAV locks on SQLite and PostgreSQL: only who may write somewhere locks it (a student
//! locking `/dav/files/` with Depth infinity used to block every write of the school's
//! shared areas); a lock belongs to the login that took it — others see no token and
//! cannot remove it — and locks live in the database, so every node sees them.

use crate::common;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use base64::Engine;
use common::{DEMO_PW, TestApp};
use http_body_util::BodyExt;
use schulhof_store::testing::TestDb;
use schulhof_store::{Db, backend_tests};
use tower::ServiceExt;

const LOCKINFO: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>test</D:owner></D:lockinfo>"#;

struct DavReply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

/// One WebDAV request as `login@100000` with the demo password.
async fn dav(
    app: &TestApp,
    login: &str,
    method: &str,
    path: &str,
    extra: &[(&str, &str)],
    body: &str,
) -> DavReply {
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{login}@100000:{DEMO_PW}"));
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Basic {basic}"));
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    let req = req.body(Body::from(body.to_owned())).expect("request");
    let res = app.router.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    DavReply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn lock(app: &TestApp, login: &str, path: &str, depth: &str) -> DavReply {
    let extra = [("depth", depth), ("content-type", "application/xml")];
    dav(app, login, "LOCK", path, &extra, LOCKINFO).await
}

fn token_of(r: &DavReply) -> String {
    let t = r.headers.get("lock-token").expect("lock-token header");
    let t = t.to_str().expect("ascii");
    t.trim_matches(|c| c == '<' || c == '>').to_owned()
}

async fn put(app: &TestApp, login: &str, path: &str, extra: &[(&str, &str)]) -> StatusCode {
    dav(app, login, "PUT", path, extra, "Inhalt").await.status
}

async fn lockdiscovery(app: &TestApp, login: &str, path: &str) -> String {
    let body = r#"<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:lockdiscovery/></D:prop></D:propfind>"#;
    let r = dav(app, login, "PROPFIND", path, &[("depth", "0")], body).await;
    assert_eq!(r.status, StatusCode::MULTI_STATUS, "{}", r.body);
    r.body
}

/// Every login of these tests has accepted the terms (WebDAV needs that too).
async fn ready_all(app: &TestApp) {
    for login in ["lehrer", "schueler", "admin"] {
        app.ready(login).await;
    }
}

async fn a_student_cannot_lock_what_it_may_only_read(db: Db) {
    let app = TestApp::new(db).await;
    ready_all(&app).await;
    // The attack: a Viewer locks the top and the shared areas, Depth infinity.
    for path in [
        "/dav/files/",
        "/dav/files/unterricht/",
        "/dav/files/informationen/",
    ] {
        let r = lock(&app, "schueler", path, "infinity").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.body);
        assert!(r.headers.get("lock-token").is_none(), "{path}");
    }
    // ... and files it may only read.
    assert_eq!(
        put(&app, "lehrer", "/dav/files/unterricht/plan.txt", &[]).await,
        StatusCode::CREATED
    );
    let r = lock(&app, "schueler", "/dav/files/unterricht/plan.txt", "0").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // So the teachers' writes go on.
    assert_eq!(
        put(&app, "lehrer", "/dav/files/unterricht/plan.txt", &[]).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        put(&app, "lehrer", "/dav/files/unterricht/neu.txt", &[]).await,
        StatusCode::CREATED
    );
    // An area root: only its coordinators (the admin for the Unterricht), not a contributor.
    let r = lock(&app, "lehrer", "/dav/files/unterricht/", "infinity").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = lock(&app, "admin", "/dav/files/unterricht/", "0").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The student's own area is its own to lock.
    let r = lock(&app, "schueler", "/dav/files/eigene-dateien/a.txt", "0").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

async fn a_lock_is_its_owners(db: Db) {
    let app = TestApp::new(db).await;
    ready_all(&app).await;
    let file = "/dav/files/unterricht/plan.txt";
    assert_eq!(put(&app, "lehrer", file, &[]).await, StatusCode::CREATED);
    let r = lock(&app, "lehrer", file, "0").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let token = token_of(&r);
    assert!(r.body.contains(&token), "the owner sees its token");
    let mine = lockdiscovery(&app, "lehrer", file).await;
    assert!(mine.contains(&token), "{mine}");
    assert!(
        mine.contains(">test</"),
        "the client's owner text stays: {mine}"
    );

    // Others see that it is locked, not the token.
    let seen = lockdiscovery(&app, "schueler", file).await;
    assert!(seen.contains("activelock"), "{seen}");
    assert!(!seen.contains(&token), "{seen}");
    // Nobody else removes it, not even with the token.
    let unlock = [("lock-token", format!("<{token}>"))];
    let unlock: Vec<(&str, &str)> = unlock.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = dav(&app, "schueler", "UNLOCK", file, &unlock, "").await;
    assert_ne!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    // Nor writes through it with the owner's token.
    let with_token = format!("(<{token}>)");
    let r = put(&app, "schueler", file, &[("if", &with_token)]).await;
    assert_ne!(r, StatusCode::NO_CONTENT);
    assert_eq!(put(&app, "lehrer", file, &[]).await, StatusCode::LOCKED);
    assert_eq!(
        put(&app, "lehrer", file, &[("if", &with_token)]).await,
        StatusCode::NO_CONTENT
    );

    // The coordinator of the Unterricht (the admin) may end it, at the locked file.
    let seen = lockdiscovery(&app, "admin", file).await;
    assert!(
        seen.contains(&token),
        "the coordinator sees it to remove it: {seen}"
    );
    let r = dav(&app, "admin", "UNLOCK", file, &unlock, "").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(put(&app, "lehrer", file, &[]).await, StatusCode::NO_CONTENT);
}

async fn expired_locks_are_ignored_and_purged(db: Db) {
    let app = TestApp::new(db).await;
    ready_all(&app).await;
    let file = "/dav/files/unterricht/plan.txt";
    assert_eq!(put(&app, "lehrer", file, &[]).await, StatusCode::CREATED);
    let extra = [("depth", "0"), ("timeout", "Second-60")];
    let r = dav(&app, "admin", "LOCK", file, &extra, LOCKINFO).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(put(&app, "lehrer", file, &[]).await, StatusCode::LOCKED);
    app.advance(chrono::Duration::seconds(61));
    assert_eq!(put(&app, "lehrer", file, &[]).await, StatusCode::NO_CONTENT);
    let purged = app.platform.system_purge_expired().await.expect("purge");
    assert_eq!(purged.dav_locks, 1);
}

backend_tests!(
    a_student_cannot_lock_what_it_may_only_read,
    a_lock_is_its_owners,
    expired_locks_are_ignored_and_purged,
);

/// Two nodes on one database: a lock taken on one holds on the other.
async fn locks_hold_across_nodes(t: TestDb) {
    let one = TestApp::new(t.db.clone()).await;
    let other_db = Db::connect(&t.url).await.expect("second connection");
    let two = TestApp::new(other_db).await;
    ready_all(&one).await;
    let file = "/dav/files/unterricht/plan.txt";
    assert_eq!(put(&one, "lehrer", file, &[]).await, StatusCode::CREATED);
    let r = lock(&one, "admin", file, "0").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let token = token_of(&r);
    assert_eq!(put(&two, "lehrer", file, &[]).await, StatusCode::LOCKED);
    let seen = lockdiscovery(&two, "lehrer", file).await;
    assert!(
        seen.contains("activelock") && !seen.contains(&token),
        "{seen}"
    );
    let unlock = format!("<{token}>");
    let r = dav(
        &two,
        "admin",
        "UNLOCK",
        file,
        &[("lock-token", &unlock)],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(put(&one, "lehrer", file, &[]).await, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn sqlite_locks_hold_across_nodes() {
    locks_hold_across_nodes(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn postgres_locks_hold_across_nodes() {
    let t = TestDb::postgres().await;
    let db = t.db.clone();
    locks_hold_across_nodes(t).await;
    db.close().await;
}
