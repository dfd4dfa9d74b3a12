//! `/api/v1/audit`: the administrative-action log and documented holds.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use schulhof_domain::audit::{AdminLogLine, HoldLine};
use schulhof_front::AppState;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::ApiError;
use crate::extract::{Authed, Body};

#[derive(Deserialize)]
pub struct Page {
    limit: Option<i64>,
    offset: Option<i64>,
}

pub async fn log(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Query(p): Query<Page>,
) -> Result<Json<Vec<AdminLogLine>>, ApiError> {
    Ok(Json(
        state
            .platform
            .admin_log(&actor, p.limit.unwrap_or(100), p.offset.unwrap_or(0))
            .await?,
    ))
}

pub async fn holds(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> Result<Json<Vec<HoldLine>>, ApiError> {
    Ok(Json(state.platform.holds(&actor).await?))
}

#[derive(Deserialize)]
pub struct HoldInput {
    login: Option<String>,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    reason: String,
}

pub async fn place_hold(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Body(h): Body<HoldInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id = state
        .platform
        .place_hold(&actor, h.login.as_deref(), h.from, h.until, &h.reason)
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}
