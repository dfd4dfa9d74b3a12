//! What the school's admin sets for mail: aliases of a login, further domains of the school,
//! and the mailbox size per account type. Every change is an audited admin action.

use schulhof_authz::{EditUser, ManageSchoolSettings, ReadUser, check};
use schulhof_store::mail::addresses as store;

use schulhof_types::AccountType;

use super::address::{LIST_PREFIX, normalise};
use crate::admin::target;
use crate::audit::admin_action;
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// The addresses of a login as the admin sees them.
#[derive(Clone, Debug, serde::Serialize)]
pub struct LoginAddresses {
    /// The standard address: it can never be deleted.
    pub standard: String,
    pub aliases: Vec<String>,
    /// Domains an alias may use: the school's standard domain and its further domains.
    pub domains: Vec<String>,
}

/// Checks a domain name typed by the admin.
fn valid_domain(d: &str) -> Result<String, DomainError> {
    let d = d.trim().trim_end_matches('.').to_lowercase();
    let ok = d.len() <= 253
        && d.contains('.')
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if ok {
        Ok(d)
    } else {
        Err(DomainError::invalid(
            "domain",
            "not a domain name (e.g. goethe-gymnasium.de)",
        ))
    }
}

impl Platform {
    /// The standard address, aliases and possible alias domains of a login.
    pub async fn mail_addresses_of(
        &self,
        a: &Actor,
        login: &str,
    ) -> Result<LoginAddresses, DomainError> {
        let mut c = self.db.read().await?;
        let (user, t) = target(&mut c, a.token.instance(), login).await?;
        check(&a.token, ReadUser(t))?;
        let aliases = store::aliases_of(&mut c, user.instance_id, user.id).await?;
        let standard_domain = user
            .mail
            .rsplit_once('@')
            .map(|(_, d)| d.to_owned())
            .unwrap_or_default();
        let mut domains = vec![standard_domain];
        domains.extend(store::domains_of(&mut c, user.instance_id).await?);
        Ok(LoginAddresses {
            standard: user.mail.to_lowercase(),
            aliases,
            domains,
        })
    }

    /// Adds an alias to a login: at the school's standard or a further domain, not taken
    /// anywhere, not a list address.
    pub async fn mail_add_alias(
        &self,
        a: &Actor,
        login: &str,
        address: &str,
    ) -> Result<(), DomainError> {
        let (local, domain) = normalise(address)
            .ok_or_else(|| DomainError::invalid("address", "not a mail address"))?;
        if local.starts_with(LIST_PREFIX) {
            return Err(DomainError::invalid(
                "address",
                "addresses starting with verteiler- belong to group lists",
            ));
        }
        if !local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-_+".contains(c))
        {
            return Err(DomainError::invalid(
                "address",
                "use letters a-z, digits and . - _ + before the @",
            ));
        }
        let full = format!("{local}@{domain}");
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let (user, t) = target(&mut tx, a.token.instance(), login).await?;
        let grant = check(&a.token, EditUser(t))?;
        let school = store::school_of_domain(&mut tx, &domain).await?;
        if school.map(|s| s.0) != Some(grant.instance()) {
            return Err(DomainError::invalid(
                "address",
                "the domain must be one of the school's mail domains",
            ));
        }
        if store::taken(&mut tx, &full).await? {
            return Err(DomainError::conflict("address", "this address is taken"));
        }
        store::add_alias(&mut tx, grant.instance(), user.id, &full, now).await?;
        admin_action(
            &mut tx,
            a,
            now,
            "mail_alias_add",
            &user.login,
            Some(serde_json::json!({ "address": full })),
        )
        .await?;
        Ok(tx.commit().await?)
    }

    /// Removes an alias of a login (the standard address is no alias and stays).
    pub async fn mail_remove_alias(
        &self,
        a: &Actor,
        login: &str,
        address: &str,
    ) -> Result<(), DomainError> {
        let address = address.trim().to_lowercase();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let (user, t) = target(&mut tx, a.token.instance(), login).await?;
        let grant = check(&a.token, EditUser(t))?;
        if address == user.mail.to_lowercase() {
            return Err(DomainError::invalid(
                "address",
                "the standard address can never be deleted",
            ));
        }
        if !store::remove_alias(&mut tx, grant.instance(), user.id, &address).await? {
            return Err(DomainError::NotFound);
        }
        admin_action(
            &mut tx,
            a,
            now,
            "mail_alias_remove",
            &user.login,
            Some(serde_json::json!({ "address": address })),
        )
        .await?;
        Ok(tx.commit().await?)
    }

