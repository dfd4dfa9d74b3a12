//! Counting the SQL statements of one request, for the tests that prove a page costs a few
//! statements however many rows it shows (the counter is the store's test counter).

use axum::http::StatusCode;
use schulhof_store::testing::statements::so_far;

pub(super) use schulhof_store::testing::statements::install;

use super::App;

/// The statements of one request for `path`: the fewest of five, since work in the
/// background (indexing uploads) also runs statements now and then.
pub(super) async fn statements_of(app: &App, path: &str, cookie: &str) -> usize {
    let mut fewest = usize::MAX;
    for _ in 0..5 {
        let before = so_far();
        app.get(path, cookie).await.assert(StatusCode::OK);
        fewest = fewest.min(so_far() - before);
    }
    fewest
}

/// The statements of one form POST (a change: it runs once, so background work must be
/// quiet while it runs).
pub(super) async fn statements_of_post(
    app: &App,
    path: &str,
    cookie: &str,
    form: &[(&str, &str)],
) -> (usize, super::Resp) {
    let before = so_far();
    let resp = app.post(path, cookie, form).await;
    (so_far() - before, resp)
}
