//! The file manager without JavaScript: bulk move, copy, delete and ZIP download of a
//! selection or a folder, sorting and filtering, controls only where the policy allows,
//! inherited shares, and a folder page whose SQL does not grow with its entries.

use std::io::Read;

use axum::http::{StatusCode, header};
use tower::ServiceExt;

use super::files::{area, entry_href, mkdir, upload};
use super::statements::{self, statements_of};
use super::*;

on_both_backends!(
    a_selection_moves_copies_and_goes_to_the_trash_and_the_mover_stays,
    a_selection_and_a_folder_download_as_one_zip,
    the_list_sorts_by_its_headers_and_filters_by_name,
    a_reader_sees_no_controls_and_a_forged_selection_changes_nothing,
    shares_of_the_folders_above_show_as_inherited,
    what_was_shared_with_a_student_never_leads_to_a_not_found,
    a_drop_folder_names_who_handed_in_and_links_the_hand_ins,
);

/// The id of `/dateien/<id>`.
fn id_of(href: &str) -> String {
    href.trim_start_matches("/dateien/").to_owned()
}

/// A form POST with repeated keys, answered with raw bytes.
async fn post_raw(
    app: &App,
    path: &str,
    cookie: &str,
    form: &[(&str, &str)],
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let body = form
        .iter()
        .map(|(k, v)| format!("{k}={}", url::encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let req = Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("request");
    raw(app, req).await
}

async fn get_raw(
    app: &App,
    path: &str,
    cookie: &str,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let req = Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("request");
    raw(app, req).await
}

async fn raw(app: &App, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let res = app
        .router
        .clone()
        .oneshot(req)
        .await
        .expect("router answers");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (status, headers, bytes.to_vec())
}

/// Every entry of a ZIP: name and content.
fn unzip(bytes: Vec<u8>) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).expect("entry");
            let mut content = Vec::new();
            f.read_to_end(&mut content).expect("content");
            (f.name().expect("a name").into_owned(), content)
        })
        .collect()
}

