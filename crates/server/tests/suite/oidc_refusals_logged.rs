//! Refusals of the OpenID Connect provider are logged (issue 18: "refused with the error the
//! specification names, logged, nothing granted"): a real `schulhof serve` with its log on
//! stdout at the operators' level (warn) gets an unknown client, an unregistered redirect
//! URI, a made-up code, a wrong client secret and a tampered access token. Each answer
//! names the error of the specification, and the log names the error and the tool — never
//! the secret, code or token that was sent.

use crate::cli_support;
use crate::oidc_apache::request;
use cli_support::*;
use std::time::{Duration, Instant};

struct Logged {
    server: Server,
    log: std::path::PathBuf,
}

/// `schulhof serve --demo` with `SCHULHOF_LOG=warn` and its output in a file.
fn serve_logged(dir: &std::path::Path) -> Logged {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let log = dir.join("server.log");
    let data = dir.join("data");
    let data = data.to_str().expect("utf-8");
    let file = std::fs::File::create(&log).expect("log file");
    let child = bin()
        .args(["--data", data, "--public-url", &base])
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--demo"])
        .env("SCHULHOF_LOG", "warn")
        // The log goes to stdout (tracing's default writer); both land in the file.
        .stdout(file.try_clone().expect("log file"))
        .stderr(file)
        .spawn()
        .expect("serve");
    let server = Server(child, port);
    let start = Instant::now();
    while http(port, "GET", "/healthz", "").is_none_or(|(s, _)| s != 200) {
        assert!(start.elapsed() < Duration::from_secs(60), "no server");
        std::thread::sleep(Duration::from_millis(100));
    }
    Logged { server, log }
}

fn form() -> Vec<(&'static str, String)> {
    vec![(
        "Content-Type",
        "application/x-www-form-urlencoded".to_owned(),
    )]
}

#[test]
fn refusals_are_logged_without_secrets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Logged { server, log } = serve_logged(dir.path());
    let port = server.1;
    let data = dir.path().join("data");
    let out = run(
        &[
            "oidc",
            "client",
            "add",
            "--instance",
            "100000",
            "--name",
            "Prüfstand",
            "--redirect-uri",
            "http://127.0.0.1:9/cb",
        ],
        &["--data", data.to_str().expect("utf-8")],
        None,
    );
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    let field = |k: &str| {
        t.lines()
            .find_map(|l| l.strip_prefix(k))
            .map(|v| v.trim().to_owned())
            .expect(k)
    };
    let (client, secret) = (field("client_id:"), field("client_secret:"));
    let read = || std::fs::read_to_string(&log).unwrap_or_default();
    let before = read();

    // Unknown client and unregistered redirect URI: an error page, never a redirect.
    let (s, _, _) = request(
        port,
        "/oidc/authorize?client_id=t-nobody-knows&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb\
         &response_type=code&scope=openid",
        &[],
        "",
    );
    assert_eq!(s, 400);
    let (s, _, _) = request(
        port,
        &format!(
            "/oidc/authorize?client_id={client}&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fevil\
             &response_type=code&scope=openid"
        ),
        &[],
        "",
    );
    assert_eq!(s, 400);
    // A made-up code (as a replayed or expired one): invalid_grant.
    let code = "made-up-code-0123456789abcdef";
    let body = format!(
        "grant_type=authorization_code&code={code}&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb\
         &client_id={client}&client_secret={secret}"
    );
    let (s, _, b) = request(port, "/oidc/token", &form(), &body);
    assert_eq!(s, 400, "{b}");
    assert!(b.contains("\"invalid_grant\""), "{b}");
    // A wrong secret: invalid_client.
    let wrong = "wrong-secret-0123456789abcdef";
    let body = format!(
        "grant_type=authorization_code&code={code}&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb\
         &client_id={client}&client_secret={wrong}"
    );
    let (s, _, b) = request(port, "/oidc/token", &form(), &body);
    assert_eq!(s, 401, "{b}");
    assert!(b.contains("\"invalid_client\""), "{b}");
    // A tampered access token at userinfo: invalid_token.
    let token = "tampered-token-0123456789abcdef";
    let bearer = vec![("Authorization", format!("Bearer {token}"))];
    let (s, _, b) = request(port, "/oidc/userinfo", &bearer, "");
    assert_eq!(s, 401, "{b}");

    // The log lines are written as they happen; allow the writer a moment.
    let start = Instant::now();
    let mut now = read();
    while now.matches("refused").count() < before.matches("refused").count() + 5
        && start.elapsed() < Duration::from_secs(10)
    {
        std::thread::sleep(Duration::from_millis(100));
        now = read();
    }
    let new = &now[before.len()..];
    let lines: Vec<&str> = new.lines().filter(|l| l.contains("refused")).collect();
    let has = |what: &[&str]| lines.iter().any(|l| what.iter().all(|w| l.contains(w)));
    assert!(has(&["WARN", "unknown_client", "t-nobody-knows"]), "{new}");
    assert!(has(&["WARN", "redirect_uri", &client]), "{new}");
    assert!(has(&["WARN", "invalid_grant", &client]), "{new}");
    assert!(has(&["WARN", "invalid_client", &client]), "{new}");
    assert!(has(&["WARN", "invalid_token"]), "{new}");
    for secret_value in [code, wrong, token, secret.as_str()] {
        assert!(
            !now.contains(secret_value),
            "the log must not carry what was sent: {secret_value}"
        );
    }
}
