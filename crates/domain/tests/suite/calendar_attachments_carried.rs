//! Attachments of events where events are split or copied, on SQLite and PostgreSQL:
//! "this and following" gives the new part of a series the same attachments (new rows, the
//! same blobs) while the old part keeps its own; an invitee's copy lists the organiser's
//! attachments and downloads them through the copy, while the invitation stands — nobody
//! else, no other school.

use crate::calendar_attachments::{own_file, read_all};
use crate::calendar_support;
use calendar_support::*;
use schulhof_domain::Db;
use schulhof_domain::Platform;
use schulhof_domain::calendar::{CalendarError, CalendarId, Precondition, SeriesScope};
use schulhof_domain::identity::Actor;
use schulhof_store::backend_tests;

async fn names(p: &Platform, a: &Actor, cal: CalendarId, href: &str) -> Vec<String> {
    p.calendar_attachments(a, cal, href)
        .await
        .expect("list")
        .into_iter()
        .map(|x| x.name)
        .collect()
}

async fn a_split_series_carries_the_attachments(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let anna = s.user("anna").await;
    let g5a = t.groups.iter().find(|g| g.name == "5a").expect("5a").id;
    let c5a = p.calendar_of_group(&t, g5a).await.expect("5a").id;
    // Thursdays 08:00 Berlin from 5 November, four times.
    p.calendar_put(
        &t,
        c5a,
        "ka.ics",
        &event(
            "ka",
            "Förderkurs",
            "20261105T080000",
            "20261105T090000",
            "RRULE:FREQ=WEEKLY;COUNT=4\r\n",
        ),
        Precondition::None,
    )
    .await
    .expect("put");
    let plan = own_file(p, &t, "Stoffplan.pdf", b"%PDF-1.4 Stoff").await;
    let zettel = own_file(p, &t, "Zettel.txt", b"Zettel").await;
    let old_ids = p
        .calendar_attach_files(&t, c5a, "ka.ics", &[plan.id, zettel.id])
        .await
        .expect("attach");
    let tag = p
        .calendar_get(&t, c5a, "ka.ics")
        .await
        .expect("get")
        .info
        .etag;

    // From 19 November on (07:00 UTC) at 10:00.
    let new = event(
        "egal",
        "Förderkurs neu",
        "20261119T100000",
        "20261119T110000",
        "RRULE:FREQ=WEEKLY;COUNT=2\r\n",
    );
    let href = p
        .calendar_change_event(
            &t,
            c5a,
            "ka.ics",
            Precondition::IfMatch(tag),
            SeriesScope::Following(utc(2026, 11, 19, 7, 0)),
            &new,
        )
        .await
        .expect("split");
    assert_ne!(href, "ka.ics");

    // Both parts list the two files; the new part's are rows of its own.
    assert_eq!(
        names(p, &anna, c5a, "ka.ics").await,
        ["Stoffplan.pdf", "Zettel.txt"]
    );
    assert_eq!(
        names(p, &anna, c5a, &href).await,
        ["Stoffplan.pdf", "Zettel.txt"]
    );
    let old = p
        .calendar_attachments(&anna, c5a, "ka.ics")
        .await
        .expect("old");
    assert_eq!(
        old.iter().map(|x| x.id).collect::<Vec<_>>(),
        old_ids,
        "the old part keeps its own"
    );
    let next = p
        .calendar_attachments(&anna, c5a, &href)
        .await
        .expect("new");
    assert!(next.iter().all(|x| !old_ids.contains(&x.id)), "new rows");
    assert_eq!(next[0].size, 14);
    // The same content, no copy: the file's blob.
    let (info, sha, reader) = p
        .calendar_attachment_content(&anna, c5a, &href, next[0].id)
        .await
        .expect("download from the new part");
    assert_eq!(info.name, "Stoffplan.pdf");
    assert_eq!(Some(sha), plan.blob_sha, "the same blob");
    assert_eq!(read_all(reader).await, b"%PDF-1.4 Stoff");
    // The old part's id is not reached under the new part's name, nor the other way.
    for (h, id) in [(href.as_str(), old_ids[0]), ("ka.ics", next[0].id)] {
        assert!(matches!(
            p.calendar_attachment_content(&anna, c5a, h, id).await,
            Err(CalendarError::NotFound)
        ));
    }
    // The new part's answers carry ATTACH with its own address.
    let got = p.calendar_get(&anna, c5a, &href).await.expect("get");
    let unfolded = got.raw.replace("\r\n ", "");
    let segment = href.replace('@', "%40");
    let url = format!("/kalender/{c5a}/termin/{segment}/anhang/{}", next[0].id);
    assert!(unfolded.contains(&url), "{unfolded}");
    assert_eq!(unfolded.matches("ATTACH").count(), 2, "{unfolded}");

    // They are separate: removing one from the new part leaves the old part's.
    p.calendar_remove_attachment(&t, c5a, &href, next[1].id)
        .await
        .expect("remove");
    assert_eq!(names(p, &anna, c5a, &href).await, ["Stoffplan.pdf"]);
    assert_eq!(names(p, &anna, c5a, "ka.ics").await.len(), 2);
    // A change "from the first date on" is the whole series: nothing doubled.
    let tag = p.calendar_get(&t, c5a, &href).await.expect("get").info.etag;
    let again = p
        .calendar_change_event(
            &t,
            c5a,
            &href,
            Precondition::IfMatch(tag),
            SeriesScope::Following(utc(2026, 11, 19, 9, 0)),
            &new,
        )
        .await
        .expect("change all");
    assert_eq!(again, href);
    assert_eq!(names(p, &anna, c5a, &href).await, ["Stoffplan.pdf"]);
    // Deleting the old part leaves the new part's attachment.
    p.calendar_delete_object(&t, c5a, "ka.ics", Precondition::None)
        .await
        .expect("delete old");
    let (_, _, reader) = p
        .calendar_attachment_content(&anna, c5a, &href, next[0].id)
        .await
        .expect("still there");
    assert_eq!(read_all(reader).await, b"%PDF-1.4 Stoff");
}

