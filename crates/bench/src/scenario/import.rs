//! A whole school's Schild export imported into an empty school, then the next week's
//! export with a few changes. Runs the domain service directly: the import is a use case,
//! not an HTTP request.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use schulhof_domain::clock::SystemClock;
use schulhof_domain::import::{Columns, Format, ImportProgress, SystemImport, UploadInput};
use schulhof_domain::{Config, Db, Platform};
use schulhof_import::generate::{
    SchildSpec, group_count, membership_count, person_count, schild_xml,
};

use crate::report::{Outcome, round};

#[derive(Clone, clap::Args)]
pub struct ImportArgs {
    /// Pupils in the file (teachers: 120).
    #[arg(long, default_value_t = 1880)]
    pub students: usize,
    /// Persons whose name changes for the re-import.
    #[arg(long, default_value_t = 50)]
    pub changes: usize,
}

/// The export with the family names of the first `n` persons changed.
fn with_changes(xml: &str, n: usize) -> String {
    let mut out = String::with_capacity(xml.len() + n * 8);
    let mut rest = xml;
    for _ in 0..n {
        let Some(i) = rest.find("</family>") else {
            break;
        };
        out.push_str(&rest[..i]);
        out.push_str("-Neu</family>");
        rest = &rest[i + "</family>".len()..];
    }
    out.push_str(rest);
    out
}

fn input(path: std::path::PathBuf) -> SystemImport {
    SystemImport {
        upload: UploadInput {
            format: Format::Schild,
            file_name: "bench.xml".into(),
            path,
            zip_password: None,
            with_students: true,
            account_type: None,
            columns: Columns::default(),
        },
        dry_run: false,
        accept_fixes: false,
    }
}

pub async fn run(database: Option<&str>, a: &ImportArgs) -> anyhow::Result<Outcome> {
    let spec = SchildSpec {
        students: a.students,
        ..SchildSpec::bench()
    };
    let dir = tempfile::tempdir().context("temp dir")?;
    let first = dir.path().join("export.xml");
    let xml = schild_xml(&spec);
    std::fs::write(&first, &xml)?;
    let second = dir.path().join("export-next-week.xml");
    std::fs::write(&second, with_changes(&xml, a.changes))?;
    let file_mb = xml.len() as f64 / 1_048_576.0;
    drop(xml);

    // Parsing alone first, in a fresh process image, so the peak is the parser's.
    let before = super::idle::memory("self")?;
    let parsed = schulhof_import::read_file(&first, Format::Schild, &Default::default())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let after = super::idle::memory("self")?;
    drop(parsed);

    let (url, backend) = match database {
        Some(u) => {
            crate::pg::recreate(u).await?;
            (u.to_owned(), "postgres")
        }
        None => (
            format!("sqlite://{}", dir.path().join("schulhof.db").display()),
            "sqlite",
        ),
    };
    let db = Db::connect(&url).await?;
    schulhof_store::migrate(&db, chrono::Utc::now().timestamp_micros()).await?;
    let platform = Platform::new(db.clone(), Arc::new(SystemClock), Config::default());
    platform
        .system_create_school(&spec.school_number, "Benchmark-Gesamtschule")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;

    let t = Instant::now();
    let one = platform
        .system_import(
            &spec.school_number,
            input(first.clone()),
            &ImportProgress::new(),
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let first_ms = t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    let two = platform
        .system_import(&spec.school_number, input(second), &ImportProgress::new())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let second_ms = t.elapsed().as_secs_f64() * 1000.0;
    db.close().await;

    let settings = serde_json::json!({
        "persons": person_count(&spec), "groups": group_count(&spec),
        "memberships": membership_count(&spec), "changes": a.changes,
    });
    let mut out = Outcome::new("import", backend, settings);
    out.figure("file size", round(file_mb, 2), "MB");
    out.figure("parse: RSS growth", round(after.rss - before.rss, 1), "MiB");
    out.figure(
        "parse: peak RSS of the process",
        round(after.peak, 1),
        "MiB",
    );
    out.figure(
        "first import (read + plan + apply)",
        round(first_ms, 0),
        "ms",
    );
    out.figure("persons created", one.summary.created, "");
    out.figure("groups created", one.summary.groups_created, "");
    out.figure("memberships added", one.summary.memberships_added, "");
    out.figure("re-import", round(second_ms, 0), "ms");
    out.figure("persons updated", two.summary.updated, "");
    out.check("first import < 2 s (SQLite target)", first_ms < 2000.0);
    out.check("re-import with 50 changes < 1 s", second_ms < 1000.0);
    out.check(
        "parse grows memory by < 40 MiB",
        after.rss - before.rss < 40.0,
    );
    out.succeeded = u64::from(one.summary.created > 0 && two.summary.updated as usize == a.changes);
    out.failed = u64::from(out.succeeded == 0);
    Ok(out)
}
