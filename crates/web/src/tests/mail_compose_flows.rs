//! The webmail's writing by hand, without JavaScript: forwarding (the original quoted, its
//! attachments kept byte for byte — or left out when unticked), Cc and Bcc (Bcc recipients
//! get the message, no other recipient sees them, the sender's copy keeps them), answering
//! everyone (all recipients but oneself, Cc kept, Bcc unknown to the others), and the
//! search by sender and by recipient over every folder.

use axum::http::StatusCode;
use schulhof_domain::mail::Special;

use super::mail::{actor, compose, mail_of};
use super::{App, Resp};

/// The value of the form field `name` on a page (as rendered, HTML-escaped).
fn value_of<'a>(page: &'a Resp, name: &str) -> &'a str {
    let at = format!("name=\"{name}\" value=\"");
    let start = page
        .body
        .find(&at)
        .unwrap_or_else(|| panic!("a field {name} in:\n{}", page.body))
        + at.len();
    let rest = &page.body[start..];
    &rest[..rest.find('"').expect("end of the value")]
}

/// The id of the newest message with `subject` in the folder `special` of `cookie`.
async fn in_folder(app: &App, cookie: &str, special: Special, subject: &str) -> Option<String> {
    let a = actor(app, cookie).await;
    let folder = app
        .platform
        .mail_special(&a, special)
        .await
        .expect("folder");
    let (metas, _) = app
        .platform
        .mail_page(&a, folder, 0, 200)
        .await
        .expect("page");
    metas
        .into_iter()
        .find(|m| m.subject == subject)
        .map(|m| m.id.to_string())
}

async fn in_inbox(app: &App, cookie: &str, subject: &str) -> Option<String> {
    in_folder(app, cookie, Special::Inbox, subject).await
}

/// Sends a plain message through the form.
async fn send(app: &App, cookie: &str, from: &str, to: &str, subject: &str) {
    let fields = [
        ("from", from),
        ("to", to),
        ("subject", subject),
        ("body", "Text"),
        ("aktion", "senden"),
    ];
    compose(app, cookie, &fields, &[])
        .await
        .assert(StatusCode::SEE_OTHER);
}

/// The message as stored for `cookie`.
async fn raw(app: &App, cookie: &str, id: &str) -> String {
    let a = actor(app, cookie).await;
    let bytes = app
        .platform
        .mail_raw(&a, id.parse().expect("id"))
        .await
        .expect("raw");
    String::from_utf8_lossy(&bytes).into_owned()
}

