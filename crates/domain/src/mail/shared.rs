//! Opening a mailbox: the own one, or one delegated to the actor. Every folder- and
//! message-level service asks here whose mailbox an id belongs to and whether the actor may
//! read or write it; the policy decides ([`OpenDelegatedMailbox`]). For mail programs,
//! delegated mailboxes appear under the IMAP "other users" namespace `Andere/<login>/...`.

use schulhof_authz::check;
use schulhof_authz::mail::{Delegation, MailboxAccess, OpenDelegatedMailbox};
use schulhof_store::AsConn;
use schulhof_store::mail::delegations::{self as store, DelegationRow};
use schulhof_store::mail::folders as folder_store;
use schulhof_store::users::{self, UserRow};
use schulhof_types::{MailFolderId, MailMessageId, UserId};

use super::Special;

use super::folders::mailbox_of;
use super::{FolderInfo, Mailbox};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// The IMAP "other users" namespace (NAMESPACE announces it with the delimiter '/').
pub const OTHER_USERS: &str = "Andere";

pub(crate) fn grant_of(r: &DelegationRow) -> Option<Delegation> {
    MailboxAccess::parse(&r.access).map(|access| Delegation {
        access,
        send_as: r.send_as,
    })
}

/// The mailbox of `owner` opened by the actor for `need`: the own one, or one delegated
/// straight to the actor. Returns the mailbox and whether it is read-only for the actor.
pub(crate) async fn open_owner(
    c: &mut impl AsConn,
    a: &Actor,
    owner: UserId,
    need: MailboxAccess,
) -> Result<(Mailbox, bool), DomainError> {
    if owner == a.user.id {
        return Ok((mailbox_of(a)?, false));
    }
    let instance = a.token.instance();
    let row = store::get(c, instance, owner, a.user.id).await?;
    let grant = row.as_ref().and_then(grant_of);
    // A missing delegation is "not found": nobody learns that the mailbox exists.
    check(&a.token, OpenDelegatedMailbox { grant, need })?;
    let read_only = grant.is_none_or(|g| g.access == MailboxAccess::Read);
    Ok((Mailbox { instance, owner }, read_only))
}

/// The mailbox a folder belongs to, opened for `need` (not found: no such folder here).
pub(crate) async fn open_folder(
    c: &mut impl AsConn,
    a: &Actor,
    folder: MailFolderId,
    need: MailboxAccess,
) -> Result<Mailbox, DomainError> {
    let owner = store::folder_owner(c, a.token.instance(), folder)
        .await?
        .ok_or(DomainError::NotFound)?;
    Ok(open_owner(c, a, owner, need).await?.0)
}

/// The mailbox a message belongs to, opened for `need`.
pub(crate) async fn open_message(
    c: &mut impl AsConn,
    a: &Actor,
    id: MailMessageId,
    need: MailboxAccess,
) -> Result<Mailbox, DomainError> {
    let owner = store::message_owner(c, a.token.instance(), id)
        .await?
        .ok_or(DomainError::NotFound)?;
    Ok(open_owner(c, a, owner, need).await?.0)
}

/// The owner's login row: quotas are those of the mailbox's owner, not of a delegate.
pub(crate) async fn owner_row(
    c: &mut impl AsConn,
    a: &Actor,
    mb: Mailbox,
) -> Result<UserRow, DomainError> {
    if mb.owner == a.user.id {
        return Ok(a.user.clone());
    }
    users::get(c, mb.instance, mb.owner)
        .await?
        .ok_or(DomainError::NotFound)
}

/// Splits `Andere/<login>/<folder>` into the login and the folder's own path.
pub fn split_other(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix(OTHER_USERS)?.strip_prefix('/')?;
    let (login, folder) = rest.split_once('/')?;
    if login.is_empty() || folder.is_empty() {
        return None;
    }
    let folder = if folder.eq_ignore_ascii_case("INBOX") {
        "INBOX"
    } else {
        folder
    };
    Some((login, folder))
}

/// A mailbox given to the actor, with its folders.
#[derive(Clone, Debug, serde::Serialize)]
pub struct DelegatedMailbox {
    pub login: String,
    pub name: String,
    pub mail: String,
    pub read_only: bool,
    /// A confidential-role account's mailbox ("Geheimnisträger").
    pub confidential: bool,
    pub folders: Vec<FolderInfo>,
}

