//! The public feeds of a school (RSS 2.0, Atom, JSON Feed 1.1): public news and public
//! school-calendar events.
//!
//! Repeat requests must not reach the database. Each node keeps the rendered feeds in
//! memory; an entry is dropped when a public item or public school-calendar event of its
//! school changes. The change announces itself on the event bus inside its transaction
//! (PostgreSQL NOTIFY on commit, so every node hears it; on SQLite, one node, after commit)
//! and raises the school's stamp row (`news_feed_stamp`), which names the feed's version.
//! An entry also expires when the next scheduled item appears or one's period ends, and at
//! the latest after [`MAX_AGE`] (events pass; a lost LISTEN connection heals).

mod render;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use schulhof_store::news::{items, stamp};
use schulhof_store::{AsConn, StoreError, events, from_us, to_us};
use schulhof_types::InstanceId;
use sha2::{Digest, Sha256};

use super::public::public_url;
use crate::{DomainError, Platform};

/// The PostgreSQL channel of feed changes; the payload is the school's instance id.
const CHANNEL: &str = "schulhof_news_feed";
/// Longest time a rendered feed is served without looking at the database.
pub const MAX_AGE: Duration = Duration::minutes(10);
/// Items per feed.
const NEWS_LIMIT: usize = 50;
const EVENT_LIMIT: usize = 100;

/// The three formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeedFormat {
    Rss,
    Atom,
    Json,
}

impl FeedFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            FeedFormat::Rss => "application/rss+xml; charset=utf-8",
            FeedFormat::Atom => "application/atom+xml; charset=utf-8",
            FeedFormat::Json => "application/feed+json; charset=utf-8",
        }
    }

    pub fn file(self) -> &'static str {
        match self {
            FeedFormat::Rss => "feed.rss",
            FeedFormat::Atom => "feed.atom",
            FeedFormat::Json => "feed.json",
        }
    }
}

/// One rendered feed with its validators.
#[derive(Debug)]
pub struct FeedDoc {
    /// Shared: every answer hands out the same bytes without copying them.
    pub body: bytes::Bytes,
    /// Quoted strong ETag.
    pub etag: String,
    /// Whole seconds.
    pub last_modified: DateTime<Utc>,
}

/// A school's feeds, rendered once per version.
#[derive(Debug)]
pub struct RenderedFeed {
    pub rss: FeedDoc,
    pub atom: FeedDoc,
    pub json: FeedDoc,
    /// The stamp it was rendered at.
    pub stamp: i64,
    instance: InstanceId,
    expires: DateTime<Utc>,
}

impl RenderedFeed {
    pub fn doc(&self, f: FeedFormat) -> &FeedDoc {
        match f {
            FeedFormat::Rss => &self.rss,
            FeedFormat::Atom => &self.atom,
            FeedFormat::Json => &self.json,
        }
    }
}

/// The in-memory copies, keyed by school number and base URL.
#[derive(Default)]
pub(crate) struct FeedCache {
    entries: Mutex<HashMap<(String, String), Arc<RenderedFeed>>>,
    /// Raised by every invalidation: a feed built while one happened is not kept.
    epoch: AtomicU64,
    /// Builds (database reads) so far, for tests and metrics.
    builds: AtomicU64,
}

impl FeedCache {
    /// Makes the cache; the platform connects it to other nodes through [`Self::listener`].
    pub(crate) fn new() -> Arc<FeedCache> {
        Arc::new(FeedCache::default())
    }

    /// This node's handler of other nodes' feed changes (the platform runs one listener).
    pub(crate) fn listener(self: &Arc<Self>) -> (&'static str, events::Handler) {
        let c = Arc::clone(self);
        let on = move |p: &str| {
            if let Ok(id) = p.parse() {
                c.drop_school(InstanceId(id));
            }
        };
        (CHANNEL, Box::new(on))
    }

    fn drop_school(&self, instance: InstanceId) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut m) = self.entries.lock() {
            m.retain(|_, f| f.instance != instance);
        }
    }

    fn get(&self, key: &(String, String), now: DateTime<Utc>) -> Option<Arc<RenderedFeed>> {
        let m = self.entries.lock().ok()?;
        m.get(key).filter(|f| f.expires > now).cloned()
    }
}

