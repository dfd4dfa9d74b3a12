//! BigBlueButton's API: signed `create`, `join`, `end` and `isMeetingRunning` URLs and
//! its XML answers. Every call carries `checksum = hash(callName + queryString + secret)`
//! (docs.bigbluebutton.org, "API Security Model"); the query string signed is exactly the
//! one sent.

use std::collections::BTreeMap;

use aws_lc_rs::digest;
use url::Url;

use super::config::{BbbConfig, ChecksumAlg};
use super::{EndOutcome, ExternalError, MeetingIds, MeetingRef, Participant};

/// Larger answers are not BigBlueButton's: stop reading rather than buffer them.
const MAX_RESPONSE: usize = 256 * 1024;

/// The hex checksum BigBlueButton expects for `call` with `query` (without `checksum`).
pub fn checksum(alg: ChecksumAlg, call: &str, query: &str, secret: &str) -> String {
    let algorithm = match alg {
        ChecksumAlg::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
        ChecksumAlg::Sha256 => &digest::SHA256,
        ChecksumAlg::Sha384 => &digest::SHA384,
        ChecksumAlg::Sha512 => &digest::SHA512,
    };
    let mut ctx = digest::Context::new(algorithm);
    ctx.update(call.as_bytes());
    ctx.update(query.as_bytes());
    ctx.update(secret.as_bytes());
    ctx.finish()
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The query string BigBlueButton's examples use: form encoding, a space as `+`.
pub fn query_string(params: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish()
}

/// `<api>/<call>?<query>&checksum=<checksum>`.
pub fn signed_url(cfg: &BbbConfig, call: &str, params: &[(&str, &str)]) -> Url {
    let query = query_string(params);
    let sum = checksum(cfg.checksum, call, &query, cfg.secret.expose());
    let mut url = cfg.api.clone();
    url.set_path(&format!("{}{call}", cfg.api.path()));
    let full = if query.is_empty() {
        format!("checksum={sum}")
    } else {
        format!("{query}&checksum={sum}")
    };
    url.set_query(Some(&full));
    url
}

/// `create`: idempotent, so it is sent before every join. Recording stays off: a school
/// records lessons only with the consent of everyone in them.
pub fn create_url(cfg: &BbbConfig, meeting: &MeetingRef, ids: &MeetingIds) -> Url {
    signed_url(
        cfg,
        "create",
        &[
            ("name", meeting.title.as_str()),
            ("meetingID", ids.meeting_id.as_str()),
            ("attendeePW", ids.attendee_pw.as_str()),
            ("moderatorPW", ids.moderator_pw.as_str()),
            ("record", "false"),
        ],
    )
}

/// `join`: `role` for BigBlueButton 2.6 and later, the matching password for older
/// servers (which ignore `role`). Only the display name is sent about the person.
pub fn join_url(cfg: &BbbConfig, ids: &MeetingIds, user: &Participant) -> Url {
    let (role, password) = if user.moderator {
        ("MODERATOR", ids.moderator_pw.as_str())
    } else {
        ("VIEWER", ids.attendee_pw.as_str())
    };
    signed_url(
        cfg,
        "join",
        &[
            ("fullName", user.display_name.as_str()),
            ("meetingID", ids.meeting_id.as_str()),
            ("role", role),
            ("password", password),
            ("redirect", "true"),
        ],
    )
}

pub fn end_url(cfg: &BbbConfig, ids: &MeetingIds) -> Url {
    signed_url(
        cfg,
        "end",
        &[
            ("meetingID", ids.meeting_id.as_str()),
            ("password", ids.moderator_pw.as_str()),
        ],
    )
}

pub fn is_meeting_running_url(cfg: &BbbConfig, ids: &MeetingIds) -> Url {
    signed_url(
        cfg,
        "isMeetingRunning",
        &[("meetingID", ids.meeting_id.as_str())],
    )
}

/// The children of `<response>`, by element name (the first of each).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BbbResponse {
    pub fields: BTreeMap<String, String>,
}

