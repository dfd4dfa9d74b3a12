//! "Passwort vergessen": a reset link mailed to the external address set in Mein Konto.
//!
//! The answer to a request is the same whether or not the school, the login or an external
//! address exists, and it takes the same time. Requests are throttled per typed name and
//! address like password guesses, and a login gets at most a few links an hour, so the form
//! cannot be used to flood someone's mailbox. A link works once, for one hour; only the hash
//! of its secret is stored.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use rand::RngCore;
use schulhof_store::mail::delegations::confidential_role;
use schulhof_store::password_resets as store;
use schulhof_store::{instances, sessions, users};
use sha2::{Digest, Sha256};

use crate::app_passwords;
use crate::audit::{self, Event};
use crate::passwords::check_password_rules_in;
use crate::throttle;
use crate::{DomainError, Platform};

/// How long a link works.
pub const LINK_LIFETIME: Duration = Duration::hours(1);
/// Links one login is sent per hour at most; further requests send nothing.
const LINKS_PER_HOUR: i64 = 3;
/// Every request takes at least this long, so the time does not tell whether an account
/// exists (making and queueing the mail takes a moment).
const MIN_ANSWER: std::time::Duration = std::time::Duration::from_millis(300);
/// The path of the link's page; the web front-end serves it.
pub const LINK_PATH: &str = "/passwort-vergessen/";

fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn mail_text(link: &str, login: &str) -> String {
    format!(
        "Guten Tag,\r\n\r\nfür das Konto „{login}“ wurde ein neues Passwort angefordert. Mit diesem Link \
         setzen Sie es (er gilt eine Stunde und nur einmal):\r\n\r\n{link}\r\n\r\n\
         Wenn Sie das nicht waren, ignorieren Sie diese Nachricht; Ihr Passwort bleibt, wie es ist.\r\n\r\n\
         ---\r\n\r\nA new password was requested for the account \"{login}\". This link sets it \
         (valid for one hour, once):\r\n\r\n{link}\r\n\r\n\
         If this was not you, ignore this message; your password stays as it is.\r\n"
    )
}

impl Platform {
    /// Mails a reset link to the external address of the login `name` (login name or mail
    /// address) of school `school`, if there is such a login with such an address. Answers
    /// `Ok` either way; `Throttled` when this name was asked for too often from `client_addr`.
    /// `link_base` (`https://host`) is used when no public address is configured.
    pub async fn password_reset_request(
        &self,
        school: &str,
        name: &str,
        client_addr: &str,
        link_base: &str,
    ) -> Result<(), DomainError> {
        let started = tokio::time::Instant::now();
        let result = self
            .reset_request_inner(school, name, client_addr, link_base)
            .await;
        tokio::time::sleep_until(started + MIN_ANSWER).await;
        result
    }

    async fn reset_request_inner(
        &self,
        school: &str,
        name: &str,
        client_addr: &str,
        link_base: &str,
    ) -> Result<(), DomainError> {
        let now = self.now();
        let name = name.trim().to_lowercase();
        if name.is_empty() {
            return Err(DomainError::invalid(
                "login",
                "a login or mail address is needed",
            ));
        }
        let mut c = self.db.read().await?;
        let Some(inst) = crate::operators::open_school_by_number(&mut c, school).await? else {
            return Ok(());
        };
        let mut user = users::find_by_login_or_mail(&mut c, inst.id, &name).await?;
        // A confidential-role account (Lehrerrat, …) never logs in: its holders read it by
        // delegation, so no reset may give it a password.
        if let Some(u) = &user
            && confidential_role(&mut c, inst.id, u.id).await?.is_some()
        {
            user = None;
        }
        drop(c);
        // Counted like a failed guess and never given back: the typed name, not the account,
        // so a refusal tells nothing about whether the account exists.
        let guess = throttle::Guess {
            instance: inst.id,
            subject: format!("reset:{name}"),
            address: client_addr,
            known_address: false,
        };
        drop(throttle::reserve(&self.db, &guess, now).await?);
        let Some(user) = user.filter(|u| u.active) else {
            return Ok(());
        };
        let Some(to) = user.external_mail.clone().filter(|m| !m.trim().is_empty()) else {
            return Ok(());
        };
        self.send_reset_link(inst.id, &user, &to, client_addr, link_base)
            .await
    }

