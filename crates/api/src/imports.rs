//! `/api/v1/imports`, `/api/v1/deletion`, `/api/v1/school-year`: the admin's imports,
//! deletion periods and school-year change for scripts. Same services as the pages.

use axum::Json;
use axum::body::Body as HttpBody;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use schulhof_domain::deletion::{DeletionOverview, Periods};
use schulhof_domain::import::{ApplyInput, Columns, Format, Summary, UploadInput};
use schulhof_domain::school_year::{YearChange, YearStep};
use schulhof_domain::{DomainError, identity::Actor};
use schulhof_front::AppState;
use schulhof_front::upload::{self, UploadError};
use schulhof_types::AccountType;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::ApiError;
use crate::extract::{Authed, Body};

fn run_id(id: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id).map_err(|_| DomainError::NotFound.into())
}

fn bad(field: &'static str, message: &str) -> ApiError {
    DomainError::invalid(field, message).into()
}

fn upload_error(e: &UploadError) -> ApiError {
    let message = match e {
        UploadError::TooLarge => "the file is larger than 64 MB",
        UploadError::Broken => "send a multipart/form-data body with the file in the field `file`",
        UploadError::Io(_) => "the upload could not be stored",
    };
    ApiError::new(e.status(), "invalid_upload", message)
}

fn format_of(name: &str) -> Result<Format, ApiError> {
    match name {
        "schild" => Ok(Format::Schild),
        "csv" | "table" => Ok(Format::Table),
        "svws" => Ok(Format::Svws),
        _ => Err(bad("format", "must be schild, csv or svws")),
    }
}

fn columns(u: &upload::Upload) -> Columns {
    let get = |name: &str| {
        let v = u.get(&format!("column.{name}")).trim();
        (!v.is_empty()).then(|| v.to_owned())
    };
    Columns {
        quell_id: get("quell_id"),
        nachname: get("nachname"),
        vorname: get("vorname"),
        klasse: get("klasse"),
        gruppen: get("gruppen"),
        email: get("email"),
        geburtsdatum: get("geburtsdatum"),
    }
}

/// The run and, while it can still be applied, its current plan.
async fn run_json(state: &AppState, actor: &Actor, id: Uuid) -> Result<Value, ApiError> {
    let run = state.platform.import_run(actor, id).await?;
    if !matches!(run.status.as_str(), "previewed" | "failed") {
        return Ok(json!({ "run": run }));
    }
    let skip = run.options.skip_groups.clone();
    let (run, plan) = state.platform.import_preview(actor, id, &skip).await?;
    Ok(json!({ "run": run, "summary": plan.summary(), "plan": plan }))
}

/// Upload (multipart: `file`, `format`, optional `with_students`, `account_type`,
/// `zip_password`, `column.<field>`): reads the file and answers with the preview.
pub async fn upload(
    State(state): State<AppState>,
    Authed(actor): Authed,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    // Refused before a byte of the upload is read.
    state.platform.may_import(&actor)?;
    let form = form.map_err(|_| upload_error(&UploadError::Broken))?;
    let u = upload::read(form, "file")
        .await
        .map_err(|e| upload_error(&e))?;
    let file = u.file.as_ref().ok_or_else(|| bad("file", "is required"))?;
    let account_type = match u.get("account_type").trim() {
        "" => None,
        t => Some(AccountType::parse(t).ok_or_else(|| {
            bad(
                "account_type",
                "must be lehrer, personal, schueler or extern",
            )
        })?),
    };
    let input = UploadInput {
        format: format_of(u.get("format").trim())?,
        file_name: if file.name.is_empty() {
            "upload".into()
        } else {
            file.name.clone()
        },
        path: file.temp.path().to_owned(),
        zip_password: Some(u.get("zip_password").to_owned()).filter(|p| !p.is_empty()),
        with_students: !matches!(u.get("with_students").trim(), "false" | "0" | "nein"),
        account_type,
        columns: columns(&u),
    };
    let id = state.platform.import_upload(&actor, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(run_json(&state, &actor, id).await?),
    ))
}

pub async fn list(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        json!({ "runs": state.platform.import_runs(&actor).await? }),
    ))
}

pub async fn show(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(run_json(&state, &actor, run_id(&id)?).await?))
}

#[derive(Deserialize)]
pub struct ApplyBody {
    protocol_password: String,
    #[serde(default)]
    accept_fixes: bool,
    #[serde(default)]
    skip_groups: Vec<String>,
    /// The counts of the preview the caller looked at.
    expected: Option<Summary>,
}

/// Starts applying a previewed run; poll `GET /api/v1/imports/{id}` for the outcome.
pub async fn apply(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Body(b): Body<ApplyBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id = run_id(&id)?;
    let go = ApplyInput {
        skip_groups: b.skip_groups,
        accept_fixes: b.accept_fixes,
        protocol_password: b.protocol_password,
        expected: b.expected,
    };
    state.platform.import_start_apply(&actor, id, go).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "id": id, "status": "running" })),
    ))
}

/// The protocol: a ZIP encrypted (AES-256) with the protocol password.
pub async fn protocol(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let bytes = state.platform.import_protocol(&actor, run_id(&id)?).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip"),
            (header::CACHE_CONTROL, "no-store"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"importprotokoll.zip\"",
            ),
        ],
        HttpBody::from(bytes),
    )
        .into_response())
}

pub async fn deletion(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> Result<Json<DeletionOverview>, ApiError> {
    Ok(Json(state.platform.deletion_overview(&actor).await?))
}

pub async fn set_periods(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Body(p): Body<Periods>,
) -> Result<StatusCode, ApiError> {
    state.platform.set_deletion_periods(&actor, p).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct ConfirmBody {
    /// The marked logins to deactivate; all marked ones when `all` is true.
    #[serde(default)]
    logins: Vec<String>,
    #[serde(default)]
    all: bool,
}

pub async fn confirm(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Body(b): Body<ConfirmBody>,
) -> Result<Json<Value>, ApiError> {
    // An empty list means everyone to the service: only with an explicit `all`.
    if b.logins.is_empty() && !b.all {
        return Err(bad("logins", "name the logins, or send \"all\": true"));
    }
    let n = state.platform.confirm_deletions(&actor, &b.logins).await?;
    Ok(Json(json!({ "deactivated": n })))
}

#[derive(Deserialize)]
pub struct YearBody {
    from: String,
    to: String,
    #[serde(default)]
    dry_run: bool,
    /// An uploaded, previewed import to apply in the same step.
    import: Option<Uuid>,
    #[serde(default)]
    protocol_password: String,
    #[serde(default)]
    accept_fixes: bool,
    /// The logins the dry run listed as leavers; without, everyone marked leaves.
    leavers: Option<Vec<String>>,
}

pub async fn school_year(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Body(b): Body<YearBody>,
) -> Result<Json<YearChange>, ApiError> {
    let step = YearStep {
        from: &b.from,
        to: &b.to,
        leavers: b.leavers.as_deref(),
        dry_run: b.dry_run,
    };
    let change = match b.import {
        Some(run) => {
            let go = ApplyInput {
                protocol_password: b.protocol_password,
                accept_fixes: b.accept_fixes,
                ..ApplyInput::default()
            };
            state
                .platform
                .change_school_year_with_import(&actor, step, run, go)
                .await?
        }
        None => state.platform.change_school_year(&actor, step).await?,
    };
    Ok(Json(change))
}
