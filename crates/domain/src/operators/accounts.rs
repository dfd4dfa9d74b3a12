//! Operator accounts: created on the command line, logged in with password and TOTP, kept
//! in operator sessions of their own.

use std::sync::atomic::{AtomicBool, Ordering};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use schulhof_authz::help::SupportTickets;
use schulhof_authz::operator::{
    ChangeOwnOperatorPassword, OperatorRole, OperatorToken, check_operator,
};
use schulhof_store::operators::accounts::{self as store, OperatorRow};
use schulhof_types::Login;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{OPERATOR_REALM, audit, recovery, totp};
use crate::passwords::{check_password_rules, generate_initial_password};
use crate::{DomainError, Platform, throttle};

/// The prefix of an operator session cookie's value; a school session's value starts with
/// its school's id, so neither kind of cookie is ever read as the other.
const COOKIE_PREFIX: &str = "op.";

/// What `schulhof operator create` prints: shown once, stored only as hash and key.
pub struct CreatedOperator {
    pub login: String,
    pub role: OperatorRole,
    pub one_time_password: String,
    pub otpauth_uri: String,
    /// One-time recovery codes for a lost authenticator, shown only now.
    pub recovery_codes: Vec<String>,
}

/// A new operator session: the cookie value and when it ends at the latest.
pub struct NewOperatorSession {
    pub cookie: String,
    pub expires: DateTime<Utc>,
    /// Set when a recovery code took the place of the TOTP code: how many remain.
    pub recovery_codes_left: Option<i64>,
}

/// The operator of a request.
#[derive(Clone, Debug)]
pub struct OperatorActor {
    pub token: OperatorToken,
    pub login: String,
    pub(crate) token_hash: Vec<u8>,
}

/// A valid operator session; `must_change_password` holds it at the password page.
#[derive(Clone, Debug)]
pub struct OperatorSession {
    pub actor: OperatorActor,
    pub must_change_password: bool,
    /// Tickets waiting for support, for the console's menu (0 for who does not see them).
    pub open_tickets: i64,
}

fn hash_token(raw: &[u8]) -> Vec<u8> {
    Sha256::digest(raw).to_vec()
}

fn parse_cookie(cookie: &str) -> Option<Vec<u8>> {
    let secret = cookie.strip_prefix(COOKIE_PREFIX)?;
    let raw = URL_SAFE_NO_PAD
        .decode(secret)
        .ok()
        .filter(|r| r.len() == 32)?;
    Some(hash_token(&raw))
}

fn role_of(row: &OperatorRow) -> Result<OperatorRole, DomainError> {
    OperatorRole::parse(&row.role)
        .ok_or_else(|| DomainError::Internal(format!("operator {} has an unknown role", row.login)))
}

impl Platform {
    /// TOTP keys cannot be hashed (the server computes the codes), so they are stored sealed
    /// with the installation's master key: a copy of the database alone yields none.
    pub(super) fn seal_totp(&self, secret: &[u8]) -> Result<Vec<u8>, DomainError> {
        self.safe_keys
            .master()
            .seal_small(secret)
            .map_err(|e| DomainError::Internal(format!("sealing a TOTP key: {e}")))
    }

    fn open_totp(&self, sealed: &[u8]) -> Result<Vec<u8>, DomainError> {
        self.safe_keys.master().open_small(sealed).map_err(|e| {
            DomainError::Internal(format!(
                "a TOTP key does not open with this master key: {e}"
            ))
        })
    }

    /// Creates an operator account (command line only: there is no operator above it).
    /// Returns its one-time password, to be changed at the first login, and its TOTP key.
    pub async fn system_create_operator(
        &self,
        login: &str,
        role: &str,
    ) -> Result<CreatedOperator, DomainError> {
        let login =
            Login::parse(login.trim()).map_err(|e| DomainError::invalid("login", e.to_string()))?;
        let role = OperatorRole::parse(role).ok_or_else(|| {
            DomainError::invalid("role", "the role is operator-admin, support or dpo")
        })?;
        let password = generate_initial_password();
        let secret = totp::new_secret();
        let row = OperatorRow {
            id: Uuid::now_v7(),
            login: login.as_str().to_owned(),
            role: role.as_str().to_owned(),
            password_hash: self.hasher.hash(&password).await?,
            must_change_password: true,
            totp_secret: self.seal_totp(&secret)?,
            totp_last_step: 0,
            active: true,
            created_at: self.now(),
        };
        let mut tx = self.db.begin().await?;
        if store::find_by_login(&mut tx, &row.login).await?.is_some() {
            return Err(DomainError::conflict(
                "login",
                format!("operator {} already exists", row.login),
            ));
        }
        store::insert(&mut tx, &row).await?;
        let recovery_codes = recovery::issue(&mut tx, row.id, self.now()).await?;
        let detail = serde_json::json!({ "role": role.as_str() });
        audit::record(
            &mut tx,
            self,
            None,
            "operator.create",
            Some(&row.login),
            "",
            Some(detail),
        )
        .await?;
        tx.commit().await?;
        Ok(CreatedOperator {
            otpauth_uri: totp::otpauth_uri(&row.login, &secret),
            login: row.login,
            role,
            one_time_password: password,
            recovery_codes,
        })
    }

