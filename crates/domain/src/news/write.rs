//! Writing, publishing and deleting items. Each use case is one transaction; an item that
//! becomes visible at once notifies its audience in that transaction, and a change of a
//! public item raises the feeds' stamp in it.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use schulhof_authz::check;
use schulhof_authz::news::{DeleteNews, EditNews, NewsFacts, PublishNews, WriteNews};
use schulhof_store::news::audience::{self, Audience};
use schulhof_store::news::items::{self, NewsRow, NewsWrite};
use schulhof_store::news::{self as store, NewsId};
use schulhof_store::{AsConn, Tx, from_us, groups, to_us, users};
use schulhof_types::{AccountType, GroupId};

use super::text::{clean_body, clean_title, summary_of};
use crate::identity::Actor;
use crate::notify::Kind;
use crate::{DomainError, Platform};

/// Who an item is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AudienceInput {
    Public,
    Restricted {
        groups: Vec<GroupId>,
        /// Logins of single persons.
        logins: Vec<String>,
        account_types: Vec<AccountType>,
    },
}

/// An item as the editor sends it. Times are the school's local time.
#[derive(Clone, Debug)]
pub struct NewsInput {
    pub title: String,
    /// Rich text (HTML); sanitised before it is stored.
    pub body: String,
    /// Start of the period; `None`: now.
    pub from: Option<NaiveDateTime>,
    /// End of the period; `None`: no end.
    pub until: Option<NaiveDateTime>,
    pub audience: AudienceInput,
    /// Publish (at `from`) rather than keep as a draft.
    pub publish: bool,
}

struct Checked {
    title: String,
    body: String,
    summary: String,
    from: i64,
    until: Option<i64>,
    public: bool,
    audience: Audience,
}

fn local(a: &Actor, t: NaiveDateTime, field: &'static str) -> Result<DateTime<Utc>, DomainError> {
    a.time_zone
        .from_local_datetime(&t)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| DomainError::invalid(field, "Diese Uhrzeit gibt es an dem Tag nicht."))
}

impl Platform {
    /// Writes a new item: a draft, or published (visible from its start).
    pub async fn news_create(&self, a: &Actor, input: NewsInput) -> Result<NewsId, DomainError> {
        check(&a.token, WriteNews)?;
        let now = self.now();
        let id = NewsId::new();
        if input.publish {
            let facts = NewsFacts {
                instance: a.token.instance(),
                author: a.token.user(),
            };
            check(&a.token, PublishNews(facts))?;
        }
        let mut tx = self.db.begin().await?;
        let v = self.checked(&mut tx, a, &input, now).await?;
        let w = write_of(id, a, &v, input.publish.then_some(to_us(now)), now);
        items::insert(&mut tx, a.token.instance(), &w).await?;
        audience::replace(&mut tx, a.token.instance(), id, &v.audience).await?;
        let feed = v.public && input.publish;
        self.after_write(&mut tx, a, id, &v.title, input.publish, feed, now)
            .await?;
        tx.commit().await?;
        if feed {
            self.news_feed_changed(a.token.instance());
        }
        Ok(id)
    }

