//! "Mein Konto": the own user card, password, external mail address and consent.

use schulhof_authz::{
    ChangeOwnPassword, EditOwnExternalMail, OwnAccount, PublishConsentTexts, ReadSelf, check,
};
use schulhof_store::throttle as throttle_store;
use schulhof_store::{consent, sessions, users};
use schulhof_types::RightId;
use serde::Serialize;

use crate::app_passwords;
use crate::audit::{self, Event};
use crate::identity::{Actor, principal_of};
use crate::passwords::check_password_rules_in;
use crate::throttle;
use crate::{DomainError, Platform};

/// The own user card with groups and effective rights.
#[derive(Clone, Debug, Serialize)]
pub struct Me {
    pub login: String,
    pub instance: String,
    pub school_name: String,
    pub account_type: String,
    pub function_role: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub mail: String,
    pub external_mail: Option<String>,
    pub groups: Vec<String>,
    pub rights: Vec<RightId>,
}

/// The terms a user is asked to accept.
#[derive(Clone, Debug, Serialize)]
pub struct ConsentTexts {
    pub version: i64,
    pub terms: String,
    pub privacy: String,
}

impl Platform {
    pub fn me(&self, actor: &Actor) -> Result<Me, DomainError> {
        check(&actor.token, ReadSelf)?;
        let principal = principal_of(&actor.user)?;
        Ok(Me {
            login: actor.user.login.clone(),
            instance: actor.school_number.clone(),
            school_name: actor.school_name.clone(),
            account_type: principal
                .account_type()
                .map_or("function", |t| t.as_str())
                .into(),
            function_role: principal.function_role().map(|r| r.as_str().into()),
            first_name: actor.user.first_name.clone(),
            last_name: actor.user.last_name.clone(),
            mail: actor.user.mail.clone(),
            external_mail: actor.user.external_mail.clone(),
            groups: actor.groups.iter().map(|g| g.name.clone()).collect(),
            rights: actor.token.rights_sorted(),
        })
    }

    /// Replaces the own password after checking the old one; other sessions end and every
    /// app password is revoked. Wrong old passwords count against the account's login
    /// throttling (a stolen session must not become a way to guess the password).
    pub async fn change_own_password(
        &self,
        actor: &Actor,
        old: &str,
        new: &str,
        client_addr: &str,
    ) -> Result<(), DomainError> {
        let grant = check(&actor.token, ChangeOwnPassword)?;
        let school = [actor.school_name.as_str(), actor.school_number.as_str()];
        check_password_rules_in(new, &actor.user.login, &school)?;
        if old == new {
            return Err(DomainError::invalid(
                "new",
                "must differ from the current password",
            ));
        }
        self.check_own_password(actor, old, client_addr).await?;
        let hash = self.hasher.hash(new).await?;
        let now = self.now();
        let (instance, user) = (grant.instance(), grant.actor());
        let mut tx = self.db.begin().await?;
        users::set_password(&mut tx, instance, user, &hash, false, now).await?;
        sessions::delete_others(&mut tx, instance, user, &actor.token_hash).await?;
        let revoked = app_passwords::revoke_all(&mut tx, instance, user).await?;
        audit::record(
            &mut tx,
            instance,
            now,
            Event {
                kind: "account",
                actor: Some(user),
                holder: actor.user.holder_id,
                action: "password.change",
                object: None,
                client_addr: Some(client_addr),
                detail: Some(serde_json::json!({ "app_passwords_revoked": revoked })),
            },
        )
        .await?;
        tx.commit().await?;
        self.basic.forget_user(user);
        Ok(())
    }

    /// Checks the actor's current password, throttled like a login of the account.
    async fn check_own_password(
        &self,
        actor: &Actor,
        password: &str,
        client_addr: &str,
    ) -> Result<(), DomainError> {
        let (instance, user) = (actor.token.instance(), actor.token.user());
        let now = self.now();
        let known_address = {
            let mut c = self.db.read().await?;
            throttle_store::is_known_address(&mut c, instance, user, client_addr, now).await?
        };
        let guess = throttle::Guess {
            instance,
            subject: throttle::account_subject(Some(user), ""),
            address: client_addr,
            known_address,
        };
        let phc = actor.user.password_hash.as_deref();
        let verify = async || self.hasher.verify(password, phc).await;
        if throttle::checked(&self.db, &guess, now, verify).await? {
            Ok(())
        } else {
            Err(DomainError::invalid("old", "the current password is wrong"))
        }
    }

