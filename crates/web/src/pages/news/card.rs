//! The dashboard's card of unread news: how many items that concern me I have not opened,
//! and the newest of them. One statement, however many wait.

use crate::pages::home::{Card, CardFuture, CardItem, Ctx};

/// How many unread items the card names.
const HANDFUL: i64 = 5;

/// Unread news; none, no card.
pub fn unread<'a>(cx: &'a Ctx<'a>) -> CardFuture<'a> {
    Box::pin(async move {
        let (n, items) = cx
            .state
            .platform
            .news_unread(cx.actor, HANDFUL)
            .await
            .ok()?;
        if n == 0 {
            return None;
        }
        Some(Card {
            id: "news",
            title: cx.tr.t("news.home.title").to_owned(),
            icon: "i-bell",
            urgent: false,
            lead: Some(cx.tr.t("news.home.unread").replace("{n}", &n.to_string())),
            items: items
                .into_iter()
                .map(|(id, title, from)| {
                    CardItem {
                        href: Some(super::item_href(id)),
                        icon: Some("i-bell"),
                        ..CardItem::text(title)
                    }
                    .at(cx, from)
                })
                .collect(),
            more: Some(("/neuigkeiten".to_owned(), cx.tr.t("news.back").to_owned())),
        })
    })
}
