//! WebDAV locks, in the database so every node sees the same ones. A lock belongs to a
//! scope (`s`: the school's shared areas; `u:<id>`: one login's own area) and a path in it.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, Tx, from_us, on, to_us};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockRow {
    pub token: String,
    pub scope: String,
    /// Below `/dav/files`, without a trailing slash (`""` is the top).
    pub path: String,
    pub owner: UserId,
    pub deep: bool,
    pub shared: bool,
    pub owner_xml: Option<String>,
    pub timeout_secs: i64,
    pub expires_at: DateTime<Utc>,
}

type Raw = (
    String,
    String,
    String,
    Uuid,
    bool,
    bool,
    Option<String>,
    i64,
    i64,
);

fn lock(r: Raw) -> LockRow {
    LockRow {
        token: r.0,
        scope: r.1,
        path: r.2,
        owner: UserId(r.3),
        deep: r.4,
        shared: r.5,
        owner_xml: r.6,
        timeout_secs: r.7,
        expires_at: from_us(r.8),
    }
}

/// Serialises lock changes of one scope across nodes (PostgreSQL; SQLite has one writer).
pub async fn serialise(tx: &mut Tx, instance: InstanceId, scope: &str) -> Result<(), StoreError> {
    if let Tx::Pg(t) = tx {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
            .bind(format!("dav-lock {} {scope}", instance.0))
            .execute(&mut **t)
            .await?;
    }
    Ok(())
}

/// The live locks of a scope.
pub async fn live_in_scope(
    c: &mut impl AsConn,
    instance: InstanceId,
    scope: &str,
    now: DateTime<Utc>,
) -> Result<Vec<LockRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(
        "SELECT token, scope, path, owner_id, deep, shared, owner_xml, timeout_secs, expires_at
         FROM dav_locks WHERE instance_id = $1 AND scope = $2 AND expires_at > $3 ORDER BY created_at, token")
        .bind(instance.0).bind(scope).bind(to_us(now)).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(lock).collect())
}

pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    l: &LockRow,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO dav_locks (instance_id, token, scope, path, owner_id, deep, shared, owner_xml,
            timeout_secs, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
        .bind(instance.0).bind(&l.token).bind(&l.scope).bind(&l.path).bind(l.owner.0).bind(l.deep)
        .bind(l.shared).bind(&l.owner_xml).bind(l.timeout_secs).bind(to_us(l.expires_at)).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Gives a lock a new lifetime.
pub async fn refresh(
    c: &mut impl AsConn,
    instance: InstanceId,
    token: &str,
    timeout_secs: i64,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE dav_locks SET timeout_secs = $3, expires_at = $4 WHERE instance_id = $1 AND token = $2")
        .bind(instance.0).bind(token).bind(timeout_secs).bind(to_us(expires_at))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes locks by token. Returns how many there were.
pub async fn remove(
    c: &mut impl AsConn,
    instance: InstanceId,
    tokens: &[String],
) -> Result<u64, StoreError> {
    let mut n = 0;
    for token in tokens {
        n += on!(c, c => sqlx::query("DELETE FROM dav_locks WHERE instance_id = $1 AND token = $2")
            .bind(instance.0).bind(token).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    }
    Ok(n)
}

/// System job: deletes expired locks of every school.
pub async fn system_purge(c: &mut impl AsConn, now: DateTime<Utc>) -> Result<u64, StoreError> {
    let n = on!(c, c => sqlx::query("DELETE FROM dav_locks WHERE expires_at <= $1")
        .bind(to_us(now)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n)
}
