//! Invitations by mail on SQLite and PostgreSQL (iMIP): each invited person — directly or
//! through a group — finds the invitation in the school mailbox, with a readable text and
//! a `text/calendar; method=REQUEST` part the mail module's MIME parser reads; a changed
//! event asks again, a cancelled one or a person taken out gets `method=CANCEL`. Never the
//! organiser, never anyone of another school.

use crate::calendar_support;
use calendar_support::*;
use mail_parser::{MessageParser, MimeHeaders};
use schulhof_domain::Db;
use schulhof_domain::calendar::{CalendarId, PartStat, Precondition, SeriesScope};
use schulhof_domain::identity::Actor;
use schulhof_domain::mail::Special;
use schulhof_domain::mail::parse::summarise;
use schulhof_store::backend_tests;

fn domain(a: &Actor) -> String {
    a.user.mail.rsplit_once('@').expect("address").1.to_owned()
}

async fn own(s: &School, a: &Actor) -> CalendarId {
    s.platform.calendar_personal(a).await.expect("own").id
}

/// The raw invitation mails in `a`'s inbox (those with a calendar part), oldest first.
async fn invitations(s: &School, a: &Actor) -> Vec<String> {
    let p = &s.platform;
    let inbox = p.mail_special(a, Special::Inbox).await.expect("inbox");
    let (page, _) = p.mail_page(a, inbox, 0, 100).await.expect("page");
    let mut out = Vec::new();
    for m in page.iter().rev() {
        let raw = p.mail_raw(a, m.id).await.expect("raw");
        let raw = String::from_utf8(raw).expect("utf-8");
        if raw.contains("text/calendar") {
            out.push(raw);
        }
    }
    out
}

/// The calendar part, the text and the subject of a mail, as the mail module's parser
/// reads them; checks the part is `text/calendar` with the method.
fn parts(raw: &str, method: &str) -> (String, String, String) {
    let msg = MessageParser::default()
        .parse(raw.as_bytes())
        .expect("parsed");
    let cal = msg
        .parts
        .iter()
        .find(|p| {
            p.content_type().is_some_and(|c| {
                c.ctype().eq_ignore_ascii_case("text")
                    && c.subtype()
                        .is_some_and(|s| s.eq_ignore_ascii_case("calendar"))
                    && c.attribute("method")
                        .is_some_and(|m| m.eq_ignore_ascii_case(method))
            })
        })
        .unwrap_or_else(|| panic!("no text/calendar; method={method} part:\n{raw}"));
    // Unfolded (long lines are folded at 75 octets).
    let ical = cal
        .text_contents()
        .expect("calendar text")
        .replace("\r\n ", "")
        .replace("\n ", "");
    let text = msg.body_text(0).expect("text part").into_owned();
    let summary = summarise(raw.as_bytes());
    assert!(summary.has_attachments, "{raw}");
    (ical, text, summary.subject)
}

async fn an_invitation_reaches_each_invitee_by_mail(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let cal = own(&s, &t).await;
    p.calendar_put(
        &t,
        cal,
        "m.ics",
        &event(
            "m1@schulhof.test",
            "Fachkonferenz",
            "20261203T100000",
            "20261203T113000",
            "LOCATION:Raum 204\r\n",
        ),
        Precondition::None,
    )
    .await
    .expect("put");
    // Two persons and a class (its members: Lars and Carla), as the web invites.
    let anna = s.user("anna").await;
    let paul = s.user("personal").await;
    let who = format!(
        "{}, Paul Test <{}>; verteiler-5b@{}",
        anna.user.mail,
        paul.user.mail,
        domain(&t)
    );
    let added = p
        .calendar_invite(&t, cal, "m.ics", &who)
        .await
        .expect("invite");
    assert_eq!(added, 3);

    let invitees = ["anna", "personal", "lehrer2", "carla"];
    for login in invitees {
        let a = s.user(login).await;
        let mails = invitations(&s, &a).await;
        assert_eq!(mails.len(), 1, "{login}: one invitation");
        let raw = &mails[0];
        assert!(raw.contains("METHOD:REQUEST"), "{raw}");
        assert!(raw.contains("UID:m1@schulhof.test"), "{raw}");
        let (ical, text, subject) = parts(raw, "REQUEST");
        assert_eq!(subject, "Einladung: Fachkonferenz");
        assert!(ical.contains("METHOD:REQUEST"), "{ical}");
        assert!(ical.contains("UID:m1@schulhof.test"), "{ical}");
        assert!(
            ical.to_lowercase().contains(&t.user.mail.to_lowercase()),
            "{ical}"
        );
        assert!(text.contains("Fachkonferenz"), "{text}");
        assert!(
            text.contains("Do. 03.12.2026, 10:00–11:30 Uhr (Europe/Berlin)"),
            "{text}"
        );
        assert!(text.contains("Wo: Raum 204"), "{text}");
        assert!(text.contains("Lena Test"), "{text}");
        assert!(text.contains("/kalender/einladungen"), "{text}");
    }
    // Neither the organiser nor anyone not invited gets one.
    for login in ["lehrer", "ben"] {
        let a = s.user(login).await;
        assert!(invitations(&s, &a).await.is_empty(), "{login}");
    }

    // A new time: a second REQUEST for everyone.
    let master = p.calendar_get(&t, cal, "m.ics").await.expect("master");
    let moved = master
        .raw
        .replace("20261203T100000", "20261204T100000")
        .replace("20261203T113000", "20261204T113000");
    p.calendar_put(
        &t,
        cal,
        "m.ics",
        moved.as_bytes(),
        Precondition::IfMatch(master.info.etag),
    )
    .await
    .expect("moved");
    for login in invitees {
        let a = s.user(login).await;
        let mails = invitations(&s, &a).await;
        assert_eq!(mails.len(), 2, "{login}: asked again");
        let (ical, text, subject) = parts(&mails[1], "REQUEST");
        assert_eq!(subject, "Geänderte Einladung: Fachkonferenz");
        assert!(ical.contains("UID:m1@schulhof.test"), "{ical}");
        assert!(text.contains("Fr. 04.12.2026"), "{text}");
    }

    // Deleted: a CANCEL for everyone.
    p.calendar_delete_object(&t, cal, "m.ics", Precondition::None)
        .await
        .expect("delete");
    for login in invitees {
        let a = s.user(login).await;
        let mails = invitations(&s, &a).await;
        assert_eq!(mails.len(), 3, "{login}: cancelled");
        assert!(mails[2].contains("METHOD:CANCEL"), "{}", mails[2]);
        let (ical, text, subject) = parts(&mails[2], "CANCEL");
        assert_eq!(subject, "Abgesagt: Fachkonferenz");
        assert!(ical.contains("STATUS:CANCELLED"), "{ical}");
        assert!(ical.contains("UID:m1@schulhof.test"), "{ical}");
        assert!(text.contains("abgesagt"), "{text}");
    }
    assert!(invitations(&s, &t).await.is_empty(), "never the organiser");
}

