//! The folder page's bulk actions without JavaScript: tick messages, mark them read, unread,
//! flagged, move them, delete them to the trash and out of it; what IMAP's view of the
//! folder sees afterwards; other people's messages; and what one action costs in SQL.

use axum::http::StatusCode;
use schulhof_domain::mail::Special;
use schulhof_types::MailMessageId;

use super::mail::{actor, folder_id, mail_of, message_ids, send_simple};
use super::statements::{self, statements_of_post};
use super::{App, app, app_on_postgres};

/// The teacher sends `n` messages to the student; the ids in the student's inbox, newest first.
async fn inbox_with(app: &App, t: &str, s: &str, n: usize) -> Vec<String> {
    let s_addr = mail_of(app, s).await;
    for i in 0..n {
        send_simple(app, t, &s_addr, &format!("Rundbrief {i}"), "Text")
            .await
            .assert(StatusCode::SEE_OTHER);
    }
    message_ids(&app.get("/mail", s).await.body)
}

fn form<'a>(action: &'a str, ids: &'a [String]) -> Vec<(&'a str, &'a str)> {
    let mut f: Vec<(&str, &str)> = ids.iter().map(|i| ("id", i.as_str())).collect();
    f.push(("aktion", action));
    f
}

async fn ticked_messages_are_marked_moved_and_deleted(app: App) {
    let t = app.ready("lehrer").await;
    let s = app.ready("schueler").await;
    let ids = inbox_with(&app, &t, &s, 3).await;
    assert_eq!(ids.len(), 3);
    let a = actor(&app, &s).await;
    let inbox = folder_id(&app, &s, Special::Inbox).await;
    let inbox_id = inbox.parse().expect("folder id");
    let base = format!("/mail/ordner/{inbox}");
    let action = format!("{base}/auswahl");
    // The page offers the form: a checkbox per message, "select all" as a link without JS.
    app.get(&base, &s)
        .await
        .has(&format!("action=\"{action}\""))
        .has(&format!("name=\"id\" value=\"{}\"", ids[0]))
        .has(&format!("href=\"{base}?seite=1&#38;alle=ja\""))
        .lacks(" checked>");
    app.get(&format!("{base}?alle=ja"), &s)
        .await
        .has(" checked>");
    // IMAP's view of the folder, read before the change, must see it afterwards.
    let before = app.platform.mail_uids(&a, inbox_id).await.expect("uids");
    assert!(before.iter().all(|m| !m.flags.seen));
    let two = &ids[..2];
    let r = app.post(&action, &s, &form("gelesen", two)).await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("{base}?ok=mail_bulk_marked"));
    let after = app.platform.mail_uids(&a, inbox_id).await.expect("uids");
    assert_eq!(after.iter().filter(|m| m.flags.seen).count(), 2);
    let top = before.iter().map(|m| m.modseq).max().unwrap_or(0);
    for m in after.iter().filter(|m| m.flags.seen) {
        assert!(m.modseq > top, "a changed message gets a new MODSEQ");
    }
    let folder = app.platform.mail_folders(&a).await.expect("folders");
    let unseen = folder.iter().find(|f| f.id == inbox_id).map(|f| f.unseen);
    assert_eq!(unseen, Some(1));
    // Flagged, then unflagged; unread again.
    app.post(&action, &s, &form("markiert", &ids))
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get("/mail", &s).await.has("mail-flagged");
    app.post(&action, &s, &form("unmarkiert", &ids))
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get("/mail", &s).await.lacks("mail-flagged");
    app.post(&action, &s, &form("ungelesen", two))
        .await
        .assert(StatusCode::SEE_OTHER);
    let unseen = app.platform.mail_uids(&a, inbox_id).await.expect("uids");
    assert!(unseen.iter().all(|m| !m.flags.seen));
    // Moved into an own folder: new UIDs there, gone from the inbox (for IMAP too).
    let made = app
        .platform
        .mail_create_folder(&a, "Archiv 2026")
        .await
        .expect("folder");
    let mut events = app.platform.mail_events();
    let mut moving = form("verschieben", two);
    let target = made.id.to_string();
    moving.push(("ziel", &target));
    let r = app.post(&action, &s, &moving).await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("{base}?ok=mail_bulk_moved"));
    // On PostgreSQL the events come back through LISTEN, a moment later.
    let mut announced = Vec::new();
    while !(announced.contains(&made.id) && announced.contains(&inbox_id)) {
        match tokio::time::timeout(std::time::Duration::from_secs(5), events.recv()).await {
            Ok(Ok(e)) => announced.push(e.folder),
            _ => break,
        }
    }
    assert!(
        announced.contains(&made.id) && announced.contains(&inbox_id),
        "{announced:?}"
    );
    let left = app.platform.mail_uids(&a, inbox_id).await.expect("uids");
    assert_eq!(left.len(), 1);
    let moved = app.platform.mail_uids(&a, made.id).await.expect("uids");
    assert_eq!(moved.iter().map(|m| m.uid).collect::<Vec<_>>(), [1, 2]);
    app.get(&format!("/mail/ordner/{}", made.id), &s)
        .await
        .has(&format!("/mail/nachricht/{}", ids[0]))
        .has(&format!("/mail/nachricht/{}", ids[1]));
    // Deleted: to the trash; ticked there and deleted again: gone for good, bytes given back.
    let (used_before, _) = app.platform.mail_usage(&a).await.expect("usage");
    let archive_action = format!("/mail/ordner/{}/auswahl", made.id);
    app.post(&archive_action, &s, &form("loeschen", two))
        .await
        .assert(StatusCode::SEE_OTHER);
    let trash = folder_id(&app, &s, Special::Trash).await;
    let in_trash = message_ids(&app.get(&format!("/mail/ordner/{trash}"), &s).await.body);
    assert_eq!(in_trash.len(), 2);
    app.get(&format!("/mail/ordner/{trash}"), &s)
        .await
        .has("data-confirm=");
    let r = app
        .post(
            &format!("/mail/ordner/{trash}/auswahl"),
            &s,
            &form("loeschen", &in_trash),
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert!(
        r.location().ends_with("ok=mail_bulk_purged"),
        "{}",
        r.location()
    );
    let (used_after, _) = app.platform.mail_usage(&a).await.expect("usage");
    assert!(used_after < used_before, "{used_after} < {used_before}");
    let trash_id = trash.parse().expect("trash id");
    assert!(
        app.platform
            .mail_uids(&a, trash_id)
            .await
            .expect("uids")
            .is_empty()
    );
    // Nothing ticked: a notice, nothing changes.
    let r = app.post(&action, &s, &[("aktion", "gelesen")]).await;
    assert_eq!(r.location(), format!("{base}?ok=mail_bulk_none"));
}

