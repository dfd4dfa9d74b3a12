//! The person's side of connected tools (Mein Konto): the tools they consented to, with
//! when and which data, and withdrawing a consent. And the school's under-16 rule, which
//! decides whether a pupil may agree to share personal data at all.

use chrono::{Datelike, NaiveDate};
use schulhof_authz::oidc::{self as policy, ManageSchoolTools, Under16};
use schulhof_authz::{OwnAccount, check};
use schulhof_store::AsConn;
use schulhof_store::oidc::consents::{self, ConsentedTool};
use schulhof_store::oidc::logout as store;
use schulhof_types::AccountType;

use crate::identity::Actor;
use crate::{DomainError, Platform};

/// Whole years from `birthday` (ISO `YYYY-MM-DD` or German `TT.MM.JJJJ`) to `today`.
fn age(birthday: &str, today: NaiveDate) -> Option<u32> {
    let b = NaiveDate::parse_from_str(birthday.trim(), "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(birthday.trim(), "%d.%m.%Y"))
        .ok()?;
    let mut years = today.year() - b.year();
    if (today.month(), today.day()) < (b.month(), b.day()) {
        years -= 1;
    }
    u32::try_from(years).ok()
}

impl Platform {
    /// The school's under-16 rule (default: the pupil decides).
    async fn under16_rule(
        &self,
        c: &mut impl AsConn,
        actor: &Actor,
    ) -> Result<Under16, DomainError> {
        Ok(store::under16(c, actor.token.instance())
            .await?
            .and_then(|v| Under16::parse(&v))
            .unwrap_or_default())
    }

    /// Whether `actor` may agree to share personal data with tools (the policy decides,
    /// from the school's rule and the age where the birthday is known).
    pub(crate) async fn may_share(
        &self,
        c: &mut impl AsConn,
        actor: &Actor,
    ) -> Result<bool, DomainError> {
        let rule = store::under16(c, actor.token.instance()).await?;
        if rule.as_deref().and_then(Under16::parse).unwrap_or_default() == Under16::Student {
            return Ok(self.may_share_with(actor, rule.as_deref(), None));
        }
        let born = store::birthday(c, actor.token.instance(), actor.token.user()).await?;
        Ok(self.may_share_with(actor, rule.as_deref(), born.as_deref()))
    }

    /// [`Self::may_share`] from what was read already: the school's stored rule and the
    /// birthday (needed only where the school keeps the decision).
    pub(crate) fn may_share_with(
        &self,
        actor: &Actor,
        rule: Option<&str>,
        birthday: Option<&str>,
    ) -> bool {
        let kind = actor.token.principal().account_type();
        self.person_may_share(kind, actor.time_zone, rule, birthday)
    }

    /// The same rule for a person known by account type and birthday only (the members of
    /// a roster a tool reads): `zone` is the school's time zone, where a birthday turns an
    /// age.
    pub(crate) fn person_may_share(
        &self,
        kind: Option<AccountType>,
        zone: chrono_tz::Tz,
        rule: Option<&str>,
        birthday: Option<&str>,
    ) -> bool {
        let rule = rule.and_then(Under16::parse).unwrap_or_default();
        if rule == Under16::Student {
            return policy::person_may_share_personal(kind, rule, None);
        }
        let today = self.now().with_timezone(&zone).date_naive();
        let years = birthday.and_then(|b| age(b, today));
        policy::person_may_share_personal(kind, rule, years)
    }

    /// The tools the person consented to (Mein Konto), newest first.
    pub async fn oidc_my_tools(&self, actor: &Actor) -> Result<Vec<ConsentedTool>, DomainError> {
        check(&actor.token, OwnAccount)?;
        let mut c = self.db.read().await?;
        Ok(consents::with_tools(&mut c, actor.token.instance(), actor.token.user()).await?)
    }

    /// Withdraws the consent to a tool: the consent is deleted, every token the tool holds
    /// for the person is revoked, its sessions end (back-channel logout queued), and the
    /// audit records it. Returns the tool's front-channel logout URLs for hidden frames.
    pub async fn oidc_revoke_consent(
        &self,
        actor: &Actor,
        client_id: &str,
    ) -> Result<Vec<String>, DomainError> {
        let client = self.usable_tool(actor, client_id).await?;
        let (inst, user) = (actor.token.instance(), actor.token.user());
        let mut tx = self.db.begin().await?;
        if !consents::revoke(&mut tx, inst, user, client.id).await? {
            return Err(DomainError::NotFound);
        }
        let now = self.now().timestamp_micros();
        let front =
            super::logout::end_of_user(&mut tx, inst, user, Some(client.id), true, now).await?;
        self.tool_event(&mut tx, actor, "tool_consent_revoked", &client)
            .await?;
        tx.commit().await?;
        Ok(front)
    }

    /// The school's under-16 rule, for its administrators.
    pub async fn oidc_under16(&self, actor: &Actor) -> Result<Under16, DomainError> {
        check(&actor.token, ManageSchoolTools)?;
        let mut c = self.db.read().await?;
        self.under16_rule(&mut c, actor).await
    }

    /// Sets the under-16 rule (audited).
    pub async fn oidc_set_under16(&self, actor: &Actor, value: &str) -> Result<(), DomainError> {
        let grant = check(&actor.token, ManageSchoolTools)?;
        let rule = Under16::parse(value)
            .ok_or_else(|| DomainError::invalid("under16", "student or school"))?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        store::set_under16(
            &mut tx,
            grant.instance(),
            rule.as_str(),
            now.timestamp_micros(),
        )
        .await?;
        let detail = serde_json::json!({ "under16": rule.as_str() });
        crate::audit::admin_action(&mut tx, actor, now, "tool.under16", "oidc", Some(detail))
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_in_whole_years() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        assert_eq!(age("2010-05-10", d("2026-05-09")), Some(15));
        assert_eq!(age("2010-05-10", d("2026-05-10")), Some(16));
        assert_eq!(age("10.05.2010", d("2026-12-01")), Some(16));
        assert_eq!(age("unbekannt", d("2026-12-01")), None);
    }
}
