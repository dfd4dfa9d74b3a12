//! CardDAV on the whole application, both backends: the school's switch (off: every
//! address-book path 404, the web address book still works), discovery, the personal and
//! the read-only school address book, preconditions as DAV error elements, every account
//! type through web and DAV, another school's users, and vdirsyncer syncing the personal
//! book both ways over a real socket. Golden files pin the XML of the domain-backed answers.

use crate::common;
use crate::support;
use axum::http::StatusCode;
use common::TestApp;
use schulhof_domain::admin::NewUser;
use schulhof_store::testing::TestDb;
use support::*;

const CARD: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:dav-1\r\nFN:Karl Klient\r\nN:Klient;Karl;;;\r\nEMAIL:karl@example.org\r\nEND:VCARD\r\n";
const HOME: &str = "/dav/addressbooks/lehrer/";
const BOOK: &str = "/dav/addressbooks/lehrer/persoenlich/";

async fn switched_off_means_404_but_the_web_works(app: &TestApp) {
    let t = app.ready("lehrer").await;
    for path in [HOME, BOOK, "/dav/addressbooks/lehrer/schule/"] {
        let r = dav(app, "lehrer", "PROPFIND", path, &[("depth", "1")], "").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
    }
    let r = dav(app, "lehrer", "PUT", &format!("{BOOK}x.vcf"), &[], CARD).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let page = web(app, &t, "GET", "/adressbuch", &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Persönliches Adressbuch"),
        "{}",
        page.body
    );
    // The calendars are not affected by the switch.
    let r = dav(
        app,
        "lehrer",
        "PROPFIND",
        "/dav/calendars/lehrer/",
        &[("depth", "0")],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::MULTI_STATUS);
}

async fn discovery_lists_personal_and_school_books(app: &TestApp) {
    let r = dav(app, "lehrer", "GET", "/.well-known/carddav", &[], "").await;
    assert_eq!(r.status, StatusCode::MOVED_PERMANENTLY);
    let body = r#"<d:propfind xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><card:addressbook-home-set/></d:prop></d:propfind>"#;
    let r = dav(
        app,
        "lehrer",
        "PROPFIND",
        "/dav/principals/lehrer/",
        &[("depth", "0")],
        body,
    )
    .await;
    assert!(r.body.contains("/dav/addressbooks/lehrer/"), "{}", r.body);
    let body = r#"<d:propfind xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:cs="http://calendarserver.org/ns/"><d:prop><d:resourcetype/><d:displayname/><d:current-user-privilege-set/><card:supported-address-data/></d:prop></d:propfind>"#;
    let r = dav(app, "lehrer", "PROPFIND", HOME, &[("depth", "1")], body).await;
    assert_eq!(r.status, StatusCode::MULTI_STATUS, "{}", r.body);
    golden("carddav_home", &r.body);
    assert!(r.body.contains("/dav/addressbooks/lehrer/persoenlich/"));
    assert!(r.body.contains("/dav/addressbooks/lehrer/schule/"));
}

