//! The token endpoint under attack (issue 18), 50 requests at once on a multi-threaded
//! runtime: one code sent 50 times is exchanged exactly once (and the replay revokes what it
//! gave); one refresh token sent 50 times rotates exactly once; nobody gets a server error.
//! Oversized, nested or repeated bodies get a clear 4xx and spend nothing: the code they
//! carried still works afterwards. On SQLite and PostgreSQL.

use crate::common;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use schulhof_domain::oidc::NewClient;
use schulhof_store::testing::TestDb;
use serde_json::Value;
use tower::ServiceExt;

use common::TestApp;

const REDIRECT: &str = "http%3A%2F%2F127.0.0.1%3A9%2Fcb";
const PARALLEL: usize = 50;

struct Tool {
    id: String,
    secret: String,
}

async fn post(app: &TestApp, path: &str, kind: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let req = Request::post(path)
        .header(header::CONTENT_TYPE, kind)
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

const FORM: &str = "application/x-www-form-urlencoded";

async fn setup(app: &TestApp) -> (Tool, String) {
    let r = app
        .platform
        .system_oidc_add_client(&NewClient {
            school: Some("100000".into()),
            name: "Angriff".into(),
            redirect_uris: vec!["http://127.0.0.1:9/cb".into()],
            ..NewClient::default()
        })
        .await
        .expect("register");
    let tool = Tool {
        id: r.client_id,
        secret: r.secret.expect("secret"),
    };
    (tool, app.ready("schueler").await)
}

async fn code(app: &TestApp, tool: &Tool, session: &str) -> String {
    let path = format!(
        "/oidc/authorize?client_id={}&redirect_uri={REDIRECT}&response_type=code&scope=openid&state=s&nonce=n",
        tool.id
    );
    let req = Request::get(&path)
        .header(header::COOKIE, format!("schulhof_session={session}"))
        .body(Body::empty())
        .expect("request");
    let res = app.router.clone().oneshot(req).await.expect("response");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()[header::LOCATION].to_str().expect("ascii");
    let (_, rest) = to.split_once("code=").expect("a code");
    rest.split('&').next().expect("code").to_owned()
}

fn exchange_body(tool: &Tool, code: &str) -> String {
    format!(
        "grant_type=authorization_code&code={code}&redirect_uri={REDIRECT}&client_id={}&client_secret={}",
        tool.id, tool.secret
    )
}

/// Sends `body` to the token endpoint `PARALLEL` times at once; the answers' statuses and
/// the one successful answer.
async fn storm(app: &TestApp, body: String) -> (Vec<StatusCode>, Vec<Value>) {
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..PARALLEL {
        let router = app.router.clone();
        let body = body.clone();
        set.spawn(async move {
            let req = Request::post("/oidc/token")
                .header(header::CONTENT_TYPE, FORM)
                .body(Body::from(body))
                .expect("request");
            let res = router.oneshot(req).await.expect("response");
            let status = res.status();
            let bytes = res.into_body().collect().await.expect("body").to_bytes();
            (
                status,
                serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            )
        });
    }
    let (mut statuses, mut won) = (Vec::new(), Vec::new());
    while let Some(done) = set.join_next().await {
        let (s, v) = done.expect("task");
        if s == StatusCode::OK {
            won.push(v);
        } else {
            assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
            assert_eq!(v["error"], "invalid_grant", "{v}");
        }
        statuses.push(s);
    }
    (statuses, won)
}

async fn userinfo_status(app: &TestApp, access: &str) -> StatusCode {
    let body = format!("access_token={access}").into_bytes();
    post(app, "/oidc/userinfo", FORM, body).await.0
}

async fn replayed_code_is_exchanged_once(app: &TestApp, tool: &Tool, session: &str) {
    let c = code(app, tool, session).await;
    let (statuses, won) = storm(app, exchange_body(tool, &c)).await;
    assert_eq!(statuses.len(), PARALLEL);
    assert_eq!(won.len(), 1, "exactly one exchange wins: {statuses:?}");
    // The replays revoked what the code gave.
    let access = won[0]["access_token"].as_str().expect("access token");
    assert_eq!(userinfo_status(app, access).await, StatusCode::UNAUTHORIZED);
}

async fn refresh_rotates_once(app: &TestApp, tool: &Tool, session: &str) {
    let c = code(app, tool, session).await;
    let (s, first) = post(
        app,
        "/oidc/token",
        FORM,
        exchange_body(tool, &c).into_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{first}");
    let refresh = first["refresh_token"].as_str().expect("refresh token");
    let body = format!(
        "grant_type=refresh_token&refresh_token={refresh}&client_id={}&client_secret={}",
        tool.id, tool.secret
    );
    let (_, won) = storm(app, body).await;
    assert_eq!(won.len(), 1, "exactly one rotation wins");
    // The spent token came back 49 times: the whole grant is revoked, the winner's too.
    let newer = won[0]["refresh_token"].as_str().expect("rotated");
    let again = format!(
        "grant_type=refresh_token&refresh_token={newer}&client_id={}&client_secret={}",
        tool.id, tool.secret
    );
    let (s, v) = post(app, "/oidc/token", FORM, again.into_bytes()).await;
    assert_eq!(
        (s, v["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
}

/// Bad bodies carrying a good code: each refused with a 4xx, and the code still works.
async fn bad_bodies_spend_nothing(app: &TestApp, tool: &Tool, session: &str) {
    let c = code(app, tool, session).await;
    let good = exchange_body(tool, &c);
    let mut huge = good.clone().into_bytes();
    huge.extend(std::iter::repeat_n(b'a', 3 * 1024 * 1024));
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes();
    let json = serde_json::json!({ "grant_type": "authorization_code", "code": c }).to_string();
    let repeated = format!("{good}&code={c}").into_bytes();
    let cases: Vec<(&str, &str, Vec<u8>)> = vec![
        ("oversized form", FORM, huge),
        ("nested JSON", "application/json", nested),
        (
            "JSON instead of a form",
            "application/json",
            json.into_bytes(),
        ),
        ("code repeated", FORM, repeated),
        ("not UTF-8", FORM, vec![0xff, 0xfe, b'=', 0xc3]),
    ];
    for (what, kind, body) in cases {
        let (s, v) = post(app, "/oidc/token", kind, body).await;
        assert!(s.is_client_error(), "{what}: {s} {v}");
        // Oversized bodies may stop before the endpoint; what it answers itself is named.
        if s == StatusCode::BAD_REQUEST {
            assert!(v["error"].is_string(), "{what}: {v}");
        }
    }
    let (s, v) = post(app, "/oidc/token", FORM, good.into_bytes()).await;
    assert_eq!(s, StatusCode::OK, "the code is unspent: {v}");
}

async fn scenario(app: TestApp) {
    let (tool, session) = setup(&app).await;
    replayed_code_is_exchanged_once(&app, &tool, &session).await;
    refresh_rotates_once(&app, &tool, &session).await;
    bad_bodies_spend_nothing(&app, &tool, &session).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn token_endpoint_attacks_on_sqlite() {
    let t = TestDb::sqlite().await;
    scenario(TestApp::new(t.db.clone()).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn token_endpoint_attacks_on_postgres() {
    let t = TestDb::postgres().await;
    scenario(TestApp::new(t.db.clone()).await).await;
    t.db.close().await;
}
