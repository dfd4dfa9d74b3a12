//! Only what one may do is offered: the Dateien overview and the Safe's pages ask the one
//! policy which controls to show, and show no others. Every scenario runs on SQLite and on
//! PostgreSQL.

use axum::http::StatusCode;

use super::files::{area, entry_href, href_before, upload};
use super::safe::{grant_safe, safe_area, safe_password, unlock};
use super::*;

on_both_backends!(
    a_students_overview_offers_only_what_the_student_may_do,
    a_safe_folder_offers_a_teacher_less_than_the_schulleitung,
);

/// The tile of an area on an overview page, up to the end of its list item.
fn tile<'a>(body: &'a str, title: &str) -> &'a str {
    let marker = format!(r#"<span class="tile-title">{title}</span>"#);
    let at = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no tile {title:?} in:\n{body}"));
    let end = at + body[at..].find("</li>").expect("end of the tile");
    &body[at..end]
}

/// The page from the section headed `heading` on.
fn from<'a>(body: &'a str, heading: &str) -> &'a str {
    &body[body
        .find(heading)
        .unwrap_or_else(|| panic!("no {heading:?}"))..]
}

/// A teacher shares one file of the own area with the student, with `role`.
async fn share_file(app: &App, teacher: &str, name: &str, role: &str) {
    let own = area(app, teacher, "Eigene Dateien").await;
    upload(app, &own, teacher, &[(name, b"Inhalt")])
        .await
        .assert(StatusCode::SEE_OTHER);
    let page = app.get(&own, teacher).await;
    let file = entry_href(&page.body, name);
    app.post(
        &format!("{file}/freigaben"),
        teacher,
        &[
            ("aktion", "hinzufuegen"),
            ("subject", "schueler"),
            ("role", role),
        ],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
}

async fn a_students_overview_offers_only_what_the_student_may_do(app: App) {
    let t = app.ready("lehrer").await;
    share_file(&app, &t, "nur-lesen.txt", "viewer").await;
    share_file(&app, &t, "mitarbeiten.txt", "contributor").await;

    let s = app.ready("schueler").await;
    let page = app.get("/dateien", &s).await;
    page.assert(StatusCode::OK);
    let body = &page.body;
    // The school's information is read-only for students, and the tile says so; the own
    // area is theirs.
    assert!(
        tile(body, "Informationen der Schule").contains("Nur lesen"),
        "{body}"
    );
    assert!(
        !tile(body, "Eigene Dateien").contains("Nur lesen"),
        "{body}"
    );
    // A trash only where the student may delete: the own area.
    page.has("/dateien/papierkorb?bereich=own")
        .lacks("/dateien/papierkorb?bereich=info")
        .lacks("/dateien/papierkorb?bereich=teaching")
        .lacks("/dateien/papierkorb?bereich=staff");
    // Shared for reading: nothing to rename or delete; shared to contribute: renaming a
    // file, still no deleting (that is for coordinators).
    let shared = from(body, "Mit mir geteilt");
    assert!(shared.contains(">nur-lesen.txt</a>"), "{shared}");
    assert!(!shared.contains("Umbenennen: nur-lesen.txt"), "{shared}");
    assert!(!shared.contains("Löschen …: nur-lesen.txt"), "{shared}");
    assert!(shared.contains("Umbenennen: mitarbeiten.txt"), "{shared}");
    assert!(!shared.contains("Löschen …: mitarbeiten.txt"), "{shared}");

    // The teacher's own area is theirs to change, with its trash.
    let teacher = app.get("/dateien", &t).await;
    assert!(
        !tile(&teacher.body, "Eigene Dateien").contains("Nur lesen"),
        "{}",
        teacher.body
    );
    teacher.has("/dateien/papierkorb?bereich=own");
}

/// The common area's folder "Zeugnisse 5a" of the Schulleitung, with a file and a
/// document in it, shared with the teacher as `role`; returns its page.
async fn common_folder(app: &App, head: &str, role: &str) -> String {
    let common = safe_area(app, head, "Gemeinsamer Safe-Bereich").await;
    app.post(
        &format!("{common}/ordner"),
        head,
        &[("name", "Zeugnisse 5a")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let listing = app.get(&common, head).await;
    let folder = href_before(&listing.body, ">Zeugnisse 5a</a>");
    upload(app, &folder, head, &[("liste.txt", b"Noten")])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.post(
        &format!("{folder}/dokument"),
        head,
        &[("titel", "Protokoll")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.post(
        &format!("{folder}/freigaben"),
        head,
        &[
            ("aktion", "hinzufuegen"),
            ("subject", "lehrer"),
            ("role", role),
        ],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    folder
}

async fn a_safe_folder_offers_a_teacher_less_than_the_schulleitung(app: App) {
    let head = app.ready("schulleitung").await;
    let teacher = app.ready("lehrer").await;
    let head_pw = safe_password(&app, &head, "schulleitung").await;
    let teacher_pw = safe_password(&app, &head, "lehrer").await;
    unlock(&app, &head, &head_pw).await;
    unlock(&app, &teacher, &teacher_pw).await;
    grant_safe(&app, &head, "lehrer", "safe.common.read").await;
    let folder = common_folder(&app, &head, "coordinator").await;

    // The Schulleitung coordinates: every control.
    let page = app.get(&folder, &head).await;
    page.assert(StatusCode::OK)
        .lacks("Nur lesen")
        .has("Dateien hochladen")
        .has("Neues Dokument")
        .has("Neuer Ordner")
        .has("Ordner umbenennen")
        .has("Ordner löschen …")
        .has("Papierkorb dieses Bereichs")
        .has("Umbenennen: liste.txt")
        .has("Löschen …: liste.txt")
        .has("Im Editor öffnen: Protokoll.html")
        .has("Gruppe oder Benutzername");

    // With safe.common.read the teacher only reads, whatever the folder's grant says.
    let page = app.get(&folder, &teacher).await;
    page.assert(StatusCode::OK)
        .has("Nur lesen")
        .has(">liste.txt</a>")
        .lacks("Dateien hochladen")
        .lacks("Neues Dokument")
        .lacks("Neuer Ordner")
        .lacks("Ordner umbenennen")
        .lacks("Ordner löschen")
        .lacks("Papierkorb dieses Bereichs")
        .lacks("Umbenennen: liste.txt")
        .lacks("Löschen …: liste.txt")
        .lacks("Gruppe oder Benutzername")
        // The editor opens documents for reading (safe.editor is X for teachers).
        .has("Im Editor öffnen: Protokoll.html");
    let file = entry_href(&page.body, "liste.txt");
    app.get(&file, &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Herunterladen")
        .lacks("Datei löschen")
        .lacks("/umbenennen");
    let start = app.get("/safe", &teacher).await;
    assert!(
        tile(&start.body, "Gemeinsamer Safe-Bereich").contains("Nur lesen"),
        "{}",
        start.body
    );
    assert!(
        !tile(&start.body, "Mein Safe-Bereich").contains("Nur lesen"),
        "{}",
        start.body
    );
    start
        .has("/safe/papierkorb?bereich=safe_own")
        .lacks("/safe/papierkorb?bereich=safe_common");

    // With safe.common.contribute the folder's coordinator grant counts in full.
    grant_safe(&app, &head, "lehrer", "safe.common.contribute").await;
    app.get(&folder, &teacher)
        .await
        .assert(StatusCode::OK)
        .lacks("Nur lesen")
        .has("Dateien hochladen")
        .has("Neues Dokument")
        .has("Neuer Ordner")
        .has("Löschen …: liste.txt")
        .has("Papierkorb dieses Bereichs");
    // Staff contributing without safe.editor (O) get no editor controls.
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
    app.get(&folder, &staff)
        .await
        .assert(StatusCode::OK)
        .has("Dateien hochladen")
        .lacks("Neues Dokument")
        .lacks("Im Editor öffnen")
        .lacks("Neuer Ordner")
        .lacks("Löschen …: liste.txt")
        .has("Umbenennen: liste.txt");
}
