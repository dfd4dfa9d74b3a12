//! Calendars on SQLite and PostgreSQL: who reads and writes which calendar, privacy of
//! personal calendars, isolation between schools, shares, preconditions, UIDs, and sync
//! tokens with tombstones.

use crate::calendar_support;
use calendar_support::*;
use schulhof_domain::Db;
use schulhof_domain::calendar::{
    CalAccess, CalendarError, CalendarKind, FreeBusyOf, Precondition, ShareWith,
};
use schulhof_domain::identity::Actor;
use schulhof_store::backend_tests;

async fn put(
    s: &School,
    a: &Actor,
    cal: schulhof_domain::calendar::CalendarId,
    href: &str,
    raw: &[u8],
) {
    s.platform
        .calendar_put(a, cal, href, raw, Precondition::None)
        .await
        .expect("put");
}

async fn rights_follow_the_account_type(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    // Every person has a personal calendar; function accounts have none.
    for login in ["lehrer", "personal", "extern", "anna"] {
        let a = s.user(login).await;
        let own = p.calendar_personal(&a).await.expect("personal");
        assert_eq!(own.access, CalAccess::Write, "{login}");
        assert!(own.own);
    }
    let admin = s.admin().await;
    let sek = s.user("sekretariat").await;
    assert!(p.calendar_personal(&admin).await.is_err());
    assert!(p.calendar_personal(&sek).await.is_err());

    // The school calendar: everyone reads, the Sekretariat writes, the admin does not see it.
    let t = s.user("lehrer").await;
    let school_cal = p
        .calendars(&t)
        .await
        .expect("list")
        .into_iter()
        .find(|c| c.kind == CalendarKind::School)
        .expect("school calendar");
    assert_eq!(school_cal.access, CalAccess::Read);
    let raw = event(
        "konf",
        "Zeugniskonferenz",
        "20261210T140000",
        "20261210T170000",
        "",
    );
    assert!(matches!(
        p.calendar_put(&t, school_cal.id, "konf.ics", &raw, Precondition::None)
            .await,
        Err(CalendarError::Forbidden)
    ));
    put(&s, &sek, school_cal.id, "konf.ics", &raw).await;
    let anna = s.user("anna").await;
    assert_eq!(
        p.calendar_get(&anna, school_cal.id, "konf.ics")
            .await
            .expect("read")
            .raw
            .as_bytes(),
        raw
    );
    assert!(matches!(
        p.calendar_get(&admin, school_cal.id, "konf.ics").await,
        Err(CalendarError::NotFound)
    ));

    // Class 5a's calendar: the teacher writes, the student reads, another class sees nothing.
    let g5a = t.groups.iter().find(|g| g.name == "5a").expect("5a").id;
    let c5a = p.calendar_of_group(&t, g5a).await.expect("5a calendar");
    assert_eq!(c5a.access, CalAccess::Write);
    let exam = event(
        "ka1",
        "Klassenarbeit Mathe",
        "20261208T080000",
        "20261208T093000",
        "",
    );
    put(&s, &t, c5a.id, "ka1.ics", &exam).await;
    assert_eq!(p.calendar_list(&anna, c5a.id).await.expect("list").len(), 1);
    assert!(matches!(
        p.calendar_put(&anna, c5a.id, "x.ics", &exam, Precondition::None)
            .await,
        Err(CalendarError::Forbidden)
    ));
    let carla = s.user("carla").await;
    assert!(matches!(
        p.calendar(&carla, c5a.id).await,
        Err(CalendarError::NotFound)
    ));
    assert!(matches!(
        p.calendar_get(&carla, c5a.id, "ka1.ics").await,
        Err(CalendarError::NotFound)
    ));
    // The extern member of 5a reads, but writes only with a granted calendar.group.
    let ext = s.user("extern").await;
    assert_eq!(
        p.calendar(&ext, c5a.id).await.expect("visible").access,
        CalAccess::Read
    );
}

