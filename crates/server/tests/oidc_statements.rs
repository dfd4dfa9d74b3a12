//! What a login to a connected tool costs in SQL statements (issue 18; the 08:00 case runs
//! authorize → token → userinfo for every pupil): counted per request, the fewest of five,
//! and held to a small fixed number. On SQLite and PostgreSQL; run under nextest (one
//! process per test), since the counter is the process's tracing subscriber.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use schulhof_domain::oidc::NewClient;
use schulhof_store::{Db, backend_tests};
use serde_json::Value;
use tower::ServiceExt;

use common::TestApp;

const REDIRECT: &str = "http://127.0.0.1:9/cb";
/// The ceilings, as measured on 2026-12-05 (SQLite 11/11/7, PostgreSQL 12/12/7, begin and
/// commit included): the authorization (session, tool, consent, tool session, code, audit),
/// the exchange (client, code taken once, person, tokens stored, school secret, signing key)
/// and userinfo (token, person, school secret).
const AUTHORIZE_MAX: usize = 12;
const TOKEN_MAX: usize = 12;
const USERINFO_MAX: usize = 7;

static STATEMENTS: AtomicUsize = AtomicUsize::new(0);

struct CountStatements;

impl tracing::Subscriber for CountStatements {
    fn enabled(&self, m: &tracing::Metadata<'_>) -> bool {
        m.target().starts_with("sqlx")
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, e: &tracing::Event<'_>) {
        if e.metadata().target() == "sqlx::query" {
            let mut setup = SetupStatement(false);
            e.record(&mut setup);
            if !setup.0 {
                STATEMENTS.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// A new pooled SQLite connection's `PRAGMA …` set-up is not the request's work.
struct SetupStatement(bool);

impl tracing::field::Visit for SetupStatement {
    fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
        if f.name() == "summary" {
            self.0 = format!("{v:?}").starts_with("\"PRAGMA");
        }
    }
}

struct Sent {
    statements: usize,
    status: StatusCode,
    location: String,
    body: Vec<u8>,
}

async fn counted(app: &TestApp, req: Request<Body>) -> Sent {
    let before = STATEMENTS.load(Ordering::SeqCst);
    let res = app.router.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = res.into_body().collect().await.expect("body").to_bytes();
    Sent {
        statements: STATEMENTS.load(Ordering::SeqCst) - before,
        status,
        location,
        body: body.to_vec(),
    }
}

fn form(path: &str, body: String) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("request")
}

async fn a_tool_login_costs_a_few_statements(db: Db) {
    if tracing::subscriber::set_global_default(CountStatements).is_err() {
        eprintln!("another subscriber is installed (not under nextest): not counting");
        return;
    }
    let app = TestApp::new(db).await;
    let tool = app
        .platform
        .system_oidc_add_client(&NewClient {
            school: Some("100000".into()),
            name: "Zähler".into(),
            redirect_uris: vec![REDIRECT.into()],
            ..NewClient::default()
        })
        .await
        .expect("register");
    let (id, secret) = (tool.client_id, tool.secret.expect("secret"));
    let session = app.ready("schueler").await;
    let authorize = format!(
        "/oidc/authorize?client_id={id}&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb\
         &response_type=code&scope=openid&state=s&nonce=n"
    );
    let (mut auth, mut token, mut info) = (usize::MAX, usize::MAX, usize::MAX);
    for _ in 0..5 {
        let req = Request::get(&authorize)
            .header(header::COOKIE, format!("schulhof_session={session}"))
            .body(Body::empty())
            .expect("request");
        let a = counted(&app, req).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER);
        let code = a
            .location
            .split_once("code=")
            .and_then(|(_, r)| r.split('&').next())
            .expect("a code at the tool")
            .to_owned();
        auth = auth.min(a.statements);
        let body = format!(
            "grant_type=authorization_code&code={code}&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb\
             &client_id={id}&client_secret={secret}"
        );
        let t = counted(&app, form("/oidc/token", body)).await;
        assert_eq!(t.status, StatusCode::OK);
        token = token.min(t.statements);
        let json: Value = serde_json::from_slice(&t.body).expect("json");
        let access = json["access_token"].as_str().expect("access token");
        let u = counted(
            &app,
            form("/oidc/userinfo", format!("access_token={access}")),
        )
        .await;
        assert_eq!(u.status, StatusCode::OK);
        info = info.min(u.statements);
    }
    eprintln!("statements: authorize {auth}, token {token}, userinfo {info}");
    assert!(auth > 0 && token > 0 && info > 0, "the counter counts");
    assert!(auth <= AUTHORIZE_MAX, "authorize ran {auth} statements");
    assert!(token <= TOKEN_MAX, "token ran {token} statements");
    assert!(info <= USERINFO_MAX, "userinfo ran {info} statements");
}

backend_tests!(a_tool_login_costs_a_few_statements);
