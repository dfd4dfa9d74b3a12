//! `imsmanifest.xml`: version, title, the organisation tree (what the course shows, in order)
//! and the resources its items point to.

use std::collections::HashMap;

use crate::ImportError;
use crate::entries::{Entries, join, percent_decode};
use crate::xml::Element;

pub(crate) const MANIFEST: &str = "imsmanifest.xml";

pub(crate) struct Manifest {
    pub version: String,
    pub title: String,
    /// The top-level items (children of the root item).
    pub items: Vec<OrgItem>,
    pub resources: HashMap<String, Resource>,
}

pub(crate) struct OrgItem {
    pub title: String,
    pub resource: Option<String>,
    pub children: Vec<OrgItem>,
}

pub(crate) struct Resource {
    pub kind: String,
    /// The archive path of the entry point (`href`), if it is in the archive.
    pub href: Option<String>,
    /// The `href` as written, for messages when it is not in the archive.
    pub href_raw: Option<String>,
    /// Archive paths of the listed files that are in the archive.
    pub files: Vec<String>,
}

/// Reads the parsed manifest; refuses packages that are not a known cartridge version.
pub(crate) fn read(root: &Element, entries: &Entries) -> Result<Manifest, ImportError> {
    let version = version(root)?;
    let title = root
        .at("metadata/lom/general/title")
        .and_then(|t| {
            t.children("string")
                .map(|s| s.text.trim())
                .find(|s| !s.is_empty())
        })
        .unwrap_or_default()
        .to_owned();
    let items = root
        .at("organizations/organization")
        .map(top_level)
        .unwrap_or_default();
    let mut resources = HashMap::new();
    if let Some(res) = root.child("resources") {
        let base = res.attr("xml:base").unwrap_or_default();
        for r in res.children("resource") {
            let Some(id) = r.attr("identifier") else {
                continue;
            };
            resources.insert(id.to_owned(), resource(r, base, entries));
        }
    }
    Ok(Manifest {
        version,
        title,
        items,
        resources,
    })
}

/// The cartridge version from `<schemaversion>`, else from the namespace.
fn version(root: &Element) -> Result<String, ImportError> {
    let unsupported = |version: &str| ImportError::UnsupportedVersion {
        format: "IMS Common Cartridge",
        version: version.to_owned(),
    };
    let schema = root.str_at("metadata/schema");
    if !schema.is_empty() && !schema.contains("Common Cartridge") {
        return Err(ImportError::UnsupportedVersion {
            format: "IMS-Paket",
            version: schema.to_owned(),
        });
    }
    let declared = root.str_at("metadata/schemaversion");
    if !declared.is_empty() {
        let known = ["1.0", "1.1", "1.2", "1.3"]
            .iter()
            .any(|v| declared == *v || declared == format!("{v}.0"));
        return if known {
            Ok(declared.to_owned())
        } else {
            Err(unsupported(declared))
        };
    }
    let ns = root.attr("xmlns").unwrap_or_default();
    [
        ("imsccv1p1", "1.1.0"),
        ("imsccv1p2", "1.2.0"),
        ("imsccv1p3", "1.3.0"),
    ]
    .iter()
    .find(|(tag, _)| ns.contains(tag))
    .map(|(_, v)| (*v).to_owned())
    .ok_or_else(|| unsupported("ohne Versionsangabe"))
}

/// The items shown at the top: the root item's children in a "rooted hierarchy", else the
/// organisation's own items.
fn top_level(org: &Element) -> Vec<OrgItem> {
    let items: Vec<&Element> = org.children("item").collect();
    match items.as_slice() {
        [root] if root.attr("identifierref").is_none() => {
            root.children("item").map(org_item).collect()
        }
        _ => items.into_iter().map(org_item).collect(),
    }
}

/// Recursion is bounded by the XML depth limit the tree was parsed with.
fn org_item(el: &Element) -> OrgItem {
    OrgItem {
        title: el.str_at("title").to_owned(),
        resource: el.attr("identifierref").map(str::to_owned),
        children: el.children("item").map(org_item).collect(),
    }
}

fn resource(r: &Element, base: &str, entries: &Entries) -> Resource {
    let base = join(base, r.attr("xml:base").unwrap_or_default()).unwrap_or_default();
    let href_raw = r.attr("href").map(str::to_owned);
    Resource {
        kind: r.attr("type").unwrap_or_default().trim().to_owned(),
        href: href_raw.as_deref().and_then(|h| locate(entries, &base, h)),
        href_raw,
        files: r
            .children("file")
            .filter_map(|f| f.attr("href"))
            .filter_map(|h| locate(entries, &base, h))
            .collect(),
    }
}

/// The archive path `href` (relative to `base`) names, as written or percent-decoded, exact or
/// ignoring case.
pub(crate) fn locate(entries: &Entries, base: &str, href: &str) -> Option<String> {
    let href = href.trim();
    [href.to_owned(), percent_decode(href)]
        .iter()
        .filter_map(|h| join(base, h))
        .find_map(|p| entries.resolve(&p).map(str::to_owned))
}
