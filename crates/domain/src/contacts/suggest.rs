//! Addresses from the caller's address books, for the suggestions while writing a mail.

use schulhof_authz::contacts::book_scope;
use schulhof_store::contacts::{books, cards};

use super::books::viewer;
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// One address of a contact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactAddress {
    pub name: String,
    pub address: String,
}

impl Platform {
    /// Addresses of contacts in the books the caller sees whose name or address contains
    /// `query` (lower case), at most `max`. Two statements; nothing for a caller without
    /// address books.
    pub async fn contact_addresses(
        &self,
        a: &Actor,
        query: &str,
        max: usize,
    ) -> Result<Vec<ContactAddress>, DomainError> {
        if book_scope(&a.token).is_err() || max == 0 {
            return Ok(Vec::new());
        }
        let mut c = self.db.read().await?;
        let ids: Vec<_> = books::visible(&mut c, viewer(a))
            .await?
            .into_iter()
            .map(|b| b.id)
            .collect();
        let rows =
            cards::with_mail_matching(&mut c, a.token.instance(), &ids, query, max as i64).await?;
        let mut out: Vec<ContactAddress> = Vec::new();
        for r in rows {
            for address in r.emails.lines().filter(|l| !l.is_empty()) {
                let hit = r.display_name.to_lowercase().contains(query) || address.contains(query);
                let fresh = !out.iter().any(|o| o.address == address);
                if hit && fresh && out.len() < max {
                    out.push(ContactAddress {
                        name: r.display_name.clone(),
                        address: address.to_owned(),
                    });
                }
            }
        }
        Ok(out)
    }
}
