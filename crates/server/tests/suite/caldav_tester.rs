//! Real calendar clients against the whole application over a socket: Python `caldav` makes
//! a calendar with MKCALENDAR; `caldav-server-tester` (PyPI) checks the server, and the
//! features it finds deviating must be exactly those docs/calendars.md lists with a reason,
//! so a new deviation (or a fixed one) breaks this test until the documentation says so.

use crate::common;
use crate::support;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use common::{DEMO_PW, TestApp};
use schulhof_store::testing::TestDb;

fn python() -> String {
    std::env::var("SCHULHOF_PYTHON").unwrap_or_else(|_| "/var/tmp/schulhof-venv/bin/python".into())
}

async fn script(name: &str, url: String) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/caldav_tester")
        .join(name);
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python())
            .arg(path)
            .args([url.as_str(), "lehrer@100000", DEMO_PW])
            .output()
            .expect("the Python environment of scripts/ensure-test-deps.sh (SCHULHOF_PYTHON)")
    })
    .await
    .expect("join");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{name}: {text}");
    text
}

/// The deviations docs/calendars.md documents: lines "- `feature` (support): reason"
/// between the two markers.
fn documented() -> BTreeSet<String> {
    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/calendars.md");
    let text = std::fs::read_to_string(doc).expect("docs/calendars.md");
    let inner = support::between(&text, "<!-- tester:begin -->", "<!-- tester:end -->");
    inner
        .lines()
        .filter_map(|l| {
            let l = l.trim().strip_prefix("- `")?;
            let (feature, rest) = l.split_once('`')?;
            let support = support::between(rest, "(", ")");
            Some(format!("{feature}\t{support}"))
        })
        .collect()
}

async fn scenario(app: TestApp) {
    app.platform
        .system_seed_demo_files()
        .await
        .expect("demo content");
    app.ready("lehrer").await;
    let port = support::listen(&app).await;
    let url = format!("http://127.0.0.1:{port}/dav/");
    let text = script("mkcalendar.py", url.clone()).await;
    assert!(text.contains("mkcalendar: OK"), "{text}");
    let text = script("tester.py", url).await;
    eprintln!("{text}");
    let found: BTreeSet<String> = support::between(&text, "BEGIN\n", "END")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect();
    eprintln!(
        "caldav-server-tester deviations:\n{}",
        found.iter().cloned().collect::<Vec<_>>().join("\n")
    );
    assert_eq!(
        found,
        documented(),
        "caldav-server-tester: the deviations found (left) differ from those documented in docs/calendars.md (right)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn caldav_clients_on_sqlite() {
    let t = TestDb::sqlite().await;
    scenario(TestApp::new(t.db.clone()).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn caldav_clients_on_postgres() {
    let t = TestDb::postgres().await;
    scenario(TestApp::new(t.db.clone()).await).await;
    t.db.close().await;
}
