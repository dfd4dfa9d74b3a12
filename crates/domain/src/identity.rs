//! Logging in and out, and turning a session cookie into the acting login.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use schulhof_authz::{AccessToken, OwnAccount, Principal, check};
use schulhof_store::groups::{self, GroupRow};
use schulhof_store::oidc::person::{self, PersonRow};
use schulhof_store::users::UserRow;
use schulhof_store::{sessions, throttle as counters, users};
use schulhof_types::{AccountType, FunctionRole, InstanceId, RightId};
use sha2::{Digest, Sha256};

use crate::audit::{self, Event};
use crate::throttle;
use crate::{DomainError, Platform};

/// The acting login of a request, with what the policy needs.
#[derive(Clone, Debug)]
pub struct Actor {
    pub token: AccessToken,
    pub user: UserRow,
    pub groups: Vec<GroupRow>,
    pub school_number: String,
    pub school_name: String,
    pub demo: bool,
    /// The school's time zone: every time a page shows is in it.
    pub time_zone: chrono_tz::Tz,
    /// The school's setting "address students with du" (see [`Actor::addressed_with_du`]).
    pub du_students: bool,
    /// Unread notifications when the session was looked up (the bell); 0 for actors made
    /// without a session or by [`Platform::acting_session`].
    pub unread_notifications: i64,
    /// Unread chat messages when the session was looked up (the header's chat count; 0
    /// for who may not chat, and as for `unread_notifications`).
    pub unread_chat: i64,
    pub(crate) token_hash: Vec<u8>,
    /// Set only by the Safe's gate ([`Platform::safe_actor`]): Safe areas are invisible to
    /// an actor without it, whatever rights it holds.
    pub(crate) safe: bool,
}

/// What still stands between a logged-in user and the platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// An initial or reset password must be replaced first.
    PasswordChange,
    /// The current terms of use are not accepted yet.
    Consent,
}

/// A valid session; `gate` says whether the user may use the platform yet.
#[derive(Clone, Debug)]
pub struct Session {
    pub actor: Actor,
    pub gate: Option<Gate>,
}

impl Session {
    /// The actor, if nothing is in the way.
    pub fn ready(self) -> Result<Actor, DomainError> {
        match self.gate {
            None => Ok(self.actor),
            Some(Gate::PasswordChange) => Err(DomainError::PasswordChangeRequired),
            Some(Gate::Consent) => Err(DomainError::ConsentRequired),
        }
    }
}

/// A new session: the cookie value to hand to the client, and when it ends at the latest.
pub struct NewSession {
    pub cookie: String,
    pub expires: DateTime<Utc>,
}

/// The principal a stored login acts as.
pub fn principal_of(u: &UserRow) -> Result<Principal, DomainError> {
    let corrupt = || DomainError::Internal(format!("login {} has an unknown kind", u.login));
    if u.kind == "function" {
        let role = u
            .function_role
            .as_deref()
            .and_then(FunctionRole::parse)
            .ok_or_else(corrupt)?;
        Ok(Principal::Function(role))
    } else {
        AccountType::parse(&u.kind)
            .map(Principal::Person)
            .ok_or_else(corrupt)
    }
}

fn hash_token(raw: &[u8]) -> Vec<u8> {
    Sha256::digest(raw).to_vec()
}

/// Splits `<instance>.<secret>` into the instance and the hash of the secret.
pub(crate) fn parse_cookie(cookie: &str) -> Option<(InstanceId, Vec<u8>)> {
    let (instance, secret) = cookie.split_once('.')?;
    let instance = instance.parse().ok()?;
    let raw = URL_SAFE_NO_PAD
        .decode(secret)
        .ok()
        .filter(|r| r.len() == 32)?;
    Some((instance, hash_token(&raw)))
}

