//! The HTML body of a message, made safe to show. ammonia keeps a known-good subset of HTML
//! (no scripts, forms, frames, event handlers or `javascript:` links); on top of that,
//! images from the internet are removed until the reader asks for them, because loading one
//! tells the sender that and when the message was read. Images the message carries itself
//! (`cid:`) are put in as `data:` URLs.
//!
//! The result is served as its own document in a sandboxed frame with a strict content
//! security policy (see `body.rs`), so even something ammonia let through could neither run
//! nor load anything.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Style properties mail commonly uses for layout and colour; nothing that loads a URL.
const STYLE_PROPERTIES: &[&str] = &[
    "color",
    "background-color",
    "font",
    "font-family",
    "font-size",
    "font-style",
    "font-weight",
    "text-align",
    "text-decoration",
    "line-height",
    "margin",
    "margin-top",
    "margin-bottom",
    "margin-left",
    "margin-right",
    "padding",
    "padding-top",
    "padding-bottom",
    "padding-left",
    "padding-right",
    "border",
    "border-collapse",
    "border-color",
    "border-style",
    "border-width",
    "width",
    "max-width",
    "height",
    "vertical-align",
    "white-space",
    "display",
];

/// Layout attributes of old-style HTML mail.
const TABLE_ATTRIBUTES: &[&str] = &[
    "align",
    "valign",
    "width",
    "height",
    "bgcolor",
    "border",
    "cellpadding",
    "cellspacing",
];

/// The sanitised HTML and how many images from the internet it had (removed unless
/// `remote_images`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clean {
    pub html: String,
    pub remote_images: usize,
}

fn is_remote(url: &str) -> bool {
    let u = url.trim_start().to_ascii_lowercase();
    u.starts_with("http:") || u.starts_with("https:") || u.starts_with("//")
}

/// Sanitises `html`. `cids` maps a `Content-ID` to the (`data:`) URL of that picture.
pub fn clean(html: &str, cids: HashMap<String, String>, remote_images: bool) -> Clean {
    let counted = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&counted);
    let mut b = ammonia::Builder::default();
    b.add_generic_attributes(["style", "dir"])
        .filter_style_properties(STYLE_PROPERTIES.iter().copied().collect::<HashSet<_>>())
        .add_url_schemes(["cid"])
        .set_tag_attribute_value("a", "target", "_blank")
        .link_rel(Some("noopener noreferrer"))
        .url_relative(ammonia::UrlRelative::Deny);
    for tag in [
        "table", "td", "th", "tr", "tbody", "thead", "img", "div", "p",
    ] {
        b.add_tag_attributes(tag, TABLE_ATTRIBUTES.iter().copied());
    }
    b.attribute_filter(move |element, attribute, value| {
        if element != "img" || attribute != "src" {
            return Some(value.into());
        }
        if let Some(cid) = value.strip_prefix("cid:") {
            return cids.get(cid).map(|u| u.clone().into());
        }
        if is_remote(value) {
            count.fetch_add(1, Ordering::Relaxed);
            return remote_images.then(|| value.into());
        }
        None
    });
    let html = b.clean(html).to_string();
    Clean {
        html,
        remote_images: counted.load(Ordering::Relaxed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAIL: &str = r#"<p onclick="steal()">Hallo <script>alert(1)</script><b style="color:red;background-image:url(https://t.example/x)">fett</b></p>
<img src="https://tracker.example/pixel.gif" alt="Logo"><img src="cid:logo@x">
<a href="javascript:alert(1)">böse</a> <a href="https://schule.example/">gut</a>
<form action="https://evil.example"><input name="pw"></form><iframe src="https://evil.example"></iframe>"#;

    #[test]
    fn scripts_and_remote_images_are_removed() {
        let cids = HashMap::from([("logo@x".to_owned(), "data:image/png;base64,AAAA".to_owned())]);
        let c = clean(MAIL, cids.clone(), false);
        assert_eq!(c.remote_images, 1);
        for gone in [
            "script",
            "onclick",
            "tracker.example/pixel.gif",
            "javascript:",
            "<form",
            "<iframe",
            "<input",
            "background-image",
        ] {
            assert!(!c.html.contains(gone), "{gone} in {}", c.html);
        }
        assert!(c.html.contains("color:red"), "{}", c.html);
        assert!(
            c.html.contains(r#"src="data:image/png;base64,AAAA""#),
            "{}",
            c.html
        );
        assert!(c.html.contains(r#"href="https://schule.example/""#));
        assert!(c.html.contains(r#"target="_blank""#));
        let shown = clean(MAIL, cids, true);
        assert!(shown.html.contains("https://tracker.example/pixel.gif"));
        assert!(!shown.html.contains("script"));
    }
}
