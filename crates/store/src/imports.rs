//! What an import needs from the database: the persons, groups and memberships of one
//! source, and bulk writes. Bulk statements keep a 2,000-person import to a few dozen
//! round trips.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use schulhof_types::{GroupId, InstanceId, UserId};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::users::UserRow;
use crate::{AsConn, StoreError, on, to_us};

/// Rows per multi-row INSERT: well below both backends' limits on bound parameters.
const CHUNK: usize = 400;

/// An imported person as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourcePerson {
    pub id: UserId,
    pub source_id: String,
    pub login: String,
    pub mail: String,
    pub kind: String,
    pub first_name: String,
    pub last_name: String,
    pub birthday: Option<String>,
    pub class_label: Option<String>,
    pub active: bool,
    pub marked_for_deletion: bool,
}

/// A group of the school as an import sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupRef {
    pub id: GroupId,
    pub name: String,
    pub kind: String,
    pub source: Option<String>,
    pub source_id: Option<String>,
}

/// The import fields of a person.
#[derive(Clone, Debug)]
pub struct Imported {
    pub source: String,
    pub source_id: String,
    pub birthday: Option<String>,
    pub class_label: Option<String>,
}

type PersonRaw = (
    Uuid,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    bool,
    Option<i64>,
);

/// Every person of `source` in the school.
pub async fn source_persons(
    c: &mut impl AsConn,
    instance: InstanceId,
    source: &str,
) -> Result<Vec<SourcePerson>, StoreError> {
    let r: Vec<PersonRaw> = on!(c, c => sqlx::query_as(
        "SELECT id, source_id, login, mail, kind, first_name, last_name, birthday, class_label,
                active, marked_for_deletion_at
         FROM users WHERE instance_id = $1 AND source = $2")
        .bind(instance.0).bind(source).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|r| SourcePerson {
            id: UserId(r.0),
            source_id: r.1,
            login: r.2,
            mail: r.3,
            kind: r.4,
            first_name: r.5,
            last_name: r.6,
            birthday: r.7,
            class_label: r.8,
            active: r.9,
            marked_for_deletion: r.10.is_some(),
        })
        .collect())
}

