//! Calendars by time, on SQLite and PostgreSQL: time-range queries with recurrence across
//! daylight saving time, EXDATE and overridden instances, a huge recurrence kept bounded,
//! the instances of the views, and resource bookings with their conflicts.

use crate::calendar_support;
use calendar_support::*;
use chrono::Timelike;
use schulhof_domain::Db;
use schulhof_domain::calendar::{
    BookingStatus, CalendarError, Component, FreeBusyOf, NewResource, Precondition,
};
use schulhof_store::backend_tests;
use schulhof_types::AccountType;

async fn recurrence_keeps_local_time_across_dst_and_honours_exdate(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let cal = p.calendar_personal(&t).await.expect("own").id;
    // Every Thursday 09:00 Berlin from 1 October, 8 times, except 22 October; the 5 November
    // instance moved to 11:00 and renamed.
    let raw = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//DE\r\n\
BEGIN:VEVENT\r\nUID:ag\r\nDTSTART;TZID=Europe/Berlin:20261001T090000\r\nDTEND;TZID=Europe/Berlin:20261001T100000\r\n\
SUMMARY:AG Robotik\r\nRRULE:FREQ=WEEKLY;COUNT=8\r\nEXDATE;TZID=Europe/Berlin:20261022T090000\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:ag\r\nRECURRENCE-ID;TZID=Europe/Berlin:20261105T090000\r\nDTSTART;TZID=Europe/Berlin:20261105T110000\r\n\
DTEND;TZID=Europe/Berlin:20261105T120000\r\nSUMMARY:AG Robotik (Raum 12)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    p.calendar_put(&t, cal, "ag.ics", raw.as_bytes(), Precondition::None)
        .await
        .expect("put");
    let all = p
        .calendar_instances(
            &t,
            Some(&[cal]),
            range(utc(2026, 9, 1, 0, 0), utc(2027, 1, 1, 0, 0)),
        )
        .await
        .expect("instances");
    assert_eq!(all.len(), 7, "8 minus the EXDATE: {all:#?}");
    let berlin = chrono_tz::Europe::Berlin;
    for i in &all {
        let local = i.start.with_timezone(&berlin);
        let want = if local.date_naive().to_string() == "2026-11-05" {
            11
        } else {
            9
        };
        assert_eq!(local.hour(), want, "{local}");
    }
    // Before DST ends (25 Oct) 09:00 is 07:00 UTC, after it 08:00 UTC.
    assert_eq!(all[0].start, utc(2026, 10, 1, 7, 0));
    assert_eq!(all.last().expect("last").start, utc(2026, 11, 19, 8, 0));
    assert!(all.iter().any(|i| i.summary == "AG Robotik (Raum 12)"));
    assert!(
        !all.iter()
            .any(|i| i.start.with_timezone(&berlin).date_naive().to_string() == "2026-10-22")
    );
    // A query for the excluded day finds nothing; the next week finds the object.
    let exdate_day = range(utc(2026, 10, 22, 0, 0), utc(2026, 10, 23, 0, 0));
    assert!(
        p.calendar_query(&t, cal, Some(exdate_day), None)
            .await
            .expect("q")
            .is_empty()
    );
    let next = range(utc(2026, 10, 29, 0, 0), utc(2026, 10, 30, 0, 0));
    let hit = p
        .calendar_query(&t, cal, Some(next), Some(Component::VEvent))
        .await
        .expect("q");
    assert_eq!(hit.len(), 1);
    assert_eq!(hit[0].raw, raw, "byte for byte");
    assert!(
        p.calendar_query(&t, cal, Some(next), Some(Component::VTodo))
            .await
            .expect("q")
            .is_empty()
    );
    // After the last instance: nothing.
    let after = range(utc(2026, 11, 20, 0, 0), utc(2027, 1, 1, 0, 0));
    assert!(
        p.calendar_query(&t, cal, Some(after), None)
            .await
            .expect("q")
            .is_empty()
    );
    // All-day events and multiget.
    let day = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:ferien\r\nDTSTART;VALUE=DATE:20261221\r\nDTEND;VALUE=DATE:20270102\r\nSUMMARY:Weihnachtsferien\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    p.calendar_put(&t, cal, "ferien.ics", day.as_bytes(), Precondition::None)
        .await
        .expect("put");
    let got = p
        .calendar_multiget(
            &t,
            cal,
            &["ferien.ics".into(), "ag.ics".into(), "fehlt.ics".into()],
        )
        .await
        .expect("multiget");
    assert_eq!(got.len(), 2);
    let xmas = p
        .calendar_instances(
            &t,
            None,
            range(utc(2026, 12, 24, 0, 0), utc(2026, 12, 25, 0, 0)),
        )
        .await
        .expect("instances");
    assert_eq!(xmas.len(), 1);
    assert!(xmas[0].all_day);
    assert_eq!(
        xmas[0].start,
        utc(2026, 12, 20, 23, 0),
        "midnight in Berlin"
    );
}

