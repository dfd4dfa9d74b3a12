//! The IMAP listener of `schulhof serve`, off when its address is empty.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use schulhof_domain::Platform;

#[derive(Args, Clone, Debug)]
pub struct ImapArgs {
    /// IMAP for mail programs (STARTTLS, then LOGIN or AUTHENTICATE PLAIN); empty: off.
    #[arg(long, env = "SCHULHOF_IMAP_LISTEN", default_value = "127.0.0.1:1143")]
    pub imap_listen: String,
}

impl ImapArgs {
    pub fn any(&self) -> bool {
        !self.imap_listen.trim().is_empty()
    }
}

/// Binds the IMAP listener (when on) and serves it in a background task.
pub async fn start(
    platform: &Platform,
    args: &ImapArgs,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> anyhow::Result<()> {
    let addr = args.imap_listen.trim();
    if addr.is_empty() {
        return Ok(());
    }
    let at: SocketAddr = addr
        .parse()
        .with_context(|| format!("not an address to listen on: {addr}"))?;
    let listener = tokio::net::TcpListener::bind(at)
        .await
        .with_context(|| format!("cannot listen on {at}"))?;
    tracing::info!("listening for IMAP on {at}");
    tokio::spawn(schulhof_imap::serve(listener, platform.clone(), tls));
    Ok(())
}
