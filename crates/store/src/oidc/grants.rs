//! Authorization codes and tokens, stored by the SHA-256 of their value so any node can
//! redeem them. Redeeming is one conditional UPDATE: of two nodes racing for the same code
//! or refresh token, exactly one wins.

use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use super::clients::{Raw as ClientRaw, row as client_row};
use super::{ClientRow, split};
use crate::{AsConn, StoreError, on};

/// What a code or token carries.
#[derive(Clone, Debug)]
pub struct GrantRow {
    pub grant_id: Uuid,
    pub client_ref: Uuid,
    pub instance: InstanceId,
    pub user: UserId,
    /// The scopes granted (openid, profile, …).
    pub scope: Vec<String>,
    /// The claims the tool receives (decided when the code was issued).
    pub claims: Vec<String>,
    pub auth_time: i64,
    pub expires_at: i64,
    /// The tool session's `sid` (Back-Channel Logout), carried into ID tokens.
    pub sid: Option<String>,
}

/// A code with what only the token request checks.
#[derive(Clone, Debug)]
pub struct CodeRow {
    pub grant: GrantRow,
    pub redirect_uri: String,
    pub nonce: Option<String>,
    /// The PKCE S256 challenge, if the request had one.
    pub challenge: Option<String>,
}

type GrantRaw = (
    Uuid,
    Uuid,
    Uuid,
    Uuid,
    String,
    String,
    i64,
    i64,
    Option<String>,
);

fn grant(r: GrantRaw) -> GrantRow {
    GrantRow {
        grant_id: r.0,
        client_ref: r.1,
        instance: InstanceId(r.2),
        user: UserId(r.3),
        scope: split(&r.4),
        claims: split(&r.5),
        auth_time: r.6,
        expires_at: r.7,
        sid: r.8,
    }
}

