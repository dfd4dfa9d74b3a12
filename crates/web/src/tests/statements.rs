//! Counting the SQL statements of one request, for the tests that prove a page costs a few
//! statements however many rows it shows.

use std::sync::atomic::{AtomicUsize, Ordering};

use axum::http::StatusCode;

use super::App;

/// The statements sqlx ran (its `sqlx::query` events), process-wide: nextest runs each test
/// in its own process.
static STATEMENTS: AtomicUsize = AtomicUsize::new(0);

struct CountStatements;

impl tracing::Subscriber for CountStatements {
    fn enabled(&self, m: &tracing::Metadata<'_>) -> bool {
        m.target().starts_with("sqlx")
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, e: &tracing::Event<'_>) {
        if e.metadata().target() == "sqlx::query" {
            let mut setup = SetupStatement(false);
            e.record(&mut setup);
            if !setup.0 {
                STATEMENTS.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// A new pooled SQLite connection's set-up (`PRAGMA …`): not the page's work, and it comes
/// whenever the pool opens a connection.
struct SetupStatement(bool);

impl tracing::field::Visit for SetupStatement {
    fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
        if f.name() == "summary" {
            self.0 = format!("{v:?}").starts_with("\"PRAGMA");
        }
    }
}

/// Starts counting; false when another subscriber is installed already (not under nextest),
/// and the test cannot count.
pub(super) fn install() -> bool {
    tracing::subscriber::set_global_default(CountStatements).is_ok()
}

/// The statements of one request for `path`: the fewest of five, since work in the
/// background (indexing uploads) also runs statements now and then.
pub(super) async fn statements_of(app: &App, path: &str, cookie: &str) -> usize {
    let mut fewest = usize::MAX;
    for _ in 0..5 {
        let before = STATEMENTS.load(Ordering::SeqCst);
        app.get(path, cookie).await.assert(StatusCode::OK);
        fewest = fewest.min(STATEMENTS.load(Ordering::SeqCst) - before);
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
    let before = STATEMENTS.load(Ordering::SeqCst);
    let resp = app.post(path, cookie, form).await;
    (STATEMENTS.load(Ordering::SeqCst) - before, resp)
}
