//! Where mail comes from, proven: outgoing mail is DKIM-signed with the school's key for its
//! domain ([`dkim`]); mail from outside gets its SPF, DKIM and DMARC results recorded in an
//! `Authentication-Results` header ([`inbound`]). mail-auth does the protocol work; [`dns`]
//! is the resolver it asks, injected so tests use a stub.

mod dkim;
pub mod dns;
mod headers;
mod inbound;
mod records;

use std::time::Duration;

pub use dkim::DkimRecord;
pub use dns::Dns;
pub use headers::strip_forged;
pub use inbound::{DmarcVerdict, SmtpClient};
pub use records::{DMARC_SUGGESTED, DnsRecord, DomainRecords};

/// The DKIM selector of the keys made here.
pub const SELECTOR: &str = "schulhof1";

/// How mail is signed and checked.
#[derive(Clone, Debug)]
pub struct AuthConfig {
    /// Sign outgoing mail with the school's DKIM key for its domain.
    pub dkim_sign: bool,
    /// The selector of the keys (`<selector>._domainkey.<domain>`).
    pub selector: String,
    /// Where SPF, DKIM and DMARC look records up.
    pub dns: Dns,
    /// How long the checks of one incoming message may take in all.
    pub check_timeout: Duration,
}

impl Default for AuthConfig {
    /// For tests: nothing signed, and a resolver that knows no records and asks nobody.
    /// [`AuthConfig::production`] is what `schulhof serve` uses.
    fn default() -> Self {
        AuthConfig {
            dkim_sign: false,
            selector: SELECTOR.into(),
            dns: Dns::stub(),
            check_timeout: Duration::from_secs(5),
        }
    }
}

impl AuthConfig {
    /// Outgoing mail signed, incoming mail checked against the system's resolver, each
    /// query given two seconds.
    pub fn production() -> Self {
        AuthConfig {
            dkim_sign: true,
            dns: Dns::system(Duration::from_secs(2)),
            ..AuthConfig::default()
        }
    }
}
