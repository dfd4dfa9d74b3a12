//! "Passwort vergessen" and the absence note through the router, with the reset mail
//! going to a real SMTP server on loopback (Python aiosmtpd, `tests/mail/smtp_sink.py`).

use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;

use axum::http::{StatusCode, header};
use schulhof_domain::clock::SystemClock;
use schulhof_domain::mail::outbound::OutboundConfig;
use schulhof_domain::{Config, Platform};
use schulhof_store::testing::TestDb;

use super::*;

/// The outside world's SMTP server; stopped when dropped.
struct Sink {
    child: std::process::Child,
    port: u16,
    dir: PathBuf,
}

impl Sink {
    fn start() -> Sink {
        let python = std::env::var("SCHULHOF_PYTHON")
            .unwrap_or_else(|_| "/var/tmp/schulhof-venv/bin/python".into());
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/mail/smtp_sink.py");
        let dir = std::env::temp_dir().join(format!("schulhof-sink-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).expect("sink dir");
        let mut child = std::process::Command::new(python)
            .arg(script)
            .arg(&dir)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python with aiosmtpd (SCHULHOF_PYTHON)");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("port");
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("sink said {line:?}"));
        Sink { child, port, dir }
    }

    /// The messages taken so far.
    fn messages(&self) -> Vec<Vec<u8>> {
        (1..)
            .map_while(|n| std::fs::read(self.dir.join(format!("{n}.eml"))).ok())
            .collect()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn app_with_sink(pg: bool) -> (App, Sink) {
    let sink = Sink::start();
    let db = if pg {
        TestDb::postgres().await
    } else {
        TestDb::sqlite().await
    };
    let config = Config {
        outbound: OutboundConfig {
            relay: Some(format!("smtp://127.0.0.1:{}", sink.port)),
            public_url: Some("https://schulhof.test".into()),
            ..OutboundConfig::default()
        },
        ..super::config()
    };
    let platform = Platform::new(db.db.clone(), Arc::new(SystemClock), config);
    platform.system_seed_demo().await.expect("seed demo");
    (App::with_platform(platform, db), sink)
}

/// Gives the demo teacher an external address, as Mein Konto does.
async fn with_external_address(app: &App) {
    let cookie = app.ready("lehrer").await;
    app.post(
        "/konto/externe-mail",
        &cookie,
        &[
            ("external_mail", "lehrer.privat@example.org"),
            ("aktion", "speichern"),
        ],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
}

/// The path of the reset link in the newest mail.
fn link_path(sink: &Sink) -> String {
    let raw = sink.messages().pop().expect("a mail");
    let m = mail_parser::MessageParser::default()
        .parse(&raw[..])
        .expect("parse");
    let body = m.body_text(0).map(|b| b.into_owned()).unwrap_or_default();
    let start = body
        .find("https://schulhof.test/passwort-vergessen/")
        .unwrap_or_else(|| panic!("no link in {body}"));
    body[start + "https://schulhof.test".len()..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect()
}

async fn the_same_answer_and_a_link_that_works_once(app: App, sink: Sink) {
    with_external_address(&app).await;
    app.get("/anmelden", "")
        .await
        .assert(StatusCode::OK)
        .has(r#"href="/passwort-vergessen""#);
    app.get("/passwort-vergessen", "")
        .await
        .assert(StatusCode::OK)
        .has("Passwort vergessen")
        .has(r#"<label for="login">Benutzername oder E-Mail-Adresse"#)
        .has(r#"<input type="hidden" name="schule" value="100000">"#);
    let ask = |login: &'static str| {
        let app = &app;
        async move {
            app.post(
                "/passwort-vergessen",
                "",
                &[("schule", "100000"), ("login", login)],
            )
            .await
        }
    };
    let unknown = ask("niemand").await;
    unknown
        .assert(StatusCode::OK)
        .has("Bitte sehen Sie in Ihr Postfach");
    let known = ask("lehrer").await;
    assert_eq!(known.status, unknown.status);
    assert_eq!(known.body, unknown.body, "the same answer");
    let p = &app.platform;
    p.system_send_due_mail(p.now()).await.expect("run");
    assert_eq!(sink.messages().len(), 1);
    let path = link_path(&sink);

    let form = app.get(&path, "").await;
    form.assert(StatusCode::OK)
        .has("Neues Passwort setzen")
        .has(&format!(r#"action="{path}""#))
        .has(r#"autocomplete="new-password""#);
    assert_eq!(form.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(form.headers[header::REFERRER_POLICY], "no-referrer");
    app.post(
        &path,
        "",
        &[("new", "ein-neues-passwort"), ("repeat", "anders")],
    )
    .await
    .assert(StatusCode::UNPROCESSABLE_ENTITY);
    app.post(&path, "", &[("new", "kurz"), ("repeat", "kurz")])
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("mindestens 8 Zeichen");
    let done = app
        .post(
            &path,
            "",
            &[
                ("new", "ein-neues-passwort"),
                ("repeat", "ein-neues-passwort"),
            ],
        )
        .await;
    done.assert(StatusCode::SEE_OTHER);
    assert_eq!(done.location(), "/anmelden?ok=password_reset_done");
    app.get(done.location(), "")
        .await
        .has("Ihr neues Passwort ist gesetzt.");
    app.login("lehrer", "ein-neues-passwort").await;
    app.get(&path, "")
        .await
        .assert(StatusCode::GONE)
        .has("Dieser Link gilt nicht mehr");
    app.post(
        &path,
        "",
        &[
            ("new", "noch-ein-passwort"),
            ("repeat", "noch-ein-passwort"),
        ],
    )
    .await
    .assert(StatusCode::GONE);
    app.get("/passwort-vergessen/nicht-echt", "")
        .await
        .assert(StatusCode::GONE);
}

async fn the_absence_page_sets_and_removes_the_note(app: App) {
    let cookie = app.ready("lehrer").await;
    app.get("/konto", &cookie)
        .await
        .has(r#"href="/konto/abwesenheit""#);
    app.get("/konto/abwesenheit", &cookie)
        .await
        .assert(StatusCode::OK)
        .has("Abwesenheitsnotiz")
        .has(r#"type="date""#)
        .lacks("Notiz entfernen");
    let today = chrono::Utc::now().date_naive();
    let later = today + chrono::Days::new(5);
    let form = |von: String, bis: String| {
        vec![
            ("von", von),
            ("bis", bis),
            ("betreff", "Nicht im Haus".to_owned()),
            ("text", "Ich bin auf Klassenfahrt.".to_owned()),
            ("vertretung", "schueler".to_owned()),
            ("aktion", "speichern".to_owned()),
        ]
    };
    let backwards = form(later.to_string(), today.to_string());
    let pairs: Vec<(&str, &str)> = backwards.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post("/konto/abwesenheit", &cookie, &pairs)
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("das Ende muss nach dem Beginn liegen");
    let good = form(today.to_string(), later.to_string());
    let pairs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = app.post("/konto/abwesenheit", &cookie, &pairs).await;
    saved.assert(StatusCode::SEE_OTHER);
    assert_eq!(saved.location(), "/konto/abwesenheit?ok=absence_saved");
    app.get(saved.location(), &cookie)
        .await
        .has("Die Abwesenheitsnotiz ist gespeichert.")
        .has("aktiv")
        .has("Ich bin auf Klassenfahrt.")
        .has("Notiz entfernen");
    let removed = app
        .post("/konto/abwesenheit", &cookie, &[("aktion", "entfernen")])
        .await;
    assert_eq!(removed.location(), "/konto/abwesenheit?ok=absence_cleared");
    app.get("/konto/abwesenheit", &cookie)
        .await
        .lacks("Notiz entfernen");
    // The admin function account has no mailbox, so no note.
    let admin = app.ready("admin").await;
    app.get("/konto/abwesenheit", &admin)
        .await
        .assert(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn sqlite_the_same_answer_and_a_link_that_works_once() {
    let (app, sink) = app_with_sink(false).await;
    the_same_answer_and_a_link_that_works_once(app, sink).await;
}

#[tokio::test]
async fn postgres_the_same_answer_and_a_link_that_works_once() {
    let (app, sink) = app_with_sink(true).await;
    the_same_answer_and_a_link_that_works_once(app, sink).await;
}

#[tokio::test]
async fn sqlite_the_absence_page_sets_and_removes_the_note() {
    the_absence_page_sets_and_removes_the_note(app().await).await;
}

#[tokio::test]
async fn postgres_the_absence_page_sets_and_removes_the_note() {
    the_absence_page_sets_and_removes_the_note(app_on_postgres().await).await;
}
