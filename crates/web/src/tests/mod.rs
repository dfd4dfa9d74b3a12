//! The pages against a real (SQLite) database with the demo school, through the router.

/// Runs each scenario (taking an [`App`]) on SQLite and on PostgreSQL.
macro_rules! on_both_backends {
    ($($scenario:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $scenario() {
                    super::$scenario(super::super::app().await).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $scenario() {
                    super::$scenario(super::super::app_on_postgres().await).await;
                }
            )+
        }
    };
}

mod account;
mod admin;
mod admin_views;
mod calendar;
mod calendar_attach;
mod calendar_edit;
mod calendar_invite;
mod chat;
mod chat_more;
mod conference;
mod contacts;
mod du;
mod filemanager;
mod files;
mod files_cross;
mod groups;
mod handin;
mod help;
mod help_console;
mod help_network;
mod home;
mod import;
mod lifecycle;
mod links;
mod lms_arrange;
mod lms_assignments;
mod lms_captions;
mod lms_course;
mod lms_due_feed;
mod lms_feedback_web;
mod lms_grading_web;
mod lms_import;
mod lms_notify;
mod lms_page_media;
mod lms_pick;
mod lms_quizzes;
mod lms_rights_matrix;
mod login;
mod lti_tools;
mod mail;
mod mail_abuse;
mod mail_admin;
mod mail_bulk;
mod mail_compose_flows;
mod mail_delegation;
mod mail_files;
mod mail_governance;
mod mail_quarantine;
mod media;
mod news;
mod notifications;
mod offers_policy;
mod oidc_relogin;
mod oidc_tiles;
mod oidc_tools;
mod operator;
mod paging;
mod password_reset;
mod preview;
mod safe;
mod safe_editor;
mod safe_limits;
mod safe_pages;
mod shell;
mod statements;
mod teacher;
mod times;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use schulhof_domain::clock::SystemClock;
use schulhof_domain::{Config, HashParams, Platform};
use schulhof_front::AppState;
use schulhof_store::testing::TestDb;
use tower::ServiceExt;

use crate::url;

pub struct App {
    router: Router,
    pub platform: Platform,
    _db: TestDb,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// `name=value` of a `Set-Cookie` header for `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .find(|kv| kv.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }

    #[track_caller]
    pub fn assert(&self, status: StatusCode) -> &Self {
        assert_eq!(self.status, status, "body: {}", self.body);
        self
    }

    #[track_caller]
    pub fn has(&self, text: &str) -> &Self {
        assert!(
            self.body.contains(text),
            "expected {text:?} in:\n{}",
            self.body
        );
        self
    }

    #[track_caller]
    pub fn lacks(&self, text: &str) -> &Self {
        assert!(
            !self.body.contains(text),
            "did not expect {text:?} in:\n{}",
            self.body
        );
        self
    }
}

pub fn config() -> Config {
    Config {
        hash: HashParams::insecure_fast_for_tests(),
        ..Default::default()
    }
}

pub async fn app() -> App {
    let db = TestDb::sqlite().await;
    let platform = Platform::new(db.db.clone(), Arc::new(SystemClock), config());
    platform.system_seed_demo().await.expect("seed demo");
    App::with_platform(platform, db)
}

/// The same, on a fresh PostgreSQL database (`SCHULHOF_TEST_PG_URL`).
pub async fn app_on_postgres() -> App {
    let db = TestDb::postgres().await;
    let platform = Platform::new(db.db.clone(), Arc::new(SystemClock), config());
    platform.system_seed_demo().await.expect("seed demo");
    App::with_platform(platform, db)
}

impl App {
    pub fn with_platform(platform: Platform, db: TestDb) -> App {
        let state = AppState {
            platform: platform.clone(),
            demo: true,
            secure_cookies: false,
            trust_forwarded: false,
        };
        App {
            router: crate::router().with_state(state),
            platform,
            _db: db,
        }
    }

    async fn send(&self, req: Request<Body>) -> Resp {
        let res = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router answers");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str, cookie: &str) -> Resp {
        let req = Request::get(path)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .expect("request");
        self.send(req).await
    }

    pub async fn post(&self, path: &str, cookie: &str, form: &[(&str, &str)]) -> Resp {
        let body = form
            .iter()
            .map(|(k, v)| format!("{k}={}", url::encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let req = Request::post(path)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }

    /// A `multipart/form-data` POST with text fields and one file (name, file name, bytes).
    pub async fn post_multipart(
        &self,
        path: &str,
        cookie: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &[u8]),
    ) -> Resp {
        const BOUNDARY: &str = "----schulhof-test-boundary";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        let (name, file_name, bytes) = file;
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let req = Request::post(path)
            .header(header::COOKIE, cookie)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }

    /// Logs in and returns the session cookie (`name=value`), still gated.
    pub async fn login(&self, login: &str, password: &str) -> String {
        let r = self
            .post(
                "/anmelden",
                "",
                &[
                    ("schule", "100000"),
                    ("login", login),
                    ("passwort", password),
                ],
            )
            .await;
        r.assert(StatusCode::SEE_OTHER);
        assert_eq!(r.location(), "/");
        r.cookie(schulhof_front::SESSION_COOKIE)
            .expect("session cookie")
    }

    /// Logs `login` of `school` in with `password` and accepts the terms.
    pub async fn ready_at(&self, school: &str, login: &str, password: &str) -> String {
        let r = self
            .post(
                "/anmelden",
                "",
                &[("schule", school), ("login", login), ("passwort", password)],
            )
            .await;
        r.assert(StatusCode::SEE_OTHER);
        let cookie = r
            .cookie(schulhof_front::SESSION_COOKIE)
            .expect("session cookie");
        self.post(
            "/zustimmung",
            &cookie,
            &[("antwort", "annehmen"), ("datenschutz", "ja")],
        )
        .await
        .assert(StatusCode::SEE_OTHER);
        cookie
    }

    /// The actor of a session cookie (`name=value`).
    pub async fn actor(&self, cookie: &str) -> schulhof_domain::identity::Actor {
        self.platform
            .session(cookie.split_once('=').map_or("", |(_, v)| v))
            .await
            .expect("session")
            .actor
    }

    /// Logs a demo login in and accepts the terms: a session ready for the platform.
    pub async fn ready(&self, login: &str) -> String {
        let cookie = self.login(login, "schulhof-demo").await;
        let r = self
            .post(
                "/zustimmung",
                &cookie,
                &[("antwort", "annehmen"), ("datenschutz", "ja")],
            )
            .await;
        r.assert(StatusCode::SEE_OTHER);
        cookie
    }
}
