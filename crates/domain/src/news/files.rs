//! Pictures and attachments of an item. Content goes to the blob store and counts against
//! the school's quota (and the uploader's), checked in the writing transaction. Pictures are
//! recognised by their bytes, not by what the browser claims.

use schulhof_authz::check;
use schulhof_authz::news::{EditNews, NewsFacts};
use schulhof_blob::BlobReader;
use schulhof_store::news::files::{self as store, NewsFileRow};
use schulhof_store::news::{NewsId, items};
use schulhof_store::{files::SHARED_OWNER, to_us};
use serde::Serialize;
use uuid::Uuid;

use super::NewsState;
use super::read::{reader, state_at};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// Largest picture accepted.
pub const MAX_IMAGE: u64 = 5 * 1024 * 1024;
/// Largest other attachment accepted.
pub const MAX_ATTACHMENT: u64 = 20 * 1024 * 1024;

/// A file of an item, for showing it.
#[derive(Clone, Debug, Serialize)]
pub struct NewsFile {
    pub id: Uuid,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub image: bool,
}

/// A file's content to send.
pub struct NewsFileContent {
    pub name: String,
    pub mime: String,
    pub size: u64,
    pub reader: BlobReader,
}

/// The picture type of `bytes`, if they are one the pages show.
fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"\xff\xd8\xff") {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

fn file_of(r: NewsFileRow) -> NewsFile {
    NewsFile {
        id: r.id,
        name: r.name,
        mime: r.mime,
        size: r.size,
        image: r.image,
    }
}

fn clean_name(name: &str) -> Result<String, DomainError> {
    let n: String = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let n = n.trim().to_owned();
    if n.is_empty() {
        return Err(DomainError::invalid("file", "Bitte eine Datei auswählen."));
    }
    Ok(n)
}

impl Platform {
    /// Adds a picture or attachment to an item its caller may edit. A picture larger than
    /// [`MAX_IMAGE`] or another file larger than [`MAX_ATTACHMENT`] is refused, and so is one
    /// beyond the quota; nothing is stored then.
    pub async fn news_add_file(
        &self,
        a: &Actor,
        id: NewsId,
        name: &str,
        bytes: &[u8],
    ) -> Result<NewsFile, DomainError> {
        let name = clean_name(name)?;
        let size = bytes.len() as u64;
        let image = image_type(bytes);
        match image {
            Some(_) if size > MAX_IMAGE => {
                return Err(DomainError::invalid(
                    "file",
                    "Das Bild ist zu groß (höchstens 5 MB).",
                ));
            }
            None if size > MAX_ATTACHMENT => {
                return Err(DomainError::invalid(
                    "file",
                    "Die Datei ist zu groß (höchstens 20 MB).",
                ));
            }
            _ => {}
        }
        {
            let mut c = self.db.read().await?;
            let row = self.editable(&mut c, a, id).await?;
            check(
                &a.token,
                EditNews(NewsFacts {
                    instance: a.token.instance(),
                    author: row.author,
                }),
            )?;
        }
        let blob = self
            .blobs
            .put(bytes, size)
            .await
            .map_err(crate::files::blob_error)?;
        let row = NewsFileRow {
            id: Uuid::now_v7(),
            news: id,
            name,
            mime: image.unwrap_or("application/octet-stream").to_owned(),
            size: size as i64,
            blob_sha: blob.sha256,
            image: image.is_some(),
        };
        let mut tx = self.db.begin().await?;
        // Re-checked inside the transaction: the item may be gone meanwhile.
        self.editable(&mut tx, a, id).await?;
        self.check_quota_in(&mut tx, a, SHARED_OWNER, size as i64)
            .await?;
        store::insert(&mut tx, a.token.instance(), &row, to_us(self.now())).await?;
        tx.commit().await?;
        Ok(file_of(row))
    }

    /// Removes a file from an item the caller may edit.
    pub async fn news_remove_file(&self, a: &Actor, file: Uuid) -> Result<(), DomainError> {
        let mut tx = self.db.begin().await?;
        let f = store::get(&mut tx, a.token.instance(), file)
            .await?
            .ok_or(DomainError::NotFound)?;
        self.editable(&mut tx, a, f.news).await?;
        store::delete(&mut tx, a.token.instance(), file).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The files of an item the caller may read or edit.
    pub async fn news_files(
        &self,
        a: Option<&Actor>,
        school: &str,
        id: NewsId,
    ) -> Result<Vec<NewsFile>, DomainError> {
        let mut c = self.db.read().await?;
        let inst = super::public_school(&mut c, school).await?;
        self.may_read_item(&mut c, a, inst.id, id).await?;
        Ok(store::of_news(&mut c, inst.id, id)
            .await?
            .into_iter()
            .map(file_of)
            .collect())
    }

    /// A file's content: for anyone when its item is public and visible, else for who may
    /// read or edit the item. Hidden => `NotFound`.
    pub async fn news_file_content(
        &self,
        a: Option<&Actor>,
        school: &str,
        file: Uuid,
    ) -> Result<NewsFileContent, DomainError> {
        let mut c = self.db.read().await?;
        let inst = super::public_school(&mut c, school).await?;
        let f = store::get(&mut c, inst.id, file)
            .await?
            .ok_or(DomainError::NotFound)?;
        self.may_read_item(&mut c, a, inst.id, f.news).await?;
        drop(c);
        let reader = self
            .blobs
            .open_read(&f.blob_sha)
            .await
            .map_err(crate::files::blob_error)?;
        Ok(NewsFileContent {
            name: f.name,
            mime: f.mime,
            size: f.size as u64,
            reader,
        })
    }

    async fn may_read_item(
        &self,
        c: &mut schulhof_store::Handle,
        a: Option<&Actor>,
        instance: schulhof_types::InstanceId,
        id: NewsId,
    ) -> Result<(), DomainError> {
        let now = to_us(self.now());
        let row = items::get(c, instance, id)
            .await?
            .ok_or(DomainError::NotFound)?;
        if row.public && state_at(&row, now) == NewsState::Visible {
            return Ok(());
        }
        let Some(a) = a.filter(|a| a.token.instance() == instance) else {
            return Err(DomainError::NotFound);
        };
        if items::get_visible(c, instance, reader(a), id, now)
            .await?
            .is_some()
        {
            return Ok(());
        }
        self.editable(c, a, id)
            .await
            .map(|_| ())
            .map_err(|_| DomainError::NotFound)
    }
}