async fn only_changes_that_matter_send_mail(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let anna = s.user("anna").await;
    let ben = s.user("ben").await;
    let cal = own(&s, &t).await;
    let att = |a: &Actor| {
        format!(
            "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{}\r\n",
            a.user.mail
        )
    };
    // The organiser listed as an attendee too (as calendar clients write it).
    let org = format!(
        "ORGANIZER;CN=Lena Test:mailto:{m}\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:{m}\r\n",
        m = t.user.mail
    );
    let both = event(
        "ag1",
        "AG",
        "20261209T100000",
        "20261209T110000",
        &format!("{org}{}{}", att(&anna), att(&ben)),
    );
    p.calendar_put(&t, cal, "ag.ics", &both, Precondition::None)
        .await
        .expect("put");
    // The same event again (a client storing it once more): no new mail.
    p.calendar_put(&t, cal, "ag.ics", &both, Precondition::None)
        .await
        .expect("again");
    assert_eq!(invitations(&s, &anna).await.len(), 1);
    assert_eq!(invitations(&s, &ben).await.len(), 1);
    assert!(invitations(&s, &t).await.is_empty(), "never the organiser");

    // Ben taken out: he gets a CANCEL naming him; Anna nothing.
    let one = event(
        "ag1",
        "AG",
        "20261209T100000",
        "20261209T110000",
        &format!("{org}{}", att(&anna)),
    );
    p.calendar_put(&t, cal, "ag.ics", &one, Precondition::None)
        .await
        .expect("uninvite");
    assert_eq!(invitations(&s, &anna).await.len(), 1);
    let bens = invitations(&s, &ben).await;
    assert_eq!(bens.len(), 2);
    let (ical, _, _) = parts(&bens[1], "CANCEL");
    assert!(
        ical.to_lowercase().contains(&ben.user.mail.to_lowercase()),
        "{ical}"
    );

    // A refused change (a stale ETag) mails nothing.
    let renamed = event(
        "ag1",
        "Theater-AG",
        "20261209T100000",
        "20261209T110000",
        &format!("{org}{}", att(&anna)),
    );
    assert!(
        p.calendar_put(
            &t,
            cal,
            "ag.ics",
            &renamed,
            Precondition::IfMatch("0000".into())
        )
        .await
        .is_err()
    );
    assert_eq!(invitations(&s, &anna).await.len(), 1);
    // A new title asks again.
    p.calendar_put(&t, cal, "ag.ics", &renamed, Precondition::None)
        .await
        .expect("renamed");
    let annas = invitations(&s, &anna).await;
    assert_eq!(annas.len(), 2);
    let (_, text, _) = parts(&annas[1], "REQUEST");
    assert!(text.contains("Theater-AG"), "{text}");
}

