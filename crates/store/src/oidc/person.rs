//! The person a grant stands for, as the token and userinfo endpoints need them, in one
//! round trip: the login, its school, whether its private areas are on hold, its groups
//! and every right granted to it directly or through them. Both endpoints run for every
//! tool login of a whole school at 08:00; every statement saved there counts.

use schulhof_types::{GroupId, InstanceId, UserId};
use sqlx::Row;
use uuid::Uuid;

use crate::groups::{GroupRow, name_key};
use crate::users::{self, UserRow};
use crate::{AsConn, StoreError, on, user_cols};

/// An active login with what an actor needs of its school, groups and rights.
#[derive(Clone, Debug)]
pub struct PersonRow {
    pub user: UserRow,
    pub school_number: String,
    pub school_name: String,
    pub demo: bool,
    /// The school's time zone (an IANA name).
    pub time_zone: String,
    /// A private hold (four-eyes reset) stands on the login's own areas.
    pub held: bool,
    /// Its groups (not archived), sorted by name.
    pub groups: Vec<GroupRow>,
    /// The rights granted to it or its groups.
    pub rights: Vec<String>,
}

/// One row of the answer: tag 0 the login (columns 1 to 19), 1 a group, 2 a right (20 to
/// 23). The first part's NULLs are typed: PostgreSQL types a UNION's columns pairwise.
const SQL: &str = concat!(
    "SELECT CAST(0 AS BIGINT), ",
    user_cols!(),
    ", i.school_number, i.name, i.demo, i.time_zone,
       EXISTS (SELECT 1 FROM private_holds h
                WHERE h.instance_id = u.instance_id AND h.user_id = u.id),
       CAST(NULL AS UUID), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT)
     FROM users u JOIN instances i ON i.id = u.instance_id
    WHERE u.instance_id = $1 AND u.id = $2 AND u.active
   UNION ALL
   SELECT CAST(1 AS BIGINT), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
          NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
          g.id, g.name, g.kind, g.description
     FROM user_groups g
     JOIN memberships m ON m.instance_id = g.instance_id AND m.group_id = g.id
    WHERE m.instance_id = $1 AND m.user_id = $2 AND g.archived_at IS NULL
   UNION ALL
   SELECT CAST(2 AS BIGINT), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
          NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
          NULL, r.right_id, NULL, NULL
     FROM right_grants r
    WHERE r.instance_id = $1 AND ((r.subject_kind = 'user' AND r.subject_id = $2)
       OR (r.subject_kind = 'group' AND r.subject_id IN
           (SELECT m2.group_id FROM memberships m2 JOIN user_groups g2
              ON g2.instance_id = m2.instance_id AND g2.id = m2.group_id
             WHERE m2.instance_id = $1 AND m2.user_id = $2 AND g2.archived_at IS NULL)))"
);

/// What one row says.
enum Part {
    Login(Box<PersonRow>),
    Group(GroupRow),
    Right(String),
}

// A macro, not a function: the row types of the two backends differ.
macro_rules! decode {
    ($r:expr, $instance:expr) => {{
        let r = $r;
        let tag: i64 = r.try_get(0)?;
        match tag {
            0 => {
                let raw: users::Raw = (
                    r.try_get(1)?,
                    r.try_get(2)?,
                    r.try_get(3)?,
                    r.try_get(4)?,
                    r.try_get(5)?,
                    r.try_get(6)?,
                    r.try_get(7)?,
                    r.try_get(8)?,
                    r.try_get(9)?,
                    r.try_get(10)?,
                    r.try_get(11)?,
                    r.try_get(12)?,
                    r.try_get(13)?,
                    r.try_get(14)?,
                );
                Part::Login(Box::new(PersonRow {
                    user: users::row(raw),
                    school_number: r.try_get(15)?,
                    school_name: r.try_get(16)?,
                    demo: r.try_get(17)?,
                    time_zone: r.try_get(18)?,
                    held: r.try_get(19)?,
                    groups: Vec::new(),
                    rights: Vec::new(),
                }))
            }
            1 => {
                let id: Uuid = r.try_get(20)?;
                Part::Group(GroupRow {
                    instance_id: $instance,
                    id: GroupId(id),
                    name: r.try_get(21)?,
                    kind: r.try_get(22)?,
                    description: r.try_get(23)?,
                })
            }
            _ => Part::Right(r.try_get(21)?),
        }
    }};
}

/// The login `user` of `instance` if it is active (a deactivated or deleted one ends
/// every grant: `None`).
pub async fn active_person(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<Option<PersonRow>, StoreError> {
    let parts = on!(c, c => {
        let rows = sqlx::query(SQL).bind(instance.0).bind(user.0).fetch_all(&mut *c).await?;
        let mut parts = Vec::with_capacity(rows.len());
        for r in &rows {
            parts.push(decode!(r, instance));
        }
        parts
    });
    let (mut person, mut groups, mut rights) = (None, Vec::new(), Vec::new());
    for p in parts {
        match p {
            Part::Login(p) => person = Some(*p),
            Part::Group(g) => groups.push(g),
            Part::Right(r) => rights.push(r),
        }
    }
    Ok(person.map(|mut p| {
        groups.sort_by_key(|g| name_key(&g.name));
        p.groups = groups;
        p.rights = rights;
        p
    }))
}
