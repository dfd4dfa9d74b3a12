//! The Safe's online editor: `/safe/{id}/bearbeiten` shows a document as formatted text
//! to edit in the page (a toolbar over a `contenteditable` region; the script saves a few
//! seconds after the last change), and without JavaScript a plain text form.
//! `/safe/{id}/speichern` stores what comes, sanitised by the service.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use schulhof_domain::DomainError;
use schulhof_front::{AppState, error_info};
use serde::Deserialize;

use crate::auth::Ready;
use crate::forms::Failure;
use crate::layout::Chrome;
use crate::pages::files::node::Crumb;
use crate::pages::safe::node::{is_document, safe_crumbs};
use crate::pages::safe::{SAFE, locate_safe, open_safe, safe_href, to_unlock};
use crate::render;

#[derive(Template)]
#[template(path = "safe/editor.html")]
struct EditorPage {
    c: Chrome,
    js_href: String,
    crumbs: Vec<Crumb>,
    name: String,
    base: String,
    folder_href: String,
    editable: bool,
    /// Sanitised HTML, shown as it is.
    html: String,
    /// The same as plain text, for the form without JavaScript.
    text: String,
    alert: Option<String>,
    /// Seconds the Safe stays open without use: the editor counts them down.
    idle_secs: i64,
    /// Where the in-place unlock posts and comes back to.
    unlock_action: &'static str,
    editor_path: String,
}

fn editor_path(id: &str) -> String {
    format!("{SAFE}/{id}/bearbeiten")
}

async fn render_editor(
    state: &AppState,
    r: &Ready,
    id: &str,
    failure: Option<&Failure>,
) -> Response {
    let tr = r.page.tr();
    let safe = match open_safe(state, r, &editor_path(id)).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let (located, entry) = match locate_safe(state, &safe, id).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    if !is_document(&entry) {
        return r.fail(DomainError::NotFound);
    }
    let stored = match state.platform.safe_doc_load(&safe, &located).await {
        Ok(h) => h,
        Err(e) => return r.fail(e),
    };
    // The service sanitised it (an uploaded `.html` file too), bounded and off the runtime's
    // threads: nothing active reaches the page, and no second pass runs here.
    let html = stored;
    let folder_href = entry.parent.map_or_else(|| SAFE.to_owned(), safe_href);
    let view = EditorPage {
        c: Chrome::new(&r.page, entry.name.clone()).signed_in(&r.page, &r.actor),
        js_href: crate::assets::href("safe_editor.js"),
        crumbs: safe_crumbs(state, tr, &safe, &located)
            .into_iter()
            .map(|b| Crumb {
                current: false,
                ..b
            })
            .collect(),
        name: entry.name.clone(),
        base: safe_href(entry.id),
        folder_href,
        editable: entry.caps.write,
        text: html_to_text(&html),
        html,
        alert: failure.map(|f| f.message.clone()),
        idle_secs: state.platform.safe_idle().num_seconds(),
        unlock_action: "/safe/oeffnen",
        editor_path: editor_path(id),
    };
    render::html(failure.map_or(StatusCode::OK, |f| f.status), &view)
}

