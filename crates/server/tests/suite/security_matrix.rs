//! O-rights of the matrix take effect only when granted: groups.read_students decides
//! whether staff see the students of their groups (the Safe rights safe.common.* and
//! safe.editor are replayed through the pages in the web crate's Safe tests).

use crate::common;
use axum::http::StatusCode;
use common::TestApp;
use schulhof_store::{Db, backend_tests};

fn logins(v: &serde_json::Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .expect("list")
        .iter()
        .map(|u| u["login"].as_str().unwrap_or("").to_owned())
        .collect()
}

async fn staff_see_students_only_with_groups_read_students(db: Db) {
    let app = TestApp::new(db).await;
    let admin = app.ready("admin").await;
    let groups = app.get("/api/v1/groups", &admin).await;
    let class = groups
        .json
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["name"] == "5a");
    let class = class.expect("5a")["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/groups/{class}/members/personal");
    let r = app.send("PUT", &path, Some(&admin), None, &[]).await;
    assert!(r.status.is_success(), "{}", r.json);

    let staff = app.ready("personal").await;
    let card = app.get("/api/v1/users/schueler", &staff).await;
    assert_eq!(card.status, StatusCode::NOT_FOUND, "{}", card.json);
    assert_eq!(
        app.get("/api/v1/users/lehrer", &staff).await.status,
        StatusCode::OK
    );
    let list = app.get("/api/v1/users?limit=500", &staff).await;
    assert!(
        !logins(&list.json, "users").contains(&"schueler".into()),
        "{}",
        list.json
    );
    let detail = app.get(&format!("/api/v1/groups/{class}"), &staff).await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.json);
    assert!(!logins(&detail.json, "members").contains(&"schueler".into()));

    let grant = "/api/v1/users/personal/rights/groups.read_students";
    let r = app.send("PUT", grant, Some(&admin), None, &[]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.json);
    assert_eq!(
        app.get("/api/v1/users/schueler", &staff).await.status,
        StatusCode::OK
    );
    let list = app.get("/api/v1/users?limit=500", &staff).await;
    assert!(logins(&list.json, "users").contains(&"schueler".into()));
    let detail = app.get(&format!("/api/v1/groups/{class}"), &staff).await;
    assert!(logins(&detail.json, "members").contains(&"schueler".into()));
    // Teachers hold it by default.
    let teacher = app.ready("lehrer").await;
    assert_eq!(
        app.get("/api/v1/users/schueler", &teacher).await.status,
        StatusCode::OK
    );
}

backend_tests!(staff_see_students_only_with_groups_read_students);