async fn a_huge_recurrence_stays_bounded(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let cal = p.calendar_personal(&t).await.expect("own").id;
    let daily = event(
        "daily",
        "Frühaufsicht",
        "20260105T073000",
        "20260105T080000",
        "RRULE:FREQ=DAILY;UNTIL=21251231T000000Z\r\n",
    );
    let began = std::time::Instant::now();
    p.calendar_put(&t, cal, "daily.ics", &daily, Precondition::None)
        .await
        .expect("put");
    let endless = event(
        "endless",
        "Pause",
        "20260105T100000",
        "20260105T101500",
        "RRULE:FREQ=MINUTELY\r\n",
    );
    p.calendar_put(&t, cal, "endless.ics", &endless, Precondition::None)
        .await
        .expect("put");
    let month = range(utc(2027, 3, 1, 0, 0), utc(2027, 4, 1, 0, 0));
    let inst = p
        .calendar_instances(&t, Some(&[cal]), month)
        .await
        .expect("instances");
    assert_eq!(inst.iter().filter(|i| i.uid == "daily").count(), 31);
    let q = p
        .calendar_query(&t, cal, Some(month), None)
        .await
        .expect("query");
    assert!(q.iter().any(|o| o.uid == "daily"));
    assert!(began.elapsed().as_secs() < 20, "{:?}", began.elapsed());
    let stored = p
        .calendar_get(&t, cal, "daily.ics")
        .await
        .expect("get")
        .info;
    assert!(stored.recurring);
    assert_eq!(
        stored.last_end, None,
        "more than the expanded steps: open end"
    );
}

