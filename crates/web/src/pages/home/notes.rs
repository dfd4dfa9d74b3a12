//! Cards of notifications: unread ones, and for function accounts the way to requests that
//! wait for a second person.

use schulhof_domain::notify::Notification;

use super::{Card, CardFuture, CardItem, Ctx};
use crate::i18n::Tr;

/// An unread notification in the reader's language (as the notification centre words it).
fn note_text(tr: Tr, n: &Notification) -> String {
    crate::pages::notifications::note_text(tr, n)
}

/// Unread notifications; a courtesy, so a failure only leaves the card out.
pub fn unread<'a>(cx: &'a Ctx<'a>) -> CardFuture<'a> {
    Box::pin(async move {
        let notes = cx.state.platform.my_notifications(cx.actor).await.ok()?;
        let items: Vec<CardItem> = notes
            .iter()
            .filter(|n| !n.read)
            .map(|n| CardItem::text(note_text(cx.tr, n)).at(cx, n.at))
            .collect();
        (!items.is_empty()).then(|| Card {
            id: "notes",
            title: cx.tr.t("home.notifications").to_owned(),
            icon: "i-info",
            urgent: true,
            lead: None,
            items,
            more: None,
        })
    })
}

/// Function accounts confirm or follow four-eyes requests.
pub fn requests<'a>(cx: &'a Ctx<'a>) -> CardFuture<'a> {
    Box::pin(async move {
        cx.actor.token.principal().function_role()?;
        Some(Card {
            id: "requests",
            title: cx.tr.t("four_eyes.title").to_owned(),
            icon: "i-check",
            urgent: false,
            lead: None,
            items: Vec::new(),
            more: Some((
                "/bestaetigungen".to_owned(),
                cx.tr.t("home.requests").to_owned(),
            )),
        })
    })
}
