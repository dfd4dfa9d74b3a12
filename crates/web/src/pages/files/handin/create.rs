//! `/dateien/abgabeordner/neu`: a hand-in folder in one step — name, group, optional
//! deadline — in the chosen folder or the own area, where the policy lets the caller.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, http::StatusCode};
use schulhof_domain::DomainError;
use schulhof_domain::files::Located;
use schulhof_domain::files::handin::NewHandin;
use schulhof_front::AppState;
use serde::Deserialize;

use super::parse_deadline;
use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::layout::Chrome;
use crate::pages::files::node::crumbs;
use crate::pages::files::{locate, node_href};
use crate::render;
use crate::when::Zone;

#[derive(Template)]
#[template(path = "files/handin_new.html")]
struct NewPage {
    c: Chrome,
    /// Where the folder goes, as the breadcrumbs show it.
    place: String,
    place_id: String,
    form: FormView,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct NewForm {
    /// The folder to create it in (the own area if none).
    #[serde(default, rename = "in")]
    place: String,
    #[serde(default)]
    gruppe: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    datum: String,
    #[serde(default)]
    uhrzeit: String,
}

/// Where to create it, and that the caller may: the chosen folder or the own area.
async fn place(state: &AppState, r: &Ready, id: &str) -> Result<Located, DomainError> {
    let located = if id.is_empty() {
        state.platform.handin_default_place(&r.actor).await?
    } else {
        locate(state, r, id).await?.0
    };
    if !state.platform.handin_may_create(&r.actor, &located) {
        return Err(DomainError::Forbidden);
    }
    Ok(located)
}

fn new_page(
    state: &AppState,
    r: &Ready,
    at: &Located,
    f: &NewForm,
    failure: Option<&Failure>,
) -> Response {
    let tr = r.page.tr();
    let groups = r
        .actor
        .groups
        .iter()
        .map(|g| (g.id.to_string(), g.name.clone()));
    let name = if f.name.is_empty() {
        tr.t("handin.new.default_name").to_owned()
    } else {
        f.name.clone()
    };
    let fields = vec![
        Field::new(tr, "handin-name", "name", "handin.new.name")
            .value(name)
            .required()
            .answers(&["folder", "node"]),
        Field::new(tr, "handin-group", "gruppe", "handin.new.group")
            .value(f.gruppe.clone())
            .hint(tr, "handin.new.group_hint")
            .options(groups)
            .required()
            .answers(&["group", "subject"]),
        Field::new(tr, "deadline-date", "datum", "handin.deadline.date")
            .kind("date")
            .value(f.datum.clone())
            .hint(tr, "handin.new.deadline_hint")
            .answers(&["deadline"]),
        Field::new(tr, "deadline-time", "uhrzeit", "handin.deadline.time")
            .kind("time")
            .value(f.uhrzeit.clone())
            .hint(tr, "handin.deadline.time_hint"),
    ];
    let place = crumbs(state, r, at)
        .into_iter()
        .map(|c| c.name)
        .collect::<Vec<_>>()
        .join(" / ");
    let view = NewPage {
        c: Chrome::new(&r.page, tr.t("handin.new.title")).signed_in(&r.page, &r.actor),
        place,
        place_id: at.node().id.to_string(),
        form: FormView::new("handin_new", fields, failure),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

/// `GET /dateien/abgabeordner/neu?in=…&gruppe=…`: the one-step form.
pub(super) async fn new_form(
    State(state): State<AppState>,
    r: Ready,
    Query(f): Query<NewForm>,
) -> Response {
    match place(&state, &r, &f.place).await {
        Ok(at) => new_page(&state, &r, &at, &f, None),
        Err(e) => r.fail(e),
    }
}

/// `POST /dateien/abgabeordner/neu`: creates it and opens its overview.
pub(super) async fn create(
    State(state): State<AppState>,
    r: Ready,
    Form(f): Form<NewForm>,
) -> Response {
    let tr = r.page.tr();
    let at = match place(&state, &r, &f.place).await {
        Ok(at) => at,
        Err(e) => return r.fail(e),
    };
    let fail = |field: &'static str, key: &str| Failure::local("handin_new", field, tr.t(key));
    let Ok(group) = f.gruppe.parse() else {
        return new_page(
            &state,
            &r,
            &at,
            &f,
            Some(&fail("gruppe", "handin.new.no_group")),
        );
    };
    let deadline = if f.datum.trim().is_empty() {
        None
    } else {
        match parse_deadline(Zone::of(&r.actor), &f.datum, &f.uhrzeit) {
            Some(d) => Some(d),
            None => {
                let failure = fail("datum", "handin.deadline.invalid");
                return new_page(&state, &r, &at, &f, Some(&failure));
            }
        }
    };
    let new = NewHandin {
        name: &f.name,
        group,
        deadline,
    };
    match state.platform.handin_create(&r.actor, &at, new).await {
        Ok(e) => {
            Redirect::to(&format!("{}/abgaben?ok=handin_created", node_href(e.id))).into_response()
        }
        Err(e @ (DomainError::Invalid { .. } | DomainError::Conflict { .. })) => {
            let failure = Failure::from_domain("handin_new", tr, &e);
            new_page(&state, &r, &at, &f, Some(&failure))
        }
        Err(e) => r.fail(e),
    }
}

/// Whether the caller may create hand-in folders at all (in the own area, where the
/// one-step form puts them): asked of the domain once per page, for links such as the
/// one on "Meine Gruppen".
pub async fn may_create(state: &AppState, actor: &schulhof_domain::identity::Actor) -> bool {
    match state.platform.handin_default_place(actor).await {
        Ok(at) => state.platform.handin_may_create(actor, &at),
        Err(_) => false,
    }
}

/// The one-step form for a group.
pub fn new_href(group: &str) -> String {
    format!(
        "/dateien/abgabeordner/neu?gruppe={}",
        crate::url::encode(group)
    )
}
