//! Mail leaving the platform. Messages for other domains wait in the queue (table
//! `mail_queue`); a worker on any node claims due rows with a lease, sends each through the
//! relay or the recipient domain's MX, retries with growing pauses and, when a message
//! finally fails, puts a delivery status notification (RFC 3464) into the sender's inbox.
//! The notification outbox (mail to the external addresses of logins) leaves the same way.

pub(crate) mod dsn;
mod notices;
mod smtp;

use chrono::{DateTime, Duration, Utc};
use futures_util::StreamExt;
use schulhof_store::mail::queue::{self as store, QueueRow};

use crate::{DomainError, Platform};

pub use smtp::Outcome;

/// How outgoing mail leaves.
#[derive(Clone, Debug)]
pub struct OutboundConfig {
    /// A smarthost (`smtp://host:port`, `smtps://…`, `smtp://…?tls=required`, with
    /// `user:password@` when it wants a login). `None`: straight to the recipient domain's MX.
    pub relay: Option<String>,
    /// The port of the MX hosts (25; tests use others).
    pub mx_port: u16,
    /// How long one SMTP conversation may take.
    pub timeout: std::time::Duration,
    /// How often the worker looks for due mail.
    pub poll: std::time::Duration,
    /// Where links in mail point (`https://schulhof.example.org`). Without it a link is made
    /// from the address the request came to.
    pub public_url: Option<String>,
    /// DKIM signing of this mail, and the checks of mail from outside.
    pub auth: super::auth::AuthConfig,
}

impl Default for OutboundConfig {
    fn default() -> Self {
        Self {
            relay: None,
            mx_port: 25,
            timeout: std::time::Duration::from_secs(60),
            poll: std::time::Duration::from_secs(5),
            public_url: None,
            auth: Default::default(),
        }
    }
}

impl OutboundConfig {
    /// Refuses a relay address that cannot work (checked at start, not at the first mail).
    pub fn check(&self) -> Result<(), DomainError> {
        smtp::Sender::new(self).map(|_| ())
    }
}

/// A claimed row is ours this long; a node that dies while sending leaves it to others then.
const LEASE: Duration = Duration::minutes(15);
/// Rows claimed at once, and sent side by side.
const BATCH: i64 = 32;
const PARALLEL: usize = 8;
/// A message that could not be delivered for this long is given up.
pub const GIVE_UP_AFTER: Duration = Duration::days(2);
/// Finished rows are kept this long for the operator, then forgotten.
const KEEP_DONE: Duration = Duration::days(7);

/// The pause before the next attempt, after `attempts` failed ones.
pub fn backoff(attempts: i64) -> Duration {
    match attempts {
        ..=1 => Duration::minutes(5),
        2 => Duration::minutes(15),
        3 => Duration::hours(1),
        4 => Duration::hours(4),
        _ => Duration::hours(8),
    }
}

/// What happens to a row after an attempt.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    Done,
    Retry(DateTime<Utc>),
    GiveUp,
}

fn next_step(row: &QueueRow, outcome: &Outcome, now: DateTime<Utc>) -> Next {
    match outcome {
        Outcome::Sent => Next::Done,
        Outcome::Permanent(_) => Next::GiveUp,
        Outcome::Transient(_) => {
            let at = now + backoff(row.attempts + 1);
            if at - row.created_at > GIVE_UP_AFTER {
                Next::GiveUp
            } else {
                Next::Retry(at)
            }
        }
    }
}

