//! Calendars: who reads, writes or only sees the busy times of which calendar, who books
//! resources and who syncs with external clients.
//!
//! Privacy first: a personal calendar is its owner's; others see it only through a share,
//! and persons of the same school see its busy times. Function accounts never see personal
//! calendars. A calendar the caller may not see at all is `NotFound`.

use schulhof_types::{AccountType, GroupId, InstanceId, RightId, UserId};

use crate::policy::{Action, Denied};
use crate::token::{AccessToken, Principal};

/// What a caller may do with a calendar, ordered: each level includes the ones below.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CalAccess {
    /// Only busy intervals, never titles or details.
    FreeBusy,
    Read,
    Write,
}

impl CalAccess {
    pub fn as_str(self) -> &'static str {
        match self {
            CalAccess::FreeBusy => "freebusy",
            CalAccess::Read => "read",
            CalAccess::Write => "write",
        }
    }
}

/// Whose a calendar is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CalOwner {
    Personal(UserId),
    Group(GroupId),
    School,
    /// A room or piece of equipment; `bookable`: the caller's account type or one of its
    /// groups is among those that may book it.
    Resource {
        bookable: bool,
    },
}

/// What the policy needs to know about one calendar, for one caller.
#[derive(Clone, Debug)]
pub struct CalendarFacts {
    pub instance: InstanceId,
    pub owner: CalOwner,
    /// The best share of this (personal) calendar that the caller holds, directly or
    /// through a group.
    pub shared: Option<CalAccess>,
}

/// Whether the resource's booking list admits this caller: its account type is listed, or
/// `in_group` (it is in one of the resource's groups).
pub fn may_book(token: &AccessToken, account_types: &str, in_group: bool) -> bool {
    match token.principal() {
        Principal::Function(_) => false,
        Principal::Person(t) => {
            in_group
                || account_types
                    .split(',')
                    .any(|s| AccountType::parse(s.trim()) == Some(t))
        }
    }
}

/// The most the caller may do with the calendar; `None`: it does not exist for the caller.
pub fn access(token: &AccessToken, cal: &CalendarFacts) -> Option<CalAccess> {
    if token.instance() != cal.instance {
        return None;
    }
    let person = matches!(token.principal(), Principal::Person(_));
    match cal.owner {
        CalOwner::Personal(owner) => {
            if !person {
                return None;
            }
            if owner == token.user() {
                return token
                    .has(RightId::CalendarPersonal)
                    .then_some(CalAccess::Write);
            }
            Some(cal.shared.unwrap_or(CalAccess::FreeBusy))
        }
        CalOwner::Group(g) => {
            if !token.is_member(g) {
                None
            } else if token.has(RightId::CalendarGroup) {
                Some(CalAccess::Write)
            } else {
                Some(CalAccess::Read)
            }
        }
        CalOwner::School => {
            if token.has(RightId::SchoolCalendarEdit) {
                Some(CalAccess::Write)
            } else if token.has(RightId::CalendarSchoolRead) {
                Some(CalAccess::Read)
            } else {
                None
            }
        }
        CalOwner::Resource { bookable } => {
            if token.has(RightId::AdminUsers) {
                Some(CalAccess::Write)
            } else if !person {
                None
            } else if bookable {
                Some(CalAccess::Read)
            } else {
                Some(CalAccess::FreeBusy)
            }
        }
    }
}

fn at_least(token: &AccessToken, cal: &CalendarFacts, need: CalAccess) -> Result<(), Denied> {
    match access(token, cal) {
        None => Err(Denied::NotFound),
        // Busy times only: the calendar itself stays hidden.
        Some(CalAccess::FreeBusy) if need > CalAccess::FreeBusy => Err(Denied::NotFound),
        Some(a) if a >= need => Ok(()),
        Some(_) => Err(Denied::Forbidden),
    }
}

/// Read a calendar's events.
#[derive(Debug, Clone)]
pub struct ReadCalendar(pub CalendarFacts);
impl Action for ReadCalendar {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        at_least(token, &self.0, CalAccess::Read)
    }
}

