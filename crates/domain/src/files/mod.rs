//! The cloud file manager: areas, folders and files, their rights, trash and versions.
//!
//! Every operation locates the node together with the path to it and asks the policy
//! ([`schulhof_authz::files`]) for a grant; invisible nodes answer `NotFound`.

mod cross;
pub mod dav_locks;
pub mod gc;
pub mod handin;
mod links;
mod listing;
mod locate;
mod move_copy;
mod names;
mod offers;
pub mod preview;
pub mod quota;
mod resumable;
mod share;
mod trash;
mod versions;
mod write;
mod zip;

use chrono::{DateTime, Utc};
use schulhof_authz::files::{Area, FileRole, Level};
use schulhof_store::files::NodeRow;
use schulhof_types::NodeId;
use serde::Serialize;

pub use cross::{CROSS_OFFERS_PER_HOUR, Shared, cross_address};
pub use links::{CreatedLink, LinkMode, LinkRefusal, LinkView, NewLink, OpenLink};
pub use listing::{Caps, InheritedGrant, ListOrder, ListPage, ListQuery, Listed, SortKey};
pub use locate::Located;
pub use names::{check_name, fold_name};
pub use offers::OfferView;
pub use quota::Usage;
pub(crate) use resumable::Staging;
pub use resumable::{Appended, UploadPiece, UploadStatus};
pub use schulhof_blob::BlobReader;
pub use share::{GrantView, Subject, kind_subject};
pub use trash::TrashEntry;
pub(crate) use trash::log_file_action;
pub use versions::VersionView;
pub(crate) use write::blob_error;
pub use write::{PendingUpload, Placement};
pub use zip::ZipPlan;

/// A folder or file as a front-end shows it.
#[derive(Clone, Debug, Serialize)]
pub struct FileEntry {
    pub id: NodeId,
    pub parent: Option<NodeId>,
    pub area: &'static str,
    pub name: String,
    pub is_dir: bool,
    pub size: u64,
    pub mime: Option<String>,
    pub modified_at: DateTime<Utc>,
    /// Changes whenever the content, name or place changes.
    pub etag: String,
    /// The caller's role on it.
    pub role: &'static str,
    pub drop_box: bool,
    pub inherits: bool,
    /// Who shared it with the caller ("Mit mir geteilt"): the owner, or the other school.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared_by: Option<String>,
    /// In a drop folder the caller coordinates: who handed the entry in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submitted_by: Option<String>,
    /// Reached as a guest of another school (it can only be read).
    #[serde(skip)]
    pub guest: bool,
    #[serde(skip)]
    pub role_value: FileRole,
    #[serde(skip)]
    pub area_value: Area,
    #[serde(skip)]
    pub blob: Option<String>,
    /// What the caller may do with it, as the policy decides it (nothing where the
    /// entry was built without asking).
    #[serde(skip)]
    pub caps: Caps,
}

impl FileEntry {
    pub(crate) fn from_row(row: &NodeRow, area: Area, role: FileRole) -> FileEntry {
        let etag = format!(
            "{:x}-{}",
            row.modified_at.timestamp_micros(),
            row.blob_sha
                .as_deref()
                .map_or("d", |s| &s[..16.min(s.len())])
        );
        FileEntry {
            id: row.id,
            parent: row.parent_id,
            area: area.as_str(),
            name: display_name(row, area),
            is_dir: row.is_dir,
            size: row.size.max(0) as u64,
            mime: row.mime.clone(),
            modified_at: row.modified_at,
            etag,
            role: role.as_str(),
            drop_box: row.drop_box,
            inherits: row.inherit,
            shared_by: None,
            submitted_by: None,
            guest: false,
            role_value: role,
            area_value: area,
            blob: row.blob_sha.clone(),
            caps: Caps::default(),
        }
    }

    pub fn is_root(&self) -> bool {
        self.parent.is_none()
    }
}

/// Area roots are named after their area; everything else by its own name.
fn display_name(row: &NodeRow, area: Area) -> String {
    if row.parent_id.is_some() {
        return row.name.clone();
    }
    area_title(area).to_owned()
}

/// The German title of an area (the web front-end translates).
pub fn area_title(area: Area) -> &'static str {
    match area {
        Area::Own => "Eigene Dateien",
        Area::Info => "Informationen der Schule",
        Area::Teaching => "Unterricht",
        Area::Staff => "Lehrerbereich",
        Area::SafeOwn => "Mein Safe-Bereich",
        Area::SafeCommon => "Gemeinsamer Safe-Bereich",
    }
}

pub(crate) fn level_of(row: &NodeRow) -> Level {
    Level {
        inherit: row.inherit,
        drop_box: row.drop_box,
        own_role: row.own_role.and_then(FileRole::from_i64),
        created_by: row.created_by,
    }
}

/// A property a WebDAV client stored on a node.
pub use schulhof_store::files::PropRow as DeadProp;

impl crate::Platform {
    /// The dead properties of a node the caller may see.
    pub async fn file_props(
        &self,
        actor: &crate::identity::Actor,
        node: &Located,
    ) -> Result<Vec<DeadProp>, crate::DomainError> {
        node.check(actor, schulhof_authz::files::FileOp::Read)?;
        let mut c = self.db.read().await?;
        Ok(schulhof_store::files::props(&mut c, actor.token.instance(), node.node().id).await?)
    }

    /// The dead properties of all children of a folder the caller may list, by node: one
    /// query for a whole WebDAV listing. Children the caller cannot see are left out by
    /// the caller (it only asks for those it listed).
    pub async fn file_children_props(
        &self,
        actor: &crate::identity::Actor,
        folder: &Located,
    ) -> Result<std::collections::HashMap<NodeId, Vec<DeadProp>>, crate::DomainError> {
        folder.check(actor, schulhof_authz::files::FileOp::Read)?;
        let mut c = self.db.read().await?;
        let mut out: std::collections::HashMap<NodeId, Vec<DeadProp>> = Default::default();
        for (node, p) in schulhof_store::files::props_of_children(
            &mut c,
            actor.token.instance(),
            folder.node().id,
        )
        .await?
        {
            out.entry(node).or_default().push(p);
        }
        Ok(out)
    }

    /// Sets (`true`) or removes (`false`) dead properties; contributors only.
    pub async fn file_patch_props(
        &self,
        actor: &crate::identity::Actor,
        node: &Located,
        patch: &[(bool, DeadProp)],
    ) -> Result<(), crate::DomainError> {
        node.check(actor, schulhof_authz::files::FileOp::Write)?;
        let instance = actor.token.instance();
        let id = node.node().id;
        let mut tx = self.db.begin().await?;
        for (set, p) in patch {
            if *set {
                schulhof_store::files::set_prop(&mut tx, instance, id, p).await?;
            } else {
                schulhof_store::files::remove_prop(&mut tx, instance, id, &p.namespace, &p.name)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}
