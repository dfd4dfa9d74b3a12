//! `POST /api/v1/session` logs in, `DELETE` logs out.

use axum::Json;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum_extra::extract::cookie::CookieJar;
use schulhof_front::{AppState, ClientAddr, SESSION_COOKIE, expire_session_cookie, session_cookie};
use serde::Deserialize;
use serde_json::json;

use crate::ApiError;
use crate::extract::Body;

#[derive(Deserialize)]
pub struct LoginRequest {
    instance: String,
    login: String,
    password: String,
}

pub async fn login(
    axum::extract::State(state): axum::extract::State<AppState>,
    ClientAddr(addr): ClientAddr,
    jar: CookieJar,
    Body(req): Body<LoginRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let new = state
        .platform
        .login(&req.instance, &req.login, &req.password, &addr)
        .await?;
    let session = state.platform.session(&new.cookie).await?;
    let next = match session.gate {
        Some(schulhof_domain::identity::Gate::PasswordChange) => Some("password_change_required"),
        Some(schulhof_domain::identity::Gate::Consent) => Some("consent_required"),
        None => None,
    };
    let body = json!({
        "login": session.actor.user.login,
        "instance": session.actor.school_number,
        "expires": new.expires,
        "required": next,
    });
    Ok((
        jar.add(session_cookie(new.cookie, state.secure_cookies)),
        Json(body),
    ))
}

pub async fn logout(
    axum::extract::State(state): axum::extract::State<AppState>,
    ClientAddr(addr): ClientAddr,
    jar: CookieJar,
) -> Result<impl IntoResponse, ApiError> {
    if let Some(c) = jar.get(SESSION_COOKIE) {
        state.platform.logout(c.value(), &addr).await?;
    }
    Ok((
        jar.add(expire_session_cookie(state.secure_cookies)),
        StatusCode::NO_CONTENT,
    ))
}
