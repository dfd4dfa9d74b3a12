//! A private subscription address for the caller's due dates (`/kurse-abo/<secret>`), for
//! calendar programs that take an `.ics` address but no CalDAV. As with calendar
//! subscriptions the secret is shown once and stored hashed; the feed answers as the person
//! it belongs to, under today's rights (a person who left a course stops seeing its dates,
//! a deactivated account or one without calendar programs gets 404).

use base64::Engine as _;
use chrono::{DateTime, Utc};
use rand::RngCore as _;
use schulhof_store::lms::due_feeds;
use schulhof_store::{from_us, to_us};
use sha2::{Digest, Sha256};

use crate::identity::Actor;
use crate::{DomainError, Platform};

impl Platform {
    /// Whether this account may take due dates to calendar programs at all: a person (not a
    /// function account) whom the policy allows calendar programs.
    fn due_feed_allowed(&self, a: &Actor) -> Result<(), DomainError> {
        if a.token.principal().account_type().is_none() {
            return Err(DomainError::Forbidden);
        }
        schulhof_authz::check(&a.token, schulhof_authz::calendar::UseCalendarClients)?;
        Ok(())
    }

    /// A new private address for the caller's due dates; an older one stops working. The
    /// secret is returned this once.
    pub async fn lms_due_subscribe(&self, a: &Actor) -> Result<String, DomainError> {
        self.due_feed_allowed(a)?;
        let mut b = [0u8; 32];
        rand::rng().fill_bytes(&mut b);
        let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
        let mut tx = self.db.begin().await?;
        let hash = Sha256::digest(secret.as_bytes());
        let now = to_us(self.now());
        due_feeds::put(&mut tx, a.token.instance(), a.user.id, &hash, now).await?;
        tx.commit().await?;
        Ok(secret)
    }

    /// Ends the caller's address at once.
    pub async fn lms_due_unsubscribe(&self, a: &Actor) -> Result<(), DomainError> {
        let mut tx = self.db.begin().await?;
        due_feeds::remove(&mut tx, a.token.instance(), a.user.id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// When the caller's address was made, if there is one.
    pub async fn lms_due_subscription(
        &self,
        a: &Actor,
    ) -> Result<Option<DateTime<Utc>>, DomainError> {
        let mut c = self.db.read().await?;
        let at = due_feeds::created_at(&mut c, a.token.instance(), a.user.id).await?;
        Ok(at.map(from_us))
    }

    /// The `.ics` text behind a secret; `NotFound` for an unknown secret, or a person who
    /// may no longer take dates to calendar programs.
    pub async fn lms_due_feed(&self, secret: &str) -> Result<String, DomainError> {
        let mut c = self.db.read().await?;
        let hash = Sha256::digest(secret.as_bytes());
        let (inst, user) = due_feeds::by_hash(&mut c, &hash)
            .await?
            .ok_or(DomainError::NotFound)?;
        let a = self
            .system_actor_for(&mut c, inst, user)
            .await?
            .ok_or(DomainError::NotFound)?;
        drop(c);
        self.due_feed_allowed(&a)
            .map_err(|_| DomainError::NotFound)?;
        self.lms_due_ics(&a).await
    }
}
