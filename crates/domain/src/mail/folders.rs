//! The folders of the own mailbox: the standard ones (made on first use) and own ones.

use rand::Rng;
use schulhof_authz::check;
use schulhof_authz::mail::UseOwnMailbox;
use schulhof_store::AsConn;
use schulhof_store::mail::folders::{self as store, FolderRow, NewFolder};
use schulhof_types::MailFolderId;

use super::{FolderInfo, Mailbox, Special, u32_of};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// Longest name of one folder level.
const MAX_LEVEL: usize = 200;
/// Deepest nesting of own folders.
const MAX_DEPTH: usize = 10;

pub(crate) fn mailbox_of(a: &Actor) -> Result<Mailbox, DomainError> {
    check(&a.token, UseOwnMailbox).map_err(DomainError::Denied)?;
    Ok(Mailbox {
        instance: a.token.instance(),
        owner: a.user.id,
    })
}

pub(crate) fn info(r: FolderRow) -> FolderInfo {
    FolderInfo {
        id: r.id,
        special: r.special.as_deref().and_then(Special::parse),
        path: r.path,
        uid_validity: u32_of(r.uid_validity),
        uid_next: u32_of(r.uid_next),
        highest_modseq: r.highest_modseq.max(0) as u64,
        exists: u32_of(r.exists),
        unseen: u32_of(r.unseen),
        subscribed: r.subscribed,
        size: r.bytes.max(0) as u64,
        read_only: false,
    }
}

/// A fresh UIDVALIDITY: a folder made again under an old name must not reuse the old one.
fn new_validity() -> i64 {
    rand::rng().random_range(1..i64::from(i32::MAX))
}

