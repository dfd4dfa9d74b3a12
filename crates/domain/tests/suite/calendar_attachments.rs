//! Attachments of events from the file areas: attach (all or none), never the Safe, never a
//! file one cannot read or another school's, the limit per event, who sees and downloads
//! them (readers, not free/busy-only viewers, not other schools), ATTACH in the iCalendar
//! answers, and removal with the event.

use std::sync::Arc;

use crate::calendar_support;
use calendar_support::*;
use chrono::{TimeZone, Utc};
use schulhof_authz::files::Area;
use schulhof_domain::calendar::{
    CalAccess, CalendarError, CalendarId, MAX_ATTACHMENTS, Precondition, ShareWith,
};
use schulhof_domain::clock::ManualClock;
use schulhof_domain::files::Placement;
use schulhof_domain::identity::Actor;
use schulhof_domain::mail::outbound::OutboundConfig;
use schulhof_domain::{Config, Db, HashParams, Platform};
use schulhof_store::backend_tests;
use schulhof_store::files::NodeRow as FileNode;
use schulhof_store::testing::statements;
use tokio::io::AsyncReadExt;

const BASE: &str = "https://schulhof.test";

fn platform_with_url(db: Db) -> Platform {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 2, 8, 0, 0)
            .single()
            .expect("time"),
    ));
    let config = Config {
        hash: HashParams::insecure_fast_for_tests(),
        outbound: OutboundConfig {
            public_url: Some(format!("{BASE}/")),
            ..OutboundConfig::default()
        },
        ..Config::default()
    };
    Platform::new(db, clock, config)
}

pub(crate) async fn own_file(p: &Platform, a: &Actor, name: &str, content: &[u8]) -> FileNode {
    let root = p
        .file_areas(a)
        .await
        .expect("areas")
        .into_iter()
        .find(|e| e.area_value == Area::Own)
        .expect("own area");
    let folder = p.locate(a, root.id).await.expect("root");
    let e = p
        .file_upload(
            a,
            Placement {
                folder: &folder,
                name,
            },
            None,
            content,
        )
        .await
        .expect("upload");
    p.locate(a, e.id).await.expect("file").node().clone()
}

async fn class_event(s: &School, t: &Actor) -> CalendarId {
    let g5a = t.groups.iter().find(|g| g.name == "5a").expect("5a").id;
    let c5a = s.platform.calendar_of_group(t, g5a).await.expect("5a").id;
    s.platform
        .calendar_put(
            t,
            c5a,
            "ka.ics",
            &event(
                "ka",
                "Klassenarbeit",
                "20261204T080000",
                "20261204T090000",
                "RRULE:FREQ=WEEKLY;COUNT=3\r\n",
            ),
            Precondition::None,
        )
        .await
        .expect("put");
    c5a
}

pub(crate) async fn read_all(mut r: schulhof_blob::BlobReader) -> Vec<u8> {
    let mut v = Vec::new();
    r.read_to_end(&mut v).await.expect("read");
    v
}

