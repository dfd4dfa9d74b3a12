//! Central logout (OpenID Connect Back-Channel Logout 1.0 and Front-Channel Logout 1.0).
//!
//! Each login to a tool is recorded as a tool session of the platform session, with the
//! `sid` its ID tokens carry. When the platform session ends (logout, end-session endpoint),
//! when an account is deactivated or deleted, or when a consent is withdrawn, the tool
//! sessions end in the same transaction: a logout token for each tool with a back-channel URI
//! is queued in the outbox (so it survives the node dying before sending), and the tools'
//! front-channel URIs are handed to the page that says goodbye. A worker on every node
//! claims due rows with a lease, signs and POSTs the logout token, and retries with backoff.

use std::sync::OnceLock;
use std::time::Duration;

use schulhof_store::oidc::logout::{self as store, EndedSession, OutboxRow};
use schulhof_store::oidc::{clients, grants};
use schulhof_store::{AsConn, Tx};
use schulhof_types::{InstanceId, UserId};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{OidcError, keys, pairwise_subject, random_value};
use crate::{DomainError, Platform};

/// How long a claimed logout is ours before another node may try it.
const LEASE_SECS: i64 = 60;
/// Logouts claimed per round.
const BATCH: i64 = 50;
/// After this many failed deliveries a logout is given up (about a day of backoff).
const MAX_ATTEMPTS: i64 = 12;
/// How long a tool may take to answer.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// The event of a logout token (Back-Channel Logout 1.0 §2.4).
pub const BACKCHANNEL_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// The key a platform session's tool sessions are filed under: the SHA-256 of the session's
/// stored hash, so the table gives nothing that opens a session.
pub(crate) fn session_key(token_hash: &[u8]) -> String {
    Sha256::digest(token_hash)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The front-channel URI with `iss` and `sid` (Front-Channel Logout 1.0 §2).
fn front_url(s: &EndedSession) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("iss", &s.issuer).append_pair("sid", &s.sid);
    let base = &s.frontchannel_logout_uri;
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}{}", q.finish())
}

/// Queues the back-channel logouts of ended tool sessions; returns the front-channel URLs.
async fn queue(
    tx: &mut Tx,
    instance: InstanceId,
    ended: Vec<EndedSession>,
    now: i64,
) -> Result<Vec<String>, DomainError> {
    let mut front = Vec::new();
    for s in &ended {
        if !s.backchannel_logout_uri.is_empty() {
            let row = OutboxRow {
                instance,
                id: Uuid::now_v7(),
                client_ref: s.client_ref,
                user: s.user,
                sid: Some(s.sid.clone()),
                issuer: s.issuer.clone(),
                attempts: 0,
                lease_until: 0,
            };
            store::enqueue(tx, &row, now).await?;
        }
        if !s.frontchannel_logout_uri.is_empty() {
            front.push(front_url(s));
        }
    }
    Ok(front)
}

/// The platform session behind `token_hash` ends: so do its tool sessions.
pub(crate) async fn end_of_session(
    tx: &mut Tx,
    instance: InstanceId,
    token_hash: &[u8],
    now: i64,
) -> Result<Vec<String>, DomainError> {
    let ended = store::end_of_session(tx, instance, &session_key(token_hash)).await?;
    queue(tx, instance, ended, now).await
}

/// A person's tool sessions end, at one tool or all (`None`); with `revoke`, every token
/// the tools hold for the person is revoked too (deactivation, withdrawn consent).
pub(crate) async fn end_of_user(
    tx: &mut Tx,
    instance: InstanceId,
    user: UserId,
    client_ref: Option<Uuid>,
    revoke: bool,
    now: i64,
) -> Result<Vec<String>, DomainError> {
    if revoke {
        grants::revoke_user(tx, instance, user, client_ref).await?;
    }
    let ended = store::end_of_user(tx, instance, user, client_ref).await?;
    queue(tx, instance, ended, now).await
}

/// Several persons leave at once (deactivated or deleted after an import): each one's tool
/// sessions end and every token the tools hold for them is revoked.
pub(crate) async fn end_of_users(
    tx: &mut Tx,
    instance: InstanceId,
    users: &[UserId],
    now: i64,
) -> Result<(), DomainError> {
    for &u in users {
        end_of_user(tx, instance, u, None, true, now).await?;
    }
    Ok(())
}

/// The client logouts are sent with: only to public addresses (or loopback where allowed),
/// checked after DNS resolution; Back-Channel Logout §2.8: the RP answers itself, a redirect
/// is not followed.
fn http(allow_loopback: bool) -> &'static reqwest::Client {
    static STRICT: OnceLock<reqwest::Client> = OnceLock::new();
    static LOOPBACK: OnceLock<reqwest::Client> = OnceLock::new();
    let cell = if allow_loopback { &LOOPBACK } else { &STRICT };
    cell.get_or_init(|| super::guard::client(allow_loopback, SEND_TIMEOUT))
}

/// Seconds to wait before attempt `n + 1`: 30 s doubling, at most an hour.
fn backoff_secs(attempts: i64) -> i64 {
    (30i64 << attempts.clamp(0, 7)).min(3600)
}

