//! State-wide defaults that new schools take: the state mail domain (a school's addresses
//! are `…@<schulnummer>.<domain>`), the mail quota per account type, and the terms of use
//! and privacy texts. Without a stored value the installation's setting applies
//! (`--state-domain`, the built-in quotas and texts). Existing schools keep what they have.

use schulhof_authz::operator::{SetStateDefaults, check_operator};
use schulhof_store::AsConn;
use schulhof_store::operators::defaults as store;

use super::{OperatorActor, audit};
use crate::{DomainError, Platform};

/// The account types with a mail quota, in the order the form shows them.
pub const QUOTA_TYPES: [&str; 4] = ["lehrer", "personal", "schueler", "extern"];
const MAX_TEXT: usize = 100_000;
const MAX_QUOTA_MB: u64 = 1_000_000;

/// The stored defaults; `None` where the installation's own setting applies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateDefaults {
    pub mail_domain: Option<String>,
    /// Mail quota in MB per account type of [`QUOTA_TYPES`].
    pub mail_quota_mb: [Option<u64>; 4],
    pub terms: Option<String>,
    pub privacy: Option<String>,
}

fn quota_key(kind: &str) -> String {
    format!("mail_quota_mb.{kind}")
}

/// A state mail domain: lower-case labels of letters, digits and hyphens, at least two.
fn check_domain(raw: &str) -> Result<Option<String>, DomainError> {
    let d = raw.trim().trim_end_matches('.').to_lowercase();
    if d.is_empty() {
        return Ok(None);
    }
    let labels_ok = d.split('.').all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    });
    if !labels_ok || !d.contains('.') || d.len() > 200 {
        return Err(DomainError::invalid(
            "mail_domain",
            "not a mail domain such as nrw.schule",
        ));
    }
    Ok(Some(d))
}

fn check_text(field: &'static str, raw: &str) -> Result<Option<String>, DomainError> {
    let t = raw.trim();
    if t.chars().count() > MAX_TEXT {
        return Err(DomainError::invalid(
            field,
            "the text is too long (at most 100,000 characters)",
        ));
    }
    Ok(Some(t.to_owned()).filter(|t| !t.is_empty()))
}

impl StateDefaults {
    /// Checks typed values: empty means "the installation's setting".
    pub fn parse(
        mail_domain: &str,
        quotas: [&str; 4],
        terms: &str,
        privacy: &str,
    ) -> Result<StateDefaults, DomainError> {
        let mut mail_quota_mb = [None; 4];
        for (slot, raw) in mail_quota_mb.iter_mut().zip(quotas) {
            let raw = raw.trim();
            if raw.is_empty() {
                continue;
            }
            match raw.parse::<u64>() {
                Ok(mb) if (1..=MAX_QUOTA_MB).contains(&mb) => *slot = Some(mb),
                _ => {
                    return Err(DomainError::invalid(
                        "mail_quota",
                        "a whole number of MB from 1 to 1,000,000",
                    ));
                }
            }
        }
        let d = StateDefaults {
            mail_domain: check_domain(mail_domain)?,
            mail_quota_mb,
            terms: check_text("terms", terms)?,
            privacy: check_text("privacy", privacy)?,
        };
        if d.terms.is_some() != d.privacy.is_some() {
            return Err(DomainError::invalid(
                "privacy",
                "give both texts, or neither",
            ));
        }
        Ok(d)
    }
}

pub(crate) async fn load(c: &mut impl AsConn) -> Result<StateDefaults, DomainError> {
    let all = store::all(c).await?;
    let get = |k: &str| all.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let mut mail_quota_mb = [None; 4];
    for (slot, kind) in mail_quota_mb.iter_mut().zip(QUOTA_TYPES) {
        *slot = get(&quota_key(kind)).and_then(|v| v.parse().ok());
    }
    Ok(StateDefaults {
        mail_domain: get("mail_domain"),
        mail_quota_mb,
        terms: get("consent.terms"),
        privacy: get("consent.privacy"),
    })
}

impl Platform {
    /// The stored state-wide defaults (operator-admins only).
    pub async fn operator_defaults(
        &self,
        actor: &OperatorActor,
    ) -> Result<StateDefaults, DomainError> {
        check_operator(&actor.token, SetStateDefaults)?;
        load(&mut self.db.read().await?).await
    }

    /// The installation's state mail domain, for the form's hint.
    pub fn installation_state_domain(&self) -> &str {
        &self.config.state_domain
    }

    /// Stores the state-wide defaults; new schools take them from now on.
    pub async fn operator_set_defaults(
        &self,
        actor: &OperatorActor,
        d: &StateDefaults,
        client_addr: &str,
    ) -> Result<(), DomainError> {
        let grant = check_operator(&actor.token, SetStateDefaults)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        store::set(&mut tx, "mail_domain", &text(&d.mail_domain), now).await?;
        for (kind, mb) in QUOTA_TYPES.iter().zip(d.mail_quota_mb) {
            let v = mb.map(|m| m.to_string()).unwrap_or_default();
            store::set(&mut tx, &quota_key(kind), &v, now).await?;
        }
        store::set(&mut tx, "consent.terms", &text(&d.terms), now).await?;
        store::set(&mut tx, "consent.privacy", &text(&d.privacy), now).await?;
        let detail = serde_json::json!({
            "mail_domain": d.mail_domain,
            "mail_quota_mb": d.mail_quota_mb,
            "consent_texts": d.terms.is_some(),
        });
        audit::record(
            &mut tx,
            self,
            Some(grant.operator()),
            "defaults.set",
            None,
            client_addr,
            Some(detail),
        )
        .await?;
        Ok(tx.commit().await?)
    }
}

/// Gives a new school the default mail quotas.
pub(crate) async fn apply_quotas(
    c: &mut impl AsConn,
    school: schulhof_types::InstanceId,
    d: &StateDefaults,
) -> Result<(), DomainError> {
    for (kind, mb) in QUOTA_TYPES.iter().zip(d.mail_quota_mb) {
        if let Some(mb) = mb {
            let bytes = i64::try_from(mb * 1_000_000).unwrap_or(i64::MAX);
            schulhof_store::mail::addresses::set_quota(c, school, kind, Some(bytes)).await?;
        }
    }
    Ok(())
}
