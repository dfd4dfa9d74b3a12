//! The help network's documentation and FAQ, shipped with the product in German and read
//! by every account type with help.docs: the index, one page, a full-text search, and the
//! page that explains a given platform path (the context help linked from every page).

pub mod forum;
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
    /// Every page of the documentation, in the index's order.
    pub fn help_pages(&self, actor: &Actor) -> Result<&'static [HelpPage], DomainError> {
        check(&actor.token, ReadHelp)?;
        Ok(pages::shipped())
    }

    /// One page by its slug; an unknown slug is not found.
    pub fn help_page(&self, actor: &Actor, slug: &str) -> Result<&'static HelpPage, DomainError> {
        check(&actor.token, ReadHelp)?;
        pages::shipped()
            .iter()
            .find(|p| p.slug == slug)
            .ok_or(DomainError::NotFound)
    }

    /// The pages containing every word of `query`, best first.
    pub fn help_search(&self, actor: &Actor, query: &str) -> Result<Vec<HelpHit>, DomainError> {
        check(&actor.token, ReadHelp)?;
        Ok(search::search(pages::shipped(), query))
    }

    /// The page that explains `path` best, if one does.
    pub fn help_for_path(
        &self,
        actor: &Actor,
        path: &str,
    ) -> Result<Option<&'static HelpPage>, DomainError> {
        check(&actor.token, ReadHelp)?;
        Ok(pages::shipped()
            .iter()
            .filter_map(|p| pages::context_fit(p, path).map(|fit| (fit, p)))
            .max_by_key(|(fit, _)| *fit)
            .map(|(_, p)| p))
    }
}
