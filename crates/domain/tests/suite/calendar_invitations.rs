//! Invitations on SQLite and PostgreSQL: inviting persons and whole classes, answers going
//! back to the organiser, updates and cancellations reaching the copies, nothing crossing
//! schools, and free/busy that shows only busy times and skips transparent and cancelled
//! events.

use crate::calendar_support;
use calendar_support::*;
use schulhof_domain::Db;
use schulhof_domain::calendar::{CalendarId, PartStat, Precondition};
use schulhof_domain::identity::Actor;
use schulhof_store::backend_tests;

fn domain(a: &Actor) -> String {
    a.user.mail.rsplit_once('@').expect("address").1.to_owned()
}

/// An event organised by `org` with these ATTENDEE lines.
fn invite(uid: &str, summary: &str, org: &Actor, start: &str, attendees: &[String]) -> Vec<u8> {
    let mut extra = format!("ORGANIZER;CN=Org:mailto:{}\r\n", org.user.mail);
    for a in attendees {
        extra.push_str(a);
        extra.push_str("\r\n");
    }
    event(uid, summary, start, &start.replace("T10", "T11"), &extra)
}

fn person(a: &Actor) -> String {
    format!(
        "ATTENDEE;CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{}",
        a.user.mail
    )
}

async fn own(s: &School, a: &Actor) -> CalendarId {
    s.platform.calendar_personal(a).await.expect("own").id
}

async fn put(s: &School, a: &Actor, cal: CalendarId, href: &str, raw: &[u8]) {
    s.platform
        .calendar_put(a, cal, href, raw, Precondition::None)
        .await
        .expect("put");
}

async fn kinds(s: &School, a: &Actor) -> Vec<String> {
    let n = s.platform.my_notifications(a).await.expect("notifications");
    n.into_iter().map(|n| n.kind).collect()
}

async fn invite_a_person_who_accepts(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let anna = s.user("anna").await;
    let cal = own(&s, &t).await;
    put(
        &s,
        &t,
        cal,
        "k.ics",
        &invite(
            "k1",
            "Elterngespräch",
            &t,
            "20261203T100000",
            &[person(&anna)],
        ),
    )
    .await;

    let inv = p.calendar_invitations(&anna).await.expect("list");
    assert_eq!(inv.len(), 1);
    assert_eq!(inv[0].summary, "Elterngespräch");
    assert_eq!(inv[0].partstat, PartStat::NeedsAction);
    assert_eq!(inv[0].organiser, "Lena Test");
    assert_eq!(inv[0].calendar, own(&s, &anna).await, "in her own calendar");
    assert!(
        kinds(&s, &anna)
            .await
            .contains(&"calendar_invitation".to_owned())
    );

    p.calendar_answer(&anna, inv[0].calendar, &inv[0].href, PartStat::Accepted)
        .await
        .expect("answer");
    let master = p.calendar_get(&t, cal, "k.ics").await.expect("master").raw;
    let master = master.replace("\r\n ", "");
    let line = master
        .lines()
        .find(|l| l.contains(&anna.user.mail.to_lowercase()) || l.contains(&anna.user.mail))
        .expect("attendee line");
    assert!(line.contains("PARTSTAT=ACCEPTED"), "{master}");
    let who = p
        .calendar_attendees(&t, cal, "k.ics")
        .await
        .expect("attendees");
    assert_eq!(who.len(), 1);
    assert_eq!(who[0].partstat, PartStat::Accepted);
    assert!(kinds(&s, &t).await.contains(&"calendar_reply".to_owned()));
    // An answer for an event one is not invited to is no answer.
    let ben = s.user("ben").await;
    assert!(
        p.calendar_answer(&ben, inv[0].calendar, &inv[0].href, PartStat::Declined)
            .await
            .is_err()
    );
}

