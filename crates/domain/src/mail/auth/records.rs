//! The DNS records a school publishes for each of its mail domains (the standard domain and
//! the further ones): MX (where mail for it is delivered), SPF (who may send for it), DKIM
//! (the key its signatures verify against) and DMARC (what receivers do with mail that
//! fails both). Suggestions: the operator enters them at the domain's DNS provider.

use schulhof_authz::{ManageSchoolSettings, check};
use schulhof_store::instances;
use schulhof_types::InstanceId;
use serde::Serialize;

use crate::identity::Actor;
use crate::{DomainError, Platform};

/// One record to publish.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DnsRecord {
    /// The owner name, fully qualified, without the trailing dot.
    pub name: String,
    /// `MX` or `TXT`.
    pub kind: &'static str,
    /// MX: `preference host.`; TXT: the record's text.
    pub value: String,
}

/// The records of one mail domain of a school.
#[derive(Clone, Debug, Serialize)]
pub struct DomainRecords {
    pub domain: String,
    /// The school's standard domain (`<number>.<state domain>`), else a further one.
    pub standard: bool,
    pub records: Vec<DnsRecord>,
}

/// The DMARC policy suggested: mail failing SPF and DKIM alignment goes to Spam. Once
/// reports show all legitimate mail passing, an operator may raise it to `p=reject`.
pub const DMARC_SUGGESTED: &str = "v=DMARC1; p=quarantine; adkim=r; aspf=r";

/// The host part of a relay address (`smtp://user:pw@host:port?tls=…`).
fn relay_host(relay: &str) -> Option<String> {
    let rest = relay.split_once("://").map_or(relay, |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    // "[::1]:25" or "host:25".
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// The SPF mechanism that allows a relay host: `ip4:`/`ip6:` for an address, `a:` for a name.
fn relay_mechanism(host: &str) -> String {
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(a)) => format!("ip4:{a}"),
        Ok(std::net::IpAddr::V6(a)) => format!("ip6:{a}"),
        Err(_) => format!("a:{host}"),
    }
}

impl Platform {
    /// The records of the own school's mail domains (admin); DKIM keys are made where
    /// missing.
    pub async fn mail_dns_records(&self, a: &Actor) -> Result<Vec<DomainRecords>, DomainError> {
        let grant = check(&a.token, ManageSchoolSettings)?;
        self.dns_records_of(grant.instance()).await
    }

    /// System (command line): the records of one school by number, or of every school.
    pub async fn system_mail_dns_records(
        &self,
        school: Option<&str>,
    ) -> Result<Vec<(String, Vec<DomainRecords>)>, DomainError> {
        let schools = {
            let mut c = self.db.read().await?;
            match school {
                Some(nr) => vec![
                    instances::find_by_number(&mut c, nr)
                        .await?
                        .ok_or(DomainError::NotFound)?,
                ],
                None => instances::list(&mut c).await?,
            }
        };
        let mut out = Vec::with_capacity(schools.len());
        for s in schools {
            out.push((s.school_number.clone(), self.dns_records_of(s.id).await?));
        }
        Ok(out)
    }

    async fn dns_records_of(
        &self,
        instance: InstanceId,
    ) -> Result<Vec<DomainRecords>, DomainError> {
        let dkim = self.dkim_records_of(instance).await?;
        // Mail for every domain is taken by this platform's SMTP server, which greets with
        // the state domain; outgoing mail leaves from here or through the relay.
        let mx_host = self
            .config
            .state_domain
            .trim_end_matches('.')
            .to_ascii_lowercase();
        let mut spf = String::from("v=spf1 mx");
        if let Some(h) = self.config.outbound.relay.as_deref().and_then(relay_host) {
            spf.push(' ');
            spf.push_str(&relay_mechanism(&h));
        }
        spf.push_str(" -all");
        Ok(dkim
            .into_iter()
            .enumerate()
            .map(|(i, k)| DomainRecords {
                standard: i == 0,
                records: vec![
                    DnsRecord {
                        name: k.domain.clone(),
                        kind: "MX",
                        value: format!("10 {mx_host}."),
                    },
                    DnsRecord {
                        name: k.domain.clone(),
                        kind: "TXT",
                        value: spf.clone(),
                    },
                    DnsRecord {
                        name: k.name,
                        kind: "TXT",
                        value: k.value,
                    },
                    DnsRecord {
                        name: format!("_dmarc.{}", k.domain),
                        kind: "TXT",
                        value: DMARC_SUGGESTED.to_owned(),
                    },
                ],
                domain: k.domain,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relay_hosts_become_spf_mechanisms() {
        let m = |r: &str| relay_host(r).map(|h| relay_mechanism(&h));
        assert_eq!(
            m("smtp://relay.example:587").as_deref(),
            Some("a:relay.example")
        );
        assert_eq!(
            m("smtps://u:p@w@Mail.Example.org?tls=required").as_deref(),
            Some("a:mail.example.org")
        );
        assert_eq!(m("smtp://192.0.2.5:25").as_deref(), Some("ip4:192.0.2.5"));
        assert_eq!(
            m("smtp://[2001:db8::1]:25").as_deref(),
            Some("ip6:2001:db8::1")
        );
        assert_eq!(m("smtp://"), None);
    }
}
