//! The webmail through its pages, without JavaScript: writing with an attachment, reading,
//! answering, refusals at the form, sanitised HTML, other people's messages, folders, the
//! trash, drafts, search, and what the folder page costs.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use schulhof_domain::identity::Actor;
use schulhof_domain::mail::{Flags, Special};

use super::statements::{self, statements_of};
use super::{App, Resp, app, app_on_postgres};

/// The signed-in actor behind a session cookie (`name=value`).
pub(super) async fn actor(app: &App, cookie: &str) -> Actor {
    let value = cookie.split_once('=').map_or(cookie, |(_, v)| v);
    app.platform.session(value).await.expect("session").actor
}

pub(super) async fn mail_of(app: &App, cookie: &str) -> String {
    actor(app, cookie).await.user.mail.to_lowercase()
}

/// Posts the compose form as a browser does: text fields, then the files (an empty file
/// part when none is chosen).
pub(super) async fn compose(
    app: &App,
    cookie: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> Resp {
    const B: &str = "----schulhof-mail-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{B}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    let empty: [(&str, &[u8]); 1] = [("", b"")];
    for (file_name, bytes) in if files.is_empty() { &empty[..] } else { files } {
        body.extend_from_slice(
            format!("--{B}\r\nContent-Disposition: form-data; name=\"dateien\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{B}--\r\n").as_bytes());
    let req = Request::post("/mail/neu")
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={B}"),
        )
        .body(Body::from(body))
        .expect("request");
    app.send(req).await
}

/// The ids of the messages a page links to, in order.
pub(super) fn message_ids(body: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in body.split("/mail/nachricht/").skip(1) {
        let id: String = part.chars().take(36).collect();
        if id.len() == 36 && !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

pub(super) async fn folder_id(app: &App, cookie: &str, s: Special) -> String {
    app.platform
        .mail_special(&actor(app, cookie).await, s)
        .await
        .expect("folder")
        .to_string()
}

pub(super) async fn send_simple(
    app: &App,
    from: &str,
    to: &str,
    subject: &str,
    text: &str,
) -> Resp {
    let sender = mail_of(app, from).await;
    compose(
        app,
        from,
        &[
            ("from", &sender),
            ("to", to),
            ("subject", subject),
            ("body", text),
            ("aktion", "senden"),
        ],
        &[],
    )
    .await
}

async fn teacher_writes_student_reads_and_answers(app: App) {
    let t = app.ready("lehrer").await;
    let s = app.ready("schueler").await;
    let (t_addr, s_addr) = (mail_of(&app, &t).await, mail_of(&app, &s).await);
    // The form offers the own address and suggests the student by name.
    app.get("/mail/neu", &t)
        .await
        .assert(StatusCode::OK)
        .has(&t_addr);
    let found = app.get("/mail/adressen?q=sophie", &t).await;
    found.assert(StatusCode::OK).has(&s_addr);
    let r = compose(
        &app,
        &t,
        &[
            ("from", &t_addr),
            ("to", &format!("Sophie <{s_addr}>")),
            ("subject", "Hausaufgaben <Mathe>"),
            (
                "body",
                "Bitte bis Freitag: Seite 12.\n<script>alert(1)</script>",
            ),
            ("aktion", "senden"),
        ],
        &[("Blatt 1.pdf", b"%PDF-1.4 Arbeitsblatt")],
    )
    .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/mail?ok=mail_sent");
    // The teacher's copy is under Sent.
    let sent = folder_id(&app, &t, Special::Sent).await;
    app.get(&format!("/mail/ordner/{sent}"), &t)
        .await
        .has("Hausaufgaben &#60;Mathe&#62;");
    // The student sees it unread in the inbox, opens it: text escaped, attachment listed.
    let inbox = app.get("/mail", &s).await;
    inbox
        .assert(StatusCode::OK)
        .has("mail-unread")
        .has("Hausaufgaben &#60;Mathe&#62;");
    let id = message_ids(&inbox.body).pop().expect("a message");
    let page = app.get(&format!("/mail/nachricht/{id}"), &s).await;
    page.assert(StatusCode::OK)
        .has("Bitte bis Freitag: Seite 12.")
        .has("&#60;script&#62;")
        .lacks("<script>alert")
        .has("Blatt 1.pdf")
        .has(&t_addr);
    app.get("/mail", &s).await.lacks("mail-unread");
    let file = app.get(&format!("/mail/nachricht/{id}/anhang/0"), &s).await;
    file.assert(StatusCode::OK);
    assert_eq!(file.body, "%PDF-1.4 Arbeitsblatt");
    let disposition = file.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .expect("ascii");
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(
        file.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .expect("ascii")
            .contains("sandbox")
    );
    // Answering: the form is filled, the answer reaches the teacher, threaded.
    let form = app.get(&format!("/mail/neu?antwort={id}"), &s).await;
    form.assert(StatusCode::OK)
        .has("Re: Hausaufgaben &#60;Mathe&#62;")
        .has(&t_addr)
        .has("&#62; Bitte bis Freitag");
    let r = compose(
        &app,
        &s,
        &[
            ("from", &s_addr),
            ("to", &t_addr),
            ("subject", "Re: Hausaufgaben <Mathe>"),
            ("body", "Mache ich!"),
            ("antwort", &id),
            ("in_reply_to", "x@y"),
            ("aktion", "senden"),
        ],
        &[],
    )
    .await;
    r.assert(StatusCode::SEE_OTHER);
    let t_inbox = app.get("/mail", &t).await;
    t_inbox.has("Re: Hausaufgaben &#60;Mathe&#62;");
    let answer = message_ids(&t_inbox.body).pop().expect("the answer");
    app.get(&format!("/mail/nachricht/{answer}"), &t)
        .await
        .has("Mache ich!");
    let original = app
        .platform
        .mail_message(&actor(&app, &s).await, id.parse().expect("id"))
        .await
        .expect("original");
    assert!(original.flags.answered, "the original is marked answered");
}

async fn a_student_writing_outside_is_refused_at_the_form(app: App) {
    let t = app.ready("lehrer").await;
    let s = app.ready("schueler").await;
    let t_addr = mail_of(&app, &t).await;
    let r = send_simple(
        &app,
        &s,
        &format!("{t_addr}, freund@example.org"),
        "Hallo draußen",
        "Geheim",
    )
    .await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("role=\"alert\"")
        .has("Die Nachricht ist nicht gesendet worden")
        .has("freund@example.org: An diese Adresse darfst du nicht schreiben.")
        .has("Hallo draußen")
        .has("Geheim");
    // Nothing left: not to the teacher inside, not into Sent.
    app.get("/mail", &t).await.lacks("Hallo draußen");
    let sent = folder_id(&app, &s, Special::Sent).await;
    app.get(&format!("/mail/ordner/{sent}"), &s)
        .await
        .lacks("Hallo draußen");
    // A mistyped address is named at its field.
    send_simple(&app, &s, "kein-at-zeichen", "x", "y")
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("„kein-at-zeichen“ ist keine gültige E-Mail-Adresse.")
        .has("aria-invalid=\"true\"");
}

const HTML_MAIL: &str = "From: Rundbrief <news@example.org>\r\nTo: x@example.org\r\nSubject: Newsletter\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p onclick=\"steal()\">Hallo <b>Welt</b></p><script>alert('xss')</script><img src=\"https://tracker.example/pixel.gif\"><a href=\"javascript:alert(1)\">klick</a>\r\n";

async fn html_is_sanitised_and_remote_images_wait(app: App) {
    let s = app.ready("schueler").await;
    let a = actor(&app, &s).await;
    let inbox = app
        .platform
        .mail_special(&a, Special::Inbox)
        .await
        .expect("inbox");
    app.platform
        .mail_append(&a, inbox, HTML_MAIL.as_bytes(), &Flags::default(), None)
        .await
        .expect("appended");
    let id = message_ids(&app.get("/mail", &s).await.body)
        .pop()
        .expect("message");
    let page = app.get(&format!("/mail/nachricht/{id}"), &s).await;
    page.assert(StatusCode::OK)
        .has(&format!("src=\"/mail/nachricht/{id}/inhalt\""))
        .has("sandbox=\"allow-popups allow-popups-to-escape-sandbox\"")
        .has("Bilder anzeigen")
        .lacks("tracker.example");
    let body = app.get(&format!("/mail/nachricht/{id}/inhalt"), &s).await;
    body.assert(StatusCode::OK)
        .has("<b>Welt</b>")
        .lacks("<script")
        .lacks("onclick")
        .lacks("javascript:")
        .lacks("tracker.example");
    let csp = body.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("ascii");
    assert!(
        csp.starts_with("sandbox") && csp.contains("img-src data:;"),
        "{csp}"
    );
    assert!(csp.contains("default-src 'none'"), "{csp}");
    // Asked for, the images load (still without scripts).
    let shown = app
        .get(&format!("/mail/nachricht/{id}/inhalt?bilder=1"), &s)
        .await;
    shown
        .has("https://tracker.example/pixel.gif")
        .lacks("<script");
    let csp = shown.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("ascii");
    assert!(csp.contains("img-src data: https:"), "{csp}");
}

async fn nobody_opens_another_persons_message(app: App) {
    let t = app.ready("lehrer").await;
    let s = app.ready("schueler").await;
    let s_addr = mail_of(&app, &s).await;
    send_simple(&app, &t, &s_addr, "Nur für Sophie", "Text")
        .await
        .assert(StatusCode::SEE_OTHER);
    let sent = folder_id(&app, &t, Special::Sent).await;
    let id = message_ids(&app.get(&format!("/mail/ordner/{sent}"), &t).await.body)
        .pop()
        .expect("sent copy");
    for path in [
        format!("/mail/nachricht/{id}"),
        format!("/mail/nachricht/{id}/inhalt"),
        format!("/mail/nachricht/{id}/anhang/0"),
        format!("/mail/neu?antwort={id}"),
        format!("/mail/ordner/{sent}"),
    ] {
        app.get(&path, &s).await.assert(StatusCode::NOT_FOUND);
    }
    app.post(&format!("/mail/nachricht/{id}/loeschen"), &s, &[])
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get(&format!("/mail/nachricht/{id}"), &t)
        .await
        .assert(StatusCode::OK);
}

async fn folders_moving_trash_and_search(app: App) {
    let t = app.ready("lehrer").await;
    let s = app.ready("schueler").await;
    let s_addr = mail_of(&app, &s).await;
    send_simple(&app, &t, &s_addr, "Wandertag", "Treffpunkt Bahnhof")
        .await
        .assert(StatusCode::SEE_OTHER);
    // An own folder, nested, renamed.
    let r = app
        .post(
            "/mail/ordner/neu",
            &s,
            &[("name", "Schule"), ("parent", "")],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    let school = r.location().split('?').next().unwrap_or("").to_owned();
    let school_id = school.trim_start_matches("/mail/ordner/").to_owned();
    app.post("/mail/ordner/neu", &s, &[("name", "a/b"), ("parent", "")])
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("darf kein „/“ enthalten");
    app.post(
        "/mail/ordner/neu",
        &s,
        &[("name", "Ausflüge"), ("parent", &school_id)],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.post(
        &format!("{school}/umbenennen"),
        &s,
        &[("name", "Unterricht")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let inbox = app.get("/mail", &s).await;
    inbox
        .has("Unterricht")
        .has("Ausflüge")
        .has("data-depth=\"1\"")
        .has("Posteingang")
        .has("Papierkorb");
    // Move the message there, find it by search, then delete it and empty the trash.
    let id = message_ids(&inbox.body).pop().expect("message");
    app.post(
        &format!("/mail/nachricht/{id}/verschieben"),
        &s,
        &[("ziel", &school_id)],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&school, &s).await.has("Wandertag");
    app.get("/mail", &s).await.lacks("Wandertag");
    app.get("/mail/suche?text=bahnhof", &s)
        .await
        .has("Wandertag")
        .has("Unterricht");
    app.get("/mail/suche?betreff=nichts", &s)
        .await
        .has("Keine Nachricht passt");
    app.post(&format!("/mail/nachricht/{id}/loeschen"), &s, &[])
        .await
        .assert(StatusCode::SEE_OTHER);
    let trash = folder_id(&app, &s, Special::Trash).await;
    app.get(&format!("/mail/ordner/{trash}"), &s)
        .await
        .has("Wandertag")
        .has("Papierkorb leeren")
        .has("<dialog");
    app.get("/mail/papierkorb/leeren", &s)
        .await
        .assert(StatusCode::OK)
        .has("bestaetigt");
    app.post("/mail/papierkorb/leeren", &s, &[("bestaetigt", "ja")])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get(&format!("/mail/ordner/{trash}"), &s)
        .await
        .lacks("Wandertag");
    // A folder with another inside stays until that one is gone.
    app.post(&format!("{school}/loeschen"), &s, &[("bestaetigt", "ja")])
        .await
        .assert(StatusCode::CONFLICT);
}

async fn drafts_are_kept_and_sent_later(app: App) {
    let t = app.ready("lehrer").await;
    let s = app.ready("schueler").await;
    let (t_addr, s_addr) = (mail_of(&app, &t).await, mail_of(&app, &s).await);
    let r = compose(
        &app,
        &t,
        &[
            ("from", &t_addr),
            ("to", &s_addr),
            ("subject", "Elternbrief"),
            ("body", "Entwurf 1"),
            ("aktion", "entwurf"),
        ],
        &[("brief.txt", b"Liebe Eltern")],
    )
    .await;
    r.assert(StatusCode::SEE_OTHER);
    assert!(
        r.location().starts_with("/mail/neu?entwurf="),
        "{}",
        r.location()
    );
    let draft = r
        .location()
        .trim_start_matches("/mail/neu?entwurf=")
        .split('&')
        .next()
        .unwrap_or("")
        .to_owned();
    let form = app.get(&format!("/mail/neu?entwurf={draft}"), &t).await;
    form.assert(StatusCode::OK)
        .has("Elternbrief")
        .has("Entwurf 1")
        .has("brief.txt")
        .has("name=\"behalten\"");
    let drafts = folder_id(&app, &t, Special::Drafts).await;
    app.get(&format!("/mail/ordner/{drafts}"), &t)
        .await
        .has("Elternbrief");
    let r = compose(
        &app,
        &t,
        &[
            ("from", &t_addr),
            ("to", &s_addr),
            ("subject", "Elternbrief"),
            ("body", "Endgültig"),
            ("entwurf", &draft),
            ("quelle", &draft),
            ("behalten", "0"),
            ("aktion", "senden"),
        ],
        &[],
    )
    .await;
    r.assert(StatusCode::SEE_OTHER);
    app.get(&format!("/mail/ordner/{drafts}"), &t)
        .await
        .lacks("Elternbrief");
    let id = message_ids(&app.get("/mail", &s).await.body)
        .pop()
        .expect("arrived");
    app.get(&format!("/mail/nachricht/{id}"), &s)
        .await
        .has("Endgültig")
        .has("brief.txt");
}

async fn marks_and_the_unread_card_on_the_start_page(app: App) {
    let t = app.ready("lehrer").await;
    let s = app.ready("schueler").await;
    let s_addr = mail_of(&app, &s).await;
    app.get("/", &s).await.lacks("Ungelesene E-Mails");
    send_simple(&app, &t, &s_addr, "Elternabend", "Am Dienstag")
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get("/", &s)
        .await
        .has("Ungelesene E-Mails")
        .has("1 ungelesene Nachricht im Posteingang")
        .has("Elternabend");
    let id = message_ids(&app.get("/mail", &s).await.body)
        .pop()
        .expect("message");
    let base = format!("/mail/nachricht/{id}");
    app.get(&base, &s).await.assert(StatusCode::OK);
    app.get("/", &s).await.lacks("Ungelesene E-Mails");
    let r = app
        .post(&format!("{base}/markieren"), &s, &[("aktion", "markiert")])
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert!(r.location().starts_with(&base), "{}", r.location());
    app.get("/mail", &s)
        .await
        .has("mail-flagged")
        .lacks("mail-unread");
    let r = app
        .post(&format!("{base}/markieren"), &s, &[("aktion", "ungelesen")])
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert!(
        r.location().starts_with("/mail/ordner/"),
        "{}",
        r.location()
    );
    app.get("/mail", &s).await.has("mail-unread");
    app.post(&format!("{base}/markieren"), &s, &[("aktion", "anders")])
        .await
        .assert(StatusCode::NOT_FOUND);
    // In English, the standard folders have English names.
    let en = format!("{s}; lang=en");
    app.get("/mail", &en)
        .await
        .has("Inbox")
        .has("Trash")
        .has("Storage: ");
}

on_both_backends!(
    marks_and_the_unread_card_on_the_start_page,
    teacher_writes_student_reads_and_answers,
    a_student_writing_outside_is_refused_at_the_form,
    html_is_sanitised_and_remote_images_wait,
    nobody_opens_another_persons_message,
    folders_moving_trash_and_search,
    drafts_are_kept_and_sent_later,
);

async fn folder_page_statements(app: App) {
    let t = app.ready("lehrer").await;
    let s = app.ready("schueler").await;
    let s_addr = mail_of(&app, &s).await;
    send_simple(&app, &t, &s_addr, "Eins", "1")
        .await
        .assert(StatusCode::SEE_OTHER);
    let few = statements_of(&app, "/mail", &s).await;
    for i in 0..40 {
        send_simple(&app, &t, &s_addr, &format!("Nachricht {i}"), "x")
            .await
            .assert(StatusCode::SEE_OTHER);
    }
    let many = statements_of(&app, "/mail", &s).await;
    eprintln!("statements of the inbox page: {few} (1 message), {many} (41 messages)");
    assert!(few > 0, "statements are counted");
    assert_eq!(few, many, "the folder page does not grow with its messages");
    assert!(
        many <= 12,
        "the folder page costs a few statements, not {many}"
    );
}

#[tokio::test]
async fn the_folder_page_costs_a_few_statements_on_sqlite() {
    if !statements::install() {
        return; // another subscriber counts already (not under nextest)
    }
    folder_page_statements(app().await).await;
}

#[tokio::test]
async fn the_folder_page_costs_a_few_statements_on_postgres() {
    if !statements::install() {
        return;
    }
    folder_page_statements(app_on_postgres().await).await;
}
