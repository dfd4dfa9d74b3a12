//! The admin's card of the school's settings: the time zone every page uses, and the way
//! to change it.

use super::{Card, CardFuture, CardItem, Ctx};

/// Only for who may change the settings (the domain decides).
pub fn settings<'a>(cx: &'a Ctx<'a>) -> CardFuture<'a> {
    Box::pin(async move {
        let s = cx.state.platform.school_settings(cx.actor).ok()?;
        let zone = CardItem {
            meta: Some(cx.tr.t("school.zone_now").to_owned()),
            ..CardItem::text(s.time_zone.name())
        }
        .at(cx, cx.now);
        Some(Card {
            id: "school",
            title: cx.tr.t("school.title").to_owned(),
            icon: "i-calendar",
            urgent: false,
            lead: None,
            items: vec![zone],
            more: Some((
                "/verwaltung/schule".to_owned(),
                cx.tr.t("home.school.more").to_owned(),
            )),
        })
    })
}
