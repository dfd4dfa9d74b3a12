//! Sharing across schools on SQLite and PostgreSQL is no directory of other schools: an
//! offer to `login@schulnummer` answers the same whether that login or school exists, the
//! sharer sees only the address it typed, nothing is readable before the recipient accepts,
//! students get offers only when their school allows it, function accounts never, and the
//! offers of one login are limited per hour.

use crate::common;
use crate::file_api;
use crate::file_helpers;
use axum::http::StatusCode;
use common::{TestApp, code};
use file_api::*;
use file_helpers::id;
use schulhof_store::{Db, backend_tests};
use serde_json::{Value, json};

async fn offer(app: &TestApp, cookie: &str, node: &str, subject: &str) -> common::Reply {
    app.call(
        "POST",
        &format!("/api/v1/files/{node}/grants"),
        cookie,
        json!({ "subject": subject, "role": "viewer" }),
    )
    .await
}

/// The demo teacher with files.own.share_cross, and a folder with a file in its own area.
async fn sharer(app: &TestApp) -> (String, String, String) {
    let admin = app.ready("admin").await;
    let r = app
        .send(
            "PUT",
            "/api/v1/users/lehrer/rights/files.own.share_cross",
            Some(&admin),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.json);
    let t = app.ready("lehrer").await;
    let own = app.area_root(&t, "own").await.expect("own");
    let folder = app.mkdir(&t, &own, "Austausch").await;
    let file = id(&app.put_file(&t, &folder, "plan.txt", b"Plan B").await.json);
    (t, folder, file)
}

