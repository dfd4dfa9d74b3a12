//! `schulhof import` and `schulhof school-year` through the real binary, on SQLite and
//! PostgreSQL, and the imported persons' first login over the API.

use crate::cli_support;
use std::path::Path;

use cli_support::*;
use schulhof_import::generate::{SchildSpec, schild_xml};
use schulhof_import::protocol::encrypted_zip;
use schulhof_store::testing::TestDb;
use serde_json::Value;

const SCHOOL: &str = "123456";

fn spec() -> SchildSpec {
    SchildSpec {
        school_number: SCHOOL.into(),
        students: 40,
        teachers: 6,
        classes: 3,
        courses: 4,
        courses_per_student: 2,
        left_students: 2,
        seed: 7,
    }
}

fn json_of(o: &std::process::Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("JSON ({e}): {}", text(o)))
}

fn count(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("{key} in {v}"))
}

fn import(db: &[&str], args: &[&str]) -> std::process::Output {
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    run(&all, db, None)
}

fn files(dir: &Path) -> (String, String, String) {
    let xml = schild_xml(&spec());
    let plain = dir.join("schild.xml");
    std::fs::write(&plain, &xml).expect("write");
    let zip = dir.join("schild.zip");
    let bytes = encrypted_zip(&[("SchildExport.xml", xml.as_bytes())], "zip-geheim").expect("zip");
    std::fs::write(&zip, bytes).expect("write");
    let broken = dir.join("broken.xml");
    let cut = xml.find("</person>").expect("a person") + 20;
    std::fs::write(&broken, &xml[..cut]).expect("write");
    let s = |p: &Path| p.to_str().expect("utf-8").to_owned();
    (s(&plain), s(&zip), s(&broken))
}

fn import_flow(db: &[&str], dir: &Path) {
    let created = run(
        &[
            "instance",
            "create",
            "--number",
            SCHOOL,
            "--name",
            "Testschule",
        ],
        db,
        None,
    );
    assert!(created.status.success(), "{}", text(&created));
    let (plain, zip, broken) = files(dir);
    // Imports run while the server serves the same database.
    let server = serve(db, &[]);

    // Dry run: the preview, nothing changed (a second dry run still plans the same).
    let dry = import(
        db,
        &[
            "schild",
            "--instance",
            SCHOOL,
            &plain,
            "--dry-run",
            "--json",
        ],
    );
    assert!(dry.status.success(), "{}", text(&dry));
    let preview = json_of(&dry);
    let persons = count(&preview, "created");
    assert!(persons >= 40, "{preview}");
    assert_eq!(
        json_of(&import(
            db,
            &[
                "schild",
                "--instance",
                SCHOOL,
                &plain,
                "--dry-run",
                "--json"
            ]
        ))["created"],
        persons
    );

    // A wrong ZIP password and a truncated file: clear errors, nothing imported.
    let wrong = import(
        db,
        &[
            "schild",
            "--instance",
            SCHOOL,
            &zip,
            "--zip-password",
            "falsch",
        ],
    );
    assert!(
        !wrong.status.success() && text(&wrong).contains("password"),
        "{}",
        text(&wrong)
    );
    let bad = import(db, &["schild", "--instance", SCHOOL, &broken]);
    assert!(!bad.status.success(), "{}", text(&bad));
    assert!(
        text(&bad).contains("line"),
        "names the position: {}",
        text(&bad)
    );

    // The real import from the encrypted ZIP, with the protocol.
    let protocol = dir.join("protokoll.csv");
    let done = import(
        db,
        &[
            "schild",
            "--instance",
            SCHOOL,
            &zip,
            "--zip-password",
            "zip-geheim",
            "--json",
            "--protocol",
            protocol.to_str().expect("utf-8"),
        ],
    );
    assert!(done.status.success(), "{}", text(&done));
    let out = json_of(&done);
    assert_eq!(count(&out, "created"), persons);
    assert!(count(&out, "groups_created") > 0);
    let csv = std::fs::read_to_string(&protocol).expect("protocol");
    let header = csv
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .expect("header");
    assert!(
        header.starts_with("quell_id;login;mail;initial_password"),
        "{header}"
    );

    // Again: nothing changes.
    let again = json_of(&import(
        db,
        &["schild", "--instance", SCHOOL, &plain, "--json"],
    ));
    assert_eq!(
        (
            count(&again, "created"),
            count(&again, "updated"),
            count(&again, "marked_for_deletion"),
            count(&again, "memberships_added")
        ),
        (0, 0, 0, 0),
        "{again}"
    );

    // Tables: a missing mandatory column, duplicate Quell-IDs.
    let no_id = dir.join("ohne-id.csv");
    std::fs::write(&no_id, "Nachname;Vorname\nMeier;Tom\n").expect("write");
    let r = import(
        db,
        &[
            "csv",
            "--instance",
            SCHOOL,
            no_id.to_str().expect("p"),
            "--account-type",
            "schueler",
        ],
    );
    assert!(
        !r.status.success() && text(&r).contains("Quell"),
        "{}",
        text(&r)
    );
    let dup = dir.join("doppelt.csv");
    std::fs::write(
        &dup,
        "Quell-ID;Nachname;Vorname\n7;Meier;Tom\n7;Kaya;Elif\n",
    )
    .expect("write");
    let r = import(
        db,
        &[
            "csv",
            "--instance",
            SCHOOL,
            dup.to_str().expect("p"),
            "--account-type",
            "schueler",
        ],
    );
    assert_eq!(r.status.code(), Some(3), "{}", text(&r));
    assert!(text(&r).contains("line 3"), "{}", text(&r));

    first_login(server.1, &csv);
    school_year(db);
}

