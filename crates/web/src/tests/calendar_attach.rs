//! Attachments of events from the own file areas, without JavaScript: the editor opens the
//! picker from the event, walks into the own area, ticks two files and attaches them; a file
//! of someone else refuses the whole set (404); a student of the class sees the list and
//! downloads a file through the event's address, gets no picker and removes nothing; who
//! does not see the event (another class's calendar, a personal calendar seen as busy time
//! only) gets 404 on every attachment address. The event page costs the same statements
//! with attachments as without. An invitee's copy of an event lists the organiser's
//! attachments and downloads them through the copy's address, until the invitation is
//! taken back; nobody else reaches them there.

use axum::http::{StatusCode, header};
use schulhof_domain::calendar::{CalendarId, CalendarKind, Precondition};
use schulhof_domain::identity::Actor;

use super::mail_files::own_file;
use super::statements::{self, statements_of};
use super::{App, app, app_on_postgres};

on_both_backends!(
    attach_list_download_and_remove,
    an_invitee_downloads_the_organisers_attachments
);

async fn actor(app: &App, cookie: &str) -> Actor {
    let value = cookie.split_once('=').map_or(cookie, |(_, v)| v);
    app.platform.session(value).await.expect("session").actor
}

fn event(uid: &str, summary: &str) -> Vec<u8> {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Schulhof Test//DE\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261204T080000Z\r\nDTEND:20261204T090000Z\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    .into_bytes()
}

/// An event in a calendar of `kind` (the own personal one, or the teacher's class).
async fn event_in(app: &App, cookie: &str, kind: CalendarKind, uid: &str) -> CalendarId {
    let a = actor(app, cookie).await;
    let cal = app
        .platform
        .calendars(&a)
        .await
        .expect("calendars")
        .into_iter()
        .find(|c| c.kind == kind && (kind != CalendarKind::Personal || c.own))
        .expect("calendar")
        .id;
    app.platform
        .calendar_put(
            &a,
            cal,
            &format!("{uid}.ics"),
            &event(uid, "Klassenarbeit"),
            Precondition::None,
        )
        .await
        .expect("put");
    cal
}

fn id_after(body: &str, before: &str) -> String {
    let at = body.find(before).expect("link") + before.len();
    body[at..at + 36].to_owned()
}

fn refused(status: StatusCode) -> bool {
    matches!(status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN)
}

