//! Links that open a folder or file to people outside the school.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, NodeId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, from_us, on, to_us};

#[derive(Clone, Debug)]
pub struct LinkRow {
    pub instance_id: InstanceId,
    pub id: Uuid,
    pub node_id: NodeId,
    /// `read` or `upload`.
    pub mode: String,
    pub password_hash: Option<String>,
    pub unlock_key: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    /// The name of the node, for lists.
    pub node_name: String,
}

type Raw = (
    Uuid,
    Uuid,
    Uuid,
    String,
    Option<String>,
    String,
    Option<i64>,
    Uuid,
    i64,
    String,
);

fn row(r: Raw) -> LinkRow {
    LinkRow {
        instance_id: InstanceId(r.0),
        id: r.1,
        node_id: NodeId(r.2),
        mode: r.3,
        password_hash: r.4,
        unlock_key: r.5,
        expires_at: r.6.map(from_us),
        created_by: UserId(r.7),
        created_at: from_us(r.8),
        node_name: r.9,
    }
}

macro_rules! link_cols {
    () => {
        "l.instance_id, l.id, l.node_id, l.mode, l.password_hash, l.unlock_key, l.expires_at,
         l.created_by, l.created_at, n.name
         FROM file_links l JOIN file_nodes n ON n.instance_id = l.instance_id AND n.id = l.node_id"
    };
}

pub async fn insert(c: &mut impl AsConn, l: &LinkRow, token_hash: &[u8]) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO file_links (instance_id, id, token_hash, node_id, mode, password_hash, unlock_key,
            expires_at, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(l.instance_id.0).bind(l.id).bind(token_hash).bind(l.node_id.0).bind(&l.mode)
        .bind(&l.password_hash).bind(&l.unlock_key).bind(l.expires_at.map(to_us)).bind(l.created_by.0)
        .bind(to_us(l.created_at))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The link behind a token, in whichever school (the token is the only key a visitor has).
pub async fn system_by_token(
    c: &mut impl AsConn,
    token_hash: &[u8],
) -> Result<Option<LinkRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(concat!("SELECT ", link_cols!(), " WHERE l.token_hash = $1"))
        .bind(token_hash).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<Option<LinkRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(concat!("SELECT ", link_cols!(), " WHERE l.instance_id = $1 AND l.id = $2"))
        .bind(instance.0).bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// Links of a school, optionally only one login's or one node's, newest first.
pub async fn list(
    c: &mut impl AsConn,
    instance: InstanceId,
    creator: Option<UserId>,
    node: Option<NodeId>,
) -> Result<Vec<LinkRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!("SELECT ", link_cols!(),
        " WHERE l.instance_id = $1 AND ($2 IS NULL OR l.created_by = $2) AND ($3 IS NULL OR l.node_id = $3)
          AND n.deleted_at IS NULL ORDER BY l.created_at DESC"))
        .bind(instance.0).bind(creator.map(|u| u.0)).bind(node.map(|n| n.0)).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// Revokes a link. Returns whether there was one.
pub async fn delete(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query("DELETE FROM file_links WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Removes expired links of all schools. Returns how many.
pub async fn system_delete_expired(
    c: &mut impl AsConn,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(
        on!(c, c => sqlx::query("DELETE FROM file_links WHERE expires_at IS NOT NULL AND expires_at < $1")
        .bind(to_us(now)).execute(&mut *c).await.map(|r| r.rows_affected()))?,
    )
}
