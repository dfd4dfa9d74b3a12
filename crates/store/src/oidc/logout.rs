//! Central logout: the sessions tools hold (one per platform session and tool, with the
//! `sid` the tool knows), the outbox of back-channel logout tokens to deliver (claimed with
//! a lease, like the mail queue, so any number of nodes may work it), and the school's rule
//! for pupils under 16.

use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, Conn, StoreError, on};

/// A tool session that ended, with where the tool wants to hear of it.
#[derive(Clone, Debug)]
pub struct EndedSession {
    pub client_ref: Uuid,
    pub user: UserId,
    pub sid: String,
    pub issuer: String,
    pub backchannel_logout_uri: String,
    pub frontchannel_logout_uri: String,
}

/// Records that a platform session logged in to a tool; returns the session's `sid` (the
/// one already recorded when the session used the tool before, so the tool sees one sid).
#[allow(clippy::too_many_arguments)]
pub async fn put_session(
    c: &mut impl AsConn,
    instance: InstanceId,
    session_key: &str,
    client_ref: Uuid,
    user: UserId,
    fresh_sid: &str,
    issuer: &str,
    now: i64,
) -> Result<String, StoreError> {
    // One statement: the update that changes nothing makes RETURNING name the existing row
    // (DO NOTHING would return no row).
    let (sid,): (String,) = on!(c, c => sqlx::query_as(
        "INSERT INTO oidc_tool_sessions
             (instance_id, session_key, client_ref, user_id, sid, issuer, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (instance_id, session_key, client_ref)
         DO UPDATE SET sid = oidc_tool_sessions.sid
         RETURNING sid")
        .bind(instance.0).bind(session_key).bind(client_ref).bind(user.0).bind(fresh_sid)
        .bind(issuer).bind(now)
        .fetch_one(&mut *c).await)?;
    Ok(sid)
}

type EndedRaw = (Uuid, Uuid, String, String, String, String);

fn ended(r: EndedRaw) -> EndedSession {
    EndedSession {
        client_ref: r.0,
        user: UserId(r.1),
        sid: r.2,
        issuer: r.3,
        backchannel_logout_uri: r.4,
        frontchannel_logout_uri: r.5,
    }
}

macro_rules! ended_select {
    () => {
        "SELECT s.client_ref, s.user_id, s.sid, s.issuer, c.backchannel_logout_uri,
                c.frontchannel_logout_uri
           FROM oidc_tool_sessions s JOIN oidc_clients c ON c.id = s.client_ref "
    };
}

/// Ends the tool sessions of one platform session (its key): returns them.
pub async fn end_of_session(
    c: &mut impl AsConn,
    instance: InstanceId,
    session_key: &str,
) -> Result<Vec<EndedSession>, StoreError> {
    let rows: Vec<EndedRaw> = on!(c, c => sqlx::query_as(concat!(ended_select!(),
        "WHERE s.instance_id = $1 AND s.session_key = $2 ORDER BY s.created_at"))
        .bind(instance.0).bind(session_key).fetch_all(&mut *c).await)?;
    on!(c, c => sqlx::query(
        "DELETE FROM oidc_tool_sessions WHERE instance_id = $1 AND session_key = $2")
        .bind(instance.0).bind(session_key).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(rows.into_iter().map(ended).collect())
}

/// Ends every tool session of a person, at one tool or at all (`None`): returns them.
pub async fn end_of_user(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    client_ref: Option<Uuid>,
) -> Result<Vec<EndedSession>, StoreError> {
    let rows: Vec<EndedRaw> = on!(c, c => sqlx::query_as(concat!(ended_select!(),
        "WHERE s.instance_id = $1 AND s.user_id = $2 AND ($3 IS NULL OR s.client_ref = $3)
         ORDER BY s.created_at"))
        .bind(instance.0).bind(user.0).bind(client_ref).fetch_all(&mut *c).await)?;
    on!(c, c => sqlx::query(
        "DELETE FROM oidc_tool_sessions WHERE instance_id = $1 AND user_id = $2
         AND ($3 IS NULL OR client_ref = $3)")
        .bind(instance.0).bind(user.0).bind(client_ref)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(rows.into_iter().map(ended).collect())
}

/// Moves the tool sessions of one platform session to another (a fresh login of the same
/// person replaced it): the tools keep their `sid`, a later logout still reaches them.
pub async fn rekey_sessions(
    c: &mut impl AsConn,
    instance: InstanceId,
    from_key: &str,
    to_key: &str,
) -> Result<u64, StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE oidc_tool_sessions SET session_key = $3
         WHERE instance_id = $1 AND session_key = $2")
        .bind(instance.0).bind(from_key).bind(to_key)
        .execute(&mut *c).await.map(|r| r.rows_affected()))
    .map_err(Into::into)
}

/// Whose session `token_hash` is, if it exists.
pub async fn session_user(
    c: &mut impl AsConn,
    instance: InstanceId,
    token_hash: &[u8],
) -> Result<Option<UserId>, StoreError> {
    let r: Option<(Uuid,)> = on!(c, c => sqlx::query_as(
        "SELECT user_id FROM sessions WHERE instance_id = $1 AND token_hash = $2")
        .bind(instance.0).bind(token_hash).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(u,)| UserId(u)))
}

/// A back-channel logout to deliver.
#[derive(Clone, Debug)]
pub struct OutboxRow {
    pub instance: InstanceId,
    pub id: Uuid,
    pub client_ref: Uuid,
    pub user: UserId,
    pub sid: Option<String>,
    pub issuer: String,
    pub attempts: i64,
    /// The lease the claim holds (finishing checks it is still ours).
    pub lease_until: i64,
}

/// Queues a back-channel logout, due at `now`.
pub async fn enqueue(c: &mut impl AsConn, r: &OutboxRow, now: i64) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO oidc_logout_outbox (instance_id, id, client_ref, user_id, sid, issuer,
             attempts, due_at, lease_until, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7, NULL, $7)")
        .bind(r.instance.0).bind(r.id).bind(r.client_ref).bind(r.user.0).bind(&r.sid)
        .bind(&r.issuer).bind(now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

type OutboxRaw = (Uuid, Uuid, Uuid, Uuid, Option<String>, String, i64, i64);

/// Claims up to `limit` due logouts until `lease_until` (on PostgreSQL rows another node is
/// claiming right now are skipped; SQLite has one writer).
pub async fn claim(
    c: &mut impl AsConn,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> Result<Vec<OutboxRow>, StoreError> {
    let lock = match c.conn() {
        Conn::Pg(_) => " FOR UPDATE SKIP LOCKED",
        Conn::Sqlite(_) => "",
    };
    let sql = format!(
        "UPDATE oidc_logout_outbox SET lease_until = $2
          WHERE (instance_id, id) IN (
            SELECT o.instance_id, o.id FROM oidc_logout_outbox o
             WHERE o.due_at <= $1 AND (o.lease_until IS NULL OR o.lease_until <= $1)
             ORDER BY o.due_at LIMIT $3{lock})
            AND (lease_until IS NULL OR lease_until <= $1)
          RETURNING instance_id, id, client_ref, user_id, sid, issuer, attempts, lease_until"
    );
    let rows: Vec<OutboxRaw> = on!(c, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(now).bind(lease_until).bind(limit).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|r| OutboxRow {
            instance: InstanceId(r.0),
            id: r.1,
            client_ref: r.2,
            user: UserId(r.3),
            sid: r.4,
            issuer: r.5,
            attempts: r.6,
            lease_until: r.7,
        })
        .collect())
}

/// Removes a delivered (or abandoned) logout; false when the lease was lost meanwhile.
pub async fn finish(c: &mut impl AsConn, r: &OutboxRow) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "DELETE FROM oidc_logout_outbox WHERE instance_id = $1 AND id = $2 AND lease_until = $3")
        .bind(r.instance.0).bind(r.id).bind(r.lease_until)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Gives a failed logout back, to be tried again at `due`.
pub async fn retry(c: &mut impl AsConn, r: &OutboxRow, due: i64) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE oidc_logout_outbox SET attempts = attempts + 1, due_at = $4, lease_until = NULL
          WHERE instance_id = $1 AND id = $2 AND lease_until = $3")
        .bind(r.instance.0).bind(r.id).bind(r.lease_until).bind(due)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// How many logouts wait (for tests and the operator's view).
pub async fn pending(c: &mut impl AsConn) -> Result<i64, StoreError> {
    let (n,): (i64,) = on!(c, c => sqlx::query_as("SELECT COUNT(*) FROM oidc_logout_outbox")
        .fetch_one(&mut *c).await)?;
    Ok(n)
}

/// The school's rule for pupils under 16 (`student` or `school`), if one was set.
pub async fn under16(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<Option<String>, StoreError> {
    let r: Option<(String,)> = on!(c, c => sqlx::query_as(
        "SELECT under16 FROM oidc_school_settings WHERE instance_id = $1")
        .bind(instance.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(v,)| v))
}

pub async fn set_under16(
    c: &mut impl AsConn,
    instance: InstanceId,
    value: &str,
    now: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO oidc_school_settings (instance_id, under16, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (instance_id) DO UPDATE SET under16 = excluded.under16,
             updated_at = excluded.updated_at")
        .bind(instance.0).bind(value).bind(now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// When the platform session behind `token_hash` logged in (`auth_time`, `max_age`).
pub async fn session_auth_time(
    c: &mut impl AsConn,
    instance: InstanceId,
    token_hash: &[u8],
) -> Result<Option<i64>, StoreError> {
    let r: Option<(i64,)> = on!(c, c => sqlx::query_as(
        "SELECT created_at FROM sessions WHERE instance_id = $1 AND token_hash = $2")
        .bind(instance.0).bind(token_hash).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(t,)| t))
}

/// A login's birthday as imported (the under-16 rule), if known.
pub async fn birthday(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<Option<String>, StoreError> {
    let r: Option<(Option<String>,)> = on!(c, c => sqlx::query_as(
        "SELECT birthday FROM users WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(user.0).fetch_optional(&mut *c).await)?;
    Ok(r.and_then(|(b,)| b))
}

/// Forgets tool sessions made before `before` (their platform session has long expired; the
/// table cannot be joined to sessions, by design).
pub async fn purge_sessions(c: &mut impl AsConn, before: i64) -> Result<u64, StoreError> {
    on!(c, c => sqlx::query("DELETE FROM oidc_tool_sessions WHERE created_at < $1")
        .bind(before).execute(&mut *c).await.map(|r| r.rows_affected()))
    .map_err(Into::into)
}
