//! `/mail/neu`: writing a message. `?antwort=`, `?allen=`, `?weiter=` and `?entwurf=` fill
//! the form from another message. The form posts as multipart with its files; its button
//! sends, saves a draft or discards it. `mail.js` saves the draft by itself a few seconds
//! after each change (`aktion=auto`, answered with JSON); without it the button does.
//!
//! A refused recipient (a student writing outside the school) sends nothing to anyone: the
//! form comes back with the reason at the top, everything typed still in it.

use askama::Template;
use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use schulhof_domain::DomainError;
use schulhof_domain::mail::RcptRefused;
use schulhof_domain::mail::compose::{Attachment, SendOutcome};
use schulhof_front::AppState;
use schulhof_types::MailMessageId;

use super::compose_form::Input;
use super::reply::{Mode, prefill};
use super::{Sidebar, back_to, parse_message, sidebar, view};
use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::layout::Chrome;
use crate::pages::files::size_text;
use crate::render;
use crate::when::Zone;

/// The largest compose form: the largest message and room for its text.
pub const MAX_FORM: usize = 32 * 1024 * 1024;

#[derive(Debug, Default, serde::Deserialize)]
pub struct ComposeQuery {
    #[serde(default)]
    pub antwort: Option<String>,
    #[serde(default)]
    pub allen: Option<String>,
    #[serde(default)]
    pub weiter: Option<String>,
    #[serde(default)]
    pub entwurf: Option<String>,
    #[serde(default)]
    pub an: Option<String>,
}

/// An attachment of the source message, offered to keep.
pub struct Kept {
    pub index: usize,
    pub name: String,
    pub size: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "mail/compose.html")]
struct ComposePage {
    c: Chrome,
    side: Sidebar,
    script: String,
    heading: &'static str,
    form: FormView,
    input: Input,
    kept: Vec<Kept>,
    refused: Vec<String>,
    attach_hint: String,
}

/// `GET /mail/neu`.
pub async fn show(
    State(state): State<AppState>,
    r: Ready,
    Query(q): Query<ComposeQuery>,
) -> Response {
    let from_message = [
        (Mode::Reply, &q.antwort),
        (Mode::ReplyAll, &q.allen),
        (Mode::Forward, &q.weiter),
        (Mode::Draft, &q.entwurf),
    ]
    .into_iter()
    .find_map(|(mode, id)| Some((mode, id.as_deref()?)));
    let input = match from_message {
        Some((mode, id)) => match prefilled(&state, &r, mode, id).await {
            Ok(i) => i,
            Err(e) => return r.fail(e),
        },
        None => {
            let own = state.platform.mail_own_addresses(&r.actor).await;
            Input {
                from: own
                    .ok()
                    .and_then(|o| o.into_iter().next())
                    .unwrap_or_default(),
                to: q.an.unwrap_or_default(),
                ..Input::default()
            }
        }
    };
    render_form(&state, &r, input, None, Vec::new()).await
}

async fn prefilled(
    state: &AppState,
    r: &Ready,
    mode: Mode,
    id: &str,
) -> Result<Input, DomainError> {
    let p = &state.platform;
    let id = parse_message(id)?;
    let m = p.mail_message(&r.actor, id).await?;
    if (mode == Mode::Draft) != m.flags.draft {
        return Err(DomainError::NotFound);
    }
    let raw = p.mail_raw(&r.actor, id).await?;
    let v = view::parse(&raw).unwrap_or_default();
    let own = p.mail_own_addresses(&r.actor).await?;
    Ok(prefill(r.page.tr(), Zone::of(&r.actor), mode, &m, &v, &own))
}

/// The attachments of the form's source message, ticked as the form says.
async fn kept_rows(state: &AppState, r: &Ready, input: &Input) -> Vec<Kept> {
    let Some(source) = input.source() else {
        return Vec::new();
    };
    let Ok(raw) = state.platform.mail_raw(&r.actor, source).await else {
        return Vec::new();
    };
    let tr = r.page.tr();
    view::parse(&raw)
        .map(|v| v.parts)
        .unwrap_or_default()
        .into_iter()
        .map(|p| Kept {
            checked: input.behalten.contains(&p.index),
            index: p.index,
            name: p.name,
            size: size_text(tr.0, p.size),
        })
        .collect()
}

