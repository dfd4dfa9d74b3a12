//! The Mediathek through the router: full-text search after the background step, only what
//! the caller may see, favourites, downloads, and the licence and metadata form (a licence
//! needs its own right). Every scenario runs on SQLite and on PostgreSQL.

use axum::http::StatusCode;

use super::files::{area, entry_href, upload};
use super::links::between;
use super::*;

on_both_backends!(
    search_finds_content_the_caller_may_see,
    metadata_is_saved_and_found_but_a_licence_needs_the_right,
);

async fn search_finds_content_the_caller_may_see(app: App) {
    let teacher = app.ready("lehrer").await;
    let teaching = area(&app, &teacher, "Unterricht").await;
    let own = area(&app, &teacher, "Eigene Dateien").await;
    let lesson = b"Das Chlorophyll in den Blaettern faengt Licht.";
    upload(&app, &teaching, &teacher, &[("Photosynthese.txt", lesson)])
        .await
        .assert(StatusCode::SEE_OTHER);
    upload(
        &app,
        &own,
        &teacher,
        &[(
            "notizen.txt",
            b"Notenkonferenz: Chlorophyll-Test war schwer",
        )],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.platform.system_media_step(50).await.expect("index");

    let mine = app.get("/mediathek?q=Chlorophyll", &teacher).await;
    mine.assert(StatusCode::OK)
        .has("<h1>Mediathek</h1>")
        .has(r#"role="search""#)
        .has("Ergebnisse für „Chlorophyll“")
        .has("Photosynthese.txt")
        .has("notizen.txt")
        .has(r#"href="/mediathek" aria-current="page""#);

    let student = app.ready("schueler").await;
    app.get("/", &student).await.has(r#"href="/mediathek""#);
    let found = app.get("/mediathek?q=chlorophyll", &student).await;
    found
        .assert(StatusCode::OK)
        .has("Photosynthese.txt")
        .lacks("notizen.txt");
    app.get("/mediathek?q=Notenkonferenz", &student)
        .await
        .assert(StatusCode::OK)
        .has("Nichts gefunden.");

    // Favourites: kept, listed without a query, and removed again.
    let id = between(
        &found.body,
        r#"<form method="post" action="/mediathek/"#,
        "/",
    );
    let empty = app.get("/mediathek", &student).await;
    empty
        .assert(StatusCode::OK)
        .has("Meine Favoriten")
        .has("noch keine Favoriten");
    let r = app
        .post(
            &format!("/mediathek/{id}/favorit"),
            &student,
            &[("an", "ja"), ("zurueck", "/mediathek?q=chlorophyll")],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/mediathek?q=chlorophyll&ok=favourite_on");
    let favs = app.get("/mediathek?ok=favourite_on", &student).await;
    favs.assert(StatusCode::OK)
        .has("Zu den Favoriten hinzugefügt.")
        .has("Photosynthese.txt")
        .has("Aus den Favoriten entfernen")
        .has(r#"name="zurueck" value="/mediathek""#);
    let got = app
        .get(&format!("/mediathek/{id}/herunterladen"), &student)
        .await;
    got.assert(StatusCode::OK);
    assert_eq!(got.body.as_bytes(), lesson);
    app.post(
        &format!("/mediathek/{id}/favorit"),
        &student,
        &[("an", "nein"), ("zurueck", "/mediathek")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get("/mediathek", &student)
        .await
        .has("noch keine Favoriten");

    // What one may not see cannot be opened either.
    let own_page = app.get(&own, &teacher).await;
    let notes = entry_href(&own_page.body, "notizen.txt");
    let notes_id = notes.trim_start_matches("/dateien/");
    app.get(&format!("/mediathek/{notes_id}/herunterladen"), &student)
        .await
        .assert(StatusCode::NOT_FOUND);
    // Function accounts have no Mediathek.
    let admin = app.ready("admin").await;
    app.get("/mediathek", &admin)
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get("/", &admin).await.lacks(r#"href="/mediathek""#);
}

async fn metadata_is_saved_and_found_but_a_licence_needs_the_right(app: App) {
    let teacher = app.ready("lehrer").await;
    let teaching = area(&app, &teacher, "Unterricht").await;
    upload(&app, &teaching, &teacher, &[("Blatt 3.txt", b"Aufgabe")])
        .await
        .assert(StatusCode::SEE_OTHER);
    let page = app.get(&teaching, &teacher).await;
    let file = entry_href(&page.body, "Blatt 3.txt");
    let details = app.get(&file, &teacher).await;
    details
        .assert(StatusCode::OK)
        .has("Lizenz und Metadaten")
        .has("Keine Lizenz und keine Metadaten eingetragen.")
        .has(r#"<option value="CC BY-SA""#)
        .has(&format!(r#"action="{file}/metadaten""#));

    let r = app
        .post(
            &format!("{file}/metadaten"),
            &teacher,
            &[
                ("lizenz", ""),
                ("fach", "Biologie"),
                ("stufe", "7"),
                ("schlagwoerter", "Pflanzen, Zellatmung"),
            ],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("{file}?ok=meta_saved"));
    app.get(&format!("{file}?ok=meta_saved"), &teacher)
        .await
        .has("Lizenz und Metadaten sind gespeichert.")
        .has("<dd>Biologie</dd>")
        .has(r#"value="Pflanzen, Zellatmung""#);
    app.platform.system_media_step(50).await.expect("index");
    app.get("/mediathek?q=Zellatmung", &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Blatt 3.txt")
        .has("<dd>Biologie</dd>")
        .has("<dd>7</dd>");

    // A Creative Commons licence needs a right teachers do not hold by default.
    let refused = app
        .post(
            &format!("{file}/metadaten"),
            &teacher,
            &[
                ("lizenz", "CC BY"),
                ("fach", "Biologie"),
                ("stufe", "7"),
                ("schlagwoerter", "Pflanzen"),
            ],
        )
        .await;
    refused
        .assert(StatusCode::FORBIDDEN)
        .has("Eine Lizenz vergeben dürfen Sie hier nicht")
        .has(r#"aria-invalid="true""#)
        .has(r#"<option value="CC BY" selected>"#);
    // Readers see the metadata but get no form.
    let student = app.ready("schueler").await;
    app.get(&file, &student)
        .await
        .assert(StatusCode::OK)
        .has("<dd>Biologie</dd>")
        .lacks("/metadaten");
}
