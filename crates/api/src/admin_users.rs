//! `/api/v1/users`: the user administration.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use schulhof_domain::admin::{CreatedUser, NewUser, UserCard, UserList, UserUpdate};
use schulhof_front::AppState;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::ApiError;
use crate::extract::{Authed, Body};

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(rename = "type")]
    kind: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Query(q): Query<ListQuery>,
) -> Result<Json<UserList>, ApiError> {
    let list = state
        .platform
        .list_users(
            &actor,
            &q.q,
            q.kind.as_deref(),
            q.limit.unwrap_or(100),
            q.offset.unwrap_or(0),
        )
        .await?;
    Ok(Json(list))
}

pub async fn create(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Body(new): Body<NewUser>,
) -> Result<(StatusCode, Json<CreatedUser>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.platform.create_user(&actor, new).await?),
    ))
}

pub async fn card(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(login): Path<String>,
) -> Result<Json<UserCard>, ApiError> {
    Ok(Json(state.platform.user_card(&actor, &login).await?))
}

pub async fn update(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(login): Path<String>,
    Body(upd): Body<UserUpdate>,
) -> Result<StatusCode, ApiError> {
    state.platform.update_user(&actor, &login, upd).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn delete(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(login): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.platform.delete_user(&actor, &login).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn activate(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(login): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.platform.set_user_active(&actor, &login, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn deactivate(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(login): Path<String>,
) -> Result<StatusCode, ApiError> {
    state
        .platform
        .set_user_active(&actor, &login, false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default)]
pub struct Reset {
    password: Option<String>,
}

/// Without a body or password, a password is generated and returned once.
pub async fn reset_password(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(login): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let reset: Reset = if body.iter().all(u8::is_ascii_whitespace) {
        Reset::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", e.to_string()))?
    };
    let generated = state
        .platform
        .reset_password(&actor, &login, reset.password.as_deref())
        .await?;
    Ok(Json(
        json!({ "initial_password": generated, "must_change": true }),
    ))
}

pub async fn grant(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path((login, right)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .platform
        .set_user_right(&actor, &login, &right, true)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn revoke(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path((login, right)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .platform
        .set_user_right(&actor, &login, &right, false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
