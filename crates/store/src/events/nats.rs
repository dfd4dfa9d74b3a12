//! A small NATS client for the event bus: core publish/subscribe over plain TCP, nothing
//! else (no JetStream, no TLS, no request/reply). The bus carries only small "changed"
//! signals and the database stays the source of truth, so at-most-once delivery is enough.
//! A general client crate (async-nats) brings about 25 more crates (TLS, key handling,
//! regex, time) for features the bus never uses; the protocol it needs is a few text lines.
//!
//! Protocol (docs.nats.io, "Client protocol"): the server greets with `INFO {json}`; the
//! client answers `CONNECT {json}` and `PING`, the server's `PONG` confirms; then
//! `SUB <subject> <sid>`, `PUB <subject> <len>\r\n<payload>` and, from the server,
//! `MSG <subject> <sid> [reply-to] <len>\r\n<payload>`, `PING` (answered `PONG`), `+OK`,
//! `-ERR '<reason>'`. Every line ends with CRLF.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, watch};

/// The longest control line accepted from the server (an `INFO` line included).
const MAX_LINE: usize = 64 * 1024;
/// The largest payload accepted (NATS servers default to 1 MiB).
const MAX_PAYLOAD: usize = 1024 * 1024;
/// Signals waiting to be published; beyond this (server unreachable) they are dropped.
const QUEUE: usize = 8192;

/// Where the NATS server is: `nats://host:port` (or `host:port`), optionally with
/// `user:password@` before the host.
#[derive(Clone, PartialEq, Eq)]
pub struct NatsUrl {
    pub host: String,
    pub port: u16,
    pub user: Option<(String, String)>,
}

impl std::fmt::Debug for NatsUrl {
    // The password stays out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "nats://{}:{}", self.host, self.port)
    }
}

impl std::fmt::Display for NatsUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self, f)
    }
}

impl std::str::FromStr for NatsUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<NatsUrl, String> {
        let bad = |why: &str| format!("invalid NATS URL {:?}: {why}", redact(s));
        let rest = s.trim();
        let rest = match rest.split_once("://") {
            Some(("nats", r)) => r,
            Some(_) => return Err(bad("the scheme must be nats://")),
            None => rest,
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let (user, hostport) = match rest.rsplit_once('@') {
            Some((u, h)) => {
                let (name, pw) = u
                    .split_once(':')
                    .ok_or_else(|| bad("user without password"))?;
                (Some((name.to_owned(), pw.to_owned())), h)
            }
            None => (None, rest),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().map_err(|_| bad("the port must be a number"))?),
            None => (hostport, 4222),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let valid = |c: char| c.is_ascii_alphanumeric() || ".-:".contains(c);
        if host.is_empty() || !host.chars().all(valid) || port == 0 {
            return Err(bad("host and port needed"));
        }
        Ok(NatsUrl {
            host: host.to_owned(),
            port,
            user,
        })
    }
}

fn redact(s: &str) -> String {
    match s.rsplit_once('@') {
        Some((_, h)) => format!("nats://…@{h}"),
        None => s.to_owned(),
    }
}

/// One operation of the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerOp {
    Info(String),
    Msg {
        subject: String,
        sid: u64,
        reply: Option<String>,
        payload: Vec<u8>,
    },
    Ping,
    Pong,
    Ok,
    Err(String),
}

/// What the server sent that is not the protocol.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProtoError {
    #[error("control line too long")]
    LineTooLong,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("malformed line: {0}")]
    Malformed(String),
}

/// Splits the server's byte stream into operations, however it is cut into reads.
#[derive(Default)]
pub struct Parser {
    buf: Vec<u8>,
    /// Where the unparsed bytes of `buf` start.
    pos: usize,
}

impl Parser {
    pub fn feed(&mut self, data: &[u8]) {
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(data);
    }

