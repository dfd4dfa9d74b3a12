//! Rights on folders and files: sharing with logins, groups or kinds of login, withdrawing
//! inherited rights, drop folders.

use std::collections::BTreeMap;

use schulhof_authz::Principal;
use schulhof_authz::files::{self, FileOp, FileRole};
use schulhof_store::files as store;
use schulhof_store::{groups, instances, users};
use schulhof_types::{AccountType, FunctionRole, GroupId, InstanceId, UserId};
use serde::Serialize;

use super::Located;
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
    /// A login of another school (needs files.*.share_cross; it only ever reads).
    Guest {
        user: UserId,
        school: InstanceId,
    },
}

impl Subject {
    /// The key its grants carry.
    pub fn key(&self) -> String {
        match *self {
            Subject::User(u) => files::user_key(u),
            Subject::Group(g) => files::group_key(g),
            Subject::Kind(p) => files::kind_key(p),
            Subject::Guest { user, .. } => files::guest_key(user),
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
                ("x:", id) => ("guest", self.guest_label(&mut c, id).await?),
                _ => ("kind", g.subject_key.trim_start_matches("t:").to_owned()),
            };
            out.push(GrantView {
                key: g.subject_key,
                kind,
                label,
                role,
            });
        }
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
            Subject::Guest { user, school } => {
                let guest = users::get(&mut c, school, user)
                    .await?
                    .ok_or(DomainError::NotFound)?;
                if school == instance {
                    return Err(DomainError::invalid(
                        "subject",
                        "Das ist die eigene Schule.",
                    ));
                }
                if role != FileRole::Viewer {
                    return Err(DomainError::invalid(
                        "role",
                        "Anmeldungen anderer Schulen können nur lesen.",
                    ));
                }
                let target = principal_of(&guest)?;
                drop(c);
                let grant = node.check(actor, FileOp::ShareCross { role, target })?;
                return self
                    .record_grant(
                        actor,
                        node,
                        grant.action().node,
                        &files::guest_key(user),
                        role,
                    )
                    .await;
            }
        };
        drop(c);
        let grant = node.check(actor, FileOp::Share { role, target })?;
        self.record_grant(actor, node, grant.action().node, &key, role)
            .await
    }

    /// Stores a grant the policy allowed, and logs it.
    async fn record_grant(
        &self,
        actor: &Actor,
        node: &Located,
        id: schulhof_types::NodeId,
        key: &str,
        role: FileRole,
    ) -> Result<(), DomainError> {
        let instance = actor.token.instance();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        store::set_grant(
            &mut tx,
            instance,
            id,
            key,
            role.as_i64(),
            Some(actor.token.user()),
            now,
        )
        .await?;
        log_file_action(
            &mut tx,
            actor,
            now,
            if key.starts_with("x:") {
                "file_share_cross"
            } else {
                "file_share"
            },
            node.node().id,
            &format!("{key} {}", role.as_str()),
        )
        .await?;
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
        if row.parent_id.is_none() && key == format!("u:{}", row.owner_id) {
            return Err(DomainError::invalid(
                "subject",
                "Die eigene Ablage bleibt immer die eigene.",
            ));
        }
        node.check(
            actor,
            FileOp::Share {
                role: FileRole::Viewer,
                target: None,
            },
        )?;
        if key.starts_with("t:") {
            node.check(actor, FileOp::ManageRights)?;
        }
        if key.starts_with("x:") {
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
        if let Some((login, number)) = name.rsplit_once('@')
            && !number.is_empty()
            && number.bytes().all(|b| b.is_ascii_digit())
        {
            let school = instances::find_by_number(&mut c, number).await?;
            if school.as_ref().is_some_and(|s| s.id != instance) {
                return self.guest_subject(actor, &mut c, login, school).await;
            }
            if let Some(u) = users::find_by_login(&mut c, instance, &login.to_lowercase()).await? {
                return Ok(Subject::User(u.id));
            }
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

    /// A login of another school as `login@schulnummer`. Only who may share across schools
    /// may look logins of other schools up at all.
    async fn guest_subject(
        &self,
        actor: &Actor,
        c: &mut schulhof_store::Handle,
        login: &str,
        school: Option<instances::InstanceRow>,
    ) -> Result<Subject, DomainError> {
        if !files::may_share_across_schools(&actor.token) {
            return Err(DomainError::invalid(
                "subject",
                "Mit Anmeldungen anderer Schulen dürfen Sie nicht teilen (Recht „schulübergreifend teilen“).",
            ));
        }
        let school = school.ok_or(DomainError::NotFound)?;
        let user = users::find_by_login(c, school.id, &login.to_lowercase())
            .await?
            .ok_or_else(|| {
                DomainError::invalid(
                    "subject",
                    format!(
                        "Keine Anmeldung „{login}“ an der Schule {}.",
                        school.school_number
                    ),
                )
            })?;
        Ok(Subject::Guest {
            user: user.id,
            school: school.id,
        })
    }

    /// "Name (login@schulnummer, Schule)" of a guest's grant key.
    async fn guest_label(
        &self,
        c: &mut schulhof_store::Handle,
        id: &str,
    ) -> Result<String, DomainError> {
        let gone = || "(gelöschte Anmeldung einer anderen Schule)".to_owned();
        let Ok(id) = id.parse() else {
            return Ok(gone());
        };
        let user = UserId(id);
        for school in users::system_schools_of(c, user).await? {
            if let (Some(u), Some(s)) = (
                users::get(c, school, user).await?,
                instances::get(c, school).await?,
            ) {
                return Ok(format!(
                    "{} {} ({}@{}, {})",
                    u.first_name, u.last_name, u.login, s.school_number, s.name
                ));
            }
        }
        Ok(gone())
    }
}
