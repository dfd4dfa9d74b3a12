//! The spam filter's verdict written into the message: `X-Spam*` headers on top (any such
//! header that came with the message is removed first — a sender could forge "No"), and
//! spam's subject prefixed with `[SPAM]`.

use super::rspamd::Scan;

const PREFIX: &str = "[SPAM]";

/// Where the header section ends (the empty line's start), or the whole message.
fn head_end(raw: &[u8]) -> usize {
    let crlf = raw.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 2);
    let lf = raw.windows(2).position(|w| w == b"\n\n").map(|p| p + 1);
    match (crlf, lf) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b).unwrap_or(raw.len()),
    }
}

/// The header fields of `head`, each with its folded continuation lines.
fn fields(head: &[u8]) -> Vec<&[u8]> {
    let mut out: Vec<&[u8]> = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < head.len() {
        let end = head[i..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(head.len(), |p| i + p + 1);
        let continues = end < head.len() && matches!(head[end], b' ' | b'\t');
        if !continues {
            out.push(&head[start..end]);
            start = end;
        }
        i = end;
    }
    out
}

fn name_is(field: &[u8], name: &str) -> bool {
    field.len() > name.len()
        && field[..name.len()].eq_ignore_ascii_case(name.as_bytes())
        && field[name.len()] == b':'
}

fn is_spam_header(field: &[u8]) -> bool {
    field.len() >= 6 && field[..6].eq_ignore_ascii_case(b"x-spam")
}

/// The message with the verdict in its headers.
pub(super) fn headers(raw: &[u8], scan: &Scan) -> Vec<u8> {
    let spam = scan.is_spam();
    let end = head_end(raw);
    let (head, body) = raw.split_at(end);
    let mut out = Vec::with_capacity(raw.len() + 256);
    let symbols = scan.symbols.join(", ");
    out.extend_from_slice(
        format!(
            "X-Spam: {}\r\nX-Spam-Score: {:.2} / {:.2}\r\nX-Spam-Action: {}\r\n",
            if spam { "Yes" } else { "No" },
            scan.score,
            scan.required,
            scan.action
        )
        .as_bytes(),
    );
    if !symbols.is_empty() {
        out.extend_from_slice(format!("X-Spam-Symbols: {symbols}\r\n").as_bytes());
    }
    let mut had_subject = false;
    for f in fields(head) {
        if is_spam_header(f) {
            continue;
        }
        if spam && name_is(f, "subject") {
            had_subject = true;
            let value = &f["subject:".len()..];
            let trimmed = value.trim_ascii_start();
            out.extend_from_slice(b"Subject: ");
            if !trimmed.starts_with(PREFIX.as_bytes()) {
                out.extend_from_slice(PREFIX.as_bytes());
                out.push(b' ');
            }
            out.extend_from_slice(trimmed);
            continue;
        }
        out.extend_from_slice(f);
    }
    if spam && !had_subject {
        out.extend_from_slice(format!("Subject: {PREFIX}\r\n").as_bytes());
    }
    out.extend_from_slice(body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(action: &str) -> Scan {
        Scan {
            action: action.into(),
            score: 7.5,
            required: 15.0,
            symbols: vec!["A".into(), "B".into()],
        }
    }

    #[test]
    fn spam_is_marked_and_forged_headers_go() {
        let raw = b"Received: x\r\nX-Spam: No\r\nSubject: Hallo\r\n welt\r\n\r\nX-Spam: body\r\n";
        let out = String::from_utf8(headers(raw, &scan("add header"))).unwrap_or_default();
        assert!(
            out.starts_with("X-Spam: Yes\r\nX-Spam-Score: 7.50 / 15.00\r\n"),
            "{out}"
        );
        assert!(out.contains("Subject: [SPAM] Hallo\r\n welt\r\n"), "{out}");
        assert_eq!(out.matches("X-Spam: ").count(), 2, "{out}");
        assert!(out.ends_with("\r\n\r\nX-Spam: body\r\n"), "{out}");
        let again = headers(out.as_bytes(), &scan("add header"));
        assert_eq!(String::from_utf8_lossy(&again).matches("[SPAM]").count(), 1);
    }

    #[test]
    fn ham_keeps_its_subject() {
        let raw = b"Subject: Hallo\r\n\r\nText";
        let out = String::from_utf8(headers(raw, &scan("no action"))).unwrap_or_default();
        assert!(out.starts_with("X-Spam: No\r\n"), "{out}");
        assert!(out.contains("\r\nSubject: Hallo\r\n\r\nText"), "{out}");
        let none =
            String::from_utf8(headers(b"From: a\r\n\r\nx", &scan("reject"))).unwrap_or_default();
        assert!(none.contains("Subject: [SPAM]\r\n\r\nx"), "{none}");
    }
}
