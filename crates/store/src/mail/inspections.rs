//! Four-eyes access to a mailbox: the staff council members the admin assigned, and the
//! approved accesses (who may read whose mailbox until when, and why).

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, from_us, on, to_us};

/// Adds (`member`) or removes a login from the staff council. Returns whether it changed.
pub async fn set_council(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    member: bool,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = if member {
        on!(c, c => sqlx::query(
            "INSERT INTO mail_staff_council (instance_id, user_id, assigned_by, assigned_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT (instance_id, user_id) DO NOTHING")
            .bind(instance.0).bind(user.0).bind(by.0).bind(to_us(now))
            .execute(&mut *c).await.map(|r| r.rows_affected()))?
    } else {
        on!(c, c => sqlx::query(
            "DELETE FROM mail_staff_council WHERE instance_id = $1 AND user_id = $2")
            .bind(instance.0).bind(user.0)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?
    };
    Ok(n > 0)
}

/// Whether `user` is on the staff council of the school.
pub async fn is_council(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<bool, StoreError> {
    let r: Option<(Uuid,)> = on!(c, c => sqlx::query_as(
        "SELECT user_id FROM mail_staff_council WHERE instance_id = $1 AND user_id = $2")
        .bind(instance.0).bind(user.0).fetch_optional(&mut *c).await)?;
    Ok(r.is_some())
}

/// The staff council of a school: (id, login), by login.
pub async fn council(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<Vec<(UserId, String)>, StoreError> {
    let r: Vec<(Uuid, String)> = on!(c, c => sqlx::query_as(
        "SELECT u.id, u.login FROM mail_staff_council s
           JOIN users u ON u.instance_id = s.instance_id AND u.id = s.user_id
          WHERE s.instance_id = $1 ORDER BY u.login")
        .bind(instance.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(|(id, l)| (UserId(id), l)).collect())
}

/// One approved access.
#[derive(Clone, Debug)]
pub struct InspectionRow {
    pub id: Uuid,
    pub owner: UserId,
    pub reader: UserId,
    pub confirmed_by: UserId,
    pub reason: String,
    pub until: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// The owner's login (filled by the reads that join it).
    pub owner_login: String,
}

type Raw = (Uuid, Uuid, Uuid, Uuid, String, i64, i64, String);

fn row(r: Raw) -> InspectionRow {
    InspectionRow {
        id: r.0,
        owner: UserId(r.1),
        reader: UserId(r.2),
        confirmed_by: UserId(r.3),
        reason: r.4,
        until: from_us(r.5),
        created_at: from_us(r.6),
        owner_login: r.7,
    }
}

macro_rules! select {
    ($where:literal) => {
        concat!(
            "SELECT i.id, i.owner_id, i.reader_id, i.confirmed_by, i.reason, i.until_at,
                    i.created_at, u.login
               FROM mail_inspections i JOIN users u ON u.instance_id = i.instance_id AND u.id = i.owner_id
              WHERE i.instance_id = $1 AND ",
            $where
        )
    };
}

/// Records an approved access.
pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    r: &InspectionRow,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO mail_inspections
             (instance_id, id, owner_id, reader_id, confirmed_by, reason, until_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(instance.0).bind(r.id).bind(r.owner.0).bind(r.reader.0).bind(r.confirmed_by.0)
        .bind(&r.reason).bind(to_us(r.until)).bind(to_us(r.created_at))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// One access by id (expired ones too: the policy decides on `until`).
pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<Option<InspectionRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(select!("i.id = $2"))
        .bind(instance.0).bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// The accesses given to `reader` that have not ended by `now`, newest first.
pub async fn open_for(
    c: &mut impl AsConn,
    instance: InstanceId,
    reader: UserId,
    now: DateTime<Utc>,
) -> Result<Vec<InspectionRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!(
        select!("i.reader_id = $2 AND i.until_at > $3"), " ORDER BY i.created_at DESC"))
        .bind(instance.0).bind(reader.0).bind(to_us(now)).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}
