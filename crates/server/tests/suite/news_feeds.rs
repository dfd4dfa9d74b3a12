//! The public feeds of the demo school through the real binary: RSS and Atom parse without
//! the bozo flag in Python `feedparser`, the JSON Feed validates against the published JSON
//! Feed 1.1 schema (`tests/feeds/`), `ETag`/`Last-Modified` give 304 on repeat, a bad
//! `If-Modified-Since` is ignored (200), no cookie is set, the public item page opens without
//! login, the teachers-only item stays out, and an unknown school is 404.

use crate::cli_support;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;

use cli_support::*;
use schulhof_store::testing::TestDb;

fn python() -> String {
    std::env::var("SCHULHOF_PYTHON").unwrap_or_else(|_| "/var/tmp/schulhof-venv/bin/python".into())
}

/// A GET with extra header lines; the status and the whole response.
fn get(port: u16, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let extra: String = headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    let req = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n{extra}\r\n");
    s.write_all(req.as_bytes()).expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, out)
}

fn header<'a>(response: &'a str, name: &str) -> Option<&'a str> {
    let head = response.split("\r\n\r\n").next().unwrap_or("");
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn body(response: &str) -> &str {
    response.split_once("\r\n\r\n").map_or("", |(_, b)| b)
}

fn validated_by_third_party_parsers(port: u16) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/feeds/validate.py");
    let out = Command::new(python())
        .arg(script)
        .args([&format!("http://127.0.0.1:{port}"), "100000"])
        .output()
        .expect("the Python environment of scripts/ensure-test-deps.sh (SCHULHOF_PYTHON)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success() && text.starts_with("OK"), "{text}");
    assert!(text.contains("Tag der offenen Tür"), "{text}");
    assert!(
        !text.contains("Lehrerkonferenz"),
        "teachers-only news is not public: {text}"
    );
}

fn conditional_requests(port: u16) {
    for file in ["feed.rss", "feed.atom", "feed.json"] {
        let path = format!("/schule/100000/{file}");
        let (s, first) = get(port, &path, &[]);
        assert_eq!(s, 200, "{first}");
        assert!(
            header(&first, "set-cookie").is_none(),
            "no cookie on a feed"
        );
        let etag = header(&first, "etag").expect("etag").to_owned();
        let modified = header(&first, "last-modified")
            .expect("last-modified")
            .to_owned();
        let (s, again) = get(port, &path, &[("If-None-Match", &etag)]);
        assert_eq!(s, 304, "{again}");
        assert!(body(&again).is_empty());
        assert_eq!(header(&again, "etag"), Some(etag.as_str()));
        let (s, _) = get(port, &path, &[("If-Modified-Since", &modified)]);
        assert_eq!(s, 304);
        let (s, _) = get(port, &path, &[("If-None-Match", "\"something-else\"")]);
        assert_eq!(s, 200);
        // An unreadable date is ignored, as HTTP says: the whole feed, never an error.
        for bad in ["gestern", "Mon, 99 Foo 2026 99:99:99 GMT", "-1", "ÿ"] {
            let (s, r) = get(port, &path, &[("If-Modified-Since", bad)]);
            assert_eq!(s, 200, "{bad}: {r}");
        }
        let (s, _) = get(
            port,
            &path,
            &[("If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT")],
        );
        assert_eq!(s, 200);
    }
}

fn public_item_and_isolation(port: u16) {
    let (_, feed) = get(port, "/schule/100000/feed.json", &[]);
    let doc: serde_json::Value = serde_json::from_str(body(&feed)).expect("json");
    let url = doc["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["url"].as_str())
        .find(|u| u.contains("/neuigkeiten/"))
        .expect("a news item");
    assert!(
        url.starts_with(&format!(
            "http://127.0.0.1:{port}/schule/100000/neuigkeiten/"
        )),
        "{url}"
    );
    let path = url
        .split_once(&format!("{port}"))
        .map(|(_, p)| p)
        .expect("path");
    let (s, page) = get(port, path, &[]);
    assert_eq!(s, 200, "{page}");
    assert!(
        header(&page, "set-cookie").is_none(),
        "no cookie on the public page"
    );
    // Another school's number, or a made-up item, is 404.
    let other = path.replace("/schule/100000/", "/schule/999999/");
    assert_eq!(get(port, &other, &[]).0, 404);
    assert_eq!(get(port, "/schule/999999/feed.rss", &[]).0, 404);
    assert_eq!(
        get(
            port,
            "/schule/100000/neuigkeiten/0190a0a0-0000-7000-8000-000000000000",
            &[]
        )
        .0,
        404
    );
}

fn scenario(db: &[&str]) {
    let server = serve(db, &["--demo"]);
    let port = server.1;
    validated_by_third_party_parsers(port);
    conditional_requests(port);
    public_item_and_isolation(port);
}

#[test]
fn feeds_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    scenario(&["--data", &data]);
}

#[tokio::test(flavor = "multi_thread")]
async fn feeds_on_postgres() {
    let t = TestDb::postgres().await;
    t.db.close().await;
    let url = t.url.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8").to_owned();
    tokio::task::spawn_blocking(move || scenario(&["--database", &url, "--data", &data]))
        .await
        .expect("scenario");
}