async fn inviting_a_class_reaches_its_members(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let class = format!("ATTENDEE;CUTYPE=GROUP:mailto:verteiler-5a@{}", domain(&t));
    let cal = own(&s, &t).await;
    put(
        &s,
        &t,
        cal,
        "w.ics",
        &invite("w1", "Wandertag", &t, "20261204T100000", &[class]),
    )
    .await;
    for (login, invited) in [
        ("anna", true),
        ("ben", true),
        ("personal", true),
        ("carla", false),
    ] {
        let a = s.user(login).await;
        let n = p.calendar_invitations(&a).await.expect("list").len();
        assert_eq!(n, usize::from(invited), "{login}");
    }
    let who = p
        .calendar_attendees(&t, cal, "w.ics")
        .await
        .expect("attendees");
    assert!(
        who.iter()
            .all(|w| w.through_group && w.partstat == PartStat::NeedsAction)
    );
    assert!(
        !who.iter().any(|w| w.name == "Lena Test"),
        "not the organiser"
    );

    let ben = s.user("ben").await;
    let inv = p.calendar_invitations(&ben).await.expect("list").remove(0);
    p.calendar_answer(&ben, inv.calendar, &inv.href, PartStat::Declined)
        .await
        .expect("answer");
    let master = p.calendar_get(&t, cal, "w.ics").await.expect("master").raw;
    let master = master.replace("\r\n ", "");
    assert!(master.contains("PARTSTAT=DECLINED"), "{master}");
    assert!(
        master
            .to_lowercase()
            .contains("member=\"mailto:verteiler-5a@"),
        "{master}"
    );
    let who = p
        .calendar_attendees(&t, cal, "w.ics")
        .await
        .expect("attendees");
    let b = who.iter().find(|w| w.name == "Ben Test").expect("ben");
    assert_eq!(b.partstat, PartStat::Declined);

    // A student may invite the own class, never another one.
    let anna = s.user("anna").await;
    assert!(
        p.calendar_resolve_invitees(&anna, &format!("verteiler-5a@{}", domain(&t)))
            .await
            .is_ok()
    );
    let e = p
        .calendar_resolve_invitees(&anna, &format!("5b <verteiler-5b@{}>", domain(&t)))
        .await
        .expect_err("other class");
    assert!(e.to_string().contains("verteiler-5b"), "{e}");
}

async fn updates_and_cancellations_reach_the_copies(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let anna = s.user("anna").await;
    let cal = own(&s, &t).await;
    put(
        &s,
        &t,
        cal,
        "u.ics",
        &invite("u1", "Probe", &t, "20261207T100000", &[person(&anna)]),
    )
    .await;
    let inv = p.calendar_invitations(&anna).await.expect("list").remove(0);
    p.calendar_answer(&anna, inv.calendar, &inv.href, PartStat::Tentative)
        .await
        .expect("answer");
    // A new title keeps the answer; a new time asks again.
    put(
        &s,
        &t,
        cal,
        "u.ics",
        &invite(
            "u1",
            "Generalprobe",
            &t,
            "20261207T100000",
            &[person(&anna)],
        ),
    )
    .await;
    let now = p.calendar_invitations(&anna).await.expect("list").remove(0);
    assert_eq!(
        (now.summary.as_str(), now.partstat),
        ("Generalprobe", PartStat::Tentative)
    );
    put(
        &s,
        &t,
        cal,
        "u.ics",
        &invite(
            "u1",
            "Generalprobe",
            &t,
            "20261208T100000",
            &[person(&anna)],
        ),
    )
    .await;
    let now = p.calendar_invitations(&anna).await.expect("list").remove(0);
    assert_eq!(now.partstat, PartStat::NeedsAction);

    // Deleting cancels the copy (it stays, marked, and blocks no time).
    p.calendar_delete_object(&t, cal, "u.ics", Precondition::None)
        .await
        .expect("delete");
    let copy = p
        .calendar_get(&anna, inv.calendar, &inv.href)
        .await
        .expect("copy")
        .raw;
    assert!(copy.contains("STATUS:CANCELLED"), "{copy}");
    assert!(
        p.calendar_invitations(&anna)
            .await
            .expect("list")
            .is_empty()
    );

    // Uninviting cancels too; an attendee deleting the copy declines.
    let ben = s.user("ben").await;
    put(
        &s,
        &t,
        cal,
        "v.ics",
        &invite(
            "v1",
            "AG",
            &t,
            "20261209T100000",
            &[person(&anna), person(&ben)],
        ),
    )
    .await;
    put(
        &s,
        &t,
        cal,
        "v.ics",
        &invite("v1", "AG", &t, "20261209T100000", &[person(&anna)]),
    )
    .await;
    let bens = p.calendar_invitations(&ben).await.expect("list");
    assert!(bens.is_empty(), "ben uninvited");
    let inv = p.calendar_invitations(&anna).await.expect("list").remove(0);
    p.calendar_delete_object(&anna, inv.calendar, &inv.href, Precondition::None)
        .await
        .expect("delete copy");
    let who = p
        .calendar_attendees(&t, cal, "v.ics")
        .await
        .expect("attendees");
    assert_eq!(who[0].partstat, PartStat::Declined);
}

