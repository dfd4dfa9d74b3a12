//! `/betrieb/anleitungen`: support and operator-admins edit the shipped guides and add new
//! ones (Markdown; raw HTML stays text on the help pages), with an optional version for
//! pupils addressed with "du". Resetting removes the edit. The domain decides (the DPO gets
//! 403) and audits.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_domain::help::HelpPage;
use schulhof_domain::help::guides::GuideInput;
use schulhof_front::AppState;
use serde::Deserialize;

use super::Operator;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::render;

const BASE: &str = "/betrieb/anleitungen";

pub struct GuideRow {
    pub href: String,
    pub title: String,
    pub slug: String,
    pub shipped: bool,
    pub edited: bool,
}

#[derive(Template)]
#[template(path = "operator/guides.html")]
struct ListPage {
    c: crate::layout::Chrome,
    rows: Vec<GuideRow>,
}

#[derive(Template)]
#[template(path = "operator/guide.html")]
struct EditPage {
    c: crate::layout::Chrome,
    heading: String,
    form: FormView,
    action: String,
    /// The reset button's address, when the guide has an edit to remove.
    reset: Option<String>,
    shipped: bool,
}

/// `GET /betrieb/anleitungen`.
pub async fn list(State(state): State<AppState>, o: Operator) -> Response {
    let tr = o.page.tr();
    match state.platform.operator_guides(&o.actor).await {
        Ok(pages) => render::ok(&ListPage {
            c: o.chrome(tr.t("op.guides.title")),
            rows: pages
                .into_iter()
                .map(|p| GuideRow {
                    href: format!("{BASE}/{}", p.slug),
                    title: p.title,
                    slug: p.slug,
                    shipped: p.shipped,
                    edited: p.edited,
                })
                .collect(),
        }),
        Err(e) => o.fail(e),
    }
}

#[derive(Deserialize, Default)]
pub struct Sent {
    #[serde(default)]
    slug: String,
    #[serde(default)]
    titel: String,
    #[serde(default)]
    kontext: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    text_du: String,
}

impl Sent {
    fn of(p: &HelpPage) -> Sent {
        Sent {
            slug: p.slug.clone(),
            titel: p.title.clone(),
            kontext: p.context.join(" "),
            text: p.body.clone(),
            text_du: p.body_du.clone(),
        }
    }
}

fn form(tr: Tr, s: &Sent, new: bool, failure: Option<&Failure>) -> FormView {
    let mut fields = Vec::new();
    if new {
        fields.push(
            Field::new(tr, "guide-slug", "slug", "op.guides.slug")
                .value(s.slug.clone())
                .hint(tr, "op.guides.slug_hint")
                .required()
                .answers(&["slug"]),
        );
    }
    fields.extend([
        Field::new(tr, "guide-title", "titel", "op.guides.field_title")
            .value(s.titel.clone())
            .required()
            .answers(&["title"]),
        Field::new(tr, "guide-context", "kontext", "op.guides.context")
            .value(s.kontext.clone())
            .hint(tr, "op.guides.context_hint")
            .answers(&["context"]),
        Field::new(tr, "guide-text", "text", "op.guides.text")
            .kind("textarea")
            .value(s.text.clone())
            .hint(tr, "op.guides.text_hint")
            .required()
            .answers(&["body"]),
        Field::new(tr, "guide-text-du", "text_du", "op.guides.text_du")
            .kind("textarea")
            .value(s.text_du.clone())
            .hint(tr, "op.guides.text_du_hint")
            .answers(&["body_du"]),
    ]);
    FormView::new("guide", fields, failure)
}

fn edit_page(
    o: &Operator,
    slug: Option<&str>,
    s: &Sent,
    p: Option<&HelpPage>,
    failure: Option<&Failure>,
) -> Response {
    let tr = o.page.tr();
    let heading = match p {
        Some(p) => p.title.clone(),
        None => tr.t("op.guides.new").to_owned(),
    };
    let view = EditPage {
        c: o.chrome(&heading),
        heading,
        form: form(tr, s, slug.is_none(), failure),
        action: slug.map_or(BASE.to_owned(), |s| format!("{BASE}/{s}")),
        reset: p
            .filter(|p| p.edited)
            .map(|p| format!("{BASE}/{}/zuruecksetzen", p.slug)),
        shipped: p.is_some_and(|p| p.shipped),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

/// `GET /betrieb/anleitungen/neu`: the form for a new guide.
pub async fn new(State(state): State<AppState>, o: Operator) -> Response {
    // Asked once so the DPO meets the domain's 403 here as on every other page.
    if let Err(e) = state.platform.operator_guides(&o.actor).await {
        return o.fail(e);
    }
    edit_page(&o, None, &Sent::default(), None, None)
}

/// `GET /betrieb/anleitungen/{slug}`.
pub async fn edit(
    State(state): State<AppState>,
    o: Operator,
    Path(slug): Path<String>,
) -> Response {
    match state.platform.operator_guide(&o.actor, &slug).await {
        Ok(p) => edit_page(&o, Some(&p.slug), &Sent::of(&p), Some(&p), None),
        Err(e) => o.fail(e),
    }
}

async fn save_as(state: &AppState, o: &Operator, slug: Option<String>, s: Sent) -> Response {
    let input = GuideInput {
        slug: slug.clone().unwrap_or_else(|| s.slug.clone()),
        title: s.titel.clone(),
        context: s.kontext.clone(),
        body: s.text.clone(),
        body_du: s.text_du.clone(),
    };
    match state
        .platform
        .operator_save_guide(&o.actor, &input, &o.addr)
        .await
    {
        Ok(saved) => Redirect::to(&format!("{BASE}/{saved}?ok=op_guide_saved")).into_response(),
        Err(e @ DomainError::Invalid { .. }) => {
            let f = Failure::from_domain("guide", o.page.tr(), &e);
            let p = match &slug {
                Some(sl) => state.platform.operator_guide(&o.actor, sl).await.ok(),
                None => None,
            };
            edit_page(o, slug.as_deref(), &s, p.as_ref(), Some(&f))
        }
        Err(e) => o.fail(e),
    }
}

/// `POST /betrieb/anleitungen`: a new guide.
pub async fn create(State(state): State<AppState>, o: Operator, Form(s): Form<Sent>) -> Response {
    save_as(&state, &o, None, s).await
}

/// `POST /betrieb/anleitungen/{slug}`: saves the edit of a guide that exists.
pub async fn save(
    State(state): State<AppState>,
    o: Operator,
    Path(slug): Path<String>,
    Form(s): Form<Sent>,
) -> Response {
    if let Err(e) = state.platform.operator_guide(&o.actor, &slug).await {
        return o.fail(e);
    }
    save_as(&state, &o, Some(slug), s).await
}

/// `POST /betrieb/anleitungen/{slug}/zuruecksetzen`.
pub async fn reset(
    State(state): State<AppState>,
    o: Operator,
    Path(slug): Path<String>,
) -> Response {
    match state
        .platform
        .operator_reset_guide(&o.actor, &slug, &o.addr)
        .await
    {
        Ok(()) => Redirect::to(&format!("{BASE}?ok=op_guide_reset")).into_response(),
        Err(e) => o.fail(e),
    }
}
