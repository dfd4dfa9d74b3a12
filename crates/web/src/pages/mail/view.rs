//! A stored message read for display: its headers, the text or HTML body and the list of
//! attachments. mail-parser does the MIME work and stays lenient with broken mail; what it
//! cannot read is left empty rather than failing the page.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, TimeZone, Utc};
use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders, PartType};

/// One attachment: its position among the message's attachments (the download's number).
#[derive(Clone, Debug)]
pub struct Part {
    pub index: usize,
    pub name: String,
    pub mime: String,
    pub size: u64,
    /// Shown inside the HTML body, not as a separate file.
    pub inline: bool,
}

#[derive(Clone, Debug, Default)]
pub struct View {
    pub from: String,
    pub reply_to: Option<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    /// Only in the sender's own copy (Sent, Drafts).
    pub bcc: Vec<String>,
    pub subject: String,
    pub date: Option<DateTime<Utc>>,
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub text: Option<String>,
    pub html: Option<String>,
    pub parts: Vec<Part>,
}

/// Each address as `Name <addr>` (or only `addr`).
fn addresses(a: Option<&Address<'_>>) -> Vec<String> {
    let Some(a) = a else { return Vec::new() };
    a.iter()
        .filter_map(|x| {
            let addr = x.address()?;
            Some(match x.name() {
                Some(n) if !n.trim().is_empty() && n != addr => format!("{n} <{addr}>"),
                _ => addr.to_owned(),
            })
        })
        .collect()
}

fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(l) => l.iter().map(|t| t.to_string()).collect(),
        _ => Vec::new(),
    }
}

/// Reads a raw message; `None` when it is not a message at all.
pub fn parse(raw: &[u8]) -> Option<View> {
    let m = MessageParser::default().parse(raw)?;
    let mut v = View {
        from: addresses(m.from()).join(", "),
        reply_to: m
            .reply_to()
            .and_then(|a| a.first()?.address().map(str::to_owned)),
        to: addresses(m.to()),
        cc: addresses(m.cc()),
        bcc: addresses(m.bcc()),
        subject: m.subject().unwrap_or("").to_owned(),
        date: m
            .date()
            .and_then(|d| Utc.timestamp_opt(d.to_timestamp(), 0).single()),
        message_id: m.message_id().map(str::to_owned),
        in_reply_to: ids(m.in_reply_to()).into_iter().next(),
        references: ids(m.references()),
        ..View::default()
    };
    // A real HTML part only: mail-parser also lists a text part among the HTML bodies
    // when there is no HTML alternative.
    v.html = m.html_bodies().find_map(|p| match &p.body {
        PartType::Html(h) => Some(h.to_string()),
        _ => None,
    });
    v.text = m
        .text_bodies()
        .find_map(|p| match &p.body {
            PartType::Text(t) => Some(t.to_string()),
            _ => None,
        })
        .or_else(|| m.body_text(0).map(|t| t.into_owned()));
    v.parts = m
        .attachments()
        .enumerate()
        .map(|(index, p)| {
            let mime = p.content_type().map_or_else(
                || "application/octet-stream".to_owned(),
                |c| match c.subtype() {
                    Some(s) => format!("{}/{}", c.ctype(), s),
                    None => c.ctype().to_owned(),
                },
            );
            // A picture of the HTML body rather than a file of its own.
            let inline =
                p.content_disposition().is_some_and(|d| d.is_inline()) && p.content_id().is_some();
            Part {
                index,
                name: p
                    .attachment_name()
                    .map(str::to_owned)
                    .unwrap_or_else(|| format!("anhang-{}", index + 1)),
                mime: mime.to_ascii_lowercase(),
                size: p.contents().len() as u64,
                inline,
            }
        })
        .collect();
    Some(v)
}

/// The bytes and description of attachment `index`.
pub fn attachment(raw: &[u8], index: usize) -> Option<(Part, Vec<u8>)> {
    let part = parse(raw)?.parts.into_iter().nth(index)?;
    let m = MessageParser::default().parse(raw)?;
    let bytes = m.attachments().nth(index)?.contents().to_vec();
    Some((part, bytes))
}

/// Pictures larger than this are not put inline into the HTML body.
const MAX_INLINE: usize = 5 * 1024 * 1024;

/// The message's own pictures by `Content-ID`, as `data:` URLs: the sandboxed frame of the
/// HTML body has no session to fetch them with, and needs none this way.
pub fn inline_images(raw: &[u8]) -> HashMap<String, String> {
    let Some(m) = MessageParser::default().parse(raw) else {
        return HashMap::new();
    };
    m.attachments()
        .filter_map(|p| {
            let cid = p
                .content_id()?
                .trim_matches(|c| c == '<' || c == '>')
                .to_owned();
            let c = p.content_type()?;
            let mime = format!("{}/{}", c.ctype(), c.subtype()?).to_ascii_lowercase();
            let bytes = p.contents();
            let ok =
                ["image/png", "image/jpeg", "image/gif", "image/webp"].contains(&mime.as_str());
            (ok && bytes.len() <= MAX_INLINE).then(|| {
                (
                    cid,
                    format!("data:{mime};base64,{}", STANDARD.encode(bytes)),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIXED: &str = "From: Lena Lehmann <lena@x.de>\r\nTo: a@x.de, \"B\" <b@x.de>\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\nMessage-ID: <1@x.de>\r\nReferences: <0@x.de>\r\nDate: Thu, 03 Dec 2026 13:05:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHallo <du>\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"Blatt.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0x\r\n--b--\r\n";

    #[test]
    fn headers_body_and_attachments_are_read() {
        let v = parse(MIXED.as_bytes()).expect("parsed");
        assert_eq!(v.subject, "Grüße");
        assert_eq!(v.from, "Lena Lehmann <lena@x.de>");
        assert_eq!(v.to, vec!["a@x.de".to_owned(), "B <b@x.de>".to_owned()]);
        assert_eq!(v.text.as_deref().map(str::trim), Some("Hallo <du>"));
        assert!(v.html.is_none());
        assert_eq!(v.references, vec!["0@x.de".to_owned()]);
        assert_eq!(v.parts.len(), 1);
        assert_eq!(v.parts[0].name, "Blatt.pdf");
        assert_eq!(v.parts[0].mime, "application/pdf");
        let (_, bytes) = attachment(MIXED.as_bytes(), 0).expect("attachment");
        assert_eq!(bytes, b"%PDF-1");
        assert!(attachment(MIXED.as_bytes(), 1).is_none());
    }
}
