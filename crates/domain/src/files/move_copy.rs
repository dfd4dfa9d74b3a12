//! Moving, renaming and copying nodes: the target folder's rights are asked like an upload's,
//! and names clash case- and form-insensitively as everywhere.

use schulhof_authz::files::{self, FileOp, FileRole, child_role};
use schulhof_store::Tx;
use schulhof_store::files::{self as store, NewNode};
use schulhof_store::media;
use schulhof_types::NodeId;

use super::locate::locate_in;
use super::names::{check_name, name_key, name_key_in};
use super::write::{Placement, insert_named, map_name_clash, owner_of};
use super::{FileEntry, Located, level_of};
use crate::identity::Actor;
use crate::{DomainError, Platform};

impl Platform {
    /// Renames and/or moves a node into `to.folder` as `to.name`. Folders need the
    /// coordinator role; files the contributor role. A folder never moves into itself.
    pub async fn file_move(
        &self,
        actor: &Actor,
        node: &Located,
        to: Placement<'_>,
    ) -> Result<FileEntry, DomainError> {
        let name = check_name(to.name)?;
        let row = node.node();
        if row.parent_id.is_none() {
            return Err(DomainError::invalid(
                "node",
                "Ein Bereich kann nicht umbenannt oder verschoben werden.",
            ));
        }
        let same_place = to.folder.node().id == row.parent_id.unwrap_or(row.id);
        // Taking something out of its folder is like deleting it there: coordinators only.
        let op = if same_place && !row.is_dir {
            FileOp::Write
        } else {
            FileOp::Coordinate
        };
        node.check(actor, op)?;
        if node.area.is_safe() != to.folder.area.is_safe() {
            return Err(DomainError::Forbidden);
        }
        if !same_place {
            to.folder.check(
                actor,
                if row.is_dir {
                    FileOp::Coordinate
                } else {
                    FileOp::Write
                },
            )?;
            if to.folder.rows.iter().any(|r| r.id == row.id) {
                return Err(DomainError::invalid(
                    "target",
                    "Ein Ordner kann nicht in sich selbst verschoben werden.",
                ));
            }
            if !to.folder.node().is_dir {
                return Err(DomainError::invalid("target", "Das Ziel ist kein Ordner."));
            }
        }
        let mut tx = self.db.begin().await?;
        let new_owner = owner_of(to.folder);
        if new_owner != row.owner_id {
            let size = self.subtree_size(&mut tx, actor, row.id).await?;
            self.check_quota_in(&mut tx, actor, new_owner, size).await?;
        }
        let moved = store::relocate(
            &mut tx,
            actor.token.instance(),
            row.id,
            to.folder.node().id,
            &name,
            &name_key_in(to.folder.node(), row.created_by, &name),
            to.folder.area.as_str(),
            new_owner,
            actor.token.user(),
            self.now(),
        )
        .await;
        map_name_clash(moved)?;
        media::touch_text(&mut tx, actor.token.instance(), row.id, self.now()).await?;
        let located = locate_in(&mut tx, actor, row.id).await?;
        tx.commit().await?;
        located.entry(actor).ok_or(DomainError::NotFound)
    }

