//! State-wide defaults (name → value) that new schools take.

use chrono::{DateTime, Utc};

use crate::{AsConn, StoreError, on, to_us};

pub async fn all(c: &mut impl AsConn) -> Result<Vec<(String, String)>, StoreError> {
    let r: Vec<(String, String)> = on!(c, c => sqlx::query_as(
        "SELECT name, value FROM state_defaults ORDER BY name")
        .fetch_all(&mut *c).await)?;
    Ok(r)
}

/// Sets a default; an empty `value` removes it (the built-in default applies again).
pub async fn set(
    c: &mut impl AsConn,
    name: &str,
    value: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if value.is_empty() {
        on!(c, c => sqlx::query("DELETE FROM state_defaults WHERE name = $1")
            .bind(name).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        return Ok(());
    }
    on!(c, c => sqlx::query(
        "INSERT INTO state_defaults (name, value, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at")
        .bind(name).bind(value).bind(to_us(now)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
