//! Recovery codes of operators on SQLite and PostgreSQL: ten codes at creation, each works
//! once (with the password) in place of the TOTP code, its use is audited with the number
//! left; a wrong code fails like a wrong TOTP code and counts toward throttling; a new set
//! or a command-line reset makes the old codes useless.

use crate::operator_support;
use chrono::Duration;
use operator_support::{Env, NEW_PW, env, secret_of};
use schulhof_domain::operators::{OperatorActor, totp};
use schulhof_domain::{Db, DomainError};
use schulhof_store::backend_tests;

const ADDR: &str = "10.7.0.1";

/// An operator past the first login (own password set), with its recovery codes.
struct Ready {
    actor: OperatorActor,
    login: String,
    codes: Vec<String>,
}

impl Env {
    async fn ready_with_codes(&self, login: &str) -> Ready {
        let c = self
            .p
            .system_create_operator(login, "support")
            .await
            .expect("create");
        assert_eq!(c.recovery_codes.len(), 10, "ten codes at creation");
        let secret = secret_of(&c.otpauth_uri);
        let code = totp::code_at_step(&secret, totp::step_at(self.p.now().timestamp()));
        let s = self
            .p
            .operator_login(&c.login, &c.one_time_password, &code, ADDR)
            .await
            .expect("login");
        assert_eq!(s.recovery_codes_left, None, "a TOTP login uses no code");
        let session = self.p.operator_session(&s.cookie).await.expect("session");
        self.p
            .operator_change_password(&session.actor, &c.one_time_password, NEW_PW, ADDR)
            .await
            .expect("change");
        Ready {
            actor: session.actor,
            login: c.login,
            codes: c.recovery_codes,
        }
    }

    async fn login(
        &self,
        login: &str,
        password: &str,
        code: &str,
    ) -> Result<Option<i64>, DomainError> {
        self.p
            .operator_login(login, password, code, ADDR)
            .await
            .map(|s| s.recovery_codes_left)
    }

    /// Past every throttling block.
    fn later(&self) {
        self.clock.advance(Duration::hours(1));
    }
}

fn refused(r: &Result<Option<i64>, DomainError>) -> bool {
    matches!(r, Err(DomainError::BadCredentials))
}

