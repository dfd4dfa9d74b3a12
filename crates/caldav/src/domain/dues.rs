//! The read-only virtual calendar "Fälligkeiten" in every home: the due dates of
//! assignments and the closing times of quizzes the caller sees in their courses, one event
//! each, computed by the domain ([`schulhof_domain::Platform::lms_due_events`]) under the
//! same visibility rules as the due list. Nothing here is stored, so it has no tombstones:
//! its sync token is a digest of the listing, and an older token asks the client to read
//! the calendar anew (RFC 6578 `valid-sync-token`), which also removes deleted dates.

use schulhof_domain::lms::{DueEvent, listing_token};

use super::DomainStore;
use super::errors::domain;
use crate::store::{
    Changes, Collection, CollectionRef, CompFilter, Component, Kind, MatchType, Object, ObjectMeta,
    PropFilter, StoreError, StoreResult,
};

/// The URL segment in every home (`/dav/calendars/<login>/faelligkeiten/`).
pub(super) const SEGMENT: &str = "faelligkeiten";

fn meta(e: &DueEvent) -> ObjectMeta {
    ObjectMeta {
        name: e.name.clone(),
        etag: e.etag.clone(),
    }
}

fn object(e: DueEvent) -> Object {
    Object {
        meta: meta(&e),
        data: e.text,
    }
}

impl DomainStore {
    /// Whether `id` names the caller's due-date calendar (and calendars are allowed).
    pub(super) fn is_dues(&self, id: &CollectionRef) -> bool {
        id.kind == Kind::Calendar
            && id.name == SEGMENT
            && self.own_home(&id.home).is_ok()
            && self.calendar_kind(id.kind).is_ok()
    }

    async fn due_events(&self) -> StoreResult<Vec<DueEvent>> {
        self.platform
            .lms_due_events(&self.actor)
            .await
            .map_err(domain)
    }

    pub(super) async fn dues_collection(&self) -> StoreResult<Collection> {
        let events = self.due_events().await?;
        Ok(Collection {
            id: CollectionRef {
                kind: Kind::Calendar,
                home: self.me.login.clone(),
                name: SEGMENT.to_owned(),
            },
            display_name: "Fälligkeiten".to_owned(),
            description: Some("Abgabetermine und Testenden aus den Kursen".to_owned()),
            color: Some("#6b7280".to_owned()),
            sync_token: listing_token(&events),
            writable: false,
            manageable: false,
            components: vec![Component::Event],
        })
    }

    pub(super) async fn dues_objects(&self) -> StoreResult<Vec<ObjectMeta>> {
        Ok(self.due_events().await?.iter().map(meta).collect())
    }

    pub(super) async fn dues_get(&self, name: &str) -> StoreResult<Option<Object>> {
        let all = self.due_events().await?;
        Ok(all.into_iter().find(|e| e.name == name).map(object))
    }

    pub(super) async fn dues_multiget(&self, names: &[String]) -> StoreResult<Vec<Object>> {
        let all = self.due_events().await?;
        Ok(all
            .into_iter()
            .filter(|e| names.contains(&e.name))
            .map(object)
            .collect())
    }

    /// VEVENTs only; a time range goes to the domain's statement, prop-filters are
    /// checked on the text.
    pub(super) async fn dues_query(&self, f: &CompFilter) -> StoreResult<Vec<Object>> {
        if !f.name.eq_ignore_ascii_case("VCALENDAR") || f.is_not_defined {
            return Ok(vec![]);
        }
        let (range, props) = match f.comps.first() {
            None => (f.time_range, &[][..]),
            Some(c) if c.name.eq_ignore_ascii_case("VEVENT") && !c.is_not_defined => {
                (c.time_range, &c.props[..])
            }
            // Another component kind, or "no VEVENT": there is nothing else here.
            Some(_) => return Ok(vec![]),
        };
        let events = match range {
            None => self.due_events().await?,
            Some(r) => {
                let far = chrono::Duration::days(365 * 200);
                let now = self.platform.now();
                let start = r.start.unwrap_or(now - far);
                let end = r.end.unwrap_or(now + far);
                self.platform
                    .lms_due_events_between(&self.actor, start, end)
                    .await
                    .map_err(domain)?
            }
        };
        Ok(events
            .into_iter()
            .filter(|e| props.iter().all(|p| prop_matches(p, &e.text)))
            .map(object)
            .collect())
    }

    pub(super) async fn dues_changes(&self, since: Option<u64>) -> StoreResult<Changes> {
        let events = self.due_events().await?;
        let token = listing_token(&events);
        match since {
            None => Ok(Changes {
                token,
                changed: events.iter().map(meta).collect(),
                deleted: vec![],
            }),
            Some(t) if t == token => Ok(Changes {
                token,
                changed: vec![],
                deleted: vec![],
            }),
            Some(_) => Err(StoreError::InvalidSyncToken),
        }
    }
}

/// A prop-filter on the event's text (the values are plain: no parameters, no folding
/// beyond what [`unfolded`] removes).
fn prop_matches(p: &PropFilter, text: &str) -> bool {
    let value = unfolded(text).lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(&p.name).then(|| v.to_owned())
    });
    let Some(v) = value else {
        return p.is_not_defined;
    };
    if p.is_not_defined {
        return false;
    }
    let one = |t: &crate::store::TextMatch| {
        let (v, n) = if t.case_sensitive {
            (v.clone(), t.text.clone())
        } else {
            (v.to_lowercase(), t.text.to_lowercase())
        };
        let hit = match t.match_type {
            MatchType::Equals => v == n,
            MatchType::Contains => v.contains(&n),
            MatchType::StartsWith => v.starts_with(&n),
            MatchType::EndsWith => v.ends_with(&n),
        };
        hit != t.negate
    };
    p.text_match.is_empty()
        || if p.all_of {
            p.text_match.iter().all(one)
        } else {
            p.text_match.iter().any(one)
        }
}

fn unfolded(text: &str) -> String {
    text.replace("\r\n ", "")
}
