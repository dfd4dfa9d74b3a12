//! The students' consent to audio and video conferences on the user card (issue 16): the
//! school's record that lets a student's microphone and camera reach a conference. Shown
//! to whoever may edit the login, as two checkboxes in a plain form; the domain decides
//! (the policy's `EditUser`) and audits, and a running conference follows at once.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_domain::admin::UserCard;
use schulhof_domain::conference::AvConsent;
use schulhof_domain::identity::Actor;
use schulhof_front::AppState;
use schulhof_types::AccountType;
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::Failure;
use crate::pages::user_card::{CardFailure, render_card};
use crate::url;

/// The consent section of a student's card.
#[derive(Clone, Debug)]
pub struct ConsentSection {
    pub audio: bool,
    pub video: bool,
    pub error: Option<String>,
}

/// The section, for students whose card the actor may edit; `None` otherwise.
pub async fn consent_section(
    state: &AppState,
    actor: &Actor,
    card: &UserCard,
    failure: Option<&Failure>,
) -> Option<ConsentSection> {
    let student = card.summary.account_type == AccountType::Schueler.as_str();
    if !card.editable || !student {
        return None;
    }
    let c = state
        .platform
        .av_consent(actor, &card.summary.login)
        .await
        .ok()?;
    Some(ConsentSection {
        audio: c.audio,
        video: c.video,
        error: failure
            .filter(|f| f.form == "consent")
            .map(|f| f.message.clone()),
    })
}

/// Unticked checkboxes are not sent: missing means no.
#[derive(Debug, Default, Deserialize)]
pub struct ConsentForm {
    #[serde(default)]
    audio: String,
    #[serde(default)]
    video: String,
}

pub async fn set(
    State(state): State<AppState>,
    r: Ready,
    Path(login): Path<String>,
    Form(f): Form<ConsentForm>,
) -> Response {
    let consent = AvConsent {
        audio: f.audio == "ja",
        video: f.video == "ja",
    };
    match state
        .platform
        .set_av_consent(&r.actor, &login, consent)
        .await
    {
        Ok(()) => Redirect::to(&format!(
            "/verwaltung/benutzer/{}?ok=av_consent_saved#einwilligung",
            url::encode(&login)
        ))
        .into_response(),
        // Refused or hidden: the error page, never the card.
        Err(e @ (DomainError::NotFound | DomainError::Forbidden | DomainError::Denied(_))) => {
            r.fail(e)
        }
        Err(e) => {
            let failure = Failure::from_domain("consent", r.page.tr(), &e);
            render_card(&state, &r, &login, CardFailure::of(failure)).await
        }
    }
}
