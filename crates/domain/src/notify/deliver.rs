//! Delivery after commit. One run settles what needs no mail, mails due rows at once (each
//! claimed with a lease, so of several nodes only one mails it) and sends the digests that
//! are due (each claimed per login and day on its settings row). Mail goes into the school
//! mailbox through the mail module's one ingest path where the login has one, else to its
//! external address through the outgoing queue, else nowhere (the row stays in the platform).

use chrono::{DateTime, Duration, Utc};
use mail_builder::MessageBuilder;
use mail_builder::headers::raw::Raw;
use schulhof_authz::check;
use schulhof_authz::mail::{Origin, ReceiveMail};
use schulhof_store::notify::delivery::{self as store, Claimed, DigestCandidate};
use schulhof_store::notify::prefs;
use schulhof_store::{Tx, instances, to_us};
use schulhof_types::{InstanceId, UserId};
use serde_json::Value;

use super::quiet::{Quiet, next_digest};
use super::{Kind, policy, words};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// A claim is ours this long; a node that dies meanwhile leaves its rows to others then.
const LEASE: Duration = Duration::minutes(15);
/// Rows claimed at once.
const BATCH: i64 = 50;
/// Logins looked at per run for digests, rows read per digest, and items a digest lists.
const DIGEST_USERS: i64 = 200;
const DIGEST_ROWS: i64 = 500;
const DIGEST_SHOWN: usize = 50;

/// What one run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delivered {
    /// Notifications mailed one by one.
    pub mails: usize,
    /// Rows given back to wait for the end of quiet hours.
    pub deferred: usize,
    /// Digests sent.
    pub digests: usize,
}

/// Where a login's mail goes.
enum Route {
    Mailbox,
    External(String),
    Nowhere,
}

fn route(actor: &Actor) -> Route {
    if check(&actor.token, ReceiveMail(Origin::SameSchool)).is_ok() {
        return Route::Mailbox;
    }
    match actor.user.external_mail.as_deref().map(str::trim) {
        Some(m) if !m.is_empty() => Route::External(m.to_owned()),
        _ => Route::Nowhere,
    }
}

