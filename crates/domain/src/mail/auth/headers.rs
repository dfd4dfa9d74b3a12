//! Header surgery for incoming mail: an `Authentication-Results` header that claims to come
//! from us, but arrived with the message, is a forgery and goes (RFC 8601 §5).

use std::borrow::Cow;

const NAME: &[u8] = b"authentication-results";

/// Where the header ends: the index of its empty line (or the end of a message without body).
fn header_end(raw: &[u8]) -> usize {
    let mut i = 0;
    while i < raw.len() {
        let line_end = raw[i..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(raw.len(), |p| i + p + 1);
        let line = &raw[i..line_end];
        if line == b"\r\n" || line == b"\n" {
            return i;
        }
        i = line_end;
    }
    raw.len()
}

/// The authserv-id of an `Authentication-Results` value: the first word after comments.
fn authserv_id(value: &[u8]) -> &[u8] {
    let mut i = 0;
    let mut depth = 0u32;
    while i < value.len() {
        match value[i] {
            b'(' => depth += 1,
            b')' if depth > 0 => depth -= 1,
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ if depth > 0 => {}
            _ => break,
        }
        i += 1;
    }
    let rest = &value[i..];
    let end = rest
        .iter()
        .position(|b| matches!(b, b';' | b' ' | b'\t' | b'\r' | b'\n' | b'('))
        .unwrap_or(rest.len());
    &rest[..end]
}

/// Whether a header field (with its continuation lines) is a result claiming `ours`.
fn claims(field: &[u8], ours: &[u8]) -> bool {
    let Some(colon) = field.iter().position(|&b| b == b':') else {
        return false;
    };
    let id = authserv_id(&field[colon + 1..]);
    let id = id.strip_suffix(b".").unwrap_or(id);
    field[..colon].trim_ascii_end().eq_ignore_ascii_case(NAME) && id.eq_ignore_ascii_case(ours)
}

/// Where our results go: after the `Received` field that opens the message (the trace the
/// MX just added, so both tell of the same hop), else at the very top.
pub fn results_at(raw: &[u8]) -> usize {
    if raw.len() < 9 || !raw[..9].eq_ignore_ascii_case(b"received:") {
        return 0;
    }
    let mut i = 0;
    loop {
        let line_end = raw[i..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(raw.len(), |p| i + p + 1);
        i = line_end;
        if i >= raw.len() || !matches!(raw[i], b' ' | b'\t') {
            return i;
        }
    }
}

/// `raw` without the `Authentication-Results` headers whose authserv-id is `ours`.
pub fn strip_forged<'a>(raw: &'a [u8], ours: &str) -> Cow<'a, [u8]> {
    let ours = ours.trim_end_matches('.').as_bytes();
    let end = header_end(raw);
    let head = &raw[..end];
    // Fields: a line that does not start with white space begins one.
    let mut fields: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < head.len() {
        let line_end = head[i..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(head.len(), |p| i + p + 1);
        match fields.last_mut() {
            Some(f) if matches!(head[i], b' ' | b'\t') => f.1 = line_end,
            _ => fields.push((i, line_end)),
        }
        i = line_end;
    }
    if !fields.iter().any(|&(s, e)| claims(&head[s..e], ours)) {
        return Cow::Borrowed(raw);
    }
    let mut out = Vec::with_capacity(raw.len());
    for &(s, e) in &fields {
        if !claims(&head[s..e], ours) {
            out.extend_from_slice(&head[s..e]);
        }
    }
    out.extend_from_slice(&raw[end..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forged_results_of_ours_go_and_others_stay() {
        let raw = b"Received: from x\r\n\tby y\r\nAuthentication-Results: MX.Schule.test;\r\n\tspf=pass; dkim=pass\r\nauthentication-results : (comment) mx.schule.test; none\r\nAuthentication-Results: mx.schule.test.example; spf=pass\r\nAuthentication-Results: other.example; dkim=fail\r\nSubject: Hallo\r\n\r\nAuthentication-Results: mx.schule.test; body stays\r\n";
        let out = strip_forged(raw, "mx.schule.test");
        let text = String::from_utf8_lossy(&out);
        assert_eq!(
            text,
            "Received: from x\r\n\tby y\r\nAuthentication-Results: mx.schule.test.example; spf=pass\r\nAuthentication-Results: other.example; dkim=fail\r\nSubject: Hallo\r\n\r\nAuthentication-Results: mx.schule.test; body stays\r\n"
        );
    }

    #[test]
    fn results_go_below_the_opening_trace_header() {
        let raw = b"Received: from a\r\n\tby b;\r\n\tdate\r\nSubject: x\r\n\r\nbody";
        assert_eq!(&raw[results_at(raw)..], b"Subject: x\r\n\r\nbody");
        assert_eq!(results_at(b"Subject: x\r\n\r\n"), 0);
        assert_eq!(results_at(b"Received: x"), 11);
    }

    #[test]
    fn a_message_without_forgery_is_not_copied() {
        let raw = b"Subject: x\r\n\r\nbody";
        assert!(matches!(strip_forged(raw, "mx"), Cow::Borrowed(_)));
        assert!(matches!(strip_forged(b"", "mx"), Cow::Borrowed(_)));
        assert_eq!(
            authserv_id(b" (c (nested)) host.example; spf=pass"),
            b"host.example"
        );
        assert_eq!(authserv_id(b"host"), b"host");
    }
}