async fn put_query_sync_and_preconditions(app: &TestApp) {
    let url = format!("{BOOK}dav-1.vcf");
    let ct = [("content-type", "text/vcard"), ("if-none-match", "*")];
    let r = dav(app, "lehrer", "PUT", &url, &ct, CARD).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let etag = r
        .etag
        .clone()
        .expect("an ETag: the text was stored as sent");
    let r = dav(app, "lehrer", "PUT", &url, &ct, CARD).await;
    assert_eq!(
        r.status,
        StatusCode::PRECONDITION_FAILED,
        "If-None-Match: * on a stored card"
    );
    let changed = CARD.replace("Karl Klient", "Karl K. Klient");
    let stale = [("if-match", "\"0000\"")];
    let r = dav(app, "lehrer", "PUT", &url, &stale, &changed).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    let good = [("if-match", etag.as_str())];
    let r = dav(app, "lehrer", "PUT", &url, &good, &changed).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    // Another name with the same UID, and a broken card: DAV precondition elements.
    let r = dav(app, "lehrer", "PUT", &format!("{BOOK}other.vcf"), &[], CARD).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    golden("carddav_no_uid_conflict", &r.body);
    let broken = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ohne Ende\r\n";
    let r = dav(
        app,
        "lehrer",
        "PUT",
        &format!("{BOOK}broken.vcf"),
        &[],
        broken,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    golden("carddav_valid_address_data", &r.body);
    let r = dav(app, "lehrer", "GET", &format!("{BOOK}broken.vcf"), &[], "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "nothing stored half");
    let q = r#"<card:addressbook-query xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><card:address-data/></d:prop><card:filter><card:prop-filter name="EMAIL"><card:text-match match-type="starts-with">KARL@</card:text-match></card:prop-filter></card:filter></card:addressbook-query>"#;
    let r = dav(app, "lehrer", "REPORT", BOOK, &[("depth", "1")], q).await;
    assert_eq!(r.status, StatusCode::MULTI_STATUS);
    assert!(
        r.body.contains("Karl K. Klient") && r.body.matches("<d:response>").count() == 1,
        "{}",
        r.body
    );
    let m = format!(
        r#"<card:addressbook-multiget xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/></d:prop><d:href>{url}</d:href><d:href>{BOOK}gibtsnicht.vcf</d:href></card:addressbook-multiget>"#
    );
    let r = dav(app, "lehrer", "REPORT", BOOK, &[], &m).await;
    assert!(
        r.body.contains("404 Not Found") && r.body.contains("getetag"),
        "{}",
        r.body
    );
    let sync = |t: &str| {
        format!(
            r#"<d:sync-collection xmlns:d="DAV:"><d:sync-token>{t}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"#
        )
    };
    let r = dav(app, "lehrer", "REPORT", BOOK, &[], &sync("")).await;
    let token = between(&r.body, "<d:sync-token>", "</d:sync-token>");
    let r = dav(app, "lehrer", "DELETE", &url, &[], "").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = dav(app, "lehrer", "REPORT", BOOK, &[], &sync(&token)).await;
    assert!(
        r.body.contains("dav-1.vcf") && r.body.contains("404 Not Found"),
        "{}",
        r.body
    );
    let r = dav(
        app,
        "lehrer",
        "REPORT",
        BOOK,
        &[],
        &sync("urn:schulhof:sync:999999"),
    )
    .await;
    assert!(r.body.contains("valid-sync-token"), "{}", r.body);
}

async fn the_school_book_is_read_only_and_shows_what_the_type_may_see(app: &TestApp) {
    let r = dav(
        app,
        "lehrer",
        "PUT",
        "/dav/addressbooks/lehrer/schule/x.vcf",
        &[],
        CARD,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let get = r#"<d:propfind xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><card:address-data/></d:prop></d:propfind>"#;
    let r = dav(
        app,
        "schueler",
        "PROPFIND",
        "/dav/addressbooks/schueler/schule/",
        &[("depth", "1")],
        get,
    )
    .await;
    assert_eq!(r.status, StatusCode::MULTI_STATUS, "{}", r.body);
    for seen in ["Lena Lehmann", "Paul Hausmann", "Mitschülerin Fünf"] {
        assert!(r.body.contains(seen), "{seen}: {}", r.body);
    }
    for hidden in ["Anderer Klasse", "Eva Extern", "BDAY", "Demo-Gymnasium;"] {
        assert!(!r.body.contains(hidden), "{hidden}: {}", r.body);
    }
    let r = dav(app, "schueler", "REPORT", "/dav/addressbooks/schueler/schule/", &[], r#"<d:sync-collection xmlns:d="DAV:"><d:sync-token>urn:schulhof:sync:1</d:sync-token><d:prop><d:getetag/></d:prop></d:sync-collection>"#).await;
    assert!(
        r.body.contains("valid-sync-token"),
        "an old token: sync again: {}",
        r.body
    );
}

/// Every account type through web and DAV: persons have both books, the admin (a function
/// account without contacts rights) has none; without contacts.personal only the school book.
async fn every_account_type(app: &TestApp) {
    for login in ["lehrer", "personal", "schueler", "extern"] {
        let c = app.ready(login).await;
        assert_eq!(
            web(app, &c, "GET", "/adressbuch", &[]).await.status,
            StatusCode::OK,
            "{login}"
        );
        let r = dav(
            app,
            login,
            "PROPFIND",
            &format!("/dav/addressbooks/{login}/"),
            &[("depth", "1")],
            "",
        )
        .await;
        assert_eq!(r.status, StatusCode::MULTI_STATUS, "{login}");
        assert!(
            r.body.contains("/persoenlich/") && r.body.contains("/schule/"),
            "{login}: {}",
            r.body
        );
    }
    let admin = app.ready("admin").await;
    assert_ne!(
        web(app, &admin, "GET", "/adressbuch", &[]).await.status,
        StatusCode::OK
    );
    let r = dav(
        app,
        "admin",
        "PROPFIND",
        "/dav/addressbooks/admin/",
        &[("depth", "1")],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = dav(app, "admin", "PROPFIND", HOME, &[("depth", "1")], "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "another's home");
    // Without contacts.personal: no personal book anywhere, the school book stays.
    let r = app
        .send(
            "DELETE",
            "/api/v1/users/extern/rights/contacts.personal",
            Some(&admin),
            None,
            &[],
        )
        .await;
    if r.status == StatusCode::NO_CONTENT {
        let r = dav(
            app,
            "extern",
            "PROPFIND",
            "/dav/addressbooks/extern/",
            &[("depth", "1")],
            "",
        )
        .await;
        assert!(
            !r.body.contains("/persoenlich/") && r.body.contains("/schule/"),
            "{}",
            r.body
        );
        let r = dav(
            app,
            "extern",
            "PUT",
            "/dav/addressbooks/extern/persoenlich/x.vcf",
            &[],
            CARD,
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    } else {
        eprintln!(
            "contacts.personal cannot be revoked for extern here: {}",
            r.status
        );
    }
}

/// A person of another school sees nothing of this one's books (404 on every path).
async fn another_school_sees_nothing(app: &TestApp, other_login: &str) {
    for path in [
        HOME,
        BOOK,
        "/dav/addressbooks/lehrer/schule/",
        "/dav/addressbooks/lehrer/persoenlich/demo-busunternehmen.vcf",
    ] {
        let r = dav_as(
            app,
            &format!("{other_login}@123456"),
            "PROPFIND",
            path,
            &[("depth", "0")],
            "",
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
    }
    let r = dav_as(
        app,
        &format!("{other_login}@123456"),
        "GET",
        &format!("{BOOK}demo-busunternehmen.vcf"),
        &[],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn scenario(db: schulhof_domain::Db) {
    let app = TestApp::new(db).await;
    app.platform
        .system_seed_demo_files()
        .await
        .expect("demo content");
    let admin = app.ready("admin").await;
    let a = actor(&app, &admin).await;
    let class = app
        .platform
        .create_group(&a, "6b", "klasse", "Klasse 6b")
        .await
        .expect("class");
    let _ = class;
    for (first, last, login, group) in [
        ("Mitschülerin", "Fünf", "fuenf", "5a"),
        ("Anderer", "Klasse", "sechs", "6b"),
    ] {
        app.platform
            .create_user(
                &a,
                NewUser {
                    first_name: first.into(),
                    last_name: last.into(),
                    account_type: Some("schueler".into()),
                    function_role: None,
                    login: Some(login.into()),
                    password: None,
                    external_mail: None,
                    holder: None,
                    groups: vec![group.into()],
                },
            )
            .await
            .expect("student");
    }
    for login in ["lehrer", "schueler", "personal", "extern"] {
        app.ready(login).await;
    }
    switched_off_means_404_but_the_web_works(&app).await;
    switch(&app, &admin, true).await;
    discovery_lists_personal_and_school_books(&app).await;
    put_query_sync_and_preconditions(&app).await;
    the_school_book_is_read_only_and_shows_what_the_type_may_see(&app).await;
    let other = other_school(&app).await;
    another_school_sees_nothing(&app, &other).await;
    vdirsyncer_both_ways(&app, &admin).await;
    every_account_type(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn carddav_on_sqlite() {
    let t = TestDb::sqlite().await;
    scenario(t.db.clone()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn carddav_on_postgres() {
    let t = TestDb::postgres().await;
    scenario(t.db.clone()).await;
    t.db.close().await;
}
