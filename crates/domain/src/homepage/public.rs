//! The public side: what the start page of a school shows to everyone, loaded once per
//! change and kept with its rendered bodies in [`super::HomepageCache`].

use std::sync::Arc;

use bytes::Bytes;
use schulhof_store::homepage::{self as store, pages};
use schulhof_store::instances;
use schulhof_types::InstanceId;

use super::PageRow;
use super::cache::{Entry, Lookup};
use super::input::sanitize;
use crate::calendar::PublicEvent;
use crate::news::PublicNews;
use crate::{DomainError, Platform};

/// How many news items and dates the start page shows.
pub const NEWS_SHOWN: usize = 5;
pub const EVENTS_SHOWN: usize = 8;

/// Everything the public start page of one school shows. HTML in it was sanitised when it
/// was stored and again when it was loaded here.
#[derive(Clone, Debug)]
pub struct PublicHome {
    pub instance: InstanceId,
    pub school_number: String,
    pub school_name: String,
    /// The demo school: only a server started with `--demo` shows it.
    pub demo: bool,
    pub time_zone: chrono_tz::Tz,
    pub intro: String,
    /// Set: the start page leads to the school's own website instead.
    pub redirect_url: Option<String>,
    /// Published pages in menu order.
    pub pages: Vec<PageRow>,
    pub news: Vec<PublicNews>,
    pub events: Vec<PublicEvent>,
    /// The school's change stamp this was loaded at.
    pub stamp: i64,
}

impl PublicHome {
    pub fn page(&self, slug: &str) -> Option<&PageRow> {
        self.pages.iter().find(|p| p.slug == slug)
    }
}

/// The start page's data and, when the render callback made one, the body of the variant
/// asked for.
pub struct Cached {
    pub home: Arc<PublicHome>,
    pub body: Option<Bytes>,
}

/// Only digits name a school; anything else never reaches the database.
fn plausible_number(number: &str) -> bool {
    !number.is_empty() && number.len() <= 12 && number.bytes().all(|b| b.is_ascii_digit())
}

impl Platform {
    /// The public start page of school `number` and its body in `variant`, rendered by
    /// `render` at most once per change of the school's page on this node (`None` from
    /// `render`: nothing to show for this variant, nothing kept). While the cached page is
    /// fresh this runs no statement at all; see `cache.rs`.
    pub async fn public_homepage(
        &self,
        number: &str,
        variant: &str,
        render: impl FnOnce(&PublicHome) -> Option<Bytes>,
    ) -> Result<Cached, DomainError> {
        if !plausible_number(number) {
            return Err(DomainError::NotFound);
        }
        let entry = self.homepage_entry(number).await?;
        if let Some(body) = entry.body(variant) {
            return Ok(Cached {
                home: entry.home.clone(),
                body: Some(body),
            });
        }
        let body = render(&entry.home);
        if let Some(b) = &body {
            entry.keep(variant, b.clone());
        }
        Ok(Cached {
            home: entry.home.clone(),
            body,
        })
    }

    async fn homepage_entry(&self, number: &str) -> Result<Arc<Entry>, DomainError> {
        let stale = match self.homepage.lookup(number) {
            Lookup::Fresh(e) => return Ok(e),
            Lookup::Check(e) => Some(e),
            Lookup::Missing => None,
        };
        let mut c = self.db.read().await?;
        let (instance, stamp) = store::stamp_by_number(&mut c, number)
            .await?
            .ok_or(DomainError::NotFound)?;
        if let Some(e) = stale
            && e.home.stamp == stamp
            && e.home.instance == instance
        {
            self.homepage.confirmed(&e);
            return Ok(e);
        }
        drop(c);
        let home = self.load_public_home(instance, stamp).await?;
        Ok(self.homepage.store(number, Arc::new(home)))
    }

    async fn load_public_home(
        &self,
        instance: InstanceId,
        stamp: i64,
    ) -> Result<PublicHome, DomainError> {
        let mut c = self.db.read().await?;
        let school = instances::get(&mut c, instance)
            .await?
            .ok_or(DomainError::NotFound)?;
        let settings = store::settings(&mut c, instance).await?;
        let mut home = PublicHome {
            instance,
            time_zone: crate::school_settings::stored_time_zone(&school.time_zone),
            school_number: school.school_number,
            school_name: school.name,
            demo: school.demo,
            intro: sanitize(&settings.intro),
            redirect_url: settings.redirect_url,
            pages: Vec::new(),
            news: Vec::new(),
            events: Vec::new(),
            stamp,
        };
        if home.redirect_url.is_some() {
            return Ok(home);
        }
        home.pages = pages::list(&mut c, instance, true).await?;
        for p in &mut home.pages {
            p.body = sanitize(&p.body);
        }
        drop(c);
        home.news = self.public_news(&home.school_number, NEWS_SHOWN).await?;
        home.events = self
            .public_events(&home.school_number, self.now(), EVENTS_SHOWN)
            .await?;
        Ok(home)
    }
}
