//! Groups and memberships.

use schulhof_authz::{GroupScope, ManageGroups, ReadGroup, check, group_scope};
use schulhof_store::groups::{self as store, GroupRow};
use schulhof_store::{grants, users};
use schulhof_types::{GroupId, GroupKind, RightId};
use serde::Serialize;

use super::{check_name, target};
use crate::audit::admin_action;
use crate::identity::Actor;
use crate::{DomainError, Platform};

#[derive(Clone, Debug, Serialize)]
pub struct GroupView {
    pub id: GroupId,
    pub name: String,
    pub kind: String,
    pub description: String,
    pub members: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct MemberView {
    pub login: String,
    pub first_name: String,
    pub last_name: String,
    pub account_type: String,
    /// Whether the viewer may reset this member's password.
    pub may_reset_password: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct GroupDetail {
    pub id: GroupId,
    pub name: String,
    pub kind: String,
    pub description: String,
    pub members: Vec<MemberView>,
    /// O-rights granted to the group.
    pub granted: Vec<RightId>,
    pub editable: bool,
}

fn parse_kind(kind: &str) -> Result<GroupKind, DomainError> {
    GroupKind::parse(kind.trim()).ok_or_else(|| {
        DomainError::invalid(
            "kind",
            "must be one of klasse, kurs, arbeitsgruppe, personalgruppe, fachschaft",
        )
    })
}

fn check_group_name(name: &str) -> Result<String, DomainError> {
    let n = check_name("name", name)?;
    if n.contains('/') {
        return Err(DomainError::invalid("name", "must not contain '/'"));
    }
    Ok(n)
}

impl Platform {
    /// All groups of the school (admin, principal) or the actor's own groups.
    pub async fn list_groups(
        &self,
        actor: &Actor,
        query: &str,
    ) -> Result<Vec<GroupView>, DomainError> {
        let member = match group_scope(&actor.token)? {
            GroupScope::All => None,
            GroupScope::MemberOf(u) => Some(u),
        };
        let mut c = self.db.read().await?;
        let rows = store::list(&mut c, actor.token.instance(), query, member).await?;
        Ok(rows
            .into_iter()
            .map(|s| GroupView {
                id: s.group.id,
                name: s.group.name,
                kind: s.group.kind,
                description: s.group.description,
                members: s.members,
            })
            .collect())
    }

    pub async fn group_detail(
        &self,
        actor: &Actor,
        id: GroupId,
    ) -> Result<GroupDetail, DomainError> {
        let grant = check(
            &actor.token,
            ReadGroup {
                instance: actor.token.instance(),
                group: id,
            },
        )?;
        let mut c = self.db.read().await?;
        let g = store::get(&mut c, grant.instance(), id)
            .await?
            .ok_or(DomainError::NotFound)?;
        let members = store::members(&mut c, grant.instance(), id).await?;
        let granted =
            grants::of_subject(&mut c, grant.instance(), grants::Subject::Group(id.0)).await?;
        let admin = actor.token.has(RightId::AdminUsers);
        // groups.read_students: without it a member of staff sees no students.
        let students_visible = schulhof_authz::may_see_member(
            &actor.token,
            schulhof_authz::Principal::Person(schulhof_types::AccountType::Schueler),
        );
        let teacher_may_reset =
            actor.token.has(RightId::GroupsResetStudentPassword) && actor.token.is_member(id);
        Ok(GroupDetail {
            id,
            name: g.name,
            kind: g.kind,
            description: g.description,
            members: members
                .into_iter()
                .filter(|u| students_visible || u.kind != "schueler")
                .map(|u| MemberView {
                    may_reset_password: u.id != actor.token.user()
                        && (admin || (teacher_may_reset && u.kind == "schueler")),
                    login: u.login,
                    first_name: u.first_name,
                    last_name: u.last_name,
                    account_type: u.kind,
                })
                .collect(),
            granted: granted.iter().filter_map(|r| RightId::parse(r)).collect(),
            editable: actor.token.has(RightId::AdminGroups),
        })
    }

    pub async fn create_group(
        &self,
        actor: &Actor,
        name: &str,
        kind: &str,
        description: &str,
    ) -> Result<GroupId, DomainError> {
        let grant = check(&actor.token, ManageGroups)?;
        let name = check_group_name(name)?;
        let kind = parse_kind(kind)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        if store::find_by_name(&mut tx, grant.instance(), &name)
            .await?
            .is_some()
        {
            return Err(DomainError::conflict(
                "name",
                format!("a group named {name} already exists"),
            ));
        }
        let row = GroupRow {
            instance_id: grant.instance(),
            id: GroupId::new(),
            name: name.clone(),
            kind: kind.as_str().into(),
            description: description.trim().into(),
        };
        store::insert(&mut tx, &row, now).await?;
        // Its course, if the school makes courses without a click.
        crate::lms::auto_courses::create_in(&mut tx, grant.instance(), None, now).await?;
        admin_action(
            &mut tx,
            actor,
            now,
            "group.create",
            &name,
            Some(serde_json::json!({ "kind": kind.as_str() })),
        )
        .await?;
        tx.commit().await?;
        Ok(row.id)
    }

    pub async fn update_group(
        &self,
        actor: &Actor,
        id: GroupId,
        name: &str,
        kind: &str,
        description: &str,
    ) -> Result<(), DomainError> {
        let grant = check(&actor.token, ManageGroups)?;
        let name = check_group_name(name)?;
        let kind = parse_kind(kind)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let mut g = store::get(&mut tx, grant.instance(), id)
            .await?
            .ok_or(DomainError::NotFound)?;
        refuse_archived(&mut tx, grant.instance(), id).await?;
        if let Some(other) = store::find_by_name(&mut tx, grant.instance(), &name).await?
            && other.id != id
        {
            return Err(DomainError::conflict(
                "name",
                format!("a group named {name} already exists"),
            ));
        }
        g.name = name;
        g.kind = kind.as_str().into();
        g.description = description.trim().into();
        store::update(&mut tx, &g).await?;
        // A group that became a class or course group gets its course, if the school says so.
        crate::lms::auto_courses::create_in(&mut tx, grant.instance(), None, now).await?;
        admin_action(&mut tx, actor, now, "group.update", &g.name, None).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete_group(&self, actor: &Actor, id: GroupId) -> Result<(), DomainError> {
        let grant = check(&actor.token, ManageGroups)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let g = store::get(&mut tx, grant.instance(), id)
            .await?
            .ok_or(DomainError::NotFound)?;
        // Archived classes and courses are kept for their deletion period.
        refuse_archived(&mut tx, grant.instance(), id).await?;
        store::delete(&mut tx, grant.instance(), id).await?;
        admin_action(&mut tx, actor, now, "group.delete", &g.name, None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds (`member = true`) or removes a login; doing it twice changes nothing more.
    pub async fn set_membership(
        &self,
        actor: &Actor,
        id: GroupId,
        login: &str,
        member: bool,
    ) -> Result<(), DomainError> {
        let grant = check(&actor.token, ManageGroups)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let g = store::get(&mut tx, grant.instance(), id)
            .await?
            .ok_or(DomainError::NotFound)?;
        refuse_archived(&mut tx, grant.instance(), id).await?;
        let user = users::find_by_login(&mut tx, grant.instance(), &login.trim().to_lowercase())
            .await?
            .ok_or_else(|| DomainError::invalid("login", "no such login in this school"))?;
        let changed = if member {
            store::add_member(&mut tx, grant.instance(), id, user.id, now).await?
        } else {
            store::remove_member(&mut tx, grant.instance(), id, user.id).await?
        };
        if changed {
            let action = if member {
                "group.member_add"
            } else {
                "group.member_remove"
            };
            admin_action(
                &mut tx,
                actor,
                now,
                action,
                &g.name,
                Some(serde_json::json!({ "login": user.login })),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A login's groups (for the admin), loaded with the target check.
    pub async fn groups_of_user(
        &self,
        actor: &Actor,
        login: &str,
    ) -> Result<Vec<String>, DomainError> {
        let mut c = self.db.read().await?;
        let (_, t) = target(&mut c, actor.token.instance(), login).await?;
        check(&actor.token, schulhof_authz::ReadUser(t.clone()))?;
        let groups = store::of_user(&mut c, actor.token.instance(), t.id).await?;
        Ok(groups.into_iter().map(|g| g.name).collect())
    }
}

/// Archived classes and courses are the record of a past school year: read-only.
async fn refuse_archived(
    c: &mut impl schulhof_store::AsConn,
    instance: schulhof_types::InstanceId,
    id: GroupId,
) -> Result<(), DomainError> {
    if store::is_archived(c, instance, id).await? {
        return Err(DomainError::conflict(
            "group",
            "the group belongs to a past school year and is read-only",
        ));
    }
    Ok(())
}