async fn render_form(
    state: &AppState,
    r: &Ready,
    input: Input,
    failure: Option<Failure>,
    refused: Vec<String>,
) -> Response {
    let tr = r.page.tr();
    let p = &state.platform;
    let (folders, own) = match (
        p.mail_folders(&r.actor).await,
        p.mail_own_addresses(&r.actor).await,
    ) {
        (Ok(f), Ok(o)) => (f, o),
        (Err(e), _) | (_, Err(e)) => return r.fail(e),
    };
    let side = match sidebar(state, r, &folders, None).await {
        Ok(s) => s,
        Err(e) => return r.fail(e),
    };
    let addr = |id: &str, name: &'static str, key: &str, v: &str, answers: &'static str| {
        Field::new(tr, format!("compose-{id}"), name, key)
            .value(v.to_owned())
            .attr("list", "mail-addresses")
            .attr("data-mail-suggest", "/mail/adressen")
            .answers(&[answers])
    };
    let fields = vec![
        Field::new(tr, "compose-from", "from", "mail.compose.from")
            .value(input.from.clone())
            .options(own.iter().map(|a| (a.clone(), a.clone())))
            .answers(&["mail_from", "from"]),
        addr("to", "to", "mail.compose.to", &input.to, "mail_to")
            .hint(tr, "mail.compose.recipients_hint"),
        addr("cc", "cc", "mail.compose.cc", &input.cc, "mail_cc"),
        addr("bcc", "bcc", "mail.compose.bcc", &input.bcc, "mail_bcc"),
        Field::new(tr, "compose-subject", "subject", "mail.compose.subject")
            .value(input.subject.clone())
            .answers(&["mail_subject"]),
    ];
    let status = failure.as_ref().map(|f| f.status);
    let form = FormView::new("compose", fields, failure.as_ref());
    let max = size_text(tr.0, p.config().mail.max_message);
    let view = ComposePage {
        c: Chrome::new(&r.page, tr.t("mail.compose")).signed_in(&r.page, &r.actor),
        side,
        script: crate::assets::href("mail.js"),
        heading: tr.t("mail.compose"),
        form,
        kept: kept_rows(state, r, &input).await,
        input,
        refused,
        attach_hint: tr.t("mail.compose.attach_hint").replace("{max}", &max),
    };
    match status {
        Some(s) => render::html(s, &view),
        None => render::ok(&view),
    }
}

/// The attachments of the source message the form keeps.
async fn kept_files(
    state: &AppState,
    r: &Ready,
    input: &Input,
) -> Result<Vec<Attachment>, DomainError> {
    let Some(source) = input.source().filter(|_| !input.behalten.is_empty()) else {
        return Ok(Vec::new());
    };
    let raw = state.platform.mail_raw(&r.actor, source).await?;
    let mut out = Vec::new();
    for i in &input.behalten {
        if let Some((part, bytes)) = view::attachment(&raw, *i) {
            out.push(Attachment {
                name: part.name,
                mime: part.mime,
                bytes,
            });
        }
    }
    Ok(out)
}

/// The form's failure for a domain error: a mistyped address gets its own sentence.
fn failure_of(r: &Ready, e: &DomainError) -> Failure {
    let tr = r.page.tr();
    if let DomainError::Invalid { field, message } = e
        && let Some(addr) = message.strip_prefix("not a mail address: ")
    {
        return Failure {
            form: "compose",
            field: Some(*field),
            message: tr.t("mail.compose.bad_address").replace("{addr}", addr),
            status: StatusCode::UNPROCESSABLE_ENTITY,
        };
    }
    Failure::from_domain("compose", tr, e)
}

fn refusal_text(r: &Ready, why: &RcptRefused) -> String {
    let tr = r.page.tr();
    let (key, addr) = match why {
        RcptRefused::NotAllowed(a) => ("mail.refused.not_allowed", a),
        RcptRefused::Unknown(a) => ("mail.refused.unknown", a),
        RcptRefused::Malformed(a) => ("mail.compose.bad_address", a),
        RcptRefused::Temporary(a) => ("mail.refused.temporary", a),
    };
    tr.t(key).replace("{addr}", addr)
}

