//! The file tree: folders and files per area, their grants, versions and dead properties.
//!
//! Every read that returns nodes also returns the caller's own role on each node: the
//! highest role granted on that very node to any of the caller's subject keys (passed as
//! one `|key|key|` string, see [`SUBJECT_MATCH`]). The policy combines these along the path.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, NodeId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, from_us, on, to_us};

/// The highest role granted on node `n` to one of the keys in `$2` (`|u:…|t:lehrer|g:…|`).
macro_rules! own_role {
    () => {
        "(SELECT MAX(g.role) FROM file_grants g WHERE g.instance_id = n.instance_id
            AND g.node_id = n.id AND $2 LIKE '%|' || g.subject_key || '|%')"
    };
}

/// The columns of [`NodeRow`], for a `file_nodes n`.
macro_rules! node_cols {
    () => {
        concat!(
            "n.id, n.parent_id, n.area, n.owner_id, n.name, n.is_dir, n.inherit, n.drop_box,
             n.blob_sha, n.size, n.mime, n.created_by, n.modified_at, n.deleted_at, n.deleted_by, ",
            own_role!()
        )
    };
}

pub mod handins;
mod offers;
mod page;
pub mod previews;
pub mod recent;
mod references;
mod shares;
pub use offers::*;
pub use page::*;
pub use references::*;
pub use shares::*;

/// The nil id stands for "no owner": the shared areas of a school.
pub const SHARED_OWNER: Uuid = Uuid::nil();

#[derive(Clone, Debug)]
pub struct NodeRow {
    pub id: NodeId,
    pub parent_id: Option<NodeId>,
    pub area: String,
    pub owner_id: Uuid,
    pub name: String,
    pub is_dir: bool,
    pub inherit: bool,
    pub drop_box: bool,
    pub blob_sha: Option<String>,
    pub size: i64,
    pub mime: Option<String>,
    pub created_by: Option<UserId>,
    pub modified_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub deleted_by: Option<UserId>,
    /// The caller's role granted on this very node (1 viewer … 3 coordinator).
    pub own_role: Option<i64>,
}

type Raw = (
    Uuid,
    Option<Uuid>,
    String,
    Uuid,
    String,
    bool,
    bool,
    bool,
    Option<String>,
    i64,
    Option<String>,
    Option<Uuid>,
    i64,
    Option<i64>,
    Option<Uuid>,
    Option<i64>,
);

fn row(r: Raw) -> NodeRow {
    NodeRow {
        id: NodeId(r.0),
        parent_id: r.1.map(NodeId),
        area: r.2,
        owner_id: r.3,
        name: r.4,
        is_dir: r.5,
        inherit: r.6,
        drop_box: r.7,
        blob_sha: r.8,
        size: r.9,
        mime: r.10,
        created_by: r.11.map(UserId),
        modified_at: from_us(r.12),
        deleted_at: r.13.map(from_us),
        deleted_by: r.14.map(UserId),
        own_role: r.15,
    }
}

/// A node to insert.
#[derive(Clone, Debug)]
pub struct NewNode {
    pub id: NodeId,
    pub parent_id: NodeId,
    pub area: String,
    pub owner_id: Uuid,
    pub name: String,
    pub name_key: String,
    pub is_dir: bool,
    pub blob_sha: Option<String>,
    pub size: i64,
    pub mime: Option<String>,
    pub by: UserId,
}

