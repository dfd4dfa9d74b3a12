//! rspamd's HTTP protocol: `POST /checkv2` with the raw message and the envelope in headers
//! scans it; `POST /learnspam` and `/learnham` train its Bayes classifier (the controller
//! worker answers all three, so one address serves both).

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;

/// The largest answer read from rspamd (a scan result is a few KB).
const MAX_ANSWER: usize = 1024 * 1024;

/// What rspamd made of a message.
#[derive(Clone, Debug, PartialEq)]
pub struct Scan {
    /// "no action", "greylist", "add header", "rewrite subject", "soft reject", "reject".
    pub action: String,
    pub score: f64,
    pub required: f64,
    /// The symbols that matched, by name (for the `X-Spam-Symbols` header).
    pub symbols: Vec<String>,
}

impl Scan {
    /// Spam to be marked and filed in the Spam folder.
    pub fn is_spam(&self) -> bool {
        matches!(
            self.action.as_str(),
            "add header" | "rewrite subject" | "reject"
        )
    }

    pub fn is_reject(&self) -> bool {
        self.action == "reject"
    }
}

/// The envelope of a message, as rspamd takes it in request headers.
#[derive(Clone, Debug, Default)]
pub struct Envelope<'a> {
    pub mail_from: &'a str,
    pub rcpts: &'a [String],
    pub ip: Option<std::net::IpAddr>,
    pub helo: &'a str,
    /// A login of ours that sent it (rspamd skips checks meant for strangers).
    pub user: Option<&'a str>,
}

#[derive(Debug, thiserror::Error)]
pub enum SpamError {
    #[error("spam filter address unusable: {0}")]
    Address(String),
    #[error("spam filter unreachable: {0}")]
    Unreachable(String),
    #[error("spam filter did not answer in time")]
    Timeout,
    #[error("spam filter answered {0}")]
    Failed(String),
}

/// Host, port and path prefix of `http://host:port[/prefix]`.
fn split(base: &str) -> Result<(String, u16, String), SpamError> {
    let rest = base
        .strip_prefix("http://")
        .ok_or_else(|| SpamError::Address(format!("{base}: only http:// is supported")))?;
    let (hostport, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => (
            h.trim_matches(['[', ']']).to_owned(),
            p.parse()
                .map_err(|_| SpamError::Address(format!("{base}: bad port")))?,
        ),
        _ => (hostport.to_owned(), 80),
    };
    if host.is_empty() {
        return Err(SpamError::Address(format!("{base}: no host")));
    }
    let prefix = path.trim_end_matches('/');
    let prefix = if prefix.is_empty() {
        String::new()
    } else {
        format!("/{prefix}")
    };
    Ok((host, port, prefix))
}

/// Checks the address given with `--spam-filter` at start.
pub fn check_address(base: &str) -> Result<(), SpamError> {
    split(base).map(|_| ())
}

/// One POST to rspamd: status and body.
async fn post(
    base: &str,
    path: &str,
    headers: &[(&str, String)],
    raw: &[u8],
    timeout: Duration,
) -> Result<(u16, Bytes), SpamError> {
    let (host, port, prefix) = split(base)?;
    let call = async {
        let stream = tokio::net::TcpStream::connect((host.as_str(), port))
            .await
            .map_err(|e| SpamError::Unreachable(e.to_string()))?;
        let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| SpamError::Unreachable(e.to_string()))?;
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "rspamd connection");
            }
        });
        let mut req = Request::post(format!("{prefix}{path}")).header("Host", &host);
        for (k, v) in headers {
            req = req.header(*k, v.as_str());
        }
        let req = req
            .body(Full::new(Bytes::copy_from_slice(raw)))
            .map_err(|e| SpamError::Failed(e.to_string()))?;
        let resp = send
            .send_request(req)
            .await
            .map_err(|e| SpamError::Unreachable(e.to_string()))?;
        let status = resp.status().as_u16();
        let body = http_body_util::Limited::new(resp.into_body(), MAX_ANSWER)
            .collect()
            .await
            .map_err(|e| SpamError::Failed(e.to_string()))?
            .to_bytes();
        Ok((status, body))
    };
    tokio::time::timeout(timeout, call)
        .await
        .map_err(|_| SpamError::Timeout)?
}

