//! ENVELOPE, BODYSTRUCTURE and BODY[section] of a stored message, from mail-parser's view of
//! it. Offsets of a nested message (message/rfc822) count from that message's own bytes.

use std::borrow::Cow;
use std::num::NonZeroU32;

use base64::Engine;
use imap_types::body::{
    BasicFields, Body, BodyStructure, Disposition, MultiPartExtensionData, SinglePartExtensionData,
    SpecificFields,
};
use imap_types::core::{AString, IString, NString, Quoted, Vec1};
use imap_types::envelope::{Address, Envelope};
use imap_types::fetch::Section;
use mail_parser::{Address as MpAddress, Message, MessagePart, MimeHeaders, PartType};

/// Any bytes as an IMAP string: quoted when possible, else a literal (NUL bytes, which a
/// literal cannot carry, become spaces).
pub fn istring(bytes: &[u8]) -> IString<'static> {
    let clean: Vec<u8> = if bytes.contains(&0) {
        bytes
            .iter()
            .map(|&b| if b == 0 { b' ' } else { b })
            .collect()
    } else {
        bytes.to_vec()
    };
    IString::try_from(clean).unwrap_or_else(|_| IString::Quoted(Quoted::unvalidated("")))
}

pub fn nstring(bytes: Option<&[u8]>) -> NString<'static> {
    NString(bytes.map(istring))
}

fn nstr(s: Option<&str>) -> NString<'static> {
    nstring(s.map(str::as_bytes))
}

/// A header value as it stands in the message, unfolded.
fn raw_header<'a>(m: &'a Message<'a>, name: &str) -> Option<String> {
    let h = m
        .parts
        .first()?
        .headers
        .iter()
        .find(|h| h.name.as_str().eq_ignore_ascii_case(name))?;
    let raw = m
        .raw_message
        .get(h.offset_start as usize..h.offset_end as usize)?;
    let text = String::from_utf8_lossy(raw);
    let unfolded: String = text.replace("\r\n", "").replace('\n', "");
    Some(unfolded.trim().to_owned())
}

/// Non-ASCII display names are sent as RFC 2047 words, as they would stand in a header.
fn encoded_word(s: &str) -> String {
    if s.is_ascii() {
        s.to_owned()
    } else {
        format!(
            "=?utf-8?b?{}?=",
            base64::engine::general_purpose::STANDARD.encode(s.as_bytes())
        )
    }
}

fn addresses(a: Option<&MpAddress>) -> Vec<Address<'static>> {
    let Some(a) = a else { return Vec::new() };
    a.iter()
        .map(|addr| {
            let email = addr.address.as_deref().unwrap_or("");
            let (local, host) = email.rsplit_once('@').unwrap_or((email, ""));
            Address {
                name: nstr(addr.name.as_deref().map(encoded_word).as_deref()),
                adl: NString::NIL,
                mailbox: nstr(Some(local)),
                host: nstr(if host.is_empty() { None } else { Some(host) }),
            }
        })
        .collect()
}

pub fn envelope(m: &Message) -> Envelope<'static> {
    let from = addresses(m.from());
    let sender = m
        .sender()
        .map_or_else(|| from.clone(), |s| addresses(Some(s)));
    let reply_to = m
        .reply_to()
        .map_or_else(|| from.clone(), |s| addresses(Some(s)));
    Envelope {
        date: nstr(raw_header(m, "Date").as_deref()),
        subject: nstr(raw_header(m, "Subject").as_deref()),
        from,
        sender,
        reply_to,
        to: addresses(m.to()),
        cc: addresses(m.cc()),
        bcc: addresses(m.bcc()),
        in_reply_to: nstr(raw_header(m, "In-Reply-To").as_deref()),
        message_id: nstr(raw_header(m, "Message-ID").as_deref()),
    }
}

fn is(s: &str) -> IString<'static> {
    istring(s.as_bytes())
}

