//! How a folder's entries are ordered and filtered for the file manager, and which shares
//! reach a node from the folders above it.

use std::cmp::Ordering;

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

/// Sorts entries as a file manager does: folders first, then by the key, ties by name.
pub fn sort_entries(list: &mut Vec<FileEntry>, order: ListOrder) {
    sort_by_entry(list, order, |e| e);
}

/// [`sort_entries`] for anything that carries an entry.
pub fn sort_by_entry<T>(list: &mut Vec<T>, order: ListOrder, entry: impl Fn(&T) -> &FileEntry) {
    // Folding each name once, not once per comparison.
    let mut keyed: Vec<(String, T)> = list
        .drain(..)
        .map(|t| (fold_name(&entry(&t).name), t))
        .collect();
    keyed.sort_by(|(an, a), (bn, b)| {
        let (a, b) = (entry(a), entry(b));
        let by_key = match order.key {
            SortKey::Name => Ordering::Equal,
            SortKey::Modified => a.modified_at.cmp(&b.modified_at),
            SortKey::Size => a.size.cmp(&b.size),
        };
        let by_key = by_key.then_with(|| an.cmp(bn));
        let by_key = if order.descending {
            by_key.reverse()
        } else {
            by_key
        };
        b.is_dir.cmp(&a.is_dir).then(by_key)
    });
    list.extend(keyed.into_iter().map(|(_, t)| t));
}

/// The entries whose name contains `q`, ignoring case and Unicode composition.
pub fn filter_entries(list: Vec<FileEntry>, q: &str) -> Vec<FileEntry> {
    filter_by_entry(list, q, |e| e)
}

/// [`filter_entries`] for anything that carries an entry.
pub fn filter_by_entry<T>(list: Vec<T>, q: &str, entry: impl Fn(&T) -> &FileEntry) -> Vec<T> {
    let q = fold_name(q.trim());
    if q.is_empty() {
        return list;
    }
    list.into_iter()
        .filter(|t| fold_name(&entry(t).name).contains(&q))
        .collect()
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
}

/// An entry of a folder with what the caller may do with it.
#[derive(Clone, Debug)]
pub struct Listed {
    pub entry: FileEntry,
    pub caps: Caps,
}

impl Platform {
    /// The children of a folder the caller may see, each with its capabilities: one query
    /// for the rows (visibility in its WHERE clause), the policy asked per row in memory,
    /// and in a drop folder one more for the names of all submitters.
    pub async fn file_listing(
        &self,
        actor: &Actor,
        folder: &Located,
    ) -> Result<Vec<Listed>, DomainError> {
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
        let mut c = self.db.read().await?;
        let rows = store::children(&mut c, school, node.id, &keys, filter).await?;
        let mut path = folder.levels();
        let mut out = Vec::with_capacity(rows.len());
        let submitted = node.drop_box && role >= FileRole::Coordinator && !folder.is_guest();
        let submitters = if submitted {
            super::share::Submitters::load(&mut c, school, &rows).await?
        } else {
            super::share::Submitters::default()
        };
        for row in rows {
            path.push(super::level_of(&row));
            let access = |op| FileAccess {
                node: row.id,
                area: folder.area,
                path: path.clone(),
                op,
                guest: folder.is_guest(),
            };
            let Some(r) = access(FileOp::Read).role(&actor.token) else {
                path.pop();
                continue;
            };
            let may = |op| check(&actor.token, access(op)).is_ok();
            let relocate = may(FileOp::Coordinate);
            let write = may(FileOp::Write);
            let caps = Caps {
                rename: if row.is_dir { relocate } else { write },
                relocate,
                write,
                share: may(FileOp::Share {
                    role: FileRole::Viewer,
                    target: None,
                }),
            };
            path.pop();
            let mut e = FileEntry::from_row(&row, folder.area, r);
            e.guest = folder.is_guest();
            if submitted {
                e.submitted_by = submitters.label(&row);
            }
            out.push(Listed { entry: e, caps });
        }
        Ok(out)
    }

    /// What the caller may do with one node, as the policy decides it.
    pub fn file_caps(&self, actor: &Actor, node: &Located) -> Caps {
        let may = |op| node.check(actor, op).is_ok();
        let relocate = may(FileOp::Coordinate);
        let write = may(FileOp::Write);
        Caps {
            rename: if node.node().is_dir { relocate } else { write },
            relocate,
            write,
            share: may(FileOp::Share {
                role: FileRole::Viewer,
                target: None,
            }),
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use schulhof_authz::files::Area;

    fn entry(name: &str, is_dir: bool, size: u64, day: u32) -> FileEntry {
        FileEntry {
            id: NodeId(uuid::Uuid::now_v7()),
            parent: None,
            area: "own",
            name: name.to_owned(),
            is_dir,
            size,
            mime: None,
            modified_at: Utc
                .with_ymd_and_hms(2026, 1, day, 0, 0, 0)
                .single()
                .expect("date"),
            etag: String::new(),
            role: "viewer",
            drop_box: false,
            inherits: true,
            shared_by: None,
            submitted_by: None,
            guest: false,
            role_value: FileRole::Viewer,
            area_value: Area::Own,
            blob: None,
        }
    }

    fn names(list: &[FileEntry]) -> Vec<&str> {
        list.iter().map(|e| e.name.as_str()).collect()
    }

    #[test]
    fn folders_come_first_and_each_key_sorts_both_ways() {
        let mut list = vec![
            entry("b.txt", false, 30, 2),
            entry("A.txt", false, 10, 3),
            entry("Ordner", true, 0, 1),
            entry("c.txt", false, 20, 1),
        ];
        sort_entries(&mut list, ListOrder::default());
        assert_eq!(names(&list), ["Ordner", "A.txt", "b.txt", "c.txt"]);
        let by_size = ListOrder {
            key: SortKey::Size,
            descending: true,
        };
        sort_entries(&mut list, by_size);
        assert_eq!(names(&list), ["Ordner", "b.txt", "c.txt", "A.txt"]);
        let by_date = ListOrder {
            key: SortKey::Modified,
            descending: false,
        };
        sort_entries(&mut list, by_date);
        assert_eq!(names(&list), ["Ordner", "c.txt", "b.txt", "A.txt"]);
    }

    #[test]
    fn the_filter_ignores_case() {
        let list = vec![
            entry("Arbeitsblatt.pdf", false, 1, 1),
            entry("x", false, 1, 1),
        ];
        assert_eq!(
            names(&filter_entries(list.clone(), "BLATT")),
            ["Arbeitsblatt.pdf"]
        );
        assert_eq!(filter_entries(list, " ").len(), 2);
    }
}
