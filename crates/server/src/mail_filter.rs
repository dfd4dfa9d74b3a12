//! The flags of mail filtering: spam filter (rspamd), virus scanner (clamd) and the
//! outgoing rate limit's defaults. Both filters are off unless given.

use std::path::PathBuf;

use clap::Args;
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
}

impl FilterArgs {
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
