//! Finding nodes with the path to them, so the policy can decide on them.

use schulhof_authz::files::{self, Area, FileAccess, FileOp, FileRole, Level, guest_role, role_on};
use schulhof_authz::{Grant, check};
use schulhof_store::AsConn;
use schulhof_store::files::{self as store, ChildFilter, NodeRow, SHARED_OWNER};
use schulhof_types::{InstanceId, NodeId, UserId};
use uuid::Uuid;

use super::{FileEntry, level_of};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// A node with the path from its area root, as the policy needs it.
#[derive(Clone, Debug)]
pub struct Located {
    pub area: Area,
    /// Root first, the node itself last.
    pub rows: Vec<NodeRow>,
    /// Whose roles the rows carry: a node located for one login proves nothing for another.
    pub(crate) viewer: UserId,
    /// Set when the viewer is a guest from another school, reaching this school's node
    /// through a share: then it only reads.
    pub(crate) guest: Option<InstanceId>,
}

impl Located {
    pub fn node(&self) -> &NodeRow {
        self.rows.last().expect("a located node has a path")
    }

    /// The folder this node is in, with the path to it (none for an area root).
    pub fn parent(&self) -> Option<Located> {
        let n = self.rows.len();
        (n >= 2).then(|| Located {
            area: self.area,
            rows: self.rows[..n - 1].to_vec(),
            viewer: self.viewer,
            guest: self.guest,
        })
    }

    /// The school the node belongs to (another one than the caller's for a guest).
    pub(crate) fn school(&self, actor: &Actor) -> InstanceId {
        self.guest.unwrap_or(actor.token.instance())
    }

    /// The subject keys the caller matches in this node's school.
    pub(crate) fn keys(&self, actor: &Actor) -> String {
        match self.guest {
            Some(_) => files::guest_keys(&actor.token),
            None => files::subject_keys(&actor.token),
        }
    }

    /// Whether the caller reached the node as a guest from another school.
    pub fn is_guest(&self) -> bool {
        self.guest.is_some()
    }

    /// The role on the last of `levels` (a prefix of this node's path) for the caller.
    fn role_along(&self, actor: &Actor, levels: &[Level]) -> Option<FileRole> {
        if actor.token.user() != self.viewer {
            return None;
        }
        match self.guest {
            Some(_) => guest_role(&actor.token, levels),
            None => role_on(&actor.token, self.area, levels),
        }
    }

    pub(crate) fn levels(&self) -> Vec<Level> {
        self.rows.iter().map(level_of).collect()
    }

    pub fn role(&self, actor: &Actor) -> Option<FileRole> {
        self.role_along(actor, &self.levels())
    }

    /// Asks the policy for `op` on this node.
    pub(crate) fn check(
        &self,
        actor: &Actor,
        op: FileOp,
    ) -> Result<Grant<FileAccess>, DomainError> {
        Ok(check(
            &actor.token,
            FileAccess {
                node: self.node().id,
                area: self.area,
                path: self.levels(),
                op,
                guest: self.guest.is_some(),
            },
        )?)
    }

    /// What the caller may do with this node, as the policy decides it.
    pub(crate) fn caps(&self, actor: &Actor) -> super::Caps {
        super::Caps::asking(self.node().is_dir, |op| self.check(actor, op).is_ok())
    }

    /// The node as the caller sees it, with what it may do with it.
    pub fn entry(&self, actor: &Actor) -> Option<FileEntry> {
        let role = self.role(actor)?;
        let mut e = FileEntry::from_row(self.node(), self.area, role);
        e.guest = self.guest.is_some();
        e.caps = self.caps(actor);
        Some(e)
    }
}

/// The grants a new area root starts with: the policy's template of minimal rights.
fn template(area: Area, owner: Uuid) -> Vec<(String, i64)> {
    files::area_template(area, schulhof_types::UserId(owner))
        .into_iter()
        .map(|(k, r)| (k, r.as_i64()))
        .collect()
}

