//! Notifications of the caller, four-eyes requests (list, confirm, reject) and the admin's
//! request for a forgotten Safe password.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use schulhof_domain::DomainError;
use schulhof_domain::four_eyes::{Confirmed, RequestView};
use schulhof_domain::notify::Notification;
use schulhof_front::AppState;
use serde_json::{Value, json};

use crate::ApiError;
use crate::extract::Authed;

pub async fn notifications(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> Result<Json<Vec<Notification>>, ApiError> {
    Ok(Json(state.platform.my_notifications(&actor).await?))
}

pub async fn read_notifications(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> Result<StatusCode, ApiError> {
    state.platform.read_notifications(&actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn requests(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> Result<Json<Vec<RequestView>>, ApiError> {
    Ok(Json(state.platform.four_eyes_requests(&actor).await?))
}

fn request_id(id: &str) -> Result<uuid::Uuid, ApiError> {
    id.parse()
        .map_err(|_| ApiError::from(DomainError::NotFound))
}

/// Confirms as the second person; a Safe password comes back only to the Schulleitung.
pub async fn confirm(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<Json<Confirmed>, ApiError> {
    let id = request_id(&id)?;
    Ok(Json(state.platform.confirm_request(&actor, id).await?))
}

pub async fn reject(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = request_id(&id)?;
    state.platform.reject_request(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The admin asks for a new Safe password for a login; the Schulleitung confirms.
pub async fn request_safe_password(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(login): Path<String>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    state
        .platform
        .request_safe_password_reset(&actor, &login)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "state": "pending" }))))
}
