//! How a folder's entries are ordered and filtered for the file manager, and which shares
//! reach a node from the folders above it.

use schulhof_authz::check;
use schulhof_authz::files::{FileAccess, FileOp, FileRole};
use schulhof_store::files as store;
use schulhof_store::{groups, users};
use schulhof_types::{GroupId, NodeId, UserId};

use super::{FileEntry, GrantView, Located, fold_name};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// What a listing is sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    #[default]
    Name,
    Modified,
    Size,
}

impl SortKey {
    /// The query parameter's value (`name`, `datum`, `groesse`); unknown ones sort by name.
    pub fn parse(s: &str) -> SortKey {
        match s {
            "datum" => SortKey::Modified,
            "groesse" => SortKey::Size,
            _ => SortKey::Name,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Modified => "datum",
            SortKey::Size => "groesse",
        }
    }
}

/// A sort key with its direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ListOrder {
    pub key: SortKey,
    pub descending: bool,
}

/// A grant set on a folder above a node that reaches the node because the levels between
/// do not withdraw inherited rights.
#[derive(Clone, Debug)]
pub struct InheritedGrant {
    /// The folder the grant is set on.
    pub from: NodeId,
    /// Its name as the caller sees it (area roots by their area's German title).
    pub from_name: String,
    pub grant: GrantView,
}

/// What the caller may do with one entry of a listing, as the policy decides it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Caps {
    /// Rename in place (files: contributors; folders: coordinators).
    pub rename: bool,
    /// Move elsewhere or delete (coordinators).
    pub relocate: bool,
    /// Change its content, or upload into it (contributors).
    pub write: bool,
    /// Share it, give roles (the policy's `Share` for a viewer role).
    pub share: bool,
    /// Withdraw inherited rights, make it a drop folder.
    pub manage: bool,
}

impl Caps {
    /// The capabilities of a node, each asked of the policy through `may`.
    pub(crate) fn asking(is_dir: bool, may: impl Fn(FileOp) -> bool) -> Caps {
        let relocate = may(FileOp::Coordinate);
        let write = may(FileOp::Write);
        Caps {
            rename: if is_dir { relocate } else { write },
            relocate,
            write,
            share: may(FileOp::Share {
                role: FileRole::Viewer,
                target: None,
            }),
            manage: may(FileOp::ManageRights),
        }
    }
}

/// An entry of a folder with what the caller may do with it.
#[derive(Clone, Debug)]
pub struct Listed {
    pub entry: FileEntry,
    pub caps: Caps,
}

/// Which page of a folder, sorted and filtered how.
#[derive(Clone, Debug)]
pub struct ListQuery {
    pub order: ListOrder,
    /// Only entries whose name contains this, ignoring case and Unicode composition.
    pub filter: String,
    /// The page, from 1; one past the last shows the last.
    pub page: usize,
    pub per_page: usize,
}

impl ListQuery {
    /// The whole folder in one page, by name.
    pub fn all() -> ListQuery {
        ListQuery {
            order: ListOrder::default(),
            filter: String::new(),
            page: 1,
            per_page: i64::MAX as usize,
        }
    }
}

/// One page of a folder with the counts the pager needs.
#[derive(Clone, Debug, Default)]
pub struct ListPage {
    pub rows: Vec<Listed>,
    /// Entries the caller sees in the folder.
    pub total: usize,
    /// Of those, the ones the filter lets through.
    pub matching: usize,
    /// The page shown, from 1.
    pub page: usize,
    pub pages: usize,
}

impl Platform {
    /// One page of the children of a folder the caller may see, each with its
    /// capabilities: one query for the page and the counts (visibility, filter, order and
    /// page inside SQL), the policy asked per row in memory, and in a drop folder one more
    /// for the names of the page's submitters. Only a page past the last costs a second
    /// query, for the last page.
    pub async fn file_listing(
        &self,
        actor: &Actor,
        folder: &Located,
        q: &ListQuery,
    ) -> Result<ListPage, DomainError> {
        let role = folder.role(actor).ok_or(DomainError::NotFound)?;
        let node = folder.node();
        if !node.is_dir {
            return Err(DomainError::invalid("folder", "Das ist kein Ordner."));
        }
        let filter = store::ChildFilter {
            parent_visible: true,
            only_created_by: (node.drop_box && role < FileRole::Coordinator)
                .then(|| actor.token.user()),
        };
        let keys = folder.keys(actor);
        let school = folder.school(actor);
        let per_page = q.per_page.max(1);
        let mut sq = store::PageQuery {
            sort: match q.order.key {
                SortKey::Name => store::PageSort::Name,
                SortKey::Modified => store::PageSort::Modified,
                SortKey::Size => store::PageSort::Size,
            },
            descending: q.order.descending,
            contains: fold_name(q.filter.trim()),
            limit: i64::try_from(per_page).unwrap_or(i64::MAX),
            offset: 0,
        };
        let at =
            |page: usize| i64::try_from((page - 1).saturating_mul(per_page)).unwrap_or(i64::MAX);
        sq.offset = at(q.page.max(1));
        let mut c = self.db.read().await?;
        let mut found = store::children_page(&mut c, school, node.id, &keys, filter, &sq).await?;
        let matching = usize::try_from(found.matching).unwrap_or(0);
        let pages = matching.div_ceil(per_page).max(1);
        let page = q.page.clamp(1, pages);
        if page != q.page.max(1) {
            sq.offset = at(page);
            found = store::children_page(&mut c, school, node.id, &keys, filter, &sq).await?;
        }
        let submitted = node.drop_box && role >= FileRole::Coordinator && !folder.is_guest();
        let submitters = if submitted {
            super::share::Submitters::load(&mut c, school, &found.rows).await?
        } else {
            super::share::Submitters::default()
        };
        let rows = self.listed(actor, folder, found.rows, submitted.then_some(&submitters));
        Ok(ListPage {
            rows,
            total: usize::try_from(found.total).unwrap_or(0),
            matching,
            page,
            pages,
        })
    }

