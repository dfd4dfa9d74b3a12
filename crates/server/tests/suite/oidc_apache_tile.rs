//! Platform-initiated login at a real relying party (OpenID Connect Core §4): Apache with
//! `mod_auth_openidc` is registered with its redirect URI as the tool's initiate login URI.
//! The test is the browser: the platform's tile (`/werkzeuge/{client}/start`) sends it to
//! Apache with `iss` and `target_link_uri`; the module checks the issuer, starts the code
//! flow at our authorization endpoint, redeems the code and lands on the protected page,
//! which shows the pairwise `sub`. Also: the command line refuses a bad initiate login URI.

use crate::cli_support;
use crate::oidc_apache::{
    Jar, location, platform_login, request, split, start_apache, write_config,
};
use cli_support::*;
use schulhof_store::testing::TestDb;

fn scenario(db: &[&str]) {
    let server = serve_public(db);
    let (port, base) = (server.1, format!("http://127.0.0.1:{}", server.1));
    let aport = free_port();
    let redirect = format!("http://127.0.0.1:{aport}/protected/redirect_uri");
    let target = format!("http://127.0.0.1:{aport}/protected/page.shtml");
    // A plain-http initiate login URI off loopback: a clear error, nothing registered.
    let out = run(
        &[
            "oidc",
            "client",
            "add",
            "--name",
            "Falsch",
            "--redirect-uri",
            "https://falsch.example/cb",
            "--initiate-login-uri",
            "http://falsch.example/login",
        ],
        db,
        None,
    );
    let t = text(&out);
    assert!(!out.status.success(), "{t}");
    assert!(
        t.contains("initiate_login_uri") && t.contains("https"),
        "the error names the field and the rule: {t}"
    );
    assert!(!t.contains("client_id:"), "{t}");
    let out = run(
        &[
            "oidc",
            "client",
            "add",
            "--name",
            "Apache",
            "--redirect-uri",
            &redirect,
            "--initiate-login-uri",
            &redirect,
            "--target-link-uri",
            &target,
            "--claims",
            "school",
        ],
        db,
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
    let dir = tempfile::tempdir().expect("tempdir");
    let conf = write_config(dir.path(), aport, &base, &client, &secret);
    let _apache = start_apache(dir.path(), &conf, aport);
    let log = || std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default();

    // Logged in at the platform, the pupil finds the tool's tile and follows it.
    let jar = platform_login(port);
    let (s, _, page) = request(port, "/konto/werkzeuge", &jar.header(), "");
    assert_eq!(s, 200, "{page}");
    let start = format!("/werkzeuge/{client}/start");
    assert!(
        page.contains(&format!("href=\"{start}\"")),
        "the tile: {page}"
    );
    let (s, h, b) = request(port, &start, &jar.header(), "");
    assert_eq!(s, 303, "the tile's start: {b}");
    let to_apache = location(&h);
    assert!(
        to_apache.starts_with(&format!("{redirect}?iss=")),
        "{to_apache}"
    );
    // At Apache: the module checks iss and target_link_uri and starts the code flow.
    let mut at_apache = Jar::default();
    let (p, path) = split(&to_apache);
    assert_eq!(p, aport);
    let (s, h, b) = request(aport, &path, &[], "");
    assert_eq!(
        s,
        302,
        "third-party initiated login at Apache: {b}\n{}",
        log()
    );
    at_apache.take(&h);
    let to_us = location(&h);
    assert!(
        to_us.starts_with(&format!("{base}/oidc/authorize?")),
        "{to_us}"
    );
    // The platform session is there: straight back to Apache with a code.
    let (_, path) = split(&to_us);
    let (s, h, b) = request(port, &path, &jar.header(), "");
    assert!(s == 302 || s == 303, "authorize: {s} {b}");
    let back = location(&h);
    assert!(
        back.starts_with(&redirect) && back.contains("code="),
        "{back}"
    );
    let (_, path) = split(&back);
    let (s, h, b) = request(aport, &path, &at_apache.header(), "");
    assert!(
        s == 302 || s == 303,
        "redirect_uri at Apache: {s} {b}\n{}",
        log()
    );
    at_apache.take(&h);
    let landing = location(&h);
    assert!(
        landing.ends_with("/protected/page.shtml"),
        "Apache lands on the target link URI: {landing}"
    );
    let (_, path) = split(&format!("http://127.0.0.1:{aport}/protected/page.shtml"));
    let (s, _, page) = request(aport, &path, &at_apache.header(), "");
    assert_eq!(s, 200, "protected page after login: {page}\n{}", log());
    let sub = page
        .trim()
        .strip_prefix("sub=")
        .and_then(|r| r.split(';').next())
        .unwrap_or("");
    assert_eq!(sub.len(), 43, "Apache shows the pairwise sub: {page}");
    assert!(page.contains("school=100000"), "{page}");
}

#[test]
fn tile_opens_apache_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    scenario(&["--data", &data]);
}

#[tokio::test(flavor = "multi_thread")]
async fn tile_opens_apache_on_postgres() {
    let t = TestDb::postgres().await;
    t.db.close().await;
    let url = t.url.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    tokio::task::spawn_blocking(move || scenario(&["--database", &url, "--data", &data]))
        .await
        .expect("scenario");
}