    /// Logs an operator in: password and a TOTP code, both required, every time. A code is
    /// accepted once; wrong passwords, wrong codes and replays count as failed guesses and
    /// are throttled like school logins. Every outcome gives the same answer. An unused
    /// recovery code may take the place of the TOTP code, once.
    pub async fn operator_login(
        &self,
        login: &str,
        password: &str,
        code: &str,
        client_addr: &str,
    ) -> Result<NewOperatorSession, DomainError> {
        let now = self.now();
        let name = login.trim().to_lowercase();
        let mut c = self.db.read().await?;
        let row = store::find_by_login(&mut c, &name)
            .await?
            .filter(|r| r.active);
        drop(c);
        let guess = throttle::Guess {
            instance: OPERATOR_REALM,
            subject: throttle::account_subject(
                row.as_ref().map(|r| schulhof_types::UserId(r.id)),
                &name,
            ),
            address: client_addr,
            known_address: false,
        };
        let via_recovery = AtomicBool::new(false);
        let check = async || {
            self.operator_credentials_hold(row.as_ref(), password, code, &via_recovery)
                .await
        };
        let ok = match throttle::checked(&self.db, &guess, now, check).await {
            Err(e @ DomainError::Throttled { .. }) => {
                self.operator_event(
                    row.as_ref().map(|r| r.id),
                    "login_throttled",
                    &name,
                    client_addr,
                )
                .await?;
                return Err(e);
            }
            r => r?,
        };
        let known = row.as_ref().map(|r| r.id);
        let Some(row) = row.filter(|_| ok) else {
            self.operator_event(known, "login_failed", &name, client_addr)
                .await?;
            return Err(DomainError::BadCredentials);
        };
        self.open_operator_session(&row, client_addr, via_recovery.load(Ordering::Relaxed))
            .await
    }

    /// Password and code both right, and the code's step not used before (claimed here);
    /// or password and an unused recovery code (used up here, `via_recovery` set).
    async fn operator_credentials_hold(
        &self,
        row: Option<&OperatorRow>,
        password: &str,
        code: &str,
        via_recovery: &AtomicBool,
    ) -> Result<bool, DomainError> {
        let password_ok = self
            .hasher
            .verify(password, row.map(|r| r.password_hash.as_str()))
            .await?;
        let Some(row) = row.filter(|_| password_ok) else {
            return Ok(false);
        };
        if !recovery::looks_like_totp(code) {
            let used = recovery::redeem(self, row.id, code).await?;
            via_recovery.store(used, Ordering::Relaxed);
            return Ok(used);
        }
        let secret = self.open_totp(&row.totp_secret)?;
        let Some(step) = totp::matching_step(&secret, code, self.now().timestamp()) else {
            return Ok(false);
        };
        let mut tx = self.db.begin().await?;
        let fresh = store::claim_totp_step(&mut tx, row.id, step).await?;
        tx.commit().await?;
        Ok(fresh)
    }

    async fn operator_event(
        &self,
        operator: Option<Uuid>,
        action: &str,
        name: &str,
        client_addr: &str,
    ) -> Result<(), DomainError> {
        let mut tx = self.db.begin().await?;
        audit::record(
            &mut tx,
            self,
            operator,
            action,
            Some(name),
            client_addr,
            None,
        )
        .await?;
        Ok(tx.commit().await?)
    }

