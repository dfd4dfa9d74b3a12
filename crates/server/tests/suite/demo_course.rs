//! `schulhof demo course` (the benchmark's course shape) on a fresh data directory, on
//! SQLite and PostgreSQL: it prints one JSON object whose teacher and students log in with
//! the printed password without a consent step, see the course in `GET /api/v1/courses`,
//! and whose course page (the printed `url`, also each course's `url` there) answers.

use crate::cli_support;
use cli_support::*;
use schulhof_store::testing::TestDb;
use serde_json::Value;

const SCHOOL: &str = "123456";

/// Logs in over the API; the session cookie.
fn session(port: u16, login: &str, password: &str) -> String {
    let body = format!(r#"{{"instance":"{SCHOOL}","login":"{login}","password":"{password}"}}"#);
    let (status, resp) = http(port, "POST", "/api/v1/session", &body).expect("login");
    assert_eq!(status, 200, "{login}: {resp}");
    session_cookie(&resp).expect("cookie")
}

/// A GET with the session; the status and the body.
fn get(port: u16, path: &str, cookie: &str) -> (u16, String) {
    let (status, resp) = http_with(port, "GET", path, "", Some(cookie)).expect("request");
    let body = resp.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, body.to_owned())
}

fn demo_course_flow(db: &[&str]) {
    let created = run(
        &[
            "instance",
            "create",
            "--number",
            SCHOOL,
            "--name",
            "Kursschule",
        ],
        db,
        None,
    );
    assert!(created.status.success(), "{}", text(&created));
    let built = run(
        &[
            "demo",
            "course",
            "--instance",
            SCHOOL,
            "--sections",
            "3",
            "--activities",
            "16",
            "--students",
            "4",
        ],
        db,
        None,
    );
    assert!(built.status.success(), "{}", text(&built));
    let out = String::from_utf8_lossy(&built.stdout);
    assert_eq!(out.trim().lines().count(), 1, "one JSON object: {out}");
    let v: Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"));
    let url = v["url"].as_str().expect("url").to_owned();
    let teacher = v["teacher"].as_str().expect("teacher").to_owned();
    let password = v["password"].as_str().expect("password").to_owned();
    let students: Vec<String> = v["students"]
        .as_array()
        .expect("students")
        .iter()
        .map(|s| s.as_str().expect("login").to_owned())
        .collect();
    assert_eq!(students.len(), 4, "{v}");
    assert!(url.starts_with("/kurse/"), "{url}");
    let unknown = run(&["demo", "course", "--instance", "654321"], db, None);
    assert!(!unknown.status.success(), "{}", text(&unknown));

    let server = serve(db, &[]);
    let port = server.1;
    for (login, role) in [
        (teacher.as_str(), "editor"),
        (students[3].as_str(), "participant"),
    ] {
        let cookie = session(port, login, &password);
        let (status, me) = get(port, "/api/v1/me", &cookie);
        assert_eq!(status, 200, "{login} is ready without a consent step: {me}");
        let (status, body) = get(port, "/api/v1/courses", &cookie);
        assert_eq!(status, 200, "{body}");
        let list: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
        let courses = list.as_array().expect("a list");
        let course = courses
            .iter()
            .find(|c| c["url"] == url.as_str())
            .unwrap_or_else(|| panic!("{login} lacks {url}: {list}"));
        assert!(
            course["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("Mathematik ")),
            "{course}"
        );
        assert_eq!(course["role"], role, "{course}");
        for c in courses {
            let path = c["url"].as_str().expect("url");
            assert_eq!(path, format!("/kurse/{}", c["id"].as_str().expect("id")));
            let (status, page) = get(port, path, &cookie);
            assert_eq!(status, 200, "{login} {path}: {page}");
        }
    }
}

#[test]
fn demo_course_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8 path");
    demo_course_flow(&["--data", data]);
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_course_on_postgres() {
    let t = TestDb::postgres().await;
    t.db.close().await;
    let url = t.url.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    tokio::task::spawn_blocking(move || demo_course_flow(&["--database", &url, "--data", &data]))
        .await
        .expect("flow");
}
