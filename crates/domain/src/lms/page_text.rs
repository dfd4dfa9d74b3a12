//! The rich text of course material (pages and descriptions): sanitised with ammonia when
//! stored and again when shown. On top of the news rules it keeps pictures of the material
//! itself — `<img src="/kurse/material/{this}/datei/{file}" alt="…">`, nothing remote, no
//! `data:` — and, when shown, turns LaTeX between `\( … \)` (inline) and `\[ … \]` (display)
//! into MathML Core (math-core), which current browsers render without scripts. MathML is
//! only ever the converter's output: the stored text loses any written `<math>` first, and a
//! last pass keeps only the MathML elements and presentation attributes the converter emits.

use std::sync::LazyLock;

use ammonia::Builder;
use math_core::{LatexToMathML, MathCoreConfig, MathDisplay};
use schulhof_types::ActivityId;
use uuid::Uuid;

use crate::DomainError;

/// Longest formula converted (bytes between the delimiters); longer ones show as an error.
pub const MAX_FORMULA: usize = 2000;
/// Deepest nesting of groups (`{`, `\left`, `\begin`) in a formula.
pub const MAX_FORMULA_NESTING: usize = 100;
/// Longest alternative text of a picture (characters).
pub const MAX_ALT: usize = 300;

/// The address of a file of material, as pages use it for pictures.
pub fn file_src(activity: ActivityId, file: Uuid) -> String {
    format!("/kurse/material/{activity}/datei/{file}")
}

/// The markup a picture is inserted with (alt escaped).
pub fn image_tag(activity: ActivityId, file: Uuid, alt: &str) -> String {
    format!(
        "<p><img src=\"{}\" alt=\"{}\"></p>",
        file_src(activity, file),
        escape(alt)
    )
}

/// A checked alternative text: required, one line, at most [`MAX_ALT`] characters.
pub fn clean_alt(alt: &str) -> Result<String, DomainError> {
    let alt: String = alt
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let alt = alt.split_whitespace().collect::<Vec<_>>().join(" ");
    if alt.is_empty() || alt.chars().count() > MAX_ALT {
        return Err(DomainError::invalid(
            "alt",
            "Bitte beschreiben Sie das Bild in einem Alternativtext (höchstens 300 Zeichen).",
        ));
    }
    Ok(alt)
}

/// The picture type of `bytes` by its magic bytes: PNG, JPEG, GIF or WebP (no SVG: it can
/// carry scripts).
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// Whether `src` is the address of a file of `activity` (the only pictures kept) and, when
/// `files` is known, one of them.
fn own_file(activity: ActivityId, files: Option<&[Uuid]>, src: &str) -> bool {
    src.strip_prefix(&format!("/kurse/material/{activity}/datei/"))
        .and_then(|rest| Uuid::parse_str(rest).ok().filter(|u| u.to_string() == rest))
        .is_some_and(|u| files.is_none_or(|f| f.contains(&u)))
}

/// The news rules plus pictures of the material itself (of `files`, when given).
fn page_rules(activity: ActivityId, files: Option<Vec<Uuid>>) -> Builder<'static> {
    let mut b = Builder::default();
    b.add_tags(["u", "s", "mark"])
        .rm_tag_attributes("img", ["width", "height", "align"])
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"))
        .attribute_filter(move |element, attribute, value| {
            if (element == "img"
                && attribute == "src"
                && !own_file(activity, files.as_deref(), value))
                || (element == "span" && attribute == "tabindex" && value != "0")
            {
                None
            } else {
                Some(value.into())
            }
        });
    b
}

/// What the stored text may hold: the news rules plus own pictures with an alternative
/// text; other pictures (remote, `data:`, another material's or school's) are dropped.
pub fn sanitize(html: &str, activity: ActivityId) -> String {
    pictures_checked(&page_rules(activity, None).clean(html).to_string()).0
}

