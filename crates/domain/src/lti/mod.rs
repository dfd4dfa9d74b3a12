//! LTI 1.3 with Advantage inside the LMS (issue 18): a tool registered as an OpenID Connect
//! client with launch details, placed in a course section as an activity of kind `lti`;
//! launches (resource link and deep linking) as ID tokens signed with the provider's keys,
//! with the pairwise subject; deep linking responses turned into activities; and the tool's
//! services — Names and Role Provisioning and Assignment and Grade Services — behind a
//! client-credentials token the tool gets with a JWT signed by its own key (RFC 7523).
//!
//! Every decision is `schulhof_authz::lti`'s (built on `oidc::UseTool` and the LMS policy).

mod claims;
mod deeplink;
mod grades;
pub mod jwt;
mod keys;
mod launch;
mod register;
mod results;
mod services;
mod tools;

pub use grades::LtiActivityView;
pub use launch::{LtiAuthFailure, LtiAuthRequest, LtiAuthorized, LtiStart};
pub use services::{ServiceError, ServiceToken};
pub use tools::{LtiActivityInput, LtiToolView, NewLtiTool, RegisteredLtiTool};

/// The activity kind of a placed tool.
pub const KIND: &str = "lti";

/// Claim names (LTI Core 1.3, Deep Linking 2.0, NRPS 2.0, AGS 2.0).
pub mod claim {
    pub const MESSAGE_TYPE: &str = "https://purl.imsglobal.org/spec/lti/claim/message_type";
    pub const VERSION: &str = "https://purl.imsglobal.org/spec/lti/claim/version";
    pub const DEPLOYMENT: &str = "https://purl.imsglobal.org/spec/lti/claim/deployment_id";
    pub const TARGET: &str = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri";
    pub const RESOURCE_LINK: &str = "https://purl.imsglobal.org/spec/lti/claim/resource_link";
    pub const CONTEXT: &str = "https://purl.imsglobal.org/spec/lti/claim/context";
    pub const ROLES: &str = "https://purl.imsglobal.org/spec/lti/claim/roles";
    pub const CUSTOM: &str = "https://purl.imsglobal.org/spec/lti/claim/custom";
    pub const PLATFORM: &str = "https://purl.imsglobal.org/spec/lti/claim/tool_platform";
    pub const DL_SETTINGS: &str =
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings";
    pub const DL_ITEMS: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items";
    pub const DL_DATA: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/data";
    pub const NRPS: &str = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice";
    pub const AGS: &str = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint";
}

/// Service scopes.
pub mod scope {
    pub const MEMBERSHIP: &str =
        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";
    pub const LINEITEM: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";
    pub const LINEITEM_READ: &str =
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly";
    pub const SCORE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
    pub const RESULT_READ: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly";
    pub const ALL: &[&str] = &[MEMBERSHIP, LINEITEM, LINEITEM_READ, SCORE, RESULT_READ];
}

/// The protocol paths (the front-end crate routes them; launches and services name them).
pub mod path {
    pub const AUTHORIZE: &str = "/lti/authorize";
    /// `/lti/start/{activity}`: a person opens an activity.
    pub const START: &str = "/lti/start";
    /// `/lti/auswahl/{section}?werkzeug=…`: a teacher picks content in a tool.
    pub const PICK: &str = "/lti/auswahl";
    pub const TOKEN: &str = "/lti/token";
    pub const DEEP_LINK_RETURN: &str = "/lti/deeplink";
    /// `/lti/dienste/{school}/{course}` + `/mitglieder` or `/bewertungen[/{item}[/scores]]`.
    pub const SERVICES: &str = "/lti/dienste";
}

/// What a launch asks for in OpenID Connect terms: besides the pseudonym, name and mail
/// address (LTI Core §5.3.6), where the tool is registered for them. The consent screen of
/// a launch asks as for an authorization request with this scope.
pub const LAUNCH_SCOPE: &str = "openid profile email";

/// The claims of [`LAUNCH_SCOPE`].
pub(crate) fn launch_claims() -> Vec<schulhof_authz::oidc::Claim> {
    let scope: Vec<String> = LAUNCH_SCOPE.split(' ').map(str::to_owned).collect();
    crate::oidc::claims_of_scope(&scope)
}

/// How long a launch waits for the tool's authentication request.
pub const MESSAGE_TTL_SECS: i64 = 300;
/// How long a launch waits from the moment its person reaches the consent screen: reading
/// a tool's terms takes longer than the tool's redirect.
pub const CONSENT_TTL_SECS: i64 = 1800;
/// How long a teacher has to pick content in the tool.
pub const PICK_TTL_SECS: i64 = 3600;
/// An LTI ID token's lifetime.
pub const ID_TOKEN_TTL_SECS: i64 = 300;
/// A service access token's lifetime.
pub const SERVICE_TOKEN_TTL_SECS: i64 = 3600;
/// Points are stored in thousandths.
pub const MILLI: f64 = 1000.0;

/// `"{school uuid}.{uuid}"`: the opaque handle of a launch in `lti_message_hint`.
pub(crate) fn handle(instance: schulhof_types::InstanceId, id: uuid::Uuid) -> String {
    format!("{}.{}", instance.0.simple(), id.simple())
}

pub(crate) fn parse_handle(s: &str) -> Option<(schulhof_types::InstanceId, uuid::Uuid)> {
    let (i, m) = s.split_once('.')?;
    Some((schulhof_types::InstanceId(i.parse().ok()?), m.parse().ok()?))
}

impl crate::Platform {
    /// Deletes expired launches, nonces and service tokens (the hourly retention job).
    pub async fn system_lti_purge(&self) -> Result<u64, crate::DomainError> {
        let now = schulhof_store::to_us(self.now());
        let mut tx = self.db.begin().await?;
        let n = schulhof_store::lti::purge_expired(&mut tx, now).await?;
        tx.commit().await?;
        Ok(n)
    }
}