async fn another_persons_message_spoils_the_whole_choice(app: App) {
    let t = app.ready("lehrer").await;
    let s = app.ready("schueler").await;
    let mine = inbox_with(&app, &t, &s, 1).await;
    // The teacher's own copy under Sent: not the student's.
    let sent = folder_id(&app, &t, Special::Sent).await;
    let theirs = message_ids(&app.get(&format!("/mail/ordner/{sent}"), &t).await.body);
    let inbox = folder_id(&app, &s, Special::Inbox).await;
    let action = format!("/mail/ordner/{inbox}/auswahl");
    let mixed = [mine[0].clone(), theirs[0].clone()];
    for verb in ["gelesen", "loeschen"] {
        app.post(&action, &s, &form(verb, &mixed))
            .await
            .assert(StatusCode::NOT_FOUND);
    }
    // Nothing changed for the own message either.
    let a = actor(&app, &s).await;
    let id: MailMessageId = mine[0].parse().expect("id");
    let m = app
        .platform
        .mail_message(&a, id)
        .await
        .expect("still there");
    assert!(!m.flags.seen);
    assert_eq!(m.folder.to_string(), inbox);
    // The teacher's folder is not the student's to act on; nor a made-up action or target.
    app.post(
        &format!("/mail/ordner/{sent}/auswahl"),
        &s,
        &form("gelesen", &theirs),
    )
    .await
    .assert(StatusCode::NOT_FOUND);
    app.post(&action, &s, &form("anders", &mine))
        .await
        .assert(StatusCode::NOT_FOUND);
    let mut to_theirs = form("verschieben", &mine);
    to_theirs.push(("ziel", &sent));
    app.post(&action, &s, &to_theirs)
        .await
        .assert(StatusCode::NOT_FOUND);
    let m = app
        .platform
        .mail_message(&a, id)
        .await
        .expect("still there");
    assert_eq!(m.folder.to_string(), inbox);
}

on_both_backends!(
    ticked_messages_are_marked_moved_and_deleted,
    another_persons_message_spoils_the_whole_choice,
);

/// Marking 2 and 20 messages read, moving them: the same few statements.
async fn bulk_statements(app: App) {
    let t = app.ready("lehrer").await;
    let s = app.ready("schueler").await;
    let ids = inbox_with(&app, &t, &s, 22).await;
    let inbox = folder_id(&app, &s, Special::Inbox).await;
    let action = format!("/mail/ordner/{inbox}/auswahl");
    let (few, r) = statements_of_post(&app, &action, &s, &form("gelesen", &ids[..2])).await;
    r.assert(StatusCode::SEE_OTHER);
    let (many, r) = statements_of_post(&app, &action, &s, &form("gelesen", &ids[2..])).await;
    r.assert(StatusCode::SEE_OTHER);
    eprintln!("statements of a bulk mark: {few} (2 messages), {many} (20 messages)");
    assert!(few > 0, "statements are counted");
    assert_eq!(few, many, "marking does not grow with the messages");
    assert!(many <= 12, "a bulk mark costs a few statements, not {many}");
    let a = actor(&app, &s).await;
    let made = app
        .platform
        .mail_create_folder(&a, "Ablage")
        .await
        .expect("folder");
    let target = made.id.to_string();
    let mut two = form("verschieben", &ids[..2]);
    two.push(("ziel", &target));
    let mut twenty = form("verschieben", &ids[2..]);
    twenty.push(("ziel", &target));
    let (few, _) = statements_of_post(&app, &action, &s, &two).await;
    let (many, _) = statements_of_post(&app, &action, &s, &twenty).await;
    eprintln!("statements of a bulk move: {few} (2 messages), {many} (20 messages)");
    assert_eq!(few, many, "moving does not grow with the messages");
    assert!(many <= 14, "a bulk move costs a few statements, not {many}");
    assert_eq!(
        app.platform
            .mail_uids(&a, made.id)
            .await
            .expect("uids")
            .len(),
        22
    );
}

#[tokio::test]
async fn a_bulk_action_costs_a_few_statements_on_sqlite() {
    if !statements::install() {
        return;
    }
    bulk_statements(app().await).await;
}

#[tokio::test]
async fn a_bulk_action_costs_a_few_statements_on_postgres() {
    if !statements::install() {
        return;
    }
    bulk_statements(app_on_postgres().await).await;
}