/// Create, change and delete events in a calendar. Booking a resource is [`BookResource`].
#[derive(Debug, Clone)]
pub struct WriteCalendar(pub CalendarFacts);
impl Action for WriteCalendar {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        at_least(token, &self.0, CalAccess::Write)
    }
}

/// See only the busy times of a calendar (a person's or a resource's).
#[derive(Debug, Clone)]
pub struct ReadFreeBusy(pub CalendarFacts);
impl Action for ReadFreeBusy {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        at_least(token, &self.0, CalAccess::FreeBusy)
    }
}

/// Book a resource: put an event into its calendar (changing and deleting only one's own
/// bookings; the service checks who made an event).
#[derive(Debug, Clone)]
pub struct BookResource(pub CalendarFacts);
impl Action for BookResource {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        match (&self.0.owner, access(token, &self.0)) {
            (_, None) => Err(Denied::NotFound),
            // The resource is seen (its busy times) but not bookable by this caller.
            (CalOwner::Resource { .. }, Some(a)) if a >= CalAccess::Read => Ok(()),
            _ => Err(Denied::Forbidden),
        }
    }
}

/// Rename, recolour, share or delete a calendar: only the owner of a personal calendar.
#[derive(Debug, Clone)]
pub struct ManageCalendar(pub CalendarFacts);
impl Action for ManageCalendar {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        at_least(token, &self.0, CalAccess::Read)?;
        match self.0.owner {
            CalOwner::Personal(o) if o == token.user() => Ok(()),
            _ => Err(Denied::Forbidden),
        }
    }
}

/// Have personal calendars at all (and make new ones).
#[derive(Debug, Clone, Copy)]
pub struct UsePersonalCalendar;
impl Action for UsePersonalCalendar {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if matches!(token.principal(), Principal::Person(_)) && token.has(RightId::CalendarPersonal)
        {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}

/// Whom an event invites.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invitee {
    /// A login; `function`: a function account (it has no personal calendar).
    Person {
        instance: InstanceId,
        function: bool,
    },
    /// Every member of a group.
    Group {
        instance: InstanceId,
        group: GroupId,
    },
}

/// Invite persons or groups to an event of one's own calendar: persons of the own school;
/// a whole group only as its member or with `calendar.group` (teachers and staff), so a
/// student cannot invite another class. Nothing crosses schools.
#[derive(Debug, Clone, Copy)]
pub struct InviteToEvent(pub Invitee);
impl Action for InviteToEvent {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        UsePersonalCalendar.decide(token)?;
        match self.0 {
            Invitee::Person { instance, .. } | Invitee::Group { instance, .. }
                if instance != token.instance() =>
            {
                Err(Denied::NotFound)
            }
            Invitee::Person { function: true, .. } => Err(Denied::Forbidden),
            Invitee::Person { .. } => Ok(()),
            Invitee::Group { group, .. } => {
                if token.is_member(group) || token.has(RightId::CalendarGroup) {
                    Ok(())
                } else {
                    Err(Denied::Forbidden)
                }
            }
        }
    }
}

/// Create and change resources, decide pending bookings.
#[derive(Debug, Clone, Copy)]
pub struct ManageResources;
impl Action for ManageResources {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if token.has(RightId::AdminUsers) {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}

/// Use calendars in external programs (CalDAV, subscription URLs).
#[derive(Debug, Clone, Copy)]
pub struct UseCalendarClients;
impl Action for UseCalendarClients {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if token.has(RightId::CalendarClients) {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}

/// Which calendars a list may contain; the store turns this into its WHERE clause, and
/// [`access`] then decides each row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CalendarScope {
    /// Own personal calendars and those shared with the caller (persons only).
    pub personal: bool,
    /// Calendars of the caller's groups.
    pub groups: bool,
    pub school: bool,
    pub resources: bool,
}

pub fn calendar_scope(token: &AccessToken) -> CalendarScope {
    let person = matches!(token.principal(), Principal::Person(_));
    CalendarScope {
        personal: person,
        groups: !token.groups().is_empty(),
        school: token.has(RightId::CalendarSchoolRead) || token.has(RightId::SchoolCalendarEdit),
        resources: person || token.has(RightId::AdminUsers),
    }
}

#[cfg(test)]
mod tests {
    use schulhof_types::FunctionRole;

