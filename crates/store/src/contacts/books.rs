//! Address books and their shares. Which books a login sees is part of the WHERE clause:
//! its own, and those shared with it or with one of its groups.

use chrono::{DateTime, Utc};
use schulhof_types::{AddressBookId, GroupId, InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, from_us, on, to_us};

/// A book as a viewer sees it.
#[derive(Clone, Debug)]
pub struct BookRow {
    pub id: AddressBookId,
    pub owner: UserId,
    pub owner_name: String,
    pub name: String,
    pub description: String,
    pub personal: bool,
    pub sync_token: i64,
    /// The oldest sync token still answered (older tombstones are gone).
    pub tombstone_floor: i64,
    pub count: i64,
    /// The best share that reaches the viewer: `Some(true)` to write, `Some(false)` to read,
    /// `None` when nothing is shared with it (its own book, or one it may not see).
    pub shared_write: Option<bool>,
    pub updated_at: DateTime<Utc>,
}

type Raw = (
    Uuid,
    Uuid,
    String,
    String,
    String,
    String,
    bool,
    i64,
    i64,
    i64,
    Option<i64>,
    i64,
);

fn row(r: Raw) -> BookRow {
    BookRow {
        id: AddressBookId(r.0),
        owner: UserId(r.1),
        owner_name: format!("{} {}", r.2, r.3),
        name: r.4,
        description: r.5,
        personal: r.6,
        sync_token: r.7,
        tombstone_floor: r.8,
        count: r.9,
        shared_write: r.10.map(|w| w != 0),
        updated_at: from_us(r.11),
    }
}

/// The viewer a query is for: the login and its groups.
#[derive(Clone, Copy, Debug)]
pub struct Viewer<'a> {
    pub instance: InstanceId,
    pub user: UserId,
    pub groups: &'a [GroupId],
}

/// Builds the query for the books a viewer sees, with `extra` appended to the WHERE clause
/// and `id` (when given) as the only book.
fn visible_query<DB: sqlx::Database>(
    v: Viewer<'_>,
    id: Option<AddressBookId>,
) -> sqlx::QueryBuilder<DB>
where
    Uuid: for<'e> sqlx::Encode<'e, DB> + sqlx::Type<DB>,
    <DB as sqlx::Database>::Arguments: Default,
{
    let mut q = sqlx::QueryBuilder::new(
        "SELECT b.id, b.owner_id, u.first_name, u.last_name, b.name, b.description, b.personal,
            b.sync_token, b.tombstone_floor, CAST((SELECT COUNT(*) FROM contacts k WHERE k.book_id = b.id) AS BIGINT),
            s.w, b.updated_at
         FROM address_books b
         JOIN users u ON u.instance_id = b.instance_id AND u.id = b.owner_id
         LEFT JOIN (SELECT book_id, CAST(MAX(CASE WHEN can_write THEN 1 ELSE 0 END) AS BIGINT) AS w
                    FROM address_book_shares WHERE instance_id = ",
    );
    q.push_bind(v.instance.0)
        .push(" AND (user_id = ")
        .push_bind(v.user.0);
    if !v.groups.is_empty() {
        q.push(" OR group_id");
        crate::push_in_list(&mut q, v.groups.iter().map(|g| g.0));
    }
    q.push(") GROUP BY book_id) s ON s.book_id = b.id WHERE b.instance_id = ")
        .push_bind(v.instance.0)
        .push(" AND (b.owner_id = ")
        .push_bind(v.user.0)
        .push(" OR s.book_id IS NOT NULL)");
    if let Some(id) = id {
        q.push(" AND b.id = ").push_bind(id.0);
    }
    q
}

/// Every book the viewer sees: its personal book first, then by name.
pub async fn visible(c: &mut impl AsConn, v: Viewer<'_>) -> Result<Vec<BookRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => {
        let mut q = visible_query(v, None);
        q.push(" ORDER BY CASE WHEN b.owner_id = ").push_bind(v.user.0)
            .push(" AND b.personal THEN 0 ELSE 1 END, b.name, b.id");
        q.build_query_as::<Raw>().fetch_all(&mut *c).await
    })?;
    Ok(r.into_iter().map(row).collect())
}

/// One book if the viewer owns it or something of it is shared with the viewer. A book the
/// viewer may not see is `None`, like one that does not exist.
pub async fn get_visible(
    c: &mut impl AsConn,
    v: Viewer<'_>,
    id: AddressBookId,
) -> Result<Option<BookRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => {
        let mut q = visible_query(v, Some(id));
        q.build_query_as::<Raw>().fetch_optional(&mut *c).await
    })?;
    Ok(r.map(row))
}

