//! Rights on folders and files: sharing with logins, groups or kinds of login, withdrawing
//! inherited rights, drop folders.

use std::collections::BTreeMap;

use schulhof_authz::Principal;
use schulhof_authz::files::{self, FileOp, FileRole};
use schulhof_store::files as store;
use schulhof_store::{groups, users};
use schulhof_types::{AccountType, FunctionRole, GroupId, InstanceId, UserId};
use serde::Serialize;

use super::Located;
use super::names::rekey_children;
use super::trash::log_file_action;
use crate::identity::{Actor, principal_of};
use crate::{DomainError, Platform};

/// Whom a role is given to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    User(UserId),
    Group(GroupId),
    /// Every login of a kind (the admin's default rights).
    Kind(Principal),
}

impl Subject {
    /// The key its grants carry.
    pub fn key(&self) -> String {
        match *self {
            Subject::User(u) => files::user_key(u),
            Subject::Group(g) => files::group_key(g),
            Subject::Kind(p) => files::kind_key(p),
        }
    }
}

/// A grant on a node, for the sharing dialog.
#[derive(Clone, Debug, Serialize)]
pub struct GrantView {
    /// Stable key to remove it again (`u:…`, `g:…`, `t:lehrer`).
    pub key: String,
    /// `user`, `group`, `kind` or `guest` (a login of another school).
    pub kind: &'static str,
    pub label: String,
    pub role: &'static str,
}

impl Platform {
    /// The grants set on a node itself (contributors and coordinators see them).
    pub async fn file_grants(
        &self,
        actor: &Actor,
        node: &Located,
    ) -> Result<Vec<GrantView>, DomainError> {
        node.check(actor, FileOp::Write)?;
        let instance = actor.token.instance();
        let mut c = self.db.read().await?;
        let rows = store::grants_of(&mut c, instance, node.node().id).await?;
        let mut out = Vec::with_capacity(rows.len());
        for g in rows {
            let role = FileRole::from_i64(g.role).map_or("viewer", FileRole::as_str);
            let (kind, label) = match g.subject_key.split_at(2) {
                ("u:", id) => {
                    let user = match id.parse() {
                        Ok(u) => users::get(&mut c, instance, UserId(u)).await?,
                        Err(_) => None,
                    };
                    let label = user.map_or_else(
                        || "(gelöschte Anmeldung)".to_owned(),
                        |u| format!("{} {} ({})", u.first_name, u.last_name, u.login),
                    );
                    ("user", label)
                }
                ("g:", id) => {
                    let group = match id.parse() {
                        Ok(g) => groups::get(&mut c, instance, GroupId(g)).await?,
                        Err(_) => None,
                    };
                    (
                        "group",
                        group.map_or_else(|| "(gelöschte Gruppe)".to_owned(), |g| g.name),
                    )
                }
                ("x:", id) => ("guest", self.guest_grant_label(&mut c, instance, id).await?),
                _ => ("kind", g.subject_key.trim_start_matches("t:").to_owned()),
            };
            out.push(GrantView {
                key: g.subject_key,
                kind,
                label,
                role,
            });
        }
        // Offers to other schools not (yet) accepted: only the typed address.
        out.extend(self.offer_views(&mut c, node, instance).await?);
        Ok(out)
    }

    /// Gives `role` on a node to a login, a group or a kind of login of the same school.
    pub async fn file_share(
        &self,
        actor: &Actor,
        node: &Located,
        subject: Subject,
        role: FileRole,
    ) -> Result<(), DomainError> {
        let instance = actor.token.instance();
        let mut c = self.db.read().await?;
        let (key, target) = match subject {
            Subject::User(u) => {
                let user = users::get(&mut c, instance, u)
                    .await?
                    .ok_or(DomainError::NotFound)?;
                (files::user_key(u), Some(principal_of(&user)?))
            }
            Subject::Group(g) => {
                groups::get(&mut c, instance, g)
                    .await?
                    .ok_or(DomainError::NotFound)?;
                (files::group_key(g), None)
            }
            Subject::Kind(p) => {
                if !actor.token.principal().is(FunctionRole::Admin) {
                    return Err(DomainError::Forbidden);
                }
                (files::kind_key(p), Some(p))
            }
        };
        drop(c);
        self.change_grant(actor, node, &key, Some(role), target)
            .await
    }

