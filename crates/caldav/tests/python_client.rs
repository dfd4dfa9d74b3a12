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

/// A client sends its PROPFIND body to the well-known URI and follows the redirect on the same
/// connection: the connection must still be open for the second request (an unread body used
/// to close it, and a quick client saw "closed without response").
#[tokio::test]
async fn the_connection_stays_open_after_the_well_known_redirect() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = schulhof_caldav::router::<Mem, Mem>().with_state(Mem::new());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let body =
        r#"<d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>"#;
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let head = format!(
        "PROPFIND /.well-known/caldav HTTP/1.1\r\nHost: x\r\nDepth: 0\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    // The body a moment after the head, as on a busy machine: the answer must not leave
    // before it (or the connection cannot be used again).
    s.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    s.write_all(body.as_bytes()).await.unwrap();
    let head = read_head(&mut s).await;
    assert!(head.starts_with("HTTP/1.1 301"), "{head}");
    assert!(
        !head.to_ascii_lowercase().contains("connection: close"),
        "{head}"
    );
    // The second request on the same connection gets its answer (401: no login given).
    s.write_all(b"OPTIONS /dav/ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        .await
        .unwrap();
    let head = read_head(&mut s).await;
    assert!(
        head.starts_with("HTTP/1.1 "),
        "the connection was closed: {head:?}"
    );

    async fn read_head(s: &mut tokio::net::TcpStream) -> String {
        let mut buf = Vec::new();
        let mut byte = [0u8; 1];
        while !buf.ends_with(b"\r\n\r\n") {
            let n = tokio::time::timeout(std::time::Duration::from_secs(5), s.read(&mut byte))
                .await
                .expect("an answer within 5 s")
                .unwrap();
            if n == 0 {
                break;
            }
            buf.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&buf).into_owned();
        // The redirect and OPTIONS answers carry no body worth reading; skip a declared one.
        if let Some(len) = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().to_owned())
            })
            .and_then(|v| v.parse::<usize>().ok())
        {
            let mut rest = vec![0u8; len];
            s.read_exact(&mut rest).await.unwrap();
        }
        head
    }
}
