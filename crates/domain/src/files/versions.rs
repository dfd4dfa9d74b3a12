//! Earlier versions of a file: every overwrite keeps the previous content.

use chrono::{DateTime, Utc};
use schulhof_authz::files::{self, FileOp};
use schulhof_store::files as store;
use schulhof_store::{instances, users};
use schulhof_types::UserId;
use serde::Serialize;
use uuid::Uuid;

use super::locate::{locate_guest, locate_in};
use super::{FileEntry, Located};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// An earlier content of a file.
#[derive(Clone, Debug, Serialize)]
pub struct VersionView {
    pub id: Uuid,
    pub size: u64,
    pub modified_at: DateTime<Utc>,
    /// Who wrote that content (login), when that login still exists.
    pub modified_by: Option<String>,
}

impl Platform {
    /// The earlier versions of a file, newest first.
    pub async fn file_versions(
        &self,
        actor: &Actor,
        file: &Located,
    ) -> Result<Vec<VersionView>, DomainError> {
        file.check(actor, FileOp::Read)?;
        if file.is_guest() {
            // The history (and who wrote it) stays with the sharing school.
            return Ok(Vec::new());
        }
        let instance = actor.token.instance();
        let mut c = self.db.read().await?;
        let rows = store::versions(&mut c, instance, file.node().id).await?;
        let mut out = Vec::with_capacity(rows.len());
        for v in rows {
            let by = match v.modified_by {
                Some(u) => users::get(&mut c, instance, u).await?.map(|u| u.login),
                None => None,
            };
            out.push(VersionView {
                id: v.id,
                size: v.size.max(0) as u64,
                modified_at: v.modified_at,
                modified_by: by,
            });
        }
        Ok(out)
    }

    /// Makes an earlier version the current content again; the current one becomes a version.
    pub async fn file_restore_version(
        &self,
        actor: &Actor,
        file: &Located,
        version: Uuid,
    ) -> Result<FileEntry, DomainError> {
        file.check(actor, FileOp::Write)?;
        let instance = actor.token.instance();
        let node = file.node();
        let mut tx = self.db.begin().await?;
        let v = store::versions(&mut tx, instance, node.id)
            .await?
            .into_iter()
            .find(|v| v.id == version)
            .ok_or(DomainError::NotFound)?;
        self.check_quota_in(&mut tx, actor, node.owner_id, v.size - node.size)
            .await?;
        store::set_content(
            &mut tx,
            instance,
            node.id,
            &v.blob_sha,
            v.size,
            node.mime.as_deref(),
            actor.token.user(),
            self.now(),
        )
        .await?;
        if !file.area.is_safe() {
            schulhof_store::media::queue_text(&mut tx, instance, node.id, &v.blob_sha, self.now())
                .await?;
        }
        let located = locate_in(&mut tx, actor, node.id).await?;
        tx.commit().await?;
        located.entry(actor).ok_or(DomainError::NotFound)
    }

    /// Folders and files in other logins' own areas shared with the caller (directly or
    /// through a group), newest first.
    pub async fn file_shared_with_me(&self, actor: &Actor) -> Result<Vec<FileEntry>, DomainError> {
        let keys = files::subject_keys(&actor.token);
        let mut c = self.db.read().await?;
        let rows =
            store::shared_with(&mut c, actor.token.instance(), &keys, actor.token.user().0).await?;
        let mut out = Vec::new();
        for row in rows {
            if let Ok(l) = locate_in(&mut c, actor, row.id).await
                && let Some(mut e) = l.entry(actor)
            {
                e.shared_by = users::get(&mut c, actor.token.instance(), UserId(row.owner_id))
                    .await?
                    .map(|u| format!("{} {}", u.first_name, u.last_name));
                out.push(e);
            }
        }
        // Shared by name from other schools: read-only, with the school's name.
        let guest = files::guest_keys(&actor.token);
        let key = files::guest_key(actor.token.user());
        for (school, row) in store::system_guest_shares(&mut c, &guest, &key).await? {
            if let Ok(l) = locate_guest(&mut c, actor, school, row.id).await
                && let Some(mut e) = l.entry(actor)
            {
                e.shared_by = instances::get(&mut c, school)
                    .await?
                    .map(|s| format!("{} ({})", s.name, s.school_number));
                out.push(e);
            }
        }
        Ok(out)
    }
}