/// Scans a message.
pub async fn check(
    base: &str,
    env: &Envelope<'_>,
    raw: &[u8],
    timeout: Duration,
) -> Result<Scan, SpamError> {
    let mut headers: Vec<(&str, String)> = Vec::new();
    // An empty envelope sender (a bounce) is sent as "<>".
    let from = if env.mail_from.is_empty() {
        "<>"
    } else {
        env.mail_from
    };
    headers.push(("From", from.to_owned()));
    for r in env.rcpts {
        headers.push(("Rcpt", r.clone()));
    }
    if let Some(ip) = env.ip {
        headers.push(("IP", ip.to_string()));
    }
    if !env.helo.is_empty() {
        headers.push(("Helo", env.helo.to_owned()));
    }
    if let Some(u) = env.user {
        headers.push(("User", u.to_owned()));
    }
    let (status, body) = post(base, "/checkv2", &headers, raw, timeout).await?;
    if status != 200 {
        return Err(SpamError::Failed(format!("HTTP {status}")));
    }
    parse(&body)
}

fn parse(body: &[u8]) -> Result<Scan, SpamError> {
    let v: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| SpamError::Failed(e.to_string()))?;
    let action = v
        .get("action")
        .and_then(|a| a.as_str())
        .ok_or_else(|| SpamError::Failed("no action in the answer".into()))?;
    let mut symbols: Vec<String> = v
        .get("symbols")
        .and_then(|s| s.as_object())
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    symbols.sort();
    Ok(Scan {
        action: action.to_owned(),
        score: v.get("score").and_then(|s| s.as_f64()).unwrap_or(0.0),
        required: v
            .get("required_score")
            .and_then(|s| s.as_f64())
            .unwrap_or(0.0),
        symbols,
    })
}

/// Trains the classifier with a message the user judged: spam or not. A message learned
/// before is no error.
pub async fn learn(base: &str, spam: bool, raw: &[u8], timeout: Duration) -> Result<(), SpamError> {
    let path = if spam { "/learnspam" } else { "/learnham" };
    let (status, body) = post(base, path, &[], raw, timeout).await?;
    let text = String::from_utf8_lossy(&body);
    if status == 200 || text.contains("already learned") {
        return Ok(());
    }
    Err(SpamError::Failed(format!(
        "HTTP {status}: {}",
        text.chars().take(200).collect::<String>()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_split() {
        let s = |b| split(b).ok();
        assert_eq!(
            s("http://127.0.0.1:11334"),
            Some(("127.0.0.1".into(), 11334, "".into()))
        );
        assert_eq!(
            s("http://rspamd/x/"),
            Some(("rspamd".into(), 80, "/x".into()))
        );
        assert_eq!(
            s("http://[::1]:11334"),
            Some(("::1".into(), 11334, "".into()))
        );
        assert!(split("https://x").is_err());
        assert!(split("http://:1").is_err());
    }

    #[test]
    fn answers_parse() {
        let a = br#"{"score":15.0,"required_score":15.0,"action":"reject","symbols":{"GTUBE":{}}}"#;
        let scan = parse(a).ok();
        assert!(scan.as_ref().is_some_and(|s| s.is_reject() && s.is_spam()));
        assert_eq!(scan.map(|s| s.symbols), Some(vec!["GTUBE".to_owned()]));
        assert!(parse(b"{}").is_err());
        let ham = parse(br#"{"action":"no action","score":0.5}"#).ok();
        assert!(ham.is_some_and(|s| !s.is_spam()));
    }
}
