//! The SMTP listeners of `schulhof serve`: MX and submission, each off when its address is
//! empty.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use schulhof_domain::Platform;
use schulhof_smtp::{Role, Service, SmtpConfig, TlsAcceptor};

#[derive(Args, Clone, Debug)]
pub struct SmtpArgs {
    /// SMTP for mail from other servers (the MX, port 25 in production); empty: off.
    #[arg(long, env = "SCHULHOF_SMTP_LISTEN", default_value = "127.0.0.1:2525")]
    pub smtp_listen: String,
    /// SMTP submission for mail programs (STARTTLS, then AUTH); empty: off.
    #[arg(
        long,
        env = "SCHULHOF_SUBMISSION_LISTEN",
        default_value = "127.0.0.1:1587"
    )]
    pub submission_listen: String,
    /// SMTP submission on implicit TLS (port 465 in production, RFC 8314); empty: off.
    #[arg(long, env = "SCHULHOF_SUBMISSIONS_LISTEN", default_value = "")]
    pub submissions_listen: String,
}

impl SmtpArgs {
    /// Whether any SMTP listener is on (and so TLS is needed).
    pub fn any(&self) -> bool {
        !self.smtp_listen.trim().is_empty()
            || !self.submission_listen.trim().is_empty()
            || !self.submissions_listen.trim().is_empty()
    }
}

/// Binds the listeners that are on and serves them in background tasks.
pub async fn start(
    platform: &Platform,
    args: &SmtpArgs,
    tls: Option<Arc<rustls::ServerConfig>>,
    hostname: &str,
) -> anyhow::Result<()> {
    let config = SmtpConfig {
        hostname: hostname.to_owned(),
        max_message: usize::try_from(platform.config().mail.max_message).unwrap_or(usize::MAX),
        ..SmtpConfig::default()
    };
    let acceptor = tls.map(TlsAcceptor::from);
    for (role, addr, implicit_tls) in [
        (Role::Mx, &args.smtp_listen, false),
        (Role::Submission, &args.submission_listen, false),
        (Role::Submission, &args.submissions_listen, true),
    ] {
        let addr = addr.trim();
        if addr.is_empty() {
            continue;
        }
        let at: SocketAddr = addr
            .parse()
            .with_context(|| format!("not an address to listen on: {addr}"))?;
        let listener = tokio::net::TcpListener::bind(at)
            .await
            .with_context(|| format!("cannot listen on {at}"))?;
        if implicit_tls && acceptor.is_none() {
            anyhow::bail!("--submissions-listen needs TLS");
        }
        let tls_note = if implicit_tls { ", implicit TLS" } else { "" };
        tracing::info!("listening for SMTP ({role:?}{tls_note}) on {at}");
        let svc = Arc::new(Service::new(
            role,
            platform.clone(),
            acceptor.clone(),
            config.clone(),
        ));
        tokio::spawn(async move {
            let served = if implicit_tls {
                svc.serve_tls(listener).await
            } else {
                svc.serve(listener).await
            };
            if let Err(e) = served {
                tracing::error!(error = %e, "SMTP listener ended");
            }
        });
    }
    Ok(())
}
