//! One cartridge resource turned into an item: web content (HTML page or files), web links,
//! the assignment extension; discussions, tests and LTI links are not brought over.

use super::manifest::{Resource, locate};
use crate::ImportError;
use crate::collect::Collector;
use crate::entries::{file_name, parent};
use crate::html::{
    body_of, is_relative, replace_token_refs, rewrite_attr_urls, safe_url, strip_query,
};
use crate::model::{FileId, ImportedItem, Severity, file_placeholder};

/// The item for resource `r` shown as `title`; `None` if left out (reported).
pub(crate) fn item(
    c: &mut Collector<'_>,
    r: &Resource,
    title: &str,
) -> Result<Option<ImportedItem>, ImportError> {
    let kind = r.kind.as_str();
    if kind == "webcontent" || kind.starts_with("associatedcontent/") {
        return Ok(web_content(c, r, title));
    }
    if kind.starts_with("imswl_xmlv1p") {
        return web_link(c, r, title);
    }
    if kind.starts_with("assignment_xmlv1p") {
        return assignment(c, r, title);
    }
    Ok(Some(unsupported(c, kind, title)))
}

fn unsupported(c: &mut Collector<'_>, kind: &str, title: &str) -> ImportedItem {
    let (de, en) = if kind.starts_with("imsdt_xmlv1p") {
        ("Diskussionen", "Discussions")
    } else if kind.starts_with("imsqti_xmlv1p") {
        ("Tests", "Tests")
    } else if kind.starts_with("imsbasiclti_xmlv1p") {
        ("Externe Tools (LTI)", "External tools (LTI)")
    } else {
        ("Inhalte dieses Typs", "Resources of this type")
    };
    c.note(
        Severity::Skipped,
        title,
        "course_import.not_supported",
        format!("{de} werden nicht übernommen ({kind})."),
        format!("{en} are not brought over ({kind})."),
    );
    ImportedItem::Unsupported {
        kind: kind.to_owned(),
        title: title.to_owned(),
    }
}

fn missing(c: &mut Collector<'_>, title: &str, what: &str) {
    c.note(
        Severity::Warning,
        title,
        "course_import.resource_missing",
        format!("Die Datei „{what}“ fehlt im Paket; der Inhalt wird nicht übernommen."),
        format!("The file \"{what}\" is missing from the package; the item is not brought over."),
    );
}

/// Registers the archive file at `path` (already located).
fn use_path(c: &mut Collector<'_>, path: &str) -> Option<FileId> {
    c.file(&format!("cc:{path}"), path, file_name(path), None)
}

/// An HTML entry point becomes a page; any other file a file item; several files a folder.
fn web_content(c: &mut Collector<'_>, r: &Resource, title: &str) -> Option<ImportedItem> {
    if let Some(href) = &r.href {
        let lower = href.to_ascii_lowercase();
        if lower.ends_with(".html") || lower.ends_with(".htm") {
            let bytes = c.entries.get(href).unwrap_or_default();
            let text = String::from_utf8_lossy(bytes);
            let html = rewrite(c, body_of(&text), parent(href), title);
            return Some(ImportedItem::Page {
                title: title.to_owned(),
                html,
            });
        }
        let file_id = use_path(c, href)?;
        return Some(ImportedItem::File {
            title: title.to_owned(),
            file_id,
        });
    }
    if let Some(raw) = &r.href_raw {
        missing(c, title, raw);
        return None;
    }
    let ids: Vec<FileId> = r.files.iter().filter_map(|p| use_path(c, p)).collect();
    match ids.as_slice() {
        [] => {
            missing(c, title, "(keine Datei angegeben)");
            None
        }
        [one] => Some(ImportedItem::File {
            title: title.to_owned(),
            file_id: *one,
        }),
        _ => Some(ImportedItem::Folder {
            title: title.to_owned(),
            file_ids: ids,
        }),
    }
}

