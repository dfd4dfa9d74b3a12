//! Calendars: collection segments and the object calls, each one domain service.

use schulhof_domain::calendar::{
    self as cal, CalAccess, CalendarId, CalendarInfo, CalendarKind, QueryHit, StoredObject,
};

use super::DomainStore;
use super::errors::map;
use super::filter;
use crate::store::{
    Busy, Changes, Collection, CollectionProps, CollectionRef, CompFilter, Component, Kind, Object,
    ObjectMeta, Precondition, StoreError, StoreResult, TimeRange, Written,
};

/// The URL segment of a calendar in the caller's home, unique per caller: own personal
/// calendars by their slug, the others prefixed by kind so they cannot clash.
pub(super) fn segment(c: &CalendarInfo) -> String {
    match c.kind {
        CalendarKind::Personal if c.own => c.slug.clone(),
        CalendarKind::Personal => format!("geteilt-{}", c.id.0.simple()),
        CalendarKind::Group => format!("gruppe-{}", c.slug),
        CalendarKind::School => "schule".to_owned(),
        CalendarKind::Resource => format!("raum-{}", c.slug),
    }
}

fn object(o: StoredObject) -> Object {
    Object {
        meta: ObjectMeta {
            name: o.info.href,
            etag: o.info.etag,
        },
        data: o.raw,
    }
}

pub(super) fn precondition(p: &Precondition) -> cal::Precondition {
    match p {
        Precondition::None => cal::Precondition::None,
        Precondition::IfMatch(e) => cal::Precondition::IfMatch(e.clone()),
        Precondition::Exists => cal::Precondition::IfMatch("*".to_owned()),
        Precondition::Absent => cal::Precondition::IfNoneMatch,
    }
}

impl DomainStore {
    pub(super) fn cal_collection(&self, c: &CalendarInfo) -> Collection {
        let writable = c.access >= CalAccess::Write || c.may_book;
        Collection {
            id: CollectionRef {
                kind: Kind::Calendar,
                home: self.me.login.clone(),
                name: segment(c),
            },
            display_name: c.name.clone(),
            description: (!c.description.is_empty()).then(|| c.description.clone()),
            color: (!c.colour.is_empty()).then(|| c.colour.clone()),
            sync_token: u64::try_from(c.modseq).unwrap_or(0),
            writable,
            manageable: c.own,
            components: vec![Component::Event, Component::Todo],
        }
    }

    pub(super) async fn cal_collections(&self) -> StoreResult<Vec<Collection>> {
        let all = self.platform.calendars(&self.actor).await.map_err(map)?;
        Ok(all.iter().map(|c| self.cal_collection(c)).collect())
    }

    /// The visible calendar with this segment (one listing, a few statements, made once per
    /// request: a REPORT or PUT looks its collection up twice).
    pub(super) async fn cal_find(&self, name: &str) -> StoreResult<Option<CalendarInfo>> {
        let known = self.cal_memo.lock().ok().and_then(|m| m.clone());
        let all = match known {
            Some(v) => v,
            None => {
                let v = self.platform.calendars(&self.actor).await.map_err(map)?;
                if let Ok(mut m) = self.cal_memo.lock() {
                    *m = Some(v.clone());
                }
                v
            }
        };
        Ok(all.into_iter().find(|c| segment(c) == name))
    }

    /// After a write the listing (its sync tokens, names) is read anew.
    pub(super) fn cal_forget(&self) {
        if let Ok(mut m) = self.cal_memo.lock() {
            *m = None;
        }
    }

    pub(super) async fn cal_resolve(&self, id: &CollectionRef) -> StoreResult<CalendarInfo> {
        self.own_home(&id.home)?;
        self.calendar_kind(id.kind)?;
        self.cal_find(&id.name).await?.ok_or(StoreError::NotFound)
    }

    pub(super) async fn cal_objects(&self, c: CalendarInfo) -> StoreResult<Vec<ObjectMeta>> {
        let list = self.platform.calendar_list(&self.actor, c.id).await;
        Ok(list
            .map_err(map)?
            .into_iter()
            .map(|o| ObjectMeta {
                name: o.href,
                etag: o.etag,
            })
            .collect())
    }

    pub(super) async fn cal_get(&self, c: CalendarInfo, name: &str) -> StoreResult<Option<Object>> {
        match self.platform.calendar_get(&self.actor, c.id, name).await {
            Ok(o) => Ok(Some(object(o))),
            Err(cal::CalendarError::NotFound) => Ok(None),
            Err(e) => Err(map(e)),
        }
    }

    pub(super) async fn cal_multiget(
        &self,
        c: CalendarInfo,
        names: &[String],
    ) -> StoreResult<Vec<Object>> {
        let v = self
            .platform
            .calendar_multiget(&self.actor, c.id, names)
            .await;
        Ok(v.map_err(map)?.into_iter().map(object).collect())
    }

