//! Schools (instances).

use chrono::{DateTime, Utc};
use schulhof_types::InstanceId;
use uuid::Uuid;

use crate::{AsConn, StoreError, from_us, on, to_us};

#[derive(Clone, Debug)]
pub struct InstanceRow {
    pub id: InstanceId,
    pub school_number: String,
    pub name: String,
    pub mail_domain: String,
    /// The demo school: its passwords are public, so only `--demo` may serve it.
    pub demo: bool,
    pub created_at: DateTime<Utc>,
    /// An IANA zone name, `Europe/Berlin` unless the admin chose another.
    pub time_zone: String,
}

type Raw = (Uuid, String, String, String, bool, i64, String);

fn row(r: Raw) -> InstanceRow {
    InstanceRow {
        id: InstanceId(r.0),
        school_number: r.1,
        name: r.2,
        mail_domain: r.3,
        demo: r.4,
        created_at: from_us(r.5),
        time_zone: r.6,
    }
}

pub async fn insert(c: &mut impl AsConn, i: &InstanceRow) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO instances (id, school_number, name, mail_domain, demo, created_at, time_zone)
         VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(i.id.0).bind(&i.school_number).bind(&i.name).bind(&i.mail_domain).bind(i.demo).bind(to_us(i.created_at))
        .bind(&i.time_zone)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn find_by_number(
    c: &mut impl AsConn,
    number: &str,
) -> Result<Option<InstanceRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(
        "SELECT id, school_number, name, mail_domain, demo, created_at, time_zone FROM instances WHERE school_number = $1")
        .bind(number).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

pub async fn get(c: &mut impl AsConn, id: InstanceId) -> Result<Option<InstanceRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(
        "SELECT id, school_number, name, mail_domain, demo, created_at, time_zone FROM instances WHERE id = $1")
        .bind(id.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

pub async fn list(c: &mut impl AsConn) -> Result<Vec<InstanceRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(
        "SELECT id, school_number, name, mail_domain, demo, created_at, time_zone FROM instances ORDER BY school_number")
        .fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// The schools whose logins may log in (neither deactivated nor deleted by the operators),
/// by number: the login page's list.
pub async fn list_open(c: &mut impl AsConn) -> Result<Vec<InstanceRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(
        "SELECT id, school_number, name, mail_domain, demo, created_at, time_zone FROM instances
         WHERE deactivated_at IS NULL AND deleted_at IS NULL ORDER BY school_number")
        .fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// Sets the school's time zone (the caller validated the name).
pub async fn set_time_zone(
    c: &mut impl AsConn,
    id: InstanceId,
    zone: &str,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("UPDATE instances SET time_zone = $2 WHERE id = $1")
        .bind(id.0).bind(zone).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Sets whether the school addresses its students with "du".
pub async fn set_du_students(
    c: &mut impl AsConn,
    id: InstanceId,
    du: bool,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("UPDATE instances SET du_students = $2 WHERE id = $1")
        .bind(id.0).bind(du).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
