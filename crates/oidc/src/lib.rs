//! The platform as an OpenID Connect provider: discovery, keys, authorization, token,
//! userinfo, revocation and end-session endpoints. Requests are parsed here and answered
//! as RFC 6749, RFC 7009, RFC 7636 and OpenID Connect Core/Discovery/RP-Initiated Logout
//! prescribe; every decision is the domain's (`Platform::oidc_*`) and the policy's.

mod authorize;
mod cors;
mod discovery;
mod errors;
mod logout;
mod lti;
mod token;

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::get;
use schulhof_front::AppState;

/// The endpoints' paths (discovery names them).
pub const AUTHORIZE: &str = "/oidc/authorize";
pub const TOKEN: &str = "/oidc/token";
pub const USERINFO: &str = "/oidc/userinfo";
pub const JWKS: &str = "/oidc/jwks";
pub const REVOKE: &str = "/oidc/revoke";
pub const LOGOUT: &str = "/oidc/logout";
/// The consent screen (a page of `schulhof-web`).
pub const CONSENT: &str = "/oidc/zustimmung";

/// The provider's routes; the server merges them next to the pages.
pub fn router() -> Router<AppState> {
    // What a public client in a browser calls itself: open to every origin (see `cors`).
    let browser = Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(discovery::configuration).options(cors::preflight),
        )
        .route(JWKS, get(discovery::jwks).options(cors::preflight))
        .route(
            TOKEN,
            axum::routing::post(token::token).options(cors::preflight),
        )
        .route(
            USERINFO,
            get(token::userinfo)
                .post(token::userinfo)
                .options(cors::preflight),
        )
        .route(
            REVOKE,
            axum::routing::post(token::revoke).options(cors::preflight),
        )
        .layer(axum::middleware::map_response(cors::allow));
    Router::new()
        .merge(browser)
        .route(AUTHORIZE, get(authorize::get).post(authorize::post))
        .route(LOGOUT, get(logout::get).post(logout::post))
        .merge(lti::router())
}

/// Paths the server's CSRF layer lets cross-origin POSTs through: they read no cookie
/// (the client authenticates itself, or presents a bearer token), so a forged request
/// from another site carries nothing it could abuse — and tools call them from their
/// servers and, for public clients, from their pages.
pub fn csrf_exempt(path: &str) -> bool {
    matches!(path, TOKEN | REVOKE | USERINFO) || lti::csrf_exempt(path)
}

/// The issuer: the public base URL (`--public-url`), else the address the request came to.
pub fn issuer(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(u) = state.platform.config().outbound.public_url.as_deref() {
        return u.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if state.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// `base` with `params` appended to its query (percent-encoded).
pub(crate) fn with_query(base: &str, params: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        s.append_pair(k, v);
    }
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}{}", s.finish())
}