impl Platform {
    /// The worker: runs until the process ends. Several nodes may run it at once.
    pub async fn run_notifications(self) {
        let mut every = tokio::time::interval(self.config.outbound.poll);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if let Err(e) = self.system_deliver_notifications(self.now()).await {
                tracing::error!(error = %e, "delivering notifications failed");
            }
        }
    }

    /// One run of the worker at `now`.
    pub async fn system_deliver_notifications(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Delivered, DomainError> {
        let p = policy();
        let mut tx = self.db.begin().await?;
        store::settle(&mut tx, &p, now).await?;
        tx.commit().await?;
        let mut done = Delivered::default();
        loop {
            let mut tx = self.db.begin().await?;
            let claimed = store::claim_mail(&mut tx, &p, now, now + LEASE, BATCH).await?;
            tx.commit().await?;
            for cl in &claimed {
                match self.mail_one(cl, now).await {
                    Ok(true) => done.mails += 1,
                    Ok(false) => done.deferred += 1,
                    Err(e) => {
                        tracing::warn!(error = %e, id = %cl.row.id, "mailing a notification failed")
                    }
                }
            }
            if (claimed.len() as i64) < BATCH {
                break;
            }
        }
        let mut c = self.db.read().await?;
        let due = store::digest_candidates(&mut c, now, DIGEST_USERS).await?;
        drop(c);
        for cand in &due {
            match self.digest_one(cand, now).await {
                Ok(true) => done.digests += 1,
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, user = %cand.user.0, "a digest failed"),
            }
        }
        Ok(done)
    }

    /// Mails one claimed row; false when it waits for the end of quiet hours.
    async fn mail_one(&self, cl: &Claimed, now: DateTime<Utc>) -> Result<bool, DomainError> {
        let mut c = self.db.read().await?;
        let actor = self.system_actor_for(&mut c, cl.instance, cl.user).await?;
        let kind = Kind::parse(&cl.row.kind);
        let (Some(actor), Some(kind)) = (actor, kind) else {
            drop(c);
            return self.finish(cl, "none").await.map(|_| true);
        };
        if !kind.is_security() {
            let s = prefs::settings_of(&mut c, cl.instance, cl.user).await?;
            if let (Some(f), Some(t)) = (s.quiet_from, s.quiet_to) {
                let q = Quiet {
                    from: f.clamp(0, 1439) as u32,
                    to: t.clamp(0, 1439) as u32,
                };
                if let Some(end) = q.end_after(actor.time_zone, now) {
                    drop(c);
                    let mut tx = self.db.begin().await?;
                    store::defer(&mut tx, cl, end).await?;
                    tx.commit().await?;
                    return Ok(false);
                }
            }
        }
        drop(c);
        let params: Value = serde_json::from_str(&cl.row.params).unwrap_or_default();
        let (subject, text) = words::single_mail(kind, &params, self.link_base());
        let sent = self
            .send_to(&actor, &subject, &text, now, Finish::Row(cl))
            .await?;
        if !sent {
            self.finish(cl, "none").await?;
        }
        Ok(true)
    }

    async fn finish(&self, cl: &Claimed, state: &str) -> Result<bool, DomainError> {
        let mut tx = self.db.begin().await?;
        let ours = store::finish(&mut tx, cl, state).await?;
        tx.commit().await?;
        Ok(ours)
    }

    /// Sends the digest of one login if it is due and this node wins its claim.
    async fn digest_one(
        &self,
        cand: &DigestCandidate,
        now: DateTime<Utc>,
    ) -> Result<bool, DomainError> {
        let mut c = self.db.read().await?;
        let Some(actor) = self
            .system_actor_for(&mut c, cand.instance, cand.user)
            .await?
        else {
            return Ok(false);
        };
        drop(c);
        let tz = actor.time_zone;
        let hour = cand.digest_hour.clamp(0, 23) as u32;
        // Due once the first digest hour after the oldest waiting row has come.
        let due = next_digest(tz, hour, cand.oldest);
        if cand.due != Some(to_us(due)) {
            let mut tx = self.db.begin().await?;
            store::set_digest_due(&mut tx, cand.instance, cand.user, due).await?;
            tx.commit().await?;
        }
        if due > now {
            return Ok(false);
        }
        let lease = to_us(now + LEASE);
        let mut tx = self.db.begin().await?;
        let won =
            store::claim_digest(&mut tx, cand.instance, cand.user, to_us(due), now, lease).await?;
        let rows = if won {
            store::digest_rows(&mut tx, cand.instance, cand.user, DIGEST_ROWS).await?
        } else {
            Vec::new()
        };
        tx.commit().await?;
        let Some(last) = rows.last().map(|r| r.created_at) else {
            return Ok(false);
        };
        let items: Vec<(Kind, Value)> = rows
            .iter()
            .filter_map(|r| Some((Kind::parse(&r.kind)?, serde_json::from_str(&r.params).ok()?)))
            .collect();
        let more = items.len().saturating_sub(DIGEST_SHOWN);
        let (subject, text) = words::digest_mail(
            &items[..items.len().min(DIGEST_SHOWN)],
            more,
            self.link_base(),
        );
        let next = next_digest(tz, hour, now);
        let finish = Finish::Digest {
            instance: cand.instance,
            user: cand.user,
            lease,
            upto: last,
            next,
        };
        self.send_to(&actor, &subject, &text, now, finish).await?;
        Ok(true)
    }

    /// Where links in mail point; empty: paths only.
    fn link_base(&self) -> &str {
        self.config
            .outbound
            .public_url
            .as_deref()
            .map_or("", |u| u.trim_end_matches('/'))
    }

    /// Mails `text` to the login and runs `finish` (which checks the lease): with the queue
    /// entry in one transaction for an external address; after filing for the mailbox (a
    /// node that dies in between mails again after the lease, never two nodes at once).
    /// False when the login has nowhere to receive mail.
    async fn send_to(
        &self,
        actor: &Actor,
        subject: &str,
        text: &str,
        now: DateTime<Utc>,
        finish: Finish<'_>,
    ) -> Result<bool, DomainError> {
        let instance = actor.token.instance();
        match route(actor) {
            Route::Mailbox => {
                let raw = self
                    .notice_message(instance, &actor.user.mail, subject, text, now)
                    .await?;
                self.mail_system_deliver(instance, actor.user.id, &raw)
                    .await?;
                let mut tx = self.db.begin().await?;
                finish.run(&mut tx, now).await?;
                tx.commit().await?;
                Ok(true)
            }
            Route::External(to) => {
                let mut tx = self.db.begin().await?;
                if finish.run(&mut tx, now).await? {
                    self.queue_system_mail(&mut tx, instance, &to, subject, text, now)
                        .await?;
                    tx.commit().await?;
                }
                Ok(true)
            }
            Route::Nowhere => Ok(false),
        }
    }

    /// A plain-text message of the platform from the school's `noreply` address.
    async fn notice_message(
        &self,
        instance: InstanceId,
        to: &str,
        subject: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<u8>, DomainError> {
        let mut c = self.db.read().await?;
        let inst = instances::get(&mut c, instance)
            .await?
            .ok_or(DomainError::NotFound)?;
        MessageBuilder::new()
            .from((
                format!("Schulhof {}", inst.name),
                format!("noreply@{}", inst.mail_domain),
            ))
            .to(to.to_owned())
            .subject(subject.to_owned())
            .date(now.timestamp())
            .header("Auto-Submitted", Raw::new("auto-generated"))
            .text_body(text.to_owned())
            .write_to_vec()
            .map_err(|e| DomainError::Internal(format!("building a mail: {e}")))
    }
}

/// What marks a mail done, checking the lease is still ours.
enum Finish<'a> {
    Row(&'a Claimed),
    Digest {
        instance: InstanceId,
        user: UserId,
        lease: i64,
        upto: DateTime<Utc>,
        next: DateTime<Utc>,
    },
}

impl Finish<'_> {
    async fn run(&self, tx: &mut Tx, now: DateTime<Utc>) -> Result<bool, DomainError> {
        Ok(match *self {
            Finish::Row(cl) => store::finish(tx, cl, "sent").await?,
            Finish::Digest {
                instance,
                user,
                lease,
                upto,
                next,
            } => store::finish_digest(tx, instance, user, lease, upto, next, now).await?,
        })
    }
}
