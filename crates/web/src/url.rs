//! Small URL helpers: percent-encoding for query values and path segments, reading one
//! query parameter, and checking that a "back to" target stays on this site.

/// Percent-encodes everything except the unreserved characters of RFC 3986.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` and `+` (as sent by HTML forms); invalid sequences are kept as they are.
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The decoded value of `name` in a query string.
pub fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| decode(v))
}

/// Every `name=value` pair of a query string or form body, decoded, in order. Serde's
/// form decoding takes one value per name; checkbox lists repeat the name.
pub fn pairs(encoded: &str) -> Vec<(String, String)> {
    encoded
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// The decoded values of every `name` in a query string or form body.
pub fn all_values(encoded: Option<&str>, name: &str) -> Vec<String> {
    pairs(encoded.unwrap_or(""))
        .into_iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v)
        .collect()
}

/// A path on this site: starts with one `/`, not `//` or `/\` (which browsers treat as
/// another host), and has no control characters. Anything else becomes `/`.
pub fn local_path(target: &str) -> &str {
    let ok = target.starts_with('/')
        && !target.starts_with("//")
        && !target.starts_with("/\\")
        && !target.chars().any(|c| c.is_control() || c == '\\');
    if ok { target } else { "/" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_foreign_targets() {
        let s = "/verwaltung/benutzer?q=müller & co";
        assert_eq!(decode(&encode(s)), s);
        assert_eq!(decode("a+b%2Fc%zz"), "a b/c%zz");
        assert_eq!(local_path("/konto"), "/konto");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "konto",
            "",
        ] {
            assert_eq!(local_path(bad), "/", "{bad}");
        }
        assert_eq!(
            query_param(Some("ok=saved&x=1"), "ok").as_deref(),
            Some("saved")
        );
        assert_eq!(query_param(Some("q="), "q").as_deref(), Some(""));
        assert_eq!(query_param(None, "q"), None);
        assert_eq!(
            all_values(Some("skip=a%20b&x=1&skip=c&skip"), "skip"),
            vec!["a b", "c", ""]
        );
        assert_eq!(pairs("a=1&&b")[1], ("b".to_owned(), String::new()));
    }
}
