//! Hand-in folders (Abgabeordner): a drop folder given to a group, with an optional deadline.
//!
//! Students of the group hand in files; each sees only their own, in a name space of
//! their own (two may hand in `Aufsatz.docx`). The folder's coordinators see every hand-in
//! with who handed it in and when, which hand-ins came after the deadline, and who of the
//! group has not handed in yet. As in Teams and Classroom, the deadline does not close the
//! folder: later hand-ins are accepted and marked late.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use schulhof_authz::files::{FileOp, FileRole};
use schulhof_authz::{Principal, ReadGroup, check, may_see_member};
use schulhof_store::files::handins::{self as store, PersonRow};
use schulhof_store::files::{self as nodes, NewNode, NodeRow};
use schulhof_store::groups;
use schulhof_types::{AccountType, GroupId, NodeId, UserId};
use serde::Serialize;

use super::locate::locate_in;
use super::names::{check_name, name_key_in};
use super::trash::log_file_action;
use super::write::{insert_named, owner_of};
use super::{FileEntry, Located};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// A login named on an overview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HandinPerson {
    pub id: UserId,
    /// "Anna Test".
    pub name: String,
    pub login: String,
}

impl From<PersonRow> for HandinPerson {
    fn from(p: PersonRow) -> Self {
        HandinPerson {
            id: p.id,
            name: format!("{} {}", p.first_name, p.last_name),
            login: p.login,
        }
    }
}

/// One hand-in: a file (or folder) in the hand-in folder.
#[derive(Clone, Debug, Serialize)]
pub struct Handin {
    pub id: NodeId,
    pub name: String,
    pub is_dir: bool,
    pub size: u64,
    pub mime: Option<String>,
    /// When it was handed in or last replaced.
    pub at: DateTime<Utc>,
    /// Handed in (or replaced) after the deadline.
    pub late: bool,
    /// Who handed it in (`None`: an upload through a link, or a deleted login).
    pub by: Option<HandinPerson>,
}

/// What a hand-in folder shows to the caller.
#[derive(Clone, Debug, Serialize)]
pub struct HandinOverview {
    pub folder: FileEntry,
    pub deadline: Option<DateTime<Utc>>,
    /// The deadline has passed.
    pub overdue: bool,
    /// The coordinators' view: every hand-in with names, and who is missing. Otherwise the
    /// caller sees only their own hand-ins.
    pub all: bool,
    /// The caller may hand in (Contributor or more).
    pub may_hand_in: bool,
    /// The caller may change the deadline.
    pub may_set_deadline: bool,
    /// The groups asked to hand in (coordinators' view).
    pub groups: Vec<String>,
    /// Oldest first.
    pub handins: Vec<Handin>,
    /// Students of those groups without any hand-in (coordinators' view).
    pub missing: Vec<HandinPerson>,
    /// How many of the expected students handed in (coordinators' view).
    pub handed_in: usize,
    pub expected: usize,
}

/// A hand-in folder to create in one step.
#[derive(Clone, Debug)]
pub struct NewHandin<'a> {
    pub name: &'a str,
    /// The group whose members hand in (they become its contributors).
    pub group: GroupId,
    pub deadline: Option<DateTime<Utc>>,
}

/// The new folder as it will be, with the path to it, so the policy can decide on it
/// before it exists.
fn planned(parent: &Located, actor: &Actor, id: NodeId, name: &str) -> Located {
    let p = parent.node();
    let row = NodeRow {
        id,
        parent_id: Some(p.id),
        area: p.area.clone(),
        owner_id: p.owner_id,
        name: name.to_owned(),
        is_dir: true,
        inherit: true,
        drop_box: false,
        blob_sha: None,
        size: 0,
        mime: None,
        created_by: Some(actor.token.user()),
        modified_at: p.modified_at,
        deleted_at: None,
        deleted_by: None,
        own_role: None,
    };
    let mut rows = parent.rows.clone();
    rows.push(row);
    Located {
        area: parent.area,
        rows,
        viewer: parent.viewer,
        guest: parent.guest,
    }
}

/// What creating a hand-in folder in `parent` needs of the policy: creating a folder there,
/// making it a drop folder, and letting a group contribute to it.
fn check_create(actor: &Actor, parent: &Located, planned: &Located) -> Result<(), DomainError> {
    if parent.is_guest() || !parent.node().is_dir {
        return Err(DomainError::Forbidden);
    }
    parent.check(actor, FileOp::Coordinate)?;
    planned.check(actor, FileOp::ManageRights)?;
    planned.check(
        actor,
        FileOp::Share {
            role: FileRole::Contributor,
            target: None,
        },
    )?;
    Ok(())
}

impl Platform {
    /// Whether the caller may create a hand-in folder in `parent` (to offer the action).
    pub fn handin_may_create(&self, actor: &Actor, parent: &Located) -> bool {
        let probe = planned(parent, actor, NodeId::new(), "probe");
        check_create(actor, parent, &probe).is_ok()
    }

    /// Where a hand-in folder goes when no folder was chosen: the caller's own area.
    pub async fn handin_default_place(&self, actor: &Actor) -> Result<Located, DomainError> {
        let root = self
            .area_root(actor, schulhof_authz::files::Area::Own)
            .await?;
        self.locate(actor, root).await
    }

