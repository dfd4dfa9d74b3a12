//! Text of documents for the search index: plain text, HTML, office documents (Word, Excel,
//! PowerPoint, OpenDocument: zipped XML) and PDF. Pure functions, run by the index job.

use std::io::{Cursor, Read};

/// Text beyond this is not indexed.
const MAX_TEXT: usize = 1 << 20;
/// Files larger than this are indexed by name and metadata only.
pub const MAX_INPUT: u64 = 32 << 20;

/// The text of a document, or `None` when its kind has none we read.
pub fn text_of(name: &str, mime: Option<&str>, bytes: &[u8]) -> Option<String> {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let mime = mime.unwrap_or("");
    let text = match ext.as_str() {
        "txt" | "csv" | "md" | "tex" => Some(String::from_utf8_lossy(bytes).into_owned()),
        "html" | "htm" => Some(strip_tags(&String::from_utf8_lossy(bytes))),
        "docx" => zipped_xml(bytes, |n| n == "word/document.xml", b"w:p"),
        "pptx" => zipped_xml(
            bytes,
            |n| n.starts_with("ppt/slides/slide") && n.ends_with(".xml"),
            b"a:p",
        ),
        "xlsx" => zipped_xml(bytes, |n| n == "xl/sharedStrings.xml", b"si"),
        "odt" | "ods" | "odp" => zipped_xml(bytes, |n| n == "content.xml", b"text:p"),
        "pdf" => pdf_extract::extract_text_from_mem(bytes).ok(),
        _ if mime.starts_with("text/") => Some(String::from_utf8_lossy(bytes).into_owned()),
        _ => None,
    }?;
    let mut t: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.len() > MAX_TEXT {
        let mut cut = MAX_TEXT;
        while !t.is_char_boundary(cut) {
            cut -= 1;
        }
        t.truncate(cut);
    }
    Some(t)
}

/// The text content of an HTML document (tags dropped, entities kept as written).
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// The text nodes of the XML parts of a zip whose name `wanted` accepts; `paragraph` ends
/// a paragraph (a space is put in between).
fn zipped_xml(bytes: &[u8], wanted: impl Fn(&str) -> bool, paragraph: &[u8]) -> Option<String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut names: Vec<String> = zip
        .file_names()
        .filter_map(Result::ok)
        .filter(|n| wanted(n))
        .map(|n| n.into_owned())
        .collect();
    names.sort();
    let mut out = String::new();
    for name in names {
        let mut xml = String::new();
        let mut part = zip.by_name(&name).ok()?;
        part.by_ref()
            .take(MAX_INPUT)
            .read_to_string(&mut xml)
            .ok()?;
        xml_text(&xml, paragraph, &mut out);
        if out.len() > MAX_TEXT {
            break;
        }
    }
    Some(out)
}

fn xml_text(xml: &str, paragraph: &[u8], out: &mut String) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(Event::Text(t)) => {
                out.push_str(&t.xml10_content());
            }
            Ok(Event::GeneralRef(r)) => {
                // The five predefined entities; others are skipped.
                let c = match r.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                };
                out.push_str(c);
            }
            Ok(Event::End(e)) if e.name().as_ref().as_bytes() == paragraph => out.push(' '),
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zipped(files: &[(&str, &str)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, body) in files {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .expect("start");
            w.write_all(body.as_bytes()).expect("write");
        }
        w.finish().expect("finish").into_inner()
    }

    #[test]
    fn reads_office_documents_html_and_text() {
        let docx = zipped(&[(
            "word/document.xml",
            "<w:document><w:body><w:p><w:r><w:t>Photosynthese</w:t></w:r></w:p><w:p><w:r><w:t>im Blatt</w:t></w:r></w:p></w:body></w:document>",
        )]);
        assert_eq!(
            text_of("Bio.docx", None, &docx).as_deref(),
            Some("Photosynthese im Blatt")
        );
        let odt = zipped(&[(
            "content.xml",
            "<office:document-content><text:p>Bruchrechnung</text:p><text:p>üben</text:p></office:document-content>",
        )]);
        assert_eq!(
            text_of("Mathe.odt", None, &odt).as_deref(),
            Some("Bruchrechnung üben")
        );
        assert_eq!(
            text_of("a.html", None, b"<p>Hallo <b>Welt</b></p>").as_deref(),
            Some("Hallo Welt")
        );
        assert_eq!(
            text_of("a.txt", None, "Grüße".as_bytes()).as_deref(),
            Some("Grüße")
        );
        assert_eq!(text_of("bild.png", Some("image/png"), b"\x89PNG"), None);
        assert!(
            text_of("kaputt.docx", None, b"not a zip").is_none(),
            "a broken file yields no text, no panic"
        );
    }
}
