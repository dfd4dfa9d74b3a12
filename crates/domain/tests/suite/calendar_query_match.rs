//! The CalDAV calendar-query (one narrow statement over the occurrence index) on SQLite and
//! PostgreSQL answers exactly the objects the views find by reading every occurrence row:
//! single, all-day, recurring with EXDATE and a moved exception, across both daylight saving
//! changes, long, instant at the range's edges, endless and longer than what is stored, and
//! tasks with and without dates, for every day and month around them. And it costs the same
//! few statements whether the calendar holds ten objects or three hundred.

use crate::calendar_support;
use std::collections::BTreeSet;

use calendar_support::*;
use chrono::{Duration, Months};
use schulhof_domain::calendar::{CalendarId, Component, Precondition, TimeRange};
use schulhof_domain::identity::Actor;
use schulhof_domain::{Db, Platform};
use schulhof_store::backend_tests;
use schulhof_store::testing::statements;

fn vcal(body: &str) -> Vec<u8> {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Schulhof Test//DE\r\n{body}END:VCALENDAR\r\n"
    )
    .into_bytes()
}

const TZ: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\n\
TZOFFSETTO:+0200\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n\
BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nDTSTART:19701025T030000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";

/// The objects of the cases, by name.
fn cases() -> Vec<(&'static str, Vec<u8>)> {
    let berlin = |uid: &str, s: &str, e: &str, extra: &str| event(uid, uid, s, e, extra);
    vec![
        (
            "einzeln",
            berlin("einzeln", "20261203T100000", "20261203T110000", ""),
        ),
        (
            "ganztag",
            vcal(
                "BEGIN:VEVENT\r\nUID:ganztag\r\nDTSTAMP:20261101T000000Z\r\n\
DTSTART;VALUE=DATE:20261207\r\nDTEND;VALUE=DATE:20261209\r\nSUMMARY:Fahrt\r\nEND:VEVENT\r\n",
            ),
        ),
        // Weekly from 4 November, 10 times; 2 December left out, 9 December moved to the 10th.
        (
            "woche",
            vcal(
                "BEGIN:VEVENT\r\nUID:woche\r\nDTSTAMP:20261101T000000Z\r\n\
DTSTART;TZID=Europe/Berlin:20261104T150000\r\nDTEND;TZID=Europe/Berlin:20261104T160000\r\n\
RRULE:FREQ=WEEKLY;COUNT=10\r\nEXDATE;TZID=Europe/Berlin:20261202T150000\r\nSUMMARY:Konferenz\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:woche\r\nDTSTAMP:20261101T000000Z\r\nRECURRENCE-ID;TZID=Europe/Berlin:20261209T150000\r\n\
DTSTART;TZID=Europe/Berlin:20261210T090000\r\nDTEND;TZID=Europe/Berlin:20261210T100000\r\n\
SUMMARY:Konferenz (verlegt)\r\nEND:VEVENT\r\n",
            ),
        ),
        // Across the end (25 October 2026) and the start (28 March 2027) of summer time.
        (
            "herbst",
            berlin(
                "herbst",
                "20261024T023000",
                "20261024T033000",
                "RRULE:FREQ=DAILY;COUNT=3\r\n",
            ),
        ),
        (
            "fruehling",
            berlin(
                "fruehling",
                "20270327T020000",
                "20270327T030000",
                "RRULE:FREQ=DAILY;COUNT=3\r\n",
            ),
        ),
        // Longer than the span a reader looks back.
        (
            "lang",
            berlin("lang", "20261120T080000", "20261215T080000", ""),
        ),
        // Instant: 1 December 01:00 Berlin is the range edge 00:00 UTC.
        (
            "punkt",
            berlin("punkt", "20261201T010000", "20261201T010000", ""),
        ),
        // Endless, and longer than what is stored: open rows, expanded by the reader.
        (
            "endlos",
            berlin(
                "endlos",
                "20261102T073000",
                "20261102T074500",
                "RRULE:FREQ=DAILY\r\n",
            ),
        ),
        (
            "viele",
            berlin(
                "viele",
                "20261101T120000",
                "20261101T121500",
                "RRULE:FREQ=DAILY;COUNT=1500\r\n",
            ),
        ),
        // What clients send: the zone's definition with its endless yearly rules.
        (
            "mitzone",
            vcal(&format!(
                "{TZ}BEGIN:VEVENT\r\nUID:mitzone\r\nDTSTAMP:20261101T000000Z\r\n\
DTSTART;TZID=Europe/Berlin:20261116T100000\r\nDTEND;TZID=Europe/Berlin:20261116T110000\r\n\
SUMMARY:Elternabend\r\nEND:VEVENT\r\n"
            )),
        ),
        (
            "aufgabe",
            vcal(
                "BEGIN:VTODO\r\nUID:aufgabe\r\nDTSTAMP:20261101T000000Z\r\nSUMMARY:Ohne Datum\r\nEND:VTODO\r\n",
            ),
        ),
        (
            "faellig",
            vcal(
                "BEGIN:VTODO\r\nUID:faellig\r\nDTSTAMP:20261101T000000Z\r\n\
DTSTART;TZID=Europe/Berlin:20261214T080000\r\nDUE;TZID=Europe/Berlin:20261218T080000\r\nSUMMARY:Noten\r\nEND:VTODO\r\n",
            ),
        ),
    ]
}

