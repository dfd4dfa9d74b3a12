//! `/.well-known/openid-configuration` (OpenID Connect Discovery 1.0) and the JWKS.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use schulhof_domain::oidc::{ID_TOKEN_ALGS, SCOPES};
use schulhof_front::AppState;
use serde_json::json;

use crate::{AUTHORIZE, JWKS, LOGOUT, REVOKE, TOKEN, USERINFO, errors, issuer};

pub async fn configuration(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let iss = issuer(&state, &headers);
    let at = |p: &str| format!("{iss}{p}");
    Json(json!({
        "issuer": iss,
        "authorization_endpoint": at(AUTHORIZE),
        "token_endpoint": at(TOKEN),
        "userinfo_endpoint": at(USERINFO),
        "jwks_uri": at(JWKS),
        "revocation_endpoint": at(REVOKE),
        "end_session_endpoint": at(LOGOUT),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ID_TOKEN_ALGS,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": SCOPES,
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash",
            "azp", "school", "role", "name", "given_name", "family_name", "email",
            "email_verified", "groups", "sid"],
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
        "frontchannel_logout_supported": true,
        "frontchannel_logout_session_supported": true,
        "prompt_values_supported": ["none", "login", "consent"],
        "authorization_response_iss_parameter_supported": true,
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "ui_locales_supported": ["de", "en"],
    }))
    .into_response()
}

pub async fn jwks(State(state): State<AppState>) -> Response {
    match state.platform.oidc_jwks().await {
        Ok(set) => Json(set).into_response(),
        Err(e) => errors::json(&e),
    }
}
