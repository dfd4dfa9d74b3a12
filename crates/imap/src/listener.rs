//! Accepts IMAP connections and runs a session for each.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio_rustls::rustls::ServerConfig;

use crate::driver::run;
use crate::quickack::QuickAck;
use crate::session::Peer;
use crate::store::MailStore;

/// Serves IMAP on `listener` until the task is dropped; STARTTLS is offered with `tls`.
pub async fn serve<S: MailStore>(listener: TcpListener, store: S, tls: Option<Arc<ServerConfig>>) {
    loop {
        let (stream, addr) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                // Out of file descriptors and the like: wait instead of spinning.
                tracing::warn!(error = %e, "IMAP accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let peer = peer(addr, tls.clone());
        let store = store.clone();
        tokio::spawn(async move {
            if let Err(wait) = store.connection(addr.ip()).await {
                refuse(stream, wait).await;
                return;
            }
            if let Err(e) = run(store, QuickAck(stream), peer).await {
                tracing::debug!(error = %e, client = %addr, "IMAP connection ended");
            }
        });
    }
}

/// Tells a client that its address opened too many connections lately (RFC 5530).
async fn refuse(mut stream: tokio::net::TcpStream, wait: u64) {
    use tokio::io::AsyncWriteExt;
    let line = format!(
        "* BYE [UNAVAILABLE] Too many connections from your address, try again in {wait} seconds\r\n"
    );
    let _ = stream.write_all(line.as_bytes()).await;
    let _ = stream.shutdown().await;
}

fn peer(addr: SocketAddr, tls: Option<Arc<ServerConfig>>) -> Peer {
    Peer {
        addr: addr.ip().to_string(),
        loopback: addr.ip().is_loopback(),
        tls,
    }
}
