//! The sharing section of a folder or file page: its grants with the form to add one, the
//! switches for drop folders and inherited rights, and the shares inherited from above.
//! Shown as far as the policy lets the caller see and change them (the services decide
//! again). The Safe shows the same section for its common area.

use schulhof_domain::files::{FileEntry, Located};
use schulhof_domain::identity::Actor;
use schulhof_front::AppState;

use crate::auth::Ready;
use crate::forms::{Failure, Field, FormView};
use crate::i18n::Tr;
use crate::pages::files::node::Typed;
use crate::pages::files::{area_title, node_href, role_label};

/// The sharing section of a folder or file.
pub struct ShareView {
    pub base: String,
    pub grants: Vec<GrantRow>,
    pub add: FormView,
    /// The caller's own groups, offered while typing.
    pub groups: Vec<String>,
    pub error: Option<String>,
    /// Whether it is a drop folder, when the caller may change that.
    pub drop_box: Option<bool>,
    /// Whether inherited rights reach it, when the caller may change that.
    pub inherits: Option<bool>,
}

pub struct GrantRow {
    pub key: String,
    pub label: String,
    pub kind: &'static str,
    pub role: &'static str,
    pub removable: bool,
}

fn subject_label(tr: Tr, kind: &str, label: &str) -> String {
    if kind != "kind" {
        return label.to_owned();
    }
    match label.strip_prefix("fn:") {
        Some(role) => tr.function_role(role).to_owned(),
        None => tr
            .lookup(&format!("to.{label}"))
            .map_or_else(|| label.to_owned(), str::to_owned),
    }
}

pub(super) async fn share_view(
    state: &AppState,
    r: &Ready,
    located: &Located,
    entry: &FileEntry,
    failure: Option<&Failure>,
    typed: &Typed,
) -> Option<ShareView> {
    // The grants are shown to those who may change the node (the service asks the same).
    if !entry.caps.write {
        return None;
    }
    let at = ShareAt {
        actor: &r.actor,
        base: node_href(entry.id),
        switches: true,
    };
    share_view_as(state, r.page.tr(), at, located, entry, failure, typed).await
}

/// Whose sharing section it is and where its forms post.
pub struct ShareAt<'a> {
    /// The caller as the services see them (in the Safe: the Safe's actor).
    pub actor: &'a Actor,
    /// The node's page, which the forms post below.
    pub base: String,
    /// Whether to offer drop folders and withdrawing inherited rights.
    pub switches: bool,
}

/// The sharing section of a node, if the caller may see its grants.
pub async fn share_view_as(
    state: &AppState,
    tr: Tr,
    at: ShareAt<'_>,
    located: &Located,
    entry: &FileEntry,
    failure: Option<&Failure>,
    typed: &Typed,
) -> Option<ShareView> {
    let grants = state.platform.file_grants(at.actor, located).await.ok()?;
    // The owner's grant on the own area is what makes it theirs; it cannot be removed.
    let owner_key = format!("u:{}", located.node().owner_id);
    let roles = ["viewer", "contributor", "coordinator"]
        .into_iter()
        .map(|v| (v.to_owned(), role_label(tr, v).to_owned()));
    let role = if typed.role.is_empty() {
        "viewer"
    } else {
        typed.role.as_str()
    };
    let fields = vec![
        Field::new(tr, "share-subject", "subject", "files.share.subject")
            .value(typed.subject.clone())
            .hint(tr, "files.share.subject_hint")
            .attr("list", "share-groups")
            .required(),
        Field::new(tr, "share-role", "role", "files.share.role")
            .value(role)
            .options(roles),
    ];
    let coordinates = at.switches && entry.caps.manage && !entry.is_root();
    Some(ShareView {
        base: at.base,
        grants: grants
            .into_iter()
            .map(|g| GrantRow {
                removable: !(entry.is_root() && g.key == owner_key),
                label: subject_label(tr, g.kind, &g.label),
                kind: tr.t(&format!("files.grant.{}", g.kind)),
                role: role_label(tr, g.role),
                key: g.key,
            })
            .collect(),
        add: FormView::new("share", fields, failure),
        groups: at.actor.groups.iter().map(|g| g.name.clone()).collect(),
        error: failure
            .filter(|f| f.form == "rights")
            .map(|f| f.message.clone()),
        drop_box: (coordinates && entry.is_dir).then_some(entry.drop_box),
        inherits: coordinates.then_some(entry.inherits),
    })
}

/// A share that reaches a node from a folder above it.
pub struct InheritedRow {
    pub label: String,
    pub kind: &'static str,
    pub role: &'static str,
    pub from_name: String,
    pub from_href: String,
}

/// The shares inherited from the folders above, for those who see the node's own shares.
pub async fn inherited_rows(
    state: &AppState,
    r: &Ready,
    located: &Located,
    shown: bool,
) -> Vec<InheritedRow> {
    if !shown {
        return Vec::new();
    }
    let tr = r.page.tr();
    let list = state
        .platform
        .file_inherited_grants(&r.actor, located)
        .await
        .unwrap_or_default();
    let root = located.rows.first().map(|row| row.id);
    list.into_iter()
        .map(|g| InheritedRow {
            label: subject_label(tr, g.grant.kind, &g.grant.label),
            kind: tr.t(&format!("files.grant.{}", g.grant.kind)),
            role: role_label(tr, g.grant.role),
            from_name: if Some(g.from) == root {
                area_title(tr, located.area.as_str()).to_owned()
            } else {
                g.from_name
            },
            from_href: node_href(g.from),
        })
        .collect()
}