/// Every current (not archived) group of the school.
pub async fn current_groups(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<Vec<GroupRef>, StoreError> {
    type Raw = (Uuid, String, String, Option<String>, Option<String>);
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(
        "SELECT id, name, kind, source, source_id FROM user_groups
         WHERE instance_id = $1 AND archived_at IS NULL")
        .bind(instance.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(id, name, kind, source, source_id)| GroupRef {
            id: GroupId(id),
            name,
            kind,
            source,
            source_id,
        })
        .collect())
}

/// The names of every group, archived or not, lower-cased: new groups must avoid them.
pub async fn group_name_keys(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<HashSet<String>, StoreError> {
    let r: Vec<(String,)> = on!(c, c => sqlx::query_as(
        "SELECT name_key FROM user_groups WHERE instance_id = $1")
        .bind(instance.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(|(k,)| k).collect())
}

/// The memberships of the persons of `source`, as (group, user), archived groups included
/// (the caller knows the current ones). One join only: with fresh, unanalysed statistics
/// after a bulk import, PostgreSQL otherwise crosses every person with every group.
pub async fn source_memberships(
    c: &mut impl AsConn,
    instance: InstanceId,
    source: &str,
) -> Result<Vec<(GroupId, UserId)>, StoreError> {
    let r: Vec<(Uuid, Uuid)> = on!(c, c => sqlx::query_as(
        "SELECT m.group_id, m.user_id FROM memberships m
         JOIN users u ON u.instance_id = m.instance_id AND u.id = m.user_id
         WHERE m.instance_id = $1 AND u.source = $2")
        .bind(instance.0).bind(source).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(g, u)| (GroupId(g), UserId(u)))
        .collect())
}

/// Every login and standard mail address of the school, to allocate new ones in memory.
pub async fn taken_logins_and_mails(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<(HashSet<String>, HashSet<String>), StoreError> {
    let r: Vec<(String, String)> = on!(c, c => sqlx::query_as(
        "SELECT login, mail FROM users WHERE instance_id = $1")
        .bind(instance.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().unzip())
}

/// Inserts new imported persons in multi-row statements.
pub async fn insert_persons(
    c: &mut impl AsConn,
    rows: &[(UserRow, Imported)],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let now = to_us(now);
    for chunk in rows.chunks(CHUNK) {
        on!(c, c => {
            let mut q = QueryBuilder::new(
                "INSERT INTO users (instance_id, id, login, kind, function_role, holder_id,
                 first_name, last_name, mail, external_mail, password_hash, must_change_password,
                 active, deactivated_at, search_text, created_at, updated_at, source, source_id,
                 birthday, class_label, marked_for_deletion_at) ");
            q.push_values(chunk, |mut b, (u, i)| {
                b.push_bind(u.instance_id.0).push_bind(u.id.0).push_bind(u.login.clone())
                    .push_bind(u.kind.clone()).push_bind(None::<String>).push_bind(None::<Uuid>)
                    .push_bind(u.first_name.clone()).push_bind(u.last_name.clone())
                    .push_bind(u.mail.clone()).push_bind(u.external_mail.clone())
                    .push_bind(u.password_hash.clone()).push_bind(u.must_change_password)
                    .push_bind(u.active).push_bind(None::<i64>)
                    .push_bind(crate::users::search_text(u)).push_bind(now).push_bind(now)
                    .push_bind(i.source.clone()).push_bind(i.source_id.clone())
                    .push_bind(i.birthday.clone()).push_bind(i.class_label.clone())
                    .push_bind(None::<i64>);
            });
            q.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// The fields an import changes on an existing person.
#[derive(Clone, Debug)]
pub struct PersonUpdate {
    pub id: UserId,
    pub first_name: String,
    pub last_name: String,
    pub birthday: Option<String>,
    pub class_label: Option<String>,
    pub search_text: String,
}

/// Updates many persons in multi-row statements: a class promotion changes most of a
/// school at once.
pub async fn update_persons(
    c: &mut impl AsConn,
    instance: InstanceId,
    rows: &[PersonUpdate],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for chunk in rows.chunks(CHUNK) {
        on!(c, c => {
            let mut q = QueryBuilder::new(
                "WITH v(id, first_name, last_name, birthday, class_label, search_text) AS (");
            q.push_values(chunk, |mut b, u| {
                b.push_bind(u.id.0).push_bind(u.first_name.clone()).push_bind(u.last_name.clone())
                    .push_bind(u.birthday.clone()).push_bind(u.class_label.clone())
                    .push_bind(u.search_text.clone());
            });
            q.push(") UPDATE users SET first_name = v.first_name, last_name = v.last_name, \
                    birthday = v.birthday, class_label = v.class_label, \
                    search_text = v.search_text, updated_at = ")
                .push_bind(to_us(now))
                .push(" FROM v WHERE users.instance_id = ").push_bind(instance.0)
                .push(" AND users.id = v.id");
            q.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Marks persons for deletion (`Some(now)`) or clears the mark (`None`). Clearing the mark
/// of an account deactivated since it was marked (the admin confirmed the deletion)
/// activates it again; one deactivated before the mark stays deactivated.
pub async fn set_marked(
    c: &mut impl AsConn,
    instance: InstanceId,
    ids: &[UserId],
    at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for chunk in ids.chunks(CHUNK) {
        on!(c, c => {
            let mut q = QueryBuilder::new("UPDATE users SET ");
            match at {
                Some(at) => {
                    q.push("marked_for_deletion_at = ").push_bind(to_us(at));
                }
                None => {
                    q.push(
                        "active = CASE WHEN deactivated_at > marked_for_deletion_at THEN ",
                    )
                    .push_bind(true)
                    .push(
                        " ELSE active END, deactivated_at = CASE WHEN deactivated_at > \
                         marked_for_deletion_at THEN NULL ELSE deactivated_at END, \
                         marked_for_deletion_at = NULL",
                    );
                }
            }
            q.push(", updated_at = ").push_bind(to_us(now));
            q.push(" WHERE instance_id = ").push_bind(instance.0).push(" AND id");
            crate::push_in_list(&mut q, chunk.iter().map(|id| id.0));
            q.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// A group an import creates.
#[derive(Clone, Debug)]
pub struct NewGroup {
    pub id: GroupId,
    pub name: String,
    pub kind: String,
    pub source: String,
    pub source_id: String,
    pub school_year: Option<String>,
}

pub async fn insert_groups(
    c: &mut impl AsConn,
    instance: InstanceId,
    groups: &[NewGroup],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let now = to_us(now);
    for chunk in groups.chunks(CHUNK) {
        on!(c, c => {
            let mut q = QueryBuilder::new(
                "INSERT INTO user_groups (instance_id, id, name, name_key, kind, description,
                 created_at, source, source_id, school_year, archived_at) ");
            q.push_values(chunk, |mut b, g| {
                b.push_bind(instance.0).push_bind(g.id.0).push_bind(g.name.clone())
                    .push_bind(crate::groups::name_key(&g.name)).push_bind(g.kind.clone())
                    .push_bind(String::new()).push_bind(now).push_bind(g.source.clone())
                    .push_bind(g.source_id.clone()).push_bind(g.school_year.clone())
                    .push_bind(None::<i64>);
            });
            q.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

pub async fn rename_group(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: GroupId,
    name: &str,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE user_groups SET name = $3, name_key = $4 WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).bind(name).bind(crate::groups::name_key(name))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Adds (group, user) memberships; existing ones stay as they are.
pub async fn insert_memberships(
    c: &mut impl AsConn,
    instance: InstanceId,
    pairs: &[(GroupId, UserId)],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let now = to_us(now);
    for chunk in pairs.chunks(CHUNK * 2) {
        on!(c, c => {
            let mut q = QueryBuilder::new(
                "INSERT INTO memberships (instance_id, group_id, user_id, created_at) ");
            q.push_values(chunk, |mut b, (g, u)| {
                b.push_bind(instance.0).push_bind(g.0).push_bind(u.0).push_bind(now);
            });
            q.push(" ON CONFLICT (instance_id, group_id, user_id) DO NOTHING");
            q.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

pub async fn delete_memberships(
    c: &mut impl AsConn,
    instance: InstanceId,
    pairs: &[(GroupId, UserId)],
) -> Result<(), StoreError> {
    for chunk in pairs.chunks(CHUNK) {
        on!(c, c => {
            let mut q = QueryBuilder::new("DELETE FROM memberships WHERE instance_id = ");
            q.push_bind(instance.0).push(" AND (group_id, user_id) IN (VALUES ");
            let mut s = q.separated(", ");
            for (g, u) in chunk {
                s.push("(").push_bind_unseparated(g.0).push_unseparated(", ")
                    .push_bind_unseparated(u.0).push_unseparated(")");
            }
            q.push(")");
            q.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Refreshes the planner's statistics after a bulk import, so the next queries of the
/// school (logins, lists, the next import) are planned for the tables' real size.
pub async fn analyze(c: &mut impl AsConn) -> Result<(), StoreError> {
    on!(c, c => sqlx::raw_sql("ANALYZE users; ANALYZE memberships; ANALYZE user_groups")
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
