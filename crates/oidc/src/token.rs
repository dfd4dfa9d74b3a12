//! The token endpoint (authorization_code, refresh_token), userinfo and revocation.

use axum::Json;
use axum::extract::{RawForm, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use schulhof_domain::oidc::{ClientAuth, OidcError};
use schulhof_front::AppState;

use crate::{errors, issuer};

type Params = Vec<(String, String)>;

fn parse(body: &[u8]) -> Params {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// The one value of `name`; a repeated parameter is invalid (RFC 6749 §3.1).
fn one<'a>(p: &'a Params, name: &str) -> Result<Option<&'a str>, OidcError> {
    let mut it = p.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let first = it.next();
    if it.next().is_some() {
        return Err(OidcError::InvalidRequest(format!("{name} repeated")));
    }
    Ok(first.filter(|v| !v.is_empty()))
}

fn need<'a>(p: &'a Params, name: &str) -> Result<&'a str, OidcError> {
    one(p, name)?.ok_or_else(|| OidcError::InvalidRequest(format!("{name} missing")))
}

/// `Authorization: Basic` (RFC 6749 §2.3.1: id and secret form-encoded, then base64).
fn basic(headers: &HeaderMap) -> Result<Option<(String, String)>, OidcError> {
    let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(None);
    };
    let Some(b64) = v
        .strip_prefix("Basic ")
        .or_else(|| v.strip_prefix("basic "))
    else {
        return Ok(None);
    };
    let raw = STANDARD
        .decode(b64.trim())
        .map_err(|_| OidcError::InvalidClient)?;
    let raw = String::from_utf8(raw).map_err(|_| OidcError::InvalidClient)?;
    let (id, secret) = raw.split_once(':').ok_or(OidcError::InvalidClient)?;
    let dec = |s: &str| -> String {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Ok(Some((dec(id), dec(secret))))
}

/// How the client authenticated: Basic, or the form's client_id (+ client_secret); not both.
fn client_auth(headers: &HeaderMap, p: &Params) -> Result<ClientAuth, OidcError> {
    let form_id = one(p, "client_id")?;
    let form_secret = one(p, "client_secret")?;
    match basic(headers)? {
        Some(_) if form_secret.is_some() => Err(OidcError::InvalidRequest(
            "more than one client authentication method".into(),
        )),
        Some((id, _)) if form_id.is_some_and(|f| f != id) => Err(OidcError::InvalidClient),
        Some((id, secret)) => Ok(ClientAuth {
            client_id: id,
            secret: Some(secret),
        }),
        None => Ok(ClientAuth {
            client_id: form_id.ok_or(OidcError::InvalidClient)?.to_owned(),
            secret: form_secret.map(str::to_owned),
        }),
    }
}

fn no_store(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    r
}

/// The client id a refused request named (Basic or the form), for the log; empty if none.
fn named_client(headers: &HeaderMap, p: &Params) -> String {
    client_auth(headers, p)
        .map(|a| a.client_id)
        .or_else(|_| one(p, "client_id").map(|c| c.unwrap_or_default().to_owned()))
        .unwrap_or_default()
}

pub async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawForm(body): RawForm,
) -> Response {
    let p = parse(&body);
    match exchange(&state, &headers, &p).await {
        Ok(r) => no_store(Json(r).into_response()),
        Err(e) => errors::json_for(&e, &named_client(&headers, &p)),
    }
}

async fn exchange(
    state: &AppState,
    headers: &HeaderMap,
    p: &Params,
) -> Result<schulhof_domain::oidc::TokenResponse, OidcError> {
    let grant = need(p, "grant_type")?;
    let auth = client_auth(headers, p)?;
    let iss = issuer(state, headers);
    let platform = &state.platform;
    match grant {
        "authorization_code" => {
            let code = need(p, "code")?;
            let redirect = need(p, "redirect_uri")?;
            let verifier = one(p, "code_verifier")?;
            platform
                .oidc_exchange_code(&auth, code, redirect, verifier, &iss)
                .await
        }
        "refresh_token" => {
            platform
                .oidc_refresh(&auth, need(p, "refresh_token")?, &iss)
                .await
        }
        _ => Err(OidcError::UnsupportedGrantType),
    }
}

/// Userinfo (OIDC Core §5.3): the bearer token in the header, or as a form field of a POST.
pub async fn userinfo(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawForm(body): RawForm,
) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_owned());
    let form = parse(&body);
    let token = bearer.or_else(|| one(&form, "access_token").ok().flatten().map(str::to_owned));
    let Some(token) = token else {
        return errors::json(&OidcError::InvalidToken);
    };
    match state.platform.oidc_userinfo(&token).await {
        Ok(claims) => no_store(Json(claims).into_response()),
        Err(e) => errors::json(&e),
    }
}

/// Revocation (RFC 7009): 200 whether or not the token was known.
pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawForm(body): RawForm,
) -> Response {
    let p = parse(&body);
    let run = async {
        let token = need(&p, "token")?;
        let auth = client_auth(&headers, &p)?;
        state.platform.oidc_revoke(&auth, token).await
    };
    match run.await {
        Ok(()) => no_store(().into_response()),
        Err(e) => errors::json_for(&e, &named_client(&headers, &p)),
    }
}
