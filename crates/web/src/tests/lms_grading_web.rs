//! Grading and course work through the pages of the demo school, with a second student of
//! 5a and a student of a class 5b made by the admin's pages: grades on a scale and as
//! pass/fail reach only their student once released; a group hand-in is the whole group's
//! and nobody else's; "download all submissions" is a ZIP with a folder per student and
//! their files (not for students); a course copy keeps the material and none of the
//! submissions; a co-teacher added in the settings edits until removed again.

use std::io::Read;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use super::*;

on_both_backends!(
    scale_and_pass_fail_reach_only_their_student,
    a_group_hands_in_once_for_all_its_members,
    all_submissions_download_as_one_zip,
    a_copy_keeps_the_material_and_none_of_the_work,
    a_co_teacher_edits_until_removed
);

const PW: &str = "ein-langes-passwort";

/// The first id (36 characters that make a UUID) right after `before` in `body`.
pub(super) fn id_in(body: &str, before: &str) -> String {
    body.match_indices(before)
        .filter_map(|(at, _)| body.get(at + before.len()..at + before.len() + 36))
        .find(|id| uuid::Uuid::parse_str(id).is_ok())
        .unwrap_or_else(|| panic!("no id after {before:?} in:\n{body}"))
        .to_owned()
}

/// The id of the last link `prefix<id>` before `text` in `body`.
fn id_before(body: &str, text: &str, prefix: &str) -> String {
    let end = body
        .find(text)
        .unwrap_or_else(|| panic!("{text:?} not in:\n{body}"));
    let at = body[..end]
        .rfind(prefix)
        .unwrap_or_else(|| panic!("no {prefix:?} before {text:?}"))
        + prefix.len();
    let id = &body[at..at + 36];
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    id.to_owned()
}

/// The value of the option labelled `label` in a page's select.
fn option_value(body: &str, label: &str) -> String {
    let end = body
        .find(&format!(">{label}</option>"))
        .unwrap_or_else(|| panic!("{label:?} not offered in:\n{body}"));
    let start = body[..end].rfind("value=\"").expect("value") + "value=\"".len();
    body[start..start + body[start..].find('"').expect("end")].to_owned()
}