    /// The further mail domains of the own school.
    pub async fn mail_domains(&self, a: &Actor) -> Result<Vec<String>, DomainError> {
        let grant = check(&a.token, ManageSchoolSettings)?;
        let mut c = self.db.read().await?;
        Ok(store::domains_of(&mut c, grant.instance()).await?)
    }

    /// Adds a further mail domain to the own school (not held by any school yet).
    pub async fn mail_add_domain(&self, a: &Actor, domain: &str) -> Result<(), DomainError> {
        let grant = check(&a.token, ManageSchoolSettings)?;
        let d = valid_domain(domain)?;
        if d.ends_with(&format!(".{}", self.config.state_domain)) || d == self.config.state_domain {
            return Err(DomainError::invalid(
                "domain",
                "the platform's own domain cannot be added",
            ));
        }
        let now = self.now();
        let mut tx = self.db.begin().await?;
        if store::school_of_domain(&mut tx, &d).await?.is_some() {
            return Err(DomainError::conflict(
                "domain",
                "this domain belongs to a school already",
            ));
        }
        store::add_domain(&mut tx, grant.instance(), &d, now).await?;
        admin_action(&mut tx, a, now, "mail_domain_add", &d, None).await?;
        Ok(tx.commit().await?)
    }

    /// Removes a further domain; aliases under it go with it.
    pub async fn mail_remove_domain(&self, a: &Actor, domain: &str) -> Result<(), DomainError> {
        let grant = check(&a.token, ManageSchoolSettings)?;
        let d = domain.trim().to_lowercase();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        if !store::remove_domain(&mut tx, grant.instance(), &d).await? {
            return Err(DomainError::NotFound);
        }
        store::remove_aliases_at_domain(&mut tx, grant.instance(), &d).await?;
        admin_action(&mut tx, a, now, "mail_domain_remove", &d, None).await?;
        Ok(tx.commit().await?)
    }

    /// The mailbox size per account type in the own school, in MB: (account type, MB, set
    /// by the school rather than the installation's default).
    pub async fn mail_quotas(
        &self,
        a: &Actor,
    ) -> Result<Vec<(AccountType, u64, bool)>, DomainError> {
        let grant = check(&a.token, ManageSchoolSettings)?;
        let mut c = self.db.read().await?;
        let mut out = Vec::new();
        for t in AccountType::ALL {
            let set = store::quota_of(&mut c, grant.instance(), t.as_str()).await?;
            let default = match t {
                AccountType::Schueler | AccountType::Extern => self.config.mail.quota_students,
                _ => self.config.mail.quota_staff,
            };
            let bytes = set.map_or(default, |b| b.max(0) as u64);
            out.push((*t, bytes / MB, set.is_some()));
        }
        Ok(out)
    }

    /// Sets the mailbox size of an account type in the own school (MB; 0 or empty: the
    /// installation's default).
    pub async fn mail_set_quota(
        &self,
        a: &Actor,
        account_type: &str,
        mb: Option<u64>,
    ) -> Result<(), DomainError> {
        let grant = check(&a.token, ManageSchoolSettings)?;
        let t = AccountType::parse(account_type)
            .ok_or_else(|| DomainError::invalid("account_type", "no such account type"))?;
        if mb.is_some_and(|m| m > 1_000_000) {
            return Err(DomainError::invalid("quota", "at most 1,000,000 MB (1 TB)"));
        }
        let bytes = mb.filter(|m| *m > 0).map(|m| (m * MB) as i64);
        let now = self.now();
        let mut tx = self.db.begin().await?;
        store::set_quota(&mut tx, grant.instance(), t.as_str(), bytes).await?;
        let detail = serde_json::json!({ "account_type": t.as_str(), "mb": mb.filter(|m| *m > 0) });
        admin_action(&mut tx, a, now, "mail_quota", t.as_str(), Some(detail)).await?;
        Ok(tx.commit().await?)
    }
}

/// Quotas are set in decimal megabytes, as the pages show sizes.
const MB: u64 = 1_000_000;
