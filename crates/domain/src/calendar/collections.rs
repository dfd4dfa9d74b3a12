//! The calendars a caller sees, made lazily (the own personal one, one per group, the
//! school's), and the caller's own personal calendars: create, change, delete.

use schulhof_authz::calendar::{ManageCalendar, UsePersonalCalendar, calendar_scope};
use schulhof_authz::check;
use schulhof_store::AsConn;
use schulhof_store::calendar::calendars::{
    self as store, CalendarRow, ListScope, NewCalendar, Viewer,
};
use schulhof_types::{GroupId, InstanceId};

use super::{CalendarError, CalendarId, CalendarInfo, CalendarKind, facts, info};
use crate::Platform;
use crate::identity::Actor;

pub(crate) const PERSONAL_COLOUR: &str = "#1f6feb";
const GROUP_COLOUR: &str = "#2da44e";
const SCHOOL_COLOUR: &str = "#bf3989";
pub(crate) const RESOURCE_COLOUR: &str = "#9a6700";
/// Personal calendars one login may have.
const MAX_PERSONAL: usize = 50;

pub(crate) fn viewer(a: &Actor) -> Viewer<'_> {
    Viewer {
        user: a.user.id,
        groups: a.token.groups(),
    }
}

/// A colour as `#rrggbb`.
fn check_colour(c: &str) -> Result<String, CalendarError> {
    let ok = c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|x| x.is_ascii_hexdigit());
    if ok {
        Ok(c.to_ascii_lowercase())
    } else {
        Err(crate::DomainError::invalid("colour", "a colour is written #rrggbb").into())
    }
}

fn check_name(n: &str) -> Result<String, CalendarError> {
    let n = n.trim();
    if n.is_empty() || n.chars().count() > 100 || n.chars().any(char::is_control) {
        return Err(crate::DomainError::invalid(
            "name",
            "a calendar name has 1 to 100 printable characters",
        )
        .into());
    }
    Ok(n.to_owned())
}

/// A slug a client may choose: 1 to 100 characters safe in a URL segment.
fn check_slug(s: &str) -> Result<(), CalendarError> {
    let ok = !s.is_empty()
        && s.len() <= 100
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~@+=,".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(crate::DomainError::invalid(
            "slug",
            "a calendar's name in its URL has 1 to 100 letters, digits or -._~@+=,",
        )
        .into())
    }
}

/// Makes the group calendars of `groups` that do not exist yet.
pub(crate) async fn ensure_groups(
    c: &mut impl AsConn,
    instance: InstanceId,
    groups: &[GroupId],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), CalendarError> {
    let missing = store::groups_without(c, instance, groups).await?;
    for (g, name) in store::group_names(c, instance, &missing).await? {
        let slug = format!("group-{}", g.0.simple());
        let n = NewCalendar {
            id: CalendarId::new(),
            kind: "group",
            owner: None,
            group: Some(g),
            resource: None,
            slug: &slug,
            name: &name,
            colour: GROUP_COLOUR,
            description: "",
        };
        store::insert(c, instance, &n, now).await?;
    }
    Ok(())
}

async fn ensure_school(
    c: &mut impl AsConn,
    instance: InstanceId,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), CalendarError> {
    let n = NewCalendar {
        id: CalendarId::new(),
        kind: "school",
        owner: None,
        group: None,
        resource: None,
        slug: "school",
        name: "Schulkalender",
        colour: SCHOOL_COLOUR,
        description: "",
    };
    store::insert(c, instance, &n, now).await?;
    Ok(())
}

impl Platform {
    /// Every calendar the caller sees: own personal ones, those shared with it, its groups',
    /// the school's and the resources. Missing ones are made first (the own personal
    /// calendar, a group's, the school's); then it costs one statement.
    pub async fn calendars(&self, a: &Actor) -> Result<Vec<CalendarInfo>, CalendarError> {
        Ok(self.calendars_kept(a).await?.0)
    }

