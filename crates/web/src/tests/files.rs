//! The file manager's pages: areas, uploads and ranged downloads, what students may not
//! see or do, sharing with a class, the trash, versions, and names that are refused. Every
//! scenario runs on SQLite and on PostgreSQL.

use axum::http::{StatusCode, header};

use super::*;

on_both_backends!(
    a_teacher_uploads_into_the_own_area_and_downloads_a_range,
    a_student_neither_sees_the_staff_area_nor_uploads_school_information,
    a_folder_shared_with_the_class_reaches_the_student_read_only,
    deleted_entries_go_to_the_trash_and_come_back,
    an_overwrite_keeps_a_version_that_can_be_restored,
    names_with_a_slash_are_refused_clearly,
    folders_and_files_move_and_copy_by_walking_to_the_target,
);

/// The href of the link whose text follows it directly, e.g. an area tile or a table row.
pub(super) fn href_before(body: &str, text: &str) -> String {
    let at = body
        .find(text)
        .unwrap_or_else(|| panic!("{text:?} not in:\n{body}"));
    let start = body[..at].rfind("href=\"").expect("a link before it") + "href=\"".len();
    let end = start + body[start..].find('"').expect("end of href");
    body[start..end].to_owned()
}

/// The page of an area, from the overview's tiles.
pub(super) async fn area(app: &App, cookie: &str, title: &str) -> String {
    let overview = app.get("/dateien", cookie).await;
    overview.assert(StatusCode::OK);
    href_before(
        &overview.body,
        &format!(r#"<span class="tile-title">{title}</span>"#),
    )
}

/// The id part (`/dateien/<id>`) of an entry's link in a folder's table.
pub(super) fn entry_href(body: &str, name: &str) -> String {
    let href = href_before(body, &format!(">{name}</a>"));
    href.trim_end_matches("/herunterladen").to_owned()
}

/// A `multipart/form-data` POST with several files in the field `dateien`.
pub(super) async fn upload(app: &App, path: &str, cookie: &str, files: &[(&str, &[u8])]) -> Resp {
    const BOUNDARY: &str = "----schulhof-files-boundary";
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"dateien\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let req = Request::post(format!("{path}/hochladen"))
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .expect("request");
    app.send(req).await
}

async fn get_with(app: &App, path: &str, cookie: &str, name: &str, value: &str) -> Resp {
    let req = Request::get(path)
        .header(header::COOKIE, cookie)
        .header(name, value)
        .body(Body::empty())
        .expect("request");
    app.send(req).await
}

pub(super) async fn mkdir(app: &App, folder: &str, cookie: &str, name: &str) -> String {
    let r = app
        .post(&format!("{folder}/ordner"), cookie, &[("name", name)])
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("{folder}?ok=folder_created"));
    let page = app.get(folder, cookie).await;
    entry_href(&page.body, name)
}

