//! `/api/v1/media`: the Mediathek (search, favourites, opening licensed media of other
//! schools) and licences and metadata of files.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use schulhof_domain::media::{MediaHit, MediaMeta};
use schulhof_front::AppState;
use schulhof_front::files::{Download, download_as};
use serde::Deserialize;

use crate::ApiError;
use crate::extract::{Authed, Body};
use crate::files::{located, node_id};

#[derive(Deserialize)]
pub struct SearchQuery {
    q: String,
    #[serde(default)]
    limit: Option<usize>,
}

pub async fn search(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Query(q): Query<SearchQuery>,
) -> Result<Json<Vec<MediaHit>>, ApiError> {
    let limit = q.limit.unwrap_or(20).clamp(1, 100);
    Ok(Json(
        state.platform.media_search(&actor, &q.q, limit).await?,
    ))
}

pub async fn favourites(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> Result<Json<Vec<MediaHit>>, ApiError> {
    Ok(Json(state.platform.media_favourites(&actor).await?))
}

pub async fn add_favourite(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state
        .platform
        .media_set_favourite(&actor, node_id(&id)?, true)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn remove_favourite(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state
        .platform
        .media_set_favourite(&actor, node_id(&id)?, false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A medium's content: own school through the policy, other schools only when licensed.
pub async fn content(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (_, hit, file) = state.platform.media_open(&actor, node_id(&id)?).await?;
    let etag = format!("m{}-{}", hit.modified_at.timestamp_micros(), hit.size);
    let what = Download {
        name: &hit.name,
        size: hit.size,
        mime: None,
        etag: &etag,
    };
    Ok(download_as(&what, file, &headers).await)
}

pub async fn meta(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<Json<MediaMeta>, ApiError> {
    let file = located(&state, &actor, &id).await?;
    Ok(Json(state.platform.media_meta(&actor, &file).await?))
}

pub async fn set_meta(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Body(m): Body<MediaMeta>,
) -> Result<Json<MediaMeta>, ApiError> {
    let file = located(&state, &actor, &id).await?;
    state.platform.media_set_meta(&actor, &file, m).await?;
    Ok(Json(state.platform.media_meta(&actor, &file).await?))
}