fn params(attrs: Option<&[mail_parser::Attribute]>) -> Vec<(IString<'static>, IString<'static>)> {
    attrs
        .unwrap_or(&[])
        .iter()
        .map(|a| (is(&a.name.to_ascii_uppercase()), is(&a.value)))
        .collect()
}

fn disposition(p: &MessagePart) -> Option<Disposition<'static>> {
    let d = p.content_disposition()?;
    Some(Disposition {
        disposition: Some((is(&d.c_type.to_ascii_uppercase()), params(d.attributes()))),
        tail: None,
    })
}

fn lines(bytes: &[u8]) -> u32 {
    u32::try_from(bytes.iter().filter(|&&b| b == b'\n').count()).unwrap_or(u32::MAX)
}

/// The BODYSTRUCTURE of part `id` of `m`.
pub fn structure(m: &Message, id: usize) -> BodyStructure<'static> {
    let Some(p) = m.parts.get(id) else {
        return empty_text();
    };
    let ct = p.content_type();
    let ctype = ct
        .map_or("text", |c| c.c_type.as_ref())
        .to_ascii_uppercase();
    let subtype = ct
        .and_then(|c| c.c_subtype.as_deref())
        .unwrap_or(if ctype == "TEXT" {
            "plain"
        } else {
            "octet-stream"
        })
        .to_ascii_uppercase();
    if let PartType::Multipart(children) = &p.body {
        let bodies: Vec<BodyStructure<'static>> =
            children.iter().map(|&c| structure(m, c as usize)).collect();
        if let Ok(bodies) = Vec1::try_from(bodies) {
            return BodyStructure::Multi {
                bodies,
                subtype: is(&subtype),
                extension_data: Some(MultiPartExtensionData {
                    parameter_list: params(ct.and_then(|c| c.attributes())),
                    tail: disposition(p),
                }),
            };
        }
        return empty_text();
    }
    let body_bytes = m
        .raw_message
        .get(p.offset_body as usize..p.offset_end as usize)
        .unwrap_or(&[]);
    let mut parameter_list = params(ct.and_then(|c| c.attributes()));
    if ct.is_none() {
        parameter_list.push((is("CHARSET"), is("us-ascii")));
    }
    let basic = BasicFields {
        parameter_list,
        id: nstr(p.content_id()),
        description: nstr(p.content_description()),
        content_transfer_encoding: is(&p
            .content_transfer_encoding()
            .unwrap_or("7bit")
            .to_ascii_uppercase()),
        size: u32::try_from(body_bytes.len()).unwrap_or(u32::MAX),
    };
    let specific = match (&p.body, ctype.as_str()) {
        (PartType::Message(inner), _) => SpecificFields::Message {
            envelope: Box::new(envelope(inner)),
            body_structure: Box::new(structure(inner, 0)),
            number_of_lines: lines(body_bytes),
        },
        (_, "TEXT") => SpecificFields::Text {
            subtype: is(&subtype),
            number_of_lines: lines(body_bytes),
        },
        _ => SpecificFields::Basic {
            r#type: is(&ctype),
            subtype: is(&subtype),
        },
    };
    BodyStructure::Single {
        body: Body { basic, specific },
        extension_data: Some(SinglePartExtensionData {
            md5: NString::NIL,
            tail: disposition(p),
        }),
    }
}

fn empty_text() -> BodyStructure<'static> {
    BodyStructure::Single {
        body: Body {
            basic: BasicFields {
                parameter_list: vec![(is("CHARSET"), is("us-ascii"))],
                id: NString::NIL,
                description: NString::NIL,
                content_transfer_encoding: is("7BIT"),
                size: 0,
            },
            specific: SpecificFields::Text {
                subtype: is("PLAIN"),
                number_of_lines: 0,
            },
        },
        extension_data: None,
    }
}