/// A new place or description asks again, by a client's PUT and by the web form's change;
/// storing the same again (either way) sends nothing, and the answer given stays.
async fn a_new_place_or_description_sends_mail(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let anna = s.user("anna").await;
    let cal = own(&s, &t).await;
    let with = |place: &str, about: &str| {
        event(
            "pl1",
            "Elternabend",
            "20261210T180000",
            "20261210T193000",
            &format!(
                "LOCATION:{place}\r\nDESCRIPTION:{about}\r\nORGANIZER;CN=Lena Test:mailto:{}\r\nATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{}\r\n",
                t.user.mail, anna.user.mail
            ),
        )
    };
    let org = &t;
    let put = |raw: Vec<u8>| async move {
        p.calendar_put(org, cal, "pl.ics", &raw, Precondition::None)
            .await
            .expect("put");
    };
    put(with("Raum 1", "Bitte pünktlich")).await;
    assert_eq!(invitations(&s, &anna).await.len(), 1);
    // Anna accepts; the same text again sends nothing.
    let inv = p.calendar_invitations(&anna).await.expect("list").remove(0);
    p.calendar_answer(&anna, inv.calendar, &inv.href, PartStat::Accepted)
        .await
        .expect("accept");
    put(with("Raum 1", "Bitte pünktlich")).await;
    assert_eq!(invitations(&s, &anna).await.len(), 1, "nothing changed");

    // Only the place: a changed invitation naming the new place; the answer stays.
    put(with("Aula", "Bitte pünktlich")).await;
    let annas = invitations(&s, &anna).await;
    assert_eq!(annas.len(), 2, "a new place");
    let (ical, text, subject) = parts(&annas[1], "REQUEST");
    assert_eq!(subject, "Geänderte Einladung: Elternabend");
    assert!(text.contains("Wo: Aula"), "{text}");
    assert!(ical.contains("LOCATION:Aula"), "{ical}");
    let inv = p.calendar_invitations(&anna).await.expect("list").remove(0);
    assert_eq!(
        inv.partstat,
        PartStat::Accepted,
        "a new place keeps the answer"
    );
    put(with("Aula", "Bitte pünktlich")).await;
    assert_eq!(invitations(&s, &anna).await.len(), 2, "stored again");

    // Only the description.
    put(with("Aula", "Bitte Zeugnisse mitbringen")).await;
    let annas = invitations(&s, &anna).await;
    assert_eq!(annas.len(), 3, "a new description");
    let (ical, _, _) = parts(&annas[2], "REQUEST");
    assert!(ical.contains("Zeugnisse"), "{ical}");

    // The web form's change of the whole event: a re-save sends nothing, a new place mails.
    let form = |place: &str| {
        event(
            "egal",
            "Elternabend",
            "20261210T180000",
            "20261210T193000",
            &format!("LOCATION:{place}\r\nDESCRIPTION:Bitte Zeugnisse mitbringen\r\n"),
        )
    };
    for (place, n) in [("Aula", 3), ("Mensa", 4), ("Mensa", 4)] {
        p.calendar_change_event(
            &t,
            cal,
            "pl.ics",
            Precondition::None,
            SeriesScope::All,
            &form(place),
        )
        .await
        .expect("form");
        assert_eq!(invitations(&s, &anna).await.len(), n, "{place}");
    }
    let annas = invitations(&s, &anna).await;
    let (_, text, _) = parts(&annas[3], "REQUEST");
    assert!(text.contains("Wo: Mensa"), "{text}");
    assert!(invitations(&s, &t).await.is_empty(), "never the organiser");
}

async fn no_invitation_mail_crosses_schools(db: Db) {
    let s = school(db.clone()).await;
    let other = school_on(platform(db), "654321").await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let stranger = other.user("anna").await;
    let cal = own(&s, &t).await;
    p.calendar_put(
        &t,
        cal,
        "x.ics",
        &event("x1", "Geheim", "20261210T100000", "20261210T110000", ""),
        Precondition::None,
    )
    .await
    .expect("put");
    // The web refuses the address; a calendar client's ATTENDEE is simply not scheduled.
    assert!(
        p.calendar_invite(&t, cal, "x.ics", &stranger.user.mail)
            .await
            .is_err()
    );
    let raw = event(
        "x1",
        "Geheim",
        "20261210T100000",
        "20261210T110000",
        &format!(
            "ORGANIZER:mailto:{}\r\nATTENDEE;RSVP=TRUE:mailto:{}\r\n",
            t.user.mail, stranger.user.mail
        ),
    );
    p.calendar_put(&t, cal, "x.ics", &raw, Precondition::None)
        .await
        .expect("put");
    p.calendar_delete_object(&t, cal, "x.ics", Precondition::None)
        .await
        .expect("delete");
    let inbox = other
        .platform
        .mail_special(&stranger, Special::Inbox)
        .await
        .expect("inbox");
    let (page, n) = other
        .platform
        .mail_page(&stranger, inbox, 0, 100)
        .await
        .expect("page");
    assert_eq!((page.len(), n), (0, 0), "nothing reached the other school");
}

backend_tests!(
    an_invitation_reaches_each_invitee_by_mail,
    only_changes_that_matter_send_mail,
    a_new_place_or_description_sends_mail,
    no_invitation_mail_crosses_schools,
);
