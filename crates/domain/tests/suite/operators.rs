//! The operators' console on SQLite and PostgreSQL: operator accounts with password and
//! TOTP on every login (replays refused, guesses throttled, the one-time password changed
//! first), roles, schools created with the state defaults, renamed, deactivated (their
//! logins refused on every path) and deleted with all their rows, and the audit of it all.

use crate::operator_support;
use operator_support::{Env, NEW_PW, env, secret_of};
use schulhof_domain::operators::totp;
use schulhof_domain::operators::{OperatorActor, StateDefaults};
use schulhof_domain::{Db, DomainError, Platform};
use schulhof_store::backend_tests;

const PW: &str = "schulhof-demo";

struct Op {
    login: String,
    secret: Vec<u8>,
    password: String,
}

impl Env {
    async fn create(&self, login: &str, role: &str) -> Op {
        let c = self
            .p
            .system_create_operator(login, role)
            .await
            .expect("create");
        assert!(
            c.otpauth_uri.starts_with("otpauth://totp/"),
            "{}",
            c.otpauth_uri
        );
        Op {
            login: c.login,
            secret: secret_of(&c.otpauth_uri),
            password: c.one_time_password,
        }
    }

    /// Logs in, replaces the one-time password and returns the ready operator.
    async fn ready(&self, login: &str, role: &str) -> OperatorActor {
        let op = self.create(login, role).await;
        let s = self
            .p
            .operator_login(&op.login, &op.password, &self.code(&op.secret), "10.1.0.1")
            .await
            .expect("login");
        let session = self.p.operator_session(&s.cookie).await.expect("session");
        assert!(
            session.must_change_password,
            "the one-time password is changed first"
        );
        self.p
            .operator_change_password(&session.actor, &op.password, NEW_PW, "10.1.0.1")
            .await
            .expect("change");
        let session = self.p.operator_session(&s.cookie).await.expect("session");
        assert!(!session.must_change_password);
        session.actor
    }
}

async fn totp_is_required_on_every_login_and_used_once(db: Db) {
    let e = env(db).await;
    let op = e.create("anna.betrieb", "operator-admin").await;
    let p = &e.p;
    let bad = |r: Result<_, DomainError>| matches!(r, Err(DomainError::BadCredentials));
    // Without a code, with a wrong one, with a wrong password: the same refusal.
    assert!(bad(p
        .operator_login(&op.login, &op.password, "", "10.1.0.2")
        .await));
    let code = e.code(&op.secret);
    let wrong = format!(
        "{:06}",
        (code.parse::<u32>().expect("digits") + 1) % 1_000_000
    );
    assert!(bad(p
        .operator_login(&op.login, &op.password, &wrong, "10.1.0.2")
        .await));
    assert!(bad(p
        .operator_login(&op.login, "falsch", &code, "10.1.0.2")
        .await));
    // Right password and code: in.
    let s = p
        .operator_login(&op.login, &op.password, &code, "10.1.0.2")
        .await
        .expect("login");
    assert!(p.operator_session(&s.cookie).await.is_ok());
    // The same code again, even within its window: refused (replay).
    assert!(bad(p
        .operator_login(&op.login, &op.password, &code, "10.1.0.3")
        .await));
    // An older code (a step before the one used): refused too.
    let old = totp::code_at_step(&op.secret, totp::step_at(p.now().timestamp()) - 1);
    assert!(bad(p
        .operator_login(&op.login, &op.password, &old, "10.1.0.3")
        .await));
    // The next step's code works.
    e.next_step();
    let next = e.code(&op.secret);
    p.operator_login(&op.login, &op.password, &next, "10.1.0.3")
        .await
        .expect("next code");
    // A school login's name and password are no operator credentials, and an operator's
    // cookie is no school session (and the other way round).
    assert!(bad(p
        .operator_login("lehrer", PW, &e.code(&op.secret), "10.1.0.3")
        .await));
    assert!(matches!(
        p.session(&s.cookie).await,
        Err(DomainError::SessionEnded)
    ));
    let school = p
        .login("100000", "lehrer", PW, "10.1.0.3")
        .await
        .expect("school login");
    assert!(matches!(
        p.operator_session(&school.cookie).await,
        Err(DomainError::SessionEnded)
    ));
    // Unknown role or login taken: clear errors, nothing stored.
    assert!(matches!(
        p.system_create_operator("bert", "admin").await,
        Err(DomainError::Invalid { field: "role", .. })
    ));
    assert!(matches!(
        p.system_create_operator("anna.betrieb", "support").await,
        Err(DomainError::Conflict { .. })
    ));
}

