//! `/api/v1/me/app-passwords`: passwords for protocol clients (WebDAV), shown once.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use schulhof_domain::DomainError;
use schulhof_domain::app_passwords::{AppPassword, CreatedAppPassword};
use schulhof_front::AppState;
use serde::Deserialize;

use crate::ApiError;
use crate::extract::{Authed, Body};

#[derive(Deserialize)]
pub struct NewAppPassword {
    label: String,
}

pub async fn list(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> Result<Json<Vec<AppPassword>>, ApiError> {
    Ok(Json(state.platform.app_password_list(&actor).await?))
}

pub async fn create(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Body(b): Body<NewAppPassword>,
) -> Result<(StatusCode, Json<CreatedAppPassword>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.platform.app_password_create(&actor, &b.label).await?),
    ))
}

pub async fn revoke(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = uuid::Uuid::parse_str(&id).map_err(|_| DomainError::NotFound)?;
    state.platform.app_password_revoke(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