    use super::*;
    use crate::check;

    const SCHOOL: InstanceId = InstanceId(uuid::Uuid::nil());

    fn person(t: AccountType, groups: Vec<GroupId>, grants: Vec<RightId>) -> AccessToken {
        AccessToken::resolve(
            SCHOOL,
            UserId(uuid::Uuid::now_v7()),
            Principal::Person(t),
            groups,
            grants,
        )
    }

    fn function(role: FunctionRole) -> AccessToken {
        AccessToken::resolve(
            SCHOOL,
            UserId(uuid::Uuid::now_v7()),
            Principal::Function(role),
            vec![],
            vec![],
        )
    }

    fn facts(owner: CalOwner, shared: Option<CalAccess>) -> CalendarFacts {
        CalendarFacts {
            instance: SCHOOL,
            owner,
            shared,
        }
    }

    #[test]
    fn a_personal_calendar_is_its_owners_and_shows_others_only_busy_times() {
        let t = person(AccountType::Lehrer, vec![], vec![]);
        let own = facts(CalOwner::Personal(t.user()), None);
        assert!(check(&t, WriteCalendar(own.clone())).is_ok());
        assert!(check(&t, ManageCalendar(own.clone())).is_ok());
        let other = person(AccountType::Schueler, vec![], vec![]);
        assert_eq!(
            check(&other, ReadCalendar(own.clone())).err(),
            Some(Denied::NotFound)
        );
        assert!(check(&other, ReadFreeBusy(own.clone())).is_ok());
        let shared = facts(CalOwner::Personal(t.user()), Some(CalAccess::Read));
        assert!(check(&other, ReadCalendar(shared.clone())).is_ok());
        assert_eq!(
            check(&other, WriteCalendar(shared.clone())).err(),
            Some(Denied::Forbidden)
        );
        assert_eq!(
            check(&other, ManageCalendar(shared)).err(),
            Some(Denied::Forbidden)
        );
    }

    #[test]
    fn function_accounts_never_see_personal_calendars_even_shared() {
        let owner = UserId(uuid::Uuid::now_v7());
        for role in [
            FunctionRole::Admin,
            FunctionRole::Schulleitung,
            FunctionRole::Sekretariat,
        ] {
            let f = function(role);
            let shared = facts(CalOwner::Personal(owner), Some(CalAccess::Write));
            assert_eq!(access(&f, &shared), None, "{role:?}");
            assert_eq!(
                check(&f, ReadFreeBusy(shared)).err(),
                Some(Denied::NotFound)
            );
            assert!(check(&f, UsePersonalCalendar).is_err());
        }
    }

    #[test]
    fn nothing_crosses_schools() {
        let t = person(AccountType::Lehrer, vec![], vec![]);
        let other = CalendarFacts {
            instance: InstanceId(uuid::Uuid::now_v7()),
            owner: CalOwner::School,
            shared: None,
        };
        assert_eq!(access(&t, &other), None);
        let own_elsewhere = CalendarFacts {
            instance: InstanceId(uuid::Uuid::now_v7()),
            owner: CalOwner::Personal(t.user()),
            shared: None,
        };
        assert_eq!(
            check(&t, ReadFreeBusy(own_elsewhere)).err(),
            Some(Denied::NotFound)
        );
    }

    #[test]
    fn group_members_read_and_write_with_calendar_group() {
        let g = GroupId(uuid::Uuid::now_v7());
        let cal = facts(CalOwner::Group(g), None);
        let teacher = person(AccountType::Lehrer, vec![g], vec![]);
        assert_eq!(access(&teacher, &cal), Some(CalAccess::Write));
        let student = person(AccountType::Schueler, vec![g], vec![]);
        assert_eq!(access(&student, &cal), Some(CalAccess::Read));
        assert_eq!(
            check(&student, WriteCalendar(cal.clone())).err(),
            Some(Denied::Forbidden)
        );
        let granted = person(AccountType::Schueler, vec![g], vec![RightId::CalendarGroup]);
        assert_eq!(access(&granted, &cal), Some(CalAccess::Write));
        let outsider = person(AccountType::Lehrer, vec![], vec![]);
        assert_eq!(
            check(&outsider, ReadCalendar(cal)).err(),
            Some(Denied::NotFound)
        );
        let admin = function(FunctionRole::Admin);
        assert_eq!(access(&admin, &facts(CalOwner::Group(g), None)), None);
    }

