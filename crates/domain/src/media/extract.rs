//! Text of documents for the search index: plain text, HTML, office documents (Word, Excel,
//! PowerPoint, OpenDocument: zipped XML) and PDF. Pure functions, run by the index job.

use std::io::{Cursor, Read};

use super::pdf_guard;

/// Text beyond this is not indexed.
const MAX_TEXT: usize = 1 << 20;
/// Files larger than this are indexed by name and metadata only.
pub const MAX_INPUT: u64 = 32 << 20;

/// The stack of the thread that parses a PDF (address space, used only as deep as the
/// parser goes): the parser recurses, and [`pdf_guard`] only lets files through whose
/// nesting stays well below what this holds (about 4,000 levels even unoptimised).
const PDF_STACK: usize = 128 << 20;

/// A PDF's text, if the file passes [`pdf_guard`]; parsed on its own thread with a large
/// stack, and a panic in the parser only costs this file its text.
fn pdf_text(bytes: &[u8]) -> Option<String> {
    if !pdf_guard::parse_is_safe(bytes) {
        return None;
    }
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(PDF_STACK)
            .spawn_scoped(s, || pdf_extract::extract_text_from_mem(bytes).ok())
            .ok()?
            .join()
            .ok()?
    })
}

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
        "pdf" => pdf_text(bytes),
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

#[cfg(test)]
mod pdf_tests {
    /// A minimal PDF with an xref table; `extra` goes into the trailer dictionary.
    fn pdf_with_trailer(extra: &str) -> Vec<u8> {
        let head = "%PDF-1.4\n";
        let o1 = "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n";
        let o2 = "2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n";
        let (a, b) = (head.len(), head.len() + o1.len());
        let xref = b + o2.len();
        format!(
            "{head}{o1}{o2}xref\n0 3\n0000000000 65535 f \n{a:010} 00000 n \n{b:010} 00000 n \ntrailer\n<< /Size 3 /Root 1 0 R /X {extra} >>\nstartxref\n{xref}\n%%EOF\n"
        )
        .into_bytes()
    }

    #[test]
    fn a_deeply_nested_pdf_yields_no_text_and_no_crash() {
        for depth in [100, 5_000, 1_000_000] {
            let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            let pdf = pdf_with_trailer(&deep);
            // On a thread with the runtime's blocking-pool stack (2 MiB): an overflow would
            // abort this test process instead of failing it.
            let text = std::thread::Builder::new()
                .stack_size(2 << 20)
                .spawn(move || super::text_of("tief.pdf", None, &pdf))
                .expect("thread")
                .join()
                .expect("no panic");
            assert_eq!(text, None, "{depth}");
        }
        let shallow = pdf_with_trailer("[[1] [2]]");
        assert!(super::pdf_guard::parse_is_safe(&shallow));
    }
}
