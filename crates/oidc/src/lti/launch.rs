//! Launch endpoints: the start of a launch from a course (to the tool's login initiation),
//! the tool's authentication request (answered with a self-submitting form carrying the ID
//! token, LTI Core §5.1.1.2), and the deep linking response.

use std::collections::HashMap;

use axum::extract::{Path, Query, RawForm, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_domain::lti::{LtiAuthFailure, LtiAuthRequest, LtiAuthorized, LtiStart, path};
use schulhof_front::AppState;
use schulhof_types::{ActivityId, SectionId};

use super::{actor, esc};
use crate::authorize::CANCELLED;
use crate::{CONSENT, errors, issuer};

fn to_login(uri: &Uri) -> Response {
    let back: String = url::form_urlencoded::byte_serialize(uri.to_string().as_bytes()).collect();
    Redirect::to(&format!("/anmelden?zurueck={back}")).into_response()
}

fn failed(e: DomainError) -> Response {
    let status = match e {
        DomainError::NotFound => StatusCode::NOT_FOUND,
        DomainError::Forbidden | DomainError::Denied(_) => StatusCode::FORBIDDEN,
        _ => StatusCode::BAD_REQUEST,
    };
    tracing::info!(error = %e, "LTI launch refused");
    (status, errors::page("lti").into_body()).into_response()
}

/// Where opening a tool leads: to the tool's login, or to the consent screen first, which
/// returns to `again` (`?werkzeug=` names the tool for it).
fn opened(r: Result<LtiStart, DomainError>, again: &str) -> Response {
    match r {
        Ok(LtiStart::Tool(url)) => Redirect::to(&url).into_response(),
        Ok(LtiStart::Consent { .. }) => {
            let back: String = url::form_urlencoded::byte_serialize(again.as_bytes()).collect();
            Redirect::to(&format!("{CONSENT}?weiter={back}")).into_response()
        }
        Err(e) => failed(e),
    }
}

/// `GET /lti/start/{activity}`: open an LTI activity (after the consent screen, if the tool
/// needs one; cancelled there, back to the activity without contacting the tool).
pub async fn start(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(a) = actor(&state, &headers).await else {
        return to_login(&uri);
    };
    let Ok(id) = id.parse::<ActivityId>() else {
        return failed(DomainError::NotFound);
    };
    if q.contains_key(CANCELLED) {
        return Redirect::to(&format!("/kurse/lti/{id}")).into_response();
    }
    let r = state
        .platform
        .lti_start(&a, id, &issuer(&state, &headers))
        .await;
    let again = match &r {
        Ok(LtiStart::Consent { client_id }) => {
            let tool: String = url::form_urlencoded::byte_serialize(client_id.as_bytes()).collect();
            format!("{}/{id}?werkzeug={tool}", path::START)
        }
        _ => String::new(),
    };
    opened(r, &again)
}

/// `GET /lti/auswahl/{section}?werkzeug=…`: a teacher picks content in a tool (after the
/// consent screen, if the tool needs one).
pub async fn pick(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(section): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(a) = actor(&state, &headers).await else {
        return to_login(&uri);
    };
    let Ok(section) = section.parse::<SectionId>() else {
        return failed(DomainError::NotFound);
    };
    if q.contains_key(CANCELLED) {
        return Redirect::to(&format!("/kurse/abschnitte/{section}/lti/neu")).into_response();
    }
    let tool = q.get("werkzeug").map(String::as_str).unwrap_or_default();
    let iss = issuer(&state, &headers);
    let r = state.platform.lti_pick_start(&a, section, tool, &iss).await;
    let enc: String = url::form_urlencoded::byte_serialize(tool.as_bytes()).collect();
    opened(r, &format!("{}/{section}?werkzeug={enc}", path::PICK))
}

fn request(q: &HashMap<String, String>) -> LtiAuthRequest {
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let opt = |k: &str| q.get(k).filter(|v| !v.is_empty()).cloned();
    LtiAuthRequest {
        scope: get("scope"),
        response_type: get("response_type"),
        response_mode: get("response_mode"),
        client_id: get("client_id"),
        redirect_uri: get("redirect_uri"),
        login_hint: get("login_hint"),
        lti_message_hint: get("lti_message_hint"),
        state: opt("state"),
        nonce: opt("nonce"),
        prompt: opt("prompt"),
        cancelled: q.contains_key(CANCELLED),
    }
}

/// This request again as a local path (GET, whichever way it came): where the consent
/// screen leads back to, as for the authorization endpoint.
fn again(q: &HashMap<String, String>) -> String {
    let mut keys: Vec<&String> = q.keys().filter(|k| k.as_str() != CANCELLED).collect();
    keys.sort();
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for k in keys {
        s.append_pair(k, &q[k]);
    }
    format!("{}?{}", path::AUTHORIZE, s.finish())
}

pub async fn authorize_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    authorize(&state, &headers, &uri, q).await
}

