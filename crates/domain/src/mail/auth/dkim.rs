//! DKIM signing of outgoing mail. Each mail domain of a school (its standard domain and its
//! further domains) gets an RSA-2048 key the first time it is needed — RSA because every
//! receiver verifies it. The private key is stored sealed with the school's key; the public
//! key is what the admin publishes as `<selector>._domainkey.<domain>`.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine;
use mail_auth::AuthenticatedMessage;
use mail_auth::common::crypto::{RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::{Canonicalization, DkimSigner};
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use schulhof_authz::{ManageSchoolSettings, check};
use schulhof_store::mail::addresses;
use schulhof_store::mail::dkim::{self as store, DkimKeyRow};
use schulhof_store::{AsConn, instances};
use schulhof_types::InstanceId;
use serde::Serialize;

use crate::identity::Actor;
use crate::{DomainError, Platform};

/// The headers a signature covers, where the message has them.
const SIGNED: &[&str] = &[
    "From",
    "Sender",
    "Reply-To",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Auto-Submitted",
];

/// What a domain publishes so receivers can check its signatures.
#[derive(Clone, Debug, Serialize)]
pub struct DkimRecord {
    pub domain: String,
    /// The TXT record's name: `<selector>._domainkey.<domain>`.
    pub name: String,
    /// The TXT record's text: `v=DKIM1; k=rsa; p=…`.
    pub value: String,
}

fn internal(what: &str, e: impl std::fmt::Display) -> DomainError {
    DomainError::Internal(format!("{what}: {e}"))
}

/// A new key: (PKCS#8 DER of the private key, base64 of the SubjectPublicKeyInfo).
fn generate() -> Result<(Vec<u8>, String), DomainError> {
    let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|e| internal("DKIM key", e))?;
    let private = pair.as_der().map_err(|e| internal("DKIM key", e))?;
    let public = pair
        .public_key()
        .as_der()
        .map_err(|e| internal("DKIM key", e))?;
    let public = base64::engine::general_purpose::STANDARD.encode(public.as_ref());
    Ok((private.as_ref().to_vec(), public))
}

/// The domain part of an address, lower case.
fn domain_of(addr: &str) -> Option<String> {
    let (_, d) = addr.trim().trim_end_matches('>').rsplit_once('@')?;
    let d = d.trim().trim_end_matches('.').to_ascii_lowercase();
    (!d.is_empty()).then_some(d)
}

impl Platform {
    /// The DKIM records of the own school's mail domains, keys made where missing.
    pub async fn mail_dkim_records(&self, a: &Actor) -> Result<Vec<DkimRecord>, DomainError> {
        let grant = check(&a.token, ManageSchoolSettings)?;
        self.dkim_records_of(grant.instance()).await
    }

    /// The DKIM records of a school's mail domains, the standard domain first.
    pub(crate) async fn dkim_records_of(
        &self,
        instance: InstanceId,
    ) -> Result<Vec<DkimRecord>, DomainError> {
        let selector = &self.config.outbound.auth.selector;
        let (domains, have) = {
            let mut c = self.db.read().await?;
            let mut domains = vec![standard_domain(&mut c, instance).await?];
            domains.extend(addresses::domains_of(&mut c, instance).await?);
            (
                domains,
                store::of_instance(&mut c, instance, selector).await?,
            )
        };
        let mut out = Vec::with_capacity(domains.len());
        for d in domains {
            let key = match have.iter().find(|k| k.domain == d) {
                Some(k) => k.clone(),
                None => self.dkim_key(instance, &d).await?,
            };
            out.push(DkimRecord {
                name: format!("{}._domainkey.{d}", key.selector),
                value: format!("v=DKIM1; k=rsa; p={}", key.public_key),
                domain: d,
            });
        }
        Ok(out)
    }

    /// The key of one of the school's domains under the configured selector, made now if
    /// it has none (two nodes racing keep the first).
    pub(crate) async fn dkim_key(
        &self,
        instance: InstanceId,
        domain: &str,
    ) -> Result<DkimKeyRow, DomainError> {
        let selector = &self.config.outbound.auth.selector;
        {
            let mut c = self.db.read().await?;
            if let Some(k) = store::get(&mut c, instance, domain, selector).await? {
                return Ok(k);
            }
        }
        // Making an RSA key takes a good part of a second: off the async threads.
        let (private, public_key) = tokio::task::spawn_blocking(generate)
            .await
            .map_err(|e| internal("DKIM key", e))??;
        let sealed_key = self
            .school_key(instance)
            .await?
            .seal_small(&private)
            .map_err(|e| internal("sealing the DKIM key", e))?;
        let row = DkimKeyRow {
            domain: domain.to_owned(),
            selector: selector.clone(),
            sealed_key,
            public_key,
        };
        let mut tx = self.db.begin().await?;
        store::insert(&mut tx, instance, &row, self.now()).await?;
        let kept = store::get(&mut tx, instance, domain, selector)
            .await?
            .ok_or(DomainError::NotFound)?;
        tx.commit().await?;
        Ok(kept)
    }

    /// `raw` with a DKIM-Signature of the school's domain in front: the domain of the From
    /// header when it is one of the school's, else that of the envelope sender, else the
    /// school's standard domain. Unchanged when signing is off.
    pub(crate) async fn dkim_signed(
        &self,
        instance: InstanceId,
        mail_from: &str,
        raw: &[u8],
    ) -> Result<Vec<u8>, DomainError> {
        if !self.config.outbound.auth.dkim_sign {
            return Ok(raw.to_vec());
        }
        let header_from = AuthenticatedMessage::parse(raw)
            .and_then(|m| m.from.first().cloned())
            .unwrap_or_default();
        let domain = self
            .signing_domain(instance, &[&header_from, mail_from])
            .await?;
        let key = self.dkim_key(instance, &domain).await?;
        let der = self
            .school_key(instance)
            .await?
            .open_small(&key.sealed_key)
            .map_err(|e| internal("opening the DKIM key", e))?;
        let signer =
            RsaKey::<Sha256>::from_key_der(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der)))
                .map_err(|e| internal("DKIM key", e))?;
        let signature = DkimSigner::from_key(signer)
            .domain(domain)
            .selector(key.selector)
            .headers(SIGNED.iter().copied())
            .header_canonicalization(Canonicalization::Relaxed)
            .body_canonicalization(Canonicalization::Relaxed)
            .sign(raw)
            .map_err(|e| internal("DKIM signing", e))?;
        let mut out = signature.to_header().into_bytes();
        out.extend_from_slice(raw);
        Ok(out)
    }

    /// The first of `addrs` whose domain is the school's, else its standard domain.
    async fn signing_domain(
        &self,
        instance: InstanceId,
        addrs: &[&str],
    ) -> Result<String, DomainError> {
        let mut c = self.db.read().await?;
        for d in addrs.iter().filter_map(|a| domain_of(a)) {
            if addresses::school_of_domain(&mut c, &d)
                .await?
                .is_some_and(|(i, _)| i == instance)
            {
                return Ok(d);
            }
        }
        standard_domain(&mut c, instance).await
    }
}

async fn standard_domain(c: &mut impl AsConn, instance: InstanceId) -> Result<String, DomainError> {
    Ok(instances::get(c, instance)
        .await?
        .ok_or(DomainError::NotFound)?
        .mail_domain
        .to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_of_addresses() {
        assert_eq!(domain_of("Anna@Schule.DE").as_deref(), Some("schule.de"));
        assert_eq!(domain_of("<a@x.org.>").as_deref(), Some("x.org"));
        assert_eq!(domain_of(""), None);
        assert_eq!(domain_of("nobody"), None);
    }
}
