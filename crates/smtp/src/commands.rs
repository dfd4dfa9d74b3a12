//! EHLO/HELO, MAIL and RCPT: the envelope, checked against the mail service as it comes.

use smtp_proto::{EhloResponse, MailFrom, RcptTo};
use tokio::io::{AsyncRead, AsyncWrite};

use crate::reply::{self, Reply};
use crate::session::{Session, Step, Txn};
use crate::{MailBackend, Role};

impl<S, B> Session<S, B>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    B: MailBackend,
{
    pub(crate) fn ehlo(&mut self, host: String, extended: bool) -> Step {
        let host = reply::printable(&host, 100);
        self.txn = None;
        self.helo = Some(host.clone());
        let name = self.svc.config.hostname.clone();
        if !extended {
            return self.say(Reply::new(250, "", format!("{name} Hello {host}")));
        }
        let mut e = EhloResponse::new(name.as_str());
        e.capabilities = smtp_proto::EXT_PIPELINING
            | smtp_proto::EXT_8BIT_MIME
            | smtp_proto::EXT_ENHANCED_STATUS_CODES
            | smtp_proto::EXT_SIZE
            | smtp_proto::EXT_CHUNKING;
        e.size = self.svc.config.max_message;
        if self.svc.tls.is_some() && !self.tls {
            e.capabilities |= smtp_proto::EXT_START_TLS;
        }
        if self.role() == Role::Submission && self.actor.is_none() && self.auth_allowed() {
            e.capabilities |= smtp_proto::EXT_AUTH;
            e.auth_mechanisms = smtp_proto::AUTH_PLAIN | smtp_proto::AUTH_LOGIN;
        }
        let mut lines = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = e.write(&mut lines);
        // smtp-proto's first line is playful; ours greets the client by its name.
        let rest = match lines.windows(2).position(|w| w == b"\r\n") {
            Some(i) => &lines[i + 2..],
            None => &[][..],
        };
        let out = self.io.out();
        out.extend_from_slice(format!("250-{name} Hello {host}\r\n").as_bytes());
        out.extend_from_slice(rest);
        Step::Go
    }

    pub(crate) async fn mail(&mut self, from: MailFrom<String>) -> Reply {
        if self.helo.is_none() {
            return reply::bad_sequence("Send EHLO or HELO first");
        }
        if self.txn.is_some() {
            return reply::bad_sequence("Nested MAIL command");
        }
        if from.size > self.svc.config.max_message {
            return reply::too_big(self.svc.config.max_message);
        }
        if self.role() == Role::Submission {
            let Some(actor) = &self.actor else {
                return if self.auth_allowed() {
                    reply::auth_required()
                } else {
                    reply::tls_required()
                };
            };
            match self.svc.backend.own_sender(actor, &from.address).await {
                Ok(true) => {}
                Ok(false) => {
                    return Reply::new(
                        553,
                        "5.7.1",
                        "Sender address is not one of your own addresses",
                    );
                }
                Err(e) => return reply::rcpt_error(e),
            }
        }
        self.txn = Some(Txn {
            from: from.address,
            size: from.size as u64,
            rcpts: Vec::new(),
            inbound: Vec::new(),
            chunks: None,
        });
        Reply::new(250, "2.1.0", "Sender OK")
    }

    pub(crate) async fn rcpt(&mut self, to: RcptTo<String>) -> Reply {
        let max = self.svc.config.max_recipients;
        let Some(txn) = &self.txn else {
            return reply::bad_sequence("Need MAIL command first");
        };
        if to.address.is_empty() {
            return reply::rcpt_error(crate::RcptError::Malformed);
        }
        if txn
            .rcpts
            .iter()
            .any(|r| r.eq_ignore_ascii_case(&to.address))
        {
            return Reply::new(250, "2.1.5", "Recipient OK (duplicate)");
        }
        if txn.rcpts.len() >= max {
            return Reply::new(452, "4.5.3", format!("Too many recipients (at most {max})"));
        }
        let backend = &self.svc.backend;
        let inbound = match (self.role(), &self.actor) {
            (Role::Submission, Some(actor)) => {
                match backend.check_rcpt(actor, &to.address, txn.size).await {
                    Ok(()) => None,
                    Err(e) => return reply::rcpt_error(e),
                }
            }
            (Role::Submission, None) => return reply::auth_required(),
            (Role::Mx, _) => match backend.inbound_rcpt(&to.address, txn.size).await {
                Ok(i) => Some(i),
                Err(e) => return reply::rcpt_error(e),
            },
        };
        if let Some(txn) = &mut self.txn {
            txn.rcpts.push(to.address);
            txn.inbound.extend(inbound);
        }
        Reply::new(250, "2.1.5", "Recipient OK")
    }
}
