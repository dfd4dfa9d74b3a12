//! Spam and malware filtering and the outgoing rate limit (issue 17, item 5 and item 4's
//! limit). Both filters are optional: `--spam-filter` (rspamd's HTTP address) and
//! `--virus-scanner` (clamd's socket). A filter that is configured but does not answer makes
//! delivery wait (SMTP 451) — a message is never let through unscanned.
//!
//! Messages from outside and between logins pass [`Platform::mail_screen`] before their
//! content is stored ([`super::submit`] calls it on the way into the one ingest path).

pub mod clamd;
mod mark;
mod quarantine;
mod rate;
pub mod rspamd;
mod screen;
mod train;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::{DomainError, Platform};

pub use quarantine::HeldMessage;
pub use rate::SendLimits;
pub(crate) use screen::Inbound;

/// How mail is filtered.
#[derive(Clone, Debug)]
pub struct FilterConfig {
    /// rspamd's HTTP address (its controller worker, e.g. `http://127.0.0.1:11334`, answers
    /// both scans and training); `None`: no spam filter.
    pub spam_filter: Option<String>,
    /// clamd's unix socket; `None`: no virus scanner.
    pub virus_scanner: Option<PathBuf>,
    /// How long one scan (each filter) may take before delivery is deferred.
    pub scan_timeout: Duration,
    /// Scans running at once on this node: a large attachment being scanned takes one slot
    /// and leaves the others to the next deliveries.
    pub scan_slots: Arc<Semaphore>,
    /// Recipients per hour a login may send to, unless the school sets its own.
    pub send_limits: SendLimits,
}

/// Scans at once when nothing else is said.
pub const SCAN_SLOTS: usize = 4;

impl Default for FilterConfig {
    fn default() -> Self {
        FilterConfig {
            spam_filter: None,
            virus_scanner: None,
            scan_timeout: Duration::from_secs(30),
            scan_slots: Arc::new(Semaphore::new(SCAN_SLOTS)),
            send_limits: SendLimits::default(),
        }
    }
}

/// Which filters run, for the school's admin page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FilterStatus {
    pub spam_filter: bool,
    pub virus_scanner: bool,
}

/// How a message arrives, for the filters.
#[derive(Clone, Debug)]
pub(crate) struct Arrival<'a> {
    /// "in" from outside, "local" from a login here.
    pub direction: &'static str,
    pub mail_from: &'a str,
    pub rcpts: &'a [String],
    pub ip: Option<std::net::IpAddr>,
    pub helo: &'a str,
    /// The sending login (`login@school`), for local mail.
    pub user: Option<&'a str>,
}

/// What the filters made of a message.
#[derive(Debug)]
pub(crate) enum Screened {
    /// Deliver it (`raw`: rewritten with the spam filter's verdict; `None`: as it came);
    /// `spam`: marked (subject, headers) and into the Spam folder.
    Deliver { raw: Option<Vec<u8>>, spam: bool },
    /// Malware, by the signature's name: held back, never delivered.
    Malware(String),
}

/// The answer when a configured filter does not answer: try again later (451 4.7.1).
fn unavailable(what: &str, e: impl std::fmt::Display) -> DomainError {
    tracing::warn!(error = %e, "{what} unavailable: delivery deferred");
    DomainError::Busy {
        retry_after_secs: 300,
    }
}

impl Platform {
    /// Which filters this installation runs.
    pub fn mail_filter_status(&self) -> FilterStatus {
        let f = &self.config.mail.filter;
        FilterStatus {
            spam_filter: f.spam_filter.is_some(),
            virus_scanner: f.virus_scanner.is_some(),
        }
    }

    /// Runs the configured filters over a message: the virus scanner first (malware is
    /// never delivered, whatever the spam filter says), then, for mail from outside, the
    /// spam filter. What rspamd calls spam or `reject` is marked and filed in Spam.
    pub(crate) async fn mail_screen(
        &self,
        raw: &[u8],
        arrival: &Arrival<'_>,
    ) -> Result<Screened, DomainError> {
        let f = &self.config.mail.filter;
        if f.virus_scanner.is_none() && f.spam_filter.is_none() {
            return Ok(Screened::Deliver {
                raw: None,
                spam: false,
            });
        }
        // One slot per message for both scans; waiting for a slot counts against the
        // timeout, so a node flooded with large messages defers rather than piles up.
        let _slot = tokio::time::timeout(f.scan_timeout, f.scan_slots.acquire())
            .await
            .map_err(|_| unavailable("scan slot", "all scan slots busy"))?
            .map_err(|e| unavailable("scan slot", e))?;
        if let Some(socket) = &f.virus_scanner {
            match clamd::scan(socket, raw, f.scan_timeout).await {
                Ok(clamd::Verdict::Clean) => {}
                Ok(clamd::Verdict::Found(name)) => return Ok(Screened::Malware(name)),
                Err(e) => return Err(unavailable("virus scanner", e)),
            }
        }
        let Some(url) = f
            .spam_filter
            .as_deref()
            .filter(|_| arrival.direction == "in")
        else {
            return Ok(Screened::Deliver {
                raw: None,
                spam: false,
            });
        };
        let env = rspamd::Envelope {
            mail_from: arrival.mail_from,
            rcpts: arrival.rcpts,
            ip: arrival.ip,
            helo: arrival.helo,
            user: arrival.user,
        };
        let scan = rspamd::check(url, &env, raw, f.scan_timeout)
            .await
            .map_err(|e| unavailable("spam filter", e))?;
        // rspamd's `reject` is filed in Spam too, not refused: a user can still find a
        // false positive there, and the school's rule is "spam lands in the Spam folder".
        Ok(Screened::Deliver {
            raw: Some(mark::headers(raw, &scan)),
            spam: scan.is_spam(),
        })
    }

    /// Trains the spam filter with a message a user marked as spam (or as not spam). Best
    /// effort: the user's action stands even if the filter is down.
    pub(crate) async fn mail_train(&self, raw: &[u8], spam: bool) {
        let f = &self.config.mail.filter;
        let Some(url) = &f.spam_filter else {
            return;
        };
        if let Err(e) = rspamd::learn(url, spam, raw, f.scan_timeout).await {
            tracing::warn!(error = %e, spam, "training the spam filter");
        }
    }
}
