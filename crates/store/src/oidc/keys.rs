//! Signing keys, shared by every node through the database.

use crate::{AsConn, StoreError, on};

#[derive(Clone, Debug)]
pub struct KeyRow {
    pub kid: String,
    pub alg: String,
    /// PKCS#8 DER of the private key.
    pub private_der: Vec<u8>,
    pub created_at: i64,
    pub retired_at: Option<i64>,
}

type Raw = (String, String, Vec<u8>, i64, Option<i64>);

fn row(r: Raw) -> KeyRow {
    KeyRow {
        kid: r.0,
        alg: r.1,
        private_der: r.2,
        created_at: r.3,
        retired_at: r.4,
    }
}

pub async fn insert(c: &mut impl AsConn, k: &KeyRow) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO oidc_keys (kid, alg, private_der, created_at, retired_at, published_until)
         VALUES ($1, $2, $3, $4, NULL, NULL)")
        .bind(&k.kid).bind(&k.alg).bind(&k.private_der).bind(k.created_at)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The key that signs now: the newest one not retired.
pub async fn signing(c: &mut impl AsConn, alg: &str) -> Result<Option<KeyRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(
        "SELECT kid, alg, private_der, created_at, retired_at FROM oidc_keys
         WHERE alg = $1 AND retired_at IS NULL ORDER BY created_at DESC, kid DESC LIMIT 1")
        .bind(alg).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// The keys the JWKS publishes at `now`: the active ones and the retired ones still in
/// their overlap.
pub async fn published(c: &mut impl AsConn, now: i64) -> Result<Vec<KeyRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(
        "SELECT kid, alg, private_der, created_at, retired_at FROM oidc_keys
         WHERE retired_at IS NULL OR published_until > $1 ORDER BY created_at DESC, kid DESC")
        .bind(now).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// Retires the key `kid` if it still signs; 0 when another node retired it first.
pub async fn retire(
    c: &mut impl AsConn,
    kid: &str,
    now: i64,
    until: i64,
) -> Result<u64, StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE oidc_keys SET retired_at = $2, published_until = $3
         WHERE kid = $1 AND retired_at IS NULL")
        .bind(kid).bind(now).bind(until)
        .execute(&mut *c).await.map(|r| r.rows_affected()))
    .map_err(Into::into)
}

/// Retires every key of `keep`'s algorithm but `keep`; they stay published until `until`.
pub async fn retire_others(
    c: &mut impl AsConn,
    keep: &KeyRow,
    now: i64,
    until: i64,
) -> Result<u64, StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE oidc_keys SET retired_at = $2, published_until = $3
         WHERE alg = $4 AND kid <> $1 AND retired_at IS NULL")
        .bind(&keep.kid).bind(now).bind(until).bind(&keep.alg)
        .execute(&mut *c).await.map(|r| r.rows_affected()))
    .map_err(Into::into)
}
