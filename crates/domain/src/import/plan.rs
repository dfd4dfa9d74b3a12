//! The plan: what applying a file would change, computed from the file and the stored state
//! alone. The preview shows it; apply executes exactly it.

use std::collections::{HashMap, HashSet};

use schulhof_import::{Conflict, ImportData, Person, Source};
use schulhof_store::imports::{GroupRef, SourcePerson};
use schulhof_store::{AsConn, imports};
use schulhof_types::{AccountType, GroupId, InstanceId, UserId, mail_local_part};
use serde::Serialize;

use super::Summary;
use super::plan_groups::plan_groups;
use crate::DomainError;
use crate::account::normalize_external_mail;

/// What the database holds that an import of one source looks at.
pub(crate) struct State {
    pub persons: Vec<SourcePerson>,
    pub groups: Vec<GroupRef>,
    pub group_names: HashSet<String>,
    pub memberships: Vec<(GroupId, UserId)>,
    pub logins: HashSet<String>,
    pub mails: HashSet<String>,
    /// Everyone of the school marked for deletion before this run.
    pub marked_total: u64,
    /// The audio/video consent on record of the source's persons who have one.
    pub consents: HashMap<UserId, (bool, bool)>,
}

impl State {
    pub async fn load(
        c: &mut impl AsConn,
        instance: InstanceId,
        source: Source,
    ) -> Result<State, DomainError> {
        let src = source.as_str();
        let (logins, mails) = imports::taken_logins_and_mails(c, instance).await?;
        let marked_total = schulhof_store::lifecycle::marked_count(c, instance).await?;
        let groups = imports::current_groups(c, instance).await?;
        let current: HashSet<GroupId> = groups.iter().map(|g| g.id).collect();
        let mut memberships = imports::source_memberships(c, instance, src).await?;
        memberships.retain(|(g, _)| current.contains(g));
        Ok(State {
            persons: imports::source_persons(c, instance, src).await?,
            groups,
            group_names: imports::group_name_keys(c, instance).await?,
            memberships,
            logins,
            mails,
            marked_total,
            consents: schulhof_store::conference::source_consents(c, instance, src).await?,
        })
    }
}

/// Which persons of the source this run speaks for: only they can be marked for deletion.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Scope {
    All,
    AllButStudents,
    Only(AccountType),
}

impl Scope {
    fn covers(self, kind: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::AllButStudents => kind != AccountType::Schueler.as_str(),
            Scope::Only(t) => kind == t.as_str(),
        }
    }
}

/// A field an update changes.
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    pub field: &'static str,
    pub old: String,
    pub new: String,
}

/// A person of the file and what happens to it.
#[derive(Clone, Debug, Serialize)]
pub struct PlannedPerson {
    /// Index into the file's persons.
    #[serde(skip)]
    pub index: usize,
    pub id: UserId,
    pub source_id: String,
    pub first_name: String,
    pub last_name: String,
    pub account_type: AccountType,
    pub class: Option<String>,
    pub login: String,
    pub mail: String,
    pub changes: Vec<Change>,
    /// The audio/video consent this run records, when the file holds one that differs
    /// from the record (or, for a new person, grants anything).
    #[serde(skip)]
    pub av_consent: Option<(bool, bool)>,
}

/// A group of the file and what happens to it.
#[derive(Clone, Debug, Serialize)]
pub struct PlannedGroup {
    pub id: GroupId,
    pub source_id: String,
    pub name: String,
    pub kind: String,
    /// For existing groups: the name in the file differs and the group is renamed.
    pub renamed_from: Option<String>,
    /// New groups the admin unticked are not created.
    pub skipped: bool,
    /// Memberships follow the file only in groups of the import's own source.
    pub own_source: bool,
}

/// Everything an apply would do.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Plan {
    pub create: Vec<PlannedPerson>,
    pub update: Vec<PlannedPerson>,
    pub unchanged: Vec<PlannedPerson>,
    /// Stored persons this run marks for deletion, as (id, login, name).
    pub mark: Vec<(UserId, String, String)>,
    pub unmark: Vec<UserId>,
    pub new_groups: Vec<PlannedGroup>,
    pub existing_groups: Vec<PlannedGroup>,
    /// Groups of this source the file no longer has: left as they are until the
    /// school-year change archives them.
    pub expired_groups: Vec<PlannedGroup>,
    pub add: Vec<(GroupId, UserId)>,
    pub remove: Vec<(GroupId, UserId)>,
    pub conflicts: Vec<Conflict>,
    /// Things the admin should know that change nothing (an account type that differs).
    pub notices: Vec<String>,
    pub skipped_left: u64,
    #[serde(skip)]
    pub awaiting_before: u64,
}

