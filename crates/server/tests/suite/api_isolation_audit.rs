//! Cross-school isolation, the audit log and its retention, and the API document.

use crate::common;
use axum::http::StatusCode;
use chrono::Duration;
use common::{TestApp, code};
use schulhof_store::{Db, audit, backend_tests, instances};
use serde_json::json;

/// A second school with its admin ready and one person; returns (admin cookie).
async fn second_school(app: &TestApp) -> String {
    app.platform
        .system_create_school("200000", "Goethe-Gymnasium")
        .await
        .expect("create school");
    app.platform
        .system_set_password("200000", "admin", Some("admin-passwort-b"))
        .await
        .expect("set password");
    let c = app.login_as("200000", "admin", "admin-passwort-b").await;
    let r = app
        .call(
            "POST",
            "/api/v1/consent",
            &c,
            json!({ "terms": true, "privacy": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app.call("POST", "/api/v1/users", &c, json!({ "first_name": "Lena", "last_name": "Lehmann", "account_type": "lehrer", "login": "lehrer", "password": "b-passwort-123" })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    assert_eq!(r.json["mail"], "lena.lehmann@200000.nrw.schule");
    c
}

async fn nothing_of_one_school_is_reachable_from_another(db: Db) {
    let app = TestApp::new(db).await;
    let admin_b = second_school(&app).await;
    let admin_a = app.ready("admin").await;
    let a_groups = app.get("/api/v1/groups", &admin_a).await;
    let class_5a = a_groups
        .json
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["name"] == "5a")
        .expect("5a")["id"]
        .as_str()
        .expect("id")
        .to_owned();

    // B's admin sees only B's users; A's logins are unknown there.
    let list = app.get("/api/v1/users?limit=500", &admin_b).await;
    let logins: Vec<&str> = list.json["users"]
        .as_array()
        .expect("users")
        .iter()
        .filter_map(|u| u["login"].as_str())
        .collect();
    assert_eq!(logins.len(), 2, "{logins:?}");
    assert!(
        list.json.to_string().contains("@200000.") && !list.json.to_string().contains("@100000.")
    );
    assert_eq!(
        app.get("/api/v1/users/schueler", &admin_b).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.send(
            "POST",
            "/api/v1/users/schueler/password",
            Some(&admin_b),
            None,
            &[]
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.send(
            "DELETE",
            "/api/v1/users/schueler",
            Some(&admin_b),
            None,
            &[]
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.send(
            "PUT",
            "/api/v1/users/schueler/rights/mail.external",
            Some(&admin_b),
            None,
            &[]
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    // A's group by id, from B.
    for (m, path) in [
        ("GET", format!("/api/v1/groups/{class_5a}")),
        ("DELETE", format!("/api/v1/groups/{class_5a}")),
        ("PUT", format!("/api/v1/groups/{class_5a}/members/lehrer")),
        (
            "PUT",
            format!("/api/v1/groups/{class_5a}/rights/mail.external"),
        ),
    ] {
        let r = app.send(m, &path, Some(&admin_b), None, &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{m} {path}: {}", r.json);
    }
    // The same login name in B changes B's person, never A's.
    assert_eq!(
        app.call(
            "PATCH",
            "/api/v1/users/lehrer",
            &admin_b,
            json!({ "first_name": "Lina" })
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get("/api/v1/users/lehrer", &admin_a).await.json["first_name"],
        "Lena"
    );
    assert_eq!(
        app.get("/api/v1/groups/".to_owned().as_str(), &admin_a)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // A's class is intact and B's log holds nothing of A.
    assert_eq!(
        app.get(&format!("/api/v1/groups/{class_5a}"), &admin_a)
            .await
            .json["members"]
            .as_array()
            .expect("members")
            .len(),
        2
    );
    let log_b = app.get("/api/v1/audit", &admin_b).await.json.to_string();
    assert!(!log_b.contains("schueler"), "{log_b}");

    // A cookie of school A with B's id in front is no session at all.
    let mut c = app.db_read().await;
    let b = instances::find_by_number(&mut c, "200000")
        .await
        .expect("read")
        .expect("school b");
    let forged = format!(
        "{}.{}",
        b.id.0.simple(),
        admin_a.split_once('.').expect("cookie").1
    );
    assert_eq!(code(&app.get("/api/v1/me", &forged).await), "not_logged_in");
    // Logging in with A's password at school B fails.
    assert_eq!(
        app.try_login("200000", "schueler", common::DEMO_PW, "10.9.9.9")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

async fn admin_actions_are_logged_with_function_account_and_holder(db: Db) {
    let app = TestApp::new(db).await;
    let admin = app.ready("admin").await;
    let r = app
        .send(
            "PUT",
            "/api/v1/users/lehrer/rights/news.author",
            Some(&admin),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let log = app.get("/api/v1/audit", &admin).await;
    assert_eq!(log.status, StatusCode::OK);
    let first = &log.json[0];
    assert_eq!(
        (first["action"].as_str(), first["object"].as_str()),
        (Some("right.grant"), Some("lehrer"))
    );
    assert_eq!(
        (first["actor"].as_str(), first["holder"].as_str()),
        (Some("admin"), Some("lehrer"))
    );
    let text = log.json.to_string();
    assert!(
        !text.contains("\"login\"") && !text.contains("10.0.0.1"),
        "login records and addresses are never listed: {text}"
    );
    let lehrer = app.ready("lehrer").await;
    assert_eq!(
        app.get("/api/v1/audit", &lehrer).await.status,
        StatusCode::FORBIDDEN
    );
}

async fn log_data_is_deleted_after_seven_days_unless_on_hold(db: Db) {
    let app = TestApp::new(db).await;
    let admin = app.ready("admin").await;
    app.ready("schueler").await;
    let _ = app
        .try_login("100000", "lehrer", "falsch-falsch", "10.3.3.3")
        .await;
    let school = {
        let mut c = app.db_read().await;
        instances::find_by_number(&mut c, "100000")
            .await
            .expect("read")
            .expect("demo")
    };
    let count = |kind: &'static str| {
        let app = &app;
        async move {
            audit::system_list_kind(&mut app.db_read().await, school.id, kind)
                .await
                .expect("list")
                .len()
        }
    };
    assert!(count("login").await >= 2 && count("login_failed").await == 1);
    let from = app.platform.now() - Duration::hours(1);
    let until = app.platform.now() + Duration::hours(1);
    let short = app
        .call(
            "POST",
            "/api/v1/audit/holds",
            &admin,
            json!({ "login": "schueler", "from": from, "until": until, "reason": "kurz" }),
        )
        .await;
    assert_eq!(
        short.json["field"], "reason",
        "a hold needs a documented reason"
    );
    let hold = app.call("POST", "/api/v1/audit/holds", &admin, json!({ "login": "schueler", "from": from, "until": until, "reason": "Missbrauchsverdacht, Vorgang 2026-17" })).await;
    assert_eq!(hold.status, StatusCode::CREATED, "{}", hold.json);

    app.advance(Duration::days(6));
    let purged = app.platform.system_purge_expired().await.expect("purge");
    assert_eq!(purged.log_entries, 0, "nothing is 7 days old yet");
    app.advance(Duration::days(2));
    let purged = app.platform.system_purge_expired().await.expect("purge");
    assert!(purged.log_entries > 0);
    let left = audit::system_list_kind(&mut app.db_read().await, school.id, "login")
        .await
        .expect("list");
    // admin and schueler logged in at the same moment; only the held one survives.
    assert_eq!(left.len(), 1, "{left:?}");
    let held =
        schulhof_store::users::find_by_login(&mut app.db_read().await, school.id, "schueler")
            .await
            .expect("read")
            .expect("schueler");
    assert_eq!(left[0].actor_id, Some(held.id));
    assert_eq!(count("login_failed").await, 0);
    assert!(
        !app.get("/api/v1/audit/holds", &app.ready("admin").await)
            .await
            .json
            .as_array()
            .expect("holds")
            .is_empty()
    );
}

async fn the_api_document_lists_only_routed_endpoints(db: Db) {
    let app = TestApp::new(db).await;
    let admin = app.ready("admin").await;
    let doc = app
        .send("GET", "/api/v1/openapi.json", None, None, &[])
        .await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.json["openapi"], "3.1.0");
    let paths = doc.json["paths"].as_object().expect("paths");
    // The check below must be able to fail: an unrouted path reaches the fallback.
    let unrouted = app
        .send("POST", "/api/v1/no/such/endpoint", Some(&admin), None, &[])
        .await;
    assert_eq!(
        unrouted.json["message"], "No such endpoint.",
        "{}",
        unrouted.json
    );
    assert!(paths.len() >= 15);
    for (path, ops) in paths {
        for method in ops.as_object().expect("ops").keys() {
            let concrete = path
                .replace("{login}", "niemand")
                .replace("{right}", "news.author")
                .replace("{id}", "00000000-0000-0000-0000-000000000000");
            let r = app
                .send(&method.to_uppercase(), &concrete, Some(&admin), None, &[])
                .await;
            assert_ne!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert_ne!(r.json["message"], "No such endpoint.", "{method} {path}");
        }
    }
}

backend_tests!(
    nothing_of_one_school_is_reachable_from_another,
    admin_actions_are_logged_with_function_account_and_holder,
    log_data_is_deleted_after_seven_days_unless_on_hold,
    the_api_document_lists_only_routed_endpoints,
);

mod not_found {
    use super::*;

    async fn unknown_paths_answer_404_as_json_under_api_and_as_a_page_elsewhere(db: Db) {
        let app = TestApp::new(db).await;
        let api = app
            .send("GET", "/api/v1/gibt-es-nicht", None, None, &[])
            .await;
        assert_eq!(
            (api.status, code(&api)),
            (StatusCode::NOT_FOUND, "not_found")
        );
        let page = app.send("GET", "/gibt-es-nicht", None, None, &[]).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        assert!(
            page.headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|t| t.starts_with("text/html"))
        );
        // A known path with the wrong method is not a missing page.
        assert_eq!(
            app.send("GET", "/api/v1/session", None, None, &[])
                .await
                .status,
            StatusCode::METHOD_NOT_ALLOWED
        );
    }

    backend_tests!(unknown_paths_answer_404_as_json_under_api_and_as_a_page_elsewhere);
}