    /// Creates a hand-in folder in one step: the folder, made a drop folder, the group's
    /// members as its contributors and the deadline, in one transaction with one audit row.
    pub async fn handin_create(
        &self,
        actor: &Actor,
        parent: &Located,
        new: NewHandin<'_>,
    ) -> Result<FileEntry, DomainError> {
        let name = check_name(new.name)?;
        let id = NodeId::new();
        let plan = planned(parent, actor, id, &name);
        check_create(actor, parent, &plan)?;
        let grant = check(
            &actor.token,
            ReadGroup {
                instance: actor.token.instance(),
                group: new.group,
            },
        )?;
        let instance = grant.instance();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        groups::get(&mut tx, instance, new.group)
            .await?
            .ok_or(DomainError::NotFound)?;
        let p = parent.node();
        let node = NewNode {
            id,
            parent_id: p.id,
            area: parent.area.as_str().into(),
            owner_id: owner_of(parent),
            name_key: name_key_in(p, Some(actor.token.user()), &name),
            name: name.clone(),
            is_dir: true,
            blob_sha: None,
            size: 0,
            mime: None,
            by: actor.token.user(),
        };
        insert_named(&mut tx, actor, node, now).await?;
        nodes::set_flags(&mut tx, instance, id, true, true).await?;
        let key = schulhof_authz::files::group_key(new.group);
        let role = FileRole::Contributor.as_i64();
        nodes::set_grant(
            &mut tx,
            instance,
            id,
            &key,
            role,
            Some(actor.token.user()),
            now,
        )
        .await?;
        if new.deadline.is_some() {
            store::set_deadline(&mut tx, instance, id, new.deadline, actor.token.user(), now)
                .await?;
        }
        log_file_action(&mut tx, actor, now, "file_handin_create", id, &name).await?;
        let located = locate_in(&mut tx, actor, id).await?;
        tx.commit().await?;
        located.entry(actor).ok_or(DomainError::NotFound)
    }

    /// Sets or clears the deadline of a hand-in folder (its coordinators).
    pub async fn handin_set_deadline(
        &self,
        actor: &Actor,
        folder: &Located,
        deadline: Option<DateTime<Utc>>,
    ) -> Result<(), DomainError> {
        let row = folder.node();
        if !row.drop_box {
            return Err(DomainError::NotFound);
        }
        folder.check(actor, FileOp::Coordinate)?;
        let instance = actor.token.instance();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        store::set_deadline(&mut tx, instance, row.id, deadline, actor.token.user(), now).await?;
        log_file_action(
            &mut tx,
            actor,
            now,
            "file_handin_deadline",
            row.id,
            &row.name,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The hand-in folder as the caller may see it: its coordinators everything, everyone
    /// else only their own hand-ins. Three statements, however many hand-ins and students.
    pub async fn handin_overview(
        &self,
        actor: &Actor,
        folder: &Located,
    ) -> Result<HandinOverview, DomainError> {
        let row = folder.node();
        if !row.is_dir || !row.drop_box || folder.is_guest() {
            return Err(DomainError::NotFound);
        }
        folder.check(actor, FileOp::Read)?;
        let entry = folder.entry(actor).ok_or(DomainError::NotFound)?;
        let all = folder.check(actor, FileOp::Coordinate).is_ok();
        let me = actor.token.user();
        let instance = actor.token.instance();
        let mut c = self.db.read().await?;
        let deadline = store::deadline(&mut c, instance, row.id).await?;
        let only = (!all).then_some(me);
        let rows = store::handins(&mut c, instance, row.id, only).await?;
        let expected = if all {
            store::expected(&mut c, instance, row.id).await?
        } else {
            Vec::new()
        };
        drop(c);
        let handins: Vec<Handin> = rows.into_iter().map(|h| handin(h, deadline)).collect();
        let (groups, students) = expected_students(actor, expected);
        let submitted: HashSet<UserId> = handins
            .iter()
            .filter_map(|h| h.by.as_ref().map(|p| p.id))
            .collect();
        let (done, missing): (Vec<_>, Vec<_>) = students
            .into_iter()
            .partition(|p| submitted.contains(&p.id));
        Ok(HandinOverview {
            overdue: deadline.is_some_and(|d| self.now() > d),
            may_hand_in: folder.check(actor, FileOp::Write).is_ok(),
            may_set_deadline: all,
            folder: entry,
            deadline,
            all,
            groups,
            handins,
            handed_in: done.len(),
            expected: done.len() + missing.len(),
            missing,
        })
    }
}

fn handin(h: store::HandinRow, deadline: Option<DateTime<Utc>>) -> Handin {
    Handin {
        id: h.id,
        late: deadline.is_some_and(|d| h.modified_at > d),
        name: h.name,
        is_dir: h.is_dir,
        size: h.size.max(0) as u64,
        mime: h.mime,
        at: h.modified_at,
        by: h.by.map(HandinPerson::from),
    }
}

/// The groups asked to hand in, and their students (each once, never the caller), as far
/// as the caller may see students at all (groups.read_students).
fn expected_students(
    actor: &Actor,
    rows: Vec<store::ExpectedRow>,
) -> (Vec<String>, Vec<HandinPerson>) {
    let students_visible = may_see_member(&actor.token, Principal::Person(AccountType::Schueler));
    let mut groups: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    let mut students = Vec::new();
    for r in rows {
        if !groups.contains(&r.group) {
            groups.push(r.group);
        }
        let student = r.person.kind == AccountType::Schueler.as_str();
        if student
            && students_visible
            && r.person.id != actor.token.user()
            && seen.insert(r.person.id)
        {
            students.push(HandinPerson::from(r.person));
        }
    }
    (groups, students)
}
