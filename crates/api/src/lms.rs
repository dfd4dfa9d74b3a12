//! `/api/v1/courses`: the caller's courses (open first, then the archive) with the path of
//! each course page.

use axum::Json;
use axum::extract::State;
use schulhof_front::AppState;
use serde::Serialize;

use crate::ApiError;
use crate::extract::Authed;

#[derive(Serialize)]
pub struct Course {
    id: String,
    name: String,
    summary: String,
    /// "editor" or "participant".
    role: String,
    archived: bool,
    /// The course page in the web front-end.
    url: String,
}

/// `GET /api/v1/courses`.
pub async fn courses(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> Result<Json<Vec<Course>>, ApiError> {
    let rows = state.platform.lms_courses(&actor).await?;
    Ok(Json(
        rows.into_iter()
            .map(|c| Course {
                id: c.id.to_string(),
                url: format!("/kurse/{}", c.id),
                name: c.name,
                summary: c.summary,
                role: c.role.unwrap_or_default(),
                archived: c.archived_at.is_some(),
            })
            .collect(),
    ))
}
