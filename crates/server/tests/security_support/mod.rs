//! Requests as clients send them, and a second node on the same database.

#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, header};
use schulhof_domain::{Config, HashParams, Platform};
use schulhof_front::AppState;
use schulhof_store::Db;

use crate::common::TestApp;

/// A request as a browser or client sends it from `addr`.
pub fn request(
    method: &str,
    path: &str,
    addr: &str,
    cookie: Option<&str>,
    body: Body,
) -> Request<Body> {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header("x-forwarded-for", addr);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, format!("schulhof_session={c}"));
    }
    b.body(body).expect("request")
}

pub fn json_request(
    path: &str,
    addr: &str,
    cookie: Option<&str>,
    body: serde_json::Value,
) -> Request<Body> {
    let mut r = request("POST", path, addr, cookie, Body::from(body.to_string()));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        "application/json".parse().expect("value"),
    );
    r
}

pub fn form_request(path: &str, addr: &str, cookie: &str, form: &[(&str, &str)]) -> Request<Body> {
    let body: String = form
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let mut r = request("POST", path, addr, Some(cookie), Body::from(body));
    let form_type = "application/x-www-form-urlencoded".parse().expect("value");
    r.headers_mut().insert(header::CONTENT_TYPE, form_type);
    r
}

/// A WebDAV PROPFIND with Basic credentials of the demo school, from `addr`.
pub fn dav_request(user: &str, password: &str, addr: &str) -> Request<Body> {
    use base64::Engine;
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{user}@100000:{password}"));
    let mut r = request("PROPFIND", "/dav/files/", addr, None, Body::empty());
    let h = r.headers_mut();
    let auth = format!("Basic {basic}").parse().expect("value");
    h.insert(header::AUTHORIZATION, auth);
    h.insert("depth", "1".parse().expect("value"));
    r
}

/// A second node on the same database, with its own in-memory caches.
pub fn second_node(app: &TestApp, db: Db) -> (Platform, Router) {
    let config = Config {
        hash: HashParams::insecure_fast_for_tests(),
        ..Config::default()
    };
    let platform = Platform::new(db, app.clock.clone(), config);
    let router = schulhof::app(AppState {
        platform: platform.clone(),
        demo: true,
        secure_cookies: false,
        trust_forwarded: true,
    });
    (platform, router)
}
