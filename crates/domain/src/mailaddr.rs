//! Standard mail addresses and logins for new persons.

use schulhof_store::{AsConn, users};
use schulhof_types::{InstanceId, mail_local_part};

use crate::DomainError;

/// The first free `vorname.nachname[N]` of the school, as (login, mail address). The login
/// equals the local part, so both are free at once.
pub async fn allocate(
    c: &mut impl AsConn,
    instance: InstanceId,
    domain: &str,
    first: &str,
    last: &str,
) -> Result<(String, String), DomainError> {
    let local = mail_local_part(first, last).ok_or_else(|| {
        DomainError::invalid(
            "last_name",
            "first and last name must contain letters for the mail address",
        )
    })?;
    let taken = users::mails_with_prefix(c, instance, &local.0).await?;
    let mut n = 1;
    loop {
        let candidate = local.with_counter(n);
        let mail = format!("{candidate}@{domain}");
        if !taken.contains(&mail) && !users::login_exists(c, instance, &candidate).await? {
            return Ok((candidate, mail));
        }
        n += 1;
    }
}
