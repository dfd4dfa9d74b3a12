//! `/betrieb/protokoll`: the operators' audit log, for operator-admins.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use schulhof_front::AppState;

use super::Operator;
use crate::render;
use crate::when::Zone;

pub struct Entry {
    pub at: String,
    pub who: String,
    pub action: String,
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
            action: e.action,
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