/// Makes the standard folders of a mailbox that lacks them. Returns the inbox.
pub(crate) async fn ensure_standard(
    c: &mut impl AsConn,
    mb: Mailbox,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<MailFolderId, DomainError> {
    if let Some(id) = store::id_by_special(c, mb.instance, mb.owner, "inbox").await? {
        return Ok(id);
    }
    let mut inbox = None;
    for s in Special::ALL {
        let id = MailFolderId(uuid::Uuid::now_v7());
        let f = NewFolder {
            id,
            owner: mb.owner,
            path: s.path(),
            special: Some(s.as_str()),
            uid_validity: new_validity(),
        };
        store::insert(c, mb.instance, &f, now).await?;
        if s == Special::Inbox {
            inbox = Some(id);
        }
    }
    inbox.ok_or_else(|| DomainError::Internal("no inbox made".into()))
}

/// Checks a folder path given by a user or client.
fn valid_path(path: &str) -> Result<(), DomainError> {
    let bad = |m: &str| Err(DomainError::invalid("path", m));
    let levels: Vec<&str> = path.split('/').collect();
    if levels.iter().any(|l| l.trim().is_empty()) {
        return bad("a folder name must not be empty");
    }
    if levels.len() > MAX_DEPTH {
        return bad("folders nest at most 10 levels deep");
    }
    if levels.iter().any(|l| l.chars().count() > MAX_LEVEL) {
        return bad("a folder name has at most 200 characters");
    }
    if path.chars().any(|c| c.is_control() || c == '*' || c == '%') {
        return bad("a folder name must not contain control characters, * or %");
    }
    if levels[0].eq_ignore_ascii_case("INBOX") && levels.len() == 1 {
        return bad("INBOX is the inbox");
    }
    if levels[0].eq_ignore_ascii_case(super::shared::OTHER_USERS) {
        // The "other users" namespace of mail programs: delegated mailboxes live there.
        return bad("this name is kept for mailboxes delegated to you");
    }
    Ok(())
}

impl Platform {
    /// Every folder of the own mailbox, with counts; makes the standard folders on first use.
    pub async fn mail_folders(&self, a: &Actor) -> Result<Vec<FolderInfo>, DomainError> {
        let mb = mailbox_of(a)?;
        let mut c = self.db.read().await?;
        let rows = self.mail_folder_rows(&mut c, mb).await?;
        drop(c);
        if rows.iter().any(|r| r.special.as_deref() == Some("inbox")) {
            return Ok(rows.into_iter().map(info).collect());
        }
        let mut tx = self.db.begin().await?;
        ensure_standard(&mut tx, mb, self.now()).await?;
        let rows = store::list(&mut tx, mb.instance, mb.owner).await?;
        tx.commit().await?;
        Ok(rows.into_iter().map(info).collect())
    }

    /// The mailbox's folders with their counts in one statement. A folder whose copy this
    /// node holds at the folder's current MODSEQ (see `view.rs`) is not counted in the
    /// database: its counts come from the copy (a large inbox costs no count per page).
    async fn mail_folder_rows(
        &self,
        c: &mut impl AsConn,
        mb: Mailbox,
    ) -> Result<Vec<FolderRow>, DomainError> {
        let views = &self.mail_bus.views;
        let known = views.known(mb);
        let pairs: Vec<_> = known.iter().map(|(f, v)| (*f, v.modseq)).collect();
        let Some(mut rows) = store::list_knowing(c, mb.instance, mb.owner, &pairs).await? else {
            return Ok(store::list(c, mb.instance, mb.owner).await?);
        };
        for r in &mut rows {
            let copy = known.iter().find(|(f, v)| {
                *f == r.id && v.modseq == r.highest_modseq && v.uid_validity == r.uid_validity
            });
            if let Some((_, v)) = copy {
                r.exists = v.msgs.len() as i64;
                r.unseen = i64::from(v.unseen());
                r.bytes = v.bytes() as i64;
            }
        }
        views.remember(mb, rows.iter().map(|r| r.id).collect());
        Ok(rows)
    }

    /// The folder at `path` (IMAP names INBOX case-insensitively).
    pub async fn mail_folder(&self, a: &Actor, path: &str) -> Result<FolderInfo, DomainError> {
        let mb = mailbox_of(a)?;
        let path = if path.eq_ignore_ascii_case("INBOX") {
            "INBOX"
        } else {
            path
        };
        let mut c = self.db.read().await?;
        if let Some(id) = store::id_by_path(&mut c, mb.instance, mb.owner, path).await? {
            let r = store::get(&mut c, mb.instance, mb.owner, id).await?;
            return r.map(info).ok_or(DomainError::NotFound);
        }
        drop(c);
        // A new mailbox gets its standard folders on first use.
        let all = self.mail_folders(a).await?;
        all.into_iter()
            .find(|f| f.path == path)
            .ok_or(DomainError::NotFound)
    }

    pub async fn mail_folder_by_id(
        &self,
        a: &Actor,
        id: MailFolderId,
    ) -> Result<FolderInfo, DomainError> {
        let mb = mailbox_of(a)?;
        let mut c = self.db.read().await?;
        let r = store::get(&mut c, mb.instance, mb.owner, id).await?;
        r.map(info).ok_or(DomainError::NotFound)
    }

    /// Makes an own folder, and the levels above it that are missing.
    pub async fn mail_create_folder(
        &self,
        a: &Actor,
        path: &str,
    ) -> Result<FolderInfo, DomainError> {
        let mb = mailbox_of(a)?;
        valid_path(path)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        ensure_standard(&mut tx, mb, now).await?;
        if store::id_by_path(&mut tx, mb.instance, mb.owner, path)
            .await?
            .is_some()
        {
            return Err(DomainError::conflict(
                "path",
                "a folder of this name exists",
            ));
        }
        let levels: Vec<&str> = path.split('/').collect();
        let mut made = None;
        for n in 1..=levels.len() {
            let p = levels[..n].join("/");
            if store::id_by_path(&mut tx, mb.instance, mb.owner, &p)
                .await?
                .is_some()
            {
                continue;
            }
            let id = MailFolderId(uuid::Uuid::now_v7());
            let f = NewFolder {
                id,
                owner: mb.owner,
                path: &p,
                special: None,
                uid_validity: new_validity(),
            };
            store::insert(&mut tx, mb.instance, &f, now).await?;
            made = Some(id);
        }
        let id = made.ok_or_else(|| DomainError::Internal("no folder made".into()))?;
        let row = store::get(&mut tx, mb.instance, mb.owner, id).await?;
        tx.commit().await?;
        row.map(info).ok_or(DomainError::NotFound)
    }

    /// Renames an own folder with everything below it.
    pub async fn mail_rename_folder(
        &self,
        a: &Actor,
        from: &str,
        to: &str,
    ) -> Result<(), DomainError> {
        let mb = mailbox_of(a)?;
        valid_path(to)?;
        let f = self.mail_folder(a, from).await?;
        if f.special.is_some() {
            return Err(DomainError::invalid(
                "path",
                "standard folders keep their names",
            ));
        }
        if to == f.path || to.starts_with(&format!("{}/", f.path)) {
            return Err(DomainError::invalid(
                "path",
                "a folder cannot move into itself",
            ));
        }
        let mut tx = self.db.begin().await?;
        if store::id_by_path(&mut tx, mb.instance, mb.owner, to)
            .await?
            .is_some()
        {
            return Err(DomainError::conflict(
                "path",
                "a folder of this name exists",
            ));
        }
        store::rename_tree(&mut tx, mb.instance, mb.owner, &f.path, to).await?;
        Ok(tx.commit().await?)
    }

    /// Deletes an own folder without subfolders, and the messages in it (irrevocably).
    pub async fn mail_delete_folder(&self, a: &Actor, path: &str) -> Result<(), DomainError> {
        let mb = mailbox_of(a)?;
        let f = self.mail_folder(a, path).await?;
        if f.special.is_some() {
            return Err(DomainError::invalid(
                "path",
                "standard folders cannot be deleted",
            ));
        }
        let mut tx = self.db.begin().await?;
        if store::has_children(&mut tx, mb.instance, mb.owner, &f.path).await? {
            return Err(DomainError::conflict(
                "path",
                "delete the folders inside it first",
            ));
        }
        let row = store::get(&mut tx, mb.instance, mb.owner, f.id).await?;
        let bytes = row.map_or(0, |r| r.bytes);
        store::delete(&mut tx, mb.instance, f.id).await?;
        schulhof_store::mail::messages::add_usage(&mut tx, mb.instance, mb.owner, -bytes).await?;
        Ok(tx.commit().await?)
    }

    pub async fn mail_subscribe_folder(
        &self,
        a: &Actor,
        path: &str,
        on: bool,
    ) -> Result<(), DomainError> {
        let mb = mailbox_of(a)?;
        let f = self.mail_folder(a, path).await?;
        let mut tx = self.db.begin().await?;
        store::set_subscribed(&mut tx, mb.instance, f.id, on).await?;
        Ok(tx.commit().await?)
    }
}
