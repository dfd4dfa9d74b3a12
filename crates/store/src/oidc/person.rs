//! A person as they act now, in one round trip: the login, its school, whether its private
//! areas are on hold, its groups and every right granted to it directly or through them.
//! Two keys: the login's id (a grant's person at the token and userinfo endpoints, and
//! every actor made without a session: share links, feeds, deliveries) and a platform
//! session (the authorization endpoint, which needs none of what the web shell shows).
//! The SSO endpoints run for every tool login of a whole school at 08:00; every statement
//! saved there counts.

use chrono::{DateTime, Utc};
use schulhof_types::{GroupId, InstanceId, UserId};
use sqlx::Row;
use uuid::Uuid;

use crate::groups::{GroupRow, name_key};
use crate::users::{self, UserRow};
use crate::{AsConn, StoreError, from_us, on, user_cols};

/// A login with what an actor needs of its school, groups and rights.
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

/// A platform session with its person, as acting needs it (no unread counts, no form of
/// address: nothing a page shows).
#[derive(Clone, Debug)]
pub struct SessionPerson {
    /// The login, active or not (the caller ends the session of an inactive one).
    pub person: PersonRow,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Highest consent version the login accepted and has not revoked.
    pub consented_version: Option<i64>,
    /// The school's current consent text version.
    pub current_version: Option<i64>,
}

/// The statement, by who it is for: tag 0 the login (columns 1 to 14, its school 15 to 18,
/// the hold 19, the session 20 to 24), 1 a group, 2 a right (25 to 28). `$session` gives
/// the five session columns, `$from` the login's FROM and WHERE, `$who` the login's id for
/// the group and right parts. The first part's NULLs are typed: PostgreSQL types a UNION's
/// columns pairwise.
macro_rules! person_sql {
    ($session:literal, $from:literal, $who:literal) => {
        concat!(
            "SELECT CAST(0 AS BIGINT), ",
            user_cols!(),
            ", i.school_number, i.name, i.demo, i.time_zone,
               EXISTS (SELECT 1 FROM private_holds h
                        WHERE h.instance_id = u.instance_id AND h.user_id = u.id), ",
            $session,
            ", CAST(NULL AS UUID), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT) ",
            $from,
            "
           UNION ALL
           SELECT CAST(1 AS BIGINT), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                  NULL, NULL, NULL, NULL, NULL,
                  g.id, g.name, g.kind, g.description
             FROM user_groups g
             JOIN memberships m ON m.instance_id = g.instance_id AND m.group_id = g.id
            WHERE m.instance_id = $1 AND m.user_id = ",
            $who,
            " AND g.archived_at IS NULL
           UNION ALL
           SELECT CAST(2 AS BIGINT), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                  NULL, NULL, NULL, NULL, NULL,
                  NULL, r.right_id, NULL, NULL
             FROM right_grants r
            WHERE r.instance_id = $1 AND ((r.subject_kind = 'user' AND r.subject_id = ",
            $who,
            ")
               OR (r.subject_kind = 'group' AND r.subject_id IN
                   (SELECT m2.group_id FROM memberships m2 JOIN user_groups g2
                      ON g2.instance_id = m2.instance_id AND g2.id = m2.group_id
                     WHERE m2.instance_id = $1 AND m2.user_id = ",
            $who,
            " AND g2.archived_at IS NULL)))"
        )
    };
}

/// By the login's id (`$2`): active logins only.
const BY_USER: &str = person_sql!(
    "CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
     CAST(NULL AS BIGINT)",
    "FROM users u JOIN instances i ON i.id = u.instance_id
    WHERE u.instance_id = $1 AND u.id = $2 AND u.active",
    "$2"
);

/// By the hash of a session's token (`$2`), in a school not deactivated (as
/// `sessions::lookup`).
const BY_SESSION: &str = person_sql!(
    "s.created_at, s.last_seen_at, s.expires_at,
     (SELECT MAX(k.version) FROM consents k
       WHERE k.instance_id = s.instance_id AND k.user_id = s.user_id AND k.revoked_at IS NULL),
     (SELECT MAX(t.version) FROM consent_texts t WHERE t.instance_id = s.instance_id)",
    "FROM sessions s JOIN users u ON u.instance_id = s.instance_id AND u.id = s.user_id
     JOIN instances i ON i.id = s.instance_id
    WHERE s.instance_id = $1 AND s.token_hash = $2 AND i.deactivated_at IS NULL",
    "(SELECT s2.user_id FROM sessions s2 WHERE s2.instance_id = $1 AND s2.token_hash = $2)"
);

/// What one row says.
enum Part {
    /// The login and its session's five columns (all NULL when read by id).
    Login(Box<PersonRow>, [Option<i64>; 5]),
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
                let person = PersonRow {
                    user: users::row(raw),
                    school_number: r.try_get(15)?,
                    school_name: r.try_get(16)?,
                    demo: r.try_get(17)?,
                    time_zone: r.try_get(18)?,
                    held: r.try_get(19)?,
                    groups: Vec::new(),
                    rights: Vec::new(),
                };
                let session = [
                    r.try_get(20)?,
                    r.try_get(21)?,
                    r.try_get(22)?,
                    r.try_get(23)?,
                    r.try_get(24)?,
                ];
                Part::Login(Box::new(person), session)
            }
            1 => {
                let id: Uuid = r.try_get(25)?;
                Part::Group(GroupRow {
                    instance_id: $instance,
                    id: GroupId(id),
                    name: r.try_get(26)?,
                    kind: r.try_get(27)?,
                    description: r.try_get(28)?,
                })
            }
            _ => Part::Right(r.try_get(26)?),
        }
    }};
}