    /// [`Platform::calendars`] and the read connection it used, when no calendar had to be
    /// made: a caller that reads on can go on with it instead of acquiring another.
    pub(crate) async fn calendars_kept(
        &self,
        a: &Actor,
    ) -> Result<(Vec<CalendarInfo>, Option<schulhof_store::Handle>), CalendarError> {
        let scope = calendar_scope(&a.token);
        let ls = ListScope {
            personal: scope.personal,
            groups: scope.groups,
            school: scope.school,
            resources: scope.resources,
        };
        let inst = a.token.instance();
        let mut c = self.db.read().await?;
        let rows = store::visible(&mut c, inst, &viewer(a), ls).await?;
        let wants_personal = check(&a.token, UsePersonalCalendar).is_ok();
        let has_personal = rows
            .iter()
            .any(|r| r.kind == "personal" && r.owner == Some(a.user.id));
        let group_cals = rows.iter().filter(|r| r.kind == "group").count();
        let missing = (wants_personal && !has_personal)
            || (scope.school && !rows.iter().any(|r| r.kind == "school"))
            || (scope.groups && group_cals < a.token.groups().len());
        let (rows, kept) = if missing {
            drop(c);
            let mut tx = self.db.begin().await?;
            if wants_personal && !has_personal {
                self.ensure_personal(&mut tx, a).await?;
            }
            if scope.school {
                ensure_school(&mut tx, inst, self.now()).await?;
            }
            ensure_groups(&mut tx, inst, a.token.groups(), self.now()).await?;
            let rows = store::visible(&mut tx, inst, &viewer(a), ls).await?;
            tx.commit().await?;
            (rows, None)
        } else {
            (rows, Some(c))
        };
        Ok((rows.iter().filter_map(|r| info(a, r)).collect(), kept))
    }

    /// Makes the caller's first personal calendar.
    async fn ensure_personal(&self, c: &mut impl AsConn, a: &Actor) -> Result<(), CalendarError> {
        let n = NewCalendar {
            id: CalendarId::new(),
            kind: "personal",
            owner: Some(a.user.id),
            group: None,
            resource: None,
            slug: "personal",
            name: "Persönlich",
            colour: PERSONAL_COLOUR,
            description: "",
        };
        store::insert(c, a.token.instance(), &n, self.now()).await?;
        Ok(())
    }

    /// One calendar as the caller sees it; hidden ones are `NotFound`.
    pub async fn calendar(&self, a: &Actor, id: CalendarId) -> Result<CalendarInfo, CalendarError> {
        let mut c = self.db.read().await?;
        Ok(self.calendar_row(&mut c, a, id).await?.1)
    }

    pub(crate) async fn calendar_row(
        &self,
        c: &mut impl AsConn,
        a: &Actor,
        id: CalendarId,
    ) -> Result<(CalendarRow, CalendarInfo), CalendarError> {
        let row = store::get(c, a.token.instance(), &viewer(a), id)
            .await?
            .ok_or(CalendarError::NotFound)?;
        let i = info(a, &row).ok_or(CalendarError::NotFound)?;
        Ok((row, i))
    }

    /// The caller's own default personal calendar (made on first use).
    pub async fn calendar_personal(&self, a: &Actor) -> Result<CalendarInfo, CalendarError> {
        self.calendars(a)
            .await?
            .into_iter()
            .find(|c| c.own && c.slug == "personal")
            .ok_or(CalendarError::Forbidden)
    }

    /// The calendar of a group the caller is in (made on first use).
    pub async fn calendar_of_group(
        &self,
        a: &Actor,
        g: GroupId,
    ) -> Result<CalendarInfo, CalendarError> {
        if !a.token.is_member(g) {
            return Err(CalendarError::NotFound);
        }
        self.calendars(a)
            .await?
            .into_iter()
            .find(|c| c.kind == CalendarKind::Group && c.group == Some(g))
            .ok_or(CalendarError::NotFound)
    }

