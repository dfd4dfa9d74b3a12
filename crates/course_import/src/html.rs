//! Finding file references in imported HTML and replacing them. A byte scanner rather than an
//! HTML parser: the HTML is passed on unchanged apart from the replaced references, and all
//! positions cut at are ASCII bytes, so the text stays valid UTF-8.

/// `html` with each `token` reference (`@@PLUGINFILE@@/a/b.png?x=1`) replaced by what `f`
/// gives for the text after the token (up to a quote, space, `<`, `>` or `)`); kept if `None`.
pub(crate) fn replace_token_refs(
    html: &str,
    token: &str,
    mut f: impl FnMut(&str) -> Option<String>,
) -> String {
    if token.is_empty() {
        return html.to_owned();
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(token) {
        out.push_str(&rest[..i]);
        let after = &rest[i + token.len()..];
        let end = after
            .find(|c: char| matches!(c, '"' | '\'' | '<' | '>' | ')') || c.is_whitespace())
            .unwrap_or(after.len());
        match f(&after[..end]) {
            Some(rep) => out.push_str(&rep),
            None => {
                out.push_str(token);
                out.push_str(&after[..end]);
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// `html` with the values of `src` and `href` attributes replaced by what `f` gives for them
/// (with `&amp;` decoded); kept if `None`.
pub(crate) fn rewrite_attr_urls(html: &str, mut f: impl FnMut(&str) -> Option<String>) -> String {
    let b = html.as_bytes();
    let mut out = String::with_capacity(html.len());
    let mut copied = 0;
    let mut i = 1;
    while i < b.len() {
        let Some((start, end, next)) = attr_value_at(b, i) else {
            i += 1;
            continue;
        };
        if let Some(rep) = f(&html[start..end].replace("&amp;", "&")) {
            out.push_str(&html[copied..start]);
            out.push_str(&rep);
            copied = end;
        }
        i = next.max(i + 1);
    }
    out.push_str(&html[copied..]);
    out
}

/// If an `src=` or `href=` attribute starts at `i`: the value's byte range and where to go on.
fn attr_value_at(b: &[u8], i: usize) -> Option<(usize, usize, usize)> {
    if !b.get(i.checked_sub(1)?)?.is_ascii_whitespace() {
        return None;
    }
    let rest = b.get(i..)?;
    let name_len = [&b"src"[..], b"href"]
        .iter()
        .find(|n| rest.len() >= n.len() && rest[..n.len()].eq_ignore_ascii_case(n))?
        .len();
    let mut j = i + name_len;
    while b.get(j)?.is_ascii_whitespace() {
        j += 1;
    }
    if *b.get(j)? != b'=' {
        return None;
    }
    j += 1;
    while b.get(j)?.is_ascii_whitespace() {
        j += 1;
    }
    match *b.get(j)? {
        q @ (b'"' | b'\'') => {
            let start = j + 1;
            let end = start + b.get(start..)?.iter().position(|c| *c == q)?;
            Some((start, end, end + 1))
        }
        _ => {
            let end = j + b[j..]
                .iter()
                .position(|c| c.is_ascii_whitespace() || *c == b'>')
                .unwrap_or(b.len() - j);
            Some((j, end, end))
        }
    }
}

/// The part of a reference naming the file: without `?query` and `#fragment`.
pub(crate) fn strip_query(reference: &str) -> &str {
    let end = reference.find(['?', '#']).unwrap_or(reference.len());
    &reference[..end]
}

/// Whether `url` is relative to the current file (no scheme, not `//host`, `/path` or `#x`).
pub(crate) fn is_relative(url: &str) -> bool {
    let url = url.trim();
    if url.is_empty() || url.starts_with(['#', '/']) {
        return false;
    }
    match url.find(':') {
        // A colon before any slash means a scheme (http:, mailto:, javascript:, data:).
        Some(c) => url[..c].contains('/'),
        None => true,
    }
}

/// The inside of `<body>…</body>` if `html` is a whole document, else `html`.
pub(crate) fn body_of(html: &str) -> &str {
    let lower = html.to_ascii_lowercase();
    let Some(open) = lower.find("<body") else {
        return html;
    };
    let Some(gt) = lower[open..].find('>') else {
        return html;
    };
    let start = open + gt + 1;
    let end = lower[start..]
        .find("</body")
        .map_or(html.len(), |e| start + e);
    html[start..end].trim()
}

/// An outside address made safe to link to: http, https, ftp and mailto only; a bare
/// `www.example.org` becomes `http://…` as Moodle shows it. `None` for anything else
/// (`javascript:`, `data:` …).
pub(crate) fn safe_url(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() || url.chars().any(char::is_control) {
        return None;
    }
    let lower = url.to_ascii_lowercase();
    if ["http://", "https://", "ftp://", "mailto:"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return Some(url.to_owned());
    }
    if is_relative(url) && !url.starts_with('.') {
        return Some(format!("http://{url}"));
    }
    None
}
