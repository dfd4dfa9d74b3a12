//! The list of a folder in the file manager: type icons, sorting by the column headers,
//! the filter, the checkboxes of the bulk form, and per row only the actions the policy
//! allows (the domain's listing carries them).

use schulhof_domain::files::{FileEntry, ListOrder, ListPage, ListQuery, Listed, SortKey};

use crate::i18n::Tr;
use crate::pages::files::{display_name, size_text, when};
use crate::url;
use crate::when::Zone;

/// Rows on one page of a folder: enough to scroll through, few enough that a folder of
/// thousands of files renders in a few milliseconds.
pub const PAGE: usize = 500;

/// The way to the other pages of a long folder.
pub struct Pager {
    pub text: String,
    pub prev: Option<String>,
    pub next: Option<String>,
}

/// The list with everything its template needs.
pub struct ListView {
    pub rows: Vec<ListRow>,
    pub q: String,
    pub heads: Vec<SortHead>,
    pub sort: &'static str,
    pub dir: &'static str,
    /// A drop folder the caller coordinates: who handed each entry in.
    pub submitted_col: bool,
    /// Some entry may be moved or deleted: offer those bulk buttons.
    pub bulk_relocate: bool,
    /// Copying needs somewhere to write; guests of other schools only read.
    pub bulk_copy: bool,
    pub action: String,
    pub zip_href: String,
    pub count_text: String,
    /// Set when the (filtered) folder has more than one page.
    pub pager: Option<Pager>,
}

/// One entry, kept small: a folder of 2,000 files is one page.
pub struct ListRow {
    pub id: String,
    pub name: String,
    /// The folder's page, or the file's download.
    pub href: String,
    pub icon: &'static str,
    pub is_dir: bool,
    pub size: String,
    pub modified: String,
    pub submitted_by: String,
    /// May be renamed in place (with JavaScript; without, on its details page).
    pub rename: bool,
    /// May be dragged onto a folder (moved).
    pub relocate: bool,
    /// A folder one may drop into.
    pub drop_target: bool,
}

/// A sortable column header.
pub struct SortHead {
    pub label: &'static str,
    pub href: String,
    /// `ascending`, `descending` or `none`, for `aria-sort`.
    pub aria: &'static str,
    pub current: bool,
}

/// The sorting and filter of a folder page, from its query (`sort`, `richtung`, `q`).
pub fn order_of(here: &str) -> (ListOrder, String) {
    let query = here.split_once('?').map(|(_, q)| q);
    let key = SortKey::parse(&url::query_param(query, "sort").unwrap_or_default());
    let descending = url::query_param(query, "richtung").as_deref() == Some("ab");
    let q = url::query_param(query, "q").unwrap_or_default();
    (ListOrder { key, descending }, q)
}

/// The page of a folder that the page `here` (path and query) asks for: its sorting,
/// filter and page number (`seite`).
pub fn query_of(here: &str) -> ListQuery {
    let (order, filter) = order_of(here);
    let query = here.split_once('?').map(|(_, q)| q);
    let page = url::query_param(query, "seite")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1);
    ListQuery {
        order,
        filter,
        page,
        per_page: PAGE,
    }
}

/// The sprite symbol of an entry, from its type.
pub fn icon_of(e: &FileEntry) -> &'static str {
    if e.is_dir {
        return "i-folder";
    }
    let mime = e.mime.as_deref().unwrap_or("");
    let ext = e
        .name
        .rsplit_once('.')
        .map(|(_, x)| x.to_ascii_lowercase())
        .unwrap_or_default();
    match (mime.split('/').next().unwrap_or(""), ext.as_str()) {
        ("image", _) | (_, "png" | "jpg" | "jpeg" | "gif" | "svg" | "webp") => "i-image",
        ("audio", _) | (_, "mp3" | "ogg" | "wav" | "m4a") => "i-audio",
        ("video", _) | (_, "mp4" | "webm" | "mov") => "i-video",
        (_, "pdf") => "i-pdf",
        (_, "doc" | "docx" | "odt" | "rtf") => "i-doc",
        (_, "xls" | "xlsx" | "ods" | "csv") => "i-sheet",
        (_, "ppt" | "pptx" | "odp") => "i-slides",
        (_, "zip" | "7z" | "tar" | "gz" | "rar") => "i-archive",
        ("text", _) | (_, "txt" | "md") => "i-text",
        _ => "i-file",
    }
}

