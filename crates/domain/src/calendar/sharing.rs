//! Sharing a personal calendar with logins or groups of the same school.

use schulhof_authz::calendar::ManageCalendar;
use schulhof_authz::check;
use schulhof_store::calendar::shares as store;
use schulhof_store::groups;
use schulhof_store::users;
use schulhof_types::{GroupId, UserId};
use serde::Serialize;

use super::{CalAccess, CalendarError, CalendarId, facts};
use crate::Platform;
use crate::identity::Actor;

/// Whom a calendar is shared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ShareWith {
    User(UserId),
    Group(GroupId),
}

#[derive(Clone, Debug, Serialize)]
pub struct Share {
    pub with: ShareWith,
    /// The login's name or the group's.
    pub name: String,
    #[serde(serialize_with = "access_str")]
    pub access: CalAccess,
}

fn access_str<S: serde::Serializer>(a: &CalAccess, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(a.as_str())
}

fn subject(w: ShareWith) -> (&'static str, uuid::Uuid) {
    match w {
        ShareWith::User(u) => ("user", u.0),
        ShareWith::Group(g) => ("group", g.0),
    }
}

impl Platform {
    /// Shares an own personal calendar (read or write) with a login or a group of the school.
    pub async fn calendar_share(
        &self,
        a: &Actor,
        cal: CalendarId,
        with: ShareWith,
        access: CalAccess,
    ) -> Result<(), CalendarError> {
        if access == CalAccess::FreeBusy {
            return Err(
                crate::DomainError::invalid("access", "share for reading or writing").into(),
            );
        }
        let inst = a.token.instance();
        let mut tx = self.db.begin().await?;
        let (row, _) = self.calendar_row(&mut tx, a, cal).await?;
        check(
            &a.token,
            ManageCalendar(facts(a, &row).ok_or(CalendarError::NotFound)?),
        )?;
        // Only within the own school: the subject must exist here.
        let exists = match with {
            ShareWith::User(u) => u != a.user.id && users::get(&mut tx, inst, u).await?.is_some(),
            ShareWith::Group(g) => groups::get(&mut tx, inst, g).await?.is_some(),
        };
        if !exists {
            return Err(CalendarError::Domain(crate::DomainError::NotFound));
        }
        let (kind, id) = subject(with);
        store::put(&mut tx, inst, cal, kind, id, access.as_str(), self.now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends a share.
    pub async fn calendar_unshare(
        &self,
        a: &Actor,
        cal: CalendarId,
        with: ShareWith,
    ) -> Result<(), CalendarError> {
        let mut tx = self.db.begin().await?;
        let (row, _) = self.calendar_row(&mut tx, a, cal).await?;
        check(
            &a.token,
            ManageCalendar(facts(a, &row).ok_or(CalendarError::NotFound)?),
        )?;
        let (kind, id) = subject(with);
        if !store::remove(&mut tx, a.token.instance(), cal, kind, id).await? {
            return Err(CalendarError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    /// The shares of an own calendar.
    pub async fn calendar_shares(
        &self,
        a: &Actor,
        cal: CalendarId,
    ) -> Result<Vec<Share>, CalendarError> {
        let mut c = self.db.read().await?;
        let (row, _) = self.calendar_row(&mut c, a, cal).await?;
        check(
            &a.token,
            ManageCalendar(facts(a, &row).ok_or(CalendarError::NotFound)?),
        )?;
        let rows = store::list(&mut c, a.token.instance(), cal).await?;
        Ok(rows
            .into_iter()
            .map(|r| Share {
                with: if r.subject_kind == "group" {
                    ShareWith::Group(GroupId(r.subject_id))
                } else {
                    ShareWith::User(UserId(r.subject_id))
                },
                name: r.subject_name,
                access: if r.access == "write" {
                    CalAccess::Write
                } else {
                    CalAccess::Read
                },
            })
            .collect())
    }
}
