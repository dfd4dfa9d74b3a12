//! `/verwaltung/gruppen/{id}`: one group's members, rights and data, with the admin's
//! forms to add and remove members, grant and revoke group rights, edit and delete.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_authz::matrix::{self, Mark};
use schulhof_domain::DomainError;
use schulhof_domain::admin::GroupDetail;
use schulhof_domain::identity::Actor;
use schulhof_front::AppState;
use schulhof_types::{AccountType, GroupId, RightId};
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView, RightForm};
use crate::i18n::Tr;
use crate::layout::Chrome;
use crate::pages::group_admin::{GroupForm, group_fields, parse_id};
use crate::pages::user_rights::{GrantRow, actor_granter};
use crate::render;
use crate::url;

#[derive(Template)]
#[template(path = "group_detail.html")]
struct DetailPage {
    c: Chrome,
    name: String,
    base: String,
    kind: &'static str,
    description: String,
    members: Vec<MemberRow>,
    editable: bool,
    add: Option<FormView>,
    members_error: Option<String>,
    edit: Option<FormView>,
    rights: Vec<GrantRow>,
    rights_error: Option<String>,
}

pub struct MemberRow {
    pub name: String,
    pub login: String,
    pub href: String,
    pub kind: String,
}

/// O-rights this actor grants that some account type may hold, with their state here.
fn grant_rows(tr: Tr, actor: &Actor, g: &GroupDetail) -> Vec<GrantRow> {
    let Some(granter) = actor_granter(actor) else {
        return Vec::new();
    };
    RightId::ALL
        .iter()
        .copied()
        .filter(|r| matrix::granter(*r) == granter)
        .filter(|r| {
            AccountType::ALL
                .iter()
                .any(|t| matrix::mark(*r, *t) == Mark::Grantable)
        })
        .map(|r| {
            let on = g.granted.contains(&r);
            let state = if on {
                tr.t("rights.state.granted")
            } else {
                tr.t("rights.state.off")
            };
            GrantRow {
                id: r.as_str(),
                description: tr.right(r),
                state,
                revoke: on,
            }
        })
        .collect()
}

async fn render_detail(
    state: &AppState,
    r: &Ready,
    gid: GroupId,
    input: Option<&GroupForm>,
    failure: Option<&Failure>,
) -> Response {
    let tr = r.page.tr();
    let g = match state.platform.group_detail(&r.actor, gid).await {
        Ok(g) => g,
        Err(e) => return r.fail(e),
    };
    let stored = GroupForm {
        name: g.name.clone(),
        kind: g.kind.clone(),
        description: g.description.clone(),
    };
    let add = Field::new(tr, "add-login", "login", "field.login").hint(tr, "groups.add_hint");
    let error_of = |form| {
        failure
            .filter(|f| f.form == form)
            .map(|f| f.message.clone())
    };
    let view = DetailPage {
        c: Chrome::new(&r.page, format!("{} {}", tr.t("groups.group"), g.name))
            .signed_in(&r.page, &r.actor),
        base: format!("/verwaltung/gruppen/{gid}"),
        kind: tr.group_kind(&g.kind),
        members: g
            .members
            .iter()
            .map(|m| MemberRow {
                name: format!("{} {}", m.first_name, m.last_name),
                href: format!("/verwaltung/benutzer/{}", url::encode(&m.login)),
                login: m.login.clone(),
                kind: tr.kind_label(&m.account_type, None),
            })
            .collect(),
        editable: g.editable,
        add: g.editable.then(|| FormView::new("add", vec![add], failure)),
        members_error: error_of("members"),
        edit: g.editable.then(|| {
            FormView::new(
                "edit",
                group_fields(tr, "edit", input.unwrap_or(&stored)),
                failure,
            )
        }),
        rights: grant_rows(tr, &r.actor, &g),
        rights_error: error_of("rights"),
        name: g.name,
        description: g.description,
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

fn back(gid: GroupId, ok: &str) -> Response {
    Redirect::to(&format!("/verwaltung/gruppen/{gid}?ok={ok}")).into_response()
}

pub async fn show(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    match parse_id(&id) {
        Some(gid) => render_detail(&state, &r, gid, None, None).await,
        None => r.fail(DomainError::NotFound),
    }
}

pub async fn update(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<GroupForm>,
) -> Response {
    let Some(gid) = parse_id(&id) else {
        return r.fail(DomainError::NotFound);
    };
    match state
        .platform
        .update_group(&r.actor, gid, &f.name, &f.kind, &f.description)
        .await
    {
        Ok(()) => back(gid, "group_saved"),
        Err(e) => {
            render_detail(
                &state,
                &r,
                gid,
                Some(&f),
                Some(&Failure::from_domain("edit", r.page.tr(), &e)),
            )
            .await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    aktion: String,
}

pub async fn membership(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<MemberForm>,
) -> Response {
    let Some(gid) = parse_id(&id) else {
        return r.fail(DomainError::NotFound);
    };
    let add = f.aktion != "entfernen";
    match state
        .platform
        .set_membership(&r.actor, gid, &f.login, add)
        .await
    {
        Ok(()) => back(
            gid,
            if add {
                "member_added"
            } else {
                "member_removed"
            },
        ),
        Err(e) => {
            // Adding has a login field to point at; removing is a button per row.
            let form = if add { "add" } else { "members" };
            render_detail(
                &state,
                &r,
                gid,
                None,
                Some(&Failure::from_domain(form, r.page.tr(), &e)),
            )
            .await
        }
    }
}

pub async fn set_right(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<RightForm>,
) -> Response {
    let Some(gid) = parse_id(&id) else {
        return r.fail(DomainError::NotFound);
    };
    let on = f.on == "ja";
    match state
        .platform
        .set_group_right(&r.actor, gid, &f.right, on)
        .await
    {
        Ok(()) => back(gid, if on { "right_granted" } else { "right_revoked" }),
        Err(e) => {
            render_detail(
                &state,
                &r,
                gid,
                None,
                Some(&Failure::from_domain("rights", r.page.tr(), &e)),
            )
            .await
        }
    }
}