async fn a_teacher_uploads_into_the_own_area_and_downloads_a_range(app: App) {
    let teacher = app.ready("lehrer").await;
    let overview = app.get("/dateien", &teacher).await;
    overview
        .assert(StatusCode::OK)
        .has("<h1>Dateien</h1>")
        .has("Eigene Dateien")
        .has("Informationen der Schule")
        .has("Unterricht")
        .has("Lehrerbereich")
        .has("Mit mir geteilt")
        .has("0 B von 5 GB belegt")
        .has(r#"href="/dateien" aria-current="page""#);
    let own = area(&app, &teacher, "Eigene Dateien").await;
    let content = b"0123456789abcdef";
    let r = upload(
        &app,
        &own,
        &teacher,
        &[("notiz.txt", content), ("zweite.txt", b"2")],
    )
    .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("{own}?ok=uploaded"));
    let page = app.get(&format!("{own}?ok=uploaded"), &teacher).await;
    page.assert(StatusCode::OK)
        .has("Hochgeladen.")
        .has("notiz.txt")
        .has("zweite.txt")
        .has("16 B")
        .has(r#"<input type="file" id="upload-files" name="dateien""#)
        .has(r#"multiple="multiple""#)
        .has(r#"action="/dateien/"#)
        .has("Neuer Ordner")
        .has("Freigaben");
    let file = entry_href(&page.body, "notiz.txt");
    let download = format!("{file}/herunterladen");

    let whole = app.get(&download, &teacher).await;
    whole.assert(StatusCode::OK);
    assert_eq!(whole.body.as_bytes(), content);
    let part = get_with(&app, &download, &teacher, "range", "bytes=4-9").await;
    part.assert(StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.body, "456789");
    assert_eq!(
        part.headers.get(header::CONTENT_RANGE).expect("range"),
        "bytes 4-9/16"
    );
    assert!(
        part.headers
            .get(header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("attachment"))
    );

    // The file's own page, and the storage on "Mein Konto".
    app.get(&file, &teacher)
        .await
        .assert(StatusCode::OK)
        .has("<h1>notiz.txt</h1>")
        .has("Herunterladen")
        .has("Es gibt keine früheren Versionen.");
    app.get("/konto", &teacher)
        .await
        .has("Speicherplatz (eigene Dateien)")
        .has("17 B von 5 GB belegt");
    // Nothing chosen: the form says so.
    upload(&app, &own, &teacher, &[("", b"")])
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("Bitte wählen Sie mindestens eine Datei aus.");
}

async fn a_student_neither_sees_the_staff_area_nor_uploads_school_information(app: App) {
    let teacher = app.ready("lehrer").await;
    let staff = area(&app, &teacher, "Lehrerbereich").await;
    // Teachers read the Lehrerbereich but do not upload there.
    app.get(&staff, &teacher)
        .await
        .assert(StatusCode::OK)
        .lacks("/hochladen\"");
    let teaching = area(&app, &teacher, "Unterricht").await;
    app.get(&teaching, &teacher)
        .await
        .has("/hochladen\"")
        .lacks("/ordner\"");

    let student = app.ready("schueler").await;
    let overview = app.get("/dateien", &student).await;
    overview
        .assert(StatusCode::OK)
        .has("Informationen der Schule")
        .lacks("Lehrerbereich");
    app.get(&staff, &student)
        .await
        .assert(StatusCode::NOT_FOUND);
    app.get(&format!("{staff}/herunterladen"), &student)
        .await
        .assert(StatusCode::NOT_FOUND);
    let r = upload(&app, &staff, &student, &[("x.txt", b"x")]).await;
    r.assert(StatusCode::NOT_FOUND);

    let info = area(&app, &student, "Informationen der Schule").await;
    app.get(&info, &student)
        .await
        .assert(StatusCode::OK)
        .has("Deine Rolle: Lesen")
        .lacks("/hochladen\"")
        .lacks("/ordner\"");
    let r = upload(&app, &info, &student, &[("spickzettel.txt", b"psst")]).await;
    r.assert(StatusCode::FORBIDDEN)
        .has(r#"role="alert""#)
        .has("Dafür fehlt dir die Berechtigung.");
    // Nothing was stored: not for the student, not for anyone else.
    app.get(&info, &student).await.lacks("spickzettel.txt");
    app.get(&info, &teacher).await.lacks("spickzettel.txt");
    app.get("/dateien", &student)
        .await
        .has("0 B von 1 GB belegt");
}

async fn a_folder_shared_with_the_class_reaches_the_student_read_only(app: App) {
    let teacher = app.ready("lehrer").await;
    let own = area(&app, &teacher, "Eigene Dateien").await;
    let folder = mkdir(&app, &own, &teacher, "Mathe 5a").await;
    upload(&app, &folder, &teacher, &[("blatt1.txt", b"Aufgabe 1")])
        .await
        .assert(StatusCode::SEE_OTHER);
    let page = app.get(&folder, &teacher).await;
    page.has(r#"<datalist id="share-groups">"#)
        .has(r#"<option value="5a">"#)
        .has("Zum Abgabeordner machen")
        .has("Vererbte Rechte entziehen");

    let r = app
        .post(
            &format!("{folder}/freigaben"),
            &teacher,
            &[
                ("aktion", "hinzufuegen"),
                ("subject", "5a"),
                ("role", "viewer"),
            ],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("{folder}?ok=shared"));
    app.get(&folder, &teacher)
        .await
        .has(r#"<td class="card-title">5a</td>"#)
        .has(r#"<td data-label="Art">Gruppe</td>"#)
        .has(r#"<td data-label="Rolle">Lesen</td>"#)
        .has("Entfernen: 5a");
    // An unknown group or login is named.
    app.post(
        &format!("{folder}/freigaben"),
        &teacher,
        &[
            ("aktion", "hinzufuegen"),
            ("subject", "9z"),
            ("role", "viewer"),
        ],
    )
    .await
    .assert(StatusCode::UNPROCESSABLE_ENTITY)
    .has("Keine Gruppe und keine Anmeldung „9z“ an dieser Schule.")
    .has(r#"value="9z""#);

    let student = app.ready("schueler").await;
    let overview = app.get("/dateien", &student).await;
    let shared = &overview.body[overview.body.find("Mit mir geteilt").expect("section")..];
    assert!(shared.contains("Mathe 5a"), "{shared}");
    assert!(
        shared.contains("– geteilt von"),
        "who shared it is named: {shared}"
    );
    let page = app.get(&folder, &student).await;
    page.assert(StatusCode::OK)
        .has("<h1>Mathe 5a</h1>")
        .has("blatt1.txt")
        .has("Deine Rolle: Lesen")
        .lacks("/hochladen\"")
        .lacks("/ordner\"")
        .lacks("/freigaben\"")
        .lacks("Eigene Dateien");
    let file = entry_href(&page.body, "blatt1.txt");
    let download = app.get(&format!("{file}/herunterladen"), &student).await;
    download.assert(StatusCode::OK);
    assert_eq!(download.body, "Aufgabe 1");
    // The forms are not there, and the services refuse all the same.
    upload(&app, &folder, &student, &[("meins.txt", b"x")])
        .await
        .assert(StatusCode::FORBIDDEN);
    app.post(&format!("{folder}/ordner"), &student, &[("name", "x")])
        .await
        .assert(StatusCode::FORBIDDEN);
    app.post(
        &format!("{file}/loeschen"),
        &student,
        &[("bestaetigt", "ja")],
    )
    .await
    .assert(StatusCode::FORBIDDEN);
    app.get(&folder, &teacher).await.lacks("meins.txt");

    // Taken back, it is gone for the student.
    let page = app.get(&folder, &teacher).await;
    let key = grant_key(&page.body, "g:");
    let r = app
        .post(
            &format!("{folder}/freigaben"),
            &teacher,
            &[("aktion", "entfernen"), ("key", &key)],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    app.get(&folder, &student)
        .await
        .assert(StatusCode::NOT_FOUND);
}

/// The first grant key starting with `prefix`, as a remove button sends it.
fn grant_key(body: &str, prefix: &str) -> String {
    let marker = format!(r#"name="key" value="{prefix}"#);
    let start = body.find(&marker).expect("a remove button") + marker.len() - prefix.len();
    let end = start + body[start..].find('"').expect("end of value");
    body[start..end].to_owned()
}

async fn deleted_entries_go_to_the_trash_and_come_back(app: App) {
    let teacher = app.ready("lehrer").await;
    let own = area(&app, &teacher, "Eigene Dateien").await;
    upload(&app, &own, &teacher, &[("weg.txt", b"bald weg")])
        .await
        .assert(StatusCode::SEE_OTHER);
    let file = entry_href(&app.get(&own, &teacher).await.body, "weg.txt");
    app.get(&format!("{file}/loeschen"), &teacher)
        .await
        .assert(StatusCode::OK)
        .has("„weg.txt“ löschen")
        .has("In den Papierkorb legen");
    // Without the confirmation nothing happens.
    app.post(&format!("{file}/loeschen"), &teacher, &[])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get(&own, &teacher).await.has("weg.txt");
    let r = app
        .post(
            &format!("{file}/loeschen"),
            &teacher,
            &[("bestaetigt", "ja")],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("{own}?ok=deleted"));
    app.get(&own, &teacher).await.lacks("weg.txt");
    app.get(&file, &teacher).await.assert(StatusCode::NOT_FOUND);

    let trash = app.get("/dateien/papierkorb?bereich=own", &teacher).await;
    trash
        .assert(StatusCode::OK)
        .has("Papierkorb: Eigene Dateien")
        .has("weg.txt")
        .has("<td>lehrer</td>");
    let id = file.trim_start_matches("/dateien/");
    let r = app
        .post(
            &format!("/dateien/papierkorb/{id}/wiederherstellen"),
            &teacher,
            &[("bereich", "own")],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/dateien/papierkorb?bereich=own&ok=restored");
    app.get(&own, &teacher).await.has("weg.txt");
    app.get("/dateien/papierkorb?bereich=own", &teacher)
        .await
        .has("Der Papierkorb ist leer.");

    // Deleted again and then for good.
    app.post(
        &format!("{file}/loeschen"),
        &teacher,
        &[("bestaetigt", "ja")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let purge = format!("/dateien/papierkorb/{id}/endgueltig-loeschen?bereich=own");
    app.get(&purge, &teacher)
        .await
        .assert(StatusCode::OK)
        .has("kann nicht rückgängig gemacht werden");
    app.post(&purge, &teacher, &[("bestaetigt", "ja")])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get("/dateien/papierkorb?bereich=own", &teacher)
        .await
        .lacks("weg.txt");
    let r = app
        .post(
            &format!("/dateien/papierkorb/{id}/wiederherstellen"),
            &teacher,
            &[("bereich", "own")],
        )
        .await;
    r.assert(StatusCode::NOT_FOUND);
    // A student has no Lehrerbereich, so no trash of it either.
    let student = app.ready("schueler").await;
    app.get("/dateien/papierkorb?bereich=staff", &student)
        .await
        .assert(StatusCode::NOT_FOUND);
}

async fn an_overwrite_keeps_a_version_that_can_be_restored(app: App) {
    let teacher = app.ready("lehrer").await;
    let own = area(&app, &teacher, "Eigene Dateien").await;
    upload(&app, &own, &teacher, &[("plan.txt", b"alt")]).await;
    upload(&app, &own, &teacher, &[("plan.txt", b"neu!")]).await;
    let file = entry_href(&app.get(&own, &teacher).await.body, "plan.txt");
    let page = app.get(&file, &teacher).await;
    page.has("Frühere Versionen, die neueste zuerst")
        .has(">lehrer</td>")
        .has(">3 B</td>");
    let action = href_before(
        &page.body.replace("action=\"", "href=\""),
        "/wiederherstellen\"",
    );
    let r = app.post(&action, &teacher, &[]).await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("{file}?ok=version_restored"));
    let content = app.get(&format!("{file}/herunterladen"), &teacher).await;
    assert_eq!(content.body, "alt");
}

async fn names_with_a_slash_are_refused_clearly(app: App) {
    let teacher = app.ready("lehrer").await;
    let own = area(&app, &teacher, "Eigene Dateien").await;
    let r = app
        .post(&format!("{own}/ordner"), &teacher, &[("name", "a/b")])
        .await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("Name: Das Zeichen / ist in Namen nicht erlaubt.")
        .has(r#"id="mkdir-name" name="name" value="a/b""#)
        .has(r#"aria-invalid="true""#);
    app.get(&own, &teacher).await.lacks(">a/b</a>");

    let folder = mkdir(&app, &own, &teacher, "Richtig").await;
    let rename = format!("{folder}/umbenennen");
    app.get(&format!("{rename}?zurueck={}", url::encode(&own)), &teacher)
        .await
        .assert(StatusCode::OK)
        .has("„Richtig“ umbenennen")
        .has(r#"value="Richtig""#);
    let r = app
        .post(&rename, &teacher, &[("name", "x/y"), ("zurueck", &own)])
        .await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("Das Zeichen / ist in Namen nicht erlaubt.");
    let r = app
        .post(&rename, &teacher, &[("name", "Besser"), ("zurueck", &own)])
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("{own}?ok=renamed"));
    app.get(&own, &teacher).await.has("Besser").lacks("Richtig");
    // Areas are not renamed.
    app.post(&format!("{own}/umbenennen"), &teacher, &[("name", "Meins")])
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("Ein Bereich kann nicht umbenannt oder verschoben werden.");

    // In English the same refusal reads in English.
    let english = format!("{teacher}; lang=en");
    app.post(&format!("{own}/ordner"), &english, &[("name", "a/b")])
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("Name: The character / is not allowed in names.");
    app.get("/dateien", &english)
        .await
        .has("<h1>Files</h1>")
        .has("My files")
        .has("Shared with me");
}

async fn folders_and_files_move_and_copy_by_walking_to_the_target(app: App) {
    let t = app.ready("lehrer").await;
    let own = area(&app, &t, "Eigene Dateien").await;
    let target = mkdir(&app, &own, &t, "Ziel").await;
    upload(&app, &own, &t, &[("blatt.txt", b"Inhalt")])
        .await
        .assert(StatusCode::SEE_OTHER);
    let listing = app.get(&own, &t).await;
    let file = entry_href(&listing.body, "blatt.txt");
    let target_id = target.trim_start_matches("/dateien/").to_owned();
    app.get(&format!("{file}/verschieben"), &t)
        .await
        .assert(StatusCode::OK)
        .has("Hierher verschieben")
        .has(&format!("ziel={target_id}"));
    let copied = app
        .post(
            &format!("{file}/verschieben"),
            &t,
            &[("ziel", &target_id), ("aktion", "kopieren")],
        )
        .await;
    copied.assert(StatusCode::SEE_OTHER);
    // The mover stays where they were.
    assert_eq!(copied.location(), format!("{own}?ok=copied"));
    app.get(&target, &t).await.has("blatt.txt");
    app.get(&own, &t).await.has("blatt.txt");
    app.post(
        &format!("{file}/verschieben"),
        &t,
        &[("ziel", &target_id), ("aktion", "verschieben")],
    )
    .await
    .assert(StatusCode::UNPROCESSABLE_ENTITY);
    let into_itself = app
        .post(
            &format!("{target}/verschieben"),
            &t,
            &[("ziel", &target_id), ("aktion", "verschieben")],
        )
        .await;
    assert_ne!(
        into_itself.status,
        StatusCode::SEE_OTHER,
        "a folder never moves into itself"
    );
    let student = app.ready("schueler").await;
    app.get(&format!("{file}/verschieben"), &student)
        .await
        .assert(StatusCode::NOT_FOUND);
}