/// `POST /mail/neu`.
pub async fn submit(
    State(state): State<AppState>,
    r: Ready,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let read = match form {
        Ok(f) => Input::read(f).await.map_err(|e| e.status()),
        Err(e) => Err(e.status()),
    };
    let input = match read {
        Ok(i) => i,
        Err(status) => {
            let tr = r.page.tr();
            let max = size_text(tr.0, state.platform.config().mail.max_message);
            let f = Failure {
                form: "compose",
                field: None,
                message: tr.t("mail.compose.too_large").replace("{max}", &max),
                status,
            };
            return render_form(&state, &r, Input::default(), Some(f), Vec::new()).await;
        }
    };
    match input.aktion.as_str() {
        "verwerfen" => discard(&state, &r, &input).await,
        "entwurf" | "auto" => save(&state, &r, input).await,
        _ => send(&state, &r, input).await,
    }
}

async fn discard(state: &AppState, r: &Ready, input: &Input) -> Response {
    if let Some(id) = input.draft_id()
        && let Err(e) = state.platform.mail_discard_draft(&r.actor, id).await
    {
        return r.fail(e);
    }
    back_to("/mail", "mail_draft_discarded")
}

async fn save_draft(
    state: &AppState,
    r: &Ready,
    input: &Input,
) -> Result<MailMessageId, DomainError> {
    let kept = kept_files(state, r, input).await?;
    let draft = input.draft(kept)?;
    state
        .platform
        .mail_save_draft(&r.actor, &draft, input.draft_id())
        .await
}

#[derive(serde::Serialize)]
struct Autosaved {
    entwurf: String,
    anhaenge: Vec<String>,
}

#[derive(serde::Serialize)]
struct AutosaveFailed {
    fehler: String,
}

async fn save(state: &AppState, r: &Ready, mut input: Input) -> Response {
    let auto = input.aktion == "auto";
    match save_draft(state, r, &input).await {
        Ok(id) if auto => {
            let names = match state.platform.mail_raw(&r.actor, id).await {
                Ok(raw) => view::parse(&raw).map(|v| v.parts.into_iter().map(|p| p.name).collect()),
                Err(_) => None,
            };
            Json(Autosaved {
                entwurf: id.to_string(),
                anhaenge: names.unwrap_or_default(),
            })
            .into_response()
        }
        Ok(id) => back_to(&format!("/mail/neu?entwurf={id}"), "mail_draft_saved"),
        Err(e) if auto => {
            let f = failure_of(r, &e);
            (f.status, Json(AutosaveFailed { fehler: f.message })).into_response()
        }
        Err(e) => {
            input.files.clear();
            render_form(state, r, input, Some(failure_of(r, &e)), Vec::new()).await
        }
    }
}

async fn send(state: &AppState, r: &Ready, mut input: Input) -> Response {
    let result = async {
        let kept = kept_files(state, r, &input).await?;
        let draft = input.draft(kept)?;
        state
            .platform
            .mail_send(&r.actor, &draft, input.answers(), input.draft_id())
            .await
    }
    .await;
    match result {
        Ok(SendOutcome::Sent { filed: true }) => back_to("/mail", "mail_sent"),
        Ok(SendOutcome::Sent { filed: false }) => back_to("/mail", "mail_sent_no_copy"),
        Ok(SendOutcome::Refused(list)) => {
            let reasons = list.iter().map(|(_, why)| refusal_text(r, why)).collect();
            keep_files_in_draft(state, r, &mut input).await;
            let f = Failure {
                form: "compose",
                field: None,
                message: r.page.tr().t("mail.compose.refused").to_owned(),
                status: StatusCode::UNPROCESSABLE_ENTITY,
            };
            render_form(state, r, input, Some(f), reasons).await
        }
        Err(e) => {
            keep_files_in_draft(state, r, &mut input).await;
            render_form(state, r, input, Some(failure_of(r, &e)), Vec::new()).await
        }
    }
}

/// A form that comes back cannot hold the chosen files again; so they are kept in a draft
/// and offered to keep from there.
async fn keep_files_in_draft(state: &AppState, r: &Ready, input: &mut Input) {
    if input.files.is_empty() {
        return;
    }
    let mut as_draft = input.clone();
    // Whatever was mistyped in the addresses must not stop the files from being kept.
    if as_draft.recipients().is_err() {
        as_draft.to.clear();
        as_draft.cc.clear();
        as_draft.bcc.clear();
    }
    if let Ok(id) = save_draft(state, r, &as_draft).await {
        let kept = input.behalten.len();
        let added = input.files.len();
        input.entwurf = id.to_string();
        input.quelle = id.to_string();
        input.behalten = (0..kept + added).collect();
        input.files.clear();
    }
}