async fn put_cases(p: &Platform, t: &Actor, cal: CalendarId) {
    for (name, raw) in cases() {
        p.calendar_put(t, cal, &format!("{name}.ics"), &raw, Precondition::None)
            .await
            .expect(name);
    }
}

async fn query(p: &Platform, t: &Actor, cal: CalendarId, r: TimeRange) -> Vec<String> {
    p.calendar_query(t, cal, Some(r), None)
        .await
        .expect("query")
        .into_iter()
        .map(|o| o.href)
        .collect()
}

/// The reference: the objects with an instance in the range as the views read them.
async fn viewed(p: &Platform, t: &Actor, cal: CalendarId, r: TimeRange) -> BTreeSet<String> {
    p.calendar_instances(t, Some(&[cal]), r)
        .await
        .expect("instances")
        .into_iter()
        .map(|i| i.href)
        .collect()
}

fn set(v: &[&str]) -> BTreeSet<String> {
    v.iter().map(|n| format!("{n}.ics")).collect()
}

async fn the_query_finds_what_the_views_find(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let cal = p.calendar_personal(&t).await.expect("own").id;
    put_cases(p, &t, cal).await;

    // A zone definition's yearly rules make no series of a single event (no open row).
    let single = p
        .calendar_get(&t, cal, "mitzone.ics")
        .await
        .expect("get")
        .info;
    assert!(!single.recurring && single.last_end.is_some(), "{single:?}");
    let nov = range(utc(2026, 11, 1, 0, 0), utc(2026, 12, 1, 0, 0));
    assert!(
        query(p, &t, cal, nov)
            .await
            .contains(&"mitzone.ics".to_owned())
    );
    let jan = range(utc(2027, 1, 1, 0, 0), utc(2027, 2, 1, 0, 0));
    assert!(
        !query(p, &t, cal, jan)
            .await
            .contains(&"mitzone.ics".to_owned())
    );

    // Exact answers for a few ranges, each object once, in order of first start.
    let dec = range(utc(2026, 12, 1, 0, 0), utc(2027, 1, 1, 0, 0));
    let got = query(p, &t, cal, dec).await;
    assert_eq!(
        got.iter().cloned().collect::<BTreeSet<_>>(),
        set(&[
            "einzeln", "ganztag", "woche", "lang", "punkt", "endlos", "viele", "aufgabe", "faellig"
        ]),
        "{got:?}"
    );
    assert_eq!(got.len(), 9, "each object once: {got:?}");
    assert_eq!(got[0], "aufgabe.ics", "no date sorts first: {got:?}");
    // The instant at 00:00 UTC belongs to the range starting there, not to the one ending.
    let before = range(utc(2026, 11, 30, 23, 0), utc(2026, 12, 1, 0, 0));
    assert!(
        !query(p, &t, cal, before)
            .await
            .contains(&"punkt.ics".to_owned())
    );
    // 2 December was left out, the 9th moved to the 10th.
    let day = |y, m, d| range(utc(y, m, d, 0, 0), utc(y, m, d, 0, 0) + Duration::days(1));
    assert!(
        !query(p, &t, cal, day(2026, 12, 2))
            .await
            .contains(&"woche.ics".to_owned())
    );
    assert!(
        !query(p, &t, cal, day(2026, 12, 9))
            .await
            .contains(&"woche.ics".to_owned())
    );
    assert!(
        query(p, &t, cal, day(2026, 12, 10))
            .await
            .contains(&"woche.ics".to_owned())
    );
    // Far ahead only what the index did not store answers (by expansion).
    let far = range(utc(2031, 3, 1, 0, 0), utc(2031, 4, 1, 0, 0));
    assert_eq!(
        query(p, &t, cal, far)
            .await
            .into_iter()
            .collect::<BTreeSet<_>>(),
        set(&["endlos", "aufgabe"])
    );
    let events = p
        .calendar_query(&t, cal, Some(dec), Some(Component::VEvent))
        .await
        .expect("events");
    assert_eq!(events.len(), 7);
    let stored = p.calendar_get(&t, cal, "woche.ics").await.expect("get");
    let hit = events
        .iter()
        .find(|o| o.href == "woche.ics")
        .expect("woche");
    assert_eq!(hit.raw, stored.raw, "byte for byte");
    assert_eq!(
        (hit.etag.as_str(), hit.uid.as_str()),
        (stored.info.etag.as_str(), "woche")
    );

    // Every day and every month around the cases: the same objects as the views.
    let mut ranges = Vec::new();
    let mut d = utc(2026, 10, 20, 0, 0);
    while d < utc(2027, 4, 5, 0, 0) {
        ranges.push(range(d, d + Duration::days(1)));
        // Berlin midnight too (23:00 UTC in winter): the all-day and instant edges.
        ranges.push(range(d - Duration::hours(1), d + Duration::hours(23)));
        d += Duration::days(1);
    }
    let mut m = utc(2026, 9, 1, 0, 0);
    while m < utc(2032, 1, 1, 0, 0) {
        let next = m.checked_add_months(Months::new(1)).expect("month");
        ranges.push(range(m, next));
        m = next;
    }
    for r in ranges {
        let got = query(p, &t, cal, r).await;
        let unique: BTreeSet<String> = got.iter().cloned().collect();
        assert_eq!(unique.len(), got.len(), "each once in {r:?}: {got:?}");
        assert_eq!(unique, viewed(p, &t, cal, r).await, "{r:?}");
    }
}

