//! Mail from outside, as the MX takes it: SPF (client address, HELO, MAIL FROM), DKIM and
//! DMARC are checked with mail-auth and recorded in an `Authentication-Results` header on
//! top of the message, after any such header claiming to be ours is removed. One result is
//! enforced: a DMARC failure of a domain whose policy is `reject` is refused at SMTP time
//! (550 5.7.1), one whose policy is `quarantine` is filed in Spam. The checks are bounded
//! in time, so a resolver that does not answer gives `temperror` (and nothing is refused)
//! instead of holding the delivery up.

use std::net::IpAddr;

use mail_auth::dmarc::Policy;
use mail_auth::dmarc::verify::DmarcParameters;
use mail_auth::spf::verify::SpfParameters;
use mail_auth::{AuthenticatedMessage, AuthenticationResults, DmarcResult, MessageAuthenticator};

use super::dns::Dns;
use super::headers::{results_at, strip_forged};
use crate::mail::submit::InboundRcpt;
use crate::{DomainError, Platform};

/// Who handed a message to the MX.
#[derive(Clone, Debug)]
pub struct SmtpClient {
    /// The client's address.
    pub ip: IpAddr,
    /// The name it gave in EHLO/HELO (empty if none).
    pub helo: String,
    /// Our own name: the authserv-id of the results header (the MX's host name).
    pub authserv_id: String,
}

/// The results header when the checks ran out of time.
fn timed_out(id: &str) -> String {
    format!(
        "Authentication-Results: {id};\r\n\tspf=temperror (DNS did not answer in time);\r\n\tdkim=temperror;\r\n\tdmarc=temperror\r\n"
    )
}

/// The domain of the envelope sender; for the null sender, the HELO name (RFC 7208 §2.4).
fn mail_from_domain<'a>(mail_from: &'a str, helo: &'a str) -> &'a str {
    mail_from.rsplit_once('@').map_or(helo, |(_, d)| d)
}

/// What the DMARC policy of the From domain asks of a message that failed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DmarcVerdict {
    /// Passed, no policy, or a policy of `none` (or the checks did not finish).
    Accept,
    /// Failed under `p=quarantine`: filed in Spam.
    Quarantine,
    /// Failed under `p=reject`: refused; the domain is named in the answer.
    Reject(String),
}

/// The results header of one message and the DMARC verdict. mail-auth writes each
/// method's part; a message without signature gets `dkim=none`, which mail-auth leaves out
/// (RFC 8601 §2.7.1).
async fn results(
    auth: &MessageAuthenticator,
    dns: &Dns,
    client: &SmtpClient,
    mail_from: &str,
    raw: &[u8],
) -> (String, DmarcVerdict) {
    let host = client.authserv_id.as_str();
    let helo = client.helo.as_str();
    let spf_params = if mail_from.is_empty() {
        SpfParameters::verify_ehlo(client.ip, helo, host)
    } else {
        SpfParameters::verify_mail_from(client.ip, helo, host, mail_from)
    };
    let spf = auth.verify_spf(dns.params(spf_params)).await;
    let ar = AuthenticationResults::new(host);
    let ar = if mail_from.is_empty() {
        ar.with_spf_ehlo_result(&spf, client.ip, helo)
    } else {
        ar.with_spf_mailfrom_result(&spf, client.ip, mail_from, helo)
    };
    let mut header = format!("Authentication-Results: {ar}");
    let Some(msg) = AuthenticatedMessage::parse(raw) else {
        // No header to check a signature or policy on.
        header.push_str(";\r\n\tdkim=none;\r\n\tdmarc=none\r\n");
        return (header, DmarcVerdict::Accept);
    };
    let dkim = auth.verify_dkim(dns.params(&msg)).await;
    let header_from = msg.from.first().map(String::as_str).unwrap_or_default();
    if dkim.is_empty() {
        header.push_str(";\r\n\tdkim=none");
    } else {
        let part = AuthenticationResults::new("").with_dkim_results(&dkim, header_from);
        header.push_str(&part.to_string());
    }
    let domain = mail_from_domain(mail_from, helo);
    let dmarc = auth
        .verify_dmarc(dns.params(DmarcParameters::new(&msg, &dkim, domain, &spf)))
        .await;
    header.push_str(
        &AuthenticationResults::new("")
            .with_dmarc_result(&dmarc)
            .to_string(),
    );
    header.push_str("\r\n");
    // Only a real failure counts: a temporary or permanent error refuses nothing.
    let verdict = match (dmarc.result(), dmarc.policy()) {
        (DmarcResult::Fail(_), Policy::Reject) => DmarcVerdict::Reject(dmarc.domain().to_owned()),
        (DmarcResult::Fail(_), Policy::Quarantine) => DmarcVerdict::Quarantine,
        _ => DmarcVerdict::Accept,
    };
    (header, verdict)
}

impl Platform {
    /// `raw` as it will be stored: forged results of ours removed, our results on top
    /// (below the MX's own `Received` field, when the message starts with one); and what
    /// the sender domain's DMARC policy asks for.
    pub async fn mail_authenticate(
        &self,
        client: &SmtpClient,
        mail_from: &str,
        raw: &[u8],
    ) -> (Vec<u8>, DmarcVerdict) {
        let cfg = &self.config.outbound.auth;
        let undecided = || (timed_out(&client.authserv_id), DmarcVerdict::Accept);
        let (header, verdict) = match cfg.dns.authenticator() {
            Some(auth) => {
                let checks = results(auth, &cfg.dns, client, mail_from, raw);
                tokio::time::timeout(cfg.check_timeout, checks)
                    .await
                    .unwrap_or_else(|_| undecided())
            }
            None => undecided(),
        };
        let rest = strip_forged(raw, &client.authserv_id);
        let at = results_at(&rest);
        let mut out = Vec::with_capacity(header.len() + rest.len());
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(&rest[at..]);
        (out, verdict)
    }

    /// Files mail from outside (the MX) into the recipients' inboxes after checking and
    /// recording where it comes from; see [`Platform::mail_deliver_inbound`]. A DMARC
    /// `reject` failure is refused as invalid (SMTP answers 550 5.7.1).
    pub async fn mail_deliver_from_outside(
        &self,
        client: &SmtpClient,
        mail_from: &str,
        rcpts: &[InboundRcpt],
        raw: &[u8],
    ) -> Result<Vec<Result<(), DomainError>>, DomainError> {
        let (checked, verdict) = self.mail_authenticate(client, mail_from, raw).await;
        let junk = match verdict {
            DmarcVerdict::Reject(domain) => {
                return Err(DomainError::invalid(
                    "message",
                    format!("DMARC policy of {domain} rejects this message (dmarc=fail)"),
                ));
            }
            DmarcVerdict::Quarantine => true,
            DmarcVerdict::Accept => false,
        };
        self.mail_deliver_inbound_via(Some(client), mail_from, rcpts, &checked, junk)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_null_sender_is_checked_by_its_helo_name() {
        assert_eq!(mail_from_domain("a@b.example", "mx.c.example"), "b.example");
        assert_eq!(mail_from_domain("", "mx.c.example"), "mx.c.example");
        assert!(timed_out("mx.example").starts_with("Authentication-Results: mx.example;"));
    }
}
