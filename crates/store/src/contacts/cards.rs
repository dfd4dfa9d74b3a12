//! Contacts of a book: the vCard text exactly as stored, with the columns lists, search and
//! synchronisation read; and the tombstones deletions leave for clients that sync later.

use chrono::{DateTime, Utc};
use schulhof_types::{AddressBookId, ContactId, InstanceId};
use uuid::Uuid;

use crate::{AsConn, Conn, StoreError, from_us, on, to_us};

/// A contact without its text, for lists.
#[derive(Clone, Debug)]
pub struct CardRow {
    pub id: ContactId,
    pub book: AddressBookId,
    pub href: String,
    pub uid: String,
    pub etag: String,
    pub modseq: i64,
    pub display_name: String,
    /// Lower-case addresses, one per line.
    pub emails: String,
    pub size: i64,
    pub updated_at: DateTime<Utc>,
}

type Raw = (
    Uuid,
    Uuid,
    String,
    String,
    String,
    i64,
    String,
    String,
    i64,
    i64,
);

fn row(r: Raw) -> CardRow {
    CardRow {
        id: ContactId(r.0),
        book: AddressBookId(r.1),
        href: r.2,
        uid: r.3,
        etag: r.4,
        modseq: r.5,
        display_name: r.6,
        emails: r.7,
        size: r.8,
        updated_at: from_us(r.9),
    }
}

macro_rules! cols {
    () => {
        "id, book_id, href, uid, etag, modseq, display_name, emails, size, updated_at"
    };
}

type FullRaw = (
    Uuid,
    Uuid,
    String,
    String,
    String,
    i64,
    String,
    String,
    i64,
    i64,
    String,
);

fn full(r: FullRaw) -> (CardRow, String) {
    let vcard = r.10;
    let meta = row((r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9));
    (meta, vcard)
}

