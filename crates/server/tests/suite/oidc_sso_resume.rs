//! A tool sends a person to log in (issue 18): the login page, and at the first login the
//! terms gate, lead back to the waiting authorization request, and its code reaches the
//! tool's redirect URI. Both pages allow the tool's origin as a form target (browsers check
//! `form-action` along the whole redirect chain); a gated session never loops between the
//! authorization endpoint and the login page. A pupil whose password must be changed first
//! (a new account, or one an admin reset) passes the password page the same way. On SQLite
//! and PostgreSQL.

use crate::common;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use schulhof_domain::oidc::NewClient;
use schulhof_store::{Db, backend_tests};
use serde_json::Value;
use tower::ServiceExt;

use common::{DEMO_PW, TestApp};

const REDIRECT: &str = "http://127.0.0.1:9/cb";
const TOOL_ORIGIN: &str = "form-action 'self' http://127.0.0.1:9;";

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Answer {
    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn csp(&self) -> &str {
        self.headers
            .get(header::CONTENT_SECURITY_POLICY)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// `name=value` of the `Set-Cookie` for `name`.
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .find(|kv| kv.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }
}

/// A browser-like request: `cookies` as sent, a form body when given.
async fn send(app: &TestApp, method: &str, path: &str, cookies: &str, form: &str) -> Answer {
    let mut req = Request::builder().method(method).uri(path);
    if !cookies.is_empty() {
        req = req.header(header::COOKIE, cookies);
    }
    if method == "POST" {
        req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    }
    let req = req.body(Body::from(form.to_owned())).expect("request");
    let res = app.router.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// Percent-encodes all but RFC 3986's unreserved characters.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The raw value of `name` in a URL's query (codes and states here need no decoding).
fn param<'a>(url: &'a str, name: &str) -> Option<&'a str> {
    let query = url.split_once('?')?.1;
    query
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

async fn register(app: &TestApp) -> (String, String) {
    let client = NewClient {
        school: Some("100000".into()),
        name: "Lesewelt".into(),
        redirect_uris: vec![REDIRECT.into()],
        ..NewClient::default()
    };
    let r = app
        .platform
        .system_oidc_add_client(&client)
        .await
        .expect("register");
    (r.client_id, r.secret.expect("a confidential client"))
}

/// The code a redirect to the tool carries, after checking it went to the tool.
fn code_at_tool(a: &Answer, state: &str) -> String {
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let to = a.location();
    assert!(to.starts_with(&format!("{REDIRECT}?")), "to the tool: {to}");
    assert_eq!(param(to, "state"), Some(state));
    param(to, "code").expect("a code").to_owned()
}

/// The tool redeems the code and asks who it is: proof the code is good.
async fn redeem(app: &TestApp, id: &str, secret: &str, code: &str) -> String {
    let body = format!(
        "grant_type=authorization_code&code={}&redirect_uri={}&client_id={id}&client_secret={}",
        enc(code),
        enc(REDIRECT),
        enc(secret)
    );
    let t = send(app, "POST", "/oidc/token", "", &body).await;
    assert_eq!(t.status, StatusCode::OK, "{}", t.body);
    let json: Value = serde_json::from_str(&t.body).expect("json");
    let access = json["access_token"].as_str().expect("access token");
    let req = Request::get("/oidc/userinfo")
        .header(header::AUTHORIZATION, format!("Bearer {access}"))
        .body(Body::empty())
        .expect("request");
    let res = app.router.clone().oneshot(req).await.expect("response");
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    let info: Value = serde_json::from_slice(&bytes).expect("json");
    info["sub"].as_str().expect("a subject").to_owned()
}

async fn a_tools_login_resumes_after_login_and_terms(db: Db) {
    let app = TestApp::new(db).await;
    let (id, secret) = register(&app).await;
    let authorize = format!(
        "/oidc/authorize?client_id={id}&redirect_uri={}&response_type=code&scope=openid&state=s1&nonce=n1",
        enc(REDIRECT)
    );
    // Nobody logged in: to the login page, the request waiting in `zurueck`.
    let a = send(&app, "GET", &authorize, "", "").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let login_page = a.location().to_owned();
    assert!(login_page.starts_with("/anmelden?zurueck="), "{login_page}");
    let page = send(&app, "GET", &login_page, "", "").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.csp().contains(TOOL_ORIGIN),
        "login CSP: {}",
        page.csp()
    );
    // A wrong password shows the form again, still able to end at the tool.
    let form = |pw: &str| {
        format!(
            "schule=100000&login=schueler&passwort={pw}&zurueck={}",
            enc(&authorize)
        )
    };
    let wrong = send(&app, "POST", "/anmelden", "", &form("falsch")).await;
    assert_ne!(wrong.status, StatusCode::SEE_OTHER);
    assert!(wrong.csp().contains(TOOL_ORIGIN), "{}", wrong.csp());
    // A plain page keeps the strict policy.
    let plain = send(&app, "GET", "/anmelden?zurueck=%2Fkonto", "", "").await;
    assert!(!plain.csp().contains("127.0.0.1:9"), "{}", plain.csp());

    // First login: the terms gate comes first, the request waits in a cookie.
    let a = send(&app, "POST", "/anmelden", "", &form(DEMO_PW)).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(a.location(), "/zustimmung");
    let session = a.cookie("schulhof_session").expect("a session");
    let waiting = a.cookie("schulhof_zurueck").expect("the request waits");
    let cookies = format!("{session}; {waiting}");
    let gate = send(&app, "GET", "/zustimmung", &cookies, "").await;
    assert_eq!(gate.status, StatusCode::OK, "{}", gate.body);
    assert!(
        gate.csp().contains(TOOL_ORIGIN),
        "terms CSP: {}",
        gate.csp()
    );
    // Without a waiting tool request the terms page keeps the strict policy.
    let alone = send(&app, "GET", "/zustimmung", &session, "").await;
    assert!(!alone.csp().contains("127.0.0.1:9"), "{}", alone.csp());
    // A gated session sent to log in again goes to its gate, never in a loop.
    let again = send(&app, "GET", &login_page, &session, "").await;
    assert_eq!(again.location(), "/zustimmung");
    assert!(again.cookie("schulhof_zurueck").is_some());

    // Accepting resumes the request, not the home page; the code reaches the tool.
    let accept = "antwort=annehmen&datenschutz=on";
    let a = send(&app, "POST", "/zustimmung", &cookies, accept).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(a.location(), authorize);
    let a = send(&app, "GET", &authorize, &session, "").await;
    let code = code_at_tool(&a, "s1");
    let sub = redeem(&app, &id, &secret, &code).await;

    // The next time (terms accepted), the login form leads straight back to the tool,
    // under the same pairwise subject.
    let a = send(&app, "POST", "/anmelden", "", &form(DEMO_PW)).await;
    assert_eq!(a.location(), authorize);
    let session = a.cookie("schulhof_session").expect("a session");
    let a = send(&app, "GET", &authorize, &session, "").await;
    let code = code_at_tool(&a, "s1");
    assert_eq!(redeem(&app, &id, &secret, &code).await, sub);
}

