//! Storage quotas: per login for its own area, per school for everything (PRODUCT.md §4).

use schulhof_authz::Principal;
use schulhof_store::files as store;
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
    /// areas when it is the nil id): the least of what the owner and the school have left.
    pub(crate) async fn quota_left(&self, actor: &Actor, owner: Uuid) -> Result<u64, DomainError> {
        let mut c = self.db.read().await?;
        let principal = owner_principal(&mut c, actor, owner).await?;
        let u = self
            .usage_in(&mut c, actor.token.instance(), UserId(owner), principal)
            .await?;
        let school_left = u.school_quota.saturating_sub(u.school_used);
        Ok(if owner.is_nil() {
            school_left
        } else {
            school_left.min(u.quota.saturating_sub(u.used))
        })
    }

    /// Refuses a change that adds `extra` bytes beyond a quota (checked in the writing
    /// transaction, so parallel uploads cannot together overshoot).
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
        let principal = owner_principal(tx, actor, owner).await?;
        let u = self
            .usage_in(tx, actor.token.instance(), UserId(owner), principal)
            .await?;
        let extra = extra as u64;
        if u.school_used + extra > u.school_quota {
            return Err(DomainError::QuotaExceeded(
                "Der Speicherplatz der Schule ist erschöpft.".into(),
            ));
        }
        if !owner.is_nil() && u.used + extra > u.quota {
            return Err(DomainError::QuotaExceeded(
                "Nicht genug Speicherplatz: das Kontingent ist erschöpft.".into(),
            ));
        }
        Ok(())
    }
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
