//! User and group administration through the JSON API.

use crate::common;
use axum::http::StatusCode;
use common::{DEMO_PW, TestApp, code};
use schulhof_store::{Db, backend_tests};
use serde_json::json;

async fn schulleitung_reads_the_user_list_but_changes_nothing_and_sees_no_activity(db: Db) {
    let app = TestApp::new(db).await;
    let sl = app.ready("schulleitung").await;
    let list = app.get("/api/v1/users", &sl).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json["editable"], false);
    assert!(list.json["users"].as_array().expect("users").len() >= 7);
    let card = app.get("/api/v1/users/lehrer", &sl).await;
    assert_eq!(card.status, StatusCode::OK);
    for body in [list.json.to_string(), card.json.to_string()] {
        assert!(
            !body.contains("last_login")
                && !body.contains("last_seen")
                && !body.contains("login_at"),
            "{body}"
        );
    }
    let new = json!({ "first_name": "Neu", "last_name": "Person", "account_type": "lehrer" });
    assert_eq!(
        app.call("POST", "/api/v1/users", &sl, new).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.send(
            "POST",
            "/api/v1/users/lehrer/deactivate",
            Some(&sl),
            None,
            &[]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/audit", &sl).await.status,
        StatusCode::FORBIDDEN
    );
}

async fn students_and_externals_see_no_user_administration(db: Db) {
    let app = TestApp::new(db).await;
    for login in ["schueler", "extern"] {
        let c = app.ready(login).await;
        assert_eq!(
            app.get("/api/v1/users", &c).await.status,
            StatusCode::FORBIDDEN,
            "{login}"
        );
        assert_eq!(
            app.get("/api/v1/users/lehrer", &c).await.status,
            StatusCode::NOT_FOUND,
            "{login}"
        );
    }
}

