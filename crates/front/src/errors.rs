//! Domain errors as HTTP: one status and one stable code per error, decided here for every
//! front-end. Internal causes are logged, never shown.

use axum::http::StatusCode;
use schulhof_authz::Denied;
use schulhof_domain::DomainError;

pub struct ErrorInfo {
    pub status: StatusCode,
    pub code: &'static str,
    /// Human text safe to show.
    pub message: String,
    pub field: Option<&'static str>,
    pub retry_after: Option<u64>,
}

pub fn error_info(e: &DomainError) -> ErrorInfo {
    let info = |status, code, message: String| ErrorInfo {
        status,
        code,
        message,
        field: None,
        retry_after: None,
    };
    match e {
        DomainError::NotFound => info(StatusCode::NOT_FOUND, "not_found", "Not found.".into()),
        DomainError::Forbidden => info(
            StatusCode::FORBIDDEN,
            "forbidden",
            "You are not allowed to do this.".into(),
        ),
        DomainError::Denied(d) => match d {
            Denied::NotGrantable { .. } => info(
                StatusCode::UNPROCESSABLE_ENTITY,
                "right_not_grantable",
                d.to_string(),
            ),
            Denied::IsDefault(_) => info(
                StatusCode::UNPROCESSABLE_ENTITY,
                "right_is_default",
                d.to_string(),
            ),
            Denied::SafeRightsBySchulleitung => info(
                StatusCode::FORBIDDEN,
                "safe_rights_by_schulleitung",
                d.to_string(),
            ),
            Denied::OwnLogin => info(StatusCode::UNPROCESSABLE_ENTITY, "own_login", d.to_string()),
            Denied::PrivateAreasOnHold => info(
                StatusCode::FORBIDDEN,
                "private_areas_on_hold",
                d.to_string(),
            ),
            Denied::SamePerson => info(StatusCode::FORBIDDEN, "same_person", d.to_string()),
            Denied::NotFound => info(StatusCode::NOT_FOUND, "not_found", "Not found.".into()),
            Denied::Forbidden => info(
                StatusCode::FORBIDDEN,
                "forbidden",
                "You are not allowed to do this.".into(),
            ),
        },
        DomainError::Invalid { field, message } => ErrorInfo {
            field: Some(field),
            ..info(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
                format!("{field}: {message}"),
            )
        },
        DomainError::Conflict { field, message } => ErrorInfo {
            field: Some(field),
            ..info(
                StatusCode::CONFLICT,
                "conflict",
                format!("{field}: {message}"),
            )
        },
        DomainError::BadCredentials => info(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "Wrong school number, login or password.".into(),
        ),
        DomainError::Throttled { retry_after_secs } => ErrorInfo {
            retry_after: Some(*retry_after_secs),
            ..info(
                StatusCode::TOO_MANY_REQUESTS,
                "login_throttled",
                e.to_string(),
            )
        },
        DomainError::RateLimited { retry_after_secs } => ErrorInfo {
            retry_after: Some(*retry_after_secs),
            ..info(StatusCode::TOO_MANY_REQUESTS, "rate_limited", e.to_string())
        },
        DomainError::Busy { retry_after_secs } => ErrorInfo {
            retry_after: Some(*retry_after_secs),
            ..info(StatusCode::SERVICE_UNAVAILABLE, "busy", e.to_string())
        },
        DomainError::SessionEnded => info(
            StatusCode::UNAUTHORIZED,
            "not_logged_in",
            "Please log in.".into(),
        ),
        DomainError::ConsentRequired => info(
            StatusCode::FORBIDDEN,
            "consent_required",
            "Accept the terms of use and acknowledge the privacy policy first.".into(),
        ),
        DomainError::ConsentDeclined => info(
            StatusCode::FORBIDDEN,
            "consent_declined",
            "Without accepting the terms of use there is no access.".into(),
        ),
        DomainError::PasswordChangeRequired => info(
            StatusCode::FORBIDDEN,
            "password_change_required",
            "Set a new password first.".into(),
        ),
        DomainError::SafeLocked => info(
            StatusCode::FORBIDDEN,
            "safe_locked",
            "Enter the Safe password first.".into(),
        ),
        DomainError::QuotaExceeded(m) => info(
            StatusCode::INSUFFICIENT_STORAGE,
            "quota_exceeded",
            m.clone(),
        ),
        DomainError::Internal(cause) => {
            let id = uuid_like();
            tracing::error!(error_id = %id, %cause, "internal error");
            info(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                format!("Something went wrong (error {id})."),
            )
        }
    }
}

/// A short id to find the logged cause of an internal error.
fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{nanos:08x}")
}
