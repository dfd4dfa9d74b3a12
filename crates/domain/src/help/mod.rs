//! The help network's documentation and FAQ, shipped with the product in German (support
//! edits and extends them, see `guides`) and read by every account type with help.docs: the
//! index, one page, a full-text search, and the page that explains a given platform path
//! (the context help linked from every page). Pupils addressed with "du" read a page's
//! du-version where support wrote one.

pub mod blog;
pub mod forum;
pub mod guides;
mod pages;
mod search;
pub mod tickets;

pub use pages::HelpPage;
pub use search::HelpHit;

use schulhof_authz::check;
use schulhof_authz::help::ReadHelp;

use crate::identity::Actor;
use crate::{DomainError, Platform};

impl Platform {
    /// The pages as the reader reads them (support's edits merged, du-version for pupils).
    async fn help_read(&self, actor: &Actor) -> Result<Vec<HelpPage>, DomainError> {
        check(&actor.token, ReadHelp)?;
        let mut c = self.db.read().await?;
        guides::merged(&mut c, actor.addressed_with_du()).await
    }

    /// Every page of the documentation, in the index's order.
    pub async fn help_pages(&self, actor: &Actor) -> Result<Vec<HelpPage>, DomainError> {
        self.help_read(actor).await
    }

    /// One page by its slug; an unknown slug is not found.
    pub async fn help_page(&self, actor: &Actor, slug: &str) -> Result<HelpPage, DomainError> {
        self.help_read(actor)
            .await?
            .into_iter()
            .find(|p| p.slug == slug)
            .ok_or(DomainError::NotFound)
    }

    /// The pages containing every word of `query`, best first.
    pub async fn help_search(
        &self,
        actor: &Actor,
        query: &str,
    ) -> Result<Vec<HelpHit>, DomainError> {
        Ok(search::search(&self.help_read(actor).await?, query))
    }

    /// The page that explains `path` best, if one does.
    pub async fn help_for_path(
        &self,
        actor: &Actor,
        path: &str,
    ) -> Result<Option<HelpPage>, DomainError> {
        let pages = self.help_read(actor).await?;
        Ok(pages
            .into_iter()
            .filter_map(|p| pages::context_fit(&p, path).map(|fit| (fit, p)))
            .max_by_key(|(fit, _)| *fit)
            .map(|(_, p)| p))
    }
}
