//! Groups (classes, courses, working groups, staff groups) and their members.

use chrono::{DateTime, Utc};
use schulhof_types::{GroupId, InstanceId, UserId};
use uuid::Uuid;

use crate::users::{self, UserRow};
use crate::{AsConn, StoreError, on, to_us, user_cols};

#[derive(Clone, Debug)]
pub struct GroupRow {
    pub instance_id: InstanceId,
    pub id: GroupId,
    pub name: String,
    pub kind: String,
    pub description: String,
}

/// A group with how many members it has, for lists.
#[derive(Clone, Debug)]
pub struct GroupSummary {
    pub group: GroupRow,
    pub members: i64,
}

type Raw = (Uuid, Uuid, String, String, String);

fn row(r: Raw) -> GroupRow {
    GroupRow {
        instance_id: InstanceId(r.0),
        id: GroupId(r.1),
        name: r.2,
        kind: r.3,
        description: r.4,
    }
}

/// Group names are unique per school regardless of case.
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

pub async fn insert(
    c: &mut impl AsConn,
    g: &GroupRow,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO user_groups (instance_id, id, name, name_key, kind, description, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(g.instance_id.0).bind(g.id.0).bind(&g.name).bind(name_key(&g.name)).bind(&g.kind)
        .bind(&g.description).bind(to_us(now)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn update(c: &mut impl AsConn, g: &GroupRow) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE user_groups SET name = $3, name_key = $4, kind = $5, description = $6
         WHERE instance_id = $1 AND id = $2")
        .bind(g.instance_id.0).bind(g.id.0).bind(&g.name).bind(name_key(&g.name)).bind(&g.kind)
        .bind(&g.description).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: GroupId,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "DELETE FROM right_grants WHERE instance_id = $1 AND subject_kind = 'group' AND subject_id = $2")
        .bind(instance.0).bind(id.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    on!(c, c => sqlx::query("DELETE FROM user_groups WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: GroupId,
) -> Result<Option<GroupRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(
        "SELECT instance_id, id, name, kind, description FROM user_groups WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

pub async fn find_by_name(
    c: &mut impl AsConn,
    instance: InstanceId,
    name: &str,
) -> Result<Option<GroupRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(
        "SELECT instance_id, id, name, kind, description FROM user_groups WHERE instance_id = $1 AND name_key = $2")
        .bind(instance.0).bind(name_key(name)).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// Groups whose name contains `query`, with member counts: all of the school, or only those
/// `member` belongs to. The visibility is part of the WHERE clause.
pub async fn list(
    c: &mut impl AsConn,
    instance: InstanceId,
    query: &str,
    member: Option<UserId>,
) -> Result<Vec<GroupSummary>, StoreError> {
    let pattern = format!("%{}%", users::escape_like(&name_key(query)));
    let r: Vec<(Uuid, Uuid, String, String, String, i64)> = on!(c, c => sqlx::query_as(
        "SELECT g.instance_id, g.id, g.name, g.kind, g.description,
                (SELECT COUNT(*) FROM memberships m WHERE m.instance_id = g.instance_id AND m.group_id = g.id)
         FROM user_groups g WHERE g.instance_id = $1 AND g.name_key LIKE $2 ESCAPE '\\'
           AND ($3 IS NULL OR EXISTS (SELECT 1 FROM memberships o
                 WHERE o.instance_id = g.instance_id AND o.group_id = g.id AND o.user_id = $3))
         ORDER BY g.kind, g.name_key")
        .bind(instance.0).bind(&pattern).bind(member.map(|m| m.0)).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(i, id, n, k, d, m)| GroupSummary {
            group: row((i, id, n, k, d)),
            members: m,
        })
        .collect())
}

/// The groups of a login and every right granted to it directly or through them, in one
/// round trip: this runs on every authenticated request.
pub async fn memberships_and_grants(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<(Vec<GroupRow>, Vec<String>), StoreError> {
    let rows: Vec<(i64, Option<Uuid>, String, String, String)> = on!(c, c => sqlx::query_as(
        "SELECT CAST(0 AS BIGINT), g.id, g.name, g.kind, g.description FROM user_groups g
           JOIN memberships m ON m.instance_id = g.instance_id AND m.group_id = g.id
          WHERE m.instance_id = $1 AND m.user_id = $2 AND g.archived_at IS NULL
         UNION ALL
         SELECT CAST(1 AS BIGINT), NULL, r.right_id, '', '' FROM right_grants r
          WHERE r.instance_id = $1 AND ((r.subject_kind = 'user' AND r.subject_id = $2)
             OR (r.subject_kind = 'group' AND r.subject_id IN
                 (SELECT m2.group_id FROM memberships m2 JOIN user_groups g2
                    ON g2.instance_id = m2.instance_id AND g2.id = m2.group_id
                   WHERE m2.instance_id = $1 AND m2.user_id = $2 AND g2.archived_at IS NULL)))")
        .bind(instance.0).bind(user.0).fetch_all(&mut *c).await)?;
    let mut groups = Vec::new();
    let mut rights = Vec::new();
    for (tag, id, name, kind, description) in rows {
        match (tag, id) {
            (0, Some(id)) => groups.push(GroupRow {
                instance_id: instance,
                id: GroupId(id),
                name,
                kind,
                description,
            }),
            _ => rights.push(name),
        }
    }
    groups.sort_by_key(|g| name_key(&g.name));
    Ok((groups, rights))
}

/// The groups a login is a member of, sorted by name.
pub async fn of_user(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<Vec<GroupRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(
        "SELECT g.instance_id, g.id, g.name, g.kind, g.description FROM user_groups g
         JOIN memberships m ON m.instance_id = g.instance_id AND m.group_id = g.id
         WHERE m.instance_id = $1 AND m.user_id = $2 AND g.archived_at IS NULL ORDER BY g.name_key")
        .bind(instance.0).bind(user.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

pub async fn members(
    c: &mut impl AsConn,
    instance: InstanceId,
    group: GroupId,
) -> Result<Vec<UserRow>, StoreError> {
    let r: Vec<users::Raw> = on!(c, c => sqlx::query_as(concat!(
        "SELECT ", user_cols!(), " FROM users u
         JOIN memberships m ON m.instance_id = u.instance_id AND m.user_id = u.id
         WHERE m.instance_id = $1 AND m.group_id = $2 ORDER BY u.last_name, u.first_name, u.login"))
        .bind(instance.0).bind(group.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(users::row).collect())
}

/// Adds a member; adding twice changes nothing.
pub async fn add_member(
    c: &mut impl AsConn,
    instance: InstanceId,
    group: GroupId,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = on!(c, c => sqlx::query(
        "INSERT INTO memberships (instance_id, group_id, user_id, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (instance_id, group_id, user_id) DO NOTHING")
        .bind(instance.0).bind(group.0).bind(user.0).bind(to_us(now)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

pub async fn remove_member(
    c: &mut impl AsConn,
    instance: InstanceId,
    group: GroupId,
    user: UserId,
) -> Result<bool, StoreError> {
    let done = on!(c, c => sqlx::query(
        "DELETE FROM memberships WHERE instance_id = $1 AND group_id = $2 AND user_id = $3")
        .bind(instance.0).bind(group.0).bind(user.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

/// True when the group belongs to an archived school year (read-only).
pub async fn is_archived(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: GroupId,
) -> Result<bool, StoreError> {
    let r: Option<(Option<i64>,)> = on!(c, c => sqlx::query_as(
        "SELECT archived_at FROM user_groups WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).fetch_optional(&mut *c).await)?;
    Ok(matches!(r, Some((Some(_),))))
}
