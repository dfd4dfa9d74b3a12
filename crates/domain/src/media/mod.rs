//! The Mediathek: licences and metadata of files, full-text search over everything the
//! caller may see (and licensed files of other schools), favourites, and the background
//! job that extracts text and keeps the local index current.

mod extract;
pub(crate) mod index;
mod pdf_guard;

use chrono::{DateTime, Utc};
use schulhof_authz::files::{Area, FileOp};
use schulhof_store::instances;
use schulhof_store::media::{self as store, MetaRow};
use schulhof_types::{InstanceId, NodeId, RightId};
use serde::Serialize;
use tokio::io::AsyncReadExt;

pub use extract::text_of;

use crate::files::Located;
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// The Creative Commons licences a file can carry.
pub const LICENSES: [&str; 7] = [
    "CC0",
    "CC BY",
    "CC BY-SA",
    "CC BY-NC",
    "CC BY-ND",
    "CC BY-NC-SA",
    "CC BY-NC-ND",
];

/// Licence and metadata as set on a file.
#[derive(Clone, Debug, Default, Serialize, serde::Deserialize)]
pub struct MediaMeta {
    pub license: Option<String>,
    pub subject: String,
    pub grade: String,
    pub keywords: String,
}

/// A search result or favourite.
#[derive(Clone, Debug, Serialize)]
pub struct MediaHit {
    pub id: NodeId,
    pub name: String,
    pub size: u64,
    pub modified_at: DateTime<Utc>,
    /// The school it belongs to (by name), when it is not the caller's own.
    pub other_school: Option<String>,
    pub meta: MediaMeta,
    pub favourite: bool,
}

impl Platform {
    /// Licence and metadata of a file the caller may see.
    pub async fn media_meta(
        &self,
        actor: &Actor,
        file: &Located,
    ) -> Result<MediaMeta, DomainError> {
        file.check(actor, FileOp::Read)?;
        let mut c = self.db.read().await?;
        Ok(store::meta(&mut c, file.school(actor), file.node().id)
            .await?
            .map(from_row)
            .unwrap_or_default())
    }