async fn invitations_never_cross_schools(db: Db) {
    let s = school(db.clone()).await;
    let other = school_on(platform(db), "654321").await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let stranger = other.user("anna").await;
    let e = p
        .calendar_resolve_invitees(&t, &stranger.user.mail)
        .await
        .expect_err("other school");
    assert!(e.to_string().contains(&stranger.user.mail), "{e}");
    assert!(
        p.calendar_resolve_invitees(&t, "jemand@nirgendwo.example")
            .await
            .is_err()
    );
    // From a calendar client the address is simply not scheduled.
    let cal = own(&s, &t).await;
    put(
        &s,
        &t,
        cal,
        "x.ics",
        &invite("x1", "Geheim", &t, "20261210T100000", &[person(&stranger)]),
    )
    .await;
    assert!(
        other
            .platform
            .calendar_invitations(&stranger)
            .await
            .expect("list")
            .is_empty()
    );
    let r = range(utc(2026, 12, 1, 0, 0), utc(2026, 12, 31, 0, 0));
    let theirs = other
        .platform
        .calendar_personal(&stranger)
        .await
        .expect("own")
        .id;
    let seen = other
        .platform
        .calendar_instances(&stranger, Some(&[theirs]), r)
        .await
        .expect("view");
    assert!(seen.is_empty());
    // Function accounts neither invite nor are invited.
    let admin = s.admin().await;
    assert!(
        p.calendar_resolve_invitees(&admin, &t.user.mail)
            .await
            .is_err()
    );
    let sek = s.user("sekretariat").await;
    assert!(
        p.calendar_resolve_invitees(&t, &sek.user.mail)
            .await
            .is_err()
    );
}

async fn free_busy_shows_only_busy_times(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let anna = s.user("anna").await;
    let cal = own(&s, &anna).await;
    put(
        &s,
        &anna,
        cal,
        "a.ics",
        &event("a", "Zahnarzt", "20261214T100000", "20261214T110000", ""),
    )
    .await;
    put(
        &s,
        &anna,
        cal,
        "b.ics",
        &event(
            "b",
            "Erinnerung",
            "20261214T120000",
            "20261214T130000",
            "TRANSP:TRANSPARENT\r\n",
        ),
    )
    .await;
    put(
        &s,
        &anna,
        cal,
        "c.ics",
        &event(
            "c",
            "Abgesagt",
            "20261214T140000",
            "20261214T150000",
            "STATUS:CANCELLED\r\n",
        ),
    )
    .await;
    // A daily series whose second occurrence is cancelled.
    let series = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//DE\r\nBEGIN:VEVENT\r\nUID:d\r\nDTSTART;TZID=Europe/Berlin:20261214T160000\r\nDTEND;TZID=Europe/Berlin:20261214T170000\r\nRRULE:FREQ=DAILY;COUNT=3\r\nSUMMARY:Training\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:d\r\nRECURRENCE-ID;TZID=Europe/Berlin:20261215T160000\r\nDTSTART;TZID=Europe/Berlin:20261215T160000\r\nDTEND;TZID=Europe/Berlin:20261215T170000\r\nSTATUS:CANCELLED\r\nSUMMARY:Training\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    put(&s, &anna, cal, "d.ics", series.as_bytes()).await;
    let who = p
        .calendar_resolve_invitees(&t, &anna.user.mail)
        .await
        .expect("anna");
    let r = range(utc(2026, 12, 14, 0, 0), utc(2026, 12, 17, 0, 0));
    let busy = p.calendar_invitee_busy(&t, &who, r).await.expect("busy");
    assert_eq!(busy.len(), 1);
    let times: Vec<_> = busy[0].busy.iter().map(|b| (b.start, b.end)).collect();
    assert_eq!(
        times,
        vec![
            (utc(2026, 12, 14, 9, 0), utc(2026, 12, 14, 10, 0)),
            (utc(2026, 12, 14, 15, 0), utc(2026, 12, 14, 16, 0)),
            (utc(2026, 12, 16, 15, 0), utc(2026, 12, 16, 16, 0)),
        ]
    );
    let json = serde_json::to_string(&busy).expect("json");
    assert!(
        !json.contains("Zahnarzt") && !json.contains("Training"),
        "{json}"
    );
    // The same for a calendar's free-busy-query, and by address.
    let own_busy = p.calendar_busy(&anna, cal, r).await.expect("own");
    assert_eq!(own_busy.len(), 3);
    let by_addr = p
        .calendar_busy_of_address(&t, &format!("mailto:{}", anna.user.mail), r)
        .await
        .expect("addr");
    assert_eq!(by_addr.map(|v| v.len()), Some(3));
    let admin = s.admin().await;
    assert_eq!(
        p.calendar_busy_of_address(&admin, &anna.user.mail, r)
            .await
            .expect("admin"),
        None
    );
}

backend_tests!(
    invite_a_person_who_accepts,
    inviting_a_class_reaches_its_members,
    updates_and_cancellations_reach_the_copies,
    invitations_never_cross_schools,
    free_busy_shows_only_busy_times,
);
