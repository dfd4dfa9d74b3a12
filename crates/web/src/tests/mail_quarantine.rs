//! The quarantine page and the DNS records on the admin's mail page, through the router on
//! SQLite and PostgreSQL: mail with malware (a clamd stand-in on a unix socket finds the
//! EICAR marker) is held, never delivered; the admin sees it (envelope and finding, not the
//! content) and deletes it; nobody else reaches the page.

use std::sync::Arc;

use axum::http::StatusCode;
use schulhof_domain::Platform;
use schulhof_domain::clock::SystemClock;
use schulhof_store::testing::TestDb;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixListener;

use super::mail::{mail_of, send_simple};
use super::{App, config};

/// A clamd stand-in: "FOUND" when the stream contains the EICAR marker, else "OK".
fn fake_clamd(path: &std::path::Path) {
    let listener = UnixListener::bind(path).expect("socket");
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut cmd = [0u8; 10];
                if s.read_exact(&mut cmd).await.is_err() {
                    return;
                }
                let mut data = Vec::new();
                loop {
                    let mut len = [0u8; 4];
                    if s.read_exact(&mut len).await.is_err() {
                        return;
                    }
                    let n = u32::from_be_bytes(len) as usize;
                    if n == 0 {
                        break;
                    }
                    let mut chunk = vec![0u8; n];
                    if s.read_exact(&mut chunk).await.is_err() {
                        return;
                    }
                    data.extend_from_slice(&chunk);
                }
                let answer: &[u8] = if data.windows(5).any(|w| w == b"EICAR") {
                    b"stream: Eicar-Test-Signature FOUND\0"
                } else {
                    b"stream: OK\0"
                };
                let _ = s.write_all(answer).await;
            });
        }
    });
}

async fn scenario(db: TestDb) {
    // Short: a unix socket path has a length limit.
    let socket = std::env::temp_dir().join(format!("sh-clamd-{}.sock", uuid::Uuid::now_v7()));
    fake_clamd(&socket);
    let mut cfg = config();
    cfg.mail.filter.virus_scanner = Some(socket.clone());
    let platform = Platform::new(db.db.clone(), Arc::new(SystemClock), cfg);
    platform.system_seed_demo().await.expect("seed demo");
    let app = App::with_platform(platform, db);
    let (admin, t, s) = (
        app.ready("admin").await,
        app.ready("lehrer").await,
        app.ready("schueler").await,
    );
    app.get("/verwaltung/mail/quarantaene", &admin)
        .await
        .assert(StatusCode::OK)
        .has("Keine Nachricht zurückgehalten.")
        .lacks("Der Virenscanner ist nicht eingeschaltet");
    let to = mail_of(&app, &s).await;
    let sent = send_simple(
        &app,
        &t,
        &to,
        "Virus im Anhang",
        "X5O!P EICAR-STANDARD-ANTIVIRUS",
    )
    .await;
    sent.assert(StatusCode::UNPROCESSABLE_ENTITY);
    let page = app.get("/verwaltung/mail/quarantaene", &admin).await;
    page.assert(StatusCode::OK)
        .has("Virus im Anhang")
        .has("Eicar-Test-Signature")
        .has(&to)
        .has("innerhalb")
        .lacks("EICAR-STANDARD");
    let id = page
        .body
        .split("/verwaltung/mail/quarantaene/")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .expect("a delete form")
        .to_owned();
    // The mail page links to it; nobody but the admin reaches it or deletes.
    app.get("/verwaltung/mail", &admin)
        .await
        .has("/verwaltung/mail/quarantaene");
    for who in [&t, &s] {
        let r = app.get("/verwaltung/mail/quarantaene", who).await;
        assert!(r.status.is_client_error(), "{}", r.status);
        let r = app
            .post(
                &format!("/verwaltung/mail/quarantaene/{id}/loeschen"),
                who,
                &[],
            )
            .await;
        assert!(r.status.is_client_error(), "{}", r.status);
    }
    let r = app
        .post(
            &format!("/verwaltung/mail/quarantaene/{id}/loeschen"),
            &admin,
            &[],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/verwaltung/mail/quarantaene?ok=held_deleted");
    app.get("/verwaltung/mail/quarantaene", &admin)
        .await
        .has("Keine Nachricht zurückgehalten.")
        .lacks("Virus im Anhang");
    app.post(
        &format!("/verwaltung/mail/quarantaene/{id}/loeschen"),
        &admin,
        &[],
    )
    .await
    .assert(StatusCode::NOT_FOUND);
    app.get("/verwaltung/protokoll", &admin)
        .await
        .has("Zurückgehaltene Nachricht gelöscht");
    // In English too.
    app.get("/verwaltung/mail/quarantaene", &format!("{admin}; lang=en"))
        .await
        .has("Quarantine")
        .lacks("[?]");
    let _ = std::fs::remove_file(&socket);
}

/// The admin's mail page names MX, SPF, DKIM and DMARC for each domain.
async fn dns_records_on_the_mail_page(app: App) {
    let admin = app.ready("admin").await;
    app.post(
        "/verwaltung/mail/domains",
        &admin,
        &[("domain", "demo-gymnasium.de")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let page = app.get("/verwaltung/mail", &admin).await;
    page.assert(StatusCode::OK)
        .has("DNS-Einträge")
        .has("10 nrw.schule.")
        .has("v=spf1 mx -all")
        .has("schulhof1._domainkey.100000.nrw.schule")
        .has("schulhof1._domainkey.demo-gymnasium.de")
        .has("_dmarc.demo-gymnasium.de")
        .has("v=DMARC1; p=quarantine");
}

#[tokio::test]
async fn quarantine_page_on_sqlite() {
    scenario(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn quarantine_page_on_postgres() {
    scenario(TestDb::postgres().await).await;
}

on_both_backends!(dns_records_on_the_mail_page);
