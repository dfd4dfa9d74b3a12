//! The services' endpoints: the token endpoint (client_credentials with a JWT assertion),
//! NRPS memberships and AGS line items and scores, each behind the bearer token.

use axum::Json;
use axum::extract::{Path, RawForm, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use schulhof_domain::lti::{ServiceError, path};
use schulhof_front::AppState;
use serde_json::{Value, json};

use crate::{errors, issuer};

/// `POST /lti/token`.
pub async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawForm(body): RawForm,
) -> Response {
    let p: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| {
        p.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    let iss = issuer(&state, &headers);
    let token_url = format!("{iss}{}", path::TOKEN);
    let r = state
        .platform
        .lti_service_token(
            get("grant_type"),
            get("client_assertion_type"),
            get("client_assertion"),
            get("scope"),
            &token_url,
            &iss,
        )
        .await;
    match r {
        Ok(t) => {
            let mut r = Json(t).into_response();
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => errors::json(&e),
    }
}

fn bearer(headers: &HeaderMap) -> String {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_owned())
        .unwrap_or_default()
}

/// RFC 6750 §3.1 for token faults; 404 for a course the tool does not reach.
fn refused(e: ServiceError) -> Response {
    let (status, code, detail) = match &e {
        ServiceError::InvalidToken => (StatusCode::UNAUTHORIZED, "invalid_token", None),
        ServiceError::InsufficientScope => (StatusCode::FORBIDDEN, "insufficient_scope", None),
        ServiceError::NotFound => (StatusCode::NOT_FOUND, "not_found", None),
        ServiceError::Invalid(d) => (StatusCode::BAD_REQUEST, "invalid_request", Some(d.clone())),
        ServiceError::Server => (StatusCode::INTERNAL_SERVER_ERROR, "server_error", None),
    };
    tracing::info!(
        error = code,
        detail = detail.as_deref().unwrap_or(""),
        "LTI service request refused"
    );
    let mut body = json!({ "error": code });
    if let Some(d) = detail {
        body["error_description"] = d.into();
    }
    let mut r = (status, Json(body)).into_response();
    if matches!(
        e,
        ServiceError::InvalidToken | ServiceError::InsufficientScope
    ) {
        let v = format!("Bearer error=\"{code}\"");
        if let Ok(v) = HeaderValue::from_str(&v) {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
    }
    r
}

fn typed(v: Value, media: &'static str, status: StatusCode) -> Response {
    let mut r = (status, Json(v)).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    r
}

pub async fn members(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((school, course)): Path<(String, String)>,
) -> Response {
    let iss = issuer(&state, &headers);
    match state
        .platform
        .lti_members(&bearer(&headers), &school, &course, &iss)
        .await
    {
        Ok(v) => typed(
            v,
            "application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
            StatusCode::OK,
        ),
        Err(e) => refused(e),
    }
}

pub async fn line_items(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((school, course)): Path<(String, String)>,
) -> Response {
    let iss = issuer(&state, &headers);
    match state
        .platform
        .lti_line_items(&bearer(&headers), &school, &course, &iss)
        .await
    {
        Ok(v) => typed(
            v,
            "application/vnd.ims.lis.v2.lineitemcontainer+json",
            StatusCode::OK,
        ),
        Err(e) => refused(e),
    }
}

pub async fn line_item(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((school, course, item)): Path<(String, String, String)>,
) -> Response {
    let iss = issuer(&state, &headers);
    let b = bearer(&headers);
    match state
        .platform
        .lti_get_line_item(&b, &school, &course, &item, &iss)
        .await
    {
        Ok(v) => typed(
            v,
            "application/vnd.ims.lis.v2.lineitem+json",
            StatusCode::OK,
        ),
        Err(e) => refused(e),
    }
}

fn json_body(body: &[u8]) -> Result<Value, ServiceError> {
    serde_json::from_slice(body).map_err(|_| ServiceError::Invalid("body is not JSON".into()))
}

pub async fn add_line_item(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((school, course)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let iss = issuer(&state, &headers);
    let b = bearer(&headers);
    let run = async {
        let v = json_body(&body)?;
        state
            .platform
            .lti_add_line_item(&b, &school, &course, &v, &iss)
            .await
    };
    match run.await {
        Ok(v) => typed(
            v,
            "application/vnd.ims.lis.v2.lineitem+json",
            StatusCode::CREATED,
        ),
        Err(e) => refused(e),
    }
}

/// `PUT …/bewertungen/{item}`: the tool changes its line item.
pub async fn update_line_item(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((school, course, item)): Path<(String, String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let iss = issuer(&state, &headers);
    let b = bearer(&headers);
    let run = async {
        let v = json_body(&body)?;
        state
            .platform
            .lti_update_line_item(&b, &school, &course, &item, &v, &iss)
            .await
    };
    match run.await {
        Ok(v) => typed(
            v,
            "application/vnd.ims.lis.v2.lineitem+json",
            StatusCode::OK,
        ),
        Err(e) => refused(e),
    }
}

/// `DELETE …/bewertungen/{item}`.
pub async fn delete_line_item(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((school, course, item)): Path<(String, String, String)>,
) -> Response {
    let b = bearer(&headers);
    match state
        .platform
        .lti_delete_line_item(&b, &school, &course, &item)
        .await
    {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => refused(e),
    }
}

/// `GET …/bewertungen/{item}/results[?user_id=…]` (AGS result service).
pub async fn results(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((school, course, item)): Path<(String, String, String)>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let iss = issuer(&state, &headers);
    let b = bearer(&headers);
    let user = q.get("user_id").map(String::as_str);
    match state
        .platform
        .lti_results(&b, &school, &course, &item, user, &iss)
        .await
    {
        Ok(v) => typed(
            v,
            "application/vnd.ims.lis.v2.resultcontainer+json",
            StatusCode::OK,
        ),
        Err(e) => refused(e),
    }
}

pub async fn score(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((school, course, item)): Path<(String, String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let b = bearer(&headers);
    let run = async {
        let v = json_body(&body)?;
        state
            .platform
            .lti_post_score(&b, &school, &course, &item, &v)
            .await
    };
    match run.await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => refused(e),
    }
}