async fn personal_calendars_stay_private(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let own = p.calendar_personal(&t).await.expect("own").id;
    put(
        &s,
        &t,
        own,
        "arzt.ics",
        &event(
            "arzt",
            "Arzttermin",
            "20261204T150000",
            "20261204T160000",
            "",
        ),
    )
    .await;
    let anna = s.user("anna").await;
    let admin = s.admin().await;
    let sek = s.user("sekretariat").await;
    for (who, a) in [("anna", &anna), ("admin", &admin), ("sekretariat", &sek)] {
        assert!(
            matches!(p.calendar(a, own).await, Err(CalendarError::NotFound)),
            "{who}"
        );
        assert!(
            matches!(
                p.calendar_get(a, own, "arzt.ics").await,
                Err(CalendarError::NotFound)
            ),
            "{who}"
        );
        assert!(
            matches!(
                p.calendar_changes(a, own, None).await,
                Err(CalendarError::NotFound)
            ),
            "{who}"
        );
        assert!(
            !p.calendars(a)
                .await
                .expect("list")
                .iter()
                .any(|c| c.id == own),
            "{who}"
        );
    }
    // Busy times leak inside the school, never titles; not to function accounts.
    let week = range(utc(2026, 11, 30, 0, 0), utc(2026, 12, 7, 0, 0));
    let busy = p
        .calendar_free_busy(&anna, FreeBusyOf::User(t.user.id), week)
        .await
        .expect("busy");
    assert_eq!(busy.len(), 1);
    assert_eq!(busy[0].start, utc(2026, 12, 4, 14, 0));
    assert!(
        p.calendar_free_busy(&admin, FreeBusyOf::User(t.user.id), week)
            .await
            .is_err()
    );

    // Shared with class 5a for reading: Anna reads, cannot write; the admin still sees nothing.
    let g5a = t.groups.iter().find(|g| g.name == "5a").expect("5a").id;
    p.calendar_share(&t, own, ShareWith::Group(g5a), CalAccess::Read)
        .await
        .expect("share");
    assert_eq!(
        p.calendar(&anna, own).await.expect("shared").access,
        CalAccess::Read
    );
    assert!(p.calendar_get(&anna, own, "arzt.ics").await.is_ok());
    assert!(matches!(
        p.calendar_delete_object(&anna, own, "arzt.ics", Precondition::None)
            .await,
        Err(CalendarError::Forbidden)
    ));
    assert!(matches!(
        p.calendar_share(&anna, own, ShareWith::User(anna.user.id), CalAccess::Write)
            .await,
        Err(CalendarError::Forbidden)
    ));
    assert!(matches!(
        p.calendar(&admin, own).await,
        Err(CalendarError::NotFound)
    ));
    // Ben gets write access by a share of his own.
    let ben = s.user("ben").await;
    p.calendar_share(&t, own, ShareWith::User(ben.user.id), CalAccess::Write)
        .await
        .expect("share");
    put(
        &s,
        &ben,
        own,
        "ben.ics",
        &event(
            "ben",
            "Sprechstunde",
            "20261205T100000",
            "20261205T101500",
            "",
        ),
    )
    .await;
    assert_eq!(p.calendar_shares(&t, own).await.expect("shares").len(), 2);
    p.calendar_unshare(&t, own, ShareWith::Group(g5a))
        .await
        .expect("unshare");
    assert!(matches!(
        p.calendar(&anna, own).await,
        Err(CalendarError::NotFound)
    ));
}

async fn nothing_crosses_schools(db: Db) {
    let s = school(db.clone()).await;
    let other = school_on(platform(db), "654321").await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let own = p.calendar_personal(&t).await.expect("own").id;
    put(
        &s,
        &t,
        own,
        "a.ics",
        &event("a", "Termin", "20261204T150000", "20261204T160000", ""),
    )
    .await;
    let g5a = t.groups.iter().find(|g| g.name == "5a").expect("5a").id;
    let c5a = p.calendar_of_group(&t, g5a).await.expect("5a").id;
    for login in ["lehrer", "anna"] {
        let x = other.user(login).await;
        let q = &other.platform;
        for cal in [own, c5a] {
            assert!(
                matches!(q.calendar(&x, cal).await, Err(CalendarError::NotFound)),
                "{login}"
            );
            assert!(matches!(
                q.calendar_put(
                    &x,
                    cal,
                    "b.ics",
                    &event("b", "x", "20261204T150000", "20261204T160000", ""),
                    Precondition::None
                )
                .await,
                Err(CalendarError::NotFound)
            ));
        }
        let busy = q
            .calendar_free_busy(
                &x,
                FreeBusyOf::User(t.user.id),
                range(utc(2026, 12, 1, 0, 0), utc(2026, 12, 31, 0, 0)),
            )
            .await
            .expect("nothing");
        assert!(busy.is_empty(), "busy times never cross schools");
        assert!(
            !q.calendars(&x)
                .await
                .expect("list")
                .iter()
                .any(|c| c.id == own || c.id == c5a)
        );
    }
    // Sharing with a login of another school is refused.
    let stranger = other.user("anna").await;
    assert!(
        p.calendar_share(&t, own, ShareWith::User(stranger.user.id), CalAccess::Read)
            .await
            .is_err()
    );
}

