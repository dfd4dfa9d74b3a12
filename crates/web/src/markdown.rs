//! Markdown rendered on the server for a preview. Whatever a user wrote stays inert: raw
//! HTML is shown as text, links only go to the web or to mail addresses, and images become
//! links (a preview loads nothing from elsewhere).

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, html};

/// The HTML of a Markdown text, safe to place into a page.
pub fn render(text: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES;
    let events = Parser::new_ext(text, options).map(|event| match event {
        // Raw HTML is printed as the text it is.
        Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            dest_url,
            title,
            id,
            ..
        }) => Event::Start(Tag::Link {
            link_type: LinkType::Inline,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::End(TagEnd::Image) => Event::End(TagEnd::Link),
        other => other,
    });
    let mut out = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

/// The link target if it goes to the web, a mail address or somewhere on this page or
/// platform; `#` for anything else (`javascript:`, `data:`, …).
fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let trimmed: String = url
        .chars()
        .filter(|c| !c.is_control() && !c.is_whitespace())
        .collect();
    let scheme_end = trimmed.find([':', '/', '?', '#']);
    let safe = match scheme_end {
        Some(i) if trimmed[i..].starts_with(':') => {
            let scheme = trimmed[..i].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto")
        }
        _ => true,
    };
    if safe { url } else { CowStr::Borrowed("#") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_html() {
        let html = render("# Titel\n\n*kursiv* und **fett**\n\n- eins\n- zwei\n");
        assert!(html.contains("<h1>Titel</h1>"), "{html}");
        assert!(html.contains("<em>kursiv</em>"), "{html}");
        assert!(html.contains("<li>eins</li>"), "{html}");
    }

    #[test]
    fn raw_html_and_scripts_stay_text() {
        let html = render("Hallo <script>alert(1)</script>\n\n<div onclick=\"x()\">b</div>\n");
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<div"), "{html}");
    }

    #[test]
    fn only_harmless_links_and_no_foreign_images() {
        let html = render(
            "[a](javascript:alert(1)) [b](JaVa\tScript:alert(1)) [c](https://example.org) \
             [d](mailto:a@b.de) [e](#teil) [f](data:text/html,x) ![g](https://tracker.example/p.png)",
        );
        assert!(!html.to_lowercase().contains("javascript"), "{html}");
        assert!(!html.contains("data:"), "{html}");
        assert!(html.contains(r#"href="https://example.org""#), "{html}");
        assert!(html.contains(r#"href="mailto:a@b.de""#), "{html}");
        assert!(html.contains(r##"href="#teil""##), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains(r#"<a href="https://tracker.example/p.png">g</a>"#),
            "{html}"
        );
    }
}