/// `GET /safe/{id}/bearbeiten`.
pub async fn edit(State(state): State<AppState>, r: Ready, Path(id): Path<String>) -> Response {
    render_editor(&state, &r, &id, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct SaveForm {
    /// The editor's HTML (from the script).
    #[serde(default)]
    inhalt: String,
    /// Plain text (from the form without JavaScript).
    #[serde(default)]
    text: String,
    /// `1` when the script sends: the answer is a status and a line of text.
    #[serde(default)]
    js: String,
}

/// An answer for the script: the status and one line to show.
fn plain(status: StatusCode, text: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text.into(),
    )
        .into_response()
}

/// `POST /safe/{id}/speichern`.
pub async fn save(
    State(state): State<AppState>,
    r: Ready,
    Path(id): Path<String>,
    Form(f): Form<SaveForm>,
) -> Response {
    let tr = r.page.tr();
    let script = f.js == "1";
    let p = &state.platform;
    let safe = match p.safe_actor(&r.actor).await {
        Ok(s) => s,
        Err(DomainError::SafeLocked) if script => {
            return plain(StatusCode::FORBIDDEN, tr.t("safe.editor.locked"));
        }
        Err(DomainError::SafeLocked) => return to_unlock(&editor_path(&id)),
        Err(e) if script => {
            let info = error_info(&e);
            return plain(info.status, tr.error_text(&e, &info));
        }
        Err(e) => return r.fail(e),
    };
    let html = if script {
        f.inhalt
    } else {
        text_to_html(&f.text)
    };
    let result = async {
        let (located, entry) = locate_safe(&state, &safe, &id).await?;
        if !is_document(&entry) {
            return Err(DomainError::NotFound);
        }
        p.safe_doc_save(&safe, &located, &html).await
    }
    .await;
    match result {
        Ok(_) if script => StatusCode::NO_CONTENT.into_response(),
        Ok(_) => Redirect::to(&format!("{}?ok=doc_saved", editor_path(&id))).into_response(),
        Err(e) if script => {
            let info = error_info(&e);
            plain(info.status, tr.error_text(&e, &info))
        }
        Err(e) => {
            let failure = Failure::from_domain("editor", tr, &e);
            render_editor(&state, &r, &id, Some(&failure)).await
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Plain text as paragraphs: blank lines part them, single line breaks stay.
pub fn text_to_html(text: &str) -> String {
    let mut out = String::new();
    let mut para: Vec<&str> = Vec::new();
    let flush = |para: &mut Vec<&str>, out: &mut String| {
        if !para.is_empty() {
            let lines: Vec<String> = para.iter().map(|l| escape(l.trim_end())).collect();
            out.push_str(&format!("<p>{}</p>", lines.join("<br>")));
            para.clear();
        }
    };
    for line in text.lines() {
        if line.trim().is_empty() {
            flush(&mut para, &mut out);
        } else {
            para.push(line);
        }
    }
    flush(&mut para, &mut out);
    out
}

/// Sanitised HTML as plain text: blocks become paragraphs, list items lines.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..at]));
        let Some(end) = rest[at..].find('>') else {
            rest = "";
            break;
        };
        let tag = rest[at + 1..at + end].trim().to_ascii_lowercase();
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        match (name.as_str(), closing) {
            ("br", _) => out.push('\n'),
            ("li", false) => {
                end_line(&mut out);
                out.push_str("- ");
            }
            ("li", true) => end_line(&mut out),
            (
                "p" | "div" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "ul" | "ol" | "table"
                | "blockquote" | "pre",
                _,
            ) => end_block(&mut out),
            ("tr", true) => end_line(&mut out),
            _ => {}
        }
        rest = &rest[at + end + 1..];
    }
    out.push_str(&decode_entities(rest));
    out.trim().to_owned()
}

fn end_line(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

fn end_block(out: &mut String) {
    if out.trim().is_empty() {
        return;
    }
    end_line(out);
    if !out.ends_with("\n\n") {
        out.push('\n');
    }
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let Some(semi) = after.find(';').filter(|n| *n <= 10) else {
            out.push('&');
            rest = &after[1..];
            continue;
        };
        let entity = &after[1..semi];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            e if e.starts_with("#x") || e.starts_with("#X") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_becomes_paragraphs_and_back() {
        let text = "Förderplan <Anna>\n\nLesen üben\nTäglich 10 Minuten\n\n\n& Rechnen";
        let html = text_to_html(text);
        assert_eq!(
            html,
            "<p>Förderplan &lt;Anna&gt;</p><p>Lesen üben<br>Täglich 10 Minuten</p><p>&amp; Rechnen</p>"
        );
        assert_eq!(html_to_text(&html), text.replace("\n\n\n", "\n\n"));
        assert_eq!(text_to_html("  \n\n"), "");
    }

    #[test]
    fn formatted_html_reads_as_text() {
        let html = "<h2>Ziele</h2><ul><li>Lesen</li><li><b>Schreiben</b></li></ul><p>Stand: 1&nbsp;Woche &#8211; gut</p>";
        assert_eq!(
            html_to_text(html),
            "Ziele\n\n- Lesen\n- Schreiben\n\nStand: 1\u{a0}Woche – gut"
        );
        assert_eq!(html_to_text("<p></p>"), "");
        assert_eq!(html_to_text("a &unknown; b & c"), "a &unknown; b & c");
    }
}
