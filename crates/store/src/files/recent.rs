//! What the home page shows of the file tree: the newest files a login reaches and what was
//! shared with it lately. Each answer costs one statement, however many files there are:
//! the candidates are chosen inside SQL (reached through the caller's grants, newest
//! first, limited), and their paths come back with them so the policy decides each one.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, NodeId, UserId};
use uuid::Uuid;

use super::{NodeRow, Raw, row};
use crate::{AsConn, StoreError, from_us, on};

/// The paths (area root first) of the nodes a `picked(id)` CTE chose, one path after the
/// other: a path starts at each row without a parent.
macro_rules! paths_of_picked {
    () => {
        concat!(
            "up(start, id, parent_id, depth) AS (
                SELECT n.id, n.id, n.parent_id, 0 FROM file_nodes n
                WHERE n.instance_id = $1 AND n.id IN (SELECT id FROM picked)
                UNION ALL
                SELECT up.start, f.id, f.parent_id, up.depth + 1 FROM file_nodes f
                JOIN up ON f.id = up.parent_id WHERE f.instance_id = $1)
             SELECT ",
            node_cols!(),
            " FROM file_nodes n JOIN up ON n.id = up.id
             WHERE n.instance_id = $1 ORDER BY up.start, up.depth DESC"
        )
    };
}

/// The newest files (not folders) in own areas the caller reaches through a grant to one
/// of `keys` on the file or a folder above it (its own area, and what others shared with
/// it), at most `limit`, each with its path. The policy still decides each path: withdrawn
/// inheritance and drop folders are its business. The walk starts from the grants (far
/// fewer than nodes) and goes down only where rights are inherited.
pub async fn recent_own_files(
    c: &mut impl AsConn,
    instance: InstanceId,
    keys: &str,
    limit: i64,
) -> Result<Vec<Vec<NodeRow>>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!(
        "WITH RECURSIVE reach(id) AS (
            SELECT n.id FROM file_grants g
            JOIN file_nodes n ON n.instance_id = g.instance_id AND n.id = g.node_id
            WHERE g.instance_id = $1 AND $2 LIKE '%|' || g.subject_key || '|%'
              AND n.area = 'own' AND n.deleted_at IS NULL
            UNION
            SELECT n.id FROM file_nodes n JOIN reach r ON n.parent_id = r.id
            WHERE n.instance_id = $1 AND n.deleted_at IS NULL AND n.inherit),
         picked(id) AS (
            SELECT n.id FROM file_nodes n
            WHERE n.instance_id = $1 AND n.id IN (SELECT id FROM reach) AND NOT n.is_dir
            ORDER BY n.modified_at DESC LIMIT $3),
         ", paths_of_picked!()))
        .bind(instance.0).bind(keys).bind(limit).fetch_all(&mut *c).await)?;
    Ok(split_paths(r))
}

/// A share made to the caller (by name or through a group) by someone else.
#[derive(Clone, Debug)]
pub struct ShareRow {
    pub node: NodeId,
    pub at: DateTime<Utc>,
    pub by: Option<UserId>,
    /// "Vorname Nachname" of who shared, if the login still exists.
    pub by_name: Option<String>,
}

/// The filter of shares made lately to one of `keys` (`u:` or `g:` grants) by someone
/// else than `$3`, on live nodes of the school's file areas that are not the caller's own.
macro_rules! shares_to_me {
    () => {
        "FROM file_grants g JOIN file_nodes n ON n.instance_id = g.instance_id AND n.id = g.node_id
         LEFT JOIN users u ON u.instance_id = g.instance_id AND u.id = g.granted_by
         WHERE g.instance_id = $1 AND g.subject_kind IN ('u', 'g')
           AND $2 LIKE '%|' || g.subject_key || '|%'
           AND g.granted_by IS NOT NULL AND g.granted_by <> $3 AND n.owner_id <> $3
           AND n.deleted_at IS NULL AND n.area IN ('own', 'info', 'teaching', 'staff')"
    };
}

/// Node, when, by whom (id, first and last name).
type ShareRaw = (Uuid, i64, Option<Uuid>, Option<String>, Option<String>);

/// The latest shares to the caller, newest first, at most `limit` grants (a node shared
/// twice, by name and to a group, may come twice).
pub async fn shares_lately(
    c: &mut impl AsConn,
    instance: InstanceId,
    keys: &str,
    me: UserId,
    limit: i64,
) -> Result<Vec<ShareRow>, StoreError> {
    let r: Vec<ShareRaw> = on!(c, c => sqlx::query_as(concat!(
        "SELECT g.node_id, g.created_at, g.granted_by, u.first_name, u.last_name ",
        shares_to_me!(),
        " ORDER BY g.created_at DESC LIMIT $4"))
        .bind(instance.0).bind(keys).bind(me.0).bind(limit).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(node, at, by, first, last)| ShareRow {
            node: NodeId(node),
            at: from_us(at),
            by: by.map(UserId),
            by_name: first.zip(last).map(|(f, l)| format!("{f} {l}")),
        })
        .collect())
}

/// The paths of the nodes [`shares_lately`] returns (the same choice, so one statement).
pub async fn shares_lately_paths(
    c: &mut impl AsConn,
    instance: InstanceId,
    keys: &str,
    me: UserId,
    limit: i64,
) -> Result<Vec<Vec<NodeRow>>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!(
        "WITH RECURSIVE picked(id) AS (SELECT g.node_id ",
        shares_to_me!(),
        " ORDER BY g.created_at DESC LIMIT $4),
         ", paths_of_picked!()))
        .bind(instance.0).bind(keys).bind(me.0).bind(limit).fetch_all(&mut *c).await)?;
    Ok(split_paths(r))
}

/// Cuts the rows into paths, each from an area root down; a broken chain is dropped.
fn split_paths(rows: Vec<Raw>) -> Vec<Vec<NodeRow>> {
    let mut paths: Vec<Vec<NodeRow>> = Vec::new();
    for r in rows.into_iter().map(row) {
        match paths.last_mut() {
            Some(p) if r.parent_id.is_some() => p.push(r),
            _ => paths.push(vec![r]),
        }
    }
    paths.retain(|p| {
        p.first().is_some_and(|f| f.parent_id.is_none())
            && p.windows(2).all(|w| w[1].parent_id == Some(w[0].id))
    });
    paths
}