    /// Gives (`Some`), changes or removes (`None`) one subject's grant inside the school,
    /// as the policy allows given the grant as it stands (read in the same transaction).
    async fn change_grant(
        &self,
        actor: &Actor,
        node: &Located,
        key: &str,
        new: Option<FileRole>,
        target: Option<Principal>,
    ) -> Result<(), DomainError> {
        let instance = actor.token.instance();
        let row = node.node();
        // The own area's template: its owner stays its coordinator.
        if row.parent_id.is_none()
            && key == files::user_key(UserId(row.owner_id))
            && new != Some(FileRole::Coordinator)
        {
            return Err(DomainError::invalid(
                "subject",
                "Die eigene Ablage bleibt immer die eigene.",
            ));
        }
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let existing = store::grants_of(&mut tx, instance, row.id)
            .await?
            .into_iter()
            .find(|g| g.subject_key == key);
        if existing.is_none() && new.is_none() {
            return Err(DomainError::NotFound);
        }
        let newly_shared = existing.is_none();
        let existing = existing.map(|g| files::ExistingGrant {
            role: FileRole::from_i64(g.role).unwrap_or(FileRole::Coordinator),
            by_caller: g.granted_by == Some(actor.token.user()),
        });
        let change = files::GrantChange {
            key: key.to_owned(),
            existing,
            new,
            target,
        };
        let grant = node.check(actor, FileOp::ChangeGrant(change))?;
        let id = grant.action().node;
        let detail = match new {
            Some(role) => {
                let by = Some(actor.token.user());
                store::set_grant(&mut tx, instance, id, key, role.as_i64(), by, now).await?;
                if newly_shared {
                    notify_share(&mut tx, actor, key, row, now).await?;
                }
                format!("{key} {}", role.as_str())
            }
            None => {
                store::remove_grant(&mut tx, instance, id, key).await?;
                key.to_owned()
            }
        };
        let action = if new.is_some() {
            "file_share"
        } else {
            "file_unshare"
        };
        log_file_action(&mut tx, actor, now, action, row.id, &detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a grant from a node. The owner's own grant on the own area stays.
    pub async fn file_unshare(
        &self,
        actor: &Actor,
        node: &Located,
        key: &str,
    ) -> Result<(), DomainError> {
        let row = node.node();
        if !key.starts_with("x:") {
            return self.change_grant(actor, node, key, None, None).await;
        }
        node.check(
            actor,
            FileOp::Share {
                role: FileRole::Viewer,
                target: None,
            },
        )?;
        {
            // Coordinators may always take a share away; others need the cross-school right.
            let any = FileOp::ShareCross {
                role: FileRole::Viewer,
                target: Principal::Person(AccountType::Lehrer),
            };
            node.check(actor, FileOp::ManageRights)
                .or_else(|_| node.check(actor, any))?;
        }
        let now = self.now();
        let mut tx = self.db.begin().await?;
        if !store::remove_grant(&mut tx, actor.token.instance(), row.id, key).await? {
            return Err(DomainError::NotFound);
        }
        log_file_action(&mut tx, actor, now, "file_unshare", row.id, key).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Withdraws the rights inherited from above (`inherit = false`), keeping the grants
    /// in effect so far as grants of this node, so they can then be taken away one by one;
    /// or lets inherited rights reach it again.
    pub async fn file_set_inherit(
        &self,
        actor: &Actor,
        node: &Located,
        inherit: bool,
    ) -> Result<(), DomainError> {
        let row = node.node();
        if row.parent_id.is_none() {
            return Err(DomainError::invalid(
                "node",
                "Ein Bereich erbt keine Rechte.",
            ));
        }
        node.check(actor, FileOp::ManageRights)?;
        let instance = actor.token.instance();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        if !inherit && row.inherit {
            let mut carried: BTreeMap<String, i64> = BTreeMap::new();
            for anc in node.rows.iter().rev().skip(1) {
                for g in store::grants_of(&mut tx, instance, anc.id).await? {
                    let r = carried.entry(g.subject_key).or_insert(0);
                    *r = (*r).max(g.role);
                }
                if !anc.inherit {
                    break;
                }
            }
            // The one withdrawing keeps coordinating what they withdrew.
            let me = files::user_key(actor.token.user());
            carried.insert(me, FileRole::Coordinator.as_i64());
            for (key, role) in carried {
                let existing = store::grants_of(&mut tx, instance, row.id).await?;
                let keep = existing
                    .iter()
                    .find(|g| g.subject_key == key)
                    .map_or(0, |g| g.role);
                store::set_grant(
                    &mut tx,
                    instance,
                    row.id,
                    &key,
                    role.max(keep),
                    Some(actor.token.user()),
                    now,
                )
                .await?;
            }
        }
        store::set_flags(&mut tx, instance, row.id, inherit, row.drop_box).await?;
        log_file_action(
            &mut tx,
            actor,
            now,
            if inherit {
                "file_inherit"
            } else {
                "file_withdraw"
            },
            row.id,
            &row.name,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Makes a folder a drop folder (contributors see only their own entries) or a normal one.
    pub async fn file_set_drop_box(
        &self,
        actor: &Actor,
        node: &Located,
        drop_box: bool,
    ) -> Result<(), DomainError> {
        let row = node.node();
        if !row.is_dir || row.parent_id.is_none() {
            return Err(DomainError::invalid(
                "node",
                "Nur Unterordner können Abgabeordner sein.",
            ));
        }
        node.check(actor, FileOp::ManageRights)?;
        let mut tx = self.db.begin().await?;
        if drop_box != row.drop_box {
            rekey_children(&mut tx, actor.token.instance(), row.id, drop_box).await?;
        }
        store::set_flags(
            &mut tx,
            actor.token.instance(),
            row.id,
            row.inherit,
            drop_box,
        )
        .await?;
        log_file_action(
            &mut tx,
            actor,
            self.now(),
            "file_drop_box",
            row.id,
            &row.name,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Who handed in the entries of a drop folder, as its coordinators see them: the names of
/// all submitters of a listing loaded in one statement, not one per submitter.
#[derive(Default)]
pub(crate) struct Submitters(std::collections::HashMap<UserId, String>);

impl Submitters {
    /// Loads the names of whoever created one of `rows`.
    pub(crate) async fn load(
        c: &mut schulhof_store::Handle,
        instance: InstanceId,
        rows: &[store::NodeRow],
    ) -> Result<Self, DomainError> {
        let mut ids: Vec<UserId> = rows.iter().filter_map(|r| r.created_by).collect();
        ids.sort_unstable_by_key(|u| u.0);
        ids.dedup();
        if ids.is_empty() {
            return Ok(Self::default());
        }
        let people = store::handins::people(c, instance, &ids).await?;
        Ok(Self(
            people
                .into_iter()
                .map(|u| {
                    (
                        u.id,
                        format!("{} {} ({})", u.first_name, u.last_name, u.login),
                    )
                })
                .collect(),
        ))
    }

    /// Who created `row`; a login deleted since is named as such.
    pub(crate) fn label(&self, row: &store::NodeRow) -> Option<String> {
        let by = row.created_by?;
        Some(
            self.0
                .get(&by)
                .cloned()
                .unwrap_or_else(|| "(gelöschte Anmeldung)".to_owned()),
        )
    }
}

/// Tells the login or the group's members a node was shared with them (not kinds of login:
/// the admin's defaults reach whole schools and are no news to anyone).
async fn notify_share(
    tx: &mut schulhof_store::Tx,
    actor: &Actor,
    key: &str,
    row: &store::NodeRow,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DomainError> {
    use crate::notify::{ShareTarget, file_shared};
    let id = |s: &str| s.parse::<uuid::Uuid>().ok();
    let target = match key.split_once(':') {
        Some(("u", u)) => id(u).map(|u| ShareTarget::User(UserId(u))),
        Some(("g", g)) => id(g).map(|g| ShareTarget::Group(GroupId(g))),
        _ => None,
    };
    match target {
        Some(t) => file_shared(tx, actor, t, row.id, &row.name, now).await,
        None => Ok(()),
    }
}

/// Parses a kind-of-login subject (`lehrer`, `fn:admin`).
pub fn kind_subject(s: &str) -> Option<Principal> {
    match s.strip_prefix("fn:") {
        Some(r) => FunctionRole::parse(r).map(Principal::Function),
        None => AccountType::parse(s).map(Principal::Person),
    }
}

impl Platform {
    /// Finds whom to share with by a group name or a login of the caller's school.
    pub async fn file_subject_by_name(
        &self,
        actor: &Actor,
        name: &str,
    ) -> Result<Subject, DomainError> {
        let name = name.trim();
        let instance = actor.token.instance();
        let mut c = self.db.read().await?;
        // Other schools' logins are never subjects here: they get offers
        // (`file_share_named`), which reveal nothing about them.
        if super::cross_address(actor, name).is_some() {
            return Err(if files::may_share_across_schools(&actor.token) {
                DomainError::invalid(
                    "subject",
                    "Anmeldungen anderer Schulen erhalten ein Angebot, keine Freigabe.",
                )
            } else {
                DomainError::Forbidden
            });
        }
        if let Some((login, number)) = name.rsplit_once('@')
            && number == actor.school_number
            && let Some(u) = users::find_by_login(&mut c, instance, &login.to_lowercase()).await?
        {
            return Ok(Subject::User(u.id));
        }
        if let Some(g) = groups::find_by_name(&mut c, instance, name).await? {
            return Ok(Subject::Group(g.id));
        }
        if let Some(u) = users::find_by_login(&mut c, instance, &name.to_lowercase()).await? {
            return Ok(Subject::User(u.id));
        }
        Err(DomainError::invalid(
            "subject",
            format!("Keine Gruppe und keine Anmeldung „{name}“ an dieser Schule."),
        ))
    }
}
