//! A real relying party: Apache with `mod_auth_openidc` (Debian `apache2` and
//! `libapache2-mod-auth-openidc`, installed by scripts/ensure-test-deps.sh) protects a page on
//! loopback with the platform as its OpenID Connect provider. The test is the browser: the
//! protected page sends it to our authorization endpoint, it logs in, comes back with a
//! code that Apache redeems (discovery, token endpoint, ID-token validation are the
//! module's own), and the page shows the pairwise `sub` Apache got. If Apache cannot start,
//! the test fails and says why; it never skips.

use crate::cli_support;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cli_support::*;
use schulhof_store::testing::TestDb;

const APACHE: &str = "/usr/sbin/apache2";
const MODULES: &str = "/usr/lib/apache2/modules";

pub(crate) struct Apache(Child);

impl Drop for Apache {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One HTTP/1.0 request with headers: (status, headers lower-cased, body).
pub(crate) fn request(
    port: u16,
    path: &str,
    headers: &[(&str, String)],
    body: &str,
) -> (u16, Vec<(String, String)>, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let method = if body.is_empty() { "GET" } else { "POST" };
    // mod_auth_openidc redirects only browsers (it answers 401 to anything else).
    let mut req = format!(
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nAccept: text/html,application/xhtml+xml\r\n"
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    s.write_all(req.as_bytes()).expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

/// The cookies of one host, as a browser keeps them.
#[derive(Default)]
pub(crate) struct Jar(HashMap<String, String>);

impl Jar {
    pub(crate) fn take(&mut self, headers: &[(String, String)]) {
        for (_, v) in headers.iter().filter(|(k, _)| k == "set-cookie") {
            let pair = v.split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() {
                    self.0.remove(name.trim());
                } else {
                    self.0
                        .insert(name.trim().to_owned(), value.trim().to_owned());
                }
            }
        }
    }

    pub(crate) fn header(&self) -> Vec<(&'static str, String)> {
        if self.0.is_empty() {
            return Vec::new();
        }
        let v: Vec<String> = self.0.iter().map(|(k, v)| format!("{k}={v}")).collect();
        vec![("Cookie", v.join("; "))]
    }
}

pub(crate) fn location(h: &[(String, String)]) -> String {
    h.iter()
        .find(|(k, _)| k == "location")
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// `http://127.0.0.1:PORT/path?q` → (PORT, /path?q).
pub(crate) fn split(url: &str) -> (u16, String) {
    let rest = url
        .strip_prefix("http://127.0.0.1:")
        .expect("a loopback URL");
    let (port, path) = rest.split_once('/').expect("a path");
    (port.parse().expect("port"), format!("/{path}"))
}

pub(crate) fn write_config(
    dir: &Path,
    aport: u16,
    base: &str,
    client: &str,
    secret: &str,
) -> std::path::PathBuf {
    let docs = dir.join("docs/protected");
    std::fs::create_dir_all(&docs).expect("docs");
    std::fs::write(
        docs.join("page.shtml"),
        "sub=<!--#echo var=\"OIDC_CLAIM_sub\" -->;school=<!--#echo var=\"OIDC_CLAIM_school\" -->\n",
    )
    .expect("page");
    // Apache drops to www-data when started as root: the files must be readable.
    let _ = Command::new("chmod").args(["-R", "a+rX"]).arg(dir).status();
    let d = dir.display();
    let conf = format!(
        "ServerRoot \"{d}\"\nServerName 127.0.0.1\nListen 127.0.0.1:{aport}\nPidFile \"{d}/apache.pid\"\n\
         DefaultRuntimeDir \"{d}\"\nErrorLog \"{d}/error.log\"\nLogLevel warn auth_openidc:info\n\
         LoadModule mpm_event_module {MODULES}/mod_mpm_event.so\n\
         LoadModule authz_core_module {MODULES}/mod_authz_core.so\n\
         LoadModule authn_core_module {MODULES}/mod_authn_core.so\n\
         LoadModule authz_user_module {MODULES}/mod_authz_user.so\n\
         LoadModule include_module {MODULES}/mod_include.so\n\
         LoadModule auth_openidc_module {MODULES}/mod_auth_openidc.so\n\
         User www-data\nGroup www-data\nDocumentRoot \"{d}/docs\"\n\
         OIDCProviderMetadataURL {base}/.well-known/openid-configuration\n\
         OIDCClientID {client}\nOIDCClientSecret {secret}\n\
         OIDCRedirectURI http://127.0.0.1:{aport}/protected/redirect_uri\n\
         OIDCCryptoPassphrase schulhof-test-passphrase\nOIDCScope \"openid\"\nOIDCPKCEMethod S256\n\
         <Directory \"{d}/docs\">\n  Options +Includes\n  Require all granted\n</Directory>\n\
         <Location /protected>\n  AuthType openid-connect\n  Require valid-user\n  SetOutputFilter INCLUDES\n</Location>\n"
    );
    let path = dir.join("apache.conf");
    std::fs::write(&path, conf).expect("conf");
    path
}

pub(crate) fn start_apache(dir: &Path, conf: &Path, aport: u16) -> Apache {
    assert!(
        Path::new(APACHE).exists() && Path::new(MODULES).join("mod_auth_openidc.so").exists(),
        "Apache with mod_auth_openidc is missing: run scripts/ensure-test-deps.sh \
         (Debian apache2, libapache2-mod-auth-openidc)"
    );
    let child = Command::new(APACHE)
        .arg("-f")
        .arg(conf)
        .arg("-DFOREGROUND")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("apache2 could not be started");
    let mut apache = Apache(child);
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", aport)).is_err() {
        if let Ok(Some(status)) = apache.0.try_wait() {
            let mut err = String::new();
            if let Some(mut e) = apache.0.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            let log = std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
            panic!("apache2 exited ({status}): {err}\n{log}");
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "apache2 did not listen on {aport}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    apache
}

/// Logs the demo pupil in at the platform (and accepts the platform's terms): the cookies.
pub(crate) fn platform_login(port: u16) -> Jar {
    let mut jar = Jar::default();
    let json = ("Content-Type", "application/json".to_owned());
    let body = r#"{"instance":"100000","login":"schueler","password":"schulhof-demo"}"#;
    let (s, h, b) = request(port, "/api/v1/session", std::slice::from_ref(&json), body);
    assert!(s == 200 || s == 201, "login: {s} {b}");
    jar.take(&h);
    if b.contains("consent_required") {
        let mut hs = jar.header();
        hs.push(json);
        let (s, _, b) = request(
            port,
            "/api/v1/consent",
            &hs,
            r#"{"terms":true,"privacy":true}"#,
        );
        assert_eq!(s, 204, "platform terms: {b}");
    }
    jar
}

fn scenario(db: &[&str]) {
    let server = serve_public(db);
    let (port, base) = (server.1, format!("http://127.0.0.1:{}", server.1));
    let aport = free_port();
    let redirect = format!("http://127.0.0.1:{aport}/protected/redirect_uri");
    let out = run(
        &[
            "oidc",
            "client",
            "add",
            "--name",
            "Apache",
            "--redirect-uri",
            &redirect,
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

    // The protected page sends the browser to our authorization endpoint.
    let mut at_apache = Jar::default();
    let (s, h, b) = request(aport, "/protected/page.shtml", &[], "");
    assert_eq!(s, 302, "protected page: {b}\n{}", log());
    at_apache.take(&h);
    let to_us = location(&h);
    assert!(
        to_us.starts_with(&format!("{base}/oidc/authorize?")),
        "{to_us}"
    );
    // Not logged in: to the login page, and back after logging in.
    let (p, path) = split(&to_us);
    let (s, h, _) = request(p, &path, &[], "");
    assert!(s == 302 || s == 303, "authorize: {s}");
    assert!(
        location(&h).starts_with("/anmelden?zurueck="),
        "{}",
        location(&h)
    );
    let jar = platform_login(port);
    let (s, h, b) = request(port, &path, &jar.header(), "");
    assert!(s == 302 || s == 303, "authorize with a session: {s} {b}");
    let back = location(&h);
    assert!(
        back.starts_with(&redirect) && back.contains("code="),
        "{back}"
    );
    // Back at Apache: it redeems the code and validates the ID token itself.
    let (p, path) = split(&back);
    let (s, h, b) = request(p, &path, &at_apache.header(), "");
    assert!(
        s == 302 || s == 303,
        "redirect_uri at Apache: {s} {b}\n{}",
        log()
    );
    at_apache.take(&h);
    let (_, path) = split(&location(&h));
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
fn apache_mod_auth_openidc_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    scenario(&["--data", &data]);
}

#[tokio::test(flavor = "multi_thread")]
async fn apache_mod_auth_openidc_on_postgres() {
    let t = TestDb::postgres().await;
    t.db.close().await;
    let url = t.url.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    tokio::task::spawn_blocking(move || scenario(&["--database", &url, "--data", &data]))
        .await
        .expect("scenario");
}
