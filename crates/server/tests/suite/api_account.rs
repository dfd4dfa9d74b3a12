//! Login, consent, Mein Konto, sessions and throttling through the JSON API.

use crate::common;
use axum::http::StatusCode;
use chrono::Duration;
use common::{DEMO_PW, TestApp, code};
use schulhof_authz::matrix::{Mark, mark};
use schulhof_store::{Db, backend_tests};
use schulhof_types::{AccountType, RightId};
use serde_json::json;

async fn consent_gates_everything_until_given(db: Db) {
    let app = TestApp::new(db).await;
    let c = app.login_as("100000", "lehrer", DEMO_PW).await;
    let r = app.get("/api/v1/me", &c).await;
    assert_eq!(
        (r.status, code(&r)),
        (StatusCode::FORBIDDEN, "consent_required")
    );
    let r = app
        .call("POST", "/api/v1/consent", &c, json!({ "terms": false }))
        .await;
    assert_eq!(code(&r), "consent_declined");
    assert_eq!(code(&app.get("/api/v1/me", &c).await), "consent_required");
    let r = app
        .call(
            "POST",
            "/api/v1/consent",
            &c,
            json!({ "terms": true, "privacy": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let me = app.get("/api/v1/me", &c).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json["login"], "lehrer");
    assert_eq!(me.json["instance"], "100000");
    assert_eq!(me.json["account_type"], "lehrer");
    assert_eq!(me.json["function_role"], serde_json::Value::Null);
    assert!(
        me.json["groups"]
            .as_array()
            .expect("groups")
            .contains(&json!("5a"))
    );
}

async fn me_lists_exactly_the_default_rights_sorted(db: Db) {
    let app = TestApp::new(db).await;
    for (login, t) in [
        ("lehrer", AccountType::Lehrer),
        ("personal", AccountType::Personal),
        ("schueler", AccountType::Schueler),
        ("extern", AccountType::Extern),
    ] {
        let c = app.ready(login).await;
        let me = app.get("/api/v1/me", &c).await;
        let got: Vec<String> = serde_json::from_value(me.json["rights"].clone()).expect("rights");
        let mut want: Vec<&str> = RightId::ALL
            .iter()
            .filter(|r| mark(**r, t) == Mark::Default)
            .map(|r| r.as_str())
            .collect();
        want.sort_unstable();
        assert_eq!(got, want, "{login}");
    }
    let admin = app.ready("admin").await;
    let me = app.get("/api/v1/me", &admin).await;
    assert_eq!(
        (
            me.json["account_type"].as_str(),
            me.json["function_role"].as_str()
        ),
        (Some("function"), Some("admin"))
    );
}

async fn wrong_credentials_look_the_same_whether_the_login_exists_or_not(db: Db) {
    let app = TestApp::new(db).await;
    let a = app
        .try_login("100000", "lehrer", "falsch-falsch", "10.0.0.2")
        .await;
    let b = app
        .try_login("100000", "niemand", "falsch-falsch", "10.0.0.2")
        .await;
    let c = app
        .try_login("999999", "lehrer", "falsch-falsch", "10.0.0.2")
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!((a.status, &a.json), (b.status, &b.json));
    assert_eq!((a.status, &a.json), (c.status, &c.json));
    assert_eq!(code(&a), "invalid_credentials");
}

async fn logout_ends_the_session(db: Db) {
    let app = TestApp::new(db).await;
    let c = app.ready("schueler").await;
    assert_eq!(app.get("/api/v1/me", &c).await.status, StatusCode::OK);
    let r = app
        .send("DELETE", "/api/v1/session", Some(&c), None, &[])
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(code(&app.get("/api/v1/me", &c).await), "not_logged_in");
}

async fn sessions_end_after_idle_and_absolute_timeouts(db: Db) {
    let app = TestApp::new(db).await;
    let c = app.ready("lehrer").await;
    app.advance(Duration::minutes(29));
    assert_eq!(app.get("/api/v1/me", &c).await.status, StatusCode::OK);
    app.advance(Duration::minutes(31));
    assert_eq!(
        app.get("/api/v1/me", &c).await.status,
        StatusCode::UNAUTHORIZED,
        "idle timeout"
    );
    let c = app.ready("lehrer").await;
    for _ in 0..26 {
        app.advance(Duration::minutes(29));
        if app.get("/api/v1/me", &c).await.status != StatusCode::OK {
            return;
        }
    }
    panic!("session outlived the absolute timeout");
}

async fn a_new_consent_version_asks_again_and_revoking_deactivates(db: Db) {
    let app = TestApp::new(db).await;
    let c = app.ready("extern").await;
    app.platform
        .system_publish_consent("100000", "Neue Bedingungen", "Neue Hinweise")
        .await
        .expect("publish");
    assert_eq!(code(&app.get("/api/v1/me", &c).await), "consent_required");
    let texts = app.get("/api/v1/consent", &c).await;
    assert_eq!(texts.json["version"], 2);
    assert_eq!(
        app.call(
            "POST",
            "/api/v1/consent",
            &c,
            json!({ "terms": true, "privacy": true })
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.get("/api/v1/me", &c).await.status, StatusCode::OK);
    assert_eq!(
        app.send("DELETE", "/api/v1/consent", Some(&c), None, &[])
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get("/api/v1/me", &c).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.try_login("100000", "extern", DEMO_PW, "10.0.0.3")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

async fn password_change_checks_the_old_password_and_rules(db: Db) {
    let app = TestApp::new(db).await;
    let c = app.ready("personal").await;
    let r = app
        .call(
            "POST",
            "/api/v1/me/password",
            &c,
            json!({ "old": "falsch-falsch", "new": "neues-passwort" }),
        )
        .await;
    assert_eq!(
        (r.status, r.json["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("old"))
    );
    let r = app
        .call(
            "POST",
            "/api/v1/me/password",
            &c,
            json!({ "old": DEMO_PW, "new": "kurz" }),
        )
        .await;
    assert_eq!(r.json["field"], "password");
    let r = app
        .call(
            "POST",
            "/api/v1/me/password",
            &c,
            json!({ "old": DEMO_PW, "new": "neues-passwort" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.try_login("100000", "personal", DEMO_PW, "10.0.0.4")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    app.login_as("100000", "personal", "neues-passwort").await;
}

async fn external_mail_is_validated_and_removable(db: Db) {
    let app = TestApp::new(db).await;
    let c = app.ready("lehrer").await;
    let r = app
        .call(
            "PUT",
            "/api/v1/me/external-mail",
            &c,
            json!({ "external_mail": "kein at" }),
        )
        .await;
    assert_eq!(
        (r.status, r.json["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("external_mail"))
    );
    assert_eq!(
        app.get("/api/v1/me", &c).await.json["external_mail"],
        serde_json::Value::Null,
        "nothing stored"
    );
    let r = app
        .call(
            "PUT",
            "/api/v1/me/external-mail",
            &c,
            json!({ "external_mail": "Lena@Example.org" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/me", &c).await.json["external_mail"],
        "lena@example.org"
    );
    assert_eq!(
        app.send("DELETE", "/api/v1/me/external-mail", Some(&c), None, &[])
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get("/api/v1/me", &c).await.json["external_mail"],
        serde_json::Value::Null
    );
}

async fn failed_logins_throttle_the_account_but_not_the_school_nat(db: Db) {
    let app = TestApp::new(db).await;
    let nat = "192.0.2.10";
    for _ in 0..5 {
        assert_eq!(
            app.try_login("100000", "schueler", "falsch-falsch", nat)
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
    let r = app.try_login("100000", "schueler", DEMO_PW, nat).await;
    assert_eq!(
        (r.status, code(&r)),
        (StatusCode::TOO_MANY_REQUESTS, "login_throttled")
    );
    assert!(r.headers.get("retry-after").is_some());
    // Others behind the same address still get in.
    assert_eq!(
        app.try_login("100000", "lehrer", DEMO_PW, nat).await.status,
        StatusCode::OK
    );
    app.advance(Duration::seconds(6));
    assert_eq!(
        app.try_login("100000", "schueler", DEMO_PW, nat)
            .await
            .status,
        StatusCode::OK
    );
}

async fn bad_json_is_answered_with_what_is_wrong(db: Db) {
    let app = TestApp::new(db).await;
    let r = app
        .send(
            "POST",
            "/api/v1/session",
            None,
            Some(json!({ "instance": "100000" })),
            &[],
        )
        .await;
    assert_eq!(
        (r.status, code(&r)),
        (StatusCode::BAD_REQUEST, "invalid_json")
    );
    assert!(
        r.json["message"]
            .as_str()
            .expect("message")
            .contains("login"),
        "{}",
        r.json
    );
    let r = app.send("POST", "/api/v1/session", None, None, &[]).await;
    assert_eq!(code(&r), "unsupported_media_type");
}

async fn cross_site_form_posts_are_refused(db: Db) {
    let app = TestApp::new(db).await;
    let body = json!({ "instance": "100000", "login": "lehrer", "password": DEMO_PW });
    let r = app
        .send(
            "POST",
            "/api/v1/session",
            None,
            Some(body.clone()),
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .send(
            "POST",
            "/api/v1/session",
            None,
            Some(body),
            &[
                ("origin", "https://evil.example"),
                ("host", "schule.example"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

backend_tests!(
    consent_gates_everything_until_given,
    me_lists_exactly_the_default_rights_sorted,
    wrong_credentials_look_the_same_whether_the_login_exists_or_not,
    logout_ends_the_session,
    sessions_end_after_idle_and_absolute_timeouts,
    a_new_consent_version_asks_again_and_revoking_deactivates,
    password_change_checks_the_old_password_and_rules,
    external_mail_is_validated_and_removable,
    failed_logins_throttle_the_account_but_not_the_school_nat,
    bad_json_is_answered_with_what_is_wrong,
    cross_site_form_posts_are_refused,
);

mod publishing {
    use super::*;

    async fn admins_publish_new_terms_and_others_cannot(db: Db) {
        let app = TestApp::new(db).await;
        let admin = app.ready("admin").await;
        let lehrer = app.ready("lehrer").await;
        let texts = json!({ "terms": "Neue Nutzungsbedingungen für alle.", "privacy": "Neue Datenschutzhinweise für alle." });
        assert_eq!(
            app.call("POST", "/api/v1/consent/texts", &lehrer, texts.clone())
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let short = app
            .call(
                "POST",
                "/api/v1/consent/texts",
                &admin,
                json!({ "terms": "kurz", "privacy": "kurz" }),
            )
            .await;
        assert_eq!(short.json["field"], "terms");
        let r = app
            .call("POST", "/api/v1/consent/texts", &admin, texts)
            .await;
        assert_eq!(
            (r.status, r.json["version"].as_i64()),
            (StatusCode::CREATED, Some(2))
        );
        assert_eq!(
            code(&app.get("/api/v1/me", &lehrer).await),
            "consent_required"
        );
    }

    backend_tests!(admins_publish_new_terms_and_others_cannot);
}
