//! `/verwaltung/protokoll.csv`: the filtered log as a spreadsheet. Names and file names come
//! from users, so every cell is made inert against formula injection.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use schulhof_domain::audit::inert_cell;

use super::lines::LogLine;
use crate::i18n::Tr;

/// The most lines one export holds; the filters narrow a larger log.
pub const MAX_LINES: i64 = 10_000;

/// One CSV field: inert, quoted, inner quotes doubled.
fn cell(s: &str) -> String {
    format!("\"{}\"", inert_cell(s).replace('"', "\"\""))
}

/// Semicolons and a byte-order mark, as German spreadsheet programs expect.
pub fn body(tr: Tr, lines: &[LogLine]) -> String {
    let mut out = String::from("\u{FEFF}");
    let head = [
        "audit.when",
        "admin.audit.person",
        "audit.actor",
        "audit.action",
        "audit.object",
    ];
    let head: Vec<String> = head.iter().map(|k| cell(tr.t(k))).collect();
    out.push_str(&head.join(";"));
    out.push_str("\r\n");
    for l in lines {
        let row = [&l.at, &l.person, &l.function, &l.action, &l.object];
        let row: Vec<String> = row.iter().map(|c| cell(c)).collect();
        out.push_str(&row.join(";"));
        out.push_str("\r\n");
    }
    out
}

pub fn response(tr: Tr, lines: &[LogLine]) -> Response {
    let mut res = (StatusCode::OK, body(tr, lines)).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"protokoll.csv\""),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_inert() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("Anna Beispiel"), "\"Anna Beispiel\"");
        assert_eq!(cell("+cmd|x"), "\"'+cmd|x\"");
    }
}
