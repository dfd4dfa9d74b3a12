//! Storage quotas: per login for its own area, per school for everything (PRODUCT.md §4).

use schulhof_authz::Principal;
use schulhof_store::files as store;
use schulhof_store::uploads;
use schulhof_store::{AsConn, Tx};
use schulhof_types::{AccountType, UserId};
use serde::Serialize;
use uuid::Uuid;

use crate::identity::Actor;
use crate::{DomainError, Platform};

const GB: u64 = 1_000_000_000;
const MB: u64 = 1_000_000;

/// File quotas in bytes; configurable, defaults from the product description.
#[derive(Clone, Debug)]
pub struct FileQuotas {
    pub lehrer: u64,
    pub personal: u64,
    pub extern_: u64,
    pub schueler: u64,
    pub function: u64,
    /// The school's total is this times the number of staff (Lehrer and Personal).
    pub school_per_staff: u64,
}

impl Default for FileQuotas {
    fn default() -> Self {
        Self {
            lehrer: 5 * GB,
            personal: 5 * GB,
            extern_: GB,
            schueler: GB,
            function: 500 * MB,
            school_per_staff: 5 * GB,
        }
    }
}

impl FileQuotas {
    pub fn of(&self, principal: Principal) -> u64 {
        match principal {
            Principal::Person(AccountType::Lehrer) => self.lehrer,
            Principal::Person(AccountType::Personal) => self.personal,
            Principal::Person(AccountType::Extern) => self.extern_,
            Principal::Person(AccountType::Schueler) => self.schueler,
            Principal::Function(_) => self.function,
        }
    }
}

/// Used and available space, in bytes.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Usage {
    pub used: u64,
    pub quota: u64,
    pub school_used: u64,
    pub school_quota: u64,
}

impl Platform {
    /// The caller's own usage and the school's.
    pub async fn file_usage(&self, actor: &Actor) -> Result<Usage, DomainError> {
        let mut c = self.db.read().await?;
        self.usage_in(
            &mut c,
            actor.token.instance(),
            actor.token.user(),
            actor.token.principal(),
        )
        .await
    }

    pub(crate) async fn usage_in(
        &self,
        c: &mut impl AsConn,
        instance: schulhof_types::InstanceId,
        user: UserId,
        principal: Principal,
    ) -> Result<Usage, DomainError> {
        let used = store::usage(c, instance, Some(user.0)).await?.max(0) as u64;
        let school_used = store::usage(c, instance, None).await?.max(0) as u64;
        let staff = store::staff_count(c, instance).await?.max(1) as u64;
        Ok(Usage {
            used,
            quota: self.config.file_quotas.of(principal),
            school_used,
            school_quota: staff.saturating_mul(self.config.file_quotas.school_per_staff),
        })
    }

    /// Bytes that may still be stored under `owner` (the own area's login, or the shared
    /// areas when it is the nil id): the least of what the school and the login charged
    /// have left. `pending` also holds back what unfinished resumable uploads announced.
    pub(crate) async fn quota_left_in(
        &self,
        c: &mut impl AsConn,
        actor: &Actor,
        owner: Uuid,
        pending: bool,
    ) -> Result<u64, DomainError> {
        let instance = actor.token.instance();
        let (holder, principal) = holder_of(c, actor, owner).await?;
        let u = self.usage_in(c, instance, holder, principal).await?;
        let (mut school_left, mut left) = (
            u.school_quota.saturating_sub(u.school_used),
            u.quota.saturating_sub(u.used),
        );
        if pending {
            school_left =
                school_left.saturating_sub(uploads::pending_bytes_school(c, instance).await?);
            left = left.saturating_sub(uploads::pending_bytes(c, instance, holder).await?);
        }
        Ok(school_left.min(left))
    }

    /// Refuses a change that adds `extra` bytes beyond a quota. Checked in the writing
    /// transaction under the school's quota lock, so parallel uploads cannot together
    /// overshoot. Content in the shared areas is charged to the school and to whoever
    /// puts it there: one student cannot fill the school's space through a drop folder.
    pub(crate) async fn check_quota_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        owner: Uuid,
        extra: i64,
    ) -> Result<(), DomainError> {
        if extra <= 0 {
            return Ok(());
        }
        store::lock_quota(tx, actor.token.instance()).await?;
        let (holder, principal) = holder_of(tx, actor, owner).await?;
        let u = self
            .usage_in(tx, actor.token.instance(), holder, principal)
            .await?;
        let extra = extra as u64;
        if u.school_used + extra > u.school_quota {
            return Err(DomainError::QuotaExceeded(SCHOOL_FULL.into()));
        }
        if u.used + extra > u.quota {
            return Err(DomainError::QuotaExceeded(HOLDER_FULL.into()));
        }
        Ok(())
    }
}

/// Why a write was refused, for the school's and for the login's quota.
pub(crate) const SCHOOL_FULL: &str = "Der Speicherplatz der Schule ist erschöpft.";
pub(crate) const HOLDER_FULL: &str = "Nicht genug Speicherplatz: das Kontingent ist erschöpft.";

/// The login charged for content under `owner` and the kind of login whose quota applies:
/// the own area's login, or in the shared areas the one who puts it there.
async fn holder_of(
    c: &mut impl AsConn,
    actor: &Actor,
    owner: Uuid,
) -> Result<(UserId, Principal), DomainError> {
    let holder = if owner.is_nil() {
        actor.token.user()
    } else {
        UserId(owner)
    };
    Ok((holder, owner_principal(c, actor, holder.0).await?))
}

/// The kind of login whose quota applies: the owner of the own area (maybe another login
/// who shared a folder with the caller).
async fn owner_principal(
    c: &mut impl AsConn,
    actor: &Actor,
    owner: Uuid,
) -> Result<Principal, DomainError> {
    if owner == actor.token.user().0 || owner.is_nil() {
        return Ok(actor.token.principal());
    }
    let kind = store::user_kind(c, actor.token.instance(), UserId(owner)).await?;
    Ok(match kind {
        Some((k, role)) if k == "function" => Principal::Function(
            role.and_then(|r| schulhof_types::FunctionRole::parse(&r))
                .unwrap_or(schulhof_types::FunctionRole::Sekretariat),
        ),
        Some((k, _)) => Principal::Person(AccountType::parse(&k).unwrap_or(AccountType::Schueler)),
        None => Principal::Person(AccountType::Schueler),
    })
}
