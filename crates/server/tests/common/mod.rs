//! `TestApp`: the whole HTTP application on a real database with a hand-moved clock.

#![allow(dead_code)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{TimeZone, Utc};
use http_body_util::BodyExt;
use schulhof_domain::clock::ManualClock;
use schulhof_domain::{Config, Db, HashParams, Platform};
use schulhof_front::AppState;
use serde_json::Value;
use tower::ServiceExt;

pub const DEMO_PW: &str = "schulhof-demo";

pub struct TestApp {
    pub router: Router,
    pub platform: Platform,
    pub clock: Arc<ManualClock>,
}

pub struct Reply {
    pub status: StatusCode,
    pub json: Value,
    pub headers: axum::http::HeaderMap,
}

impl TestApp {
    /// The app on `db` with the demo school seeded.
    pub async fn new(db: Db) -> TestApp {
        Self::with_config(db, |_| {}).await
    }

    /// The app on `db` with the demo school seeded and the test configuration changed by
    /// `adjust` (e.g. small file quotas).
    pub async fn with_config(db: Db, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter("warn")
            .try_init();
        let clock = Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 11, 2, 7, 55, 0)
                .single()
                .expect("valid time"),
        ));
        let mut config = Config {
            hash: HashParams::insecure_fast_for_tests(),
            ..Config::default()
        };
        adjust(&mut config);
        let platform = Platform::new(db, clock.clone(), config);
        platform.system_seed_demo().await.expect("seed demo");
        let state = AppState {
            platform: platform.clone(),
            demo: true,
            secure_cookies: false,
            trust_forwarded: true,
        };
        TestApp {
            router: schulhof::app(state),
            platform,
            clock,
        }
    }

    pub async fn send(
        &self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        body: Option<Value>,
        extra: &[(&str, &str)],
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, format!("schulhof_session={c}"));
        }
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        let req = match body {
            Some(b) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .expect("request");
        let res = self.router.clone().oneshot(req).await.expect("response");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            json,
            headers,
        }
    }

    pub async fn get(&self, path: &str, cookie: &str) -> Reply {
        self.send("GET", path, Some(cookie), None, &[]).await
    }

    pub async fn call(&self, method: &str, path: &str, cookie: &str, body: Value) -> Reply {
        self.send(method, path, Some(cookie), Some(body), &[]).await
    }

    /// Logs in from `addr` and returns the reply (cookie in `set-cookie`).
    pub async fn try_login(&self, school: &str, login: &str, password: &str, addr: &str) -> Reply {
        let body = serde_json::json!({ "instance": school, "login": login, "password": password });
        self.send(
            "POST",
            "/api/v1/session",
            None,
            Some(body),
            &[("x-forwarded-for", addr)],
        )
        .await
    }

    /// Logs in and returns the session cookie value; panics if the login fails.
    pub async fn login_as(&self, school: &str, login: &str, password: &str) -> String {
        let r = self.try_login(school, login, password, "10.0.0.1").await;
        assert_eq!(r.status, StatusCode::OK, "login {login}: {}", r.json);
        let set = r
            .headers
            .get(header::SET_COOKIE)
            .expect("cookie")
            .to_str()
            .expect("ascii");
        let value = set
            .split(';')
            .next()
            .and_then(|kv| kv.split_once('='))
            .map(|(_, v)| v.to_owned());
        value.expect("cookie value")
    }

    async fn accept_terms(&self, cookie: &str, login: &str) {
        let body = serde_json::json!({ "terms": true, "privacy": true });
        let r = self.call("POST", "/api/v1/consent", cookie, body).await;
        assert_eq!(
            r.status,
            StatusCode::NO_CONTENT,
            "consent {login}: {}",
            r.json
        );
    }

    /// Logs into the demo school and accepts the terms.
    pub async fn ready(&self, login: &str) -> String {
        let c = self.login_as("100000", login, DEMO_PW).await;
        self.accept_terms(&c, login).await;
        c
    }

    /// Logs in with a password that must be changed, changes it and accepts the terms.
    pub async fn ready_with(&self, login: &str, old: &str, new: &str) -> String {
        let c = self.login_as("100000", login, old).await;
        let r = self
            .call(
                "POST",
                "/api/v1/me/password",
                &c,
                serde_json::json!({ "old": old, "new": new }),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::NO_CONTENT,
            "password {login}: {}",
            r.json
        );
        self.accept_terms(&c, login).await;
        c
    }

    pub async fn db_read(&self) -> schulhof_store::Handle {
        self.platform.db().read().await.expect("read connection")
    }

    pub fn advance(&self, by: chrono::Duration) {
        self.clock.advance(by);
    }
}

/// The error code of a JSON error reply.
pub fn code(r: &Reply) -> &str {
    r.json["error"].as_str().unwrap_or("")
}