    #[test]
    fn everyone_reads_the_school_calendar_and_the_sekretariat_writes_it() {
        let cal = facts(CalOwner::School, None);
        for t in AccountType::ALL {
            let p = person(*t, vec![], vec![]);
            assert_eq!(access(&p, &cal), Some(CalAccess::Read), "{t:?}");
        }
        let s = function(FunctionRole::Sekretariat);
        assert!(check(&s, WriteCalendar(cal.clone())).is_ok());
        let admin = function(FunctionRole::Admin);
        assert_eq!(access(&admin, &cal), None);
    }

    #[test]
    fn resources_are_booked_by_who_may_and_managed_by_the_admin() {
        let t = person(AccountType::Lehrer, vec![], vec![]);
        assert!(may_book(&t, "lehrer,personal", false));
        let s = person(AccountType::Schueler, vec![], vec![]);
        assert!(!may_book(&s, "lehrer,personal", false));
        assert!(may_book(&s, "lehrer", true));
        let bookable = facts(CalOwner::Resource { bookable: true }, None);
        let not = facts(CalOwner::Resource { bookable: false }, None);
        assert!(check(&t, BookResource(bookable.clone())).is_ok());
        assert_eq!(access(&s, &not), Some(CalAccess::FreeBusy));
        assert_eq!(
            check(&s, BookResource(not.clone())).err(),
            Some(Denied::Forbidden)
        );
        assert!(check(&s, ReadFreeBusy(not)).is_ok());
        let admin = function(FunctionRole::Admin);
        assert!(check(&admin, ManageResources).is_ok());
        assert!(check(&admin, WriteCalendar(bookable)).is_ok());
        assert!(check(&t, ManageResources).is_err());
        assert!(check(&t, UseCalendarClients).is_ok());
    }

    #[test]
    fn invitations_stay_inside_the_school_and_groups_need_membership_or_the_right() {
        let g = GroupId(uuid::Uuid::now_v7());
        let here = |function| Invitee::Person {
            instance: SCHOOL,
            function,
        };
        let group = Invitee::Group {
            instance: SCHOOL,
            group: g,
        };
        let student = person(AccountType::Schueler, vec![], vec![]);
        assert!(check(&student, InviteToEvent(here(false))).is_ok());
        assert_eq!(
            check(&student, InviteToEvent(here(true))).err(),
            Some(Denied::Forbidden)
        );
        assert_eq!(
            check(&student, InviteToEvent(group)).err(),
            Some(Denied::Forbidden)
        );
        let member = person(AccountType::Schueler, vec![g], vec![]);
        assert!(check(&member, InviteToEvent(group)).is_ok());
        let teacher = person(AccountType::Lehrer, vec![], vec![RightId::CalendarGroup]);
        assert!(check(&teacher, InviteToEvent(group)).is_ok());
        let elsewhere = Invitee::Person {
            instance: InstanceId(uuid::Uuid::now_v7()),
            function: false,
        };
        assert_eq!(
            check(&teacher, InviteToEvent(elsewhere)).err(),
            Some(Denied::NotFound)
        );
        let admin = function(FunctionRole::Admin);
        assert!(check(&admin, InviteToEvent(here(false))).is_err());
    }

    #[test]
    fn the_list_scope_follows_the_rights() {
        let admin = function(FunctionRole::Admin);
        let sc = calendar_scope(&admin);
        assert!(!sc.personal && !sc.school && sc.resources);
        let sek = calendar_scope(&function(FunctionRole::Sekretariat));
        assert!(sek.school && !sek.personal && !sek.resources);
        let st = calendar_scope(&person(AccountType::Schueler, vec![], vec![]));
        assert!(st.personal && st.school && st.resources && !st.groups);
    }
}
