//! Cards of the file manager: the newest files (own, and shared from others' own areas) and
//! what was shared lately. The domain picks and checks them, so each entry opens.

use schulhof_domain::files::FileEntry;

use super::{Card, CardFuture, CardItem, Ctx};
use crate::pages::files::list::icon_of;
use crate::pages::files::node_href;

/// How many entries a card lists: a handful, the rest is one click away.
const HANDFUL: usize = 5;

fn file_item(cx: &Ctx<'_>, e: &FileEntry) -> CardItem {
    CardItem {
        href: Some(node_href(e.id)),
        icon: Some(icon_of(e)),
        ..CardItem::text(e.name.clone())
    }
    .at(cx, e.modified_at)
}

/// The newest files the caller works with; none, no card.
pub fn recent<'a>(cx: &'a Ctx<'a>) -> CardFuture<'a> {
    Box::pin(async move {
        let list = cx
            .state
            .platform
            .recent_files(cx.actor, HANDFUL)
            .await
            .ok()?;
        if list.is_empty() {
            return None;
        }
        let items = list
            .iter()
            .map(|f| CardItem {
                meta: f
                    .folder
                    .as_ref()
                    .map(|name| cx.tr.t("home.recent.in").replace("{folder}", name)),
                ..file_item(cx, &f.entry)
            })
            .collect();
        Some(Card {
            id: "recent",
            title: cx.tr.t("home.recent").to_owned(),
            icon: "i-clock",
            urgent: false,
            lead: None,
            items,
            more: Some((
                "/dateien".to_owned(),
                cx.tr.t("home.recent.more").to_owned(),
            )),
        })
    })
}

/// What others shared with the caller lately, with who and when.
pub fn shared<'a>(cx: &'a Ctx<'a>) -> CardFuture<'a> {
    Box::pin(async move {
        let list = cx
            .state
            .platform
            .shared_lately(cx.actor, HANDFUL)
            .await
            .ok()?;
        if list.is_empty() {
            return None;
        }
        let items = list
            .iter()
            .map(|s| {
                let mut item = CardItem {
                    meta: s
                        .by
                        .as_ref()
                        .map(|by| cx.tr.t("home.shared.by").replace("{name}", by)),
                    ..file_item(cx, &s.entry)
                };
                item.time = Some((s.at.to_rfc3339(), cx.zone.datetime(cx.tr, s.at)));
                item
            })
            .collect();
        Some(Card {
            id: "shared",
            title: cx.tr.t("home.shared").to_owned(),
            icon: "i-share",
            urgent: false,
            lead: None,
            items,
            more: Some((
                "/dateien".to_owned(),
                cx.tr.t("home.shared.more").to_owned(),
            )),
        })
    })
}