/// A teacher of the second school, `bruno` (Bruno Berger), ready to go.
async fn teacher_b(app: &TestApp, b_admin: &str) -> String {
    let r = app
        .call(
            "POST",
            "/api/v1/users",
            b_admin,
            json!({ "first_name": "Bruno", "last_name": "Berger", "account_type": "lehrer",
                    "login": "bruno", "password": "bruno-passwort-123" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    ready_as(app, "200000", "bruno", "bruno-passwort-123").await
}

/// A student of the second school, `sina`.
async fn student_b(app: &TestApp, b_admin: &str) -> String {
    let r = app
        .call(
            "POST",
            "/api/v1/users",
            b_admin,
            json!({ "first_name": "Sina", "last_name": "Sommer", "account_type": "schueler",
                    "login": "sina", "password": "sina-passwort-123" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    ready_as(app, "200000", "sina", "sina-passwort-123").await
}

/// What the sharer learns from an answer: everything but the address it typed and the key.
fn shape(r: &common::Reply) -> (StatusCode, Value) {
    let mut v = r.json.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("key");
        o.remove("label");
    }
    (r.status, v)
}

async fn an_offer_tells_nothing_about_the_recipient(db: Db) {
    let app = TestApp::new(db).await;
    let (_, b_admin) = second_school(&app).await;
    teacher_b(&app, &b_admin).await;
    student_b(&app, &b_admin).await;
    let (t, folder, _) = sharer(&app).await;
    let exists = offer(&app, &t, &folder, "bruno@200000").await;
    assert_eq!(exists.status, StatusCode::ACCEPTED, "{}", exists.json);
    assert_eq!(str_of(&exists.json, "kind"), "offer");
    assert_eq!(str_of(&exists.json, "label"), "bruno@200000");
    for other in [
        "niemand@200000",
        "lehrer@999999",
        "admin@200000",
        "sina@200000",
    ] {
        let r = offer(&app, &t, &folder, other).await;
        assert_eq!(shape(&r), shape(&exists), "{other}: {}", r.json);
        assert_eq!(str_of(&r.json, "label"), other);
    }
    // The grant list names addresses, never persons or schools.
    let list = app.get(&format!("/api/v1/files/{folder}/grants"), &t).await;
    let text = list.json.to_string();
    for secret in ["Bruno", "Berger", "Sina", "Sommer", "Goethe"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    assert!(text.contains("bruno@200000") && text.contains("niemand@200000"));
}

async fn without_the_right_no_school_number_is_confirmed(db: Db) {
    let app = TestApp::new(db).await;
    second_school(&app).await;
    let t = app.ready("lehrer").await;
    let own = app.area_root(&t, "own").await.expect("own");
    let folder = app.mkdir(&t, &own, "Austausch").await;
    let exists = offer(&app, &t, &folder, "lehrer@200000").await;
    let missing = offer(&app, &t, &folder, "lehrer@999999").await;
    assert_eq!(exists.status, StatusCode::FORBIDDEN, "{}", exists.json);
    assert_eq!(
        (missing.status, &missing.json),
        (exists.status, &exists.json)
    );
}

async fn nothing_is_readable_before_the_recipient_accepts(db: Db) {
    let app = TestApp::new(db).await;
    let (_, b_admin) = second_school(&app).await;
    let guest = teacher_b(&app, &b_admin).await;
    let (t, folder, file) = sharer(&app).await;
    let r = offer(&app, &t, &folder, "bruno@200000").await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.json);
    // Pending: not shared, not readable.
    let overview = app.get("/api/v1/files", &guest).await;
    assert_eq!(overview.json["shared_with_me"], json!([]));
    for path in [
        format!("/api/v1/files/{folder}"),
        format!("/api/v1/files/{file}"),
    ] {
        assert_eq!(app.get(&path, &guest).await.status, StatusCode::NOT_FOUND);
    }
    assert_eq!(
        app.download(&guest, &file, &[]).await.status,
        StatusCode::NOT_FOUND
    );
    // The recipient sees the offer with the sharing school and the sharer.
    let offers = app.get("/api/v1/files/offers", &guest).await;
    let list = offers.json.as_array().expect("offers");
    assert_eq!(list.len(), 1, "{}", offers.json);
    assert_eq!(list[0]["name"], "Austausch");
    assert_eq!(list[0]["school_number"], "100000");
    assert_eq!(list[0]["school_name"], "Demo-Gymnasium");
    assert!(!str_of(&list[0], "shared_by").is_empty());
    let id = str_of(&list[0], "id").to_owned();
    // Nobody else can answer it.
    let b_other = app.ready("lehrer").await;
    let r = app
        .send(
            "POST",
            &format!("/api/v1/files/offers/{id}/accept"),
            Some(&b_other),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.json);
    let r = app
        .send(
            "POST",
            &format!("/api/v1/files/offers/{id}/accept"),
            Some(&guest),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.json);
    assert_eq!(app.download(&guest, &file, &[]).await.body, b"Plan B");
    // Accepted: the sharer sees the address still, not the name.
    let list = app.get(&format!("/api/v1/files/{folder}/grants"), &t).await;
    let text = list.json.to_string();
    assert!(
        text.contains("bruno@200000") && !text.contains("Berger"),
        "{text}"
    );
    // Declining ends it again.
    let r = app
        .send(
            "POST",
            &format!("/api/v1/files/offers/{id}/decline"),
            Some(&guest),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.json);
    assert_eq!(
        app.download(&guest, &file, &[]).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn students_and_function_accounts_get_offers_only_as_allowed(db: Db) {
    let app = TestApp::new(db).await;
    let (_, b_admin) = second_school(&app).await;
    let sina = student_b(&app, &b_admin).await;
    let (t, folder, _) = sharer(&app).await;
    for to in ["sina@200000", "admin@200000"] {
        let r = offer(&app, &t, &folder, to).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.json);
    }
    for who in [&sina, &b_admin] {
        let offers = app.get("/api/v1/files/offers", who).await;
        assert_eq!(offers.json, json!([]), "dropped silently");
    }
    // The school allows its students to accept: new offers reach them.
    let r = app.get("/api/v1/school/cross-sharing", &b_admin).await;
    assert_eq!(r.json["students_may_accept"], false, "off by default");
    let r = app
        .send(
            "GET",
            "/api/v1/school/cross-sharing",
            Some(&sina),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .call(
            "PUT",
            "/api/v1/school/cross-sharing",
            &b_admin,
            json!({ "students_may_accept": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.json);
    let second = app.mkdir(&t, &folder, "Für Sina").await;
    let r = offer(&app, &t, &second, "sina@200000").await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.json);
    let offers = app.get("/api/v1/files/offers", &sina).await;
    assert_eq!(
        offers.json.as_array().map(Vec::len),
        Some(1),
        "{}",
        offers.json
    );
    // Switched off again: the pending offer can no longer be accepted.
    let id = str_of(&offers.json[0], "id").to_owned();
    app.call(
        "PUT",
        "/api/v1/school/cross-sharing",
        &b_admin,
        json!({ "students_may_accept": false }),
    )
    .await;
    let r = app
        .send(
            "POST",
            &format!("/api/v1/files/offers/{id}/accept"),
            Some(&sina),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.json);
    let admin_offers = app.get("/api/v1/files/offers", &b_admin).await;
    assert_eq!(admin_offers.json, json!([]));
}

async fn offers_are_limited_per_hour(db: Db) {
    let app = TestApp::new(db).await;
    let (t, folder, _) = sharer(&app).await;
    for i in 0..30 {
        let r = offer(&app, &t, &folder, &format!("probe{i}@200000")).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{i}: {}", r.json);
    }
    let r = offer(&app, &t, &folder, "probe30@200000").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.json);
    assert_eq!(code(&r), "rate_limited");
    assert!(r.headers.get("retry-after").is_some());
    app.advance(chrono::Duration::minutes(61));
    // The session went idle meanwhile.
    let t = app.ready("lehrer").await;
    let r = offer(&app, &t, &folder, "probe30@200000").await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.json);
}

backend_tests!(
    an_offer_tells_nothing_about_the_recipient,
    without_the_right_no_school_number_is_confirmed,
    nothing_is_readable_before_the_recipient_accepts,
    students_and_function_accounts_get_offers_only_as_allowed,
    offers_are_limited_per_hour,
);
