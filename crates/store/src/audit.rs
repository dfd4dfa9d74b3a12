//! The audit log (log data with a 7-day retention) and documented holds.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, from_us, on, to_us};

#[derive(Clone, Debug)]
pub struct AuditEntry {
    pub instance_id: InstanceId,
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// `login`, `logout`, `login_failed`, `login_throttled`, `consent` or `admin`.
    pub kind: String,
    /// The login that acted (a function account for administrative actions).
    pub actor_id: Option<UserId>,
    /// The person holding the function account, when one acted.
    pub holder_id: Option<UserId>,
    pub action: String,
    pub object: Option<String>,
    pub client_addr: Option<String>,
    pub detail: Option<String>,
}

pub async fn insert(c: &mut impl AsConn, e: &AuditEntry) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO audit_log (instance_id, id, at, kind, actor_id, holder_id, action, object, client_addr, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(e.instance_id.0).bind(e.id).bind(to_us(e.at)).bind(&e.kind).bind(e.actor_id.map(|u| u.0))
        .bind(e.holder_id.map(|u| u.0)).bind(&e.action).bind(&e.object).bind(&e.client_addr).bind(&e.detail)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

type Raw = (
    Uuid,
    Uuid,
    i64,
    String,
    Option<Uuid>,
    Option<Uuid>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn row(r: Raw) -> AuditEntry {
    AuditEntry {
        instance_id: InstanceId(r.0),
        id: r.1,
        at: from_us(r.2),
        kind: r.3,
        actor_id: r.4.map(UserId),
        holder_id: r.5.map(UserId),
        action: r.6,
        object: r.7,
        client_addr: r.8,
        detail: r.9,
    }
}

/// Administrative actions and the security-relevant file actions (shares, links, rights,
/// deletions in shared areas), newest first. Login records are never listed.
pub async fn list_admin(
    c: &mut impl AsConn,
    instance: InstanceId,
    limit: i64,
    offset: i64,
) -> Result<Vec<AuditEntry>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(
        "SELECT instance_id, id, at, kind, actor_id, holder_id, action, object, client_addr, detail
         FROM audit_log WHERE instance_id = $1 AND kind IN ('admin', 'files') ORDER BY at DESC, id DESC LIMIT $2 OFFSET $3")
        .bind(instance.0).bind(limit).bind(offset).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// Every entry of a school of one kind (for the system and tests; never shown to users).
pub async fn system_list_kind(
    c: &mut impl AsConn,
    instance: InstanceId,
    kind: &str,
) -> Result<Vec<AuditEntry>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(
        "SELECT instance_id, id, at, kind, actor_id, holder_id, action, object, client_addr, detail
         FROM audit_log WHERE instance_id = $1 AND kind = $2 ORDER BY at, id")
        .bind(instance.0).bind(kind).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

#[derive(Clone, Debug)]
pub struct Hold {
    pub instance_id: InstanceId,
    pub id: Uuid,
    /// Only entries of this login; `None` holds every entry in the period.
    pub subject_id: Option<UserId>,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub reason: String,
    pub created_by: UserId,
}

pub async fn insert_hold(
    c: &mut impl AsConn,
    h: &Hold,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO audit_holds (instance_id, id, subject_id, from_at, until_at, reason, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(h.instance_id.0).bind(h.id).bind(h.subject_id.map(|u| u.0)).bind(to_us(h.from))
        .bind(to_us(h.until)).bind(&h.reason).bind(h.created_by.0).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

type HoldRaw = (Uuid, Uuid, Option<Uuid>, i64, i64, String, Uuid);

pub async fn list_holds(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<Vec<Hold>, StoreError> {
    let r: Vec<HoldRaw> = on!(c, c => sqlx::query_as(
        "SELECT instance_id, id, subject_id, from_at, until_at, reason, created_by FROM audit_holds
         WHERE instance_id = $1 ORDER BY created_at DESC")
        .bind(instance.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(i, id, s, f, u, reason, by)| Hold {
            instance_id: InstanceId(i),
            id,
            subject_id: s.map(UserId),
            from: from_us(f),
            until: from_us(u),
            reason,
            created_by: UserId(by),
        })
        .collect())
}

/// System job: deletes log entries older than `cutoff` in every school, except those a hold
/// covers. Returns how many were deleted.
pub async fn system_purge(c: &mut impl AsConn, cutoff: DateTime<Utc>) -> Result<u64, StoreError> {
    let done = on!(c, c => sqlx::query(
        "DELETE FROM audit_log WHERE at < $1 AND NOT EXISTS (
            SELECT 1 FROM audit_holds h WHERE h.instance_id = audit_log.instance_id
              AND audit_log.at BETWEEN h.from_at AND h.until_at
              AND (h.subject_id IS NULL OR h.subject_id = audit_log.actor_id))")
        .bind(to_us(cutoff)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(done)
}

/// What the admin narrows the log to. Empty strings and `None` do not filter.
#[derive(Clone, Debug, Default)]
pub struct LogFilter {
    /// Part of a name, login or mail of who acted (function account or holder) or of the
    /// login the action concerned; lower case.
    pub person: String,
    /// One action code.
    pub action: String,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// Who a log line names, resolved in the same query: the login that acted, the person
/// holding it (for a function account), and the login the action concerned (when its
/// object is a login).
#[derive(Clone, Debug)]
pub struct NamedEntry {
    pub at: DateTime<Utc>,
    pub action: String,
    pub object: Option<String>,
    pub detail: Option<String>,
    pub actor: Option<NamedActor>,
    /// First and last name of the person holding the function account.
    pub holder: Option<(String, String)>,
    /// First and last name of the login named in `object`.
    pub target: Option<(String, String)>,
}

/// The login that acted.
#[derive(Clone, Debug)]
pub struct NamedActor {
    pub login: String,
    /// An account type or `function`.
    pub kind: String,
    pub function_role: Option<String>,
    pub first_name: String,
    pub last_name: String,
}

type Opt = Option<String>;
type NamedRaw = (
    i64,
    String,
    Opt,
    Opt,
    Opt,
    Opt,
    Opt,
    Opt,
    Opt,
    Opt,
    Opt,
    Opt,
    Opt,
);

fn named_row(r: NamedRaw) -> NamedEntry {
    let pair = |a: Opt, b: Opt| a.map(|a| (a, b.unwrap_or_default()));
    NamedEntry {
        at: from_us(r.0),
        action: r.1,
        object: r.2,
        detail: r.3,
        actor: r.4.map(|login| NamedActor {
            login,
            kind: r.5.unwrap_or_default(),
            function_role: r.6,
            first_name: r.7.unwrap_or_default(),
            last_name: r.8.unwrap_or_default(),
        }),
        holder: pair(r.9, r.10),
        target: pair(r.11, r.12),
    }
}

/// The administrative and file actions matching `f`, newest first, with every name joined
/// in: one statement per page, however many lines it has.
pub async fn list_admin_named(
    c: &mut impl AsConn,
    instance: InstanceId,
    f: &LogFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<NamedEntry>, StoreError> {
    let person = if f.person.trim().is_empty() {
        String::new()
    } else {
        format!(
            "%{}%",
            crate::users::escape_like(&f.person.trim().to_lowercase())
        )
    };
    let from = f.from.map_or(i64::MIN, to_us);
    let until = f.until.map_or(i64::MAX, to_us);
    let r: Vec<NamedRaw> = on!(c, c => sqlx::query_as(
        "SELECT a.at, a.action, a.object, a.detail,
                act.login, act.kind, act.function_role, act.first_name, act.last_name,
                h.first_name, h.last_name, t.first_name, t.last_name
         FROM audit_log a
         LEFT JOIN users act ON act.instance_id = a.instance_id AND act.id = a.actor_id
         LEFT JOIN users h ON h.instance_id = a.instance_id AND h.id = a.holder_id
         LEFT JOIN users t ON t.instance_id = a.instance_id AND t.login = a.object
         WHERE a.instance_id = $1 AND a.kind IN ('admin', 'files')
           AND ($2 = '' OR a.action = $2)
           AND ($3 = '' OR act.search_text LIKE $3 ESCAPE '\\' OR h.search_text LIKE $3 ESCAPE '\\'
                OR t.search_text LIKE $3 ESCAPE '\\')
           AND a.at >= $4 AND a.at <= $5
         ORDER BY a.at DESC, a.id DESC LIMIT $6 OFFSET $7")
        .bind(instance.0).bind(&f.action).bind(&person).bind(from).bind(until)
        .bind(limit).bind(offset).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(named_row).collect())
}

/// The action codes the school's log holds, for the filter's choices.
pub async fn admin_actions(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<Vec<String>, StoreError> {
    let r: Vec<(String,)> = on!(c, c => sqlx::query_as(
        "SELECT DISTINCT action FROM audit_log WHERE instance_id = $1 AND kind IN ('admin', 'files')
         ORDER BY action")
        .bind(instance.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(|(a,)| a).collect())
}
