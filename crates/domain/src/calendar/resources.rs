//! Bookable resources (rooms, equipment): the admin creates them; an event put into a
//! resource's calendar books it, refused when it overlaps a confirmed booking, pending when
//! the resource needs approval.

use chrono::Duration;
use schulhof_authz::calendar::{ManageResources, calendar_scope};
use schulhof_authz::check;
use schulhof_store::AsConn;
use schulhof_store::calendar::bookings::{self, BookingRow};
use schulhof_store::calendar::calendars::{self as cals, NewCalendar};
use schulhof_store::calendar::objects::{self as objects, ObjectRow};
use schulhof_store::calendar::resources::{self as store, ResourceRow};
use schulhof_store::{from_us, to_us};
use schulhof_types::{AccountType, GroupId};
use serde::Serialize;

use super::collections::RESOURCE_COLOUR;
use super::{
    BookingId, BookingStatus, CalAccess, CalendarError, CalendarId, CalendarInfo, ResourceId, ical,
};
use crate::Platform;
use crate::identity::Actor;

/// Occurrences of one booking at most (within the horizon).
const MAX_BOOKED: usize = 1000;
/// How far ahead a recurring booking is expanded.
const HORIZON_DAYS: i64 = 2 * 366;

#[derive(Clone, Debug)]
pub struct NewResource {
    pub name: String,
    pub description: String,
    pub capacity: u32,
    pub needs_approval: bool,
    /// Account types whose persons may book.
    pub account_types: Vec<AccountType>,
    /// Groups whose members may book.
    pub groups: Vec<GroupId>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ResourceInfo {
    pub id: ResourceId,
    pub calendar: CalendarId,
    pub name: String,
    pub description: String,
    pub capacity: u32,
    pub needs_approval: bool,
    pub account_types: Vec<AccountType>,
    pub groups: Vec<GroupId>,
}

/// A booking waiting for the admin.
#[derive(Clone, Debug, Serialize)]
pub struct PendingBooking {
    pub id: BookingId,
    pub resource: ResourceId,
    pub title: String,
    pub start: chrono::DateTime<chrono::Utc>,
    pub end: chrono::DateTime<chrono::Utc>,
    pub booked_by: Option<String>,
}

fn check_new(n: &NewResource) -> Result<(), CalendarError> {
    let name = n.name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(crate::DomainError::invalid(
            "name",
            "a resource name has 1 to 100 printable characters",
        )
        .into());
    }
    if n.description.chars().count() > 2000 {
        return Err(crate::DomainError::invalid("description", "at most 2000 characters").into());
    }
    Ok(())
}

fn types_text(t: &[AccountType]) -> String {
    t.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(",")
}

/// The first confirmed booking (of another object) that overlaps one of `occ`.
fn conflict<'a>(occ: &[ical::Occurrence], others: &'a [BookingRow]) -> Option<&'a BookingRow> {
    others.iter().filter(|b| b.status == "confirmed").find(|b| {
        occ.iter()
            .any(|o| o.start < b.ends_at && o.end > b.starts_at)
    })
}

impl Platform {
    /// Creates a resource with its calendar (admin).
    pub async fn resource_create(
        &self,
        a: &Actor,
        n: &NewResource,
    ) -> Result<ResourceInfo, CalendarError> {
        check(&a.token, ManageResources)?;
        check_new(n)?;
        let inst = a.token.instance();
        let row = ResourceRow {
            id: ResourceId::new(),
            name: n.name.trim().to_owned(),
            description: n.description.clone(),
            capacity: i64::from(n.capacity),
            needs_approval: n.needs_approval,
            account_types: types_text(&n.account_types),
            groups: n.groups.clone(),
        };
        let calendar = CalendarId::new();
        let slug = format!("resource-{}", row.id.0.simple());
        let mut tx = self.db.begin().await?;
        for g in &n.groups {
            if schulhof_store::groups::get(&mut tx, inst, *g)
                .await?
                .is_none()
            {
                return Err(crate::DomainError::invalid("groups", "no such group").into());
            }
        }
        store::insert(&mut tx, inst, &row, self.now()).await?;
        let c = NewCalendar {
            id: calendar,
            kind: "resource",
            owner: None,
            group: None,
            resource: Some(row.id),
            slug: &slug,
            name: &row.name,
            colour: RESOURCE_COLOUR,
            description: &row.description,
        };
        cals::insert(&mut tx, inst, &c, self.now()).await?;
        tx.commit().await?;
        Ok(ResourceInfo {
            id: row.id,
            calendar,
            name: row.name,
            description: row.description,
            capacity: n.capacity,
            needs_approval: n.needs_approval,
            account_types: n.account_types.clone(),
            groups: n.groups.clone(),
        })
    }

