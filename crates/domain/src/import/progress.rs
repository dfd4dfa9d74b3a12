//! Progress of a running import, shared with whoever shows it (a web page, the CLI).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Steps done out of a total, and the phase in words. Cheap to update from the import.
#[derive(Debug, Default)]
pub struct ImportProgress {
    done: AtomicU64,
    total: AtomicU64,
    phase: Mutex<&'static str>,
}

impl ImportProgress {
    pub fn new() -> Self {
        Self::default()
    }

    pub(crate) fn start(&self, total: u64) {
        self.total.store(total.max(1), Ordering::Relaxed);
        self.done.store(0, Ordering::Relaxed);
    }

    pub(crate) fn phase(&self, phase: &'static str) {
        if let Ok(mut p) = self.phase.lock() {
            *p = phase;
        }
    }

    pub(crate) fn advance(&self, steps: u64) {
        self.done.fetch_add(steps, Ordering::Relaxed);
    }

    /// (done, total, phase).
    pub fn snapshot(&self) -> (u64, u64, &'static str) {
        let phase = self.phase.lock().map(|p| *p).unwrap_or("");
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
            phase,
        )
    }

    /// Whole percent done.
    pub fn percent(&self) -> u8 {
        let (done, total, _) = self.snapshot();
        (done.min(total) * 100).checked_div(total).unwrap_or(0) as u8
    }
}
