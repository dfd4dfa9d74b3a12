//! `/betrieb/protokoll`: the operators' audit log, for operator-admins. Each action is
//! shown in words from the i18n table (`op.action.<code>`), with its code beside it for
//! whoever searches the raw log.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use schulhof_front::AppState;

use super::Operator;
use crate::i18n::Tr;
use crate::render;
use crate::when::Zone;

pub struct Entry {
    pub at: String,
    pub who: String,
    /// The action in words; its code when the table has none (a newer binary's action).
    pub action: String,
    /// The action's code as logged.
    pub code: String,
    pub object: String,
    pub addr: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "operator/log.html")]
struct LogPage {
    c: crate::layout::Chrome,
    entries: Vec<Entry>,
}

/// The words for an operator action's code, or the code itself when unknown.
pub fn action_text(tr: Tr, code: &str) -> String {
    tr.lookup(&format!("op.action.{code}"))
        .map_or_else(|| code.to_owned(), str::to_owned)
}

/// `GET /betrieb/protokoll`.
pub async fn show(State(state): State<AppState>, o: Operator) -> Response {
    let tr = o.page.tr();
    let entries = match state.platform.operator_log(&o.actor).await {
        Ok(e) => e,
        Err(e) => return o.fail(e),
    };
    let zone = Zone::berlin();
    let entries = entries
        .into_iter()
        .map(|e| Entry {
            at: zone.datetime(tr, e.at),
            who: e.operator_login.unwrap_or_else(|| "—".into()),
            action: action_text(tr, &e.action),
            code: e.action,
            object: e.object.unwrap_or_default(),
            addr: e.client_addr.unwrap_or_default(),
            detail: e.detail.unwrap_or_default(),
        })
        .collect();
    render::ok(&LogPage {
        c: o.chrome(tr.t("op.log.title")),
        entries,
    })
}

#[cfg(test)]
mod tests;
