//! Texts of the preview pages: (key, German, English).

pub const PREVIEW_TEXTS: &[(&str, &str, &str)] = &[
    ("preview.link", "Vorschau", "Preview"),
    ("preview.title", "Vorschau: {name}", "Preview: {name}"),
    ("preview.region", "Vorschau", "Preview"),
    ("preview.download", "Herunterladen", "Download"),
    (
        "preview.details",
        "Details und Versionen",
        "Details and versions",
    ),
    (
        "preview.none",
        "Keine Vorschau — bitte herunterladen.",
        "No preview — please download.",
    ),
    (
        "preview.truncated",
        "Die Vorschau zeigt nur den Anfang der Datei. Herunterladen für den ganzen Inhalt.",
        "The preview shows only the beginning of the file. Download it for the whole content.",
    ),
    (
        "preview.converting",
        "Die Vorschau wird erstellt. Das dauert meist einige Sekunden.",
        "The preview is being made. This usually takes a few seconds.",
    ),
    ("preview.reload", "Neu laden", "Reload"),
    (
        "preview.pdf_nojs",
        "Die PDF-Vorschau braucht JavaScript. Ohne JavaScript bitte herunterladen.",
        "The PDF preview needs JavaScript. Without JavaScript, please download.",
    ),
    (
        "preview.pdf_loading",
        "Die PDF-Datei wird geladen …",
        "Loading the PDF …",
    ),
    ("preview.pdf_pages", "{n} Seiten.", "{n} pages."),
    ("preview.pdf_one_page", "1 Seite.", "1 page."),
    (
        "preview.pdf_page",
        "Seite {n} von {total}",
        "Page {n} of {total}",
    ),
    (
        "preview.pdf_error",
        "Die PDF-Datei lässt sich hier nicht anzeigen. Bitte herunterladen.",
        "The PDF cannot be shown here. Please download it.",
    ),
    (
        "preview.pdf_more",
        "Nur die ersten {n} Seiten werden angezeigt.",
        "Only the first {n} pages are shown.",
    ),
    ("preview.image_alt", "Bild: {name}", "Image: {name}"),
];
