//! Logins: personal accounts and function accounts.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, from_us, on, to_us};

/// A stored login. `kind` is an account type or `function`.
#[derive(Clone, Debug)]
pub struct UserRow {
    pub instance_id: InstanceId,
    pub id: UserId,
    pub login: String,
    pub kind: String,
    pub function_role: Option<String>,
    pub holder_id: Option<UserId>,
    pub first_name: String,
    pub last_name: String,
    pub mail: String,
    pub external_mail: Option<String>,
    pub password_hash: Option<String>,
    pub must_change_password: bool,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

pub(crate) type Raw = (
    Uuid,
    Uuid,
    String,
    String,
    Option<String>,
    Option<Uuid>,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    bool,
    bool,
    i64,
);

pub(crate) fn row(r: Raw) -> UserRow {
    UserRow {
        instance_id: InstanceId(r.0),
        id: UserId(r.1),
        login: r.2,
        kind: r.3,
        function_role: r.4,
        holder_id: r.5.map(UserId),
        first_name: r.6,
        last_name: r.7,
        mail: r.8,
        external_mail: r.9,
        password_hash: r.10,
        must_change_password: r.11,
        active: r.12,
        created_at: from_us(r.13),
    }
}

/// The columns of [`Raw`], for `concat!` into static SQL.
#[macro_export]
#[doc(hidden)]
macro_rules! user_cols {
    () => {
        "u.instance_id, u.id, u.login, u.kind, u.function_role, u.holder_id, u.first_name, \
         u.last_name, u.mail, u.external_mail, u.password_hash, u.must_change_password, u.active, \
         u.created_at"
    };
}

pub(crate) fn search_text(u: &UserRow) -> String {
    format!("{} {} {} {}", u.login, u.first_name, u.last_name, u.mail).to_lowercase()
}

pub async fn insert(
    c: &mut impl AsConn,
    u: &UserRow,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let search = search_text(u);
    on!(c, c => sqlx::query(
        "INSERT INTO users (instance_id, id, login, kind, function_role, holder_id, first_name,
            last_name, mail, external_mail, password_hash, must_change_password, active,
            deactivated_at, search_text, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL, $14, $15, $15)")
        .bind(u.instance_id.0).bind(u.id.0).bind(&u.login).bind(&u.kind).bind(&u.function_role)
        .bind(u.holder_id.map(|h| h.0)).bind(&u.first_name).bind(&u.last_name).bind(&u.mail)
        .bind(&u.external_mail).bind(&u.password_hash).bind(u.must_change_password).bind(u.active)
        .bind(&search).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Changes the editable fields of a login (names, kind, external mail, holder).
pub async fn update_profile(
    c: &mut impl AsConn,
    u: &UserRow,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let search = search_text(u);
    on!(c, c => sqlx::query(
        "UPDATE users SET first_name = $3, last_name = $4, kind = $5, external_mail = $6,
            holder_id = $7, search_text = $8, updated_at = $9
         WHERE instance_id = $1 AND id = $2")
        .bind(u.instance_id.0).bind(u.id.0).bind(&u.first_name).bind(&u.last_name).bind(&u.kind)
        .bind(&u.external_mail).bind(u.holder_id.map(|h| h.0)).bind(&search).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: UserId,
) -> Result<Option<UserRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(concat!(
        "SELECT ", user_cols!(), " FROM users u WHERE u.instance_id = $1 AND u.id = $2"))
        .bind(instance.0).bind(id.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

pub async fn find_by_login(
    c: &mut impl AsConn,
    instance: InstanceId,
    login: &str,
) -> Result<Option<UserRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(concat!(
        "SELECT ", user_cols!(), " FROM users u WHERE u.instance_id = $1 AND u.login = $2"))
        .bind(instance.0).bind(login).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// Finds a login by its name or its standard mail address (both are unique per school).
pub async fn find_by_login_or_mail(
    c: &mut impl AsConn,
    instance: InstanceId,
    name: &str,
) -> Result<Option<UserRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(concat!(
        "SELECT ", user_cols!(), " FROM users u WHERE u.instance_id = $1 AND (u.login = $2 OR u.mail = $2)"))
        .bind(instance.0).bind(name).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// Mail addresses of the school starting with `prefix` — to pick the next free counter.
pub async fn mails_with_prefix(
    c: &mut impl AsConn,
    instance: InstanceId,
    prefix: &str,
) -> Result<Vec<String>, StoreError> {
    let pattern = format!("{}%", escape_like(prefix));
    let r: Vec<(String,)> = on!(c, c => sqlx::query_as(
        "SELECT mail FROM users WHERE instance_id = $1 AND mail LIKE $2 ESCAPE '\\'")
        .bind(instance.0).bind(&pattern).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(|(m,)| m).collect())
}

pub async fn login_exists(
    c: &mut impl AsConn,
    instance: InstanceId,
    login: &str,
) -> Result<bool, StoreError> {
    let r: Option<(i64,)> = on!(c, c => sqlx::query_as(
        "SELECT CAST(1 AS BIGINT) FROM users WHERE instance_id = $1 AND login = $2")
        .bind(instance.0).bind(login).fetch_optional(&mut *c).await)?;
    Ok(r.is_some())
}

pub async fn set_password(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: UserId,
    hash: &str,
    must_change: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE users SET password_hash = $3, must_change_password = $4, updated_at = $5
         WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).bind(hash).bind(must_change).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_external_mail(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: UserId,
    mail: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE users SET external_mail = $3, updated_at = $4 WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).bind(mail).bind(to_us(now)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_active(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: UserId,
    active: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let deactivated = (!active).then_some(to_us(now));
    on!(c, c => sqlx::query(
        "UPDATE users SET active = $3, deactivated_at = $4, updated_at = $5 WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).bind(active).bind(deactivated).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Deletes the login; memberships, sessions and consents go with it (foreign keys), grants
/// are removed here because they point at users or groups.
pub async fn delete(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: UserId,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "DELETE FROM right_grants WHERE instance_id = $1 AND subject_kind = 'user' AND subject_id = $2")
        .bind(instance.0).bind(id.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    on!(c, c => sqlx::query("UPDATE users SET holder_id = NULL WHERE instance_id = $1 AND holder_id = $2")
        .bind(instance.0).bind(id.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    crate::files::delete_owned_by(c, instance, id).await?;
    on!(c, c => sqlx::query("DELETE FROM users WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The schools with a login of this id (one in practice; the key is per school).
pub async fn system_schools_of(
    c: &mut impl AsConn,
    id: UserId,
) -> Result<Vec<InstanceId>, StoreError> {
    let r: Vec<(uuid::Uuid,)> = on!(c, c => sqlx::query_as("SELECT instance_id FROM users WHERE id = $1")
        .bind(id.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(|(i,)| InstanceId(i)).collect())
}

/// Which rows a list may contain; the visibility is part of the WHERE clause.
#[derive(Clone, Copy, Debug)]
pub enum ListScope {
    All,
    /// Members of the groups `viewer` is in; students only if `students`.
    GroupMembersOf {
        viewer: UserId,
        students: bool,
    },
}

/// A page of logins matching `query` (any part of login, names or mail), sorted by name.
pub async fn list(
    c: &mut impl AsConn,
    instance: InstanceId,
    scope: ListScope,
    query: &str,
    kind: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<UserRow>, StoreError> {
    let pattern = format!("%{}%", escape_like(&query.trim().to_lowercase()));
    let kind = kind.unwrap_or("");
    let (viewer, students) = match scope {
        ListScope::All => (None, true),
        ListScope::GroupMembersOf { viewer, students } => (Some(viewer.0), students),
    };
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!(
        "SELECT ", user_cols!(), " FROM users u
         WHERE u.instance_id = $1 AND u.search_text LIKE $2 ESCAPE '\\' AND ($3 = '' OR u.kind = $3)
           AND ($6 IS NULL OR EXISTS (SELECT 1 FROM memberships mine JOIN memberships theirs
                 ON theirs.instance_id = mine.instance_id AND theirs.group_id = mine.group_id
               WHERE mine.instance_id = $1 AND mine.user_id = $6 AND theirs.user_id = u.id))
           AND ($7 OR u.kind <> 'schueler')
         ORDER BY u.last_name, u.first_name, u.login LIMIT $4 OFFSET $5"))
        .bind(instance.0).bind(&pattern).bind(kind).bind(limit).bind(offset).bind(viewer).bind(students)
        .fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
pub fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// The orders of the user list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortBy {
    #[default]
    Name,
    Class,
    Kind,
    Login,
}

impl SortBy {
    /// The ORDER BY of each order (fixed texts, never built from input). Logins without a
    /// class sort last either way.
    fn order(self, desc: bool) -> &'static str {
        match (self, desc) {
            (SortBy::Name, false) => "u.last_name, u.first_name, u.login",
            (SortBy::Name, true) => "u.last_name DESC, u.first_name DESC, u.login DESC",
            (SortBy::Class, false) => "(class_name IS NULL), class_name, u.last_name, u.first_name",
            (SortBy::Class, true) => {
                "(class_name IS NULL), class_name DESC, u.last_name, u.first_name"
            }
            (SortBy::Kind, false) => "u.kind, u.function_role, u.last_name, u.first_name",
            (SortBy::Kind, true) => "u.kind DESC, u.function_role DESC, u.last_name, u.first_name",
            (SortBy::Login, false) => "u.login",
            (SortBy::Login, true) => "u.login DESC",
        }
    }
}

type ClassRaw = (
    Uuid,
    Uuid,
    String,
    String,
    Option<String>,
    Option<Uuid>,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    bool,
    bool,
    i64,
    Option<String>,
);

/// Like [`list`], sorted as asked, with each login's class (the first of its groups of
/// kind `klasse` by name) from the same statement.
#[allow(clippy::too_many_arguments)]
pub async fn list_with_class(
    c: &mut impl AsConn,
    instance: InstanceId,
    scope: ListScope,
    query: &str,
    kind: Option<&str>,
    sort: (SortBy, bool),
    limit: i64,
    offset: i64,
) -> Result<Vec<(UserRow, Option<String>)>, StoreError> {
    let pattern = format!("%{}%", escape_like(&query.trim().to_lowercase()));
    let kind = kind.unwrap_or("");
    let (viewer, students) = match scope {
        ListScope::All => (None, true),
        ListScope::GroupMembersOf { viewer, students } => (Some(viewer.0), students),
    };
    // Wrapped, so the ORDER BY may use the class in expressions (PostgreSQL allows only a
    // bare output alias there).
    let sql = format!(
        "SELECT * FROM (SELECT {}, (SELECT MIN(g.name) FROM memberships m JOIN user_groups g
                 ON g.instance_id = m.instance_id AND g.id = m.group_id
               WHERE m.instance_id = u.instance_id AND m.user_id = u.id AND g.kind = 'klasse') AS class_name
         FROM users u
         WHERE u.instance_id = $1 AND u.search_text LIKE $2 ESCAPE '\\' AND ($3 = '' OR u.kind = $3)
           AND ($6 IS NULL OR EXISTS (SELECT 1 FROM memberships mine JOIN memberships theirs
                 ON theirs.instance_id = mine.instance_id AND theirs.group_id = mine.group_id
               WHERE mine.instance_id = $1 AND mine.user_id = $6 AND theirs.user_id = u.id))
           AND ($7 OR u.kind <> 'schueler')) u
         ORDER BY {} LIMIT $4 OFFSET $5",
        user_cols!(),
        sort.0.order(sort.1)
    );
    let r: Vec<ClassRaw> = on!(c, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(instance.0).bind(&pattern).bind(kind).bind(limit).bind(offset).bind(viewer).bind(students)
        .fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|r| {
            let class = r.14;
            let raw: Raw = (
                r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10, r.11, r.12, r.13,
            );
            (row(raw), class)
        })
        .collect())
}

/// The Safe password state of a login, for the Schulleitung's list: whether one is set and
/// who set it (the owner, or who generated it).
#[derive(Clone, Debug)]
pub struct SafeState {
    pub user: UserRow,
    /// `None`: no Safe password; `Some(by)`: set by `by` (the owner, or who generated it).
    pub set_by: Option<Option<UserId>>,
}

type SafeRaw = (
    Uuid,
    Uuid,
    String,
    String,
    Option<String>,
    Option<Uuid>,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    bool,
    bool,
    i64,
    Option<Uuid>,
    Option<Uuid>,
);

/// Active logins other than students, with their Safe password state, sorted by name (the
/// policy then decides whose Safe password the caller may set).
pub async fn safe_states(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<Vec<SafeState>, StoreError> {
    let r: Vec<SafeRaw> = on!(c, c => sqlx::query_as(concat!(
        "SELECT ", user_cols!(), ", sp.user_id, sp.set_by FROM users u
         LEFT JOIN safe_passwords sp ON sp.instance_id = u.instance_id AND sp.user_id = u.id
         WHERE u.instance_id = $1 AND u.active AND u.kind <> 'schueler'
         ORDER BY u.last_name, u.first_name, u.login"))
        .bind(instance.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|r| {
            let set_by = r.14.map(|_| r.15.map(UserId));
            let raw: Raw = (
                r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10, r.11, r.12, r.13,
            );
            SafeState {
                user: row(raw),
                set_by,
            }
        })
        .collect())
}

/// Who set a login's Safe password: `None` without one, `Some(None)` when unknown.
pub async fn safe_password_setter(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<Option<Option<UserId>>, StoreError> {
    let r: Option<(Option<Uuid>,)> = on!(c, c => sqlx::query_as(
        "SELECT set_by FROM safe_passwords WHERE instance_id = $1 AND user_id = $2")
        .bind(instance.0).bind(user.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(by,)| by.map(UserId)))
}