/// Whether statements are counted (not when another subscriber was installed first).
fn counting() -> bool {
    statements::install()
}

/// The statements of one month query and how many objects it found.
async fn statements_of(p: &Platform, t: &Actor, cal: CalendarId, r: TimeRange) -> (usize, usize) {
    let before = statements::so_far();
    let n = query(p, t, cal, r).await.len();
    (statements::so_far() - before, n)
}

async fn the_query_costs_a_few_statements_however_many_objects(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let cal = p.calendar_personal(&t).await.expect("own").id;
    // Weekly series from September, all meeting in January: none open.
    let put = |i: usize| {
        let raw = event(
            &format!("w{i}"),
            "Stunde",
            &format!("2026090{}T{:02}0000", 1 + i % 7, 7 + i % 9),
            &format!("2026090{}T{:02}4500", 1 + i % 7, 7 + i % 9),
            "RRULE:FREQ=WEEKLY;UNTIL=20270701T000000Z\r\n",
        );
        (format!("w{i}.ics"), raw)
    };
    for i in 0..10 {
        let (name, raw) = put(i);
        p.calendar_put(&t, cal, &name, &raw, Precondition::None)
            .await
            .expect("put");
    }
    let jan = range(utc(2027, 1, 1, 0, 0), utc(2027, 2, 1, 0, 0));
    counting();
    let (few, n) = statements_of(p, &t, cal, jan).await;
    assert_eq!(n, 10);
    for i in 10..300 {
        let (name, raw) = put(i);
        p.calendar_put(&t, cal, &name, &raw, Precondition::None)
            .await
            .expect("put");
    }
    let (many, n) = statements_of(p, &t, cal, jan).await;
    assert_eq!(n, 300);
    eprintln!("statements of a month query: {few} (10 objects), {many} (300 objects)");
    if counting() {
        // The calendar, the hits (the time index cold, the changes since the kept hits
        // after the 290 puts, with their texts), the texts not read with them.
        assert_eq!(many, few, "not one per object");
        assert!(many <= 3, "{many} statements");
    }
    // Asked again, nothing changed: the kept hits, no statement for them.
    let (again, n) = statements_of(p, &t, cal, jan).await;
    assert_eq!(n, 300);
    // One object changes: its new text is read, the others are still held.
    let (name, raw) = put(7);
    let changed = String::from_utf8(raw)
        .expect("utf-8")
        .replace("Stunde", "Vertretung");
    p.calendar_put(&t, cal, &name, changed.as_bytes(), Precondition::None)
        .await
        .expect("change");
    let (after, n) = statements_of(p, &t, cal, jan).await;
    assert_eq!(n, 300);
    if counting() {
        assert_eq!(again, many - 1, "hits kept: {again}");
        assert_eq!(after, many, "the change read: {after}");
    }
    let hits = p
        .calendar_query(&t, cal, Some(jan), None)
        .await
        .expect("query");
    let hit = hits.iter().find(|h| h.href == name).expect("changed");
    assert_eq!(hit.raw, changed, "the new text, not the held one");
    let stored = p.calendar_get(&t, cal, &name).await.expect("get");
    assert_eq!(hit.etag, stored.info.etag);
    // Without texts: the same objects with the same names and ETags, in the same order.
    let tags = p
        .calendar_query_tags(&t, cal, Some(jan), None)
        .await
        .expect("tags");
    let pairs = |v: &[schulhof_domain::calendar::QueryHit]| -> Vec<(String, String)> {
        v.iter().map(|h| (h.href.clone(), h.etag.clone())).collect()
    };
    assert_eq!(pairs(&tags), pairs(&hits));
    assert!(tags.iter().all(|h| h.raw.is_empty()));
}

