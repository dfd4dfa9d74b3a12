//! The operators' console through the whole application, on SQLite and PostgreSQL: login
//! with password and TOTP at `/betrieb/anmelden`, the one-time password replaced first,
//! roles (support and dpo get 403), school sessions and operator sessions kept apart, and
//! no path — pages, JSON API, WebDAV, CalDAV, IMAP, SMTP — that lets an operator read a
//! school's content. And `schulhof operator create` on the command line.

use crate::cli_support;
use crate::common;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use common::{DEMO_PW, TestApp};
use http_body_util::BodyExt;
use schulhof_domain::operators::totp;
use schulhof_store::{Db, backend_tests};
use tower::ServiceExt;

const NEW_PW: &str = "ein-langes-betriebspasswort";

struct Page {
    status: StatusCode,
    location: String,
    cookie: Option<String>,
    body: String,
}

async fn send(app: &TestApp, req: Request<Body>) -> Page {
    let res = app.router.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let header_text = |name| {
        res.headers()
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let location = header_text(header::LOCATION).concat();
    let cookie = header_text(header::SET_COOKIE)
        .into_iter()
        .find(|c| c.starts_with("schulhof_betrieb=") && !c.starts_with("schulhof_betrieb=;"));
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    Page {
        status,
        location,
        cookie,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path)
        .header(header::COOKIE, cookie)
        .header("x-forwarded-for", "10.9.0.1")
        .body(Body::empty())
        .expect("request")
}

fn post(path: &str, cookie: &str, form: &[(&str, &str)]) -> Request<Body> {
    let body = form
        .iter()
        .map(|(k, v)| format!("{k}={}", v.replace(' ', "+")))
        .collect::<Vec<_>>()
        .join("&");
    Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("x-forwarded-for", "10.9.0.1")
        .body(Body::from(body))
        .expect("request")
}

/// The key in an `otpauth://` URI.
fn secret_of(uri: &str) -> Vec<u8> {
    let b32 = uri
        .split(['?', '&'])
        .find_map(|kv| kv.strip_prefix("secret="))
        .expect("secret");
    let (mut out, mut buffer, mut bits) = (Vec::new(), 0u32, 0u32);
    for c in b32.bytes() {
        let v = if c.is_ascii_uppercase() {
            c - b'A'
        } else {
            c - b'2' + 26
        };
        buffer = (buffer << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

fn code(app: &TestApp, secret: &[u8]) -> String {
    totp::code_at_step(secret, totp::step_at(app.platform.now().timestamp()))
}

/// Creates an operator, logs in through the page and replaces the one-time password;
/// returns the `Cookie` header value and the login.
async fn operator(app: &TestApp, login: &str, role: &str) -> (String, String, String) {
    let created = app
        .platform
        .system_create_operator(login, role)
        .await
        .expect("create");
    let secret = secret_of(&created.otpauth_uri);
    app.advance(chrono::Duration::seconds(totp::PERIOD));
    let code = code(app, &secret);
    let form = [
        ("login", login),
        ("passwort", created.one_time_password.as_str()),
        ("code", code.as_str()),
    ];
    let r = send(app, post("/betrieb/anmelden", "", &form)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let set = r.cookie.expect("operator cookie");
    assert!(
        set.contains("Path=/betrieb") && set.contains("HttpOnly"),
        "{set}"
    );
    let cookie = set.split(';').next().expect("pair").to_owned();
    // Held at the password page until the one-time password is replaced.
    let r = send(app, get("/betrieb/", &cookie)).await;
    assert_eq!(
        (r.status, r.location.as_str()),
        (StatusCode::SEE_OTHER, "/betrieb/passwort")
    );
    let pw = [
        ("old", created.one_time_password.as_str()),
        ("new", NEW_PW),
        ("repeat", NEW_PW),
    ];
    let r = send(app, post("/betrieb/passwort", &cookie, &pw)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let value = cookie.trim_start_matches("schulhof_betrieb=").to_owned();
    (cookie, value, created.login)
}

async fn the_console_needs_totp_and_keeps_roles_apart(db: Db) {
    let app = TestApp::new(db).await;
    // Nobody signed in: to the console's own login.
    let r = send(&app, get("/betrieb/", "")).await;
    assert_eq!(
        (r.status, r.location.as_str()),
        (StatusCode::SEE_OTHER, "/betrieb/anmelden")
    );
    let r = send(&app, get("/betrieb/anmelden", "")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("name=\"code\"") && r.body.contains("autocomplete=\"one-time-code\""));
    // Password without the code: refused, no cookie.
    let made = app
        .platform
        .system_create_operator("ohne.code", "operator-admin")
        .await
        .expect("create");
    let form = [
        ("login", "ohne.code"),
        ("passwort", made.one_time_password.as_str()),
        ("code", ""),
    ];
    let r = send(&app, post("/betrieb/anmelden", "", &form)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert!(r.cookie.is_none());

    let (admin, _, _) = operator(&app, "root.betrieb", "operator-admin").await;
    let r = send(&app, get("/betrieb/", &admin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("Demo-Gymnasium") && r.body.contains("data-count=\"accounts\">7<"),
        "{}",
        r.body
    );
    let create = [("schulnummer", "200002"), ("name", "Neue Schule")];
    let r = send(&app, post("/betrieb/schulen", &admin, &create)).await;
    assert_eq!(
        (r.status, r.location.as_str()),
        (
            StatusCode::SEE_OTHER,
            "/betrieb/schulen/200002?ok=op_school_created"
        )
    );
    let r = send(&app, get("/betrieb/schulen/200002", &admin)).await;
    assert!(
        r.body.contains("Neue Schule") && r.body.contains("200002.nrw.schule"),
        "{}",
        r.body
    );
    let r = send(&app, get("/betrieb/protokoll", &admin)).await;
    assert!(
        r.status == StatusCode::OK && r.body.contains("school.create"),
        "{}",
        r.body
    );
    for path in ["/betrieb/vorgaben", "/betrieb/schulen/200002/loeschen"] {
        assert_eq!(
            send(&app, get(path, &admin)).await.status,
            StatusCode::OK,
            "{path}"
        );
    }

    // Support and dpo see the list but change nothing: 403.
    for (login, role) in [("sam.support", "support"), ("dora.dsb", "dpo")] {
        let (cookie, _, _) = operator(&app, login, role).await;
        assert_eq!(
            send(&app, get("/betrieb/", &cookie)).await.status,
            StatusCode::OK
        );
        let r = send(
            &app,
            post(
                "/betrieb/schulen",
                &cookie,
                &[("schulnummer", "200003"), ("name", "X")],
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{role}: {}", r.body);
        for path in [
            "/betrieb/vorgaben",
            "/betrieb/protokoll",
            "/betrieb/schulen/100000/loeschen",
        ] {
            assert_eq!(
                send(&app, get(path, &cookie)).await.status,
                StatusCode::FORBIDDEN,
                "{role} {path}"
            );
        }
        for path in [
            "/betrieb/schulen/100000/aktiv",
            "/betrieb/schulen/100000/umbenennen",
        ] {
            let r = send(&app, post(path, &cookie, &[("name", "X")])).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role} {path}");
        }
    }
    let r = send(&app, get("/betrieb/schulen/200003", &admin)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "nothing was created");

    // School accounts never reach the console, whatever cookie they send.
    for login in ["lehrer", "admin", "schulleitung"] {
        let school = app.ready(login).await;
        for cookie in [
            format!("schulhof_session={school}"),
            format!("schulhof_betrieb={school}"),
        ] {
            let r = send(&app, get("/betrieb/", &cookie)).await;
            assert_eq!(
                (r.status, r.location.as_str()),
                (StatusCode::SEE_OTHER, "/betrieb/anmelden"),
                "{login}"
            );
            let r = send(&app, post("/betrieb/schulen", &cookie, &create)).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{login}");
        }
    }

    // Deactivated through the console: the school's logins are refused.
    let r = send(&app, post("/betrieb/schulen/100000/aktiv", &admin, &[])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let refused = app.try_login("100000", "lehrer", DEMO_PW, "10.9.0.2").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.json);
    let r = send(
        &app,
        post("/betrieb/schulen/100000/aktiv", &admin, &[("aktiv", "ja")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let again = app.try_login("100000", "lehrer", DEMO_PW, "10.9.0.2").await;
    assert_eq!(again.status, StatusCode::OK);

    // Delete: the confirmation must name the school.
    let r = send(
        &app,
        post(
            "/betrieb/schulen/200002/loeschen",
            &admin,
            &[("bestaetigung", "1")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = send(
        &app,
        post(
            "/betrieb/schulen/200002/loeschen",
            &admin,
            &[("bestaetigung", "200002")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        send(&app, get("/betrieb/schulen/200002", &admin))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Logout ends the operator session.
    let r = send(&app, post("/betrieb/abmelden", &admin, &[])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = send(&app, get("/betrieb/", &admin)).await;
    assert_eq!(
        (r.status, r.location.as_str()),
        (StatusCode::SEE_OTHER, "/betrieb/anmelden")
    );
}

fn basic(user: &str, password: &str) -> String {
    let raw = format!("{user}:{password}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

async fn operators_cannot_read_school_content_through_any_path(db: Db) {
    let app = TestApp::new(db).await;
    let (_, value, login) = operator(&app, "root.betrieb", "operator-admin").await;
    // The operator's session, under either cookie name: no school page opens.
    let cookies = [
        format!("schulhof_session={value}"),
        format!("schulhof_betrieb={value}"),
    ];
    let pages = [
        "/dateien",
        "/mail",
        "/kalender",
        "/adressbuch",
        "/safe",
        "/mediathek",
        "/konto",
        "/gruppen",
        "/verwaltung/benutzer",
        "/verwaltung/protokoll",
    ];
    for cookie in &cookies {
        for path in pages {
            let r = send(&app, get(path, cookie)).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{path} with {cookie}");
            assert!(
                r.location.starts_with("/anmelden"),
                "{path}: {}",
                r.location
            );
        }
        for path in [
            "/api/v1/me",
            "/api/v1/files",
            "/api/v1/me/storage",
            "/api/v1/media",
            "/api/v1/links",
            "/api/v1/audit",
        ] {
            let r = send(&app, get(path, cookie)).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path} with {cookie}");
        }
        for path in ["/dav/files/", "/dav/calendars/", "/dav/calendars/lehrer/"] {
            let req = Request::builder()
                .method("PROPFIND")
                .uri(path)
                .header(header::COOKIE, cookie.as_str())
                .header("depth", "1")
                .body(Body::empty())
                .expect("request");
            assert_eq!(
                send(&app, req).await.status,
                StatusCode::UNAUTHORIZED,
                "{path}"
            );
        }
    }
    // The operator's name and password, in every form a client could send them.
    let users = [
        login.clone(),
        format!("{login}@100000"),
        format!("{login}@betrieb"),
    ];
    for user in &users {
        for path in ["/dav/files/", "/dav/calendars/"] {
            let req = Request::builder()
                .method("PROPFIND")
                .uri(path)
                .header(header::AUTHORIZATION, basic(user, NEW_PW))
                .header("depth", "1")
                .header("x-forwarded-for", "10.9.0.3")
                .body(Body::empty())
                .expect("request");
            assert_eq!(
                send(&app, req).await.status,
                StatusCode::UNAUTHORIZED,
                "{path} as {user}"
            );
        }
        let api = app.try_login("100000", user, NEW_PW, "10.9.0.3").await;
        assert_eq!(api.status, StatusCode::UNAUTHORIZED, "API login as {user}");
        let imap =
            schulhof_imap::store::MailStore::login(&app.platform, user, NEW_PW, "10.9.0.3").await;
        assert!(imap.is_err(), "IMAP login as {user}");
        let smtp =
            schulhof_smtp::backend::MailBackend::login(&app.platform, user, NEW_PW, "10.9.0.3")
                .await;
        assert!(smtp.is_err(), "SMTP AUTH as {user}");
    }
}

backend_tests!(
    the_console_needs_totp_and_keeps_roles_apart,
    operators_cannot_read_school_content_through_any_path,
);

fn create_operator_on_the_command_line(db: &[&str]) {
    use cli_support::{run, text};
    let out = run(
        &[
            "operator",
            "create",
            "--login",
            "anna.betrieb",
            "--role",
            "operator-admin",
        ],
        db,
        None,
    );
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(
        t.contains("otpauth://totp/Schulhof%20Betrieb:anna.betrieb?secret="),
        "{t}"
    );
    assert!(t.contains("One-time password"), "{t}");
    let again = run(
        &[
            "operator",
            "create",
            "--login",
            "anna.betrieb",
            "--role",
            "support",
        ],
        db,
        None,
    );
    assert!(
        !again.status.success() && text(&again).contains("already exists"),
        "{}",
        text(&again)
    );
    let bad = run(
        &["operator", "create", "--login", "bert", "--role", "chef"],
        db,
        None,
    );
    assert!(
        !bad.status.success() && text(&bad).contains("operator-admin, support or dpo"),
        "{}",
        text(&bad)
    );
    // The list shows login, role and state; a reset gives a new password and a new key.
    let list = run(&["operator", "list"], db, None);
    let l = text(&list);
    assert!(list.status.success(), "{l}");
    assert!(
        l.contains("anna.betrieb\toperator-admin\tactive, password to change"),
        "{l}"
    );
    let reset = run(&["operator", "reset", "--login", "anna.betrieb"], db, None);
    let r = text(&reset);
    assert!(reset.status.success(), "{r}");
    assert!(
        r.contains("One-time password") && r.contains("otpauth://totp/"),
        "{r}"
    );
    let old_key = t.split("secret=").nth(1).map(|k| &k[..16]).expect("key");
    assert!(!r.contains(old_key), "a new TOTP key: {r}");
    // Ten recovery codes at creation, ten new ones at the reset.
    let codes = |out: &str| -> Vec<String> {
        out.lines()
            .map(str::trim)
            .filter(|l| l.len() == 19 && l.matches('-').count() == 3)
            .map(str::to_owned)
            .collect()
    };
    let (first, second) = (codes(&t), codes(&r));
    assert_eq!(first.len(), 10, "{t}");
    assert_eq!(second.len(), 10, "{r}");
    assert!(first.iter().all(|c| !second.contains(c)), "new codes: {r}");
    let nobody = run(&["operator", "reset", "--login", "niemand"], db, None);
    assert!(!nobody.status.success(), "{}", text(&nobody));
}

#[test]
fn operator_create_on_sqlite() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().to_str().expect("path");
    create_operator_on_the_command_line(&["--data", data]);
}

#[tokio::test(flavor = "multi_thread")]
async fn operator_create_on_postgres() {
    let t = schulhof_store::testing::TestDb::postgres().await;
    t.db.close().await;
    let url = t.url.clone();
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().to_str().expect("path").to_owned();
    tokio::task::spawn_blocking(move || {
        create_operator_on_the_command_line(&["--database", &url, "--data", &data])
    })
    .await
    .expect("joined");
}