/// Escapes `%`, `_` and `\` for a LIKE pattern (with `ESCAPE '\'`).
fn like_pattern(q: &str) -> String {
    let mut out = String::with_capacity(q.len() + 2);
    out.push('%');
    for ch in q.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

/// A page of a book's contacts by name, those whose search text contains `query` (lower
/// case; empty: all), and how many match in all.
pub async fn list(
    c: &mut impl AsConn,
    instance: InstanceId,
    book: AddressBookId,
    query: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<CardRow>, i64), StoreError> {
    let pattern = like_pattern(query);
    let rows: Vec<Raw> = on!(c, c => sqlx::query_as(concat!("SELECT ", cols!(),
        " FROM contacts WHERE instance_id = $1 AND book_id = $2 AND search_text LIKE $3 ESCAPE '\\'
          ORDER BY sort_key, id LIMIT $4 OFFSET $5"))
        .bind(instance.0).bind(book.0).bind(&pattern).bind(limit).bind(offset)
        .fetch_all(&mut *c).await)?;
    let (total,): (i64,) = on!(c, c => sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM contacts
         WHERE instance_id = $1 AND book_id = $2 AND search_text LIKE $3 ESCAPE '\\'")
        .bind(instance.0).bind(book.0).bind(&pattern).fetch_one(&mut *c).await)?;
    Ok((rows.into_iter().map(row).collect(), total))
}

/// Every contact of a book with its text, by name (export, a client's full listing).
pub async fn all_full(
    c: &mut impl AsConn,
    instance: InstanceId,
    book: AddressBookId,
) -> Result<Vec<(CardRow, String)>, StoreError> {
    let rows: Vec<FullRaw> = on!(c, c => sqlx::query_as(concat!("SELECT ", cols!(),
        ", vcard FROM contacts WHERE instance_id = $1 AND book_id = $2 ORDER BY sort_key, id"))
        .bind(instance.0).bind(book.0).fetch_all(&mut *c).await)?;
    Ok(rows.into_iter().map(full).collect())
}

/// Which column finds one contact.
#[derive(Clone, Copy, Debug)]
pub enum Key<'a> {
    Id(ContactId),
    Href(&'a str),
    Uid(&'a str),
}

/// One contact of a book with its text.
pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    book: AddressBookId,
    key: Key<'_>,
) -> Result<Option<(CardRow, String)>, StoreError> {
    macro_rules! by {
        ($col:literal, $v:expr) => {
            on!(c, c => sqlx::query_as::<_, FullRaw>(concat!("SELECT ", cols!(),
                ", vcard FROM contacts WHERE instance_id = $1 AND book_id = $2 AND ", $col, " = $3"))
                .bind(instance.0).bind(book.0).bind($v).fetch_optional(&mut *c).await)?
        };
    }
    let r = match key {
        Key::Id(id) => by!("id", id.0),
        Key::Href(h) => by!("href", h),
        Key::Uid(u) => by!("uid", u),
    };
    Ok(r.map(full))
}

/// The contacts of a book at these resource names, with their texts, by name; missing ones
/// are left out. One statement per 500 names on SQLite, one in all on PostgreSQL, which looks
/// each name up by the book's unique name index (an `IN` list let its generic plan read the
/// whole book through the book's other indexes while the table had no statistics).
pub async fn by_hrefs(
    c: &mut impl AsConn,
    instance: InstanceId,
    book: AddressBookId,
    hrefs: &[String],
) -> Result<Vec<(CardRow, String)>, StoreError> {
    let names = distinct(hrefs);
    let mut out = Vec::with_capacity(names.len());
    if let Conn::Pg(pg) = c.conn() {
        let rows: Vec<FullRaw> = sqlx::query_as(BY_HREFS_PG)
            .bind(&names)
            .bind(book.0)
            .bind(instance.0)
            .fetch_all(&mut *pg)
            .await?;
        out.extend(rows.into_iter().map(full));
        return Ok(out);
    }
    for chunk in names.chunks(500) {
        let rows: Vec<FullRaw> = on!(c, c => {
            let mut q = sqlx::QueryBuilder::new(concat!("SELECT ", cols!(),
                ", vcard FROM contacts WHERE instance_id = "));
            q.push_bind(instance.0).push(" AND book_id = ").push_bind(book.0).push(" AND href IN (");
            let mut s = q.separated(", ");
            for h in chunk {
                s.push_bind(*h);
            }
            q.push(") ORDER BY sort_key, id");
            q.build_query_as::<FullRaw>().fetch_all(&mut *c).await
        })?;
        out.extend(rows.into_iter().map(full));
    }
    Ok(out)
}

/// The PostgreSQL statement of [`by_hrefs`]: `$1` the names (`text[]`), `$2` the book, `$3`
/// the school; public for the test that reads its plan.
pub const BY_HREFS_PG: &str = concat!(
    "SELECT ",
    cols!(),
    ", vcard FROM unnest($1::text[]) AS n(wanted)
     CROSS JOIN LATERAL (SELECT ",
    cols!(),
    ", vcard, sort_key FROM contacts x
       WHERE x.book_id = $2 AND x.href = n.wanted AND x.instance_id = $3 LIMIT 1) o
     ORDER BY sort_key, id"
);

/// The PostgreSQL statement of [`hrefs_of_uids`], by the book's unique UID index: `$1` the
/// UIDs (`text[]`), `$2` the book, `$3` the school.
pub const HREFS_OF_UIDS_PG: &str = "SELECT uid, href FROM unnest($1::text[]) AS n(wanted)
     CROSS JOIN LATERAL (SELECT uid, href FROM contacts x
       WHERE x.book_id = $2 AND x.uid = n.wanted AND x.instance_id = $3 LIMIT 1) o";

/// The names once each, sorted.
fn distinct(names: &[String]) -> Vec<&str> {
    let mut v: Vec<&str> = names.iter().map(String::as_str).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// A contact to store: the text and what was read from it.
#[derive(Clone, Debug)]
pub struct CardData<'a> {
    pub instance: InstanceId,
    pub id: ContactId,
    pub book: AddressBookId,
    pub href: &'a str,
    pub uid: &'a str,
    pub vcard: &'a str,
    pub etag: &'a str,
    pub modseq: i64,
    pub display_name: &'a str,
    pub sort_key: &'a str,
    pub emails: &'a str,
    pub search_text: &'a str,
}

/// Stores a new contact; a tombstone at the same name goes (the name lives again).
pub async fn insert(
    c: &mut impl AsConn,
    d: &CardData<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "DELETE FROM contact_tombstones WHERE instance_id = $1 AND book_id = $2 AND href = $3")
        .bind(d.instance.0).bind(d.book.0).bind(d.href).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    on!(c, c => sqlx::query(
        "INSERT INTO contacts (instance_id, id, book_id, href, uid, vcard, etag, modseq, display_name,
            sort_key, emails, search_text, size, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)")
        .bind(d.instance.0).bind(d.id.0).bind(d.book.0).bind(d.href).bind(d.uid).bind(d.vcard)
        .bind(d.etag).bind(d.modseq).bind(d.display_name).bind(d.sort_key).bind(d.emails)
        .bind(d.search_text).bind(d.vcard.len() as i64).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Replaces the text (and what was read from it) of the contact `d.id`.
pub async fn update(
    c: &mut impl AsConn,
    d: &CardData<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE contacts SET uid = $3, vcard = $4, etag = $5, modseq = $6, display_name = $7,
            sort_key = $8, emails = $9, search_text = $10, size = $11, updated_at = $12
         WHERE instance_id = $1 AND id = $2")
        .bind(d.instance.0).bind(d.id.0).bind(d.uid).bind(d.vcard).bind(d.etag).bind(d.modseq)
        .bind(d.display_name).bind(d.sort_key).bind(d.emails).bind(d.search_text)
        .bind(d.vcard.len() as i64).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Deletes a contact and leaves a tombstone stamped `modseq` in its place.
pub async fn delete(
    c: &mut impl AsConn,
    instance: InstanceId,
    card: &CardRow,
    modseq: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("DELETE FROM contacts WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(card.id.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    on!(c, c => sqlx::query(
        "INSERT INTO contact_tombstones (instance_id, book_id, href, uid, modseq, deleted_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (book_id, href) DO UPDATE SET uid = $4, modseq = $5, deleted_at = $6")
        .bind(instance.0).bind(card.book.0).bind(&card.href).bind(&card.uid).bind(modseq)
        .bind(to_us(now)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// What changed in a book after token `since`: the contacts written since, and the names
/// of those deleted since.
pub async fn changed_since(
    c: &mut impl AsConn,
    instance: InstanceId,
    book: AddressBookId,
    since: i64,
) -> Result<(Vec<CardRow>, Vec<String>), StoreError> {
    let rows: Vec<Raw> = on!(c, c => sqlx::query_as(concat!("SELECT ", cols!(),
        " FROM contacts WHERE instance_id = $1 AND book_id = $2 AND modseq > $3 ORDER BY modseq"))
        .bind(instance.0).bind(book.0).bind(since).fetch_all(&mut *c).await)?;
    let gone: Vec<(String,)> = on!(c, c => sqlx::query_as(
        "SELECT href FROM contact_tombstones WHERE instance_id = $1 AND book_id = $2 AND modseq > $3
         ORDER BY modseq")
        .bind(instance.0).bind(book.0).bind(since).fetch_all(&mut *c).await)?;
    Ok((
        rows.into_iter().map(row).collect(),
        gone.into_iter().map(|(h,)| h).collect(),
    ))
}

/// Contacts with an address, from any of `books`, whose search text contains `query`: for
/// the suggestions while writing a mail.
pub async fn with_mail_matching(
    c: &mut impl AsConn,
    instance: InstanceId,
    books: &[AddressBookId],
    query: &str,
    limit: i64,
) -> Result<Vec<CardRow>, StoreError> {
    if books.is_empty() {
        return Ok(Vec::new());
    }
    let pattern = like_pattern(query);
    let rows: Vec<Raw> = on!(c, c => {
        let mut q = sqlx::QueryBuilder::new(concat!("SELECT ", cols!(),
            " FROM contacts WHERE instance_id = "));
        q.push_bind(instance.0).push(" AND emails <> '' AND search_text LIKE ")
            .push_bind(pattern.as_str()).push(" ESCAPE '\\' AND book_id");
        crate::push_in_list(&mut q, books.iter().map(|b| b.0));
        q.push(" ORDER BY sort_key, id LIMIT ").push_bind(limit);
        q.build_query_as::<Raw>().fetch_all(&mut *c).await
    })?;
    Ok(rows.into_iter().map(row).collect())
}

/// Which of `uids` a book holds already, with their resource names: one statement per 500
/// UIDs on SQLite, one in all on PostgreSQL (by the book's unique UID index).
pub async fn hrefs_of_uids(
    c: &mut impl AsConn,
    instance: InstanceId,
    book: AddressBookId,
    uids: &[String],
) -> Result<Vec<(String, String)>, StoreError> {
    let uids = distinct(uids);
    if let Conn::Pg(pg) = c.conn() {
        return Ok(sqlx::query_as(HREFS_OF_UIDS_PG)
            .bind(&uids)
            .bind(book.0)
            .bind(instance.0)
            .fetch_all(&mut *pg)
            .await?);
    }
    let mut out = Vec::new();
    for chunk in uids.chunks(500) {
        let rows: Vec<(String, String)> = on!(c, c => {
            let mut q = sqlx::QueryBuilder::new("SELECT uid, href FROM contacts WHERE instance_id = ");
            q.push_bind(instance.0).push(" AND book_id = ").push_bind(book.0).push(" AND uid IN (");
            let mut s = q.separated(", ");
            for u in chunk {
                s.push_bind(*u);
            }
            q.push(")");
            q.build_query_as::<(String, String)>().fetch_all(&mut *c).await
        })?;
        out.extend(rows);
    }
    Ok(out)
}
