//! `GET /neuigkeiten` (what concerns me, unread marked) and `GET /neuigkeiten/verfasst`
//! (an author's items with drafts; a news admin's: everyone's).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use schulhof_front::AppState;

use super::{Row, row};
use crate::auth::Ready;
use crate::layout::Chrome;
use crate::render;
use crate::when::Zone;

#[derive(Template)]
#[template(path = "news/list.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<Row>,
    may_write: bool,
    written: bool,
}

/// `GET /neuigkeiten`.
pub async fn show(State(state): State<AppState>, r: Ready) -> Response {
    let items = match state.platform.news_list(&r.actor).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let zone = Zone::of(&r.actor);
    let view = ListPage {
        c: Chrome::new(&r.page, tr.t("news.title")).signed_in(&r.page, &r.actor),
        rows: items.iter().map(|n| row(tr, &zone, n, false)).collect(),
        may_write: state.platform.news_may_write(&r.actor),
        written: false,
    };
    render::ok(&view)
}

/// `GET /neuigkeiten/verfasst`.
pub async fn written(State(state): State<AppState>, r: Ready) -> Response {
    let items = match state.platform.news_written(&r.actor).await {
        Ok(x) => x,
        Err(e) => return r.fail(e),
    };
    let tr = r.page.tr();
    let zone = Zone::of(&r.actor);
    let view = ListPage {
        c: Chrome::new(&r.page, tr.t("news.written")).signed_in(&r.page, &r.actor),
        rows: items.iter().map(|n| row(tr, &zone, n, true)).collect(),
        may_write: true,
        written: true,
    };
    render::ok(&view)
}