    /// A further personal calendar ("new calendar" in the web).
    pub async fn calendar_create(
        &self,
        a: &Actor,
        name: &str,
        colour: Option<&str>,
    ) -> Result<CalendarInfo, CalendarError> {
        self.calendar_create_at(a, None, name, colour).await
    }

    /// A further personal calendar under a slug the caller chose (MKCALENDAR: the client
    /// names the URL); a slug of another own calendar is a conflict.
    pub async fn calendar_create_with_slug(
        &self,
        a: &Actor,
        slug: &str,
        name: &str,
        colour: Option<&str>,
    ) -> Result<CalendarInfo, CalendarError> {
        check_slug(slug)?;
        self.calendar_create_at(a, Some(slug), name, colour).await
    }

    async fn calendar_create_at(
        &self,
        a: &Actor,
        slug: Option<&str>,
        name: &str,
        colour: Option<&str>,
    ) -> Result<CalendarInfo, CalendarError> {
        check(&a.token, UsePersonalCalendar)?;
        let name = check_name(name)?;
        let colour = check_colour(colour.unwrap_or(PERSONAL_COLOUR))?;
        let own: Vec<CalendarInfo> = self
            .calendars(a)
            .await?
            .into_iter()
            .filter(|c| c.own)
            .collect();
        if own.len() >= MAX_PERSONAL {
            return Err(crate::DomainError::invalid("name", "at most 50 own calendars").into());
        }
        if let Some(s) = slug
            && own.iter().any(|c| c.slug == s)
        {
            return Err(
                crate::DomainError::conflict("slug", "an own calendar has this name").into(),
            );
        }
        let id = CalendarId::new();
        let slug = slug.map_or_else(|| id.0.simple().to_string(), str::to_owned);
        let n = NewCalendar {
            id,
            kind: "personal",
            owner: Some(a.user.id),
            group: None,
            resource: None,
            slug: &slug,
            name: &name,
            colour: &colour,
            description: "",
        };
        let mut tx = self.db.begin().await?;
        store::insert(&mut tx, a.token.instance(), &n, self.now()).await?;
        let (_, i) = self.calendar_row(&mut tx, a, id).await?;
        tx.commit().await?;
        Ok(i)
    }

    /// Renames, recolours or describes a calendar: the owner of a personal calendar, or
    /// whoever may write a group's, the school's or a resource's calendar.
    pub async fn calendar_update(
        &self,
        a: &Actor,
        id: CalendarId,
        name: &str,
        colour: &str,
        description: &str,
    ) -> Result<CalendarInfo, CalendarError> {
        let name = check_name(name)?;
        let colour = check_colour(colour)?;
        let description: String = description.chars().take(2000).collect();
        let mut tx = self.db.begin().await?;
        let (row, i) = self.calendar_row(&mut tx, a, id).await?;
        let f = facts(a, &row).ok_or(CalendarError::NotFound)?;
        if i.kind == CalendarKind::Personal {
            check(&a.token, ManageCalendar(f))?;
        } else if i.access < super::CalAccess::Write {
            return Err(CalendarError::Forbidden);
        }
        store::update(
            &mut tx,
            a.token.instance(),
            id,
            &name,
            &colour,
            &description,
        )
        .await?;
        let (_, i) = self.calendar_row(&mut tx, a, id).await?;
        tx.commit().await?;
        Ok(i)
    }

    /// Deletes an own personal calendar with its events (not the default one).
    pub async fn calendar_delete(&self, a: &Actor, id: CalendarId) -> Result<(), CalendarError> {
        let mut tx = self.db.begin().await?;
        let (row, i) = self.calendar_row(&mut tx, a, id).await?;
        let f = facts(a, &row).ok_or(CalendarError::NotFound)?;
        check(&a.token, ManageCalendar(f))?;
        if i.slug == "personal" {
            return Err(crate::DomainError::invalid(
                "calendar",
                "the default personal calendar cannot be deleted",
            )
            .into());
        }
        store::delete(&mut tx, a.token.instance(), id).await?;
        tx.commit().await?;
        Ok(())
    }
}
