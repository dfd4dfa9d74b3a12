//! Shares offered by other schools (accept, decline) and the school's setting whether its
//! students may accept them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use schulhof_domain::DomainError;
use schulhof_domain::files::OfferView;
use schulhof_front::AppState;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ApiError;
use crate::extract::{Authed, Body};

#[derive(Deserialize, Serialize)]
pub struct CrossSharing {
    students_may_accept: bool,
}

fn offer_id(id: &str) -> Result<Uuid, ApiError> {
    // An id that is no offer id names no offer of the caller's.
    Uuid::parse_str(id.trim()).map_err(|_| DomainError::NotFound.into())
}

/// The offers of other schools waiting for the caller's answer.
pub async fn list(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> Result<Json<Vec<OfferView>>, ApiError> {
    Ok(Json(state.platform.file_offers(&actor).await?))
}

/// Accepts an offer: from now on it is under "shared with me".
pub async fn accept(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = offer_id(&id)?;
    state.platform.file_decide_offer(&actor, id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Declines an offer (or ends an accepted share).
pub async fn decline(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = offer_id(&id)?;
    state.platform.file_decide_offer(&actor, id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn setting(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> Result<Json<CrossSharing>, ApiError> {
    let students_may_accept = state.platform.school_students_accept_cross(&actor).await?;
    Ok(Json(CrossSharing {
        students_may_accept,
    }))
}

pub async fn set_setting(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Body(input): Body<CrossSharing>,
) -> Result<StatusCode, ApiError> {
    state
        .platform
        .set_school_students_accept_cross(&actor, input.students_may_accept)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
