//! Limits per client address on the mail listeners (IMAP, SMTP MX and submission).

use clap::Args;
use schulhof_domain::mail::client_limits::ClientLimits;

#[derive(Args, Clone, Debug)]
pub struct MailLimitArgs {
    /// New IMAP or SMTP connections per minute from one address (per protocol; IPv6 by its
    /// /64); more are refused with SMTP 421 4.7.0 / IMAP BYE [UNAVAILABLE]. 0: no limit.
    #[arg(
        long,
        env = "SCHULHOF_MAIL_CONNECTIONS_PER_MINUTE",
        default_value_t = 300,
        global = true
    )]
    pub mail_connections_per_minute: u32,
    /// Failed IMAP and submission logins from one address within 15 minutes after which
    /// its logins are refused for the rest of that window (SMTP 454 4.7.0, IMAP NO
    /// [UNAVAILABLE]). 0: no limit.
    #[arg(
        long,
        env = "SCHULHOF_MAIL_AUTH_FAILURES",
        default_value_t = 50,
        global = true
    )]
    pub mail_auth_failures: u32,
    /// Count loopback clients too (they are exempt unless set).
    #[arg(long, env = "SCHULHOF_MAIL_LIMIT_LOOPBACK", global = true)]
    pub mail_limit_loopback: bool,
}

impl MailLimitArgs {
    pub fn config(&self) -> ClientLimits {
        ClientLimits {
            connections_per_minute: self.mail_connections_per_minute,
            auth_failures: self.mail_auth_failures,
            exempt_loopback: !self.mail_limit_loopback,
        }
    }
}
