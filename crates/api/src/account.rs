//! Mein Konto and consent.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use schulhof_authz::matrix::{Mark, describe, granter, mark};
use schulhof_domain::account::{ConsentTexts, Me};
use schulhof_front::{AppState, ClientAddr};
use schulhof_types::{AccountType, RightId};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::ApiError;
use crate::extract::{AnySession, Authed, Body};

pub async fn me(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> Result<Json<Me>, ApiError> {
    Ok(Json(state.platform.me(&actor)?))
}

#[derive(Deserialize)]
pub struct PasswordChange {
    old: String,
    new: String,
}

/// Works before consent too: an initial password is replaced first.
pub async fn change_password(
    State(state): State<AppState>,
    AnySession(s): AnySession,
    ClientAddr(addr): ClientAddr,
    Body(b): Body<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    state
        .platform
        .change_own_password(&s.actor, &b.old, &b.new, &addr)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct ExternalMail {
    external_mail: String,
}

pub async fn set_external_mail(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Body(b): Body<ExternalMail>,
) -> Result<StatusCode, ApiError> {
    state
        .platform
        .set_own_external_mail(&actor, &b.external_mail)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn delete_external_mail(
    State(state): State<AppState>,
    Authed(actor): Authed,
) -> Result<StatusCode, ApiError> {
    state.platform.set_own_external_mail(&actor, "").await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn logout_everywhere(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Authed(actor): Authed,
) -> Result<StatusCode, ApiError> {
    state.platform.logout_everywhere(&actor, &addr).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn consent_texts(
    State(state): State<AppState>,
    AnySession(s): AnySession,
) -> Result<Json<Option<ConsentTexts>>, ApiError> {
    Ok(Json(state.platform.consent_texts(&s.actor).await?))
}

#[derive(Deserialize)]
pub struct Consent {
    #[serde(default)]
    terms: bool,
    #[serde(default)]
    privacy: bool,
}

pub async fn give_consent(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    AnySession(s): AnySession,
    Body(b): Body<Consent>,
) -> Result<StatusCode, ApiError> {
    state
        .platform
        .give_consent(&s.actor, b.terms, b.privacy, &addr)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Revoking consent deactivates the account and ends every session.
pub async fn revoke_consent(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    AnySession(s): AnySession,
) -> Result<StatusCode, ApiError> {
    state.platform.revoke_consent(&s.actor, &addr).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct NewTexts {
    terms: String,
    privacy: String,
}

/// A new version of the terms; every user is asked again at their next request.
pub async fn publish_consent(
    State(state): State<AppState>,
    Authed(actor): Authed,
    Body(b): Body<NewTexts>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let version = state
        .platform
        .publish_consent(&actor, &b.terms, &b.privacy)
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "version": version }))))
}

/// The rights matrix itself, for clients that show it.
pub async fn matrix() -> Json<Value> {
    let mark_str = |m| match m {
        Mark::Default => "X",
        Mark::Grantable => "O",
        Mark::Never => "-",
    };
    let rows: Vec<Value> = RightId::ALL
        .iter()
        .map(|r| {
            let (de, en) = describe(*r);
            let marks: serde_json::Map<String, Value> = AccountType::ALL.iter().map(|t| (t.as_str().to_owned(), json!(mark_str(mark(*r, *t))))).collect();
            json!({ "id": r.as_str(), "de": de, "en": en, "granted_by": format!("{:?}", granter(*r)).to_lowercase(), "marks": marks })
        })
        .collect();
    Json(json!({ "rights": rows }))
}