/// The part a section number names: the message whose bytes hold it, and its index there.
fn locate<'m>(m: &'m Message<'m>, nums: &[NonZeroU32]) -> Option<(&'m Message<'m>, usize)> {
    let (mut msg, mut at) = (m, 0usize);
    for (depth, n) in nums.iter().enumerate() {
        let n = n.get() as usize;
        let part = msg.parts.get(at)?;
        match &part.body {
            PartType::Multipart(children) => at = *children.get(n - 1)? as usize,
            PartType::Message(inner) if depth > 0 || at != 0 => {
                // Part numbers continue into the encapsulated message.
                msg = inner;
                at = 0;
                if let PartType::Multipart(children) = &msg.parts.first()?.body {
                    at = *children.get(n - 1)? as usize;
                } else if n != 1 {
                    return None;
                }
            }
            _ if at == 0 && n == 1 => {}
            _ => return None,
        }
    }
    Some((msg, at))
}

/// The message encapsulated at a part (for `n.HEADER` / `n.TEXT`), or the message itself.
fn inner_message<'m>(m: &'m Message<'m>, nums: Option<&[NonZeroU32]>) -> Option<&'m Message<'m>> {
    let Some(nums) = nums else { return Some(m) };
    let (msg, at) = locate(m, nums)?;
    match &msg.parts.get(at)?.body {
        PartType::Message(inner) => Some(inner),
        _ => None,
    }
}

fn header_block<'m>(m: &'m Message<'m>) -> &'m [u8] {
    let end = m.parts.first().map_or(0, |p| p.offset_body as usize);
    m.raw_message.get(..end).unwrap_or(&[])
}

fn header_fields(m: &Message, names: &[AString], keep: bool) -> Vec<u8> {
    let wanted = |n: &str| {
        names
            .iter()
            .any(|w| w.as_ref().eq_ignore_ascii_case(n.as_bytes()))
    };
    let mut out = Vec::new();
    if let Some(root) = m.parts.first() {
        for h in &root.headers {
            if wanted(h.name.as_str()) == keep
                && let Some(raw) = m
                    .raw_message
                    .get(h.offset_field as usize..h.offset_end as usize)
            {
                out.extend_from_slice(raw);
            }
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// The bytes of BODY[section]; `None` for a section the message does not have.
pub fn section<'m>(m: &'m Message<'m>, section: Option<&Section>) -> Option<Cow<'m, [u8]>> {
    let part_nums = |p: &Option<imap_types::fetch::Part>| p.as_ref().map(|p| p.0.as_ref().to_vec());
    match section {
        None => Some(Cow::Borrowed(m.raw_message.as_ref())),
        Some(Section::Part(p)) => {
            let (msg, at) = locate(m, p.0.as_ref())?;
            let part = msg.parts.get(at)?;
            msg.raw_message
                .get(part.offset_body as usize..part.offset_end as usize)
                .map(Cow::Borrowed)
        }
        Some(Section::Mime(p)) => {
            let (msg, at) = locate(m, p.0.as_ref())?;
            let part = msg.parts.get(at)?;
            msg.raw_message
                .get(part.offset_header as usize..part.offset_body as usize)
                .map(Cow::Borrowed)
        }
        Some(Section::Header(p)) => {
            let msg = inner_message(m, part_nums(p).as_deref())?;
            Some(Cow::Borrowed(header_block(msg)))
        }
        Some(Section::HeaderFields(p, names)) => {
            let msg = inner_message(m, part_nums(p).as_deref())?;
            Some(Cow::Owned(header_fields(msg, names.as_ref(), true)))
        }
        Some(Section::HeaderFieldsNot(p, names)) => {
            let msg = inner_message(m, part_nums(p).as_deref())?;
            Some(Cow::Owned(header_fields(msg, names.as_ref(), false)))
        }
        Some(Section::Text(p)) => {
            let msg = inner_message(m, part_nums(p).as_deref())?;
            let start = header_block(msg).len();
            msg.raw_message.get(start..).map(Cow::Borrowed)
        }
    }
}

/// Parses a stored message; an unparsable one is treated as a plain text body.
pub fn parse(raw: &[u8]) -> Message<'_> {
    mail_parser::MessageParser::default()
        .parse(raw)
        .unwrap_or_else(|| Message {
            raw_message: Cow::Borrowed(raw),
            ..Message::default()
        })
}