/// A GET whose body stays bytes (a ZIP).
pub(super) async fn get_raw(
    app: &App,
    path: &str,
    cookie: &str,
) -> (StatusCode, header::HeaderMap, Vec<u8>) {
    let req = Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("request");
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

/// Every entry of a ZIP: name and content (folders with an empty content).
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

/// A student made on the admin's page (in `group`), signed in and past the terms.
async fn student(
    app: &App,
    admin: &str,
    first: &str,
    last: &str,
    login: &str,
    group: &str,
) -> String {
    app.post(
        "/verwaltung/benutzer/neu",
        admin,
        &[
            ("art", "schueler"),
            ("first_name", first),
            ("last_name", last),
            ("login", login),
            ("groups", group),
        ],
    )
    .await
    .assert(StatusCode::OK);
    // The page shows a generated password; a known one is set from the command line.
    app.platform
        .system_set_password("100000", login, Some(PW))
        .await
        .expect("password");
    let cookie = app.login(login, PW).await;
    app.post(
        "/zustimmung",
        &cookie,
        &[("antwort", "annehmen"), ("datenschutz", "ja")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    cookie
}

/// The demo course (Mathematik 5a) and its first section, as the teacher.
pub(super) async fn course_and_section(app: &App, teacher: &str) -> (String, String) {
    let list = app.get("/kurse", teacher).await;
    let course = id_before(&list.body, "Mathematik 5a", "href=\"/kurse/");
    let page = app.get(&format!("/kurse/{course}"), teacher).await;
    let section = id_in(&page.body, "/kurse/abschnitte/");
    (course, section)
}

/// An assignment made with the teacher's form (`extra`: the grading and group fields).
pub(super) async fn assignment(
    app: &App,
    teacher: &str,
    section: &str,
    title: &str,
    extra: &[(&str, &str)],
) -> String {
    let mut fields = vec![
        ("titel", title),
        ("anleitung", "<p>Bitte bearbeiten.</p>"),
        ("formen", "text"),
        ("formen", "files"),
        ("abschluss", "submit"),
    ];
    fields.extend_from_slice(extra);
    let r = app
        .post_multipart(
            &format!("/kurse/abschnitte/{section}/aufgabe/neu"),
            teacher,
            &fields,
            ("aufnahme", "", b""),
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    id_in(r.location(), "/kurse/aufgaben/")
}

pub(super) async fn hand_in_text(app: &App, id: &str, cookie: &str, text: &str) {
    app.post_multipart(
        &format!("/kurse/aufgaben/{id}/abgabe"),
        cookie,
        &[("text", text)],
        ("dateien", "", b""),
    )
    .await
    .assert(StatusCode::SEE_OTHER);
}

/// The grading page of `name` ("Last, First") in the teacher's overview.
async fn work_of(app: &App, teacher: &str, id: &str, name: &str) -> String {
    let o = app
        .get(&format!("/kurse/aufgaben/{id}/abgaben"), teacher)
        .await;
    o.assert(StatusCode::OK);
    let user = id_before(
        &o.body,
        &format!(">{name}</a>"),
        &format!("/kurse/aufgaben/{id}/abgaben/"),
    );
    format!("/kurse/aufgaben/{id}/abgaben/{user}")
}

async fn grade(app: &App, teacher: &str, work: &str, fields: &[(&str, &str)]) -> Resp {
    app.post_multipart(work, teacher, fields, ("dateien", "", b""))
        .await
}

pub(super) fn refused(r: &Resp) {
    assert!(
        matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}: {}",
        r.status,
        r.body
    );
}

async fn scale_and_pass_fail_reach_only_their_student(app: App) {
    app.platform.system_seed_demo_files().await.expect("demo");
    let admin = app.ready("admin").await;
    let teacher = app.ready("lehrer").await;
    let sophie = app.ready("schueler").await;
    let mia = student(&app, &admin, "Mia", "Berg", "mia", "5a").await;
    let (_, section) = course_and_section(&app, &teacher).await;
    // A scale: the best word first, "ausreichend" still passes.
    let poem = assignment(
        &app,
        &teacher,
        &section,
        "Ein Gedicht",
        &[
            ("bewertung", "scale"),
            ("skala", "sehr gut\ngut\nausreichend\nungenügend"),
            ("skala_bestehen", "ausreichend"),
        ],
    )
    .await;
    hand_in_text(&app, &poem, &sophie, "Rosen sind rot.").await;
    hand_in_text(&app, &poem, &mia, "Veilchen sind blau.").await;
    let sophie_work = work_of(&app, &teacher, &poem, "Schüler, Sophie").await;
    let mia_work = work_of(&app, &teacher, &poem, "Berg, Mia").await;
    assert_ne!(sophie_work, mia_work);
    app.get(&sophie_work, &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Rosen sind rot.")
        .lacks("Veilchen")
        .has("<option value=\"sehr gut\">sehr gut</option>")
        .has("<option value=\"ungenügend\">ungenügend</option>");
    // A word not on the scale is refused and stores nothing.
    grade(&app, &teacher, &sophie_work, &[("note", "prima")])
        .await
        .assert(StatusCode::OK)
        .has("role=\"alert\"");
    grade(
        &app,
        &teacher,
        &sophie_work,
        &[("note", "gut"), ("rueckmeldung", "Schöne Reime.")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    grade(
        &app,
        &teacher,
        &mia_work,
        &[
            ("note", "ungenügend"),
            ("rueckmeldung", "Bitte noch einmal."),
        ],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&sophie_work, &teacher)
        .await
        .has("<option value=\"gut\" selected>gut</option>");
    // Not released: the students see neither grade nor feedback.
    app.get(&format!("/kurse/aufgaben/{poem}"), &sophie)
        .await
        .has("data-state=\"handed_in\"")
        .lacks("id=\"grade\"")
        .lacks("Schöne Reime.");
    app.post(
        &format!("/kurse/aufgaben/{poem}/abgaben/freigeben"),
        &teacher,
        &[],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&format!("/kurse/aufgaben/{poem}"), &sophie)
        .await
        .has("data-state=\"returned\"")
        .has("<span id=\"grade\">gut</span>")
        .has("Schöne Reime.")
        .lacks("ungenügend</span>")
        .lacks("Bitte noch einmal.")
        .lacks("Veilchen");
    app.get(&format!("/kurse/aufgaben/{poem}"), &mia)
        .await
        .has("<span id=\"grade\">ungenügend</span>")
        .has("Bitte noch einmal.")
        .lacks("Schöne Reime.")
        .lacks("Rosen sind rot.");
    // A classmate reaches neither the list nor another's work.
    for path in [
        sophie_work.clone(),
        format!("/kurse/aufgaben/{poem}/abgaben"),
    ] {
        let r = app.get(&path, &mia).await;
        refused(&r);
        r.lacks("Schöne Reime.").lacks("Rosen sind rot.");
    }
    // Pass/fail: one released with the grade, the other later on its own.
    let test = assignment(
        &app,
        &teacher,
        &section,
        "Kopfrechnen",
        &[("bewertung", "passfail")],
    )
    .await;
    // Answers that cannot occur by chance in a page (an id, a time or a CSS value could hold
    // "42"), so their absence below proves something.
    hand_in_text(
        &app,
        &test,
        &sophie,
        "Sophies Rechnung ergibt zweiundvierzig",
    )
    .await;
    hand_in_text(&app, &test, &mia, "Mias Rechnung ergibt einundvierzig").await;
    let sophie_work = work_of(&app, &teacher, &test, "Schüler, Sophie").await;
    let mia_work = work_of(&app, &teacher, &test, "Berg, Mia").await;
    app.get(&mia_work, &teacher)
        .await
        .has("<option value=\"pass\">Bestanden</option>")
        .has("<option value=\"fail\">Nicht bestanden</option>");
    grade(
        &app,
        &teacher,
        &sophie_work,
        &[("note", "pass"), ("freigeben", "ja")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    grade(&app, &teacher, &mia_work, &[("note", "fail")])
        .await
        .assert(StatusCode::SEE_OTHER);
    grade(&app, &teacher, &mia_work, &[("note", "gut")])
        .await
        .assert(StatusCode::OK)
        .has("role=\"alert\"");
    app.get(&format!("/kurse/aufgaben/{test}"), &sophie)
        .await
        .has("data-state=\"returned\"")
        .has("<span id=\"grade\">Bestanden</span>")
        .lacks("Nicht bestanden");
    app.get(&format!("/kurse/aufgaben/{test}"), &mia)
        .await
        .has("data-state=\"handed_in\"")
        .lacks("id=\"grade\"")
        .lacks("Bestanden");
    // The teacher's list names the grades in words, the unreleased one marked.
    let o = app
        .get(&format!("/kurse/aufgaben/{test}/abgaben"), &teacher)
        .await;
    o.has("<td>Bestanden</td>")
        .has("<td>Nicht bestanden <span class=\"muted\">");
    app.post(&format!("{mia_work}/freigeben"), &teacher, &[])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get(&format!("/kurse/aufgaben/{test}"), &mia)
        .await
        .has("data-state=\"returned\"")
        .has("<span id=\"grade\">Nicht bestanden</span>");
    let english = app
        .get("/sprache?lang=en&zurueck=%2Fkurse", "")
        .await
        .cookie("lang")
        .expect("language cookie");
    app.get(
        &format!("/kurse/aufgaben/{test}"),
        &format!("{sophie}; {english}"),
    )
    .await
    .has("<span id=\"grade\">Passed</span>");
    app.get(
        &format!("/kurse/aufgaben/{test}/abgaben"),
        &format!("{teacher}; {english}"),
    )
    .await
    .has("<td>Passed</td>")
    .has("<td>Not passed</td>");
    app.get(&sophie_work, &teacher)
        .await
        .assert(StatusCode::OK)
        .has("Sophies Rechnung ergibt zweiundvierzig")
        .lacks("Mias Rechnung");
    let r = app.get(&sophie_work, &mia).await;
    refused(&r);
    r.lacks("Sophies Rechnung").lacks("Bestanden");
}

/// Class 5b made by the admin with the teacher in it and linked to the demo course in its
/// settings; its student Ben, signed in.
async fn second_class(app: &App, admin: &str, teacher: &str, course: &str) -> String {
    let created = app
        .post(
            "/verwaltung/gruppen",
            admin,
            &[("name", "5b"), ("kind", "klasse"), ("description", "")],
        )
        .await;
    created.assert(StatusCode::SEE_OTHER);
    let group = created
        .location()
        .split('?')
        .next()
        .unwrap_or("")
        .to_owned();
    app.post(
        &format!("{group}/mitglieder"),
        admin,
        &[("login", "lehrer"), ("aktion", "hinzufuegen")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let settings = app
        .get(&format!("/kurse/{course}/einstellungen"), teacher)
        .await;
    let g = option_value(&settings.body, "5b");
    app.post(
        &format!("/kurse/{course}/gruppen"),
        teacher,
        &[("gruppe", &g)],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    student(app, admin, "Ben", "Kraus", "ben", "5b").await
}

async fn a_group_hands_in_once_for_all_its_members(app: App) {
    app.platform.system_seed_demo_files().await.expect("demo");
    let admin = app.ready("admin").await;
    let teacher = app.ready("lehrer").await;
    let sophie = app.ready("schueler").await;
    let mia = student(&app, &admin, "Mia", "Berg", "mia", "5a").await;
    let (course, section) = course_and_section(&app, &teacher).await;
    let ben = second_class(&app, &admin, &teacher, &course).await;
    let id = assignment(
        &app,
        &teacher,
        &section,
        "Plakat in Gruppen",
        &[("bewertung", "passfail"), ("gruppe", "ja")],
    )
    .await;
    let page = app.get(&format!("/kurse/aufgaben/{id}"), &ben).await;
    page.assert(StatusCode::OK)
        .has("data-state=\"not_handed_in\"");
    hand_in_text(&app, &id, &sophie, "Unser Plakat: Vulkane").await;
    // Mia, of the same group, sees the group's hand-in as hers and may change it.
    app.get(&format!("/kurse/aufgaben/{id}"), &mia)
        .await
        .has("data-state=\"handed_in\"")
        .has("Unser Plakat: Vulkane");
    app.get(&format!("/kurse/aufgaben/{id}"), &ben)
        .await
        .has("data-state=\"not_handed_in\"")
        .lacks("Unser Plakat");
    hand_in_text(&app, &id, &mia, "Unser Plakat: Vulkane und Geysire").await;
    app.get(&format!("/kurse/aufgaben/{id}"), &sophie)
        .await
        .has("data-state=\"handed_in\"")
        .has("Vulkane und Geysire");
    // Ben's group hands in on its own; the first group's text stays.
    hand_in_text(&app, &id, &ben, "Unser Plakat: Erdbeben").await;
    app.get(&format!("/kurse/aufgaben/{id}"), &ben)
        .await
        .has("data-state=\"handed_in\"")
        .has("Erdbeben")
        .lacks("Geysire");
    app.get(&format!("/kurse/aufgaben/{id}"), &mia)
        .await
        .has("Geysire")
        .lacks("Erdbeben");
    // The teacher's list: all three handed in, each with their group's work.
    let o = app
        .get(&format!("/kurse/aufgaben/{id}/abgaben"), &teacher)
        .await;
    assert_eq!(
        o.body.matches("data-state=\"handed_in\"").count(),
        3,
        "{}",
        o.body
    );
    let ben_work = work_of(&app, &teacher, &id, "Kraus, Ben").await;
    app.get(&ben_work, &teacher)
        .await
        .has("Erdbeben")
        .lacks("Geysire");
    let mia_work = work_of(&app, &teacher, &id, "Berg, Mia").await;
    app.get(&mia_work, &teacher).await.has("Geysire");
    refused(&app.get(&mia_work, &ben).await);
}

async fn all_submissions_download_as_one_zip(app: App) {
    app.platform.system_seed_demo_files().await.expect("demo");
    let admin = app.ready("admin").await;
    let teacher = app.ready("lehrer").await;
    let sophie = app.ready("schueler").await;
    let mia = student(&app, &admin, "Mia", "Berg", "mia", "5a").await;
    let (_, section) = course_and_section(&app, &teacher).await;
    let id = assignment(
        &app,
        &teacher,
        &section,
        "Bericht",
        &[("bewertung", "points"), ("punkte", "10")],
    )
    .await;
    app.post_multipart(
        &format!("/kurse/aufgaben/{id}/abgabe"),
        &sophie,
        &[("text", "Siehe Datei.")],
        ("dateien", "bericht.txt", b"Sophies Bericht"),
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.post_multipart(
        &format!("/kurse/aufgaben/{id}/abgabe"),
        &mia,
        &[],
        ("dateien", "bericht.txt", b"Mias Bericht"),
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&format!("/kurse/aufgaben/{id}/abgaben"), &teacher)
        .await
        .has(&format!(
            "href=\"/kurse/aufgaben/{id}/abgaben.zip\" download"
        ));
    let (status, headers, bytes) =
        get_raw(&app, &format!("/kurse/aufgaben/{id}/abgaben.zip"), &teacher).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/zip");
    assert!(
        headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap_or("")
            .contains("Abgaben.zip")
    );
    let mut entries = unzip(bytes);
    entries.sort();
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Berg Mia (mia)/",
            "Berg Mia (mia)/bericht.txt",
            "Schüler Sophie (schueler)/",
            "Schüler Sophie (schueler)/Abgabetext.txt",
            "Schüler Sophie (schueler)/bericht.txt",
        ],
        "one folder per student who handed in"
    );
    let content = |name: &str| {
        entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| String::from_utf8_lossy(c).into_owned())
            .expect(name)
    };
    assert_eq!(content("Berg Mia (mia)/bericht.txt"), "Mias Bericht");
    assert_eq!(
        content("Schüler Sophie (schueler)/bericht.txt"),
        "Sophies Bericht"
    );
    assert_eq!(
        content("Schüler Sophie (schueler)/Abgabetext.txt"),
        "Siehe Datei."
    );
    // Students and strangers get no ZIP.
    let ext = app.ready("extern").await;
    for who in [&sophie, &mia, &ext, &admin] {
        let (status, _, bytes) =
            get_raw(&app, &format!("/kurse/aufgaben/{id}/abgaben.zip"), who).await;
        assert!(
            matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{status}"
        );
        assert!(!bytes.starts_with(b"PK"), "a ZIP for someone not teaching");
        assert!(!String::from_utf8_lossy(&bytes).contains("Bericht"));
    }
}

async fn a_copy_keeps_the_material_and_none_of_the_work(app: App) {
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let sophie = app.ready("schueler").await;
    let (course, section) = course_and_section(&app, &teacher).await;
    let id = assignment(
        &app,
        &teacher,
        &section,
        "Vulkane erklären",
        &[("bewertung", "passfail")],
    )
    .await;
    hand_in_text(&app, &id, &sophie, "Meine Abgabe im alten Kurs").await;
    let work = work_of(&app, &teacher, &id, "Schüler, Sophie").await;
    grade(
        &app,
        &teacher,
        &work,
        &[("note", "pass"), ("freigeben", "ja")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    // Students do not copy courses.
    refused(
        &app.post(&format!("/kurse/{course}/kopieren"), &sophie, &[])
            .await,
    );
    app.get(&format!("/kurse/{course}"), &teacher)
        .await
        .has(&format!("action=\"/kurse/{course}/kopieren\""));
    let r = app
        .post(&format!("/kurse/{course}/kopieren"), &teacher, &[])
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert!(r.location().ends_with("?ok=lms_copied"), "{}", r.location());
    let copy = id_in(r.location(), "/kurse/");
    assert_ne!(copy, course);
    let page = app.get(r.location(), &teacher).await;
    page.assert(StatusCode::OK)
        .has("Der Kurs ist kopiert.")
        .has("Mathematik 5a")
        .has("Willkommen im Kurs")
        .has("Arbeitsblatt Brüche")
        .has("Vulkane erklären");
    let new_id = id_before(&page.body, ">Vulkane erklären</a>", "/kurse/aufgaben/");
    assert_ne!(new_id, id);
    // The copy belongs to no class yet: the student is not in it.
    app.get(&format!("/kurse/{copy}"), &sophie)
        .await
        .assert(StatusCode::NOT_FOUND);
    let settings = app
        .get(&format!("/kurse/{copy}/einstellungen"), &teacher)
        .await;
    let g = option_value(&settings.body, "5a");
    app.post(
        &format!("/kurse/{copy}/gruppen"),
        &teacher,
        &[("gruppe", &g)],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    // Linked to 5a: the material is there, the work of the old course is not.
    let student_page = app.get(&format!("/kurse/{copy}"), &sophie).await;
    student_page
        .assert(StatusCode::OK)
        .has("Arbeitsblatt Brüche")
        .has("Vulkane erklären");
    let file = student_page.body.find("/datei/").expect("file link");
    let at = student_page.body[..file].rfind('"').expect("quote") + 1;
    let href = &student_page.body[at..file + 43];
    assert!(href.starts_with("/kurse/material/"), "{href}");
    app.get(href, &sophie)
        .await
        .assert(StatusCode::OK)
        .has("Arbeitsblatt Brüche");
    app.get(&format!("/kurse/aufgaben/{new_id}"), &sophie)
        .await
        .assert(StatusCode::OK)
        .has("data-state=\"not_handed_in\"")
        .lacks("Meine Abgabe im alten Kurs")
        .lacks("id=\"grade\"");
    let o = app
        .get(&format!("/kurse/aufgaben/{new_id}/abgaben"), &teacher)
        .await;
    o.assert(StatusCode::OK)
        .has("Abgegeben: 0 / 1")
        .lacks("data-state=\"handed_in\"")
        .lacks("data-state=\"returned\"");
    let (status, _, bytes) = get_raw(
        &app,
        &format!("/kurse/aufgaben/{new_id}/abgaben.zip"),
        &teacher,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(unzip(bytes).is_empty(), "the copy's ZIP holds no work");
    // The original keeps its work.
    app.get(&format!("/kurse/aufgaben/{id}"), &sophie)
        .await
        .has("data-state=\"returned\"")
        .has("Meine Abgabe im alten Kurs");
}

async fn a_co_teacher_edits_until_removed(app: App) {
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let sophie = app.ready("schueler").await;
    // Paul is staff of the Kollegium, not of 5a: the course is not his.
    let paul = app.ready("personal").await;
    let (course, _) = course_and_section(&app, &teacher).await;
    let settings = format!("/kurse/{course}/einstellungen");
    let sections = format!("/kurse/{course}/abschnitte");
    app.get(&format!("/kurse/{course}"), &paul)
        .await
        .assert(StatusCode::NOT_FOUND);
    refused(&app.post(&sections, &paul, &[("titel", "Vorher")]).await);
    // Neither a student nor the teacher makes a student a co-teacher.
    refused(
        &app.post(
            &format!("/kurse/{course}/lehrkraefte"),
            &sophie,
            &[("login", "personal")],
        )
        .await,
    );
    let r = app
        .post(
            &format!("/kurse/{course}/lehrkraefte"),
            &teacher,
            &[("login", "schueler")],
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.status);
    app.get(&settings, &sophie)
        .await
        .assert(StatusCode::FORBIDDEN);
    app.get(&format!("/kurse/{course}"), &paul)
        .await
        .assert(StatusCode::NOT_FOUND);
    // The teacher adds Paul in the settings form.
    app.get(&settings, &teacher)
        .await
        .has(&format!("action=\"/kurse/{course}/lehrkraefte\""))
        .lacks("Paul Hausmann");
    app.post(
        &format!("/kurse/{course}/lehrkraefte"),
        &teacher,
        &[("login", "personal")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let s = app.get(&settings, &teacher).await;
    s.has("Paul Hausmann <span class=\"badge\">Weitere Lehrkraft</span>");
    let paul_id = id_before(
        &s.body,
        "<span class=\"visually-hidden\"> Paul Hausmann",
        "/personen/",
    );
    // Paul edits: the settings, a new section the student sees, the work of the class.
    app.get(&format!("/kurse/{course}"), &paul)
        .await
        .assert(StatusCode::OK)
        .has("Kurseinstellungen");
    app.get(&settings, &paul).await.assert(StatusCode::OK);
    app.post(&sections, &paul, &[("titel", "Von Paul")])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get(&format!("/kurse/{course}"), &sophie)
        .await
        .has("Von Paul");
    // Removed again: the course is gone for him, and so is editing it.
    app.post(
        &format!("/kurse/{course}/personen/{paul_id}/entfernen"),
        &teacher,
        &[],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&settings, &teacher).await.lacks("Paul Hausmann");
    app.get(&format!("/kurse/{course}"), &paul)
        .await
        .assert(StatusCode::NOT_FOUND);
    refused(&app.get(&settings, &paul).await);
    refused(&app.post(&sections, &paul, &[("titel", "Danach")]).await);
    app.get(&format!("/kurse/{course}"), &teacher)
        .await
        .has("Von Paul")
        .lacks("Danach")
        .lacks("Vorher");
}
