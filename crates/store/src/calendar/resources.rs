//! Bookable resources (rooms, equipment) and the groups whose members may book them.

use chrono::{DateTime, Utc};
use schulhof_types::{GroupId, InstanceId};
use uuid::Uuid;

use super::ResourceId;
use crate::{AsConn, StoreError, on, to_us};

#[derive(Clone, Debug)]
pub struct ResourceRow {
    pub id: ResourceId,
    pub name: String,
    pub description: String,
    pub capacity: i64,
    pub needs_approval: bool,
    /// Comma list of account types whose persons may book.
    pub account_types: String,
    pub groups: Vec<GroupId>,
}

pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    r: &ResourceRow,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO calendar_resources (instance_id, id, name, description, capacity, needs_approval, account_types, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(instance.0).bind(r.id.0).bind(&r.name).bind(&r.description).bind(r.capacity)
        .bind(r.needs_approval).bind(&r.account_types).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    set_groups(c, instance, r.id, &r.groups).await
}

pub async fn update(
    c: &mut impl AsConn,
    instance: InstanceId,
    r: &ResourceRow,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE calendar_resources SET name = $3, description = $4, capacity = $5, needs_approval = $6,
            account_types = $7 WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(r.id.0).bind(&r.name).bind(&r.description).bind(r.capacity)
        .bind(r.needs_approval).bind(&r.account_types)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Ok(false);
    }
    set_groups(c, instance, r.id, &r.groups).await?;
    Ok(true)
}

async fn set_groups(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: ResourceId,
    groups: &[GroupId],
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("DELETE FROM calendar_resource_groups WHERE instance_id = $1 AND resource_id = $2")
        .bind(instance.0).bind(id.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    for g in groups {
        on!(c, c => sqlx::query(
            "INSERT INTO calendar_resource_groups (instance_id, resource_id, group_id) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING")
            .bind(instance.0).bind(id.0).bind(g.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Every resource of the school with its booking groups, by name.
pub async fn list(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<Vec<ResourceRow>, StoreError> {
    type R = (Uuid, String, String, i64, bool, String);
    let rows: Vec<R> = on!(c, c => sqlx::query_as(
        "SELECT id, name, description, capacity, needs_approval, account_types FROM calendar_resources
         WHERE instance_id = $1 ORDER BY name, id")
        .bind(instance.0).fetch_all(&mut *c).await)?;
    let groups: Vec<(Uuid, Uuid)> = on!(c, c => sqlx::query_as(
        "SELECT resource_id, group_id FROM calendar_resource_groups WHERE instance_id = $1")
        .bind(instance.0).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, name, description, capacity, needs_approval, account_types)| ResourceRow {
                id: ResourceId(id),
                groups: groups
                    .iter()
                    .filter(|(r, _)| *r == id)
                    .map(|(_, g)| GroupId(*g))
                    .collect(),
                name,
                description,
                capacity,
                needs_approval,
                account_types,
            },
        )
        .collect())
}