    /// Makes a link for `user` and queues it to `to`, unless the login had enough this hour.
    async fn send_reset_link(
        &self,
        instance: schulhof_types::InstanceId,
        user: &schulhof_store::users::UserRow,
        to: &str,
        client_addr: &str,
        link_base: &str,
    ) -> Result<(), DomainError> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        if store::count_since(&mut tx, instance, user.id, now - Duration::hours(1)).await?
            >= LINKS_PER_HOUR
        {
            return Ok(());
        }
        let mut raw = [0u8; 32];
        rand::rng().fill_bytes(&mut raw);
        let token = URL_SAFE_NO_PAD.encode(raw);
        store::insert(
            &mut tx,
            &hash(&token),
            instance,
            user.id,
            now,
            now + LINK_LIFETIME,
        )
        .await?;
        let base = self
            .config
            .outbound
            .public_url
            .as_deref()
            .unwrap_or(link_base)
            .trim_end_matches('/');
        let link = format!("{base}{LINK_PATH}{token}");
        let subject = "Neues Passwort / New password";
        let text = mail_text(&link, &user.login);
        self.queue_system_mail(&mut tx, instance, to, subject, &text, now)
            .await?;
        let event = Event {
            kind: "account",
            actor: Some(user.id),
            holder: user.holder_id,
            action: "password.reset_link_sent",
            object: None,
            client_addr: Some(client_addr),
            detail: None,
        };
        audit::record(&mut tx, instance, now, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether a reset link still works (unused, not expired): `NotFound` if not.
    pub async fn password_reset_check(&self, token: &str) -> Result<(), DomainError> {
        let mut c = self.db.read().await?;
        store::peek(&mut c, &hash(token), self.now())
            .await?
            .map(|_| ())
            .ok_or(DomainError::NotFound)
    }

    /// Sets a new password with a reset link, which is used up. Every session of the login
    /// ends and its app passwords are revoked, as after a password change.
    pub async fn password_reset_complete(
        &self,
        token: &str,
        new_password: &str,
        client_addr: &str,
    ) -> Result<(), DomainError> {
        let now = self.now();
        let token_hash = hash(token);
        let mut c = self.db.read().await?;
        let (instance, user) = store::peek(&mut c, &token_hash, now)
            .await?
            .ok_or(DomainError::NotFound)?;
        let inst = instances::get(&mut c, instance)
            .await?
            .ok_or(DomainError::NotFound)?;
        let row = users::get(&mut c, instance, user)
            .await?
            .filter(|u| u.active)
            .ok_or(DomainError::NotFound)?;
        drop(c);
        let school = [inst.name.as_str(), inst.school_number.as_str()];
        check_password_rules_in(new_password, &row.login, &school)?;
        let phc = self.hasher.hash(new_password).await?;
        let mut tx = self.db.begin().await?;
        // Taken in the same statement that checks it: a link works once, however many
        // requests race with it.
        if store::take(&mut tx, &token_hash, now).await? != Some((instance, user)) {
            return Err(DomainError::NotFound);
        }
        users::set_password(&mut tx, instance, user, &phc, false, now).await?;
        store::void_for_user(&mut tx, instance, user, now).await?;
        sessions::delete_for_user(&mut tx, instance, user).await?;
        let revoked = app_passwords::revoke_all(&mut tx, instance, user).await?;
        let event = Event {
            kind: "account",
            actor: Some(user),
            holder: row.holder_id,
            action: "password.reset_by_link",
            object: None,
            client_addr: Some(client_addr),
            detail: Some(serde_json::json!({ "app_passwords_revoked": revoked })),
        };
        audit::record(&mut tx, instance, now, event).await?;
        tx.commit().await?;
        self.basic.forget_user(user);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mail_carries_the_link_in_both_languages() {
        let t = mail_text("https://h/passwort-vergessen/abc", "anna");
        assert_eq!(t.matches("https://h/passwort-vergessen/abc").count(), 2);
        assert!(t.contains("eine Stunde") && t.contains("one hour"));
    }
}
