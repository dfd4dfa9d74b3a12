//! Password guessing through the real router, on SQLite and PostgreSQL: parallel guesses
//! cannot outrun the throttling (login, Mein Konto's password change, Safe, share link),
//! one counter per account whatever name is typed, a classmate's guesses from elsewhere do
//! not lock the owner out at her usual place, and two nodes share the counters.

use crate::common;
use crate::file_helpers;
use crate::security_support;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{DEMO_PW, TestApp, code};
use schulhof_store::{Db, backend_tests};
use security_support::{dav_request, form_request, json_request, second_node};
use serde_json::json;
use tower::ServiceExt;

const GUESSES: usize = 50;

/// Sends all requests at once (round robin over `routers`, as behind a load balancer) and
/// returns (answers that checked the password, answers refused as throttled).
async fn race(routers: &[Router], requests: Vec<Request<Body>>) -> (usize, usize) {
    let tasks: Vec<_> = requests
        .into_iter()
        .enumerate()
        .map(|(i, req)| {
            let router = routers[i % routers.len()].clone();
            tokio::spawn(async move { router.oneshot(req).await.expect("response").status() })
        })
        .collect();
    let (mut checked, mut throttled) = (0, 0);
    for t in tasks {
        match t.await.expect("task") {
            StatusCode::TOO_MANY_REQUESTS => throttled += 1,
            s if s.is_client_error() => checked += 1,
            s => panic!("a wrong password was accepted: {s}"),
        }
    }
    (checked, throttled)
}

fn wrong_logins(login: &str, addr: &str, n: usize) -> Vec<Request<Body>> {
    let body = json!({ "instance": "100000", "login": login, "password": "falsch-geraten" });
    (0..n)
        .map(|_| json_request("/api/v1/session", addr, None, body.clone()))
        .collect()
}

#[track_caller]
fn at_most_five_checked((checked, throttled): (usize, usize)) {
    assert!(
        checked <= 5,
        "{checked} guesses were checked, {throttled} refused"
    );
    assert_eq!(checked + throttled, GUESSES);
}

async fn parallel_wrong_logins_are_checked_at_most_five_times(db: Db) {
    let app = TestApp::new(db).await;
    let outcome = race(
        std::slice::from_ref(&app.router),
        wrong_logins("schueler", "198.51.100.7", GUESSES),
    )
    .await;
    at_most_five_checked(outcome);
    let r = app
        .try_login("100000", "schueler", DEMO_PW, "198.51.100.7")
        .await;
    assert_eq!(
        (r.status, code(&r)),
        (StatusCode::TOO_MANY_REQUESTS, "login_throttled")
    );
}

async fn two_nodes_share_the_counters(db: Db) {
    let app = TestApp::new(db.clone()).await;
    let (_, node_b) = second_node(&app, db);
    let nodes = [app.router.clone(), node_b];
    at_most_five_checked(race(&nodes, wrong_logins("lehrer", "198.51.100.8", GUESSES)).await);
}

async fn login_name_and_mail_address_share_one_counter(db: Db) {
    let app = TestApp::new(db).await;
    let c = app.ready("schueler").await;
    let mail = app.get("/api/v1/me", &c).await.json["mail"]
        .as_str()
        .expect("mail")
        .to_owned();
    let addr = "198.51.100.9";
    for name in ["schueler", &mail, "schueler", &mail, "SCHUELER"] {
        let r = app.try_login("100000", name, "falsch-geraten", addr).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{name}");
    }
    let r = app.try_login("100000", &mail, DEMO_PW, addr).await;
    assert_eq!(
        (r.status, code(&r)),
        (StatusCode::TOO_MANY_REQUESTS, "login_throttled"),
        "five failures under either name block both"
    );
}

async fn a_classmates_guesses_do_not_lock_out_the_owner(db: Db) {
    let app = TestApp::new(db).await;
    let usual = "203.0.113.1";
    assert_eq!(
        app.try_login("100000", "schueler", DEMO_PW, usual)
            .await
            .status,
        StatusCode::OK
    );
    // A classmate guesses from many addresses until the account itself is blocked.
    for i in 0..12 {
        let addr = format!("198.51.100.{}", 100 + i);
        race(
            std::slice::from_ref(&app.router),
            wrong_logins("schueler", &addr, 6),
        )
        .await;
    }
    let stranger = app
        .try_login("100000", "schueler", DEMO_PW, "198.51.100.250")
        .await;
    assert_eq!(
        stranger.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the account is blocked"
    );
    let r = app.try_login("100000", "schueler", DEMO_PW, usual).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "the owner still gets in at her usual place: {}",
        r.json
    );
}

