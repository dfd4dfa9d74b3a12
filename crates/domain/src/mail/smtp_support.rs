//! What the SMTP front-end needs beyond sending and receiving: telling a local address
//! refused by policy from an attempt to relay to another domain.

use schulhof_store::mail::addresses as store;

use super::address::normalise;
use crate::{DomainError, Platform};

impl Platform {
    /// Whether `addr` is at a domain of a school here (whether or not the address exists).
    pub async fn mail_is_local_address(&self, addr: &str) -> Result<bool, DomainError> {
        let Some((_, domain)) = normalise(addr) else {
            return Ok(false);
        };
        let mut c = self.db.read().await?;
        Ok(store::school_of_domain(&mut c, &domain).await?.is_some())
    }
}
