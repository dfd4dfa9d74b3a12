//! Mail filtering in webmail and on the admin's mail page: "spam" / "not spam" on a message
//! (which trains the spam filter), whether the spam filter and virus scanner run, the
//! outgoing limits per account type, and the sending errors worded for people.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_domain::identity::Actor;
use schulhof_front::AppState;
use serde::Deserialize;

use super::{back_to, folder_href, message_href, parse_message};
use crate::auth::Ready;
use crate::forms::{Failure, Field};
use crate::i18n::Tr;

#[derive(Debug, Default, Deserialize)]
pub struct SpamForm {
    /// `spam` or `kein_spam`.
    #[serde(default)]
    pub aktion: String,
}

/// `POST /mail/nachricht/{id}/spam`: into the Spam folder (or, not spam, back into the
/// inbox); the spam filter learns from it.
pub async fn mark(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(form): Form<SpamForm>,
) -> Response {
    let result: Result<Response, DomainError> = async {
        let id = parse_message(&id)?;
        let spam = match form.aktion.as_str() {
            "spam" => true,
            "kein_spam" => false,
            _ => return Err(DomainError::NotFound),
        };
        let was_in = state.platform.mail_mark_spam(&r.actor, id, spam).await?;
        Ok(if spam {
            back_to(&folder_href(was_in), "mail_marked_spam")
        } else {
            back_to(&message_href(id), "mail_marked_ham")
        })
    }
    .await;
    result.unwrap_or_else(|e| r.fail(e))
}

/// The filters' state as the admin page shows it: (label, state text, on).
pub fn filter_state(state: &AppState, tr: Tr) -> Vec<(&'static str, &'static str, bool)> {
    let s = state.platform.mail_filter_status();
    let text = |on: bool, key: &str| {
        if on {
            tr.t(key)
        } else {
            tr.t("mailfilter.off")
        }
    };
    vec![
        (
            tr.t("mailfilter.spam"),
            text(s.spam_filter, "mailfilter.spam_on"),
            s.spam_filter,
        ),
        (
            tr.t("mailfilter.virus"),
            text(s.virus_scanner, "mailfilter.virus_on"),
            s.virus_scanner,
        ),
    ]
}

/// The fields of the outgoing limits form, one per account type.
pub async fn limit_fields(
    state: &AppState,
    actor: &Actor,
    tr: Tr,
) -> Result<Vec<Field>, DomainError> {
    let limits = state.platform.mail_send_limits(actor).await?;
    Ok(limits
        .into_iter()
        .map(|(t, n, _)| {
            let name = limit_name(t.as_str());
            Field::new(
                tr,
                format!("limit-{}", t.as_str()),
                name,
                &format!("type.{}", t.as_str()),
            )
            .kind("number")
            .value(n.to_string())
            .attr("min", "1")
            .answers(&[name, "limit"])
        })
        .collect())
}

/// Form names of the account types (`extern` is a Rust keyword).
fn limit_name(kind: &str) -> &'static str {
    match kind {
        "lehrer" => "lehrer",
        "personal" => "personal",
        "extern" => "extern_",
        "schueler" => "schueler",
        _ => "andere",
    }
}

/// Recipients per hour per account type; empty: the installation's default.
#[derive(Debug, Default, Deserialize)]
pub struct LimitForm {
    #[serde(default)]
    lehrer: String,
    #[serde(default)]
    personal: String,
    #[serde(default)]
    extern_: String,
    #[serde(default)]
    schueler: String,
}

/// `POST /verwaltung/mail/versandgrenzen`.
pub async fn set_limits(
    State(state): State<AppState>,
    r: Ready,
    Form(f): Form<LimitForm>,
) -> Response {
    for (kind, typed) in [
        ("lehrer", &f.lehrer),
        ("personal", &f.personal),
        ("extern", &f.extern_),
        ("schueler", &f.schueler),
    ] {
        let typed = typed.trim();
        let n = match typed.parse::<u32>() {
            Ok(v) => Some(v),
            Err(_) if typed.is_empty() => None,
            Err(_) => {
                let e = DomainError::invalid("limit", "must be a whole number");
                return r.fail(e);
            }
        };
        if let Err(e) = state.platform.mail_set_send_limit(&r.actor, kind, n).await {
            return r.fail(e);
        }
    }
    Redirect::to("/verwaltung/mail?ok=limits_saved").into_response()
}

/// Sending errors of the filters, worded for the compose form; `None`: not one of them.
pub fn failure(tr: Tr, e: &DomainError) -> Option<Failure> {
    let message = match e {
        DomainError::RateLimited { retry_after_secs } => tr
            .t("mailfilter.rate_limited")
            .replace("{n}", &retry_after_secs.div_ceil(60).to_string()),
        DomainError::Busy { .. } => tr.t("mailfilter.unavailable").to_owned(),
        DomainError::Invalid {
            field: "message",
            message,
        } => {
            let name = message
                .strip_prefix("the message contains malware (")?
                .split_once(')')?
                .0;
            tr.t("mailfilter.malware").replace("{name}", name)
        }
        _ => return None,
    };
    Some(Failure {
        form: "compose",
        field: None,
        message,
        status: StatusCode::UNPROCESSABLE_ENTITY,
    })
}
