//! The school's public start page ("Micro-CMS"): a start text and pages of text and
//! pictures with a menu, edited by holders of homepage.admin; or a redirect to the school's
//! own website. The public side (`public.rs`) renders once per school and caches; every
//! change here raises the school's stamp so every node renders again.

mod cache;
pub(crate) mod demo;
pub mod images;
pub mod input;
mod public;

use schulhof_authz::check;
use schulhof_authz::homepage::EditHomepage;
use schulhof_store::homepage::{self as store, SettingsRow, pages};
use schulhof_store::{AsConn, StoreError, events};
use schulhof_types::InstanceId;
use uuid::Uuid;

pub use cache::HomepageCache;
pub use pages::PageRow;
pub use public::{Cached, PublicHome};
pub use store::images::ImageRow;

use crate::audit;
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// The PostgreSQL channel on which nodes learn that a school's start page changed.
pub(crate) const CHANNEL: &str = "schulhof_homepage";

/// Marks the school's start page as changed, inside the transaction of the change: raises
/// its stamp and (PostgreSQL) tells every node on commit. Call
/// [`Platform::homepage_committed`] after the commit. Every module whose changes show on
/// the public page (news, public dates) calls this.
pub(crate) async fn changed(c: &mut impl AsConn, instance: InstanceId) -> Result<(), StoreError> {
    store::bump_stamp(c, instance).await?;
    events::notify(c, CHANNEL, &instance.0.simple().to_string()).await
}

/// A page as the editor sends it.
#[derive(Clone, Debug, Default)]
pub struct PageInput {
    pub title: String,
    /// Empty: made from the title.
    pub slug: String,
    pub body: String,
    pub position: Option<i64>,
    pub published: bool,
}

/// The editor's view: settings, every page (also unpublished), the pictures.
#[derive(Clone, Debug)]
pub struct HomepageAdmin {
    pub settings: SettingsRow,
    pub pages: Vec<PageRow>,
    pub images: Vec<ImageRow>,
}

impl Platform {
    /// This node's cache of rendered start pages.
    pub fn homepage_cache(&self) -> &HomepageCache {
        &self.homepage
    }

    /// Drops this node's cached start page of `instance` after a committed change.
    pub(crate) fn homepage_committed(&self, instance: InstanceId) {
        self.homepage.drop_school(instance);
    }

    /// Everything the editor shows.
    pub async fn homepage_admin(&self, actor: &Actor) -> Result<HomepageAdmin, DomainError> {
        let instance = actor.token.instance();
        check(&actor.token, EditHomepage { instance })?;
        let mut c = self.db.read().await?;
        Ok(HomepageAdmin {
            settings: store::settings(&mut c, instance).await?,
            pages: pages::list(&mut c, instance, false).await?,
            images: store::images::list(&mut c, instance).await?,
        })
    }

    /// One page for the editor; another school's page does not exist.
    pub async fn homepage_page(&self, actor: &Actor, id: Uuid) -> Result<PageRow, DomainError> {
        let instance = actor.token.instance();
        check(&actor.token, EditHomepage { instance })?;
        let mut c = self.db.read().await?;
        pages::get(&mut c, instance, id)
            .await?
            .ok_or(DomainError::NotFound)
    }

    /// What a page would look like, checked and sanitised but not stored (the preview).
    pub fn homepage_preview(
        &self,
        actor: &Actor,
        input: &PageInput,
    ) -> Result<PageRow, DomainError> {
        check(
            &actor.token,
            EditHomepage {
                instance: actor.token.instance(),
            },
        )?;
        let title = input::title(&input.title)?;
        Ok(PageRow {
            id: Uuid::nil(),
            slug: input::slug(&input.slug, &title)?,
            body: input::body("body", &input.body)?,
            title,
            position: input.position.unwrap_or(0),
            published: input.published,
            updated_at: self.now(),
        })
    }

    /// Creates a page (`id` none) or changes one. A slug the school already uses is a
    /// conflict; nothing is stored then.
    pub async fn homepage_save_page(
        &self,
        actor: &Actor,
        id: Option<Uuid>,
        input: &PageInput,
    ) -> Result<PageRow, DomainError> {
        let instance = actor.token.instance();
        check(&actor.token, EditHomepage { instance })?;
        let mut page = self.homepage_preview(actor, input)?;
        let mut tx = self.db.begin().await?;
        page.id = id.unwrap_or_else(Uuid::now_v7);
        page.position = match input.position {
            Some(p) => p.clamp(0, 10_000),
            None if id.is_none() => pages::next_position(&mut tx, instance).await?,
            None => {
                pages::get(&mut tx, instance, page.id)
                    .await?
                    .ok_or(DomainError::NotFound)?
                    .position
            }
        };
        let written = match id {
            None => pages::insert(&mut tx, instance, &page).await.map(|()| true),
            Some(_) => pages::update(&mut tx, instance, &page).await,
        };
        match written {
            Ok(true) => {}
            Ok(false) => return Err(DomainError::NotFound),
            Err(e) if e.is_unique_violation() => {
                return Err(DomainError::conflict(
                    "slug",
                    "This address already belongs to another page.",
                ));
            }
            Err(e) => return Err(e.into()),
        }
        let action = if id.is_none() {
            "homepage_page_create"
        } else {
            "homepage_page_update"
        };
        let detail = serde_json::json!({ "slug": page.slug, "published": page.published });
        audit::admin_action(
            &mut tx,
            actor,
            page.updated_at,
            action,
            &page.title,
            Some(detail),
        )
        .await?;
        changed(&mut tx, instance).await?;
        tx.commit().await?;
        self.homepage_committed(instance);
        Ok(page)
    }

    /// Deletes a page of the own school.
    pub async fn homepage_delete_page(&self, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
        let instance = actor.token.instance();
        check(&actor.token, EditHomepage { instance })?;
        let mut tx = self.db.begin().await?;
        let page = pages::get(&mut tx, instance, id)
            .await?
            .ok_or(DomainError::NotFound)?;
        pages::delete(&mut tx, instance, id).await?;
        let detail = serde_json::json!({ "slug": page.slug });
        audit::admin_action(
            &mut tx,
            actor,
            self.now(),
            "homepage_page_delete",
            &page.title,
            Some(detail),
        )
        .await?;
        changed(&mut tx, instance).await?;
        tx.commit().await?;
        self.homepage_committed(instance);
        Ok(())
    }

    /// Saves the start text and the redirect (empty: none).
    pub async fn homepage_save_settings(
        &self,
        actor: &Actor,
        intro: &str,
        redirect_url: &str,
    ) -> Result<(), DomainError> {
        let instance = actor.token.instance();
        check(&actor.token, EditHomepage { instance })?;
        let settings = SettingsRow {
            intro: input::body("intro", intro)?,
            redirect_url: input::redirect_url(redirect_url)?,
        };
        let now = self.now();
        let mut tx = self.db.begin().await?;
        store::save_settings(&mut tx, instance, &settings, now).await?;
        let detail = serde_json::json!({ "redirect_url": settings.redirect_url });
        audit::admin_action(
            &mut tx,
            actor,
            now,
            "homepage_settings",
            "Startseite",
            Some(detail),
        )
        .await?;
        changed(&mut tx, instance).await?;
        tx.commit().await?;
        self.homepage_committed(instance);
        Ok(())
    }
}
