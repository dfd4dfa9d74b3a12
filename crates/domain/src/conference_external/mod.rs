//! Handing conferences to a system the school or state already runs: BigBlueButton
//! (signed API calls) or Jitsi Meet (signed tokens). The conference button decides rights
//! through the policy as for the built-in SFU, then calls [`external_join`] here, which
//! makes sure the meeting exists there and returns the address to send the person to.
//!
//! What leaves the platform: the room's title, the person's display name and whether they
//! moderate. Meeting ids are keyed hashes of school and room, so they carry no names and
//! cannot be guessed or matched across schools without the operator's secret.

pub mod bbb;
pub mod config;
pub mod jitsi;

use aws_lc_rs::hmac;
use chrono::{DateTime, Utc};
use schulhof_types::InstanceId;
use url::Url;

pub use config::{
    BbbConfig, ChecksumAlg, ConferenceProvider, JitsiConfig, ProviderSettings, Secret,
};

use crate::{DomainError, Platform};

/// Longest display name and meeting title passed on (BigBlueButton shows both).
const MAX_NAME: usize = 128;

/// Which meeting: the school, the room (chat room, course, …) it belongs to, and the
/// title the conference system shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingRef {
    pub school: InstanceId,
    pub room: uuid::Uuid,
    pub title: String,
}

/// Who joins: the name as the platform shows it, and the role the policy granted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Participant {
    pub display_name: String,
    pub moderator: bool,
}

/// What ending a meeting did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndOutcome {
    Ended,
    /// There was no such meeting running.
    NotRunning,
    /// The system has no way to end a meeting from outside (Jitsi): tokens run out.
    NotSupported,
}

#[derive(Debug, thiserror::Error)]
pub enum ExternalError {
    #[error("conferences use the built-in system, not an external one")]
    Builtin,
    #[error("conference settings: {0}")]
    Config(String),
    #[error("{0}")]
    Invalid(String),
    #[error("conference server unreachable: {0}")]
    Http(String),
    #[error("conference server answered unreadably: {0}")]
    Xml(String),
    /// BigBlueButton's `returncode` FAILED; `message_key` is the stable part.
    #[error("conference server refused ({message_key}): {message}")]
    Failed {
        message_key: String,
        message: String,
    },
    #[error("internal: {0}")]
    Internal(String),
}

impl From<ExternalError> for DomainError {
    fn from(e: ExternalError) -> Self {
        match e {
            ExternalError::Invalid(m) => DomainError::invalid("conference", m),
            other => DomainError::Internal(other.to_string()),
        }
    }
}

/// The ids a meeting has on the external system, derived again on every call so nothing
/// needs storing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingIds {
    /// `schulhof-` and 32 hex digits; also the Jitsi room name.
    pub meeting_id: String,
    /// BigBlueButton's legacy role passwords (servers before 2.6 need them).
    pub moderator_pw: String,
    pub attendee_pw: String,
}

impl MeetingIds {
    /// `HMAC-SHA256(secret, label || 0x00 || school uuid || room uuid)` per id.
    pub fn derive(secret: &str, meeting: &MeetingRef) -> Self {
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
        let part = |label: &str| {
            let mut ctx = hmac::Context::with_key(&key);
            ctx.update(label.as_bytes());
            ctx.update(&[0]);
            ctx.update(meeting.school.0.as_bytes());
            ctx.update(meeting.room.as_bytes());
            let tag = ctx.sign();
            tag.as_ref()[..16]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        };
        Self {
            meeting_id: format!("schulhof-{}", part("meeting")),
            moderator_pw: part("moderator"),
            attendee_pw: part("attendee"),
        }
    }
}

/// Creates the meeting on the external system if needed and returns the URL that joins
/// `user` to it with their role. The caller has already checked the rights.
pub async fn external_join(
    provider: &ConferenceProvider,
    meeting: &MeetingRef,
    user: &Participant,
    now: DateTime<Utc>,
) -> Result<Url, ExternalError> {
    let meeting = MeetingRef {
        title: clean("meeting title", &meeting.title)?,
        ..meeting.clone()
    };
    let user = Participant {
        display_name: clean("display name", &user.display_name)?,
        moderator: user.moderator,
    };
    match provider {
        ConferenceProvider::Builtin => Err(ExternalError::Builtin),
        ConferenceProvider::BigBlueButton(cfg) => bbb::join(cfg, &meeting, &user).await,
        ConferenceProvider::Jitsi(cfg) => jitsi::join(cfg, &meeting, &user, now),
    }
}

/// Ends the meeting for everyone ("end for all").
pub async fn end_meeting(
    provider: &ConferenceProvider,
    meeting: &MeetingRef,
) -> Result<EndOutcome, ExternalError> {
    match provider {
        ConferenceProvider::Builtin => Err(ExternalError::Builtin),
        ConferenceProvider::BigBlueButton(cfg) => bbb::end(cfg, meeting).await,
        ConferenceProvider::Jitsi(_) => Ok(EndOutcome::NotSupported),
    }
}

/// Whether the meeting runs; `None` where the system cannot tell (Jitsi).
pub async fn is_running(
    provider: &ConferenceProvider,
    meeting: &MeetingRef,
) -> Result<Option<bool>, ExternalError> {
    match provider {
        ConferenceProvider::Builtin => Err(ExternalError::Builtin),
        ConferenceProvider::BigBlueButton(cfg) => bbb::is_running(cfg, meeting).await.map(Some),
        ConferenceProvider::Jitsi(_) => Ok(None),
    }
}

/// Trims, drops control characters, and refuses empty or overlong text.
fn clean(what: &str, raw: &str) -> Result<String, ExternalError> {
    let text: String = raw.chars().filter(|c| !c.is_control()).collect();
    let text = text.trim();
    if text.is_empty() {
        return Err(ExternalError::Invalid(format!("the {what} is empty")));
    }
    if text.chars().count() > MAX_NAME {
        return Err(ExternalError::Invalid(format!(
            "the {what} is longer than {MAX_NAME} characters"
        )));
    }
    Ok(text.to_string())
}

impl Platform {
    /// The conference system the operator configured.
    pub fn conference_provider(&self) -> &ConferenceProvider {
        &self.config.conference
    }

    /// [`external_join`] with the configured provider and the platform's clock.
    pub async fn conference_external_join(
        &self,
        meeting: &MeetingRef,
        user: &Participant,
    ) -> Result<Url, DomainError> {
        let now = self.clock.now();
        Ok(external_join(self.conference_provider(), meeting, user, now).await?)
    }

    /// [`end_meeting`] with the configured provider.
    pub async fn conference_external_end(
        &self,
        meeting: &MeetingRef,
    ) -> Result<EndOutcome, DomainError> {
        Ok(end_meeting(self.conference_provider(), meeting).await?)
    }
}