async fn failed_operator_logins_are_throttled_and_audited(db: Db) {
    let e = env(db).await;
    let op = e.create("carl.betrieb", "support").await;
    let p = &e.p;
    let mut throttled = false;
    for _ in 0..8 {
        match p
            .operator_login(&op.login, "falsch", &e.code(&op.secret), "10.2.0.1")
            .await
        {
            Err(DomainError::BadCredentials) => {}
            Err(DomainError::Throttled { .. }) => {
                throttled = true;
                break;
            }
            other => panic!("unexpected {:?}", other.map(|_| ())),
        }
    }
    assert!(throttled, "repeated failures are throttled");
    // Even the right credentials wait now.
    let r = p
        .operator_login(&op.login, &op.password, &e.code(&op.secret), "10.2.0.1")
        .await;
    assert!(
        matches!(r, Err(DomainError::Throttled { .. })),
        "{:?}",
        r.map(|_| ())
    );
    let admin = e.ready("root.betrieb", "operator-admin").await;
    let log = p.operator_log(&admin).await.expect("log");
    let failed = log
        .iter()
        .filter(|l| l.action == "login_failed" && l.object.as_deref() == Some("carl.betrieb"))
        .count();
    assert!(
        failed >= 4,
        "failed logins are in the operators' log ({failed})"
    );
    assert!(log.iter().any(|l| l.action == "login_throttled"));
    assert!(
        log.iter()
            .any(|l| l.action == "operator.create" && l.object.as_deref() == Some("carl.betrieb"))
    );
}

async fn only_operator_admins_manage_schools(db: Db) {
    let e = env(db).await;
    let p = &e.p;
    let admin = e.ready("root.betrieb", "operator-admin").await;
    e.next_step();
    let support = e.ready("sam.support", "support").await;
    e.next_step();
    let dpo = e.ready("dora.dsb", "dpo").await;
    for other in [&support, &dpo] {
        let r = p
            .operator_create_school(other, "200001", "Neue Schule", "10.3.0.1")
            .await;
        assert!(
            matches!(r, Err(DomainError::Forbidden)),
            "{:?}",
            r.map(|_| ())
        );
        assert!(matches!(
            p.operator_rename_school(other, "100000", "X", "a").await,
            Err(DomainError::Forbidden)
        ));
        assert!(matches!(
            p.operator_set_school_active(other, "100000", false, "a")
                .await,
            Err(DomainError::Forbidden)
        ));
        assert!(matches!(
            p.operator_delete_school(other, "100000", "100000", "a")
                .await,
            Err(DomainError::Forbidden)
        ));
        assert!(matches!(
            p.operator_defaults(other).await,
            Err(DomainError::Forbidden)
        ));
        assert!(matches!(
            p.operator_log(other).await,
            Err(DomainError::Forbidden)
        ));
        // They see the list: metadata and counts only.
        let o = p.operator_schools(other).await.expect("list");
        assert!(!o.can_manage);
    }
    let id = p
        .operator_create_school(&admin, "200001", "Neue Schule", "10.3.0.1")
        .await
        .expect("create");
    assert!(!id.0.is_nil());
    let list = p.operator_schools(&admin).await.expect("list");
    assert!(list.can_manage);
    let demo = list
        .schools
        .iter()
        .find(|s| s.school_number == "100000")
        .expect("demo");
    assert_eq!(demo.accounts, 7, "the demo school's seven logins");
    let new = list
        .schools
        .iter()
        .find(|s| s.school_number == "200001")
        .expect("new");
    assert_eq!(
        (new.accounts, new.file_bytes, new.mail_bytes),
        (1, 0, 0),
        "only its admin"
    );
    p.operator_rename_school(&admin, "200001", "Goethe-Gymnasium", "10.3.0.1")
        .await
        .expect("rename");
    assert_eq!(
        p.operator_school(&admin, "200001")
            .await
            .expect("school")
            .name,
        "Goethe-Gymnasium"
    );
    assert!(matches!(
        p.operator_create_school(&admin, "200001", "Doppelt", "a")
            .await,
        Err(DomainError::Conflict { .. })
    ));
    assert!(matches!(
        p.operator_create_school(&admin, "12", "Kaputt", "a").await,
        Err(DomainError::Invalid { .. })
    ));
    assert!(matches!(
        p.operator_rename_school(&admin, "999999", "X", "a").await,
        Err(DomainError::NotFound)
    ));
    let log = p.operator_log(&admin).await.expect("log");
    for action in ["school.create", "school.rename", "password.change", "login"] {
        assert!(
            log.iter().any(|l| l.action == action),
            "{action} is audited"
        );
    }
}

