//! The operators' console: operator accounts (password and TOTP on every login), the
//! schools as a whole (create, rename, deactivate, delete; counts and metadata only), the
//! state-wide defaults, and the operators' audit log.
//!
//! Operators are a principal kind of their own ([`schulhof_authz::operator`]): their
//! sessions live in their own table under their own cookie, and what they act with is an
//! [`OperatorToken`], never a school's `AccessToken` — so no school content service can be
//! called for them.

mod accounts;
pub(crate) mod audit;
mod cli;
pub mod defaults;
pub mod recovery;
mod schools;
pub mod totp;

pub use accounts::{CreatedOperator, NewOperatorSession, OperatorActor, OperatorSession};
pub use audit::OperatorLogEntry;
pub use cli::OperatorListing;
pub use defaults::StateDefaults;
pub use schools::SchoolOverview;
pub use schulhof_authz::operator::{OperatorRole, OperatorToken};
pub use schulhof_store::operators::schools::SchoolSummary;

/// The throttling counters of operator logins live under this pseudo-school id (no school
/// has it), apart from every school's counters.
pub(crate) const OPERATOR_REALM: schulhof_types::InstanceId =
    schulhof_types::InstanceId(uuid::Uuid::nil());

/// A school by its number, if its logins may log in: not deactivated and not deleted by
/// the operators. Every login path (web, API, WebDAV/CalDAV, IMAP, SMTP, app passwords,
/// password reset) looks the school up through this.
pub(crate) async fn open_school_by_number(
    c: &mut impl schulhof_store::AsConn,
    number: &str,
) -> Result<Option<schulhof_store::instances::InstanceRow>, crate::DomainError> {
    let Some(school) = schulhof_store::instances::find_by_number(c, number.trim()).await? else {
        return Ok(None);
    };
    let open = schulhof_store::operators::schools::is_open(c, school.id).await?;
    Ok(open.then_some(school))
}
