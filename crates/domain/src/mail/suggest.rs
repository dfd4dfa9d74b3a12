//! Address suggestions while writing: people of the own school, the lists of the own
//! groups and the contacts of the own address books, each only if the policy lets the
//! writer send there. No person of another school is ever suggested; outside addresses come
//! only from the writer's own contacts, or are typed by hand.

use schulhof_authz::check;
use schulhof_authz::mail::{Recipient, SendMail};
use schulhof_store::users::{self, ListScope};
use serde::Serialize;

use super::address::list_address;
use super::folders::mailbox_of;
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// At most this many suggestions per prefix.
const MAX: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SuggestionKind {
    Person,
    Group,
    /// A contact of one of the writer's address books.
    Contact,
}

/// One address to offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub kind: SuggestionKind,
    /// "Lena Lehmann", or the group's name.
    pub name: String,
    pub address: String,
}

impl Platform {
    /// Addresses whose name or address contains `prefix` (at least two characters), groups
    /// first, then people by name.
    pub async fn mail_address_suggestions(
        &self,
        a: &Actor,
        prefix: &str,
    ) -> Result<Vec<Suggestion>, DomainError> {
        let mb = mailbox_of(a)?;
        let q = prefix.trim().to_lowercase();
        if q.chars().count() < 2 {
            return Ok(Vec::new());
        }
        let domain = a
            .user
            .mail
            .rsplit_once('@')
            .map_or("", |(_, d)| d)
            .to_lowercase();
        let mut out: Vec<Suggestion> = a
            .groups
            .iter()
            .filter(|g| check(&a.token, SendMail(Recipient::List(g.id))).is_ok())
            .map(|g| Suggestion {
                kind: SuggestionKind::Group,
                name: g.name.clone(),
                address: list_address(&g.name, &domain),
            })
            .filter(|s| s.name.to_lowercase().contains(&q) || s.address.contains(&q))
            .take(MAX)
            .collect();
        if check(&a.token, SendMail(Recipient::SameSchool)).is_err() || out.len() >= MAX {
            return Ok(out);
        }
        // Contacts of the writer's address books get room after the people; only addresses
        // the writer may send to (outside the school only with mail.external).
        let outside = check(&a.token, SendMail(Recipient::Outside)).is_ok();
        let contacts: Vec<Suggestion> = self
            .contact_addresses(a, &q, MAX)
            .await?
            .into_iter()
            .filter(|c| outside || c.address.ends_with(&format!("@{domain}")))
            .map(|c| Suggestion {
                kind: SuggestionKind::Contact,
                name: c.name,
                address: c.address,
            })
            .collect();
        let people_room = MAX - out.len() - contacts.len().min((MAX - out.len()) / 2);
        let mut c = self.db.read().await?;
        // A few more than shown: inactive logins and function accounts are left out here.
        let rows = users::list(
            &mut c,
            mb.instance,
            ListScope::All,
            &q,
            None,
            (2 * MAX) as i64,
            0,
        )
        .await?;
        out.extend(
            rows.into_iter()
                .filter(|u| u.active && u.function_role.is_none() && u.id != a.user.id)
                .map(|u| Suggestion {
                    kind: SuggestionKind::Person,
                    name: format!("{} {}", u.first_name, u.last_name),
                    address: u.mail.to_lowercase(),
                })
                .take(people_room),
        );
        for s in contacts {
            if out.len() < MAX && !out.iter().any(|o| o.address == s.address) {
                out.push(s);
            }
        }
        Ok(out)
    }
}