fn prefixed(mut f: FolderInfo, login: &str, read_only: bool) -> FolderInfo {
    f.path = format!("{OTHER_USERS}/{login}/{}", f.path);
    // Another's Sent or Trash must not be taken for the own by SPECIAL-USE clients.
    f.special = None;
    f.read_only = read_only;
    f
}

impl Platform {
    /// The mailbox of the message `first` (opened for writing) and its trash: deleting in a
    /// delegated mailbox moves to that mailbox's own trash.
    pub(crate) async fn trash_of(
        &self,
        a: &Actor,
        first: Option<MailMessageId>,
    ) -> Result<(Mailbox, MailFolderId), DomainError> {
        let own = mailbox_of(a)?;
        let mut c = self.db.read().await?;
        let owner = match first {
            Some(id) => store::message_owner(&mut c, own.instance, id)
                .await?
                .unwrap_or(own.owner),
            None => own.owner,
        };
        if owner == own.owner {
            drop(c);
            return Ok((own, self.mail_special(a, Special::Trash).await?));
        }
        let (mb, _) = open_owner(&mut c, a, owner, MailboxAccess::Write).await?;
        let trash = folder_store::id_by_special(&mut c, mb.instance, mb.owner, "trash")
            .await?
            .ok_or(DomainError::NotFound)?;
        Ok((mb, trash))
    }

    /// The mailbox of `login` as opened by the actor, with that login.
    pub(super) async fn open_login(
        &self,
        a: &Actor,
        login: &str,
    ) -> Result<(Mailbox, bool, String), DomainError> {
        let mut c = self.db.read().await?;
        let owner = users::find_by_login(&mut c, a.token.instance(), login)
            .await?
            .filter(|u| u.active)
            .ok_or(DomainError::NotFound)?;
        if owner.id == a.user.id {
            // The own mailbox has its own namespace; here it would be a second name.
            return Err(DomainError::NotFound);
        }
        let (mb, ro) = open_owner(&mut c, a, owner.id, MailboxAccess::Read).await?;
        Ok((mb, ro, owner.login))
    }

    /// Every folder a mail program lists: the own ones, then the own folders of every
    /// mailbox delegated to the actor, under `Andere/<owner login>/`. What those owners
    /// were given themselves is never listed (one level only).
    pub async fn mail_client_folders(&self, a: &Actor) -> Result<Vec<FolderInfo>, DomainError> {
        let mut all = self.mail_folders(a).await?;
        for d in self.mail_delegated_folders(a).await? {
            let (login, ro) = (d.login.clone(), d.read_only);
            all.extend(d.folders.into_iter().map(|f| prefixed(f, &login, ro)));
        }
        Ok(all)
    }

    /// The mailboxes given to the actor with their folders (standard names kept, for the
    /// webmail's side bar). Only the owners' own folders: one level only.
    pub async fn mail_delegated_folders(
        &self,
        a: &Actor,
    ) -> Result<Vec<DelegatedMailbox>, DomainError> {
        let mb = mailbox_of(a)?;
        let mut c = self.db.read().await?;
        let rows = store::given_to(&mut c, mb.instance, a.user.id).await?;
        let mut out = Vec::new();
        for r in rows {
            let grant = grant_of(&r);
            let need = MailboxAccess::Read;
            if check(&a.token, OpenDelegatedMailbox { grant, need }).is_err() {
                continue;
            }
            let read_only = grant.is_none_or(|g| g.access == MailboxAccess::Read);
            let folders = folder_store::list(&mut c, mb.instance, r.owner).await?;
            let folders = folders
                .into_iter()
                .map(|f| FolderInfo {
                    read_only,
                    ..super::folders::info(f)
                })
                .collect();
            out.push(DelegatedMailbox {
                login: r.other_login,
                name: r.other_name,
                mail: r.other_mail,
                read_only,
                confidential: r.owner_confidential,
                folders,
            });
        }
        Ok(out)
    }

