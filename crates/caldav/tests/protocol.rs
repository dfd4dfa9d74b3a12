//! The protocol against the in-memory store: discovery, PROPFIND, reports, preconditions,
//! sync-collection and errors, with golden files (insta) of the DAV XML.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use schulhof_caldav::store::Kind;

const CAL: &str = "/dav/calendars/lehrer/privat/";
const PROPS: &str = r#"<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/" xmlns:i="http://apple.com/ns/ical/" xmlns:x="urn:example"><d:prop><d:resourcetype/><d:displayname/><d:getetag/><cs:getctag/><d:sync-token/><c:supported-calendar-component-set/><d:current-user-privilege-set/><i:calendar-color/><x:unknown/></d:prop></d:propfind>"#;

/// A golden file with one element per line, so it reads (and diffs) well.
macro_rules! snap {
    ($name:expr, $xml:expr) => {
        insta::assert_snapshot!($name, $xml.replace("><", ">\n<"))
    };
}

fn seeded() -> Mem {
    let m = Mem::new();
    m.seed(
        Kind::Calendar,
        "privat",
        "a.ics",
        &event("a", "20260105T080000Z", "20260105T090000Z", "Konferenz"),
    );
    m.seed(
        Kind::Calendar,
        "privat",
        "b.ics",
        &event("b", "20260210T080000Z", "20260210T090000Z", "Elternabend"),
    );
    m.seed(
        Kind::Calendar,
        "schule",
        "ferien.ics",
        &event("f", "20260301T000000Z", "20260310T000000Z", "Ferien"),
    );
    m.seed(
        Kind::AddressBook,
        "kontakte",
        "k.vcf",
        &card("k", "Karl Kunz"),
    );
    m
}

#[tokio::test]
async fn discovery_from_the_root_to_the_calendars() {
    let s = seeded().store("lehrer");
    let body =
        r#"<d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>"#;
    let (st, _, xml) = run(&s, req("PROPFIND", "/dav/", &[("depth", "0")], body)).await;
    assert_eq!(st, 207);
    snap!("root_current_user_principal", xml);

    let body = r#"<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><c:calendar-home-set/><card:addressbook-home-set/><c:calendar-user-address-set/><d:displayname/><d:principal-URL/></d:prop></d:propfind>"#;
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
    snap!("principal", xml);

    let (st, _, xml) = run(
        &s,
        req(
            "PROPFIND",
            "/dav/calendars/lehrer/",
            &[("depth", "1")],
            PROPS,
        ),
    )
    .await;
    assert_eq!(st, 207);
    snap!("calendar_home_depth1", xml);
}

#[tokio::test]
async fn a_collection_lists_its_objects_and_allprop_and_propname_work() {
    let s = seeded().store("lehrer");
    let (st, _, xml) = run(&s, req("PROPFIND", CAL, &[("depth", "1")], PROPS)).await;
    assert_eq!(st, 207);
    snap!("collection_depth1", xml);
    let (_, _, all) = run(&s, req("PROPFIND", CAL, &[("depth", "0")], "")).await;
    snap!("collection_allprop", all);
    let names = r#"<d:propfind xmlns:d="DAV:"><d:propname/></d:propfind>"#;
    let (_, _, xml) = run(&s, req("PROPFIND", CAL, &[("depth", "0")], names)).await;
    assert!(
        xml.contains("<cs:getctag/>") && xml.contains("<d:sync-token/>"),
        "{xml}"
    );
}

#[tokio::test]
async fn hidden_things_answer_404_everywhere() {
    let m = seeded();
    let s = m.store("schueler");
    for (method, path) in [
        ("PROPFIND", CAL),
        ("PROPFIND", "/dav/calendars/lehrer/"),
        ("GET", "/dav/calendars/lehrer/privat/a.ics"),
        ("PUT", "/dav/calendars/lehrer/privat/x.ics"),
        ("DELETE", "/dav/calendars/lehrer/privat/a.ics"),
        ("REPORT", CAL),
        ("PROPFIND", "/dav/calendars/schueler/privat/"),
        ("GET", "/dav/calendars/schueler/privat/a.ics"),
        ("PROPFIND", "/dav/nowhere/"),
    ] {
        let body = if method == "REPORT" {
            r#"<c:calendar-multiget xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></c:calendar-multiget>"#
        } else {
            ""
        };
        let (st, _, _) = run(&s, req(method, path, &[("depth", "0")], body)).await;
        assert_eq!(st, 404, "{method} {path}");
    }
    // The school calendar is in the student's home, read-only.
    let (st, _, _) = run(
        &s,
        req("GET", "/dav/calendars/schueler/schule/ferien.ics", &[], ""),
    )
    .await;
    assert_eq!(st, 200);
    let ev = event("z", "20260101T000000Z", "20260101T010000Z", "x");
    let (st, _, _) = run(
        &s,
        req("PUT", "/dav/calendars/schueler/schule/z.ics", &[], &ev),
    )
    .await;
    assert_eq!(st, 403);
}

