//! Choosing files of the own file areas on another page, without a script (mail attachments,
//! course files): the areas one may read (never the Safe), then a folder's subfolders as links
//! and its files to tick. What is listed, the file services decide with the files policy; a
//! folder one cannot read answers 404.

use schulhof_domain::files::FileEntry;
use schulhof_domain::identity::Actor;
use schulhof_domain::{DomainError, Platform};

use super::{area_title, display_name, parse_node, size_text};
use crate::i18n::Tr;

/// A folder to open, or a file to tick.
pub struct PickRow {
    pub id: String,
    pub name: String,
    /// A folder's link in the picker.
    pub href: Option<String>,
    pub size: String,
}

/// One view of the picker: where one is, and what is there.
pub struct Listing {
    /// The path above the folder (links), empty at the areas.
    pub crumbs: Vec<(String, String)>,
    /// The folder's name; none at the areas.
    pub folder_name: Option<String>,
    pub rows: Vec<PickRow>,
    /// What others share with the caller (at the areas only).
    pub shared: Vec<PickRow>,
}

fn rows_of(tr: Tr, entries: &[FileEntry], href: &impl Fn(&str) -> String) -> Vec<PickRow> {
    let mut rows: Vec<PickRow> = entries
        .iter()
        .filter(|e| !e.area_value.is_safe())
        .map(|e| PickRow {
            id: e.id.to_string(),
            name: display_name(tr, e),
            href: e.is_dir.then(|| href(&e.id.to_string())),
            size: if e.is_dir {
                String::new()
            } else {
                size_text(tr.0, e.size)
            },
        })
        .collect();
    // Folders first, as the file manager lists them.
    rows.sort_by_key(|r| r.href.is_none());
    rows
}

/// The areas (`folder` empty) or one folder's content; `href` makes a folder's link in the
/// picker from its id (the areas: from "").
pub async fn listing(
    p: &Platform,
    actor: &Actor,
    tr: Tr,
    folder: &str,
    href: impl Fn(&str) -> String,
) -> Result<Listing, DomainError> {
    if folder.trim().is_empty() {
        let areas = p.file_areas(actor).await?;
        let shared = p.file_shared_with_me(actor).await?;
        return Ok(Listing {
            crumbs: Vec::new(),
            folder_name: None,
            rows: rows_of(tr, &areas, &href),
            shared: rows_of(tr, &shared, &href),
        });
    }
    let id = parse_node(folder.trim()).ok_or(DomainError::NotFound)?;
    let folder = p.locate(actor, id).await?;
    if folder.area.is_safe() || !folder.node().is_dir {
        return Err(DomainError::NotFound);
    }
    let children = p.file_list(actor, &folder).await?;
    let mut crumbs = vec![(href(""), tr.t("mail.pick.areas").to_owned())];
    let trail = p.file_breadcrumbs(actor, &folder);
    let here = trail.last().map(|(_, n)| n.clone());
    for (i, (node, name)) in trail.iter().enumerate() {
        let name = if i == 0 && folder.rows.len() == trail.len() {
            area_title(tr, folder.area.as_str()).to_owned()
        } else {
            name.clone()
        };
        if i + 1 < trail.len() {
            crumbs.push((href(&node.to_string()), name));
        }
    }
    let folder_name = if folder.node().parent_id.is_none() {
        Some(area_title(tr, folder.area.as_str()).to_owned())
    } else {
        here
    };
    Ok(Listing {
        crumbs,
        folder_name,
        rows: rows_of(tr, &children, &href),
        shared: Vec::new(),
    })
}