async fn preconditions_and_uids(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let cal = p.calendar_personal(&t).await.expect("own").id;
    let raw = event(
        "uid-1",
        "Elternabend",
        "20261209T190000",
        "20261209T210000",
        "",
    );
    let first = p
        .calendar_put(&t, cal, "a.ics", &raw, Precondition::IfNoneMatch)
        .await
        .expect("created");
    assert!(first.created);
    // Byte for byte back.
    assert_eq!(
        p.calendar_get(&t, cal, "a.ics")
            .await
            .expect("get")
            .raw
            .as_bytes(),
        raw
    );
    assert_eq!(
        p.calendar_get(&t, cal, "a.ics")
            .await
            .expect("get")
            .info
            .etag,
        first.etag
    );
    // If-None-Match: * on an existing object fails; so does a stale If-Match.
    assert!(matches!(
        p.calendar_put(&t, cal, "a.ics", &raw, Precondition::IfNoneMatch)
            .await,
        Err(CalendarError::PreconditionFailed)
    ));
    assert!(matches!(
        p.calendar_put(
            &t,
            cal,
            "a.ics",
            &raw,
            Precondition::IfMatch("stale".into())
        )
        .await,
        Err(CalendarError::PreconditionFailed)
    ));
    assert!(matches!(
        p.calendar_put(&t, cal, "new.ics", &raw, Precondition::IfMatch("*".into()))
            .await,
        Err(CalendarError::PreconditionFailed)
    ));
    let changed = event(
        "uid-1",
        "Elternabend (neu)",
        "20261209T190000",
        "20261209T213000",
        "",
    );
    let second = p
        .calendar_put(
            &t,
            cal,
            "a.ics",
            &changed,
            Precondition::IfMatch(first.etag.clone()),
        )
        .await
        .expect("updated");
    assert!(!second.created);
    assert_ne!(second.etag, first.etag);
    // The same UID under another name is a conflict naming the holder.
    match p
        .calendar_put(&t, cal, "b.ics", &raw, Precondition::None)
        .await
    {
        Err(CalendarError::UidConflict { href }) => assert_eq!(href, "a.ics"),
        other => panic!("{other:?}"),
    }
    // Broken data is refused with what is wrong, and nothing is stored.
    let broken = b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:kein Beginn\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    match p
        .calendar_put(&t, cal, "x.ics", broken, Precondition::None)
        .await
    {
        Err(CalendarError::InvalidData(m)) => assert!(m.contains("DTSTART"), "{m}"),
        other => panic!("{other:?}"),
    }
    let journal =
        b"BEGIN:VCALENDAR\r\nBEGIN:VJOURNAL\r\nUID:j\r\nEND:VJOURNAL\r\nEND:VCALENDAR\r\n";
    assert!(matches!(
        p.calendar_put(&t, cal, "j.ics", journal, Precondition::None)
            .await,
        Err(CalendarError::UnsupportedComponent(_))
    ));
    assert_eq!(p.calendar_list(&t, cal).await.expect("list").len(), 1);
    // A stale If-Match on delete fails; the right one deletes.
    assert!(matches!(
        p.calendar_delete_object(&t, cal, "a.ics", Precondition::IfMatch(first.etag))
            .await,
        Err(CalendarError::PreconditionFailed)
    ));
    p.calendar_delete_object(&t, cal, "a.ics", Precondition::IfMatch(second.etag))
        .await
        .expect("deleted");
    assert!(matches!(
        p.calendar_get(&t, cal, "a.ics").await,
        Err(CalendarError::NotFound)
    ));
}

async fn sync_tokens_report_changes_and_deletions(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let cal = p.calendar_personal(&t).await.expect("own").id;
    put(
        &s,
        &t,
        cal,
        "a.ics",
        &event("a", "A", "20261204T100000", "20261204T110000", ""),
    )
    .await;
    put(
        &s,
        &t,
        cal,
        "b.ics",
        &event("b", "B", "20261205T100000", "20261205T110000", ""),
    )
    .await;
    let all = p.calendar_changes(&t, cal, None).await.expect("initial");
    assert_eq!(all.changed.len(), 2);
    assert!(all.deleted.is_empty());
    let token = all.modseq;
    assert_eq!(
        p.calendar(&t, cal).await.expect("cal").ctag(),
        token.to_string()
    );
    let none = p
        .calendar_changes(&t, cal, Some(token))
        .await
        .expect("nothing new");
    assert!(none.changed.is_empty() && none.deleted.is_empty());
    assert_eq!(none.modseq, token);

    put(
        &s,
        &t,
        cal,
        "a.ics",
        &event("a", "A2", "20261204T100000", "20261204T120000", ""),
    )
    .await;
    p.calendar_delete_object(&t, cal, "b.ics", Precondition::None)
        .await
        .expect("delete");
    let ch = p
        .calendar_changes(&t, cal, Some(token))
        .await
        .expect("changes");
    assert_eq!(
        ch.changed
            .iter()
            .map(|o| o.href.as_str())
            .collect::<Vec<_>>(),
        ["a.ics"]
    );
    assert_eq!(ch.deleted, ["b.ics"]);
    assert!(ch.modseq > token);
    // Re-creating a deleted name removes its tombstone.
    put(
        &s,
        &t,
        cal,
        "b.ics",
        &event("b", "B", "20261205T100000", "20261205T110000", ""),
    )
    .await;
    let again = p
        .calendar_changes(&t, cal, Some(token))
        .await
        .expect("changes");
    assert!(again.deleted.is_empty());
    assert_eq!(again.changed.len(), 2);
    // A token never issued is refused.
    assert!(matches!(
        p.calendar_changes(&t, cal, Some(again.modseq + 10)).await,
        Err(CalendarError::InvalidSyncToken)
    ));
}

backend_tests!(
    rights_follow_the_account_type,
    personal_calendars_stay_private,
    nothing_crosses_schools,
    preconditions_and_uids,
    sync_tokens_report_changes_and_deletions,
);
