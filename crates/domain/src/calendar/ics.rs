//! ICS files: export a calendar as one VCALENDAR, import a file (preview, then store every
//! readable event in one transaction, reporting what could not be read), and private
//! subscription URLs whose secret is stored hashed.

use calcard::icalendar::{
    ICalendar, ICalendarComponent, ICalendarComponentType as Ty, ICalendarEntry,
    ICalendarProperty as P, ICalendarValue,
};
use calcard::{Entry, Parser};
use schulhof_store::calendar::objects as store;
use schulhof_store::calendar::subscriptions::{self as subs, SubscriptionRow};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::invite_mail::InviteMails;
use super::objects::may_read;
use super::{CalendarError, CalendarId, CalendarInfo, Precondition, SubscriptionId, ical};
use crate::Platform;
use crate::identity::Actor;

/// The largest ICS file imported.
pub const MAX_IMPORT: usize = 10 * 1024 * 1024;
/// Events one import takes at most.
const MAX_IMPORT_EVENTS: usize = 5000;

#[derive(Clone, Debug, Serialize)]
pub struct ImportItem {
    pub uid: String,
    pub summary: String,
    pub start: Option<chrono::DateTime<chrono::Utc>>,
    pub recurring: bool,
}

/// What an import would store, and what it cannot read.
#[derive(Clone, Debug, Serialize)]
pub struct ImportPreview {
    pub events: Vec<ImportItem>,
    pub problems: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ImportReport {
    pub created: usize,
    pub replaced: usize,
    pub problems: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SubscriptionInfo {
    pub id: SubscriptionId,
    pub calendar: CalendarId,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

fn entry(name: P, value: &str) -> ICalendarEntry {
    ICalendarEntry {
        name,
        params: vec![],
        values: vec![ICalendarValue::Text(value.to_owned())],
    }
}

/// Copies component `id` of `from` (with its sub-components) to the end of `to`; returns
/// its new index.
fn copy_tree(from: &ICalendar, id: u32, to: &mut Vec<ICalendarComponent>) -> Option<u32> {
    let c = from.components.get(id as usize)?;
    let at = to.len();
    to.push(ICalendarComponent {
        component_type: c.component_type.clone(),
        entries: c.entries.clone(),
        component_ids: vec![],
    });
    let kids: Vec<u32> = c
        .component_ids
        .iter()
        .filter_map(|k| copy_tree(from, *k, to))
        .collect();
    to[at].component_ids = kids;
    u32::try_from(at).ok()
}

/// One VCALENDAR holding `parts` (each a parsed calendar, all its top components), with
/// every VTIMEZONE once.
fn merge(name: Option<&str>, parts: &[(ICalendar, Vec<u32>)]) -> String {
    let mut head = ICalendarComponent {
        component_type: Ty::VCalendar,
        entries: vec![
            entry(P::Version, "2.0"),
            entry(P::Prodid, "-//Schulhof//Kalender//DE"),
        ],
        component_ids: vec![],
    };
    if let Some(n) = name {
        head.entries.push(entry(P::Other("X-WR-CALNAME".into()), n));
    }
    let mut comps = vec![head];
    let mut kids = Vec::new();
    let mut zones: Vec<String> = Vec::new();
    for (cal, top) in parts {
        for id in top {
            let Some(c) = cal.components.get(*id as usize) else {
                continue;
            };
            if c.component_type == Ty::VTimezone {
                let tzid = c
                    .property(&P::Tzid)
                    .and_then(|e| e.values.first())
                    .and_then(|v| v.as_text())
                    .unwrap_or("")
                    .to_owned();
                if zones.contains(&tzid) {
                    continue;
                }
                zones.push(tzid);
            }
            if let Some(n) = copy_tree(cal, *id, &mut comps) {
                kids.push(n);
            }
        }
    }
    comps[0].component_ids = kids;
    let out = ICalendar { components: comps };
    let mut s = String::new();
    // Writing into a String cannot fail.
    let _ = out.write_to(&mut s);
    s
}

fn top_ids(c: &ICalendar) -> Vec<u32> {
    c.components
        .first()
        .map(|c| c.component_ids.clone())
        .unwrap_or_default()
}

/// Splits a file into one object text per UID, with the file's time zones; unreadable parts
/// are described.
fn split(bytes: &[u8]) -> Result<(Vec<Vec<u8>>, Vec<String>), CalendarError> {
    if bytes.len() > MAX_IMPORT {
        return Err(CalendarError::TooLarge { max: MAX_IMPORT });
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| CalendarError::invalid("the file is not UTF-8 text"))?;
    let mut problems = Vec::new();
    let mut objects = Vec::new();
    let mut p = Parser::new(text);
    loop {
        match p.entry() {
            Entry::Eof => break,
            Entry::ICalendar(cal) => {
                let top = top_ids(&cal);
                let zones: Vec<u32> = top
                    .iter()
                    .copied()
                    .filter(|i| cal.components[*i as usize].component_type == Ty::VTimezone)
                    .collect();
                let mut uids: Vec<String> = Vec::new();
                for i in &top {
                    let c = &cal.components[*i as usize];
                    match (&c.component_type, c.uid()) {
                        (Ty::VTimezone, _) => {}
                        (Ty::VEvent | Ty::VTodo, Some(u)) => {
                            if !uids.iter().any(|x| x == u) {
                                uids.push(u.to_owned());
                            }
                        }
                        (Ty::VEvent | Ty::VTodo, None) => problems
                            .push(format!("{} without UID skipped", c.component_type.as_str())),
                        (other, _) => {
                            problems.push(format!("{} skipped (not supported)", other.as_str()))
                        }
                    }
                }
                for u in uids {
                    let mine: Vec<u32> = top
                        .iter()
                        .copied()
                        .filter(|i| cal.components[*i as usize].uid() == Some(u.as_str()))
                        .collect();
                    let ids: Vec<u32> = zones.iter().copied().chain(mine).collect();
                    let whole = ICalendar {
                        components: cal.components.clone(),
                    };
                    objects.push(merge(None, &[(whole, ids)]).into_bytes());
                    if objects.len() > MAX_IMPORT_EVENTS {
                        return Err(CalendarError::invalid(format!(
                            "more than {MAX_IMPORT_EVENTS} events in one file"
                        )));
                    }
                }
            }
            other => problems.push(match ical::entry_error(other) {
                CalendarError::InvalidData(m) => m,
                e => e.to_string(),
            }),
        }
    }
    Ok((objects, problems))
}

/// A file name for an imported UID: its safe characters, or a hash of it.
fn href_for(uid: &str) -> String {
    let safe = uid.len() <= 100
        && uid
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c));
    if safe {
        format!("{uid}.ics")
    } else {
        format!("{}.ics", super::objects::etag_of(uid.as_bytes()))
    }
}

impl Platform {
    /// The calendar as one `.ics` text.
    pub async fn calendar_export(
        &self,
        a: &Actor,
        cal: CalendarId,
    ) -> Result<String, CalendarError> {
        let mut c = self.db.read().await?;
        let (row, info) = self.calendar_row(&mut c, a, cal).await?;
        may_read(a, &row)?;
        let rows =
            store::in_range(&mut c, a.token.instance(), &[cal], i64::MIN, i64::MAX, true).await?;
        let att = self
            .calendar_attachments_within(&mut c, a.token.instance(), &row)
            .await?;
        drop(c);
        let parts: Vec<(ICalendar, Vec<u32>)> = rows
            .into_iter()
            .filter_map(|(o, raw)| Some(att.apply(&o.href, raw?)))
            .filter_map(|raw| ical::parse_one(&raw).ok())
            .map(|c| {
                let top = top_ids(&c);
                (c, top)
            })
            .collect();
        Ok(merge(Some(&info.name), &parts))
    }