impl Platform {
    /// Checks the password and opens a session. Wrong school, unknown login, inactive
    /// account and wrong password all give the same answer. Guesses are throttled (see
    /// [`crate::throttle`]); login name and mail address of one account share its counter.
    pub async fn login(
        &self,
        school: &str,
        login: &str,
        password: &str,
        client_addr: &str,
    ) -> Result<NewSession, DomainError> {
        let now = self.now();
        let mut c = self.db.read().await?;
        let Some(instance) = crate::operators::open_school_by_number(&mut c, school).await? else {
            self.hasher.verify(password, None).await?;
            return Err(DomainError::BadCredentials);
        };
        let name = login.trim().to_lowercase();
        let user = users::find_by_login_or_mail(&mut c, instance.id, &name).await?;
        let known_address = match &user {
            Some(u) => {
                counters::is_known_address(&mut c, instance.id, u.id, client_addr, now).await?
            }
            None => false,
        };
        drop(c);
        let guess = throttle::Guess {
            instance: instance.id,
            subject: throttle::account_subject(user.as_ref().map(|u| u.id), &name),
            address: client_addr,
            known_address,
        };
        let usable = user
            .as_ref()
            .filter(|u| u.active && u.password_hash.is_some());
        let phc = usable.and_then(|u| u.password_hash.as_deref());
        let verify = async || self.hasher.verify(password, phc).await;
        let ok = match throttle::checked(&self.db, &guess, now, verify).await {
            Err(e @ DomainError::Throttled { .. }) => {
                tracing::warn!(school, client_addr, "login refused: throttled");
                self.login_event(
                    instance.id,
                    "login_throttled",
                    None,
                    Some(&name),
                    client_addr,
                )
                .await?;
                return Err(e);
            }
            r => r?,
        };
        let Some(user) = usable.filter(|_| ok) else {
            let actor = user.as_ref().map(|u| u.id);
            self.login_event(instance.id, "login_failed", actor, None, client_addr)
                .await?;
            return Err(DomainError::BadCredentials);
        };
        let mut tx = self.db.begin().await?;
        counters::remember_address(&mut tx, instance.id, user.id, client_addr, now).await?;
        tx.commit().await?;
        self.open_session_for(instance.id, user, client_addr, "login")
            .await
    }

    /// Records a refused login in the audit log.
    async fn login_event(
        &self,
        instance: InstanceId,
        kind: &'static str,
        actor: Option<schulhof_types::UserId>,
        object: Option<&str>,
        client_addr: &str,
    ) -> Result<(), DomainError> {
        let mut tx = self.db.begin().await?;
        let event = Event {
            kind,
            actor,
            holder: None,
            action: "login",
            object,
            client_addr: Some(client_addr),
            detail: None,
        };
        audit::record(&mut tx, instance, self.now(), event).await?;
        Ok(tx.commit().await?)
    }

    /// The session behind a cookie value, or `SessionEnded`.
    pub async fn session(&self, cookie: &str) -> Result<Session, DomainError> {
        let (instance, hash) = parse_cookie(cookie).ok_or(DomainError::SessionEnded)?;
        let now = self.now();
        let mut c = self.db.read().await?;
        let row = sessions::lookup(&mut c, instance, &hash)
            .await?
            .ok_or(DomainError::SessionEnded)?;
        if self.ended(now, row.last_seen_at, row.expires_at, &row.user) {
            drop(c);
            return self.end_session(instance, &hash).await;
        }
        let (groups, granted) =
            groups::memberships_and_grants(&mut c, instance, row.user.id).await?;
        let held = schulhof_store::four_eyes::hold(&mut c, instance, row.user.id).await?;
        drop(c);
        self.touch_if_due(instance, &hash, now, row.last_seen_at)
            .await?;
        let principal = principal_of(&row.user)?;
        let token = AccessToken::resolve(
            instance,
            row.user.id,
            principal,
            groups.iter().map(|g| g.id).collect(),
            granted.iter().filter_map(|r| RightId::parse(r)),
        )
        .with_holder(row.user.holder_id)
        .with_private_hold(held.is_some());
        let gate = gate_of(&row.user, row.current_version, row.consented_version);
        let actor = Actor {
            token,
            user: row.user,
            groups,
            school_number: row.school_number,
            school_name: row.school_name,
            demo: row.demo,
            time_zone: crate::school_settings::stored_time_zone(&row.time_zone),
            du_students: row.du_students,
            unread_notifications: row.unread_notifications,
            unread_chat: row.unread_chat,
            token_hash: hash,
            safe: false,
        };
        Ok(Session { actor, gate })
    }

