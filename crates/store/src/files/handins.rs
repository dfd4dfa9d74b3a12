//! Hand-in folders: a drop folder's deadline, its hand-ins with who handed them in, and who
//! was asked to hand in, and the names of a listing's submitters. Each is one statement,
//! however many students and hand-ins there are.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, NodeId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, from_us, on, to_us};

/// A login as a hand-in overview names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonRow {
    pub id: UserId,
    pub login: String,
    pub first_name: String,
    pub last_name: String,
    /// The account type (`schueler`, `lehrer`, …).
    pub kind: String,
}

/// One entry of a drop folder with who put it there.
#[derive(Clone, Debug)]
pub struct HandinRow {
    pub id: NodeId,
    pub name: String,
    pub is_dir: bool,
    pub size: i64,
    pub mime: Option<String>,
    /// When it was handed in or last changed.
    pub modified_at: DateTime<Utc>,
    /// The submitter, if the login still exists (`None` for uploads through a link).
    pub by: Option<PersonRow>,
}

/// A login that was asked to hand in, through the group `group`.
#[derive(Clone, Debug)]
pub struct ExpectedRow {
    pub group: String,
    pub person: PersonRow,
}

/// The deadline of a folder (`None`: none set).
pub async fn deadline(
    c: &mut impl AsConn,
    instance: InstanceId,
    folder: NodeId,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let r: Option<(Option<i64>,)> = on!(c, c => sqlx::query_as(
        "SELECT deadline FROM file_handins WHERE instance_id = $1 AND node_id = $2")
        .bind(instance.0).bind(folder.0).fetch_optional(&mut *c).await)?;
    Ok(r.and_then(|(d,)| d).map(from_us))
}

/// Sets or clears the deadline of a folder.
pub async fn set_deadline(
    c: &mut impl AsConn,
    instance: InstanceId,
    folder: NodeId,
    deadline: Option<DateTime<Utc>>,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO file_handins (instance_id, node_id, deadline, set_by, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (instance_id, node_id)
         DO UPDATE SET deadline = excluded.deadline, set_by = excluded.set_by, updated_at = excluded.updated_at")
        .bind(instance.0).bind(folder.0).bind(deadline.map(to_us)).bind(by.0).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

type HandinRaw = (
    Uuid,
    String,
    bool,
    i64,
    Option<String>,
    i64,
    Option<Uuid>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The live entries of a folder with their submitters, oldest first (at the same time: by
/// submitter name); only those `only_by`
/// created when it is set (a student's own view).
pub async fn handins(
    c: &mut impl AsConn,
    instance: InstanceId,
    folder: NodeId,
    only_by: Option<UserId>,
) -> Result<Vec<HandinRow>, StoreError> {
    let rows: Vec<HandinRaw> = on!(c, c => sqlx::query_as(
        "SELECT n.id, n.name, n.is_dir, n.size, n.mime, n.modified_at,
                u.id, u.login, u.first_name, u.last_name, u.kind
         FROM file_nodes n
         LEFT JOIN users u ON u.instance_id = n.instance_id AND u.id = n.created_by
         WHERE n.instance_id = $1 AND n.parent_id = $2 AND n.deleted_at IS NULL
           AND ($3 IS NULL OR n.created_by = $3)
         ORDER BY n.modified_at, u.last_name, u.first_name, n.name")
        .bind(instance.0).bind(folder.0).bind(only_by.map(|u| u.0))
        .fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|r| HandinRow {
            id: NodeId(r.0),
            name: r.1,
            is_dir: r.2,
            size: r.3,
            mime: r.4,
            modified_at: from_us(r.5),
            by: match (r.6, r.7, r.8, r.9, r.10) {
                (Some(id), Some(login), Some(first_name), Some(last_name), Some(kind)) => {
                    Some(PersonRow {
                        id: UserId(id),
                        login,
                        first_name,
                        last_name,
                        kind,
                    })
                }
                _ => None,
            },
        })
        .collect())
}

/// Group name, then the member's id, login, first and last name and account type.
type ExpectedRaw = (String, Uuid, String, String, String, String);

/// The members of the groups that may hand in (a grant of Contributor or more on the folder
/// itself), by group: who the overview expects a hand-in from.
pub async fn expected(
    c: &mut impl AsConn,
    instance: InstanceId,
    folder: NodeId,
) -> Result<Vec<ExpectedRow>, StoreError> {
    let rows: Vec<ExpectedRaw> = on!(c, c => sqlx::query_as(
        "SELECT gr.name, u.id, u.login, u.first_name, u.last_name, u.kind
         FROM file_grants g
         JOIN user_groups gr ON gr.instance_id = g.instance_id AND gr.id = g.subject_group
         JOIN memberships m ON m.instance_id = g.instance_id AND m.group_id = g.subject_group
         JOIN users u ON u.instance_id = m.instance_id AND u.id = m.user_id
         WHERE g.instance_id = $1 AND g.node_id = $2 AND g.subject_kind = 'g' AND g.role >= 2
           AND u.active = TRUE
         ORDER BY gr.name, u.last_name, u.first_name, u.login")
        .bind(instance.0).bind(folder.0).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|r| ExpectedRow {
            group: r.0,
            person: PersonRow {
                id: UserId(r.1),
                login: r.2,
                first_name: r.3,
                last_name: r.4,
                kind: r.5,
            },
        })
        .collect())
}

/// The logins among `ids` that still exist, for naming who handed in the entries of a
/// listed drop folder: one statement per 400 distinct submitters (SQLite's bind limit),
/// not one per submitter.
pub async fn people(
    c: &mut impl AsConn,
    instance: InstanceId,
    ids: &[UserId],
) -> Result<Vec<PersonRow>, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(400) {
        let rows: Vec<(Uuid, String, String, String, String)> = on!(c, c => {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT id, login, first_name, last_name, kind FROM users WHERE instance_id = ");
            q.push_bind(instance.0).push(" AND id");
            crate::push_in_list(&mut q, chunk.iter().map(|id| id.0));
            q.build_query_as().fetch_all(&mut *c).await
        })?;
        out.extend(rows.into_iter().map(|r| PersonRow {
            id: UserId(r.0),
            login: r.1,
            first_name: r.2,
            last_name: r.3,
            kind: r.4,
        }));
    }
    Ok(out)
}
