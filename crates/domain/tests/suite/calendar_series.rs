//! Changing and deleting recurring events, on SQLite and PostgreSQL: "this and following"
//! splits a weekly series across the end of daylight saving time (old master ends with
//! UNTIL, a new master with a new UID starts there), "only this" adds an exception or an
//! EXDATE, "all" keeps the exceptions; a stale ETag changes nothing; others cannot.

use crate::calendar_support;
use calendar_support::*;
use chrono::{DateTime, Timelike, Utc};
use schulhof_domain::Db;
use schulhof_domain::calendar::{CalendarError, CalendarId, Instance, Precondition, SeriesScope};
use schulhof_domain::identity::Actor;
use schulhof_store::backend_tests;

const BERLIN: chrono_tz::Tz = chrono_tz::Europe::Berlin;

async fn all(s: &School, t: &Actor, cal: CalendarId) -> Vec<Instance> {
    s.platform
        .calendar_instances(
            t,
            Some(&[cal]),
            range(utc(2026, 9, 1, 0, 0), utc(2027, 1, 1, 0, 0)),
        )
        .await
        .expect("instances")
}

fn local(i: &Instance) -> (String, u32) {
    let l = i.start.with_timezone(&BERLIN);
    (l.date_naive().to_string(), l.hour())
}

async fn etag(s: &School, t: &Actor, cal: CalendarId, href: &str) -> Precondition {
    let o = s.platform.calendar_get(t, cal, href).await.expect("get");
    Precondition::IfMatch(o.info.etag)
}

/// Thursdays 09:00 Berlin from 1 October, 8 times (DST ends on 25 October).
fn series() -> Vec<u8> {
    event(
        "ag",
        "AG Robotik",
        "20261001T090000",
        "20261001T100000",
        "RRULE:FREQ=WEEKLY;COUNT=8\r\nATTACH:https://schule.example/ag.pdf\r\n",
    )
}

async fn this_and_following_splits_across_dst(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let cal = p.calendar_personal(&t).await.expect("own").id;
    p.calendar_put(&t, cal, "ag.ics", &series(), Precondition::None)
        .await
        .expect("put");
    // From 5 November (08:00 UTC, after DST) at 10:00 in another room.
    let at: DateTime<Utc> = utc(2026, 11, 5, 8, 0);
    let new = event(
        "egal",
        "AG Robotik neu",
        "20261105T100000",
        "20261105T110000",
        "RRULE:FREQ=WEEKLY;COUNT=3\r\nLOCATION:Raum 3\r\n",
    );
    let tag = etag(&s, &t, cal, "ag.ics").await;
    // A stale ETag changes nothing, not even the new series.
    let stale = Precondition::IfMatch("alt".into());
    let e = p
        .calendar_change_event(&t, cal, "ag.ics", stale, SeriesScope::Following(at), &new)
        .await;
    assert!(matches!(e, Err(CalendarError::PreconditionFailed)), "{e:?}");
    assert_eq!(all(&s, &t, cal).await.len(), 8);
    let href = p
        .calendar_change_event(&t, cal, "ag.ics", tag, SeriesScope::Following(at), &new)
        .await
        .expect("split");
    assert_ne!(href, "ag.ics");
    let v = all(&s, &t, cal).await;
    let got: Vec<_> = v.iter().map(local).collect();
    let want: Vec<(String, u32)> = [
        ("2026-10-01", 9),
        ("2026-10-08", 9),
        ("2026-10-15", 9),
        ("2026-10-22", 9),
        ("2026-10-29", 9),
        ("2026-11-05", 10),
        ("2026-11-12", 10),
        ("2026-11-19", 10),
    ]
    .iter()
    .map(|(d, h)| ((*d).to_owned(), *h))
    .collect();
    assert_eq!(got, want);
    let old = p.calendar_get(&t, cal, "ag.ics").await.expect("old");
    assert!(old.raw.contains("UNTIL=20261105T075959Z"), "{}", old.raw);
    assert!(!old.raw.contains("COUNT"), "{}", old.raw);
    let next = p.calendar_get(&t, cal, &href).await.expect("new");
    assert_ne!(next.info.uid, "ag");
    assert!(
        next.raw.contains("ATTACH:https://schule.example/ag.pdf"),
        "carried over"
    );
    assert!(
        v[5..]
            .iter()
            .all(|i| i.summary == "AG Robotik neu" && i.location == "Raum 3")
    );
    assert!(v[..5].iter().all(|i| i.summary == "AG Robotik"));
}

