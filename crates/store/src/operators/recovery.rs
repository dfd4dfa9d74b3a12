//! One-time recovery codes of operators, kept as hashes; a code is used at most once.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{AsConn, StoreError, on, to_us};

/// Replaces every recovery code of an operator (used or not) by `hashes`.
pub async fn replace(
    c: &mut impl AsConn,
    operator: Uuid,
    hashes: &[Vec<u8>],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("DELETE FROM operator_recovery_codes WHERE operator_id = $1")
        .bind(operator).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    for hash in hashes {
        on!(c, c => sqlx::query(
            "INSERT INTO operator_recovery_codes (code_hash, operator_id, created_at, used_at)
             VALUES ($1, $2, $3, NULL)")
            .bind(hash).bind(operator).bind(to_us(now))
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Marks the operator's unused code with this hash as used. One conditional statement, so
/// two parallel logins with one code cannot both pass.
pub async fn claim(
    c: &mut impl AsConn,
    operator: Uuid,
    hash: &[u8],
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE operator_recovery_codes SET used_at = $3
         WHERE code_hash = $2 AND operator_id = $1 AND used_at IS NULL")
        .bind(operator).bind(hash).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// How many unused codes the operator has.
pub async fn remaining(c: &mut impl AsConn, operator: Uuid) -> Result<i64, StoreError> {
    let (n,): (i64,) = on!(c, c => sqlx::query_as(
        "SELECT COUNT(*) FROM operator_recovery_codes WHERE operator_id = $1 AND used_at IS NULL")
        .bind(operator).fetch_one(&mut *c).await)?;
    Ok(n)
}
