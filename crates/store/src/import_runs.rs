//! Import runs: the upload, its parsed content, its status and the encrypted protocol.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, from_us, on, to_us};

#[derive(Clone, Debug)]
pub struct RunRow {
    pub instance_id: InstanceId,
    pub id: Uuid,
    pub source: String,
    pub file_name: String,
    /// The reader and plan options, as JSON.
    pub options: String,
    /// `uploaded`, `previewed`, `running`, `applied`, `failed`.
    pub status: String,
    /// The counts, as JSON.
    pub summary: Option<String>,
    pub error: Option<String>,
    pub has_protocol: bool,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub applied_at: Option<DateTime<Utc>>,
}

type Raw = (
    Uuid,
    Uuid,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    bool,
    Option<Uuid>,
    i64,
    Option<i64>,
);

fn row(r: Raw) -> RunRow {
    RunRow {
        instance_id: InstanceId(r.0),
        id: r.1,
        source: r.2,
        file_name: r.3,
        options: r.4,
        status: r.5,
        summary: r.6,
        error: r.7,
        has_protocol: r.8,
        created_by: r.9.map(UserId),
        created_at: from_us(r.10),
        applied_at: r.11.map(from_us),
    }
}

macro_rules! run_cols {
    () => {
        "instance_id, id, source, file_name, options, status, summary, error,
         protocol IS NOT NULL, created_by, created_at, applied_at"
    };
}

pub async fn insert(c: &mut impl AsConn, r: &RunRow, upload: &[u8]) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO import_runs (instance_id, id, source, file_name, options, upload, status,
            created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(r.instance_id.0).bind(r.id).bind(&r.source).bind(&r.file_name).bind(&r.options)
        .bind(upload).bind(&r.status).bind(r.created_by.map(|u| u.0)).bind(to_us(r.created_at))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<Option<RunRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(concat!("SELECT ", run_cols!(),
        " FROM import_runs WHERE instance_id = $1 AND id = $2"))
        .bind(instance.0).bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// The latest runs of the school, newest first.
pub async fn list(
    c: &mut impl AsConn,
    instance: InstanceId,
    limit: i64,
) -> Result<Vec<RunRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!("SELECT ", run_cols!(),
        " FROM import_runs WHERE instance_id = $1 ORDER BY created_at DESC LIMIT $2"))
        .bind(instance.0).bind(limit).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

pub async fn upload(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<Option<Vec<u8>>, StoreError> {
    let r: Option<(Option<Vec<u8>>,)> = on!(c, c => sqlx::query_as(
        "SELECT upload FROM import_runs WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.and_then(|(u,)| u))
}

pub async fn data(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<Option<String>, StoreError> {
    let r: Option<(Option<String>,)> = on!(c, c => sqlx::query_as(
        "SELECT data FROM import_runs WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.and_then(|(d,)| d))
}

/// Stores what was read from the upload, with the options used, and the preview counts.
pub async fn set_read(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
    options: &str,
    data: &str,
    summary: &str,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE import_runs SET options = $3, data = $4, summary = $5, status = 'previewed',
            error = NULL WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).bind(options).bind(data).bind(summary)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_status(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
    status: &str,
    error: Option<&str>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE import_runs SET status = $3, error = $4 WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).bind(status).bind(error)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records a finished apply: the counts and the encrypted protocol. False when the run was
/// no longer claimed for this apply (the caller must then roll back).
pub async fn set_applied(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
    summary: &str,
    protocol: Option<&[u8]>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE import_runs SET status = 'applied', summary = $3, protocol = $4, applied_at = $5,
            error = NULL WHERE instance_id = $1 AND id = $2 AND status = 'running'")
        .bind(instance.0).bind(id).bind(summary).bind(protocol).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn protocol(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<Option<Vec<u8>>, StoreError> {
    let r: Option<(Option<Vec<u8>>,)> = on!(c, c => sqlx::query_as(
        "SELECT protocol FROM import_runs WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.and_then(|(p,)| p))
}

/// Clears the personal data (upload, parsed content, protocol) of runs created before
/// `cutoff`, in every school; the counts stay. Returns how many runs were cleared.
pub async fn system_clear_personal_data(
    c: &mut impl AsConn,
    cutoff: DateTime<Utc>,
) -> Result<u64, StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE import_runs SET upload = NULL, data = NULL, protocol = NULL
         WHERE created_at < $1 AND (applied_at IS NULL OR applied_at < $1)
           AND (upload IS NOT NULL OR data IS NOT NULL OR protocol IS NOT NULL)")
        .bind(to_us(cutoff)).execute(&mut *c).await.map(|r| r.rows_affected()))
    .map_err(Into::into)
}

/// Moves a run from `previewed` or `failed` to `running`; false when another request got
/// there first (or the run has already been applied).
pub async fn claim_for_apply(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE import_runs SET status = 'running', error = NULL, started_at = $3
         WHERE instance_id = $1 AND id = $2 AND status IN ('previewed', 'failed')")
        .bind(instance.0).bind(id).bind(to_us(now)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Runs still "running" long after they were claimed were cut off (a node stopped): the
/// apply's transaction rolled back, so they are marked failed and can be applied again.
pub async fn system_fail_stale(
    c: &mut impl AsConn,
    claimed_before: DateTime<Utc>,
) -> Result<u64, StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE import_runs SET status = 'failed', error = 'interrupted; nothing was changed'
         WHERE status = 'running' AND started_at < $1")
        .bind(to_us(claimed_before)).execute(&mut *c).await.map(|r| r.rows_affected()))
    .map_err(Into::into)
}