async fn a_resource_refuses_double_bookings(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let admin = s.admin().await;
    let aula = p
        .resource_create(
            &admin,
            &NewResource {
                name: "Aula".into(),
                description: "200 Plätze".into(),
                capacity: 200,
                needs_approval: false,
                account_types: vec![AccountType::Lehrer, AccountType::Personal],
                groups: vec![],
            },
        )
        .await
        .expect("aula");
    let wagen = p
        .resource_create(
            &admin,
            &NewResource {
                name: "Laptopwagen".into(),
                description: String::new(),
                capacity: 30,
                needs_approval: true,
                account_types: vec![AccountType::Lehrer],
                groups: vec![],
            },
        )
        .await
        .expect("wagen");
    let t = s.user("lehrer").await;
    assert!(
        p.calendars(&t)
            .await
            .expect("list")
            .iter()
            .any(|c| c.id == aula.calendar && c.may_book)
    );
    let theater = event(
        "theater",
        "Theater-AG Probe",
        "20261210T140000",
        "20261210T160000",
        "",
    );
    let out = p
        .calendar_put(
            &t,
            aula.calendar,
            "theater.ics",
            &theater,
            Precondition::None,
        )
        .await
        .expect("booked");
    assert_eq!(out.booking, Some(BookingStatus::Confirmed));
    let t2 = s.user("lehrer2").await;
    let clash = event(
        "konzert",
        "Konzert",
        "20261210T150000",
        "20261210T170000",
        "",
    );
    match p
        .calendar_put(
            &t2,
            aula.calendar,
            "konzert.ics",
            &clash,
            Precondition::None,
        )
        .await
    {
        Err(CalendarError::BookingConflict {
            title,
            start,
            owner,
            ..
        }) => {
            assert_eq!(title, "Theater-AG Probe");
            assert_eq!(start, utc(2026, 12, 10, 13, 0));
            assert_eq!(owner.as_deref(), Some("Lena Test"));
        }
        other => panic!("{other:?}"),
    }
    // Right after it is free; a recurring booking that hits it once is refused too.
    let later = event(
        "konzert",
        "Konzert",
        "20261210T160000",
        "20261210T170000",
        "",
    );
    p.calendar_put(
        &t2,
        aula.calendar,
        "konzert.ics",
        &later,
        Precondition::None,
    )
    .await
    .expect("free");
    let weekly = event(
        "chor",
        "Chor",
        "20261203T140000",
        "20261203T150000",
        "RRULE:FREQ=WEEKLY;COUNT=4\r\n",
    );
    assert!(matches!(
        p.calendar_put(&t2, aula.calendar, "chor.ics", &weekly, Precondition::None)
            .await,
        Err(CalendarError::BookingConflict { .. })
    ));
    // Moving the own booking over itself is no conflict; someone else's booking is not theirs to change.
    let longer = event(
        "theater",
        "Theater-AG Probe",
        "20261210T133000",
        "20261210T160000",
        "",
    );
    p.calendar_put(
        &t,
        aula.calendar,
        "theater.ics",
        &longer,
        Precondition::None,
    )
    .await
    .expect("moved");
    assert!(matches!(
        p.calendar_delete_object(&t2, aula.calendar, "theater.ics", Precondition::None)
            .await,
        Err(CalendarError::Forbidden)
    ));
    // Students may not book the Aula, but see when it is busy, without details.
    let anna = s.user("anna").await;
    assert!(matches!(
        p.calendar_put(&anna, aula.calendar, "x.ics", &clash, Precondition::None)
            .await,
        Err(CalendarError::NotBookable)
    ));
    assert!(matches!(
        p.calendar_get(&anna, aula.calendar, "theater.ics").await,
        Err(CalendarError::NotFound)
    ));
    let busy = p
        .calendar_free_busy(
            &anna,
            FreeBusyOf::Resource(aula.id),
            range(utc(2026, 12, 10, 0, 0), utc(2026, 12, 11, 0, 0)),
        )
        .await
        .expect("busy");
    assert_eq!(busy.len(), 2);
    // The laptop trolley needs approval: pending until the admin confirms.
    let lap = event(
        "lap",
        "Informatik 7b",
        "20261211T080000",
        "20261211T093000",
        "",
    );
    let out = p
        .calendar_put(&t, wagen.calendar, "lap.ics", &lap, Precondition::None)
        .await
        .expect("asked");
    assert_eq!(out.booking, Some(BookingStatus::Pending));
    let pending = p.bookings_pending(&admin).await.expect("pending");
    assert_eq!(pending.len(), 1);
    assert!(p.bookings_pending(&t).await.is_err());
    p.booking_decide(&admin, pending[0].id, true)
        .await
        .expect("confirmed");
    assert!(p.bookings_pending(&admin).await.expect("none").is_empty());
    let lap2 = event("lap2", "Physik", "20261211T090000", "20261211T100000", "");
    assert!(matches!(
        p.calendar_put(&t, wagen.calendar, "lap2.ics", &lap2, Precondition::None)
            .await,
        Err(CalendarError::BookingConflict { .. })
    ));
    // Only the admin creates resources.
    assert!(
        p.resource_create(
            &t,
            &NewResource {
                name: "Beamer".into(),
                description: String::new(),
                capacity: 1,
                needs_approval: false,
                account_types: vec![],
                groups: vec![]
            }
        )
        .await
        .is_err()
    );
}

backend_tests!(
    recurrence_keeps_local_time_across_dst_and_honours_exdate,
    a_huge_recurrence_stays_bounded,
    a_resource_refuses_double_bookings,
);
