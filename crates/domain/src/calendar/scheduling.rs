//! Implicit scheduling (RFC 6638) inside the school: when the organiser stores an event
//! with ATTENDEEs in an own personal calendar, each invited person (a group: its members)
//! gets a copy in the default personal calendar (METHOD:REQUEST semantics); the organiser's
//! object stays the master. An attendee's change of its own PARTSTAT in its copy goes back
//! into the master (REPLY); the organiser deleting the event cancels the copies (CANCEL).
//! Every copy and answer is written by [`Platform::ingest`], the one store path. Addresses
//! outside the school, unknown ones and those the policy refuses are left alone here (iTIP
//! ignores them); the web refuses them before saving (see `invitations`).

use calcard::icalendar::ICalendar;
use schulhof_authz::calendar::{InviteToEvent, Invitee};
use schulhof_authz::check;
use schulhof_store::calendar::CalObjectId;
use schulhof_store::calendar::attendees::{self as att, AttendeeRow};
use schulhof_store::calendar::calendars::{self as cals, NewCalendar};
use schulhof_store::calendar::objects::{self as store, ObjectRow};
use schulhof_store::users::{self, UserRow};
use schulhof_store::{AsConn, groups};
use schulhof_types::{GroupId, InstanceId};
use serde_json::json;

use super::collections::PERSONAL_COLOUR;
use super::ical::{self, Parsed};
use super::invite_mail::{InviteMails, Why, seen};
use super::itip::{self, PartStat};
use super::objects::Target;
use super::{CalendarError, CalendarId, CalendarKind};
use crate::Platform;
use crate::identity::Actor;
use crate::mail::address::{Dest, resolve};
use crate::notify::{Kind, notify};

/// One person an event invites.
pub(crate) struct Wanted {
    pub user: UserRow,
    /// The group's id and list address, when invited through a group.
    pub group: Option<(GroupId, String)>,
}