fn area_of(row: &NodeRow) -> Result<Area, DomainError> {
    Area::parse(&row.area)
        .ok_or_else(|| DomainError::Internal(format!("unknown area {}", row.area)))
}

impl Platform {
    /// The root of an area for the caller (the own area is the caller's), created with its
    /// template on first use.
    pub(crate) async fn area_root(&self, actor: &Actor, area: Area) -> Result<NodeId, DomainError> {
        let owner = match area {
            Area::Own | Area::SafeOwn => actor.token.user().0,
            _ => SHARED_OWNER,
        };
        if area.is_safe() && !actor.safe {
            return Err(DomainError::SafeLocked);
        }
        let instance = actor.token.instance();
        // Roots exist after the first call; reading first spares the write lock.
        let keys = files::subject_keys(&actor.token);
        let mut c = self.db.read().await?;
        if let Some(id) = root_id(&mut c, instance, area, owner, &keys).await? {
            return Ok(id);
        }
        drop(c);
        let mut tx = self.db.begin().await?;
        let id = store::ensure_root(
            &mut tx,
            instance,
            area.as_str(),
            owner,
            &template(area, owner),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The areas the caller may see, with their roots.
    pub async fn file_areas(&self, actor: &Actor) -> Result<Vec<FileEntry>, DomainError> {
        let mut out = Vec::new();
        for area in [Area::Own, Area::Info, Area::Teaching, Area::Staff] {
            let root = self.area_root(actor, area).await?;
            if let Ok(e) = self.file_entry(actor, root).await {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// A node the caller may see, with its path: in the own school, or shared with the
    /// caller by another school.
    pub async fn locate(&self, actor: &Actor, id: NodeId) -> Result<Located, DomainError> {
        let mut c = self.db.read().await?;
        match locate_in(&mut c, actor, id).await {
            Err(DomainError::NotFound) => {}
            found => return found,
        }
        for school in store::system_schools_of(&mut c, id).await? {
            if school != actor.token.instance()
                && let Ok(found) = locate_guest(&mut c, actor, school, id).await
            {
                return Ok(found);
            }
        }
        Err(DomainError::NotFound)
    }

    /// A node the caller may see.
    pub async fn file_entry(&self, actor: &Actor, id: NodeId) -> Result<FileEntry, DomainError> {
        self.locate(actor, id)
            .await?
            .entry(actor)
            .ok_or(DomainError::NotFound)
    }

    /// Follows names from an area root (WebDAV paths). Invisible or missing: `NotFound`.
    pub async fn locate_path(
        &self,
        actor: &Actor,
        area: Area,
        names: &[&str],
    ) -> Result<Located, DomainError> {
        let root = self.area_root(actor, area).await?;
        let keys = files::subject_keys(&actor.token);
        let instance = actor.token.instance();
        let mut c = self.db.read().await?;
        let mut rows = vec![
            store::get(&mut c, instance, root, &keys)
                .await?
                .ok_or(DomainError::NotFound)?,
        ];
        for name in names {
            let parent = rows.last().expect("root is there");
            if !parent.is_dir {
                return Err(DomainError::NotFound);
            }
            let child = store::child_by_name(
                &mut c,
                instance,
                parent.id,
                // In a drop folder a name leads to the caller's own submission.
                &super::names::name_key_in(parent, Some(actor.token.user()), name),
                &keys,
            )
            .await?
            .ok_or(DomainError::NotFound)?;
            rows.push(child);
        }
        let located = Located {
            area,
            rows,
            viewer: actor.token.user(),
            guest: None,
        };
        located.role(actor).ok_or(DomainError::NotFound)?;
        Ok(located)
    }

    /// The children of a folder the caller may see, folders first. Invisible rows are
    /// filtered in the query, not after loading.
    pub async fn file_list(
        &self,
        actor: &Actor,
        folder: &Located,
    ) -> Result<Vec<FileEntry>, DomainError> {
        let role = folder.role(actor).ok_or(DomainError::NotFound)?;
        let node = folder.node();
        if !node.is_dir {
            return Err(DomainError::invalid("folder", "Das ist kein Ordner."));
        }
        let filter = ChildFilter {
            parent_visible: true,
            only_created_by: (node.drop_box && role < FileRole::Coordinator)
                .then(|| actor.token.user()),
        };
        let keys = folder.keys(actor);
        let mut c = self.db.read().await?;
        let rows = store::children(&mut c, folder.school(actor), node.id, &keys, filter).await?;
        let mut levels = folder.levels();
        let mut out = Vec::with_capacity(rows.len());
        let submitted = node.drop_box && role >= FileRole::Coordinator && folder.guest.is_none();
        let submitters = if submitted {
            super::share::Submitters::load(&mut c, folder.school(actor), &rows).await?
        } else {
            super::share::Submitters::default()
        };
        for row in rows {
            levels.push(level_of(&row));
            if let Some(r) = folder.role_along(actor, &levels) {
                let mut e = FileEntry::from_row(&row, folder.area, r);
                e.guest = folder.guest.is_some();
                if submitted {
                    e.submitted_by = submitters.label(&row);
                }
                out.push(e);
            }
            levels.pop();
        }
        Ok(out)
    }

    /// The way from the area root to a node, for breadcrumbs: (id, name) pairs of the
    /// ancestors the caller may see.
    pub fn file_breadcrumbs(&self, actor: &Actor, located: &Located) -> Vec<(NodeId, String)> {
        let mut levels = Vec::new();
        let mut out = Vec::new();
        for row in &located.rows {
            levels.push(level_of(row));
            if located.role_along(actor, &levels).is_some() {
                out.push((row.id, super::display_name(row, located.area)));
            }
        }
        out
    }
}

async fn root_id(
    c: &mut impl AsConn,
    instance: schulhof_types::InstanceId,
    area: Area,
    owner: Uuid,
    _keys: &str,
) -> Result<Option<NodeId>, DomainError> {
    Ok(store::root(c, instance, area.as_str(), owner).await?)
}

/// Loads a node with its path on an open connection.
pub(crate) async fn locate_in(
    c: &mut impl AsConn,
    actor: &Actor,
    id: NodeId,
) -> Result<Located, DomainError> {
    let keys = files::subject_keys(&actor.token);
    let rows = store::path_to(c, actor.token.instance(), id, &keys).await?;
    let Some(first) = rows.first() else {
        return Err(DomainError::NotFound);
    };
    if first.parent_id.is_some() || rows.iter().any(|r| r.deleted_at.is_some()) {
        return Err(DomainError::NotFound);
    }
    let area = area_of(first)?;
    // Safe content exists only for an actor that passed the Safe's gate.
    if area.is_safe() && !actor.safe {
        return Err(DomainError::NotFound);
    }
    let located = Located {
        area,
        rows,
        viewer: actor.token.user(),
        guest: None,
    };
    located.role(actor).ok_or(DomainError::NotFound)?;
    Ok(located)
}

/// Loads a node of another school that was shared with the caller by name. The Safe and
/// the school's Informationen are never reachable this way.
pub(crate) async fn locate_guest(
    c: &mut impl AsConn,
    actor: &Actor,
    school: InstanceId,
    id: NodeId,
) -> Result<Located, DomainError> {
    let keys = files::guest_keys(&actor.token);
    let rows = store::path_to(c, school, id, &keys).await?;
    let Some(first) = rows.first() else {
        return Err(DomainError::NotFound);
    };
    if first.parent_id.is_some() || rows.iter().any(|r| r.deleted_at.is_some()) {
        return Err(DomainError::NotFound);
    }
    let area = area_of(first)?;
    if !matches!(area, Area::Own | Area::Teaching | Area::Staff) {
        return Err(DomainError::NotFound);
    }
    let located = Located {
        area,
        rows,
        viewer: actor.token.user(),
        guest: Some(school),
    };
    located.role(actor).ok_or(DomainError::NotFound)?;
    Ok(located)
}
