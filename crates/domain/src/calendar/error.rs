//! The calendar service's own error: the DAV layer maps each case to its precondition
//! element, the web to a message; `From<CalendarError> for DomainError` serves the rest.

use chrono::{DateTime, Utc};

use crate::DomainError;

#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    /// The calendar or object does not exist for this caller (hidden ones included).
    #[error("not found")]
    NotFound,
    /// Visible, but the caller may not do this (e.g. write a read-only calendar).
    #[error("not allowed")]
    Forbidden,
    /// If-Match or If-None-Match did not hold.
    #[error("the object was changed meanwhile (precondition failed)")]
    PreconditionFailed,
    /// Broken iCalendar data; the text names what is wrong.
    #[error("invalid calendar data: {0}")]
    InvalidData(String),
    /// A component this calendar does not take (only VEVENT and VTODO).
    #[error("unsupported calendar component: {0}")]
    UnsupportedComponent(String),
    /// The UID is used by another object of this calendar.
    #[error("the UID is already used by {href} in this calendar")]
    UidConflict { href: String },
    #[error("too large: at most {max} bytes")]
    TooLarge { max: usize },
    /// The resource is already booked at that time.
    #[error("{}", booking_message(.title, .start, .end, .owner))]
    BookingConflict {
        title: String,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        /// Who booked, only when the caller may see it.
        owner: Option<String>,
    },
    /// The caller may not book this resource.
    #[error("you may not book this resource")]
    NotBookable,
    /// A sync token that was never issued or whose tombstones are gone.
    #[error("invalid sync token")]
    InvalidSyncToken,
    #[error(transparent)]
    Domain(#[from] DomainError),
}

fn booking_message(
    title: &str,
    start: &DateTime<Utc>,
    end: &DateTime<Utc>,
    owner: &Option<String>,
) -> String {
    let who = owner
        .as_deref()
        .map(|o| format!(" by {o}"))
        .unwrap_or_default();
    format!(
        "already booked{who}: \"{title}\" from {} to {} (UTC)",
        start.format("%Y-%m-%d %H:%M"),
        end.format("%Y-%m-%d %H:%M")
    )
}

impl CalendarError {
    pub(crate) fn invalid(m: impl Into<String>) -> Self {
        CalendarError::InvalidData(m.into())
    }
}

impl From<schulhof_store::StoreError> for CalendarError {
    fn from(e: schulhof_store::StoreError) -> Self {
        CalendarError::Domain(e.into())
    }
}

impl From<schulhof_authz::Denied> for CalendarError {
    fn from(d: schulhof_authz::Denied) -> Self {
        match d {
            schulhof_authz::Denied::NotFound => CalendarError::NotFound,
            schulhof_authz::Denied::Forbidden => CalendarError::Forbidden,
            other => CalendarError::Domain(DomainError::Denied(other)),
        }
    }
}

impl From<CalendarError> for DomainError {
    fn from(e: CalendarError) -> Self {
        match e {
            CalendarError::NotFound => DomainError::NotFound,
            CalendarError::Forbidden | CalendarError::NotBookable => DomainError::Forbidden,
            CalendarError::Domain(d) => d,
            CalendarError::InvalidData(m) => DomainError::invalid("ics", m),
            CalendarError::UnsupportedComponent(c) => {
                DomainError::invalid("ics", format!("unsupported component {c}"))
            }
            CalendarError::TooLarge { max } => {
                DomainError::invalid("ics", format!("at most {max} bytes"))
            }
            other @ (CalendarError::PreconditionFailed
            | CalendarError::UidConflict { .. }
            | CalendarError::BookingConflict { .. }) => {
                DomainError::conflict("event", other.to_string())
            }
            CalendarError::InvalidSyncToken => DomainError::invalid("sync_token", "invalid"),
        }
    }
}
