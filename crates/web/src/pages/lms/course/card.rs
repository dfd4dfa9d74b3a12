//! The dashboard's card of what is due in the caller's courses: open activities by due
//! date, the next few of them. One statement.

use chrono::DateTime;

use super::activity_href;
use crate::pages::home::{Card, CardFuture, CardItem, Ctx};

/// How many due activities the card names.
const HANDFUL: usize = 5;

/// Open activities with a due date; none, no card.
pub fn due<'a>(cx: &'a Ctx<'a>) -> CardFuture<'a> {
    Box::pin(async move {
        let rows = cx.state.platform.lms_due(cx.actor).await.ok()?;
        let open: Vec<_> = rows
            .into_iter()
            .filter(|d| d.completed_at.is_none())
            .take(HANDFUL)
            .collect();
        if open.is_empty() {
            return None;
        }
        Some(Card {
            id: "lms-due",
            title: cx.tr.t("lms.due.title").to_owned(),
            icon: "i-clock",
            urgent: false,
            lead: None,
            items: open
                .into_iter()
                .map(|d| {
                    let item = CardItem {
                        href: Some(activity_href(&d.activity.kind, d.activity.id)),
                        icon: Some(super::kind_icon(&d.activity.kind)),
                        meta: Some(d.course_name.clone()),
                        ..CardItem::text(d.activity.title.clone())
                    };
                    match DateTime::from_timestamp_micros(d.due_at) {
                        Some(t) => item.at(cx, t),
                        None => item,
                    }
                })
                .collect(),
            more: Some((
                "/kurse/faellig".to_owned(),
                cx.tr.t("lms.due.all").to_owned(),
            )),
        })
    })
}
