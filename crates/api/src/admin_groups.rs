//! `/api/v1/groups`: groups, members and group rights.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use schulhof_domain::admin::{GroupDetail, GroupView};
use schulhof_front::AppState;
use schulhof_types::GroupId;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::ApiError;
use crate::extract::{Authed, Body};

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
}

#[derive(Deserialize)]
pub struct GroupInput {
    name: String,
    kind: String,
    #[serde(default)]
    description: String,
}

/// A group id from the path; anything else is simply not found.
fn group_id(s: &str) -> Result<GroupId, ApiError> {
    s.parse()
        .map_err(|_| schulhof_domain::DomainError::NotFound.into())
}

pub async fn list(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<GroupView>>, ApiError> {
    Ok(Json(state.platform.list_groups(&actor, &q.q).await?))
}

pub async fn create(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Body(g): Body<GroupInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id = state
        .platform
        .create_group(&actor, &g.name, &g.kind, &g.description)
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

pub async fn detail(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<Json<GroupDetail>, ApiError> {
    Ok(Json(
        state.platform.group_detail(&actor, group_id(&id)?).await?,
    ))
}

pub async fn update(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Body(g): Body<GroupInput>,
) -> Result<StatusCode, ApiError> {
    state
        .platform
        .update_group(&actor, group_id(&id)?, &g.name, &g.kind, &g.description)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn delete(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.platform.delete_group(&actor, group_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn add_member(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path((id, login)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .platform
        .set_membership(&actor, group_id(&id)?, &login, true)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn remove_member(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path((id, login)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .platform
        .set_membership(&actor, group_id(&id)?, &login, false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn grant(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path((id, right)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .platform
        .set_group_right(&actor, group_id(&id)?, &right, true)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn revoke(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path((id, right)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .platform
        .set_group_right(&actor, group_id(&id)?, &right, false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