/// [`sanitize`] for text brought in by a course import: an own picture is kept only when
/// `picture` accepts its address (a real picture among the imported files), giving the
/// file's name; without an alternative text it gets that name as one (the archive had
/// none, and a picture without one would be dropped). Other pictures are dropped.
pub(crate) fn sanitize_imported(
    html: &str,
    activity: ActivityId,
    picture: impl Fn(&str) -> Option<String>,
) -> String {
    let clean = page_rules(activity, None).clean(html).to_string();
    if !clean.contains("<img") {
        return clean;
    }
    let mut out = String::with_capacity(clean.len());
    for p in pieces(&clean) {
        match p {
            Piece::Tag(t) if tag_name(t).0 == "img" => {
                let Some(name) = attribute(t, "src").and_then(|s| picture(&unescape(s))) else {
                    continue;
                };
                let has_alt = attribute(t, "alt").is_some_and(|a| !unescape(a).trim().is_empty());
                if has_alt {
                    out.push_str(t);
                } else {
                    // The first of two `alt` attributes counts: this one goes first.
                    out.push_str("<img alt=\"");
                    out.push_str(&escape(name.trim()));
                    out.push('"');
                    out.push_str(&t[4..]);
                }
            }
            Piece::Tag(t) | Piece::Text(t) => out.push_str(t),
        }
    }
    sanitize(&out, activity)
}

/// [`sanitize`] for a form: an own picture without an alternative text is refused (others
/// are dropped silently, as the news module does).
pub fn clean_for_store(html: &str, activity: ActivityId) -> Result<String, DomainError> {
    let (clean, without_alt) =
        pictures_checked(&page_rules(activity, None).clean(html).to_string());
    if without_alt > 0 {
        return Err(DomainError::invalid(
            "body",
            "Jedes Bild braucht einen Alternativtext: <img src=\"…\" alt=\"Beschreibung\">.",
        ));
    }
    Ok(clean)
}

/// The stored text as shown: sanitised again (pictures only of the material's `files`, so
/// a removed one leaves no broken picture), formulas as MathML (or, where they cannot be
/// read, a visible error with `error_label` and the formula as written).
pub fn render(html: &str, activity: ActivityId, files: &[Uuid], error_label: &str) -> String {
    let clean = pictures_checked(
        &page_rules(activity, Some(files.to_vec()))
            .clean(html)
            .to_string(),
    )
    .0;
    if !clean.contains("\\(") && !clean.contains("\\[") {
        return clean;
    }
    let label = error_label.to_owned();
    let text = clean.clone();
    let Some(with_math) = on_formula_stack(move || formulas(&text, &label)) else {
        return clean;
    };
    let mut b = page_rules(activity, Some(files.to_vec()));
    b.add_tags(MATHML_TAGS.iter().copied())
        .add_tags(["span"])
        .add_tag_attributes("math", ["display"])
        .add_tag_attributes("span", ["class", "title", "tabindex"])
        .add_tag_attributes("code", ["class"])
        .filter_style_properties(STYLE_PROPERTIES.iter().copied().collect());
    for t in MATHML_TAGS {
        b.add_tag_attributes(t, MATHML_ATTRIBUTES.iter().copied());
    }
    pictures_checked(&b.clean(&with_math).to_string()).0
}

/// The MathML Core elements math-core writes.
const MATHML_TAGS: &[&str] = &[
    "math",
    "mrow",
    "mi",
    "mn",
    "mo",
    "ms",
    "mtext",
    "mspace",
    "msub",
    "msup",
    "msubsup",
    "munder",
    "mover",
    "munderover",
    "mfrac",
    "msqrt",
    "mroot",
    "mstyle",
    "mpadded",
    "mphantom",
    "menclose",
    "merror",
    "mtable",
    "mtr",
    "mtd",
    "mmultiscripts",
    "mprescripts",
    "none",
];

/// Presentation attributes only (no `href`, no event handlers, no `id`).
const MATHML_ATTRIBUTES: &[&str] = &[
    "display",
    "displaystyle",
    "scriptlevel",
    "mathvariant",
    "lspace",
    "rspace",
    "stretchy",
    "symmetric",
    "largeop",
    "movablelimits",
    "accent",
    "accentunder",
    "form",
    "fence",
    "separator",
    "minsize",
    "maxsize",
    "linethickness",
    "notation",
    "width",
    "height",
    "depth",
    "voffset",
    "columnspan",
    "rowspan",
    "class",
    "style",
];