    /// Every folder of the mailbox that `folder` belongs to (own or delegated), for the
    /// webmail's pages of that mailbox; a read-only delegation marks them read-only.
    pub async fn mail_mailbox_folders(
        &self,
        a: &Actor,
        folder: MailFolderId,
    ) -> Result<Vec<FolderInfo>, DomainError> {
        let mut c = self.db.read().await?;
        let owner = store::folder_owner(&mut c, a.token.instance(), folder)
            .await?
            .ok_or(DomainError::NotFound)?;
        let (mb, read_only) = open_owner(&mut c, a, owner, MailboxAccess::Read).await?;
        if mb.owner == a.user.id {
            drop(c);
            return self.mail_folders(a).await;
        }
        let rows = folder_store::list(&mut c, mb.instance, mb.owner).await?;
        Ok(rows
            .into_iter()
            .map(|f| FolderInfo {
                read_only,
                ..super::folders::info(f)
            })
            .collect())
    }

    /// A folder by the name a mail program uses (own, or `Andere/<login>/<path>`).
    pub async fn mail_client_folder(
        &self,
        a: &Actor,
        path: &str,
    ) -> Result<FolderInfo, DomainError> {
        let Some((login, inner)) = split_other(path) else {
            return self.mail_folder(a, path).await;
        };
        let (mb, ro, login) = self.open_login(a, login).await?;
        let mut c = self.db.read().await?;
        let id = folder_store::id_by_path(&mut c, mb.instance, mb.owner, inner)
            .await?
            .ok_or(DomainError::NotFound)?;
        let r = folder_store::get(&mut c, mb.instance, mb.owner, id)
            .await?
            .ok_or(DomainError::NotFound)?;
        Ok(prefixed(super::folders::info(r), &login, ro))
    }

    /// The mailbox a mail program's folder name points into (own, or `Andere/<login>/…` as
    /// opened by the actor) and the folder's path inside it (`INBOX` in any case is INBOX).
    pub(super) async fn client_mailbox<'p>(
        &self,
        a: &Actor,
        path: &'p str,
    ) -> Result<(Mailbox, &'p str), DomainError> {
        Ok(match split_other(path) {
            Some((login, inner)) => (self.open_login(a, login).await?.0, inner),
            None if path.eq_ignore_ascii_case("INBOX") => (mailbox_of(a)?, "INBOX"),
            None => (mailbox_of(a)?, path),
        })
    }

    /// The id of the folder a mail program names (APPEND's target): one indexed row, no
    /// counts. A new mailbox's standard folders are made on first use, as with
    /// [`Platform::mail_client_folder`].
    pub async fn mail_client_folder_id(
        &self,
        a: &Actor,
        path: &str,
    ) -> Result<MailFolderId, DomainError> {
        let (mb, inner) = self.client_mailbox(a, path).await?;
        let mut c = self.db.read().await?;
        if let Some(id) = folder_store::id_by_path(&mut c, mb.instance, mb.owner, inner).await? {
            return Ok(id);
        }
        drop(c);
        Ok(self.mail_client_folder(a, path).await?.id)
    }

    /// IMAP SELECT by a mail program's name; a read-only delegation selects read-only.
    pub async fn mail_client_select(
        &self,
        a: &Actor,
        path: &str,
    ) -> Result<(FolderInfo, std::sync::Arc<Vec<super::UidFlags>>), DomainError> {
        let Some((login, inner)) = split_other(path) else {
            return self.mail_select(a, path).await;
        };
        let (mb, ro, login) = self.open_login(a, login).await?;
        let (info, msgs) = self.select_in(mb, inner).await?;
        Ok((prefixed(info, &login, ro), msgs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_users_names_split_into_login_and_folder() {
        assert_eq!(
            split_other("Andere/lehrerrat/inbox"),
            Some(("lehrerrat", "INBOX"))
        );
        assert_eq!(
            split_other("Andere/lehrerrat/Projekte/2026"),
            Some(("lehrerrat", "Projekte/2026"))
        );
        for no in [
            "Andere",
            "Andere/",
            "Andere/lehrerrat",
            "Andere//INBOX",
            "INBOX",
            "Anderes/x/INBOX",
        ] {
            assert_eq!(split_other(no), None, "{no}");
        }
    }
}
