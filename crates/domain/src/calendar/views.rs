//! What the day, week, month and list views read: the calendars the caller reads (for the
//! legend) and the occurrences of the shown ones, in two statements — the listing, then the
//! occurrence index joined to the objects (a third only when an open series reaches the
//! range and is expanded here).

use std::collections::{HashMap, HashSet};

use schulhof_store::calendar::CalObjectId;
use schulhof_store::calendar::objects as obj_store;
use schulhof_store::calendar::occurrences::{self as occ_store, ShownRow};
use schulhof_store::from_us;

use super::ical::{self, Occurrence};
use super::{CalAccess, CalendarError, CalendarId, CalendarInfo, Instance, TimeRange};
use crate::Platform;
use crate::identity::Actor;

/// Instances one view returns at most.
const MAX_INSTANCES: usize = 5000;

fn instance(r: ShownRow, colour: &str) -> Instance {
    Instance {
        calendar: r.calendar,
        href: r.href,
        uid: r.uid,
        summary: r.summary,
        location: r.location,
        start: from_us(r.start.max(ical::NO_START)),
        end: from_us(r.end.min(i64::MAX / 2)),
        all_day: r.all_day,
        recurring: r.recurring,
        colour: colour.to_owned(),
    }
}

impl Platform {
    /// The calendars the caller reads, and the occurrences in `range` of those `shown`
    /// picks, sorted by start: one listing serves the legend and the query.
    pub async fn calendar_view(
        &self,
        a: &Actor,
        shown: impl Fn(&CalendarInfo) -> bool,
        range: TimeRange,
    ) -> Result<(Vec<CalendarInfo>, Vec<Instance>), CalendarError> {
        // The listing's connection reads on (one acquisition for both statements).
        let (all, kept) = self.calendars_kept(a).await?;
        let cals: Vec<CalendarInfo> = all
            .into_iter()
            .filter(|c| c.access >= CalAccess::Read)
            .collect();
        let ids: Vec<CalendarId> = cals.iter().filter(|c| shown(c)).map(|c| c.id).collect();
        let colours: HashMap<CalendarId, &str> =
            cals.iter().map(|c| (c.id, c.colour.as_str())).collect();
        let (s, e) = (range.start.timestamp_micros(), range.end.timestamp_micros());
        let mut c = match kept {
            Some(c) => c,
            None => self.db.read().await?,
        };
        let rows = occ_store::shown_in_range(&mut c, a.token.instance(), &ids, s, e).await?;
        let open: HashSet<CalObjectId> = rows.iter().filter(|r| r.open).map(|r| r.object).collect();
        let expanded = if open.is_empty() {
            vec![]
        } else {
            let ids: Vec<CalObjectId> = open.iter().copied().collect();
            obj_store::by_ids(&mut c, a.token.instance(), &ids, true).await?
        };
        drop(c);
        let colour = |cal: &CalendarId| colours.get(cal).copied().unwrap_or_default();
        let mut out: Vec<Instance> = Vec::with_capacity(rows.len());
        for r in rows {
            // Objects with an open row are expanded whole below.
            let hit = ical::overlaps(
                &Occurrence {
                    start: r.start,
                    end: r.end,
                    comp: 0,
                },
                s,
                e,
            );
            if !r.open && hit && !open.contains(&r.object) {
                let col = colour(&r.calendar);
                out.push(instance(r, col));
            }
        }
        for (o, raw) in &expanded {
            let (occ, parsed) = super::query::occurrences(o, raw.as_deref(), a.time_zone, s, e);
            for x in occ {
                let (summary, location) = match &parsed {
                    Some(p) => (ical::summary_of(p, x.comp), ical::location_of(p, x.comp)),
                    None => (o.summary.clone(), String::new()),
                };
                let r = ShownRow {
                    object: o.id,
                    calendar: o.calendar,
                    start: x.start,
                    end: x.end,
                    open: false,
                    summary,
                    location,
                    href: o.href.clone(),
                    uid: o.uid.clone(),
                    all_day: o.all_day,
                    recurring: o.recurring,
                };
                out.push(instance(r, colour(&o.calendar)));
            }
        }
        out.sort_by(|x, y| {
            x.start
                .cmp(&y.start)
                .then_with(|| x.summary.cmp(&y.summary))
        });
        out.truncate(MAX_INSTANCES);
        Ok((cals, out))
    }
}