#[tokio::test]
async fn put_get_delete_with_exact_preconditions() {
    let s = seeded().store("lehrer");
    let path = "/dav/calendars/lehrer/privat/neu.ics";
    let ev = event("neu", "20260107T100000Z", "20260107T110000Z", "Neu");
    let (st, h, _) = run(
        &s,
        req(
            "PUT",
            path,
            &[("if-none-match", "*"), ("content-type", "text/calendar")],
            &ev,
        ),
    )
    .await;
    assert_eq!(st, 201);
    let etag = h["etag"].to_str().unwrap().to_owned();
    let (st, _, _) = run(&s, req("PUT", path, &[("if-none-match", "*")], &ev)).await;
    assert_eq!(st, 412, "If-None-Match: * on an existing object");
    let (st, h, body) = run(&s, req("GET", path, &[], "")).await;
    assert_eq!(
        (st, h["etag"].to_str().unwrap(), body.as_str()),
        (200, etag.as_str(), ev.as_str())
    );
    assert!(
        h["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let (st, h, body) = run(&s, req("HEAD", path, &[], "")).await;
    assert_eq!((st, body.len()), (200, 0));
    assert_eq!(h["content-length"].to_str().unwrap(), ev.len().to_string());
    let changed = ev.replace("Neu", "Geändert");
    let (st, _, _) = run(&s, req("PUT", path, &[("if-match", "\"nope\"")], &changed)).await;
    assert_eq!(st, 412, "If-Match with a stale tag");
    let (st, h, _) = run(&s, req("PUT", path, &[("if-match", &etag)], &changed)).await;
    assert_eq!(st, 204);
    let etag2 = h["etag"].to_str().unwrap().to_owned();
    assert_ne!(etag, etag2);
    let (st, _, _) = run(
        &s,
        req(
            "PUT",
            "/dav/calendars/lehrer/privat/fehlt.ics",
            &[("if-match", "*")],
            &ev.replace("neu", "fehlt"),
        ),
    )
    .await;
    assert_eq!(st, 412, "If-Match: * on a missing object");
    let (st, _, _) = run(&s, req("DELETE", path, &[("if-match", &etag)], "")).await;
    assert_eq!(st, 412);
    let (st, _, _) = run(&s, req("DELETE", path, &[("if-match", &etag2)], "")).await;
    assert_eq!(st, 204);
    let (st, _, _) = run(&s, req("GET", path, &[], "")).await;
    assert_eq!(st, 404);
    let (st, _, _) = run(&s, req("DELETE", path, &[], "")).await;
    assert_eq!(st, 404);
}

#[tokio::test]
async fn refused_writes_name_their_precondition() {
    let s = seeded().store("lehrer");
    let dup = event("a", "20260107T100000Z", "20260107T110000Z", "Doppelt");
    let (st, _, xml) = run(
        &s,
        req("PUT", "/dav/calendars/lehrer/privat/dup.ics", &[], &dup),
    )
    .await;
    assert_eq!(st, 409);
    snap!("error_no_uid_conflict", xml);
    let (st, _, xml) = run(
        &s,
        req(
            "PUT",
            "/dav/calendars/lehrer/privat/x.ics",
            &[],
            "kein Kalender",
        ),
    )
    .await;
    assert_eq!(st, 403);
    snap!("error_valid_calendar_data", xml);
    let todo =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\nUID:t\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
    let (st, _, xml) = run(
        &s,
        req("PUT", "/dav/calendars/lehrer/schule/t.ics", &[], todo),
    )
    .await;
    assert_eq!(st, 403, "read-only calendar first");
    assert!(!xml.contains("supported-calendar-component"));
    let (st, _, xml) = run(
        &s,
        req(
            "PUT",
            "/dav/calendars/lehrer/privat/x.ics",
            &[("content-type", "text/plain")],
            todo,
        ),
    )
    .await;
    assert_eq!(st, 403);
    assert!(xml.contains("<c:supported-calendar-data/>"), "{xml}");
    let big = "X".repeat(schulhof_caldav::props::MAX_RESOURCE_SIZE + 1);
    let (st, _, xml) = run(
        &s,
        req("PUT", "/dav/calendars/lehrer/privat/x.ics", &[], &big),
    )
    .await;
    assert_eq!(st, 403);
    snap!("error_max_resource_size", xml);
    let (st, _, xml) = run(
        &s,
        req(
            "PUT",
            "/dav/addressbooks/lehrer/kontakte/x.vcf",
            &[],
            "BEGIN:VCARD\r\nEND:VCARD\r\n",
        ),
    )
    .await;
    assert_eq!(st, 403);
    assert!(xml.contains("<card:valid-address-data/>"), "{xml}");
}

#[tokio::test]
async fn a_calendar_without_todos_refuses_them() {
    let m = seeded();
    let s = m.store("lehrer");
    let body = r#"<c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><d:displayname>Nur Termine</d:displayname><c:supported-calendar-component-set><c:comp name="VEVENT"/></c:supported-calendar-component-set></d:prop></d:set></c:mkcalendar>"#;
    let (st, _, _) = run(
        &s,
        req("MKCALENDAR", "/dav/calendars/lehrer/termine/", &[], body),
    )
    .await;
    assert_eq!(st, 201);
    let (st, _, _) = run(
        &s,
        req("MKCALENDAR", "/dav/calendars/lehrer/termine/", &[], body),
    )
    .await;
    assert_eq!(st, 405, "it exists already");
    let todo =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\nUID:t\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
    let (st, _, xml) = run(
        &s,
        req("PUT", "/dav/calendars/lehrer/termine/t.ics", &[], todo),
    )
    .await;
    assert_eq!(st, 403);
    snap!("error_supported_calendar_component", xml);
    let (st, _, _) = run(&s, req("MKCALENDAR", "/dav/calendars/schueler/x/", &[], "")).await;
    assert_eq!(st, 403, "not in someone else's home");
    let (st, _, _) = run(&s, req("DELETE", "/dav/calendars/lehrer/termine/", &[], "")).await;
    assert_eq!(st, 204);
    let (st, _, _) = run(&s, req("DELETE", "/dav/calendars/lehrer/schule/", &[], "")).await;
    assert_eq!(st, 403);
}

#[tokio::test]
async fn calendar_query_by_time_range_and_uid() {
    let s = seeded().store("lehrer");
    let q = r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20260101T000000Z" end="20260201T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#;
    let (st, _, xml) = run(&s, req("REPORT", CAL, &[("depth", "1")], q)).await;
    assert_eq!(st, 207);
    snap!("calendar_query_january", xml);
    let q = r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:prop-filter name="UID"><c:text-match collation="i;octet">b</c:text-match></c:prop-filter></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#;
    let (_, _, xml) = run(&s, req("REPORT", CAL, &[("depth", "1")], q)).await;
    assert!(xml.contains("b.ics") && !xml.contains("a.ics"), "{xml}");
    let q = r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><c:filter><c:comp-filter name="VEVENT"/></c:filter></c:calendar-query>"#;
    let (st, _, xml) = run(&s, req("REPORT", CAL, &[], q)).await;
    assert_eq!(st, 403);
    assert!(xml.contains("<c:valid-filter/>"), "{xml}");
    let q = r#"<c:calendar-query xmlns:c="urn:ietf:params:xml:ns:caldav"><c:filter><c:comp-filter name="VCALENDAR"><c:time-range start="gestern"/></c:comp-filter></c:filter></c:calendar-query>"#;
    let (st, _, msg) = run(&s, req("REPORT", CAL, &[], q)).await;
    assert_eq!(st, 400);
    assert!(msg.contains("UTC"), "{msg}");
}

/// ETags only: no calendar-data in the answer. The same query of an unchanged calendar is
/// answered from what was kept; after a change (a new sync token) it is read anew.
#[tokio::test]
async fn calendar_query_answers_are_kept_per_sync_token() {
    let mem = seeded();
    let s = mem.store("lehrer");
    let q = r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20260101T000000Z" end="20260201T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#;
    let (st, _, first) = run(&s, req("REPORT", CAL, &[("depth", "1")], q)).await;
    assert_eq!(st, 207);
    assert!(
        first.contains("<d:getetag>") && !first.contains("calendar-data"),
        "{first}"
    );
    let n = mem.queries();
    let (_, _, again) = run(&s, req("REPORT", CAL, &[("depth", "1")], q)).await;
    assert_eq!(again, first);
    assert_eq!(mem.queries(), n, "kept, not read again");
    // Another reader of another state (a write) is read anew and sees the new object.
    let put = req(
        "PUT",
        &format!("{CAL}neu.ics"),
        &[],
        &event("neu", "20260115T100000Z", "20260115T110000Z", "Neu"),
    );
    assert_eq!(run(&s, put).await.0, 201);
    let (_, _, after) = run(&s, req("REPORT", CAL, &[("depth", "1")], q)).await;
    assert_eq!(mem.queries(), n + 1);
    assert!(
        after.contains("neu.ics") && !first.contains("neu.ics"),
        "{after}"
    );
    // Another caller never gets this caller's kept answer.
    let other = mem.store("schueler");
    let (st, _, _) = run(&other, req("REPORT", CAL, &[("depth", "1")], q)).await;
    assert_eq!(st, 404);
}

/// A calendar-query answer is made of escaped fragments kept per object and ETag. A change
/// of an object (a new ETag) is answered with the new text at once, although nothing
/// removed the old fragment: the write does not touch the kept fragments (as on another
/// node), the ETag alone decides.
#[tokio::test]
async fn a_changed_object_is_never_answered_from_its_old_fragment() {
    let mem = seeded();
    let s = mem.store("lehrer");
    let scope = mem.scope("privat");
    let q = r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><d:getcontentlength/><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20260101T000000Z" end="20260201T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#;
    let old = event("a", "20260105T080000Z", "20260105T090000Z", "Konferenz");
    let (st, _, first) = run(&s, req("REPORT", CAL, &[("depth", "1")], q)).await;
    assert_eq!(st, 207);
    assert!(first.contains("SUMMARY:Konferenz&#13;"), "{first}");
    assert!(
        first.contains(&format!("<d:getcontentlength>{}<", old.len())),
        "{first}"
    );
    let old_tag = etag(&old);
    assert!(schulhof_caldav::fragments::holds(&scope, "a.ics", &old_tag));
    // The same query again (another body: no kept answer) is made of the fragments.
    let q2 = q.replace("<d:prop>", "<!-- 2 --><d:prop>");
    let (_, _, again) = run(&s, req("REPORT", CAL, &[("depth", "1")], &q2)).await;
    assert_eq!(again, first);
    let new = event(
        "a",
        "20260105T080000Z",
        "20260105T090000Z",
        "Konferenz & <Abitur>",
    );
    let put = req("PUT", &format!("{CAL}a.ics"), &[], &new);
    assert_eq!(run(&s, put).await.0, 204);
    assert!(
        schulhof_caldav::fragments::holds(&scope, "a.ics", &old_tag),
        "the write left the old fragment where it was"
    );
    for body in [q, q2.as_str()] {
        let (_, _, after) = run(&s, req("REPORT", CAL, &[("depth", "1")], body)).await;
        assert!(
            after.contains("SUMMARY:Konferenz &amp; &lt;Abitur&gt;&#13;"),
            "{after}"
        );
        assert!(!after.contains("SUMMARY:Konferenz&#13;"), "stale: {after}");
        assert!(
            after.contains(&etag(&new)) && !after.contains(&old_tag),
            "{after}"
        );
        assert!(
            after.contains(&format!("<d:getcontentlength>{}<", new.len())),
            "{after}"
        );
    }
    assert!(schulhof_caldav::fragments::holds(
        &scope,
        "a.ics",
        &etag(&new)
    ));
}

#[tokio::test]
async fn multiget_answers_missing_hrefs_with_404() {
    let s = seeded().store("lehrer");
    let q = r#"<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop><d:href>/dav/calendars/lehrer/privat/a.ics</d:href><d:href>/dav/calendars/lehrer/privat/fehlt.ics</d:href><d:href>/dav/calendars/lehrer/schule/ferien.ics</d:href></c:calendar-multiget>"#;
    let (st, _, xml) = run(&s, req("REPORT", CAL, &[("depth", "1")], q)).await;
    assert_eq!(st, 207);
    snap!("calendar_multiget", xml);
}

fn sync_body(token: &str) -> String {
    format!(
        r#"<d:sync-collection xmlns:d="DAV:"><d:sync-token>{token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"#
    )
}

fn token_of(xml: &str) -> String {
    let s = xml.split("<d:sync-token>").nth(1).unwrap();
    s.split("</d:sync-token>").next().unwrap().to_owned()
}

#[tokio::test]
async fn sync_collection_reports_changes_and_tombstones() {
    let m = seeded();
    let s = m.store("lehrer");
    let (st, _, first) = run(&s, req("REPORT", CAL, &[], &sync_body(""))).await;
    assert_eq!(st, 207);
    snap!("sync_initial", first);
    let token = token_of(&first);
    let ev = event("c", "20260108T100000Z", "20260108T110000Z", "Neu");
    run(
        &s,
        req("PUT", "/dav/calendars/lehrer/privat/c.ics", &[], &ev),
    )
    .await;
    let (st, _, _) = run(
        &s,
        req("DELETE", "/dav/calendars/lehrer/privat/a.ics", &[], ""),
    )
    .await;
    assert_eq!(st, 204);
    let (_, _, second) = run(&s, req("REPORT", CAL, &[], &sync_body(&token))).await;
    snap!("sync_after_change", second);
    let (_, _, third) = run(&s, req("REPORT", CAL, &[], &sync_body(&token_of(&second)))).await;
    assert!(!third.contains("<d:response>"), "nothing changed: {third}");
    for bad in ["urn:schulhof:sync:999", "http://example.org/other", &token] {
        if bad == token {
            m.expire_tokens("privat");
        }
        let (st, _, xml) = run(&s, req("REPORT", CAL, &[], &sync_body(bad))).await;
        assert_eq!(st, 403, "{bad}");
        assert!(xml.contains("<d:valid-sync-token/>"), "{xml}");
    }
    snap!(
        "error_valid_sync_token",
        run(
            &s,
            req("REPORT", CAL, &[], &sync_body("urn:schulhof:sync:999"))
        )
        .await
        .2
    );
}

#[tokio::test]
async fn getctag_changes_with_every_write() {
    let s = seeded().store("lehrer");
    let body = r#"<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:prop><cs:getctag/></d:prop></d:propfind>"#;
    let (_, _, before) = run(&s, req("PROPFIND", CAL, &[("depth", "0")], body)).await;
    run(
        &s,
        req(
            "PUT",
            "/dav/calendars/lehrer/privat/d.ics",
            &[],
            &event("d", "20260108T100000Z", "20260108T110000Z", "D"),
        ),
    )
    .await;
    let (_, _, after) = run(&s, req("PROPFIND", CAL, &[("depth", "0")], body)).await;
    assert_ne!(before, after);
}

#[tokio::test]
async fn proppatch_renames_and_recolours_all_or_nothing() {
    let s = seeded().store("lehrer");
    let body = r#"<d:propertyupdate xmlns:d="DAV:" xmlns:i="http://apple.com/ns/ical/"><d:set><d:prop><d:displayname>Privat</d:displayname><i:calendar-color>#FF0000FF</i:calendar-color></d:prop></d:set></d:propertyupdate>"#;
    let (st, _, xml) = run(&s, req("PROPPATCH", CAL, &[], body)).await;
    assert_eq!(st, 207);
    snap!("proppatch_ok", xml);
    let (_, _, xml) = run(&s, req("PROPFIND", CAL, &[("depth", "0")], PROPS)).await;
    assert!(
        xml.contains("<d:displayname>Privat</d:displayname>") && xml.contains("#FF0000FF"),
        "{xml}"
    );
    let body = r#"<d:propertyupdate xmlns:d="DAV:" xmlns:x="urn:x"><d:set><d:prop><d:displayname>Nein</d:displayname><x:dead>1</x:dead></d:prop></d:set></d:propertyupdate>"#;
    let (_, _, xml) = run(&s, req("PROPPATCH", CAL, &[], body)).await;
    snap!("proppatch_refused", xml);
    let (_, _, xml) = run(&s, req("PROPFIND", CAL, &[("depth", "0")], PROPS)).await;
    assert!(
        xml.contains("<d:displayname>Privat</d:displayname>"),
        "unchanged: {xml}"
    );
    let body = r#"<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:displayname>X</d:displayname></d:prop></d:set></d:propertyupdate>"#;
    let (_, _, xml) = run(
        &s,
        req("PROPPATCH", "/dav/calendars/lehrer/schule/", &[], body),
    )
    .await;
    assert!(xml.contains("403 Forbidden"), "not the owner: {xml}");
}

#[tokio::test]
async fn address_books_query_and_multiget() {
    let m = seeded();
    m.seed(
        Kind::AddressBook,
        "kontakte",
        "m.vcf",
        &card("m", "Maria Meier"),
    );
    let s = m.store("lehrer");
    let book = "/dav/addressbooks/lehrer/kontakte/";
    let q = r#"<card:addressbook-query xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><card:address-data/></d:prop><card:filter><card:prop-filter name="FN"><card:text-match match-type="starts-with">maria</card:text-match></card:prop-filter></card:filter></card:addressbook-query>"#;
    let (st, _, xml) = run(&s, req("REPORT", book, &[("depth", "1")], q)).await;
    assert_eq!(st, 207);
    snap!("addressbook_query", xml);
    let q = r#"<card:addressbook-multiget xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/></d:prop><d:href>/dav/addressbooks/lehrer/kontakte/k.vcf</d:href><d:href>/dav/addressbooks/lehrer/kontakte/weg.vcf</d:href></card:addressbook-multiget>"#;
    let (_, _, xml) = run(&s, req("REPORT", book, &[], q)).await;
    assert!(
        xml.contains("k.vcf") && xml.contains("404 Not Found"),
        "{xml}"
    );
    let body = r#"<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:supported-report-set/></d:prop></d:propfind>"#;
    let (_, _, xml) = run(
        &s,
        req(
            "PROPFIND",
            "/dav/addressbooks/lehrer/",
            &[("depth", "1")],
            body,
        ),
    )
    .await;
    snap!("addressbook_home", xml);
}

#[tokio::test]
async fn free_busy_shows_only_busy_times() {
    let s = seeded().store("lehrer");
    let q = r#"<c:free-busy-query xmlns:c="urn:ietf:params:xml:ns:caldav"><c:time-range start="20260101T000000Z" end="20260301T000000Z"/></c:free-busy-query>"#;
    let (st, h, ics) = run(&s, req("REPORT", CAL, &[], q)).await;
    assert_eq!(st, 200);
    assert!(
        h["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    assert!(
        ics.contains("FREEBUSY;FBTYPE=BUSY:20260105T080000Z/20260105T090000Z"),
        "{ics}"
    );
    assert!(!ics.contains("Konferenz"), "no details: {ics}");
}

#[tokio::test]
async fn bad_requests_get_clear_400s() {
    let s = seeded().store("lehrer");
    let deep = format!(
        "<d:propfind xmlns:d=\"DAV:\">{}{}</d:propfind>",
        "<a>".repeat(100),
        "</a>".repeat(100)
    );
    for (body, needle) in [
        ("<d:propfind xmlns:d=\"DAV:\"><d:prop>", "fehlerhaft"),
        ("<!DOCTYPE x [<!ENTITY a \"b\">]><x/>", "DOCTYPE"),
        (deep.as_str(), "verschachtelt"),
        ("<x:propfind xmlns:x=\"urn:nope\"/>", "DAV:propfind"),
        ("<p:propfind/>", "Präfix"),
    ] {
        let (st, _, msg) = run(&s, req("PROPFIND", CAL, &[], body)).await;
        assert_eq!(st, 400, "{body}");
        assert!(msg.contains(needle), "{msg}");
    }
    let (st, _, xml) = run(
        &s,
        req("REPORT", CAL, &[], "<d:expand-property xmlns:d=\"DAV:\"/>"),
    )
    .await;
    assert_eq!(st, 403);
    assert!(xml.contains("<d:supported-report/>"), "{xml}");
    let (st, _, _) = run(&s, req("PUT", CAL, &[], "x")).await;
    assert_eq!(st, 405);
    let (st, _, _) = run(
        &s,
        req(
            "PUT",
            "/dav/calendars/lehrer/privat/a.ics",
            &[("if-match", "W/\"x\"")],
            "x",
        ),
    )
    .await;
    assert_eq!(st, 400);
}
