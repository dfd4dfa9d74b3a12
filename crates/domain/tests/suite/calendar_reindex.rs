//! The re-index job (migration 0051) on SQLite and PostgreSQL: an object whose index an
//! older reading wrote (a VTIMEZONE's yearly rules taken for the event's own: recurring,
//! endless, an open occurrence row) gets its columns and occurrences recomputed from the
//! stored text; a lease held by another node is respected, a stale one taken over; a put
//! meanwhile wins; running the job again changes nothing.

use crate::calendar_support;
use calendar_support::*;
use schulhof_domain::Db;
use schulhof_domain::calendar::{CalendarId, Precondition};
use schulhof_domain::identity::Actor;
use schulhof_store::backend_tests;
use schulhof_store::calendar::objects::{self as obj_store, ObjectRow};
use schulhof_store::calendar::occurrences::{self as occ_store, NewOccurrence};
use schulhof_store::calendar::reindex::{self as store, Columns};

const TZ: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\n\
TZOFFSETTO:+0200\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n\
BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nDTSTART:19701025T030000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";

fn with_zone(uid: &str) -> Vec<u8> {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//DE\r\n{TZ}BEGIN:VEVENT\r\nUID:{uid}\r\n\
DTSTAMP:20261101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20261203T100000\r\n\
DTEND;TZID=Europe/Berlin:20261203T110000\r\nSUMMARY:Elternabend\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    .into_bytes()
}

async fn row(db: &Db, t: &Actor, cal: CalendarId, uid: &str) -> ObjectRow {
    let mut c = db.read().await.expect("read");
    obj_store::by_uid(&mut c, t.token.instance(), cal, uid)
        .await
        .expect("row")
        .expect("object")
}

/// Writes what a node before the fix stored: recurring, open end, an open row after the
/// one stored occurrence.
async fn spoil(db: &Db, t: &Actor, cal: CalendarId, uid: &str) {
    let o = row(db, t, cal, uid).await;
    let inst = t.token.instance();
    let mut tx = db.begin().await.expect("tx");
    let old = Columns {
        first_start: o.first_start,
        last_end: None,
        recurring: true,
        all_day: false,
        transparent: false,
    };
    store::mark_old(&mut tx, inst, o.id, old)
        .await
        .expect("old");
    let rows = [
        NewOccurrence {
            start: o.first_start,
            end: o.last_end.expect("end"),
            open: false,
            summary: None,
            location: String::new(),
        },
        NewOccurrence {
            start: o.first_start + 1,
            end: i64::MAX / 2,
            open: true,
            summary: None,
            location: String::new(),
        },
    ];
    let head = occ_store::Head {
        href: &o.href,
        etag: &o.etag,
        component: &o.component,
        first_start: o.first_start,
    };
    occ_store::replace(&mut tx, inst, cal, o.id, head, &rows)
        .await
        .expect("rows");
    tx.commit().await.expect("commit");
}

async fn waiting(db: &Db) -> i64 {
    let mut c = db.read().await.expect("read");
    store::waiting(&mut c).await.expect("count")
}

async fn an_old_index_is_recomputed_from_the_text(db: Db) {
    let s = school(db.clone()).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let cal = p.calendar_personal(&t).await.expect("own").id;
    p.calendar_put(&t, cal, "z.ics", &with_zone("z"), Precondition::None)
        .await
        .expect("put");
    let good = row(&db, &t, cal, "z").await;
    assert!(!good.recurring && good.last_end.is_some(), "{good:?}");
    assert_eq!(waiting(&db).await, 0, "a put writes the current index");
    spoil(&db, &t, cal, "z").await;
    assert_eq!(waiting(&db).await, 1);
    let dec = range(utc(2026, 12, 1, 0, 0), utc(2027, 1, 1, 0, 0));
    let v = p
        .calendar_instances(&t, Some(&[cal]), dec)
        .await
        .expect("instances");
    assert!(v.len() == 1 && v[0].recurring, "the old index: {v:#?}");
    let token = p
        .calendar_changes(&t, cal, None)
        .await
        .expect("token")
        .modseq;

    assert_eq!(p.system_reindex_calendar_objects().await.expect("job"), 1);
    let fixed = row(&db, &t, cal, "z").await;
    assert!(!fixed.recurring, "{fixed:?}");
    assert_eq!(fixed.last_end, good.last_end);
    assert_eq!(fixed.first_start, good.first_start);
    assert_eq!(fixed.etag, good.etag, "the text is untouched");
    assert_eq!(waiting(&db).await, 0);
    // No open row is left: later ranges do not read the object any more.
    let mut c = db.read().await.expect("read");
    let later = occ_store::in_range(&mut c, t.token.instance(), &[cal], 0, i64::MAX / 4)
        .await
        .expect("rows");
    assert!(later.iter().all(|r| !r.open), "{later:#?}");
    drop(c);
    let after = p
        .calendar_changes(&t, cal, None)
        .await
        .expect("token")
        .modseq;
    assert!(
        after > token,
        "a new sync token: cached answers are not served again"
    );
    let v = p
        .calendar_instances(&t, Some(&[cal]), dec)
        .await
        .expect("instances");
    assert!(v.len() == 1 && !v[0].recurring, "{v:#?}");
    // Idempotent: nothing left to do.
    assert_eq!(p.system_reindex_calendar_objects().await.expect("job"), 0);
    assert_eq!(p.system_index_calendar_occurrences().await.expect("job"), 0);
}

