//! The lean session read of the SSO authorization and LTI launches
//! (`Platform::acting_session`, one statement) acts exactly as the full one
//! (`Platform::session`): the same rights, groups, holder, hold, school, time zone, session
//! and gate for every kind of login; and it ends, keeps and gates sessions the same way
//! (idle, deactivated login, new terms, a password to replace). On SQLite and PostgreSQL.

use crate::calendar_support;
use crate::oidc_support;

use calendar_support::*;
use chrono::Duration;
use oidc_support::clocked;
use schulhof_domain::identity::{Gate, Session};
use schulhof_domain::{Db, DomainError};
use schulhof_store::backend_tests;
use schulhof_store::four_eyes::{self, Hold};
use schulhof_store::users;

/// What the two reads must agree on (the unread counts and the form of address are only
/// the full read's: pages show them).
fn acting(s: &Session) -> String {
    let a = &s.actor;
    let groups: Vec<_> = a.groups.iter().map(|g| (&g.name, &g.kind, g.id)).collect();
    format!(
        "{:?} | {:?} | {:?} | {} {} {} {} | {:?}",
        a.token, a.user, groups, a.school_number, a.school_name, a.demo, a.time_zone, s.gate
    )
}

async fn both(s: &School, cookie: &str) -> (String, String) {
    let full = s.platform.session(cookie).await.expect("session");
    let lean = s.platform.acting_session(cookie).await.expect("acting");
    assert_eq!(lean.actor.unread_notifications, 0);
    assert_eq!(lean.actor.unread_chat, 0);
    (acting(&full), acting(&lean))
}

async fn acting_session_acts_as_the_session(db: Db) {
    let (platform, clock) = clocked(db.clone());
    let s = school_on(platform, "123456").await;
    let p = &s.platform;
    let admin = s.admin().await;
    let mut cookies = Vec::new();
    for login in ["admin", "lehrer", "anna", "extern", "schulleitung"] {
        let pw = if login == "admin" {
            "admin-passwort-1"
        } else {
            PW
        };
        let new = p
            .login(s.number, login, pw, "127.0.0.1")
            .await
            .expect("login");
        cookies.push((login, new.cookie));
    }
    for (login, cookie) in &cookies {
        let (full, lean) = both(&s, cookie).await;
        assert_eq!(lean, full, "{login}");
        assert!(lean.contains(&format!("login: \"{login}\"")), "{lean}");
    }

    // A hold on anna's private areas and a group archived: both reads see them.
    let instance = admin.token.instance();
    let anna = users::find_by_login(&mut db.read().await.expect("c"), instance, "anna")
        .await
        .expect("anna")
        .expect("exists");
    let mut tx = db.begin().await.expect("tx");
    let hold = Hold {
        reset_by: admin.token.user(),
        reset_by_person: admin.token.user(),
        created_at: chrono::Utc::now(),
    };
    four_eyes::put_hold(&mut tx, instance, anna.id, hold)
        .await
        .expect("hold");
    tx.commit().await.expect("commit");
    let anna_cookie = &cookies[2].1;
    let lean = p.acting_session(anna_cookie).await.expect("acting");
    assert!(lean.actor.token.private_on_hold(), "the hold is seen");
    let (full, lean) = both(&s, anna_cookie).await;
    assert_eq!(lean, full, "held");

    // New terms: both gate every login the same way.
    p.system_publish_consent(s.number, "Nutzung", "Datenschutz")
        .await
        .expect("publish");
    for (login, cookie) in &cookies {
        let (full, lean) = both(&s, cookie).await;
        assert_eq!(lean, full, "{login} after new terms");
    }
    let gated = p.acting_session(&cookies[1].1).await.expect("acting");
    assert_eq!(gated.gate, Some(Gate::Consent));

    // A login deactivated behind the session's back: the lean read ends the session.
    let lehrer = users::find_by_login(&mut db.read().await.expect("c"), instance, "lehrer")
        .await
        .expect("lehrer")
        .expect("exists");
    let mut tx = db.begin().await.expect("tx");
    users::set_active(&mut tx, instance, lehrer.id, false, chrono::Utc::now())
        .await
        .expect("deactivate");
    tx.commit().await.expect("commit");
    let ended = p.acting_session(&cookies[1].1).await;
    assert!(matches!(ended, Err(DomainError::SessionEnded)), "{ended:?}");
    let mut tx = db.begin().await.expect("tx");
    users::set_active(&mut tx, instance, lehrer.id, true, chrono::Utc::now())
        .await
        .expect("activate");
    tx.commit().await.expect("commit");
    let gone = p.session(&cookies[1].1).await;
    assert!(
        matches!(gone, Err(DomainError::SessionEnded)),
        "deleted, not only refused: {gone:?}"
    );

    // Another school's number in the cookie, a made-up cookie: no session.
    let (_, secret) = cookies[0].1.split_once('.').expect("cookie");
    let other = format!("{}.{secret}", schulhof_types::InstanceId::new().0.simple());
    assert!(p.acting_session(&other).await.is_err());
    assert!(p.acting_session("kein-keks").await.is_err());

    // Activity keeps a session alive through the lean read as through the full one.
    for _ in 0..3 {
        clock.advance(Duration::minutes(20));
        p.acting_session(&cookies[0].1).await.expect("kept alive");
    }
    p.session(&cookies[0].1).await.expect("still alive");
    // Idle past the limit: ended.
    clock.advance(Duration::minutes(31));
    let idle = p.acting_session(&cookies[0].1).await;
    assert!(matches!(idle, Err(DomainError::SessionEnded)), "{idle:?}");
    assert!(p.session(&cookies[0].1).await.is_err(), "and deleted");

    // A school deactivated behind the session's back: no session through either read.
    let new = p
        .login(s.number, "carla", PW, "127.0.0.1")
        .await
        .expect("login");
    p.acting_session(&new.cookie).await.expect("acting");
    let mut tx = db.begin().await.expect("tx");
    schulhof_store::operators::schools::set_deactivated(
        &mut tx,
        instance,
        Some(chrono::Utc::now()),
    )
    .await
    .expect("deactivate the school");
    tx.commit().await.expect("commit");
    let closed = p.acting_session(&new.cookie).await;
    assert!(
        matches!(closed, Err(DomainError::SessionEnded)),
        "{closed:?}"
    );
    assert!(p.session(&new.cookie).await.is_err());
}

async fn a_password_to_replace_gates_both(db: Db) {
    let s = school(db.clone()).await;
    let p = &s.platform;
    let new = p
        .login(s.number, "ben", PW, "127.0.0.1")
        .await
        .expect("login");
    let instance = p
        .session(&new.cookie)
        .await
        .expect("session")
        .actor
        .token
        .instance();
    let mut c = db.read().await.expect("c");
    let ben = users::find_by_login(&mut c, instance, "ben")
        .await
        .expect("ben")
        .expect("exists");
    drop(c);
    let mut tx = db.begin().await.expect("tx");
    let hash = ben.password_hash.as_deref().expect("a password");
    users::set_password(&mut tx, instance, ben.id, hash, true, chrono::Utc::now())
        .await
        .expect("must change");
    tx.commit().await.expect("commit");
    let (full, lean) = both(&s, &new.cookie).await;
    assert_eq!(lean, full);
    let lean = p.acting_session(&new.cookie).await.expect("acting");
    assert_eq!(lean.gate, Some(Gate::PasswordChange));
}

backend_tests!(
    acting_session_acts_as_the_session,
    a_password_to_replace_gates_both
);