/// Occurrence rows a node of the previous reading wrote after migration 0063 (without the
/// copied name and ETag) are rewritten by the re-index job; until then the query would
/// answer empty names, afterwards it answers what the objects hold.
async fn rows_without_the_copied_columns_are_reindexed(db: Db) {
    let s = school(db.clone()).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let cal = p.calendar_personal(&t).await.expect("own").id;
    put_cases(p, &t, cal).await;
    let dec = range(utc(2026, 12, 1, 0, 0), utc(2027, 1, 1, 0, 0));
    let before = p
        .calendar_query(&t, cal, Some(dec), None)
        .await
        .expect("before");
    let mut tx = db.begin().await.expect("tx");
    schulhof_store::calendar::reindex::spoil_heads(&mut tx, t.token.instance(), cal)
        .await
        .expect("spoil");
    tx.commit().await.expect("commit");
    assert!(p.system_index_calendar_occurrences().await.expect("job") > 0);
    let after = p
        .calendar_query(&t, cal, Some(dec), None)
        .await
        .expect("after");
    let key = |v: &[schulhof_domain::calendar::QueryHit]| -> Vec<(String, String, String)> {
        v.iter()
            .map(|h| (h.href.clone(), h.etag.clone(), h.raw.clone()))
            .collect()
    };
    assert!(!before.is_empty());
    assert_eq!(key(&after), key(&before));
    assert_eq!(
        p.system_index_calendar_occurrences().await.expect("again"),
        0,
        "nothing left"
    );
}

