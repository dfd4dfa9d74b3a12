//! The trash: deleted folders and files stay restorable, with who deleted them and when.

use chrono::{DateTime, Utc};
use schulhof_authz::files::{self, Area, FileOp};
use schulhof_store::files::{self as store, SHARED_OWNER};
use schulhof_store::{AsConn, users};
use schulhof_types::NodeId;
use serde::Serialize;

use super::locate::locate_in;
use super::{FileEntry, Located};
use crate::audit::{self, Event};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// Deleted content older than this leaves the trash for good.
pub const TRASH_DAYS: i64 = 30;

/// One deletion, as the trash shows it.
#[derive(Clone, Debug, Serialize)]
pub struct TrashEntry {
    pub id: NodeId,
    pub name: String,
    pub is_dir: bool,
    pub size: u64,
    pub deleted_at: DateTime<Utc>,
    /// Who deleted it (login), when that login still exists.
    pub deleted_by: Option<String>,
    /// The folder it was in.
    pub folder: Option<NodeId>,
}

impl Platform {
    /// Moves a node with everything below it into the trash (coordinators only). Deletions
    /// in the shared areas are logged.
    pub async fn file_delete(&self, actor: &Actor, node: &Located) -> Result<(), DomainError> {
        let row = node.node();
        if row.parent_id.is_none() {
            return Err(DomainError::invalid(
                "node",
                "Ein Bereich kann nicht gelöscht werden.",
            ));
        }
        node.check(actor, FileOp::Coordinate)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        store::trash(
            &mut tx,
            actor.token.instance(),
            row.id,
            actor.token.user(),
            now,
        )
        .await?;
        if logged_area(node.area) {
            log_file_action(&mut tx, actor, now, "file_delete", row.id, &row.name).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// What was deleted in an area and may be restored by the caller: deletions from
    /// folders the caller coordinates.
    pub async fn file_trash(
        &self,
        actor: &Actor,
        area: Area,
    ) -> Result<Vec<TrashEntry>, DomainError> {
        let owner = match area {
            Area::Own | Area::SafeOwn => actor.token.user().0,
            _ => SHARED_OWNER,
        };
        let keys = files::subject_keys(&actor.token);
        let instance = actor.token.instance();
        let mut c = self.db.read().await?;
        let rows = store::trash_of_area(&mut c, instance, area.as_str(), owner, &keys).await?;
        let mut out = Vec::new();
        for row in rows {
            let Some(parent) = row.parent_id else {
                continue;
            };
            let Ok(folder) = locate_in(&mut c, actor, parent).await else {
                continue;
            };
            if folder.check(actor, FileOp::Coordinate).is_err() {
                continue;
            }
            let deleted_by = match row.deleted_by {
                Some(u) => users::get(&mut c, instance, u).await?.map(|u| u.login),
                None => None,
            };
            out.push(TrashEntry {
                id: row.id,
                name: row.name,
                is_dir: row.is_dir,
                size: row.size.max(0) as u64,
                deleted_at: row.deleted_at.unwrap_or_default(),
                deleted_by,
                folder: Some(parent),
            });
        }
        Ok(out)
    }

    /// Brings a deletion back into its folder (coordinators of that folder). A name taken
    /// meanwhile is a conflict; nothing changes then.
    pub async fn file_restore(&self, actor: &Actor, id: NodeId) -> Result<FileEntry, DomainError> {
        let mut tx = self.db.begin().await?;
        let folder = trashed_parent(&mut tx, actor, id).await?;
        folder.check(actor, FileOp::Coordinate)?;
        let restored = store::restore(&mut tx, actor.token.instance(), id).await;
        match restored {
            Err(e) if e.is_unique_violation() => {
                return Err(DomainError::conflict(
                    "name",
                    "Im Ordner gibt es inzwischen einen Eintrag mit diesem Namen; bitte erst umbenennen.",
                ));
            }
            other => other?,
        }
        let located = locate_in(&mut tx, actor, id).await?;
        if logged_area(located.area) {
            log_file_action(
                &mut tx,
                actor,
                self.now(),
                "file_restore",
                id,
                &located.node().name,
            )
            .await?;
        }
        tx.commit().await?;
        located.entry(actor).ok_or(DomainError::NotFound)
    }

    /// Deletes a trash entry for good.
    pub async fn file_purge(&self, actor: &Actor, id: NodeId) -> Result<(), DomainError> {
        let mut tx = self.db.begin().await?;
        let folder = trashed_parent(&mut tx, actor, id).await?;
        folder.check(actor, FileOp::Coordinate)?;
        store::purge(&mut tx, actor.token.instance(), id).await?;
        if logged_area(folder.area) {
            log_file_action(&mut tx, actor, self.now(), "file_purge", id, "").await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Empties trash older than [`TRASH_DAYS`] in every school. Returns the deletions.
    pub async fn system_expire_trash(&self) -> Result<usize, DomainError> {
        let before = self.now() - chrono::Duration::days(TRASH_DAYS);
        let mut tx = self.db.begin().await?;
        let due = store::system_expired_trash(&mut tx, before).await?;
        for (instance, id) in &due {
            store::purge(&mut tx, *instance, *id).await?;
        }
        tx.commit().await?;
        Ok(due.len())
    }
}

/// Deletions are logged in the shared areas and the Safe's common area (without names
/// there), never in a login's own areas.
fn logged_area(area: Area) -> bool {
    !matches!(area, Area::Own | Area::SafeOwn)
}

/// The live folder a trash entry was deleted from.
async fn trashed_parent(
    c: &mut impl AsConn,
    actor: &Actor,
    id: NodeId,
) -> Result<Located, DomainError> {
    let keys = files::subject_keys(&actor.token);
    let row = store::get(c, actor.token.instance(), id, &keys)
        .await?
        .filter(|r| r.deleted_at.is_some())
        .ok_or(DomainError::NotFound)?;
    let parent = row.parent_id.ok_or(DomainError::NotFound)?;
    locate_in(c, actor, parent).await
}

/// Logs a file action in a shared area (who, what, which node; never content).
pub(crate) async fn log_file_action(
    c: &mut impl AsConn,
    actor: &Actor,
    at: DateTime<Utc>,
    action: &str,
    node: NodeId,
    name: &str,
) -> Result<(), DomainError> {
    // Nothing of the Safe's content (not even names) goes into a log others may read.
    let name = if actor.safe { "" } else { name };
    let object = node.to_string();
    audit::record(
        c,
        actor.token.instance(),
        at,
        Event {
            kind: "files",
            actor: Some(actor.token.user()),
            holder: actor.user.holder_id,
            action,
            object: Some(&object),
            client_addr: None,
            detail: (!name.is_empty()).then(|| serde_json::json!({ "name": name })),
        },
    )
    .await
}
