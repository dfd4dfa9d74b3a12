//! The one error type of the services; front-ends translate it once at their edge.

use schulhof_authz::Denied;
use schulhof_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    #[error("{0}")]
    Denied(Denied),
    /// Bad input: which field, and what is wrong with it.
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// The input clashes with stored data (a name already taken).
    #[error("{field}: {message}")]
    Conflict {
        field: &'static str,
        message: String,
    },
    #[error("wrong school, login or password")]
    BadCredentials,
    #[error("too many failed logins; try again in {retry_after_secs} s")]
    Throttled { retry_after_secs: u64 },
    /// Every hashing slot is taken and the queue is full: come back shortly.
    #[error("the server is busy; try again in {retry_after_secs} s")]
    Busy { retry_after_secs: u64 },
    /// Too many of one kind of request by one login (e.g. offers to other schools).
    #[error("too many requests; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("session ended")]
    SessionEnded,
    #[error("the terms of use must be accepted first")]
    ConsentRequired,
    #[error("the terms of use were declined")]
    ConsentDeclined,
    #[error("a new password must be set first")]
    PasswordChangeRequired,
    /// The Safe is locked: its password must be entered (again).
    #[error("the Safe is locked")]
    SafeLocked,
    /// The upload would exceed a storage quota.
    #[error("{0}")]
    QuotaExceeded(String),
    #[error("internal: {0}")]
    Internal(String),
}

impl DomainError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        DomainError::Invalid {
            field,
            message: message.into(),
        }
    }

    pub fn conflict(field: &'static str, message: impl Into<String>) -> Self {
        DomainError::Conflict {
            field,
            message: message.into(),
        }
    }
}

impl From<StoreError> for DomainError {
    fn from(e: StoreError) -> Self {
        DomainError::Internal(e.to_string())
    }
}

impl From<Denied> for DomainError {
    fn from(d: Denied) -> Self {
        match d {
            Denied::NotFound => DomainError::NotFound,
            Denied::Forbidden => DomainError::Forbidden,
            other => DomainError::Denied(other),
        }
    }
}