impl Platform {
    /// Delivers back-channel logouts until the process ends (every node may run it).
    pub async fn run_oidc_logouts(self) {
        let mut every = tokio::time::interval(Duration::from_secs(1));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if let Err(e) = self.system_deliver_oidc_logouts().await {
                tracing::error!(error = %e, "delivering back-channel logouts failed");
            }
        }
    }

    /// One round of the worker: claims due logouts and sends them; returns how many the
    /// tools accepted.
    pub async fn system_deliver_oidc_logouts(&self) -> Result<usize, DomainError> {
        let mut sent = 0;
        loop {
            let now = self.now().timestamp_micros();
            let mut tx = self.db.begin().await?;
            let claimed = store::claim(&mut tx, now, now + LEASE_SECS * 1_000_000, BATCH).await?;
            tx.commit().await?;
            for row in &claimed {
                let outcome = self.send_logout(row).await;
                let mut tx = self.db.begin().await?;
                match outcome {
                    Ok(()) => {
                        sent += 1;
                        store::finish(&mut tx, row).await?;
                    }
                    Err(why) if row.attempts + 1 >= MAX_ATTEMPTS => {
                        tracing::warn!(%why, id = %row.id, "back-channel logout given up");
                        store::finish(&mut tx, row).await?;
                    }
                    Err(why) => {
                        tracing::info!(%why, id = %row.id, "back-channel logout failed, will retry");
                        let due = now + backoff_secs(row.attempts) * 1_000_000;
                        store::retry(&mut tx, row, due).await?;
                    }
                }
                tx.commit().await?;
            }
            if (claimed.len() as i64) < BATCH {
                return Ok(sent);
            }
        }
    }

    /// The signed logout token of an outbox row, and where it goes.
    async fn logout_token(&self, row: &OutboxRow) -> Result<(String, String), OidcError> {
        let client = {
            let mut c = self.db.read().await?;
            clients::get(&mut c, row.client_ref)
                .await?
                .ok_or(OidcError::InvalidClient)?
        };
        // Key and school secret as this node keeps them (see `super::cache`).
        let secret = self.oidc_school_secret(row.instance).await?;
        let key = self.oidc_signer(keys::SIGNING_ALG).await?;
        let now = self.now().timestamp_micros();
        let secs = now / 1_000_000;
        let mut claims = json!({
            "iss": row.issuer,
            "aud": client.client_id,
            "iat": secs,
            "exp": secs + 120,
            "jti": random_value(),
            "sub": pairwise_subject(&secret, &client.sector, row.user),
            "events": { BACKCHANNEL_EVENT: {} },
        });
        if let Some(sid) = &row.sid {
            claims["sid"] = sid.clone().into();
        }
        let token = keys::sign_with(&key.pair, &key.kid, &claims, "logout+jwt")?;
        Ok((client.backchannel_logout_uri, token))
    }

    async fn send_logout(&self, row: &OutboxRow) -> Result<(), String> {
        let (uri, token) = self
            .logout_token(row)
            .await
            .map_err(|e| format!("token: {e}"))?;
        if uri.is_empty() {
            return Ok(());
        }
        let loopback = self.config.tool_urls_on_loopback;
        super::guard::check_literal(&uri, loopback)?;
        let resp = http(loopback)
            .post(&uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cache-control", "no-store")
            .body(format!("logout_token={token}"))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(format!("{uri} answered {}", resp.status()))
        }
    }

    /// A login replaced the session the browser still carried (a re-login a tool demanded
    /// with `prompt=login`/`max_age`, or any login over an old cookie): the old session
    /// ends, so a cookie planted or left behind is worthless afterwards (session fixation,
    /// stale session). The same person's tool sessions move to the new session, so a later
    /// logout still reaches the tools; another person's end with back-channel logouts.
    pub async fn replace_session(
        &self,
        old_cookie: &str,
        new_cookie: &str,
        client_addr: &str,
    ) -> Result<(), DomainError> {
        let parse = crate::identity::parse_cookie;
        let (Some((oi, oh)), Some((ni, nh))) = (parse(old_cookie), parse(new_cookie)) else {
            return Ok(());
        };
        if oi == ni && oh == nh {
            return Ok(());
        }
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let Some(old_user) = schulhof_store::sessions::delete(&mut tx, oi, &oh).await? else {
            return Ok(());
        };
        let new_user = store::session_user(&mut tx, ni, &nh).await?;
        if oi == ni && new_user == Some(old_user) {
            store::rekey_sessions(&mut tx, oi, &session_key(&oh), &session_key(&nh)).await?;
        } else {
            end_of_session(&mut tx, oi, &oh, now.timestamp_micros()).await?;
        }
        let event = crate::audit::Event {
            kind: "logout",
            actor: Some(old_user),
            holder: None,
            action: "logout",
            object: None,
            client_addr: Some(client_addr),
            detail: None,
        };
        crate::audit::record(&mut tx, oi, now, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// How many back-channel logouts wait (tests, operator view).
    pub async fn system_oidc_logouts_pending(&self) -> Result<i64, DomainError> {
        let mut c = self.db.read().await?;
        Ok(store::pending(&mut c).await?)
    }
}

/// Records the tool session of `session_hash` at a tool and returns its `sid`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn tool_session(
    c: &mut impl AsConn,
    instance: InstanceId,
    token_hash: &[u8],
    client_ref: Uuid,
    user: UserId,
    issuer: &str,
    now: i64,
) -> Result<Option<String>, DomainError> {
    if token_hash.is_empty() {
        return Ok(None);
    }
    let fresh = random_value();
    let key = session_key(token_hash);
    let sid = store::put_session(c, instance, &key, client_ref, user, &fresh, issuer, now).await?;
    Ok(Some(sid))
}
