//! `/verwaltung/gruppen`: all groups of the school, creating and deleting groups. One
//! group's page is in `group_detail`.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::admin::GroupView;
use schulhof_front::AppState;
use schulhof_types::{GroupId, GroupKind, RightId};
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::pages::account::Confirmed;
use crate::pages::views::ConfirmPage;
use crate::render;

#[derive(Template)]
#[template(path = "groups.html")]
struct ListPage {
    c: Chrome,
    search: Field,
    groups: Vec<GroupRow>,
    create: Option<FormView>,
}

pub struct GroupRow {
    pub href: String,
    pub name: String,
    pub kind: &'static str,
    pub description: String,
    pub members: i64,
}

#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct GroupForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub description: String,
}

/// The parsed id, or `None` for a path that cannot name a group (answered as "not found").
pub fn parse_id(id: &str) -> Option<GroupId> {
    id.parse().ok()
}

pub fn kind_options(tr: Tr) -> Vec<(String, String)> {
    GroupKind::ALL
        .iter()
        .map(|k| (k.as_str().to_owned(), tr.group_kind(k.as_str()).to_owned()))
        .collect()
}

/// Name, kind and description, as the create and edit forms both ask them.
pub fn group_fields(tr: Tr, prefix: &str, form: &GroupForm) -> Vec<Field> {
    vec![
        Field::new(tr, format!("{prefix}-name"), "name", "field.group_name")
            .value(form.name.clone())
            .required(),
        Field::new(tr, format!("{prefix}-kind"), "kind", "field.group_kind")
            .value(form.kind.clone())
            .options(kind_options(tr)),
        Field::new(
            tr,
            format!("{prefix}-desc"),
            "description",
            "field.description",
        )
        .kind("textarea")
        .value(form.description.clone()),
    ]
}

fn row(tr: Tr, g: &GroupView) -> GroupRow {
    GroupRow {
        href: format!("/verwaltung/gruppen/{}", g.id),
        name: g.name.clone(),
        kind: tr.group_kind(&g.kind),
        description: g.description.clone(),
        members: g.members,
    }
}

async fn render_list(
    state: &AppState,
    r: &Ready,
    q: &str,
    input: &GroupForm,
    failure: Option<&Failure>,
) -> Response {
    let tr = r.page.tr();
    let groups = match state.platform.list_groups(&r.actor, q).await {
        Ok(g) => g,
        Err(e) => return r.fail(e),
    };
    let view = ListPage {
        c: Chrome::new(&r.page, tr.t("groups.title")).signed_in(&r.page, &r.actor),
        search: Field::new(tr, "q", "q", "groups.search")
            .kind("search")
            .value(q),
        groups: groups.iter().map(|g| row(tr, g)).collect(),
        create: r
            .actor
            .token
            .has(RightId::AdminGroups)
            .then(|| FormView::new("create", group_fields(tr, "new", input), failure)),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

pub async fn list(
    State(state): State<AppState>,
    r: Ready,
    Query(q): Query<SearchQuery>,
) -> Response {
    render_list(&state, &r, q.q.trim(), &GroupForm::default(), None).await
}

pub async fn create(State(state): State<AppState>, r: Ready, Form(f): Form<GroupForm>) -> Response {
    match state
        .platform
        .create_group(&r.actor, &f.name, &f.kind, &f.description)
        .await
    {
        Ok(id) => {
            Redirect::to(&format!("/verwaltung/gruppen/{id}?ok=group_created")).into_response()
        }
        Err(e) => {
            let failure = Failure::from_domain("create", r.page.tr(), &e);
            render_list(&state, &r, "", &f, Some(&failure)).await
        }
    }
}

pub async fn delete_confirm(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
) -> Response {
    let tr = r.page.tr();
    let Some(gid) = parse_id(&id) else {
        return r.fail(schulhof_domain::DomainError::NotFound);
    };
    let group = match state.platform.group_detail(&r.actor, gid).await {
        Ok(g) => g,
        Err(e) => return r.fail(e),
    };
    let view = ConfirmPage {
        c: Chrome::new(&r.page, tr.t("groups.delete_title")).signed_in(&r.page, &r.actor),
        heading: tr.t("groups.delete_title").to_owned(),
        text: tr.t("groups.delete_text").replace("{name}", &group.name),
        action: format!("/verwaltung/gruppen/{gid}/loeschen"),
        button: tr.t("groups.delete_button"),
        cancel_href: format!("/verwaltung/gruppen/{gid}"),
    };
    render::ok(&view)
}

pub async fn delete(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<Confirmed>,
) -> Response {
    let Some(gid) = parse_id(&id) else {
        return r.fail(schulhof_domain::DomainError::NotFound);
    };
    if f.bestaetigt != "ja" {
        return Redirect::to(&format!("/verwaltung/gruppen/{gid}/loeschen")).into_response();
    }
    match state.platform.delete_group(&r.actor, gid).await {
        Ok(()) => Redirect::to("/verwaltung/gruppen?ok=group_deleted").into_response(),
        Err(e) => r.fail(e),
    }
}