    /// Sets licence and metadata (contributors). A Creative Commons licence needs the
    /// right to give public licences in that area (files.own.license, files.teaching.license).
    pub async fn media_set_meta(
        &self,
        actor: &Actor,
        file: &Located,
        meta: MediaMeta,
    ) -> Result<(), DomainError> {
        file.check(actor, FileOp::Write)?;
        if file.area.is_safe() || file.node().is_dir {
            return Err(DomainError::invalid(
                "node",
                "Nur Dateien außerhalb des Safes bekommen Lizenz und Metadaten.",
            ));
        }
        let instance = actor.token.instance();
        let mut c = self.db.read().await?;
        let before = store::meta(&mut c, instance, file.node().id)
            .await?
            .unwrap_or_default();
        drop(c);
        let license = match meta
            .license
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            None => None,
            Some(l) => Some(
                LICENSES
                    .iter()
                    .find(|k| k.eq_ignore_ascii_case(l))
                    .ok_or_else(|| {
                        DomainError::invalid("license", format!("Unbekannte Lizenz „{l}“."))
                    })?
                    .to_string(),
            ),
        };
        if license != before.license {
            let right = match file.area {
                Area::Own => Some(RightId::FilesOwnLicense),
                Area::Teaching => Some(RightId::FilesTeachingLicense),
                _ => None,
            };
            if !right.is_some_and(|r| actor.token.has(r)) {
                return Err(DomainError::Forbidden);
            }
        }
        let clip = |s: &str| s.trim().chars().take(200).collect::<String>();
        let row = MetaRow {
            license,
            subject: clip(&meta.subject),
            grade: clip(&meta.grade),
            keywords: clip(&meta.keywords),
        };
        let now = self.now();
        let mut tx = self.db.begin().await?;
        store::set_meta(
            &mut tx,
            instance,
            file.node().id,
            &row,
            actor.token.user(),
            now,
        )
        .await?;
        store::touch_text(&mut tx, instance, file.node().id, now).await?;
        if row.license != before.license {
            crate::files::log_file_action(
                &mut tx,
                actor,
                now,
                "file_license",
                file.node().id,
                row.license.as_deref().unwrap_or("-"),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Searches names, metadata and full text of everything the caller may see, and
    /// licensed files of other schools. Every hit is checked against the policy again.
    pub async fn media_search(
        &self,
        actor: &Actor,
        query: &str,
        limit: usize,
    ) -> Result<Vec<MediaHit>, DomainError> {
        if !actor.token.has(RightId::MediaAccess) {
            return Err(DomainError::NotFound);
        }
        let query = query.trim();
        if query.is_empty() {
            return Ok(Vec::new());
        }
        // Analysing the query and scoring the index is CPU work: on the blocking pool.
        let (index, instance, text) = (
            self.media_index.clone(),
            actor.token.instance(),
            query.to_owned(),
        );
        let hits =
            tokio::task::spawn_blocking(move || index.search(instance, &text, (limit * 4).max(40)))
                .await
                .map_err(|e| DomainError::Internal(e.to_string()))??;
        let favs = self.favourite_ids(actor).await?;
        let mut out = Vec::new();
        for h in hits {
            if out.len() >= limit {
                break;
            }
            if let Some(hit) = self.media_hit(actor, h.instance, h.node, &favs).await? {
                out.push(hit);
            }
        }
        Ok(out)
    }

    /// The caller's favourites that still exist and are still visible.
    pub async fn media_favourites(&self, actor: &Actor) -> Result<Vec<MediaHit>, DomainError> {
        if !actor.token.has(RightId::MediaFavourites) {
            return Err(DomainError::NotFound);
        }
        let mut c = self.db.read().await?;
        let list = store::favourites(&mut c, actor.token.instance(), actor.token.user()).await?;
        drop(c);
        let favs: Vec<NodeId> = list.iter().map(|(_, n)| *n).collect();
        let mut out = Vec::new();
        for (instance, node) in list {
            if let Some(hit) = self.media_hit(actor, instance, node, &favs).await? {
                out.push(hit);
            }
        }
        Ok(out)
    }

    /// Adds or removes a favourite (something the caller may open).
    pub async fn media_set_favourite(
        &self,
        actor: &Actor,
        node: NodeId,
        on: bool,
    ) -> Result<(), DomainError> {
        if !actor.token.has(RightId::MediaFavourites) {
            return Err(DomainError::NotFound);
        }
        let instance = if on {
            self.media_open(actor, node).await?.0
        } else {
            actor.token.instance()
        };
        let mut tx = self.db.begin().await?;
        store::set_favourite(
            &mut tx,
            actor.token.instance(),
            actor.token.user(),
            instance,
            node,
            on,
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Opens a medium: a file of the own school the caller may see, or a licensed file of
    /// another school. Returns its school, entry data and content.
    pub async fn media_open(
        &self,
        actor: &Actor,
        node: NodeId,
    ) -> Result<(InstanceId, MediaHit, schulhof_blob::BlobReader), DomainError> {
        if !actor.token.has(RightId::MediaShared) {
            return Err(DomainError::NotFound);
        }
        if let Ok(own) = self.locate(actor, node).await
            && !own.node().is_dir
        {
            let file = self.file_open(actor, &own).await?;
            let hit = self
                .media_hit(actor, actor.token.instance(), node, &[])
                .await?
                .ok_or(DomainError::NotFound)?;
            return Ok((actor.token.instance(), hit, file));
        }
        let mut c = self.db.read().await?;
        let (instance, _) = store::system_licensed(&mut c, node)
            .await?
            .ok_or(DomainError::NotFound)?;
        let sha = store::system_node_brief(&mut c, instance, node)
            .await?
            .ok_or(DomainError::NotFound)?
            .blob_sha;
        drop(c);
        let hit = self
            .media_hit(actor, instance, node, &[])
            .await?
            .ok_or(DomainError::NotFound)?;
        let file = self
            .blobs
            .open_read(sha.as_deref().ok_or(DomainError::NotFound)?)
            .await
            .map_err(crate::files::blob_error)?;
        Ok((instance, hit, file))
    }

    async fn favourite_ids(&self, actor: &Actor) -> Result<Vec<NodeId>, DomainError> {
        let mut c = self.db.read().await?;
        Ok(
            store::favourites(&mut c, actor.token.instance(), actor.token.user())
                .await?
                .into_iter()
                .map(|(_, n)| n)
                .collect(),
        )
    }

    /// A hit if the caller may see it: through the policy in the own school, by licence in
    /// another one.
    async fn media_hit(
        &self,
        actor: &Actor,
        instance: InstanceId,
        node: NodeId,
        favs: &[NodeId],
    ) -> Result<Option<MediaHit>, DomainError> {
        let mut c = self.db.read().await?;
        let (entry_name, size, modified_at, other_school, meta) =
            if instance == actor.token.instance() {
                drop(c);
                let Ok(located) = self.locate(actor, node).await else {
                    return Ok(None);
                };
                let Some(e) = located.entry(actor) else {
                    return Ok(None);
                };
                if e.is_dir {
                    return Ok(None);
                }
                let mut c = self.db.read().await?;
                let meta = store::meta(&mut c, instance, node)
                    .await?
                    .map(from_row)
                    .unwrap_or_default();
                (e.name, e.size, e.modified_at, None, meta)
            } else {
                let Some((_, meta)) = store::system_licensed(&mut c, node)
                    .await?
                    .filter(|(i, _)| *i == instance)
                else {
                    return Ok(None);
                };
                let Some(b) = store::system_node_brief(&mut c, instance, node).await? else {
                    return Ok(None);
                };
                let (name, size, at) = (b.name, b.size, b.modified_at);
                let school = instances::get(&mut c, instance).await?.map(|i| i.name);
                (name, size.max(0) as u64, at, school, from_row(meta))
            };
        Ok(Some(MediaHit {
            id: node,
            name: entry_name,
            size,
            modified_at,
            other_school,
            meta,
            favourite: favs.contains(&node),
        }))
    }

    /// One step of the background job: extracts the text of up to `batch` files, then
    /// brings this node's index up to date. Returns how many files it extracted.
    pub async fn system_media_step(&self, batch: i64) -> Result<usize, DomainError> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let pending =
            store::system_claim_pending(&mut tx, batch, now, now - chrono::Duration::minutes(10))
                .await?;
        tx.commit().await?;
        for p in &pending {
            let (status, body) = self.extract(p).await;
            let mut tx = self.db.begin().await?;
            store::set_text(&mut tx, p, status, &body, self.now()).await?;
            tx.commit().await?;
        }
        self.sync_index().await?;
        Ok(pending.len())
    }

    async fn extract(&self, p: &store::PendingText) -> (&'static str, String) {
        if p.size < 0 || p.size as u64 > extract::MAX_INPUT {
            return ("skipped", String::new());
        }
        let Ok(mut f) = self.blobs.open_read(&p.blob_sha).await else {
            return ("failed", String::new());
        };
        let mut bytes = Vec::with_capacity(p.size as usize);
        if f.read_to_end(&mut bytes).await.is_err() {
            return ("failed", String::new());
        }
        let (name, mime) = (p.name.clone(), p.mime.clone());
        // Parsing PDFs and office files is CPU work: off the async threads, and a panic in a
        // parser only fails this file.
        let text =
            tokio::task::spawn_blocking(move || extract::text_of(&name, mime.as_deref(), &bytes))
                .await;
        match text {
            Ok(Some(t)) => ("done", t),
            Ok(None) => ("skipped", String::new()),
            Err(_) => ("failed", String::new()),
        }
    }

    /// Applies every change of `file_text` since this node's cursor to its index.
    async fn sync_index(&self) -> Result<(), DomainError> {
        loop {
            let cursor = *self
                .media_index
                .cursor
                .lock()
                .map_err(|e| DomainError::Internal(e.to_string()))?;
            let mut c = self.db.read().await?;
            let rows = store::system_changes_since(&mut c, cursor, 500).await?;
            drop(c);
            let Some(last) = rows.last().map(|r| r.updated_at) else {
                return Ok(());
            };
            // Committing to the index writes segments to disk: on the blocking pool.
            let index = self.media_index.clone();
            let rows = tokio::task::spawn_blocking(move || index.apply(&rows).map(|()| rows))
                .await
                .map_err(|e| DomainError::Internal(e.to_string()))??;
            let mut cur = self
                .media_index
                .cursor
                .lock()
                .map_err(|e| DomainError::Internal(e.to_string()))?;
            if last <= *cur {
                // Only rows at the cursor itself: all applied.
                return Ok(());
            }
            *cur = last;
            if rows.len() < 500 {
                return Ok(());
            }
        }
    }
}

fn from_row(r: MetaRow) -> MediaMeta {
    MediaMeta {
        license: r.license,
        subject: r.subject,
        grade: r.grade,
        keywords: r.keywords,
    }
}
