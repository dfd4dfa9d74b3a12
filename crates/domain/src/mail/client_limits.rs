//! Limits per client address on the mail listeners (IMAP, SMTP MX and submission):
//! connections per minute, and failed logins per quarter hour across IMAP and submission.
//!
//! The login throttling of the platform ([`crate::throttle`]) already blocks guesses at one
//! account and only slows an address down, since a whole school may sit behind one NAT
//! address. Mail programs are what password sprayers aim at, though: an address that fails
//! more logins than a school's stuck phones ever could is refused outright here for the rest
//! of its window. Windows are fixed (not "quiet" windows), so a school's steady traffic never
//! adds up to a block. The counters live in the database: every node counts the same
//! connections. The first refusal of a window goes into the operators' log.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use schulhof_store::mail::ip_limits::{self as store, Window};
use schulhof_store::operators::audit::{self as operator_log, OperatorAuditEntry};

use crate::{DomainError, Platform};

const CONNECTION_WINDOW: Duration = Duration::minutes(1);
const AUTH_WINDOW: Duration = Duration::minutes(15);

/// The limits; 0 turns a limit off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientLimits {
    /// New connections per minute from one address, per protocol.
    pub connections_per_minute: u32,
    /// Failed logins per 15 minutes from one address (IMAP and submission together).
    pub auth_failures: u32,
    /// Loopback clients (the local webmail proxy, monitoring) are not counted.
    pub exempt_loopback: bool,
}

impl Default for ClientLimits {
    /// A school of 100 teachers behind one address, each with a phone and a desktop
    /// program, opens far fewer than 300 connections a minute; a stuck phone with an old
    /// password fails a few logins an hour (the per-account block holds it back).
    fn default() -> Self {
        ClientLimits {
            connections_per_minute: 300,
            auth_failures: 50,
            exempt_loopback: true,
        }
    }
}

/// Which listener a connection came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailProtocol {
    Imap,
    Smtp,
    Submission,
}

impl MailProtocol {
    fn as_str(self) -> &'static str {
        match self {
            MailProtocol::Imap => "imap",
            MailProtocol::Smtp => "smtp",
            MailProtocol::Submission => "submission",
        }
    }
}

/// The counted address: IPv4 as it is, IPv6 by its /64 (what one host can use freely).
fn client_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

fn retry_after(w: Window, window: Duration, now: DateTime<Utc>) -> u64 {
    (w.start + window - now).num_seconds().max(1) as u64
}

impl Platform {
    fn limits_apply(&self, ip: IpAddr) -> bool {
        !(self.config.mail.client_limits.exempt_loopback && ip.to_canonical().is_loopback())
    }

    /// The address of a mail client and the failed-login limit that applies to it; `None`
    /// when the limit is off or the address is exempt (or unreadable).
    fn auth_limit_for(&self, client_addr: &str) -> Option<(IpAddr, i64)> {
        let limit = i64::from(self.config.mail.client_limits.auth_failures);
        let ip = client_addr.parse::<IpAddr>().ok()?;
        (limit != 0 && self.limits_apply(ip)).then_some((ip, limit))
    }

    /// Counts a new connection from `ip`; over the limit it is refused with `RateLimited`
    /// (SMTP 421 4.7.0, IMAP BYE [UNAVAILABLE]).
    pub async fn mail_connection_opened(
        &self,
        protocol: MailProtocol,
        ip: IpAddr,
    ) -> Result<(), DomainError> {
        let limit = i64::from(self.config.mail.client_limits.connections_per_minute);
        if limit == 0 || !self.limits_apply(ip) {
            return Ok(());
        }
        let now = self.now();
        let key = format!("conn:{}:{}", protocol.as_str(), client_key(ip));
        let mut tx = self.db.begin().await?;
        let w = store::hit(&mut tx, &key, CONNECTION_WINDOW, now).await?;
        if w.hits <= limit {
            return Ok(tx.commit().await?);
        }
        if w.hits == limit + 1 {
            let action = "mail_connections_limited";
            let what = format!("{} {}", protocol.as_str(), client_key(ip));
            ip_alert(&mut tx, action, &what, ip, limit, now).await?;
        }
        tx.commit().await?;
        Err(DomainError::RateLimited {
            retry_after_secs: retry_after(w, CONNECTION_WINDOW, now),
        })
    }

    /// Refuses a login attempt from an address that failed too many logins lately.
    pub(crate) async fn mail_auth_gate(&self, client_addr: &str) -> Result<(), DomainError> {
        let Some((ip, limit)) = self.auth_limit_for(client_addr) else {
            return Ok(());
        };
        let now = self.now();
        let key = format!("auth:{}", client_key(ip));
        let mut c = self.db.read().await?;
        let w = store::get(&mut c, &key, AUTH_WINDOW, now).await?;
        drop(c);
        if w.hits < limit {
            return Ok(());
        }
        tracing::warn!(
            client = client_addr,
            "mail login refused: too many failed logins from this address"
        );
        Err(DomainError::Throttled {
            retry_after_secs: retry_after(w, AUTH_WINDOW, now),
        })
    }

    /// Counts a failed login of a mail program from `client_addr`.
    pub(crate) async fn mail_auth_failed(&self, client_addr: &str) -> Result<(), DomainError> {
        let Some((ip, limit)) = self.auth_limit_for(client_addr) else {
            return Ok(());
        };
        let now = self.now();
        let key = format!("auth:{}", client_key(ip));
        let mut tx = self.db.begin().await?;
        let w = store::hit(&mut tx, &key, AUTH_WINDOW, now).await?;
        if w.hits == limit {
            // The failure that closes the address for the rest of the window.
            let action = "mail_logins_limited";
            let what = format!("imap/submission {}", client_key(ip));
            ip_alert(&mut tx, action, &what, ip, limit, now).await?;
        }
        Ok(tx.commit().await?)
    }
}

/// One entry in the operators' log (an address belongs to no school).
async fn ip_alert(
    tx: &mut schulhof_store::Tx,
    action: &str,
    what: &str,
    ip: IpAddr,
    limit: i64,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let detail = serde_json::json!({ "limit": limit });
    let entry = OperatorAuditEntry {
        id: uuid::Uuid::now_v7(),
        at: now,
        operator_id: None,
        operator_login: None,
        action: action.into(),
        object: Some(what.to_owned()),
        client_addr: Some(ip.to_string()),
        detail: Some(detail.to_string()),
    };
    operator_log::insert(tx, &entry).await?;
    tracing::warn!(client = %ip, action, limit, "mail client address limited");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_counted_by_host_or_ipv6_prefix() {
        let v4: IpAddr = "203.0.113.7".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        assert_eq!(client_key(v4), "203.0.113.7");
        let mapped: IpAddr = "::ffff:203.0.113.7".parse().unwrap_or(v4);
        assert_eq!(client_key(mapped), "203.0.113.7");
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap_or(v4);
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap_or(v4);
        assert_eq!(client_key(a), client_key(b));
        assert_eq!(client_key(a), "2001:db8:1:2::/64");
    }
}
