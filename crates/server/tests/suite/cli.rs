//! The `schulhof` binary itself: the commands an operator types, on SQLite and PostgreSQL.

use crate::cli_support;
use cli_support::*;
use schulhof_store::testing::TestDb;

fn operator_flow(db: &[&str]) {
    let created = run(
        &[
            "instance",
            "create",
            "--number",
            "123456",
            "--name",
            "Goethe-Gymnasium",
        ],
        db,
        None,
    );
    assert!(created.status.success(), "{}", text(&created));
    assert!(
        text(&created).contains("schulhof user set-password --instance 123456 --login admin"),
        "{}",
        text(&created)
    );
    let again = run(
        &[
            "instance",
            "create",
            "--number",
            "123456",
            "--name",
            "Noch eins",
        ],
        db,
        None,
    );
    assert!(!again.status.success());
    assert!(text(&again).contains("already exists"), "{}", text(&again));
    let bad = run(
        &["instance", "create", "--number", "12345", "--name", "Kurz"],
        db,
        None,
    );
    assert!(
        !bad.status.success() && text(&bad).contains("6 digits"),
        "{}",
        text(&bad)
    );

    let weak = run(
        &[
            "user",
            "set-password",
            "--instance",
            "123456",
            "--login",
            "admin",
            "--password-stdin",
        ],
        db,
        Some("kurz\n"),
    );
    assert!(
        !weak.status.success() && text(&weak).contains("at least 8"),
        "{}",
        text(&weak)
    );
    let set = run(
        &[
            "user",
            "set-password",
            "--instance",
            "123456",
            "--login",
            "admin",
            "--password-stdin",
        ],
        db,
        Some("ein-sicheres-passwort\n"),
    );
    assert!(set.status.success(), "{}", text(&set));

    let server = serve(db, &[]);
    assert_eq!(
        login(server.1, "123456", "admin", "ein-sicheres-passwort"),
        200
    );
    assert_eq!(login(server.1, "123456", "admin", "falsch-falsch"), 401);
    assert_eq!(
        login(server.1, "100000", "admin", "schulhof-demo"),
        401,
        "no demo school without --demo"
    );
    let (status, body) = http(server.1, "GET", "/api/v1/openapi.json", "").expect("openapi");
    assert!(status == 200 && body.contains("\"openapi\""));
    drop(server);

    let demo = serve(db, &["--demo"]);
    assert_eq!(login(demo.1, "100000", "lehrer", "schulhof-demo"), 200);
    drop(demo);
    let refused = run(
        &["serve", "--listen", &format!("127.0.0.1:{}", free_port())],
        db,
        None,
    );
    assert!(
        !refused.status.success(),
        "a database with the demo school is only served with --demo"
    );
    assert!(text(&refused).contains("--demo"), "{}", text(&refused));
}

#[test]
fn operator_commands_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8 path");
    operator_flow(&["--data", data]);
    assert!(dir.path().join("schulhof.db").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn operator_commands_on_postgres() {
    let t = TestDb::postgres().await;
    t.db.close().await;
    let url = t.url.clone();
    // Files, the search index and the Safe key still live in a data directory.
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    tokio::task::spawn_blocking(move || operator_flow(&["--database", &url, "--data", &data]))
        .await
        .expect("flow");
}
