//! Public events of a school's school calendar, for everyone without login: the start page
//! and the feeds. Recurring events are expanded into their occurrences.

use chrono::{DateTime, Utc};
use schulhof_store::calendar::public::{self as store, PublicObject};
use schulhof_store::{from_us, to_us};
use serde::Serialize;

use super::ical;
use crate::{DomainError, Platform};

/// One occurrence of a public event.
#[derive(Clone, Debug, Serialize)]
pub struct PublicEvent {
    /// Stable: `<object id>-<occurrence start µs>`.
    pub id: String,
    pub title: String,
    /// Plain description excerpt; may be empty.
    pub summary: String,
    pub location: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Whole days: show dates only (the end is exclusive).
    pub all_day: bool,
    /// Relative: `/schule/<nr>/#termine`.
    pub url: String,
    /// When the event was last changed.
    pub updated: DateTime<Utc>,
}

/// Objects read per request at most (recurring ones yield several occurrences).
const MAX_OBJECTS: i64 = 500;

fn occurrences(o: &PublicObject, tz: chrono_tz::Tz, from: i64, url: &str) -> Vec<PublicEvent> {
    let one = |start: i64, end: i64, title: String, location: String| PublicEvent {
        id: format!("{}-{start}", o.id),
        title,
        summary: String::new(),
        location,
        start: from_us(start),
        end: from_us(end.max(start)),
        all_day: o.all_day,
        url: url.to_owned(),
        updated: from_us(o.updated_at),
    };
    let Ok(parsed) = ical::parse_one(&o.raw) else {
        return vec![];
    };
    if !o.recurring {
        let end = o.last_end.unwrap_or(o.first_start);
        return vec![one(
            o.first_start,
            end,
            o.summary.clone(),
            ical::location_of(&parsed, 0),
        )];
    }
    let Ok((occ, _)) = ical::expand(&parsed, tz) else {
        return vec![];
    };
    occ.into_iter()
        .filter(|x| x.end >= from)
        .map(|x| {
            let title = Some(ical::summary_of(&parsed, x.comp))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| o.summary.clone());
            one(x.start, x.end, title, ical::location_of(&parsed, x.comp))
        })
        .collect()
}

impl Platform {
    /// Occurrences of public events of the school's school calendar that end at or after
    /// `from`, soonest first, at most `limit`.
    pub async fn public_events(
        &self,
        school_number: &str,
        from: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<PublicEvent>, DomainError> {
        let mut c = self.db.read().await?;
        let inst = crate::news::public_school(&mut c, school_number).await?;
        let rows = store::school_public_from(&mut c, inst.id, to_us(from), MAX_OBJECTS).await?;
        drop(c);
        let tz: chrono_tz::Tz = inst.time_zone.parse().unwrap_or(chrono_tz::Europe::Berlin);
        let url = format!("/schule/{}/#termine", inst.school_number);
        let from = to_us(from);
        let mut out: Vec<PublicEvent> = rows
            .iter()
            .flat_map(|o| occurrences(o, tz, from, &url))
            .collect();
        out.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.id.cmp(&b.id)));
        out.truncate(limit);
        Ok(out)
    }
}