impl Plan {
    /// The persons whose consent record this run writes.
    pub fn consent_users(&self) -> impl Iterator<Item = UserId> + '_ {
        self.create
            .iter()
            .chain(&self.update)
            .filter(|p| p.av_consent.is_some())
            .map(|p| p.id)
    }

    /// How many consent records this run writes (counted in the audit entry).
    pub fn consent_changes(&self) -> usize {
        self.create
            .iter()
            .chain(&self.update)
            .filter(|p| p.av_consent.is_some())
            .count()
    }

    pub fn summary(&self) -> Summary {
        let n = |v: usize| v as u64;
        Summary {
            created: n(self.create.len()),
            updated: n(self.update.len()),
            unchanged: n(self.unchanged.len()),
            marked_for_deletion: n(self.mark.len()),
            unmarked: n(self.unmark.len()),
            awaiting_deletion: (self.awaiting_before + n(self.mark.len()))
                .saturating_sub(n(self.unmark.len())),
            skipped_left: self.skipped_left,
            conflicts: n(self.conflicts.len()),
            groups_created: n(self.new_groups.iter().filter(|g| !g.skipped).count()),
            groups_existing: n(self.existing_groups.len()),
            groups_expired: n(self.expired_groups.len()),
            groups_skipped: n(self.new_groups.iter().filter(|g| g.skipped).count()),
            memberships_added: n(self.add.len()),
            memberships_removed: n(self.remove.len()),
        }
    }
}

/// The first free `vorname.nachname[N]` and its address, reserved in the sets.
fn allocate(
    p: &Person,
    domain: &str,
    logins: &mut HashSet<String>,
    mails: &mut HashSet<String>,
) -> Option<(String, String)> {
    let local = mail_local_part(&p.first_name, &p.last_name)?;
    let mut n = 1;
    loop {
        let login = local.with_counter(n);
        let mail = format!("{login}@{domain}");
        if !logins.contains(&login) && !mails.contains(&mail) {
            logins.insert(login.clone());
            mails.insert(mail.clone());
            return Some((login, mail));
        }
        n += 1;
    }
}

/// The consent pair the file asks for, filling what it does not say from `stored`.
fn wanted_consent(p: &Person, stored: (bool, bool)) -> Option<(bool, bool)> {
    if p.consent_audio.is_none() && p.consent_video.is_none() {
        return None;
    }
    Some((
        p.consent_audio.unwrap_or(stored.0),
        p.consent_video.unwrap_or(stored.1),
    ))
}

fn consent_text((audio, video): (bool, bool)) -> String {
    match (audio, video) {
        (true, true) => "audio+video",
        (true, false) => "audio",
        (false, true) => "video",
        (false, false) => "none",
    }
    .into()
}

fn changes(p: &Person, s: &SourcePerson, stored: (bool, bool)) -> Vec<Change> {
    let mut out = Vec::new();
    let mut diff = |field, old: Option<&str>, new: Option<&str>| {
        if old != new {
            out.push(Change {
                field,
                old: old.unwrap_or_default().to_owned(),
                new: new.unwrap_or_default().to_owned(),
            });
        }
    };
    diff("first_name", Some(&s.first_name), Some(&p.first_name));
    diff("last_name", Some(&s.last_name), Some(&p.last_name));
    let bday = p.birthday.map(|d| d.format("%Y-%m-%d").to_string());
    diff("birthday", s.birthday.as_deref(), bday.as_deref());
    diff("class", s.class_label.as_deref(), p.class.as_deref());
    if let Some(new) = wanted_consent(p, stored).filter(|n| *n != stored) {
        out.push(Change {
            field: "av_consent",
            old: consent_text(stored),
            new: consent_text(new),
        });
    }
    out
}