    pub(super) async fn cal_put(
        &self,
        c: CalendarInfo,
        name: &str,
        data: &str,
        pre: &Precondition,
    ) -> StoreResult<Written> {
        self.cal_forget();
        let pre = precondition(pre);
        let out = self
            .platform
            .calendar_put(&self.actor, c.id, name, data.as_bytes(), pre)
            .await
            .map_err(map)?;
        Ok(Written {
            created: out.created,
            etag: out.etag,
        })
    }

    pub(super) async fn cal_delete(
        &self,
        c: CalendarInfo,
        name: &str,
        pre: &Precondition,
    ) -> StoreResult<()> {
        self.cal_forget();
        let pre = precondition(pre);
        self.platform
            .calendar_delete_object(&self.actor, c.id, name, pre)
            .await
            .map_err(map)
    }

    /// The domain filters by component and time range; prop-filters (UID, SUMMARY, …) are
    /// evaluated here on what was returned.
    pub(super) async fn cal_query(
        &self,
        c: CalendarInfo,
        f: &CompFilter,
        text: bool,
    ) -> StoreResult<Vec<Object>> {
        let Some(q) = filter::plan(f) else {
            return Ok(vec![]);
        };
        let p = &self.platform;
        let found = if text || q.needs_text() {
            p.calendar_query(&self.actor, c.id, q.range, q.component)
                .await
        } else {
            p.calendar_query_tags(&self.actor, c.id, q.range, q.component)
                .await
        }
        .map_err(map)?;
        Ok(found
            .into_iter()
            .filter(|o| q.keeps(o))
            .map(|o: QueryHit| Object {
                meta: ObjectMeta {
                    name: o.href,
                    etag: o.etag,
                },
                data: o.raw,
            })
            .collect())
    }

    pub(super) async fn cal_changes(
        &self,
        c: CalendarInfo,
        since: Option<u64>,
    ) -> StoreResult<Changes> {
        let since = since
            .map(i64::try_from)
            .transpose()
            .map_err(|_| StoreError::InvalidSyncToken)?;
        let ch = self
            .platform
            .calendar_changes(&self.actor, c.id, since)
            .await
            .map_err(map)?;
        Ok(Changes {
            token: u64::try_from(ch.modseq).unwrap_or(0),
            changed: ch
                .changed
                .into_iter()
                .map(|o| ObjectMeta {
                    name: o.href,
                    etag: o.etag,
                })
                .collect(),
            deleted: ch.deleted,
        })
    }

    /// Busy times of one collection, without any details; transparent and cancelled
    /// events (and cancelled occurrences) block no time.
    pub(super) async fn cal_free_busy(
        &self,
        c: CalendarInfo,
        range: &TimeRange,
    ) -> StoreResult<Vec<Busy>> {
        let r = filter::closed(range);
        let busy = self
            .platform
            .calendar_busy(&self.actor, c.id, r)
            .await
            .map_err(map)?;
        Ok(busy
            .into_iter()
            .map(|b| Busy {
                start: b.start,
                end: b.end,
                tentative: b.tentative,
            })
            .collect())
    }

    pub(super) async fn cal_update(&self, c: CalendarInfo, p: &CollectionProps) -> StoreResult<()> {
        self.cal_forget();
        // A removed name or colour keeps the stored one (both are required by the domain).
        let name = p.display_name.clone().flatten().unwrap_or(c.name);
        let colour = p.color.clone().flatten().unwrap_or(c.colour);
        let colour: String = colour.chars().take(7).collect(); // Apple sends #RRGGBBAA
        let description = match &p.description {
            Some(d) => d.clone().unwrap_or_default(),
            None => c.description,
        };
        self.platform
            .calendar_update(&self.actor, c.id, &name, &colour, &description)
            .await
            .map(|_| ())
            .map_err(map)
    }

    /// MKCALENDAR: a personal calendar at the segment the client chose. A segment of a
    /// visible calendar exists already; the prefixes of the other kinds are not free.
    pub(super) async fn cal_create(&self, name: &str, p: &CollectionProps) -> StoreResult<()> {
        if self.cal_find(name).await?.is_some() {
            return Err(StoreError::Exists);
        }
        let reserved = ["gruppe-", "raum-", "geteilt-"];
        if name == "schule" || reserved.iter().any(|r| name.starts_with(r)) {
            return Err(StoreError::Forbidden);
        }
        let title = p
            .display_name
            .clone()
            .flatten()
            .unwrap_or_else(|| name.to_owned());
        let colour: Option<String> = p
            .color
            .clone()
            .flatten()
            .map(|c| c.chars().take(7).collect());
        self.cal_forget();
        let made = self
            .platform
            .calendar_create_with_slug(&self.actor, name, &title, colour.as_deref())
            .await
            .map_err(map)?;
        if let Some(Some(d)) = &p.description {
            self.platform
                .calendar_update(&self.actor, made.id, &made.name, &made.colour, d)
                .await
                .map_err(map)?;
        }
        Ok(())
    }

    pub(super) async fn cal_delete_collection(&self, c: CalendarInfo) -> StoreResult<()> {
        self.cal_forget();
        let id: CalendarId = c.id;
        self.platform
            .calendar_delete(&self.actor, id)
            .await
            .map_err(map)
    }
}
