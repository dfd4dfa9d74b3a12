//! The platform as an OpenID Connect provider (issue 18): connected tools, the code flow
//! with PKCE, rotated refresh tokens, pairwise subjects and consents. The protocol crate
//! (`schulhof-oidc`) parses requests and shapes responses; everything decided is here and
//! in `schulhof_authz::oidc`.

mod account;
mod authorize;
// The signing key and pairwise secrets as this node keeps them.
mod cache;
pub(crate) mod clients;
// Requests to tools' URIs go only to public addresses (the LTI key sets use it too).
pub(crate) mod guard;
// The LTI messages (crate::lti) are signed with the same keys.
pub(crate) mod keys;
// Tiles that open a tool (third-party initiated login).
mod launch;
pub(crate) mod logout;
mod pairwise;
mod token;
mod tools;
mod userinfo;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use schulhof_authz::oidc::{Claim, ToolFacts};
use schulhof_store::oidc::ClientRow;
use sha2::{Digest, Sha256};

pub(crate) use authorize::standing_consent;
pub use authorize::{AuthFailure, AuthRequest, Authorized, ConsentScreen};
pub use cache::KEY_REREAD_SECS;
pub(crate) use cache::OidcCache;
pub use clients::{NewClient, RegisteredClient, ToolView};
pub use keys::{ES256, ID_TOKEN_ALGS, SIGNING_ALG};
pub use launch::{ToolTile, initiate_url};
pub use logout::BACKCHANNEL_EVENT;
pub use pairwise::pairwise_subject;
pub use schulhof_authz::oidc::Under16;
pub use schulhof_store::oidc::consents::ConsentedTool;
pub use token::{ClientAuth, TokenResponse};
pub use tools::ToolSummary;

use crate::DomainError;

/// A code is redeemable this long (OIDC Core and RFC 9700 recommend at most a minute).
pub const CODE_TTL_SECS: i64 = 60;
/// An access token's lifetime.
pub const ACCESS_TTL_SECS: i64 = 3600;
/// A refresh token's lifetime (each use replaces it with a fresh one).
pub const REFRESH_TTL_SECS: i64 = 30 * 24 * 3600;
/// How long a retired signing key stays in the JWKS.
pub const KEY_OVERLAP_SECS: i64 = 7 * 24 * 3600;
/// How old a signing key grows before the hourly job replaces it.
pub const KEY_ROTATION_SECS: i64 = 90 * 24 * 3600;

/// A refusal as RFC 6749 §5.2 / OIDC Core name it; the protocol crate turns it into the
/// JSON error or the redirect the specifications prescribe.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OidcError {
    #[error("invalid_request: {0}")]
    InvalidRequest(String),
    #[error("invalid_client")]
    InvalidClient,
    #[error("invalid_grant: {0}")]
    InvalidGrant(String),
    #[error("unauthorized_client")]
    UnauthorizedClient,
    #[error("unsupported_grant_type")]
    UnsupportedGrantType,
    #[error("unsupported_response_type")]
    UnsupportedResponseType,
    #[error("invalid_scope")]
    InvalidScope,
    #[error("access_denied")]
    AccessDenied,
    #[error("login_required")]
    LoginRequired,
    #[error("consent_required")]
    ConsentRequired,
    #[error("invalid_token")]
    InvalidToken,
    #[error("server_error")]
    ServerError,
}

impl OidcError {
    /// The `error` value of the response.
    pub fn code(&self) -> &'static str {
        match self {
            OidcError::InvalidRequest(_) => "invalid_request",
            OidcError::InvalidClient => "invalid_client",
            OidcError::InvalidGrant(_) => "invalid_grant",
            OidcError::UnauthorizedClient => "unauthorized_client",
            OidcError::UnsupportedGrantType => "unsupported_grant_type",
            OidcError::UnsupportedResponseType => "unsupported_response_type",
            OidcError::InvalidScope => "invalid_scope",
            OidcError::AccessDenied => "access_denied",
            OidcError::LoginRequired => "login_required",
            OidcError::ConsentRequired => "consent_required",
            OidcError::InvalidToken => "invalid_token",
            OidcError::ServerError => "server_error",
        }
    }

    /// The `error_description`, where there is one worth telling the tool.
    pub fn description(&self) -> Option<&str> {
        match self {
            OidcError::InvalidRequest(d) | OidcError::InvalidGrant(d) => Some(d),
            _ => None,
        }
    }
}

impl From<DomainError> for OidcError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Invalid { message, .. } => OidcError::InvalidRequest(message),
            DomainError::NotFound | DomainError::Forbidden | DomainError::Denied(_) => {
                OidcError::AccessDenied
            }
            other => {
                tracing::error!(error = %other, "OpenID Connect request failed");
                OidcError::ServerError
            }
        }
    }
}

impl From<schulhof_store::StoreError> for OidcError {
    fn from(e: schulhof_store::StoreError) -> Self {
        OidcError::from(DomainError::from(e))
    }
}

impl crate::Platform {
    /// This platform with requests to tools on loopback allowed (tests, development).
    pub fn with_tool_urls_on_loopback(mut self) -> Self {
        let mut c = (*self.config).clone();
        c.tool_urls_on_loopback = true;
        self.config = std::sync::Arc::new(c);
        self
    }
}

/// SHA-256 hex: how secrets, codes and tokens are stored.
pub(crate) fn hash(value: &str) -> String {
    let d = Sha256::digest(value.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// 32 random bytes, base64url: codes, tokens, secrets.
pub(crate) fn random_value() -> String {
    let mut raw = [0u8; 32];
    rand::rng().fill_bytes(&mut raw);
    URL_SAFE_NO_PAD.encode(raw)
}

/// The claims a scope string asks for (unknown scopes are ignored, as RFC 6749 allows).
pub fn claims_of_scope(scope: &[String]) -> Vec<Claim> {
    scope
        .iter()
        .filter_map(|s| match s.as_str() {
            "profile" => Some(Claim::Name),
            "email" => Some(Claim::Email),
            "groups" => Some(Claim::Groups),
            "role" => Some(Claim::Role),
            "school" => Some(Claim::School),
            _ => None,
        })
        .collect()
}

/// The scopes this provider knows (discovery's `scopes_supported`).
pub const SCOPES: &[&str] = &[
    "openid",
    "profile",
    "email",
    "groups",
    "role",
    "school",
    "offline_access",
];

pub(crate) fn facts(c: &ClientRow) -> ToolFacts {
    ToolFacts {
        owner: c.instance,
        allowed: c.claims.iter().filter_map(|s| Claim::parse(s)).collect(),
    }
}

pub(crate) fn claim_names(claims: &[Claim]) -> Vec<String> {
    claims.iter().map(|c| c.as_str().to_owned()).collect()
}

pub(crate) fn parse_claims(names: &[String]) -> Vec<Claim> {
    names.iter().filter_map(|s| Claim::parse(s)).collect()
}