async fn attach_list_download_and_remove(app: App) {
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let admin = app.ready("admin").await;
    let cal = event_in(&app, &teacher, CalendarKind::Group, "ka").await;
    let page = format!("/kalender/{cal}/termin/ka.ics");
    let picker = format!("{page}/anhaenge");
    let (first, own) = own_file(&app, &teacher, "Stoffplan.txt", b"Bruchrechnung").await;
    let (second, _) = own_file(&app, &teacher, "Zettel.txt", b"Zettel").await;
    let (foreign, _) = own_file(&app, &student, "meins.txt", b"privat").await;

    // The editor finds the picker on the event's page and on its form.
    app.get(&page, &teacher)
        .await
        .assert(StatusCode::OK)
        .has(&format!("href=\"{picker}\""));
    app.get(&format!("{page}/bearbeiten"), &teacher)
        .await
        .assert(StatusCode::OK)
        .has(&format!("href=\"{picker}\""));
    app.get(&page, &student)
        .await
        .assert(StatusCode::OK)
        .lacks(&picker);
    app.get(&picker, &teacher)
        .await
        .assert(StatusCode::OK)
        .has(&format!("{picker}?ordner={own}"))
        .lacks("Tresor\"");
    app.get(&format!("{picker}?ordner={own}"), &teacher)
        .await
        .assert(StatusCode::OK)
        .has(&format!("name=\"knoten\" value=\"{first}\""))
        .has(&format!("name=\"knoten\" value=\"{second}\""))
        .has("Klassenarbeit");
    // A reader of the class calendar gets no picker and attaches nothing.
    assert!(refused(app.get(&picker, &student).await.status));
    assert!(refused(
        app.post(&picker, &student, &[("knoten", &foreign)])
            .await
            .status
    ));
    // Someone else's file spoils the whole set; nothing ticked is a clear error.
    app.post(
        &picker,
        &teacher,
        &[("knoten", &first), ("knoten", &foreign)],
    )
    .await
    .assert(StatusCode::NOT_FOUND);
    let r = app.post(&picker, &teacher, &[]).await;
    assert!(r.status.is_client_error(), "{:?}", r.status);
    assert!(r.body.contains("mindestens eine Datei"), "{}", r.body);
    app.get(&page, &student).await.lacks("Stoffplan.txt");

    let r = app
        .post(
            &picker,
            &teacher,
            &[("knoten", &first), ("knoten", &second)],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert!(
        r.location().contains("ok=cal_att_added"),
        "{}",
        r.location()
    );

    // The student sees name and size and downloads through the event's address.
    let seen = app.get(&page, &student).await;
    seen.assert(StatusCode::OK)
        .has("Stoffplan.txt")
        .has("Zettel.txt")
        .lacks("/entfernen");
    let att = id_after(&seen.body, &format!("{page}/anhang/"));
    let download = format!("{page}/anhang/{att}");
    let got = app.get(&download, &student).await;
    got.assert(StatusCode::OK);
    assert_eq!(got.body, "Bruchrechnung");
    let disposition = got
        .headers
        .get(header::CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(disposition.contains("Stoffplan.txt"), "{disposition}");

    // Who does not see the calendar: 404 on the list and the file.
    app.get(&page, &admin).await.assert(StatusCode::NOT_FOUND);
    app.get(&download, &admin)
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get(&format!("{page}/anhang/not-an-id"), &student)
        .await
        .assert(StatusCode::NOT_FOUND);

    // A personal event: another person sees its busy time only, never its attachments.
    let mine = event_in(&app, &teacher, CalendarKind::Personal, "arzt").await;
    let private = format!("/kalender/{mine}/termin/arzt.ics");
    app.post(
        &format!("{private}/anhaenge"),
        &teacher,
        &[("knoten", &second)],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let own_page = app.get(&private, &teacher).await;
    let private_att = id_after(&own_page.body, &format!("{private}/anhang/"));
    app.get(&format!("{private}/anhang/{private_att}"), &teacher)
        .await
        .assert(StatusCode::OK);
    app.get(&private, &student)
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get(&format!("{private}/anhang/{private_att}"), &student)
        .await
        .assert(StatusCode::NOT_FOUND);
    // The attachment of one event is not reached under another.
    app.get(&format!("{page}/anhang/{private_att}"), &teacher)
        .await
        .assert(StatusCode::NOT_FOUND);

    // Removing: not by the student; by the editor, then the address is gone.
    let remove = format!("{download}/entfernen");
    assert!(refused(app.post(&remove, &student, &[]).await.status));
    app.get(&page, &teacher).await.has(&remove);
    let r = app.post(&remove, &teacher, &[]).await;
    r.assert(StatusCode::SEE_OTHER);
    assert!(r.location().contains("ok=cal_att_removed"));
    app.get(&download, &student)
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get(&page, &student)
        .await
        .lacks("Stoffplan.txt")
        .has("Zettel.txt");

    // Deleting the event takes its attachments along.
    app.post(&format!("{page}/loeschen"), &teacher, &[])
        .await
        .assert(StatusCode::SEE_OTHER);
    let left = app
        .platform
        .calendar_attachments(&actor(&app, &teacher).await, cal, "ka.ics")
        .await
        .expect("list");
    assert!(left.is_empty());
}

async fn an_invitee_downloads_the_organisers_attachments(app: App) {
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let admin = app.ready("admin").await;
    let ta = actor(&app, &teacher).await;
    let cal = app.platform.calendar_personal(&ta).await.expect("own").id;
    // Still to come (the list of invitations shows what has not ended).
    let later = String::from_utf8(event("sprech", "Sprechstunde"))
        .expect("text")
        .replace("20261204", "20310304");
    app.platform
        .calendar_put(&ta, cal, "sprech.ics", later.as_bytes(), Precondition::None)
        .await
        .expect("put");
    let page = format!("/kalender/{cal}/termin/sprech.ics");
    let (file, _) = own_file(&app, &teacher, "Tagesordnung.txt", b"1. Begruessung").await;
    app.post(&format!("{page}/anhaenge"), &teacher, &[("knoten", &file)])
        .await
        .assert(StatusCode::SEE_OTHER);
    let mail = actor(&app, &student).await.user.mail;
    app.post(&format!("{page}/einladen"), &teacher, &[("wer", &mail)])
        .await
        .assert(StatusCode::SEE_OTHER);
    let inv = app
        .platform
        .calendar_invitations(&actor(&app, &student).await)
        .await
        .expect("invitations")
        .remove(0);
    let copy = format!("/kalender/{}/termin/{}", inv.calendar, inv.href);
    // The invitation lists the organiser's file, without a way to remove it.
    let seen = app.get(&copy, &student).await;
    seen.assert(StatusCode::OK)
        .has("Tagesordnung.txt")
        .lacks("/entfernen");
    let att = id_after(&seen.body, &format!("{copy}/anhang/"));
    let download = format!("{copy}/anhang/{att}");
    let got = app.get(&download, &student).await;
    got.assert(StatusCode::OK);
    assert_eq!(got.body, "1. Begruessung");
    // Removing through the copy does nothing.
    assert!(refused(
        app.post(&format!("{download}/entfernen"), &student, &[])
            .await
            .status
    ));
    // Nobody else reaches it through the copy (the organiser included: not their calendar).
    for who in [&admin, &teacher] {
        app.get(&download, who).await.assert(StatusCode::NOT_FOUND);
    }
    // Taken back: the copy lists nothing of the organiser's, the address is gone.
    app.post(&format!("{page}/ausladen"), &teacher, &[("adresse", &mail)])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get(&download, &student)
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get(&copy, &student).await.lacks("Tagesordnung.txt");
    // The organiser's own page still has it.
    app.get(&page, &teacher).await.has("Tagesordnung.txt");
}

/// The event page of a reader costs the same statements with three attachments as with
/// none, and a few at all.
async fn event_page_statements(app: App) {
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let cal = event_in(&app, &teacher, CalendarKind::Group, "st").await;
    let page = format!("/kalender/{cal}/termin/st.ics");
    let none = statements_of(&app, &page, &student).await;
    let mut form = Vec::new();
    for i in 0..3 {
        let (id, _) = own_file(&app, &teacher, &format!("f{i}.txt"), b"x").await;
        form.push(id);
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|id| ("knoten", id.as_str())).collect();
    app.post(&format!("{page}/anhaenge"), &teacher, &pairs)
        .await
        .assert(StatusCode::SEE_OTHER);
    let three = statements_of(&app, &page, &student).await;
    eprintln!("statements of the event page: {none} (no attachments), {three} (three)");
    assert!(none > 0, "statements are counted");
    assert_eq!(
        three, none,
        "the event page does not grow with its attachments"
    );
    assert!(
        three <= 12,
        "the event page costs a few statements, not {three}"
    );
}

#[tokio::test]
async fn the_event_page_costs_a_few_statements_on_sqlite() {
    if !statements::install() {
        return; // another subscriber counts already (not under nextest)
    }
    event_page_statements(app().await).await;
}

#[tokio::test]
async fn the_event_page_costs_a_few_statements_on_postgres() {
    if !statements::install() {
        return;
    }
    event_page_statements(app_on_postgres().await).await;
}
