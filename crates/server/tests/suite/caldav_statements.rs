//! What CalDAV reports cost in SQL statements, through the whole application (Basic login,
//! the calendar listing, the report): a calendar-multiget costs the same for 10 and for
//! 100 objects, and a month query of a calendar changed since its last answer the same for
//! a few and for many objects. On SQLite and PostgreSQL; run under nextest (one process per
//! test), since the counter (`store::testing::statements`) is the process's tracing
//! subscriber and the router runs in this process.

use crate::common;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use http_body_util::BodyExt;
use schulhof_store::testing::statements;
use schulhof_store::{Db, backend_tests};
use tower::ServiceExt;

use common::{DEMO_PW, TestApp};

const CAL: &str = "/dav/calendars/lehrer/personal/";

/// The ceilings for one request: the login (account, password check, session facts), the
/// calendar listing, the calendar's row and the objects (multiget), or the hits of the
/// time index and the texts not held (month query); a little room for the login's own.
const MULTIGET_MAX: usize = 8;
const MONTH_MAX: usize = 9;

struct Sent {
    statements: usize,
    status: StatusCode,
    body: String,
}

async fn dav(app: &TestApp, method: &str, path: &str, body: String, depth: bool) -> Sent {
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("lehrer@100000:{DEMO_PW}"));
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Basic {auth}"))
        .header("x-forwarded-for", "10.0.0.7");
    if depth {
        req = req
            .header("Depth", "1")
            .header(header::CONTENT_TYPE, "application/xml; charset=utf-8");
    } else {
        req = req.header(header::CONTENT_TYPE, "text/calendar; charset=utf-8");
    }
    let req = req.body(Body::from(body)).expect("request");
    let before = statements::so_far();
    let res = app.router.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    Sent {
        statements: statements::so_far() - before,
        status,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// A weekly series from September meeting every week of December 2026.
fn event(i: usize, summary: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//DE\r\nBEGIN:VEVENT\r\n\
         UID:s{i}@test.invalid\r\nDTSTAMP:20261101T080000Z\r\n\
         DTSTART:202609{:02}T{:02}0000Z\r\nDTEND:202609{:02}T{:02}4500Z\r\n\
         RRULE:FREQ=WEEKLY;UNTIL=20270701T000000Z\r\nSUMMARY:{summary} {i} <&>\r\n\
         END:VEVENT\r\nEND:VCALENDAR\r\n",
        1 + i % 28,
        7 + i % 9,
        1 + i % 28,
        7 + i % 9,
    )
}

async fn put(app: &TestApp, i: usize, summary: &str) {
    let r = dav(
        app,
        "PUT",
        &format!("{CAL}e{i}.ics"),
        event(i, summary),
        false,
    )
    .await;
    assert!(
        r.status == StatusCode::CREATED || r.status == StatusCode::NO_CONTENT,
        "PUT e{i}: {} {}",
        r.status,
        r.body
    );
}

fn multiget(names: impl Iterator<Item = usize>) -> String {
    let hrefs: String = names
        .map(|i| format!("<D:href>{CAL}e{i}.ics</D:href>"))
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:prop><D:getetag/><C:calendar-data/></D:prop>{hrefs}</C:calendar-multiget>"#
    )
}

fn month() -> String {
    r#"<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:prop><D:getetag/><C:calendar-data/></D:prop>
<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
<C:time-range start="20261201T000000Z" end="20270101T000000Z"/>
</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"#
        .to_owned()
}

fn responses(body: &str) -> usize {
    body.matches("<d:response>").count() + body.matches("<D:response>").count()
}

/// The fewest statements of `n` tries of one report (another task of the server, such as a
/// connection the pool opens, may add one to a single try).
async fn fewest(app: &TestApp, body: &str, expect: usize, n: usize) -> usize {
    let mut best = usize::MAX;
    for _ in 0..n {
        let r = dav(app, "REPORT", CAL, body.to_owned(), true).await;
        assert_eq!(r.status, StatusCode::MULTI_STATUS, "{}", r.body);
        assert_eq!(
            responses(&r.body),
            expect,
            "{}",
            &r.body[..r.body.len().min(600)]
        );
        best = best.min(r.statements);
    }
    best
}

async fn multiget_costs_the_same_for_10_and_100_objects(db: Db) {
    if !statements::install() {
        eprintln!("another subscriber is installed (not under nextest): not counting");
        return;
    }
    let app = TestApp::new(db).await;
    app.ready("lehrer").await;
    for i in 0..120 {
        put(&app, i, "Stunde").await;
    }
    let ten = fewest(&app, &multiget(0..10), 10, 3).await;
    let hundred = fewest(&app, &multiget(0..100), 100, 3).await;
    let r = dav(&app, "REPORT", CAL, multiget(0..100), true).await;
    assert!(
        r.body.contains("SUMMARY:Stunde 99 &lt;&amp;&gt;"),
        "texts answered"
    );
    eprintln!("statements of a calendar-multiget: {ten} (10 objects), {hundred} (100)");
    assert_eq!(ten, hundred, "not one per object");
    assert!(hundred <= MULTIGET_MAX, "{hundred} statements");
}

async fn a_changed_month_costs_a_few_statements(db: Db) {
    if !statements::install() {
        eprintln!("another subscriber is installed (not under nextest): not counting");
        return;
    }
    let app = TestApp::new(db).await;
    app.ready("lehrer").await;
    for i in 0..5 {
        put(&app, i, "Stunde").await;
    }
    fewest(&app, &month(), 5, 1).await;
    put(&app, 1, "Vertretung").await;
    let r = dav(&app, "REPORT", CAL, month(), true).await;
    assert_eq!(responses(&r.body), 5);
    assert!(r.body.contains("SUMMARY:Vertretung 1"), "the new text");
    let few = r.statements;
    for i in 5..150 {
        put(&app, i, "Stunde").await;
    }
    fewest(&app, &month(), 150, 1).await;
    put(&app, 7, "Vertretung").await;
    let r = dav(&app, "REPORT", CAL, month(), true).await;
    assert_eq!(responses(&r.body), 150);
    assert!(r.body.contains("SUMMARY:Vertretung 7"), "the new text");
    assert!(!r.body.contains("SUMMARY:Stunde 7 "), "not the old one");
    let many = r.statements;
    eprintln!("statements of a changed month: {few} (5 objects), {many} (150)");
    assert_eq!(few, many, "not one per object");
    assert!(many <= MONTH_MAX, "{many} statements");
}

backend_tests!(
    multiget_costs_the_same_for_10_and_100_objects,
    a_changed_month_costs_a_few_statements,
);