async fn a_selection_moves_copies_and_goes_to_the_trash_and_the_mover_stays(app: App) {
    let t = app.ready("lehrer").await;
    let own = area(&app, &t, "Eigene Dateien").await;
    let target = mkdir(&app, &own, &t, "Ziel").await;
    upload(
        &app,
        &own,
        &t,
        &[("a.txt", b"A"), ("b.txt", b"B"), ("c.txt", b"C")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let page = app.get(&own, &t).await;
    page.assert(StatusCode::OK)
        .has(r#"value="verschieben""#)
        .has(r#"value="loeschen""#)
        .has(r#"name="id""#);
    let (a, b, c) = (
        id_of(&entry_href(&page.body, "a.txt")),
        id_of(&entry_href(&page.body, "b.txt")),
        id_of(&entry_href(&page.body, "c.txt")),
    );
    let action = format!("{own}/auswahl");

    // Nothing checked: said so.
    let none = app.post(&action, &t, &[("aktion", "verschieben")]).await;
    assert_eq!(none.location(), format!("{own}?ok=bulk_none"));

    // Moving without a target first walks to one.
    let pick = app
        .post(
            &action,
            &t,
            &[("id", &a), ("id", &b), ("aktion", "verschieben")],
        )
        .await;
    pick.assert(StatusCode::SEE_OTHER);
    let picker = pick.location().to_owned();
    assert!(
        picker.starts_with(&format!("{own}/auswahl/ziel?")),
        "{picker}"
    );
    app.get(&picker, &t)
        .await
        .assert(StatusCode::OK)
        .has("2 Einträge verschieben oder kopieren")
        .has(&format!(r#"<input type="hidden" name="id" value="{a}">"#))
        .has(&format!("ziel={}", id_of(&target)))
        .has("Hierher verschieben");
    let moved = app
        .post(
            &action,
            &t,
            &[
                ("id", &a),
                ("id", &b),
                ("aktion", "verschieben"),
                ("ziel", &id_of(&target)),
            ],
        )
        .await;
    moved.assert(StatusCode::SEE_OTHER);
    assert_eq!(moved.location(), format!("{own}?ok=bulk_moved"));
    app.get(&format!("{own}?ok=bulk_moved"), &t)
        .await
        .has("Die Auswahl ist verschoben.")
        .lacks(">a.txt</a>")
        .has(">c.txt</a>");
    app.get(&target, &t)
        .await
        .has(">a.txt</a>")
        .has(">b.txt</a>");

    let copied = app
        .post(
            &action,
            &t,
            &[
                ("id", &c),
                ("aktion", "kopieren"),
                ("ziel", &id_of(&target)),
            ],
        )
        .await;
    assert_eq!(copied.location(), format!("{own}?ok=bulk_copied"));
    app.get(&target, &t).await.has(">c.txt</a>");

    let deleted = app
        .post(&action, &t, &[("id", &c), ("aktion", "loeschen")])
        .await;
    assert_eq!(deleted.location(), format!("{own}?ok=bulk_deleted"));
    app.get(&own, &t).await.lacks(">c.txt</a>");
    app.get(&target, &t).await.has(">c.txt</a>");
    app.get("/dateien/papierkorb?bereich=own", &t)
        .await
        .has("c.txt");
}

async fn a_selection_and_a_folder_download_as_one_zip(app: App) {
    let t = app.ready("lehrer").await;
    let own = area(&app, &t, "Eigene Dateien").await;
    let sub = mkdir(&app, &own, &t, "Unterordner").await;
    upload(
        &app,
        &own,
        &t,
        &[("eins.txt", b"erste Datei"), ("zwei.txt", b"zweite")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    upload(&app, &sub, &t, &[("tief.txt", b"ganz unten")])
        .await
        .assert(StatusCode::SEE_OTHER);
    let page = app.get(&own, &t).await;
    let eins = id_of(&entry_href(&page.body, "eins.txt"));
    let (status, headers, bytes) = post_raw(
        &app,
        &format!("{own}/auswahl"),
        &t,
        &[("id", &eins), ("id", &id_of(&sub)), ("aktion", "zip")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/zip");
    assert!(
        headers[header::CONTENT_DISPOSITION]
            .to_str()
            .expect("ascii")
            .contains("Auswahl.zip")
    );
    let mut entries = unzip(bytes);
    entries.sort();
    assert_eq!(
        entries,
        vec![
            ("Unterordner/".to_owned(), Vec::new()),
            ("Unterordner/tief.txt".to_owned(), b"ganz unten".to_vec()),
            ("eins.txt".to_owned(), b"erste Datei".to_vec()),
        ]
    );

    let (status, _, bytes) = get_raw(&app, &format!("{own}/zip"), &t).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<String> = unzip(bytes).into_iter().map(|(n, _)| n).collect();
    for want in [
        "Eigene Dateien/",
        "Eigene Dateien/Unterordner/",
        "Eigene Dateien/Unterordner/tief.txt",
        "Eigene Dateien/eins.txt",
        "Eigene Dateien/zwei.txt",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
    }
    // Someone who cannot see the folder gets no archive of it.
    let student = app.ready("schueler").await;
    let (status, _, _) = get_raw(&app, &format!("{own}/zip"), &student).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn the_list_sorts_by_its_headers_and_filters_by_name(app: App) {
    let t = app.ready("lehrer").await;
    let own = area(&app, &t, "Eigene Dateien").await;
    upload(
        &app,
        &own,
        &t,
        &[("b.txt", b"bbb"), ("a.txt", b"aaaaaaaaaa"), ("c.txt", b"c")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let order = |body: &str| {
        let mut at: Vec<(usize, &str)> = ["a.txt", "b.txt", "c.txt"]
            .into_iter()
            .map(|n| (body.find(&format!(">{n}</a>")).expect("listed"), n))
            .collect();
        at.sort();
        at.into_iter().map(|(_, n)| n).collect::<Vec<_>>()
    };
    let by_name = app.get(&own, &t).await;
    assert_eq!(order(&by_name.body), ["a.txt", "b.txt", "c.txt"]);
    by_name
        .has(r#"aria-sort="ascending"><a href="/dateien/"#)
        .has("sort=groesse&#38;richtung=auf");
    let by_size = app
        .get(&format!("{own}?sort=groesse&richtung=ab"), &t)
        .await;
    assert_eq!(order(&by_size.body), ["a.txt", "b.txt", "c.txt"]);
    by_size.has(r#"aria-sort="descending""#);
    let small_first = app
        .get(&format!("{own}?sort=groesse&richtung=auf"), &t)
        .await;
    assert_eq!(order(&small_first.body), ["c.txt", "b.txt", "a.txt"]);

    app.get(&format!("{own}?q=B.T"), &t)
        .await
        .has(">b.txt</a>")
        .lacks(">a.txt</a>")
        .has("1 von 3 Einträgen")
        .has(r#"value="B.T""#);
    app.get(&format!("{own}?q=nichts"), &t)
        .await
        .has("Kein Eintrag passt zur Suche.");
}

/// A teacher's folder shared read-only with class 5a, with one file; (folder, file).
async fn shared_with_5a(app: &App, t: &str) -> (String, String) {
    let own = area(app, t, "Eigene Dateien").await;
    let folder = mkdir(app, &own, t, "Mathe 5a").await;
    upload(app, &folder, t, &[("blatt.txt", b"Aufgabe")])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.post(
        &format!("{folder}/freigaben"),
        t,
        &[
            ("aktion", "hinzufuegen"),
            ("subject", "5a"),
            ("role", "viewer"),
        ],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let file = entry_href(&app.get(&folder, t).await.body, "blatt.txt");
    (folder, file)
}

async fn a_reader_sees_no_controls_and_a_forged_selection_changes_nothing(app: App) {
    let t = app.ready("lehrer").await;
    let (folder, file) = shared_with_5a(&app, &t).await;
    let own = area(&app, &t, "Eigene Dateien").await;
    upload(&app, &own, &t, &[("privat.txt", b"geheim")])
        .await
        .assert(StatusCode::SEE_OTHER);
    let private = id_of(&entry_href(&app.get(&own, &t).await.body, "privat.txt"));

    let s = app.ready("schueler").await;
    let page = app.get(&folder, &s).await;
    page.assert(StatusCode::OK)
        .has("Nur lesen")
        .has(">blatt.txt</a>")
        .has(r#"value="zip""#)
        .lacks(r#"value="verschieben""#)
        .lacks(r#"value="loeschen""#)
        .lacks("Umbenennen:")
        .lacks("Verschieben/Kopieren")
        .lacks("/loeschen\"")
        .lacks("Freigaben")
        .lacks("/hochladen\"");
    app.get(&file, &s)
        .await
        .has("Nur lesen")
        .lacks("/loeschen\"");

    // An id the student cannot see: 404, and it is still there.
    let forged = app
        .post(
            &format!("{folder}/auswahl"),
            &s,
            &[("id", &private), ("aktion", "loeschen")],
        )
        .await;
    forged.assert(StatusCode::NOT_FOUND);
    let (status, _, _) = post_raw(
        &app,
        &format!("{folder}/auswahl"),
        &s,
        &[("id", &private), ("aktion", "zip")],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.get(&own, &t).await.has(">privat.txt</a>");
    // Even the teacher's own file through another folder's form: not a child there.
    app.post(
        &format!("{folder}/auswahl"),
        &t,
        &[("id", &private), ("aktion", "loeschen")],
    )
    .await
    .assert(StatusCode::NOT_FOUND);
    app.get(&own, &t).await.has(">privat.txt</a>");
    // A visible file the student may not delete: refused, still there.
    let r = app
        .post(
            &format!("{folder}/auswahl"),
            &s,
            &[("id", &id_of(&file)), ("aktion", "loeschen")],
        )
        .await;
    assert_ne!(r.status, StatusCode::SEE_OTHER);
    app.get(&folder, &t).await.has(">blatt.txt</a>");
}

async fn shares_of_the_folders_above_show_as_inherited(app: App) {
    let t = app.ready("lehrer").await;
    let (folder, file) = shared_with_5a(&app, &t).await;
    let sub = mkdir(&app, &folder, &t, "Woche 1").await;
    app.get(&file, &t)
        .await
        .has("Geerbte Freigaben")
        .has("geerbt von Ordner")
        .has(&format!(r#"<a href="{folder}">Mathe 5a</a>"#))
        .has("5a");
    app.get(&sub, &t)
        .await
        .has("Geerbte Freigaben")
        .has(&format!(r#"<a href="{folder}">Mathe 5a</a>"#));
    // The folder's own share is its own, not inherited.
    let own_page = app.get(&folder, &t).await;
    own_page.lacks(&format!(r#"<a href="{folder}">Mathe 5a</a></td>"#));
}

async fn what_was_shared_with_a_student_never_leads_to_a_not_found(app: App) {
    let t = app.ready("lehrer").await;
    let (_folder, file) = shared_with_5a(&app, &t).await;
    // Shared on its own too, so it appears by itself.
    app.post(
        &format!("{file}/freigaben"),
        &t,
        &[
            ("aktion", "hinzufuegen"),
            ("subject", "5a"),
            ("role", "viewer"),
        ],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let s = app.ready("schueler").await;
    let overview = app.get("/dateien", &s).await;
    let body = &overview.body;
    let shared = &body[body.find("Mit mir geteilt").expect("section")..];
    let mut links = 0;
    for part in shared.split("href=\"").skip(1) {
        let href = &part[..part.find('"').expect("end")];
        if !href.starts_with("/dateien/") {
            continue;
        }
        links += 1;
        let r = app.get(&href.replace("&#38;", "&"), &s).await;
        assert!(
            r.status == StatusCode::OK,
            "{href} answers {} for the student",
            r.status
        );
    }
    assert!(links >= 2, "{shared}");
}

async fn a_drop_folder_names_who_handed_in_and_links_the_hand_ins(app: App) {
    let t = app.ready("lehrer").await;
    let own = area(&app, &t, "Eigene Dateien").await;
    let folder = mkdir(&app, &own, &t, "Abgabe Aufsatz").await;
    app.post(
        &format!("{folder}/freigaben"),
        &t,
        &[
            ("aktion", "hinzufuegen"),
            ("subject", "5a"),
            ("role", "contributor"),
        ],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.post(&format!("{folder}/rechte"), &t, &[("aktion", "abgabe_an")])
        .await
        .assert(StatusCode::SEE_OTHER);
    let s = app.ready("schueler").await;
    upload(&app, &folder, &s, &[("aufsatz.txt", b"Mein Aufsatz")])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get(&folder, &t)
        .await
        .has("Abgaben ansehen")
        .has(&format!(r#"href="{folder}/abgaben""#))
        .has("Abgegeben von")
        .has(">aufsatz.txt</a>");
    app.get(&folder, &s)
        .await
        .lacks("Abgaben ansehen")
        .lacks("Abgegeben von")
        .has(">aufsatz.txt</a>");
}

#[tokio::test]
async fn a_folder_page_costs_the_same_statements_for_3_or_60_files() {
    if !statements::install() {
        return; // another subscriber counts already (not under nextest)
    }
    let app = app().await;
    let t = app.ready("lehrer").await;
    let own = area(&app, &t, "Eigene Dateien").await;
    let small = mkdir(&app, &own, &t, "klein").await;
    let large = mkdir(&app, &own, &t, "gross").await;
    upload(
        &app,
        &small,
        &t,
        &[("1.txt", b"1"), ("2.txt", b"2"), ("3.txt", b"3")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let names: Vec<String> = (0..60).map(|i| format!("{i}.txt")).collect();
    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    upload(&app, &large, &t, &files)
        .await
        .assert(StatusCode::SEE_OTHER);
    let few = statements_of(&app, &small, &t).await;
    let many = statements_of(&app, &large, &t).await;
    eprintln!("statements of a folder page: {few} (3 files), {many} (60 files)");
    assert!(few > 0, "statements are counted");
    assert_eq!(
        few, many,
        "the statements of a folder page do not grow with its files"
    );
    // One statement brings the page and the counts of the pager; the rest is the session,
    // the path, the sharing section and the links.
    assert!(
        many <= 10,
        "a folder page costs ten statements at most, not {many}"
    );
}

#[tokio::test]
async fn a_drop_folder_page_costs_the_same_statements_for_2_or_10_submitters_on_sqlite() {
    drop_folder_statements(app().await).await;
}

#[tokio::test]
async fn a_drop_folder_page_costs_the_same_statements_for_2_or_10_submitters_on_postgres() {
    drop_folder_statements(app_on_postgres().await).await;
}

/// A student of 5a created by the admin, signed in and past the gates.
async fn student_of_5a(app: &App, admin: &str, first: &str) -> String {
    app.post(
        "/verwaltung/benutzer/neu",
        admin,
        &[
            ("art", "schueler"),
            ("first_name", first),
            ("last_name", "Probe"),
            ("groups", "5a"),
        ],
    )
    .await
    .assert(StatusCode::OK);
    let login = format!("{}.probe", first.to_lowercase());
    app.platform
        .system_set_password("100000", &login, Some("ein-langes-passwort"))
        .await
        .expect("password");
    let cookie = app.login(&login, "ein-langes-passwort").await;
    app.post(
        "/zustimmung",
        &cookie,
        &[("antwort", "annehmen"), ("datenschutz", "ja")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    cookie
}

/// A drop folder of the teacher that 5a hands in to.
async fn drop_folder(app: &App, parent: &str, teacher: &str, name: &str) -> String {
    let folder = mkdir(app, parent, teacher, name).await;
    let grant = [
        ("aktion", "hinzufuegen"),
        ("subject", "5a"),
        ("role", "contributor"),
    ];
    app.post(&format!("{folder}/freigaben"), teacher, &grant)
        .await
        .assert(StatusCode::SEE_OTHER);
    app.post(
        &format!("{folder}/rechte"),
        teacher,
        &[("aktion", "abgabe_an")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    folder
}

/// The submitters' names are loaded for the whole listing at once, not one per submitter.
async fn drop_folder_statements(app: App) {
    if !statements::install() {
        return; // another subscriber counts already (not under nextest)
    }
    let admin = app.ready("admin").await;
    let t = app.ready("lehrer").await;
    let own = area(&app, &t, "Eigene Dateien").await;
    let small = drop_folder(&app, &own, &t, "Abgabe zwei").await;
    let large = drop_folder(&app, &own, &t, "Abgabe zehn").await;
    let firsts = [
        "Ada", "Ben", "Cem", "Dana", "Emil", "Fenja", "Gero", "Hanna", "Ilias", "Jule",
    ];
    for (i, first) in firsts.iter().enumerate() {
        let s = student_of_5a(&app, &admin, first).await;
        let file = format!("{first}.txt");
        let folders: &[&str] = if i < 2 { &[&small, &large] } else { &[&large] };
        for folder in folders {
            upload(&app, folder, &s, &[(file.as_str(), b"Abgabe")])
                .await
                .assert(StatusCode::SEE_OTHER);
        }
    }
    // The labels are those of before: first and last name with the login.
    app.get(&large, &t)
        .await
        .has("Ada Probe (ada.probe)")
        .has("Jule Probe (jule.probe)");
    let two = statements_of(&app, &small, &t).await;
    let ten = statements_of(&app, &large, &t).await;
    eprintln!("statements of a drop folder page: {two} (2 submitters), {ten} (10 submitters)");
    assert!(two > 0, "statements are counted");
    assert_eq!(
        two, ten,
        "the statements of a drop folder page do not grow with its submitters"
    );
}
