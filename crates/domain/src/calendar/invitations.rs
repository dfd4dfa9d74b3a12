//! Invitations as the front-ends use them: whom a text of addresses invites (refused with a
//! clear message when it is no person or group of the school the caller may invite), the
//! caller's invitations with their answers, answering, who answered an event, and busy
//! times (never details) of invitees and of one calendar.

use chrono::{DateTime, Utc};
use schulhof_authz::calendar::{InviteToEvent, Invitee};
use schulhof_authz::check;
use schulhof_store::calendar::attendees as att;
use schulhof_store::calendar::objects as store;
use schulhof_store::users;
use schulhof_store::{from_us, to_us};
use schulhof_types::UserId;
use serde::Serialize;

use super::ical;
use super::itip::{self, PartStat};
use super::objects::may_read;
use super::{Busy, CalendarError, CalendarId, Precondition};
use crate::identity::Actor;
use crate::mail::address::{Dest, list_address, resolve};
use crate::{DomainError, Platform};

/// Invitees one event takes at most (addresses; a group counts once).
pub const MAX_INVITEES: usize = 100;

/// A person or group an event invites, as resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InviteeInfo {
    /// "Lena Lehmann", or the group's name.
    pub name: String,
    /// The official address (a group's list address).
    pub address: String,
    pub group: bool,
    #[serde(skip)]
    pub user: Option<UserId>,
}

/// One attendee of an event and its answer, for the organiser.
#[derive(Clone, Debug, Serialize)]
pub struct AttendeeInfo {
    pub name: String,
    pub partstat: PartStat,
    /// Invited as a member of a group.
    pub through_group: bool,
}

/// One invitation of the caller.
#[derive(Clone, Debug, Serialize)]
pub struct Invitation {
    /// Where the caller's copy is.
    pub calendar: CalendarId,
    pub href: String,
    pub summary: String,
    pub start: Option<DateTime<Utc>>,
    pub organiser: String,
    pub partstat: PartStat,
    /// The organiser cancelled the event.
    pub cancelled: bool,
}

/// The busy times of one invitee.
#[derive(Clone, Debug, Serialize)]
pub struct InviteeBusy {
    pub name: String,
    pub busy: Vec<Busy>,
}

fn refuse(entry: &str) -> CalendarError {
    DomainError::invalid(
        "invitees",
        format!("not a person or group of this school you may invite: {entry}"),
    )
    .into()
}

/// "Name <addr>" or "addr" → "addr".
fn address_in(entry: &str) -> &str {
    match (entry.rfind('<'), entry.rfind('>')) {
        (Some(l), Some(r)) if l < r => entry[l + 1..r].trim(),
        _ => entry.trim(),
    }
}

impl Platform {
    /// The persons and groups a text of addresses (separated by commas, semicolons or lines;
    /// "Name <addr>" or "addr") invites. Anything else is refused, naming the entry.
    pub async fn calendar_resolve_invitees(
        &self,
        a: &Actor,
        text: &str,
    ) -> Result<Vec<InviteeInfo>, CalendarError> {
        let inst = a.token.instance();
        let entries: Vec<&str> = text
            .split([',', ';', '\n'])
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .collect();
        if entries.len() > MAX_INVITEES {
            return Err(DomainError::invalid(
                "invitees",
                format!("at most {MAX_INVITEES} invitees per event"),
            )
            .into());
        }
        let mut c = self.db.read().await?;
        let domain = a.user.mail.rsplit_once('@').map_or("", |x| x.1).to_owned();
        let mut out: Vec<InviteeInfo> = Vec::new();
        for entry in entries {
            let addr = address_in(entry);
            let info = match resolve(&mut c, addr).await? {
                Dest::User { instance, user } if instance == inst => {
                    let u = users::get(&mut c, inst, user)
                        .await?
                        .filter(|u| u.active)
                        .ok_or_else(|| refuse(entry))?;
                    let who = Invitee::Person {
                        instance,
                        function: u.function_role.is_some(),
                    };
                    check(&a.token, InviteToEvent(who)).map_err(|_| refuse(entry))?;
                    InviteeInfo {
                        name: format!("{} {}", u.first_name, u.last_name),
                        address: u.mail.to_lowercase(),
                        group: false,
                        user: Some(u.id),
                    }
                }
                Dest::List { instance, group } if instance == inst => {
                    check(&a.token, InviteToEvent(Invitee::Group { instance, group }))
                        .map_err(|_| refuse(entry))?;
                    let g = schulhof_store::groups::get(&mut c, inst, group)
                        .await?
                        .ok_or_else(|| refuse(entry))?;
                    InviteeInfo {
                        address: list_address(&g.name, &domain),
                        name: g.name,
                        group: true,
                        user: None,
                    }
                }
                _ => return Err(refuse(entry)),
            };
            if info.user != Some(a.user.id) && !out.iter().any(|o| o.address == info.address) {
                out.push(info);
            }
        }
        Ok(out)
    }

