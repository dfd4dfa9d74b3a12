//! Pictures for the start page: checked to be pictures (by their first bytes, not by what
//! the browser claims), at most [`MAX_IMAGE`] bytes, stored in the blob store and counted
//! against the school's quota. Served to everyone: they are made for the public page.

use schulhof_authz::check;
use schulhof_authz::homepage::EditHomepage;
use schulhof_blob::BlobReader;
use schulhof_store::files as file_store;
use schulhof_store::homepage::images::{self, ImageRow};
use uuid::Uuid;

use crate::files::quota::SCHOOL_FULL;
use crate::identity::Actor;
use crate::{DomainError, Platform, audit};

/// The largest picture accepted.
pub const MAX_IMAGE: usize = 5_000_000;

/// The picture types accepted, recognised by their first bytes. No SVG: it may carry script.
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// A file name to show: its last path segment, printable, at most 200 characters.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let clean: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if clean.is_empty() {
        "Bild".into()
    } else {
        clean
    }
}

impl Platform {
    /// Stores an uploaded picture of the own school. Too large, not a picture, or beyond
    /// the school's quota: a clear error, and nothing is stored (content already written to
    /// the blob store without a row is collected later).
    pub async fn homepage_upload_image(
        &self,
        actor: &Actor,
        name: &str,
        bytes: &[u8],
    ) -> Result<ImageRow, DomainError> {
        let instance = actor.token.instance();
        check(&actor.token, EditHomepage { instance })?;
        if bytes.is_empty() {
            return Err(DomainError::invalid("image", "Please choose a picture."));
        }
        if bytes.len() > MAX_IMAGE {
            return Err(DomainError::invalid(
                "image",
                format!(
                    "The picture is too large (at most {} MB).",
                    MAX_IMAGE / 1_000_000
                ),
            ));
        }
        let content_type = image_type(bytes).ok_or_else(|| {
            DomainError::invalid("image", "Only pictures in PNG, JPEG, GIF or WebP format.")
        })?;
        let blob = self
            .blobs
            .put(bytes, MAX_IMAGE as u64)
            .await
            .map_err(crate::files::blob_error)?;
        let now = self.now();
        let row = ImageRow {
            id: Uuid::now_v7(),
            name: clean_name(name),
            content_type: content_type.into(),
            size: blob.size as i64,
            blob_sha: blob.sha256,
            created_by: Some(actor.token.user()),
            created_at: now,
        };
        let mut tx = self.db.begin().await?;
        // Under the school's quota lock, as every write of files: parallel uploads cannot
        // together overshoot.
        file_store::lock_quota(&mut tx, instance).await?;
        let usage = self
            .usage_in(
                &mut tx,
                instance,
                actor.token.user(),
                actor.token.principal(),
            )
            .await?;
        if usage.school_used + blob.size > usage.school_quota {
            return Err(DomainError::QuotaExceeded(SCHOOL_FULL.into()));
        }
        images::insert(&mut tx, instance, &row).await?;
        let detail =
            serde_json::json!({ "id": row.id, "size": row.size, "type": row.content_type });
        audit::admin_action(
            &mut tx,
            actor,
            now,
            "homepage_image_upload",
            &row.name,
            Some(detail),
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Deletes a picture of the own school (pages that show it lose it).
    pub async fn homepage_delete_image(&self, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
        let instance = actor.token.instance();
        check(&actor.token, EditHomepage { instance })?;
        let mut tx = self.db.begin().await?;
        let row = images::get(&mut tx, instance, id)
            .await?
            .ok_or(DomainError::NotFound)?;
        images::delete(&mut tx, instance, id).await?;
        audit::admin_action(
            &mut tx,
            actor,
            self.now(),
            "homepage_image_delete",
            &row.name,
            None,
        )
        .await?;
        super::changed(&mut tx, instance).await?;
        tx.commit().await?;
        self.homepage_committed(instance);
        Ok(())
    }

    /// A picture of the school `number`, for everyone, with its content.
    pub async fn public_homepage_image(
        &self,
        number: &str,
        id: Uuid,
    ) -> Result<(ImageRow, BlobReader), DomainError> {
        if number.is_empty() || number.len() > 12 || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DomainError::NotFound);
        }
        let mut c = self.db.read().await?;
        let row = images::get_by_number(&mut c, number, id)
            .await?
            .ok_or(DomainError::NotFound)?;
        drop(c);
        let reader = self
            .blobs
            .open_read(&row.blob_sha)
            .await
            .map_err(crate::files::blob_error)?;
        Ok((row, reader))
    }
}
