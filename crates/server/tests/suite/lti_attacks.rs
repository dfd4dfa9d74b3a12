//! The LTI service token endpoint `/lti/token` under attack (issue 18; RFC 7523 client
//! assertions, LTI Security Framework §4.1): a replayed assertion (its `jti` sent again,
//! also 50 times at once), a wrong audience, an expired assertion, one signed with another
//! key, one naming another tool, malformed assertions and bad bodies — each refused with a
//! clear 4xx and the error RFC 6749 names, and nothing stored: no token issued, no `jti`
//! spent (an assertion carried in a refused body still works afterwards). On SQLite and
//! PostgreSQL.

use crate::common;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{self, KeyPair as _};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http_body_util::BodyExt;
use schulhof_domain::lti::NewLtiTool;
use schulhof_store::Handle;
use schulhof_store::testing::TestDb;
use serde_json::{Value, json};
use tower::ServiceExt;

use common::TestApp;

/// The token endpoint as the tool addresses it (the issuer follows the Host header).
const AUD: &str = "http://localhost/lti/token";
const FORM: &str = "application/x-www-form-urlencoded";
const ASSERTION_TYPE: &str = "urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer";
const SCOPE: &str =
    "https%3A%2F%2Fpurl.imsglobal.org%2Fspec%2Flti-nrps%2Fscope%2Fcontextmembership.readonly";
const PARALLEL: usize = 50;

struct Tool {
    key: KeyPair,
    client_id: String,
}

fn jwks(key: &KeyPair) -> String {
    let pk = key.public_key();
    json!({"keys": [{
        "kty": "RSA", "kid": "k1", "alg": "RS256",
        "n": URL_SAFE_NO_PAD.encode(pk.modulus().big_endian_without_leading_zero()),
        "e": URL_SAFE_NO_PAD.encode(pk.exponent().big_endian_without_leading_zero()),
    }]})
    .to_string()
}

