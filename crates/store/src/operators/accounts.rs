//! Operator accounts and operator sessions (apart from the schools' `sessions`).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{AsConn, StoreError, from_us, on, to_us};

#[derive(Clone, Debug)]
pub struct OperatorRow {
    pub id: Uuid,
    pub login: String,
    /// `operator-admin`, `support` or `dpo`.
    pub role: String,
    pub password_hash: String,
    pub must_change_password: bool,
    pub totp_secret: Vec<u8>,
    pub totp_last_step: i64,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

type Raw = (Uuid, String, String, String, bool, Vec<u8>, i64, bool, i64);

macro_rules! op_cols {
    () => {
        "o.id, o.login, o.role, o.password_hash, o.must_change_password, o.totp_secret, \
         o.totp_last_step, o.active, o.created_at"
    };
}

fn row(r: Raw) -> OperatorRow {
    OperatorRow {
        id: r.0,
        login: r.1,
        role: r.2,
        password_hash: r.3,
        must_change_password: r.4,
        totp_secret: r.5,
        totp_last_step: r.6,
        active: r.7,
        created_at: from_us(r.8),
    }
}

pub async fn insert(c: &mut impl AsConn, o: &OperatorRow) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO operators (id, login, role, password_hash, must_change_password, totp_secret,
            totp_last_step, active, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(o.id).bind(&o.login).bind(&o.role).bind(&o.password_hash).bind(o.must_change_password)
        .bind(&o.totp_secret).bind(o.totp_last_step).bind(o.active).bind(to_us(o.created_at))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn find_by_login(
    c: &mut impl AsConn,
    login: &str,
) -> Result<Option<OperatorRow>, StoreError> {
    const SQL: &str = concat!(
        "SELECT ",
        op_cols!(),
        " FROM operators o WHERE o.login = $1"
    );
    let r: Option<Raw> = on!(c, c => sqlx::query_as(SQL)
        .bind(login).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// Every operator account, by login (the command line's list).
pub async fn list(c: &mut impl AsConn) -> Result<Vec<OperatorRow>, StoreError> {
    const SQL: &str = concat!("SELECT ", op_cols!(), " FROM operators o ORDER BY o.login");
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(SQL).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// Gives an operator a new password (to be changed at the next login) and a new TOTP key
/// (sealed), and ends every session: a reset for a lost password or a lost authenticator.
pub async fn reset_credentials(
    c: &mut impl AsConn,
    id: Uuid,
    hash: &str,
    sealed_totp: &[u8],
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE operators SET password_hash = $2, must_change_password = $3, totp_secret = $4,
             totp_last_step = 0 WHERE id = $1")
        .bind(id).bind(hash).bind(true).bind(sealed_totp)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    on!(c, c => sqlx::query("DELETE FROM operator_sessions WHERE operator_id = $1")
        .bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Accepts TOTP step `step` for the operator unless it (or a later one) was used already.
/// One conditional statement, so two parallel logins with one code cannot both pass.
pub async fn claim_totp_step(c: &mut impl AsConn, id: Uuid, step: i64) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE operators SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2")
        .bind(id).bind(step).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn set_password(c: &mut impl AsConn, id: Uuid, hash: &str) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE operators SET password_hash = $2, must_change_password = $3 WHERE id = $1")
        .bind(id).bind(hash).bind(false).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn insert_session(
    c: &mut impl AsConn,
    token_hash: &[u8],
    operator: Uuid,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO operator_sessions (token_hash, operator_id, created_at, last_seen_at, expires_at)
         VALUES ($1, $2, $3, $3, $4)")
        .bind(token_hash).bind(operator).bind(to_us(now)).bind(to_us(expires))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// An operator session with its account: (account, last seen, expires, open tickets).
/// The console shows how many tickets wait at its menu; counted here (the index on status
/// makes it cheap) so a console page costs no statement more for it.
pub async fn lookup_session(
    c: &mut impl AsConn,
    token_hash: &[u8],
) -> Result<Option<(OperatorRow, DateTime<Utc>, DateTime<Utc>, i64)>, StoreError> {
    const SQL: &str = concat!(
        "SELECT ",
        op_cols!(),
        ", s.last_seen_at, s.expires_at,
         (SELECT COUNT(*) FROM help_tickets t WHERE t.status = 'open')
         FROM operator_sessions s
         JOIN operators o ON o.id = s.operator_id WHERE s.token_hash = $1"
    );
    type Wide = (
        Uuid,
        String,
        String,
        String,
        bool,
        Vec<u8>,
        i64,
        bool,
        i64,
        i64,
        i64,
        i64,
    );
    let r: Option<Wide> = on!(c, c => sqlx::query_as(SQL)
        .bind(token_hash).fetch_optional(&mut *c).await)?;
    Ok(r.map(|w| {
        let raw = (w.0, w.1, w.2, w.3, w.4, w.5, w.6, w.7, w.8);
        (row(raw), from_us(w.9), from_us(w.10), w.11)
    }))
}

pub async fn touch_session(
    c: &mut impl AsConn,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("UPDATE operator_sessions SET last_seen_at = $2 WHERE token_hash = $1")
        .bind(token_hash).bind(to_us(now)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends a session; returns its operator if there was one.
pub async fn delete_session(
    c: &mut impl AsConn,
    token_hash: &[u8],
) -> Result<Option<Uuid>, StoreError> {
    let r: Option<(Uuid,)> = on!(c, c => sqlx::query_as(
        "DELETE FROM operator_sessions WHERE token_hash = $1 RETURNING operator_id")
        .bind(token_hash).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(o,)| o))
}

/// Ends every other session of an operator (after a password change).
pub async fn delete_other_sessions(
    c: &mut impl AsConn,
    operator: Uuid,
    keep: &[u8],
) -> Result<u64, StoreError> {
    let n = on!(c, c => sqlx::query(
        "DELETE FROM operator_sessions WHERE operator_id = $1 AND token_hash <> $2")
        .bind(operator).bind(keep).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n)
}
