//! Shares offered by other schools: the recipient accepts or declines them under
//! "Mit mir geteilt" (`POST /dateien/angebote/{id}`); the admin decides whether the
//! school's students may accept them at all (`/verwaltung/schulfreigaben`).

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use schulhof_domain::DomainError;
use schulhof_domain::files::OfferView;
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::Ready;
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::pages::files::back_to;
use crate::render;

/// An offer in the list on `/dateien`.
pub struct OfferRow {
    pub action: String,
    pub name: String,
    pub kind: &'static str,
    pub school: String,
    pub shared_by: String,
}

pub fn offer_rows(tr: Tr, offers: &[OfferView]) -> Vec<OfferRow> {
    offers
        .iter()
        .map(|o| OfferRow {
            action: format!("/dateien/angebote/{}", o.id),
            name: o.name.clone(),
            kind: if o.is_dir {
                tr.t("files.kind.folder")
            } else {
                tr.t("files.kind.file")
            },
            school: format!("{} ({})", o.school_name, o.school_number),
            shared_by: o.shared_by.clone(),
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
pub struct DecideForm {
    /// `annehmen` or `ablehnen`.
    #[serde(default)]
    aktion: String,
}

/// `POST /dateien/angebote/{id}`.
pub async fn decide(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<DecideForm>,
) -> Response {
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return r.fail(DomainError::NotFound);
    };
    let (accept, ok) = match f.aktion.as_str() {
        "annehmen" => (true, "offer_accepted"),
        "ablehnen" => (false, "offer_declined"),
        _ => return r.fail(DomainError::invalid("aktion", "annehmen oder ablehnen")),
    };
    match state.platform.file_decide_offer(&r.actor, id, accept).await {
        Ok(()) => back_to("/dateien", ok),
        Err(e) => r.fail(e),
    }
}

#[derive(Template)]
#[template(path = "files/cross_sharing.html")]
struct SettingsPage {
    c: Chrome,
    allowed: bool,
}

/// `GET /verwaltung/schulfreigaben`.
pub async fn settings(State(state): State<AppState>, r: Ready) -> Response {
    let tr = r.page.tr();
    match state.platform.school_students_accept_cross(&r.actor).await {
        Ok(allowed) => render::ok(&SettingsPage {
            c: Chrome::new(&r.page, tr.t("cross.title")).signed_in(&r.page, &r.actor),
            allowed,
        }),
        Err(e) => r.fail(e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct SettingsForm {
    /// Present (`ja`) when the box is ticked.
    #[serde(default)]
    students: Option<String>,
}

/// `POST /verwaltung/schulfreigaben`.
pub async fn save_settings(
    State(state): State<AppState>,
    r: Ready,
    Form(f): Form<SettingsForm>,
) -> Response {
    let allowed = f.students.is_some();
    match state
        .platform
        .set_school_students_accept_cross(&r.actor, allowed)
        .await
    {
        Ok(()) => back_to("/verwaltung/schulfreigaben", "cross_saved"),
        Err(e) => r.fail(e),
    }
}
