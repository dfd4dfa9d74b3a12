//! Requests that wait for a second person, and holds on private areas after a password
//! was set by someone else. Both are shared by every node (nothing lives in memory).

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, from_us, on, to_us};

/// One four-eyes request.
#[derive(Clone, Debug)]
pub struct RequestRow {
    pub id: Uuid,
    /// `safe_password`, `login_reset`, `schulleitung_create`, `schulleitung_holder`.
    pub kind: String,
    pub target: UserId,
    pub requester: UserId,
    /// The real person behind the requester (the holder of a function account).
    pub requester_person: UserId,
    pub detail: Option<String>,
    pub created_at: DateTime<Utc>,
    /// `pending`, `confirmed`, `rejected`.
    pub state: String,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<DateTime<Utc>>,
}

type Raw = (
    Uuid,
    String,
    Uuid,
    Uuid,
    Uuid,
    Option<String>,
    i64,
    String,
    Option<Uuid>,
    Option<i64>,
);

macro_rules! cols {
    () => {
        "id, kind, target_id, requester_id, requester_person, detail, created_at, state, decided_by, decided_at"
    };
}

fn row(r: Raw) -> RequestRow {
    RequestRow {
        id: r.0,
        kind: r.1,
        target: UserId(r.2),
        requester: UserId(r.3),
        requester_person: UserId(r.4),
        detail: r.5,
        created_at: from_us(r.6),
        state: r.7,
        decided_by: r.8.map(UserId),
        decided_at: r.9.map(from_us),
    }
}

pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    r: &RequestRow,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO four_eyes_requests (instance_id, id, kind, target_id, requester_id, requester_person, detail, created_at, state)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending')")
        .bind(instance.0).bind(r.id).bind(&r.kind).bind(r.target.0).bind(r.requester.0)
        .bind(r.requester_person.0).bind(&r.detail).bind(to_us(r.created_at))
        .execute(&mut *c).await.map(|x| x.rows_affected()))?;
    Ok(())
}

pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<Option<RequestRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(concat!("SELECT ", cols!(),
        " FROM four_eyes_requests WHERE instance_id = $1 AND id = $2"))
        .bind(instance.0).bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// The pending request of `kind` for `target`, if any (one at a time per kind and target).
pub async fn pending_for(
    c: &mut impl AsConn,
    instance: InstanceId,
    kind: &str,
    target: UserId,
) -> Result<Option<RequestRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(concat!("SELECT ", cols!(),
        " FROM four_eyes_requests
          WHERE instance_id = $1 AND kind = $2 AND target_id = $3 AND state = 'pending'"))
        .bind(instance.0).bind(kind).bind(target.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// The newest requests of the school (pending first); the domain filters by the policy.
pub async fn recent(
    c: &mut impl AsConn,
    instance: InstanceId,
    limit: i64,
) -> Result<Vec<RequestRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!("SELECT ", cols!(),
        " FROM four_eyes_requests WHERE instance_id = $1
          ORDER BY CASE WHEN state = 'pending' THEN 0 ELSE 1 END, created_at DESC LIMIT $2"))
        .bind(instance.0).bind(limit).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// Every login the school's requests name (target, requester, decider), in one statement:
/// the list of requests shows names without a query per row.
pub async fn people(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<Vec<crate::users::UserRow>, StoreError> {
    let r: Vec<crate::users::Raw> = on!(c, c => sqlx::query_as(concat!("SELECT ", crate::user_cols!(),
        " FROM users u WHERE u.instance_id = $1 AND u.id IN (
            SELECT target_id FROM four_eyes_requests WHERE instance_id = $1
            UNION SELECT requester_id FROM four_eyes_requests WHERE instance_id = $1
            UNION SELECT decided_by FROM four_eyes_requests
              WHERE instance_id = $1 AND decided_by IS NOT NULL)"))
        .bind(instance.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(crate::users::row).collect())
}

/// The (not archived) groups of every target of the school's requests: (login, group).
pub async fn target_groups(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<Vec<(UserId, schulhof_types::GroupId)>, StoreError> {
    let r: Vec<(Uuid, Uuid)> = on!(c, c => sqlx::query_as(
        "SELECT m.user_id, g.id FROM memberships m
         JOIN user_groups g ON g.instance_id = m.instance_id AND g.id = m.group_id
         WHERE m.instance_id = $1 AND g.archived_at IS NULL AND m.user_id IN (
            SELECT target_id FROM four_eyes_requests WHERE instance_id = $1)")
        .bind(instance.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(u, g)| (UserId(u), schulhof_types::GroupId(g)))
        .collect())
}

/// Decides a pending request; false when it was no longer pending (decided by another).
pub async fn decide(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
    state: &str,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE four_eyes_requests SET state = $3, decided_by = $4, decided_at = $5
          WHERE instance_id = $1 AND id = $2 AND state = 'pending'")
        .bind(instance.0).bind(id).bind(state).bind(by.0).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Who set the password that put a login's private areas on hold.
#[derive(Clone, Copy, Debug)]
pub struct Hold {
    pub reset_by: UserId,
    pub reset_by_person: UserId,
    pub created_at: DateTime<Utc>,
}

pub async fn hold(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<Option<Hold>, StoreError> {
    let r: Option<(Uuid, Uuid, i64)> = on!(c, c => sqlx::query_as(
        "SELECT reset_by, reset_by_person, created_at FROM private_holds
          WHERE instance_id = $1 AND user_id = $2")
        .bind(instance.0).bind(user.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(b, p, t)| Hold {
        reset_by: UserId(b),
        reset_by_person: UserId(p),
        created_at: from_us(t),
    }))
}

/// Puts (or keeps) a hold; a later reset by someone else names the later resetter.
pub async fn put_hold(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    h: Hold,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO private_holds (instance_id, user_id, reset_by, reset_by_person, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (instance_id, user_id) DO UPDATE
         SET reset_by = excluded.reset_by, reset_by_person = excluded.reset_by_person,
             created_at = excluded.created_at")
        .bind(instance.0).bind(user.0).bind(h.reset_by.0).bind(h.reset_by_person.0)
        .bind(to_us(h.created_at)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn release_hold(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("DELETE FROM private_holds WHERE instance_id = $1 AND user_id = $2")
        .bind(instance.0).bind(user.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// How many function accounts of `role` the school has (`active_only`: only active ones).
pub async fn function_accounts(
    c: &mut impl AsConn,
    instance: InstanceId,
    role: &str,
    active_only: bool,
) -> Result<i64, StoreError> {
    let (n,): (i64,) = on!(c, c => sqlx::query_as(
        "SELECT COUNT(*) FROM users WHERE instance_id = $1 AND kind = 'function'
            AND function_role = $2 AND (active OR NOT $3)")
        .bind(instance.0).bind(role).bind(active_only).fetch_one(&mut *c).await)?;
    Ok(n)
}
