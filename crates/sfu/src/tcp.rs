//! ICE over TCP (RFC 6544, passive host candidate): the fallback for networks that block
//! UDP. Each accepted connection carries ICE, DTLS and SRTP packets framed as in RFC 4571
//! (a 2-byte big-endian length before every packet). One task per connection moves whole
//! packets between the socket and the engine; the engine binds a connection to the one
//! peer whose ICE credentials its first packet carries, so connections are demultiplexed
//! by connection, never by address alone.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc};

/// At most this many TCP connections at once (a flood of connections cannot exhaust the
/// node's descriptors).
const MAX_CONNECTIONS: usize = 4096;
/// Packets queued for one connection; beyond that they are dropped, as a full network
/// would, so one slow connection never holds the engine.
const SEND_QUEUE: usize = 512;
/// A connection must send its first packet within this time.
const FIRST_PACKET: Duration = Duration::from_secs(10);

/// What a connection task tells the engine.
pub(crate) enum TcpEvent {
    Opened {
        id: u64,
        remote: SocketAddr,
        tx: mpsc::Sender<Vec<u8>>,
    },
    Packet {
        remote: SocketAddr,
        data: Vec<u8>,
    },
    /// `id` tells this connection from a later one of the same remote address.
    Closed {
        id: u64,
        remote: SocketAddr,
    },
}

/// The engine's side of one connection.
pub(crate) struct TcpConn {
    pub id: u64,
    tx: mpsc::Sender<Vec<u8>>,
    /// The peer (by id) this connection belongs to, set by its first accepted packet.
    pub peer: Option<u64>,
}

impl TcpConn {
    pub fn new(id: u64, tx: mpsc::Sender<Vec<u8>>) -> TcpConn {
        TcpConn { id, tx, peer: None }
    }

    /// Queues one packet with its length prefix; a full queue drops it.
    pub fn send(&self, packet: &[u8]) {
        let Ok(len) = u16::try_from(packet.len()) else {
            return;
        };
        let mut framed = Vec::with_capacity(packet.len() + 2);
        framed.extend_from_slice(&len.to_be_bytes());
        framed.extend_from_slice(packet);
        let _ = self.tx.try_send(framed);
    }
}

/// Accepts connections until the engine goes away.
pub(crate) async fn listen(listener: TcpListener, events: mpsc::Sender<TcpEvent>) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut next_id = 0u64;
    loop {
        let Ok(permit) = slots.clone().acquire_owned().await else {
            return;
        };
        let (stream, remote) = match listener.accept().await {
            Ok(s) => s,
            Err(e) => {
                tracing::debug!("sfu tcp accept: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        if events.is_closed() {
            return;
        }
        let _ = stream.set_nodelay(true);
        let events = events.clone();
        next_id += 1;
        let id = next_id;
        tokio::spawn(async move {
            connection(id, stream, remote, events).await;
            drop(permit);
        });
    }
}

/// Moves packets both ways until either side closes; ends when the engine drops its
/// sender (the peer is gone) or the remote closes.
async fn connection(
    id: u64,
    stream: TcpStream,
    remote: SocketAddr,
    events: mpsc::Sender<TcpEvent>,
) {
    let (tx, mut out) = mpsc::channel::<Vec<u8>>(SEND_QUEUE);
    if events
        .send(TcpEvent::Opened { id, remote, tx })
        .await
        .is_err()
    {
        return;
    }
    let (mut rd, mut wr) = stream.into_split();
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let mut chunk = vec![0u8; 16 * 1024];
    let mut seen_packet = false;
    let first = tokio::time::sleep(FIRST_PACKET);
    tokio::pin!(first);
    loop {
        tokio::select! {
            // Both branches are cancel-safe: `read` into a scratch buffer, `recv`.
            r = rd.read(&mut chunk) => {
                let n = match r {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                buf.extend_from_slice(&chunk[..n]);
                let mut at = 0;
                while let Some(len) = frame_len(&buf[at..]) {
                    let Some(packet) = buf.get(at + 2..at + 2 + len) else {
                        break;
                    };
                    let data = packet.to_vec();
                    at += 2 + len;
                    seen_packet = true;
                    // Waiting here pushes back on the sender through TCP's own flow control.
                    if events.send(TcpEvent::Packet { remote, data }).await.is_err() {
                        return;
                    }
                }
                buf.drain(..at);
            }
            m = out.recv() => match m {
                Some(framed) => {
                    if wr.write_all(&framed).await.is_err() {
                        break;
                    }
                }
                None => break,
            },
            _ = &mut first, if !seen_packet => break,
        }
    }
    let _ = wr.shutdown().await;
    let _ = events.send(TcpEvent::Closed { id, remote }).await;
}

/// The length prefix at the start of `buf`, once both bytes are there.
fn frame_len(buf: &[u8]) -> Option<usize> {
    buf.get(..2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]) as usize)
}
