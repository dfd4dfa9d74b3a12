//! What a scenario found: named figures, checks against the targets, and the settings it
//! ran with. Printed as a compact table or as JSON (`--json`).

use std::fmt::Write as _;

use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Outcome {
    pub scenario: &'static str,
    pub backend: String,
    pub settings: serde_json::Value,
    pub figures: Vec<Figure>,
    pub checks: Vec<Check>,
    pub notes: Vec<String>,
    /// Requests that got the expected answer, and those that did not: what the smoke test
    /// and the exit status look at.
    pub succeeded: u64,
    pub failed: u64,
}

#[derive(Debug, Serialize)]
pub struct Figure {
    pub name: String,
    pub value: serde_json::Value,
    pub unit: &'static str,
}

/// A target and whether this run met it.
#[derive(Debug, Serialize)]
pub struct Check {
    pub target: String,
    pub met: bool,
}

impl Outcome {
    pub fn new(scenario: &'static str, backend: &str, settings: serde_json::Value) -> Self {
        Self {
            scenario,
            backend: backend.to_owned(),
            settings,
            figures: Vec::new(),
            checks: Vec::new(),
            notes: Vec::new(),
            succeeded: 0,
            failed: 0,
        }
    }

    pub fn figure(&mut self, name: &str, value: impl Into<serde_json::Value>, unit: &'static str) {
        self.figures.push(Figure {
            name: name.to_owned(),
            value: value.into(),
            unit,
        });
    }

    /// A latency distribution as five figures: `<name> p50` … `<name> max`.
    pub fn latency(&mut self, name: &str, l: &crate::stats::Latency) {
        for (p, v) in [
            ("p50", l.p50_ms),
            ("p90", l.p90_ms),
            ("p99", l.p99_ms),
            ("max", l.max_ms),
        ] {
            self.figure(&format!("{name} {p}"), round(v, 2), "ms");
        }
    }

    /// CPU use of a phase; warns when other processes took a noticeable share.
    pub fn cpu(&mut self, label: &str, cpu: Option<crate::cpu::CpuUse>) {
        let Some(u) = cpu else { return };
        self.figure(
            &format!("{label}CPU this process"),
            round(u.own, 2),
            "cores",
        );
        self.figure(
            &format!("{label}CPU other processes"),
            round(u.others, 2),
            "cores",
        );
        if u.others > 0.2 {
            self.note(format!(
                "{label}other processes used {:.2} cores meanwhile (PostgreSQL counts here)",
                u.others
            ));
        }
    }

    pub fn check(&mut self, target: impl Into<String>, met: bool) {
        self.checks.push(Check {
            target: target.into(),
            met,
        });
    }

    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    pub fn error_free(&self) -> bool {
        self.failed == 0
    }

    pub fn counted_something(&self) -> bool {
        self.succeeded > 0
    }

    pub fn table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "== {} ({}) {}",
            self.scenario, self.backend, self.settings
        );
        let width = self.figures.iter().map(|f| f.name.len()).max().unwrap_or(0);
        for f in &self.figures {
            let value = match &f.value {
                serde_json::Value::String(v) => v.clone(),
                v => v.to_string(),
            };
            let _ = writeln!(s, "  {:width$}  {value} {}", f.name, f.unit);
        }
        for c in &self.checks {
            let mark = if c.met { "met   " } else { "MISSED" };
            let _ = writeln!(s, "  [{mark}] {}", c.target);
        }
        for n in &self.notes {
            let _ = writeln!(s, "  note: {n}");
        }
        s
    }
}

pub fn round(v: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (v * f).round() / f
}
