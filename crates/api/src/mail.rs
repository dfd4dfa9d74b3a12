//! `/api/v1/mail/delegations`: give the own mailbox to a person of the school, take it back,
//! and list what was given (both ways) with the audited history.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use schulhof_authz::Denied;
use schulhof_authz::mail::MailboxAccess;
use schulhof_domain::DomainError;
use schulhof_domain::mail::delegation::{ConfidentialAccount, DelegationEvent, DelegationView};
use schulhof_front::AppState;
use serde::{Deserialize, Serialize};

use crate::ApiError;
use crate::extract::{Authed, Body};

#[derive(Deserialize)]
pub struct DelegationBody {
    access: String,
    #[serde(default)]
    send_as: bool,
}

#[derive(Serialize)]
pub struct Delegations {
    /// Whom the own mailbox is given to.
    given: Vec<DelegationView>,
    /// The mailboxes given to the caller.
    received: Vec<DelegationView>,
    /// Grants and revocations of the own mailbox, newest first.
    history: Vec<DelegationEvent>,
}

/// Without `mail.delegate` the answer carries its own stable code, so a client can tell
/// "you may not delegate" from other refusals.
fn mapped(e: DomainError) -> ApiError {
    match e {
        DomainError::Forbidden | DomainError::Denied(Denied::Forbidden) => ApiError::new(
            StatusCode::FORBIDDEN,
            "mail_delegate_not_granted",
            "You do not have the right to delegate your mailbox (mail.delegate).",
        ),
        e => e.into(),
    }
}

pub async fn list(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> Result<Json<Delegations>, ApiError> {
    let p = &state.platform;
    Ok(Json(Delegations {
        given: p.mail_delegations_given(&actor).await?,
        received: p.mail_delegations_received(&actor).await?,
        history: p.mail_delegation_history(&actor).await?,
    }))
}

pub async fn put(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(login): Path<String>,
    Body(b): Body<DelegationBody>,
) -> Result<StatusCode, ApiError> {
    let access = MailboxAccess::parse(&b.access)
        .ok_or_else(|| ApiError::from(DomainError::invalid("access", "\"read\" or \"write\"")))?;
    state
        .platform
        .mail_delegate(&actor, &login, access, b.send_as)
        .await
        .map_err(mapped)?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn delete(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path(login): Path<String>,
) -> Result<StatusCode, ApiError> {
    state
        .platform
        .mail_revoke_delegation(&actor, &login)
        .await
        .map_err(mapped)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct NewConfidential {
    login: String,
    role: String,
}

#[derive(Serialize)]
pub struct CreatedConfidential {
    mail: String,
}

/// `GET /api/v1/mail/confidential`: the confidential-role accounts and their holders (admin).
pub async fn confidential_list(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> Result<Json<Vec<ConfidentialAccount>>, ApiError> {
    Ok(Json(
        state.platform.mail_confidential_accounts(&actor).await?,
    ))
}

/// `POST /api/v1/mail/confidential`: a confidential-role account without login (admin).
pub async fn confidential_create(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Body(b): Body<NewConfidential>,
) -> Result<(StatusCode, Json<CreatedConfidential>), ApiError> {
    let mail = state
        .platform
        .mail_create_confidential(&actor, &b.login, &b.role)
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedConfidential { mail })))
}

/// `PUT /api/v1/mail/confidential/{account}/holders/{login}`: gives the mailbox to a holder.
pub async fn holder_put(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path((account, login)): Path<(String, String)>,
    Body(b): Body<DelegationBody>,
) -> Result<StatusCode, ApiError> {
    let access = MailboxAccess::parse(&b.access)
        .ok_or_else(|| ApiError::from(DomainError::invalid("access", "\"read\" or \"write\"")))?;
    state
        .platform
        .mail_confidential_delegate(&actor, &account, &login, Some((access, b.send_as)))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/v1/mail/confidential/{account}/holders/{login}`: takes it back.
pub async fn holder_delete(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Path((account, login)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .platform
        .mail_confidential_delegate(&actor, &account, &login, None)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
