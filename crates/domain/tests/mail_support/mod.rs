//! The harness of the outgoing-mail scenarios: a school whose platform sends through a real
//! SMTP server on loopback (Python aiosmtpd, `tests/mail/smtp_sink.py`), a hand-moved clock,
//! and a second node on the same database and content store.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use schulhof_domain::admin::NewUser;
use schulhof_domain::clock::ManualClock;
use schulhof_domain::identity::Actor;
use schulhof_domain::mail::outbound::OutboundConfig;
use schulhof_domain::mail::{MessageMeta, Special};
use schulhof_domain::{Config, Db, HashParams, Platform};
use tokio::io::{AsyncBufReadExt, BufReader};

pub const PW: &str = "ein-gutes-passwort";
pub const SCHOOL: &str = "123456";
pub const T: &str = "lehrer.test@123456.nrw.schule";
pub const ANNA: &str = "anna.test@123456.nrw.schule";

/// The SMTP server of the outside world.
pub struct Sink {
    child: tokio::process::Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

/// One message the sink took.
#[derive(Debug)]
pub struct Got {
    pub mail_from: String,
    pub rcpts: Vec<String>,
    pub raw: Vec<u8>,
}

impl Sink {
    /// Starts a sink; `rcpt_answer` (e.g. "550 5.1.1 no such user") refuses every recipient.
    pub async fn start(rcpt_answer: Option<&str>) -> Sink {
        let python = std::env::var("SCHULHOF_PYTHON")
            .unwrap_or_else(|_| "/var/tmp/schulhof-venv/bin/python".into());
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/mail/smtp_sink.py");
        let dir = tempfile::tempdir().expect("sink dir");
        let mut cmd = tokio::process::Command::new(python);
        cmd.arg(&script).arg(dir.path());
        if let Some(a) = rcpt_answer {
            cmd.arg("--rcpt-answer").arg(a);
        }
        let mut child = cmd
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("python with aiosmtpd (SCHULHOF_PYTHON)");
        let out = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(out)
            .read_line(&mut line)
            .await
            .expect("sink port");
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("sink said {line:?}"));
        Sink { child, port, dir }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message taken so far, in order.
    pub fn messages(&self) -> Vec<Got> {
        let mut out = Vec::new();
        for n in 1.. {
            let base = self.dir.path().join(n.to_string());
            let Ok(raw) = std::fs::read(base.with_extension("eml")) else {
                break;
            };
            let env: serde_json::Value = serde_json::from_slice(
                &std::fs::read(base.with_extension("json")).expect("envelope"),
            )
            .expect("json");
            out.push(Got {
                mail_from: env["mail_from"].as_str().unwrap_or_default().to_owned(),
                rcpts: env["rcpt_tos"]
                    .as_array()
                    .expect("rcpts")
                    .iter()
                    .map(|r| r.as_str().unwrap_or_default().to_owned())
                    .collect(),
                raw,
            });
        }
        out
    }
}

pub struct Env {
    pub platform: Platform,
    pub clock: Arc<ManualClock>,
    pub blobs: tempfile::TempDir,
    pub db: Db,
    relay: Option<String>,
}

fn config(blobs: &std::path::Path, relay: Option<String>) -> Config {
    Config {
        hash: HashParams::insecure_fast_for_tests(),
        blob_dir: Some(blobs.to_owned()),
        outbound: OutboundConfig {
            relay,
            timeout: std::time::Duration::from_secs(10),
            public_url: Some("https://schulhof.test".into()),
            ..OutboundConfig::default()
        },
        ..Config::default()
    }
}

/// A school with a teacher (external address `lehrer@example.org`) and a student, sending
/// through `relay`.
pub async fn env(db: Db, relay: Option<String>) -> Env {
    env_with(db, relay, |_| {}).await
}

/// As [`env`], with the platform's configuration changed by `adjust` first.
pub async fn env_with(db: Db, relay: Option<String>, adjust: impl FnOnce(&mut Config)) -> Env {
    let blobs = tempfile::tempdir().expect("blob dir");
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 2, 8, 0, 0)
            .single()
            .expect("time"),
    ));
    let mut cfg = config(blobs.path(), relay.clone());
    adjust(&mut cfg);
    let platform = Platform::new(db.clone(), clock.clone(), cfg);
    platform
        .system_create_school(SCHOOL, "Testschule")
        .await
        .expect("school");
    let e = Env {
        platform,
        clock,
        blobs,
        db,
        relay,
    };
    let admin = e.admin().await;
    for (login, kind, external) in [
        ("lehrer", "lehrer", Some("lehrer@example.org")),
        ("anna", "schueler", None),
        ("ben", "schueler", Some("ben@example.org")),
    ] {
        e.platform
            .create_user(
                &admin,
                NewUser {
                    first_name: login.into(),
                    last_name: "Test".into(),
                    account_type: Some(kind.into()),
                    function_role: None,
                    login: Some(login.into()),
                    password: Some(PW.into()),
                    external_mail: external.map(str::to_owned),
                    holder: None,
                    groups: Vec::new(),
                },
            )
            .await
            .expect("user");
    }
    e
}

impl Env {
    /// Another node: the same database, content store and clock.
    pub fn second_node(&self) -> Platform {
        Platform::new(
            self.db.clone(),
            self.clock.clone(),
            config(self.blobs.path(), self.relay.clone()),
        )
    }

    /// Another node sending through another relay.
    pub fn node_with_relay(&self, relay: &str) -> Platform {
        Platform::new(
            self.db.clone(),
            self.clock.clone(),
            config(self.blobs.path(), Some(relay.to_owned())),
        )
    }

    pub async fn admin(&self) -> Actor {
        self.platform
            .system_set_password(SCHOOL, "admin", Some("admin-passwort-1"))
            .await
            .expect("password");
        self.as_("admin", "admin-passwort-1").await
    }

    pub async fn user(&self, login: &str) -> Actor {
        self.as_(login, PW).await
    }

    pub async fn as_(&self, login: &str, password: &str) -> Actor {
        let s = self
            .platform
            .login(SCHOOL, login, password, "127.0.0.1")
            .await
            .expect("login");
        self.platform
            .session(&s.cookie)
            .await
            .expect("session")
            .actor
    }

    pub async fn inbox(&self, a: &Actor) -> Vec<MessageMeta> {
        let inbox = self
            .platform
            .mail_special(a, Special::Inbox)
            .await
            .expect("inbox");
        let (page, _) = self
            .platform
            .mail_page(a, inbox, 0, 100)
            .await
            .expect("page");
        page
    }
}

pub fn message(from: &str, to: &str, subject: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{subject}@test>\r\nDate: Mon, 2 Nov 2026 09:00:00 +0100\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}
