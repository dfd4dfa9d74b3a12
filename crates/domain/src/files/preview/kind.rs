//! What kind of preview a file gets, from its name and type: the name's extension first
//! (the type is what the uploading client claimed), the type where the name says nothing.

/// How a file is shown in the browser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An `<img>`, served with this (harmless) type.
    Image(&'static str),
    /// Drawn by pdf.js.
    Pdf,
    /// Escaped text in a `<pre>`.
    Text,
    /// Rendered on the server, raw HTML escaped.
    Markdown,
    /// Converted to PDF by LibreOffice, where installed.
    Office,
    /// Only downloaded (SVG among them: it may carry scripts).
    None,
}

/// Images shown inline up to this size; larger ones are only downloaded.
pub const IMAGE_MAX: u64 = 25_000_000;
/// PDFs drawn in the browser up to this size.
pub const PDF_MAX: u64 = 100_000_000;
/// Office documents converted up to this size.
pub const OFFICE_MAX: u64 = 30_000_000;
/// Of text and Markdown, this much is shown.
pub const TEXT_SHOWN: u64 = 256 * 1024;

const IMAGES: &[(&str, &str)] = &[
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("avif", "image/avif"),
    ("bmp", "image/bmp"),
];

const TEXTS: &[&str] = &[
    "txt", "text", "csv", "tsv", "log", "json", "xml", "html", "htm", "css", "js", "py", "java",
    "c", "h", "cpp", "rs", "yaml", "yml", "toml", "ini", "sql", "sh", "tex", "ics", "vcf",
];

const MARKDOWN: &[&str] = &["md", "markdown"];

const OFFICE: &[&str] = &[
    "doc", "docx", "dot", "dotx", "odt", "ott", "fodt", "rtf", "xls", "xlsx", "ods", "ots", "fods",
    "ppt", "pptx", "pps", "ppsx", "odp", "otp", "fodp", "odg",
];

/// The extension of a name, in lower case (`None` for names without one).
pub fn extension(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then(|| ext.to_ascii_lowercase())
}

/// The kind of preview, ignoring size.
pub fn kind_of(name: &str, mime: Option<&str>) -> Kind {
    let mime = mime
        .map(|m| {
            m.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    if mime == "image/svg+xml" {
        return Kind::None;
    }
    if let Some(ext) = extension(name) {
        let ext = ext.as_str();
        if let Some((_, m)) = IMAGES.iter().find(|(e, _)| *e == ext) {
            return Kind::Image(m);
        }
        if ext == "pdf" {
            return Kind::Pdf;
        }
        if MARKDOWN.contains(&ext) {
            return Kind::Markdown;
        }
        if TEXTS.contains(&ext) {
            return Kind::Text;
        }
        if OFFICE.contains(&ext) {
            return Kind::Office;
        }
        if ext == "svg" || ext == "svgz" {
            return Kind::None;
        }
    }
    by_type(&mime)
}

fn by_type(mime: &str) -> Kind {
    match mime {
        "application/pdf" => Kind::Pdf,
        "text/markdown" => Kind::Markdown,
        "text/plain" | "text/csv" => Kind::Text,
        m => IMAGES
            .iter()
            .find(|(_, t)| *t == m)
            .map_or(Kind::None, |(_, t)| Kind::Image(t)),
    }
}

/// The kind of preview a file of this size gets: too large ones are only downloaded
/// (text and Markdown show their beginning).
pub fn kind_sized(name: &str, mime: Option<&str>, size: u64) -> Kind {
    match kind_of(name, mime) {
        Kind::Image(_) if size > IMAGE_MAX => Kind::None,
        Kind::Pdf if size > PDF_MAX => Kind::None,
        Kind::Office if size > OFFICE_MAX => Kind::None,
        k => k,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_decides_before_the_claimed_type() {
        assert_eq!(kind_of("Foto.JPG", None), Kind::Image("image/jpeg"));
        assert_eq!(
            kind_of("bild.png", Some("text/html")),
            Kind::Image("image/png")
        );
        assert_eq!(kind_of("Skript.pdf", None), Kind::Pdf);
        assert_eq!(kind_of("README.md", None), Kind::Markdown);
        assert_eq!(kind_of("notiz.txt", None), Kind::Text);
        assert_eq!(kind_of("seite.html", Some("text/html")), Kind::Text);
        assert_eq!(kind_of("Brief.docx", None), Kind::Office);
        assert_eq!(kind_of("Noten.ods", None), Kind::Office);
        assert_eq!(kind_of("scan", Some("application/pdf")), Kind::Pdf);
        assert_eq!(
            kind_of("bild", Some("image/webp")),
            Kind::Image("image/webp")
        );
        assert_eq!(kind_of("archiv.zip", None), Kind::None);
        assert_eq!(kind_of(".png", None), Kind::None);
    }

    #[test]
    fn svg_is_never_shown_inline() {
        assert_eq!(kind_of("logo.svg", None), Kind::None);
        assert_eq!(kind_of("logo.png", Some("image/svg+xml")), Kind::None);
        assert_eq!(kind_of("logo", Some("image/svg+xml")), Kind::None);
    }

    #[test]
    fn large_files_are_only_downloaded() {
        assert_eq!(kind_sized("a.png", None, IMAGE_MAX + 1), Kind::None);
        assert_eq!(kind_sized("a.pdf", None, PDF_MAX), Kind::Pdf);
        assert_eq!(kind_sized("a.docx", None, OFFICE_MAX + 1), Kind::None);
        assert_eq!(kind_sized("a.txt", None, u64::MAX), Kind::Text);
    }
}