    /// What importing `bytes` into the calendar would store, and what it cannot read.
    pub async fn calendar_import_preview(
        &self,
        a: &Actor,
        cal: CalendarId,
        bytes: &[u8],
    ) -> Result<ImportPreview, CalendarError> {
        let info = self.calendar(a, cal).await?;
        if info.access < super::CalAccess::Write && !info.may_book {
            return Err(CalendarError::Forbidden);
        }
        let (objects, mut problems) = split(bytes)?;
        let mut events = Vec::new();
        for o in objects {
            match ical::parse(&o, a.time_zone) {
                Ok(p) => events.push(ImportItem {
                    uid: p.uid,
                    summary: p.summary,
                    start: (p.first_start > ical::NO_START)
                        .then(|| schulhof_store::from_us(p.first_start)),
                    recurring: p.recurring,
                }),
                Err(e) => problems.push(e.to_string()),
            }
        }
        Ok(ImportPreview { events, problems })
    }

    /// Stores every readable event of the file in one transaction (an event with a UID the
    /// calendar has replaces it); a refused event (a booking clash) stores nothing.
    pub async fn calendar_import(
        &self,
        a: &Actor,
        cal: CalendarId,
        bytes: &[u8],
    ) -> Result<ImportReport, CalendarError> {
        let (objects, mut problems) = split(bytes)?;
        let mut parsed = Vec::new();
        for o in objects {
            match ical::parse(&o, a.time_zone) {
                Ok(p) => parsed.push((o, p)),
                Err(e) => problems.push(e.to_string()),
            }
        }
        let inst = a.token.instance();
        let mut tx = self.db.begin().await?;
        let mut mails = InviteMails::default();
        let (mut created, mut replaced) = (0, 0);
        for (raw, p) in &parsed {
            let href = match store::by_uid(&mut tx, inst, cal, &p.uid).await? {
                Some(o) => o.href,
                None => href_for(&p.uid),
            };
            let out = self
                .put_in(
                    &mut tx,
                    a,
                    cal,
                    &href,
                    raw,
                    p,
                    &Precondition::None,
                    &mut mails,
                )
                .await?;
            if out.created {
                created += 1
            } else {
                replaced += 1
            }
        }
        tx.commit().await?;
        self.calendar_send_invite_mails(mails).await;
        Ok(ImportReport {
            created,
            replaced,
            problems,
        })
    }

