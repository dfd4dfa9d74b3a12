//! The editor: `/neuigkeiten/neu` and `/neuigkeiten/{id}/bearbeiten` (one form: title, rich
//! text, period, audience; buttons preview, save as draft, publish), deleting after a
//! confirmation, and pictures and attachments of an item.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDateTime;
use schulhof_domain::DomainError;
use schulhof_domain::news::{AudienceInput, AudienceView, NewsFile, NewsId, NewsInput};
use schulhof_front::AppState;
use schulhof_types::{AccountType, GroupId};

use super::parse_id;
use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView, Opt};
use crate::layout::Chrome;
use crate::pages::views::ConfirmPage;
use crate::{render, url};

/// What the form sent (or shows).
#[derive(Clone, Debug, Default)]
pub struct Sent {
    pub titel: String,
    pub text: String,
    pub von: String,
    pub bis: String,
    /// `oeffentlich` or `eingeschraenkt`.
    pub sichtbarkeit: String,
    pub gruppen: Vec<String>,
    pub personen: String,
    pub kontoarten: Vec<String>,
    /// `vorschau`, `entwurf` or `veroeffentlichen`.
    pub aktion: String,
}

impl Sent {
    pub fn parse(body: &str) -> Sent {
        let mut s = Sent::default();
        for (k, v) in url::pairs(body) {
            match k.as_str() {
                "titel" => s.titel = v,
                "text" => s.text = v,
                "von" => s.von = v,
                "bis" => s.bis = v,
                "sichtbarkeit" => s.sichtbarkeit = v,
                "gruppen" => s.gruppen.push(v),
                "personen" => s.personen = v,
                "kontoarten" => s.kontoarten.push(v),
                "aktion" => s.aktion = v,
                _ => {}
            }
        }
        s
    }

    fn time(v: &str, field: &'static str) -> Result<Option<NaiveDateTime>, DomainError> {
        let v = v.trim();
        if v.is_empty() {
            return Ok(None);
        }
        NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
            .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"))
            .map(Some)
            .map_err(|_| DomainError::invalid(field, "Bitte Datum und Uhrzeit angeben."))
    }

    pub fn input(&self) -> Result<NewsInput, DomainError> {
        let audience = if self.sichtbarkeit == "eingeschraenkt" {
            AudienceInput::Restricted {
                groups: self
                    .gruppen
                    .iter()
                    .filter_map(|g| uuid::Uuid::parse_str(g).ok().map(GroupId))
                    .collect(),
                logins: self
                    .personen
                    .split([',', ';', '\n', ' '])
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect(),
                account_types: self
                    .kontoarten
                    .iter()
                    .filter_map(|t| AccountType::parse(t))
                    .collect(),
            }
        } else {
            AudienceInput::Public
        };
        Ok(NewsInput {
            title: self.titel.clone(),
            body: self.text.clone(),
            from: Self::time(&self.von, "from")?,
            until: Self::time(&self.bis, "until")?,
            audience,
            publish: self.aktion == "veroeffentlichen",
        })
    }
}

#[derive(Template)]
#[template(path = "news/editor.html")]
struct EditorPage {
    c: Chrome,
    heading: String,
    action: String,
    form: FormView,
    public: bool,
    groups: Vec<Opt>,
    types: Vec<Opt>,
    preview: Option<String>,
    published: bool,
    /// Editing a stored item: its files, the upload form and the delete link.
    item: Option<Stored>,
}

struct Stored {
    base: String,
    file_ids: Vec<(String, String)>,
    delete_href: String,
}

fn fields(r: &Ready, s: &Sent, failure: Option<&Failure>) -> FormView {
    let tr = r.page.tr();
    FormView::new(
        "news",
        vec![
            Field::new(tr, "news-title", "titel", "news.field.title")
                .value(s.titel.clone())
                .required()
                .answers(&["title"]),
            Field::new(tr, "news-text", "text", "news.field.text")
                .kind("textarea")
                .value(s.text.clone())
                .hint(tr, "news.field.text.hint")
                .answers(&["body"]),
            Field::new(tr, "news-from", "von", "news.field.from")
                .kind("datetime-local")
                .value(s.von.clone())
                .hint(tr, "news.field.from.hint")
                .answers(&["from"]),
            Field::new(tr, "news-until", "bis", "news.field.until")
                .kind("datetime-local")
                .value(s.bis.clone())
                .hint(tr, "news.field.until.hint")
                .answers(&["until"]),
            Field::new(tr, "news-logins", "personen", "news.field.logins")
                .value(s.personen.clone())
                .hint(tr, "news.field.logins.hint")
                .answers(&["logins", "groups", "audience"]),
        ],
        failure,
    )
}

