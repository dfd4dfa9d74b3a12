//! Reading: the list of what concerns me, one item, the authors' list, the unread count.

use chrono::{DateTime, Utc};
use schulhof_authz::check;
use schulhof_authz::news::EditNews;
use schulhof_authz::news::{self as policy, NewsFacts};
use schulhof_store::news::items::{self, NewsRow};
use schulhof_store::news::{NewsId, Reader, audience, reads};
use schulhof_store::{groups, to_us, users};

use super::write::time;
use super::{AudienceChoice, AudienceView, NewsItem, NewsState, text};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// Items a list shows at most.
pub const LIST_LIMIT: i64 = 100;

/// The caller as the store's audience filter sees it.
pub(crate) fn reader(a: &Actor) -> Reader<'static> {
    let scope = policy::read_scope(&a.token);
    Reader {
        user: scope.user,
        account_type: scope.account_type,
    }
}

pub(crate) fn state_at(r: &NewsRow, now: i64) -> NewsState {
    match r.published_at {
        None => NewsState::Draft,
        Some(_) if r.visible_from > now => NewsState::Scheduled,
        Some(_) if r.visible_until.is_some_and(|u| u <= now) => NewsState::Expired,
        Some(_) => NewsState::Visible,
    }
}

pub(crate) fn item_of(a: Option<&Actor>, r: NewsRow, read: bool, now: i64) -> NewsItem {
    let may_edit = a.is_some_and(|a| {
        let facts = NewsFacts {
            instance: a.token.instance(),
            author: r.author,
        };
        check(&a.token, EditNews(facts)).is_ok()
    });
    NewsItem {
        id: r.id,
        state: state_at(&r, now),
        // Stored sanitised; sanitised again so a rule tightened later also covers old rows.
        body: text::sanitize(&r.body),
        title: r.title,
        summary: r.summary,
        author: r.author,
        author_name: r.author_name,
        public: r.public,
        from: time(r.visible_from),
        until: r.visible_until.map(time),
        updated: time(r.updated_at),
        read,
        may_edit,
    }
}

impl Platform {
    /// The items that concern the caller now, newest first, each with its unread mark.
    pub async fn news_list(&self, a: &Actor) -> Result<Vec<NewsItem>, DomainError> {
        Ok(self.news_page(a, 0, LIST_LIMIT).await?.0)
    }

    /// One page of [`Platform::news_list`]: `limit` items (1..=[`LIST_LIMIT`]) after
    /// skipping `offset`, and whether more follow. One statement.
    pub async fn news_page(
        &self,
        a: &Actor,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<NewsItem>, bool), DomainError> {
        if !(1..=LIST_LIMIT).contains(&limit) {
            return Err(DomainError::invalid("limit", "Bitte 1 bis 100 angeben."));
        }
        if offset < 0 {
            return Err(DomainError::invalid("offset", "Bitte 0 oder mehr angeben."));
        }
        let now = to_us(self.now());
        let r = reader(a);
        let mut c = self.db.read().await?;
        // One more than asked tells whether another page follows.
        let mut rows =
            items::list_visible(&mut c, a.token.instance(), r, now, limit + 1, offset).await?;
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let items = rows
            .into_iter()
            .map(|(row, read)| item_of(Some(a), row, read, now))
            .collect();
        Ok((items, more))
    }

    /// How many items that concern the caller it has not opened, and the newest `limit` of
    /// them as (id, title, start of the period): the home page's mark, one statement.
    pub async fn news_unread(
        &self,
        a: &Actor,
        limit: i64,
    ) -> Result<(i64, Vec<(NewsId, String, DateTime<Utc>)>), DomainError> {
        let mut c = self.db.read().await?;
        let (n, rows) = reads::unread_top(
            &mut c,
            a.token.instance(),
            reader(a),
            to_us(self.now()),
            limit,
        )
        .await?;
        Ok((
            n,
            rows.into_iter()
                .map(|(id, t, f)| (id, t, time(f)))
                .collect(),
        ))
    }

    /// One item: for its readers while visible, for its editors always. Opening it marks
    /// it read. Hidden => `NotFound`.
    pub async fn news_item(&self, a: &Actor, id: NewsId) -> Result<NewsItem, DomainError> {
        let now = to_us(self.now());
        let r = reader(a);
        let mut c = self.db.read().await?;
        let row = match items::get_visible(&mut c, a.token.instance(), r, id, now).await? {
            Some(row) => row,
            None => self
                .editable(&mut c, a, id)
                .await
                .map_err(|_| DomainError::NotFound)?,
        };
        drop(c);
        let visible = state_at(&row, now) == NewsState::Visible;
        if visible {
            let mut tx = self.db.begin().await?;
            reads::mark(&mut tx, a.token.instance(), id, a.token.user(), now).await?;
            tx.commit().await?;
        }
        Ok(item_of(Some(a), row, true, now))
    }

    /// The item with its audience, for the editor.
    pub async fn news_for_edit(
        &self,
        a: &Actor,
        id: NewsId,
    ) -> Result<(NewsItem, AudienceView), DomainError> {
        let now = to_us(self.now());
        let mut c = self.db.read().await?;
        let row = self.editable(&mut c, a, id).await?;
        let aud = audience::get(&mut c, a.token.instance(), id).await?;
        let mut view = AudienceView {
            account_types: aud.account_types,
            ..Default::default()
        };
        for g in aud.groups {
            if let Some(gr) = groups::get(&mut c, a.token.instance(), g).await? {
                view.groups.push((g, gr.name));
            }
        }
        for u in aud.users {
            if let Some(ur) = users::get(&mut c, a.token.instance(), u).await? {
                view.users.push((u, ur.login));
            }
        }
        Ok((item_of(Some(a), row, true, now), view))
    }

    /// The items the caller wrote (a news admin: everyone's), drafts and scheduled ones
    /// included, newest change first.
    pub async fn news_written(&self, a: &Actor) -> Result<Vec<NewsItem>, DomainError> {
        if !policy::is_author(&a.token) {
            return Err(DomainError::Forbidden);
        }
        let now = to_us(self.now());
        let author = (!policy::is_admin(&a.token)).then_some(a.token.user());
        let mut c = self.db.read().await?;
        let rows = items::list_written(&mut c, a.token.instance(), author, LIST_LIMIT).await?;
        Ok(rows
            .into_iter()
            .map(|r| item_of(Some(a), r, true, now))
            .collect())
    }

    /// The groups an author may address (every group of the school).
    pub async fn news_audience_choices(
        &self,
        a: &Actor,
    ) -> Result<Vec<AudienceChoice>, DomainError> {
        if !policy::is_author(&a.token) {
            return Err(DomainError::Forbidden);
        }
        let mut c = self.db.read().await?;
        let gs = groups::list(&mut c, a.token.instance(), "", None).await?;
        Ok(gs
            .into_iter()
            .map(|g| AudienceChoice {
                id: g.group.id,
                name: g.group.name,
            })
            .collect())
    }

    /// Whether the caller writes news (the pages offer the editor).
    pub fn news_may_write(&self, a: &Actor) -> bool {
        policy::is_author(&a.token)
    }

    /// A preview of a body as it would be stored and shown.
    pub fn news_preview(&self, body: &str) -> (String, String) {
        let clean = text::sanitize(body);
        let summary = text::summary_of(&clean);
        (clean, summary)
    }
}
