//! Share links through the router: a read link with a password, opened without a session
//! (password form, wrong and right password, the cookie, the download); an upload link that
//! takes files and shows nothing; a read link to a folder that keeps to that folder; and
//! revoked links that answer 404. Every scenario runs on SQLite and on PostgreSQL.

use axum::http::{StatusCode, header};

use super::files::{area, entry_href, mkdir, upload};
use super::*;

on_both_backends!(
    a_password_link_opens_without_a_session_and_downloads,
    an_upload_link_takes_files_and_shows_nothing,
    a_folder_link_keeps_to_its_folder,
);

/// The text between `start` and the next `end` after it.
pub(super) fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let at = body
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} not in:\n{body}"))
        + start.len();
    let len = body[at..].find(end).expect("end");
    &body[at..at + len]
}

/// Creates a link on a node's page; returns the link's path (`/l/<token>`).
async fn create_link(app: &App, node: &str, cookie: &str, form: &[(&str, &str)]) -> String {
    let r = app.post(&format!("{node}/links"), cookie, form).await;
    r.assert(StatusCode::OK)
        .has("Adresse des Links")
        .has("Nur jetzt sichtbar:")
        // The copy button waits hidden for JavaScript; the live region announces the copy.
        .has(r#"data-copy="link-url" data-copy-status="link-url-status""#)
        .has(r#"data-copied="Adresse kopiert." hidden>"#)
        .has(" Adresse kopieren</button>")
        .has(r#"<span id="link-url-status" class="copy-status" aria-live="polite"></span>"#);
    let url = between(&r.body, r#"id="link-url" class="link-url" value=""#, "\"").to_owned();
    assert!(url.starts_with("/l/"), "{url}");
    url
}

async fn get_with_cookie(app: &App, path: &str, cookie: &str) -> Resp {
    app.get(path, cookie).await
}

async fn a_password_link_opens_without_a_session_and_downloads(app: App) {
    let teacher = app.ready("lehrer").await;
    let own = area(&app, &teacher, "Eigene Dateien").await;
    let content = b"Bericht fuer die Eltern\n";
    upload(&app, &own, &teacher, &[("bericht.txt", content)])
        .await
        .assert(StatusCode::SEE_OTHER);
    let page = app.get(&own, &teacher).await;
    let file = entry_href(&page.body, "bericht.txt");
    app.get(&file, &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Links für Externe")
        .has("Für diesen Eintrag gibt es keine Links.")
        .has(r#"type="date""#)
        .lacks("Nur hochladen");

    // Too short a password, and an expiry in the past, are refused at their fields.
    app.post(
        &format!("{file}/links"),
        &teacher,
        &[("modus", "read"), ("passwort", "kurz"), ("ablauf", "")],
    )
    .await
    .assert(StatusCode::UNPROCESSABLE_ENTITY)
    .has("mindestens 6 Zeichen")
    .has(r#"aria-invalid="true""#);
    app.post(
        &format!("{file}/links"),
        &teacher,
        &[
            ("modus", "read"),
            ("passwort", ""),
            ("ablauf", "2001-01-01"),
        ],
    )
    .await
    .assert(StatusCode::UNPROCESSABLE_ENTITY)
    .has("Vergangenheit");

    // The address is absolute when the request names its host.
    let req = Request::post(format!("{file}/links"))
        .header(header::COOKIE, &teacher)
        .header(header::HOST, "schule.example:8080")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(
            "modus=read&passwort=geheim123&ablauf=2099-12-31",
        ))
        .expect("request");
    let created = app.send(req).await;
    created
        .assert(StatusCode::OK)
        .has(r#"value="http://schule.example:8080/l/"#)
        .has("31.12.2099");
    let link = between(&created.body, r#"value="http://schule.example:8080"#, "\"").to_owned();
    let download = format!("{link}/herunterladen");

    // No session: the password first, and nothing of the file before it.
    let asked = app.get(&link, "").await;
    asked
        .assert(StatusCode::OK)
        .has("Geschützter Link")
        .has(r#"type="password""#)
        .lacks("bericht.txt")
        .lacks("Abmelden");
    app.get(&download, "")
        .await
        .has("Geschützter Link")
        .lacks("Bericht fuer");
    let wrong = app.post(&link, "", &[("passwort", "falsch-geraten")]).await;
    wrong
        .assert(StatusCode::UNAUTHORIZED)
        .has("Das Passwort stimmt nicht.")
        .has(r#"aria-invalid="true""#);
    assert!(wrong.headers.get(header::SET_COOKIE).is_none());

    let right = app.post(&link, "", &[("passwort", "geheim123")]).await;
    right.assert(StatusCode::SEE_OTHER);
    assert_eq!(right.location(), link);
    let set = right
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("schulhof_link_"))
        .expect("unlock cookie")
        .to_owned();
    assert!(set.contains(&format!("Path={link}")), "{set}");
    assert!(set.contains("HttpOnly"), "{set}");
    assert!(set.contains("SameSite=Lax"), "{set}");
    let unlock = set.split(';').next().expect("name=value").to_owned();

    let shown = get_with_cookie(&app, &link, &unlock).await;
    shown
        .assert(StatusCode::OK)
        .has("<h1>bericht.txt</h1>")
        .has(&format!(r#"href="{download}""#))
        .has("Demo-Gymnasium");
    let got = get_with_cookie(&app, &download, &unlock).await;
    got.assert(StatusCode::OK);
    assert_eq!(got.body.as_bytes(), content);
    assert!(
        got.headers
            .get(header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("attachment"))
    );

    // The owner sees the link on the file's page and under "Meine Links", and revokes it.
    let file_page = app.get(&file, &teacher).await;
    file_page
        .assert(StatusCode::OK)
        .has("Links zu diesem Eintrag")
        .has("Lesen");
    let revoke = between(
        &file_page.body,
        r#"<form method="post" action="/links/"#,
        "\"",
    );
    let revoke = format!("/links/{revoke}");
    app.get("/links", &teacher)
        .await
        .assert(StatusCode::OK)
        .has("<h1>Meine Links</h1>")
        .has("bericht.txt")
        .has(&revoke);
    // The admin sees every link of the school.
    let admin = app.ready("admin").await;
    app.get("/links", &admin)
        .await
        .assert(StatusCode::OK)
        .has("Links der Schule")
        .has("bericht.txt");
    let r = app.post(&revoke, &teacher, &[("zurueck", &file)]).await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("{file}?ok=link_revoked"));
    app.get(&format!("{file}?ok=link_revoked"), &teacher)
        .await
        .has("Der Link ist widerrufen.")
        .has("Für diesen Eintrag gibt es keine Links.");
    get_with_cookie(&app, &link, &unlock)
        .await
        .assert(StatusCode::NOT_FOUND)
        .has("Dieser Link gilt nicht (mehr).");
    get_with_cookie(&app, &download, &unlock)
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get("/l/gibt-es-nicht", "")
        .await
        .assert(StatusCode::NOT_FOUND)
        .has("Dieser Link gilt nicht (mehr).");
}

async fn an_upload_link_takes_files_and_shows_nothing(app: App) {
    let teacher = app.ready("lehrer").await;
    let own = area(&app, &teacher, "Eigene Dateien").await;
    let folder = mkdir(&app, &own, &teacher, "Abgabe 7b").await;
    upload(&app, &folder, &teacher, &[("geheim.txt", b"nur fuer mich")])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get(&folder, &teacher)
        .await
        .has("Nur hochladen")
        .has(r#"<option value="upload""#);
    let link = create_link(
        &app,
        &folder,
        &teacher,
        &[("modus", "upload"), ("passwort", ""), ("ablauf", "")],
    )
    .await;

    let page = app.get(&link, "").await;
    page.assert(StatusCode::OK)
        .has("<h1>Abgabe 7b</h1>")
        .has(&format!(r#"action="{link}/hochladen""#))
        .has(r#"enctype="multipart/form-data""#)
        .lacks("geheim.txt")
        .lacks("<table");
    let r = upload(&app, &link, "", &[("aufsatz.txt", b"Mein Aufsatz")]).await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("{link}?ok=link_uploaded"));
    app.get(&format!("{link}?ok=link_uploaded"), "")
        .await
        .assert(StatusCode::OK)
        .has("Danke! Die Dateien sind hochgeladen.")
        .lacks("aufsatz.txt")
        .lacks("geheim.txt");
    // A name already there is never replaced, nor is the visitor told it exists: the
    // upload becomes an entry of its own.
    let r = upload(&app, &link, "", &[("geheim.txt", b"ueberschrieben?")]).await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("{link}?ok=link_uploaded"));
    let mine = app.get(&folder, &teacher).await;
    mine.has("aufsatz.txt").has("Nur hochladen");
    let secret = entry_href(&mine.body, "geheim.txt");
    let kept = app.get(&format!("{secret}/herunterladen"), &teacher).await;
    assert_eq!(kept.body, "nur fuer mich");
    // Nothing to read through an upload link.
    let id = secret.trim_start_matches("/dateien/");
    app.get(&format!("{link}/n/{id}"), "")
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get(&format!("{link}/n/{id}/herunterladen"), "")
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get(&format!("{link}/herunterladen"), "")
        .await
        .assert(StatusCode::NOT_FOUND);
}

async fn a_folder_link_keeps_to_its_folder(app: App) {
    let teacher = app.ready("lehrer").await;
    let own = area(&app, &teacher, "Eigene Dateien").await;
    upload(&app, &own, &teacher, &[("privat.txt", b"privat")])
        .await
        .assert(StatusCode::SEE_OTHER);
    let folder = mkdir(&app, &own, &teacher, "Material").await;
    let sub = mkdir(&app, &folder, &teacher, "Woche 1").await;
    upload(&app, &sub, &teacher, &[("blatt.txt", b"Aufgabe 1")])
        .await
        .assert(StatusCode::SEE_OTHER);
    let link = create_link(&app, &folder, &teacher, &[("modus", "read")]).await;

    let top = app.get(&link, "").await;
    top.assert(StatusCode::OK)
        .has("<h1>Material</h1>")
        .has("Woche 1")
        .lacks("privat.txt")
        .lacks("Hochladen");
    let sub_id = sub.trim_start_matches("/dateien/");
    let below = app.get(&format!("{link}/n/{sub_id}"), "").await;
    below
        .assert(StatusCode::OK)
        .has("<h1>Woche 1</h1>")
        .has("blatt.txt")
        .has(&format!(r#"href="{link}""#));
    let page = app.get(&sub, &teacher).await;
    let blatt = entry_href(&page.body, "blatt.txt");
    let blatt_id = blatt.trim_start_matches("/dateien/");
    let got = app
        .get(&format!("{link}/n/{blatt_id}/herunterladen"), "")
        .await;
    got.assert(StatusCode::OK);
    assert_eq!(got.body, "Aufgabe 1");
    // Outside the linked folder: nothing, not even the area it is in.
    let own_id = own.trim_start_matches("/dateien/");
    app.get(&format!("{link}/n/{own_id}"), "")
        .await
        .assert(StatusCode::NOT_FOUND);
    let private = entry_href(&app.get(&own, &teacher).await.body, "privat.txt");
    let private_id = private.trim_start_matches("/dateien/");
    app.get(&format!("{link}/n/{private_id}/herunterladen"), "")
        .await
        .assert(StatusCode::NOT_FOUND);
    // When the folder goes to the trash, the link goes with it.
    let r = app
        .post(
            &format!("{folder}/loeschen"),
            &teacher,
            &[("bestaetigt", "ja")],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    app.get(&link, "").await.assert(StatusCode::NOT_FOUND);
}