/// A pupil with a password an admin reset opens the tool: login, the password page (which
/// may end at the tool, so it allows the tool's origin as a form target), the terms, and
/// back to the waiting authorization request.
async fn a_tools_login_resumes_after_the_forced_password_change(db: Db) {
    let app = TestApp::new(db).await;
    let (id, secret) = register(&app).await;
    let admin = app.ready("admin").await;
    let reset = app
        .send(
            "POST",
            "/api/v1/users/schueler/password",
            Some(&admin),
            None,
            &[],
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.json);
    let initial = reset.json["initial_password"].as_str().expect("a password");
    let authorize = format!(
        "/oidc/authorize?client_id={id}&redirect_uri={}&response_type=code&scope=openid&state=s2&nonce=n2",
        enc(REDIRECT)
    );
    let form = format!(
        "schule=100000&login=schueler&passwort={}&zurueck={}",
        enc(initial),
        enc(&authorize)
    );
    let a = send(&app, "POST", "/anmelden", "", &form).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(a.location(), "/konto/passwort-setzen");
    let session = a.cookie("schulhof_session").expect("a session");
    let waiting = a.cookie("schulhof_zurueck").expect("the request waits");
    let cookies = format!("{session}; {waiting}");

    let page = send(&app, "GET", "/konto/passwort-setzen", &cookies, "").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.csp().contains(TOOL_ORIGIN),
        "password CSP: {}",
        page.csp()
    );
    // Without a waiting tool request the page keeps the strict policy.
    let alone = send(&app, "GET", "/konto/passwort-setzen", &session, "").await;
    assert_eq!(alone.status, StatusCode::OK);
    assert!(!alone.csp().contains("127.0.0.1:9"), "{}", alone.csp());
    // A mistake shows the form again, still able to end at the tool.
    let new = "ein-neues-passwort-2026";
    let mismatch = format!("old={}&new={new}&repeat=anders-2026-passwort", enc(initial));
    let wrong = send(&app, "POST", "/konto/passwort-setzen", &cookies, &mismatch).await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.body
    );
    assert!(wrong.csp().contains(TOOL_ORIGIN), "{}", wrong.csp());

    // The new password set, the request resumes; the terms gate comes next and keeps it.
    let change = format!("old={}&new={new}&repeat={new}", enc(initial));
    let a = send(&app, "POST", "/konto/passwort-setzen", &cookies, &change).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(a.location(), authorize);
    let a = send(&app, "GET", &authorize, &session, "").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let login_page = a.location().to_owned();
    let a = send(&app, "GET", &login_page, &session, "").await;
    assert_eq!(a.location(), "/zustimmung");
    let waiting = a
        .cookie("schulhof_zurueck")
        .expect("the request waits again");
    let cookies = format!("{session}; {waiting}");
    let accept = "antwort=annehmen&datenschutz=on";
    let a = send(&app, "POST", "/zustimmung", &cookies, accept).await;
    assert_eq!(a.location(), authorize);
    let a = send(&app, "GET", &authorize, &session, "").await;
    let code = code_at_tool(&a, "s2");
    redeem(&app, &id, &secret, &code).await;
}

backend_tests!(
    a_tools_login_resumes_after_login_and_terms,
    a_tools_login_resumes_after_the_forced_password_change
);
