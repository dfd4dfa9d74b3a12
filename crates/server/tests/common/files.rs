//! Helpers for the file manager's API: raw bodies and bytes back, multipart forms, a real
//! socket for streamed uploads, and shortcuts for folders and files. Included by the file
//! tests only (`#[path = "common/files.rs"] mod file_helpers;` next to `mod common;`).

#![allow(dead_code)]

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tower::ServiceExt;

use crate::common::{Reply, TestApp};

/// A reply with its body as bytes (downloads), and as JSON when it is JSON.
pub struct Raw {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub json: Value,
}

impl Raw {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn code(&self) -> &str {
        self.json["error"].as_str().unwrap_or("")
    }
}

/// Percent-encodes a query value.
pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The id of a JSON entry.
pub fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

impl TestApp {
    /// Any request with a raw body; the reply's body as bytes.
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        cookie: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Raw {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, format!("schulhof_session={cookie}"));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req.body(Body::from(body)).expect("request");
        let res = self.router.clone().oneshot(req).await.expect("response");
        let status = res.status();
        let headers = res.headers().clone();
        let body = res
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
        Raw {
            status,
            headers,
            body,
            json,
        }
    }

    /// `DELETE path` without a body.
    pub async fn del(&self, cookie: &str, path: &str) -> Reply {
        self.send("DELETE", path, Some(cookie), None, &[]).await
    }

    /// `POST path` without a body.
    pub async fn post(&self, cookie: &str, path: &str) -> Reply {
        self.send("POST", path, Some(cookie), None, &[]).await
    }

    /// `PUT /api/v1/files/{folder}/content?name=…` with `bytes`.
    pub async fn put_file(&self, cookie: &str, folder: &str, name: &str, bytes: &[u8]) -> Raw {
        let path = format!("/api/v1/files/{folder}/content?name={}", enc(name));
        self.raw("PUT", &path, cookie, &[], bytes.to_vec()).await
    }

    /// `POST /api/v1/files/{folder}/upload` with the files as one multipart form.
    pub async fn upload_files(&self, cookie: &str, folder: &str, files: &[(&str, &[u8])]) -> Raw {
        const B: &str = "schulhof-test-boundary-7f3a";
        let mut body = Vec::new();
        for (name, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{B}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{B}--\r\n").as_bytes());
        let ct = format!("multipart/form-data; boundary={B}");
        let path = format!("/api/v1/files/{folder}/upload");
        self.raw("POST", &path, cookie, &[("content-type", &ct)], body)
            .await
    }

    /// The bytes of a file.
    pub async fn download(&self, cookie: &str, file: &str, headers: &[(&str, &str)]) -> Raw {
        let path = format!("/api/v1/files/{file}/content");
        self.raw("GET", &path, cookie, headers, Vec::new()).await
    }

    /// Creates a folder and returns its id; panics unless it was created.
    pub async fn mkdir(&self, cookie: &str, parent: &str, name: &str) -> String {
        let r = self
            .call(
                "POST",
                &format!("/api/v1/files/{parent}/folders"),
                cookie,
                json!({ "name": name }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "mkdir {name}: {}", r.json);
        id(&r.json)
    }

    /// The names in a folder as the caller sees them, in the listed order.
    pub async fn names(&self, cookie: &str, folder: &str) -> Vec<String> {
        let r = self.get(&format!("/api/v1/files/{folder}"), cookie).await;
        assert_eq!(r.status, StatusCode::OK, "list {folder}: {}", r.json);
        r.json["children"]
            .as_array()
            .expect("children")
            .iter()
            .map(|e| e["name"].as_str().expect("name").to_owned())
            .collect()
    }

    /// The root id of an area (`own`, `info`, `teaching`, `staff`) as the caller sees it.
    pub async fn area_root(&self, cookie: &str, area: &str) -> Option<String> {
        let r = self.get("/api/v1/files", cookie).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        r.json["areas"]
            .as_array()
            .expect("areas")
            .iter()
            .find(|a| a["area"] == area)
            .map(id)
    }
}

/// Serves the app on a real socket (for transfers that must really stream). The server
/// lives as long as the test's runtime.
pub async fn serve(app: &TestApp) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let router = app.router.clone();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    addr
}

/// The status line and headers of an HTTP/1.1 reply, read until the blank line.
async fn read_head(s: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(20), s.read(&mut byte))
            .await
            .expect("the server answers in time")
            .expect("read");
        if n == 0 {
            break;
        }
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).into_owned()
}

fn status_of(head: &str) -> u16 {
    head.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Sends a `PUT` with a chunked body over a socket, `chunks` pieces of `chunk` bytes each
/// (a repeating pattern), and returns the status and the JSON body.
pub async fn put_chunked(
    addr: std::net::SocketAddr,
    cookie: &str,
    path: &str,
    chunk: usize,
    chunks: usize,
) -> (u16, Value) {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "PUT {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: schulhof_session={cookie}\r\n\
         Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.expect("head");
    for i in 0..chunks {
        let piece = pattern(i * chunk, chunk);
        s.write_all(format!("{:x}\r\n", piece.len()).as_bytes())
            .await
            .expect("chunk size");
        s.write_all(&piece).await.expect("chunk");
        s.write_all(b"\r\n").await.expect("chunk end");
    }
    s.write_all(b"0\r\n\r\n").await.expect("last chunk");
    let head = read_head(&mut s).await;
    let mut rest = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut rest)).await;
    // The JSON body may itself be chunked; it is one small chunk then.
    let text = String::from_utf8_lossy(&rest);
    let json = text
        .find('{')
        .and_then(|a| text.rfind('}').map(|b| &text[a..=b]))
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or(Value::Null);
    (status_of(&head), json)
}

/// Sends only the head of a large `PUT` and waits for the answer without sending a byte
/// of the body: the status the server gives before reading anything.
pub async fn put_head_only(addr: std::net::SocketAddr, cookie: &str, path: &str) -> u16 {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "PUT {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: schulhof_session={cookie}\r\n\
         Content-Length: 100000000\r\nConnection: close\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.expect("head");
    status_of(&read_head(&mut s).await)
}

/// `len` bytes of a repeating, position-dependent pattern starting at `offset`.
pub fn pattern(offset: usize, len: usize) -> Vec<u8> {
    (offset..offset + len).map(|i| (i % 251) as u8).collect()
}