    /// The session behind a cookie value as acting needs it, or `SessionEnded`: login,
    /// school, hold, groups and rights in one statement (see
    /// [`schulhof_store::oidc::person::session_person`]), without what only a page shows
    /// (unread counts, the form of address). For endpoints that answer with a redirect, not
    /// a page: the SSO authorization, LTI launches. Ends, touches and gates the session as
    /// [`Self::session`] does.
    pub async fn acting_session(&self, cookie: &str) -> Result<Session, DomainError> {
        let (instance, hash) = parse_cookie(cookie).ok_or(DomainError::SessionEnded)?;
        let now = self.now();
        let mut c = self.db.read().await?;
        let row = person::session_person(&mut c, instance, &hash)
            .await?
            .ok_or(DomainError::SessionEnded)?;
        drop(c);
        if self.ended(now, row.last_seen_at, row.expires_at, &row.person.user) {
            return self.end_session(instance, &hash).await;
        }
        self.touch_if_due(instance, &hash, now, row.last_seen_at)
            .await?;
        let gate = gate_of(&row.person.user, row.current_version, row.consented_version);
        let actor = actor_of(instance, row.person, hash)?;
        Ok(Session { actor, gate })
    }

    /// Whether a session has ended: idle too long, past its end, or its login deactivated.
    fn ended(
        &self,
        now: DateTime<Utc>,
        last_seen: DateTime<Utc>,
        expires: DateTime<Utc>,
        user: &UserRow,
    ) -> bool {
        now - last_seen > self.config.session_idle || expires <= now || !user.active
    }

    /// Deletes an ended session; always `SessionEnded`.
    async fn end_session<T>(&self, instance: InstanceId, hash: &[u8]) -> Result<T, DomainError> {
        let mut tx = self.db.begin().await?;
        sessions::delete(&mut tx, instance, hash).await?;
        tx.commit().await?;
        Err(DomainError::SessionEnded)
    }