/// The CSS properties math-core's inline styles use; others are dropped.
const STYLE_PROPERTIES: &[&str] = &[
    "color",
    "background-color",
    "font-size",
    "font-variant-caps",
    "margin-left",
    "margin-right",
    "padding-top",
    "padding-bottom",
    "padding-left",
    "padding-right",
    "width",
    "height",
    "min-width",
    "text-align",
    "justify-items",
    "border",
    "border-top",
    "border-bottom",
    "border-left",
    "border-right",
    "vertical-align",
];

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// A piece of serialised HTML: text, or a whole tag.
enum Piece<'a> {
    Text(&'a str),
    Tag(&'a str),
}

/// Splits ammonia's output into text and tags (quote-aware; comments are stripped there).
fn pieces(html: &str) -> Vec<Piece<'_>> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'<' {
            let mut quote = None;
            let mut j = i + 1;
            while j < b.len() {
                match (quote, b[j]) {
                    (None, b'>') => break,
                    (None, q @ (b'"' | b'\'')) => quote = Some(q),
                    (Some(q), c) if c == q => quote = None,
                    _ => {}
                }
                j += 1;
            }
            if j >= b.len() {
                out.push(Piece::Text(&html[i..]));
                break;
            }
            out.push(Piece::Tag(&html[i..=j]));
            i = j + 1;
        } else {
            let j = html[i..].find('<').map_or(b.len(), |k| i + k);
            out.push(Piece::Text(&html[i..j]));
            i = j;
        }
    }
    out
}

/// The element name of a tag and whether it closes.
fn tag_name(tag: &str) -> (String, bool) {
    let inner = tag.trim_start_matches('<');
    let closing = inner.starts_with('/');
    let name: String = inner
        .trim_start_matches('/')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    (name.to_ascii_lowercase(), closing)
}

/// The (raw) value of attribute `name` in a serialised tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let b = tag.as_bytes();
    let mut i = tag.find(|c: char| c.is_whitespace())?;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let start = i;
        while i < b.len() && !matches!(b[i], b'=' | b'>' | b'/') && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        let key = &tag[start..i];
        if key.is_empty() {
            return None;
        }
        let mut value = "";
        if i < b.len() && b[i] == b'=' {
            i += 1;
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let end = tag[i + 1..].find(q as char).map_or(b.len(), |k| i + 1 + k);
                value = &tag[i + 1..end.min(tag.len())];
                i = end + 1;
            } else {
                let s = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                value = &tag[s..i];
            }
        }
        if key.eq_ignore_ascii_case(name) {
            return Some(value);
        }
    }
    None
}

/// Drops pictures without an (own) address or without an alternative text; counts those
/// with an own address but no alternative text.
fn pictures_checked(html: &str) -> (String, usize) {
    if !html.contains("<img") {
        return (html.to_owned(), 0);
    }
    let mut out = String::with_capacity(html.len());
    let mut without_alt = 0;
    for p in pieces(html) {
        match p {
            Piece::Tag(t) if tag_name(t).0 == "img" => {
                let src = attribute(t, "src").is_some_and(|s| !s.is_empty());
                let alt = attribute(t, "alt").is_some_and(|a| !unescape(a).trim().is_empty());
                if src && alt {
                    out.push_str(t);
                } else if src {
                    without_alt += 1;
                }
            }
            Piece::Tag(t) | Piece::Text(t) => out.push_str(t),
        }
    }
    (out, without_alt)
}

/// Replaces formulas in the text (not inside `code` or `pre`) with MathML.
fn formulas(html: &str, error_label: &str) -> String {
    let mut out = String::with_capacity(html.len() * 2);
    let mut verbatim = 0usize;
    for p in pieces(html) {
        match p {
            Piece::Tag(t) => {
                let (name, closing) = tag_name(t);
                if name == "code" || name == "pre" {
                    verbatim = if closing {
                        verbatim.saturating_sub(1)
                    } else {
                        verbatim + 1
                    };
                }
                out.push_str(t);
            }
            Piece::Text(t) if verbatim > 0 => out.push_str(t),
            Piece::Text(t) => formulas_in_text(t, error_label, &mut out),
        }
    }
    out
}