async fn admin_creates_edits_deactivates_and_deletes_users(db: Db) {
    let app = TestApp::new(db).await;
    let admin = app.ready("admin").await;
    let make = |first: &str, last: &str, t: &str| json!({ "first_name": first, "last_name": last, "account_type": t });
    let a = app
        .call(
            "POST",
            "/api/v1/users",
            &admin,
            make("Jürgen", "Groß", "lehrer"),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.json);
    assert_eq!(a.json["mail"], "juergen.gross@100000.nrw.schule");
    assert_eq!(a.json["login"], "juergen.gross");
    let b = app
        .call(
            "POST",
            "/api/v1/users",
            &admin,
            make("Jürgen", "Groß", "schueler"),
        )
        .await;
    assert_eq!(b.json["mail"], "juergen.gross2@100000.nrw.schule");
    for t in ["personal", "extern"] {
        assert_eq!(
            app.call("POST", "/api/v1/users", &admin, make("Zoë", "D'Arc", t))
                .await
                .status,
            StatusCode::CREATED
        );
    }
    let fa = json!({ "first_name": "Admin", "last_name": "Zwei", "function_role": "admin", "login": "admin2", "password": "ein-langes-passwort", "holder": "lehrer" });
    assert_eq!(
        app.call("POST", "/api/v1/users", &admin, fa).await.status,
        StatusCode::CREATED
    );

    // A created person logs in with the initial password and must replace it first.
    let pw = a.json["initial_password"]
        .as_str()
        .expect("initial password")
        .to_owned();
    let c = app.login_as("100000", "juergen.gross", &pw).await;
    assert_eq!(
        code(&app.get("/api/v1/me", &c).await),
        "password_change_required"
    );
    let r = app
        .call(
            "POST",
            "/api/v1/me/password",
            &c,
            json!({ "old": pw, "new": "mein-neues-passwort" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(code(&app.get("/api/v1/me", &c).await), "consent_required");

    let r = app
        .call(
            "PATCH",
            "/api/v1/users/juergen.gross",
            &admin,
            json!({ "last_name": "Groß-Klein" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/users/juergen.gross", &admin).await.json["last_name"],
        "Groß-Klein"
    );
    assert_eq!(
        app.send(
            "POST",
            "/api/v1/users/juergen.gross/deactivate",
            Some(&admin),
            None,
            &[]
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get("/api/v1/me", &c).await.status,
        StatusCode::UNAUTHORIZED,
        "deactivation ends sessions"
    );
    assert_eq!(
        app.try_login("100000", "juergen.gross", "mein-neues-passwort", "10.1.1.1")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.send(
            "POST",
            "/api/v1/users/juergen.gross/activate",
            Some(&admin),
            None,
            &[]
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    app.login_as("100000", "juergen.gross", "mein-neues-passwort")
        .await;
    assert_eq!(
        app.send(
            "DELETE",
            "/api/v1/users/juergen.gross",
            Some(&admin),
            None,
            &[]
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get("/api/v1/users/juergen.gross", &admin).await.status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .send("DELETE", "/api/v1/users/admin", Some(&admin), None, &[])
        .await;
    assert_eq!(code(&r), "own_login");
}

async fn bad_user_input_names_the_field_and_stores_nothing(db: Db) {
    let app = TestApp::new(db).await;
    let admin = app.ready("admin").await;
    let before = app.get("/api/v1/users?limit=500", &admin).await.json["users"]
        .as_array()
        .expect("users")
        .len();
    let cases = [
        (
            json!({ "first_name": "Anna", "last_name": "", "account_type": "lehrer" }),
            "last_name",
        ),
        (
            json!({ "first_name": "Anna", "last_name": "Schmidt", "account_type": "rektor" }),
            "account_type",
        ),
        (
            json!({ "first_name": "Anna", "last_name": "Schmidt", "account_type": "lehrer", "external_mail": "x" }),
            "external_mail",
        ),
        (
            json!({ "first_name": "Anna", "last_name": "Schmidt", "account_type": "lehrer", "groups": ["5a", "gibtsnicht"] }),
            "groups",
        ),
        (
            json!({ "first_name": "Anna", "last_name": "Schmidt", "function_role": "admin" }),
            "login",
        ),
        (
            json!({ "first_name": "Anna", "last_name": "Schmidt", "account_type": "lehrer", "login": "lehrer", "password": "lang-genug-1" }),
            "login",
        ),
    ];
    for (body, field) in cases {
        let r = app.call("POST", "/api/v1/users", &admin, body).await;
        assert!(r.status.is_client_error(), "{}", r.json);
        assert_eq!(r.json["field"], field, "{}", r.json);
    }
    let after = app.get("/api/v1/users?limit=500", &admin).await.json["users"]
        .as_array()
        .expect("users")
        .len();
    assert_eq!(before, after, "nothing stored half");
}

async fn teachers_reset_passwords_of_students_in_their_own_groups_only(db: Db) {
    let app = TestApp::new(db).await;
    let admin = app.ready("admin").await;
    let outsider = app.call("POST", "/api/v1/users", &admin, json!({ "first_name": "Otto", "last_name": "Anders", "account_type": "schueler", "password": "otto-passwort-1" })).await;
    assert_eq!(outsider.status, StatusCode::CREATED);
    let lehrer = app.ready("lehrer").await;
    let r = app
        .send(
            "POST",
            "/api/v1/users/schueler/password",
            Some(&lehrer),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    let new_pw = r.json["initial_password"]
        .as_str()
        .expect("generated")
        .to_owned();
    let r = app
        .send(
            "POST",
            "/api/v1/users/otto.anders/password",
            Some(&lehrer),
            None,
            &[],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "student outside the teacher's groups"
    );
    let r = app
        .send(
            "POST",
            "/api/v1/users/personal/password",
            Some(&lehrer),
            None,
            &[],
        )
        .await;
    assert!(r.status == StatusCode::FORBIDDEN || r.status == StatusCode::NOT_FOUND);
    let c = app.login_as("100000", "schueler", &new_pw).await;
    assert_eq!(
        code(&app.get("/api/v1/me", &c).await),
        "password_change_required"
    );
    assert_eq!(
        app.try_login("100000", "schueler", DEMO_PW, "10.2.2.2")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let student = app
        .ready_with("schueler", &new_pw, "schuelerin-neu-1")
        .await;
    let r = app
        .send(
            "POST",
            "/api/v1/users/lehrer/password",
            Some(&student),
            None,
            &[],
        )
        .await;
    assert!(
        r.status == StatusCode::FORBIDDEN || r.status == StatusCode::NOT_FOUND,
        "{}",
        r.status
    );
}

async fn groups_and_members_are_managed_by_the_admin(db: Db) {
    let app = TestApp::new(db).await;
    let admin = app.ready("admin").await;
    let r = app
        .call(
            "POST",
            "/api/v1/groups",
            &admin,
            json!({ "name": "Q1 Mathe LK", "kind": "kurs" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let id = r.json["id"].as_str().expect("id").to_owned();
    let dup = app
        .call(
            "POST",
            "/api/v1/groups",
            &admin,
            json!({ "name": "q1 mathe lk", "kind": "kurs" }),
        )
        .await;
    assert_eq!(
        (dup.status, dup.json["field"].as_str()),
        (StatusCode::CONFLICT, Some("name"))
    );
    let bad = app
        .call(
            "POST",
            "/api/v1/groups",
            &admin,
            json!({ "name": "X", "kind": "klub" }),
        )
        .await;
    assert_eq!(bad.json["field"], "kind");
    for login in ["schueler", "lehrer"] {
        assert_eq!(
            app.send(
                "PUT",
                &format!("/api/v1/groups/{id}/members/{login}"),
                Some(&admin),
                None,
                &[]
            )
            .await
            .status,
            StatusCode::NO_CONTENT
        );
    }
    let detail = app.get(&format!("/api/v1/groups/{id}"), &admin).await;
    assert_eq!(detail.json["members"].as_array().expect("members").len(), 2);
    let lehrer = app.ready("lehrer").await;
    assert!(
        app.get("/api/v1/me", &lehrer).await.json["groups"]
            .as_array()
            .expect("groups")
            .contains(&json!("Q1 Mathe LK"))
    );
    assert_eq!(
        app.get(&format!("/api/v1/groups/{id}"), &lehrer)
            .await
            .status,
        StatusCode::OK,
        "own group"
    );
    assert_eq!(
        app.send(
            "DELETE",
            &format!("/api/v1/groups/{id}/members/lehrer"),
            Some(&admin),
            None,
            &[]
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    let lehrer = app.ready("lehrer").await;
    assert_eq!(
        app.get(&format!("/api/v1/groups/{id}"), &lehrer)
            .await
            .status,
        StatusCode::NOT_FOUND,
        "no longer a member"
    );
    assert_eq!(
        app.send(
            "PUT",
            &format!("/api/v1/groups/{id}/members/lehrer"),
            Some(&lehrer),
            None,
            &[]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.call(
            "PATCH",
            &format!("/api/v1/groups/{id}"),
            &admin,
            json!({ "name": "Q1 Mathematik LK", "kind": "kurs" })
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.send(
            "DELETE",
            &format!("/api/v1/groups/{id}"),
            Some(&admin),
            None,
            &[]
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&format!("/api/v1/groups/{id}"), &admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/groups/not-a-uuid", &admin).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn teachers_list_only_members_of_their_own_groups(db: Db) {
    let app = TestApp::new(db).await;
    let lehrer = app.ready("lehrer").await;
    let list = app.get("/api/v1/users?limit=500", &lehrer).await;
    assert_eq!(
        (list.status, list.json["editable"].as_bool()),
        (StatusCode::OK, Some(false))
    );
    let logins: Vec<&str> = list.json["users"]
        .as_array()
        .expect("users")
        .iter()
        .filter_map(|u| u["login"].as_str())
        .collect();
    assert!(
        logins.contains(&"schueler") && logins.contains(&"personal"),
        "{logins:?}"
    );
    assert!(
        !logins.contains(&"extern") && !logins.contains(&"admin"),
        "{logins:?}"
    );
    let only_students = app.get("/api/v1/users?type=schueler", &lehrer).await;
    assert_eq!(
        only_students.json["users"].as_array().expect("users").len(),
        1
    );
    assert_eq!(
        app.get("/api/v1/users/extern", &lehrer).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/users/schueler", &lehrer).await.status,
        StatusCode::OK
    );
}

backend_tests!(
    teachers_list_only_members_of_their_own_groups,
    schulleitung_reads_the_user_list_but_changes_nothing_and_sees_no_activity,
    students_and_externals_see_no_user_administration,
    admin_creates_edits_deactivates_and_deletes_users,
    bad_user_input_names_the_field_and_stores_nothing,
    teachers_reset_passwords_of_students_in_their_own_groups_only,
    groups_and_members_are_managed_by_the_admin,
);
