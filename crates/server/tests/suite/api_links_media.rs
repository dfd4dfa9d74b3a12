//! Share links and the Mediathek through the JSON API, on SQLite and PostgreSQL.

use crate::common;
use crate::file_helpers;
use axum::http::StatusCode;
use common::TestApp;
use file_helpers::id;
use schulhof_store::{Db, backend_tests};
use serde_json::json;

async fn links_are_created_listed_and_revoked(db: Db) {
    let app = TestApp::new(db).await;
    let t = app.ready("lehrer").await;
    let own = app.area_root(&t, "own").await.expect("own");
    let f = app.put_file(&t, &own, "brief.txt", b"Liebe Eltern").await;
    assert_eq!(f.status, StatusCode::CREATED);
    let file = id(&f.json);
    let r = app
        .call(
            "POST",
            &format!("/api/v1/files/{file}/links"),
            &t,
            json!({ "password": "elternabend" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let token = r.json["token"].as_str().expect("token").to_owned();
    let link = r.json["link"]["id"].as_str().expect("id").to_owned();
    assert_eq!(r.json["link"]["has_password"], true);
    let bad = app
        .call(
            "POST",
            &format!("/api/v1/files/{file}/links"),
            &t,
            json!({ "mode": "upload" }),
        )
        .await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "upload links only for folders"
    );
    let past = app
        .call(
            "POST",
            &format!("/api/v1/files/{file}/links"),
            &t,
            json!({ "expires_at": "2020-01-01T00:00:00Z" }),
        )
        .await;
    assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);

    let listed = app.get(&format!("/api/v1/files/{file}/links"), &t).await;
    assert_eq!(listed.json.as_array().map(Vec::len), Some(1));
    assert!(
        !listed.json.to_string().contains(&token),
        "the token is shown only once"
    );
    let admin = app.ready("admin").await;
    assert_eq!(
        app.get("/api/v1/links", &admin)
            .await
            .json
            .as_array()
            .map(Vec::len),
        Some(1),
        "the admin sees every link"
    );
    let student = app.ready("schueler").await;
    assert_eq!(
        app.get("/api/v1/links", &student)
            .await
            .json
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    let s_own = app.area_root(&student, "own").await.expect("own");
    let refused = app
        .call(
            "POST",
            &format!("/api/v1/files/{s_own}/links"),
            &student,
            json!({}),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "students share only with the O-right"
    );
    assert_eq!(
        app.del(&student, &format!("/api/v1/links/{link}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let open = app
        .platform
        .link_open(&token, Some("elternabend"), None, "10.1.1.1")
        .await;
    assert!(open.is_ok());
    assert_eq!(
        app.del(&admin, &format!("/api/v1/links/{link}"))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert!(
        app.platform
            .link_open(&token, Some("elternabend"), None, "10.1.1.1")
            .await
            .is_err()
    );
}

async fn the_mediathek_searches_meta_and_content(db: Db) {
    let app = TestApp::new(db).await;
    let t = app.ready("lehrer").await;
    let teaching = app.area_root(&t, "teaching").await.expect("teaching");
    let f = app
        .put_file(
            &t,
            &teaching,
            "Vulkane.txt",
            "Magma steigt in der Erdkruste auf.".as_bytes(),
        )
        .await;
    let file = id(&f.json);
    let meta = app
        .call(
            "PUT",
            &format!("/api/v1/files/{file}/meta"),
            &t,
            json!({ "subject": "Erdkunde", "grade": "6", "keywords": "Geologie" }),
        )
        .await;
    assert_eq!(meta.status, StatusCode::OK, "{}", meta.json);
    assert_eq!(meta.json["subject"], "Erdkunde");
    let licence = app
        .call(
            "PUT",
            &format!("/api/v1/files/{file}/meta"),
            &t,
            json!({ "license": "CC BY", "subject": "Erdkunde", "grade": "6", "keywords": "" }),
        )
        .await;
    assert_eq!(
        licence.status,
        StatusCode::FORBIDDEN,
        "licences need files.teaching.license"
    );
    app.platform.system_media_step(50).await.expect("index");
    let student = app.ready("schueler").await;
    for q in ["Erdkruste", "geologie", "vulkan"] {
        let r = app.get(&format!("/api/v1/media?q={q}"), &student).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json.as_array().map(Vec::len), Some(1), "{q}: {}", r.json);
    }
    let content = app
        .raw(
            "GET",
            &format!("/api/v1/media/{file}/content"),
            &student,
            &[],
            Vec::new(),
        )
        .await;
    assert_eq!(
        (content.status, content.body.as_slice()),
        (
            StatusCode::OK,
            "Magma steigt in der Erdkruste auf.".as_bytes()
        )
    );
    assert_eq!(
        app.raw(
            "PUT",
            &format!("/api/v1/media/favourites/{file}"),
            &student,
            &[],
            Vec::new()
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    let favs = app.get("/api/v1/media/favourites", &student).await;
    assert_eq!(favs.json[0]["name"], "Vulkane.txt");
    assert_eq!(favs.json[0]["favourite"], true);
    let admin = app.ready("admin").await;
    assert_eq!(
        app.get("/api/v1/media?q=Magma", &admin).await.status,
        StatusCode::NOT_FOUND,
        "function accounts have no Mediathek"
    );
}

backend_tests!(
    links_are_created_listed_and_revoked,
    the_mediathek_searches_meta_and_content
);