async fn only_this_and_all(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let cal = p.calendar_personal(&t).await.expect("own").id;
    p.calendar_put(&t, cal, "ag.ics", &series(), Precondition::None)
        .await
        .expect("put");
    // 15 October 09:00 Berlin is 07:00 UTC: moved to 12:00, renamed.
    let moved = event("x", "Ausnahme", "20261015T120000", "20261015T130000", "");
    let tag = etag(&s, &t, cal, "ag.ics").await;
    let only = SeriesScope::Only(utc(2026, 10, 15, 7, 0));
    p.calendar_change_event(&t, cal, "ag.ics", tag, only, &moved)
        .await
        .expect("only this");
    let v = all(&s, &t, cal).await;
    assert_eq!(v.len(), 8, "{v:#?}");
    let x = v
        .iter()
        .find(|i| i.summary == "Ausnahme")
        .expect("exception");
    assert_eq!(local(x), ("2026-10-15".to_owned(), 12));
    // Deleting one occurrence: 22 October.
    let tag = etag(&s, &t, cal, "ag.ics").await;
    p.calendar_delete_event(
        &t,
        cal,
        "ag.ics",
        tag,
        SeriesScope::Only(utc(2026, 10, 22, 7, 0)),
    )
    .await
    .expect("delete one");
    let v = all(&s, &t, cal).await;
    assert_eq!(v.len(), 7);
    assert!(!v.iter().any(|i| local(i).0 == "2026-10-22"));
    // All: a new title for the series; the exception stays.
    let renamed = event(
        "x",
        "Robotik",
        "20261001T090000",
        "20261001T100000",
        "RRULE:FREQ=WEEKLY;COUNT=8\r\n",
    );
    let tag = etag(&s, &t, cal, "ag.ics").await;
    p.calendar_change_event(&t, cal, "ag.ics", tag, SeriesScope::All, &renamed)
        .await
        .expect("all");
    let v = all(&s, &t, cal).await;
    assert_eq!(v.len(), 7, "the EXDATE stays: {v:#?}");
    assert_eq!(v.iter().filter(|i| i.summary == "Robotik").count(), 6);
    assert_eq!(v.iter().filter(|i| i.summary == "Ausnahme").count(), 1);
    // Deleting from 29 October on leaves 1, 8 and 15 (the exception) October.
    let tag = etag(&s, &t, cal, "ag.ics").await;
    let from = SeriesScope::Following(utc(2026, 10, 29, 8, 0));
    p.calendar_delete_event(&t, cal, "ag.ics", tag, from)
        .await
        .expect("delete following");
    let v = all(&s, &t, cal).await;
    let days: Vec<_> = v.iter().map(|i| local(i).0).collect();
    assert_eq!(days, ["2026-10-01", "2026-10-08", "2026-10-15"]);
    // Others: the personal calendar is hidden from a student and a colleague.
    for login in ["anna", "lehrer2"] {
        let o = s.user(login).await;
        let e = p
            .calendar_delete_event(&o, cal, "ag.ics", Precondition::None, SeriesScope::All)
            .await;
        assert!(matches!(e, Err(CalendarError::NotFound)), "{login}: {e:?}");
        let e = p
            .calendar_change_event(
                &o,
                cal,
                "ag.ics",
                Precondition::None,
                SeriesScope::All,
                &renamed,
            )
            .await;
        assert!(matches!(e, Err(CalendarError::NotFound)), "{login}: {e:?}");
    }
    // All: the whole event goes.
    p.calendar_delete_event(&t, cal, "ag.ics", Precondition::None, SeriesScope::All)
        .await
        .expect("delete all");
    assert!(all(&s, &t, cal).await.is_empty());
}

backend_tests!(this_and_following_splits_across_dst, only_this_and_all);