/// The root of an area (created on first use), with the caller's own role on it.
/// `template` lists the grants a new root starts with: (subject key, role).
pub async fn ensure_root(
    c: &mut impl AsConn,
    instance: InstanceId,
    area: &str,
    owner: Uuid,
    template: &[(String, i64)],
    now: DateTime<Utc>,
) -> Result<NodeId, StoreError> {
    let id = Uuid::now_v7();
    let added = on!(c, c => sqlx::query(
        "INSERT INTO file_nodes (instance_id, id, parent_id, area, owner_id, name, name_key, is_dir,
            inherit, drop_box, size, created_at, modified_at)
         VALUES ($1, $2, NULL, $3, $4, $3, $3, TRUE, FALSE, FALSE, 0, $5, $5)
         ON CONFLICT (instance_id, area, owner_id) WHERE parent_id IS NULL DO NOTHING")
        .bind(instance.0).bind(id).bind(area).bind(owner).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    if added > 0 {
        for (key, role) in template {
            set_grant(c, instance, NodeId(id), key, *role, None, now).await?;
        }
        return Ok(NodeId(id));
    }
    let (root,): (Uuid,) = on!(c, c => sqlx::query_as(
        "SELECT id FROM file_nodes WHERE instance_id = $1 AND area = $2 AND owner_id = $3 AND parent_id IS NULL")
        .bind(instance.0).bind(area).bind(owner).fetch_one(&mut *c).await)?;
    Ok(NodeId(root))
}

/// A node (live or in the trash).
pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: NodeId,
    keys: &str,
) -> Result<Option<NodeRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(concat!(
        "SELECT ", node_cols!(), " FROM file_nodes n WHERE n.instance_id = $1 AND n.id = $3"))
        .bind(instance.0).bind(keys).bind(id.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// The live child of `parent` named `name_key` (case-folded).
pub async fn child_by_name(
    c: &mut impl AsConn,
    instance: InstanceId,
    parent: NodeId,
    name_key: &str,
    keys: &str,
) -> Result<Option<NodeRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(concat!(
        "SELECT ", node_cols!(), " FROM file_nodes n
         WHERE n.instance_id = $1 AND n.parent_id = $3 AND n.name_key = $4 AND n.deleted_at IS NULL"))
        .bind(instance.0).bind(keys).bind(parent.0).bind(name_key).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// The node and all its ancestors, the area root first.
pub async fn path_to(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: NodeId,
    keys: &str,
) -> Result<Vec<NodeRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!(
        "WITH RECURSIVE up(id, parent_id, depth) AS (
            SELECT id, parent_id, 0 FROM file_nodes WHERE instance_id = $1 AND id = $3
            UNION ALL
            SELECT f.id, f.parent_id, up.depth + 1 FROM file_nodes f JOIN up ON f.id = up.parent_id
            WHERE f.instance_id = $1)
         SELECT ", node_cols!(), " FROM file_nodes n JOIN up ON n.id = up.id
         WHERE n.instance_id = $1 ORDER BY up.depth DESC"))
        .bind(instance.0).bind(keys).bind(id.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// Which children of a folder a listing may load. The policy's rule, as a WHERE clause:
/// inherited rights reach children that inherit, own grants reach any child, and in a drop
/// folder a non-coordinator's inherited rights reach only what they created.
#[derive(Clone, Copy, Debug)]
pub struct ChildFilter {
    /// The caller has a role on the folder itself.
    pub parent_visible: bool,
    /// Set in a drop folder the caller does not coordinate: only their own entries inherit.
    pub only_created_by: Option<UserId>,
}

/// The live children of `parent` the filter lets through, folders first, by name.
pub async fn children(
    c: &mut impl AsConn,
    instance: InstanceId,
    parent: NodeId,
    keys: &str,
    filter: ChildFilter,
) -> Result<Vec<NodeRow>, StoreError> {
    let only = filter.only_created_by.map(|u| u.0);
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!(
        "SELECT * FROM (SELECT ", node_cols!(), " AS own_role FROM file_nodes n
            WHERE n.instance_id = $1 AND n.parent_id = $3 AND n.deleted_at IS NULL) x
         WHERE own_role IS NOT NULL
            OR (inherit AND $4 AND ($5 IS NULL OR created_by = $5))
         ORDER BY is_dir DESC, name, id"))
        .bind(instance.0).bind(keys).bind(parent.0).bind(filter.parent_visible).bind(only)
        .fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// Inserts a node. A live sibling of the same name makes this a unique violation.
pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    n: &NewNode,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO file_nodes (instance_id, id, parent_id, area, owner_id, name, name_key, is_dir,
            inherit, drop_box, blob_sha, size, mime, created_by, created_at, modified_by, modified_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, TRUE, FALSE, $9, $10, $11, $12, $13, $12, $13)")
        .bind(instance.0).bind(n.id.0).bind(n.parent_id.0).bind(&n.area).bind(n.owner_id)
        .bind(&n.name).bind(&n.name_key).bind(n.is_dir).bind(&n.blob_sha).bind(n.size)
        .bind(&n.mime).bind(n.by.0).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Replaces a file's content, keeping the previous content as a version.
#[allow(clippy::too_many_arguments)]
pub async fn set_content(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: NodeId,
    sha: &str,
    size: i64,
    mime: Option<&str>,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO file_versions (instance_id, id, node_id, blob_sha, size, modified_by, modified_at)
         SELECT instance_id, $3, id, blob_sha, size, modified_by, modified_at FROM file_nodes
         WHERE instance_id = $1 AND id = $2 AND blob_sha IS NOT NULL")
        .bind(instance.0).bind(id.0).bind(Uuid::now_v7())
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    on!(c, c => sqlx::query(
        "UPDATE file_nodes SET blob_sha = $3, size = $4, mime = $5, modified_by = $6, modified_at = $7
         WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).bind(sha).bind(size).bind(mime).bind(by.0).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Renames and/or moves a node. When it changes area or owner, its whole subtree follows.
#[allow(clippy::too_many_arguments)]
pub async fn relocate(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: NodeId,
    parent: NodeId,
    name: &str,
    name_key: &str,
    area: &str,
    owner: Uuid,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE file_nodes SET parent_id = $3, name = $4, name_key = $5, modified_by = $6, modified_at = $7
         WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).bind(parent.0).bind(name).bind(name_key).bind(by.0).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    on!(c, c => sqlx::query(
        "WITH RECURSIVE sub(id) AS (
            SELECT id FROM file_nodes WHERE instance_id = $1 AND id = $2
            UNION ALL
            SELECT f.id FROM file_nodes f JOIN sub ON f.parent_id = sub.id WHERE f.instance_id = $1)
         UPDATE file_nodes SET area = $3, owner_id = $4
         WHERE instance_id = $1 AND id IN (SELECT id FROM sub) AND (area <> $3 OR owner_id <> $4)")
        .bind(instance.0).bind(id.0).bind(area).bind(owner)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Every node of the subtree rooted at `id` (live ones only), parents before children.
pub async fn subtree(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: NodeId,
    keys: &str,
) -> Result<Vec<NodeRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!(
        "WITH RECURSIVE sub(id, depth) AS (
            SELECT id, 0 FROM file_nodes WHERE instance_id = $1 AND id = $3
            UNION ALL
            SELECT f.id, sub.depth + 1 FROM file_nodes f JOIN sub ON f.parent_id = sub.id
            WHERE f.instance_id = $1 AND f.deleted_at IS NULL)
         SELECT ", node_cols!(), " FROM file_nodes n JOIN sub ON n.id = sub.id
         WHERE n.instance_id = $1 ORDER BY sub.depth"))
        .bind(instance.0).bind(keys).bind(id.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// Puts a node and its live subtree into the trash, marked as taken along by `id`.
pub async fn trash(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: NodeId,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "WITH RECURSIVE sub(id) AS (
            SELECT id FROM file_nodes WHERE instance_id = $1 AND id = $2
            UNION ALL
            SELECT f.id FROM file_nodes f JOIN sub ON f.parent_id = sub.id
            WHERE f.instance_id = $1 AND f.deleted_at IS NULL)
         UPDATE file_nodes SET deleted_at = $3, deleted_by = $4, trash_root = $2
         WHERE instance_id = $1 AND id IN (SELECT id FROM sub)")
        .bind(instance.0).bind(id.0).bind(to_us(now)).bind(by.0)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Brings back what the deletion of `id` took into the trash.
pub async fn restore(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: NodeId,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE file_nodes SET deleted_at = NULL, deleted_by = NULL, trash_root = NULL
         WHERE instance_id = $1 AND trash_root = $2")
        .bind(instance.0).bind(id.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Deletes for good what the deletion of `id` took into the trash (versions, grants and
/// properties go with their nodes). Returns the number of nodes.
pub async fn purge(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: NodeId,
) -> Result<u64, StoreError> {
    Ok(
        on!(c, c => sqlx::query("DELETE FROM file_nodes WHERE instance_id = $1 AND trash_root = $2")
        .bind(instance.0).bind(id.0).execute(&mut *c).await.map(|r| r.rows_affected()))?,
    )
}

/// Deletes a live node and its subtree at once, without the trash (WebDAV overwrite targets).
pub async fn delete_subtree(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: NodeId,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "WITH RECURSIVE sub(id) AS (
            SELECT id FROM file_nodes WHERE instance_id = $1 AND id = $2
            UNION ALL
            SELECT f.id FROM file_nodes f JOIN sub ON f.parent_id = sub.id WHERE f.instance_id = $1)
         DELETE FROM file_nodes WHERE instance_id = $1 AND id IN (SELECT id FROM sub)")
        .bind(instance.0).bind(id.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The top of each deletion in an area (`owner` for the own area), newest first.
pub async fn trash_of_area(
    c: &mut impl AsConn,
    instance: InstanceId,
    area: &str,
    owner: Uuid,
    keys: &str,
) -> Result<Vec<NodeRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!(
        "SELECT ", node_cols!(), " FROM file_nodes n
         WHERE n.instance_id = $1 AND n.area = $3 AND n.owner_id = $4 AND n.trash_root = n.id
         ORDER BY n.deleted_at DESC"))
        .bind(instance.0).bind(keys).bind(area).bind(owner).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// Trash older than `before`, across all schools: (instance, top node).
pub async fn system_expired_trash(
    c: &mut impl AsConn,
    before: DateTime<Utc>,
) -> Result<Vec<(InstanceId, NodeId)>, StoreError> {
    let r: Vec<(Uuid, Uuid)> = on!(c, c => sqlx::query_as(
        "SELECT instance_id, id FROM file_nodes WHERE trash_root = id AND deleted_at < $1")
        .bind(to_us(before)).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(i, n)| (InstanceId(i), NodeId(n)))
        .collect())
}

/// Bytes of file content charged to `owner` (own area, trash and earlier versions
/// included, and what they created in the shared areas), or to the whole school when
/// `owner` is `None`.
pub async fn usage(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: Option<Uuid>,
) -> Result<i64, StoreError> {
    let (sum,): (Option<i64>,) = match owner {
        Some(o) => on!(c, c => sqlx::query_as(
            "SELECT CAST(SUM(size) AS BIGINT) FROM (
                SELECT size FROM file_nodes WHERE instance_id = $1
                    AND (owner_id = $2 OR (owner_id = $3 AND created_by = $2))
                UNION ALL
                SELECT v.size FROM file_versions v JOIN file_nodes n
                    ON n.instance_id = v.instance_id AND n.id = v.node_id
                WHERE v.instance_id = $1
                    AND (n.owner_id = $2 OR (n.owner_id = $3 AND n.created_by = $2))
                UNION ALL
                SELECT size FROM lms_submission_files WHERE instance_id = $1 AND uploaded_by = $2
                UNION ALL
                SELECT size FROM chat_attachments WHERE instance_id = $1 AND uploaded_by = $2) x")
            .bind(instance.0).bind(o).bind(SHARED_OWNER).fetch_one(&mut *c).await)?,
        None => on!(c, c => sqlx::query_as(
            "SELECT CAST(SUM(size) AS BIGINT) FROM (
                SELECT size FROM file_nodes WHERE instance_id = $1
                UNION ALL
                SELECT size FROM file_versions WHERE instance_id = $1
                UNION ALL
                SELECT size FROM homepage_images WHERE instance_id = $1
                UNION ALL
                SELECT size FROM news_files WHERE instance_id = $1
                UNION ALL
                SELECT size FROM lms_submission_files WHERE instance_id = $1
                UNION ALL
                SELECT size FROM lms_feedback_files WHERE instance_id = $1
                UNION ALL
                SELECT size FROM lms_activity_files WHERE instance_id = $1 AND node_id IS NULL
                UNION ALL
                SELECT size FROM chat_attachments WHERE instance_id = $1) x")
            .bind(instance.0).fetch_one(&mut *c).await)?,
    };
    Ok(sum.unwrap_or(0))
}

/// Bytes the earlier versions of a file hold.
pub async fn versions_size(
    c: &mut impl AsConn,
    instance: InstanceId,
    node: NodeId,
) -> Result<i64, StoreError> {
    let (sum,): (Option<i64>,) = on!(c, c => sqlx::query_as(
        "SELECT CAST(SUM(size) AS BIGINT) FROM file_versions WHERE instance_id = $1 AND node_id = $2")
        .bind(instance.0).bind(node.0).fetch_one(&mut *c).await)?;
    Ok(sum.unwrap_or(0))
}

/// Drops the oldest version of a file; false when it has none.
pub async fn drop_oldest_version(
    c: &mut impl AsConn,
    instance: InstanceId,
    node: NodeId,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "DELETE FROM file_versions WHERE instance_id = $1 AND id = (
            SELECT id FROM file_versions WHERE instance_id = $1 AND node_id = $2
            ORDER BY modified_at, id LIMIT 1)")
        .bind(instance.0).bind(node.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Every blob still referenced by a node or a version, of all schools.
pub async fn system_referenced_blobs(c: &mut impl AsConn) -> Result<Vec<String>, StoreError> {
    let r: Vec<(String,)> = on!(c, c => sqlx::query_as(
        "SELECT blob_sha FROM file_nodes WHERE blob_sha IS NOT NULL
         UNION SELECT blob_sha FROM file_versions")
        .fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(|(s,)| s).collect())
}

/// Marks or unmarks a folder as a drop folder, or withdraws/restores inherited rights.
pub async fn set_flags(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: NodeId,
    inherit: bool,
    drop_box: bool,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("UPDATE file_nodes SET inherit = $3, drop_box = $4 WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).bind(inherit).bind(drop_box)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// An earlier content of a file.
#[derive(Clone, Debug)]
pub struct VersionRow {
    pub id: Uuid,
    pub blob_sha: String,
    pub size: i64,
    pub modified_by: Option<UserId>,
    pub modified_at: DateTime<Utc>,
}

/// The earlier contents of a file, newest first.
pub async fn versions(
    c: &mut impl AsConn,
    instance: InstanceId,
    node: NodeId,
) -> Result<Vec<VersionRow>, StoreError> {
    let r: Vec<(Uuid, String, i64, Option<Uuid>, i64)> = on!(c, c => sqlx::query_as(
        "SELECT id, blob_sha, size, modified_by, modified_at FROM file_versions
         WHERE instance_id = $1 AND node_id = $2 ORDER BY id DESC")
        .bind(instance.0).bind(node.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(id, blob_sha, size, by, at)| VersionRow {
            id,
            blob_sha,
            size,
            modified_by: by.map(UserId),
            modified_at: from_us(at),
        })
        .collect())
}

/// A dead property a WebDAV client set.
#[derive(Clone, Debug)]
pub struct PropRow {
    pub namespace: String,
    pub name: String,
    pub prefix: String,
    pub xml: Vec<u8>,
}

pub async fn props(
    c: &mut impl AsConn,
    instance: InstanceId,
    node: NodeId,
) -> Result<Vec<PropRow>, StoreError> {
    let r: Vec<(String, String, String, Vec<u8>)> = on!(c, c => sqlx::query_as(
        "SELECT namespace, name, prefix, xml FROM file_props WHERE instance_id = $1 AND node_id = $2
         ORDER BY namespace, name")
        .bind(instance.0).bind(node.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(namespace, name, prefix, xml)| PropRow {
            namespace,
            name,
            prefix,
            xml,
        })
        .collect())
}

pub async fn set_prop(
    c: &mut impl AsConn,
    instance: InstanceId,
    node: NodeId,
    p: &PropRow,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO file_props (instance_id, node_id, namespace, name, prefix, xml) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (instance_id, node_id, namespace, name) DO UPDATE SET prefix = excluded.prefix, xml = excluded.xml")
        .bind(instance.0).bind(node.0).bind(&p.namespace).bind(&p.name).bind(&p.prefix).bind(&p.xml)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn remove_prop(
    c: &mut impl AsConn,
    instance: InstanceId,
    node: NodeId,
    namespace: &str,
    name: &str,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "DELETE FROM file_props WHERE instance_id = $1 AND node_id = $2 AND namespace = $3 AND name = $4")
        .bind(instance.0).bind(node.0).bind(namespace).bind(name)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Copies the dead properties of one node to another.
pub async fn copy_props(
    c: &mut impl AsConn,
    instance: InstanceId,
    from: NodeId,
    to: NodeId,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO file_props (instance_id, node_id, namespace, name, prefix, xml)
         SELECT instance_id, $3, namespace, name, prefix, xml FROM file_props WHERE instance_id = $1 AND node_id = $2")
        .bind(instance.0).bind(from.0).bind(to.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The root of an area, if it was created already.
pub async fn root(
    c: &mut impl AsConn,
    instance: InstanceId,
    area: &str,
    owner: Uuid,
) -> Result<Option<NodeId>, StoreError> {
    let r: Option<(Uuid,)> = on!(c, c => sqlx::query_as(
        "SELECT id FROM file_nodes WHERE instance_id = $1 AND area = $2 AND owner_id = $3 AND parent_id IS NULL")
        .bind(instance.0).bind(area).bind(owner).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(id,)| NodeId(id)))
}

/// A child's name and the key that keeps it unique, for re-keying when a folder becomes
/// a drop folder or stops being one.
#[derive(Clone, Debug)]
pub struct ChildName {
    pub id: NodeId,
    pub name: String,
    pub name_key: String,
    pub created_by: Option<UserId>,
    pub live: bool,
}

/// Every child of a folder, live or in the trash.
pub async fn child_names(
    c: &mut impl AsConn,
    instance: InstanceId,
    parent: NodeId,
) -> Result<Vec<ChildName>, StoreError> {
    type Names = (Uuid, String, String, Option<Uuid>, Option<i64>);
    let r: Vec<Names> = on!(c, c => sqlx::query_as(
        "SELECT id, name, name_key, created_by, deleted_at FROM file_nodes
         WHERE instance_id = $1 AND parent_id = $2 ORDER BY id")
        .bind(instance.0).bind(parent.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(id, name, name_key, by, deleted)| ChildName {
            id: NodeId(id),
            name,
            name_key,
            created_by: by.map(UserId),
            live: deleted.is_none(),
        })
        .collect())
}

/// Sets the key that keeps a node's name unique among its siblings. A live sibling with
/// the same key makes this a unique violation.
pub async fn set_name_key(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: NodeId,
    name_key: &str,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("UPDATE file_nodes SET name_key = $3 WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).bind(name_key)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Serialises quota check-and-charge of one school until the transaction ends, so parallel
/// uploads on several nodes cannot each see room that only one of them may take. SQLite
/// needs nothing: its writers are serialised (`BEGIN IMMEDIATE`) already.
pub async fn lock_quota(c: &mut impl AsConn, instance: InstanceId) -> Result<(), StoreError> {
    if let crate::Conn::Pg(c) = c.conn() {
        let (hi, lo) = instance.0.as_u64_pair();
        let key = (hi ^ lo ^ QUOTA_LOCK_SALT) as i64;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(key)
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

/// Keeps the quota locks apart from other advisory locks keyed by a school.
const QUOTA_LOCK_SALT: u64 = 0x5175_6f74_615f_4c6b;

/// Active staff (Lehrer and Personal) of a school: the base of its storage quota.
pub async fn staff_count(c: &mut impl AsConn, instance: InstanceId) -> Result<i64, StoreError> {
    let (n,): (i64,) = on!(c, c => sqlx::query_as(
        "SELECT COUNT(*) FROM users WHERE instance_id = $1 AND kind IN ('lehrer', 'personal') AND active")
        .bind(instance.0).fetch_one(&mut *c).await)?;
    Ok(n)
}

/// A login's kind and function role, for quotas of a shared own area.
pub async fn user_kind(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<Option<(String, Option<String>)>, StoreError> {
    Ok(on!(c, c => sqlx::query_as(
        "SELECT kind, function_role FROM users WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(user.0).fetch_optional(&mut *c).await)?)
}

/// Who wrote a file's content last, and when.
pub async fn last_write(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: NodeId,
) -> Result<Option<(Option<UserId>, DateTime<Utc>)>, StoreError> {
    let r: Option<(Option<Uuid>, i64)> = on!(c, c => sqlx::query_as(
        "SELECT modified_by, modified_at FROM file_nodes WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(by, at)| (by.map(UserId), from_us(at))))
}

/// Replaces a file's content without keeping the previous one (autosave of the same writer).
pub async fn replace_content(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: NodeId,
    sha: &str,
    size: i64,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE file_nodes SET blob_sha = $3, size = $4, modified_by = $5, modified_at = $6
         WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).bind(sha).bind(size).bind(by.0).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes everything a deleted login owned (own area and own Safe area, trash included)
/// and every file grant to it. Contents nothing refers to any more are collected later.
pub async fn delete_owned_by(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("DELETE FROM file_nodes WHERE instance_id = $1 AND owner_id = $2")
        .bind(instance.0).bind(user.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    on!(c, c => sqlx::query("DELETE FROM file_grants WHERE instance_id = $1 AND subject_key = $2")
        .bind(instance.0).bind(format!("u:{user}")).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    // Shares with the login from other schools go with it.
    on!(c, c => sqlx::query("DELETE FROM file_grants WHERE subject_kind = 'x' AND subject_key = $1")
        .bind(format!("x:{user}")).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    on!(c, c => sqlx::query("DELETE FROM file_links WHERE instance_id = $1 AND created_by = $2")
        .bind(instance.0).bind(user.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The dead properties of every live child of a folder (one query for a whole listing).
pub async fn props_of_children(
    c: &mut impl AsConn,
    instance: InstanceId,
    parent: NodeId,
) -> Result<Vec<(NodeId, PropRow)>, StoreError> {
    let r: Vec<(Uuid, String, String, String, Vec<u8>)> = on!(c, c => sqlx::query_as(
        "SELECT p.node_id, p.namespace, p.name, p.prefix, p.xml FROM file_props p
         JOIN file_nodes n ON n.instance_id = p.instance_id AND n.id = p.node_id
         WHERE p.instance_id = $1 AND n.parent_id = $2 AND n.deleted_at IS NULL")
        .bind(instance.0).bind(parent.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(n, namespace, name, prefix, xml)| {
            (
                NodeId(n),
                PropRow {
                    namespace,
                    name,
                    prefix,
                    xml,
                },
            )
        })
        .collect())
}
