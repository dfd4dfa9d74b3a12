//! The documentation shipped with the product: Markdown files in German under
//! `crates/domain/help/de/`, each starting with a small header (`titel:`, `kontext:`) that
//! names the page and the platform paths it explains. Support's edits (stored, see
//! `guides`) are merged over them when read.

use std::sync::OnceLock;

/// One page of the documentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelpPage {
    pub slug: String,
    pub title: String,
    /// Paths the page explains: `/mail` exactly, `/mail/*` everything below it.
    pub context: Vec<String>,
    /// Markdown, without the header.
    pub body: String,
    /// The version addressing pupils with "du" (empty: they read `body`).
    pub body_du: String,
    /// Shipped with the product (removing support's edit shows the shipped text again).
    pub shipped: bool,
    /// Changed or added by support.
    pub edited: bool,
}

/// The shipped pages, in the order the index lists them.
const SHIPPED: &[(&str, &str)] = &[
    ("anmelden", include_str!("../../help/de/anmelden.md")),
    ("dateien", include_str!("../../help/de/dateien.md")),
    ("safe", include_str!("../../help/de/safe.md")),
    ("mail", include_str!("../../help/de/mail.md")),
    ("kalender", include_str!("../../help/de/kalender.md")),
    ("adressbuch", include_str!("../../help/de/adressbuch.md")),
    ("verwaltung", include_str!("../../help/de/verwaltung.md")),
    ("faq", include_str!("../../help/de/faq.md")),
];

/// Every shipped page, read once.
pub fn shipped() -> &'static [HelpPage] {
    static PAGES: OnceLock<Vec<HelpPage>> = OnceLock::new();
    PAGES.get_or_init(|| {
        SHIPPED
            .iter()
            .map(|(slug, text)| parse(slug, text))
            .collect()
    })
}

/// Splits the header from the body. A shipped file without its header is a build mistake,
/// caught by the tests below; at run time it still shows, titled by its slug.
fn parse(slug: &str, text: &str) -> HelpPage {
    let mut page = HelpPage {
        slug: slug.to_owned(),
        title: slug.to_owned(),
        context: Vec::new(),
        body: text.to_owned(),
        body_du: String::new(),
        shipped: true,
        edited: false,
    };
    let Some(rest) = text.strip_prefix("---\n") else {
        return page;
    };
    let Some(end) = rest.find("\n---\n") else {
        return page;
    };
    for line in rest[..end].lines() {
        if let Some(t) = line.strip_prefix("titel:") {
            page.title = t.trim().to_owned();
        } else if let Some(k) = line.strip_prefix("kontext:") {
            page.context = k.split_whitespace().map(str::to_owned).collect();
        }
    }
    page.body = rest[end + 5..].to_owned();
    page
}

/// How well a page's context fits a path: the length of the longest pattern that matches,
/// so `/verwaltung/mail` beats `/verwaltung/*`.
pub(super) fn context_fit(page: &HelpPage, path: &str) -> Option<usize> {
    page.context
        .iter()
        .filter(|pattern| match pattern.strip_suffix("/*") {
            Some(prefix) => path.starts_with(prefix) && path[prefix.len()..].starts_with('/'),
            None => path == pattern.as_str(),
        })
        .map(|pattern| pattern.len())
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_page_has_a_title_context_and_heading() {
        for page in shipped() {
            assert_ne!(page.title, page.slug, "{} has no titel:", page.slug);
            assert!(!page.context.is_empty(), "{} has no kontext:", page.slug);
            assert!(page.body.trim_start().starts_with("# "), "{}", page.slug);
            for pattern in &page.context {
                assert!(pattern.starts_with('/'), "{}: {pattern}", page.slug);
            }
        }
    }

    #[test]
    fn slugs_are_unique() {
        let mut slugs: Vec<_> = shipped().iter().map(|p| p.slug.as_str()).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), shipped().len());
    }

    #[test]
    fn the_longest_matching_context_wins() {
        let page = parse(
            "x",
            "---\ntitel: X\nkontext: /verwaltung/* /verwaltung/mail\n---\n# X\n",
        );
        assert_eq!(context_fit(&page, "/verwaltung/mail"), Some(16));
        assert_eq!(context_fit(&page, "/verwaltung/benutzer"), Some(13));
        assert_eq!(context_fit(&page, "/verwaltung"), None);
        assert_eq!(context_fit(&page, "/verwaltungx/a"), None);
        assert_eq!(page.title, "X");
        assert_eq!(page.body, "# X\n");
    }

    #[test]
    fn a_file_without_header_keeps_its_text() {
        let page = parse("frei", "# Frei\nText");
        assert_eq!(page.title, "frei");
        assert_eq!(page.body, "# Frei\nText");
        assert!(page.context.is_empty());
    }
}
