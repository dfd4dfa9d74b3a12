//! Jitsi Meet with token authentication: an HS256 JWT per person and room, in the claims
//! lib-jitsi-meet's `doc/tokens.md` describes, appended to the room URL as `?jwt=`.
//! Jitsi needs no call to create a room: the first person with a valid token opens it.

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::Serialize;
use url::Url;

use super::config::JitsiConfig;
use super::{ExternalError, MeetingIds, MeetingRef, Participant};

/// The fixed header: exactly these bytes, so signatures are reproducible.
const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// Allowance for clocks a little ahead on the Jitsi side.
const CLOCK_SKEW_SECS: i64 = 60;

/// `base64url(header).base64url(payload).base64url(HMAC-SHA256(secret, signing input))`
/// over the payload bytes as given.
pub fn sign_hs256(payload_json: &[u8], secret: &[u8]) -> String {
    let mut input = URL_SAFE_NO_PAD.encode(HEADER);
    input.push('.');
    input.push_str(&URL_SAFE_NO_PAD.encode(payload_json));
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    let tag = hmac::sign(&key, input.as_bytes());
    input.push('.');
    input.push_str(&URL_SAFE_NO_PAD.encode(tag.as_ref()));
    input
}

/// The token's claims. Every value in `context.user` is a string: the token plugin
/// throws on other types (tokens.md).
#[derive(Debug, Serialize)]
pub struct Claims<'a> {
    pub aud: &'a str,
    pub iss: &'a str,
    pub sub: &'a str,
    pub room: &'a str,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    /// Top-level boolean for the widely used `token_moderation` Prosody module.
    pub moderator: bool,
    pub context: Context<'a>,
}

#[derive(Debug, Serialize)]
pub struct Context<'a> {
    pub user: User<'a>,
    pub features: Features,
}

#[derive(Debug, Serialize)]
pub struct User<'a> {
    pub name: &'a str,
    /// `"true"` makes the person moderator (Jitsi as a Service, `token_affiliation`).
    pub moderator: &'static str,
    /// `owner` or `member` for the `token_affiliation` Prosody module.
    pub affiliation: &'static str,
}

/// Features a token may switch on where the deployment honours them. Schools do not
/// record or stream lessons from here, so all stay off.
#[derive(Debug, Serialize)]
pub struct Features {
    pub recording: &'static str,
    pub livestreaming: &'static str,
    pub transcription: &'static str,
    #[serde(rename = "outbound-call")]
    pub outbound_call: &'static str,
    #[serde(rename = "sip-outbound-call")]
    pub sip_outbound_call: &'static str,
}

const FEATURES_OFF: Features = Features {
    recording: "false",
    livestreaming: "false",
    transcription: "false",
    outbound_call: "false",
    sip_outbound_call: "false",
};

/// The signed token for one person in one room.
pub fn token(
    cfg: &JitsiConfig,
    room: &str,
    user: &Participant,
    now: DateTime<Utc>,
) -> Result<String, ExternalError> {
    let now = now.timestamp();
    let ttl = i64::try_from(cfg.ttl.as_secs()).unwrap_or(3600);
    let claims = Claims {
        aud: &cfg.app_id,
        iss: &cfg.app_id,
        sub: &cfg.sub,
        room,
        iat: now,
        nbf: now - CLOCK_SKEW_SECS,
        exp: now + ttl,
        moderator: user.moderator,
        context: Context {
            user: User {
                name: &user.display_name,
                moderator: if user.moderator { "true" } else { "false" },
                affiliation: if user.moderator { "owner" } else { "member" },
            },
            features: FEATURES_OFF,
        },
    };
    let payload =
        serde_json::to_vec(&claims).map_err(|e| ExternalError::Internal(e.to_string()))?;
    Ok(sign_hs256(&payload, cfg.secret.expose().as_bytes()))
}

/// `https://host[/tenant]/<room>?jwt=<token>`.
pub fn join(
    cfg: &JitsiConfig,
    meeting: &MeetingRef,
    user: &Participant,
    now: DateTime<Utc>,
) -> Result<Url, ExternalError> {
    let ids = MeetingIds::derive(cfg.secret.expose(), meeting);
    let room = ids.meeting_id.as_str();
    let jwt = token(cfg, room, user, now)?;
    let mut url = cfg.url.clone();
    let base = cfg.url.path().trim_end_matches('/');
    url.set_path(&format!("{base}/{room}"));
    url.query_pairs_mut().append_pair("jwt", &jwt);
    Ok(url)
}
