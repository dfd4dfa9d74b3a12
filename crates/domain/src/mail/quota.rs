//! How large a mailbox may grow: per account type, set by the school or the installation.

use schulhof_store::AsConn;
use schulhof_store::mail::{addresses, messages};
use schulhof_store::users::UserRow;
use schulhof_types::InstanceId;

use super::folders::mailbox_of;
use crate::identity::Actor;
use crate::{DomainError, Platform};

impl Platform {
    /// The mail quota of a login in bytes.
    pub(crate) async fn mail_quota_of(
        &self,
        c: &mut impl AsConn,
        instance: InstanceId,
        u: &UserRow,
    ) -> Result<u64, DomainError> {
        let set = addresses::quota_of(c, instance, &u.kind).await?;
        Ok(self.mail_quota_from(&u.kind, set))
    }

    /// The quota of an account type: the school's setting (`set`) or the installation's.
    pub(crate) fn mail_quota_from(&self, kind: &str, set: Option<i64>) -> u64 {
        if let Some(b) = set {
            return b.max(0) as u64;
        }
        let m = &self.config.mail;
        match kind {
            "schueler" | "extern" => m.quota_students,
            _ => m.quota_staff,
        }
    }

    /// What the own mailbox holds and may hold, in bytes.
    pub async fn mail_usage(&self, a: &Actor) -> Result<(u64, u64), DomainError> {
        let mb = mailbox_of(a)?;
        let mut c = self.db.read().await?;
        let used = messages::usage(&mut c, mb.instance, mb.owner).await?;
        let quota = self.mail_quota_of(&mut c, mb.instance, &a.user).await?;
        Ok((used.max(0) as u64, quota))
    }
}