async fn attach_download_and_remove(db: Db) {
    let s = school_on(platform_with_url(db), "123456").await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let anna = s.user("anna").await;
    let carla = s.user("carla").await;
    let c5a = class_event(&s, &t).await;
    let plan = own_file(p, &t, "Stoffplan.pdf", b"%PDF-1.4 Stoff").await;
    let zettel = own_file(p, &t, "Zettel.txt", b"Zettel").await;
    let before = p.calendar_get(&t, c5a, "ka.ics").await.expect("get");

    // A student reads the class calendar but does not change it: nothing attached.
    assert!(matches!(
        p.calendar_attach_files(&anna, c5a, "ka.ics", &[plan.id])
            .await,
        Err(CalendarError::Forbidden)
    ));
    // Another class's student does not see the calendar at all.
    assert!(matches!(
        p.calendar_attach_files(&carla, c5a, "ka.ics", &[plan.id])
            .await,
        Err(CalendarError::NotFound)
    ));
    // Nothing, or an event that does not exist.
    assert!(
        p.calendar_attach_files(&t, c5a, "ka.ics", &[])
            .await
            .is_err()
    );
    assert!(matches!(
        p.calendar_attach_files(&t, c5a, "fehlt.ics", &[plan.id])
            .await,
        Err(CalendarError::NotFound)
    ));

    let ids = p
        .calendar_attach_files(&t, c5a, "ka.ics", &[plan.id, zettel.id])
        .await
        .expect("attach two");
    assert_eq!(ids.len(), 2);

    // Every reader of the event sees the list and downloads the same content.
    let list = p
        .calendar_attachments(&anna, c5a, "ka.ics")
        .await
        .expect("the student sees them");
    let names: Vec<&str> = list.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Stoffplan.pdf", "Zettel.txt"]);
    assert_eq!(list[0].size, 14);
    let (info, sha, reader) = p
        .calendar_attachment_content(&anna, c5a, "ka.ics", ids[0])
        .await
        .expect("download");
    assert_eq!(info.name, "Stoffplan.pdf");
    assert_eq!(Some(sha), plan.blob_sha, "the same blob, no copy");
    assert_eq!(read_all(reader).await, b"%PDF-1.4 Stoff");
    for who in [&carla] {
        assert!(matches!(
            p.calendar_attachments(who, c5a, "ka.ics").await,
            Err(CalendarError::NotFound)
        ));
        assert!(matches!(
            p.calendar_attachment_content(who, c5a, "ka.ics", ids[0])
                .await,
            Err(CalendarError::NotFound)
        ));
    }
    // An attachment id of the event under another event's name is unknown.
    p.calendar_put(
        &t,
        c5a,
        "other.ics",
        &event("o", "Anderes", "20261205T080000", "20261205T090000", ""),
        Precondition::None,
    )
    .await
    .expect("put");
    assert!(matches!(
        p.calendar_attachment_content(&anna, c5a, "other.ics", ids[0])
            .await,
        Err(CalendarError::NotFound)
    ));

    // The iCalendar answers carry ATTACH with the event-scoped absolute address; the
    // ETag and the sync token changed with them.
    let after = p.calendar_get(&anna, c5a, "ka.ics").await.expect("get");
    assert_ne!(after.info.etag, before.info.etag);
    assert!(after.info.modseq > before.info.modseq);
    let unfolded = after.raw.replace("\r\n ", "");
    let url = format!("{BASE}/kalender/{c5a}/termin/ka.ics/anhang/{}", ids[0]);
    assert!(unfolded.contains(&url), "{unfolded}");
    assert!(unfolded.contains("FILENAME=Stoffplan.pdf"), "{unfolded}");
    assert!(unfolded.contains("FMTTYPE="), "{unfolded}");
    assert_eq!(unfolded.matches("ATTACH").count(), 2, "{unfolded}");
    let export = p.calendar_export(&anna, c5a).await.expect("export");
    assert!(export.replace("\r\n ", "").contains(&url), "{export}");
    let hits = p
        .calendar_query(&anna, c5a, None, None)
        .await
        .expect("query");
    let hit = hits.iter().find(|h| h.href == "ka.ics").expect("hit");
    assert_eq!(hit.etag, after.info.etag);
    assert_eq!(hit.raw, after.raw, "calendar-query answers as GET does");
    let dec = range(utc(2026, 12, 1, 0, 0), utc(2027, 1, 1, 0, 0));
    let hits = p
        .calendar_query(&anna, c5a, Some(dec), None)
        .await
        .expect("month query");
    let hit = hits.iter().find(|h| h.href == "ka.ics").expect("hit");
    assert_eq!(hit.raw, after.raw, "a time-range query as well");
    let other = hits.iter().find(|h| h.href == "other.ics").expect("other");
    assert!(!other.raw.contains("ATTACH"), "{}", other.raw);
    let multi = p
        .calendar_multiget(&anna, c5a, &["ka.ics".into()])
        .await
        .expect("multiget");
    assert!(multi[0].raw.replace("\r\n ", "").contains(&url));

    // A client writes the text back with our ATTACH lines: they are not doubled.
    p.calendar_put(
        &t,
        c5a,
        "ka.ics",
        after.raw.as_bytes(),
        Precondition::IfMatch(after.info.etag.clone()),
    )
    .await
    .expect("a client writes back what it got");
    let again = p.calendar_get(&t, c5a, "ka.ics").await.expect("get");
    assert_eq!(
        again.raw.replace("\r\n ", "").matches("ATTACH").count(),
        2,
        "{}",
        again.raw
    );

    // Removing: only who changes the event; then it is gone everywhere.
    assert!(
        p.calendar_remove_attachment(&anna, c5a, "ka.ics", ids[1])
            .await
            .is_err()
    );
    p.calendar_remove_attachment(&t, c5a, "ka.ics", ids[1])
        .await
        .expect("remove");
    assert!(matches!(
        p.calendar_remove_attachment(&t, c5a, "ka.ics", ids[1])
            .await,
        Err(CalendarError::NotFound)
    ));
    assert_eq!(
        p.calendar_attachments(&anna, c5a, "ka.ics")
            .await
            .expect("list")
            .len(),
        1
    );
    let now = p.calendar_get(&anna, c5a, "ka.ics").await.expect("get");
    assert_eq!(now.raw.replace("\r\n ", "").matches("ATTACH").count(), 1);

    // The event is deleted: its attachments go with it, the blob stays referenced only
    // by the file area.
    p.calendar_delete_object(&t, c5a, "ka.ics", Precondition::None)
        .await
        .expect("delete");
    assert!(matches!(
        p.calendar_attachment_content(&t, c5a, "ka.ics", ids[0])
            .await,
        Err(CalendarError::NotFound)
    ));
    class_event(&s, &t).await;
    assert!(
        p.calendar_attachments(&t, c5a, "ka.ics")
            .await
            .expect("list")
            .is_empty(),
        "a new event under the old name starts without attachments"
    );
}

