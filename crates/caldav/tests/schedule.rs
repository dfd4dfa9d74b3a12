//! Scheduling (RFC 6638) in the protocol: the principal's inbox and outbox URLs, the
//! mailboxes themselves, the free/busy answer of the outbox, with golden files of the XML.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::TimeZone;
use common::*;
use schulhof_caldav::schedule::schedule_response;
use schulhof_caldav::store::{Busy, FreeBusyReply};

macro_rules! snap {
    ($name:expr, $xml:expr) => {
        insta::assert_snapshot!($name, $xml.replace("><", ">\n<"))
    };
}

#[tokio::test]
async fn the_principal_names_its_mailboxes_and_address() {
    let s = Mem::new().store("lehrer");
    let body = r#"<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><c:calendar-user-address-set/><c:schedule-inbox-URL/><c:schedule-outbox-URL/><c:calendar-user-type/></d:prop></d:propfind>"#;
    let (st, _, xml) = run(
        &s,
        req(
            "PROPFIND",
            "/dav/principals/lehrer/",
            &[("depth", "0")],
            body,
        ),
    )
    .await;
    assert_eq!(st, 207);
    snap!("principal_scheduling", xml);
}

#[tokio::test]
async fn the_mailboxes_are_the_callers_own() {
    let s = Mem::new().store("lehrer");
    let body = r#"<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:resourcetype/><c:schedule-default-calendar-URL/><d:current-user-privilege-set/><d:getetag/></d:prop></d:propfind>"#;
    let (st, _, xml) = run(
        &s,
        req(
            "PROPFIND",
            "/dav/calendars/lehrer/inbox/",
            &[("depth", "0")],
            body,
        ),
    )
    .await;
    assert_eq!(st, 207);
    snap!("inbox", xml);
    let (st, _, xml) = run(
        &s,
        req(
            "PROPFIND",
            "/dav/calendars/lehrer/outbox/",
            &[("depth", "1")],
            body,
        ),
    )
    .await;
    assert_eq!(st, 207);
    snap!("outbox", xml);
    // Somebody else's mailboxes do not exist; nothing waits in the inbox.
    let (st, _, _) = run(
        &s,
        req(
            "PROPFIND",
            "/dav/calendars/schueler/inbox/",
            &[("depth", "0")],
            body,
        ),
    )
    .await;
    assert_eq!(st, 404);
    let (st, _, _) = run(&s, req("GET", "/dav/calendars/lehrer/inbox/x.ics", &[], "")).await;
    assert_eq!(st, 404);
    // A store without scheduling refuses free/busy; an iTIP invitation is refused clearly.
    let fb = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VFREEBUSY\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n";
    let (st, _, _) = run(&s, req("POST", "/dav/calendars/lehrer/outbox/", &[], fb)).await;
    assert_eq!(st, 403);
    let ev = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let (st, _, xml) = run(&s, req("POST", "/dav/calendars/lehrer/outbox/", &[], ev)).await;
    assert_eq!(st, 403);
    assert!(xml.contains("supported-calendar-component"), "{xml}");
}

#[test]
fn a_free_busy_answer_has_busy_periods_only() {
    let t = |h| chrono::Utc.with_ymd_and_hms(2026, 12, 14, h, 0, 0).unwrap();
    let reply = FreeBusyReply {
        uid: "fb-1".into(),
        organizer: "lena.lehmann@100000.nrw.schule".into(),
        start: t(0),
        end: t(23),
        recipients: vec![
            (
                "sam.schulz@100000.nrw.schule".into(),
                Some(vec![Busy {
                    start: t(9),
                    end: t(10),
                    tentative: false,
                }]),
            ),
            ("jemand@anderswo.example".into(), None),
        ],
    };
    snap!("free_busy_response", schedule_response(&reply, t(8)));
}