impl Platform {
    /// The queue worker: runs until the process ends. Several nodes may run it at once.
    pub async fn run_mail_queue(self) {
        let sender = match smtp::Sender::new(&self.config.outbound) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "outgoing mail is off: the relay setting is unusable");
                return;
            }
        };
        let mut every = tokio::time::interval(self.config.outbound.poll);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            // A full batch means more may be due: go on at once.
            loop {
                match self.send_due_with(&sender, self.now()).await {
                    Ok(n) if n as i64 >= BATCH => continue,
                    Ok(_) => break,
                    Err(e) => {
                        tracing::error!(error = %e, "outgoing mail run failed");
                        break;
                    }
                }
            }
        }
    }

    /// One run of the worker: hands waiting notifications to the queue, then claims and
    /// sends due messages. Returns how many rows it worked on (sent, retried or given up).
    pub async fn system_send_due_mail(&self, now: DateTime<Utc>) -> Result<usize, DomainError> {
        let sender = smtp::Sender::new(&self.config.outbound)?;
        self.send_due_with(&sender, now).await
    }

    async fn send_due_with(
        &self,
        sender: &smtp::Sender,
        now: DateTime<Utc>,
    ) -> Result<usize, DomainError> {
        self.queue_notices(now).await?;
        let mut tx = self.db.begin().await?;
        let rows = store::claim_due(&mut tx, now, now + LEASE, BATCH).await?;
        tx.commit().await?;
        let n = rows.len();
        let results: Vec<(QueueRow, Outcome)> = futures_util::stream::iter(rows)
            .map(|row| async move {
                let outcome = self.attempt(sender, &row).await;
                (row, outcome)
            })
            .buffer_unordered(PARALLEL)
            .collect()
            .await;
        for (row, outcome) in results {
            if let Err(e) = self.settle(&row, &outcome, now).await {
                tracing::error!(error = %e, queue = %row.id, "recording a delivery attempt failed");
            }
        }
        if n > 0 {
            let mut tx = self.db.begin().await?;
            store::purge_done(&mut tx, now - KEEP_DONE).await?;
            tx.commit().await?;
        }
        Ok(n)
    }

    /// One delivery attempt of a claimed row.
    async fn attempt(&self, sender: &smtp::Sender, row: &QueueRow) -> Outcome {
        let raw = match self.mail_blob(&row.blob_sha).await {
            Ok(r) => r,
            Err(e) => return Outcome::Transient(format!("reading the message: {e}")),
        };
        // Signed just before it leaves, so a key made or changed meanwhile is the one used.
        let raw = match self.dkim_signed(row.instance, &row.mail_from, &raw).await {
            Ok(r) => r,
            Err(e) => return Outcome::Transient(format!("DKIM signing: {e}")),
        };
        // A domain of another school here: handed to the MX's inbound path in process.
        let outcome = match self.deliver_hosted(row, &raw).await {
            Some(o) => o,
            None => sender.send(&row.mail_from, &row.rcpt, &raw).await,
        };
        match &outcome {
            Outcome::Sent => tracing::info!(queue = %row.id, "mail delivered to the next hop"),
            Outcome::Transient(e) => {
                tracing::warn!(queue = %row.id, error = %e, "mail delivery deferred")
            }
            Outcome::Permanent(e) => {
                tracing::warn!(queue = %row.id, error = %e, "mail delivery failed")
            }
        }
        outcome
    }

    /// Delivers a queued message whose recipient domain is hosted on this installation
    /// (another school of the platform) through the same inbound path as the MX, as if it
    /// had come from outside: a `Received` and an `Authentication-Results` header, the
    /// filters, the recipient's own rights (`mail.external`), traffic recorded as `in` at the
    /// recipient's school. No network hop; see docs/mail.md. `None`: not hosted here.
    async fn deliver_hosted(&self, row: &QueueRow, raw: &[u8]) -> Option<Outcome> {
        match self.mail_is_local_address(&row.rcpt).await {
            Ok(true) => {}
            Ok(false) => return None,
            Err(e) => return Some(Outcome::Transient(format!("looking up {}: {e}", row.rcpt))),
        }
        use super::submit::RcptRefused;
        let rcpt = match self.mail_inbound_rcpt(&row.rcpt).await {
            Ok(r) => r,
            Err(RcptRefused::Temporary(_)) => {
                return Some(Outcome::Transient(format!(
                    "451 4.3.0 temporarily unable to check <{}>",
                    row.rcpt
                )));
            }
            Err(RcptRefused::Unknown(_) | RcptRefused::Malformed(_)) => {
                return Some(Outcome::Permanent(format!(
                    "550 5.1.1 <{}>: no such address",
                    row.rcpt
                )));
            }
            Err(RcptRefused::NotAllowed(_)) => {
                return Some(Outcome::Permanent(format!(
                    "550 5.7.1 <{}>: this address does not take mail from outside",
                    row.rcpt
                )));
            }
            // The owner may make room: tried again with the queue's back-off.
            Err(RcptRefused::MailboxFull(_)) => {
                return Some(Outcome::Transient(format!(
                    "452 4.2.2 <{}>: mailbox full",
                    row.rcpt
                )));
            }
        };
        let by = row.rcpt.rsplit('@').next().unwrap_or_default().to_owned();
        let helo = row
            .mail_from
            .rsplit('@')
            .next()
            .unwrap_or("localhost")
            .to_owned();
        let client = super::auth::SmtpClient {
            ip: std::net::IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
            helo: helo.clone(),
            authserv_id: by.clone(),
        };
        let date = self.now().to_rfc2822();
        let mut received = format!(
            "Received: from {helo} ([::1])\r\n\tby {by} (Schulhof) with local\r\n\tfor <{}>;\r\n\t{date}\r\n",
            row.rcpt
        )
        .into_bytes();
        received.extend_from_slice(raw);
        match self
            .mail_deliver_from_outside(&client, &row.mail_from, &[rcpt], &received)
            .await
        {
            Ok(filed) => match filed.into_iter().next() {
                Some(Ok(())) | None => Some(Outcome::Sent),
                Some(Err(e @ DomainError::Invalid { .. })) => {
                    Some(Outcome::Permanent(format!("552 5.2.2 <{}>: {e}", row.rcpt)))
                }
                Some(Err(e)) => Some(Outcome::Transient(format!("451 4.3.0 {e}"))),
            },
            Err(e @ DomainError::Invalid { .. }) => {
                Some(Outcome::Permanent(format!("550 5.7.1 {e}")))
            }
            Err(e) => Some(Outcome::Transient(format!("451 4.3.0 {e}"))),
        }
    }

    /// Records the attempt; a given-up message of a login bounces into its inbox.
    async fn settle(
        &self,
        row: &QueueRow,
        outcome: &Outcome,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        let step = next_step(row, outcome, now);
        let mut tx = self.db.begin().await?;
        let ours = match (&step, outcome) {
            (Next::Done, _) => store::finish(&mut tx, row, "sent", None, now).await?,
            (Next::Retry(at), Outcome::Transient(e)) => {
                store::retry_at(&mut tx, row, e, *at).await?
            }
            (_, Outcome::Transient(e) | Outcome::Permanent(e)) => {
                store::finish(&mut tx, row, "failed", Some(e), now).await?
            }
            (_, Outcome::Sent) => false,
        };
        tx.commit().await?;
        if ours
            && step == Next::GiveUp
            && let Some(user) = row.sender
        {
            self.bounce(row, user, outcome, now).await?;
        }
        Ok(())
    }

    /// Puts a delivery status notification for a failed row into the sender's inbox.
    async fn bounce(
        &self,
        row: &QueueRow,
        user: schulhof_types::UserId,
        outcome: &Outcome,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        let original = self.mail_blob(&row.blob_sha).await.unwrap_or_default();
        let domain = {
            let mut c = self.db.read().await?;
            schulhof_store::instances::get(&mut c, row.instance)
                .await?
                .map(|i| i.mail_domain)
                .unwrap_or_default()
        };
        let (reason, permanent) = match outcome {
            Outcome::Permanent(e) => (e.as_str(), true),
            Outcome::Transient(e) => (e.as_str(), false),
            Outcome::Sent => return Ok(()),
        };
        let report = dsn::Failure {
            reporting_domain: &domain,
            mail_from: &row.mail_from,
            rcpt: &row.rcpt,
            diagnostic: reason,
            permanent,
            arrived: row.created_at,
        };
        let raw = dsn::build(&report, &original, now)?;
        self.mail_system_deliver(row.instance, user, &raw).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use schulhof_types::InstanceId;

    fn row(created: DateTime<Utc>, attempts: i64) -> QueueRow {
        QueueRow {
            id: uuid::Uuid::nil(),
            instance: InstanceId(uuid::Uuid::nil()),
            sender: None,
            mail_from: "a@x".into(),
            rcpt: "b@y".into(),
            blob_sha: String::new(),
            size: 0,
            attempts,
            created_at: created,
            lease_until: 0,
        }
    }

    #[test]
    fn pauses_grow_and_mail_is_given_up_after_two_days() {
        assert!(backoff(1) < backoff(2) && backoff(2) < backoff(3) && backoff(3) < backoff(4));
        let t0 = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).expect("time");
        let soft = Outcome::Transient("421 busy".into());
        assert_eq!(
            next_step(&row(t0, 0), &soft, t0),
            Next::Retry(t0 + Duration::minutes(5))
        );
        let late = t0 + Duration::days(2) - Duration::hours(1);
        assert_eq!(next_step(&row(t0, 6), &soft, late), Next::GiveUp);
        let hard = Outcome::Permanent("550 no such user".into());
        assert_eq!(next_step(&row(t0, 0), &hard, t0), Next::GiveUp);
        assert_eq!(next_step(&row(t0, 0), &Outcome::Sent, t0), Next::Done);
    }
}