/// `html` of a file in folder `base` with its references to archive files replaced by
/// placeholders: relative `src`/`href` values and `$IMS-CC-FILEBASE$` paths.
fn rewrite(c: &mut Collector<'_>, html: &str, base: &str, location: &str) -> String {
    let mut html = html.to_owned();
    for token in [
        "$IMS-CC-FILEBASE$",
        "%24IMS-CC-FILEBASE%24",
        "$IMS_CC_FILEBASE$",
    ] {
        html = replace_token_refs(&html, token, |rest| {
            let path = locate(c.entries, base, strip_query(rest).trim_start_matches('/'));
            path.and_then(|p| use_path(c, &p)).map(file_placeholder)
        });
    }
    let mut unresolved = Vec::new();
    let html = rewrite_attr_urls(&html, |url| {
        if !is_relative(url) || url.starts_with("@@FILE:") {
            return None;
        }
        let found = locate(c.entries, base, strip_query(url));
        if found.is_none() {
            unresolved.push(url.to_owned());
        }
        found.and_then(|p| use_path(c, &p)).map(file_placeholder)
    });
    for url in unresolved {
        c.note(
            Severity::Warning,
            location,
            "course_import.reference_missing",
            format!("Der Verweis auf „{url}“ zeigt auf keine Datei des Pakets."),
            format!("The reference to \"{url}\" points to no file in the package."),
        );
    }
    html
}

/// The XML descriptor of a resource: its `href`, else its first file.
fn descriptor(r: &Resource) -> Option<&str> {
    r.href.as_deref().or(r.files.first().map(String::as_str))
}

fn web_link(
    c: &mut Collector<'_>,
    r: &Resource,
    title: &str,
) -> Result<Option<ImportedItem>, ImportError> {
    let Some(path) = descriptor(r) else {
        missing(c, title, "(Web-Link)");
        return Ok(None);
    };
    let Some(xml) = c.xml(path)? else {
        missing(c, title, path);
        return Ok(None);
    };
    let href = xml
        .child("url")
        .and_then(|u| u.attr("href"))
        .unwrap_or_default();
    let title = match title {
        "" => xml.str_at("title").to_owned(),
        t => t.to_owned(),
    };
    let Some(url) = safe_url(href) else {
        c.note(
            Severity::Warning,
            &title,
            "course_import.unsafe_url",
            format!(
                "Die Adresse „{href}“ ist kein Web- oder Mail-Link; sie wird nicht übernommen."
            ),
            format!("The address \"{href}\" is not a web or mail link; it is not brought over."),
        );
        return Ok(None);
    };
    Ok(Some(ImportedItem::Link { title, url }))
}

/// The assignment extension (`assignment_xmlv1p0`): text, points and attachments; it has no
/// dates.
fn assignment(
    c: &mut Collector<'_>,
    r: &Resource,
    title: &str,
) -> Result<Option<ImportedItem>, ImportError> {
    let Some(path) = descriptor(r).map(str::to_owned) else {
        missing(c, title, "(Aufgabe)");
        return Ok(None);
    };
    let Some(xml) = c.xml(&path)? else {
        missing(c, title, &path);
        return Ok(None);
    };
    let title = match title {
        "" => xml.str_at("title").to_owned(),
        t => t.to_owned(),
    };
    let base = parent(&path);
    let text = xml.text_at("text").unwrap_or_default().trim();
    let plain = xml.child("text").and_then(|t| t.attr("texttype")) == Some("text/plain");
    let instructions_html = if plain {
        format!("<p>{}</p>", escape(text))
    } else {
        rewrite(c, text, base, &title)
    };
    let max_points = xml
        .child("gradable")
        .filter(|g| g.text.trim() == "true")
        .and_then(|g| g.attr("points_possible"))
        .and_then(|p| p.trim().parse::<f64>().ok())
        .filter(|p| p.is_finite() && *p > 0.0);
    let hrefs: Vec<String> = xml
        .at("attachments")
        .into_iter()
        .flat_map(|a| a.children("attachment"))
        .filter_map(|a| a.attr("href"))
        .map(str::to_owned)
        .collect();
    let mut file_ids = Vec::new();
    for h in hrefs {
        match locate(c.entries, base, &h).or_else(|| locate(c.entries, "", &h)) {
            Some(p) => file_ids.extend(use_path(c, &p)),
            None => missing(c, &title, &h),
        }
    }
    Ok(Some(ImportedItem::Assignment {
        title,
        instructions_html,
        due_at: None,
        cutoff_at: None,
        allow_from: None,
        max_points,
        file_ids,
    }))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