async fn only_readable_files_never_the_safe(db: Db) {
    let s = school(db.clone()).await;
    let other = school_on(platform(db), "654321").await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let c5a = class_event(&s, &t).await;
    let mine = own_file(p, &t, "ok.txt", b"ok").await;
    let hers = own_file(p, &s.user("anna").await, "geheim.txt", b"nur meins").await;
    let elsewhere = own_file(
        &other.platform,
        &other.user("lehrer").await,
        "fremd.txt",
        b"andere Schule",
    )
    .await;
    for bad in [hers.id, elsewhere.id] {
        assert!(matches!(
            p.calendar_attach_files(&t, c5a, "ka.ics", &[mine.id, bad])
                .await,
            Err(CalendarError::NotFound)
        ));
    }
    // All or none: the readable file was not attached either.
    assert!(
        p.calendar_attachments(&t, c5a, "ka.ics")
            .await
            .expect("list")
            .is_empty()
    );

    // The Safe: not even with the Safe open.
    let head = s.user("schulleitung").await;
    let safe_pw = p
        .safe_generate_password(&head, "lehrer")
        .await
        .expect("safe password");
    p.safe_unlock(&t, &safe_pw, "127.0.0.1")
        .await
        .expect("unlock");
    let safe = p.safe_actor(&t).await.expect("open");
    let root = p
        .safe_areas(&safe)
        .await
        .expect("areas")
        .into_iter()
        .find(|e| e.area_value == Area::SafeOwn)
        .expect("own Safe area");
    let folder = p.locate(&safe, root.id).await.expect("root");
    let secret = p
        .file_upload(
            &safe,
            Placement {
                folder: &folder,
                name: "Förderplan.txt",
            },
            None,
            &b"vertraulich"[..],
        )
        .await
        .expect("upload into the Safe");
    for a in [&safe, &t] {
        assert!(matches!(
            p.calendar_attach_files(a, c5a, "ka.ics", &[secret.id])
                .await,
            Err(CalendarError::NotFound)
        ));
    }
    assert!(
        p.calendar_attachments(&t, c5a, "ka.ics")
            .await
            .expect("list")
            .is_empty()
    );
}

async fn at_most_twenty_per_event(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let own = p.calendar_personal(&t).await.expect("own").id;
    p.calendar_put(
        &t,
        own,
        "viel.ics",
        &event("viel", "Viel", "20261204T080000", "20261204T090000", ""),
        Precondition::None,
    )
    .await
    .expect("put");
    let mut files = Vec::new();
    for i in 0..=MAX_ATTACHMENTS {
        files.push(own_file(p, &t, &format!("f{i}.txt"), b"x").await.id);
    }
    // More than the limit at once: refused, nothing attached.
    assert!(
        p.calendar_attach_files(&t, own, "viel.ics", &files)
            .await
            .is_err()
    );
    p.calendar_attach_files(&t, own, "viel.ics", &files[..MAX_ATTACHMENTS - 1])
        .await
        .expect("19");
    let err = p
        .calendar_attach_files(&t, own, "viel.ics", &files[MAX_ATTACHMENTS - 1..])
        .await
        .expect_err("two more than fit");
    assert!(err.to_string().contains("höchstens 20"), "{err}");
    assert_eq!(
        p.calendar_attachments(&t, own, "viel.ics")
            .await
            .expect("list")
            .len(),
        MAX_ATTACHMENTS - 1
    );
    p.calendar_attach_files(&t, own, "viel.ics", &files[MAX_ATTACHMENTS..])
        .await
        .expect("the 20th");
}

