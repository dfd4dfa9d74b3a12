//! One page of a folder for the file manager: the visible children filtered by name,
//! sorted and cut to a page inside SQL, with the counts the pager needs, in one statement.
//! A folder of thousands of entries then costs the rows of one page, not of the folder.
//!
//! Names sort by their case-folded key (`name_key` without the namespace a drop folder
//! gives each submitter), byte by byte: SQLite's BINARY collation, and on PostgreSQL the
//! column's collation "C" (migration 0014), which is the order the UI always showed.

use schulhof_types::{InstanceId, NodeId};
use uuid::Uuid;

use super::{ChildFilter, NodeRow};
use crate::{AsConn, StoreError, from_us, on};

/// What a page is sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PageSort {
    #[default]
    Name,
    Modified,
    Size,
}

/// Which page of a folder, how sorted and filtered.
#[derive(Clone, Debug)]
pub struct PageQuery {
    pub sort: PageSort,
    pub descending: bool,
    /// The case-folded text the key must contain (empty: every entry).
    pub contains: String,
    pub limit: i64,
    pub offset: i64,
}

/// A page of a folder with the counts of the whole folder.
#[derive(Clone, Debug, Default)]
pub struct ChildPage {
    pub rows: Vec<NodeRow>,
    /// Visible children.
    pub total: i64,
    /// Of those, the ones the filter lets through.
    pub matching: i64,
}

/// A child the caller's rights reach (the rule of [`ChildFilter`]) in a `file_nodes` alias.
macro_rules! visible {
    ($n:literal) => {
        concat!(
            $n,
            ".instance_id = $1 AND ",
            $n,
            ".parent_id = $3 AND ",
            $n,
            ".deleted_at IS NULL
             AND ((",
            $n,
            ".inherit AND $4 AND ($5 IS NULL OR ",
            $n,
            ".created_by = $5))
                  OR EXISTS (SELECT 1 FROM file_grants g WHERE g.instance_id = ",
            $n,
            ".instance_id
                     AND g.node_id = ",
            $n,
            ".id AND $2 LIKE '%|' || g.subject_key || '|%'))"
        )
    };
}

/// The sort key of a name: `name_key` without a drop folder's namespace (32 hex digits and
/// `/`; a name never contains `/`). The same expression as the index `file_sort_name`.
macro_rules! sort_key {
    ($n:literal) => {
        concat!(
            "(CASE WHEN substr(",
            $n,
            ".name_key, 33, 1) = '/' THEN substr(",
            $n,
            ".name_key, 34) ELSE ",
            $n,
            ".name_key END)"
        )
    };
}

/// The key contains the filter `$6` (a LIKE pattern; NULL for no filter).
macro_rules! name_matches {
    ($n:literal) => {
        concat!("($6 IS NULL OR ", sort_key!($n), " LIKE $6 ESCAPE '\\')")
    };
}

/// The statement for one order: the counts as one row (one pass over the folder), joined
/// to the page (so an empty page still brings them), folders first in either direction.
macro_rules! page_sql {
    ([$($inner:tt)*], $outer:literal) => {
        concat!(
            "SELECT c.total, c.matching, p.id, p.parent_id, p.area, p.owner_id, p.name, p.is_dir,
                p.inherit, p.drop_box, p.blob_sha, p.size, p.mime, p.created_by, p.modified_at,
                p.own_role
             FROM (SELECT COUNT(*) AS total, COUNT(CASE WHEN ", name_matches!("v"), " THEN 1 END)
                     AS matching FROM file_nodes v WHERE ", visible!("v"), ") c
             LEFT JOIN (SELECT n.id, n.parent_id, n.area, n.owner_id, n.name, n.is_dir, n.inherit,
                    n.drop_box, n.blob_sha, n.size, n.mime, n.created_by, n.modified_at, ",
            own_role!(), " AS own_role, ", sort_key!("n"), " AS sk
                FROM file_nodes n WHERE ", visible!("n"), " AND ", name_matches!("n"), "
                ORDER BY n.is_dir DESC, ", $($inner)*, " LIMIT $7 OFFSET $8) p ON TRUE
             ORDER BY p.is_dir DESC, ", $outer
        )
    };
}

type PageRaw = (
    i64,
    i64,
    Option<Uuid>,
    Option<Uuid>,
    Option<String>,
    Option<Uuid>,
    Option<String>,
    Option<bool>,
    Option<bool>,
    Option<bool>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<Uuid>,
    Option<i64>,
    Option<i64>,
);

/// The page's statement: one fixed text per order, so each can use its index.
fn statement(sort: PageSort, descending: bool) -> &'static str {
    match (sort, descending) {
        (PageSort::Name, false) => page_sql!([sort_key!("n"), ", n.id"], "p.sk, p.id"),
        (PageSort::Name, true) => page_sql!([sort_key!("n"), " DESC, n.id"], "p.sk DESC, p.id"),
        (PageSort::Modified, false) => page_sql!(
            ["n.modified_at, ", sort_key!("n"), ", n.id"],
            "p.modified_at, p.sk, p.id"
        ),
        (PageSort::Modified, true) => page_sql!(
            ["n.modified_at DESC, ", sort_key!("n"), " DESC, n.id"],
            "p.modified_at DESC, p.sk DESC, p.id"
        ),
        (PageSort::Size, false) => {
            page_sql!(["n.size, ", sort_key!("n"), ", n.id"], "p.size, p.sk, p.id")
        }
        (PageSort::Size, true) => page_sql!(
            ["n.size DESC, ", sort_key!("n"), " DESC, n.id"],
            "p.size DESC, p.sk DESC, p.id"
        ),
    }
}

/// The LIKE pattern of "contains `text`", its wildcards taken literally.
fn contains_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

/// One page of the live children of `parent` the filter lets through, with the counts of
/// all of them and of those matching `q.contains`.
pub async fn children_page(
    c: &mut impl AsConn,
    instance: InstanceId,
    parent: NodeId,
    keys: &str,
    filter: ChildFilter,
    q: &PageQuery,
) -> Result<ChildPage, StoreError> {
    let only = filter.only_created_by.map(|u| u.0);
    let pattern = (!q.contains.is_empty()).then(|| contains_pattern(&q.contains));
    let sql = statement(q.sort, q.descending);
    let raw: Vec<PageRaw> = on!(c, c => sqlx::query_as(sql)
        .bind(instance.0).bind(keys).bind(parent.0).bind(filter.parent_visible).bind(only)
        .bind(&pattern).bind(q.limit.max(0)).bind(q.offset.max(0))
        .fetch_all(&mut *c).await)?;
    let mut page = ChildPage::default();
    for r in raw {
        page.total = r.0;
        page.matching = r.1;
        if let Some(row) = node_of(r) {
            page.rows.push(row);
        }
    }
    Ok(page)
}

/// The node of a page's row; `None` for the counts alone (an empty page).
fn node_of(r: PageRaw) -> Option<NodeRow> {
    Some(NodeRow {
        id: NodeId(r.2?),
        parent_id: r.3.map(NodeId),
        area: r.4?,
        owner_id: r.5?,
        name: r.6?,
        is_dir: r.7?,
        inherit: r.8?,
        drop_box: r.9?,
        blob_sha: r.10,
        size: r.11?,
        mime: r.12,
        created_by: r.13.map(schulhof_types::UserId),
        modified_at: from_us(r.14?),
        deleted_at: None,
        deleted_by: None,
        own_role: r.15,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_in_the_filter_are_taken_literally() {
        assert_eq!(contains_pattern("a_b%c\\"), "%a\\_b\\%c\\\\%");
    }
}