    /// The rows the policy lets the caller see, each with what it may do.
    fn listed(
        &self,
        actor: &Actor,
        folder: &Located,
        rows: Vec<store::NodeRow>,
        submitters: Option<&super::share::Submitters>,
    ) -> Vec<Listed> {
        let mut path = folder.levels();
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            path.push(super::level_of(&row));
            let access = |op| FileAccess {
                node: row.id,
                area: folder.area,
                path: path.clone(),
                op,
                guest: folder.is_guest(),
            };
            let role = access(FileOp::Read).role(&actor.token);
            let caps = Caps::asking(row.is_dir, |op| check(&actor.token, access(op)).is_ok());
            path.pop();
            let Some(r) = role else {
                continue;
            };
            let mut e = FileEntry::from_row(&row, folder.area, r);
            e.guest = folder.is_guest();
            e.caps = caps;
            if let Some(s) = submitters {
                e.submitted_by = s.label(&row);
            }
            out.push(Listed { entry: e, caps });
        }
        out
    }

    /// What the caller may do with one node, as the policy decides it.
    pub fn file_caps(&self, actor: &Actor, node: &Located) -> Caps {
        node.caps(actor)
    }

    /// Asks the policy whether every one of `nodes` may be moved or deleted (`relocate`) or
    /// copied, before a bulk action touches the first: a selection either passes whole or
    /// changes nothing.
    pub fn file_check_all(
        &self,
        actor: &Actor,
        nodes: &[Located],
        relocate: bool,
    ) -> Result<(), DomainError> {
        let op = if relocate {
            FileOp::Coordinate
        } else {
            FileOp::Read
        };
        for node in nodes {
            if node.node().parent_id.is_none() {
                return Err(DomainError::NotFound);
            }
            node.check(actor, op.clone())?;
        }
        Ok(())
    }

    /// The grants that reach a node from the folders above it, nearest folder first. Shown
    /// to those who see the node's own grants (contributors and above).
    pub async fn file_inherited_grants(
        &self,
        actor: &Actor,
        node: &Located,
    ) -> Result<Vec<InheritedGrant>, DomainError> {
        node.check(actor, FileOp::Write)?;
        if node.role(actor).is_none_or(|r| r < FileRole::Contributor) || node.is_guest() {
            return Ok(Vec::new());
        }
        let instance = actor.token.instance();
        let mut c = self.db.read().await?;
        let mut out = Vec::new();
        // Walk up while the level below still inherits.
        for i in (1..node.rows.len()).rev() {
            if !node.rows[i].inherit {
                break;
            }
            let above = &node.rows[i - 1];
            let from_name = super::display_name(above, node.area);
            for g in store::grants_of(&mut c, instance, above.id).await? {
                let (kind, label) = grant_label(&mut c, instance, &g.subject_key).await?;
                out.push(InheritedGrant {
                    from: above.id,
                    from_name: from_name.clone(),
                    grant: GrantView {
                        kind,
                        label,
                        role: FileRole::from_i64(g.role).map_or("viewer", FileRole::as_str),
                        key: g.subject_key,
                    },
                });
            }
        }
        Ok(out)
    }
}

/// The kind and label of a grant's subject, as [`Platform::file_grants`] shows them.
async fn grant_label(
    c: &mut schulhof_store::Handle,
    instance: schulhof_types::InstanceId,
    key: &str,
) -> Result<(&'static str, String), DomainError> {
    Ok(match key.split_at(2.min(key.len())) {
        ("u:", id) => {
            let user = match id.parse() {
                Ok(u) => users::get(c, instance, UserId(u)).await?,
                Err(_) => None,
            };
            let label = user.map_or_else(
                || "(gelöschte Anmeldung)".to_owned(),
                |u| format!("{} {} ({})", u.first_name, u.last_name, u.login),
            );
            ("user", label)
        }
        ("g:", id) => {
            let group = match id.parse() {
                Ok(g) => groups::get(c, instance, GroupId(g)).await?,
                Err(_) => None,
            };
            (
                "group",
                group.map_or_else(|| "(gelöschte Gruppe)".to_owned(), |g| g.name),
            )
        }
        ("x:", _) => ("guest", "(Anmeldung einer anderen Schule)".to_owned()),
        _ => ("kind", key.trim_start_matches("t:").to_owned()),
    })
}
