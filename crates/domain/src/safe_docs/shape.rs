//! How deeply a document nests, found with one linear scan and no tree: html5ever's tree
//! building slows down with the depth of open elements, so 200,000 nested `<div>` kept a
//! worker busy for minutes. Documents deeper than any editor writes are refused before
//! they are parsed.

/// Deeper than any document the editor writes (headings, lists in lists, tables).
pub const MAX_NESTING: usize = 200;

/// Elements that never hold others, or whose end tag HTML lets out (a new `<p>` or `<li>`
/// closes the open one): counting them as open would overstate the depth of valid files.
const NOT_NESTING: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "rt", "rp",
    "thead", "tbody", "tfoot", "colgroup", "caption", "html", "head", "body",
];

/// The deepest nesting of elements in `html`, counted from start and end tags; the scan
/// stops as soon as `limit` is passed (then `limit + 1` is returned).
pub fn nesting(html: &str, limit: usize) -> usize {
    let mut depth = 0usize;
    let mut deepest = 0usize;
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix("!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let closing = rest.starts_with('/');
        let name: String = rest
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if name.is_empty() || NOT_NESTING.contains(&name.as_str()) {
            continue;
        }
        // Only up to the next `<` or `>`: looking further for each tag would be quadratic
        // on text full of unclosed `<a`.
        let self_closing = rest
            .find(['<', '>'])
            .is_some_and(|end| rest[end..].starts_with('>') && rest[..end].ends_with('/'));
        if closing {
            depth = depth.saturating_sub(1);
        } else if !self_closing {
            depth += 1;
            deepest = deepest.max(depth);
            if deepest > limit {
                return deepest;
            }
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::safe_docs::{check_shape, sanitize};

    /// What the editor writes, to mutate.
    const SAMPLE: &str = "<h2>Ziele</h2><ul><li><b>Lesen</b> üben</li><li>Schreiben<ul><li>Briefe</li></ul></li></ul><table><tr><td>1</td></tr></table><p>Stand: <a href=\"https://x.de\">Link</a><br></p>";

    fn cases() -> ProptestConfig {
        let cases = std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(256);
        ProptestConfig::with_cases(cases)
    }

    /// Pieces of HTML, glued at random: tags open and close in any order and depth.
    fn html() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("<div>".to_owned()),
            Just("</div>".to_owned()),
            Just("<p>".to_owned()),
            Just("<li>".to_owned()),
            Just("<br/>".to_owned()),
            Just("<!--".to_owned()),
            Just("-->".to_owned()),
            Just("<".to_owned()),
            Just("<script>alert(1)</script>".to_owned()),
            "\\PC{0,8}",
        ];
        let glued = prop::collection::vec(piece, 0..64).prop_map(|v| v.concat());
        let nested = (1usize..2_000).prop_map(|n| "<div>".repeat(n));
        let mutated =
            prop::collection::vec((any::<usize>(), any::<char>()), 0..6).prop_map(|edits| {
                let mut chars: Vec<char> = SAMPLE.chars().collect();
                let n = chars.len();
                for (at, c) in edits {
                    chars[at % n] = c;
                }
                chars.into_iter().collect()
            });
        prop_oneof![glued, nested, mutated]
    }

    proptest! {
        #![proptest_config(cases())]

        /// The shape check never panics; what it lets through is sanitised without a panic
        /// and stays within the limit (sanitising never deepens a document).
        #[test]
        fn checked_documents_sanitise(doc in html()) {
            if check_shape(&doc, "content").is_ok() {
                let clean = sanitize(&doc);
                prop_assert!(nesting(&clean, MAX_NESTING) <= MAX_NESTING);
                prop_assert!(!clean.contains("<script"));
            }
        }
    }

    #[test]
    fn counts_open_elements() {
        assert_eq!(nesting("<p>a</p><p>b", 10), 0);
        assert_eq!(
            nesting("<div><ul><li>x<ul><li>y</li></ul></li></ul></div>", 10),
            3
        );
        assert_eq!(nesting("<DIV><!-- <div><div> --><br/><span/></DIV>", 10), 1);
        assert_eq!(nesting(&"<div>".repeat(1_000_000), 200), 201);
        assert_eq!(nesting("a < b <", 10), 0);
    }
}
