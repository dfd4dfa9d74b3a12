//! Terms of use and privacy policy: versioned texts per school and who accepted which.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, UserId};

use crate::{AsConn, StoreError, on, to_us};

#[derive(Clone, Debug)]
pub struct ConsentText {
    pub version: i64,
    pub terms: String,
    pub privacy: String,
}

pub async fn current_text(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<Option<ConsentText>, StoreError> {
    let r: Option<(i64, String, String)> = on!(c, c => sqlx::query_as(
        "SELECT version, terms, privacy FROM consent_texts WHERE instance_id = $1 ORDER BY version DESC LIMIT 1")
        .bind(instance.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(version, terms, privacy)| ConsentText {
        version,
        terms,
        privacy,
    }))
}

/// Publishes a new version; everyone is asked again at their next request.
pub async fn publish_text(
    c: &mut impl AsConn,
    instance: InstanceId,
    terms: &str,
    privacy: &str,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let (version,): (i64,) = on!(c, c => sqlx::query_as(
        "INSERT INTO consent_texts (instance_id, version, terms, privacy, created_at)
         SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3, $4 FROM consent_texts WHERE instance_id = $1
         RETURNING version")
        .bind(instance.0).bind(terms).bind(privacy).bind(to_us(now)).fetch_one(&mut *c).await)?;
    Ok(version)
}

pub async fn record(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    version: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO consents (instance_id, user_id, version, accepted_at, revoked_at) VALUES ($1, $2, $3, $4, NULL)
         ON CONFLICT (instance_id, user_id, version) DO UPDATE SET accepted_at = $4, revoked_at = NULL")
        .bind(instance.0).bind(user.0).bind(version).bind(to_us(now)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Marks every consent of the user as revoked (kept, with the time, as proof).
pub async fn revoke(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE consents SET revoked_at = $3 WHERE instance_id = $1 AND user_id = $2 AND revoked_at IS NULL")
        .bind(instance.0).bind(user.0).bind(to_us(now)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
