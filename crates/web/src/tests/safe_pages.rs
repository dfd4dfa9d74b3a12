//! The Safe's rename page and the page where one changes the own Safe password, through the
//! router: renaming in the own Safe area (and the service's refusals shown at the field),
//! no renaming where the common area gives no right, the locked Safe's way to its door, and
//! a new Safe password that replaces the old one. Every scenario runs on SQLite and on
//! PostgreSQL.

use axum::http::StatusCode;

use super::files::href_before;
use super::links::between;
use super::safe::{grant_safe, no_store, safe_area, safe_password, unlock};
use super::*;

on_both_backends!(
    a_teacher_renames_in_the_own_safe_area,
    renaming_in_the_common_area_needs_a_right,
    the_locked_safe_leads_the_new_pages_to_its_door,
    a_teacher_changes_the_own_safe_password,
);

/// A teacher with the Safe open; returns the session cookie and the Safe password.
async fn teacher_with_open_safe(app: &App) -> (String, String) {
    let head = app.ready("schulleitung").await;
    let teacher = app.ready("lehrer").await;
    let password = safe_password(app, &head, "lehrer").await;
    unlock(app, &teacher, &password).await;
    (teacher, password)
}

/// A new document in a Safe folder; returns its page (`/safe/<id>`).
async fn new_document(app: &App, folder: &str, cookie: &str, title: &str) -> String {
    let r = app
        .post(&format!("{folder}/dokument"), cookie, &[("titel", title)])
        .await;
    r.assert(StatusCode::SEE_OTHER);
    r.location()
        .trim_end_matches("/bearbeiten?ok=doc_created")
        .to_owned()
}

