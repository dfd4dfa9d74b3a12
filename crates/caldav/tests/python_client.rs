//! A real client, Python `caldav` (PyPI), against the protocol served over HTTP with the
//! in-memory store: discovery, MKCALENDAR, PUT, time-range search, sync-collection.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Command;

use common::Mem;

fn python() -> String {
    std::env::var("SCHULHOF_PYTHON").unwrap_or_else(|_| "/var/tmp/schulhof-venv/bin/python".into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_caldav_creates_queries_and_syncs() {
    let mem = Mem::new();
    let app = schulhof_caldav::router::<Mem, Mem>().with_state(mem);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python_client/client.py");
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python())
            .arg(script)
            .args([
                &format!("http://127.0.0.1:{port}/dav/"),
                "lehrer@100000",
                "pw",
            ])
            .output()
            .expect("the Python environment of scripts/ensure-test-deps.sh (SCHULHOF_PYTHON)")
    })
    .await
    .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && text.contains("caldav client: OK"),
        "{text}"
    );
}

#[tokio::test]
async fn well_known_redirects_and_options_need_no_login() {
    use tower::ServiceExt;
    let app = schulhof_caldav::router::<Mem, Mem>().with_state(Mem::new());
    for p in ["/.well-known/caldav", "/.well-known/carddav"] {
        let r = app
            .clone()
            .oneshot(
                axum::http::Request::get(p)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(r.status(), 301);
        assert_eq!(r.headers()["location"], "/dav/");
    }
    let r = app
        .clone()
        .oneshot(
            axum::http::Request::options("/dav/")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["dav"]
            .to_str()
            .unwrap()
            .contains("calendar-access")
    );
    let r = app
        .oneshot(
            axum::http::Request::builder()
                .method("PROPFIND")
                .uri("/dav/")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "everything else needs a login");
}
