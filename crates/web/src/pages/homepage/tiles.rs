//! The tile bar ("Kachelleiste"): `<script src="https://<host>/schule/<nr>/kacheln.js">`
//! pasted into a school's own website draws a bar of links into the platform right after
//! the script tag. Everything it needs is inside the script: it makes no request, sets no
//! cookie, reads nothing of the page but its own tag's `data-farbe` (colour) and
//! `data-kompakt` (narrow), builds its elements with the DOM (no innerHTML, so a page with
//! Trusted Types works) and styles them through `element.style` (no `<style>`, so a strict
//! style-src works). Fonts are inherited from the host page.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use schulhof_domain::homepage::PublicHome;
use schulhof_front::AppState;

use crate::i18n::Tr;
use crate::layout::Page;
use crate::pages::errors;

/// The drawing code; `__DATA__` becomes the school's tiles.
const SCRIPT: &str = include_str!("kacheln.js");

/// `text` as a JavaScript string literal that is also safe inside an HTML `<script>`.
fn js_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' | '\\' | '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", ch as u32))
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The platform's address as the embedding page must use it: the configured public
/// address, or the host this request came to (only a plain host name or address).
fn origin(state: &AppState, headers: &HeaderMap) -> Option<String> {
    if let Some(url) = &state.platform.config().outbound.public_url {
        return Some(url.trim_end_matches('/').to_owned());
    }
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let plain = !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    let scheme = if state.secure_cookies {
        "https"
    } else {
        "http"
    };
    plain.then(|| format!("{scheme}://{host}"))
}

/// The script for one school, in one language, for one platform address.
pub fn script_for(home: &PublicHome, tr: Tr, base: &str) -> String {
    let nr = &home.school_number;
    let tiles = [
        ("tiles.login", format!("{base}/schule/{nr}/#anmelden")),
        ("tiles.start", format!("{base}/schule/{nr}/")),
        ("tiles.news", format!("{base}/neuigkeiten")),
        ("tiles.calendar", format!("{base}/kalender")),
        ("tiles.files", format!("{base}/dateien")),
        ("tiles.mail", format!("{base}/mail")),
    ];
    let list: Vec<String> = tiles
        .iter()
        .map(|(key, href)| {
            format!(
                "{{\"label\":{},\"href\":{}}}",
                js_string(tr.t(key)),
                js_string(href)
            )
        })
        .collect();
    let label = format!("{} – {}", tr.t("tiles.label"), home.school_name);
    let data = format!(
        "{{\"label\":{},\"tiles\":[{}]}}",
        js_string(&label),
        list.join(",")
    );
    SCRIPT.replace("__DATA__", &data)
}

/// `GET /schule/<nr>/kacheln.js`: loadable from any origin, no cookie, cached a few minutes.
pub async fn script(
    State(state): State<AppState>,
    Path(nr): Path<String>,
    headers: HeaderMap,
    page: Page,
) -> Response {
    let Some(base) = origin(&state, &headers) else {
        return (StatusCode::BAD_REQUEST, "bad Host").into_response();
    };
    let tr = Tr::new(page.lang);
    let variant = format!("kacheln.{}|{base}", page.lang.code());
    let result = state
        .platform
        .public_homepage(&nr, &variant, |home| {
            Some(axum::body::Bytes::from(script_for(home, tr, &base)))
        })
        .await;
    let cached = match result {
        Ok(c) if !c.home.demo || state.demo => c,
        _ => return errors::not_found(page).await,
    };
    let Some(body) = cached.body else {
        return errors::not_found(page).await;
    };
    let mut r = (StatusCode::OK, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    h.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("cross-origin"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_cannot_leave_the_literal_or_the_script_element() {
        assert_eq!(js_string("a\"b"), "\"a\\u0022b\"");
        let s = js_string("</script><script>alert(1)</script>\u{2028}\\");
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('\u{2028}'));
        assert!(!s[1..s.len() - 1].contains('"'));
    }
}