pub async fn authorize_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    RawForm(body): RawForm,
) -> Response {
    let q = url::form_urlencoded::parse(&body).into_owned().collect();
    authorize(&state, &headers, &uri, q).await
}

async fn authorize(
    state: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    q: HashMap<String, String>,
) -> Response {
    let r = request(&q);
    let a = actor(state, headers).await;
    let iss = issuer(state, headers);
    let mut fields: Vec<(&str, String)> = Vec::new();
    let target = match state.platform.lti_authorize(a.as_ref(), &r, &iss).await {
        Ok(LtiAuthorized::Post {
            redirect_uri,
            id_token,
        }) => {
            fields.push(("id_token", id_token));
            redirect_uri
        }
        Ok(LtiAuthorized::Login) => return to_login(uri),
        Ok(LtiAuthorized::Consent) => {
            let back: String = url::form_urlencoded::byte_serialize(again(&q).as_bytes()).collect();
            return Redirect::to(&format!("{CONSENT}?weiter={back}")).into_response();
        }
        Err(LtiAuthFailure::BadClient(reason)) => return errors::page(reason),
        Err(LtiAuthFailure::Post {
            redirect_uri,
            error,
        }) => {
            tracing::info!(error = error.code(), client = %r.client_id, "LTI authentication refused");
            fields.push(("error", error.code().to_owned()));
            if let Some(d) = error.description() {
                fields.push(("error_description", d.to_owned()));
            }
            redirect_uri
        }
    };
    if let Some(s) = &r.state {
        fields.push(("state", s.clone()));
    }
    auto_post(&target, &fields)
}

/// A form the browser posts at once (script), or with one click without script.
fn auto_post(action: &str, fields: &[(&str, String)]) -> Response {
    let inputs: String = fields
        .iter()
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                esc(k),
                esc(v)
            )
        })
        .collect();
    let body = format!(
        "<!doctype html><html lang=\"de\"><head><meta charset=\"utf-8\">\
         <title>Weiter zum Werkzeug</title><link rel=\"stylesheet\" href=\"/static/app.css\"></head>\
         <body><main id=\"inhalt\"><form id=\"lti\" method=\"post\" action=\"{}\">{inputs}\
         <p>Das Werkzeug wird geöffnet … <span lang=\"en\">(Opening the tool …)</span></p>\
         <noscript><button type=\"submit\">Weiter <span lang=\"en\">(Continue)</span></button></noscript>\
         </form><script src=\"/lti/post.js\"></script></main></body></html>",
        esc(action)
    );
    let mut r = Html(body).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// `POST /lti/deeplink`: the tool's signed deep linking response (form field `JWT`).
pub async fn deep_link_return(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawForm(body): RawForm,
) -> Response {
    let q: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let jwt = q.get("JWT").map(String::as_str).unwrap_or_default();
    let iss = issuer(&state, &headers);
    match state.platform.lti_deep_link_return(jwt, &iss).await {
        Ok((course, _)) => Redirect::to(&format!("/kurse/{course}?ok=lti")).into_response(),
        Err(e) => errors::json(&e),
    }
}

/// `GET /lti/post.js`: submits the form above (a file, so the page's CSP needs no inline
/// script).
pub async fn post_js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        "document.getElementById('lti').submit();\n",
    )
        .into_response()
}
