//! The semantics of the Schild records: which element fills which field, which records are
//! skipped with a conflict, and the memberships, resolved once the whole file is read
//! (odd files list memberships before the persons or groups they name).

mod members;
mod person;

use std::collections::{HashMap, HashSet};

use super::kinds::group_kind;
use super::{Frame, path_of};
use crate::model::{Conflict, ConflictKind, Group, ImportData, Person, Position, Source};
use crate::text::{find_school_year, is_school_number, non_empty};
use members::{MemberAt, MemberRec, MembershipRec, Pending};
use person::PersonRec;

#[derive(Default)]
struct GroupRec {
    position: Position,
    id: Option<String>,
    short: Option<String>,
    long: Option<String>,
    typevalue: Option<String>,
    level: Option<String>,
}

enum Current {
    Nothing,
    Properties,
    Person(Box<PersonRec>),
    Group(GroupRec),
    Membership(MembershipRec),
}

pub(super) struct Records {
    with_students: bool,
    current: Current,
    persons: Vec<Person>,
    person_index: HashMap<String, usize>,
    /// Persons left out (conflict, or pupils without `with_students`): their memberships go
    /// silently.
    dropped_persons: HashSet<String>,
    groups: Vec<Group>,
    group_ids: HashSet<String>,
    /// School authority and school (levels 1 and 2): never groups, memberships dropped.
    hidden_groups: HashSet<String>,
    pending: Vec<Pending>,
    /// Unknown group and person ids already reported.
    reported: HashSet<String>,
    conflicts: Vec<Conflict>,
    school_number: Option<String>,
    school_year: Option<String>,
    property_year: Option<String>,
}

fn rel_names(stack: &[Frame]) -> Vec<&str> {
    stack.iter().skip(2).map(|f| f.name.as_str()).collect()
}

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn position_of(stack: &[Frame]) -> Position {
    Position {
        line: stack.last().map(|f| f.line),
        column: None,
        path: Some(path_of(stack)),
    }
}

impl Records {
    pub(super) fn new(with_students: bool) -> Self {
        Self {
            with_students,
            current: Current::Nothing,
            persons: Vec::new(),
            person_index: HashMap::new(),
            dropped_persons: HashSet::new(),
            groups: Vec::new(),
            group_ids: HashSet::new(),
            hidden_groups: HashSet::new(),
            pending: Vec::new(),
            reported: HashSet::new(),
            conflicts: Vec::new(),
            school_number: None,
            school_year: None,
            property_year: None,
        }
    }

    /// An element was opened; `stack` ends with it. Records start directly below the root.
    pub(super) fn open(&mut self, stack: &[Frame], attrs: &[(String, String)]) {
        let Some(frame) = stack.last() else { return };
        if stack.len() == 2 {
            self.current = match frame.name.as_str() {
                "person" => Current::Person(Box::new(PersonRec {
                    position: position_of(stack),
                    deleted: attr(attrs, "recstatus").map(str::trim) == Some("3"),
                    ..Default::default()
                })),
                "group" => Current::Group(GroupRec {
                    position: position_of(stack),
                    ..Default::default()
                }),
                "membership" => Current::Membership(MembershipRec::default()),
                "properties" => Current::Properties,
                _ => Current::Nothing,
            };
            return;
        }
        match (&mut self.current, rel_names(stack).as_slice()) {
            (Current::Person(p), ["institutionrole"]) => {
                p.role = attr(attrs, "institutionroletype").map(str::to_string);
            }
            (Current::Person(p), ["name", "n"]) => p.has_n = true,
            (Current::Group(g), ["grouptype", "typevalue"]) => {
                g.level = attr(attrs, "level").map(str::to_string);
            }
            (Current::Membership(m), ["member"]) => m.members.push(MemberRec {
                at: MemberAt {
                    line: frame.line,
                    membership: stack[1].index,
                    member: frame.index,
                },
                ..Default::default()
            }),
            _ => {}
        }
    }

    /// An element is being closed with its (trimmed) text; `stack` still ends with it.
    pub(super) fn close(&mut self, stack: &[Frame], text: &str) {
        match stack.len() {
            0 | 1 => {}
            2 => self.finish_record(),
            _ => self.set_field(stack, text),
        }
    }