    /// A private read-only subscription URL's secret for a calendar the caller reads.
    pub async fn calendar_subscribe(
        &self,
        a: &Actor,
        cal: CalendarId,
    ) -> Result<(SubscriptionInfo, String), CalendarError> {
        schulhof_authz::check(&a.token, schulhof_authz::calendar::UseCalendarClients)?;
        let mut tx = self.db.begin().await?;
        let (row, _) = self.calendar_row(&mut tx, a, cal).await?;
        may_read(a, &row)?;
        let secret = {
            use base64::Engine as _;
            use rand::RngCore as _;
            let mut b = [0u8; 32];
            rand::rng().fill_bytes(&mut b);
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
        };
        let s = SubscriptionRow {
            id: SubscriptionId::new(),
            calendar: cal,
            user: a.user.id,
            created_at: self.now(),
        };
        subs::insert(
            &mut tx,
            a.token.instance(),
            &s,
            &Sha256::digest(secret.as_bytes()),
        )
        .await?;
        tx.commit().await?;
        Ok((
            SubscriptionInfo {
                id: s.id,
                calendar: cal,
                created_at: s.created_at,
            },
            secret,
        ))
    }

    /// The caller's live subscription URLs.
    pub async fn calendar_subscriptions(
        &self,
        a: &Actor,
    ) -> Result<Vec<SubscriptionInfo>, CalendarError> {
        let mut c = self.db.read().await?;
        let rows = subs::of_user(&mut c, a.token.instance(), a.user.id).await?;
        Ok(rows
            .into_iter()
            .map(|s| SubscriptionInfo {
                id: s.id,
                calendar: s.calendar,
                created_at: s.created_at,
            })
            .collect())
    }

    /// Revokes one of the caller's subscription URLs.
    pub async fn calendar_unsubscribe(
        &self,
        a: &Actor,
        id: SubscriptionId,
    ) -> Result<(), CalendarError> {
        let mut tx = self.db.begin().await?;
        if !subs::revoke(&mut tx, a.token.instance(), a.user.id, id, self.now()).await? {
            return Err(CalendarError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    /// The calendar behind a subscription secret, as `.ics`, read with the subscriber's
    /// current rights (a revoked secret, a left group or a deactivated login: `NotFound`).
    pub async fn calendar_feed(
        &self,
        secret: &str,
    ) -> Result<(CalendarInfo, String), CalendarError> {
        let mut c = self.db.read().await?;
        let (inst, s) = subs::by_hash(&mut c, &Sha256::digest(secret.as_bytes()))
            .await?
            .ok_or(CalendarError::NotFound)?;
        let a = self
            .system_actor_for(&mut c, inst, s.user)
            .await?
            .ok_or(CalendarError::NotFound)?;
        drop(c);
        if schulhof_authz::check(&a.token, schulhof_authz::calendar::UseCalendarClients).is_err() {
            return Err(CalendarError::NotFound);
        }
        let info = self.calendar(&a, s.calendar).await?;
        let text = self.calendar_export(&a, s.calendar).await?;
        Ok((info, text))
    }
}
