//! No admin path reaches the Daten-Safe or a private file: a reset of both passwords or a
//! new Schulleitung needs a second person, the admin never sees a Safe password, the owner
//! is notified, everything is audited. On SQLite and PostgreSQL, through the router.
//!
//! In the demo the function accounts `admin` and `schulleitung` are held by the same
//! person (Lena Lehmann, `lehrer`), so the attacker here is a second admin without holder.

use crate::common;
use crate::file_helpers;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{TestApp, code};
use file_helpers::id;
use http_body_util::BodyExt;
use schulhof_store::{Db, backend_tests};
use serde_json::{Value, json};
use tower::ServiceExt;

const ADMIN2_PW: &str = "Zweiter-Admin-2026!";

/// A form POST of the pages: (status, Location, body).
async fn form(
    app: &TestApp,
    path: &str,
    cookie: &str,
    pairs: &[(&str, &str)],
) -> (u16, String, String) {
    let body = pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let req = Request::post(path)
        .header(header::COOKIE, format!("schulhof_session={cookie}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("request");
    let res = app.router.clone().oneshot(req).await.expect("response");
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (
        status,
        location,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// A page GET: (status, body).
async fn page(app: &TestApp, path: &str, cookie: &str) -> (u16, String) {
    let req = Request::get(path)
        .header(header::COOKIE, format!("schulhof_session={cookie}"))
        .body(Body::empty())
        .expect("request");
    let res = app.router.clone().oneshot(req).await.expect("response");
    let status = res.status().as_u16();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// A second admin account held by nobody: a different person from the Schulleitung.
async fn second_admin(app: &TestApp) -> String {
    let admin = app.ready("admin").await;
    let body = json!({ "first_name": "Zweit", "last_name": "Admin", "function_role": "admin",
                       "login": "admin2", "password": ADMIN2_PW });
    let r = app.call("POST", "/api/v1/users", &admin, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let c = app.login_as("100000", "admin2", ADMIN2_PW).await;
    let r = app
        .call(
            "POST",
            "/api/v1/consent",
            &c,
            json!({ "terms": true, "privacy": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.json);
    c
}

/// The pending request of `kind` for `login` as `cookie` sees it.
async fn request_id(app: &TestApp, cookie: &str, kind: &str, login: &str) -> Option<String> {
    let r = app.get("/api/v1/requests", cookie).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    r.json
        .as_array()
        .expect("list")
        .iter()
        .find(|q| q["kind"] == kind && q["target"] == login && q["state"] == "pending")
        .map(|q| q["id"].as_str().expect("id").to_owned())
}

async fn audit_actions(app: &TestApp, admin: &str) -> String {
    let r = app.get("/api/v1/audit", admin).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    r.json.to_string()
}

fn kinds(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("list")
        .iter()
        .map(|n| n["kind"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// (a) A second Schulleitung made by the admin stays inactive, without a password the admin
/// knows, until the Schulleitung confirms; its Safe password goes to the Schulleitung only.
async fn a_second_schulleitung_needs_the_schulleitung(db: Db) {
    let app = TestApp::new(db).await;
    let admin2 = second_admin(&app).await;
    let body = json!({ "first_name": "Neue", "last_name": "Leitung", "function_role": "schulleitung",
                       "login": "sl2", "password": "Selbst-gewaehlt-2026!" });
    let r = app.call("POST", "/api/v1/users", &admin2, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    assert_eq!(r.json["pending_confirmation"], true);
    assert!(r.json["initial_password"].is_null());
    let login = app
        .try_login("100000", "sl2", "Selbst-gewaehlt-2026!", "10.0.0.9")
        .await;
    assert_eq!(
        login.status,
        StatusCode::UNAUTHORIZED,
        "inactive, and no password the admin knows"
    );
    let r = app
        .send(
            "POST",
            "/api/v1/users/sl2/activate",
            Some(&admin2),
            None,
            &[],
        )
        .await;
    assert_eq!(
        (r.status, code(&r)),
        (StatusCode::CONFLICT, "conflict"),
        "{}",
        r.json
    );
    // The admin cannot confirm her own request, and cannot generate a Safe password.
    let req = request_id(&app, &admin2, "schulleitung_create", "sl2")
        .await
        .expect("pending");
    let r = app
        .send(
            "POST",
            &format!("/api/v1/requests/{req}/confirm"),
            Some(&admin2),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.json);
    let (status, location, body) = form(
        &app,
        "/safe/passwoerter",
        &admin2,
        &[("login", "schulleitung")],
    )
    .await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/bestaetigungen?ok=safe_password_requested"),
        "{body}"
    );
    assert!(!body.contains("class=\"secret\""));
    // The Schulleitung (another person) confirms and alone receives sl2's first password.
    let head = app.ready("schulleitung").await;
    let r = app
        .send(
            "POST",
            &format!("/api/v1/requests/{req}/confirm"),
            Some(&head),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let first = r.json["initial_password"]
        .as_str()
        .expect("shown to the Schulleitung")
        .to_owned();
    assert!(
        app.try_login("100000", "sl2", &first, "10.0.0.9")
            .await
            .status
            .is_success()
    );
    // The admin's Safe password request for the Schulleitung: the password goes to the
    // confirming Schulleitung account, never to the admin.
    let req = request_id(&app, &head, "safe_password", "schulleitung").await;
    assert!(
        req.is_none(),
        "nobody confirms a request about the own login"
    );
    let sl2 = app.ready_with("sl2", &first, "Neue-Leitung-2026!x").await;
    let req = request_id(&app, &sl2, "safe_password", "schulleitung")
        .await
        .expect("pending");
    let (status, _, body) = form(
        &app,
        &format!("/bestaetigungen/{req}/bestaetigen"),
        &sl2,
        &[],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("class=\"secret\""),
        "the new Safe password is shown to sl2"
    );
    let mine = app.get("/api/v1/requests", &admin2).await.json.to_string();
    assert!(
        mine.contains("\"confirmed\""),
        "the admin sees the state of her request: {mine}"
    );
    let log = audit_actions(&app, &admin2).await;
    for action in ["four_eyes.request", "four_eyes.confirm", "user.create"] {
        assert!(log.contains(action), "{action} audited");
    }
    let notes = app.get("/api/v1/me/notifications", &head).await;
    assert!(
        kinds(&notes.json).contains(&"safe_password_reset".to_owned()),
        "{}",
        notes.json
    );
}

/// (b) and the private files: after a login reset by the admin the owner's own files and
/// Safe stay closed to whoever logs in, until a second person confirms the reset.
async fn a_login_reset_alone_opens_no_private_area(db: Db) {
    let app = TestApp::new(db).await;
    let teacher = app.ready("lehrer").await;
    let own = app.area_root(&teacher, "own").await.expect("own area");
    let r = app
        .put_file(&teacher, &own, "zeugnisnoten.txt", b"vertraulich")
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let file = id(&r.json);
    let head = app.ready("schulleitung").await;
    let (status, _, body) = form(&app, "/safe/passwoerter", &head, &[("login", "lehrer")]).await;
    assert_eq!(status, 200, "{body}");

    let admin2 = second_admin(&app).await;
    let r = app
        .send(
            "POST",
            "/api/v1/users/lehrer/password",
            Some(&admin2),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let known = r.json["initial_password"]
        .as_str()
        .expect("generated")
        .to_owned();
    let r = app
        .send(
            "POST",
            "/api/v1/users/lehrer/safe-password-reset",
            Some(&admin2),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.json);
    assert!(
        !r.json.to_string().contains("password\":\""),
        "no Safe password for the admin"
    );
    let (_, location, body) =
        form(&app, "/safe/passwoerter", &admin2, &[("login", "lehrer")]).await;
    assert!(location.starts_with("/bestaetigungen") && !body.contains("secret"));

    let as_her = app.ready_with("lehrer", &known, "Uebernommen-2026!x").await;
    assert!(
        app.area_root(&as_her, "own").await.is_none(),
        "own files hidden on hold"
    );
    assert_eq!(
        app.download(&as_her, &file, &[]).await.status,
        StatusCode::NOT_FOUND
    );
    let (status, body) = page(&app, "/safe", &as_her).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("zweite Person"), "a clear message: {body}");
    let notes = kinds(&app.get("/api/v1/me/notifications", &as_her).await.json);
    assert!(
        notes.contains(&"password_reset".into()) && notes.contains(&"private_hold".into()),
        "{notes:?}"
    );
    assert!(
        notes.contains(&"safe_password_requested".into()),
        "{notes:?}"
    );
    let (_, home) = page(&app, "/", &as_her).await;
    assert!(
        home.contains("Ihr Passwort wurde von admin2 zurückgesetzt."),
        "{home}"
    );
    // Nobody confirms their own reset; the Schulleitung (another person) does.
    let req = request_id(&app, &admin2, "login_reset", "lehrer")
        .await
        .expect("listed");
    let r = app
        .send(
            "POST",
            &format!("/api/v1/requests/{req}/confirm"),
            Some(&admin2),
            None,
            &[],
        )
        .await;
    assert_eq!(
        (r.status, code(&r)),
        (StatusCode::FORBIDDEN, "same_person"),
        "{}",
        r.json
    );
    let r = app
        .send(
            "POST",
            &format!("/api/v1/requests/{req}/confirm"),
            Some(&head),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert!(
        app.area_root(&as_her, "own").await.is_some(),
        "released after four eyes"
    );
    assert_eq!(
        app.download(&as_her, &file, &[]).await.status,
        StatusCode::OK
    );
    let notes = kinds(&app.get("/api/v1/me/notifications", &as_her).await.json);
    assert!(notes.contains(&"hold_released".into()), "{notes:?}");
    let log = audit_actions(&app, &admin2).await;
    assert!(log.contains("user.password_reset") && log.contains("four_eyes.confirm"));
}

/// The same person never confirms: the demo's admin and Schulleitung are both Lena's.
async fn the_same_person_cannot_be_both_pairs_of_eyes(db: Db) {
    let app = TestApp::new(db).await;
    let admin = app.ready("admin").await;
    let r = app
        .send(
            "POST",
            "/api/v1/users/personal/password",
            Some(&admin),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let head = app.ready("schulleitung").await;
    let req = request_id(&app, &admin, "login_reset", "personal")
        .await
        .expect("pending");
    let r = app
        .send(
            "POST",
            &format!("/api/v1/requests/{req}/confirm"),
            Some(&head),
            None,
            &[],
        )
        .await;
    assert_eq!(
        (r.status, code(&r)),
        (StatusCode::FORBIDDEN, "same_person"),
        "{}",
        r.json
    );
    // Resetting the Schulleitung's password puts its Safe powers on hold too.
    let r = app
        .send(
            "POST",
            "/api/v1/users/schulleitung/password",
            Some(&admin),
            None,
            &[],
        )
        .await;
    let pw = r.json["initial_password"]
        .as_str()
        .expect("generated")
        .to_owned();
    let head = app
        .ready_with("schulleitung", &pw, "Leitung-neu-2026!x")
        .await;
    let (status, body) = page(&app, "/safe", &head).await;
    assert_eq!(status, 403, "{body}");
    let (status, _, body) = form(&app, "/safe/passwoerter", &head, &[("login", "lehrer")]).await;
    assert!(
        !body.contains("class=\"secret\""),
        "{status}: no Safe password while on hold"
    );
}

backend_tests!(
    a_second_schulleitung_needs_the_schulleitung,
    a_login_reset_alone_opens_no_private_area,
    the_same_person_cannot_be_both_pairs_of_eyes,
);
