//! A person's consents to tools: which personal claims each may have, when given, and
//! whether withdrawn. The row stays after withdrawal (with revoked_at) as the record.

use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use super::split;
use crate::{AsConn, StoreError, on};

#[derive(Clone, Debug)]
pub struct ConsentRow {
    pub client_ref: Uuid,
    pub claims: Vec<String>,
    pub granted_at: i64,
    pub revoked_at: Option<i64>,
}

type Raw = (Uuid, String, i64, Option<i64>);

fn row(r: Raw) -> ConsentRow {
    ConsentRow {
        client_ref: r.0,
        claims: split(&r.1),
        granted_at: r.2,
        revoked_at: r.3,
    }
}

/// The consent of `user` to one tool, withdrawn or not.
pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    client_ref: Uuid,
) -> Result<Option<ConsentRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(
        "SELECT client_ref, claims, granted_at, revoked_at FROM oidc_consents
         WHERE instance_id = $1 AND user_id = $2 AND client_ref = $3")
        .bind(instance.0).bind(user.0).bind(client_ref).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// Records (or renews) a consent at `now`.
pub async fn put(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    client_ref: Uuid,
    claims: &[String],
    now: i64,
) -> Result<(), StoreError> {
    let claims = claims.join(" ");
    on!(c, c => sqlx::query(
        "INSERT INTO oidc_consents (instance_id, user_id, client_ref, claims, granted_at, revoked_at)
         VALUES ($1, $2, $3, $4, $5, NULL)
         ON CONFLICT (instance_id, user_id, client_ref)
         DO UPDATE SET claims = excluded.claims, granted_at = excluded.granted_at, revoked_at = NULL")
        .bind(instance.0).bind(user.0).bind(client_ref).bind(&claims).bind(now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Withdraws a consent: the row is deleted (the audit keeps that it was given and
/// withdrawn); false when there was none in force.
pub async fn revoke(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    client_ref: Uuid,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "DELETE FROM oidc_consents
         WHERE instance_id = $1 AND user_id = $2 AND client_ref = $3 AND revoked_at IS NULL")
        .bind(instance.0).bind(user.0).bind(client_ref)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// A consent in force with the tool it was given to (Mein Konto).
#[derive(Clone, Debug)]
pub struct ConsentedTool {
    pub client_id: String,
    pub name: String,
    pub terms: String,
    pub terms_url: String,
    pub state_wide: bool,
    pub claims: Vec<String>,
    pub granted_at: i64,
}

/// Every consent in force of a person with its tool, newest first (one query).
pub async fn with_tools(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<Vec<ConsentedTool>, StoreError> {
    type Raw = (String, String, String, String, Option<Uuid>, String, i64);
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(
        "SELECT t.client_id, t.name, t.terms, t.terms_url, t.instance_id, k.claims, k.granted_at
           FROM oidc_consents k JOIN oidc_clients t ON t.id = k.client_ref
          WHERE k.instance_id = $1 AND k.user_id = $2 AND k.revoked_at IS NULL
            AND (t.instance_id IS NULL OR t.instance_id = $1)
          ORDER BY k.granted_at DESC, t.client_id")
        .bind(instance.0).bind(user.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|r| ConsentedTool {
            client_id: r.0,
            name: r.1,
            terms: r.2,
            terms_url: r.3,
            state_wide: r.4.is_none(),
            claims: split(&r.5),
            granted_at: r.6,
        })
        .collect())
}

/// Every consent of a person, newest first (Mein Konto).
pub async fn of_user(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<Vec<ConsentRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(
        "SELECT client_ref, claims, granted_at, revoked_at FROM oidc_consents
         WHERE instance_id = $1 AND user_id = $2 ORDER BY granted_at DESC")
        .bind(instance.0).bind(user.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}
