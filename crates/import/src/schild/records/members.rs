//! Membership records. Most are applied at once; those naming a person or group the file
//! has not shown yet wait for the end of the file.

use std::rc::Rc;

use super::Records;
use crate::model::{ConflictKind, Position};
use crate::schild::push_segment;

/// A member's place, kept as numbers: there are thousands, and a path string is only
/// needed for the few that become conflicts.
#[derive(Clone, Copy, Default)]
pub(super) struct MemberAt {
    pub(super) line: u64,
    pub(super) membership: usize,
    pub(super) member: usize,
}

impl MemberAt {
    pub(super) fn position(self) -> Position {
        let mut path = String::from("/enterprise");
        push_segment(&mut path, 1, "membership", self.membership);
        push_segment(&mut path, 2, "member", self.member);
        Position {
            line: Some(self.line),
            column: None,
            path: Some(path),
        }
    }
}

#[derive(Default)]
pub(super) struct MemberRec {
    pub(super) at: MemberAt,
    pub(super) id: Option<String>,
    pub(super) idtype: Option<String>,
    pub(super) status: Option<String>,
}

#[derive(Default)]
pub(super) struct MembershipRec {
    pub(super) group: Option<String>,
    pub(super) members: Vec<MemberRec>,
}

pub(super) struct Pending {
    pub(super) group: Rc<str>,
    pub(super) person: String,
    pub(super) at: MemberAt,
}

impl Records {
    pub(super) fn finish_membership(&mut self, m: MembershipRec) {
        let Some(group) = m.group else {
            if let Some(first) = m.members.into_iter().next() {
                let message = "a membership names no group (sourcedid/id)".to_string();
                self.conflict(
                    first.at.position(),
                    None,
                    ConflictKind::MissingSourceId,
                    message,
                );
            }
            return;
        };
        let group: Rc<str> = group.into();
        for member in m.members {
            // idtype 2 = a group as member (nesting, not used); status 0 = inactive.
            if member.idtype.as_deref() == Some("2") || member.status.as_deref() == Some("0") {
                continue;
            }
            let Some(person) = member.id else {
                let message = format!("a member of group {group} has no sourcedid/id");
                self.conflict(
                    member.at.position(),
                    None,
                    ConflictKind::MissingSourceId,
                    message,
                );
                continue;
            };
            let m = Pending {
                group: group.clone(),
                person,
                at: member.at,
            };
            // In the usual order (persons, groups, memberships) everything is known by now;
            // only references to records still to come wait for the end of the file.
            if self.is_settled(&m) {
                self.resolve(m);
            } else {
                self.pending.push(m);
            }
        }
    }

    fn is_settled(&self, m: &Pending) -> bool {
        let group = &*m.group;
        self.hidden_groups.contains(group)
            || (self.group_ids.contains(group)
                && (self.person_index.contains_key(&m.person)
                    || self.dropped_persons.contains(&m.person)))
    }

    /// Adds one membership to its person, or reports an unknown group or person once, at its
    /// first mention, not for every membership naming it.
    pub(super) fn resolve(&mut self, m: Pending) {
        if self.hidden_groups.contains(&*m.group) {
            return;
        }
        if !self.group_ids.contains(&*m.group) {
            if self.reported.insert(m.group.to_string()) {
                let message = format!(
                    "a membership names the group {}, which the file does not contain",
                    m.group
                );
                let id = Some(m.group.to_string());
                self.conflict(m.at.position(), id, ConflictKind::UnknownReference, message);
            }
            return;
        }
        match self.person_index.get(&m.person) {
            Some(&i) => {
                let groups = &mut self.persons[i].groups;
                if !groups.iter().any(|g| **g == *m.group) {
                    groups.push(m.group.to_string());
                }
            }
            None if self.dropped_persons.contains(&m.person) => {}
            None => {
                if self.reported.insert(m.person.clone()) {
                    let message = format!(
                        "the group {} lists the member {}, who is not in the file",
                        m.group, m.person
                    );
                    self.conflict(
                        m.at.position(),
                        Some(m.person),
                        ConflictKind::UnknownReference,
                        message,
                    );
                }
            }
        }
    }
}
