//! What the start page's editor may store: sanitised rich text, page addresses (slugs),
//! titles and the redirect to the school's own website. Every check gives a clear error
//! naming its field.

use crate::DomainError;

/// Longest page body (sanitised HTML) and start text.
pub const MAX_BODY: usize = 200_000;
const MAX_TITLE: usize = 120;
const MAX_SLUG: usize = 60;
const MAX_URL: usize = 2000;

/// Keeps a safe subset of HTML: no scripts, styles, event handlers or frames; links get
/// `rel="noopener noreferrer"`; pictures only from the school's own start page (a picture
/// from elsewhere would tell a third party who reads the page).
pub fn sanitize(html: &str) -> String {
    ammonia::Builder::default()
        .attribute_filter(|element, attribute, value| {
            if element == "img" && attribute == "src" && !is_own_picture(value) {
                return None;
            }
            Some(value.into())
        })
        .clean(html)
        .to_string()
}

/// `/schule/<nr>/bild/<id>`: a picture uploaded to a start page.
fn is_own_picture(src: &str) -> bool {
    let Some(rest) = src.strip_prefix("/schule/") else {
        return false;
    };
    let mut parts = rest.split('/');
    matches!(
        (parts.next(), parts.next(), parts.next(), parts.next()),
        (Some(nr), Some("bild"), Some(id), None)
            if !nr.is_empty() && nr.bytes().all(|b| b.is_ascii_digit())
                && uuid::Uuid::parse_str(id).is_ok()
    )
}

/// A rich-text field: at most [`MAX_BODY`] bytes, sanitised.
pub fn body(field: &'static str, html: &str) -> Result<String, DomainError> {
    if html.len() > MAX_BODY {
        return Err(DomainError::invalid(
            field,
            format!("The text is too long (at most {} kB).", MAX_BODY / 1000),
        ));
    }
    Ok(sanitize(html))
}

pub fn title(raw: &str) -> Result<String, DomainError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(DomainError::invalid("title", "Please give a title."));
    }
    if t.chars().count() > MAX_TITLE || t.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            "title",
            format!("The title may have at most {MAX_TITLE} printable characters."),
        ));
    }
    Ok(t.to_owned())
}

/// The page's address `…/seite/<slug>`: lower-case letters, digits and hyphens. Made from
/// the title when left empty.
pub fn slug(raw: &str, title: &str) -> Result<String, DomainError> {
    let raw = raw.trim();
    if raw.is_empty() {
        let made = slug_of(title);
        return if made.is_empty() {
            Err(DomainError::invalid("slug", "Please give an address."))
        } else {
            Ok(made)
        };
    }
    let ok = raw.len() <= MAX_SLUG
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !raw.starts_with('-')
        && !raw.ends_with('-');
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(DomainError::invalid(
            "slug",
            format!(
                "The address may only contain lower-case letters (a–z), digits and hyphens (at most {MAX_SLUG} characters)."
            ),
        ))
    }
}

/// "Über uns – Geschichte" → "ueber-uns-geschichte".
pub fn slug_of(title: &str) -> String {
    let german = title
        .replace('ä', "ae")
        .replace('ö', "oe")
        .replace('ü', "ue")
        .replace('Ä', "Ae")
        .replace('Ö', "Oe")
        .replace('Ü', "Ue")
        .replace('ß', "ss");
    let ascii = deunicode::deunicode(&german).to_ascii_lowercase();
    let mut out = String::new();
    for ch in ascii.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out: String = out.trim_end_matches('-').chars().take(MAX_SLUG).collect();
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// The school's own website: an absolute `https://` address with a host name, no user
/// name or password in it, no spaces. Empty means "no redirect".
pub fn redirect_url(raw: &str) -> Result<Option<String>, DomainError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let bad = || {
        DomainError::invalid(
            "redirect_url",
            "Please give a full address starting with https://, e.g. https://www.my-school.de/",
        )
    };
    let rest = raw.strip_prefix("https://").ok_or_else(bad)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_name = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) && !port.is_empty() {
            h
        } else {
            host
        }
    });
    let host_ok = host_name.contains('.')
        && !host_name.starts_with('.')
        && !host_name.ends_with('.')
        && host_name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    let chars_ok = raw
        .chars()
        .all(|c| c.is_ascii_graphic() && c != '"' && c != '<' && c != '>' && c != '\\');
    if raw.len() > MAX_URL || !host_ok || !chars_ok {
        return Err(bad());
    }
    Ok(Some(raw.to_owned()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_foreign_pictures_are_removed() {
        let out = sanitize(
            "<p onclick=\"x()\">Hallo<script>alert(1)</script></p><img src=\"https://tracker.example/p.gif\">\
             <img src=\"/schule/100000/bild/0190f000-0000-7000-8000-000000000000\" alt=\"Hof\"><a href=\"javascript:x()\">l</a>",
        );
        assert!(!out.contains("script") && !out.contains("alert"), "{out}");
        assert!(
            !out.contains("onclick") && !out.contains("tracker"),
            "{out}"
        );
        assert!(!out.contains("javascript"), "{out}");
        assert!(out.contains("/schule/100000/bild/0190f000-"), "{out}");
    }

    #[test]
    fn slugs_are_checked_or_made_from_the_title() {
        assert_eq!(
            slug("", "Über uns – Geschichte").unwrap(),
            "ueber-uns-geschichte"
        );
        assert_eq!(slug("anmeldung-2027", "x").unwrap(), "anmeldung-2027");
        for bad in ["Groß", "a b", "-a", "a/b", "../x"] {
            assert!(slug(bad, "x").is_err(), "{bad}");
        }
        assert!(slug("", "!!!").is_err());
    }

    #[test]
    fn only_https_addresses_with_a_host_redirect() {
        assert_eq!(redirect_url("").unwrap(), None);
        assert!(
            redirect_url("https://www.goethe-gymnasium.de/")
                .unwrap()
                .is_some()
        );
        assert!(
            redirect_url("https://schule.example:8443/start?x=1")
                .unwrap()
                .is_some()
        );
        for bad in [
            "http://schule.de/",
            "javascript:alert(1)",
            "https://",
            "https://user:pw@schule.de/",
            "https://localhost/",
            "https://schule.de/ a",
            "//schule.de/",
            "https://schule.de/\"><script>",
        ] {
            assert!(redirect_url(bad).is_err(), "{bad}");
        }
    }
}
