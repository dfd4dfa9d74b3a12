//! The operators' audit log: every operator action, refused logins included.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{AsConn, StoreError, from_us, on, to_us};

#[derive(Clone, Debug)]
pub struct OperatorAuditEntry {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub operator_id: Option<Uuid>,
    /// The operator's login at the time of reading (joined; `None` for unknown names).
    pub operator_login: Option<String>,
    pub action: String,
    pub object: Option<String>,
    pub client_addr: Option<String>,
    pub detail: Option<String>,
}

pub async fn insert(c: &mut impl AsConn, e: &OperatorAuditEntry) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO operator_audit (id, at, operator_id, action, object, client_addr, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(e.id).bind(to_us(e.at)).bind(e.operator_id).bind(&e.action).bind(&e.object)
        .bind(&e.client_addr).bind(&e.detail)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

type Raw = (
    Uuid,
    i64,
    Option<Uuid>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The newest `limit` entries, newest first, in one query.
pub async fn recent(
    c: &mut impl AsConn,
    limit: i64,
) -> Result<Vec<OperatorAuditEntry>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(
        "SELECT a.id, a.at, a.operator_id, o.login, a.action, a.object, a.client_addr, a.detail
         FROM operator_audit a LEFT JOIN operators o ON o.id = a.operator_id
         ORDER BY a.at DESC, a.id DESC LIMIT $1")
        .bind(limit).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|r| OperatorAuditEntry {
            id: r.0,
            at: from_us(r.1),
            operator_id: r.2,
            operator_login: r.3,
            action: r.4,
            object: r.5,
            client_addr: r.6,
            detail: r.7,
        })
        .collect())
}
