//! `/api/v1/files`: the cloud file manager's tree: areas, folders, renaming, moving,
//! copying, deleting and the trash. Content travels in `files_content`, rights in
//! `files_rights`. Invisible nodes answer 404, like missing ones.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use schulhof_authz::files::Area;
use schulhof_domain::DomainError;
use schulhof_domain::files::{FileEntry, Located, Placement, TrashEntry, Usage};
use schulhof_domain::identity::Actor;
use schulhof_front::AppState;
use schulhof_types::NodeId;
use serde::{Deserialize, Serialize};

use crate::ApiError;
use crate::extract::{Authed, Body};

/// A node id from the path; anything else is simply not found.
pub(crate) fn node_id(s: &str) -> Result<NodeId, ApiError> {
    s.parse().map_err(|_| DomainError::NotFound.into())
}

/// The areas of the file manager; anything else (the Safe) is not reached through here.
fn file_area(s: &str) -> Option<Area> {
    match s {
        "own" => Some(Area::Own),
        "info" => Some(Area::Info),
        "teaching" => Some(Area::Teaching),
        "staff" => Some(Area::Staff),
        _ => None,
    }
}

/// A node of the file manager the caller may see, with its path.
async fn locate(state: &AppState, actor: &Actor, id: NodeId) -> Result<Located, ApiError> {
    let node = state.platform.locate(actor, id).await?;
    if file_area(node.area.as_str()).is_none() {
        return Err(DomainError::NotFound.into());
    }
    Ok(node)
}

/// [`locate`] with the id from the path.
pub(crate) async fn located(
    state: &AppState,
    actor: &Actor,
    id: &str,
) -> Result<Located, ApiError> {
    locate(state, actor, node_id(id)?).await
}

#[derive(Serialize)]
pub struct Overview {
    areas: Vec<FileEntry>,
    shared_with_me: Vec<FileEntry>,
    usage: Usage,
}

#[derive(Serialize)]
pub struct Crumb {
    id: NodeId,
    name: String,
}

#[derive(Serialize)]
pub struct NodeView {
    entry: FileEntry,
    breadcrumbs: Vec<Crumb>,
    #[serde(skip_serializing_if = "Option::is_none")]
    children: Option<Vec<FileEntry>>,
}

#[derive(Deserialize)]
pub struct FolderInput {
    name: String,
}

#[derive(Deserialize)]
pub struct UpdateInput {
    name: Option<String>,
    parent: Option<NodeId>,
}

#[derive(Deserialize)]
pub struct CopyInput {
    parent: NodeId,
    name: Option<String>,
}

#[derive(Deserialize)]
pub struct TrashQuery {
    area: Option<String>,
}

/// The areas the caller sees, what others shared with them, and the storage use.
pub async fn overview(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> Result<Json<Overview>, ApiError> {
    let p = &state.platform;
    Ok(Json(Overview {
        areas: p.file_areas(&actor).await?,
        shared_with_me: p.file_shared_with_me(&actor).await?,
        usage: p.file_usage(&actor).await?,
    }))
}

pub async fn storage(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> Result<Json<Usage>, ApiError> {
    Ok(Json(state.platform.file_usage(&actor).await?))
}

/// A node with the way to it and, for a folder, what is in it.
pub async fn show(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<Json<NodeView>, ApiError> {
    let node = located(&state, &actor, &id).await?;
    let entry = node.entry(&actor).ok_or(DomainError::NotFound)?;
    let children = if entry.is_dir {
        Some(state.platform.file_list(&actor, &node).await?)
    } else {
        None
    };
    let breadcrumbs = state
        .platform
        .file_breadcrumbs(&actor, &node)
        .into_iter()
        .map(|(id, name)| Crumb { id, name })
        .collect();
    Ok(Json(NodeView {
        entry,
        breadcrumbs,
        children,
    }))
}

pub async fn mkdir(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Body(input): Body<FolderInput>,
) -> Result<(StatusCode, Json<FileEntry>), ApiError> {
    let folder = located(&state, &actor, &id).await?;
    let entry = state
        .platform
        .file_mkdir(
            &actor,
            Placement {
                folder: &folder,
                name: &input.name,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(entry)))
}

/// Renames (`name`) and/or moves (`parent`) a node.
pub async fn update(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Body(input): Body<UpdateInput>,
) -> Result<Json<FileEntry>, ApiError> {
    let node = located(&state, &actor, &id).await?;
    let target = match input.parent {
        Some(p) => locate(&state, &actor, p).await?,
        // A rename stays in the folder; an area root has none, and the domain refuses it.
        None => node.parent().unwrap_or_else(|| node.clone()),
    };
    let name = input.name.unwrap_or_else(|| node.node().name.clone());
    let entry = state
        .platform
        .file_move(
            &actor,
            &node,
            Placement {
                folder: &target,
                name: &name,
            },
        )
        .await?;
    Ok(Json(entry))
}

pub async fn copy(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Body(input): Body<CopyInput>,
) -> Result<(StatusCode, Json<FileEntry>), ApiError> {
    let node = located(&state, &actor, &id).await?;
    let target = locate(&state, &actor, input.parent).await?;
    let name = match input.name {
        Some(n) => n,
        None => node.entry(&actor).ok_or(DomainError::NotFound)?.name,
    };
    let entry = state
        .platform
        .file_copy(
            &actor,
            &node,
            Placement {
                folder: &target,
                name: &name,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(entry)))
}

/// Moves a node with everything below it into the trash.
pub async fn delete(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let node = located(&state, &actor, &id).await?;
    state.platform.file_delete(&actor, &node).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What the caller may restore in an area (default: the own area).
pub async fn trash(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Query(q): Query<TrashQuery>,
) -> Result<Json<Vec<TrashEntry>>, ApiError> {
    let area = match q.area.as_deref() {
        None | Some("") => Area::Own,
        Some(a) => file_area(a)
            .ok_or_else(|| DomainError::invalid("area", "must be own, info, teaching or staff"))?,
    };
    Ok(Json(state.platform.file_trash(&actor, area).await?))
}

pub async fn restore(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<Json<FileEntry>, ApiError> {
    Ok(Json(
        state.platform.file_restore(&actor, node_id(&id)?).await?,
    ))
}

/// Deletes a trash entry for good.
pub async fn purge(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.platform.file_purge(&actor, node_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
