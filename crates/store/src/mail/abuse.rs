//! Abuse-control cases (Nutzungsbedingungen 7) and the anonymised analysis of stage 1:
//! messages and volume per external domain and day, with no local part, subject or person.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use crate::mail::abuse_scope::Scope;
use crate::{AsConn, Conn, StoreError, from_us, on, to_us};

/// One case.
#[derive(Clone, Debug)]
pub struct CaseRow {
    pub instance: InstanceId,
    pub id: Uuid,
    /// 1 or 2.
    pub stage: i64,
    /// `requested`, `approved`, `refused`, `closed`.
    pub state: String,
    pub requester: UserId,
    pub reason: String,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub officer: Option<Uuid>,
    /// The officer's written reason for the decision, shown to the school.
    pub decision_reason: Option<String>,
    /// When the general notice to the affected circle was given (stage 1, once).
    pub notice_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The school's number (filled by the reads).
    pub school: String,
    /// A further stage-1 analysis: the case whose general notice it follows; stage 2: the
    /// further analysis it rests on.
    pub follows: Option<Uuid>,
}

type Raw = (
    Uuid,
    Uuid,
    i64,
    String,
    Uuid,
    String,
    i64,
    i64,
    Option<Uuid>,
    Option<String>,
    Option<i64>,
    i64,
    String,
    Option<Uuid>,
);

fn row(r: Raw) -> CaseRow {
    CaseRow {
        instance: InstanceId(r.0),
        id: r.1,
        stage: r.2,
        state: r.3,
        requester: UserId(r.4),
        reason: r.5,
        from: from_us(r.6),
        until: from_us(r.7),
        officer: r.8,
        decision_reason: r.9,
        notice_at: r.10.map(from_us),
        created_at: from_us(r.11),
        school: r.12,
        follows: r.13,
    }
}

macro_rules! columns {
    () => {
        "a.instance_id, a.id, a.stage, a.state, a.requester_id, a.reason, a.from_at,
         a.until_at, a.officer_id, a.decision_reason, a.notice_at, a.created_at, i.school_number,
         a.follows_id"
    };
}

macro_rules! select {
    ($where:literal) => {
        concat!(
            "SELECT ",
            columns!(),
            " FROM mail_abuse_cases a JOIN instances i ON i.id = a.instance_id WHERE ",
            $where
        )
    };
}

/// The same with what stage 2 adds (scope, council member), so that a list of cases costs
/// one statement however many of them are stage 2. The decision time is left out (a row
/// holds at most 16 columns); [`crate::mail::abuse_scope::scope`] reads it where needed.
macro_rules! select_scoped {
    ($where:literal) => {
        concat!(
            "SELECT ",
            columns!(),
            ", a.scope, a.council_id
               FROM mail_abuse_cases a JOIN instances i ON i.id = a.instance_id WHERE ",
            $where
        )
    };
}

type ScopedRaw = (
    Uuid,
    Uuid,
    i64,
    String,
    Uuid,
    String,
    i64,
    i64,
    Option<Uuid>,
    Option<String>,
    Option<i64>,
    i64,
    String,
    Option<Uuid>,
    String,
    Option<Uuid>,
);

fn scoped(r: ScopedRaw) -> (CaseRow, Scope) {
    let scope = Scope::from_columns(&r.14, r.15, None);
    let case = row((
        r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10, r.11, r.12, r.13,
    ));
    (case, scope)
}

/// Opens a case (stage 1: scope empty).
pub async fn insert(c: &mut impl AsConn, r: &CaseRow) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO mail_abuse_cases (instance_id, id, stage, state, requester_id, reason, scope,
             from_at, until_at, created_at, follows_id)
         VALUES ($1, $2, $3, $4, $5, $6, '', $7, $8, $9, $10)")
        .bind(r.instance.0).bind(r.id).bind(r.stage).bind(&r.state).bind(r.requester.0)
        .bind(&r.reason).bind(to_us(r.from)).bind(to_us(r.until)).bind(to_us(r.created_at))
        .bind(r.follows)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// One case of a school.
pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<Option<CaseRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(select!("a.instance_id = $1 AND a.id = $2"))
        .bind(instance.0).bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// The cases of one school, newest first, each with its stage-2 scope (empty for stage 1
