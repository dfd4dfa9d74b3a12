//! The flags of mail filtering: spam filter (rspamd), virus scanner (clamd), the outgoing
//! rate limit's defaults, and the name servers of the SPF/DKIM/DMARC checks. Both filters
//! are off unless given.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use schulhof_domain::mail::auth::{AuthConfig, Dns};
use schulhof_domain::mail::filter::{FilterConfig, SendLimits, rspamd};

#[derive(Args, Clone, Debug, Default)]
pub struct FilterArgs {
    /// rspamd's HTTP address, best its controller (`http://127.0.0.1:11334`): it scans
    /// incoming mail and learns from "spam"/"not spam" in webmail. Empty: no spam filter.
    #[arg(long, env = "SCHULHOF_SPAM_FILTER", global = true)]
    pub spam_filter: Option<String>,
    /// clamd's unix socket (`/run/clamav/clamd.ctl`): mail with malware is held back.
    /// Empty: no virus scanner.
    #[arg(long, env = "SCHULHOF_VIRUS_SCANNER", global = true)]
    pub virus_scanner: Option<PathBuf>,
    /// Recipients per hour a student (or external) may send to, unless the school sets
    /// its own.
    #[arg(long, env = "SCHULHOF_MAIL_LIMIT_STUDENTS", global = true, default_value_t = SendLimits::default().students)]
    pub mail_limit_students: u32,
    /// Recipients per hour a teacher or staff login may send to, unless the school sets
    /// its own.
    #[arg(long, env = "SCHULHOF_MAIL_LIMIT_STAFF", global = true, default_value_t = SendLimits::default().staff)]
    pub mail_limit_staff: u32,
    /// Name servers (`IP:PORT`, repeatable or comma-separated) that SPF, DKIM and DMARC
    /// checks of incoming mail ask instead of the system's resolver (e.g. a local unbound).
    #[arg(
        long,
        env = "SCHULHOF_DNS_SERVER",
        global = true,
        value_delimiter = ','
    )]
    pub dns_server: Vec<SocketAddr>,
}

impl FilterArgs {
    /// Signing and checking of mail: outgoing mail DKIM-signed; incoming mail checked
    /// against `--dns-server` when given, else the system's resolver.
    pub fn auth_config(&self) -> AuthConfig {
        let mut auth = AuthConfig::production();
        if !self.dns_server.is_empty() {
            auth.dns = Dns::servers(self.dns_server.clone(), Duration::from_secs(2));
        }
        auth
    }

    /// The filter settings; a spam filter address that cannot be used stops the start.
    pub fn config(&self) -> anyhow::Result<FilterConfig> {
        let spam = self
            .spam_filter
            .clone()
            .map(|s| s.trim().trim_end_matches('/').to_owned())
            .filter(|s| !s.is_empty());
        if let Some(url) = &spam {
            rspamd::check_address(url).map_err(|e| anyhow::anyhow!("--spam-filter: {e}"))?;
        }
        let virus = self
            .virus_scanner
            .clone()
            .filter(|p| !p.as_os_str().is_empty());
        if let Some(path) = &virus
            && !path.exists()
        {
            // Not fatal: clamd may start after us; until then delivery answers 451.
            tracing::warn!(path = %path.display(), "--virus-scanner: no socket there (yet)");
        }
        Ok(FilterConfig {
            spam_filter: spam,
            virus_scanner: virus,
            send_limits: SendLimits {
                students: self.mail_limit_students,
                staff: self.mail_limit_staff,
            },
            ..FilterConfig::default()
        })
    }
}