async fn leases_and_puts_meanwhile_are_respected(db: Db) {
    let s = school(db.clone()).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let cal = p.calendar_personal(&t).await.expect("own").id;
    for uid in ["a", "b"] {
        p.calendar_put(
            &t,
            cal,
            &format!("{uid}.ics"),
            &with_zone(uid),
            Precondition::None,
        )
        .await
        .expect("put");
        spoil(&db, &t, cal, uid).await;
    }
    let now = p.now().timestamp_micros();
    // Another node holds both now: this one leaves them.
    let mut tx = db.begin().await.expect("tx");
    let other = store::claim(&mut tx, now, now - 600_000_000, 10)
        .await
        .expect("claim");
    tx.commit().await.expect("commit");
    assert_eq!(other.len(), 2);
    assert_eq!(p.system_reindex_calendar_objects().await.expect("job"), 0);
    assert_eq!(waiting(&db).await, 2);
    // A second claim by anyone finds nothing free.
    let mut tx = db.begin().await.expect("tx");
    let none = store::claim(&mut tx, now, now - 600_000_000, 10)
        .await
        .expect("claim");
    tx.commit().await.expect("commit");
    assert!(none.is_empty(), "{none:?}");
    // Meanwhile "a" is written again: the other node's late write-back must not land.
    let changed = String::from_utf8(with_zone("a"))
        .expect("utf8")
        .replace("Elternabend", "Elternabend (neu)");
    p.calendar_put(&t, cal, "a.ics", changed.as_bytes(), Precondition::None)
        .await
        .expect("put");
    let stale_a = other.iter().find(|x| x.raw.contains("UID:a")).expect("a");
    let wrong = Columns {
        first_start: 0,
        last_end: None,
        recurring: true,
        all_day: true,
        transparent: true,
    };
    let mut tx = db.begin().await.expect("tx");
    assert!(!store::write(&mut tx, stale_a, wrong).await.expect("write"));
    tx.commit().await.expect("commit");
    let a = row(&db, &t, cal, "a").await;
    assert!(!a.recurring && !a.all_day && a.last_end.is_some(), "{a:?}");
    // The other node died an hour ago holding "b": once its lease is stale, this node
    // takes "b" over.
    let b = row(&db, &t, cal, "b").await;
    let old = now - 3_600_000_000;
    let mut tx = db.begin().await.expect("tx");
    let cols = Columns {
        first_start: b.first_start,
        last_end: None,
        recurring: true,
        all_day: false,
        transparent: false,
    };
    store::mark_old(&mut tx, t.token.instance(), b.id, cols)
        .await
        .expect("old");
    let dead = store::claim(&mut tx, old, old - 1, 10)
        .await
        .expect("claim");
    assert_eq!(dead.len(), 1);
    tx.commit().await.expect("commit");
    assert_eq!(p.system_reindex_calendar_objects().await.expect("job"), 1);
    let b = row(&db, &t, cal, "b").await;
    assert!(!b.recurring && b.last_end.is_some(), "{b:?}");
    assert_eq!(waiting(&db).await, 0);
}

backend_tests!(
    an_old_index_is_recomputed_from_the_text,
    leases_and_puts_meanwhile_are_respected,
);
