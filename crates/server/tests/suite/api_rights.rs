//! Granting and revoking rights through the JSON API, within the matrix.

use crate::common;
use axum::http::StatusCode;
use common::{TestApp, code};
use schulhof_authz::matrix::{Granter, Mark, granter, mark};
use schulhof_store::{Db, backend_tests};
use schulhof_types::{AccountType, RightCategory, RightId};
use serde_json::Value;

fn rights_of(me: &Value) -> Vec<String> {
    serde_json::from_value(me["rights"].clone()).expect("rights")
}

async fn admin_grants_and_revokes_o_rights_and_never_a_blank_one(db: Db) {
    let app = TestApp::new(db).await;
    let admin = app.ready("admin").await;
    let lehrer = app.ready("lehrer").await;
    assert!(!rights_of(&app.get("/api/v1/me", &lehrer).await.json).contains(&"news.author".into()));
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
    assert!(rights_of(&app.get("/api/v1/me", &lehrer).await.json).contains(&"news.author".into()));
    let r = app
        .send(
            "DELETE",
            "/api/v1/users/lehrer/rights/news.author",
            Some(&admin),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(!rights_of(&app.get("/api/v1/me", &lehrer).await.json).contains(&"news.author".into()));

    let r = app
        .send(
            "PUT",
            "/api/v1/users/schueler/rights/files.staff.read",
            Some(&admin),
            None,
            &[],
        )
        .await;
    assert_eq!(
        (r.status, code(&r)),
        (StatusCode::UNPROCESSABLE_ENTITY, "right_not_grantable")
    );
    assert!(
        r.json["message"]
            .as_str()
            .expect("message")
            .contains("files.staff.read")
    );
    let r = app
        .send(
            "PUT",
            "/api/v1/users/schueler/rights/news.author",
            Some(&lehrer),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a teacher cannot grant");
    let r = app
        .send(
            "PUT",
            "/api/v1/users/lehrer/rights/no.such.right",
            Some(&admin),
            None,
            &[],
        )
        .await;
    assert_eq!(r.json["field"], "right");
}

/// Every account type × every right, through the API: the grant answer and the effect.
async fn every_type_and_right_through_the_api(db: Db) {
    let app = TestApp::new(db).await;
    let admin = app.ready("admin").await;
    let principal = app.ready("schulleitung").await;
    for (login, t) in [
        ("lehrer", AccountType::Lehrer),
        ("personal", AccountType::Personal),
        ("schueler", AccountType::Schueler),
        ("extern", AccountType::Extern),
    ] {
        let mut expected: Vec<&str> = Vec::new();
        for r in RightId::ALL {
            let who = if granter(*r) == Granter::Schulleitung {
                &principal
            } else {
                &admin
            };
            let path = format!("/api/v1/users/{login}/rights/{}", r.as_str());
            let reply = app.send("PUT", &path, Some(who), None, &[]).await;
            let m = mark(*r, t);
            match m {
                Mark::Grantable => assert_eq!(
                    reply.status,
                    StatusCode::NO_CONTENT,
                    "{login} {r}: {}",
                    reply.json
                ),
                Mark::Default => assert_eq!(code(&reply), "right_is_default", "{login} {r}"),
                Mark::Never => assert_eq!(code(&reply), "right_not_grantable", "{login} {r}"),
            }
            if m != Mark::Never {
                expected.push(r.as_str());
            }
            if r.category() == RightCategory::Safe {
                let wrong = app.send("PUT", &path, Some(&admin), None, &[]).await;
                assert_eq!(code(&wrong), "safe_rights_by_schulleitung", "{login} {r}");
            }
        }
        expected.sort_unstable();
        let c = app.ready(login).await;
        assert_eq!(
            rights_of(&app.get("/api/v1/me", &c).await.json),
            expected,
            "{login} after granting everything"
        );
    }
}

async fn group_grants_reach_only_members_whose_type_allows_them(db: Db) {
    let app = TestApp::new(db).await;
    let admin = app.ready("admin").await;
    let groups = app.get("/api/v1/groups?q=5a", &admin).await;
    let id = groups.json[0]["id"].as_str().expect("5a id").to_owned();
    let r = app
        .send(
            "PUT",
            &format!("/api/v1/groups/{id}/rights/mail.external"),
            Some(&admin),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app
        .send(
            "PUT",
            &format!("/api/v1/groups/{id}/rights/files.staff.read"),
            Some(&admin),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "grantable to some types");
    let student = app.ready("schueler").await;
    let rights = rights_of(&app.get("/api/v1/me", &student).await.json);
    assert!(rights.contains(&"mail.external".into()));
    assert!(
        !rights.contains(&"files.staff.read".into()),
        "students never read the staff area"
    );
    let r = app
        .send(
            "PUT",
            &format!("/api/v1/groups/{id}/rights/mail.forward"),
            Some(&admin),
            None,
            &[],
        )
        .await;
    assert_eq!(code(&r), "right_not_grantable");
}

backend_tests!(
    admin_grants_and_revokes_o_rights_and_never_a_blank_one,
    every_type_and_right_through_the_api,
    group_grants_reach_only_members_whose_type_allows_them,
);
