//! One SMTP delivery: through the relay, or to the MX hosts of the recipient's domain in
//! order of preference (found with hickory-resolver only when there is no relay).

use std::str::FromStr;

use hickory_resolver::TokioResolver;
use hickory_resolver::proto::rr::RData;
use lettre::address::Envelope;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::response::Response;
use lettre::transport::smtp::{AsyncSmtpTransport, Error as SmtpError};
use lettre::{Address, AsyncTransport, Tokio1Executor};
use tokio::sync::OnceCell;

use super::OutboundConfig;
use crate::DomainError;

/// How an attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The next hop took the message (250).
    Sent,
    /// Try again later: 4xx, no connection, time-out, DNS trouble.
    Transient(String),
    /// Will never work: 5xx, no such domain, an address that is no address.
    Permanent(String),
}

type Transport = AsyncSmtpTransport<Tokio1Executor>;

pub(crate) enum Sender {
    /// One pooled transport to the smarthost.
    Relay(Transport),
    Mx {
        port: u16,
        timeout: std::time::Duration,
        resolver: Box<OnceCell<TokioResolver>>,
    },
}

impl Sender {
    pub(crate) fn new(cfg: &OutboundConfig) -> Result<Sender, DomainError> {
        Ok(match cfg.relay.as_deref().filter(|r| !r.is_empty()) {
            Some(url) => Sender::Relay(
                Transport::from_url(url)
                    .map_err(|e| DomainError::invalid("smtp_relay", e.to_string()))?
                    .timeout(Some(cfg.timeout))
                    .build(),
            ),
            None => Sender::Mx {
                port: cfg.mx_port,
                timeout: cfg.timeout,
                resolver: Box::default(),
            },
        })
    }

    /// Sends `raw` unchanged from `mail_from` (empty: the null sender `<>`) to `rcpt`.
    pub(crate) async fn send(&self, mail_from: &str, rcpt: &str, raw: &[u8]) -> Outcome {
        let envelope = match envelope(mail_from, rcpt) {
            Ok(e) => e,
            Err(o) => return o,
        };
        // The end of DATA (CRLF . CRLF) supplies the message's last line break: sent with
        // its own, the message would arrive with an empty line more.
        let raw = raw.strip_suffix(b"\r\n").unwrap_or(raw);
        match self {
            Sender::Relay(t) => classify(t.send_raw(&envelope, raw).await),
            Sender::Mx {
                port,
                timeout,
                resolver,
            } => {
                let domain = rcpt.rsplit_once('@').map_or("", |(_, d)| d);
                let hosts = match mx_hosts(resolver, domain).await {
                    Ok(h) => h,
                    Err(o) => return o,
                };
                to_mx(&hosts, *port, *timeout, &envelope, raw).await
            }
        }
    }
}

fn envelope(mail_from: &str, rcpt: &str) -> Result<Envelope, Outcome> {
    let bad = |what: &str| Outcome::Permanent(format!("553 5.1.3 {what} is not a mail address"));
    let from = match mail_from.trim() {
        "" => None,
        f => Some(Address::from_str(f).map_err(|_| bad(f))?),
    };
    let to = Address::from_str(rcpt.trim()).map_err(|_| bad(rcpt))?;
    Envelope::new(from, vec![to]).map_err(|e| Outcome::Permanent(e.to_string()))
}

fn classify(r: Result<Response, SmtpError>) -> Outcome {
    match r {
        Ok(_) => Outcome::Sent,
        // A refusal with a 5xx code, or a message this server can never take (e.g. 8-bit
        // content to a server without 8BITMIME).
        Err(e) if e.is_permanent() || e.is_client() => Outcome::Permanent(e.to_string()),
        Err(e) => Outcome::Transient(e.to_string()),
    }
}

/// Tries the MX hosts in order until one takes the message or refuses it for good.
async fn to_mx(
    hosts: &[String],
    port: u16,
    timeout: std::time::Duration,
    envelope: &Envelope,
    raw: &[u8],
) -> Outcome {
    let mut last = Outcome::Transient("no mail host answered".into());
    for host in hosts {
        // Opportunistic STARTTLS as MTAs do between each other: encrypt when offered, and do
        // not insist on a certificate that mail hosts often do not have.
        let tls = match TlsParameters::builder(host.clone())
            .dangerous_accept_invalid_certs(true)
            .build_rustls()
        {
            Ok(p) => Tls::Opportunistic(p),
            Err(_) => Tls::None,
        };
        let t = Transport::builder_dangerous(host.as_str())
            .port(port)
            .tls(tls)
            .timeout(Some(timeout))
            .build();
        match classify(t.send_raw(envelope, raw).await) {
            Outcome::Transient(e) => last = Outcome::Transient(format!("{host}: {e}")),
            done => return done,
        }
    }
    last
}

/// The mail hosts of `domain`, best first: its MX records, or the domain itself when it has
/// none (RFC 5321 §5.1). A null MX (RFC 7505) or a domain that does not exist: permanent.
async fn mx_hosts(
    resolver: &OnceCell<TokioResolver>,
    domain: &str,
) -> Result<Vec<String>, Outcome> {
    if domain.is_empty() {
        return Err(Outcome::Permanent("553 5.1.2 no domain".into()));
    }
    let resolver = resolver
        .get_or_try_init(|| async { TokioResolver::builder_tokio()?.build() })
        .await
        .map_err(|e| Outcome::Transient(format!("DNS: {e}")))?;
    let fqdn = format!("{}.", domain.trim_end_matches('.'));
    let lookup = match resolver.mx_lookup(fqdn.as_str()).await {
        Ok(l) => l,
        Err(e) if e.is_nx_domain() => {
            return Err(Outcome::Permanent(format!(
                "550 5.1.2 the domain {domain} does not exist"
            )));
        }
        Err(e) if e.is_no_records_found() => return Ok(vec![domain.to_owned()]),
        Err(e) => return Err(Outcome::Transient(format!("DNS: {e}"))),
    };
    let mut mx: Vec<(u16, String)> = lookup
        .answers()
        .iter()
        .filter_map(|r| match &r.data {
            RData::MX(m) => Some((m.preference, m.exchange.to_ascii())),
            _ => None,
        })
        .collect();
    mx.sort();
    if mx.len() == 1 && mx[0].1.trim_end_matches('.').is_empty() {
        return Err(Outcome::Permanent(format!(
            "556 5.1.10 {domain} accepts no mail"
        )));
    }
    if mx.is_empty() {
        return Ok(vec![domain.to_owned()]);
    }
    Ok(mx
        .into_iter()
        .map(|(_, h)| h.trim_end_matches('.').to_owned())
        .filter(|h| !h.is_empty())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_null_sender_and_bad_addresses() {
        let e = envelope("", "anna@example.org").expect("envelope");
        assert!(e.from().is_none());
        assert!(matches!(
            envelope("a@x.org", "not an address"),
            Err(Outcome::Permanent(_))
        ));
    }

    // The relay's connection pool runs on the runtime.
    #[tokio::test]
    async fn a_relay_url_must_be_smtp() {
        let cfg = OutboundConfig {
            relay: Some("http://example.org".into()),
            ..OutboundConfig::default()
        };
        assert!(Sender::new(&cfg).is_err());
        let cfg = OutboundConfig {
            relay: Some("smtp://127.0.0.1:2526".into()),
            ..OutboundConfig::default()
        };
        assert!(Sender::new(&cfg).is_ok());
    }
}