    /// Changes an item; with `publish`, publishes it (a published item stays published
    /// unless `publish` is false, which takes it back to a draft).
    pub async fn news_update(
        &self,
        a: &Actor,
        id: NewsId,
        input: NewsInput,
    ) -> Result<(), DomainError> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let old = self.editable(&mut tx, a, id).await?;
        let facts = NewsFacts {
            instance: a.token.instance(),
            author: old.author,
        };
        check(&a.token, EditNews(facts))?;
        if input.publish {
            check(&a.token, PublishNews(facts))?;
        }
        let v = self.checked(&mut tx, a, &input, now).await?;
        let published = match (input.publish, old.published_at) {
            (false, _) => None,
            (true, Some(p)) => Some(p),
            (true, None) => Some(to_us(now)),
        };
        let mut w = write_of(id, a, &v, published, now);
        w.author = old.author;
        items::update(&mut tx, a.token.instance(), &w).await?;
        audience::replace(&mut tx, a.token.instance(), id, &v.audience).await?;
        // The feeds change when the item was or is public and published.
        let feed = (old.public && old.published_at.is_some()) || (v.public && input.publish);
        self.after_write(&mut tx, a, id, &v.title, input.publish, feed, now)
            .await?;
        tx.commit().await?;
        if feed {
            self.news_feed_changed(a.token.instance());
        }
        Ok(())
    }

    /// Deletes an item with its files' rows (their content goes with the next collection).
    pub async fn news_delete(&self, a: &Actor, id: NewsId) -> Result<(), DomainError> {
        let mut tx = self.db.begin().await?;
        let old = self.editable(&mut tx, a, id).await?;
        let facts = NewsFacts {
            instance: a.token.instance(),
            author: old.author,
        };
        check(&a.token, DeleteNews(facts))?;
        items::delete(&mut tx, a.token.instance(), id).await?;
        let feed = old.public && old.published_at.is_some();
        if feed {
            self.feed_changed_within(&mut tx, a.token.instance())
                .await?;
        }
        tx.commit().await?;
        if feed {
            self.news_feed_changed(a.token.instance());
        }
        Ok(())
    }

    /// The stored item if the caller may edit it at all; otherwise as hidden as the reader
    /// sees it (`NotFound` unless it may read it, then `Forbidden`).
    pub(crate) async fn editable(
        &self,
        c: &mut impl AsConn,
        a: &Actor,
        id: NewsId,
    ) -> Result<NewsRow, DomainError> {
        let row = items::get(c, a.token.instance(), id)
            .await?
            .ok_or(DomainError::NotFound)?;
        let facts = NewsFacts {
            instance: a.token.instance(),
            author: row.author,
        };
        if check(&a.token, EditNews(facts)).is_ok() {
            return Ok(row);
        }
        let reader = super::read::reader(a);
        let seen = items::get_visible(c, a.token.instance(), reader, id, to_us(self.now())).await?;
        Err(if seen.is_some() {
            DomainError::Forbidden
        } else {
            DomainError::NotFound
        })
    }

    /// Notifications when the item is visible now, and the feeds' stamp.
    #[allow(clippy::too_many_arguments)]
    async fn after_write(
        &self,
        tx: &mut Tx,
        a: &Actor,
        id: NewsId,
        title: &str,
        published: bool,
        feed: bool,
        now: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        let instance = a.token.instance();
        if published {
            let row = items::get(tx, instance, id)
                .await?
                .ok_or(DomainError::NotFound)?;
            let open =
                row.visible_from <= to_us(now) && row.visible_until.is_none_or(|u| u > to_us(now));
            if open {
                let params =
                    serde_json::json!({ "news_id": id.to_string(), "title": title }).to_string();
                store::notify::notify_audience(
                    tx,
                    instance,
                    id,
                    Kind::NewsPublished.as_str(),
                    &params,
                    to_us(now),
                )
                .await?;
            }
        }
        if feed {
            self.feed_changed_within(tx, instance).await?;
        }
        Ok(())
    }

    async fn checked(
        &self,
        c: &mut impl AsConn,
        a: &Actor,
        input: &NewsInput,
        now: DateTime<Utc>,
    ) -> Result<Checked, DomainError> {
        let title = clean_title(&input.title)?;
        let body = clean_body(&input.body)?;
        let from = match input.from {
            Some(t) => local(a, t, "from")?,
            None => now,
        };
        let until = input.until.map(|t| local(a, t, "until")).transpose()?;
        if until.is_some_and(|u| u <= from) {
            return Err(DomainError::invalid(
                "until",
                "Das Ende des Veröffentlichungszeitraums liegt vor seinem Beginn.",
            ));
        }
        let (public, audience) = self.audience_of(c, a, &input.audience).await?;
        let summary = summary_of(&body);
        Ok(Checked {
            title,
            body,
            summary,
            from: to_us(from),
            until: until.map(to_us),
            public,
            audience,
        })
    }

    async fn audience_of(
        &self,
        c: &mut impl AsConn,
        a: &Actor,
        input: &AudienceInput,
    ) -> Result<(bool, Audience), DomainError> {
        let AudienceInput::Restricted {
            groups: gs,
            logins,
            account_types,
        } = input
        else {
            return Ok((true, Audience::default()));
        };
        let instance = a.token.instance();
        let mut out = Audience::default();
        for g in gs {
            // A group of another school is as unknown as a made-up one.
            groups::get(c, instance, *g)
                .await?
                .ok_or_else(|| DomainError::invalid("groups", "Diese Gruppe gibt es nicht."))?;
            out.groups.push(*g);
        }
        for l in logins.iter().map(|l| l.trim()).filter(|l| !l.is_empty()) {
            let u = users::find_by_login(c, instance, l).await?.ok_or_else(|| {
                DomainError::invalid("logins", format!("Die Anmeldung „{l}“ gibt es nicht."))
            })?;
            out.users.push(u.id);
        }
        out.account_types = account_types
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect();
        out.groups.sort_unstable();
        out.groups.dedup();
        out.users.sort_unstable();
        out.users.dedup();
        out.account_types.sort_unstable();
        out.account_types.dedup();
        if out.is_empty() {
            return Err(DomainError::invalid(
                "audience",
                "Bitte mindestens eine Gruppe, Person oder Kontoart wählen – oder „öffentlich“.",
            ));
        }
        Ok((false, out))
    }
}

fn write_of<'a>(
    id: NewsId,
    a: &Actor,
    v: &'a Checked,
    published: Option<i64>,
    now: DateTime<Utc>,
) -> NewsWrite<'a> {
    NewsWrite {
        id,
        author: a.token.user(),
        title: &v.title,
        body: &v.body,
        summary: &v.summary,
        public: v.public,
        visible_from: v.from,
        visible_until: v.until,
        published_at: published,
        now: to_us(now),
    }
}

/// Converts stored µs.
pub(crate) fn time(us: i64) -> DateTime<Utc> {
    from_us(us)
}