async fn the_password_change_is_throttled(db: Db) {
    let app = TestApp::new(db).await;
    let c = app.ready("personal").await;
    let addr = "198.51.100.20";
    let body = json!({ "old": "falsch-geraten", "new": "ein-ganz-neues-passwort" });
    let requests = (0..GUESSES)
        .map(|_| json_request("/api/v1/me/password", addr, Some(&c), body.clone()))
        .collect();
    at_most_five_checked(race(std::slice::from_ref(&app.router), requests).await);
    let right = json!({ "old": DEMO_PW, "new": "ein-ganz-neues-passwort" });
    let r = app
        .send(
            "POST",
            "/api/v1/me/password",
            Some(&c),
            Some(right),
            &[("x-forwarded-for", addr)],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // The guesses count against the account's logins too.
    let r = app.try_login("100000", "personal", DEMO_PW, addr).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn parallel_wrong_safe_passwords_are_checked_at_most_five_times(db: Db) {
    let app = TestApp::new(db).await;
    let head = app.ready("schulleitung").await;
    let head = app.platform.session(&head).await.expect("session").actor;
    let safe_pw = app
        .platform
        .safe_generate_password(&head, "lehrer")
        .await
        .expect("safe password");
    let t = app.ready("lehrer").await;
    let addr = "198.51.100.30";
    let form = [("passwort", "falsch-geraten"), ("zurueck", "")];
    let requests = (0..GUESSES)
        .map(|_| form_request("/safe/oeffnen", addr, &t, &form))
        .collect();
    at_most_five_checked(race(std::slice::from_ref(&app.router), requests).await);
    let right = [("passwort", safe_pw.as_str()), ("zurueck", "")];
    let r = app
        .router
        .clone()
        .oneshot(form_request("/safe/oeffnen", addr, &t, &right))
        .await;
    assert_eq!(r.expect("response").status(), StatusCode::TOO_MANY_REQUESTS);
}

async fn parallel_wrong_link_passwords_are_checked_at_most_five_times(db: Db) {
    let app = TestApp::new(db).await;
    let t = app.ready("lehrer").await;
    let own = app.area_root(&t, "own").await.expect("own");
    let f = app.put_file(&t, &own, "brief.txt", b"Liebe Eltern").await;
    let file = file_helpers::id(&f.json);
    let link = app
        .call(
            "POST",
            &format!("/api/v1/files/{file}/links"),
            &t,
            json!({ "password": "elternabend" }),
        )
        .await;
    assert_eq!(link.status, StatusCode::CREATED, "{}", link.json);
    let token = link.json["token"].as_str().expect("token").to_owned();
    let path = format!("/l/{token}");
    let requests = (0..GUESSES)
        .map(|_| {
            form_request(
                &path,
                "198.51.100.40",
                "",
                &[("passwort", "falsch-geraten")],
            )
        })
        .collect();
    at_most_five_checked(race(std::slice::from_ref(&app.router), requests).await);
}

async fn webdav_guesses_share_the_gate_and_right_ones_all_pass(db: Db) {
    let app = TestApp::new(db).await;
    app.ready("lehrer").await;
    let router = std::slice::from_ref(&app.router);
    let wrong = (0..GUESSES)
        .map(|_| dav_request("lehrer", "falsch-geraten", "198.51.100.50"))
        .collect();
    at_most_five_checked(race(router, wrong).await);
    // A client mounting the drive sends many requests at once: none is refused.
    let right: Vec<_> = (0..20)
        .map(|_| dav_request("lehrer", DEMO_PW, "198.51.100.51"))
        .map(|r| {
            let router = app.router.clone();
            tokio::spawn(async move { router.oneshot(r).await.expect("response").status() })
        })
        .collect();
    for t in right {
        assert_eq!(t.await.expect("task"), StatusCode::MULTI_STATUS);
    }
}

backend_tests!(
    webdav_guesses_share_the_gate_and_right_ones_all_pass,
    parallel_wrong_logins_are_checked_at_most_five_times,
    two_nodes_share_the_counters,
    login_name_and_mail_address_share_one_counter,
    a_classmates_guesses_do_not_lock_out_the_owner,
    the_password_change_is_throttled,
    parallel_wrong_safe_passwords_are_checked_at_most_five_times,
    parallel_wrong_link_passwords_are_checked_at_most_five_times,
);