async fn a_deactivated_schools_logins_are_refused_everywhere(db: Db) {
    let e = env(db).await;
    let p = &e.p;
    let admin = e.ready("root.betrieb", "operator-admin").await;
    let before = p
        .login("100000", "lehrer", PW, "10.4.0.1")
        .await
        .expect("login");
    let teacher = p.session(&before.cookie).await.expect("session").actor;
    let app = p
        .app_password_create(&teacher, "Mailprogramm")
        .await
        .expect("app password");
    p.operator_set_school_active(&admin, "100000", false, "10.4.0.9")
        .await
        .expect("deactivate");
    // Open sessions end; logins, app passwords (IMAP, SMTP, WebDAV) and resets are refused.
    assert!(matches!(
        p.session(&before.cookie).await,
        Err(DomainError::SessionEnded)
    ));
    assert!(matches!(
        p.login("100000", "lehrer", PW, "10.4.0.1").await,
        Err(DomainError::BadCredentials)
    ));
    assert!(
        p.basic_actor("lehrer@100000", PW, "10.4.0.1")
            .await
            .is_err()
    );
    assert!(
        p.basic_actor("lehrer@100000", &app.password, "10.4.0.1")
            .await
            .is_err()
    );
    let listed = p
        .operator_school(&admin, "100000")
        .await
        .expect("still listed");
    assert!(listed.deactivated_at.is_some());
    // Open again: logins work again.
    p.operator_set_school_active(&admin, "100000", true, "10.4.0.9")
        .await
        .expect("reactivate");
    p.login("100000", "lehrer", PW, "10.4.0.1")
        .await
        .expect("login again");
    let log = p.operator_log(&admin).await.expect("log");
    assert!(
        log.iter()
            .any(|l| l.action == "school.deactivate" && l.object.as_deref() == Some("100000"))
    );
    assert!(log.iter().any(|l| l.action == "school.reactivate"));
}

/// Rows left with the school's id, over every table that has an `instance_id` column.
async fn rows_left(p: &Platform, school: schulhof_types::InstanceId) -> Vec<(String, i64)> {
    let mut c = p.db().read().await.expect("read");
    schulhof_store::operators::purge::school_rows(&mut c, school)
        .await
        .expect("count")
}

