//! What a login to a connected tool costs in SQL statements (issue 18; the 08:00 case runs
//! authorize → token → userinfo for every pupil): counted per request, the fewest of five,
//! and held to a small fixed number. On SQLite and PostgreSQL; run under nextest (one
//! process per test), since the counter (`store::testing::statements`) is the process's
//! tracing subscriber: the router runs in this process, so it sees the server's pool.

use crate::common;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use schulhof_domain::oidc::NewClient;
use schulhof_store::testing::statements;
use schulhof_store::{Backend, Db, backend_tests};
use serde_json::Value;
use tower::ServiceExt;

use common::TestApp;

const REDIRECT: &str = "http://127.0.0.1:9/cb";

/// The ceilings (begin and commit included), SQLite / PostgreSQL:
/// - authorize 6 / 7: the session with its login, school, hold, groups and rights (one
///   statement: `Platform::acting_session`, none of the web shell's counts), tool, what is
///   known of the person (session age, consent, the school's under-16 rule, birthday: one
///   statement), tool session (one upsert), code, audit;
/// - token 4 / 5: the tool (on a read connection), the code taken once, both tokens in one
///   INSERT, the person (login, school, hold, groups and rights in one statement, read
///   after the commit); the school secret and the signing key come from memory and the ID
///   token is signed after the commit;
/// - userinfo 2 / 2: token and tool in one statement, the person in another.
///
/// PostgreSQL's one more is the authorization's and the token request's transaction start
/// (`BEGIN` is a statement of its own there).
fn ceilings(db: &Db) -> (usize, usize, usize) {
    match db.backend() {
        Backend::Sqlite => (6, 4, 2),
        Backend::Postgres => (7, 5, 2),
    }
}

struct Sent {
    statements: usize,
    status: StatusCode,
    location: String,
    body: Vec<u8>,
}

async fn counted(app: &TestApp, req: Request<Body>) -> Sent {
    let before = statements::so_far();
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
        statements: statements::so_far() - before,
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
    if !statements::install() {
        eprintln!("another subscriber is installed (not under nextest): not counting");
        return;
    }
    let (auth_max, token_max, info_max) = ceilings(&db);
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
    assert!(auth <= auth_max, "authorize ran {auth} statements");
    assert!(token <= token_max, "token ran {token} statements");
    assert!(info <= info_max, "userinfo ran {info} statements");
}

backend_tests!(a_tool_login_costs_a_few_statements);