    /// The caller's invitations that have not ended yet, the soonest first.
    pub async fn calendar_invitations(&self, a: &Actor) -> Result<Vec<Invitation>, CalendarError> {
        let mut c = self.db.read().await?;
        let from = to_us(self.now() - chrono::Duration::days(1));
        let rows = att::invitations_of(&mut c, a.token.instance(), a.user.id, from, 200).await?;
        Ok(rows
            .into_iter()
            .map(|r| Invitation {
                calendar: r.copy_calendar,
                href: r.copy_href,
                summary: r.summary,
                start: (r.first_start > ical::NO_START).then(|| from_us(r.first_start)),
                organiser: r.organiser,
                partstat: PartStat::parse(&r.partstat).unwrap_or(PartStat::NeedsAction),
                cancelled: r.transparent,
            })
            .collect())
    }

    /// Answers an invitation: the caller's copy gets the PARTSTAT, through the one ingest
    /// path, which tells the organiser.
    pub async fn calendar_answer(
        &self,
        a: &Actor,
        cal: CalendarId,
        href: &str,
        answer: PartStat,
    ) -> Result<(), CalendarError> {
        let copy = self.calendar_get(a, cal, href).await?;
        let mut ical = ical::parse_one(&copy.raw)?;
        let me = a.user.mail.to_lowercase();
        if itip::partstat_of(&ical, &me).is_none() {
            return Err(CalendarError::NotFound);
        }
        itip::set_partstat(&mut ical, &me, answer, None);
        let text = ical.to_string();
        self.calendar_put(
            a,
            cal,
            href,
            text.as_bytes(),
            Precondition::IfMatch(copy.info.etag),
        )
        .await?;
        Ok(())
    }

    /// Who an event of a calendar the caller reads invites, and their answers.
    pub async fn calendar_attendees(
        &self,
        a: &Actor,
        cal: CalendarId,
        href: &str,
    ) -> Result<Vec<AttendeeInfo>, CalendarError> {
        let mut c = self.db.read().await?;
        let (row, _) = self.calendar_row(&mut c, a, cal).await?;
        may_read(a, &row)?;
        let inst = a.token.instance();
        let Some((o, _)) = store::get(&mut c, inst, cal, href).await? else {
            return Err(CalendarError::NotFound);
        };
        let rows = att::of_object(&mut c, inst, o.id).await?;
        Ok(rows
            .into_iter()
            .map(|r| AttendeeInfo {
                name: r.name,
                partstat: PartStat::parse(&r.partstat).unwrap_or(PartStat::NeedsAction),
                through_group: r.via_group.is_some(),
            })
            .collect())
    }
}

impl Platform {
    /// Invites the persons and groups of `text` (see
    /// [`Platform::calendar_resolve_invitees`]) to an event of the caller's own calendar,
    /// which the caller organises (it becomes the organiser if the event had none). The
    /// invitations go out through the one ingest path. Returns how many were added.
    pub async fn calendar_invite(
        &self,
        a: &Actor,
        cal: CalendarId,
        href: &str,
        text: &str,
    ) -> Result<usize, CalendarError> {
        let who = self.calendar_resolve_invitees(a, text).await?;
        let (mut ical, etag) = self.own_organised(a, cal, href).await?;
        let before = itip::attendees(&ical).len();
        for w in &who {
            itip::add_attendee(&mut ical, &w.address, &w.name, w.group);
        }
        let added = itip::attendees(&ical).len() - before;
        if added > 0 {
            let text = ical.to_string();
            self.calendar_put(a, cal, href, text.as_bytes(), Precondition::IfMatch(etag))
                .await?;
        }
        Ok(added)
    }