    /// Records activity, at most once a minute, to spare the database a write per request.
    async fn touch_if_due(
        &self,
        instance: InstanceId,
        hash: &[u8],
        now: DateTime<Utc>,
        last_seen: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        if now - last_seen > Duration::seconds(60) {
            let mut tx = self.db.begin().await?;
            sessions::touch(&mut tx, instance, hash, now).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Ends the session behind the cookie, if there is one.
    pub async fn logout(&self, cookie: &str, client_addr: &str) -> Result<(), DomainError> {
        self.logout_with_tools(cookie, client_addr).await.map(drop)
    }

    /// Ends the session and its sessions at connected tools (back-channel logouts queued);
    /// returns the tools' front-channel logout URLs for the goodbye page's hidden frames.
    pub async fn logout_with_tools(
        &self,
        cookie: &str,
        client_addr: &str,
    ) -> Result<Vec<String>, DomainError> {
        let Some((instance, hash)) = parse_cookie(cookie) else {
            return Ok(Vec::new());
        };
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let front =
            crate::oidc::logout::end_of_session(&mut tx, instance, &hash, now.timestamp_micros())
                .await?;
        if let Some(user) = sessions::delete(&mut tx, instance, &hash).await? {
            audit::record(
                &mut tx,
                instance,
                now,
                Event {
                    kind: "logout",
                    actor: Some(user),
                    holder: None,
                    action: "logout",
                    object: None,
                    client_addr: Some(client_addr),
                    detail: None,
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(front)
    }

    /// Ends every session of the actor's login ("log out everywhere").
    pub async fn logout_everywhere(
        &self,
        actor: &Actor,
        client_addr: &str,
    ) -> Result<(), DomainError> {
        check(&actor.token, OwnAccount)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        sessions::delete_for_user(&mut tx, actor.token.instance(), actor.token.user()).await?;
        let (inst, user) = (actor.token.instance(), actor.token.user());
        let at = now.timestamp_micros();
        crate::oidc::logout::end_of_user(&mut tx, inst, user, None, false, at).await?;
        audit::record(
            &mut tx,
            actor.token.instance(),
            now,
            Event {
                kind: "logout",
                actor: Some(actor.token.user()),
                holder: actor.user.holder_id,
                action: "logout_everywhere",
                object: None,
                client_addr: Some(client_addr),
                detail: None,
            },
        )
        .await?;
        Ok(tx.commit().await?)
    }
}

impl Platform {
    /// A login as it would act now, without authenticating it: for a share link, which
    /// acts with its creator's current rights, a feed, a delivery, a tool's grant.
    /// Inactive or deleted logins give `None`. One statement (login, school, hold, groups
    /// and rights).
    pub(crate) async fn system_actor_for(
        &self,
        c: &mut impl schulhof_store::AsConn,
        instance: InstanceId,
        user: schulhof_types::UserId,
    ) -> Result<Option<Actor>, DomainError> {
        let Some(p) = person::active_person(c, instance, user).await? else {
            return Ok(None);
        };
        actor_of(instance, p, Vec::new()).map(Some)
    }
}

/// The gate a login stands at: a password to replace first, then terms to accept.
fn gate_of(user: &UserRow, current: Option<i64>, consented: Option<i64>) -> Option<Gate> {
    if user.must_change_password {
        Some(Gate::PasswordChange)
    } else if current.is_some_and(|v| consented.is_none_or(|c| c < v)) {
        Some(Gate::Consent)
    } else {
        None
    }
}

/// The actor of a person read in one statement; its rights resolved by the policy
/// ([`AccessToken::resolve`]). `token_hash`: its session's (empty: none). What only a page
/// shows (unread counts, the form of address) is left empty.
fn actor_of(instance: InstanceId, p: PersonRow, token_hash: Vec<u8>) -> Result<Actor, DomainError> {
    let token = AccessToken::resolve(
        instance,
        p.user.id,
        principal_of(&p.user)?,
        p.groups.iter().map(|g| g.id).collect(),
        p.rights.iter().filter_map(|r| RightId::parse(r)),
    )
    .with_holder(p.user.holder_id)
    .with_private_hold(p.held);
    Ok(Actor {
        token,
        user: p.user,
        groups: p.groups,
        school_number: p.school_number,
        school_name: p.school_name,
        demo: p.demo,
        time_zone: crate::school_settings::stored_time_zone(&p.time_zone),
        du_students: false,
        unread_notifications: 0,
        unread_chat: 0,
        token_hash,
        safe: false,
    })
}

impl Platform {
    /// Opens a session for a login already authenticated another way (an app password).
    pub(crate) async fn open_session_for(
        &self,
        instance: InstanceId,
        user: &UserRow,
        client_addr: &str,
        action: &str,
    ) -> Result<NewSession, DomainError> {
        let now = self.now();
        let mut raw = [0u8; 32];
        rand::rng().fill_bytes(&mut raw);
        let expires = now + self.config.session_absolute;
        let mut tx = self.db.begin().await?;
        sessions::insert(&mut tx, instance, &hash_token(&raw), user.id, now, expires).await?;
        audit::record(
            &mut tx,
            instance,
            now,
            Event {
                kind: "login",
                actor: Some(user.id),
                holder: user.holder_id,
                action,
                object: None,
                client_addr: Some(client_addr),
                detail: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(NewSession {
            cookie: format!("{}.{}", instance.0.simple(), URL_SAFE_NO_PAD.encode(raw)),
            expires,
        })
    }
}