    /// The next complete operation; `None` until more bytes arrive.
    pub fn next_op(&mut self) -> Result<Option<ServerOp>, ProtoError> {
        let rest = &self.buf[self.pos..];
        let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") else {
            if rest.len() > MAX_LINE {
                return Err(ProtoError::LineTooLong);
            }
            return Ok(None);
        };
        if eol > MAX_LINE {
            return Err(ProtoError::LineTooLong);
        }
        let line = std::str::from_utf8(&rest[..eol])
            .map_err(|_| ProtoError::Malformed("not UTF-8".into()))?;
        let malformed = || ProtoError::Malformed(line.chars().take(80).collect());
        let (verb, args) = match line.split_once([' ', '\t']) {
            Some((v, a)) => (v, a.trim()),
            None => (line, ""),
        };
        let op = match verb.to_ascii_uppercase().as_str() {
            "MSG" => {
                let parts: Vec<&str> = args.split_ascii_whitespace().collect();
                let (subject, sid, reply, len) = match parts.as_slice() {
                    [s, i, n] => (*s, *i, None, *n),
                    [s, i, r, n] => (*s, *i, Some(*r), *n),
                    _ => return Err(malformed()),
                };
                let sid = sid.parse().map_err(|_| malformed())?;
                let len: usize = len.parse().map_err(|_| malformed())?;
                if len > MAX_PAYLOAD {
                    return Err(ProtoError::PayloadTooLarge);
                }
                let start = eol + 2;
                if rest.len() < start + len + 2 {
                    return Ok(None);
                }
                if &rest[start + len..start + len + 2] != b"\r\n" {
                    return Err(malformed());
                }
                let op = ServerOp::Msg {
                    subject: subject.to_owned(),
                    sid,
                    reply: reply.map(str::to_owned),
                    payload: rest[start..start + len].to_vec(),
                };
                self.pos += start + len + 2;
                return Ok(Some(op));
            }
            "PING" if args.is_empty() => ServerOp::Ping,
            "PONG" if args.is_empty() => ServerOp::Pong,
            "+OK" if args.is_empty() => ServerOp::Ok,
            "-ERR" => ServerOp::Err(args.trim_matches('\'').to_owned()),
            "INFO" => ServerOp::Info(args.to_owned()),
            _ => return Err(malformed()),
        };
        self.pos += eol + 2;
        Ok(Some(op))
    }
}

/// Whether `s` may be used as a subject: tokens of printable ASCII without spaces.
pub fn valid_subject(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 256
        && s.bytes().all(|b| b.is_ascii_graphic())
        && s.split('.').all(|t| !t.is_empty())
}

/// The CONNECT line: no echo of this connection's own publications (the node hands its
/// signals to its own subscribers itself), no `+OK` after every command.
fn connect_line(url: &NatsUrl) -> String {
    let mut o = serde_json::json!({
        "verbose": false, "pedantic": false, "tls_required": false, "echo": false,
        "headers": false, "name": "schulhof", "lang": "rust",
        "version": env!("CARGO_PKG_VERSION"), "protocol": 1,
    });
    if let Some((user, pass)) = &url.user {
        o["user"] = user.as_str().into();
        o["pass"] = pass.as_str().into();
    }
    format!("CONNECT {o}\r\nPING\r\n")
}

/// What the publishers hand the connection, in order.
enum Out {
    Pub(String, String),
    /// Answer once the server has taken everything queued before (a PING's PONG).
    Flush(oneshot::Sender<()>),
}

/// The publishing half of a connection: cheap to clone, never waits.
#[derive(Clone)]
pub struct Publisher {
    tx: mpsc::Sender<Out>,
    connected: watch::Receiver<bool>,
}

/// The connection's other half, until it is started.
pub struct Pending {
    url: NatsUrl,
    rx: mpsc::Receiver<Out>,
    connected: watch::Sender<bool>,
}

/// A connection to be started with [`Pending::run`]; publications queue meanwhile.
pub fn channel(url: NatsUrl) -> (Publisher, Pending) {
    let (tx, rx) = mpsc::channel(QUEUE);
    let (ctx, crx) = watch::channel(false);
    (
        Publisher { tx, connected: crx },
        Pending {
            url,
            rx,
            connected: ctx,
        },
    )
}

impl Publisher {
    /// Queues `payload` for `subject`; dropped (a lost signal costs latency only) when the
    /// queue is full because the server has been unreachable for a while.
    pub fn publish(&self, subject: &str, payload: &str) {
        if self
            .tx
            .try_send(Out::Pub(subject.to_owned(), payload.to_owned()))
            .is_err()
        {
            tracing::debug!(subject, "NATS signal dropped: not connected");
        }
    }

    /// Waits (at most `limit`) until the server has taken every signal published before
    /// this call; whether it has. A command-line run calls it before it exits, or the
    /// signals still queued would go with the process.
    pub async fn flushed(&self, limit: Duration) -> bool {
        let (tx, rx) = oneshot::channel();
        let asked = async { self.tx.send(Out::Flush(tx)).await.is_ok() && rx.await.is_ok() };
        tokio::time::timeout(limit, asked).await.unwrap_or(false)
    }

    /// Waits until the connection is up and subscribed (at most `limit`); whether it is.
    pub async fn ready(&self, limit: Duration) -> bool {
        let mut c = self.connected.clone();
        tokio::time::timeout(limit, c.wait_for(|up| *up))
            .await
            .is_ok_and(|r| r.is_ok())
    }
}

