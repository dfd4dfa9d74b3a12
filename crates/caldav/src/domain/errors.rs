//! Domain refusals as the protocol's store errors (each becomes a status or DAV element).

use schulhof_domain::DomainError;
use schulhof_domain::calendar::CalendarError;

use crate::store::StoreError;

pub(super) fn map(e: CalendarError) -> StoreError {
    match e {
        CalendarError::NotFound => StoreError::NotFound,
        CalendarError::Forbidden | CalendarError::NotBookable => StoreError::Forbidden,
        CalendarError::PreconditionFailed => StoreError::PreconditionFailed,
        CalendarError::InvalidData(m) => StoreError::InvalidData(m),
        CalendarError::UnsupportedComponent(_) => StoreError::UnsupportedComponent,
        CalendarError::UidConflict { href } => StoreError::UidConflict(href),
        CalendarError::TooLarge { .. } => StoreError::TooLarge,
        CalendarError::InvalidSyncToken => StoreError::InvalidSyncToken,
        // The client shows the text: say what is booked when (the clash is the data's fault).
        e @ CalendarError::BookingConflict { .. } => StoreError::InvalidData(e.to_string()),
        CalendarError::Domain(d) => domain(d),
    }
}

pub(super) fn domain(e: DomainError) -> StoreError {
    match e {
        DomainError::NotFound => StoreError::NotFound,
        DomainError::Forbidden | DomainError::Denied(_) => StoreError::Forbidden,
        DomainError::Invalid { .. } | DomainError::QuotaExceeded(_) => {
            StoreError::InvalidData(e.to_string())
        }
        DomainError::Conflict { .. } => StoreError::Exists,
        other => StoreError::Internal(other.to_string()),
    }
}
