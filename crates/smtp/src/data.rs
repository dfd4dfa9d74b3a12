//! DATA and BDAT: the message itself, bounded in size, handed to the mail service whole.
//! The 250 goes out only after the service has stored the message.

use smtp_proto::request::receiver::{BdatReceiver, DataReceiver, DummyDataReceiver};
use tokio::io::{AsyncRead, AsyncWrite};

use crate::io::End;
use crate::reply::{self, Reply};
use crate::session::{Session, Step};
use crate::{Client, MailBackend, Role};

/// More `Received` headers than this means a mail loop (RFC 5321 §6.3).
const MAX_HOPS: usize = 50;

/// What arrived after DATA or BDAT.
enum Body {
    Complete(Vec<u8>),
    TooBig,
}

impl<S, B> Session<S, B>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    B: MailBackend,
{
    pub(crate) async fn data(&mut self) -> Step {
        match &self.txn {
            None => return self.say(reply::bad_sequence("Need MAIL command first")),
            Some(t) if t.rcpts.is_empty() => {
                return self.say(Reply::new(554, "5.5.1", "No valid recipients"));
            }
            Some(t) if t.chunks.is_some() => {
                return self.say(reply::bad_sequence("DATA after BDAT"));
            }
            Some(_) => {}
        }
        Reply::new(354, "", "Start mail input; end with <CRLF>.<CRLF>").write(self.io.out());
        let body = match self.read_data().await {
            Ok(b) => b,
            Err(e) => return self.ended(e),
        };
        let r = match body {
            Body::Complete(raw) => self.deliver(raw).await,
            Body::TooBig => {
                self.txn = None;
                reply::too_big(self.svc.config.max_message)
            }
        };
        self.say(r)
    }

    /// Reads up to the lone dot, undoing dot-stuffing (smtp-proto ends only at CRLF.CRLF,
    /// so a bare LF.LF cannot smuggle a second message in).
    async fn read_data(&mut self) -> Result<Body, End> {
        let max = self.svc.config.max_message;
        let mut receiver = DataReceiver::new();
        let mut raw = Vec::new();
        loop {
            let (done, used) = {
                let buf = self.io.buffered();
                let mut it = buf.iter();
                let done = receiver.ingest(&mut it, &mut raw);
                (done, buf.len() - it.as_slice().len())
            };
            self.io.consume(used);
            if done && raw.len() <= max {
                return Ok(Body::Complete(raw));
            }
            if done {
                return Ok(Body::TooBig);
            }
            if raw.len() > max {
                drop(raw);
                self.skip(DummyDataReceiver::new_data(&receiver)).await?;
                return Ok(Body::TooBig);
            }
            self.io.fill(self.timeout()).await?;
        }
    }

    /// Reads and drops input up to the end of the message or chunk.
    async fn skip(&mut self, mut dummy: DummyDataReceiver) -> Result<(), End> {
        loop {
            let (done, used) = {
                let buf = self.io.buffered();
                let mut it = buf.iter();
                let done = dummy.ingest(&mut it);
                (done, buf.len() - it.as_slice().len())
            };
            self.io.consume(used);
            if done {
                return Ok(());
            }
            self.io.fill(self.timeout()).await?;
        }
    }

