//! Password hygiene through the real router, on SQLite and PostgreSQL: the most common
//! passwords are refused on change and reset, and a password change (own, by the admin, by
//! the operator, on any node) ends every app password and every remembered WebDAV login.

use crate::common;
use crate::security_support;
use axum::Router;
use axum::http::StatusCode;
use common::{DEMO_PW, TestApp};
use schulhof_store::{Db, backend_tests};
use security_support::{dav_request, second_node};
use serde_json::json;
use tower::ServiceExt;

async fn common_passwords_are_refused_on_change_and_reset(db: Db) {
    let app = TestApp::new(db).await;
    let c = app.ready("personal").await;
    for weak in ["Sommer2025!", "passwort123", "hallo1234", "Demo-Gymnasium1"] {
        let body = json!({ "old": DEMO_PW, "new": weak });
        let r = app.call("POST", "/api/v1/me/password", &c, body).await;
        assert_eq!(
            (r.status, r.json["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("password")),
            "{weak}: {}",
            r.json
        );
    }
    let admin = app.ready("admin").await;
    let reset = json!({ "password": "Schule2026" });
    let r = app
        .call("POST", "/api/v1/users/schueler/password", &admin, reset)
        .await;
    assert_eq!(r.json["field"], "password", "{}", r.json);
    assert_eq!(
        app.try_login("100000", "schueler", DEMO_PW, "10.0.0.5")
            .await
            .status,
        StatusCode::OK
    );
    let good = json!({ "old": DEMO_PW, "new": "Kreide-und-Tafel-7" });
    assert_eq!(
        app.call("POST", "/api/v1/me/password", &c, good)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
}

/// A WebDAV request with Basic credentials; the status.
async fn dav(router: &Router, user: &str, password: &str) -> StatusCode {
    let r = dav_request(user, password, "10.0.0.9");
    router.clone().oneshot(r).await.expect("response").status()
}

async fn app_password(app: &TestApp, cookie: &str) -> String {
    let r = app
        .call(
            "POST",
            "/api/v1/me/app-passwords",
            cookie,
            json!({ "label": "Dateimanager" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    r.json["password"].as_str().expect("password").to_owned()
}

async fn a_password_change_ends_app_passwords_and_remembered_credentials(db: Db) {
    let app = TestApp::new(db.clone()).await;
    let (other, node_b) = second_node(&app, db);
    let c = app.ready("lehrer").await;
    let device = app_password(&app, &c).await;
    let node_a = app.router.clone();
    assert_eq!(
        dav(&node_a, "lehrer", &device).await,
        StatusCode::MULTI_STATUS
    );
    assert_eq!(
        dav(&node_a, "lehrer", DEMO_PW).await,
        StatusCode::MULTI_STATUS
    );
    // The change happens on the other node (here: by the operator, which ends no session).
    other
        .system_set_password("100000", "lehrer", Some("Kreide-und-Tafel-7"))
        .await
        .expect("set password");
    assert_eq!(
        dav(&node_a, "lehrer", &device).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        dav(&node_a, "lehrer", DEMO_PW).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        dav(&node_b, "lehrer", "Kreide-und-Tafel-7").await,
        StatusCode::MULTI_STATUS
    );

    // The own change in Mein Konto and a reset by the admin revoke them too.
    let c = app.login_as("100000", "lehrer", "Kreide-und-Tafel-7").await;
    let device = app_password(&app, &c).await;
    assert_eq!(
        dav(&node_a, "lehrer", &device).await,
        StatusCode::MULTI_STATUS
    );
    let change = json!({ "old": "Kreide-und-Tafel-7", "new": "Schwamm-und-Eimer-8" });
    let r = app
        .send("POST", "/api/v1/me/password", Some(&c), Some(change), &[])
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.json);
    assert_eq!(
        dav(&node_a, "lehrer", &device).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/me/app-passwords", &c).await.json,
        json!([])
    );
    let device = app_password(&app, &c).await;
    let admin = app.ready("admin").await;
    let r = app
        .call("POST", "/api/v1/users/lehrer/password", &admin, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(
        dav(&node_b, "lehrer", &device).await,
        StatusCode::UNAUTHORIZED
    );
}

backend_tests!(
    common_passwords_are_refused_on_change_and_reset,
    a_password_change_ends_app_passwords_and_remembered_credentials,
);
