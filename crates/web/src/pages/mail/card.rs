//! The dashboard's card of unread mail: how many messages wait in the inbox and the newest
//! of them. One folder list and one page of the inbox, however full it is.

use schulhof_domain::mail::Special;

use super::message_href;
use crate::pages::home::{Card, CardFuture, CardItem, Ctx};

/// How many unread messages the card names.
const HANDFUL: u32 = 5;

/// Unread messages in the inbox; none, no card.
pub fn unread<'a>(cx: &'a Ctx<'a>) -> CardFuture<'a> {
    Box::pin(async move {
        let p = &cx.state.platform;
        let folders = p.mail_folders(cx.actor).await.ok()?;
        let inbox = folders.iter().find(|f| f.special == Some(Special::Inbox))?;
        if inbox.unseen == 0 {
            return None;
        }
        // The newest page holds the newest unread ones, as a rule; older unread ones are
        // counted in the lead.
        let (page, _) = p.mail_page(cx.actor, inbox.id, 0, 4 * HANDFUL).await.ok()?;
        let items = page
            .iter()
            .filter(|m| !m.flags.seen)
            .take(HANDFUL as usize)
            .map(|m| {
                let from = if m.from_name.is_empty() {
                    &m.from_addr
                } else {
                    &m.from_name
                };
                let subject = if m.subject.trim().is_empty() {
                    cx.tr.t("mail.no_subject").to_owned()
                } else {
                    m.subject.clone()
                };
                CardItem {
                    href: Some(message_href(m.id)),
                    icon: Some("i-mail"),
                    meta: Some(from.clone()),
                    ..CardItem::text(subject)
                }
                .at(cx, m.received_at)
            })
            .collect();
        Some(Card {
            id: "mail",
            title: cx.tr.t("home.mail").to_owned(),
            icon: "i-mail",
            urgent: false,
            lead: Some(match inbox.unseen {
                1 => cx.tr.t("home.mail.lead_one").to_owned(),
                n => cx.tr.t("home.mail.lead").replace("{n}", &n.to_string()),
            }),
            items,
            more: Some(("/mail".to_owned(), cx.tr.t("home.mail.more").to_owned())),
        })
    })
}