    /// Takes an invitation back: the attendee (or group) leaves the event, its copies are
    /// cancelled.
    pub async fn calendar_uninvite(
        &self,
        a: &Actor,
        cal: CalendarId,
        href: &str,
        address: &str,
    ) -> Result<(), CalendarError> {
        let (mut ical, etag) = self.own_organised(a, cal, href).await?;
        itip::remove_attendee(&mut ical, &itip::address(address));
        let text = ical.to_string();
        self.calendar_put(a, cal, href, text.as_bytes(), Precondition::IfMatch(etag))
            .await?;
        Ok(())
    }

    /// An event of the caller's own calendar that the caller organises (or that has no
    /// organiser yet: then the caller becomes it), parsed, with its ETag.
    async fn own_organised(
        &self,
        a: &Actor,
        cal: CalendarId,
        href: &str,
    ) -> Result<(calcard::icalendar::ICalendar, String), CalendarError> {
        let own = self
            .calendars(a)
            .await?
            .into_iter()
            .any(|c| c.id == cal && c.own);
        let o = self.calendar_get(a, cal, href).await?;
        if !own {
            return Err(CalendarError::Forbidden);
        }
        let mut ical = ical::parse_one(&o.raw)?;
        let me = a.user.mail.to_lowercase();
        match itip::organizer(&ical) {
            Some(org) if org != me => return Err(CalendarError::Forbidden),
            Some(_) => {}
            None => itip::set_organizer(
                &mut ical,
                &me,
                &format!("{} {}", a.user.first_name, a.user.last_name),
            ),
        }
        Ok((ical, o.info.etag))
    }
}

impl Platform {
    /// Persons and groups whose name or address contains `q` that the caller may invite
    /// (groups first; at most 20 persons). An empty `q` offers the caller's own groups.
    pub async fn calendar_invitee_suggestions(
        &self,
        a: &Actor,
        q: &str,
    ) -> Result<Vec<InviteeInfo>, CalendarError> {
        let inst = a.token.instance();
        let q = q.trim().to_lowercase();
        let domain = a.user.mail.rsplit_once('@').map_or("", |x| x.1).to_owned();
        let may_group = |g| {
            check(
                &a.token,
                InviteToEvent(Invitee::Group {
                    instance: inst,
                    group: g,
                }),
            )
            .is_ok()
        };
        let mut c = self.db.read().await?;
        let mut out: Vec<InviteeInfo> = schulhof_store::groups::list(&mut c, inst, &q, None)
            .await?
            .into_iter()
            .map(|g| g.group)
            .filter(|g| may_group(g.id) && (!q.is_empty() || a.token.is_member(g.id)))
            .map(|g| InviteeInfo {
                address: list_address(&g.name, &domain),
                name: g.name,
                group: true,
                user: None,
            })
            .collect();
        if q.chars().count() >= 2 {
            let rows = users::list(&mut c, inst, users::ListScope::All, &q, None, 40, 0).await?;
            out.extend(
                rows.into_iter()
                    .filter(|u| u.active && u.function_role.is_none() && u.id != a.user.id)
                    .take(20)
                    .map(|u| InviteeInfo {
                        name: format!("{} {}", u.first_name, u.last_name),
                        address: u.mail.to_lowercase(),
                        group: false,
                        user: Some(u.id),
                    }),
            );
        }
        Ok(out)
    }

    /// The invitees of an event as its text lists them (address, name, whether a group),
    /// for the organiser's page.
    pub async fn calendar_invited(
        &self,
        a: &Actor,
        cal: CalendarId,
        href: &str,
    ) -> Result<Vec<InviteeInfo>, CalendarError> {
        let o = self.calendar_get(a, cal, href).await?;
        let ical = ical::parse_one(&o.raw)?;
        let me = a.user.mail.to_lowercase();
        Ok(itip::attendees(&ical)
            .into_iter()
            .filter(|x| x.address != me && !x.member)
            .map(|x| InviteeInfo {
                name: x.name.unwrap_or_else(|| x.address.clone()),
                address: x.address,
                group: x.group,
                user: None,
            })
            .collect())
    }
}