/// Computes the plan. `domain` is the school's mail domain.
pub(crate) fn plan(
    data: &ImportData,
    state: State,
    domain: &str,
    scope: Scope,
    skip_groups: &[String],
) -> Plan {
    let mut plan = Plan {
        conflicts: data.conflicts.clone(),
        awaiting_before: state.marked_total,
        ..Plan::default()
    };
    let skip: HashSet<&str> = skip_groups.iter().map(String::as_str).collect();
    let groups = plan_groups(data, &state, &skip, &mut plan);
    let stored: HashMap<&str, &SourcePerson> = state
        .persons
        .iter()
        .map(|p| (p.source_id.as_str(), p))
        .collect();
    let (mut logins, mut mails) = (state.logins.clone(), state.mails.clone());
    let mut seen: HashSet<&str> = data
        .conflicts
        .iter()
        .filter_map(|c| c.source_id.as_deref())
        .collect();
    let mut wanted: HashSet<(GroupId, UserId)> = HashSet::new();
    for (index, p) in data.persons.iter().enumerate() {
        seen.insert(p.source_id.as_str());
        let existing = stored.get(p.source_id.as_str()).copied();
        if p.left {
            match existing {
                Some(s) if !s.marked_for_deletion => plan.mark.push(marked(s)),
                Some(_) => {}
                None => plan.skipped_left += 1,
            }
            continue;
        }
        let planned = match existing {
            Some(s) if data.source == Source::Csv && s.kind != p.account_type.as_str() => {
                plan.conflicts.push(Conflict {
                    position: p.position.clone(),
                    source_id: Some(p.source_id.clone()),
                    kind: schulhof_import::ConflictKind::OtherAccountType {
                        stored: s.kind.clone(),
                    },
                    message: format!(
                        "Quell-ID {} belongs to {} ({}); import it with that account type",
                        p.source_id, s.login, s.kind
                    ),
                });
                continue;
            }
            Some(s) => {
                if s.marked_for_deletion {
                    plan.unmark.push(s.id);
                }
                if s.kind != p.account_type.as_str() {
                    plan.notices.push(format!(
                        "{}: the file says {}, the account is {}; account types are changed by hand",
                        p.source_id, p.account_type, s.kind
                    ));
                }
                let stored = state.consents.get(&s.id).copied().unwrap_or_default();
                let ch = changes(p, s, stored);
                let mut pp = person(index, p, s.id, s.login.clone(), s.mail.clone(), ch);
                pp.av_consent = wanted_consent(p, stored).filter(|n| *n != stored);
                if pp.changes.is_empty() {
                    plan.unchanged.push(pp);
                } else {
                    plan.update.push(pp);
                }
                s.id
            }
            None => {
                let Some((login, mail)) = allocate(p, domain, &mut logins, &mut mails) else {
                    plan.conflicts.push(Conflict {
                        position: p.position.clone(),
                        source_id: Some(p.source_id.clone()),
                        kind: schulhof_import::ConflictKind::MissingName,
                        message: "the name has no letters to build a login from".into(),
                    });
                    continue;
                };
                let id = UserId::new();
                let mut pp = person(index, p, id, login, mail, Vec::new());
                // No record is no consent: only a grant needs writing.
                pp.av_consent = wanted_consent(p, (false, false)).filter(|n| n.0 || n.1);
                plan.create.push(pp);
                id
            }
        };
        for g in &p.groups {
            if let Some(&(gid, _, usable)) = groups.get(g)
                && usable
            {
                wanted.insert((gid, planned));
            }
        }
    }
    for s in &state.persons {
        if !seen.contains(s.source_id.as_str()) && scope.covers(&s.kind) && !s.marked_for_deletion {
            plan.mark.push(marked(s));
        }
    }
    plan_memberships(&state, &groups, wanted, &mut plan);
    plan
}

fn marked(s: &SourcePerson) -> (UserId, String, String) {
    (
        s.id,
        s.login.clone(),
        format!("{} {}", s.first_name, s.last_name),
    )
}

fn person(
    index: usize,
    p: &Person,
    id: UserId,
    login: String,
    mail: String,
    changes: Vec<Change>,
) -> PlannedPerson {
    PlannedPerson {
        index,
        id,
        source_id: p.source_id.clone(),
        first_name: p.first_name.clone(),
        last_name: p.last_name.clone(),
        account_type: p.account_type,
        class: p.class.clone(),
        login,
        mail,
        changes,
        av_consent: None,
    }
}

/// Memberships of the persons in the file follow the file in own-source groups; elsewhere
/// the import only adds.
fn plan_memberships(
    state: &State,
    groups: &HashMap<String, (GroupId, bool, bool)>,
    wanted: HashSet<(GroupId, UserId)>,
    plan: &mut Plan,
) {
    // The groups of the import's own source that the file names: only there do
    // memberships follow the file.
    let own_groups: HashSet<GroupId> = groups
        .values()
        .filter(|(_, own, _)| *own)
        .map(|(id, _, _)| *id)
        .collect();
    // Only persons the file really lists: one skipped for a conflict keeps its groups.
    let in_file: HashSet<UserId> = plan
        .update
        .iter()
        .chain(&plan.unchanged)
        .map(|p| p.id)
        .collect();
    let current: HashSet<(GroupId, UserId)> = state.memberships.iter().copied().collect();
    let left: HashSet<UserId> = plan.mark.iter().map(|m| m.0).collect();
    let mut add: Vec<_> = wanted.difference(&current).copied().collect();
    let mut remove: Vec<_> = current
        .iter()
        .filter(|(g, u)| {
            own_groups.contains(g)
                && in_file.contains(u)
                && !left.contains(u)
                && !wanted.contains(&(*g, *u))
        })
        .copied()
        .collect();
    add.sort();
    remove.sort();
    plan.add = add;
    plan.remove = remove;
}

/// The external mail address of a new person, if the file holds a usable one.
pub(crate) fn external_mail(p: &Person) -> Option<String> {
    p.mail
        .as_deref()
        .and_then(|m| normalize_external_mail(m).ok().flatten())
}
