//! Scheduling (RFC 6638) through the domain: deleting an attendee's copy without a reply,
//! and free/busy requests to the outbox (the domain answers only for persons of the school).

use schulhof_domain::calendar::CalendarInfo;

use super::DomainStore;
use super::calendars::precondition;
use super::errors::map;
use crate::store::{Busy, FreeBusyReply, Precondition, StoreResult};

impl DomainStore {
    /// DELETE with `Schedule-Reply: F`.
    pub(super) async fn cal_delete_quietly(
        &self,
        c: CalendarInfo,
        name: &str,
        pre: &Precondition,
    ) -> StoreResult<()> {
        self.cal_forget();
        self.platform
            .calendar_delete_scheduled(&self.actor, c.id, name, precondition(pre), false)
            .await
            .map_err(map)
    }

    pub(super) async fn cal_free_busy_request(&self, text: &str) -> StoreResult<FreeBusyReply> {
        let a = self
            .platform
            .calendar_free_busy_request(&self.actor, text)
            .await
            .map_err(map)?;
        Ok(FreeBusyReply {
            uid: a.uid,
            organizer: a.organizer,
            start: a.range.start,
            end: a.range.end,
            recipients: a
                .recipients
                .into_iter()
                .map(|(addr, busy)| {
                    let busy = busy.map(|v| {
                        v.into_iter()
                            .map(|b| Busy {
                                start: b.start,
                                end: b.end,
                                tentative: b.tentative,
                            })
                            .collect()
                    });
                    (addr, busy)
                })
                .collect(),
        })
    }
}