/// The id of a login's personal book, if made already.
pub async fn personal_of(
    c: &mut impl AsConn,
    instance: InstanceId,
    owner: UserId,
) -> Result<Option<AddressBookId>, StoreError> {
    let r: Option<(Uuid,)> = on!(c, c => sqlx::query_as(
        "SELECT id FROM address_books WHERE instance_id = $1 AND owner_id = $2 AND personal")
        .bind(instance.0).bind(owner.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(id,)| AddressBookId(id)))
}

pub struct NewBook<'a> {
    pub instance: InstanceId,
    pub id: AddressBookId,
    pub owner: UserId,
    pub name: &'a str,
    pub description: &'a str,
    pub personal: bool,
}

/// Stores a book. A second personal book of the same owner is ignored (two requests making
/// it at once): the answer says whether this one was stored.
pub async fn insert(
    c: &mut impl AsConn,
    b: &NewBook<'_>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "INSERT INTO address_books (instance_id, id, owner_id, name, description, personal,
            sync_token, tombstone_floor, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 0, 0, $7, $7) ON CONFLICT DO NOTHING")
        .bind(b.instance.0).bind(b.id.0).bind(b.owner.0).bind(b.name).bind(b.description)
        .bind(b.personal).bind(to_us(now)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn update(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: AddressBookId,
    name: &str,
    description: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE address_books SET name = $3, description = $4, updated_at = $5
         WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).bind(name).bind(description).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Deletes a book with its contacts, tombstones and shares.
pub async fn delete(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: AddressBookId,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("DELETE FROM address_books WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Raises the book's sync token by one and returns the new value, which stamps the change.
/// In the writing transaction, so two writers never share a token.
pub async fn next_token(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: AddressBookId,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let r: Option<(i64,)> = on!(c, c => sqlx::query_as(
        "UPDATE address_books SET sync_token = sync_token + 1, updated_at = $3
         WHERE instance_id = $1 AND id = $2 RETURNING sync_token")
        .bind(instance.0).bind(id.0).bind(to_us(now)).fetch_optional(&mut *c).await)?;
    r.map(|(t,)| t)
        .ok_or_else(|| StoreError::Corrupt(format!("address book {} vanished", id.0)))
}

/// Who a book is shared with.
#[derive(Clone, Debug)]
pub enum ShareTarget {
    User(UserId),
    Group(GroupId),
}

/// One share, with the name of the login or group it reaches.
#[derive(Clone, Debug)]
pub struct ShareRow {
    pub target: ShareTarget,
    pub name: String,
    pub can_write: bool,
}

type ShareRaw = (Option<Uuid>, Option<Uuid>, Option<String>, bool);

pub async fn shares(
    c: &mut impl AsConn,
    instance: InstanceId,
    book: AddressBookId,
) -> Result<Vec<ShareRow>, StoreError> {
    let r: Vec<ShareRaw> = on!(c, c => sqlx::query_as(
        "SELECT s.user_id, s.group_id, COALESCE(u.first_name || ' ' || u.last_name, g.name), s.can_write
         FROM address_book_shares s
         LEFT JOIN users u ON u.instance_id = s.instance_id AND u.id = s.user_id
         LEFT JOIN user_groups g ON g.instance_id = s.instance_id AND g.id = s.group_id
         WHERE s.instance_id = $1 AND s.book_id = $2 ORDER BY s.created_at")
        .bind(instance.0).bind(book.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .filter_map(|(u, g, name, w)| {
            let target = match (u, g) {
                (Some(u), _) => ShareTarget::User(UserId(u)),
                (None, Some(g)) => ShareTarget::Group(GroupId(g)),
                (None, None) => return None,
            };
            Some(ShareRow {
                target,
                name: name.unwrap_or_default(),
                can_write: w,
            })
        })
        .collect())
}

fn target_ids(t: &ShareTarget) -> (Option<Uuid>, Option<Uuid>) {
    match t {
        ShareTarget::User(u) => (Some(u.0), None),
        ShareTarget::Group(g) => (None, Some(g.0)),
    }
}

/// Removes the share with `target`, if any.
pub async fn remove_share(
    c: &mut impl AsConn,
    instance: InstanceId,
    book: AddressBookId,
    target: &ShareTarget,
) -> Result<bool, StoreError> {
    let (u, g) = target_ids(target);
    let n = on!(c, c => sqlx::query(
        "DELETE FROM address_book_shares WHERE instance_id = $1 AND book_id = $2
           AND (user_id = $3 OR group_id = $4)")
        .bind(instance.0).bind(book.0).bind(u).bind(g)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Shares the book with `target` (replacing an earlier share with the same target).
pub async fn put_share(
    c: &mut impl AsConn,
    instance: InstanceId,
    book: AddressBookId,
    target: &ShareTarget,
    can_write: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    remove_share(c, instance, book, target).await?;
    let (u, g) = target_ids(target);
    on!(c, c => sqlx::query(
        "INSERT INTO address_book_shares (instance_id, book_id, user_id, group_id, can_write, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(instance.0).bind(book.0).bind(u).bind(g).bind(can_write).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