/// The persons behind the attendees, as the policy lets `a` invite them: persons of the
/// school and members of groups; the organiser, function accounts, inactive logins and
/// everything else are left out.
pub(crate) async fn wanted(
    c: &mut impl AsConn,
    a: &Actor,
    atts: &[itip::Attendee],
) -> Result<Vec<Wanted>, CalendarError> {
    let inst = a.token.instance();
    let mut out: Vec<Wanted> = Vec::new();
    // Members listed under their group (MEMBER=…) came through the group.
    for at in atts.iter().filter(|x| x.by_server && !x.member) {
        match resolve(c, &at.address).await? {
            Dest::User { instance, user } if instance == inst => {
                let Some(u) = users::get(c, inst, user).await? else {
                    continue;
                };
                let who = Invitee::Person {
                    instance,
                    function: u.function_role.is_some(),
                };
                if check(&a.token, InviteToEvent(who)).is_ok() {
                    push(&mut out, u, None, a);
                }
            }
            Dest::List { instance, group } if instance == inst => {
                if check(&a.token, InviteToEvent(Invitee::Group { instance, group })).is_err() {
                    continue;
                }
                for u in groups::members(c, inst, group).await? {
                    if u.function_role.is_none() {
                        push(&mut out, u, Some((group, at.address.clone())), a);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Adds a person once; a direct invitation wins over one through a group.
fn push(out: &mut Vec<Wanted>, user: UserRow, group: Option<(GroupId, String)>, a: &Actor) {
    if user.id == a.user.id || !user.active {
        return;
    }
    match out.iter_mut().find(|w| w.user.id == user.id) {
        Some(w) if group.is_none() => w.group = None,
        Some(_) => {}
        None => out.push(Wanted { user, group }),
    }
}

/// A name for the copy inside the attendee's calendar: one safe path segment.
fn copy_href(uid: &str) -> String {
    let s: String = uid
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.@".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(200)
        .collect();
    format!("{s}.ics")
}

fn name(u: &UserRow) -> String {
    format!("{} {}", u.first_name, u.last_name)
}

impl Platform {
    /// After a put into the caller's own calendar: invitations out (the caller organises),
    /// or the caller's answer back (the caller is an attendee). The invitation mails are
    /// noted in `mails`, for the caller to file after the commit. `before`: the object and
    /// its text as they were.
    pub(crate) async fn schedule_after_put(
        &self,
        c: &mut impl AsConn,
        a: &Actor,
        o: &ObjectRow,
        parsed: &Parsed,
        before: Option<(&ObjectRow, &str)>,
        mails: &mut InviteMails,
    ) -> Result<(), CalendarError> {
        let me = a.user.mail.to_lowercase();
        match itip::organizer(&parsed.ical) {
            Some(org) if org == me => self.organise(c, a, o, parsed, before, mails).await,
            Some(_) => self.answer_back(c, a, o, parsed, true).await,
            // No organiser (any more): a former invitation is cancelled for everyone.
            None => self.cancel_all(c, a, o, mails).await,
        }
    }

    /// Before an object of the caller's own calendar is deleted: the organiser cancels for
    /// every attendee; an attendee declines (unless `reply` is off).
    pub(crate) async fn schedule_before_delete(
        &self,
        c: &mut impl AsConn,
        a: &Actor,
        o: &ObjectRow,
        reply: bool,
        mails: &mut InviteMails,
    ) -> Result<(), CalendarError> {
        let inst = a.token.instance();
        if let Some(row) = att::by_copy(c, inst, o.id).await? {
            let declined = PartStat::Declined.as_str();
            let row = if reply && row.partstat != declined {
                self.reply(c, a, &row, PartStat::Declined).await?;
                AttendeeRow {
                    partstat: declined.to_owned(),
                    answered_at: Some(schulhof_store::to_us(self.now())),
                    ..row
                }
            } else {
                row
            };
            let row = AttendeeRow { copy: None, ..row };
            return Ok(att::upsert(c, inst, &row, self.now()).await?);
        }
        self.cancel_all(c, a, o, mails).await
    }

    async fn organise(
        &self,
        c: &mut impl AsConn,
        a: &Actor,
        o: &ObjectRow,
        parsed: &Parsed,
        before: Option<(&ObjectRow, &str)>,
        mails: &mut InviteMails,
    ) -> Result<(), CalendarError> {
        let (before, before_text) = (before.map(|b| b.0), before.map(|b| b.1));
        let inst = a.token.instance();
        let want = wanted(c, a, &itip::attendees(&parsed.ical)).await?;
        let rows = att::of_object(c, inst, o.id).await?;
        let (mut gone, mut gone_to) = (Vec::new(), Vec::new());
        for r in rows
            .iter()
            .filter(|r| !want.iter().any(|w| w.user.id == r.user))
        {
            if let Some(u) = users::get(c, inst, r.user).await? {
                self.deliver(c, a, &parsed.ical, &u, None, r, true).await?;
                gone.push(u.mail.to_lowercase());
                gone_to.push(u.id);
            }
            att::remove(c, inst, o.id, r.user).await?;
        }
        let gone: Vec<&str> = gone.iter().map(String::as_str).collect();
        mails.add_also(a, parsed, Why::Cancelled, gone_to, &gone);
        // A new time asks everyone again (RFC 5546 §2.1.4: a significant change).
        let moved = before.is_some_and(|b| {
            (b.first_start, b.last_end, b.recurring) != (o.first_start, o.last_end, o.recurring)
        });
        // A new time, title, place or description: everyone invited gets the changed
        // invitation by mail too (the same event stored again sends nothing).
        let changed = moved
            || before.is_some_and(|b| b.summary != o.summary)
            || (!rows.is_empty()
                && before_text.is_some_and(|t| {
                    !ical::parse_one(t).is_ok_and(|old| seen(&old) == seen(&parsed.ical))
                }));
        let (mut new, mut again) = (Vec::new(), Vec::new());
        for w in &want {
            let old = rows.iter().find(|r| r.user == w.user.id);
            let ps = match old.and_then(|r| PartStat::parse(&r.partstat)) {
                Some(p) if !moved => p,
                _ => PartStat::NeedsAction,
            };
            let row = AttendeeRow {
                object: o.id,
                user: w.user.id,
                copy: old.and_then(|r| r.copy),
                via_group: w.group.as_ref().map(|g| g.0),
                partstat: ps.as_str().to_owned(),
                answered_at: old.and_then(|r| r.answered_at).filter(|_| !moved),
                name: String::new(),
                mail: String::new(),
            };
            let group = w.group.as_ref().map(|g| g.1.as_str());
            let copy = self
                .deliver(c, a, &parsed.ical, &w.user, group, &row, false)
                .await?;
            let row = AttendeeRow {
                copy: Some(copy.0),
                ..row
            };
            att::upsert(c, inst, &row, self.now()).await?;
            if old.is_some() && changed {
                again.push(w.user.id);
            }
            if old.is_none() {
                new.push(w.user.id);
                let params = json!({
                    "summary": o.summary,
                    "start": (o.first_start > ical::NO_START)
                        .then(|| schulhof_store::from_us(o.first_start).to_rfc3339()),
                    "by": name(&a.user),
                    "calendar_object": format!("{}/{}", copy.1, copy.2),
                });
                notify(c, &w.user, Kind::CalendarInvitation, params, self.now()).await?;
            }
        }
        mails.add(a, parsed, Why::New, new);
        mails.add(a, parsed, Why::Changed, again);
        Ok(())
    }

    /// Writes the attendee's copy of `master` (cancelled with `cancel`) into its calendar:
    /// where the copy is, else the default personal calendar. Returns the copy's id,
    /// calendar and name.
    #[allow(clippy::too_many_arguments)]
    async fn deliver(
        &self,
        c: &mut impl AsConn,
        a: &Actor,
        master: &ICalendar,
        u: &UserRow,
        group: Option<&str>,
        row: &AttendeeRow,
        cancel: bool,
    ) -> Result<(CalObjectId, CalendarId, String), CalendarError> {
        let inst = a.token.instance();
        let uid = ical_uid(master);
        let mut existing = match row.copy {
            Some(id) => store::by_id(c, inst, id).await?,
            None => None,
        };
        let cal = match &existing {
            Some(e) => e.calendar,
            None => self.default_calendar(c, inst, u).await?,
        };
        if existing.is_none() {
            existing = store::by_uid(c, inst, cal, &uid).await?;
        }
        let ps = PartStat::parse(&row.partstat).unwrap_or(PartStat::NeedsAction);
        let mut copy = master.clone();
        if cancel {
            itip::cancel(&mut copy);
        }
        let text = itip::copy_for(&copy, &u.mail.to_lowercase(), ps, group);
        let parsed = ical::parse(text.as_bytes(), a.time_zone)?;
        let href = existing
            .as_ref()
            .map_or_else(|| copy_href(&uid), |e| e.href.clone());
        let to = Target {
            cal,
            kind: CalendarKind::Personal,
            href: &href,
            existing: existing.as_ref(),
        };
        let o = self
            .ingest(c, inst, &to, text.as_bytes(), &parsed, a.user.id)
            .await?;
        Ok((o.id, cal, href))
    }

    /// The default personal calendar of `u`, made when it has none yet.
    async fn default_calendar(
        &self,
        c: &mut impl AsConn,
        inst: InstanceId,
        u: &UserRow,
    ) -> Result<CalendarId, CalendarError> {
        if let Some(id) = att::default_calendar(c, inst, u.id).await? {
            return Ok(id);
        }
        let n = NewCalendar {
            id: CalendarId::new(),
            kind: "personal",
            owner: Some(u.id),
            group: None,
            resource: None,
            slug: "personal",
            name: "Persönlich",
            colour: PERSONAL_COLOUR,
            description: "",
        };
        cals::insert(c, inst, &n, self.now()).await?;
        att::default_calendar(c, inst, u.id)
            .await?
            .ok_or(CalendarError::NotFound)
    }

    /// Cancels the copies of every attendee of `o` (the organiser deleted or unscheduled it).
    async fn cancel_all(
        &self,
        c: &mut impl AsConn,
        a: &Actor,
        o: &ObjectRow,
        mails: &mut InviteMails,
    ) -> Result<(), CalendarError> {
        let inst = a.token.instance();
        let rows = att::of_object(c, inst, o.id).await?;
        if rows.is_empty() {
            return Ok(());
        }
        let Some((_, raw)) = store::get(c, inst, o.calendar, &o.href).await? else {
            return Ok(());
        };
        let parsed = ical::parse(raw.as_bytes(), a.time_zone)?;
        let (mut gone, mut gone_to) = (Vec::new(), Vec::new());
        for r in rows {
            if r.copy.is_some()
                && let Some(u) = users::get(c, inst, r.user).await?
            {
                self.deliver(c, a, &parsed.ical, &u, None, &r, true).await?;
                gone.push(u.mail.to_lowercase());
                gone_to.push(u.id);
            }
            att::remove(c, inst, o.id, r.user).await?;
        }
        let gone: Vec<&str> = gone.iter().map(String::as_str).collect();
        mails.add_also(a, &parsed, Why::Cancelled, gone_to, &gone);
        Ok(())
    }

    /// The caller (an attendee) stored its copy: its PARTSTAT goes back to the organiser.
    pub(crate) async fn answer_back(
        &self,
        c: &mut impl AsConn,
        a: &Actor,
        o: &ObjectRow,
        parsed: &Parsed,
        reply: bool,
    ) -> Result<(), CalendarError> {
        let inst = a.token.instance();
        let row = match att::by_copy(c, inst, o.id).await? {
            Some(r) => r,
            None => match att::by_user_uid(c, inst, a.user.id, &o.uid).await? {
                Some(r) => r,
                None => return Ok(()),
            },
        };
        let me = a.user.mail.to_lowercase();
        let ps = itip::partstat_of(&parsed.ical, &me).unwrap_or(PartStat::NeedsAction);
        let changed = ps.as_str() != row.partstat;
        if reply && changed {
            self.reply(c, a, &row, ps).await?;
        }
        let row = AttendeeRow {
            copy: Some(o.id),
            partstat: ps.as_str().to_owned(),
            answered_at: if changed {
                Some(schulhof_store::to_us(self.now()))
            } else {
                row.answered_at
            },
            ..row
        };
        Ok(att::upsert(c, inst, &row, self.now()).await?)
    }

    /// Writes the attendee's answer into the organiser's master and tells the organiser.
    async fn reply(
        &self,
        c: &mut impl AsConn,
        a: &Actor,
        row: &AttendeeRow,
        ps: PartStat,
    ) -> Result<(), CalendarError> {
        let inst = a.token.instance();
        let Some(m) = store::by_id(c, inst, row.object).await? else {
            return Ok(());
        };
        let Some((m, raw)) = store::get(c, inst, m.calendar, &m.href).await? else {
            return Ok(());
        };
        let mut master = ical::parse_one(&raw)?;
        let group = match row.via_group {
            Some(g) => groups::get(c, inst, g).await?.map(|g| {
                let domain = a.user.mail.rsplit_once('@').map_or("", |x| x.1);
                crate::mail::address::list_address(&g.name, domain)
            }),
            None => None,
        };
        itip::set_partstat(
            &mut master,
            &a.user.mail.to_lowercase(),
            ps,
            group.as_deref(),
        );
        let text = master.to_string();
        let parsed = ical::parse(text.as_bytes(), a.time_zone)?;
        let to = Target {
            cal: m.calendar,
            kind: CalendarKind::Personal,
            href: &m.href,
            existing: Some(&m),
        };
        self.ingest(c, inst, &to, text.as_bytes(), &parsed, a.user.id)
            .await?;
        let now = self.now();
        let row = AttendeeRow {
            partstat: ps.as_str().to_owned(),
            answered_at: Some(schulhof_store::to_us(now)),
            ..row.clone()
        };
        att::upsert(c, inst, &row, now).await?;
        if let Some(org) = att::organiser_of(c, inst, m.id).await?
            && let Some(org) = users::get(c, inst, org).await?
        {
            let params = json!({"summary": m.summary, "by": name(&a.user), "answer": ps.as_str()});
            notify(c, &org, Kind::CalendarReply, params, now).await?;
        }
        Ok(())
    }
}

/// The UID of an object (the first event's).
fn ical_uid(i: &ICalendar) -> String {
    i.components
        .iter()
        .find_map(|c| c.uid())
        .unwrap_or_default()
        .to_owned()
}