async fn put_one(p: &Platform, t: &Actor, cal: CalendarId, name: &str, raw: Vec<u8>) {
    p.calendar_put(t, cal, &format!("{name}.ics"), &raw, Precondition::None)
        .await
        .expect(name);
}

/// A month asked again after changes answers from the kept hits and what changed since:
/// an event moved out of the month, one deleted, one added, one renamed, a name deleted
/// and made again — exactly what the views find, with the new texts and ETags, in a few
/// statements.
async fn kept_hits_follow_every_change(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let cal = p.calendar_personal(&t).await.expect("own").id;
    put_cases(p, &t, cal).await;
    let dec = range(utc(2026, 12, 1, 0, 0), utc(2027, 1, 1, 0, 0));
    let before: BTreeSet<String> = query(p, &t, cal, dec).await.into_iter().collect();
    assert!(before.contains("einzeln.ics") && before.contains("ganztag.ics"));
    put_one(
        p,
        &t,
        cal,
        "einzeln",
        event("einzeln", "Weg", "20270115T100000", "20270115T110000", ""),
    )
    .await;
    p.calendar_delete_object(&t, cal, "ganztag.ics", Precondition::None)
        .await
        .expect("delete");
    put_one(
        p,
        &t,
        cal,
        "neu",
        event("neu", "Neu", "20261220T100000", "20261220T110000", ""),
    )
    .await;
    put_one(
        p,
        &t,
        cal,
        "zweimal",
        event("zweimal", "Eins", "20261221T100000", "20261221T110000", ""),
    )
    .await;
    p.calendar_delete_object(&t, cal, "zweimal.ics", Precondition::None)
        .await
        .expect("delete");
    put_one(
        p,
        &t,
        cal,
        "zweimal",
        event("zweimal", "Zwei", "20261222T100000", "20261222T110000", ""),
    )
    .await;
    let renamed = String::from_utf8(
        cases()
            .into_iter()
            .find(|c| c.0 == "woche")
            .expect("woche")
            .1,
    )
    .expect("utf-8")
    .replace("SUMMARY:Konferenz\r\n", "SUMMARY:Dienstbesprechung\r\n");
    put_one(p, &t, cal, "woche", renamed.clone().into_bytes()).await;

    counting();
    let before_n = statements::so_far();
    let hits = p
        .calendar_query(&t, cal, Some(dec), None)
        .await
        .expect("query");
    let spent = statements::so_far() - before_n;
    let found: BTreeSet<String> = hits.iter().map(|h| h.href.clone()).collect();
    assert_eq!(found, viewed(p, &t, cal, dec).await, "what the views find");
    assert!(!found.contains("einzeln.ics"), "moved out");
    assert!(!found.contains("ganztag.ics"), "deleted");
    assert!(found.contains("neu.ics") && found.contains("zweimal.ics"));
    for h in &hits {
        let stored = p.calendar_get(&t, cal, &h.href).await.expect("stored");
        assert_eq!(h.etag, stored.info.etag, "{}", h.href);
        assert_eq!(h.raw, stored.raw, "{}", h.href);
    }
    let woche = hits.iter().find(|h| h.href == "woche.ics").expect("woche");
    assert_eq!(woche.raw, renamed);
    assert_eq!(
        hits.iter().filter(|h| h.href == "zweimal.ics").count(),
        1,
        "made again: once"
    );
    if counting() {
        // The calendar, the changes since the kept hits (with their texts), the other texts,
        // the endless series expanded.
        assert!(spent <= 4, "{spent} statements");
    }
}

backend_tests!(
    kept_hits_follow_every_change,
    the_query_finds_what_the_views_find,
    the_query_costs_a_few_statements_however_many_objects,
    rows_without_the_copied_columns_are_reindexed,
);