/// An RS256 JWT with key id `k1` (the tool's), signed by `key`.
fn sign(key: &KeyPair, claims: &Value) -> String {
    let head = URL_SAFE_NO_PAD.encode(json!({"alg": "RS256", "kid": "k1"}).to_string());
    let input = format!("{head}.{}", URL_SAFE_NO_PAD.encode(claims.to_string()));
    let mut sig = vec![0u8; key.public_modulus_len()];
    key.sign(
        &signature::RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .expect("sign");
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

async fn register(app: &TestApp) -> Tool {
    let key = KeyPair::generate(KeySize::Rsa2048).expect("key");
    let t = app
        .platform
        .system_lti_add_tool(&NewLtiTool {
            school: Some("100000".into()),
            name: "Lernwerkzeug".into(),
            login_url: "https://tool.example/login".into(),
            target_link_uri: "https://tool.example/launch".into(),
            jwks: jwks(&key),
            ..NewLtiTool::default()
        })
        .await
        .expect("tool");
    Tool {
        key,
        client_id: t.client_id,
    }
}

/// The claims of a good assertion of `tool` with `jti`.
fn claims(app: &TestApp, tool: &Tool, jti: &str) -> Value {
    let now = app.platform.now().timestamp();
    json!({"iss": tool.client_id, "sub": tool.client_id, "aud": AUD,
           "iat": now, "exp": now + 300, "jti": jti})
}

fn body(assertion: &str) -> String {
    format!(
        "grant_type=client_credentials&client_assertion_type={ASSERTION_TYPE}\
         &client_assertion={assertion}&scope={SCOPE}"
    )
}

async fn post(router: axum::Router, kind: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let req = Request::post("/lti/token")
        .header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, kind)
        .body(Body::from(body))
        .expect("request");
    let res = router.oneshot(req).await.expect("response");
    let status = res.status();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn token(app: &TestApp, assertion: &str) -> (StatusCode, Value) {
    post(app.router.clone(), FORM, body(assertion).into_bytes()).await
}

/// Rows of the tables a token request writes: issued tokens and spent `jti`s.
async fn stored(app: &TestApp) -> (i64, i64) {
    let mut counts = Vec::new();
    for sql in [
        "SELECT COUNT(*) FROM lti_tokens",
        "SELECT COUNT(*) FROM lti_nonces",
    ] {
        let n: i64 = match app.db_read().await {
            Handle::Sqlite(mut c) => sqlx::query_scalar(sql).fetch_one(&mut *c).await,
            Handle::Pg(mut c) => sqlx::query_scalar(sql).fetch_one(&mut *c).await,
        }
        .expect("count");
        counts.push(n);
    }
    (counts[0], counts[1])
}

/// A token the endpoint gave works at a service: a course it does not reach is 404, while a
/// token it did not give is 401.
async fn service_status(app: &TestApp, bearer: &str) -> StatusCode {
    let req = Request::get("/lti/dienste/1/2/mitglieder")
        .header(header::HOST, "localhost")
        .header(header::AUTHORIZATION, format!("Bearer {bearer}"))
        .body(Body::empty())
        .expect("request");
    app.router
        .clone()
        .oneshot(req)
        .await
        .expect("response")
        .status()
}

fn refused(what: &str, (s, v): &(StatusCode, Value), status: StatusCode, error: &str) {
    assert_eq!(*s, status, "{what}: {v}");
    assert_eq!(v["error"], error, "{what}: {v}");
}

async fn replays_are_refused(app: &TestApp, tool: &Tool) {
    let good = sign(&tool.key, &claims(app, tool, "jti-1"));
    let (s, v) = token(app, &good).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let access = v["access_token"].as_str().expect("a token").to_owned();
    assert_eq!(service_status(app, &access).await, StatusCode::NOT_FOUND);
    assert_eq!(
        service_status(app, "no-such-token").await,
        StatusCode::UNAUTHORIZED
    );
    let before = stored(app).await;
    let again = token(app, &good).await;
    refused(
        "replayed jti",
        &again,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
    );
    assert_eq!(stored(app).await, before, "a replay stores nothing");

    // A fresh assertion sent 50 times at once: exactly one token.
    let fresh = sign(&tool.key, &claims(app, tool, "jti-storm"));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..PARALLEL {
        let router = app.router.clone();
        let b = body(&fresh).into_bytes();
        set.spawn(async move { post(router, FORM, b).await });
    }
    let mut won = 0;
    while let Some(done) = set.join_next().await {
        let answer = done.expect("task");
        if answer.0 == StatusCode::OK {
            won += 1;
        } else {
            refused(
                "parallel replay",
                &answer,
                StatusCode::UNAUTHORIZED,
                "invalid_client",
            );
        }
    }
    assert_eq!(won, 1, "exactly one of {PARALLEL} parallel assertions wins");
    assert_eq!(stored(app).await, (before.0 + 1, before.1 + 1));
}

async fn bad_assertions_change_nothing(app: &TestApp, tool: &Tool) {
    let now = app.platform.now().timestamp();
    let with = |f: &dyn Fn(&mut Value)| {
        let mut c = claims(app, tool, "jti-bad");
        f(&mut c);
        sign(&tool.key, &c)
    };
    let other_key = KeyPair::generate(KeySize::Rsa2048).expect("key");
    let nested = format!("{}{}", "[".repeat(50_000), "]".repeat(50_000));
    let cases: Vec<(&str, String)> = vec![
        (
            "wrong audience",
            with(&|c| c["aud"] = "https://elsewhere.example/token".into()),
        ),
        (
            "audience list without us",
            with(&|c| c["aud"] = json!(["https://a.example", "https://b.example"])),
        ),
        (
            "expired",
            with(&|c| {
                c["iat"] = (now - 900).into();
                c["exp"] = (now - 600).into();
            }),
        ),
        (
            "issued in the future",
            with(&|c| {
                c["iat"] = (now + 900).into();
                c["exp"] = (now + 1200).into();
            }),
        ),
        ("living a day", with(&|c| c["exp"] = (now + 86_400).into())),
        ("no expiry", with(&|c| c["exp"] = Value::Null)),
        ("no jti", with(&|c| c["jti"] = Value::Null)),
        ("empty jti", with(&|c| c["jti"] = "".into())),
        ("sub not the tool", with(&|c| c["sub"] = "someone".into())),
        (
            "another tool's id",
            with(&|c| {
                c["iss"] = "t-unknown".into();
                c["sub"] = "t-unknown".into();
            }),
        ),
        ("wrong key", sign(&other_key, &claims(app, tool, "jti-bad"))),
        ("unsigned", {
            let good = sign(&tool.key, &claims(app, tool, "jti-bad"));
            let (input, _) = good.rsplit_once('.').expect("three parts");
            format!("{input}.")
        }),
        ("alg none", {
            let head = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"k1"}"#);
            let payload = URL_SAFE_NO_PAD.encode(claims(app, tool, "jti-bad").to_string());
            format!("{head}.{payload}.")
        }),
        ("not a JWT", "not-a-jwt".into()),
        ("garbage parts", "a.b.c".into()),
        (
            "nested JSON payload",
            format!("x.{}.y", URL_SAFE_NO_PAD.encode(&nested)),
        ),
    ];
    let before = stored(app).await;
    for (what, assertion) in &cases {
        let answer = token(app, assertion).await;
        refused(what, &answer, StatusCode::UNAUTHORIZED, "invalid_client");
    }
    assert_eq!(
        stored(app).await,
        before,
        "refused assertions store nothing"
    );
    // The jti they all carried is still unspent.
    let (s, v) = token(app, &sign(&tool.key, &claims(app, tool, "jti-bad"))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

async fn bad_requests_change_nothing(app: &TestApp, tool: &Tool) {
    let good = sign(&tool.key, &claims(app, tool, "jti-body"));
    let before = stored(app).await;
    let wrong_grant = body(&good).replace("client_credentials", "authorization_code");
    let wrong_type = body(&good).replace("jwt-bearer", "saml2-bearer");
    let no_scope = body(&good).replace(SCOPE, "https%3A%2F%2Fevil.example%2Fall");
    let mut huge = body(&good).into_bytes();
    huge.extend(std::iter::repeat_n(b'a', 3 * 1024 * 1024));
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes();
    let as_json = json!({"grant_type": "client_credentials", "client_assertion": good})
        .to_string()
        .into_bytes();
    let cases: Vec<(&str, &str, Vec<u8>, Option<&str>)> = vec![
        (
            "wrong grant type",
            FORM,
            wrong_grant.into_bytes(),
            Some("unsupported_grant_type"),
        ),
        (
            "wrong assertion type",
            FORM,
            wrong_type.into_bytes(),
            Some("invalid_client"),
        ),
        (
            "no known scope",
            FORM,
            no_scope.into_bytes(),
            Some("invalid_scope"),
        ),
        (
            "empty body",
            FORM,
            Vec::new(),
            Some("unsupported_grant_type"),
        ),
        ("oversized form", FORM, huge, None),
        ("nested JSON", "application/json", nested, None),
        ("JSON instead of a form", "application/json", as_json, None),
        ("not UTF-8", FORM, vec![0xff, 0xfe, b'=', 0xc3], None),
    ];
    for (what, kind, b, error) in cases {
        let (s, v) = post(app.router.clone(), kind, b).await;
        assert!(s.is_client_error(), "{what}: {s} {v}");
        if let Some(e) = error {
            assert_eq!(v["error"], e, "{what}: {v}");
        }
    }
    assert_eq!(stored(app).await, before, "refused requests store nothing");
    let (s, v) = token(app, &good).await;
    assert_eq!(s, StatusCode::OK, "the assertion is unspent: {v}");
}

async fn scenario(app: TestApp) {
    let tool = register(&app).await;
    replays_are_refused(&app, &tool).await;
    bad_assertions_change_nothing(&app, &tool).await;
    bad_requests_change_nothing(&app, &tool).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn lti_token_endpoint_attacks_on_sqlite() {
    let t = TestDb::sqlite().await;
    scenario(TestApp::new(t.db.clone()).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn lti_token_endpoint_attacks_on_postgres() {
    let t = TestDb::postgres().await;
    scenario(TestApp::new(t.db.clone()).await).await;
    t.db.close().await;
}
