//! `/api/v1/imports`, `/api/v1/deletion` and `/api/v1/school-year`, on SQLite and PostgreSQL.

use crate::common;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{TestApp, code};
use http_body_util::BodyExt;
use schulhof_domain::Db;
use schulhof_store::backend_tests;
use serde_json::{Value, json};
use tower::ServiceExt;

const BOUNDARY: &str = "schulhof-test-boundary";

fn schild(school: &str) -> String {
    let person = |id: &str, family: &str, given: &str, role: &str| {
        format!(
            "<person><sourcedid><id>{id}</id></sourcedid><name><n><family>{family}</family><given>{given}</given></n></name><institutionrole institutionroletype=\"{role}\"/></person>"
        )
    };
    format!(
        "<?xml version=\"1.0\"?><enterprise>{}{}{}<group><sourcedid><id>SN</id></sourcedid><grouptype><typevalue level=\"2\">Schule</typevalue></grouptype><description><short>{school}</short></description></group><group><sourcedid><id>K7B</id></sourcedid><description><short>Klasse 07B</short></description></group><membership><sourcedid><id>K7B</id></sourcedid><member><sourcedid><id>P1</id></sourcedid></member><member><sourcedid><id>P2</id></sourcedid></member></membership></enterprise>",
        person("P1", "Schäfer", "Mia", "Student"),
        person("P2", "Öztürk", "Emre", "Student"),
        person("L1", "Brandt", "Jonas", "Faculty"),
    )
}

fn multipart(fields: &[(&str, &str)], file: Option<(&str, &str)>) -> String {
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    if let Some((name, content)) = file {
        body.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n{content}\r\n"
        ));
    }
    body.push_str(&format!("--{BOUNDARY}--\r\n"));
    body
}