/// and for closed cases): one statement.
pub async fn of_instance(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<Vec<(CaseRow, Scope)>, StoreError> {
    let r: Vec<ScopedRaw> = on!(c, c => sqlx::query_as(concat!(select_scoped!("a.instance_id = $1"),
        " ORDER BY a.created_at DESC LIMIT 200"))
        .bind(instance.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(scoped).collect())
}

/// System (the officer's console): the cases of every school waiting for a decision, each
/// with its stage-2 scope: one statement.
pub async fn system_requested(c: &mut impl AsConn) -> Result<Vec<(CaseRow, Scope)>, StoreError> {
    // A stage-2 case reaches the officer only once a staff council member took part.
    let r: Vec<ScopedRaw> = on!(c, c => sqlx::query_as(concat!(
        select_scoped!("a.state = 'requested' AND (a.stage = 1 OR a.council_id IS NOT NULL)"),
        " ORDER BY a.created_at"))
        .fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(scoped).collect())
}

/// System: a requested case is decided by `officer` (`approved` or `refused`), with the
/// officer's reason where one is given. Returns false if it was not waiting (decided
/// meanwhile).
pub async fn system_decide(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
    state: &str,
    officer: Uuid,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE mail_abuse_cases SET state = $3, officer_id = $4, decided_at = $5,
                decision_reason = $6
          WHERE instance_id = $1 AND id = $2 AND state = 'requested'
            AND (stage = 1 OR council_id IS NOT NULL)")
        .bind(instance.0).bind(id).bind(state).bind(officer).bind(to_us(now)).bind(reason)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Closes an approved case. Returns whether it was open.
pub async fn close(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE mail_abuse_cases SET state = 'closed', closed_at = $3
          WHERE instance_id = $1 AND id = $2 AND stage = 1 AND state = 'approved'")
        .bind(instance.0).bind(id).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Messages and bytes of one external domain on one day, in one direction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DomainDay {
    /// Days since 1970-01-01 (UTC).
    pub day: i64,
    pub domain: String,
    /// `in` (from that domain) or `out` (to it).
    pub direction: String,
    pub messages: i64,
    pub bytes: i64,
}

/// The other side of a message with outside: the sender of incoming, the recipient of
/// outgoing mail. Only its domain leaves the database.
macro_rules! report_sql {
    ($domain:literal) => {
        concat!(
            "SELECT at / 86400000000 AS day, lower(", $domain, ") AS domain, direction,
                    COUNT(*), CAST(SUM(size) AS BIGINT)
               FROM (SELECT at, direction, size,
                            CASE WHEN direction = 'in' THEN sender ELSE recipient END AS other
                       FROM mail_traffic
                      WHERE instance_id = $1 AND at >= $2 AND at < $3 AND direction IN ('in', 'out')) t
              GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        )
    };
}

type ReportRaw = (i64, String, String, i64, i64);

/// The anonymised analysis of `[from, until)`: one statement, aggregated in the database.
pub async fn domain_report(
    c: &mut impl AsConn,
    instance: InstanceId,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<DomainDay>, StoreError> {
    let (from, until) = (to_us(from), to_us(until));
    let rows: Vec<ReportRaw> = match c.conn() {
        Conn::Sqlite(c) => {
            sqlx::query_as(report_sql!("substr(other, instr(other, '@') + 1)"))
                .bind(instance.0)
                .bind(from)
                .bind(until)
                .fetch_all(&mut *c)
                .await?
        }
        Conn::Pg(c) => {
            sqlx::query_as(report_sql!("split_part(other, '@', 2)"))
                .bind(instance.0)
                .bind(from)
                .bind(until)
                .fetch_all(&mut *c)
                .await?
        }
    };
    Ok(rows
        .into_iter()
        .map(|r| DomainDay {
            day: r.0,
            domain: r.1,
            direction: r.2,
            messages: r.3,
            bytes: r.4,
        })
        .collect())
}

/// Active persons of a school of the account types `kinds` (a comma-separated list) other
/// than `except`: the circle a general notice reaches. `$1` instance, `$2` kinds, `$3`
/// except.
macro_rules! circle {
    () => {
        "FROM users u WHERE u.instance_id = $1 AND u.active AND u.kind <> 'function'
            AND u.id <> $3 AND (',' || $2 || ',') LIKE ('%,' || u.kind || ',%')"
    };
}

/// How many persons a general notice to `kinds` would reach.
pub async fn circle_size(
    c: &mut impl AsConn,
    instance: InstanceId,
    kinds: &str,
    except: UserId,
) -> Result<i64, StoreError> {
    let (n,): (i64,) = on!(c, c => sqlx::query_as(concat!("SELECT COUNT(*) ", circle!()))
        .bind(instance.0).bind(kinds).bind(except.0).fetch_one(&mut *c).await)?;
    Ok(n)
}

/// Marks the general notice of an approved stage-1 case as given to the circle `kinds`
/// (account types, comma-separated). Returns false when it was given before (or the case
/// is not approved stage 1): of two requests only one wins.
pub async fn claim_notice(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
    kinds: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE mail_abuse_cases SET notice_at = $3, notice_circle = $4
          WHERE instance_id = $1 AND id = $2 AND stage = 1 AND state = 'approved'
            AND notice_at IS NULL")
        .bind(instance.0).bind(id).bind(to_us(now)).bind(kinds)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// The circle (account types, comma-separated) the general notice of a case reached; None
/// before the notice (or for a notice given before the circle was kept).
pub async fn notice_circle(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<Option<String>, StoreError> {
    let r: Option<(Option<String>,)> = on!(c, c => sqlx::query_as(
        "SELECT notice_circle FROM mail_abuse_cases WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.and_then(|r| r.0))
}

macro_rules! notice_fan_out {
    ($id:literal) => {
        concat!(
            "INSERT INTO notifications (instance_id, id, user_id, kind, params, created_at)
             SELECT u.instance_id, ",
            $id,
            ", u.id, $4, $5, $6 ",
            circle!()
        )
    };
}

/// Writes the notification `kind` with `params` for every person of the circle, in one
/// statement. Returns how many were written.
pub async fn notify_circle(
    c: &mut impl AsConn,
    instance: InstanceId,
    kinds: &str,
    except: UserId,
    kind: &str,
    params: &str,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let n = match c.conn() {
        Conn::Sqlite(c) => sqlx::query(notice_fan_out!("randomblob(16)"))
            .bind(instance.0)
            .bind(kinds)
            .bind(except.0)
            .bind(kind)
            .bind(params)
            .bind(to_us(now))
            .execute(&mut *c)
            .await?
            .rows_affected(),
        Conn::Pg(c) => sqlx::query(notice_fan_out!("gen_random_uuid()"))
            .bind(instance.0)
            .bind(kinds)
            .bind(except.0)
            .bind(kind)
            .bind(params)
            .bind(to_us(now))
            .execute(&mut *c)
            .await?
            .rows_affected(),
    };
    Ok(n)
}
