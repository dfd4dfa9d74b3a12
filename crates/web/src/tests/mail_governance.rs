//! Mail governance in the webmail: four-eyes access to a mailbox (the admin assigns the staff
//! council, the Schulleitung asks, a council member confirms, the Schulleitung reads
//! read-only, the owner is told, nobody else gets in), and a mailbox given for reading only
//! shows no buttons that would change it.

use axum::http::StatusCode;
use schulhof_authz::mail::MailboxAccess;
use schulhof_domain::mail::Special;

use super::App;
use super::mail::{actor, folder_id, mail_of, message_ids, send_simple};

async fn four_eyes_access_through_webmail(app: App) {
    let (t, s) = (app.ready("lehrer").await, app.ready("schueler").await);
    let (admin, sl) = (app.ready("admin").await, app.ready("schulleitung").await);
    let council = app.ready("personal").await;
    // The demo Schulleitung account is held by the teacher: the owner here is the student.
    let s_addr = mail_of(&app, &s).await;
    send_simple(
        &app,
        &t,
        &s_addr,
        "Entschuldigung Klassenfahrt",
        "Bitte lesen",
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    // Only the admin assigns the staff council; the Schulleitung sees the request form.
    app.post(
        "/mail/einsicht/personalvertretung",
        &t,
        &[("login", "personal"), ("aktion", "eintragen")],
    )
    .await
    .assert(StatusCode::FORBIDDEN);
    app.post(
        "/mail/einsicht/personalvertretung",
        &admin,
        &[("login", "personal"), ("aktion", "eintragen")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get("/mail/einsicht", &admin)
        .await
        .has("Personalvertretung")
        .has("<code>personal</code>")
        .lacks("name=\"grund\"");
    app.get("/mail/einsicht", &sl).await.has("name=\"grund\"");
    let until = (app.platform.now() + chrono::Duration::days(3))
        .format("%Y-%m-%d")
        .to_string();
    // Without a documented reason nothing is asked.
    let short = app
        .post(
            "/mail/einsicht",
            &sl,
            &[("login", "schueler"), ("grund", "kurz"), ("bis", &until)],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.post(
        "/mail/einsicht",
        &sl,
        &[
            ("login", "schueler"),
            ("grund", "Erkrankung, dringende Elternanfrage"),
            ("bis", &until),
        ],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let ca = actor(&app, &council).await;
    let req = app
        .platform
        .four_eyes_requests(&ca)
        .await
        .expect("requests")
        .into_iter()
        .find(|r| r.kind == "mailbox_inspection")
        .expect("pending");
    app.get("/bestaetigungen", &council)
        .await
        .has("Einsicht in ein Postfach");
    app.post(
        &format!("/bestaetigungen/{}/bestaetigen", req.id),
        &council,
        &[],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let list = app.get("/mail/einsicht", &sl).await;
    list.assert(StatusCode::OK).has("Erkrankung");
    let href = format!("/mail/einsicht/{}", req.id);
    let page = app.get(&href, &sl).await;
    page.assert(StatusCode::OK)
        .has("Entschuldigung Klassenfahrt")
        .lacks("/loeschen");
    let marker = format!("{href}/nachricht/");
    let msg: String = page
        .body
        .split(&marker)
        .nth(1)
        .expect("a message link")
        .chars()
        .take(36)
        .collect();
    app.get(&format!("{marker}{msg}"), &sl)
        .await
        .assert(StatusCode::OK)
        .has("Bitte lesen");
    // Nobody else: not the admin, not the confirming member.
    for other in [&admin, &council] {
        app.get(&href, other).await.assert(StatusCode::NOT_FOUND);
    }
    // The owner was told, with the reason.
    app.get("/benachrichtigungen", &s)
        .await
        .has("Erkrankung, dringende Elternanfrage");
}

async fn read_only_mailboxes_show_no_changing_buttons(app: App) {
    let (t, s) = (app.ready("lehrer").await, app.ready("schueler").await);
    let (admin, p) = (app.ready("admin").await, app.ready("personal").await);
    let a = actor(&app, &admin).await;
    app.platform
        .set_user_right(&a, "lehrer", "mail.delegate", true)
        .await
        .expect("grant");
    let ta = actor(&app, &t).await;
    app.platform
        .mail_delegate(&ta, "personal", MailboxAccess::Read, false)
        .await
        .expect("delegate");
    let t_addr = mail_of(&app, &t).await;
    send_simple(&app, &s, &t_addr, "Nur zum Lesen", "Text")
        .await
        .assert(StatusCode::SEE_OTHER);
    let inbox = folder_id(&app, &t, Special::Inbox).await;
    let folder = app.get(&format!("/mail/ordner/{inbox}"), &p).await;
    folder
        .assert(StatusCode::OK)
        .has("Nur zum Lesen")
        .lacks("value=\"loeschen\"")
        .lacks("value=\"verschieben\"");
    let id = message_ids(&folder.body)[0].clone();
    app.get(&format!("/mail/nachricht/{id}"), &p)
        .await
        .assert(StatusCode::OK)
        .lacks(&format!("/mail/nachricht/{id}/loeschen"))
        .lacks(&format!("/mail/nachricht/{id}/verschieben"));
    // The owner still has them.
    app.get(&format!("/mail/nachricht/{id}"), &t)
        .await
        .has(&format!("/mail/nachricht/{id}/loeschen"));
    // The delegation page's texts come from the i18n table, in both languages.
    app.get("/mail/stellvertretung", &t)
        .await
        .has("Für mich freigegebene Postfächer")
        .lacks("[?]");
}

/// "Spam" and "not spam" on a message in webmail: into the Spam folder and back into the
/// inbox (the filter learns from it where one runs; without one the school still works),
/// and only on the reader's own messages.
async fn spam_and_not_spam_in_webmail(app: App) {
    let (t, s) = (app.ready("lehrer").await, app.ready("schueler").await);
    let t_addr = mail_of(&app, &t).await;
    send_simple(&app, &s, &t_addr, "Sonderangebot", "Jetzt kaufen")
        .await
        .assert(StatusCode::SEE_OTHER);
    let inbox = folder_id(&app, &t, Special::Inbox).await;
    let junk = folder_id(&app, &t, Special::Junk).await;
    let folder = app.get(&format!("/mail/ordner/{inbox}"), &t).await;
    let id = message_ids(&folder.body)[0].clone();
    let spam = format!("/mail/nachricht/{id}/spam");
    app.get(&format!("/mail/nachricht/{id}"), &t)
        .await
        .has(&format!("action=\"{spam}\""))
        .has("value=\"spam\"");
    // Someone else's message: as if it did not exist.
    app.post(&spam, &s, &[("aktion", "spam")])
        .await
        .assert(StatusCode::NOT_FOUND);
    let r = app.post(&spam, &t, &[("aktion", "spam")]).await;
    r.assert(StatusCode::SEE_OTHER);
    assert!(
        r.location().contains("ok=mail_marked_spam"),
        "{}",
        r.location()
    );
    app.get(&format!("/mail/ordner/{junk}"), &t)
        .await
        .has("Sonderangebot");
    app.get(&format!("/mail/ordner/{inbox}"), &t)
        .await
        .lacks("Sonderangebot");
    app.get(&format!("/mail/nachricht/{id}"), &t)
        .await
        .has("value=\"kein_spam\"");
    let r = app.post(&spam, &t, &[("aktion", "kein_spam")]).await;
    assert!(
        r.location().contains("ok=mail_marked_ham"),
        "{}",
        r.location()
    );
    app.get(&format!("/mail/ordner/{inbox}"), &t)
        .await
        .has("Sonderangebot");
    app.get(&format!("/mail/ordner/{junk}"), &t)
        .await
        .lacks("Sonderangebot");
}

on_both_backends!(
    four_eyes_access_through_webmail,
    read_only_mailboxes_show_no_changing_buttons,
    spam_and_not_spam_in_webmail,
);
