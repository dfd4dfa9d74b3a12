//! The errors of the address books: the domain's, plus the typed refusals a CardDAV client
//! must tell apart (precondition elements), as calendars have them.

use schulhof_authz::Denied;
use schulhof_store::StoreError;

use crate::DomainError;

#[derive(Debug, thiserror::Error)]
pub enum ContactsError {
    /// The book or contact is hidden or absent (404).
    #[error("not found")]
    NotFound,
    /// Visible but not allowed: a book shared to read only (403 need-privileges).
    #[error("not allowed")]
    Forbidden,
    /// `If-Match` or `If-None-Match: *` did not hold (412).
    #[error("the contact was changed or created in the meantime")]
    PreconditionFailed,
    /// Not a readable vCard; `line` counts from 1 in what was sent (403 valid-address-data).
    #[error("{message}")]
    InvalidData {
        line: Option<usize>,
        message: String,
    },
    /// Another contact of the book has this UID (403 no-uid-conflict, with its href).
    #[error("another contact of this address book has the same UID")]
    UidConflict { href: String },
    /// Bigger than allowed (403 max-resource-size).
    #[error("too large: at most {max} bytes")]
    TooLarge { max: usize },
    /// The sync token is unknown or too old (403 valid-sync-token).
    #[error("the sync token is not valid")]
    InvalidSyncToken,
    #[error(transparent)]
    Domain(DomainError),
}

impl ContactsError {
    pub(crate) fn invalid(line: Option<usize>, message: impl Into<String>) -> Self {
        ContactsError::InvalidData {
            line,
            message: message.into(),
        }
    }
}

impl From<DomainError> for ContactsError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::NotFound => ContactsError::NotFound,
            DomainError::Forbidden => ContactsError::Forbidden,
            other => ContactsError::Domain(other),
        }
    }
}

impl From<Denied> for ContactsError {
    fn from(d: Denied) -> Self {
        DomainError::from(d).into()
    }
}

impl From<StoreError> for ContactsError {
    fn from(e: StoreError) -> Self {
        ContactsError::Domain(e.into())
    }
}

impl From<ContactsError> for DomainError {
    fn from(e: ContactsError) -> Self {
        match e {
            ContactsError::NotFound => DomainError::NotFound,
            ContactsError::Forbidden => DomainError::Forbidden,
            ContactsError::PreconditionFailed => DomainError::conflict(
                "contact",
                "the contact was changed in the meantime; reload it",
            ),
            ContactsError::InvalidData { line, message } => DomainError::invalid(
                "vcard",
                match line {
                    Some(n) => format!("line {n}: {message}"),
                    None => message,
                },
            ),
            ContactsError::UidConflict { .. } => DomainError::conflict(
                "uid",
                "another contact of this address book has the same UID",
            ),
            ContactsError::TooLarge { max } => {
                DomainError::invalid("vcard", format!("too large: at most {max} bytes"))
            }
            ContactsError::InvalidSyncToken => {
                DomainError::invalid("sync_token", "the sync token is not valid")
            }
            ContactsError::Domain(e) => e,
        }
    }
}