    /// BDAT (RFC 3030): exactly `size` bytes follow the command, whatever the state, so
    /// they are read first and judged after.
    pub(crate) async fn bdat(&mut self, size: usize, last: bool) -> Step {
        let max = self.svc.config.max_message;
        let refusal = match &self.txn {
            None => Some(reply::bad_sequence("Need MAIL command first")),
            Some(t) if t.rcpts.is_empty() => Some(Reply::new(554, "5.5.1", "No valid recipients")),
            Some(t) if t.chunks.as_ref().map_or(0, Vec::len).saturating_add(size) > max => {
                Some(reply::too_big(max))
            }
            Some(_) => None,
        };
        if let Some(r) = refusal {
            if let Err(e) = self.skip(DummyDataReceiver::new_bdat(size)).await {
                return self.ended(e);
            }
            self.txn = None;
            return self.say(r);
        }
        let mut chunk = self
            .txn
            .as_mut()
            .and_then(|t| t.chunks.take())
            .unwrap_or_default();
        let mut receiver = BdatReceiver::new(size, last);
        loop {
            let (done, used) = {
                let buf = self.io.buffered();
                let mut it = buf.iter();
                let done = receiver.ingest(&mut it, &mut chunk);
                (done, buf.len() - it.as_slice().len())
            };
            self.io.consume(used);
            if done {
                break;
            }
            if let Err(e) = self.io.fill(self.timeout()).await {
                return self.ended(e);
            }
        }
        if !last {
            let total = chunk.len();
            if let Some(t) = &mut self.txn {
                t.chunks = Some(chunk);
            }
            return self.say(reply::ok(&format!("{total} octets received")));
        }
        let r = self.deliver(chunk).await;
        self.say(r)
    }

    /// The input ended in the middle of a message.
    fn ended(&mut self, e: End) -> Step {
        if let End::Timeout = e {
            reply::timeout().write(self.io.out());
        }
        Step::Close
    }

    /// Hands the message to the mail service and ends the transaction.
    async fn deliver(&mut self, raw: Vec<u8>) -> Reply {
        let Some(txn) = self.txn.take() else {
            return reply::bad_sequence("Need MAIL command first");
        };
        let backend = &self.svc.backend;
        let done = match (self.role(), &self.actor) {
            (Role::Submission, Some(actor)) => {
                backend.submit(actor, &txn.from, &txn.rcpts, &raw).await
            }
            (Role::Submission, None) => return reply::auth_required(),
            (Role::Mx, _) => {
                if hops(&raw) > MAX_HOPS {
                    return Reply::new(554, "5.4.6", "Too many hops (mail loop?)");
                }
                let mut stamped = self.received(&txn.rcpts).into_bytes();
                stamped.extend_from_slice(&raw);
                drop(raw);
                let client = Client {
                    ip: self.peer.ip(),
                    helo: self.helo.as_deref().unwrap_or_default(),
                    hostname: &self.svc.config.hostname,
                };
                backend
                    .deliver_inbound(client, &txn.from, &txn.inbound, &stamped)
                    .await
            }
        };
        match done {
            Ok(()) => Reply::new(250, "2.0.0", "Message accepted"),
            Err(e) => reply::deliver_error(e),
        }
    }

    /// The trace header of a message taken from outside (RFC 5321 §4.4).
    fn received(&self, rcpts: &[String]) -> String {
        let helo = self.helo.as_deref().unwrap_or("unknown");
        let with = if self.tls { "ESMTPS" } else { "ESMTP" };
        let by = &self.svc.config.hostname;
        let ip = self.peer.ip();
        let date = chrono::Utc::now().to_rfc2822();
        let rcpt = match rcpts {
            [one] => format!("\r\n\tfor <{}>", reply::printable(one, 254)),
            _ => String::new(),
        };
        format!(
            "Received: from {helo} ([{ip}])\r\n\tby {by} (Schulhof) with {with}{rcpt};\r\n\t{date}\r\n"
        )
    }
}

/// How many `Received` headers the message has.
fn hops(raw: &[u8]) -> usize {
    let head_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(raw.len());
    raw[..head_end]
        .split(|&b| b == b'\n')
        .filter(|l| l.len() >= 9 && l[..9].eq_ignore_ascii_case(b"received:"))
        .count()
}

#[cfg(test)]
mod tests {
    #[test]
    fn hops_count_received_headers_of_the_head_only() {
        let raw = b"Received: a\r\nreceived: b\r\nSubject: x\r\n\r\nReceived: body\r\n";
        assert_eq!(super::hops(raw), 2);
        assert_eq!(super::hops(b""), 0);
    }
}
