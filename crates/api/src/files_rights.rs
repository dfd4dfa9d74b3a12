//! Rights on folders and files: grants, withdrawing inherited rights, drop folders.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use schulhof_authz::files::FileRole;
use schulhof_domain::DomainError;
use schulhof_domain::files::{GrantView, Shared, Subject, kind_subject};
use schulhof_front::AppState;
use serde::Deserialize;

use crate::ApiError;
use crate::extract::{Authed, Body};
use crate::files::located;

/// Whom to give a role: `subject` (a group name or a login of the school) or, for the
/// admin, `kind` (`lehrer`, `schueler`, `fn:admin`, …).
#[derive(Deserialize)]
pub struct GrantInput {
    subject: Option<String>,
    kind: Option<String>,
    role: String,
}

#[derive(Deserialize)]
pub struct InheritInput {
    inherit: bool,
}

#[derive(Deserialize)]
pub struct DropBoxInput {
    drop_box: bool,
}

/// The grants set on the node itself (contributors and coordinators).
pub async fn list(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<Json<Vec<GrantView>>, ApiError> {
    let node = located(&state, &actor, &id).await?;
    Ok(Json(state.platform.file_grants(&actor, &node).await?))
}

/// Gives a role on the node; answers with the grant (its `key` removes it again).
pub async fn grant(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Body(input): Body<GrantInput>,
) -> Result<(StatusCode, Json<GrantView>), ApiError> {
    let node = located(&state, &actor, &id).await?;
    let role = FileRole::parse(input.role.trim()).ok_or_else(|| {
        DomainError::invalid("role", "must be viewer, contributor or coordinator")
    })?;
    let shared = match (input.subject.as_deref(), input.kind.as_deref()) {
        (Some(name), None) => {
            state
                .platform
                .file_share_named(&actor, &node, name, role)
                .await?
        }
        (None, Some(kind)) => {
            let subject = Subject::Kind(kind_subject(kind.trim()).ok_or_else(|| {
                DomainError::invalid("kind", "must be a kind of login such as lehrer or fn:admin")
            })?);
            state
                .platform
                .file_share(&actor, &node, subject, role)
                .await?;
            Shared::Granted { key: subject.key() }
        }
        _ => {
            return Err(DomainError::invalid(
                "subject",
                "give either subject (group or login) or kind",
            )
            .into());
        }
    };
    // An offer to another school is pending until its recipient accepts.
    let status = match shared {
        Shared::Granted { .. } => StatusCode::CREATED,
        Shared::Offered { .. } => StatusCode::ACCEPTED,
    };
    let key = shared.key();
    let view = state
        .platform
        .file_grants(&actor, &node)
        .await?
        .into_iter()
        .find(|g| g.key == key)
        .ok_or(DomainError::NotFound)?;
    Ok((status, Json(view)))
}

pub async fn revoke(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path((id, key)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let node = located(&state, &actor, &id).await?;
    state.platform.file_revoke(&actor, &node, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `inherit: false` withdraws the rights inherited from above (they stay as grants of
/// this node, to be removed one by one); `true` lets them reach it again.
pub async fn set_inherit(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Body(input): Body<InheritInput>,
) -> Result<StatusCode, ApiError> {
    let node = located(&state, &actor, &id).await?;
    state
        .platform
        .file_set_inherit(&actor, &node, input.inherit)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A drop folder: its contributors see only what they put in.
pub async fn set_drop_box(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Body(input): Body<DropBoxInput>,
) -> Result<StatusCode, ApiError> {
    let node = located(&state, &actor, &id).await?;
    state
        .platform
        .file_set_drop_box(&actor, &node, input.drop_box)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
