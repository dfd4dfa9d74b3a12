//! Abuse control, stage 2: the named scope of a case (the logins' ids), the staff council
//! member taking part, the person-specific traffic data of the scope and period, and the
//! holds that keep those data from the 7-day deletion while the case is open.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use crate::mail::abuse::CaseRow;
use crate::mail::traffic::TrafficRow;
use crate::{AsConn, StoreError, from_us, on, push_in_list, to_us};

/// What stage 2 adds to a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    pub logins: Vec<UserId>,
    pub council: Option<UserId>,
    pub decided_at: Option<DateTime<Utc>>,
}

fn encode(ids: &[UserId]) -> String {
    ids.iter()
        .map(|u| u.0.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

impl Scope {
    /// From the stored columns: the scope's ids (comma-separated), the council member and
    /// the decision time.
    pub(crate) fn from_columns(scope: &str, council: Option<Uuid>, decided: Option<i64>) -> Scope {
        Scope {
            logins: scope
                .split(',')
                .filter_map(|p| Uuid::parse_str(p.trim()).ok().map(UserId))
                .collect(),
            council: council.map(UserId),
            decided_at: decided.map(from_us),
        }
    }
}

/// Opens a stage-2 case with its scope.
pub async fn insert(c: &mut impl AsConn, r: &CaseRow, scope: &[UserId]) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO mail_abuse_cases (instance_id, id, stage, state, requester_id, reason, scope,
             from_at, until_at, created_at, follows_id)
         VALUES ($1, $2, 2, 'requested', $3, $4, $5, $6, $7, $8, $9)")
        .bind(r.instance.0).bind(r.id).bind(r.requester.0).bind(&r.reason).bind(encode(scope))
        .bind(to_us(r.from)).bind(to_us(r.until)).bind(to_us(r.created_at)).bind(r.follows)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The scope, council member and decision time of a case.
pub async fn scope(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<Option<Scope>, StoreError> {
    let r: Option<(String, Option<Uuid>, Option<i64>)> = on!(c, c => sqlx::query_as(
        "SELECT scope, council_id, decided_at FROM mail_abuse_cases WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(s, council, decided)| Scope::from_columns(&s, council, decided)))
}

/// A staff council member other than the requester takes part in a waiting stage-2 case.
/// Returns false when the case was not waiting for one.
pub async fn join_council(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
    council: UserId,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE mail_abuse_cases SET council_id = $3
          WHERE instance_id = $1 AND id = $2 AND stage = 2 AND state = 'requested'
            AND council_id IS NULL AND requester_id <> $3")
        .bind(instance.0).bind(id).bind(council.0)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Closes an approved stage-2 case and forgets its scope (what the case produced goes; the
/// audit log keeps each step). Returns whether it was open.
pub async fn close(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE mail_abuse_cases SET state = 'closed', closed_at = $3, scope = '', hold_id = NULL
          WHERE instance_id = $1 AND id = $2 AND stage = 2 AND state = 'approved'")
        .bind(instance.0).bind(id).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Marks the holds of an approved case (their reason names it).
pub async fn set_hold(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("UPDATE mail_abuse_cases SET hold_id = id WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Deletes the holds whose reason is `reason` (those a case placed).
pub async fn drop_holds(
    c: &mut impl AsConn,
    instance: InstanceId,
    reason: &str,
) -> Result<u64, StoreError> {
    let n = on!(c, c => sqlx::query("DELETE FROM audit_holds WHERE instance_id = $1 AND reason = $2")
        .bind(instance.0).bind(reason).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n)
}

/// System job: approved stage-2 cases decided before `before` (they end on their own).
pub async fn system_expired(
    c: &mut impl AsConn,
    before: DateTime<Utc>,
) -> Result<Vec<(InstanceId, Uuid)>, StoreError> {
    let r: Vec<(Uuid, Uuid)> = on!(c, c => sqlx::query_as(
        "SELECT instance_id, id FROM mail_abuse_cases
          WHERE stage = 2 AND state = 'approved' AND decided_at < $1")
        .bind(to_us(before)).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(|(i, id)| (InstanceId(i), id)).collect())
}

/// The traffic data of one login in `[from, until)`: messages it sent or received under
/// its standard address or an alias, oldest first.
pub async fn person_traffic(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<TrafficRow>, StoreError> {
    let rows: Vec<(i64, String, String, String, String, i64, String)> = on!(c, c => sqlx::query_as(
        "WITH addr(a) AS (
            SELECT lower(mail) FROM users WHERE instance_id = $1 AND id = $2
            UNION SELECT address FROM mail_aliases WHERE instance_id = $1 AND user_id = $2)
         SELECT at, direction, sender, recipient, message_id, size, subject FROM mail_traffic
          WHERE instance_id = $1 AND at >= $3 AND at < $4
            AND (lower(sender) IN (SELECT a FROM addr) OR lower(recipient) IN (SELECT a FROM addr))
          ORDER BY at, id")
        .bind(instance.0).bind(user.0).bind(to_us(from)).bind(to_us(until))
        .fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|r| TrafficRow {
            at: from_us(r.0),
            direction: r.1,
            sender: r.2,
            recipient: r.3,
            message_id: r.4,
            size: r.5,
            subject: r.6,
        })
        .collect())
}

/// Active persons' logins of a school (function accounts not counted): "never all of them"
/// is measured against this.
pub async fn persons(c: &mut impl AsConn, instance: InstanceId) -> Result<i64, StoreError> {
    let (n,): (i64,) = on!(c, c => sqlx::query_as(
        "SELECT COUNT(*) FROM users WHERE instance_id = $1 AND kind <> 'function' AND active")
        .bind(instance.0).fetch_one(&mut *c).await)?;
    Ok(n)
}

/// A login of the school as the stage-2 lists name it, with the person holding it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub id: UserId,
    pub login: String,
    pub holder: Option<UserId>,
}

/// The logins of `ids` of a school (any order; unknown ids left out): one statement for a
/// whole list of cases.
pub async fn people(
    c: &mut impl AsConn,
    instance: InstanceId,
    ids: &[UserId],
) -> Result<Vec<Person>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(Uuid, String, Option<Uuid>)> = on!(c, c => {
        let mut q = sqlx::QueryBuilder::new("SELECT id, login, holder_id FROM users WHERE instance_id = ");
        q.push_bind(instance.0).push(" AND id");
        push_in_list(&mut q, ids.iter().map(|u| u.0));
        q.build_query_as().fetch_all(&mut *c).await
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, login, holder)| Person {
            id: UserId(id),
            login,
            holder: holder.map(UserId),
        })
        .collect())
}
