//! `/mail/neu`: writing a message. `?antwort=`, `?allen=`, `?weiter=` and `?entwurf=` fill
//! the form from another message. The form posts as multipart with its files; its button
//! sends, saves a draft or discards it. `mail.js` saves the draft by itself a few seconds
//! after each change (`aktion=auto`, answered with JSON); without it the button does.
//!
//! Files from the own file areas come as `datei` (node ids): the button "Aus meinen Dateien"
//! keeps the message as a draft and opens the picker ([`super::pick_files`]), which comes
//! back here with `?entwurf=…&datei=…`; with `mail.js` the picker opens in a dialog. They are
//! read from the blob store only when the message is sent or kept as a draft.
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
    /// Files of the own file areas chosen in the picker.
    #[serde(default)]
    pub datei: Vec<String>,
}

impl ComposeQuery {
    /// The query's pairs (`datei` repeats); empty values count as missing.
    fn from_pairs(pairs: Vec<(String, String)>) -> ComposeQuery {
        let mut q = ComposeQuery::default();
        for (k, v) in pairs {
            if v.trim().is_empty() {
                continue;
            }
            match k.as_str() {
                "antwort" => q.antwort = Some(v),
                "allen" => q.allen = Some(v),
                "weiter" => q.weiter = Some(v),
                "entwurf" => q.entwurf = Some(v),
                "an" => q.an = Some(v),
                "datei" => q.datei.push(v),
                _ => {}
            }
        }
        q
    }
}

/// A file of the own file areas chosen to attach.
pub struct Picked {
    pub id: String,
    pub name: String,
    pub size: String,
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
    picked: Vec<Picked>,
}

/// `GET /mail/neu`.
pub async fn show(
    State(state): State<AppState>,
    r: Ready,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let q = ComposeQuery::from_pairs(pairs);
    let from_message = [
        (Mode::Reply, &q.antwort),
        (Mode::ReplyAll, &q.allen),
        (Mode::Forward, &q.weiter),
        (Mode::Draft, &q.entwurf),
    ]
    .into_iter()
    .find_map(|(mode, id)| Some((mode, id.as_deref()?)));
    let mut input = match from_message {
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
    // Files chosen in the picker: listed (and later attached) only if the sender may read them.
    input.datei = q.datei;
    if let Err(e) = picked_rows(&state, &r, &input).await {
        return r.fail(e);
    }
    render_form(&state, &r, input, None, Vec::new()).await
}

/// The chosen files of the file areas as the form lists them.
async fn picked_rows(
    state: &AppState,
    r: &Ready,
    input: &Input,
) -> Result<Vec<Picked>, DomainError> {
    if input.datei.is_empty() {
        return Ok(Vec::new());
    }
    let ids = input.file_ids()?;
    let tr = r.page.tr();
    let entries = state.platform.mail_file_choices(&r.actor, &ids).await?;
    Ok(entries
        .into_iter()
        .map(|e| Picked {
            id: e.id.to_string(),
            name: e.name,
            size: size_text(tr.0, e.size),
        })
        .collect())
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
        // A choice that is no longer readable is left out when the form comes back.
        picked: picked_rows(state, r, &input).await.unwrap_or_default(),
        input,
        refused,
        attach_hint: tr.t("mail.compose.attach_hint").replace("{max}", &max),
    };
    match status {
        Some(s) => render::html(s, &view),
        None => render::ok(&view),
    }
}

/// The attachments of the source message the form keeps, then the chosen files of the file
/// areas, read from the blob store within what the message may still take.
async fn kept_files(
    state: &AppState,
    r: &Ready,
    input: &Input,
) -> Result<Vec<Attachment>, DomainError> {
    let mut out = kept_source_files(state, r, input).await?;
    if !input.datei.is_empty() {
        let max = state.platform.config().mail.max_message;
        let budget = max.saturating_sub(input.bytes_so_far(&out));
        let ids = input.file_ids()?;
        let files = state
            .platform
            .mail_file_attachments(&r.actor, &ids, budget)
            .await?;
        out.extend(files);
    }
    Ok(out)
}

/// The attachments of the source message the form keeps.
async fn kept_source_files(
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

/// "The message with its attachments is larger than 25 MB."
fn too_large(state: &AppState, r: &Ready, status: StatusCode) -> Failure {
    let tr = r.page.tr();
    let max = size_text(tr.0, state.platform.config().mail.max_message);
    Failure {
        form: "compose",
        field: None,
        message: tr.t("mail.compose.too_large").replace("{max}", &max),
        status,
    }
}

/// The form's failure for a domain error: a mistyped address and a message too large get
/// their own sentences.
fn failure_of(state: &AppState, r: &Ready, e: &DomainError) -> Failure {
    let tr = r.page.tr();
    if let DomainError::Invalid {
        field: "mail_attachments",
        ..
    } = e
    {
        return too_large(state, r, StatusCode::UNPROCESSABLE_ENTITY);
    }
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
    if let Some(f) = super::filter_web::failure(tr, e) {
        return f;
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
        RcptRefused::MailboxFull(a) => ("mail.refused.full", a),
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
            let f = too_large(&state, &r, status);
            return render_form(&state, &r, Input::default(), Some(f), Vec::new()).await;
        }
    };
    match input.aktion.as_str() {
        "verwerfen" => discard(&state, &r, &input).await,
        "entwurf" | "auto" => save(&state, &r, input).await,
        "dateien" => to_picker(&state, &r, input).await,
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
            let f = failure_of(state, r, &e);
            (f.status, Json(AutosaveFailed { fehler: f.message })).into_response()
        }
        Err(e) => {
            input.files.clear();
            render_form(state, r, input, Some(failure_of(state, r, &e)), Vec::new()).await
        }
    }
}

/// "Aus meinen Dateien": the message is kept as a draft (with what was chosen so far), then
/// the picker opens for it.
async fn to_picker(state: &AppState, r: &Ready, mut input: Input) -> Response {
    match save_draft(state, r, &input).await {
        Ok(id) => {
            axum::response::Redirect::to(&format!("/mail/neu/dateien?entwurf={id}")).into_response()
        }
        Err(DomainError::NotFound) => r.fail(DomainError::NotFound),
        Err(e) => {
            input.files.clear();
            render_form(state, r, input, Some(failure_of(state, r, &e)), Vec::new()).await
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
        // A file or message the sender may not read: 404, as everywhere.
        Err(DomainError::NotFound) => r.fail(DomainError::NotFound),
        Err(e) => {
            keep_files_in_draft(state, r, &mut input).await;
            render_form(state, r, input, Some(failure_of(state, r, &e)), Vec::new()).await
        }
    }
}

/// A form that comes back cannot hold the chosen files again; so they are kept in a draft
/// and offered to keep from there.
async fn keep_files_in_draft(state: &AppState, r: &Ready, input: &mut Input) {
    if input.files.is_empty() && input.datei.is_empty() {
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
        // The draft holds the kept attachments, the chosen files, then the uploaded ones.
        let all = input.behalten.len() + input.datei.len() + input.files.len();
        input.entwurf = id.to_string();
        input.quelle = id.to_string();
        input.behalten = (0..all).collect();
        input.files.clear();
        input.datei.clear();
    }
}
