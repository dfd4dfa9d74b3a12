//! Full-text search over the documentation. The pages are few and in memory, so a scan is
//! faster than any index; words are compared folded (lower case, umlauts as ASCII), so
//! "Passwort", "passwörter" and "PASSWORT" find each other.

use deunicode::deunicode;

use super::pages::HelpPage;

/// A page that contains every word of the query, with where it matched.
#[derive(Debug)]
pub struct HelpHit {
    pub page: HelpPage,
    /// The first body line that contains a word, as plain text.
    pub excerpt: String,
    score: usize,
}

/// Longest excerpt shown in a hit, in characters.
const EXCERPT: usize = 200;
/// Longest query considered: more words than this find nothing anyway.
const MAX_WORDS: usize = 8;

/// The pages containing every word of `query`, best first (a title match outweighs text).
pub fn search(pages: &[HelpPage], query: &str) -> Vec<HelpHit> {
    let words = words(query);
    if words.is_empty() {
        return Vec::new();
    }
    let mut hits: Vec<HelpHit> = pages.iter().filter_map(|p| score(p, &words)).collect();
    hits.sort_by(|a, b| b.score.cmp(&a.score).then(a.page.slug.cmp(&b.page.slug)));
    hits
}

fn words(query: &str) -> Vec<String> {
    fold(query)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
        .take(MAX_WORDS)
        .map(str::to_owned)
        .collect()
}

fn fold(text: &str) -> String {
    deunicode(text).to_lowercase()
}

fn score(page: &HelpPage, words: &[String]) -> Option<HelpHit> {
    let title = fold(&page.title);
    let body = fold(&page.body);
    let mut score = 0;
    for w in words {
        let in_title = title.matches(w.as_str()).count();
        let in_body = body.matches(w.as_str()).count();
        if in_title + in_body == 0 {
            return None;
        }
        score += 5 * in_title + in_body;
    }
    let excerpt = page
        .body
        .lines()
        .find(|line| {
            let l = fold(line);
            !line.starts_with('#') && words.iter().any(|w| l.contains(w.as_str()))
        })
        .map(plain)
        .unwrap_or_default();
    Some(HelpHit {
        page: page.clone(),
        excerpt,
        score,
    })
}

/// A Markdown line as plain text for an excerpt.
fn plain(line: &str) -> String {
    let text: String = line
        .trim_start_matches(['-', '#', ' '])
        .chars()
        .filter(|c| !matches!(c, '*' | '`' | '_'))
        .collect();
    match text.char_indices().nth(EXCERPT) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::super::pages::shipped;
    use super::*;

    #[test]
    fn finds_folded_words_and_ranks_titles_first() {
        let hits = search(shipped(), "PASSWÖRTER");
        assert!(!hits.is_empty());
        assert_eq!(hits[0].page.slug, "anmelden", "{hits:?}");
        assert!(!hits[0].excerpt.contains('*'));
    }

    #[test]
    fn every_word_must_match() {
        assert!(search(shipped(), "Safe Passwort").iter().all(|h| {
            let b = fold(&h.page.body);
            b.contains("safe") && b.contains("passwort")
        }));
        assert!(search(shipped(), "Safe xylophon").is_empty());
    }

    #[test]
    fn empty_and_punctuation_queries_find_nothing() {
        assert!(search(shipped(), "").is_empty());
        assert!(search(shipped(), " ?! a ").is_empty());
    }

    #[test]
    fn long_excerpts_are_cut_on_a_character_boundary() {
        let long = "ä".repeat(500);
        assert!(plain(&long).ends_with('…'));
        assert_eq!(plain(&long).chars().count(), EXCERPT + 1);
    }
}