    async fn open_operator_session(
        &self,
        row: &OperatorRow,
        client_addr: &str,
        via_recovery: bool,
    ) -> Result<NewOperatorSession, DomainError> {
        let now = self.now();
        let mut raw = [0u8; 32];
        rand::rng().fill_bytes(&mut raw);
        let expires = now + self.config.session_absolute;
        let mut tx = self.db.begin().await?;
        store::insert_session(&mut tx, &hash_token(&raw), row.id, now, expires).await?;
        audit::record(
            &mut tx,
            self,
            Some(row.id),
            "login",
            None,
            client_addr,
            None,
        )
        .await?;
        let recovery_codes_left = match via_recovery {
            true => Some(recovery::audit_use(&mut tx, self, row.id, client_addr).await?),
            false => None,
        };
        tx.commit().await?;
        Ok(NewOperatorSession {
            cookie: format!("{COOKIE_PREFIX}{}", URL_SAFE_NO_PAD.encode(raw)),
            expires,
            recovery_codes_left,
        })
    }

    /// The operator session behind a cookie value, or `SessionEnded`.
    pub async fn operator_session(&self, cookie: &str) -> Result<OperatorSession, DomainError> {
        let hash = parse_cookie(cookie).ok_or(DomainError::SessionEnded)?;
        let now = self.now();
        let mut c = self.db.read().await?;
        let (row, last_seen, expires, open_tickets) = store::lookup_session(&mut c, &hash)
            .await?
            .ok_or(DomainError::SessionEnded)?;
        drop(c);
        let idle = now - last_seen > self.config.session_idle;
        if idle || expires <= now || !row.active {
            let mut tx = self.db.begin().await?;
            store::delete_session(&mut tx, &hash).await?;
            tx.commit().await?;
            return Err(DomainError::SessionEnded);
        }
        if now - last_seen > Duration::seconds(60) {
            let mut tx = self.db.begin().await?;
            store::touch_session(&mut tx, &hash, now).await?;
            tx.commit().await?;
        }
        let actor = OperatorActor {
            token: OperatorToken::resolve(row.id, role_of(&row)?),
            login: row.login,
            token_hash: hash,
        };
        let sees_tickets = check_operator(&actor.token, SupportTickets).is_ok();
        Ok(OperatorSession {
            actor,
            must_change_password: row.must_change_password,
            open_tickets: if sees_tickets { open_tickets } else { 0 },
        })
    }

    /// Ends the operator session behind the cookie, if there is one.
    pub async fn operator_logout(
        &self,
        cookie: &str,
        client_addr: &str,
    ) -> Result<(), DomainError> {
        let Some(hash) = parse_cookie(cookie) else {
            return Ok(());
        };
        let mut tx = self.db.begin().await?;
        if let Some(op) = store::delete_session(&mut tx, &hash).await? {
            audit::record(&mut tx, self, Some(op), "logout", None, client_addr, None).await?;
        }
        Ok(tx.commit().await?)
    }

    /// Changes the own password (required after the first login); other sessions end.
    pub async fn operator_change_password(
        &self,
        actor: &OperatorActor,
        old: &str,
        new: &str,
        client_addr: &str,
    ) -> Result<(), DomainError> {
        let grant = check_operator(&actor.token, ChangeOwnOperatorPassword)?;
        check_password_rules(new, &actor.login)?;
        let mut c = self.db.read().await?;
        let row = store::find_by_login(&mut c, &actor.login)
            .await?
            .ok_or(DomainError::SessionEnded)?;
        drop(c);
        let guess = throttle::Guess {
            instance: OPERATOR_REALM,
            subject: format!("pw:{}", row.id),
            address: client_addr,
            known_address: false,
        };
        let verify = async || self.hasher.verify(old, Some(&row.password_hash)).await;
        if !throttle::checked(&self.db, &guess, self.now(), verify).await? {
            return Err(DomainError::invalid("old", "the current password is wrong"));
        }
        if old == new {
            return Err(DomainError::invalid(
                "new",
                "the new password must differ from the old one",
            ));
        }
        let hash = self.hasher.hash(new).await?;
        let mut tx = self.db.begin().await?;
        store::set_password(&mut tx, grant.operator(), &hash).await?;
        store::delete_other_sessions(&mut tx, grant.operator(), &actor.token_hash).await?;
        audit::record(
            &mut tx,
            self,
            Some(grant.operator()),
            "password.change",
            None,
            client_addr,
            None,
        )
        .await?;
        Ok(tx.commit().await?)
    }
}
