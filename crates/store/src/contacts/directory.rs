//! The people the school address book is generated from. Who a viewer sees is part of the
//! WHERE clause (the policy's `DirectoryScope`, passed in as plain values); only names,
//! official addresses and shared groups are read, never private data.

use chrono::{DateTime, Utc};
use schulhof_types::{AccountType, GroupId, InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, from_us, on};

/// Who may appear, as the policy decided it.
#[derive(Clone, Copy, Debug)]
pub struct Visible<'a> {
    pub instance: InstanceId,
    /// Account types shown school-wide.
    pub everyone: &'a [AccountType],
    /// Account types shown when they are in one of `groups`.
    pub in_own_groups: &'a [AccountType],
    /// Only groups of kind `klasse` count for `in_own_groups`.
    pub classes_only: bool,
    /// The viewer's groups.
    pub groups: &'a [GroupId],
    /// Only this person (a single card).
    pub only: Option<UserId>,
}

/// One person of the school address book.
#[derive(Clone, Debug)]
pub struct PersonRow {
    pub id: UserId,
    pub first_name: String,
    pub last_name: String,
    pub mail: String,
    pub kind: String,
    pub updated_at: DateTime<Utc>,
}

type Raw = (Uuid, String, String, String, String, i64);

fn push_kinds<DB: sqlx::Database>(q: &mut sqlx::QueryBuilder<DB>, kinds: &[AccountType])
where
    for<'e> &'e str: sqlx::Encode<'e, DB> + sqlx::Type<DB>,
{
    q.push("u.kind IN (");
    let mut s = q.separated(", ");
    for k in kinds {
        s.push_bind(k.as_str());
    }
    q.push(")");
}

/// The WHERE clause of the visible people whose search text contains `pattern`.
fn push_where<DB: sqlx::Database>(q: &mut sqlx::QueryBuilder<DB>, v: Visible<'_>, pattern: &str)
where
    Uuid: for<'e> sqlx::Encode<'e, DB> + sqlx::Type<DB>,
    for<'e> &'e str: sqlx::Encode<'e, DB> + sqlx::Type<DB>,
    bool: for<'e> sqlx::Encode<'e, DB> + sqlx::Type<DB>,
{
    q.push(" FROM users u WHERE u.instance_id = ")
        .push_bind(v.instance.0)
        .push(" AND u.active = ")
        .push_bind(true)
        .push(" AND u.function_role IS NULL AND (");
    if v.everyone.is_empty() {
        q.push("1 = 0");
    } else {
        push_kinds(q, v.everyone);
    }
    if !v.in_own_groups.is_empty() && !v.groups.is_empty() {
        q.push(" OR (");
        push_kinds(q, v.in_own_groups);
        q.push(
            " AND EXISTS (SELECT 1 FROM memberships m JOIN user_groups g
               ON g.instance_id = m.instance_id AND g.id = m.group_id
               WHERE m.instance_id = u.instance_id AND m.user_id = u.id AND g.archived_at IS NULL",
        );
        if v.classes_only {
            q.push(" AND g.kind = 'klasse'");
        }
        q.push(" AND m.group_id");
        crate::push_in_list(q, v.groups.iter().map(|g| g.0));
        q.push("))");
    }
    q.push(")");
    if let Some(id) = v.only {
        q.push(" AND u.id = ").push_bind(id.0);
    }
    q.push(" AND u.search_text LIKE ")
        .push_bind(pattern)
        .push(" ESCAPE '\\'");
}

fn like_pattern(q: &str) -> String {
    let escaped: String = q
        .chars()
        .flat_map(|ch| {
            let esc = matches!(ch, '%' | '_' | '\\').then_some('\\');
            esc.into_iter().chain(std::iter::once(ch))
        })
        .collect();
    format!("%{escaped}%")
}

/// A page of the visible people whose name, login or address contains `query` (lower case;
/// empty: everyone), by name; `limit` `None` for all of them. And how many match in all.
pub async fn people(
    c: &mut impl AsConn,
    v: Visible<'_>,
    query: &str,
    limit: Option<i64>,
    offset: i64,
) -> Result<(Vec<PersonRow>, i64), StoreError> {
    let pattern = like_pattern(query);
    let rows: Vec<Raw> = on!(c, c => {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT u.id, u.first_name, u.last_name, u.mail, u.kind, u.updated_at");
        push_where(&mut q, v, &pattern);
        q.push(" ORDER BY u.last_name, u.first_name, u.id");
        if let Some(limit) = limit {
            q.push(" LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
        }
        q.build_query_as::<Raw>().fetch_all(&mut *c).await
    })?;
    let total = match limit {
        Some(l) if rows.len() as i64 >= l || offset > 0 => {
            let (n,): (i64,) = on!(c, c => {
                let mut q = sqlx::QueryBuilder::new("SELECT CAST(COUNT(*) AS BIGINT)");
                push_where(&mut q, v, &pattern);
                q.build_query_as::<(i64,)>().fetch_one(&mut *c).await
            })?;
            n
        }
        _ => rows.len() as i64,
    };
    let people = rows
        .into_iter()
        .map(|r| PersonRow {
            id: UserId(r.0),
            first_name: r.1,
            last_name: r.2,
            mail: r.3,
            kind: r.4,
            updated_at: from_us(r.5),
        })
        .collect();
    Ok((people, total))
}

/// For each of `people`, the groups among `groups` (the viewer's) it is a member of, by
/// name: (person, group id, group name). One statement for the whole page.
pub async fn shared_groups(
    c: &mut impl AsConn,
    instance: InstanceId,
    people: &[UserId],
    groups: &[GroupId],
) -> Result<Vec<(UserId, GroupId, String)>, StoreError> {
    if people.is_empty() || groups.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for chunk in people.chunks(500) {
        let rows: Vec<(Uuid, Uuid, String)> = on!(c, c => {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT m.user_id, g.id, g.name FROM memberships m JOIN user_groups g
                   ON g.instance_id = m.instance_id AND g.id = m.group_id
                 WHERE g.archived_at IS NULL AND m.instance_id = ");
            q.push_bind(instance.0).push(" AND m.group_id");
            crate::push_in_list(&mut q, groups.iter().map(|g| g.0));
            q.push(" AND m.user_id");
            crate::push_in_list(&mut q, chunk.iter().map(|u| u.0));
            q.push(" ORDER BY g.name_key");
            q.build_query_as::<(Uuid, Uuid, String)>().fetch_all(&mut *c).await
        })?;
        out.extend(rows.into_iter().map(|(u, g, n)| (UserId(u), GroupId(g), n)));
    }
    Ok(out)
}