pub async fn insert_code(
    c: &mut impl AsConn,
    hash: &str,
    code: &CodeRow,
) -> Result<(), StoreError> {
    let g = &code.grant;
    let (scope, claims) = (g.scope.join(" "), g.claims.join(" "));
    on!(c, c => sqlx::query(
        "INSERT INTO oidc_codes (code_hash, grant_id, client_ref, instance_id, user_id,
             redirect_uri, scope, claims, nonce, challenge, auth_time, expires_at, used_at, sid)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, $13)")
        .bind(hash).bind(g.grant_id).bind(g.client_ref).bind(g.instance.0).bind(g.user.0)
        .bind(&code.redirect_uri).bind(&scope).bind(&claims).bind(&code.nonce)
        .bind(&code.challenge).bind(g.auth_time).bind(g.expires_at).bind(&g.sid)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The outcome of presenting a code or refresh token.
#[derive(Debug)]
pub enum Redeemed<T> {
    /// First use, still valid: it is now spent.
    Fresh(T),
    /// Used before: the grant it belongs to (to revoke everything issued from it).
    Replayed(Uuid),
    /// Unknown or expired.
    Unknown,
}

type CodeRaw = (
    Uuid,
    Uuid,
    Uuid,
    Uuid,
    String,
    String,
    i64,
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Spends a code at `now`.
pub async fn redeem_code(
    c: &mut impl AsConn,
    hash: &str,
    now: i64,
) -> Result<Redeemed<CodeRow>, StoreError> {
    let r: Option<CodeRaw> = on!(c, c => sqlx::query_as(
        "UPDATE oidc_codes SET used_at = $2
         WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2
         RETURNING grant_id, client_ref, instance_id, user_id, scope, claims, auth_time,
                   expires_at, redirect_uri, nonce, challenge, sid")
        .bind(hash).bind(now).fetch_optional(&mut *c).await)?;
    if let Some(r) = r {
        return Ok(Redeemed::Fresh(CodeRow {
            grant: grant((r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.11)),
            redirect_uri: r.8,
            nonce: r.9,
            challenge: r.10,
        }));
    }
    let used: Option<(Uuid,)> = on!(c, c => sqlx::query_as(
        "SELECT grant_id FROM oidc_codes WHERE code_hash = $1 AND used_at IS NOT NULL")
        .bind(hash).fetch_optional(&mut *c).await)?;
    Ok(used.map_or(Redeemed::Unknown, |(g,)| Redeemed::Replayed(g)))
}

pub async fn insert_token(
    c: &mut impl AsConn,
    hash: &str,
    kind: &str,
    g: &GrantRow,
) -> Result<(), StoreError> {
    let (scope, claims) = (g.scope.join(" "), g.claims.join(" "));
    on!(c, c => sqlx::query(
        "INSERT INTO oidc_tokens (token_hash, kind, grant_id, client_ref, instance_id, user_id,
             scope, claims, auth_time, expires_at, used_at, sid)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, $11)")
        .bind(hash).bind(kind).bind(g.grant_id).bind(g.client_ref).bind(g.instance.0)
        .bind(g.user.0).bind(&scope).bind(&claims).bind(g.auth_time).bind(g.expires_at)
        .bind(&g.sid)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Stores an access and a refresh token of one grant in one statement (the token request
/// holds SQLite's one writer; every statement saved there counts).
pub async fn insert_tokens(
    c: &mut impl AsConn,
    access_hash: &str,
    access_expires: i64,
    refresh_hash: &str,
    refresh_expires: i64,
    g: &GrantRow,
) -> Result<(), StoreError> {
    let (scope, claims) = (g.scope.join(" "), g.claims.join(" "));
    on!(c, c => sqlx::query(
        "INSERT INTO oidc_tokens (token_hash, kind, grant_id, client_ref, instance_id, user_id,
             scope, claims, auth_time, expires_at, used_at, sid)
         VALUES ($1, 'access', $3, $4, $5, $6, $7, $8, $9, $10, NULL, $12),
                ($2, 'refresh', $3, $4, $5, $6, $7, $8, $9, $11, NULL, $12)")
        .bind(access_hash).bind(refresh_hash).bind(g.grant_id).bind(g.client_ref)
        .bind(g.instance.0).bind(g.user.0).bind(&scope).bind(&claims).bind(g.auth_time)
        .bind(access_expires).bind(refresh_expires).bind(&g.sid)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

macro_rules! grant_columns {
    () => {
        "grant_id, client_ref, instance_id, user_id, scope, claims, auth_time, expires_at, sid"
    };
}

/// A valid access token.
pub async fn access(
    c: &mut impl AsConn,
    hash: &str,
    now: i64,
) -> Result<Option<GrantRow>, StoreError> {
    let r: Option<GrantRaw> = on!(c, c => sqlx::query_as(concat!(
        "SELECT ", grant_columns!(), " FROM oidc_tokens
         WHERE token_hash = $1 AND kind = 'access' AND expires_at > $2"))
        .bind(hash).bind(now).fetch_optional(&mut *c).await)?;
    Ok(r.map(grant))
}

/// A valid access token with the tool it was issued to, in one statement (userinfo).
pub async fn access_with_client(
    c: &mut impl AsConn,
    hash: &str,
    now: i64,
) -> Result<Option<(GrantRow, ClientRow)>, StoreError> {
    // 25 columns: more than sqlx's tuples decode, so taken by index.
    macro_rules! take {
        ($r:expr) => {{
            use sqlx::Row;
            let r = $r;
            let g: GrantRaw = (
                r.try_get(0)?,
                r.try_get(1)?,
                r.try_get(2)?,
                r.try_get(3)?,
                r.try_get(4)?,
                r.try_get(5)?,
                r.try_get(6)?,
                r.try_get(7)?,
                r.try_get(8)?,
            );
            let t: ClientRaw = (
                r.try_get(9)?,
                r.try_get(10)?,
                r.try_get(11)?,
                r.try_get(12)?,
                r.try_get(13)?,
                r.try_get(14)?,
                r.try_get(15)?,
                r.try_get(16)?,
                r.try_get(17)?,
                r.try_get(18)?,
                r.try_get(19)?,
                r.try_get(20)?,
                r.try_get(21)?,
                r.try_get(22)?,
                r.try_get(23)?,
                r.try_get(24)?,
            );
            (g, t)
        }};
    }
    let r = on!(c, c => match sqlx::query(
        "SELECT g.grant_id, g.client_ref, g.instance_id, g.user_id, g.scope, g.claims,
                g.auth_time, g.expires_at, g.sid,
                t.id, t.instance_id, t.client_id, t.name, t.secret_hash, t.public,
                t.redirect_uris, t.post_logout_uris, t.claims, t.terms, t.sector, t.created_at,
                t.backchannel_logout_uri, t.frontchannel_logout_uri, t.terms_url,
                t.id_token_signed_response_alg
           FROM oidc_tokens g JOIN oidc_clients t ON t.id = g.client_ref
          WHERE g.token_hash = $1 AND g.kind = 'access' AND g.expires_at > $2")
        .bind(hash).bind(now).fetch_optional(&mut *c).await? {
        Some(r) => Some(take!(r)),
        None => None,
    });
    Ok(r.map(|(g, t)| (grant(g), client_row(t))))
}

/// Spends a refresh token at `now` (rotation: the caller issues the next one).
pub async fn redeem_refresh(
    c: &mut impl AsConn,
    hash: &str,
    now: i64,
) -> Result<Redeemed<GrantRow>, StoreError> {
    let r: Option<GrantRaw> = on!(c, c => sqlx::query_as(concat!(
        "UPDATE oidc_tokens SET used_at = $2
         WHERE token_hash = $1 AND kind = 'refresh' AND used_at IS NULL AND expires_at > $2
         RETURNING ", grant_columns!()))
        .bind(hash).bind(now).fetch_optional(&mut *c).await)?;
    if let Some(r) = r {
        return Ok(Redeemed::Fresh(grant(r)));
    }
    let used: Option<(Uuid,)> = on!(c, c => sqlx::query_as(
        "SELECT grant_id FROM oidc_tokens
         WHERE token_hash = $1 AND kind = 'refresh' AND used_at IS NOT NULL")
        .bind(hash).fetch_optional(&mut *c).await)?;
    Ok(used.map_or(Redeemed::Unknown, |(g,)| Redeemed::Replayed(g)))
}

/// A token of any kind, valid or not, for the revocation endpoint: (kind, grant).
pub async fn find_token(
    c: &mut impl AsConn,
    hash: &str,
) -> Result<Option<(String, GrantRow)>, StoreError> {
    type Raw = (
        String,
        Uuid,
        Uuid,
        Uuid,
        Uuid,
        String,
        String,
        i64,
        i64,
        Option<String>,
    );
    let r: Option<Raw> = on!(c, c => sqlx::query_as(concat!(
        "SELECT kind, ", grant_columns!(), " FROM oidc_tokens WHERE token_hash = $1"))
        .bind(hash).fetch_optional(&mut *c).await)?;
    Ok(r.map(|r| (r.0, grant((r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9)))))
}

/// Deletes one token.
pub async fn delete_token(c: &mut impl AsConn, hash: &str) -> Result<u64, StoreError> {
    on!(c, c => sqlx::query("DELETE FROM oidc_tokens WHERE token_hash = $1")
        .bind(hash).execute(&mut *c).await.map(|r| r.rows_affected()))
    .map_err(Into::into)
}

/// Ends a grant: every token issued from it stops working.
pub async fn revoke_grant(c: &mut impl AsConn, grant_id: Uuid) -> Result<u64, StoreError> {
    // Replays of one code or token arrive together (a stolen copy used in parallel); their
    // DELETEs of the same rows deadlock on PostgreSQL unless they take turns per grant.
    if let crate::Conn::Pg(c) = c.conn() {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
            .bind(format!("oidc-grant {grant_id}"))
            .execute(&mut *c)
            .await?;
    }
    on!(c, c => sqlx::query("DELETE FROM oidc_tokens WHERE grant_id = $1")
        .bind(grant_id).execute(&mut *c).await.map(|r| r.rows_affected()))
    .map_err(Into::into)
}

/// Ends every grant of a person at one tool (consent revoked), or at every tool (`None`).
pub async fn revoke_user(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    client_ref: Option<Uuid>,
) -> Result<u64, StoreError> {
    on!(c, c => sqlx::query(
        "DELETE FROM oidc_tokens WHERE instance_id = $1 AND user_id = $2
         AND ($3 IS NULL OR client_ref = $3)")
        .bind(instance.0).bind(user.0).bind(client_ref)
        .execute(&mut *c).await.map(|r| r.rows_affected()))
    .map_err(Into::into)
}

/// Deletes codes and tokens that expired before `now` (the hourly retention job).
pub async fn purge_expired(c: &mut impl AsConn, now: i64) -> Result<u64, StoreError> {
    let codes = on!(c, c => sqlx::query("DELETE FROM oidc_codes WHERE expires_at <= $1")
        .bind(now).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    let tokens = on!(c, c => sqlx::query("DELETE FROM oidc_tokens WHERE expires_at <= $1")
        .bind(now).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(codes + tokens)
}