async fn deleting_a_school_removes_all_its_rows(db: Db) {
    let e = env(db).await;
    let p = &e.p;
    p.system_seed_demo_files().await.expect("demo files");
    let admin = e.ready("root.betrieb", "operator-admin").await;
    let demo = p.operator_school(&admin, "100000").await.expect("demo");
    // Content of every kind: sessions, consents, files, an app password, log rows.
    let s = p
        .login("100000", "lehrer", PW, "10.5.0.1")
        .await
        .expect("login");
    let teacher = p.session(&s.cookie).await.expect("session").actor;
    p.app_password_create(&teacher, "Telefon")
        .await
        .expect("app password");
    assert!(!rows_left(p, demo.id).await.is_empty());
    // The confirmation must repeat the number; nothing happens otherwise.
    let wrong = p
        .operator_delete_school(&admin, "100000", "100001", "10.5.0.9")
        .await;
    assert!(
        matches!(
            wrong,
            Err(DomainError::Invalid {
                field: "confirm",
                ..
            })
        ),
        "{wrong:?}"
    );
    assert!(p.operator_school(&admin, "100000").await.is_ok());
    p.operator_delete_school(&admin, "100000", "100000", "10.5.0.9")
        .await
        .expect("delete");
    assert_eq!(rows_left(p, demo.id).await, Vec::<(String, i64)>::new());
    assert!(matches!(
        p.operator_school(&admin, "100000").await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        p.login("100000", "lehrer", PW, "10.5.0.1").await,
        Err(DomainError::BadCredentials)
    ));
    assert!(matches!(
        p.session(&s.cookie).await,
        Err(DomainError::SessionEnded)
    ));
    assert_eq!(
        p.system_purge_deleted_schools().await.expect("job"),
        0,
        "nothing left to purge"
    );
    // The number is free again.
    p.operator_create_school(&admin, "100000", "Neu", "10.5.0.9")
        .await
        .expect("recreate");
    let log = p.operator_log(&admin).await.expect("log");
    assert!(
        log.iter()
            .any(|l| l.action == "school.delete" && l.object.as_deref() == Some("100000"))
    );
}

async fn new_schools_take_the_state_defaults(db: Db) {
    let e = env(db).await;
    let p = &e.p;
    let admin = e.ready("root.betrieb", "operator-admin").await;
    // Bad input: clear errors.
    assert!(matches!(
        StateDefaults::parse("kein domain", ["", "", "", ""], "", ""),
        Err(DomainError::Invalid {
            field: "mail_domain",
            ..
        })
    ));
    assert!(matches!(
        StateDefaults::parse("", ["0", "", "", ""], "", ""),
        Err(DomainError::Invalid {
            field: "mail_quota",
            ..
        })
    ));
    assert!(matches!(
        StateDefaults::parse("", ["", "", "", ""], "Nur Bedingungen", ""),
        Err(DomainError::Invalid {
            field: "privacy",
            ..
        })
    ));
    let d = StateDefaults::parse(
        "Schulen.NRW.de",
        ["2000", "", "300", ""],
        "Landesbedingungen",
        "Landesdatenschutz",
    )
    .expect("valid");
    p.operator_set_defaults(&admin, &d, "10.6.0.1")
        .await
        .expect("set");
    assert_eq!(p.operator_defaults(&admin).await.expect("read"), d);
    p.operator_create_school(&admin, "300003", "Landesschule", "10.6.0.1")
        .await
        .expect("create");
    let s = p.operator_school(&admin, "300003").await.expect("school");
    assert_eq!(s.mail_domain, "300003.schulen.nrw.de");
    let mut c = p.db().read().await.expect("read");
    let text = schulhof_store::consent::current_text(&mut c, s.id)
        .await
        .expect("text")
        .expect("some");
    assert_eq!(
        (text.terms.as_str(), text.privacy.as_str()),
        ("Landesbedingungen", "Landesdatenschutz")
    );
    let q = schulhof_store::mail::addresses::quota_of(&mut c, s.id, "lehrer")
        .await
        .expect("quota");
    assert_eq!(q, Some(2_000_000_000));
    let q = schulhof_store::mail::addresses::quota_of(&mut c, s.id, "personal")
        .await
        .expect("quota");
    assert_eq!(q, None, "no default: the installation's");
    // Existing schools keep theirs.
    let demo = p.operator_school(&admin, "100000").await.expect("demo");
    assert_eq!(demo.mail_domain, "100000.nrw.schule");
    // Emptied, the installation's settings apply again.
    p.operator_set_defaults(&admin, &StateDefaults::default(), "10.6.0.1")
        .await
        .expect("clear");
    assert_eq!(
        p.operator_defaults(&admin).await.expect("read"),
        StateDefaults::default()
    );
    assert!(
        p.operator_log(&admin)
            .await
            .expect("log")
            .iter()
            .any(|l| l.action == "defaults.set")
    );
}

backend_tests!(
    totp_is_required_on_every_login_and_used_once,
    failed_operator_logins_are_throttled_and_audited,
    only_operator_admins_manage_schools,
    a_deactivated_schools_logins_are_refused_everywhere,
    deleting_a_school_removes_all_its_rows,
    new_schools_take_the_state_defaults,
);