async fn forward_keeps_the_original_and_its_attachments(app: App) {
    let t = app.ready("lehrer").await;
    let s = app.ready("schueler").await;
    let p = app.ready("personal").await;
    let (t_addr, s_addr, p_addr) = (
        mail_of(&app, &t).await,
        mail_of(&app, &s).await,
        mail_of(&app, &p).await,
    );
    compose(
        &app,
        &t,
        &[
            ("from", &t_addr),
            ("to", &s_addr),
            ("subject", "Ausflug"),
            ("body", "Treffpunkt ist der Haupteingang.\nBitte pünktlich."),
            ("aktion", "senden"),
        ],
        &[
            ("Plan.pdf", b"%PDF-1.4 Ausflugsplan"),
            ("Liste.txt", b"Name;Bus\nSophie;1\n"),
        ],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let id = in_inbox(&app, &s, "Ausflug").await.expect("arrived");
    // The form: subject marked, the original's head and text in the body, both
    // attachments offered and ticked.
    let form = app.get(&format!("/mail/neu?weiter={id}"), &s).await;
    form.assert(StatusCode::OK)
        .has("value=\"Fwd: Ausflug\"")
        .has("Treffpunkt ist der Haupteingang.")
        .has(&t_addr)
        .has("name=\"behalten\" value=\"0\" checked")
        .has("name=\"behalten\" value=\"1\" checked")
        .has("Plan.pdf")
        .has("Liste.txt");
    assert_eq!(value_of(&form, "quelle"), id);
    assert_eq!(
        value_of(&form, "to"),
        "",
        "a forward starts with no recipient"
    );
    // Sent to the caretaker with both attachments kept.
    let body = "Zur Info.\n\n-------- Weitergeleitete Nachricht --------\n\
                Treffpunkt ist der Haupteingang.\nBitte pünktlich.";
    compose(
        &app,
        &s,
        &[
            ("from", &s_addr),
            ("to", &p_addr),
            ("subject", "Fwd: Ausflug"),
            ("body", body),
            ("quelle", &id),
            ("behalten", "0"),
            ("behalten", "1"),
            ("aktion", "senden"),
        ],
        &[],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let fwd = in_inbox(&app, &p, "Fwd: Ausflug")
        .await
        .expect("the forward arrived");
    app.get(&format!("/mail/nachricht/{fwd}"), &p)
        .await
        .assert(StatusCode::OK)
        .has("Treffpunkt ist der Haupteingang.")
        .has("Plan.pdf")
        .has("Liste.txt")
        .has(&s_addr);
    let a0 = app
        .get(&format!("/mail/nachricht/{fwd}/anhang/0"), &p)
        .await;
    a0.assert(StatusCode::OK);
    let a1 = app
        .get(&format!("/mail/nachricht/{fwd}/anhang/1"), &p)
        .await;
    a1.assert(StatusCode::OK);
    let mut got = [a0.body.clone(), a1.body.clone()];
    got.sort();
    assert_eq!(
        got,
        [
            "%PDF-1.4 Ausflugsplan".to_owned(),
            "Name;Bus\nSophie;1\n".to_owned()
        ]
    );
    // Unticked, an attachment stays behind.
    compose(
        &app,
        &s,
        &[
            ("from", &s_addr),
            ("to", &p_addr),
            ("subject", "Fwd: Ausflug ohne Liste"),
            ("body", "Nur der Plan."),
            ("quelle", &id),
            ("behalten", "0"),
            ("aktion", "senden"),
        ],
        &[],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let only = in_inbox(&app, &p, "Fwd: Ausflug ohne Liste")
        .await
        .expect("arrived");
    app.get(&format!("/mail/nachricht/{only}"), &p)
        .await
        .has("Plan.pdf")
        .lacks("Liste.txt");
    // Someone else's message cannot be forwarded by naming it.
    let e = app.ready("extern").await;
    let other = app.get(&format!("/mail/neu?weiter={id}"), &e).await;
    assert_ne!(other.status, StatusCode::OK, "{}", other.body);
    let e_addr = mail_of(&app, &e).await;
    let r = compose(
        &app,
        &e,
        &[
            ("from", &e_addr),
            ("to", &e_addr),
            ("subject", "Fremder Anhang"),
            ("body", "x"),
            ("quelle", &id),
            ("behalten", "0"),
            ("aktion", "senden"),
        ],
        &[],
    )
    .await;
    assert_ne!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(in_inbox(&app, &e, "Fremder Anhang").await, None);
}

async fn cc_bcc_and_answering_everyone(app: App) {
    let t = app.ready("lehrer").await;
    let s = app.ready("schueler").await;
    let p = app.ready("personal").await;
    let e = app.ready("extern").await;
    let (t_addr, s_addr, p_addr, e_addr) = (
        mail_of(&app, &t).await,
        mail_of(&app, &s).await,
        mail_of(&app, &p).await,
        mail_of(&app, &e).await,
    );
    compose(
        &app,
        &t,
        &[
            ("from", &t_addr),
            ("to", &s_addr),
            ("cc", &e_addr),
            ("bcc", &p_addr),
            ("subject", "Elternabend"),
            ("body", "Am Dienstag um 19 Uhr."),
            ("aktion", "senden"),
        ],
        &[],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    // Everyone got it, the Bcc recipient too.
    let at_s = in_inbox(&app, &s, "Elternabend").await.expect("to");
    let at_e = in_inbox(&app, &e, "Elternabend").await.expect("cc");
    let at_p = in_inbox(&app, &p, "Elternabend").await.expect("bcc");
    // What travelled names no Bcc recipient, for anyone.
    for (cookie, id) in [(&s, &at_s), (&e, &at_e), (&p, &at_p)] {
        let r = raw(&app, cookie, id).await;
        assert!(r.contains(&e_addr), "the Cc is seen: {r}");
        assert!(!r.to_lowercase().contains("\nbcc:"), "{r}");
        if cookie != &p {
            assert!(!r.contains(&p_addr), "{r}");
        }
    }
    app.get(&format!("/mail/nachricht/{at_s}"), &s)
        .await
        .has(&e_addr)
        .lacks("<dt>Bcc</dt>")
        .lacks(&p_addr);
    // The sender's copy keeps the Bcc.
    let copy = in_folder(&app, &t, Special::Sent, "Elternabend")
        .await
        .expect("sent copy");
    let r = raw(&app, &t, &copy).await;
    assert!(r.contains("Bcc:") && r.contains(&p_addr), "{r}");
    app.get(&format!("/mail/nachricht/{copy}"), &t)
        .await
        .has("Elternabend")
        .has("<dt>Bcc</dt>")
        .has(&p_addr);

    // Answering everyone as the student: the teacher and the Cc, never herself, and not
    // the Bcc recipient she never saw.
    let form = app.get(&format!("/mail/neu?allen={at_s}"), &s).await;
    form.assert(StatusCode::OK).has("value=\"Re: Elternabend\"");
    let (to, cc) = (value_of(&form, "to"), value_of(&form, "cc"));
    assert!(to.contains(&t_addr), "to: {to}");
    assert!(
        !to.contains(&s_addr) && !cc.contains(&s_addr),
        "{to} / {cc}"
    );
    assert!(cc.contains(&e_addr), "cc kept: {cc}");
    assert!(
        !to.contains(&p_addr) && !cc.contains(&p_addr),
        "{to} / {cc}"
    );
    assert_eq!(value_of(&form, "antwort"), at_s);
    // As the Cc recipient: the sender and the To, not herself.
    let form_e = app.get(&format!("/mail/neu?allen={at_e}"), &e).await;
    let (to_e, cc_e) = (value_of(&form_e, "to"), value_of(&form_e, "cc"));
    assert!(to_e.contains(&t_addr) && to_e.contains(&s_addr), "{to_e}");
    assert!(
        !to_e.contains(&e_addr) && !cc_e.contains(&e_addr),
        "{to_e} / {cc_e}"
    );
    // A plain answer goes to the sender only.
    let plain = app.get(&format!("/mail/neu?antwort={at_s}"), &s).await;
    assert!(value_of(&plain, "to").contains(&t_addr));
    assert!(!value_of(&plain, "to").contains(&e_addr));
    assert_eq!(value_of(&plain, "cc"), "");
    // Sent as filled in: the teacher and the external get it, the caretaker does not.
    let in_reply_to = value_of(&form, "in_reply_to").to_owned();
    compose(
        &app,
        &s,
        &[
            ("from", &s_addr),
            ("to", &t_addr),
            ("cc", &e_addr),
            ("subject", "Re: Elternabend"),
            ("body", "Meine Eltern kommen."),
            ("antwort", &at_s),
            ("in_reply_to", &in_reply_to),
            ("aktion", "senden"),
        ],
        &[],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    assert!(in_inbox(&app, &t, "Re: Elternabend").await.is_some());
    assert!(in_inbox(&app, &e, "Re: Elternabend").await.is_some());
    assert!(in_inbox(&app, &p, "Re: Elternabend").await.is_none());
    let original = app
        .platform
        .mail_message(&actor(&app, &s).await, at_s.parse().expect("id"))
        .await
        .expect("original");
    assert!(original.flags.answered);
}

async fn search_by_sender_and_recipient_across_folders(app: App) {
    let t = app.ready("lehrer").await;
    let s = app.ready("schueler").await;
    let p = app.ready("personal").await;
    let (t_addr, s_addr, p_addr) = (
        mail_of(&app, &t).await,
        mail_of(&app, &s).await,
        mail_of(&app, &p).await,
    );
    send(&app, &t, &t_addr, &s_addr, "Suchtest Lehrerin").await;
    send(&app, &p, &p_addr, &s_addr, "Suchtest Hausmeister").await;
    send(&app, &s, &s_addr, &t_addr, "Suchtest Antwort").await;
    // The teacher's message goes into an own folder of the student.
    let a = actor(&app, &s).await;
    let made = app
        .platform
        .mail_create_folder(&a, "Projektwoche")
        .await
        .expect("folder");
    let id = in_inbox(&app, &s, "Suchtest Lehrerin")
        .await
        .expect("arrived");
    app.post(
        &format!("/mail/nachricht/{id}/verschieben"),
        &s,
        &[("ziel", &made.id.to_string())],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    // By sender: the teacher's, in the own folder; not the caretaker's, not the own.
    app.get(&format!("/mail/suche?von={t_addr}"), &s)
        .await
        .assert(StatusCode::OK)
        .has("Suchtest Lehrerin")
        .has("Projektwoche")
        .lacks("Suchtest Hausmeister")
        .lacks("Suchtest Antwort");
    // By part of the sender's name or address.
    app.get("/mail/suche?von=hausmann", &s)
        .await
        .has("Suchtest Hausmeister")
        .lacks("Suchtest Lehrerin");
    // By recipient: the own message to the teacher, found under Sent.
    app.get(&format!("/mail/suche?an={t_addr}"), &s)
        .await
        .has("Suchtest Antwort")
        .lacks("Suchtest Lehrerin")
        .lacks("Suchtest Hausmeister");
    // By recipient as herself: what came to her, in the inbox and the own folder.
    app.get(&format!("/mail/suche?an={s_addr}"), &s)
        .await
        .has("Suchtest Lehrerin")
        .has("Suchtest Hausmeister")
        .lacks("Suchtest Antwort");
    // Both fields must match.
    app.get(&format!("/mail/suche?von={p_addr}&an={t_addr}"), &s)
        .await
        .has("Keine Nachricht passt")
        .lacks("Suchtest");
    // Nobody else's mail is searched: the teacher does not find the caretaker's message.
    app.get(&format!("/mail/suche?von={p_addr}"), &t)
        .await
        .lacks("Suchtest Hausmeister");
}

on_both_backends!(
    forward_keeps_the_original_and_its_attachments,
    cc_bcc_and_answering_everyone,
    search_by_sender_and_recipient_across_folders,
);
