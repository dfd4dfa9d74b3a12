//! The occurrence index on SQLite and PostgreSQL: a time-range query answers from stored
//! occurrences, expands itself past what was stored (an endless series years ahead), finds
//! long events from before the range, carries the place, and the indexing job restores what
//! is missing.

use crate::calendar_support;
use calendar_support::*;
use schulhof_domain::Db;
use schulhof_domain::calendar::Precondition;
use schulhof_store::backend_tests;
use schulhof_store::calendar::objects as obj_store;
use schulhof_store::calendar::occurrences as occ_store;

async fn endless_series_are_answered_beyond_what_was_stored(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let cal = p.calendar_personal(&t).await.expect("own").id;
    // Daily, endless: 1,000 occurrences are stored (about 2.7 years), later ones expanded.
    let daily = event(
        "tag",
        "Aufsicht",
        "20261102T073000",
        "20261102T074500",
        "RRULE:FREQ=DAILY\r\nLOCATION:Pausenhof\r\n",
    );
    p.calendar_put(&t, cal, "tag.ics", &daily, Precondition::None)
        .await
        .expect("put");
    for (y, m) in [(2026, 12), (2031, 3)] {
        let r = range(utc(y, m, 1, 0, 0), utc(y, m, 8, 0, 0));
        let v = p
            .calendar_instances(&t, Some(&[cal]), r)
            .await
            .expect("instances");
        assert_eq!(v.len(), 7, "{y}-{m}: {v:#?}");
        assert!(v.iter().all(|i| i.location == "Pausenhof"), "{v:#?}");
        let q = p.calendar_query(&t, cal, Some(r), None).await.expect("q");
        assert_eq!(q.len(), 1, "{y}-{m}");
    }
    // Before the first occurrence: nothing.
    let before = range(utc(2026, 10, 1, 0, 0), utc(2026, 11, 1, 0, 0));
    assert!(
        p.calendar_query(&t, cal, Some(before), None)
            .await
            .expect("q")
            .is_empty()
    );
}

async fn long_events_and_renamed_occurrences(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let cal = p.calendar_personal(&t).await.expect("own").id;
    // Three weeks of internship: starts long before the range asked.
    let long = event(
        "prakt",
        "Praktikum",
        "20261102T080000",
        "20261120T160000",
        "",
    );
    p.calendar_put(&t, cal, "prakt.ics", &long, Precondition::None)
        .await
        .expect("put");
    let mid = range(utc(2026, 11, 16, 0, 0), utc(2026, 11, 17, 0, 0));
    let v = p
        .calendar_instances(&t, Some(&[cal]), mid)
        .await
        .expect("instances");
    assert_eq!(v.len(), 1, "{v:#?}");
    assert_eq!(v[0].summary, "Praktikum");
    assert_eq!(
        p.calendar_query(&t, cal, Some(mid), None)
            .await
            .expect("q")
            .len(),
        1
    );
    // A weekly series with one renamed, moved occurrence in another room.
    let raw = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//DE\r\n\
BEGIN:VEVENT\r\nUID:w\r\nDTSTART;TZID=Europe/Berlin:20261103T140000\r\nDTEND;TZID=Europe/Berlin:20261103T150000\r\n\
SUMMARY:Chor\r\nLOCATION:Aula\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:w\r\nRECURRENCE-ID;TZID=Europe/Berlin:20261110T140000\r\nDTSTART;TZID=Europe/Berlin:20261110T160000\r\n\
DTEND;TZID=Europe/Berlin:20261110T170000\r\nSUMMARY:Chor (Probe)\r\nLOCATION:Musikraum\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    p.calendar_put(&t, cal, "w.ics", raw.as_bytes(), Precondition::None)
        .await
        .expect("put");
    let month = range(utc(2026, 11, 3, 0, 0), utc(2026, 12, 1, 0, 0));
    let v = p
        .calendar_instances(&t, Some(&[cal]), month)
        .await
        .expect("instances");
    let chor: Vec<_> = v.iter().filter(|i| i.uid == "w").collect();
    assert_eq!(chor.len(), 4, "{chor:#?}");
    let moved = chor
        .iter()
        .find(|i| i.summary == "Chor (Probe)")
        .expect("renamed");
    assert_eq!(moved.location, "Musikraum");
    assert_eq!(moved.start, utc(2026, 11, 10, 15, 0));
    assert!(
        chor.iter()
            .filter(|i| i.summary == "Chor")
            .all(|i| i.location == "Aula")
    );
    // Changing the series changes its index; deleting it empties it.
    let fewer = raw.replace("COUNT=4", "COUNT=2");
    p.calendar_put(&t, cal, "w.ics", fewer.as_bytes(), Precondition::None)
        .await
        .expect("put");
    let late = range(utc(2026, 11, 17, 0, 0), utc(2026, 12, 1, 0, 0));
    let left = p
        .calendar_query(&t, cal, Some(late), None)
        .await
        .expect("q");
    assert!(left.iter().all(|o| o.uid != "w"), "two weeks only");
    p.calendar_delete_object(&t, cal, "w.ics", Precondition::None)
        .await
        .expect("delete");
    let left = p
        .calendar_query(&t, cal, Some(month), None)
        .await
        .expect("q");
    assert_eq!(left.len(), 1, "only the internship is left");
}

async fn the_job_indexes_what_is_missing(db: Db) {
    let s = school(db.clone()).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let cal = p.calendar_personal(&t).await.expect("own").id;
    let weekly = event(
        "wo",
        "Konferenz",
        "20261104T150000",
        "20261104T160000",
        "RRULE:FREQ=WEEKLY;COUNT=10\r\n",
    );
    p.calendar_put(&t, cal, "wo.ics", &weekly, Precondition::None)
        .await
        .expect("put");
    // Objects stored before the index existed have no rows.
    let inst = t.token.instance();
    let mut tx = db.begin().await.expect("tx");
    let o = obj_store::by_uid(&mut tx, inst, cal, "wo")
        .await
        .expect("row")
        .expect("object");
    let head = occ_store::Head {
        href: &o.href,
        etag: &o.etag,
        component: &o.component,
        first_start: o.first_start,
    };
    occ_store::replace(&mut tx, inst, cal, o.id, head, &[])
        .await
        .expect("wipe");
    tx.commit().await.expect("commit");
    let dec = range(utc(2026, 12, 1, 0, 0), utc(2027, 1, 1, 0, 0));
    assert!(
        p.calendar_query(&t, cal, Some(dec), None)
            .await
            .expect("q")
            .is_empty()
    );
    assert!(p.system_index_calendar_occurrences().await.expect("job") >= 1);
    assert_eq!(
        p.calendar_query(&t, cal, Some(dec), None)
            .await
            .expect("q")
            .len(),
        1
    );
    let v = p
        .calendar_instances(&t, Some(&[cal]), dec)
        .await
        .expect("instances");
    assert_eq!(v.len(), 5, "2, 9, 16, 23 and 30 December: {v:#?}");
    assert_eq!(
        p.system_index_calendar_occurrences().await.expect("job"),
        0,
        "nothing left"
    );
}

backend_tests!(
    endless_series_are_answered_beyond_what_was_stored,
    long_events_and_renamed_occurrences,
    the_job_indexes_what_is_missing,
);