/// Who the statement is for.
enum Key<'a> {
    User(Uuid),
    Session(&'a [u8]),
}

/// Runs the statement for `key` and puts the rows together: the login (if there is one)
/// with its groups and rights, and its session's columns.
async fn read(
    c: &mut impl AsConn,
    instance: InstanceId,
    key: Key<'_>,
) -> Result<Option<(PersonRow, [Option<i64>; 5])>, StoreError> {
    let sql = match key {
        Key::User(_) => BY_USER,
        Key::Session(_) => BY_SESSION,
    };
    let parts = on!(c, c => {
        let q = sqlx::query(sql).bind(instance.0);
        let q = match key {
            Key::User(u) => q.bind(u),
            Key::Session(h) => q.bind(h),
        };
        let rows = q.fetch_all(&mut *c).await?;
        let mut parts = Vec::with_capacity(rows.len());
        for r in &rows {
            parts.push(decode!(r, instance));
        }
        parts
    });
    let (mut login, mut groups, mut rights) = (None, Vec::new(), Vec::new());
    for p in parts {
        match p {
            Part::Login(p, s) => login = Some((*p, s)),
            Part::Group(g) => groups.push(g),
            Part::Right(r) => rights.push(r),
        }
    }
    Ok(login.map(|(mut p, s)| {
        groups.sort_by_key(|g| name_key(&g.name));
        p.groups = groups;
        p.rights = rights;
        (p, s)
    }))
}

/// The login `user` of `instance` if it is active (a deactivated or deleted one ends
/// every grant: `None`).
pub async fn active_person(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<Option<PersonRow>, StoreError> {
    Ok(read(c, instance, Key::User(user.0)).await?.map(|(p, _)| p))
}

/// The session whose token hashes to `token_hash` with its login (active or not), if the
/// session exists and its school is not deactivated.
pub async fn session_person(
    c: &mut impl AsConn,
    instance: InstanceId,
    token_hash: &[u8],
) -> Result<Option<SessionPerson>, StoreError> {
    let Some((person, s)) = read(c, instance, Key::Session(token_hash)).await? else {
        return Ok(None);
    };
    let [Some(created), Some(seen), Some(expires), consented, current] = s else {
        return Err(StoreError::Corrupt("a session without its times".into()));
    };
    Ok(Some(SessionPerson {
        person,
        created_at: from_us(created),
        last_seen_at: from_us(seen),
        expires_at: from_us(expires),
        consented_version: consented,
        current_version: current,
    }))
}
