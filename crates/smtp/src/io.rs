//! The connection: a plain or TLS stream, the unread input, and the replies not yet sent.
//! Replies are sent when the session runs out of input, which is what pipelining (RFC 2920)
//! asks for: a client's batch of commands gets its batch of replies.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio_rustls::server::TlsStream;

/// How much is read from the socket at once.
const READ_CHUNK: usize = 16 * 1024;

pub(crate) enum Stream<S> {
    Plain(S),
    Tls(Box<TlsStream<S>>),
    /// Between taking the plain stream and getting the TLS stream back.
    Gone,
}

fn gone() -> io::Error {
    io::Error::from(io::ErrorKind::NotConnected)
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for Stream<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            Stream::Gone => Poll::Ready(Err(gone())),
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for Stream<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            Stream::Gone => Poll::Ready(Err(gone())),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
            Stream::Gone => Poll::Ready(Err(gone())),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            Stream::Gone => Poll::Ready(Err(gone())),
        }
    }
}

/// Why the session cannot go on reading.
#[derive(Debug)]
pub(crate) enum End {
    Closed,
    Timeout,
}

/// One command line, or the news that a line was longer than allowed (and was skipped).
pub(crate) enum Line {
    Text(Vec<u8>),
    TooLong,
}

pub(crate) struct Io<S> {
    pub stream: Stream<S>,
    input: Vec<u8>,
    pos: usize,
    out: Vec<u8>,
    /// How long sending may take: a client that never reads its replies must not hold
    /// the session forever.
    write_timeout: Duration,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Io<S> {
    pub fn new(stream: S, write_timeout: Duration) -> Io<S> {
        Io {
            stream: Stream::Plain(stream),
            input: Vec::with_capacity(READ_CHUNK),
            pos: 0,
            out: Vec::new(),
            write_timeout,
        }
    }

    /// The input received and not yet used.
    pub fn buffered(&self) -> &[u8] {
        &self.input[self.pos..]
    }

    pub fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.input.len());
    }

    /// Forgets all unread input (after STARTTLS: nothing sent in plain text may count).
    pub fn discard_input(&mut self) {
        self.input.clear();
        self.pos = 0;
    }

    /// Queues bytes to send with the next flush.
    pub fn out(&mut self) -> &mut Vec<u8> {
        &mut self.out
    }

    pub async fn flush(&mut self) -> io::Result<()> {
        let send = async {
            if !self.out.is_empty() {
                self.stream.write_all(&self.out).await?;
            }
            self.stream.flush().await
        };
        let sent = tokio::time::timeout(self.write_timeout, send).await;
        self.out.clear();
        sent.map_err(|_| io::Error::from(io::ErrorKind::TimedOut))?
    }

    /// Sends what is queued, then waits for more input.
    pub async fn fill(&mut self, wait: Duration) -> Result<(), End> {
        self.flush().await.map_err(|_| End::Closed)?;
        if self.pos > 0 {
            self.input.drain(..self.pos);
            self.pos = 0;
        }
        let start = self.input.len();
        self.input.resize(start + READ_CHUNK, 0);
        let read = tokio::time::timeout(wait, self.stream.read(&mut self.input[start..])).await;
        let n = match read {
            Ok(Ok(n)) => n,
            Ok(Err(_)) => 0,
            Err(_) => {
                self.input.truncate(start);
                return Err(End::Timeout);
            }
        };
        self.input.truncate(start + n);
        if n == 0 {
            return Err(End::Closed);
        }
        Ok(())
    }

    /// The next line up to its LF, at most `max` bytes with the line end. A longer line is
    /// read to its end and dropped, so its tail can never pass for a command.
    pub async fn line(&mut self, max: usize, wait: Duration) -> Result<Line, End> {
        let mut skipping = false;
        loop {
            let buf = self.buffered();
            if let Some(i) = buf.iter().position(|&b| b == b'\n') {
                let too_long = skipping || i + 1 > max;
                let line = if too_long {
                    Line::TooLong
                } else {
                    Line::Text(buf[..=i].to_vec())
                };
                self.consume(i + 1);
                return Ok(line);
            }
            if buf.len() > max {
                skipping = true;
                let n = buf.len();
                self.consume(n);
            }
            self.fill(wait).await?;
        }
    }

    /// Sends what is queued and closes the write side.
    pub async fn close(&mut self) {
        if self.flush().await.is_ok() {
            let _ = tokio::time::timeout(self.write_timeout, self.stream.shutdown()).await;
        }
    }
}