struct Target {
    heading: String,
    action: String,
    id: Option<NewsId>,
    published: bool,
}

async fn page(
    state: &AppState,
    r: &Ready,
    t: Target,
    s: &Sent,
    failure: Option<Failure>,
    preview: Option<String>,
) -> Response {
    let p = &state.platform;
    let tr = r.page.tr();
    let choices = match p.news_audience_choices(&r.actor).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let item = match t.id {
        Some(id) => match p
            .news_files(Some(&r.actor), &r.actor.school_number, id)
            .await
        {
            Ok(files) => Some(stored(id, &files)),
            Err(e) => return r.fail(e),
        },
        None => None,
    };
    let view = EditorPage {
        c: Chrome::new(&r.page, t.heading.clone()).signed_in(&r.page, &r.actor),
        heading: t.heading,
        action: t.action,
        form: fields(r, s, failure.as_ref()),
        public: s.sichtbarkeit != "eingeschraenkt",
        groups: choices
            .into_iter()
            .map(|g| Opt {
                selected: s.gruppen.contains(&g.id.0.to_string()),
                value: g.id.0.to_string(),
                label: g.name,
            })
            .collect(),
        types: AccountType::ALL
            .iter()
            .map(|t| Opt {
                selected: s.kontoarten.iter().any(|k| k == t.as_str()),
                value: t.as_str().to_owned(),
                label: tr.account_type(t.as_str()).to_owned(),
            })
            .collect(),
        preview,
        published: t.published,
        item,
    };
    match failure {
        Some(f) => render::html(f.status, &view),
        None => render::ok(&view),
    }
}

fn stored(id: NewsId, files: &[NewsFile]) -> Stored {
    Stored {
        base: format!("/neuigkeiten/{id}"),
        file_ids: files
            .iter()
            .map(|f| (f.id.to_string(), f.name.clone()))
            .collect(),
        delete_href: format!("/neuigkeiten/{id}/loeschen"),
    }
}

/// `GET /neuigkeiten/neu`.
pub async fn new_form(State(state): State<AppState>, r: Ready) -> Response {
    if !state.platform.news_may_write(&r.actor) {
        return r.fail(DomainError::Forbidden);
    }
    let t = Target {
        heading: r.page.tr().t("news.new").into(),
        action: "/neuigkeiten/neu".into(),
        id: None,
        published: false,
    };
    page(&state, &r, t, &Sent::default(), None, None).await
}

/// `POST /neuigkeiten/neu`.
pub async fn create(State(state): State<AppState>, r: Ready, body: String) -> Response {
    let s = Sent::parse(&body);
    let t = Target {
        heading: r.page.tr().t("news.new").into(),
        action: "/neuigkeiten/neu".into(),
        id: None,
        published: false,
    };
    if s.aktion == "vorschau" {
        let (html, _) = state.platform.news_preview(&s.text);
        return page(&state, &r, t, &s, None, Some(html)).await;
    }
    let res = match s.input() {
        Ok(input) => state.platform.news_create(&r.actor, input).await,
        Err(e) => Err(e),
    };
    match res {
        Ok(id) => {
            Redirect::to(&format!("/neuigkeiten/{id}/bearbeiten?ok=news_saved")).into_response()
        }
        Err(e) => {
            let f = Failure::from_domain("news", r.page.tr(), &e);
            page(&state, &r, t, &s, Some(f), None).await
        }
    }
}

fn local(r: &Ready, t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&r.actor.time_zone)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

fn sent_of(r: &Ready, item: &schulhof_domain::news::NewsItem, aud: &AudienceView) -> Sent {
    Sent {
        titel: item.title.clone(),
        text: item.body.clone(),
        von: local(r, item.from),
        bis: item.until.map(|u| local(r, u)).unwrap_or_default(),
        sichtbarkeit: if item.public {
            "oeffentlich"
        } else {
            "eingeschraenkt"
        }
        .into(),
        gruppen: aud.groups.iter().map(|(g, _)| g.0.to_string()).collect(),
        personen: aud
            .users
            .iter()
            .map(|(_, l)| l.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        kontoarten: aud.account_types.clone(),
        aktion: String::new(),
    }
}

fn edit_target(r: &Ready, id: NewsId, published: bool) -> Target {
    Target {
        heading: r.page.tr().t("news.edit").into(),
        action: format!("/neuigkeiten/{id}/bearbeiten"),
        id: Some(id),
        published,
    }
}

/// `GET /neuigkeiten/{id}/bearbeiten`.
pub async fn edit_form(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return r.fail(DomainError::NotFound);
    };
    let (item, aud) = match state.platform.news_for_edit(&r.actor, id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let published = item.state != schulhof_domain::news::NewsState::Draft;
    let s = sent_of(&r, &item, &aud);
    page(&state, &r, edit_target(&r, id, published), &s, None, None).await
}

/// `POST /neuigkeiten/{id}/bearbeiten`.
pub async fn update(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    body: String,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return r.fail(DomainError::NotFound);
    };
    let s = Sent::parse(&body);
    let t = edit_target(&r, id, s.aktion == "veroeffentlichen");
    if s.aktion == "vorschau" {
        let (html, _) = state.platform.news_preview(&s.text);
        return page(&state, &r, t, &s, None, Some(html)).await;
    }
    let res = match s.input() {
        Ok(input) => state.platform.news_update(&r.actor, id, input).await,
        Err(e) => Err(e),
    };
    match res {
        Ok(()) => Redirect::to(&format!("/neuigkeiten/{id}?ok=news_saved")).into_response(),
        Err(DomainError::NotFound) => r.fail(DomainError::NotFound),
        Err(e) => {
            let f = Failure::from_domain("news", r.page.tr(), &e);
            page(&state, &r, t, &s, Some(f), None).await
        }
    }
}