    fn set_field(&mut self, stack: &[Frame], text: &str) {
        let rel = rel_names(stack);
        let value = || non_empty(text);
        match (&mut self.current, rel.as_slice()) {
            (Current::Properties, _) if self.property_year.is_none() => {
                self.property_year = find_school_year(text);
            }
            (Current::Person(p), ["sourcedid", "id"]) if p.id.is_none() => p.id = value(),
            (Current::Person(p), ["name", "fn"]) => p.formatted = value(),
            (Current::Person(p), ["name", "n", "family"]) => p.family = value(),
            (Current::Person(p), ["name", "n", "given"]) => p.given = value(),
            (Current::Person(p), ["demographics", "bday"]) if !text.is_empty() => {
                p.birthday = Some((text.to_string(), position_of(stack)));
            }
            (Current::Person(p), ["email"]) => p.email = value(),
            (Current::Person(p), ["extension", "x-schildnrw-person-state"]) => p.state = value(),
            (Current::Person(p), ["extension", "x-schildnrw-grade"]) => p.grade = value(),
            (Current::Group(g), ["sourcedid", "id"]) if g.id.is_none() => g.id = value(),
            (Current::Group(g), ["description", "short"]) => g.short = value(),
            (Current::Group(g), ["description", "long"]) => g.long = value(),
            (Current::Group(g), ["grouptype", "typevalue"]) => g.typevalue = value(),
            (Current::Membership(m), ["sourcedid", "id"]) if m.group.is_none() => {
                m.group = value();
            }
            (Current::Membership(m), ["member", rest @ ..]) => {
                if let Some(member) = m.members.last_mut() {
                    match rest {
                        ["sourcedid", "id"] => member.id = value(),
                        ["idtype"] => member.idtype = value(),
                        ["role", "status"] => member.status = value(),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    fn finish_record(&mut self) {
        match std::mem::replace(&mut self.current, Current::Nothing) {
            Current::Person(p) => self.finish_person(*p),
            Current::Group(g) => self.finish_group(g),
            Current::Membership(m) => self.finish_membership(m),
            Current::Properties | Current::Nothing => {}
        }
    }

    fn conflict(
        &mut self,
        position: Position,
        id: Option<String>,
        kind: ConflictKind,
        message: String,
    ) {
        self.conflicts.push(Conflict {
            position,
            source_id: id,
            kind,
            message,
        });
    }

    fn finish_group(&mut self, g: GroupRec) {
        let level = g
            .level
            .as_deref()
            .and_then(|l| l.trim().parse::<u32>().ok());
        if matches!(level, Some(1 | 2)) {
            if level == Some(2) {
                self.take_school(&g);
            }
            if let Some(id) = g.id {
                self.hidden_groups.insert(id);
            }
            return;
        }
        let Some(id) = g.id.clone() else {
            let name = g.short.or(g.long).unwrap_or_default();
            let message = format!("the group \"{name}\" has no sourcedid/id");
            return self.conflict(g.position, None, ConflictKind::MissingSourceId, message);
        };
        if self.group_ids.contains(&id) || self.hidden_groups.contains(&id) {
            let message = format!("the group id {id} appears a second time; the first one is kept");
            return self.conflict(
                g.position,
                Some(id),
                ConflictKind::DuplicateSourceId,
                message,
            );
        }
        let kind = group_kind(
            g.typevalue.as_deref(),
            g.short.as_deref(),
            g.long.as_deref(),
        );
        self.group_ids.insert(id.clone());
        self.groups.push(Group {
            name: g.short.or(g.long).unwrap_or_else(|| id.clone()),
            source_id: id,
            kind,
            position: g.position,
        });
    }

    /// The school (level 2) carries the school number as its short name and the school year
    /// somewhere in its descriptions.
    fn take_school(&mut self, g: &GroupRec) {
        if self.school_number.is_none() {
            self.school_number = g.short.clone().filter(|s| is_school_number(s));
        }
        if self.school_year.is_none() {
            self.school_year = [&g.short, &g.long]
                .into_iter()
                .flatten()
                .find_map(|s| find_school_year(s));
        }
    }

    /// Resolves the memberships that named records coming later in the file.
    pub(super) fn finish(mut self) -> ImportData {
        for m in std::mem::take(&mut self.pending) {
            self.resolve(m);
        }
        ImportData {
            source: Source::Schild,
            school_number: self.school_number,
            school_year: self.school_year.or(self.property_year),
            persons: self.persons,
            groups: self.groups,
            conflicts: self.conflicts,
        }
    }
}