    /// Copies a node (a folder with everything in it the caller may see) to `to`. Content
    /// is shared, not duplicated; the quota counts it again.
    pub async fn file_copy(
        &self,
        actor: &Actor,
        node: &Located,
        to: Placement<'_>,
    ) -> Result<FileEntry, DomainError> {
        let top_name = check_name(to.name)?;
        node.check(actor, FileOp::Read)?;
        if node.is_guest() {
            return Err(DomainError::invalid(
                "node",
                "Was eine andere Schule teilt, wird hier gelesen und heruntergeladen, nicht kopiert.",
            ));
        }
        // Nothing leaves the Safe and nothing unsealed enters it.
        if node.area.is_safe() != to.folder.area.is_safe() {
            return Err(DomainError::Forbidden);
        }
        let row = node.node();
        to.folder.check(
            actor,
            if row.is_dir {
                FileOp::Coordinate
            } else {
                FileOp::Write
            },
        )?;
        if to.folder.rows.iter().any(|r| r.id == row.id) {
            return Err(DomainError::invalid(
                "target",
                "Ein Ordner kann nicht in sich selbst kopiert werden.",
            ));
        }
        let instance = actor.token.instance();
        let keys = files::subject_keys(&actor.token);
        let mut tx = self.db.begin().await?;
        let rows = store::subtree(&mut tx, instance, row.id, &keys).await?;
        // Copy only what the caller can see: the role of each row follows from its parent's.
        let mut roles: std::collections::HashMap<NodeId, (Option<FileRole>, bool)> =
            Default::default();
        let mut ids: std::collections::HashMap<NodeId, NodeId> = Default::default();
        let mut total = 0i64;
        let mut plan = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            let role = if i == 0 {
                node.role(actor)
            } else {
                let (pr, pdrop) = r
                    .parent_id
                    .and_then(|p| roles.get(&p).copied())
                    .unwrap_or((None, false));
                child_role(&actor.token, pr, pdrop, &level_of(r))
            };
            roles.insert(r.id, (role, r.drop_box));
            if role.is_none() {
                continue;
            }
            let new_parent = if i == 0 {
                Some(to.folder.node().id)
            } else {
                r.parent_id.and_then(|p| ids.get(&p).copied())
            };
            let Some(new_parent) = new_parent else {
                continue;
            };
            let new_id = NodeId::new();
            ids.insert(r.id, new_id);
            total += r.size;
            plan.push((r.clone(), new_id, new_parent));
        }
        self.check_quota_in(&mut tx, actor, owner_of(to.folder), total)
            .await?;
        let now = self.now();
        for (i, (r, new_id, new_parent)) in plan.iter().enumerate() {
            let (name, key) = if i == 0 {
                let key = name_key_in(to.folder.node(), Some(actor.token.user()), &top_name);
                (top_name.clone(), key)
            } else {
                (r.name.clone(), name_key(&r.name))
            };
            insert_named(
                &mut tx,
                actor,
                NewNode {
                    id: *new_id,
                    parent_id: *new_parent,
                    area: to.folder.area.as_str().into(),
                    owner_id: owner_of(to.folder),
                    name_key: key,
                    name,
                    is_dir: r.is_dir,
                    blob_sha: r.blob_sha.clone(),
                    size: r.size,
                    mime: r.mime.clone(),
                    by: actor.token.user(),
                },
                now,
            )
            .await?;
            store::copy_props(&mut tx, instance, r.id, *new_id).await?;
            if let Some(sha) = r.blob_sha.as_deref()
                && !to.folder.area.is_safe()
            {
                media::queue_text(&mut tx, instance, *new_id, sha, now).await?;
            }
        }
        let first = plan.first().map(|p| p.1).ok_or(DomainError::NotFound)?;
        let located = locate_in(&mut tx, actor, first).await?;
        tx.commit().await?;
        located.entry(actor).ok_or(DomainError::NotFound)
    }

    /// Replaces the content of a file with that of another (WebDAV COPY onto an existing file).
    pub async fn file_copy_content(
        &self,
        actor: &Actor,
        from: &Located,
        onto: &Located,
    ) -> Result<(), DomainError> {
        from.check(actor, FileOp::Read)?;
        onto.check(actor, FileOp::Write)?;
        if from.area.is_safe() != onto.area.is_safe() {
            return Err(DomainError::Forbidden);
        }
        let (src, dst) = (from.node(), onto.node());
        let Some(sha) = src.blob_sha.as_deref() else {
            return Err(DomainError::conflict(
                "name",
                "Ein Ordner kann keine Datei ersetzen.",
            ));
        };
        if dst.is_dir {
            return Err(DomainError::conflict(
                "name",
                "Eine Datei kann keinen Ordner ersetzen.",
            ));
        }
        let instance = actor.token.instance();
        let mut tx = self.db.begin().await?;
        self.check_quota_in(&mut tx, actor, dst.owner_id, src.size - dst.size)
            .await?;
        store::set_content(
            &mut tx,
            instance,
            dst.id,
            sha,
            src.size,
            src.mime.as_deref(),
            actor.token.user(),
            self.now(),
        )
        .await?;
        store::copy_props(&mut tx, instance, src.id, dst.id).await?;
        if !onto.area.is_safe() {
            media::queue_text(&mut tx, instance, dst.id, sha, self.now()).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn subtree_size(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: NodeId,
    ) -> Result<i64, DomainError> {
        let keys = files::subject_keys(&actor.token);
        let rows = store::subtree(tx, actor.token.instance(), id, &keys).await?;
        Ok(rows.iter().map(|r| r.size).sum())
    }
}
