//! LTI 1.3 rows: tools (launch details of an OpenID Connect client), launches in flight,
//! single-use nonces of tool JWTs, service tokens; line items and scores in [`grades`].

pub mod grades;
pub mod roster;

use schulhof_types::{ActivityId, InstanceId, SectionId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, on};

/// The launch details of a tool.
#[derive(Clone, Debug)]
pub struct ToolRow {
    pub client_ref: Uuid,
    pub login_url: String,
    pub target_link_uri: String,
    pub deployment_id: String,
    /// The tool's JSON Web Key Set.
    pub public_jwks: String,
    pub created_at: i64,
    /// Where the keys are fetched from ('' = pasted at registration).
    pub jwks_url: String,
    /// When they were last fetched (0 = never).
    pub jwks_fetched_at: i64,
}

type ToolRaw = (Uuid, String, String, String, String, i64, String, i64);

fn tool_of(r: ToolRaw) -> ToolRow {
    ToolRow {
        client_ref: r.0,
        login_url: r.1,
        target_link_uri: r.2,
        deployment_id: r.3,
        public_jwks: r.4,
        created_at: r.5,
        jwks_url: r.6,
        jwks_fetched_at: r.7,
    }
}

pub async fn insert_tool(c: &mut impl AsConn, t: &ToolRow) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO lti_tools (client_ref, login_url, target_link_uri, deployment_id,
             public_jwks, created_at, jwks_url, jwks_fetched_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(t.client_ref).bind(&t.login_url).bind(&t.target_link_uri).bind(&t.deployment_id)
        .bind(&t.public_jwks).bind(t.created_at).bind(&t.jwks_url).bind(t.jwks_fetched_at)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Stores freshly fetched keys of a tool registered with a key set URL.
pub async fn update_jwks(
    c: &mut impl AsConn,
    client_ref: Uuid,
    public_jwks: &str,
    fetched_at: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE lti_tools SET public_jwks = $2, jwks_fetched_at = $3 WHERE client_ref = $1")
        .bind(client_ref).bind(public_jwks).bind(fetched_at)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The launch details of the client `client_ref`, if it is an LTI tool.
pub async fn tool(c: &mut impl AsConn, client_ref: Uuid) -> Result<Option<ToolRow>, StoreError> {
    let r: Option<ToolRaw> = on!(c, c => sqlx::query_as(
        "SELECT client_ref, login_url, target_link_uri, deployment_id, public_jwks, created_at,
                jwks_url, jwks_fetched_at
           FROM lti_tools WHERE client_ref = $1")
        .bind(client_ref).fetch_optional(&mut *c).await)?;
    Ok(r.map(tool_of))
}

/// The LTI tools a school's people may see (its own and the state-wide ones).
pub async fn tools_visible_to(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<Vec<ToolRow>, StoreError> {
    let r: Vec<ToolRaw> = on!(c, c => sqlx::query_as(
        "SELECT t.client_ref, t.login_url, t.target_link_uri, t.deployment_id, t.public_jwks,
                t.created_at, t.jwks_url, t.jwks_fetched_at
           FROM lti_tools t JOIN oidc_clients o ON o.id = t.client_ref
          WHERE o.instance_id IS NULL OR o.instance_id = $1 ORDER BY o.name, o.id")
        .bind(instance.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(tool_of).collect())
}

/// A launch in flight.
#[derive(Clone, Debug)]
pub struct MessageRow {
    pub instance: InstanceId,
    pub id: Uuid,
    pub client_ref: Uuid,
    pub user: UserId,
    /// "resource" or "deeplink".
    pub kind: String,
    pub activity: Option<ActivityId>,
    pub section: Option<SectionId>,
    pub expires_at: i64,
}

type MessageRaw = (Uuid, Uuid, Uuid, String, Option<Uuid>, Option<Uuid>, i64);

pub async fn insert_message(c: &mut impl AsConn, m: &MessageRow) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO lti_messages (instance_id, id, client_ref, user_id, kind, activity_id,
             section_id, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(m.instance.0).bind(m.id).bind(m.client_ref).bind(m.user.0).bind(&m.kind)
        .bind(m.activity.map(|a| a.0)).bind(m.section.map(|s| s.0)).bind(m.expires_at)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Takes a launch for its one use: `None` when unknown, expired or used before. One
/// conditional UPDATE, so of two racing requests exactly one wins.
pub async fn take_message(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
    now: i64,
) -> Result<Option<MessageRow>, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE lti_messages SET used_at = $3
          WHERE instance_id = $1 AND id = $2 AND used_at IS NULL AND expires_at > $3")
        .bind(instance.0).bind(id).bind(now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Ok(None);
    }
    let r: MessageRaw = on!(c, c => sqlx::query_as(
        "SELECT client_ref, user_id, id, kind, activity_id, section_id, expires_at
           FROM lti_messages WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).fetch_one(&mut *c).await)?;
    Ok(Some(MessageRow {
        instance,
        id: r.2,
        client_ref: r.0,
        user: UserId(r.1),
        kind: r.3,
        activity: r.4.map(ActivityId),
        section: r.5.map(SectionId),
        expires_at: r.6,
    }))
}

/// Lets an unused launch wait until `until` (never shorter than it already may): the person
/// is at the consent screen. Only while it is still unused and unexpired at `now`, so a
/// spent or lapsed launch stays so.
pub async fn hold_message(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
    now: i64,
    until: i64,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE lti_messages SET expires_at = $4
          WHERE instance_id = $1 AND id = $2 AND used_at IS NULL AND expires_at > $3
            AND expires_at < $4")
        .bind(instance.0).bind(id).bind(now).bind(until)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Records a nonce (or jti) of a tool's JWT; false when it was seen before.
pub async fn use_nonce(
    c: &mut impl AsConn,
    client_ref: Uuid,
    nonce: &str,
    expires_at: i64,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "INSERT INTO lti_nonces (client_ref, nonce, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (client_ref, nonce) DO NOTHING")
        .bind(client_ref).bind(nonce).bind(expires_at)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn insert_token(
    c: &mut impl AsConn,
    hash: &str,
    client_ref: Uuid,
    scope: &str,
    expires_at: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO lti_tokens (token_hash, client_ref, scope, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(hash).bind(client_ref).bind(scope).bind(expires_at)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The tool and scopes of an unexpired service token.
pub async fn token(
    c: &mut impl AsConn,
    hash: &str,
    now: i64,
) -> Result<Option<(Uuid, Vec<String>)>, StoreError> {
    let r: Option<(Uuid, String)> = on!(c, c => sqlx::query_as(
        "SELECT client_ref, scope FROM lti_tokens WHERE token_hash = $1 AND expires_at > $2")
        .bind(hash).bind(now).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(t, s)| {
        (
            t,
            s.split(' ')
                .filter(|x| !x.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }))
}

/// Deletes expired launches, nonces and tokens (the hourly retention job).
pub async fn purge_expired(c: &mut impl AsConn, now: i64) -> Result<u64, StoreError> {
    let mut n = 0;
    for q in [
        "DELETE FROM lti_messages WHERE expires_at <= $1",
        "DELETE FROM lti_nonces WHERE expires_at <= $1",
        "DELETE FROM lti_tokens WHERE expires_at <= $1",
    ] {
        n += on!(c, c => sqlx::query(q).bind(now)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    }
    Ok(n)
}

/// A launch whatever its state (the deep linking response refers to its request).
pub async fn get_message(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<Option<MessageRow>, StoreError> {
    let r: Option<MessageRaw> = on!(c, c => sqlx::query_as(
        "SELECT client_ref, user_id, id, kind, activity_id, section_id, expires_at
           FROM lti_messages WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.map(|r| MessageRow {
        instance,
        id: r.2,
        client_ref: r.0,
        user: UserId(r.1),
        kind: r.3,
        activity: r.4.map(ActivityId),
        section: r.5.map(SectionId),
        expires_at: r.6,
    }))
}
