//! "Stellvertretung" in the webmail: giving the own mailbox on the settings page, the
//! delegated mailbox beside the own inbox, reading without changing it, write access and
//! send-as, taking it back, and a confidential mailbox that the holder never passes on.

use axum::http::StatusCode;
use schulhof_authz::mail::MailboxAccess;
use schulhof_domain::mail::Special;

use super::App;
use super::mail::{actor, compose, folder_id, mail_of, message_ids, send_simple};

async fn give(app: &App, owner: &str, to: &str, access: &str, send_as: bool) {
    let mut form = vec![("login", to), ("zugriff", access), ("aktion", "freigeben")];
    if send_as {
        form.push(("senden", "ja"));
    }
    app.post("/mail/stellvertretung", owner, &form)
        .await
        .assert(StatusCode::SEE_OTHER);
}

async fn delegated_mailbox_beside_the_own(app: App) {
    let t = app.ready("lehrer").await;
    let p = app.ready("personal").await;
    let s = app.ready("schueler").await;
    let admin = app.ready("admin").await;
    let t_addr = mail_of(&app, &t).await;
    send_simple(&app, &s, &t_addr, "Frage zur Klassenfahrt", "Text")
        .await
        .assert(StatusCode::SEE_OTHER);
    // Without the right the page says so.
    app.post(
        "/mail/stellvertretung",
        &t,
        &[
            ("login", "personal"),
            ("zugriff", "read"),
            ("aktion", "freigeben"),
        ],
    )
    .await
    .assert(StatusCode::UNPROCESSABLE_ENTITY)
    .has("mail.delegate");
    let a = actor(&app, &admin).await;
    app.platform
        .set_user_right(&a, "lehrer", "mail.delegate", true)
        .await
        .expect("grant");
    app.post(
        "/mail/stellvertretung",
        &t,
        &[
            ("login", "niemand"),
            ("zugriff", "read"),
            ("aktion", "freigeben"),
        ],
    )
    .await
    .assert(StatusCode::UNPROCESSABLE_ENTITY)
    .has("gibt es an Ihrer Schule nicht");
    give(&app, &t, "personal", "read", false).await;
    app.get("/mail/stellvertretung", &t)
        .await
        .assert(StatusCode::OK)
        .has("Paul Hausmann (personal)")
        .has("freigegeben");

    // The delegate sees it beside the own inbox and reads it; reading changes nothing.
    let inbox = folder_id(&app, &t, Special::Inbox).await;
    app.get("/mail", &p)
        .await
        .assert(StatusCode::OK)
        .has("Lena Lehmann (lehrer)")
        .has(&format!("/mail/ordner/{inbox}"));
    let page = app.get(&format!("/mail/ordner/{inbox}"), &p).await;
    page.assert(StatusCode::OK).has("Frage zur Klassenfahrt");
    let id = message_ids(&page.body)[0].clone();
    app.get(&format!("/mail/nachricht/{id}"), &p)
        .await
        .assert(StatusCode::OK)
        .has("Frage zur Klassenfahrt");
    let unread = app.get(&format!("/mail/ordner/{inbox}"), &t).await;
    unread.has("mail-unread");
    // Read only: deleting is refused.
    let del = app
        .post(&format!("/mail/nachricht/{id}/loeschen"), &p, &[])
        .await;
    assert_eq!(del.status, StatusCode::FORBIDDEN);
    // Write and send-as: deleting moves into the owner's trash; From offers the owner.
    give(&app, &t, "personal", "write", true).await;
    app.get("/mail/neu", &p).await.has(&t_addr);
    app.post(&format!("/mail/nachricht/{id}/loeschen"), &p, &[])
        .await
        .assert(StatusCode::SEE_OTHER);
    let trash = folder_id(&app, &t, Special::Trash).await;
    app.get(&format!("/mail/ordner/{trash}"), &t)
        .await
        .has("Frage zur Klassenfahrt");
    // Taken back: gone from the side bar, the folder answers 404.
    app.post(
        "/mail/stellvertretung",
        &t,
        &[("login", "personal"), ("aktion", "entziehen")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get("/mail", &p).await.lacks("Lena Lehmann (lehrer)");
    app.get(&format!("/mail/ordner/{inbox}"), &p)
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get("/mail/neu", &p).await.lacks(&t_addr);
    app.get("/mail/stellvertretung", &t)
        .await
        .has("zurückgenommen");
}

async fn confidential_mailbox_stays_with_its_holder(app: App) {
    let t = app.ready("lehrer").await;
    let p = app.ready("personal").await;
    let s = app.ready("schueler").await;
    let admin = app.ready("admin").await;
    let a = actor(&app, &admin).await;
    let pf = &app.platform;
    let rat = pf
        .mail_create_confidential(&a, "lehrerrat", "Lehrerrat")
        .await
        .expect("create");
    pf.mail_confidential_delegate(
        &a,
        "lehrerrat",
        "lehrer",
        Some((MailboxAccess::Write, true)),
    )
    .await
    .expect("holder");
    // Mail to the Lehrerrat, from a student.
    compose(
        &app,
        &s,
        &[
            ("from", &mail_of(&app, &s).await),
            ("to", &rat),
            ("subject", "Vertraulich: Beschwerde"),
            ("body", "Bitte vertraulich behandeln"),
            ("aktion", "senden"),
        ],
        &[],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let holder = app.get("/mail", &t).await;
    holder.assert(StatusCode::OK).has("Lehrerrat (lehrerrat)");
    app.get("/mail/neu", &t).await.has(&rat);
    let ta = actor(&app, &t).await;
    let rat_inbox = pf
        .mail_delegated_folders(&ta)
        .await
        .expect("delegated")
        .into_iter()
        .find(|m| m.login == "lehrerrat")
        .and_then(|m| m.folders.into_iter().find(|f| f.path == "INBOX"))
        .expect("inbox")
        .id;
    app.get(&format!("/mail/ordner/{rat_inbox}"), &t)
        .await
        .assert(StatusCode::OK)
        .has("Vertraulich: Beschwerde");
    // The holder gives the own mailbox to a colleague: the Lehrerrat's stays behind.
    pf.set_user_right(&a, "lehrer", "mail.delegate", true)
        .await
        .expect("grant");
    give(&app, &t, "personal", "write", true).await;
    let side = app.get("/mail", &p).await;
    side.has("Lena Lehmann (lehrer)").lacks("lehrerrat");
    app.get(&format!("/mail/ordner/{rat_inbox}"), &p)
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get("/mail/neu", &p).await.lacks(&rat);
    app.get("/mail/suche?text=Beschwerde", &p)
        .await
        .lacks("Vertraulich: Beschwerde");
    app.get("/mail/stellvertretung", &p)
        .await
        .has("Lena Lehmann (lehrer)")
        .lacks("lehrerrat");
}

on_both_backends!(
    delegated_mailbox_beside_the_own,
    confidential_mailbox_stays_with_its_holder,
);
