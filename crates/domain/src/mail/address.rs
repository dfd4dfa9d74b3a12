//! Addresses: whose an address is (a login, a group's list, nobody, another domain), the own
//! addresses of a login, and logging in to protocol clients with an address.

use schulhof_authz::check;
use schulhof_authz::mail::UseMailClients;
use schulhof_store::mail::addresses as store;
use schulhof_store::users::UserRow;
use schulhof_store::{AsConn, groups, instances, users};
use schulhof_types::{GroupId, InstanceId, UserId};

use super::folders::mailbox_of;
use crate::identity::{Actor, Gate};
use crate::{DomainError, Platform};

/// Local parts of group lists start with this (person addresses never do: they are
/// `vorname.nachname`, and aliases with it are refused).
pub const LIST_PREFIX: &str = "verteiler-";

/// Where an address leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dest {
    User {
        instance: InstanceId,
        user: UserId,
    },
    List {
        instance: InstanceId,
        group: GroupId,
    },
    /// A domain of a school here, but no such address.
    Unknown,
    /// Another domain.
    Foreign,
}

/// `local@domain` in lower case, or `None` when it is no address.
pub fn normalise(addr: &str) -> Option<(String, String)> {
    let a = addr
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    if a.len() > 254
        || a.chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
    {
        return None;
    }
    let (local, domain) = a.rsplit_once('@')?;
    if local.is_empty() || domain.is_empty() || !domain.contains('.') || local.len() > 64 {
        return None;
    }
    Some((local.to_lowercase(), domain.to_lowercase()))
}

/// The list address part of a group name: lower case ASCII letters and digits, joined by '-'.
pub fn list_slug(name: &str) -> String {
    let ascii = deunicode::deunicode(name).to_lowercase();
    let mut out = String::new();
    for part in ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
    {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(part);
    }
    out
}

/// The list address of a group of a school with this standard domain.
pub fn list_address(group_name: &str, domain: &str) -> String {
    format!("{LIST_PREFIX}{}@{domain}", list_slug(group_name))
}

/// Where `addr` leads.
pub(crate) async fn resolve(c: &mut impl AsConn, addr: &str) -> Result<Dest, DomainError> {
    let Some((local, domain)) = normalise(addr) else {
        return Ok(Dest::Unknown);
    };
    // The school and the owner in one read (a list address does not use the owner).
    let Some((instance, owner)) = store::school_and_owner(c, &domain, &local).await? else {
        return Ok(Dest::Foreign);
    };
    if let Some(slug) = local.strip_prefix(LIST_PREFIX) {
        let all = groups::list(c, instance, "", None).await?;
        let found = all.into_iter().find(|g| list_slug(&g.group.name) == slug);
        return Ok(match found {
            Some(g) => Dest::List {
                instance,
                group: g.group.id,
            },
            None => Dest::Unknown,
        });
    }
    Ok(match owner {
        Some(user) => Dest::User { instance, user },
        None => Dest::Unknown,
    })
}

impl Platform {
    /// The addresses the actor may send from: the standard address first, then aliases.
    pub async fn mail_own_addresses(&self, a: &Actor) -> Result<Vec<String>, DomainError> {
        let mb = mailbox_of(a)?;
        let mut c = self.db.read().await?;
        let mut all = vec![a.user.mail.to_lowercase()];
        all.extend(store::aliases_of(&mut c, mb.instance, mb.owner).await?);
        // Send-as: the own addresses of owners who allowed it; never what those owners
        // were given themselves (one level only).
        for d in schulhof_store::mail::delegations::given_to(&mut c, mb.instance, mb.owner).await? {
            let grant = super::shared::grant_of(&d);
            if schulhof_authz::check(&a.token, schulhof_authz::mail::SendAsOwner { grant }).is_ok()
            {
                all.push(d.other_mail.to_lowercase());
                all.extend(store::aliases_of(&mut c, mb.instance, d.owner).await?);
            }
        }
        Ok(all)
    }

    /// Logs a mail program in: `login@schulnummer` or any own address, with the account
    /// password or an app password. Without the right to use mail programs: refused.
    pub async fn mail_client_actor(
        &self,
        user: &str,
        password: &str,
        client_addr: &str,
    ) -> Result<Actor, DomainError> {
        self.mail_auth_gate(client_addr).await?;
        let session = match self.mail_client_session(user, password, client_addr).await {
            Err(DomainError::BadCredentials) => {
                self.mail_auth_failed(client_addr).await?;
                return Err(DomainError::BadCredentials);
            }
            s => s?,
        };
        // The demo school's passwords are public and its terms placeholders: its mailboxes
        // work in mail programs before anyone accepted them in the web.
        let actor = match session.gate {
            Some(Gate::Consent) if session.actor.demo => session.actor,
            _ => session.ready()?,
        };
        check(&actor.token, UseMailClients).map_err(DomainError::Denied)?;
        Ok(actor)
    }

    async fn mail_client_session(
        &self,
        user: &str,
        password: &str,
        client_addr: &str,
    ) -> Result<crate::identity::Session, DomainError> {
        let basic_user = match self.login_of_address(user).await? {
            Some(u) => u,
            None => user.to_owned(),
        };
        self.basic_session(&basic_user, password, client_addr).await
    }

    /// `login@schulnummer` of the login a mail address belongs to; `None` when `user` is no
    /// address of a school here (then it may be `login@schulnummer` itself).
    async fn login_of_address(&self, user: &str) -> Result<Option<String>, DomainError> {
        let Some((_, domain)) = normalise(user) else {
            return Ok(None);
        };
        if !domain.contains('.') {
            return Ok(None);
        }
        let mut c = self.db.read().await?;
        let Dest::User { instance, user: id } = resolve(&mut c, user).await? else {
            // An unknown address fails like a wrong password, not as "no such school".
            return Err(DomainError::BadCredentials);
        };
        let row = users::get(&mut c, instance, id)
            .await?
            .ok_or(DomainError::BadCredentials)?;
        let school = instances::get(&mut c, instance)
            .await?
            .ok_or(DomainError::BadCredentials)?;
        Ok(Some(format!("{}@{}", row.login, school.school_number)))
    }
}

/// The active login with this id.
pub(crate) async fn user_row(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: UserId,
) -> Result<Option<UserRow>, DomainError> {
    Ok(users::get(c, instance, id).await?.filter(|u| u.active))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_normalised_or_refused() {
        assert_eq!(
            normalise(" <Anna.Schmidt@123456.NRW.schule> "),
            Some(("anna.schmidt".into(), "123456.nrw.schule".into()))
        );
        for bad in [
            "",
            "anna",
            "@x.de",
            "anna@",
            "anna@localhost",
            "a b@x.de",
            "a@x.de\r\nRCPT",
        ] {
            assert_eq!(normalise(bad), None, "{bad}");
        }
    }

    #[test]
    fn list_slugs_are_ascii() {
        assert_eq!(list_slug("5a"), "5a");
        assert_eq!(list_slug("Fachschaft Englisch"), "fachschaft-englisch");
        assert_eq!(list_slug("Q1 Mathe LK (Müller)"), "q1-mathe-lk-muller");
        assert_eq!(
            list_address("5a", "123456.nrw.schule"),
            "verteiler-5a@123456.nrw.schule"
        );
    }
}
