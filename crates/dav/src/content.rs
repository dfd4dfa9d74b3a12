//! User bytes served over WebDAV stay inert in the platform's origin: a browser that opens
//! `/dav/files/…/evil.html` with the session of the person who follows the link must
//! neither render nor run it (the same rule as every download, see
//! [`schulhof_front::files::mark_user_content`]).

use axum::http::{Method, Response};

/// Marks every WebDAV answer as sandboxed; a file's content (GET/HEAD) also as a download
/// under its own name.
pub fn harden<B>(method: &Method, path: &str, resp: &mut Response<B>) {
    let is_content = (method == Method::GET || method == Method::HEAD)
        && resp.status().is_success()
        && !path.ends_with('/');
    let name = is_content.then(|| last_segment(path));
    schulhof_front::files::mark_user_content(resp.headers_mut(), name.as_deref());
}

/// The decoded last segment of a request path (the file's name).
fn last_segment(path: &str) -> String {
    let raw = path.rsplit('/').next().unwrap_or_default();
    let mut bytes = Vec::with_capacity(raw.len());
    let mut rest = raw.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        let hex = tail
            .get(..2)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(v)) => {
                bytes.push(v);
                rest = &tail[2..];
            }
            _ => {
                bytes.push(b);
                rest = tail;
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_decoded_from_the_path() {
        assert_eq!(
            last_segment("/dav/files/unterricht/%C3%9Cbung%201.html"),
            "Übung 1.html"
        );
        assert_eq!(last_segment("/dav/files/a/b%2"), "b%2");
    }

    #[test]
    fn file_contents_become_sandboxed_downloads() {
        let mut r = Response::new(());
        harden(&Method::GET, "/dav/files/eigene-dateien/evil.html", &mut r);
        let h = r.headers();
        assert_eq!(h["content-security-policy"], "sandbox; default-src 'none'");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert!(
            h["content-disposition"]
                .to_str()
                .is_ok_and(|v| v.starts_with("attachment;"))
        );
        let mut listing = Response::new(());
        harden(
            &Method::from_bytes(b"PROPFIND").expect("method"),
            "/dav/files/",
            &mut listing,
        );
        assert!(listing.headers().get("content-disposition").is_none());
        assert_eq!(
            listing.headers()["content-security-policy"],
            "sandbox; default-src 'none'"
        );
    }
}
