//! The school's public start page: settings, pages, pictures, and the change stamp that
//! tells every node's page cache when to render again.

pub mod images;
pub mod pages;

use schulhof_types::InstanceId;
use uuid::Uuid;

use crate::{AsConn, StoreError, on, to_us};

/// The start page's settings. A school that never saved any has none (empty start text,
/// no redirect).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SettingsRow {
    /// Sanitised HTML.
    pub intro: String,
    /// The school's own website, when the start page should lead there instead.
    pub redirect_url: Option<String>,
}

pub async fn settings(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<SettingsRow, StoreError> {
    let r: Option<(String, Option<String>)> = on!(c, c => sqlx::query_as(
        "SELECT intro, redirect_url FROM homepage_settings WHERE instance_id = $1")
        .bind(instance.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(intro, redirect_url)| SettingsRow {
        intro,
        redirect_url,
    })
    .unwrap_or_default())
}

pub async fn save_settings(
    c: &mut impl AsConn,
    instance: InstanceId,
    s: &SettingsRow,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO homepage_settings (instance_id, intro, redirect_url, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (instance_id) DO UPDATE SET intro = $2, redirect_url = $3, updated_at = $4")
        .bind(instance.0).bind(&s.intro).bind(&s.redirect_url).bind(to_us(at))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Raises the school's change stamp: whatever the public start page shows has changed.
/// Call it in the transaction of the change, so the stamp commits with it.
pub async fn bump_stamp(c: &mut impl AsConn, instance: InstanceId) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO homepage_stamps (instance_id, stamp) VALUES ($1, 1)
         ON CONFLICT (instance_id) DO UPDATE SET stamp = homepage_stamps.stamp + 1")
        .bind(instance.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The school of `number` and its stamp (0 before the first change): the one cheap
/// statement a node runs to learn whether its cached page is still current.
pub async fn stamp_by_number(
    c: &mut impl AsConn,
    number: &str,
) -> Result<Option<(InstanceId, i64)>, StoreError> {
    let r: Option<(Uuid, i64)> = on!(c, c => sqlx::query_as(
        "SELECT i.id, COALESCE(s.stamp, CAST(0 AS BIGINT)) FROM instances i
         LEFT JOIN homepage_stamps s ON s.instance_id = i.id WHERE i.school_number = $1")
        .bind(number).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(id, s)| (InstanceId(id), s)))
}