impl Pending {
    /// Keeps the connection (reconnecting after a loss) and hands every message on one of
    /// `subjects` to `on(index of the subject, payload)`, until every publisher is gone.
    pub async fn run(mut self, subjects: Vec<String>, on: impl Fn(usize, &[u8]) + Send + Sync) {
        let mut wait = Duration::from_millis(100);
        loop {
            let lost = self.session(&subjects, &on).await;
            let _ = self.connected.send(false);
            match lost {
                None => return,
                Some(e) => {
                    tracing::warn!(url = %self.url, error = %e, "NATS connection lost, reconnecting");
                }
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(5));
        }
    }

    /// One connection; `None` when the publishers are gone, else why it ended.
    async fn session(
        &mut self,
        subjects: &[String],
        on: &(impl Fn(usize, &[u8]) + Send + Sync),
    ) -> Option<String> {
        let addr = (self.url.host.as_str(), self.url.port);
        let stream =
            match tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(addr)).await {
                Ok(Ok(s)) => s,
                Ok(Err(e)) => return Some(e.to_string()),
                Err(_) => return Some("connect timed out".into()),
            };
        let _ = stream.set_nodelay(true);
        let (mut rd, mut wr) = stream.into_split();
        let mut parser = Parser::default();
        let mut buf = vec![0u8; 16 * 1024];
        // The greeting, then our CONNECT, subscriptions and a PING whose PONG says all is set.
        let mut hello = connect_line(&self.url);
        for (i, s) in subjects.iter().enumerate() {
            hello.push_str(&format!("SUB {s} {}\r\n", i + 1));
        }
        hello.push_str("PING\r\n");
        if let Err(e) = wr.write_all(hello.as_bytes()).await {
            return Some(e.to_string());
        }
        let mut pongs = 0;
        // Flushes whose PING went out, answered by the PONGs after the first two.
        let mut flushes: VecDeque<oneshot::Sender<()>> = VecDeque::new();
        loop {
            tokio::select! {
                read = rd.read(&mut buf) => {
                    let n = match read {
                        Ok(0) => return Some("closed by the server".into()),
                        Ok(n) => n,
                        Err(e) => return Some(e.to_string()),
                    };
                    parser.feed(&buf[..n]);
                    loop {
                        let op = match parser.next_op() {
                            Ok(Some(op)) => op,
                            Ok(None) => break,
                            Err(e) => return Some(e.to_string()),
                        };
                        match op {
                            ServerOp::Msg { sid, payload, .. } => {
                                let i = sid as usize;
                                if (1..=subjects.len()).contains(&i) {
                                    on(i - 1, &payload);
                                }
                            }
                            ServerOp::Ping => {
                                if let Err(e) = wr.write_all(b"PONG\r\n").await {
                                    return Some(e.to_string());
                                }
                            }
                            ServerOp::Pong => {
                                pongs += 1;
                                // Both PINGs answered: CONNECT and every SUB were taken.
                                if pongs == 2 {
                                    let _ = self.connected.send(true);
                                } else if pongs > 2
                                    && let Some(f) = flushes.pop_front()
                                {
                                    let _ = f.send(());
                                }
                            }
                            ServerOp::Err(e) => return Some(format!("server error: {e}")),
                            ServerOp::Info(_) | ServerOp::Ok => {}
                        }
                    }
                }
                out = self.rx.recv() => {
                    let mut next = Some(out?);
                    let mut frame = String::new();
                    // Whatever else is queued goes out in the same write.
                    while let Some(o) = next.take() {
                        match o {
                            Out::Pub(s, p) => {
                                frame.push_str(&format!("PUB {s} {}\r\n{p}\r\n", p.len()));
                            }
                            Out::Flush(f) => {
                                frame.push_str("PING\r\n");
                                flushes.push_back(f);
                            }
                        }
                        if frame.len() < 64 * 1024 {
                            next = self.rx.try_recv().ok();
                        }
                    }
                    if let Err(e) = wr.write_all(frame.as_bytes()).await {
                        return Some(e.to_string());
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(p: &mut Parser) -> Result<Vec<ServerOp>, ProtoError> {
        let mut v = Vec::new();
        while let Some(op) = p.next_op()? {
            v.push(op);
        }
        Ok(v)
    }

    const STREAM: &[u8] = b"INFO {\"server_id\":\"x\",\"max_payload\":1048576}\r\n+OK\r\nPING\r\n\
        MSG schulhof.chat 1 5\r\nhello\r\nmsg a.b 12 _INBOX.x 0\r\n\r\nPONG\r\n\
        MSG x 2 7\r\nab\r\ncd \r\n-ERR 'Unknown Protocol Operation'\r\n";

    fn expected() -> Vec<ServerOp> {
        vec![
            ServerOp::Info("{\"server_id\":\"x\",\"max_payload\":1048576}".into()),
            ServerOp::Ok,
            ServerOp::Ping,
            ServerOp::Msg {
                subject: "schulhof.chat".into(),
                sid: 1,
                reply: None,
                payload: b"hello".to_vec(),
            },
            ServerOp::Msg {
                subject: "a.b".into(),
                sid: 12,
                reply: Some("_INBOX.x".into()),
                payload: Vec::new(),
            },
            ServerOp::Pong,
            // A payload may hold CRLF: its length, not a line end, delimits it.
            ServerOp::Msg {
                subject: "x".into(),
                sid: 2,
                reply: None,
                payload: b"ab\r\ncd ".to_vec(),
            },
            ServerOp::Err("Unknown Protocol Operation".into()),
        ]
    }

    /// A small deterministic generator, so a failure can be replayed.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn the_same_operations_however_the_stream_is_cut() {
        let mut p = Parser::default();
        p.feed(STREAM);
        assert_eq!(all(&mut p), Ok(expected()));
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..2000 {
            let mut p = Parser::default();
            let mut got = Vec::new();
            let mut at = 0;
            while at < STREAM.len() {
                let n = 1 + rng.below(12).min(STREAM.len() - at - 1);
                p.feed(&STREAM[at..at + n]);
                at += n;
                got.extend(all(&mut p).expect("valid stream"));
            }
            assert_eq!(got, expected());
        }
    }

    #[test]
    fn garbage_is_an_error_never_a_panic_nor_unbounded() {
        let mut rng = Rng(42);
        let alphabet: &[&[u8]] = &[
            b"MSG ",
            b"PING",
            b"PONG",
            b"\r\n",
            b"\r",
            b"\n",
            b" ",
            b"1",
            b"99999999999999999999",
            b"-1",
            b"a.b",
            b"+OK",
            b"-ERR",
            b"INFO {}",
            b"\xff\xfe",
            b"\0",
            b"5",
            b"hello",
        ];
        for _ in 0..5000 {
            let mut p = Parser::default();
            let mut data = Vec::new();
            for _ in 0..rng.below(40) {
                data.extend_from_slice(alphabet[rng.below(alphabet.len())]);
            }
            let mut at = 0;
            'feed: while at < data.len() {
                let n = 1 + rng.below(8).min(data.len() - at - 1);
                p.feed(&data[at..at + n]);
                at += n;
                loop {
                    match p.next_op() {
                        Ok(Some(_)) => {}
                        Ok(None) => break,
                        Err(_) => break 'feed,
                    }
                }
            }
        }
        // Limits: an endless line and a huge declared payload are refused at once.
        let mut p = Parser::default();
        p.feed(&vec![b'a'; MAX_LINE + 10]);
        assert_eq!(p.next_op(), Err(ProtoError::LineTooLong));
        let mut p = Parser::default();
        p.feed(b"MSG a 1 2000000\r\n");
        assert_eq!(p.next_op(), Err(ProtoError::PayloadTooLarge));
        let mut p = Parser::default();
        p.feed(b"MSG a 1 3\r\nabcXY");
        assert!(matches!(p.next_op(), Err(ProtoError::Malformed(_))));
        for bad in ["MSG a\r\n", "MSG a x 1\r\n", "HELLO\r\n", "PING x\r\n"] {
            let mut p = Parser::default();
            p.feed(bad.as_bytes());
            assert!(p.next_op().is_err(), "{bad}");
        }
    }

    #[test]
    fn urls_parse_and_hide_the_password() {
        let u: NatsUrl = "nats://127.0.0.1:4222".parse().expect("url");
        assert_eq!(
            (u.host.as_str(), u.port, u.user.is_none()),
            ("127.0.0.1", 4222, true)
        );
        let u: NatsUrl = "nats://bus:geheim@nats.example:4333".parse().expect("url");
        assert_eq!(u.user, Some(("bus".into(), "geheim".into())));
        assert!(!format!("{u:?} {u}").contains("geheim"));
        let u: NatsUrl = "localhost".parse().expect("url");
        assert_eq!(u.port, 4222);
        for bad in [
            "http://x:1",
            "nats://:1",
            "nats://x:y",
            "nats://x:0",
            "nats://a b:1",
        ] {
            let e = bad.parse::<NatsUrl>().expect_err(bad);
            assert!(!e.contains("geheim"));
        }
        assert!(
            "nats://u:geheim@x:y"
                .parse::<NatsUrl>()
                .is_err_and(|e| !e.contains("geheim"))
        );
        assert!(valid_subject("schulhof.chat") && !valid_subject("a b") && !valid_subject("a..b"));
    }
}
