//! `/oberflaeche`: the shell's components with sample content, in demo mode only. It is the
//! living catalogue behind docs/ui.md (its screenshots are taken here) and the place to see a
//! component before using it on a page. `?dialog=umbenennen` is the dialog's no-JS fallback.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use schulhof_front::AppState;
use serde::Deserialize;

use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;

/// The symbols of `static/icons.svg`, in the order the catalogue shows them.
#[rustfmt::skip]
pub const ICONS: &[&str] = &[
    "i-folder", "i-file", "i-image", "i-pdf", "i-text", "i-doc", "i-sheet", "i-slides",
    "i-archive", "i-audio", "i-video", "i-menu", "i-close", "i-download", "i-upload", "i-move",
    "i-copy", "i-delete", "i-rename", "i-share", "i-link", "i-check", "i-warning", "i-info",
    "i-sort", "i-search", "i-user", "i-users", "i-calendar", "i-mail", "i-home", "i-lock",
    "i-clock", "i-print", "i-table", "i-eye", "i-book", "i-settings", "i-logout", "i-bell",
];

#[derive(Template)]
#[template(path = "ui.html")]
struct UiPage {
    c: Chrome,
    icons: &'static [&'static str],
    rows: Vec<SampleRow>,
    /// Without JavaScript the dialog's link leads here and the form shows in the page.
    dialog_page: bool,
}

struct SampleRow {
    icon: &'static str,
    name: &'static str,
    kind: &'static str,
    size: &'static str,
    modified: &'static str,
}

#[derive(Debug, Default, Deserialize)]
pub struct Params {
    #[serde(default)]
    dialog: String,
}

pub async fn show(State(state): State<AppState>, r: Ready, Query(q): Query<Params>) -> Response {
    if !state.demo {
        return StatusCode::NOT_FOUND.into_response();
    }
    let tr = r.page.tr();
    let mut c = Chrome::new(&r.page, tr.t("shell.ui.title")).signed_in(&r.page, &r.actor);
    // The toast as it looks after an action.
    c.flash = c.flash.or(Some(tr.t("shell.ui.flash_sample")));
    let rows = vec![
        SampleRow {
            icon: "i-folder",
            name: "Unterrichtsmaterial Mathematik 5a",
            kind: tr.t("shell.ui.kind_folder"),
            size: "–",
            modified: "02.12.2026, 14:05",
        },
        SampleRow {
            icon: "i-pdf",
            name: "Arbeitsblatt Bruchrechnung – Erweitern und Kürzen.pdf",
            kind: "PDF",
            size: "1,2 MB",
            modified: "01.12.2026, 09:12",
        },
        SampleRow {
            icon: "i-sheet",
            name: "Notenübersicht 1. Halbjahr.xlsx",
            kind: tr.t("shell.ui.kind_sheet"),
            size: "48 KB",
            modified: "28.11.2026, 17:40",
        },
    ];
    render::ok(&UiPage {
        c,
        icons: ICONS,
        rows,
        dialog_page: q.dialog == "umbenennen",
    })
}

#[cfg(test)]
mod tests {
    use super::ICONS;

    #[test]
    fn every_icon_listed_is_in_the_sprite() {
        let sprite = include_str!("../../static/icons.svg");
        for name in ICONS {
            assert!(sprite.contains(&format!("id=\"{name}\"")), "{name}");
        }
        assert_eq!(sprite.matches("<symbol").count(), ICONS.len());
    }
}
