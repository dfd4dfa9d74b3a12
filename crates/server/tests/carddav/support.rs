//! Helpers of the CardDAV tests: DAV and web requests on the in-process app, golden files,
//! another school, and vdirsyncer over a real socket.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine as _;
use http_body_util::BodyExt;
use schulhof_domain::identity::Actor;
use tower::ServiceExt;

use crate::common::{DEMO_PW, TestApp};

pub const OTHER_PW: &str = "ein-sicheres-passwort-123";

pub struct Answer {
    pub status: StatusCode,
    pub etag: Option<String>,
    pub location: Option<String>,
    pub body: String,
}

async fn send(app: &TestApp, req: Request<Body>) -> Answer {
    let r = app.router.clone().oneshot(req).await.expect("answer");
    let h = |n: header::HeaderName| {
        r.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (etag, location) = (h(header::ETAG), h(header::LOCATION));
    let status = r.status();
    let bytes = r.into_body().collect().await.expect("body").to_bytes();
    Answer {
        status,
        etag,
        location,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// A DAV request as `user` (`login@school`) with its password.
pub async fn dav_as(
    app: &TestApp,
    user: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let pw = if user.ends_with("@100000") {
        DEMO_PW
    } else {
        OTHER_PW
    };
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pw}"));
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Basic {auth}"))
        .header("x-forwarded-for", "10.0.0.7");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    send(app, req.body(Body::from(body.to_owned())).expect("request")).await
}

/// A DAV request as a demo login.
pub async fn dav(
    app: &TestApp,
    login: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    dav_as(app, &format!("{login}@100000"), method, path, headers, body).await
}

/// A web page or form post with the session cookie.
pub async fn web(
    app: &TestApp,
    cookie: &str,
    method: &str,
    path: &str,
    form: &[(&str, &str)],
) -> Answer {
    let body: String = form
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::COOKIE, format!("schulhof_session={cookie}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("x-forwarded-for", "10.0.0.7")
        .body(Body::from(body))
        .expect("request");
    send(app, req).await
}

fn enc(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub async fn actor(app: &TestApp, cookie: &str) -> Actor {
    app.platform.session(cookie).await.expect("session").actor
}

/// Turns the school's CardDAV switch as its admin does on /verwaltung/schule.
pub async fn switch(app: &TestApp, admin: &str, on: bool) {
    let mut form = vec![("teil", "carddav")];
    if on {
        form.push(("carddav", "ja"));
    }
    let r = web(app, admin, "POST", "/verwaltung/schule", &form).await;
    assert!(
        r.status.is_redirection() || r.status.is_success(),
        "{} {}",
        r.status,
        r.body
    );
    let a = actor(app, admin).await;
    assert_eq!(app.platform.carddav_enabled(&a).await.expect("switch"), on);
}

pub fn between(s: &str, from: &str, to: &str) -> String {
    let start = s.find(from).map_or(0, |i| i + from.len());
    s[start..].split(to).next().unwrap_or("").to_owned()
}

/// Ids, entity tags and tokens vary per run: runs of 24+ hex digits (and dashes) become `…`.
fn redact(s: &str) -> String {
    let mut out = String::new();
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.chars().filter(char::is_ascii_hexdigit).count() >= 24 {
            out.push('…');
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in s.chars() {
        if c.is_ascii_hexdigit() || c == '-' {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out.replace("><", ">\n<")
}

/// Compares with `tests/carddav/golden/<name>.xml`; `UPDATE_GOLDEN=1` writes it.
pub fn golden(name: &str, body: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/carddav/golden")
        .join(format!("{name}.xml"));
    let got = redact(body);
    if std::env::var_os("UPDATE_GOLDEN").is_some() || !path.exists() {
        std::fs::create_dir_all(path.parent().expect("dir")).expect("golden dir");
        std::fs::write(&path, &got).expect("write golden");
        return;
    }
    let want = std::fs::read_to_string(&path).expect("golden file");
    assert_eq!(got, want, "golden {name} (UPDATE_GOLDEN=1 to accept)");
}

/// School 123456 with a teacher `lehrer2` (password [`OTHER_PW`], terms accepted).
pub async fn other_school(app: &TestApp) -> String {
    let p = &app.platform;
    p.system_create_school("123456", "Goethe-Gymnasium")
        .await
        .expect("school");
    p.system_set_password("123456", "admin", Some(OTHER_PW))
        .await
        .expect("password");
    let admin = app.login_as("123456", "admin", OTHER_PW).await;
    consent(app, &admin).await;
    let a = actor(app, &admin).await;
    p.create_user(
        &a,
        schulhof_domain::admin::NewUser {
            first_name: "Lars".into(),
            last_name: "Lehrer".into(),
            account_type: Some("lehrer".into()),
            function_role: None,
            login: Some("lehrer2".into()),
            password: None,
            external_mail: None,
            holder: None,
            groups: vec![],
        },
    )
    .await
    .expect("teacher");
    p.system_set_password("123456", "lehrer2", Some(OTHER_PW))
        .await
        .expect("password");
    let c = app.login_as("123456", "lehrer2", OTHER_PW).await;
    consent(app, &c).await;
    let admin_a = actor(app, &admin).await;
    let _ = p.set_carddav_enabled(&admin_a, true).await;
    "lehrer2".into()
}

async fn consent(app: &TestApp, cookie: &str) {
    let body = serde_json::json!({ "terms": true, "privacy": true });
    let r = app.call("POST", "/api/v1/consent", cookie, body).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.json);
}

fn vdirsyncer(config: &Path, args: &[&str], input: &str) -> (bool, String) {
    use std::io::Write;
    let mut child = Command::new("vdirsyncer")
        .arg("-c")
        .arg(config)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("vdirsyncer is installed (scripts/ensure-test-deps.sh)");
    if let Some(mut i) = child.stdin.take() {
        let _ = i.write_all(input.as_bytes());
    }
    let out = child.wait_with_output().expect("vdirsyncer");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Serves the app on a free local port for real clients.
pub async fn listen(app: &TestApp) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("port");
    let port = listener.local_addr().expect("addr").port();
    let router = app.router.clone();
    tokio::spawn(async move {
        let svc = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
        let _ = axum::serve(listener, svc).await;
    });
    port
}

fn cards_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// The personal book's id from the web page of the books.
async fn personal_book_id(app: &TestApp, cookie: &str) -> String {
    let page = crate::support::web(app, cookie, "GET", "/adressbuch", &[]).await;
    page.body
        .split("/adressbuch/")
        .skip(1)
        .map(|p| p.chars().take(36).collect::<String>())
        .find(|id| id.len() == 36 && id.chars().nth(8) == Some('-'))
        .expect("a book link")
}

/// vdirsyncer syncs the teacher's personal book down (the demo contacts), a local card up
/// (seen on the web page), a card made on the web page down; with the switch off it fails.
pub async fn vdirsyncer_both_ways(app: &TestApp, admin: &str) {
    let port = listen(app).await;
    let dir = tempfile::tempdir().expect("dir");
    let root: PathBuf = dir.path().to_owned();
    let local = root.join("local");
    std::fs::create_dir_all(&local).expect("local");
    let config = root.join("config");
    let cfg = format!(
        "[general]\nstatus_path = \"{status}/\"\n\n[pair book]\na = \"local\"\nb = \"remote\"\n\
         collections = [[\"persoenlich\", \"persoenlich\", \"persoenlich\"]]\nconflict_resolution = \"b wins\"\n\n\
         [storage local]\ntype = \"filesystem\"\npath = \"{local}/\"\nfileext = \".vcf\"\n\n\
         [storage remote]\ntype = \"carddav\"\nurl = \"http://127.0.0.1:{port}/dav/\"\n\
         username = \"lehrer@100000\"\npassword = \"{DEMO_PW}\"\n",
        status = root.join("status").display(),
        local = local.display(),
    );
    std::fs::write(&config, cfg).expect("config");
    let run = |args: &'static [&'static str], input: &'static str| {
        let config = config.clone();
        tokio::task::spawn_blocking(move || vdirsyncer(&config, args, input))
    };
    let (ok, text) = run(&["discover", "book"], "y\ny\n").await.expect("join");
    assert!(ok, "discover: {text}");
    let (ok, text) = run(&["sync"], "").await.expect("join");
    assert!(ok, "sync: {text}");
    let down = cards_in(&local.join("persoenlich"));
    assert!(
        down.iter().any(|c| c.contains("Reisedienst Rheinland")),
        "the demo contacts came down: {down:?}"
    );
    let up = "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:vds-1\r\nFN:Vera Vdir\r\nEMAIL:vera@example.org\r\nEND:VCARD\r\n";
    std::fs::write(local.join("persoenlich/vds-1.vcf"), up).expect("local card");
    let (ok, text) = run(&["sync"], "").await.expect("join");
    assert!(ok, "sync up: {text}");
    let t = app.ready("lehrer").await;
    let book = personal_book_id(app, &t).await;
    let page = web(app, &t, "GET", &format!("/adressbuch/{book}"), &[]).await;
    assert!(
        page.body.contains("Vera Vdir"),
        "the card from vdirsyncer is on the page"
    );
    let made = web(
        app,
        &t,
        "POST",
        &format!("/adressbuch/{book}/neu"),
        &[
            ("vorname", "Wilma"),
            ("nachname", "Webform"),
            ("email", "wilma@example.org"),
        ],
    )
    .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let (ok, text) = run(&["sync"], "").await.expect("join");
    assert!(ok, "sync down: {text}");
    let down = cards_in(&local.join("persoenlich"));
    assert!(
        down.iter().any(|c| c.contains("Webform")),
        "the card made on the page came down: {down:?}"
    );
    switch(app, admin, false).await;
    let (ok, text) = run(&["sync"], "").await.expect("join");
    assert!(!ok, "with CardDAV off the sync is refused: {text}");
    switch(app, admin, true).await;
}