async fn upload(app: &TestApp, cookie: &str, body: String) -> (StatusCode, Value) {
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/imports")
        .header(header::COOKIE, format!("schulhof_session={cookie}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .expect("request");
    let res = app.router.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn wait_applied(app: &TestApp, cookie: &str, id: &str) -> Value {
    for _ in 0..200 {
        let r = app.get(&format!("/api/v1/imports/{id}"), cookie).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        match r.json["run"]["status"].as_str() {
            Some("applied") => return r.json,
            Some("failed") => panic!("import failed: {}", r.json),
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    panic!("the import did not finish");
}

async fn an_admin_imports_over_the_api(db: Db) {
    let app = TestApp::new(db).await;
    let admin = app.ready("admin").await;
    let body = multipart(
        &[("format", "schild")],
        Some(("schild.xml", &schild("100000"))),
    );
    let (status, preview) = upload(&app, &admin, body).await;
    assert_eq!(status, StatusCode::CREATED, "{preview}");
    assert_eq!(preview["summary"]["created"], 3, "{preview}");
    let mails: Vec<&str> = preview["plan"]["create"]
        .as_array()
        .expect("creates")
        .iter()
        .filter_map(|p| p["mail"].as_str())
        .collect();
    assert!(
        mails.contains(&"mia.schaefer@100000.nrw.schule"),
        "{mails:?}"
    );
    let id = preview["run"]["id"].as_str().expect("id").to_owned();

    // A stale preview, a short protocol password: refused at once.
    let mut stale = preview["summary"].clone();
    stale["created"] = json!(99);
    let apply = format!("/api/v1/imports/{id}/apply");
    let r = app
        .call(
            "POST",
            &apply,
            &admin,
            json!({ "protocol_password": "protokoll-1", "expected": stale }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.json);
    let r = app
        .call(
            "POST",
            &apply,
            &admin,
            json!({ "protocol_password": "kurz" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);

    let go = json!({ "protocol_password": "protokoll-1", "expected": preview["summary"] });
    let r = app.call("POST", &apply, &admin, go.clone()).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.json);
    let done = wait_applied(&app, &admin, &id).await;
    assert_eq!(done["run"]["summary"]["created"], 3, "{done}");
    let again = app.call("POST", &apply, &admin, go).await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "applied only once: {}",
        again.json
    );

    let p = app
        .get(&format!("/api/v1/imports/{id}/protocol"), &admin)
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(p.headers[header::CONTENT_TYPE], "application/zip");

    let list = app.get("/api/v1/imports", &admin).await;
    assert_eq!(list.json["runs"].as_array().map(Vec::len), Some(1));
}

async fn bad_uploads_and_other_roles_are_refused(db: Db) {
    let app = TestApp::new(db).await;
    let admin = app.ready("admin").await;
    let broken = schild("100000").replace("</family>", "</famly>");
    let (status, r) = upload(
        &app,
        &admin,
        multipart(&[("format", "schild")], Some(("x.xml", &broken))),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert_eq!(r["field"], "file");
    assert!(
        r["message"].as_str().is_some_and(|m| m.contains("line 1")),
        "{r}"
    );
    let (status, r) = upload(
        &app,
        &admin,
        multipart(&[("format", "schild")], Some(("x.xml", &schild("654321")))),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "another school's file: {r}"
    );
    let (status, r) = upload(
        &app,
        &admin,
        multipart(&[("format", "excel")], Some(("x.xml", "x"))),
    )
    .await;
    assert_eq!(
        (status, code_of(&r)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
        "{r}"
    );
    let (status, _) = upload(&app, &admin, multipart(&[("format", "schild")], None)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let csv = "Nachname;Vorname\nMeier;Tom\n";
    let (status, r) = upload(
        &app,
        &admin,
        multipart(
            &[("format", "csv"), ("account_type", "schueler")],
            Some(("t.csv", csv)),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert!(
        r["message"].as_str().is_some_and(|m| m.contains("Quell")),
        "{r}"
    );
    assert_eq!(
        app.get("/api/v1/imports", &admin).await.json["runs"]
            .as_array()
            .map(Vec::len),
        Some(0),
        "nothing stored"
    );

    for login in ["schulleitung", "lehrer"] {
        let c = app.ready(login).await;
        let (status, _) = upload(
            &app,
            &c,
            multipart(&[("format", "schild")], Some(("x.xml", &schild("100000")))),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{login}");
        assert_eq!(
            app.get("/api/v1/deletion", &c).await.status,
            StatusCode::FORBIDDEN,
            "{login}"
        );
    }
}

fn code_of(v: &Value) -> &str {
    v["error"].as_str().unwrap_or("")
}

async fn runs_never_cross_schools(db: Db) {
    let app = TestApp::new(db).await;
    let admin = app.ready("admin").await;
    let (_, preview) = upload(
        &app,
        &admin,
        multipart(&[("format", "schild")], Some(("x.xml", &schild("100000")))),
    )
    .await;
    let id = preview["run"]["id"].as_str().expect("id").to_owned();
    app.platform
        .system_create_school("222222", "Andere Schule")
        .await
        .expect("school");
    app.platform
        .system_set_password("222222", "admin", Some("anderes-passwort-1"))
        .await
        .expect("password");
    let other = app.login_as("222222", "admin", "anderes-passwort-1").await;
    app.call(
        "POST",
        "/api/v1/consent",
        &other,
        json!({ "terms": true, "privacy": true }),
    )
    .await;
    for path in [
        format!("/api/v1/imports/{id}"),
        format!("/api/v1/imports/{id}/protocol"),
    ] {
        let r = app.get(&path, &other).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.json);
    }
    let r = app
        .call(
            "POST",
            &format!("/api/v1/imports/{id}/apply"),
            &other,
            json!({ "protocol_password": "protokoll-1" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.json);
    assert_eq!(
        app.get("/api/v1/imports", &other).await.json["runs"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
}

async fn deletion_periods_and_school_year_over_the_api(db: Db) {
    let app = TestApp::new(db).await;
    let admin = app.ready("admin").await;
    let overview = app.get("/api/v1/deletion", &admin).await;
    assert_eq!(overview.status, StatusCode::OK);
    assert_eq!(overview.json["periods"]["students"], 5);
    let r = app
        .call(
            "PUT",
            "/api/v1/deletion/periods",
            &admin,
            json!({ "students": 6, "staff": 5, "organisation": 10 }),
        )
        .await;
    assert_eq!(
        (r.status, code(&r)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
        "{}",
        r.json
    );
    let r = app
        .call(
            "PUT",
            "/api/v1/deletion/periods",
            &admin,
            json!({ "students": 3, "staff": 4, "organisation": 10 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.json);
    let r = app
        .call("POST", "/api/v1/deletion/confirm", &admin, json!({}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no silent 'everyone': {}",
        r.json
    );
    let r = app
        .call(
            "POST",
            "/api/v1/deletion/confirm",
            &admin,
            json!({ "all": true }),
        )
        .await;
    assert_eq!(
        (r.status, r.json["deactivated"].clone()),
        (StatusCode::OK, json!(0))
    );

    let r = app
        .call(
            "POST",
            "/api/v1/school-year",
            &admin,
            json!({ "from": "2026/27", "to": "2027/28", "dry_run": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    assert_eq!(r.json["applied"], false);
    assert!(
        r.json["archived_groups"]
            .as_array()
            .is_some_and(|g| !g.is_empty()),
        "the demo classes: {}",
        r.json
    );
    let r = app
        .call(
            "POST",
            "/api/v1/school-year",
            &admin,
            json!({ "from": "2026/27", "to": "2028/29" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
}

backend_tests!(
    an_admin_imports_over_the_api,
    bad_uploads_and_other_roles_are_refused,
    runs_never_cross_schools,
    deletion_periods_and_school_year_over_the_api,
);