impl BbbResponse {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

/// Reads a BigBlueButton answer; `FAILED` becomes [`ExternalError::Failed`] with its
/// `messageKey`, anything that is not a `<response>` with a `returncode` an XML error.
pub fn parse_response(xml: &str) -> Result<BbbResponse, ExternalError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut path: Vec<String> = Vec::new();
    let mut out = BbbResponse::default();
    let mut text = String::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| ExternalError::Xml(e.to_string()))?;
        match event {
            Event::Start(e) => {
                path.push(e.local_name().as_ref().to_string());
                text.clear();
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::CData(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => text.push_str(predefined_entity(&r)),
            Event::End(_) => {
                if let [root, field] = path.as_slice()
                    && root == "response"
                {
                    out.fields
                        .entry(field.clone())
                        .or_insert_with(|| text.trim().to_string());
                }
                path.pop();
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match out.get("returncode") {
        Some("SUCCESS") => Ok(out),
        Some("FAILED") => Err(ExternalError::Failed {
            message_key: out.get("messageKey").unwrap_or_default().to_string(),
            message: out.get("message").unwrap_or_default().to_string(),
        }),
        _ => Err(ExternalError::Xml(
            "no <response> with a returncode".to_string(),
        )),
    }
}

fn predefined_entity(r: &quick_xml::events::BytesRef<'_>) -> &'static str {
    match r.as_ref() {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => "",
    }
}

/// Sends one signed call and reads its answer.
pub async fn call(cfg: &BbbConfig, url: Url) -> Result<BbbResponse, ExternalError> {
    let mut resp = cfg
        .http
        .get(url)
        .send()
        .await
        .map_err(|e| ExternalError::Http(e.without_url().to_string()))?;
    let status = resp.status();
    let mut body = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| ExternalError::Http(e.without_url().to_string()))?
    {
        if body.len() + chunk.len() > MAX_RESPONSE {
            return Err(ExternalError::Http("answer too large".into()));
        }
        body.extend_from_slice(&chunk);
    }
    let text = String::from_utf8_lossy(&body);
    // BigBlueButton answers errors with XML too, sometimes with a 4xx status: read it
    // first, so the messageKey reaches the caller.
    match parse_response(&text) {
        Err(ExternalError::Xml(_)) if !status.is_success() => Err(ExternalError::Http(format!(
            "HTTP status {}",
            status.as_u16()
        ))),
        other => other,
    }
}

/// Creates the meeting if it does not exist (`create` is idempotent) and returns the
/// join URL for the person.
pub async fn join(
    cfg: &BbbConfig,
    meeting: &MeetingRef,
    user: &Participant,
) -> Result<Url, ExternalError> {
    let ids = MeetingIds::derive(cfg.secret.expose(), meeting);
    call(cfg, create_url(cfg, meeting, &ids)).await?;
    Ok(join_url(cfg, &ids, user))
}

/// Ends the meeting for everyone in it. One that is not running is reported as such.
pub async fn end(cfg: &BbbConfig, meeting: &MeetingRef) -> Result<EndOutcome, ExternalError> {
    let ids = MeetingIds::derive(cfg.secret.expose(), meeting);
    match call(cfg, end_url(cfg, &ids)).await {
        Ok(_) => Ok(EndOutcome::Ended),
        Err(ExternalError::Failed { message_key, .. })
            if message_key == "notFound" || message_key == "invalidMeetingIdentifier" =>
        {
            Ok(EndOutcome::NotRunning)
        }
        Err(e) => Err(e),
    }
}

pub async fn is_running(cfg: &BbbConfig, meeting: &MeetingRef) -> Result<bool, ExternalError> {
    let ids = MeetingIds::derive(cfg.secret.expose(), meeting);
    let resp = call(cfg, is_meeting_running_url(cfg, &ids)).await?;
    Ok(resp.get("running") == Some("true"))
}