/// An imported student logs in with the initial password, must change it, then sees
/// their groups.
fn first_login(port: u16, protocol: &str) {
    let row = protocol
        .lines()
        .skip(1)
        .map(|l| l.split(';').collect::<Vec<_>>())
        .find(|c| c.get(6) == Some(&"schueler") && c.get(3).is_some_and(|p| !p.is_empty()))
        .expect("a created student");
    let (login, password) = (row[1], row[3]);
    let body = format!(r#"{{"instance":"{SCHOOL}","login":"{login}","password":"{password}"}}"#);
    let (status, response) =
        http_with(port, "POST", "/api/v1/session", &body, None).expect("login");
    assert_eq!(status, 200, "{response}");
    let cookie = session_cookie(&response).expect("cookie");
    let (status, response) = http_with(port, "GET", "/api/v1/me", "", Some(&cookie)).expect("me");
    assert_eq!(status, 403);
    assert!(response.contains("password_change_required"), "{response}");
    let change = format!(r#"{{"old":"{password}","new":"mein-neues-passwort"}}"#);
    let (status, response) =
        http_with(port, "POST", "/api/v1/me/password", &change, Some(&cookie)).expect("pw");
    assert!(status == 204 || status == 200, "{response}");
    let (status, response) = http_with(
        port,
        "POST",
        "/api/v1/consent",
        r#"{"terms":true,"privacy":true}"#,
        Some(&cookie),
    )
    .expect("consent");
    assert_eq!(status, 204, "{response}");
    let (status, response) = http_with(port, "GET", "/api/v1/me", "", Some(&cookie)).expect("me");
    assert_eq!(status, 200, "{response}");
    assert!(response.contains("Klasse"), "groups listed: {response}");
}

fn school_year(db: &[&str]) {
    let dry = run(
        &[
            "school-year",
            "--instance",
            SCHOOL,
            "--from",
            "2025/26",
            "--to",
            "2026/27",
            "--dry-run",
            "--json",
        ],
        db,
        None,
    );
    assert!(dry.status.success(), "{}", text(&dry));
    let v = json_of(&dry);
    assert!(
        !v["archived_groups"].as_array().expect("list").is_empty(),
        "{v}"
    );
    let wrong = run(
        &[
            "school-year",
            "--instance",
            SCHOOL,
            "--from",
            "2024/25",
            "--to",
            "2025/26",
        ],
        db,
        None,
    );
    assert!(
        !wrong.status.success() && text(&wrong).contains("2025/26"),
        "{}",
        text(&wrong)
    );
    let done = run(
        &[
            "school-year",
            "--instance",
            SCHOOL,
            "--from",
            "2025/26",
            "--to",
            "2026/27",
        ],
        db,
        None,
    );
    assert!(done.status.success(), "{}", text(&done));
    assert!(text(&done).contains("archived"), "{}", text(&done));
}

#[test]
fn import_commands_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    import_flow(&["--data", data.to_str().expect("utf-8")], dir.path());
}

#[tokio::test(flavor = "multi_thread")]
async fn import_commands_on_postgres() {
    let t = TestDb::postgres().await;
    t.db.close().await;
    let url = t.url.clone();
    tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        import_flow(
            &["--database", &url, "--data", data.to_str().expect("utf-8")],
            dir.path(),
        );
    })
    .await
    .expect("flow");
}
