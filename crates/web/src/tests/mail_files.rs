//! Attachments from the own file areas, without JavaScript: the picker lists the areas and a
//! folder's files, the compose form takes them back, the recipient gets the file's content.
//! A file the sender cannot read is 404 wherever it is named, and a file too large for a
//! message is a clear error at the form.

use std::sync::Arc;

use axum::http::StatusCode;
use schulhof_domain::clock::SystemClock;
use schulhof_domain::files::{Located, Placement};
use schulhof_domain::identity::Actor;
use schulhof_domain::{Config, Platform};
use schulhof_store::testing::TestDb;

use super::mail::{actor, compose, mail_of, message_ids};
use super::{App, config};

/// The root of the caller's own file area.
pub(super) async fn own_area(app: &App, a: &Actor) -> Located {
    let own = app
        .platform
        .file_areas(a)
        .await
        .expect("areas")
        .into_iter()
        .find(|e| e.area == "own")
        .expect("own area");
    app.platform.locate(a, own.id).await.expect("own")
}

/// Puts a file into the caller's own area; its id.
pub(super) async fn own_file(
    app: &App,
    cookie: &str,
    name: &str,
    bytes: &[u8],
) -> (String, String) {
    let a = actor(app, cookie).await;
    let own = own_area(app, &a).await;
    let at = Placement { folder: &own, name };
    let e = app
        .platform
        .file_upload(&a, at, Some("text/plain"), bytes)
        .await
        .expect("upload");
    (e.id.to_string(), own.node().id.to_string())
}

async fn send_with_file(app: &App, from: &str, to: &str, subject: &str, file: &str) -> super::Resp {
    let sender = mail_of(app, from).await;
    compose(
        app,
        from,
        &[
            ("from", &sender),
            ("to", to),
            ("subject", subject),
            ("body", "Im Anhang."),
            ("datei", file),
            ("aktion", "senden"),
        ],
        &[],
    )
    .await
}

async fn a_file_of_the_own_area_is_picked_and_arrives(app: App) {
    let t = app.ready("lehrer").await;
    let s = app.ready("schueler").await;
    let s_addr = mail_of(&app, &s).await;
    let (file, own) = own_file(&app, &t, "Arbeitsblatt.txt", b"Aufgabe 1: 3/4 + 1/8").await;
    // Without JavaScript: the button keeps the draft and opens the picker for it.
    let t_addr = mail_of(&app, &t).await;
    let r = compose(
        &app,
        &t,
        &[
            ("from", &t_addr),
            ("to", &s_addr),
            ("subject", "Blatt aus den Dateien"),
            ("body", "Bitte lesen."),
            ("aktion", "dateien"),
        ],
        &[],
    )
    .await;
    r.assert(StatusCode::SEE_OTHER);
    let picker = r.location().to_owned();
    assert!(picker.starts_with("/mail/neu/dateien?entwurf="), "{picker}");
    let draft = picker.rsplit('=').next().unwrap_or("").to_owned();
    // The areas, never the Safe; then the own area with the file to tick.
    app.get(&picker, &t)
        .await
        .assert(StatusCode::OK)
        .has("Eigene Dateien")
        .has(&format!("ordner={own}"))
        .lacks("Safe-Bereich");
    app.get(
        &format!("/mail/neu/dateien?ordner={own}&entwurf={draft}"),
        &t,
    )
    .await
    .assert(StatusCode::OK)
    .has("Arbeitsblatt.txt")
    .has(&format!("name=\"datei\" value=\"{file}\""))
    .has(&format!("name=\"entwurf\" value=\"{draft}\""));
    // The picker's form comes back to the draft with the file ticked.
    app.get(&format!("/mail/neu?entwurf={draft}&datei={file}"), &t)
        .await
        .assert(StatusCode::OK)
        .has("Blatt aus den Dateien")
        .has("Bitte lesen.")
        .has(&format!("name=\"datei\" value=\"{file}\" checked"))
        .has("Arbeitsblatt.txt");
    let r = compose(
        &app,
        &t,
        &[
            ("from", &t_addr),
            ("to", &s_addr),
            ("subject", "Blatt aus den Dateien"),
            ("body", "Bitte lesen."),
            ("entwurf", &draft),
            ("datei", &file),
            ("aktion", "senden"),
        ],
        &[],
    )
    .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/mail?ok=mail_sent");
    let id = message_ids(&app.get("/mail", &s).await.body)
        .pop()
        .expect("arrived");
    app.get(&format!("/mail/nachricht/{id}"), &s)
        .await
        .has("Arbeitsblatt.txt");
    let got = app.get(&format!("/mail/nachricht/{id}/anhang/0"), &s).await;
    got.assert(StatusCode::OK);
    assert_eq!(got.body, "Aufgabe 1: 3/4 + 1/8");
}

async fn a_file_the_sender_cannot_read_is_not_attached(app: App) {
    let t = app.ready("lehrer").await;
    let s = app.ready("schueler").await;
    // The student's own file and folder: not the teacher's to see.
    let (file, own) = own_file(&app, &s, "Tagebuch.txt", b"privat").await;
    let s_addr = mail_of(&app, &s).await;
    for path in [
        format!("/mail/neu?datei={file}"),
        format!("/mail/neu/dateien?ordner={own}"),
        format!("/mail/neu/dateien?ordner={file}"),
        "/mail/neu?datei=kein-knoten".to_owned(),
    ] {
        app.get(&path, &t).await.assert(StatusCode::NOT_FOUND);
    }
    send_with_file(&app, &t, &s_addr, "Fremde Datei", &file)
        .await
        .assert(StatusCode::NOT_FOUND);
    // Nothing went anywhere.
    app.get("/mail", &s).await.lacks("Fremde Datei");
    // The student's own file is hers to attach.
    send_with_file(&app, &s, &mail_of(&app, &t).await, "Eigene Datei", &file)
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get("/mail", &t).await.has("Eigene Datei");
}

on_both_backends!(
    a_file_of_the_own_area_is_picked_and_arrives,
    a_file_the_sender_cannot_read_is_not_attached,
);

/// A platform whose messages may be at most 50 kB.
async fn small_messages(db: TestDb) -> App {
    let mut cfg: Config = config();
    cfg.mail.max_message = 50_000;
    let platform = Platform::new(db.db.clone(), Arc::new(SystemClock), cfg);
    platform.system_seed_demo().await.expect("seed demo");
    App::with_platform(platform, db)
}

async fn too_large_a_file_is_a_clear_error(app: App) {
    let t = app.ready("lehrer").await;
    let s = app.ready("schueler").await;
    let (file, _) = own_file(&app, &t, "Film.bin", &vec![7u8; 60_000]).await;
    send_with_file(&app, &t, &mail_of(&app, &s).await, "Zu groß", &file)
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("Die Nachricht ist mit ihren Anhängen größer als 50 KB.")
        .has("Zu groß");
    app.get("/mail", &s).await.lacks("Zu groß");
}

#[tokio::test]
async fn too_large_a_file_is_a_clear_error_on_sqlite() {
    too_large_a_file_is_a_clear_error(small_messages(TestDb::sqlite().await).await).await;
}

#[tokio::test]
async fn too_large_a_file_is_a_clear_error_on_postgres() {
    too_large_a_file_is_a_clear_error(small_messages(TestDb::postgres().await).await).await;
}
