//! Counts the SQL statements sqlx runs, so tests can hold hot paths to a fixed number.
//!
//! sqlx reports each statement as a `sqlx::query` tracing event. The counter is global to the
//! process; nextest runs every test in its own process, so counts don't mix.

use std::future::Future;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

static STATEMENTS: AtomicUsize = AtomicUsize::new(0);

struct Statements;

impl tracing::Subscriber for Statements {
    fn register_callsite(
        &self,
        m: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        if m.target().starts_with("sqlx::query") {
            tracing::subscriber::Interest::always()
        } else {
            tracing::subscriber::Interest::never()
        }
    }
    fn enabled(&self, m: &tracing::Metadata<'_>) -> bool {
        m.target().starts_with("sqlx::query")
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, e: &tracing::Event<'_>) {
        let mut summary = Summary(String::new());
        e.record(&mut summary);
        // A connection the pool opens meanwhile sets itself up with PRAGMAs: not ours.
        if !summary.0.to_lowercase().contains("pragma") {
            STATEMENTS.fetch_add(1, Ordering::SeqCst);
            // To see which statements a count is made of.
            if std::env::var_os("SCHULHOF_PRINT_STATEMENTS").is_some() {
                eprintln!("statement: {}", summary.0);
            }
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

struct Summary(String);

impl tracing::field::Visit for Summary {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "summary" {
            self.0 = format!("{value:?}");
        }
    }
}

/// Installs the counter as the global subscriber (once per process); false when another
/// subscriber came first, so nothing is counted.
pub fn install() -> bool {
    static INSTALLED: OnceLock<bool> = OnceLock::new();
    *INSTALLED.get_or_init(|| tracing::subscriber::set_global_default(Statements).is_ok())
}

/// Statements run in this process since it started (after [`install`]).
pub fn so_far() -> usize {
    STATEMENTS.load(Ordering::SeqCst)
}

/// Runs `f` and returns how many statements it ran with its output.
pub async fn count<F: Future>(f: F) -> (usize, F::Output) {
    install();
    let before = so_far();
    let out = f.await;
    (so_far() - before, out)
}
