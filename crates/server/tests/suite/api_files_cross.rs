//! Sharing across schools on SQLite and PostgreSQL: only with the O-right
//! files.*.share_cross, only by name (`login@schulnummer`), only to read, only once the
//! recipient accepted the offer; the guest sees exactly what was shared, never its
//! surroundings, and loses it with the share.

use crate::common;
use crate::file_api;
use crate::file_helpers;
use axum::http::StatusCode;
use common::TestApp;
use file_api::*;
use file_helpers::id;
use schulhof_store::{Db, backend_tests};
use serde_json::json;

async fn grant(
    app: &TestApp,
    cookie: &str,
    node: &str,
    subject: &str,
    role: &str,
) -> common::Reply {
    app.call(
        "POST",
        &format!("/api/v1/files/{node}/grants"),
        cookie,
        json!({ "subject": subject, "role": role }),
    )
    .await
}

async fn a_teacher_shares_a_folder_with_a_teacher_of_another_school_to_read(db: Db) {
    let app = TestApp::new(db).await;
    let (guest, b_admin) = second_school(&app).await;
    let t = app.ready("lehrer").await;
    let admin = app.ready("admin").await;
    let own = app.area_root(&t, "own").await.expect("own");
    let folder = app.mkdir(&t, &own, "Austausch").await;
    let secret = app.mkdir(&t, &own, "Privat").await;
    let plan = id(&app.put_file(&t, &folder, "plan.txt", b"Plan B").await.json);
    app.put_file(&t, &secret, "geheim.txt", b"nur A").await;

    // Without the O-right nobody of another school can even be offered anything.
    let r = grant(&app, &t, &folder, "lehrer@200000", "viewer").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.json);

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

    let r = grant(&app, &t, &folder, "lehrer@200000", "contributor").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    assert!(
        str_of(&r.json, "message").contains("nur lesen"),
        "{}",
        r.json
    );
    // An unknown login gets an offer like any other (nobody will ever see it).
    let r = grant(&app, &t, &folder, "niemand@200000", "viewer").await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.json);
    // The right is per area: the Unterricht needs files.teaching.share_cross.
    let teaching = app.area_root(&t, "teaching").await.expect("teaching");
    let course = app.mkdir(&admin, &teaching, "Kurs").await;
    let r = grant(&app, &t, &course, "lehrer@200000", "viewer").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.json);

    let r = grant(&app, &t, &folder, "lehrer@200000", "viewer").await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.json);
    assert_eq!(str_of(&r.json, "kind"), "offer");
    assert_eq!(str_of(&r.json, "label"), "lehrer@200000", "{}", r.json);
    let key = str_of(&r.json, "key").to_owned();
    assert!(key.starts_with("o:"), "{key}");

    // Nothing to read until the guest accepts the offer.
    assert_eq!(
        app.download(&guest, &plan, &[]).await.status,
        StatusCode::NOT_FOUND
    );
    let offers = app.get("/api/v1/files/offers", &guest).await;
    let offer = str_of(&offers.json[0], "id").to_owned();
    let r = app
        .send(
            "POST",
            &format!("/api/v1/files/offers/{offer}/accept"),
            Some(&guest),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.json);

    // The guest finds it under "shared with me", with the school that shared it, and reads.
    let overview = app.get("/api/v1/files", &guest).await;
    let shared = overview.json["shared_with_me"].as_array().expect("shared");
    assert_eq!(shared.len(), 1, "{}", overview.json);
    assert_eq!(shared[0]["name"], "Austausch");
    assert_eq!(shared[0]["role"], "viewer");
    assert!(str_of(&shared[0], "shared_by").contains("(100000)"));
    let listing = app.get(&format!("/api/v1/files/{folder}"), &guest).await;
    assert_eq!(listing.status, StatusCode::OK, "{}", listing.json);
    assert_eq!(listing.json["children"][0]["name"], "plan.txt");
    assert_eq!(app.download(&guest, &plan, &[]).await.body, b"Plan B");

    // Only reading: no upload, no folder, no renaming, deleting, sharing or copying out.
    let b_own = app
        .area_root(&guest, "own")
        .await
        .expect("guest's own area");
    assert_eq!(
        app.put_file(&guest, &folder, "x.txt", b"x").await.status,
        StatusCode::FORBIDDEN
    );
    for (method, path, body) in [
        (
            "POST",
            format!("/api/v1/files/{folder}/folders"),
            Some(json!({ "name": "x" })),
        ),
        (
            "PATCH",
            format!("/api/v1/files/{plan}"),
            Some(json!({ "name": "x.txt" })),
        ),
        ("DELETE", format!("/api/v1/files/{plan}"), None),
        (
            "POST",
            format!("/api/v1/files/{folder}/grants"),
            Some(json!({ "subject": "lehrer", "role": "viewer" })),
        ),
        (
            "POST",
            format!("/api/v1/files/{folder}/links"),
            Some(json!({ "mode": "read" })),
        ),
        ("GET", format!("/api/v1/files/{folder}/grants"), None),
    ] {
        let r = app.send(method, &path, Some(&guest), body, &[]).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{method} {path}: {}",
            r.json
        );
    }
    let r = app
        .call(
            "POST",
            &format!("/api/v1/files/{plan}/copy"),
            &guest,
            json!({ "parent": b_own }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
    assert!(app.names(&guest, &b_own).await.is_empty());

    // Nothing around the share: not the owner's area, not the sibling folder.
    let secret_file = app.names(&t, &secret).await;
    assert_eq!(secret_file, ["geheim.txt"]);
    for node in [&own, &secret] {
        assert_eq!(
            app.get(&format!("/api/v1/files/{node}"), &guest)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
    // Nobody else of the other school: the share names one login.
    let r = app.get(&format!("/api/v1/files/{folder}"), &b_admin).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The share ends: the guest no longer finds anything.
    let r = app
        .del(&t, &format!("/api/v1/files/{folder}/grants/{key}"))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.json);
    assert_eq!(
        app.get(&format!("/api/v1/files/{folder}"), &guest)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.download(&guest, &plan, &[]).await.status,
        StatusCode::NOT_FOUND
    );
    let overview = app.get("/api/v1/files", &guest).await;
    assert_eq!(overview.json["shared_with_me"], json!([]));

    // The admin's audit log shows the cross-school share and its end.
    let log = app.get("/api/v1/audit", &admin).await;
    let text = log.json.to_string();
    assert!(text.contains("file_share_cross"), "{text}");
    assert!(text.contains("file_unshare"), "{text}");
}

backend_tests!(a_teacher_shares_a_folder_with_a_teacher_of_another_school_to_read,);
