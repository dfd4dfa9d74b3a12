//! The Daten-Safe through the router: who never enters (404), the Safe password from the
//! Schulleitung, unlocking, the own area with a document written in the editor (script
//! stripped, plain-text fallback, sealed download), locking and the way back, Safe nodes
//! that the file manager does not serve, and the common area run by the Schulleitung.
//! Every scenario runs on SQLite and on PostgreSQL.

use axum::http::{StatusCode, header};

use super::files::{area, href_before, upload};
use super::links::between;
use super::*;

on_both_backends!(
    only_teachers_staff_and_the_schulleitung_find_the_safe,
    a_teacher_writes_a_document_in_the_safe,
    the_schulleitung_gives_a_common_folder_to_a_teacher,
);

#[track_caller]
pub(super) fn no_store(r: &Resp) {
    assert_eq!(
        r.headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok()),
        Some("no-store"),
        "Cache-Control of a Safe answer"
    );
}

/// The Schulleitung generates a Safe password for `login`; returns it.
pub(super) async fn safe_password(app: &App, head: &str, login: &str) -> String {
    let r = app
        .post("/safe/passwoerter", head, &[("login", login)])
        .await;
    r.assert(StatusCode::OK)
        .has(&format!("Neues Safe-Passwort für {login}"))
        .has("Nur jetzt sichtbar:");
    between(&r.body, r#"<code class="secret">"#, "<").to_owned()
}

/// The Schulleitung grants a Safe right to `login` (safe.common.* are O in the matrix).
pub(super) async fn grant_safe(app: &App, head: &str, login: &str, right: &str) {
    let r = app
        .post(
            &format!("/verwaltung/benutzer/{login}/rechte"),
            head,
            &[("right", right), ("on", "ja")],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
}

/// Opens the Safe of a session with its Safe password.
pub(super) async fn unlock(app: &App, cookie: &str, password: &str) {
    let r = app
        .post(
            "/safe/oeffnen",
            cookie,
            &[("passwort", password), ("zurueck", "")],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/safe?ok=safe_opened");
}

/// The page of a Safe area, from the Safe's tiles.
pub(super) async fn safe_area(app: &App, cookie: &str, title: &str) -> String {
    let page = app.get("/safe", cookie).await;
    page.assert(StatusCode::OK);
    href_before(
        &page.body,
        &format!(r#"<span class="tile-title">{title}</span>"#),
    )
}

async fn only_teachers_staff_and_the_schulleitung_find_the_safe(app: App) {
    for login in ["schueler", "extern", "admin"] {
        let cookie = app.ready(login).await;
        app.get("/safe", &cookie)
            .await
            .assert(StatusCode::NOT_FOUND);
        app.get("/", &cookie).await.lacks(r#"href="/safe""#);
    }
    let student = app.ready("schueler").await;
    app.get("/safe/passwoerter", &student)
        .await
        .assert(StatusCode::NOT_FOUND);
    // The admin never enters, but resets forgotten Safe passwords.
    let admin = app.ready("admin").await;
    app.get("/", &admin)
        .await
        .has(r#"href="/safe/passwoerter""#);
    app.get("/safe/passwoerter", &admin)
        .await
        .assert(StatusCode::OK)
        .has("Safe-Passwort erzeugen");

    let teacher = app.ready("lehrer").await;
    app.get("/", &teacher).await.has(r#"href="/safe""#);
    let first = app.get("/safe", &teacher).await;
    first
        .assert(StatusCode::OK)
        .has("<h1>Daten-Safe</h1>")
        .has("Noch kein Safe-Passwort:")
        .has("10 Minuten")
        .lacks("Safe öffnen")
        .lacks("Safe-Passwörter erzeugen");
    no_store(&first);
    app.get("/safe/passwoerter", &teacher)
        .await
        .assert(StatusCode::NOT_FOUND);
    // Locked (no password yet): the Safe's pages lead to its door.
    let r = app.get("/safe/papierkorb?bereich=safe_own", &teacher).await;
    r.assert(StatusCode::SEE_OTHER);
    assert!(
        r.location().starts_with("/safe?zurueck="),
        "{}",
        r.location()
    );

    let head = app.ready("schulleitung").await;
    app.get("/safe", &head)
        .await
        .assert(StatusCode::OK)
        .has(r#"href="/safe/passwoerter""#);
    app.post("/safe/passwoerter", &head, &[("login", "schueler")])
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("kann den Safe nicht nutzen");
    app.post("/safe/passwoerter", &head, &[("login", "niemand")])
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("gibt es an dieser Schule nicht");
    let password = safe_password(&app, &head, "lehrer").await;
    assert_eq!(password.len(), 16);

    let door = app.get("/safe", &teacher).await;
    door.assert(StatusCode::OK)
        .has("Safe öffnen")
        .has(r#"type="password""#)
        .lacks("Noch kein Safe-Passwort");
    app.post(
        "/safe/oeffnen",
        &teacher,
        &[("passwort", "geraten-falsch"), ("zurueck", "")],
    )
    .await
    .assert(StatusCode::UNPROCESSABLE_ENTITY)
    .has("Das Safe-Passwort stimmt nicht.");
    // The login password is not the Safe password.
    app.post(
        "/safe/oeffnen",
        &teacher,
        &[("passwort", "schulhof-demo"), ("zurueck", "")],
    )
    .await
    .assert(StatusCode::UNPROCESSABLE_ENTITY);
    unlock(&app, &teacher, &password).await;
    let open = app.get("/safe?ok=safe_opened", &teacher).await;
    open.assert(StatusCode::OK)
        .has("Der Safe ist geöffnet.")
        .has("Mein Safe-Bereich")
        .lacks("Gemeinsamer Safe-Bereich")
        .has("Safe sperren")
        .lacks("Safe öffnen");
    no_store(&open);
    // safe.common.read is the Schulleitung's to grant; then the common area appears.
    grant_safe(&app, &head, "lehrer", "safe.common.read").await;
    app.get("/safe", &teacher)
        .await
        .has("Gemeinsamer Safe-Bereich");
    // The admin never sees a Safe password: hers is a request the Schulleitung confirms.
    let r = app
        .post("/safe/passwoerter", &admin, &[("login", "personal")])
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/bestaetigungen?ok=safe_password_requested");
}

async fn a_teacher_writes_a_document_in_the_safe(app: App) {
    let head = app.ready("schulleitung").await;
    let teacher = app.ready("lehrer").await;
    let password = safe_password(&app, &head, "lehrer").await;
    unlock(&app, &teacher, &password).await;
    let own = safe_area(&app, &teacher, "Mein Safe-Bereich").await;
    assert!(own.starts_with("/safe/"), "{own}");
    let folder = app.get(&own, &teacher).await;
    folder
        .assert(StatusCode::OK)
        .has("<h1>Mein Safe-Bereich</h1>")
        .has("Neues Dokument")
        .has("Dateien hochladen")
        .has("Neuer Ordner")
        .lacks("Freigaben")
        .lacks("Links für Externe");
    no_store(&folder);

    // A document, created and opened in the editor.
    let r = app
        .post(
            &format!("{own}/dokument"),
            &teacher,
            &[("titel", "Förderplan Anna")],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    let editor = r.location().trim_end_matches("?ok=doc_created").to_owned();
    assert!(editor.ends_with("/bearbeiten"), "{editor}");
    let doc = editor.trim_end_matches("/bearbeiten").to_owned();
    let page = app.get(r.location(), &teacher).await;
    page.assert(StatusCode::OK)
        .has("<h1>Förderplan Anna.html</h1>")
        .has("Das Dokument ist angelegt.")
        .has(r#"contenteditable="true""#)
        .has(r#"role="textbox""#)
        .has(r#"aria-multiline="true""#)
        .has(r#"aria-labelledby="editor-label""#)
        .has(r#"role="toolbar""#)
        .has("Nummerierung")
        .has("/static/safe_editor.js?v=")
        .has("<noscript>")
        .has(r#"<textarea id="editor-text" name="text""#);
    no_store(&page);
    app.get(&own, &teacher)
        .await
        .has("Förderplan Anna.html")
        .has(&format!(r#"href="{editor}""#));
    // Empty titles are refused at the field.
    app.post(&format!("{own}/dokument"), &teacher, &[("titel", " ")])
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("Bitte geben Sie einen Titel an.");

    // The script saves HTML; what is active never comes back.
    let save = format!("{doc}/speichern");
    let r = app
        .post(
            &save,
            &teacher,
            &[
                (
                    "inhalt",
                    r#"<h2>Ziele</h2><p onclick="x()">Lesen üben</p><script>alert(1)</script>"#,
                ),
                ("js", "1"),
            ],
        )
        .await;
    r.assert(StatusCode::NO_CONTENT);
    no_store(&r);
    let back = app.get(&editor, &teacher).await;
    back.assert(StatusCode::OK)
        .has("<h2>Ziele</h2><p>Lesen üben</p>")
        .lacks("alert(1)")
        .lacks("onclick");
    let got = app.get(&format!("{doc}/herunterladen"), &teacher).await;
    got.assert(StatusCode::OK);
    no_store(&got);
    assert_eq!(got.body, "<h2>Ziele</h2><p>Lesen üben</p>");

    // Without JavaScript: plain text, paragraphs at blank lines.
    let r = app
        .post(
            &save,
            &teacher,
            &[("text", "Erste Zeile\r\n\r\nZweiter <Absatz>")],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("{editor}?ok=doc_saved"));
    app.get(r.location(), &teacher)
        .await
        .has("<p>Erste Zeile</p><p>Zweiter &lt;Absatz&gt;</p>")
        .has("Das Dokument ist gespeichert.");
    app.get(&doc, &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Im Editor öffnen")
        .has("Frühere Versionen");

    // Uploads are sealed on the way in and unsealed on the way out.
    upload(&app, &own, &teacher, &[("noten.csv", b"Anna;2\nBen;1\n")])
        .await
        .assert(StatusCode::SEE_OTHER);
    let listing = app.get(&own, &teacher).await;
    let noten = href_before(&listing.body, ">noten.csv</a>");
    let csv = app.get(&noten, &teacher).await;
    csv.assert(StatusCode::OK);
    assert_eq!(csv.body, "Anna;2\nBen;1\n");

    // The file manager does not serve Safe nodes, nor the Safe the file manager's.
    let id = doc.trim_start_matches("/safe/");
    app.get(&format!("/dateien/{id}"), &teacher)
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get(&format!("/dateien/{id}/herunterladen"), &teacher)
        .await
        .assert(StatusCode::NOT_FOUND);
    let files_own = area(&app, &teacher, "Eigene Dateien").await;
    let files_id = files_own.trim_start_matches("/dateien/");
    app.get(&format!("/safe/{files_id}"), &teacher)
        .await
        .assert(StatusCode::NOT_FOUND);

    // Locked (by the service, then by the button): every Safe page leads to the door and
    // back to where it was.
    let session = teacher
        .strip_prefix(&format!("{}=", schulhof_front::SESSION_COOKIE))
        .expect("session cookie");
    let actor = app.platform.session(session).await.expect("session").actor;
    app.platform.safe_lock(&actor).await.expect("lock");
    let r = app.get(&editor, &teacher).await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(
        r.location(),
        format!("/safe?zurueck={}", url::encode(&editor))
    );
    no_store(&r);
    app.post(&save, &teacher, &[("inhalt", "<p>weg</p>"), ("js", "1")])
        .await
        .assert(StatusCode::FORBIDDEN)
        .has("gesperrt");
    let door = app.get(r.location(), &teacher).await;
    door.assert(StatusCode::OK)
        .has("Safe öffnen")
        .has(&format!(r#"name="zurueck" value="{editor}""#));
    let r = app
        .post(
            "/safe/oeffnen",
            &teacher,
            &[("passwort", &password), ("zurueck", &editor)],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), editor);
    app.get(&editor, &teacher)
        .await
        .assert(StatusCode::OK)
        .has("<p>Erste Zeile</p>");
    let r = app.post("/safe/sperren", &teacher, &[]).await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/safe?ok=safe_locked");
    app.get(&doc, &teacher).await.assert(StatusCode::SEE_OTHER);
}

async fn the_schulleitung_gives_a_common_folder_to_a_teacher(app: App) {
    let head = app.ready("schulleitung").await;
    let teacher = app.ready("lehrer").await;
    let own_password = safe_password(&app, &head, "schulleitung").await;
    let password = safe_password(&app, &head, "lehrer").await;
    unlock(&app, &head, &own_password).await;
    let start = app.get("/safe", &head).await;
    start
        .has("Gemeinsamer Safe-Bereich")
        .lacks("Mein Safe-Bereich");
    let common = safe_area(&app, &head, "Gemeinsamer Safe-Bereich").await;
    let r = app
        .post(
            &format!("{common}/ordner"),
            &head,
            &[("name", "Zeugnisse 5a")],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    let listing = app.get(&common, &head).await;
    let folder = href_before(&listing.body, ">Zeugnisse 5a</a>");
    app.get(&folder, &head)
        .await
        .assert(StatusCode::OK)
        .has("Freigaben")
        .has("Gruppe oder Benutzername");

    unlock(&app, &teacher, &password).await;
    app.get("/safe", &teacher)
        .await
        .lacks("Gemeinsamer Safe-Bereich");
    grant_safe(&app, &head, "lehrer", "safe.common.read").await;
    let theirs = safe_area(&app, &teacher, "Gemeinsamer Safe-Bereich").await;
    app.get(&theirs, &teacher)
        .await
        .assert(StatusCode::OK)
        .lacks("Zeugnisse 5a")
        .lacks("Neuer Ordner");
    app.get(&folder, &teacher)
        .await
        .assert(StatusCode::NOT_FOUND);

    let r = app
        .post(
            &format!("{folder}/freigaben"),
            &head,
            &[
                ("aktion", "hinzufuegen"),
                ("subject", "lehrer"),
                ("role", "contributor"),
            ],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("{folder}?ok=shared"));
    app.get(&theirs, &teacher).await.has("Zeugnisse 5a");
    // A Contributor grant counts as reading only, until safe.common.contribute.
    app.get(&folder, &teacher).await.lacks("Neues Dokument");
    grant_safe(&app, &head, "lehrer", "safe.common.contribute").await;
    let page = app.get(&folder, &teacher).await;
    page.assert(StatusCode::OK)
        .has("Neues Dokument")
        .lacks("Gruppe oder Benutzername");
    let r = app
        .post(
            &format!("{folder}/dokument"),
            &teacher,
            &[("titel", "Noten Mathe")],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    app.get(&folder, &head).await.has("Noten Mathe.html");

    // Staff: safe.editor is O. Contributing without it, the online editor refuses.
    let staff = app.ready("personal").await;
    grant_safe(&app, &head, "personal", "safe.common.contribute").await;
    let staff_pw = safe_password(&app, &head, "personal").await;
    unlock(&app, &staff, &staff_pw).await;
    app.post(
        &format!("{folder}/freigaben"),
        &head,
        &[
            ("aktion", "hinzufuegen"),
            ("subject", "personal"),
            ("role", "contributor"),
        ],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let refused = app
        .post(&format!("{folder}/dokument"), &staff, &[("titel", "Liste")])
        .await;
    assert_ne!(
        refused.status,
        StatusCode::SEE_OTHER,
        "no editor without safe.editor"
    );
    grant_safe(&app, &head, "personal", "safe.editor").await;
    app.post(&format!("{folder}/dokument"), &staff, &[("titel", "Liste")])
        .await
        .assert(StatusCode::SEE_OTHER);
}
