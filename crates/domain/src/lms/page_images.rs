//! Pictures in pages: uploaded into the page (through the blob store, against the school's
//! quota) or taken from a picture the course already holds (the same content, no copy), and
//! appended to the page's text as `<img src="/kurse/material/{page}/datei/{file}" alt="…">`.
//! The address is the material's own download, so exactly who may see the page sees the
//! picture (hidden, scheduled, restricted material and other schools answer 404).

use schulhof_store::files::SHARED_OWNER;
use schulhof_store::lms::activities::{self, NewActivity};
use schulhof_store::lms::outline::{self, FileRow};
use schulhof_store::to_us;
use schulhof_types::ActivityId;
use tokio::io::AsyncReadExt;
use uuid::Uuid;

use super::ActivityCtx;
use super::material::MAX_IMAGE;
use super::page_text::{clean_alt, image_tag, image_type};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// The role of a page's pictures among the material's files (not listed as downloads).
pub const IMAGE_ROLE: &str = "image";

fn not_a_picture() -> DomainError {
    DomainError::invalid("file", "Bitte ein Bild (PNG, JPEG, GIF oder WebP) wählen.")
}

/// Whether a file of a course looks like a picture by its type or name (checked by its
/// bytes when picked).
fn looks_like_picture(f: &FileRow) -> bool {
    let name = f.name.to_ascii_lowercase();
    f.mime.starts_with("image/")
        || [".png", ".jpg", ".jpeg", ".gif", ".webp"]
            .iter()
            .any(|e| name.ends_with(e))
}

impl Platform {
    /// A page the caller edits (pictures belong to pages only).
    async fn lms_page_for_edit(
        &self,
        a: &Actor,
        id: ActivityId,
    ) -> Result<ActivityCtx, DomainError> {
        let ctx = self.lms_activity_for_edit(a, id).await?;
        if ctx.activity.kind != "page" {
            return Err(DomainError::invalid(
                "file",
                "Bilder gibt es nur auf Seiten.",
            ));
        }
        Ok(ctx)
    }

    /// Uploads a picture into a page the caller edits and appends it to the page's text.
    pub async fn lms_page_add_image(
        &self,
        a: &Actor,
        id: ActivityId,
        name: &str,
        bytes: &[u8],
        alt: &str,
    ) -> Result<Uuid, DomainError> {
        let ctx = self.lms_page_for_edit(a, id).await?;
        let alt = clean_alt(alt)?;
        let mime = image_type(bytes).ok_or_else(not_a_picture)?;
        let size = bytes.len() as u64;
        if size > MAX_IMAGE {
            return Err(DomainError::invalid(
                "file",
                "Das Bild ist zu groß (höchstens 10 MB).",
            ));
        }
        let name = clean_name(name, mime);
        let blob = self
            .blobs
            .put(bytes, size)
            .await
            .map_err(crate::files::blob_error)?;
        let row = FileRow {
            id: Uuid::now_v7(),
            activity_id: id,
            role: IMAGE_ROLE.into(),
            name,
            mime: mime.into(),
            size: size as i64,
            blob_sha: blob.sha256,
            node_id: None,
            position: 0,
            lang: None,
        };
        self.lms_append_image(a, &ctx, &row, &alt, true).await?;
        Ok(row.id)
    }

    /// Adds a picture the course already holds (a file of any of its material) to a page the
    /// caller edits — the same content, no copy — and appends it to the page's text.
    pub async fn lms_page_pick_image(
        &self,
        a: &Actor,
        id: ActivityId,
        file: Uuid,
        alt: &str,
    ) -> Result<Uuid, DomainError> {
        let ctx = self.lms_page_for_edit(a, id).await?;
        let alt = clean_alt(alt)?;
        let source = self
            .lms_course_images(a, id)
            .await?
            .into_iter()
            .find(|f| f.id == file)
            .ok_or(DomainError::NotFound)?;
        let mut head = vec![0u8; 16];
        let mut reader = self
            .blobs
            .open_read(&source.blob_sha)
            .await
            .map_err(crate::files::blob_error)?;
        let n = reader
            .read(&mut head)
            .await
            .map_err(|e| DomainError::Internal(e.to_string()))?;
        let mime = image_type(&head[..n]).ok_or_else(not_a_picture)?;
        let row = FileRow {
            id: Uuid::now_v7(),
            activity_id: id,
            role: IMAGE_ROLE.into(),
            name: source.name,
            mime: mime.into(),
            size: source.size,
            blob_sha: source.blob_sha,
            node_id: source.node_id,
            position: 0,
            lang: None,
        };
        self.lms_append_image(a, &ctx, &row, &alt, false).await?;
        Ok(row.id)
    }

    /// The pictures of the course of a page the caller edits, each content once (for the
    /// "picture from the course" choice). One statement.
    pub async fn lms_course_images(
        &self,
        a: &Actor,
        id: ActivityId,
    ) -> Result<Vec<FileRow>, DomainError> {
        let ctx = self.lms_page_for_edit(a, id).await?;
        let mut c = self.db.read().await?;
        let mut all = outline::files_of_course(
            &mut c,
            ctx.course.instance,
            ctx.activity.course_id,
            a.token.user(),
            true,
            to_us(self.now()),
        )
        .await?;
        all.retain(looks_like_picture);
        let mut seen = std::collections::HashSet::new();
        all.retain(|f| seen.insert(f.blob_sha.clone()));
        Ok(all)
    }

    /// Stores the file row and the page's text with the picture at the end, in one
    /// transaction (an upload counts against the quota).
    async fn lms_append_image(
        &self,
        a: &Actor,
        ctx: &ActivityCtx,
        row: &FileRow,
        alt: &str,
        counts: bool,
    ) -> Result<(), DomainError> {
        let x = &ctx.activity;
        let inst = ctx.course.instance;
        let body = format!("{}{}", x.body, image_tag(x.id, row.id, alt));
        let now = to_us(self.now());
        let mut tx = self.db.begin().await?;
        if counts {
            self.check_quota_in(&mut tx, a, SHARED_OWNER, row.size)
                .await?;
        }
        outline::insert_file(&mut tx, inst, row, now).await?;
        let n = NewActivity {
            id: x.id,
            course_id: x.course_id,
            section_id: x.section_id,
            kind: &x.kind,
            title: &x.title,
            body: &body,
            url: x.url.as_deref(),
            transcript: &x.transcript,
            hidden: x.hidden,
            visible_from: x.visible_from,
            restricted: x.restricted,
            completion: &x.completion,
            due_at: x.due_at,
            settings: &x.settings,
            now,
        };
        activities::update(&mut tx, inst, &n).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The file name of an upload (without folders and control characters), or a default.
fn clean_name(name: &str, mime: &str) -> String {
    let n: String = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let n = n.trim();
    if n.is_empty() {
        format!("bild.{}", mime.trim_start_matches("image/"))
    } else {
        n.to_owned()
    }
}
