//! A login's wishes: how each kind reaches it, quiet hours and the hour of the digest.

use schulhof_types::{InstanceId, UserId};

use crate::{AsConn, StoreError, on};

/// Quiet hours and the digest hour; minutes after local midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SettingsRow {
    pub quiet_from: Option<i64>,
    pub quiet_to: Option<i64>,
    pub digest_hour: i64,
}

impl Default for SettingsRow {
    fn default() -> Self {
        Self {
            quiet_from: None,
            quiet_to: None,
            digest_hour: 7,
        }
    }
}

/// The kinds a login chose a mode for: (kind, mode).
pub async fn modes_of(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<Vec<(String, String)>, StoreError> {
    let r: Vec<(String, String)> = on!(c, c => sqlx::query_as(
        "SELECT kind, mode FROM notification_prefs WHERE instance_id = $1 AND user_id = $2 ORDER BY kind")
        .bind(instance.0).bind(user.0).fetch_all(&mut *c).await)?;
    Ok(r)
}

/// The mode a login chose for one kind, if any.
pub async fn mode_of(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    kind: &str,
) -> Result<Option<String>, StoreError> {
    let r: Option<(String,)> = on!(c, c => sqlx::query_as(
        "SELECT mode FROM notification_prefs WHERE instance_id = $1 AND user_id = $2 AND kind = $3")
        .bind(instance.0).bind(user.0).bind(kind).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(m,)| m))
}

pub async fn set_mode(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    kind: &str,
    mode: &str,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO notification_prefs (instance_id, user_id, kind, mode) VALUES ($1, $2, $3, $4)
         ON CONFLICT (instance_id, user_id, kind) DO UPDATE SET mode = excluded.mode")
        .bind(instance.0).bind(user.0).bind(kind).bind(mode)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn settings_of(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<SettingsRow, StoreError> {
    let r: Option<(Option<i64>, Option<i64>, i64)> = on!(c, c => sqlx::query_as(
        "SELECT quiet_from, quiet_to, digest_hour FROM notification_settings
          WHERE instance_id = $1 AND user_id = $2")
        .bind(instance.0).bind(user.0).fetch_optional(&mut *c).await)?;
    Ok(
        r.map_or_else(SettingsRow::default, |(f, t, h)| SettingsRow {
            quiet_from: f,
            quiet_to: t,
            digest_hour: h,
        }),
    )
}

pub async fn set_settings(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    s: &SettingsRow,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO notification_settings (instance_id, user_id, quiet_from, quiet_to, digest_hour)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (instance_id, user_id) DO UPDATE
            SET quiet_from = excluded.quiet_from, quiet_to = excluded.quiet_to,
                digest_hour = excluded.digest_hour, digest_due_at = NULL")
        .bind(instance.0).bind(user.0).bind(s.quiet_from).bind(s.quiet_to).bind(s.digest_hour)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
