//! The body's rich text: sanitised with ammonia when stored and again when shown, and its
//! plain-text excerpt for lists and feeds.

use crate::DomainError;

/// Longest body accepted (bytes of HTML).
pub const MAX_BODY: usize = 200_000;
/// Longest title accepted (characters).
pub const MAX_TITLE: usize = 200;
/// Characters of the plain-text excerpt.
const SUMMARY_CHARS: usize = 300;

/// Keeps formatting, lists, links and tables; drops scripts, styles, event handlers,
/// foreign URL schemes and pictures (pictures are the item's files, shown by the page).
pub fn sanitize(html: &str) -> String {
    ammonia::Builder::default()
        .add_tags(["u", "s", "mark"])
        .rm_tags(["img"])
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"))
        .clean(html)
        .to_string()
}

/// Checks and sanitises a body from outside.
pub(crate) fn clean_body(html: &str) -> Result<String, DomainError> {
    if html.len() > MAX_BODY {
        return Err(DomainError::invalid(
            "body",
            "Der Text ist zu lang (höchstens 200 000 Zeichen).",
        ));
    }
    Ok(sanitize(html))
}

pub(crate) fn clean_title(title: &str) -> Result<String, DomainError> {
    let t = title.trim();
    if t.is_empty() {
        return Err(DomainError::invalid("title", "Bitte einen Titel angeben."));
    }
    if t.chars().count() > MAX_TITLE || t.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            "title",
            "Der Titel ist zu lang oder enthält Steuerzeichen (höchstens 200 Zeichen).",
        ));
    }
    Ok(t.to_owned())
}

/// The text of sanitised HTML, whitespace collapsed, cut at a word near
/// [`SUMMARY_CHARS`] characters.
pub fn summary_of(html: &str) -> String {
    let text = ammonia::Builder::empty()
        .clean(&html.replace('<', " <"))
        .to_string();
    let text = text
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = String::new();
    for w in words {
        if out.chars().count() + w.chars().count() + 1 > SUMMARY_CHARS {
            out.push('…');
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_foreign_schemes_are_removed() {
        let s = sanitize(
            r#"<p onclick="x()">Hi<script>alert(1)</script><a href="javascript:x">l</a><img src="http://t/x.gif"></p>"#,
        );
        assert!(!s.contains("script") && !s.contains("onclick") && !s.contains("javascript"));
        assert!(!s.contains("img"));
        assert!(s.contains("<p>Hi"));
    }

    #[test]
    fn the_summary_is_plain_text() {
        assert_eq!(
            summary_of("<p>Sommer&amp;fest</p><p>am <b>Freitag</b></p>"),
            "Sommer&fest am Freitag"
        );
        let long = "<p>".to_owned() + &"wort ".repeat(200) + "</p>";
        let s = summary_of(&long);
        assert!(s.ends_with('…') && s.chars().count() <= 301);
    }
}