async fn a_recovery_code_works_once_and_is_audited(db: Db) {
    let e = env(db).await;
    let op = e.ready_with_codes("rosa.betrieb").await;
    let distinct: std::collections::BTreeSet<&String> = op.codes.iter().collect();
    assert_eq!(distinct.len(), 10, "ten different codes");
    // The password and a code: in, and told how many remain.
    let left = e.login(&op.login, NEW_PW, &op.codes[0]).await.expect("in");
    assert_eq!(left, Some(9));
    // The same code again: refused like any wrong code.
    assert!(refused(&e.login(&op.login, NEW_PW, &op.codes[0]).await));
    // Typed in lower case with spaces instead of dashes, the next one works.
    let typed = op.codes[1].to_lowercase().replace('-', " ");
    assert_eq!(
        e.login(&op.login, NEW_PW, &typed).await.expect("in"),
        Some(8)
    );
    // A right code with a wrong password: refused, and the code is not used up.
    assert!(refused(&e.login(&op.login, "falsch", &op.codes[2]).await));
    assert_eq!(
        e.p.operator_recovery_codes_left(&op.actor)
            .await
            .expect("left"),
        8
    );
    // The operators' log says who used a code and how many were left.
    let admin = e.ready_admin().await;
    let log = e.p.operator_log(&admin).await.expect("log");
    let used: Vec<_> = log
        .iter()
        .filter(|l| {
            l.action == "login_recovery_code" && l.operator_login.as_deref() == Some("rosa.betrieb")
        })
        .collect();
    assert_eq!(used.len(), 2, "each use is audited");
    assert_eq!(used[0].detail.as_deref(), Some(r#"{"remaining":8}"#));
}

async fn a_wrong_code_fails_alike_and_is_throttled(db: Db) {
    let e = env(db).await;
    let op = e.ready_with_codes("sven.betrieb").await;
    // Well-formed but never issued, malformed, a used-up format of a TOTP: one answer.
    let never = "ABCD-EFGH-IJKL-MNOP";
    assert!(refused(&e.login(&op.login, NEW_PW, never).await));
    assert!(refused(&e.login(&op.login, NEW_PW, "kein-code").await));
    let mut throttled = false;
    for _ in 0..8 {
        match e.login(&op.login, NEW_PW, never).await {
            Err(DomainError::BadCredentials) => {}
            Err(DomainError::Throttled { .. }) => {
                throttled = true;
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(throttled, "wrong recovery codes count as failed guesses");
    // Throttled, even a right code waits — and is not used up by the refusal.
    let r = e.login(&op.login, NEW_PW, &op.codes[0]).await;
    assert!(matches!(r, Err(DomainError::Throttled { .. })), "{r:?}");
    e.later();
    assert_eq!(
        e.login(&op.login, NEW_PW, &op.codes[0]).await.expect("in"),
        Some(9)
    );
}

async fn new_codes_replace_the_old_ones(db: Db) {
    let e = env(db).await;
    let op = e.ready_with_codes("tina.betrieb").await;
    e.login(&op.login, NEW_PW, &op.codes[0]).await.expect("in");
    // Without the right password no new set, and the old codes keep working.
    let wrong =
        e.p.operator_new_recovery_codes(&op.actor, "falsch", ADDR)
            .await;
    assert!(
        matches!(&wrong, Err(DomainError::Invalid { field, .. }) if *field == "password"),
        "{:?}",
        wrong.map(|_| ())
    );
    assert_eq!(
        e.p.operator_recovery_codes_left(&op.actor)
            .await
            .expect("left"),
        9
    );
    let fresh =
        e.p.operator_new_recovery_codes(&op.actor, NEW_PW, ADDR)
            .await
            .expect("new set");
    assert_eq!(fresh.len(), 10);
    assert!(fresh.iter().all(|c| !op.codes.contains(c)), "all new");
    assert_eq!(
        e.p.operator_recovery_codes_left(&op.actor)
            .await
            .expect("left"),
        10
    );
    // An old, unused code no longer works; a new one does.
    assert!(refused(&e.login(&op.login, NEW_PW, &op.codes[1]).await));
    e.later();
    assert_eq!(
        e.login(&op.login, NEW_PW, &fresh[0]).await.expect("in"),
        Some(9)
    );
    let admin = e.ready_admin().await;
    let log = e.p.operator_log(&admin).await.expect("log");
    assert!(
        log.iter().any(|l| l.action == "recovery_codes.new"
            && l.operator_login.as_deref() == Some("tina.betrieb"))
    );
}

async fn a_reset_on_the_command_line_gives_new_codes(db: Db) {
    let e = env(db).await;
    let op = e.ready_with_codes("uwe.betrieb").await;
    let reset = e.p.system_reset_operator(&op.login).await.expect("reset");
    assert_eq!(reset.recovery_codes.len(), 10);
    assert!(reset.recovery_codes.iter().all(|c| !op.codes.contains(c)));
    // The old codes are gone with the old TOTP key; the new ones work with the new password.
    assert!(refused(
        &e.login(&op.login, &reset.one_time_password, &op.codes[0])
            .await
    ));
    e.later();
    let left = e
        .login(
            &op.login,
            &reset.one_time_password,
            &reset.recovery_codes[0],
        )
        .await
        .expect("in");
    assert_eq!(left, Some(9));
}

impl Env {
    async fn ready_admin(&self) -> OperatorActor {
        let c = self
            .p
            .system_create_operator("root.betrieb", "operator-admin")
            .await
            .expect("create admin");
        let s = self
            .p
            .operator_login(
                &c.login,
                &c.one_time_password,
                &c.recovery_codes[0],
                "10.7.9.9",
            )
            .await
            .expect("admin login");
        self.p
            .operator_session(&s.cookie)
            .await
            .expect("session")
            .actor
    }
}

backend_tests!(
    a_recovery_code_works_once_and_is_audited,
    a_wrong_code_fails_alike_and_is_throttled,
    new_codes_replace_the_old_ones,
    a_reset_on_the_command_line_gives_new_codes,
);
