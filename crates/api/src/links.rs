//! Share links: created on a node, listed by their owner (all of the school for the admin),
//! revoked by owner, coordinators and the admin. The visitor's side is a web page.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use schulhof_domain::DomainError;
use schulhof_domain::files::{CreatedLink, LinkMode, LinkView, NewLink};
use schulhof_front::AppState;
use serde::Deserialize;

use crate::ApiError;
use crate::extract::{Authed, Body};
use crate::files::located;

#[derive(Deserialize)]
pub struct LinkInput {
    /// `read` (default) or `upload`.
    #[serde(default)]
    mode: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    expires_at: Option<DateTime<Utc>>,
}

pub async fn create(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Body(b): Body<LinkInput>,
) -> Result<(StatusCode, Json<CreatedLink>), ApiError> {
    let node = located(&state, &actor, &id).await?;
    let mode = match b.mode.as_deref() {
        None => LinkMode::Read,
        Some(m) => {
            LinkMode::parse(m).ok_or_else(|| DomainError::invalid("mode", "read or upload"))?
        }
    };
    let created = state
        .platform
        .link_create(
            &actor,
            &node,
            NewLink {
                mode,
                password: b.password,
                expires_at: b.expires_at,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

pub async fn of_node(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<Json<Vec<LinkView>>, ApiError> {
    let node = located(&state, &actor, &id).await?;
    Ok(Json(state.platform.link_list(&actor, Some(&node)).await?))
}

pub async fn mine(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> Result<Json<Vec<LinkView>>, ApiError> {
    Ok(Json(state.platform.link_list(&actor, None).await?))
}

pub async fn revoke(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = uuid::Uuid::parse_str(&id).map_err(|_| DomainError::NotFound)?;
    state.platform.link_revoke(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
