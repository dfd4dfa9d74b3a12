//! Shortcuts shared by the file API scenarios.

#![allow(dead_code)]

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;

pub const NIL: &str = "00000000-0000-0000-0000-000000000000";

pub fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

pub fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or("")
}

/// Logs in with a known password and accepts the terms.
pub async fn ready_as(app: &TestApp, school: &str, login: &str, password: &str) -> String {
    let c = app.login_as(school, login, password).await;
    let r = app
        .call(
            "POST",
            "/api/v1/consent",
            &c,
            json!({ "terms": true, "privacy": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "consent {login}");
    c
}

/// A second student of class 5a, `ben`, ready to go.
pub async fn second_student(app: &TestApp, admin: &str) -> String {
    let r = app
        .call(
            "POST",
            "/api/v1/users",
            admin,
            json!({ "first_name": "Ben", "last_name": "Berg", "account_type": "schueler",
                    "login": "ben", "password": "ben-passwort-123", "groups": ["5a"] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    ready_as(app, "100000", "ben", "ben-passwort-123").await
}

/// A second school with a teacher; returns the teacher's and the admin's cookies.
pub async fn second_school(app: &TestApp) -> (String, String) {
    app.platform
        .system_create_school("200000", "Goethe-Gymnasium")
        .await
        .expect("create school");
    app.platform
        .system_set_password("200000", "admin", Some("admin-passwort-b"))
        .await
        .expect("set password");
    let admin = ready_as(app, "200000", "admin", "admin-passwort-b").await;
    let r = app
        .call(
            "POST",
            "/api/v1/users",
            &admin,
            json!({ "first_name": "Lena", "last_name": "Lehmann", "account_type": "lehrer",
                    "login": "lehrer", "password": "b-passwort-123" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let teacher = ready_as(app, "200000", "lehrer", "b-passwort-123").await;
    (teacher, admin)
}
