//! Calendar collections and their sync counter (modseq = sync token = ctag).

use chrono::{DateTime, Utc};
use schulhof_types::{GroupId, InstanceId, UserId};
use uuid::Uuid;

use super::{CalendarId, ResourceId};
use crate::{AsConn, StoreError, on, push_in_list, to_us};

#[derive(Clone, Debug)]
pub struct CalendarRow {
    pub id: CalendarId,
    /// personal, group, school or resource.
    pub kind: String,
    pub owner: Option<UserId>,
    pub group: Option<GroupId>,
    pub resource: Option<ResourceId>,
    pub slug: String,
    pub name: String,
    pub colour: String,
    pub description: String,
    pub modseq: i64,
    pub tombstone_floor: i64,
    /// The best share the viewer holds: 0 none, 1 read, 2 write.
    pub share: i64,
    /// Resource calendars: the account types that may book (comma list).
    pub book_types: String,
    /// Resource calendars: the viewer is in a group that may book.
    pub book_group: bool,
    pub needs_approval: bool,
    /// Some event of the calendar has attachments (answers need their ATTACH lines).
    pub has_attachments: bool,
}

/// Who looks: the list and the single lookup compute the viewer's shares and booking rights.
#[derive(Clone, Debug)]
pub struct Viewer<'a> {
    pub user: UserId,
    pub groups: &'a [GroupId],
}