/// `GET /neuigkeiten/{id}/loeschen`.
pub async fn delete_confirm(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return r.fail(DomainError::NotFound);
    };
    let (item, _) = match state.platform.news_for_edit(&r.actor, id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let view = ConfirmPage {
        c: Chrome::new(&r.page, tr.t("news.delete")).signed_in(&r.page, &r.actor),
        heading: tr.t("news.delete").into(),
        text: tr.t("news.delete.question").replace("{title}", &item.title),
        action: format!("/neuigkeiten/{id}/loeschen"),
        button: tr.t("news.delete"),
        cancel_href: format!("/neuigkeiten/{id}"),
    };
    render::ok(&view)
}

/// `POST /neuigkeiten/{id}/loeschen`.
pub async fn delete(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    let Some(id) = parse_id(&id) else {
        return r.fail(DomainError::NotFound);
    };
    match state.platform.news_delete(&r.actor, id).await {
        Ok(()) => Redirect::to("/neuigkeiten/verfasst?ok=news_deleted").into_response(),
        Err(e) => r.fail(e),
    }
}

/// `POST /neuigkeiten/{id}/dateien`: one picture or attachment (multipart, field `datei`).
pub async fn upload(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return r.fail(DomainError::NotFound);
    };
    let too_big = || DomainError::invalid("file", "Die Datei ist zu groß (höchstens 20 MB).");
    let Ok(mut form) = form else {
        return upload_failed(&state, &r, id, too_big()).await;
    };
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match form.next_field().await {
            Ok(Some(f)) if f.name() == Some("datei") => {
                let name = f.file_name().unwrap_or("").to_owned();
                match f.bytes().await {
                    Ok(b) => file = Some((name, b.to_vec())),
                    Err(_) => return upload_failed(&state, &r, id, too_big()).await,
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => return upload_failed(&state, &r, id, too_big()).await,
        }
    }
    let Some((name, bytes)) = file.filter(|(n, b)| !n.is_empty() && !b.is_empty()) else {
        let e = DomainError::invalid("file", "Bitte eine Datei auswählen.");
        return upload_failed(&state, &r, id, e).await;
    };
    match state
        .platform
        .news_add_file(&r.actor, id, &name, &bytes)
        .await
    {
        Ok(_) => Redirect::to(&format!("/neuigkeiten/{id}/bearbeiten?ok=news_file_added"))
            .into_response(),
        Err(e) => upload_failed(&state, &r, id, e).await,
    }
}

async fn upload_failed(state: &AppState, r: &Ready, id: NewsId, e: DomainError) -> Response {
    let (item, aud) = match state.platform.news_for_edit(&r.actor, id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let published = item.state != schulhof_domain::news::NewsState::Draft;
    let s = sent_of(r, &item, &aud);
    let mut f = Failure::from_domain("upload", r.page.tr(), &e);
    // The upload has no input in the news form: its message stands above the form.
    f.form = "news";
    f.field = None;
    page(state, r, edit_target(r, id, published), &s, Some(f), None).await
}

/// `POST /neuigkeiten/{id}/dateien/{file}/entfernen`.
pub async fn remove_file(
    State(state): State<AppState>,
    r: Ready,
    Path((id, file)): Path<(String, String)>,
) -> Response {
    let (Some(id), Ok(file)) = (parse_id(&id), uuid::Uuid::parse_str(&file)) else {
        return r.fail(DomainError::NotFound);
    };
    match state.platform.news_remove_file(&r.actor, file).await {
        Ok(()) => Redirect::to(&format!(
            "/neuigkeiten/{id}/bearbeiten?ok=news_file_removed"
        ))
        .into_response(),
        Err(e) => r.fail(e),
    }
}