fn doc(body: String, last_modified: DateTime<Utc>) -> FeedDoc {
    let hash = Sha256::digest(body.as_bytes());
    let etag = format!("\"{}\"", hex(&hash[..12]));
    FeedDoc {
        body: bytes::Bytes::from(body),
        etag,
        last_modified,
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

impl Platform {
    /// The school's feeds: from memory when nothing changed, else read and rendered once.
    /// `base` is the absolute address of the platform (configured public URL, else the one
    /// the request came to).
    pub async fn news_feed(
        &self,
        school_number: &str,
        base: &str,
    ) -> Result<Arc<RenderedFeed>, DomainError> {
        let now = self.now();
        let base = self
            .config
            .outbound
            .public_url
            .as_deref()
            .unwrap_or(base)
            .trim_end_matches('/')
            .to_owned();
        let key = (school_number.to_owned(), base);
        if let Some(f) = self.feeds.get(&key, now) {
            return Ok(f);
        }
        let epoch = self.feeds.epoch.load(Ordering::SeqCst);
        let feed = Arc::new(self.build_feed(&key.0, &key.1, now).await?);
        self.feeds.builds.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut m) = self.feeds.entries.lock()
            && self.feeds.epoch.load(Ordering::SeqCst) == epoch
        {
            m.insert(key, Arc::clone(&feed));
        }
        Ok(feed)
    }

    /// How often feeds were read from the database on this node.
    pub fn news_feed_builds(&self) -> u64 {
        self.feeds.builds.load(Ordering::Relaxed)
    }

    async fn build_feed(
        &self,
        number: &str,
        base: &str,
        now: DateTime<Utc>,
    ) -> Result<RenderedFeed, DomainError> {
        let (inst, stamp, next) = {
            let mut c = self.db.read().await?;
            let inst = super::public_school(&mut c, number).await?;
            let (stamp, _) = stamp::get(&mut c, inst.id).await?;
            let next = items::next_public_change(&mut c, inst.id, to_us(now)).await?;
            (inst, stamp, next)
        };
        let news = self.public_news(number, NEWS_LIMIT).await?;
        let events = self.public_events(number, now, EVENT_LIMIT).await?;
        let updated = news
            .iter()
            .map(|n| n.updated.max(n.published))
            .chain(events.iter().map(|e| e.updated))
            .max()
            .unwrap_or(inst.created_at);
        let updated = whole_seconds(updated);
        let data = render::FeedData {
            school: &inst.name,
            number,
            base,
            updated,
            news: &news,
            events: &events,
            tz: inst.time_zone.parse().unwrap_or(chrono_tz::Europe::Berlin),
        };
        let mut expires = now + MAX_AGE;
        if let Some(n) = next {
            expires = expires.min(from_us(n));
        }
        if let Some(e) = events.first() {
            // The first event leaves the feed ("from now on") when it ends.
            expires = expires.min(e.end.max(now + Duration::seconds(1)));
        }
        Ok(RenderedFeed {
            rss: doc(render::rss(&data), updated),
            atom: doc(render::atom(&data), updated),
            json: doc(render::json(&data), updated),
            stamp,
            instance: inst.id,
            expires,
        })
    }

    /// Announces a change of the school's public feed inside the changing transaction
    /// (PostgreSQL: every node hears it on commit).
    pub(crate) async fn news_feed_within(
        &self,
        c: &mut impl AsConn,
        instance: InstanceId,
    ) -> Result<(), StoreError> {
        events::notify(c, CHANNEL, &instance.0.simple().to_string()).await
    }

    /// Drops this node's copy after the commit of a change (the others hear the NOTIFY).
    pub(crate) fn news_feed_changed(&self, instance: InstanceId) {
        self.feeds.drop_school(instance);
    }

    /// Public news or a public school-calendar event changed: raise the stamp and announce
    /// it, in the changing transaction; call [`Platform::news_feed_changed`] after commit.
    pub(crate) async fn feed_changed_within(
        &self,
        c: &mut impl AsConn,
        instance: InstanceId,
    ) -> Result<(), StoreError> {
        stamp::bump(c, instance, to_us(self.now())).await?;
        self.news_feed_within(c, instance).await
    }
}

/// The absolute address of an item's page.
pub(crate) fn item_link(base: &str, number: &str, id: super::NewsId) -> String {
    format!("{base}{}", public_url(number, id))
}
