//! The OpenID Connect provider through the real binary, checked by a third-party relying
//! party: `tests/oidc/authlib_rp.py` (Authlib) does discovery, the code flow with PKCE and
//! with a client secret and consent, validates the ID tokens against the JWKS, refreshes
//! (rotation, reuse refused), replays a code, sends a wrong verifier, tampers with an ID
//! token, revokes, checks prompt/max_age, CORS and the CSRF layer at the token endpoint, and
//! logs out: the back-channel logout token reaches its own HTTP endpoint (validated by
//! Authlib), the goodbye page frames the front-channel URI. The clients are registered with
//! `schulhof oidc client add`, and the issuer is the `--public-url`; one with
//! `--id-token-alg ES256` gets ID tokens Authlib verifies with the JWKS's P-256 key.

use crate::cli_support;
use std::path::Path;
use std::process::Command;

use cli_support::*;
use schulhof_store::testing::TestDb;

const REDIRECT: &str = "http://127.0.0.1:9/cb";

fn python() -> String {
    std::env::var("SCHULHOF_PYTHON").unwrap_or_else(|_| "/var/tmp/schulhof-venv/bin/python".into())
}

/// `schulhof oidc client add …`: (client id, secret).
fn add_client(db: &[&str], name: &str, host: &str, extra: &[&str]) -> (String, Option<String>) {
    let (redirect, bye) = (
        format!("http://{host}:9/cb"),
        format!("http://{host}:9/bye"),
    );
    let mut args = vec![
        "oidc",
        "client",
        "add",
        "--name",
        name,
        "--redirect-uri",
        &redirect,
        "--post-logout-uri",
        &bye,
    ];
    args.extend_from_slice(extra);
    let out = run(&args, db, None);
    let text = text(&out);
    assert!(out.status.success(), "{text}");
    let field = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(k))
            .map(|v| v.trim().to_owned())
    };
    (
        field("client_id:").expect("client id"),
        field("client_secret:"),
    )
}

fn scenario(db: &[&str]) {
    let server = serve_public(db);
    let port = server.1;
    let base = format!("http://127.0.0.1:{port}");
    let (public, none) = add_client(
        db,
        "Lern-App",
        "127.0.0.1",
        &["--public", "--claims", "school"],
    );
    assert!(none.is_none(), "a public client has no secret");
    let (es256, _) = add_client(
        db,
        "Karten-App",
        "127.0.0.1",
        &["--public", "--id-token-alg", "ES256"],
    );
    let bcl_port = free_port();
    let bcl = format!("http://127.0.0.1:{bcl_port}/bcl");
    // The server POSTs to a back-channel URI itself: internal addresses are refused (SSRF);
    // loopback only with the explicit development setting, private ranges never.
    for (uri, flag) in [
        (bcl.as_str(), None),
        ("http://10.0.0.1/bcl", Some("--tool-urls-on-loopback")),
        (
            "https://169.254.169.254/latest",
            Some("--tool-urls-on-loopback"),
        ),
        ("https://[fd00::1]/bcl", None),
    ] {
        let mut args = vec!["oidc", "client", "add", "--name", "Intern"];
        args.extend(["--redirect-uri", "http://127.0.0.1:9/cb"]);
        args.extend(["--backchannel-logout-uri", uri]);
        args.extend(flag);
        let out = run(&args, db, None);
        assert!(!out.status.success(), "{uri} accepted");
        assert!(text(&out).contains("internal"), "{}", text(&out));
    }
    let (conf, secret) = add_client(
        db,
        "Mediathek",
        "localhost",
        &[
            "--instance",
            "100000",
            "--claims",
            "name,email",
            "--backchannel-logout-uri",
            &bcl,
            "--frontchannel-logout-uri",
            "http://localhost:9/fcl",
            "--tool-urls-on-loopback",
        ],
    );
    let secret = secret.expect("a confidential client's secret");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/oidc/authlib_rp.py");
    let out = Command::new(python())
        .arg(script)
        .args([
            &base,
            "100000",
            "schueler",
            "schulhof-demo",
            &public,
            &conf,
            &secret,
            REDIRECT,
            &bcl_port.to_string(),
            &es256,
        ])
        .output()
        .expect("the Python environment of scripts/ensure-test-deps.sh (SCHULHOF_PYTHON)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success() && text.starts_with("OK"), "{text}");
}

#[test]
fn authlib_relying_party_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    scenario(&["--data", &data]);
}

#[tokio::test(flavor = "multi_thread")]
async fn authlib_relying_party_on_postgres() {
    let t = TestDb::postgres().await;
    t.db.close().await;
    let url = t.url.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    tokio::task::spawn_blocking(move || scenario(&["--database", &url, "--data", &data]))
        .await
        .expect("scenario");
}