async fn private_and_free_busy_viewers_see_no_attachments(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let ben = s.user("ben").await;
    let anna = s.user("anna").await;
    let own = p.calendar_personal(&t).await.expect("own").id;
    p.calendar_put(
        &t,
        own,
        "privat.ics",
        &event("privat", "Arzt", "20261204T080000", "20261204T090000", ""),
        Precondition::None,
    )
    .await
    .expect("put");
    let f = own_file(p, &t, "Befund.txt", b"privat").await;
    let ids = p
        .calendar_attach_files(&t, own, "privat.ics", &[f.id])
        .await
        .expect("attach");
    // Others of the school see only busy times of a personal calendar: no attachments.
    for who in [&ben, &anna] {
        assert!(matches!(
            p.calendar_attachments(who, own, "privat.ics").await,
            Err(CalendarError::NotFound)
        ));
        assert!(matches!(
            p.calendar_attachment_content(who, own, "privat.ics", ids[0])
                .await,
            Err(CalendarError::NotFound)
        ));
    }
    // The busy time is still seen, without details.
    let busy = p
        .calendar_free_busy(
            &ben,
            schulhof_domain::calendar::FreeBusyOf::User(t.user.id),
            range(utc(2026, 12, 1, 0, 0), utc(2026, 12, 8, 0, 0)),
        )
        .await
        .expect("busy");
    assert_eq!(busy.len(), 1);
    // A share to read: the sharee sees the attachments.
    p.calendar_share(&t, own, ShareWith::User(ben.user.id), CalAccess::Read)
        .await
        .expect("share");
    assert_eq!(
        p.calendar_attachments(&ben, own, "privat.ics")
            .await
            .expect("shared")
            .len(),
        1
    );
    // Reading is not changing.
    assert!(matches!(
        p.calendar_remove_attachment(&ben, own, "privat.ics", ids[0])
            .await,
        Err(CalendarError::Forbidden)
    ));
}

/// The statements of a whole-calendar and a month query.
async fn query_statements(p: &Platform, a: &Actor, cal: CalendarId) -> (usize, Vec<String>) {
    let dec = range(utc(2026, 12, 1, 0, 0), utc(2027, 1, 1, 0, 0));
    let before = statements::so_far();
    let all = p.calendar_query(a, cal, None, None).await.expect("query");
    let month = p
        .calendar_query(a, cal, Some(dec), None)
        .await
        .expect("month");
    let raws = all.into_iter().chain(month).map(|h| h.raw).collect();
    (statements::so_far() - before, raws)
}

/// calendar-query answers carry ATTACH like GET, without a statement per query: a calendar
/// without attachments costs what it did (its row says so), one with them reads them once
/// for its state and then costs the same; a change of the attachments is seen at once.
async fn queries_carry_attach_for_the_calendars_state(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let plain = p.calendar_personal(&t).await.expect("own").id;
    let c5a = class_event(&s, &t).await;
    p.calendar_put(
        &t,
        plain,
        "ka.ics",
        &event(
            "ka",
            "Sprechstunde",
            "20261204T080000",
            "20261204T090000",
            "RRULE:FREQ=WEEKLY;COUNT=3\r\n",
        ),
        Precondition::None,
    )
    .await
    .expect("put");
    let f = own_file(p, &t, "Aufgaben.pdf", b"%PDF-1.4 A").await;
    let ids = p
        .calendar_attach_files(&t, c5a, "ka.ics", &[f.id])
        .await
        .expect("attach");
    // Without a public URL the address is a path.
    let url = format!("/kalender/{c5a}/termin/ka.ics/anhang/{}", ids[0]);
    let counting = statements::install();
    let (plain_first, raws) = query_statements(p, &t, plain).await;
    assert!(raws.iter().all(|r| !r.contains("ATTACH")));
    let (plain_again, _) = query_statements(p, &t, plain).await;
    let (first, raws) = query_statements(p, &t, c5a).await;
    assert_eq!(raws.len(), 2);
    assert!(
        raws.iter().all(|r| r.replace("\r\n ", "").contains(&url)),
        "{raws:?}"
    );
    let (again, _) = query_statements(p, &t, c5a).await;
    eprintln!("query statements: {plain_first}/{plain_again} without, {first}/{again} with");
    if counting {
        assert!(first <= plain_first + 1, "{first} vs {plain_first}");
        assert_eq!(again, plain_again, "kept for the calendar's state");
    }
    p.calendar_remove_attachment(&t, c5a, "ka.ics", ids[0])
        .await
        .expect("remove");
    let (_, raws) = query_statements(p, &t, c5a).await;
    assert!(raws.iter().all(|r| !r.contains("ATTACH")), "{raws:?}");
}

backend_tests!(
    queries_carry_attach_for_the_calendars_state,
    attach_download_and_remove,
    only_readable_files_never_the_safe,
    at_most_twenty_per_event,
    private_and_free_busy_viewers_see_no_attachments,
);
