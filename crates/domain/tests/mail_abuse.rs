//! Abuse control, stage 1, on SQLite and PostgreSQL: only the Schulleitung asks, with a
//! written reason and a period within the kept seven days; only the data-protection officer
//! (an operator) decides; approved, the analysis shows messages and volume per external
//! domain and day and nothing that names a person; refused or closed, it shows nothing.

mod file_support;

use chrono::Duration;
use file_support::*;
use schulhof_domain::admin::NewUser;
use schulhof_domain::clock::Clock;
use schulhof_domain::files::quota::FileQuotas;
use schulhof_domain::operators::{OperatorActor, totp};
use schulhof_domain::{Db, DomainError, Platform};
use schulhof_store::backend_tests;

const T: &str = "lehrer.test@123456.nrw.schule";

fn secret_of(uri: &str) -> Vec<u8> {
    let b32 = uri
        .split(['?', '&'])
        .find_map(|kv| kv.strip_prefix("secret="))
        .expect("secret in the URI");
    let (mut out, mut buffer, mut bits) = (Vec::new(), 0u32, 0u32);
    for c in b32.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => panic!("not base32: {c}"),
        };
        buffer = (buffer << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

/// An operator with `role`, logged in with its second factor and a changed password.
async fn operator(p: &Platform, login: &str, role: &str) -> OperatorActor {
    let c = p.system_create_operator(login, role).await.expect("create");
    let code = |p: &Platform| {
        totp::code_at_step(
            &secret_of(&c.otpauth_uri),
            totp::step_at(p.now().timestamp()),
        )
    };
    let s = p
        .operator_login(&c.login, &c.one_time_password, &code(p), "10.1.0.1")
        .await
        .expect("login");
    let session = p.operator_session(&s.cookie).await.expect("session");
    let new_pw = "ein-langes-betriebspasswort";
    p.operator_change_password(&session.actor, &c.one_time_password, new_pw, "10.1.0.1")
        .await
        .expect("change");
    p.operator_session(&s.cookie).await.expect("session").actor
}

fn message(from: &str, to: &str, subject: &str) -> Vec<u8> {
    format!("From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\n\r\nText\r\n").into_bytes()
}

async fn setup(db: Db) -> School {
    let s = school(db, "123456", FileQuotas::default()).await;
    let admin = s.admin().await;
    let u = NewUser {
        first_name: "schulleitung".into(),
        last_name: "Test".into(),
        account_type: None,
        function_role: Some("schulleitung".into()),
        login: Some("schulleitung".into()),
        password: Some(PW.into()),
        external_mail: None,
        holder: None,
        groups: Vec::new(),
    };
    s.platform.create_user(&admin, u).await.expect("user");
    let p = &s.platform;
    let t = s.user("lehrer").await;
    p.mail_submit(
        &t,
        T,
        &["freund@gmx.de".into()],
        &message(T, "freund@gmx.de", "Geheim privat"),
    )
    .await
    .expect("out");
    for n in 0..2 {
        let rcpt = p.mail_inbound_rcpt(T).await.expect("rcpt");
        let raw = message("werbung@evil.example", T, &format!("Angebot {n}"));
        p.mail_deliver_inbound("werbung@evil.example", &[rcpt], &raw)
            .await
            .expect("in");
    }
    s
}

async fn stage_one_is_anonymous_and_needs_the_officer(db: Db) {
    let s = setup(db).await;
    let p = &s.platform;
    let (sl, t) = (s.user("schulleitung").await, s.user("lehrer").await);
    let now = s.clock.now();
    let (from, until) = (now - Duration::days(1), now + Duration::seconds(1));
    s.clock.advance(Duration::seconds(2));
    let reason = "Verdacht auf Massenversand an externe Domains";
    assert!(matches!(
        p.mail_abuse_request(&t, reason, from, until).await,
        Err(DomainError::Forbidden)
    ));
    assert!(matches!(
        p.mail_abuse_request(&sl, "Verdacht", from, until).await,
        Err(DomainError::Invalid { .. })
    ));
    let long_ago = now - Duration::days(9);
    assert!(matches!(
        p.mail_abuse_request(&sl, reason, long_ago, until).await,
        Err(DomainError::Invalid { .. })
    ));
    let id = p
        .mail_abuse_request(&sl, reason, from, until)
        .await
        .expect("asked");
    // Nobody of the school decides; nothing is shown before the officer approved.
    assert!(matches!(
        p.mail_abuse_analysis(&sl, id).await,
        Err(DomainError::NotFound)
    ));
    let op_admin = operator(p, "betrieb", "operator-admin").await;
    assert!(p.operator_abuse_requests(&op_admin).await.is_err());
    assert!(
        p.operator_abuse_decide(&op_admin, "123456", id, true, "10.1.0.1")
            .await
            .is_err()
    );
    let dpo = operator(p, "datenschutz", "dpo").await;
    let waiting = p.operator_abuse_requests(&dpo).await.expect("waiting");
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].school, "123456");
    p.operator_abuse_decide(&dpo, "123456", id, true, "10.1.0.1")
        .await
        .expect("approved");
    assert!(matches!(
        p.operator_abuse_decide(&dpo, "123456", id, false, "10.1.0.1")
            .await,
        Err(DomainError::Conflict { .. })
    ));
    // Only the asking account sees it, and only domains, days and counts.
    assert!(matches!(
        p.mail_abuse_analysis(&t, id).await,
        Err(DomainError::NotFound)
    ));
    let (case, days) = p.mail_abuse_analysis(&sl, id).await.expect("analysis");
    assert_eq!(case.state, "approved");
    let mut seen: Vec<(String, String, i64)> = days
        .iter()
        .map(|d| (d.domain.clone(), d.direction.clone(), d.messages))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            ("evil.example".into(), "in".into(), 2),
            ("gmx.de".into(), "out".into(), 1)
        ]
    );
    let text = format!("{days:?}");
    for personal in ["lehrer", "freund", "werbung", "Geheim", "Angebot", "@"] {
        assert!(!text.contains(personal), "{personal} in {text}");
    }
    let admin = s.admin().await;
    let log = p.admin_log(&admin, 100, 0).await.expect("log");
    for action in ["mail.abuse.request", "mail.abuse.analysis"] {
        assert!(log.iter().any(|l| l.action == action), "{action}");
    }
    // Closed: nothing is shown any more.
    p.mail_abuse_close(&sl, id).await.expect("closed");
    assert!(p.mail_abuse_analysis(&sl, id).await.is_err());
    // Refused: nothing is shown either.
    let refused = p
        .mail_abuse_request(&sl, reason, from, until)
        .await
        .expect("asked");
    p.operator_abuse_decide(&dpo, "123456", refused, false, "10.1.0.1")
        .await
        .expect("refused");
    assert!(p.mail_abuse_analysis(&sl, refused).await.is_err());
}

backend_tests!(stage_one_is_anonymous_and_needs_the_officer);
