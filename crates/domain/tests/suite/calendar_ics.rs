//! ICS files and the demo dates, on SQLite and PostgreSQL: export, import with a preview and
//! a report of what could not be read, subscription URLs that can be revoked, and the demo
//! school's calendars.

use crate::calendar_support;
use std::sync::Arc;

use calendar_support::*;
use schulhof_domain::calendar::{CalendarError, CalendarKind, Precondition};
use schulhof_domain::clock::SystemClock;
use schulhof_domain::{Config, Db, HashParams, Platform};
use schulhof_store::backend_tests;

const FILE: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other//EN\r\n\
BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n\
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nTZOFFSETFROM:+0100\r\n\
TZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n\
BEGIN:VEVENT\r\nUID:one\r\nDTSTART;TZID=Europe/Berlin:20261214T100000\r\nDTEND;TZID=Europe/Berlin:20261214T110000\r\nSUMMARY:Eins\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:two\r\nDTSTART;TZID=Europe/Berlin:20261215T100000\r\nDTEND;TZID=Europe/Berlin:20261215T110000\r\nRRULE:FREQ=DAILY;COUNT=3\r\nSUMMARY:Zwei\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:broken\r\nSUMMARY:Ohne Beginn\r\nEND:VEVENT\r\n\
BEGIN:VJOURNAL\r\nUID:j\r\nEND:VJOURNAL\r\nEND:VCALENDAR\r\n";

async fn import_previews_reports_and_exports(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let cal = p.calendar_personal(&t).await.expect("own").id;
    let preview = p
        .calendar_import_preview(&t, cal, FILE.as_bytes())
        .await
        .expect("preview");
    assert_eq!(
        preview
            .events
            .iter()
            .map(|e| e.uid.as_str())
            .collect::<Vec<_>>(),
        ["one", "two"]
    );
    assert_eq!(preview.problems.len(), 2, "{:?}", preview.problems);
    assert!(preview.problems.iter().any(|m| m.contains("DTSTART")));
    assert!(preview.problems.iter().any(|m| m.contains("VJOURNAL")));
    assert!(
        p.calendar_list(&t, cal).await.expect("list").is_empty(),
        "a preview stores nothing"
    );
    let report = p
        .calendar_import(&t, cal, FILE.as_bytes())
        .await
        .expect("import");
    assert_eq!(
        (report.created, report.replaced, report.problems.len()),
        (2, 0, 2)
    );
    let again = p
        .calendar_import(&t, cal, FILE.as_bytes())
        .await
        .expect("import");
    assert_eq!((again.created, again.replaced), (0, 2), "same UIDs replace");
    let inst = p
        .calendar_instances(
            &t,
            Some(&[cal]),
            range(utc(2026, 12, 14, 0, 0), utc(2026, 12, 20, 0, 0)),
        )
        .await
        .expect("instances");
    assert_eq!(inst.len(), 4);
    // A file too large is refused as a whole.
    let huge = vec![b'x'; schulhof_domain::calendar::MAX_IMPORT + 1];
    assert!(matches!(
        p.calendar_import(&t, cal, &huge).await,
        Err(CalendarError::TooLarge { .. })
    ));
    // Export: one VCALENDAR with both events and the time zone once; it imports again.
    let ics = p.calendar_export(&t, cal).await.expect("export");
    assert!(ics.starts_with("BEGIN:VCALENDAR"));
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2);
    assert_eq!(ics.matches("BEGIN:VTIMEZONE").count(), 1);
    let other = p.calendar_create(&t, "Kopie", None).await.expect("new").id;
    let r = p
        .calendar_import(&t, other, ics.as_bytes())
        .await
        .expect("re-import");
    assert_eq!((r.created, r.problems.len()), (2, 0));
    // Others cannot export a personal calendar.
    let anna = s.user("anna").await;
    assert!(matches!(
        p.calendar_export(&anna, cal).await,
        Err(CalendarError::NotFound)
    ));
}

async fn subscription_urls_can_be_revoked(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let cal = p.calendar_personal(&t).await.expect("own").id;
    p.calendar_put(
        &t,
        cal,
        "a.ics",
        &event("a", "Termin", "20261204T100000", "20261204T110000", ""),
        Precondition::None,
    )
    .await
    .expect("put");
    let (sub, secret) = p.calendar_subscribe(&t, cal).await.expect("subscribe");
    let (info, ics) = p.calendar_feed(&secret).await.expect("feed");
    assert_eq!(info.id, cal);
    assert!(ics.contains("SUMMARY:Termin"));
    assert!(matches!(
        p.calendar_feed("wrong").await,
        Err(CalendarError::NotFound)
    ));
    let anna = s.user("anna").await;
    assert!(matches!(
        p.calendar_subscribe(&anna, cal).await,
        Err(CalendarError::NotFound)
    ));
    assert!(matches!(
        p.calendar_unsubscribe(&anna, sub.id).await,
        Err(CalendarError::NotFound)
    ));
    assert_eq!(p.calendar_subscriptions(&t).await.expect("subs").len(), 1);
    p.calendar_unsubscribe(&t, sub.id).await.expect("revoke");
    assert!(matches!(
        p.calendar_feed(&secret).await,
        Err(CalendarError::NotFound)
    ));
}

async fn the_demo_school_has_dates(db: Db) {
    let config = Config {
        hash: HashParams::insecure_fast_for_tests(),
        ..Config::default()
    };
    let p = Platform::new(db, Arc::new(SystemClock), config);
    p.system_seed_demo().await.expect("demo");
    p.system_seed_demo_files().await.expect("demo content");
    let s = p
        .login("100000", "lehrer", "schulhof-demo", "127.0.0.1")
        .await
        .expect("login");
    let t = p.session(&s.cookie).await.expect("session").actor;
    let cals = p.calendars(&t).await.expect("calendars");
    let count = |k: CalendarKind| cals.iter().filter(|c| c.kind == k).count();
    assert_eq!(count(CalendarKind::Resource), 2, "Aula and Laptopwagen");
    for c in cals
        .iter()
        .filter(|c| c.kind != CalendarKind::Resource || c.name == "Aula")
    {
        if c.kind == CalendarKind::Group && c.name != "5a" {
            continue;
        }
        assert!(
            !p.calendar_list(&t, c.id).await.expect("list").is_empty(),
            "{}",
            c.name
        );
    }
    let now = p.now();
    let month = range(now, now + chrono::Duration::days(40));
    assert!(
        p.calendar_instances(&t, None, month)
            .await
            .expect("instances")
            .len()
            >= 6
    );
}

backend_tests!(
    import_previews_reports_and_exports,
    subscription_urls_can_be_revoked,
    the_demo_school_has_dates,
);