/// The "Umbenennen" link of an entry in a folder's table.
fn rename_link(body: &str, name: &str) -> String {
    href_before(body, &format!(r#"aria-label="Umbenennen: {name}""#))
}

async fn a_teacher_renames_in_the_own_safe_area(app: App) {
    let (teacher, _) = teacher_with_open_safe(&app).await;
    let own = safe_area(&app, &teacher, "Mein Safe-Bereich").await;
    let doc = new_document(&app, &own, &teacher, "Plan").await;
    new_document(&app, &own, &teacher, "Liste").await;
    app.post(&format!("{own}/ordner"), &teacher, &[("name", "Alt")])
        .await
        .assert(StatusCode::SEE_OTHER);

    // Every entry of the own area may be renamed by its owner; the link says which.
    let listing = app.get(&own, &teacher).await;
    listing.assert(StatusCode::OK);
    let link = rename_link(&listing.body, "Plan.html");
    assert_eq!(
        link,
        format!("{doc}/umbenennen?zurueck={}", url::encode(&own))
    );
    rename_link(&listing.body, "Liste.html");
    rename_link(&listing.body, "Alt");
    // The area itself is never renamed.
    app.get(&own, &teacher)
        .await
        .lacks("Ordner umbenennen")
        .lacks(&format!(r#"href="{own}/umbenennen"#));

    let page = app.get(&link, &teacher).await;
    page.assert(StatusCode::OK)
        .has("<h1>„Plan.html“ umbenennen</h1>")
        .has(r#"<label for="rename-name">Neuer Name"#)
        .has(r#"value="Plan.html""#)
        .has(&format!(r#"action="{doc}/umbenennen""#))
        .has(&format!(r#"name="zurueck" value="{own}""#))
        .has(r#"<a href="/safe">Daten-Safe</a>"#)
        .has("Safe sperren");
    no_store(&page);

    let r = app
        .post(
            &format!("{doc}/umbenennen"),
            &teacher,
            &[("name", "Förderplan Anna.html"), ("zurueck", &own)],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("{own}?ok=renamed"));
    no_store(&r);
    app.get(r.location(), &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Umbenannt.")
        .has(">Förderplan Anna.html</a>")
        .lacks(">Plan.html</a>");
    // Still the same document, with the Safe's content.
    app.get(&doc, &teacher)
        .await
        .assert(StatusCode::OK)
        .has("<h1>Förderplan Anna.html</h1>");

    // Illegal and taken names are refused at the field; nothing changes.
    let bad = app
        .post(
            &format!("{doc}/umbenennen"),
            &teacher,
            &[("name", "a/b"), ("zurueck", &own)],
        )
        .await;
    bad.assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("Das Zeichen / ist in Namen nicht erlaubt.")
        .has(r#"aria-invalid="true""#)
        .has(r#"value="a/b""#);
    no_store(&bad);
    app.post(
        &format!("{doc}/umbenennen"),
        &teacher,
        &[("name", "Liste.html"), ("zurueck", &own)],
    )
    .await
    .assert(StatusCode::CONFLICT)
    .has(r#"aria-invalid="true""#)
    .has(r#"value="Liste.html""#);
    app.get(&own, &teacher)
        .await
        .has(">Förderplan Anna.html</a>")
        .has(">Liste.html</a>")
        .lacks(">a/b</a>");
    // The area's root is not renamed either.
    app.post(
        &format!("{own}/umbenennen"),
        &teacher,
        &[("name", "Meins"), ("zurueck", &own)],
    )
    .await
    .assert(StatusCode::UNPROCESSABLE_ENTITY);
    safe_area(&app, &teacher, "Mein Safe-Bereich").await;

    // A folder, from its own page: back there afterwards.
    let listing = app.get(&own, &teacher).await;
    let folder = href_before(&listing.body, ">Alt</a>");
    let page = app.get(&folder, &teacher).await;
    page.assert(StatusCode::OK);
    let link = href_before(&page.body, ">Ordner umbenennen</a>");
    let r = app.get(&link, &teacher).await;
    r.assert(StatusCode::OK).has(r#"value="Alt""#);
    let back = between(&r.body, r#"name="zurueck" value=""#, "\"").to_owned();
    assert_eq!(back, folder);
    let r = app
        .post(
            &format!("{folder}/umbenennen"),
            &teacher,
            &[("name", "Neu"), ("zurueck", &back)],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("{folder}?ok=renamed"));
    app.get(&folder, &teacher).await.has("<h1>Neu</h1>");
    app.get(&own, &teacher)
        .await
        .has(">Neu</a>")
        .lacks(">Alt</a>");

    // A file's page offers the rename page too; without a way back it returns to the folder.
    let file_page = app.get(&doc, &teacher).await;
    assert_eq!(
        href_before(&file_page.body, ">Umbenennen</a>"),
        format!("{doc}/umbenennen?zurueck={}", url::encode(&doc))
    );
    let r = app
        .post(
            &format!("{doc}/umbenennen"),
            &teacher,
            &[("name", "Förderplan.html")],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("{own}?ok=renamed"));
    // A way back outside the Safe is not followed.
    let r = app
        .post(
            &format!("{doc}/umbenennen"),
            &teacher,
            &[("name", "Plan.html"), ("zurueck", "/dateien")],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("{own}?ok=renamed"));

    // The file manager's rename does not reach Safe nodes.
    let id = doc.trim_start_matches("/safe/");
    app.post(
        &format!("/dateien/{id}/umbenennen"),
        &teacher,
        &[("name", "Weg.html")],
    )
    .await
    .assert(StatusCode::NOT_FOUND);
    app.get(&own, &teacher).await.has(">Plan.html</a>");
}

async fn renaming_in_the_common_area_needs_a_right(app: App) {
    let head = app.ready("schulleitung").await;
    let teacher = app.ready("lehrer").await;
    let own_password = safe_password(&app, &head, "schulleitung").await;
    let password = safe_password(&app, &head, "lehrer").await;
    unlock(&app, &head, &own_password).await;
    let common = safe_area(&app, &head, "Gemeinsamer Safe-Bereich").await;
    app.post(
        &format!("{common}/ordner"),
        &head,
        &[("name", "Zeugnisse 5a")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let listing = app.get(&common, &head).await;
    let folder = href_before(&listing.body, ">Zeugnisse 5a</a>");
    // The Schulleitung coordinates there: it may rename the folder.
    rename_link(&listing.body, "Zeugnisse 5a");
    let doc = new_document(&app, &folder, &head, "Noten").await;

    // Without any right the teacher does not even see the folder.
    unlock(&app, &teacher, &password).await;
    grant_safe(&app, &head, "lehrer", "safe.common.read").await;
    let theirs = safe_area(&app, &teacher, "Gemeinsamer Safe-Bereich").await;
    for path in [&folder, &doc] {
        app.get(&format!("{path}/umbenennen"), &teacher)
            .await
            .assert(StatusCode::NOT_FOUND);
        app.post(
            &format!("{path}/umbenennen"),
            &teacher,
            &[("name", "Meins")],
        )
        .await
        .assert(StatusCode::NOT_FOUND);
    }
    // Nor rename the common area.
    app.post(
        &format!("{theirs}/umbenennen"),
        &teacher,
        &[("name", "Meins")],
    )
    .await
    .assert(StatusCode::UNPROCESSABLE_ENTITY);

    // Reading only: no rename links, and the service refuses.
    let r = app
        .post(
            &format!("{folder}/freigaben"),
            &head,
            &[
                ("aktion", "hinzufuegen"),
                ("subject", "lehrer"),
                ("role", "viewer"),
            ],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    app.get(&theirs, &teacher)
        .await
        .has(">Zeugnisse 5a</a>")
        .lacks("Umbenennen: Zeugnisse 5a");
    let page = app.get(&folder, &teacher).await;
    page.assert(StatusCode::OK)
        .has("Noten.html")
        .lacks("Umbenennen")
        .lacks("Ordner umbenennen");
    app.get(&doc, &teacher).await.lacks(">Umbenennen</a>");
    app.post(
        &format!("{doc}/umbenennen"),
        &teacher,
        &[("name", "Meins.html"), ("zurueck", &folder)],
    )
    .await
    .assert(StatusCode::FORBIDDEN);
    app.post(
        &format!("{folder}/umbenennen"),
        &teacher,
        &[("name", "Meins"), ("zurueck", &theirs)],
    )
    .await
    .assert(StatusCode::FORBIDDEN);

    // Contributing: files yes, the folder (a coordinator's) no.
    grant_safe(&app, &head, "lehrer", "safe.common.contribute").await;
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
    app.get(&theirs, &teacher)
        .await
        .lacks("Umbenennen: Zeugnisse 5a");
    let page = app.get(&folder, &teacher).await;
    rename_link(&page.body, "Noten.html");
    page.lacks("Ordner umbenennen");
    app.post(
        &format!("{folder}/umbenennen"),
        &teacher,
        &[("name", "Meins"), ("zurueck", &theirs)],
    )
    .await
    .assert(StatusCode::FORBIDDEN);
    let r = app
        .post(
            &format!("{doc}/umbenennen"),
            &teacher,
            &[("name", "Noten 5a.html"), ("zurueck", &folder)],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("{folder}?ok=renamed"));
    app.get(&folder, &head)
        .await
        .has(">Noten 5a.html</a>")
        .lacks(">Noten.html</a>");
    app.get(&common, &head).await.has(">Zeugnisse 5a</a>");
}

async fn the_locked_safe_leads_the_new_pages_to_its_door(app: App) {
    // No Safe password yet: the door says where one comes from.
    let teacher = app.ready("lehrer").await;
    let r = app.get("/safe/passwort", &teacher).await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/safe?zurueck=%2Fsafe%2Fpasswort");
    no_store(&r);

    let head = app.ready("schulleitung").await;
    let password = safe_password(&app, &head, "lehrer").await;
    unlock(&app, &teacher, &password).await;
    let own = safe_area(&app, &teacher, "Mein Safe-Bereich").await;
    let doc = new_document(&app, &own, &teacher, "Plan").await;
    let r = app.post("/safe/sperren", &teacher, &[]).await;
    r.assert(StatusCode::SEE_OTHER);

    let rename = format!("{doc}/umbenennen");
    let to_door = format!("/safe?zurueck={}", url::encode(&rename));
    let r = app.get(&format!("{rename}?zurueck=/safe"), &teacher).await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), to_door);
    no_store(&r);
    let r = app
        .post(
            &rename,
            &teacher,
            &[("name", "Weg.html"), ("zurueck", &own)],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), to_door);
    let r = app
        .post(
            "/safe/passwort",
            &teacher,
            &[("new", "ganz-neues-pw"), ("repeat", "ganz-neues-pw")],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/safe?zurueck=%2Fsafe%2Fpasswort");
    // The door leads back to the rename page once the Safe is open; nothing was renamed.
    let door = app.get(&to_door, &teacher).await;
    door.assert(StatusCode::OK)
        .has(&format!(r#"name="zurueck" value="{rename}""#))
        .lacks(r#"href="/safe/passwort""#);
    let r = app
        .post(
            "/safe/oeffnen",
            &teacher,
            &[("passwort", &password), ("zurueck", &rename)],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), rename);
    app.get(&rename, &teacher)
        .await
        .assert(StatusCode::OK)
        .has(r#"value="Plan.html""#);
    // The old Safe password still opens: the locked POST changed nothing.
    app.post("/safe/sperren", &teacher, &[]).await;
    unlock(&app, &teacher, &password).await;
}

async fn a_teacher_changes_the_own_safe_password(app: App) {
    let (teacher, old) = teacher_with_open_safe(&app).await;
    let start = app.get("/safe", &teacher).await;
    start
        .assert(StatusCode::OK)
        .has(r#"<a href="/safe/passwort">Safe-Passwort ändern</a>"#);

    let page = app.get("/safe/passwort", &teacher).await;
    page.assert(StatusCode::OK)
        .has("<h1>Safe-Passwort ändern</h1>")
        .has(r#"<label for="safe-pw-new">Neues Safe-Passwort"#)
        .has(r#"<label for="safe-pw-repeat">Neues Safe-Passwort wiederholen"#)
        .has(r#"autocomplete="new-password""#)
        .has("Mindestens 10 Zeichen")
        .has(r#"aria-describedby="safe-pw-new-hint""#)
        .has(r#"action="/safe/passwort""#)
        .has("Safe sperren");
    no_store(&page);
    assert_eq!(
        page.body.matches(r#"autocomplete="new-password""#).count(),
        2
    );

    // The two inputs differ: said at the repetition, nothing sent back.
    let r = app
        .post(
            "/safe/passwort",
            &teacher,
            &[
                ("new", "ein-neues-passwort"),
                ("repeat", "ein-anderes-passwort"),
            ],
        )
        .await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has(r#"<p class="field-error" id="safe-pw-repeat-error">"#)
        .has("Die beiden neuen Safe-Passwörter stimmen nicht überein.")
        .lacks("ein-neues-passwort");
    no_store(&r);
    // Too short: the service says so, at the new password.
    app.post(
        "/safe/passwort",
        &teacher,
        &[("new", "kurz-123"), ("repeat", "kurz-123")],
    )
    .await
    .assert(StatusCode::UNPROCESSABLE_ENTITY)
    .has(r#"<p class="field-error" id="safe-pw-new-error">"#)
    .has("Das Safe-Passwort braucht mindestens 10 Zeichen.");
    // Neither changed anything.
    app.post("/safe/sperren", &teacher, &[]).await;
    unlock(&app, &teacher, &old).await;

    let new = "mein-eigenes-safe-pw";
    let r = app
        .post("/safe/passwort", &teacher, &[("new", new), ("repeat", new)])
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/safe?ok=safe_password_changed");
    no_store(&r);
    app.get(r.location(), &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Ihr Safe-Passwort ist geändert.");

    // Locked again: the old password no longer opens the Safe, the new one does.
    let r = app.post("/safe/sperren", &teacher, &[]).await;
    r.assert(StatusCode::SEE_OTHER);
    app.post(
        "/safe/oeffnen",
        &teacher,
        &[("passwort", &old), ("zurueck", "")],
    )
    .await
    .assert(StatusCode::UNPROCESSABLE_ENTITY)
    .has("Das Safe-Passwort stimmt nicht.");
    unlock(&app, &teacher, new).await;
    app.get("/safe", &teacher)
        .await
        .has("Mein Safe-Bereich")
        .has(r#"href="/safe/passwort""#);

    // In English too.
    let r = app
        .get("/sprache?lang=en&zurueck=%2Fsafe%2Fpasswort", "")
        .await;
    let english = format!("{teacher}; {}", r.cookie("lang").expect("language cookie"));
    app.get("/safe/passwort", &english)
        .await
        .assert(StatusCode::OK)
        .has("Change the Safe password")
        .has("At least 10 characters");
}
