//! Sharing a folder or file: giving and taking back roles, drop folders, withdrawing
//! inherited rights. The services decide who may; the pages show their answer.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use schulhof_authz::files::FileRole;
use schulhof_domain::DomainError;
use schulhof_domain::files::Shared;
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::Failure;
use crate::pages::files::node::{Typed, render_node};
use crate::pages::files::{back_to, locate, node_href};

#[derive(Debug, Default, Deserialize)]
pub struct ShareForm {
    /// A group name or a login.
    #[serde(default)]
    subject: String,
    #[serde(default)]
    role: String,
    /// The grant to remove.
    #[serde(default)]
    key: String,
    /// `entfernen` removes `key`; anything else adds.
    #[serde(default)]
    aktion: String,
}

/// `POST /dateien/{id}/freigaben`.
pub async fn share(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<ShareForm>,
) -> Response {
    let tr = r.page.tr();
    let (node, _) = match locate(&state, &r, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let here = node_href(node.node().id);
    let p = &state.platform;
    if f.aktion == "entfernen" {
        return match p.file_revoke(&r.actor, &node, &f.key).await {
            Ok(()) => back_to(&here, "unshared"),
            Err(e) => {
                let failure = Failure::from_domain("rights", tr, &e);
                render_node(&state, &r, &id, Some(&failure), &Typed::default()).await
            }
        };
    }
    let result = async {
        let role = FileRole::parse(&f.role)
            .ok_or_else(|| DomainError::invalid("role", tr.t("files.share.bad_role")))?;
        p.file_share_named(&r.actor, &node, &f.subject, role).await
    }
    .await;
    match result {
        Ok(Shared::Granted { .. }) => back_to(&here, "shared"),
        // The same answer whether or not the login of the other school exists.
        Ok(Shared::Offered { .. }) => back_to(&here, "offered"),
        Err(e) => {
            let failure = Failure::from_domain("share", tr, &e);
            let typed = Typed {
                subject: f.subject,
                role: f.role,
                ..Typed::default()
            };
            render_node(&state, &r, &id, Some(&failure), &typed).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct RightsForm {
    /// `abgabe_an`, `abgabe_aus`, `erben_aus` or `erben_an`.
    #[serde(default)]
    aktion: String,
}

/// `POST /dateien/{id}/rechte`: drop folder on or off, inherited rights withdrawn or back.
pub async fn rights(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<RightsForm>,
) -> Response {
    let (node, _) = match locate(&state, &r, &id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let p = &state.platform;
    let (result, ok) = match f.aktion.as_str() {
        "abgabe_an" => (p.file_set_drop_box(&r.actor, &node, true).await, "drop_on"),
        "abgabe_aus" => (
            p.file_set_drop_box(&r.actor, &node, false).await,
            "drop_off",
        ),
        "erben_aus" => (
            p.file_set_inherit(&r.actor, &node, false).await,
            "inherit_off",
        ),
        "erben_an" => (
            p.file_set_inherit(&r.actor, &node, true).await,
            "inherit_on",
        ),
        _ => return r.fail(DomainError::NotFound),
    };
    match result {
        Ok(()) => back_to(&node_href(node.node().id), ok),
        Err(e) => {
            let failure = Failure::from_domain("rights", r.page.tr(), &e);
            render_node(&state, &r, &id, Some(&failure), &Typed::default()).await
        }
    }
}
