//! What the platform reads from a message once, when it enters: the envelope for lists and
//! search, and the text for full-text search. Broken MIME still yields a message: mail-parser
//! is lenient, and whatever cannot be read stays empty.

use chrono::{DateTime, Utc};
use mail_parser::{Address, MessageParser};

/// Searchable text kept per content, at most this many bytes.
const MAX_TEXT: usize = 64 * 1024;
/// Characters of the body shown under the subject in lists.
const PREVIEW: usize = 160;

#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub subject: String,
    pub from_addr: String,
    pub from_name: String,
    pub to: String,
    pub cc: String,
    pub message_id: String,
    pub sent_at: Option<DateTime<Utc>>,
    pub has_attachments: bool,
    pub preview: String,
    /// Lower-case text of subject, addresses and text bodies, for search.
    pub text: String,
}

/// `Name <addr>, …` of an address header.
fn list(a: Option<&Address<'_>>) -> String {
    let Some(a) = a else { return String::new() };
    a.iter()
        .filter_map(|x| {
            let addr = x.address()?;
            Some(match x.name() {
                Some(n) if !n.is_empty() => format!("{n} <{addr}>"),
                _ => addr.to_owned(),
            })
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Reads the envelope and text of a raw RFC 5322 message.
pub fn summarise(raw: &[u8]) -> Summary {
    let Some(m) = MessageParser::default().parse(raw) else {
        return Summary::default();
    };
    let from = m.from().and_then(|a| a.first());
    let body: String = m.body_text(0).map(|b| b.into_owned()).unwrap_or_default();
    let preview: String = body
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(PREVIEW)
        .collect();
    let mut s = Summary {
        subject: m.subject().unwrap_or_default().to_owned(),
        from_addr: from
            .and_then(|f| f.address())
            .unwrap_or_default()
            .to_lowercase(),
        from_name: from.and_then(|f| f.name()).unwrap_or_default().to_owned(),
        to: list(m.to()),
        cc: list(m.cc()),
        message_id: m.message_id().unwrap_or_default().to_owned(),
        sent_at: m
            .date()
            .and_then(|d| DateTime::from_timestamp(d.to_timestamp(), 0)),
        has_attachments: m.attachment_count() > 0,
        preview,
        text: String::new(),
    };
    let mut text = format!(
        "{}\n{} {}\n{}\n{}\n",
        s.subject, s.from_name, s.from_addr, s.to, s.cc
    );
    for i in 0..m.text_body.len() {
        if text.len() >= MAX_TEXT {
            break;
        }
        if let Some(t) = m.body_text(i) {
            text.push_str(&t);
            text.push('\n');
        }
    }
    s.text = cut(&text, MAX_TEXT).to_lowercase();
    s.subject = cut(&s.subject, 998).to_owned();
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_envelope_and_text() {
        let raw = b"From: Anna Lehrer <Anna@Example.org>\r\nTo: Bob <bob@x.de>, c@y.de\r\nSubject: =?utf-8?q?Pr=C3=BCfung?=\r\nMessage-ID: <1@x>\r\nDate: Tue, 1 Dec 2026 10:00:00 +0100\r\n\r\nHallo   Welt\r\n";
        let s = summarise(raw);
        assert_eq!(s.subject, "Prüfung");
        assert_eq!(s.from_addr, "anna@example.org");
        assert_eq!(s.from_name, "Anna Lehrer");
        assert_eq!(s.to, "Bob <bob@x.de>, c@y.de");
        assert_eq!(s.message_id, "1@x");
        assert_eq!(s.preview, "Hallo Welt");
        assert!(s.text.contains("prüfung") && s.text.contains("hallo"));
        assert!(s.sent_at.is_some());
    }

    #[test]
    fn garbage_yields_an_empty_summary_not_a_panic() {
        for raw in [
            &b""[..],
            b"\xff\xfe\x00",
            b"Subject: x\r\nContent-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n",
        ] {
            let _ = summarise(raw);
        }
    }
}