    /// Sets or (with an empty value) removes the own external mail address.
    pub async fn set_own_external_mail(
        &self,
        actor: &Actor,
        mail: &str,
    ) -> Result<(), DomainError> {
        let grant = check(&actor.token, EditOwnExternalMail)?;
        let mail = normalize_external_mail(mail)?;
        let mut tx = self.db.begin().await?;
        users::set_external_mail(
            &mut tx,
            grant.instance(),
            grant.actor(),
            mail.as_deref(),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The current terms of use and privacy policy of the actor's school.
    pub async fn consent_texts(&self, actor: &Actor) -> Result<Option<ConsentTexts>, DomainError> {
        let grant = check(&actor.token, OwnAccount)?;
        let mut c = self.db.read().await?;
        let text = consent::current_text(&mut c, grant.instance()).await?;
        Ok(text.map(|t| ConsentTexts {
            version: t.version,
            terms: t.terms,
            privacy: t.privacy,
        }))
    }

    /// Accepts the terms and acknowledges the privacy policy. Declining either is recorded
    /// and leaves the account without access.
    pub async fn give_consent(
        &self,
        actor: &Actor,
        terms: bool,
        privacy: bool,
        client_addr: &str,
    ) -> Result<(), DomainError> {
        let instance = check(&actor.token, OwnAccount)?.instance();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let text = consent::current_text(&mut tx, instance).await?;
        let accepted = terms && privacy;
        if accepted && let Some(t) = &text {
            consent::record(&mut tx, instance, actor.token.user(), t.version, now).await?;
        }
        let action = if accepted {
            "consent.accept"
        } else {
            "consent.decline"
        };
        let detail = text.map(|t| serde_json::json!({ "version": t.version }));
        audit::record(
            &mut tx,
            instance,
            now,
            Event {
                kind: "consent",
                actor: Some(actor.token.user()),
                holder: None,
                action,
                object: None,
                client_addr: Some(client_addr),
                detail,
            },
        )
        .await?;
        tx.commit().await?;
        if accepted {
            Ok(())
        } else {
            Err(DomainError::ConsentDeclined)
        }
    }

    /// Publishes a new version of the school's terms; everyone is asked again.
    pub async fn publish_consent(
        &self,
        actor: &Actor,
        terms: &str,
        privacy: &str,
    ) -> Result<i64, DomainError> {
        let grant = check(&actor.token, PublishConsentTexts)?;
        let (terms, privacy) = (terms.trim(), privacy.trim());
        if terms.len() < 20 {
            return Err(DomainError::invalid(
                "terms",
                "the terms of use need at least 20 characters",
            ));
        }
        if privacy.len() < 20 {
            return Err(DomainError::invalid(
                "privacy",
                "the privacy policy needs at least 20 characters",
            ));
        }
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let version = consent::publish_text(&mut tx, grant.instance(), terms, privacy, now).await?;
        audit::admin_action(
            &mut tx,
            actor,
            now,
            "consent.publish",
            "consent",
            Some(serde_json::json!({ "version": version })),
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Withdraws consent: the account is deactivated and every session ends.
    pub async fn revoke_consent(
        &self,
        actor: &Actor,
        client_addr: &str,
    ) -> Result<(), DomainError> {
        let grant = check(&actor.token, OwnAccount)?;
        let (instance, user) = (grant.instance(), grant.actor());
        let now = self.now();
        let mut tx = self.db.begin().await?;
        consent::revoke(&mut tx, instance, user, now).await?;
        users::set_active(&mut tx, instance, user, false, now).await?;
        sessions::delete_for_user(&mut tx, instance, user).await?;
        let at = now.timestamp_micros();
        crate::oidc::logout::end_of_user(&mut tx, instance, user, None, true, at).await?;
        audit::record(
            &mut tx,
            instance,
            now,
            Event {
                kind: "consent",
                actor: Some(user),
                holder: None,
                action: "consent.revoke",
                object: None,
                client_addr: Some(client_addr),
                detail: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// `None` for an empty value; otherwise a plausible address, lower-cased.
pub fn normalize_external_mail(mail: &str) -> Result<Option<String>, DomainError> {
    let mail = mail.trim();
    if mail.is_empty() {
        return Ok(None);
    }
    let bad = || {
        DomainError::invalid(
            "external_mail",
            "is not a valid mail address (name@domain.tld)",
        )
    };
    let (local, domain) = mail.rsplit_once('@').ok_or_else(bad)?;
    let plausible = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && mail.len() <= 254
        && !mail
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
    if plausible {
        Ok(Some(mail.to_lowercase()))
    } else {
        Err(bad())
    }
}
