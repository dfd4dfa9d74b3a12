//! Grants on nodes, and what is shared with a login (in its own school and from others).

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, NodeId, UserId};
use uuid::Uuid;

use super::{NodeRow, Raw, get, row};
use crate::{AsConn, StoreError, from_us, on, to_us};

/// A grant on a node, as shown in the sharing dialog.
#[derive(Clone, Debug)]
pub struct GrantRow {
    pub subject_key: String,
    pub role: i64,
    pub granted_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

/// Sets the role of a subject on a node (replacing an earlier one).
pub async fn set_grant(
    c: &mut impl AsConn,
    instance: InstanceId,
    node: NodeId,
    key: &str,
    role: i64,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (kind, _) = key.split_once(':').unwrap_or(("t", key));
    let id = key.get(2..).and_then(|s| Uuid::parse_str(s).ok());
    let (user, group) = match kind {
        "u" | "x" => (id, None),
        "g" => (None, id),
        _ => (None, None),
    };
    on!(c, c => sqlx::query(
        "INSERT INTO file_grants (instance_id, node_id, subject_kind, subject_key, subject_user, subject_group,
            role, granted_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (instance_id, node_id, subject_kind, subject_key)
         DO UPDATE SET role = excluded.role, granted_by = excluded.granted_by, created_at = excluded.created_at")
        .bind(instance.0).bind(node.0).bind(kind).bind(key).bind(user).bind(group).bind(role)
        .bind(by.map(|u| u.0)).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes a subject's grant on a node. Returns whether there was one.
pub async fn remove_grant(
    c: &mut impl AsConn,
    instance: InstanceId,
    node: NodeId,
    key: &str,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "DELETE FROM file_grants WHERE instance_id = $1 AND node_id = $2 AND subject_key = $3")
        .bind(instance.0).bind(node.0).bind(key).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// The grants set on a node.
pub async fn grants_of(
    c: &mut impl AsConn,
    instance: InstanceId,
    node: NodeId,
) -> Result<Vec<GrantRow>, StoreError> {
    let r: Vec<(String, i64, Option<Uuid>, i64)> = on!(c, c => sqlx::query_as(
        "SELECT subject_key, role, granted_by, created_at FROM file_grants
         WHERE instance_id = $1 AND node_id = $2 ORDER BY subject_kind DESC, subject_key")
        .bind(instance.0).bind(node.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(subject_key, role, by, at)| GrantRow {
            subject_key,
            role,
            granted_by: by.map(UserId),
            created_at: from_us(at),
        })
        .collect())
}

/// Copies the grants of one node to another (withdrawing inheritance keeps what was there).
pub async fn copy_grants(
    c: &mut impl AsConn,
    instance: InstanceId,
    from: NodeId,
    to: NodeId,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO file_grants (instance_id, node_id, subject_kind, subject_key, subject_user, subject_group,
            role, granted_by, created_at)
         SELECT instance_id, $3, subject_kind, subject_key, subject_user, subject_group, role, granted_by, created_at
         FROM file_grants WHERE instance_id = $1 AND node_id = $2
         ON CONFLICT (instance_id, node_id, subject_kind, subject_key) DO NOTHING")
        .bind(instance.0).bind(from.0).bind(to.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Live nodes in other logins' own areas with a grant matching the caller's keys.
pub async fn shared_with(
    c: &mut impl AsConn,
    instance: InstanceId,
    keys: &str,
    me: Uuid,
) -> Result<Vec<NodeRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!(
        "SELECT ", node_cols!(), " FROM file_nodes n
         WHERE n.instance_id = $1 AND n.area = 'own' AND n.owner_id <> $3 AND n.deleted_at IS NULL
           AND n.id IN (SELECT g.node_id FROM file_grants g WHERE g.instance_id = $1
                        AND $2 LIKE '%|' || g.subject_key || '|%')
         ORDER BY n.modified_at DESC"))
        .bind(instance.0).bind(keys).bind(me).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// Live nodes of any school shared by name with a login of another school (`x:…`), with
/// their school; the guest's own role on each is in the row. Never the Safe.
pub async fn system_guest_shares(
    c: &mut impl AsConn,
    guest_keys: &str,
    guest_key: &str,
) -> Result<Vec<(InstanceId, NodeRow)>, StoreError> {
    let ids: Vec<(Uuid, Uuid)> = on!(c, c => sqlx::query_as(
        "SELECT n.instance_id, n.id FROM file_nodes n
         WHERE n.deleted_at IS NULL AND n.area IN ('own', 'teaching', 'staff')
           AND EXISTS (SELECT 1 FROM file_grants g WHERE g.subject_kind = 'x' AND g.subject_key = $1
                       AND g.instance_id = n.instance_id AND g.node_id = n.id)
         ORDER BY n.modified_at DESC")
        .bind(guest_key).fetch_all(&mut *c).await)?;
    let mut out = Vec::with_capacity(ids.len());
    for (instance, id) in ids {
        let instance = InstanceId(instance);
        if let Some(row) = get(c, instance, NodeId(id), guest_keys).await? {
            out.push((instance, row));
        }
    }
    Ok(out)
}

/// The schools that hold a node with this id (ids are unique in practice; the key is per school).
pub async fn system_schools_of(
    c: &mut impl AsConn,
    id: NodeId,
) -> Result<Vec<InstanceId>, StoreError> {
    let r: Vec<(Uuid,)> = on!(c, c => sqlx::query_as("SELECT instance_id FROM file_nodes WHERE id = $1")
        .bind(id.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(|(i,)| InstanceId(i)).collect())
}
