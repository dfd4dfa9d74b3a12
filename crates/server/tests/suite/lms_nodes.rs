//! Courses through the real binary, with its pages: on PostgreSQL two server processes share
//! the database, the teacher works on node A, the student on node B. Material and an
//! announcement written on A are on B at once, an assignment made on A is handed in on B
//! (text and a file), the teacher sees the hand-in on A and grades it there, the student
//! sees the grade on B, and a due date moved on A is the new one on B (the assignment and
//! the due list). Nothing of a course lives in one process only. On SQLite the same with
//! one node.

use crate::cli_support;
use std::path::Path;
use std::process::Command;

use chrono::{Duration, NaiveDate, Utc};
use cli_support::*;
use schulhof_store::testing::TestDb;

const PW: &str = "schulhof-demo";

/// Logs in over the API and accepts the terms; the session's cookie value.
fn session(port: u16, login: &str) -> String {
    let req = format!(r#"{{"instance":"100000","login":"{login}","password":"{PW}"}}"#);
    let (status, resp) = http(port, "POST", "/api/v1/session", &req).expect("login");
    assert_eq!(status, 200, "{resp}");
    let cookie = session_cookie(&resp).expect("cookie");
    let consent = r#"{"terms":true,"privacy":true}"#;
    let (status, resp) =
        http_with(port, "POST", "/api/v1/consent", consent, Some(&cookie)).expect("consent");
    assert_eq!(status, 204, "{resp}");
    cookie
}

/// What a page answered: the status, where it redirects to (a path) and the body.
struct Page {
    status: u16,
    location: String,
    body: String,
}

impl Page {
    #[track_caller]
    fn has(&self, text: &str) -> &Self {
        assert!(
            self.body.contains(text),
            "expected {text:?} in:\n{}",
            self.body
        );
        self
    }

    #[track_caller]
    fn lacks(&self, text: &str) -> &Self {
        assert!(
            !self.body.contains(text),
            "did not expect {text:?} in:\n{}",
            self.body
        );
        self
    }

    #[track_caller]
    fn status(&self, status: u16) -> &Self {
        assert_eq!(self.status, status, "{}", self.body);
        self
    }
}

/// `curl` with the session `cookie` on `port`.
fn curl(port: u16, cookie: &str, path: &str, args: &[String]) -> Page {
    let base = format!("http://127.0.0.1:{port}");
    let out = Command::new("curl")
        .args(["-s", "-g", "-o", "-", "-H", "Expect:"])
        .args(["-w", "\n%{http_code} %{redirect_url}"])
        .args(["-b", &format!("schulhof_session={cookie}")])
        .args(args)
        .arg(format!("{base}{path}"))
        .output()
        .expect("curl is installed (scripts/ensure-test-deps.sh)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, tail) = text.rsplit_once('\n').expect("status line");
    let (status, location) = tail.split_once(' ').unwrap_or((tail, ""));
    Page {
        status: status.trim().parse().expect("status"),
        location: location.trim().trim_start_matches(&base).to_owned(),
        body: body.to_owned(),
    }
}

fn get(port: u16, cookie: &str, path: &str) -> Page {
    curl(port, cookie, path, &[])
}

/// A form as the browser sends it (URL-encoded).
fn post(port: u16, cookie: &str, path: &str, form: &[(&str, &str)]) -> Page {
    let mut args = Vec::new();
    for (k, v) in form {
        args.push("--data-urlencode".to_owned());
        args.push(format!("{k}={v}"));
    }
    if form.is_empty() {
        args.extend(["-X".to_owned(), "POST".to_owned()]);
    }
    curl(port, cookie, path, &args)
}

/// A `multipart/form-data` form: text fields and files (field, path, file name).
fn post_multipart(
    port: u16,
    cookie: &str,
    path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &Path, &str)],
) -> Page {
    let mut args = Vec::new();
    for (k, v) in fields {
        args.push("--form-string".to_owned());
        args.push(format!("{k}={v}"));
    }
    for (k, file, name) in files {
        args.push("-F".to_owned());
        args.push(format!("{k}=@{};filename={name}", file.display()));
    }
    curl(port, cookie, path, &args)
}

/// The id (a UUID) of the last `prefix<id>` before `text` in `body`.
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

/// The first id after `before` in `body`.
fn id_after(body: &str, before: &str) -> String {
    let at = body
        .find(before)
        .unwrap_or_else(|| panic!("{before:?} not in:\n{body}"))
        + before.len();
    let id = &body[at..at + 36];
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    id.to_owned()
}

/// A day `days` from today at `time`: the form's value and how the pages show it.
fn day(days: i64, time: &str) -> (String, String) {
    let d: NaiveDate = (Utc::now() + Duration::days(days)).date_naive();
    (
        format!("{}T{time}", d.format("%Y-%m-%d")),
        format!("{}, {time}", d.format("%d.%m.%Y")),
    )
}

/// The assignment form's fields with the due date `due`.
fn assignment_form(due: &str) -> Vec<(&'static str, String)> {
    vec![
        ("titel", "Steckbrief Vulkan".into()),
        ("anleitung", "<p>Schreibe einen Steckbrief.</p>".into()),
        ("formen", "text".into()),
        ("formen", "files".into()),
        ("bewertung", "points".into()),
        ("punkte", "10".into()),
        ("bestehen", "5".into()),
        ("faellig", due.into()),
        ("abschluss", "submit".into()),
    ]
}