/// One text run (escaped HTML): each `\( … \)` and `\[ … \]` becomes MathML.
fn formulas_in_text(text: &str, error_label: &str, out: &mut String) {
    let mut rest = text;
    while let Some(start) = rest.find(['\\']) {
        let after = &rest[start + 1..];
        let close = match after.as_bytes().first() {
            Some(b'(') => ')',
            Some(b'[') => ']',
            _ => {
                // Not an opening: keep `\` and the next character (so `\\(` stays text).
                let n = 1 + after.chars().next().map_or(0, char::len_utf8);
                out.push_str(&rest[..start + n]);
                rest = &rest[start + n..];
                continue;
            }
        };
        let body_start = start + 2;
        let Some(len) = closing(&rest[body_start..], close) else {
            out.push_str(rest);
            return;
        };
        out.push_str(&rest[..start]);
        let written = &rest[start..body_start + len + 2];
        let latex = unescape(&rest[body_start..body_start + len]);
        let display = if close == ']' {
            MathDisplay::Block
        } else {
            MathDisplay::Inline
        };
        match convert(&latex, display) {
            // A display formula wider than the column scrolls in a box the keyboard can
            // reach (a scrollable region must be focusable).
            Ok(m) if close == ']' => {
                out.push_str("<span class=\"math-block\" tabindex=\"0\">");
                out.push_str(&m);
                out.push_str("</span>");
            }
            Ok(m) => out.push_str(&m),
            Err(message) => {
                out.push_str("<span class=\"math-error\" title=\"");
                out.push_str(&escape(&message));
                out.push_str("\">");
                out.push_str(&escape(error_label));
                out.push_str(": ");
                out.push_str(&escape(&message));
                out.push_str(" <code>");
                // Still escaped as stored.
                out.push_str(written);
                out.push_str("</code></span>");
            }
        }
        rest = &rest[body_start + len + 2..];
    }
    out.push_str(rest);
}

/// The length of a formula up to its closing `\)` or `\]` (`\\` and other commands are
/// skipped as pairs, so `\\` never closes).
fn closing(s: &str, close: char) -> Option<usize> {
    let mut it = s.char_indices();
    while let Some((i, c)) = it.next() {
        if c == '\\' {
            match it.next() {
                Some((_, n)) if n == close => return Some(i),
                Some(_) => {}
                None => return None,
            }
        }
    }
    None
}

static CONVERTER: LazyLock<Option<LatexToMathML>> =
    LazyLock::new(|| LatexToMathML::new(MathCoreConfig::default()).ok());

/// Stack of the thread formulas are converted on: the converter is recursive, and a
/// formula of [`MAX_FORMULA`] bytes nests at most that deep.
const CONVERT_STACK: usize = 64 * 1024 * 1024;

/// Runs `f` on a thread with a stack large enough for any formula within the limits; a
/// panic there becomes `None`.
fn on_formula_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    std::thread::Builder::new()
        .name("formulas".into())
        .stack_size(CONVERT_STACK)
        .spawn(f)
        .ok()?
        .join()
        .ok()
}

/// One formula as MathML, or the reason it cannot be read. Never panics (see [`convert`]).
pub fn to_mathml(latex: &str, display: MathDisplay) -> Result<String, String> {
    let latex = latex.to_owned();
    on_formula_stack(move || convert(&latex, display))
        .unwrap_or_else(|| Err("formula not readable".into()))
}

/// One formula as MathML, or the reason it cannot be read (in English, from the converter;
/// the limits in German and English). Too long or too deeply grouped formulas are refused
/// before the converter sees them and a panic inside it is caught; callers run it on
/// [`on_formula_stack`], whose stack holds the deepest formula within [`MAX_FORMULA`].
fn convert(latex: &str, display: MathDisplay) -> Result<String, String> {
    if latex.len() > MAX_FORMULA {
        return Err(format!(
            "Formel zu lang / formula too long (> {MAX_FORMULA} Zeichen)"
        ));
    }
    if nesting(latex) > MAX_FORMULA_NESTING {
        return Err(format!(
            "Formel zu tief verschachtelt / formula nested too deeply (> {MAX_FORMULA_NESTING})"
        ));
    }
    let Some(conv) = CONVERTER.as_ref() else {
        return Err("converter unavailable".into());
    };
    let result = std::panic::catch_unwind(|| conv.convert_with_local_state(latex, display));
    match result {
        Ok(Ok(r)) => Ok(r.mathml),
        Ok(Err(e)) => Err(e.error_message()),
        Err(_) => Err("formula not readable".into()),
    }
}

/// The deepest nesting of groups: `{ … }`, `\left … \right`, `\begin … \end`.
fn nesting(latex: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let mut chars = latex.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            '\\' => {
                let mut word = String::new();
                while let Some(&n) = chars.peek().filter(|n| n.is_ascii_alphabetic()) {
                    word.push(n);
                    chars.next();
                }
                if word.is_empty() {
                    chars.next();
                }
                match word.as_str() {
                    "left" | "begin" => depth += 1,
                    "right" | "end" => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
            _ => {}
        }
        max = max.max(depth);
    }
    max
}

#[cfg(test)]
#[path = "page_text_tests.rs"]
mod tests;