fn heads(tr: Tr, base: &str, order: ListOrder, q: &str) -> Vec<SortHead> {
    let filter = if q.is_empty() {
        String::new()
    } else {
        format!("&q={}", url::encode(q))
    };
    [
        (SortKey::Name, "field.name"),
        (SortKey::Size, "files.col.size"),
        (SortKey::Modified, "files.col.modified"),
    ]
    .into_iter()
    .map(|(key, label)| {
        let current = order.key == key;
        // A second click on the current column turns the direction round.
        let next_down = current && !order.descending;
        SortHead {
            label: tr.t(label),
            href: format!(
                "{base}?sort={}&richtung={}{filter}",
                key.as_str(),
                if next_down { "ab" } else { "auf" }
            ),
            aria: match (current, order.descending) {
                (false, _) => "none",
                (true, false) => "ascending",
                (true, true) => "descending",
            },
            current,
        }
    })
    .collect()
}

fn row(tr: Tr, zone: Zone, l: &Listed) -> ListRow {
    let e = &l.entry;
    ListRow {
        id: e.id.to_string(),
        name: display_name(tr, e),
        href: if e.is_dir {
            format!("/dateien/{}", e.id)
        } else {
            format!("/dateien/{}/herunterladen", e.id)
        },
        icon: icon_of(e),
        is_dir: e.is_dir,
        size: if e.is_dir {
            "–".to_owned()
        } else {
            size_text(tr.0, e.size)
        },
        modified: when(tr, zone, e.modified_at),
        submitted_by: e.submitted_by.clone().unwrap_or_default(),
        rename: l.caps.rename,
        relocate: l.caps.relocate,
        drop_target: e.is_dir && l.caps.write,
    }
}

/// The list of a folder: one page of it as the domain loaded it for [`query_of`].
pub fn list_view(tr: Tr, zone: Zone, listed: ListPage, folder: &FileEntry, here: &str) -> ListView {
    let base = format!("/dateien/{}", folder.id);
    let (order, q) = order_of(here);
    let count_text = if q.is_empty() {
        tr.t("manager.count")
            .replace("{n}", &listed.total.to_string())
    } else {
        tr.t("manager.count_filtered")
            .replace("{n}", &listed.matching.to_string())
            .replace("{total}", &listed.total.to_string())
    };
    let (page, pages) = (listed.page, listed.pages);
    let page_href = |n: usize| {
        let mut href = format!(
            "{base}?sort={}&richtung={}&seite={n}",
            order.key.as_str(),
            if order.descending { "ab" } else { "auf" }
        );
        if !q.is_empty() {
            href.push_str(&format!("&q={}", url::encode(&q)));
        }
        href
    };
    let pager = (pages > 1).then(|| Pager {
        text: tr
            .t("manager.page")
            .replace("{n}", &page.to_string())
            .replace("{m}", &pages.to_string()),
        prev: (page > 1).then(|| page_href(page - 1)),
        next: (page < pages).then(|| page_href(page + 1)),
    });
    let shown = &listed.rows;
    ListView {
        submitted_col: shown.iter().any(|l| l.entry.submitted_by.is_some()),
        bulk_relocate: shown.iter().any(|l| l.caps.relocate),
        bulk_copy: !folder.guest,
        rows: shown.iter().map(|l| row(tr, zone, l)).collect(),
        heads: heads(tr, &base, order, &q),
        sort: order.key.as_str(),
        dir: if order.descending { "ab" } else { "auf" },
        q,
        action: format!("{base}/auswahl"),
        zip_href: format!("{base}/zip"),
        count_text,
        pager,
    }
}
