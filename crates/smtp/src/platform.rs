//! The platform's mail service behind SMTP: domain results turned into SMTP outcomes.

use schulhof_domain::identity::Actor;
use schulhof_domain::mail::address::normalise;
use schulhof_domain::mail::auth::SmtpClient;
use schulhof_domain::mail::client_limits::MailProtocol;
use schulhof_domain::mail::{InboundRcpt, RcptRefused};
use schulhof_domain::{DomainError, Platform};

use crate::backend::{AuthError, Client, DeliverError, MailBackend, RcptError};

fn rcpt_error(r: RcptRefused) -> RcptError {
    match r {
        RcptRefused::Unknown(_) => RcptError::Unknown,
        RcptRefused::NotAllowed(_) => RcptError::NotAllowed,
        RcptRefused::Malformed(_) => RcptError::Malformed,
        RcptRefused::Temporary(_) => RcptError::Temporary,
        RcptRefused::MailboxFull(_) => RcptError::MailboxFull,
    }
}

fn deliver_error(e: DomainError) -> DeliverError {
    match e {
        DomainError::QuotaExceeded(_) => DeliverError::QuotaExceeded,
        DomainError::Invalid { message, .. } => DeliverError::Refused(message),
        DomainError::Forbidden | DomainError::Denied(_) => {
            DeliverError::Refused("not allowed".into())
        }
        // The mail service defers when a configured spam filter or virus scanner is down.
        DomainError::Busy { .. } => DeliverError::FilterUnavailable,
        DomainError::RateLimited { retry_after_secs } => {
            DeliverError::RateLimited(retry_after_secs)
        }
        other => {
            tracing::error!(error = %other, "smtp delivery failed");
            DeliverError::Temporary
        }
    }
}

impl MailBackend for Platform {
    type Actor = Actor;
    type Inbound = InboundRcpt;

    async fn connection(&self, role: crate::Role, ip: std::net::IpAddr) -> Result<(), u64> {
        let protocol = match role {
            crate::Role::Mx => MailProtocol::Smtp,
            crate::Role::Submission => MailProtocol::Submission,
        };
        match self.mail_connection_opened(protocol, ip).await {
            Ok(()) => Ok(()),
            Err(DomainError::RateLimited { retry_after_secs }) => Err(retry_after_secs),
            Err(e) => {
                // The limit must not take the service down with the database: let it in.
                tracing::error!(error = %e, "smtp connection count failed");
                Ok(())
            }
        }
    }

    async fn login(&self, user: &str, password: &str, client: &str) -> Result<Actor, AuthError> {
        match self.mail_client_actor(user, password, client).await {
            Ok(a) => Ok(a),
            Err(DomainError::BadCredentials) => Err(AuthError::BadCredentials),
            Err(
                DomainError::Throttled { .. }
                | DomainError::Busy { .. }
                | DomainError::RateLimited { .. },
            ) => Err(AuthError::Throttled),
            Err(DomainError::Forbidden | DomainError::Denied(_)) => Err(AuthError::NotAllowed),
            Err(
                DomainError::ConsentRequired
                | DomainError::ConsentDeclined
                | DomainError::PasswordChangeRequired,
            ) => Err(AuthError::WebFirst),
            Err(e) => {
                tracing::error!(error = %e, "smtp login failed");
                Err(AuthError::Temporary)
            }
        }
    }

    async fn own_sender(&self, actor: &Actor, mail_from: &str) -> Result<bool, RcptError> {
        let Some((local, domain)) = normalise(mail_from) else {
            return Ok(false);
        };
        let wanted = format!("{local}@{domain}");
        match self.mail_own_addresses(actor).await {
            Ok(own) => Ok(own.iter().any(|a| a.eq_ignore_ascii_case(&wanted))),
            Err(e) => {
                tracing::error!(error = %e, "smtp sender check failed");
                Err(RcptError::Temporary)
            }
        }
    }

    async fn check_rcpt(&self, actor: &Actor, rcpt: &str, size: u64) -> Result<(), RcptError> {
        self.mail_check_rcpt_sized(actor, rcpt, size)
            .await
            .map_err(rcpt_error)
    }

    async fn submit(
        &self,
        actor: &Actor,
        mail_from: &str,
        rcpts: &[String],
        raw: &[u8],
    ) -> Result<(), DeliverError> {
        let report = self
            .mail_submit(actor, mail_from, rcpts, raw)
            .await
            .map_err(deliver_error)?;
        if report.delivered == 0 && report.queued == 0 && !report.over_quota.is_empty() {
            return Err(DeliverError::QuotaExceeded);
        }
        Ok(())
    }

    async fn inbound_rcpt(&self, rcpt: &str, size: u64) -> Result<InboundRcpt, RcptError> {
        match self.mail_inbound_rcpt_sized(rcpt, size).await {
            Ok(r) => Ok(r),
            Err(RcptRefused::NotAllowed(_)) => match self.mail_is_local_address(rcpt).await {
                Ok(true) => Err(RcptError::NotAllowed),
                Ok(false) => Err(RcptError::Relay),
                Err(_) => Err(RcptError::Temporary),
            },
            Err(r) => Err(rcpt_error(r)),
        }
    }

    async fn deliver_inbound(
        &self,
        client: Client<'_>,
        mail_from: &str,
        rcpts: &[InboundRcpt],
        raw: &[u8],
    ) -> Result<(), DeliverError> {
        let client = SmtpClient {
            ip: client.ip,
            helo: client.helo.to_owned(),
            authserv_id: client.hostname.to_owned(),
        };
        let filed = self
            .mail_deliver_from_outside(&client, mail_from, rcpts, raw)
            .await
            .map_err(deliver_error)?;
        if filed.iter().any(Result::is_ok) {
            return Ok(());
        }
        // No mailbox took it: the sender learns why from the first refusal.
        match filed.into_iter().find_map(Result::err) {
            Some(e) => Err(deliver_error(e)),
            None => Err(DeliverError::Temporary),
        }
    }
}