    /// The resources of the school with their calendars.
    pub async fn resources(&self, a: &Actor) -> Result<Vec<ResourceInfo>, CalendarError> {
        if !calendar_scope(&a.token).resources {
            return Err(CalendarError::Forbidden);
        }
        let inst = a.token.instance();
        let mut c = self.db.read().await?;
        let rows = store::list(&mut c, inst).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let Some(calendar) = cals::id_of(&mut c, inst, "resource", None, Some(r.id)).await?
            else {
                continue;
            };
            out.push(ResourceInfo {
                id: r.id,
                calendar,
                capacity: u32::try_from(r.capacity).unwrap_or(0),
                needs_approval: r.needs_approval,
                account_types: r
                    .account_types
                    .split(',')
                    .filter_map(AccountType::parse)
                    .collect(),
                groups: r.groups,
                name: r.name,
                description: r.description,
            });
        }
        Ok(out)
    }

    /// Books the resource for the occurrences of `o` (called by the ingest path inside its
    /// transaction). Refuses an overlap with another confirmed booking, naming it.
    pub(crate) async fn book(
        &self,
        c: &mut impl AsConn,
        a: &Actor,
        info: &CalendarInfo,
        res: ResourceId,
        o: &ObjectRow,
        parsed: &ical::Parsed,
    ) -> Result<BookingStatus, CalendarError> {
        let inst = a.token.instance();
        let now = self.now();
        let status = if info.needs_approval && info.access < CalAccess::Write {
            BookingStatus::Pending
        } else {
            BookingStatus::Confirmed
        };
        if parsed.transparent {
            bookings::remove_for_object(c, inst, o.id).await?;
            return Ok(status);
        }
        let (from, until) = (
            to_us(now - Duration::days(1)),
            to_us(now + Duration::days(HORIZON_DAYS)),
        );
        let (all, _) = ical::expand(&parsed.ical, a.time_zone)?;
        let occ: Vec<_> = all
            .into_iter()
            .filter(|x| !parsed.recurring || (x.end > from && x.start < until))
            .collect();
        if occ.len() > MAX_BOOKED {
            return Err(crate::DomainError::invalid(
                "ics",
                format!("a booking may repeat at most {MAX_BOOKED} times within two years"),
            )
            .into());
        }
        let (Some(lo), Some(hi)) = (
            occ.iter().map(|x| x.start).min(),
            occ.iter().map(|x| x.end).max(),
        ) else {
            bookings::remove_for_object(c, inst, o.id).await?;
            return Ok(status);
        };
        let others = bookings::overlapping(c, inst, res, lo, hi.max(lo + 1), Some(o.id)).await?;
        if let Some(b) = conflict(&occ, &others) {
            return Err(CalendarError::BookingConflict {
                title: b.title.clone(),
                start: from_us(b.starts_at),
                end: from_us(b.ends_at),
                owner: b
                    .booked_by_name
                    .clone()
                    .filter(|_| info.access >= CalAccess::Read),
            });
        }
        let st = match status {
            BookingStatus::Pending => "pending",
            BookingStatus::Confirmed => "confirmed",
        };
        let rows: Vec<BookingRow> = occ
            .iter()
            .map(|x| BookingRow {
                id: BookingId::new(),
                resource: res,
                object: o.id,
                starts_at: x.start,
                ends_at: x.end.max(x.start + 1),
                status: st.into(),
                booked_by: o.created_by,
                booked_by_name: None,
                title: o.summary.clone(),
            })
            .collect();
        bookings::replace_for_object(c, inst, o.id, &rows, now).await?;
        Ok(status)
    }

    /// Bookings waiting for approval (admin).
    pub async fn bookings_pending(&self, a: &Actor) -> Result<Vec<PendingBooking>, CalendarError> {
        check(&a.token, ManageResources)?;
        let mut c = self.db.read().await?;
        let rows = bookings::pending(&mut c, a.token.instance()).await?;
        Ok(rows
            .into_iter()
            .map(|b| PendingBooking {
                id: b.id,
                resource: b.resource,
                title: b.title,
                start: from_us(b.starts_at),
                end: from_us(b.ends_at),
                booked_by: b.booked_by_name,
            })
            .collect())
    }

    /// Confirms a pending booking (all its occurrences) or declines it, which removes the
    /// event from the resource's calendar. Confirming refuses a clash with a confirmed one.
    pub async fn booking_decide(
        &self,
        a: &Actor,
        id: BookingId,
        approve: bool,
    ) -> Result<(), CalendarError> {
        check(&a.token, ManageResources)?;
        let inst = a.token.instance();
        let mut tx = self.db.begin().await?;
        let (res, obj) = bookings::object_of(&mut tx, inst, id)
            .await?
            .ok_or(CalendarError::NotFound)?;
        let o = objects::by_id(&mut tx, inst, obj)
            .await?
            .ok_or(CalendarError::NotFound)?;
        if approve {
            let lo = o.first_start;
            let hi = o.last_end.unwrap_or(i64::MAX / 2);
            let others = bookings::overlapping(&mut tx, inst, res, lo, hi, Some(obj)).await?;
            let mine = bookings::overlapping(&mut tx, inst, res, lo, hi, None).await?;
            let occ: Vec<ical::Occurrence> = mine
                .iter()
                .filter(|b| b.object == obj)
                .map(|b| ical::Occurrence {
                    start: b.starts_at,
                    end: b.ends_at,
                    comp: 0,
                })
                .collect();
            if let Some(b) = conflict(&occ, &others) {
                return Err(CalendarError::BookingConflict {
                    title: b.title.clone(),
                    start: from_us(b.starts_at),
                    end: from_us(b.ends_at),
                    owner: b.booked_by_name.clone(),
                });
            }
            bookings::set_status(&mut tx, inst, obj, "confirmed").await?;
        } else {
            let modseq = cals::bump(&mut tx, inst, o.calendar).await?;
            objects::delete(&mut tx, inst, &o, modseq, self.now()).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
