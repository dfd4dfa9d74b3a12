//! Writing the three feed formats. Ids are stable: `urn:uuid:<id>` for news, a `tag:` URI
//! for event occurrences and the feed itself; every link is absolute.

use chrono::{DateTime, Utc};
use quick_xml::escape::escape;
use serde_json::json;

use super::item_link;
use crate::calendar::PublicEvent;
use crate::news::PublicNews;

pub(super) struct FeedData<'a> {
    pub school: &'a str,
    pub number: &'a str,
    pub base: &'a str,
    pub updated: DateTime<Utc>,
    pub news: &'a [PublicNews],
    pub events: &'a [PublicEvent],
    pub tz: chrono_tz::Tz,
}

impl FeedData<'_> {
    fn home(&self) -> String {
        format!("{}/schule/{}/", self.base, self.number)
    }

    fn self_url(&self, file: &str) -> String {
        format!("{}/schule/{}/{file}", self.base, self.number)
    }

    /// The authority of tag URIs: the host of the base address.
    fn authority(&self) -> &str {
        let rest = self.base.split("://").nth(1).unwrap_or(self.base);
        let host = rest.split('/').next().unwrap_or(rest);
        let host = host.split(':').next().unwrap_or(host);
        if host.is_empty() {
            "schulhof.invalid"
        } else {
            host
        }
    }

    fn feed_id(&self) -> String {
        format!("tag:{},2026:schule/{}/feed", self.authority(), self.number)
    }

    fn event_id(&self, e: &PublicEvent) -> String {
        format!(
            "tag:{},2026:schule/{}/termin/{}",
            self.authority(),
            self.number,
            e.id
        )
    }

    fn event_url(&self) -> String {
        format!("{}#termine", self.home())
    }

    fn title(&self) -> String {
        format!("{} – Neuigkeiten und Termine", self.school)
    }

    /// "Termin: 12.12.2026 18:00–20:00" in the school's time zone.
    fn when(&self, e: &PublicEvent) -> String {
        let s = e.start.with_timezone(&self.tz);
        let en = e.end.with_timezone(&self.tz);
        if e.all_day {
            let last = (en - chrono::Duration::seconds(1)).max(s);
            if last.date_naive() == s.date_naive() {
                s.format("%d.%m.%Y").to_string()
            } else {
                format!("{}–{}", s.format("%d.%m.%Y"), last.format("%d.%m.%Y"))
            }
        } else if s.date_naive() == en.date_naive() {
            format!("{}–{}", s.format("%d.%m.%Y %H:%M"), en.format("%H:%M"))
        } else {
            format!(
                "{} – {}",
                s.format("%d.%m.%Y %H:%M"),
                en.format("%d.%m.%Y %H:%M")
            )
        }
    }

    fn event_text(&self, e: &PublicEvent) -> String {
        let mut t = format!("Termin: {}", self.when(e));
        if !e.location.is_empty() {
            t.push_str(", ");
            t.push_str(&e.location);
        }
        t
    }
}

fn x(s: &str) -> String {
    // XML 1.0 forbids most control characters even escaped.
    let clean: String = s
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t' | '\r'))
        .collect();
    escape(clean.as_str()).into_owned()
}

pub(super) fn rss(d: &FeedData) -> String {
    let mut o = String::with_capacity(4096);
    o.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n");
    o.push_str(&format!(
        "<title>{}</title>\n<link>{}</link>\n<description>{}</description>\n<language>de</language>\n<lastBuildDate>{}</lastBuildDate>\n<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>\n",
        x(&d.title()),
        x(&d.home()),
        x(&format!("Öffentliche Neuigkeiten und Termine: {}", d.school)),
        d.updated.to_rfc2822(),
        x(&d.self_url("feed.rss")),
    ));
    for n in d.news {
        o.push_str(&format!(
            "<item>\n<title>{}</title>\n<link>{}</link>\n<guid isPermaLink=\"false\">urn:uuid:{}</guid>\n<pubDate>{}</pubDate>\n<description>{}</description>\n</item>\n",
            x(&n.title),
            x(&item_link(d.base, d.number, n.id)),
            n.id,
            n.published.to_rfc2822(),
            x(&n.summary),
        ));
    }
    for e in d.events {
        o.push_str(&format!(
            "<item>\n<title>{}</title>\n<link>{}</link>\n<guid isPermaLink=\"false\">{}</guid>\n<category>Termin</category>\n<description>{}</description>\n</item>\n",
            x(&e.title),
            x(&d.event_url()),
            x(&d.event_id(e)),
            x(&d.event_text(e)),
        ));
    }
    o.push_str("</channel>\n</rss>\n");
    o
}

pub(super) fn atom(d: &FeedData) -> String {
    let mut o = String::with_capacity(4096);
    o.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"de\">\n");
    o.push_str(&format!(
        "<id>{}</id>\n<title>{}</title>\n<updated>{}</updated>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<author><name>{}</name></author>\n",
        x(&d.feed_id()),
        x(&d.title()),
        d.updated.to_rfc3339(),
        x(&d.self_url("feed.atom")),
        x(&d.home()),
        x(d.school),
    ));
    for n in d.news {
        o.push_str(&format!(
            "<entry>\n<id>urn:uuid:{}</id>\n<title>{}</title>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<published>{}</published>\n<updated>{}</updated>\n<summary>{}</summary>\n</entry>\n",
            n.id,
            x(&n.title),
            x(&item_link(d.base, d.number, n.id)),
            n.published.to_rfc3339(),
            n.updated.max(n.published).to_rfc3339(),
            x(&n.summary),
        ));
    }
    for e in d.events {
        o.push_str(&format!(
            "<entry>\n<id>{}</id>\n<title>{}</title>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<updated>{}</updated>\n<category term=\"termin\" label=\"Termin\"/>\n<summary>{}</summary>\n</entry>\n",
            x(&d.event_id(e)),
            x(&e.title),
            x(&d.event_url()),
            e.updated.to_rfc3339(),
            x(&d.event_text(e)),
        ));
    }
    o.push_str("</feed>\n");
    o
}

pub(super) fn json(d: &FeedData) -> String {
    let mut items: Vec<serde_json::Value> = d
        .news
        .iter()
        .map(|n| {
            json!({
                "id": format!("urn:uuid:{}", n.id),
                "url": item_link(d.base, d.number, n.id),
                "title": n.title,
                "content_text": n.summary,
                "summary": n.summary,
                "date_published": n.published.to_rfc3339(),
                "date_modified": n.updated.max(n.published).to_rfc3339(),
                "tags": ["Neuigkeit"],
            })
        })
        .collect();
    items.extend(d.events.iter().map(|e| {
        json!({
            "id": d.event_id(e),
            "url": d.event_url(),
            "title": e.title,
            "content_text": d.event_text(e),
            "date_modified": e.updated.to_rfc3339(),
            "tags": ["Termin"],
            "_schulhof_event": {
                "start": e.start.to_rfc3339(),
                "end": e.end.to_rfc3339(),
                "all_day": e.all_day,
                "location": e.location,
            },
        })
    }));
    let feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": d.title(),
        "home_page_url": d.home(),
        "feed_url": d.self_url("feed.json"),
        "description": format!("Öffentliche Neuigkeiten und Termine: {}", d.school),
        "language": "de",
        "authors": [{ "name": d.school, "url": d.home() }],
        "items": items,
    });
    serde_json::to_string_pretty(&feed).unwrap_or_default()
}