macro_rules! select {
    () => {
        "SELECT c.id, c.kind, c.owner_id, c.group_id, c.resource_id, c.slug, c.name, c.colour, c.description,
            c.modseq, c.tombstone_floor, CAST(COALESCE(s.lvl, 0) AS BIGINT), COALESCE(r.account_types, ''),
            CAST(COALESCE(rg.n, 0) AS BIGINT), r.needs_approval,
            CAST(CASE WHEN EXISTS (SELECT 1 FROM calendar_attachments a
                 WHERE a.instance_id = c.instance_id AND a.calendar_id = c.id) THEN 1 ELSE 0 END AS BIGINT)
         FROM calendars c
         LEFT JOIN calendar_resources r ON r.instance_id = c.instance_id AND r.id = c.resource_id
         LEFT JOIN (SELECT calendar_id, MAX(CASE access WHEN 'write' THEN 2 ELSE 1 END) AS lvl
                    FROM calendar_shares WHERE instance_id = "
    };
}

macro_rules! read_row {
    ($r:expr) => {{
        use sqlx::Row as _;
        let r = $r;
        Ok::<CalendarRow, sqlx::Error>(CalendarRow {
            id: CalendarId(r.try_get(0)?),
            kind: r.try_get(1)?,
            owner: r.try_get::<Option<Uuid>, _>(2)?.map(UserId),
            group: r.try_get::<Option<Uuid>, _>(3)?.map(GroupId),
            resource: r.try_get::<Option<Uuid>, _>(4)?.map(ResourceId),
            slug: r.try_get(5)?,
            name: r.try_get(6)?,
            colour: r.try_get(7)?,
            description: r.try_get(8)?,
            modseq: r.try_get(9)?,
            tombstone_floor: r.try_get(10)?,
            share: r.try_get(11)?,
            book_types: r.try_get(12)?,
            book_group: r.try_get::<i64, _>(13)? > 0,
            needs_approval: r.try_get::<Option<bool>, _>(14)?.unwrap_or(false),
            has_attachments: r.try_get::<i64, _>(15)? > 0,
        })
    }};
}

/// Pushes the joins that need the viewer: its shares and its booking groups. The viewer's
/// groups always include the nil id, so the list is never empty.
fn push_viewer_joins<DB: sqlx::Database>(
    q: &mut sqlx::QueryBuilder<DB>,
    instance: InstanceId,
    v: &Viewer<'_>,
) where
    Uuid: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let groups = || std::iter::once(Uuid::nil()).chain(v.groups.iter().map(|g| g.0));
    q.push_bind(instance.0)
        .push(" AND ((subject_kind = 'user' AND subject_id = ")
        .push_bind(v.user.0)
        .push(") OR (subject_kind = 'group' AND subject_id");
    push_in_list(q, groups());
    q.push(")) GROUP BY calendar_id) s ON s.calendar_id = c.id
         LEFT JOIN (SELECT resource_id, COUNT(*) AS n FROM calendar_resource_groups WHERE instance_id = ")
        .push_bind(instance.0)
        .push(" AND group_id");
    push_in_list(q, groups());
    q.push(" GROUP BY resource_id) rg ON rg.resource_id = c.resource_id WHERE c.instance_id = ")
        .push_bind(instance.0);
}

/// What a list may contain, decided by the policy; the store turns it into the WHERE clause.
#[derive(Clone, Copy, Debug)]
pub struct ListScope {
    /// Own personal calendars and personal calendars shared with the viewer.
    pub personal: bool,
    /// Calendars of the viewer's groups.
    pub groups: bool,
    pub school: bool,
    pub resources: bool,
}

/// Every calendar the scope allows for the viewer, in one statement: own personal, shared
/// with the viewer (directly or through a group), the viewer's groups', the school's, and
/// the resources.
pub async fn visible(
    c: &mut impl AsConn,
    instance: InstanceId,
    v: &Viewer<'_>,
    scope: ListScope,
) -> Result<Vec<CalendarRow>, StoreError> {
    let groups = || std::iter::once(Uuid::nil()).chain(v.groups.iter().map(|g| g.0));
    let r = on!(c, c => {
        let mut q = sqlx::QueryBuilder::new(select!());
        push_viewer_joins(&mut q, instance, v);
        q.push(" AND (1 = 0");
        if scope.personal {
            q.push(" OR (c.kind = 'personal' AND (c.owner_id = ").push_bind(v.user.0)
                .push(" OR s.lvl IS NOT NULL))");
        }
        if scope.groups {
            q.push(" OR (c.kind = 'group' AND c.group_id");
            push_in_list(&mut q, groups());
            q.push(")");
        }
        if scope.school {
            q.push(" OR c.kind = 'school'");
        }
        if scope.resources {
            q.push(" OR c.kind = 'resource'");
        }
        q.push(") ORDER BY c.kind, c.name, c.id");
        let rows = q.build().fetch_all(&mut *c).await?;
        rows.iter().map(|r| read_row!(r)).collect::<Result<Vec<_>, sqlx::Error>>()
    })?;
    Ok(r)
}

/// One calendar with the viewer's shares and booking rights.
pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    v: &Viewer<'_>,
    id: CalendarId,
) -> Result<Option<CalendarRow>, StoreError> {
    let r = on!(c, c => {
        let mut q = sqlx::QueryBuilder::new(select!());
        push_viewer_joins(&mut q, instance, v);
        q.push(" AND c.id = ").push_bind(id.0);
        let row = q.build().fetch_optional(&mut *c).await?;
        row.as_ref().map(|r| read_row!(r)).transpose()
    })?;
    Ok(r)
}

/// The calendar of a group or a resource, or the school's, by its owner.
pub async fn id_of(
    c: &mut impl AsConn,
    instance: InstanceId,
    kind: &str,
    group: Option<GroupId>,
    resource: Option<ResourceId>,
) -> Result<Option<CalendarId>, StoreError> {
    let r: Option<(Uuid,)> = on!(c, c => sqlx::query_as(
        "SELECT id FROM calendars WHERE instance_id = $1 AND kind = $2
         AND (group_id = $3 OR (group_id IS NULL AND $3 IS NULL))
         AND (resource_id = $4 OR (resource_id IS NULL AND $4 IS NULL)) AND owner_id IS NULL")
        .bind(instance.0).bind(kind).bind(group.map(|g| g.0)).bind(resource.map(|r| r.0))
        .fetch_optional(&mut *c).await)?;
    Ok(r.map(|(id,)| CalendarId(id)))
}

/// The personal calendars of a login (free/busy reads all of them).
pub async fn personal_of(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
) -> Result<Vec<CalendarId>, StoreError> {
    let r: Vec<(Uuid,)> = on!(c, c => sqlx::query_as(
        "SELECT id FROM calendars WHERE instance_id = $1 AND kind = 'personal' AND owner_id = $2")
        .bind(instance.0).bind(owner.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(|(id,)| CalendarId(id)).collect())
}

pub struct NewCalendar<'a> {
    pub id: CalendarId,
    pub kind: &'a str,
    pub owner: Option<UserId>,
    pub group: Option<GroupId>,
    pub resource: Option<ResourceId>,
    pub slug: &'a str,
    pub name: &'a str,
    pub colour: &'a str,
    pub description: &'a str,
}

/// Makes a calendar unless one of its kind exists already for the same owner (a second node
/// making the same group calendar at once). Returns whether it was made.
pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    n: &NewCalendar<'_>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = on!(c, c => sqlx::query(
        "INSERT INTO calendars (instance_id, id, kind, owner_id, group_id, resource_id, slug, name, colour,
            description, modseq, tombstone_floor, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, 0, $11) ON CONFLICT DO NOTHING")
        .bind(instance.0).bind(n.id.0).bind(n.kind).bind(n.owner.map(|u| u.0))
        .bind(n.group.map(|g| g.0)).bind(n.resource.map(|r| r.0)).bind(n.slug).bind(n.name)
        .bind(n.colour).bind(n.description).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Counts one change in the calendar; returns the new modseq for the changed row.
pub async fn bump(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: CalendarId,
) -> Result<i64, StoreError> {
    let r: Option<(i64,)> = on!(c, c => sqlx::query_as(
        "UPDATE calendars SET modseq = modseq + 1 WHERE instance_id = $1 AND id = $2 RETURNING modseq")
        .bind(instance.0).bind(id.0).fetch_optional(&mut *c).await)?;
    r.map(|(m,)| m)
        .ok_or_else(|| StoreError::Corrupt("calendar vanished".into()))
}

/// Renames a calendar, sets its colour and description; counts as a change.
pub async fn update(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: CalendarId,
    name: &str,
    colour: &str,
    description: &str,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE calendars SET name = $3, colour = $4, description = $5, modseq = modseq + 1
         WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).bind(name).bind(colour).bind(description)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: CalendarId,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("DELETE FROM calendars WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Which of these groups have no calendar yet (they are made lazily).
pub async fn groups_without(
    c: &mut impl AsConn,
    instance: InstanceId,
    groups: &[GroupId],
) -> Result<Vec<GroupId>, StoreError> {
    if groups.is_empty() {
        return Ok(vec![]);
    }
    let have: Vec<(Uuid,)> = on!(c, c => {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT group_id FROM calendars WHERE kind = 'group' AND instance_id = ");
        q.push_bind(instance.0).push(" AND group_id");
        push_in_list(&mut q, groups.iter().map(|g| g.0));
        q.build_query_as().fetch_all(&mut *c).await
    })?;
    Ok(groups
        .iter()
        .copied()
        .filter(|g| !have.iter().any(|(h,)| *h == g.0))
        .collect())
}

/// The names of groups, for their calendars' names.
pub async fn group_names(
    c: &mut impl AsConn,
    instance: InstanceId,
    groups: &[GroupId],
) -> Result<Vec<(GroupId, String)>, StoreError> {
    if groups.is_empty() {
        return Ok(vec![]);
    }
    let r: Vec<(Uuid, String)> = on!(c, c => {
        let mut q = sqlx::QueryBuilder::new("SELECT id, name FROM user_groups WHERE instance_id = ");
        q.push_bind(instance.0).push(" AND id");
        push_in_list(&mut q, groups.iter().map(|g| g.0));
        q.build_query_as().fetch_all(&mut *c).await
    })?;
    Ok(r.into_iter().map(|(id, n)| (GroupId(id), n)).collect())
}
