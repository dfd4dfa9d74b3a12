//! A minimal HTTP/1.1 client: one keep-alive connection per simulated user, like a browser
//! tab, with its session cookie. No pool and no automatic retries, so every dropped
//! connection and every odd status is seen and counted by the scenario.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{CONTENT_TYPE, COOKIE, HOST, LOCATION, RETRY_AFTER, SET_COOKIE};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use schulhof_front::SESSION_COOKIE;

/// A request that got no HTTP answer at all.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("cannot connect: {0}")]
    Connect(String),
    /// The server closed or reset the connection instead of answering.
    #[error("connection dropped: {0}")]
    Dropped(String),
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("cannot build the request: {0}")]
    Request(String),
}

impl Failure {
    /// A short label for error tables.
    pub fn label(&self) -> &'static str {
        match self {
            Failure::Connect(_) => "connect",
            Failure::Dropped(_) => "dropped",
            Failure::Timeout(_) => "timeout",
            Failure::Request(_) => "request",
        }
    }
}

/// An HTTP answer with what the scenarios look at.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub retry_after: Option<u64>,
    pub location: Option<String>,
    pub body: Bytes,
    /// From writing the request to the last byte of the body.
    pub latency: Duration,
}

pub struct Client {
    addr: SocketAddr,
    host: String,
    conn: Option<SendRequest<Full<Bytes>>>,
    timeout: Duration,
    /// The value of the session cookie, once logged in.
    pub session: Option<String>,
    /// How many TCP connections this client opened (1 means keep-alive held throughout).
    pub connects: u64,
}

impl Client {
    pub fn new(addr: SocketAddr) -> Self {
        Self {
            addr,
            host: addr.to_string(),
            conn: None,
            timeout: Duration::from_secs(60),
            session: None,
            connects: 0,
        }
    }

    /// Another connection (another tab) with the same session cookie.
    pub fn sibling(&self) -> Self {
        Self {
            session: self.session.clone(),
            ..Self::new(self.addr)
        }
    }

    pub async fn get(&mut self, path: &str) -> Result<Reply, Failure> {
        self.send(Method::GET, path, None).await
    }

    pub async fn post_json(
        &mut self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<Reply, Failure> {
        let bytes = serde_json::to_vec(body).map_err(|e| Failure::Request(e.to_string()))?;
        self.send(Method::POST, path, Some(bytes)).await
    }

    /// A PUT without a body (adding a member to a group).
    pub async fn send_put(&mut self, path: &str) -> Result<Reply, Failure> {
        self.send(Method::PUT, path, None).await
    }

    /// POSTs an HTML form (`application/x-www-form-urlencoded`), as a browser without JS.
    pub async fn post_form(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Result<Reply, Failure> {
        let enc = |s: &str| {
            s.bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                        (b as char).to_string()
                    }
                    b' ' => "+".to_owned(),
                    _ => format!("%{b:02X}"),
                })
                .collect::<String>()
        };
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect();
        let mut req = self.build(Method::POST, path, Some(body.join("&").into_bytes()))?;
        req.headers_mut().insert(
            CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        self.send_built(req).await
    }

    /// POSTs one file as `multipart/form-data` field `field`, as a browser's upload form.
    pub async fn post_file(
        &mut self,
        path: &str,
        field: &str,
        name: &str,
        content: &[u8],
    ) -> Result<Reply, Failure> {
        const BOUNDARY: &str = "schulhof-bench-boundary-7f3a9c";
        let mut body = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(content);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let mut req = self.build(Method::POST, path, Some(body))?;
        let kind = format!("multipart/form-data; boundary={BOUNDARY}");
        req.headers_mut().insert(
            CONTENT_TYPE,
            hyper::header::HeaderValue::from_str(&kind)
                .map_err(|e| Failure::Request(e.to_string()))?,
        );
        self.send_built(req).await
    }

    async fn send(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Reply, Failure> {
        let req = self.build(method, path, body)?;
        self.send_built(req).await
    }

    async fn send_built(&mut self, req: Request<Full<Bytes>>) -> Result<Reply, Failure> {
        let started = Instant::now();
        let answer = tokio::time::timeout(self.timeout, self.exchange(req)).await;
        let (status, headers, body) = match answer {
            Ok(Ok(parts)) => parts,
            Ok(Err(e)) => {
                self.conn = None;
                return Err(e);
            }
            Err(_) => {
                // The connection is in an unknown state: never reuse it.
                self.conn = None;
                return Err(Failure::Timeout(self.timeout));
            }
        };
        let latency = started.elapsed();
        self.remember_cookie(&headers);
        let text = |h| {
            headers
                .get(h)
                .and_then(|v: &hyper::header::HeaderValue| v.to_str().ok())
        };
        Ok(Reply {
            status,
            retry_after: text(RETRY_AFTER).and_then(|s| s.trim().parse().ok()),
            location: text(LOCATION).map(str::to_owned),
            body,
            latency,
        })
    }

    fn build(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Request<Full<Bytes>>, Failure> {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, &self.host);
        if let Some(s) = &self.session {
            req = req.header(COOKIE, format!("{SESSION_COOKIE}={s}"));
        }
        if body.is_some() {
            req = req.header(CONTENT_TYPE, "application/json");
        }
        req.body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| Failure::Request(e.to_string()))
    }

    async fn exchange(
        &mut self,
        req: Request<Full<Bytes>>,
    ) -> Result<(StatusCode, hyper::HeaderMap, Bytes), Failure> {
        let conn = self.connection().await?;
        conn.ready()
            .await
            .map_err(|e| Failure::Dropped(e.to_string()))?;
        let res = conn
            .send_request(req)
            .await
            .map_err(|e| Failure::Dropped(e.to_string()))?;
        let (parts, body) = res.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|e| Failure::Dropped(e.to_string()))?
            .to_bytes();
        Ok((parts.status, parts.headers, body))
    }

    async fn connection(&mut self) -> Result<&mut SendRequest<Full<Bytes>>, Failure> {
        if self.conn.as_ref().is_some_and(|c| c.is_closed()) {
            self.conn = None;
        }
        if self.conn.is_none() {
            let stream = TcpStream::connect(self.addr)
                .await
                .map_err(|e| Failure::Connect(e.to_string()))?;
            // Small requests: do not let Nagle add 40 ms to the latency figures.
            stream
                .set_nodelay(true)
                .map_err(|e| Failure::Connect(e.to_string()))?;
            let (sender, conn) = http1::handshake(TokioIo::new(stream))
                .await
                .map_err(|e| Failure::Connect(e.to_string()))?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            self.connects += 1;
            self.conn = Some(sender);
        }
        self.conn
            .as_mut()
            .ok_or_else(|| Failure::Connect("no connection".into()))
    }

    fn remember_cookie(&mut self, headers: &hyper::HeaderMap) {
        let prefix = format!("{SESSION_COOKIE}=");
        for v in headers.get_all(SET_COOKIE) {
            let Some(value) = v
                .to_str()
                .ok()
                .and_then(|s| s.strip_prefix(&prefix))
                .and_then(|s| s.split(';').next())
            else {
                continue;
            };
            self.session = (!value.is_empty()).then(|| value.to_owned());
        }
    }
}