fn pairs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The teacher works on node `a`, the student on node `b` (the same node on SQLite).
fn scenario(a: u16, b: u16, dir: &Path) {
    let teacher = session(a, "lehrer");
    let pupil = session(b, "schueler");
    let list = get(a, &teacher, "/kurse");
    list.status(200);
    let course = id_before(&list.body, "Mathematik 5a", "href=\"/kurse/");
    let page = get(a, &teacher, &format!("/kurse/{course}"));
    let section = id_after(&page.body, "/kurse/abschnitte/");
    // Node B has shown the course (and the empty announcements) before anything changes.
    get(b, &pupil, &format!("/kurse/{course}"))
        .status(200)
        .has("Arbeitsblatt Brüche")
        .lacks("Vulkanausbruch");
    get(b, &pupil, &format!("/kurse/{course}/mitteilungen"))
        .status(200)
        .lacks("Ausflug zum Vulkan");
    // Material and an announcement, written on A.
    let r = post(
        a,
        &teacher,
        &format!("/kurse/abschnitte/{section}/material/neu?art=page"),
        &[
            ("titel", "Vulkanausbruch"),
            ("text", "<p>Magma steigt auf.</p>"),
            ("abschluss", "view"),
        ],
    );
    r.status(303);
    post(
        a,
        &teacher,
        &format!("/kurse/{course}/mitteilungen"),
        &[("titel", "Ausflug zum Vulkan"), ("text", "Am Freitag.")],
    )
    .status(303);
    // On B at once.
    let seen = get(b, &pupil, &format!("/kurse/{course}"));
    seen.status(200).has(">Vulkanausbruch</a>");
    let material = id_before(&seen.body, ">Vulkanausbruch</a>", "/kurse/material/");
    get(b, &pupil, &format!("/kurse/material/{material}"))
        .status(200)
        .has("Magma steigt auf.");
    get(b, &pupil, &format!("/kurse/{course}/mitteilungen"))
        .status(200)
        .has("Ausflug zum Vulkan")
        .has("Am Freitag.");
    // An assignment made on A, due in three days.
    let (due, due_shown) = day(3, "12:00");
    let form = assignment_form(&due);
    let r = post_multipart(
        a,
        &teacher,
        &format!("/kurse/abschnitte/{section}/aufgabe/neu"),
        &pairs(&form),
        &[],
    );
    r.status(303);
    let id = id_after(&r.location, "/kurse/aufgaben/");
    let assignment = format!("/kurse/aufgaben/{id}");
    get(b, &pupil, &assignment)
        .status(200)
        .has("Schreibe einen Steckbrief.")
        .has(&due_shown)
        .has("data-state=\"not_handed_in\"");
    get(b, &pupil, "/kurse/faellig")
        .status(200)
        .has("Steckbrief Vulkan")
        .has(&due_shown);
    // Handed in on B: text and a file.
    let file = dir.join("upload.txt");
    std::fs::write(&file, "Name: Ätna\nHöhe: 3357 m\n").expect("file");
    post_multipart(
        b,
        &pupil,
        &format!("{assignment}/abgabe"),
        &[("text", "Der Ätna ist ein Vulkan auf Sizilien.")],
        &[("dateien", &file, "steckbrief.txt")],
    )
    .status(303);
    get(b, &pupil, &assignment).has("data-state=\"handed_in\"");
    // The teacher sees it on A, with the file.
    let o = get(a, &teacher, &format!("{assignment}/abgaben"));
    o.status(200)
        .has("data-state=\"handed_in\"")
        .has("Abgegeben: 1 / 1");
    let work = format!(
        "{assignment}/abgaben/{}",
        id_before(
            &o.body,
            ">Schüler, Sophie</a>",
            &format!("{assignment}/abgaben/")
        )
    );
    let w = get(a, &teacher, &work);
    w.status(200)
        .has("Der Ätna ist ein Vulkan auf Sizilien.")
        .has("steckbrief.txt");
    let f = id_after(&w.body, "/kurse/aufgaben/datei/abgabe/");
    get(a, &teacher, &format!("/kurse/aufgaben/datei/abgabe/{f}"))
        .status(200)
        .has("Höhe: 3357 m");
    // Graded and released on A, seen on B.
    get(b, &pupil, &assignment).lacks("id=\"grade\"");
    post_multipart(
        a,
        &teacher,
        &work,
        &[
            ("note", "9"),
            ("rueckmeldung", "Sehr gründlich."),
            ("freigeben", "ja"),
        ],
        &[],
    )
    .status(303);
    get(b, &pupil, &assignment)
        .has("data-state=\"returned\"")
        .has("<span id=\"grade\">9</span>")
        .has("Sehr gründlich.");
    // The due date moved on A: B shows the new one only.
    let (later, later_shown) = day(5, "09:30");
    let form = assignment_form(&later);
    post_multipart(
        a,
        &teacher,
        &format!("{assignment}/bearbeiten"),
        &pairs(&form),
        &[],
    )
    .status(303);
    get(a, &teacher, &assignment).has(&later_shown);
    get(b, &pupil, &assignment)
        .has(&later_shown)
        .lacks(&due_shown);
    get(b, &pupil, "/kurse/faellig")
        .has(&later_shown)
        .lacks(&due_shown);
}

#[test]
fn a_course_through_the_binary_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let data = data.to_str().expect("utf-8").to_owned();
    let node = serve(&["--data", &data], &["--demo"]);
    scenario(node.1, node.1, dir.path());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_course_across_two_nodes_on_postgres() {
    let t = TestDb::postgres().await;
    t.db.close().await;
    let url = t.url.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    tokio::task::spawn_blocking(move || {
        let data = dir.path().join("data");
        let data = data.to_str().expect("utf-8").to_owned();
        // One after the other, so the demo school is seeded once; both share the data
        // folder (the files' blobs).
        let a = serve(&["--database", &url, "--data", &data], &["--demo"]);
        let b = serve(&["--database", &url, "--data", &data], &["--demo"]);
        scenario(a.1, b.1, dir.path());
    })
    .await
    .expect("scenario");
}
