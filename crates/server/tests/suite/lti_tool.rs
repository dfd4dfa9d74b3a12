//! LTI 1.3 with Advantage through the real binary, checked by a third-party tool:
//! `tests/oidc/lti_tool.py` (pylti1p3 in a Flask app) is registered with `schulhof lti tool
//! add`, placed in the demo course by the teacher's form, picks content by deep linking
//! (its signed response accepted once, a forged or replayed one refused), is launched by a
//! student (pylti1p3 validates the ID token against the JWKS), reads the roster (NRPS,
//! pseudonymous) and posts a grade (AGS) that the course then shows. Its client assertions
//! are checked too: a replayed or foreign-signed one is `invalid_client`.
//!
//! A second tool, registered for name and mail address (`--claims`) with terms of use
//! (`--terms-file`), takes a pupil through the consent screen over HTTP as a browser does.
//! pylti1p3 asks with `prompt=none`, as the IMS Security Framework requires, so the screen
//! comes when the activity is opened, before the tool hears of it: cancelled, back to the
//! activity; shared, the launch carries name and mail address (the roster names that pupil
//! only); withdrawn in Mein Konto while a launch is under way, the tool gets
//! `consent_required`; the pseudonym chosen on the screen then launches without them.

use crate::cli_support;
use std::path::Path;
use std::process::Command;

use cli_support::*;
use schulhof_store::testing::TestDb;

fn python() -> String {
    std::env::var("SCHULHOF_PYTHON").unwrap_or_else(|_| "/var/tmp/schulhof-venv/bin/python".into())
}

fn script() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/oidc/lti_tool.py")
}

fn py(args: &[&str]) -> String {
    let out = Command::new(python())
        .arg(script())
        .args(args)
        .output()
        .expect("the Python environment of scripts/ensure-test-deps.sh (SCHULHOF_PYTHON)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success() && text.starts_with("OK"), "{text}");
    text
}

fn field(text: &str, k: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix(k))
        .map(|v| v.trim().to_owned())
        .unwrap_or_else(|| panic!("{k} in {text}"))
}

fn scenario(db: &[&str]) {
    let server = serve_public(db);
    let port = server.1;
    let base = format!("http://127.0.0.1:{port}");
    let keys = tempfile::tempdir().expect("tempdir");
    let dir = keys.path().to_str().expect("utf-8");
    py(&["keygen", dir]);
    let tool_port = free_port().to_string();
    let tool = format!("http://127.0.0.1:{tool_port}");
    let jwks = format!("{dir}/jwks.json");
    let (login, launch) = (format!("{tool}/login"), format!("{tool}/launch"));
    let out = run(
        &[
            "--public-url",
            &base,
            "lti",
            "tool",
            "add",
            "--name",
            "Lernwerkzeug",
            "--login-url",
            &login,
            "--target-link-uri",
            &launch,
            "--jwks-file",
            &jwks,
            "--instance",
            "100000",
        ],
        db,
        None,
    );
    let text = text(&out);
    assert!(out.status.success(), "{text}");
    assert_eq!(field(&text, "issuer:"), base);
    assert_eq!(field(&text, "auth_token_url:"), format!("{base}/lti/token"));
    let (client_id, deployment) = (field(&text, "client_id:"), field(&text, "deployment_id:"));
    let terms = keys.path().join("terms.txt");
    std::fs::write(&terms, "Ergebnisse bleiben ein Schuljahr.").expect("terms");
    let out = run(
        &[
            "--public-url",
            &base,
            "lti",
            "tool",
            "add",
            "--name",
            "Namenswerkzeug",
            "--login-url",
            &login,
            "--target-link-uri",
            &launch,
            "--jwks-file",
            &jwks,
            "--instance",
            "100000",
            "--claims",
            "name,email",
            "--terms-file",
            terms.to_str().expect("utf-8"),
        ],
        db,
        None,
    );
    let named = cli_support::text(&out);
    assert!(out.status.success(), "{named}");
    let (consent_id, consent_deployment) =
        (field(&named, "client_id:"), field(&named, "deployment_id:"));
    py(&[
        "run",
        &base,
        "100000",
        "schulhof-demo",
        &client_id,
        &deployment,
        dir,
        &tool_port,
        &consent_id,
        &consent_deployment,
    ]);
}

#[test]
fn pylti1p3_tool_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    scenario(&["--data", &data]);
}

#[tokio::test(flavor = "multi_thread")]
async fn pylti1p3_tool_on_postgres() {
    let t = TestDb::postgres().await;
    t.db.close().await;
    let url = t.url.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    tokio::task::spawn_blocking(move || scenario(&["--database", &url, "--data", &data]))
        .await
        .expect("scenario");
}
