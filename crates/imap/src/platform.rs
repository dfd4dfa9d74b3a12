//! The platform's mail service as the IMAP session's [`MailStore`].

use std::sync::Arc;

use chrono::{DateTime, Utc};
use schulhof_domain::identity::Actor;
use schulhof_domain::mail::client_limits::MailProtocol;
use schulhof_domain::{DomainError, Platform};
use schulhof_types::{MailFolderId, UserId};
use tokio::sync::broadcast;

use crate::store::*;

impl From<DomainError> for StoreError {
    fn from(e: DomainError) -> StoreError {
        match e {
            DomainError::BadCredentials => StoreError::BadCredentials,
            DomainError::Throttled { .. } | DomainError::Busy { .. } => StoreError::Throttled,
            DomainError::RateLimited { .. } => StoreError::Throttled,
            DomainError::Forbidden | DomainError::Denied(_) => StoreError::Forbidden,
            DomainError::NotFound => StoreError::NotFound,
            DomainError::QuotaExceeded(_) => StoreError::QuotaExceeded,
            DomainError::Conflict { message, .. } => StoreError::Conflict(message),
            e @ (DomainError::Invalid { .. }
            | DomainError::ConsentRequired
            | DomainError::ConsentDeclined
            | DomainError::PasswordChangeRequired
            | DomainError::SessionEnded
            | DomainError::SafeLocked) => StoreError::Invalid(e.to_string()),
            DomainError::Internal(m) => StoreError::Internal(m),
        }
    }
}

type R<T> = StoreResultOf<T>;

impl MailStore for Platform {
    type Actor = Actor;

    async fn login(&self, user: &str, password: &str, client_addr: &str) -> R<Actor> {
        Ok(self.mail_client_actor(user, password, client_addr).await?)
    }

    async fn connection(&self, ip: std::net::IpAddr) -> Result<(), u64> {
        match self.mail_connection_opened(MailProtocol::Imap, ip).await {
            Ok(()) => Ok(()),
            Err(DomainError::RateLimited { retry_after_secs }) => Err(retry_after_secs),
            Err(e) => {
                // The limit must not take the service down with the database: let it in.
                tracing::error!(error = %e, "IMAP connection count failed");
                Ok(())
            }
        }
    }

    fn owner(&self, a: &Actor) -> UserId {
        a.user.id
    }

    fn max_message(&self) -> u64 {
        self.config().mail.max_message
    }

    fn events(&self) -> broadcast::Receiver<MailEvent> {
        self.mail_events()
    }

    async fn folders(&self, a: &Actor) -> R<Vec<FolderInfo>> {
        Ok(self.mail_client_folders(a).await?)
    }

    async fn folder(&self, a: &Actor, path: &str) -> R<FolderInfo> {
        Ok(self.mail_client_folder(a, path).await?)
    }

    async fn folder_id(&self, a: &Actor, path: &str) -> R<MailFolderId> {
        Ok(self.mail_client_folder_id(a, path).await?)
    }

    async fn create_folder(&self, a: &Actor, path: &str) -> R<()> {
        self.mail_create_folder(a, path).await?;
        Ok(())
    }

    async fn rename_folder(&self, a: &Actor, from: &str, to: &str) -> R<()> {
        Ok(self.mail_rename_folder(a, from, to).await?)
    }

    async fn delete_folder(&self, a: &Actor, path: &str) -> R<()> {
        Ok(self.mail_delete_folder(a, path).await?)
    }

    async fn subscribe_folder(&self, a: &Actor, path: &str, on: bool) -> R<()> {
        Ok(self.mail_subscribe_folder(a, path, on).await?)
    }

    async fn uids(&self, a: &Actor, folder: MailFolderId) -> R<Arc<Vec<UidFlags>>> {
        Ok(self.mail_uids(a, folder).await?)
    }

    async fn select(&self, a: &Actor, path: &str) -> R<(FolderInfo, Arc<Vec<UidFlags>>)> {
        Ok(self.mail_client_select(a, path).await?)
    }

    async fn left_before(&self, a: &Actor, folder: MailFolderId, since: u64) -> R<(Vec<u32>, u32)> {
        Ok(self.mail_left_before(a, folder, since).await?)
    }

    async fn metas(&self, a: &Actor, folder: MailFolderId, uids: &[u32]) -> R<Vec<MessageMeta>> {
        Ok(self.mail_metas(a, folder, uids).await?)
    }

    async fn raw(&self, a: &Actor, m: &MessageMeta) -> R<Vec<u8>> {
        Ok(self.mail_content(a, m).await?)
    }

    async fn store_flags(
        &self,
        a: &Actor,
        folder: MailFolderId,
        uids: &[u32],
        op: FlagOp,
        flags: &Flags,
        unchanged_since: Option<u64>,
    ) -> R<StoreResult> {
        Ok(self
            .mail_store_flags(a, folder, uids, op, flags, unchanged_since)
            .await?)
    }

    async fn copy(
        &self,
        a: &Actor,
        from: MailFolderId,
        uids: &[u32],
        to: MailFolderId,
    ) -> R<CopyResult> {
        Ok(self.mail_copy(a, from, uids, to).await?)
    }

    async fn move_to(
        &self,
        a: &Actor,
        from: MailFolderId,
        uids: &[u32],
        to: MailFolderId,
    ) -> R<CopyResult> {
        Ok(self.mail_move(a, from, uids, to).await?)
    }

    async fn expunge(&self, a: &Actor, folder: MailFolderId, only: Option<&[u32]>) -> R<Vec<u32>> {
        Ok(self.mail_expunge(a, folder, only).await?)
    }

    async fn append(
        &self,
        a: &Actor,
        folder: MailFolderId,
        raw: &[u8],
        flags: &Flags,
        internal_date: Option<DateTime<Utc>>,
    ) -> R<(u32, u32)> {
        Ok(self
            .mail_append(a, folder, raw, flags, internal_date)
            .await?)
    }

    async fn append_to(
        &self,
        a: &Actor,
        path: &str,
        raw: &[u8],
        flags: &Flags,
        internal_date: Option<DateTime<Utc>>,
    ) -> R<(MailFolderId, R<(u32, u32)>)> {
        let (folder, filed) = self
            .mail_client_append(a, path, raw, flags, internal_date)
            .await?;
        Ok((folder, filed.map_err(StoreError::from)))
    }

    async fn usage(&self, a: &Actor) -> R<(u64, u64)> {
        Ok(self.mail_usage(a).await?)
    }
}