async fn a_split_without_attachments_stays_without(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let cal = p.calendar_personal(&t).await.expect("own").id;
    p.calendar_put(
        &t,
        cal,
        "ag.ics",
        &event(
            "ag",
            "AG",
            "20261105T080000",
            "20261105T090000",
            "RRULE:FREQ=WEEKLY;COUNT=4\r\n",
        ),
        Precondition::None,
    )
    .await
    .expect("put");
    let href = p
        .calendar_change_event(
            &t,
            cal,
            "ag.ics",
            Precondition::None,
            SeriesScope::Following(utc(2026, 11, 19, 7, 0)),
            &event("x", "AG neu", "20261119T100000", "20261119T110000", ""),
        )
        .await
        .expect("split");
    assert!(names(p, &t, cal, &href).await.is_empty());
    assert!(names(p, &t, cal, "ag.ics").await.is_empty());
}

async fn an_invitee_downloads_the_organisers_attachments(db: Db) {
    let s = school(db.clone()).await;
    let other = school_on(platform(db), "654321").await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let anna = s.user("anna").await;
    let ben = s.user("ben").await;
    let stranger = other.user("anna").await;
    let cal = p.calendar_personal(&t).await.expect("own").id;
    for (href, uid) in [("kf.ics", "kf"), ("privat.ics", "privat")] {
        p.calendar_put(
            &t,
            cal,
            href,
            &event(uid, "Konferenz", "20261203T100000", "20261203T113000", ""),
            Precondition::None,
        )
        .await
        .expect("put");
    }
    let plan = own_file(p, &t, "Tagesordnung.pdf", b"%PDF-1.4 TO").await;
    let secret = own_file(p, &t, "Privat.txt", b"privat").await;
    let ids = p
        .calendar_attach_files(&t, cal, "kf.ics", &[plan.id])
        .await
        .expect("attach");
    let hidden = p
        .calendar_attach_files(&t, cal, "privat.ics", &[secret.id])
        .await
        .expect("attach");
    p.calendar_invite(&t, cal, "kf.ics", &anna.user.mail)
        .await
        .expect("invite");
    let inv = p
        .calendar_invitations(&anna)
        .await
        .expect("invitations")
        .into_iter()
        .find(|i| i.summary == "Konferenz")
        .expect("invited");
    let (copy_cal, copy) = (inv.calendar, inv.href.as_str());
    assert_ne!(copy_cal, cal);

    // The organiser's ATTACH lines (her event's addresses) do not reach the copy's text.
    let text = p.calendar_get(&anna, copy_cal, copy).await.expect("copy");
    assert!(!text.raw.contains("/anhang/"), "{}", text.raw);
    // The invitee's copy lists the organiser's attachment; the copy has none of its own.
    let seen = p
        .calendar_event_attachments(&anna, copy_cal, copy)
        .await
        .expect("the invitee sees them");
    assert!(seen.own.is_empty());
    let listed: Vec<_> = seen
        .organiser
        .iter()
        .map(|x| (x.id, x.name.as_str()))
        .collect();
    assert_eq!(listed, [(ids[0], "Tagesordnung.pdf")]);
    let (info, sha, reader) = p
        .calendar_invitation_attachment_content(&anna, copy_cal, copy, ids[0])
        .await
        .expect("the invitee downloads it");
    assert_eq!(info.name, "Tagesordnung.pdf");
    assert_eq!(Some(sha), plan.blob_sha, "the same blob");
    assert_eq!(read_all(reader).await, b"%PDF-1.4 TO");
    // Not through the event's own attachments, not another event's file through the copy.
    for id in [ids[0], hidden[0]] {
        assert!(matches!(
            p.calendar_attachment_content(&anna, copy_cal, copy, id)
                .await,
            Err(CalendarError::NotFound)
        ));
    }
    assert!(matches!(
        p.calendar_invitation_attachment_content(&anna, copy_cal, copy, hidden[0])
            .await,
        Err(CalendarError::NotFound)
    ));
    // The organiser's own event: its attachments are its own, none "from the organiser".
    let master = p
        .calendar_event_attachments(&t, cal, "kf.ics")
        .await
        .expect("organiser");
    assert_eq!(master.own.len(), 1);
    assert!(master.organiser.is_empty());
    assert!(
        p.calendar_invitation_attachment_content(&t, cal, "kf.ics", ids[0])
            .await
            .is_err(),
        "the master is no copy"
    );

    // Who does not read the invitee's calendar: the same school's or another's.
    for who in [&ben, &stranger] {
        assert!(matches!(
            p.calendar_event_attachments(who, copy_cal, copy).await,
            Err(CalendarError::NotFound)
        ));
        assert!(matches!(
            p.calendar_invitation_attachment_content(who, copy_cal, copy, ids[0])
                .await,
            Err(CalendarError::NotFound)
        ));
    }
    assert!(matches!(
        other
            .platform
            .calendar_invitation_attachment_content(&stranger, copy_cal, copy, ids[0])
            .await,
        Err(CalendarError::NotFound)
    ));

    // A file attached later shows at once.
    let more = own_file(p, &t, "Protokoll.txt", b"Protokoll").await;
    p.calendar_attach_files(&t, cal, "kf.ics", &[more.id])
        .await
        .expect("attach later");
    let seen = p
        .calendar_event_attachments(&anna, copy_cal, copy)
        .await
        .expect("list");
    assert_eq!(seen.organiser.len(), 2);

    // Uninvited: the cancelled copy shows nothing of the organiser's any more.
    p.calendar_uninvite(&t, cal, "kf.ics", &anna.user.mail)
        .await
        .expect("uninvite");
    let seen = p
        .calendar_event_attachments(&anna, copy_cal, copy)
        .await
        .expect("the cancelled copy");
    assert!(seen.organiser.is_empty(), "{seen:?}");
    assert!(matches!(
        p.calendar_invitation_attachment_content(&anna, copy_cal, copy, ids[0])
            .await,
        Err(CalendarError::NotFound)
    ));
}

backend_tests!(
    a_split_series_carries_the_attachments,
    a_split_without_attachments_stays_without,
    an_invitee_downloads_the_organisers_attachments,
);
