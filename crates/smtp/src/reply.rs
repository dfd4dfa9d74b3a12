//! Replies: a code, an enhanced status code (RFC 3463) and a text. Every refusal a client
//! can meet is named here, so the wording stays the same everywhere.

use crate::backend::{AuthError, DeliverError, RcptError};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    pub esc: &'static str,
    pub text: String,
}

impl Reply {
    pub fn new(code: u16, esc: &'static str, text: impl Into<String>) -> Reply {
        Reply {
            code,
            esc,
            text: text.into(),
        }
    }

    /// Appends the reply as one line. The text never carries CR or LF (it may echo client
    /// input), so a reply can never turn into two.
    pub fn write(&self, out: &mut Vec<u8>) {
        let text: String = self
            .text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let line = if self.esc.is_empty() {
            format!("{} {text}\r\n", self.code)
        } else {
            format!("{} {} {text}\r\n", self.code, self.esc)
        };
        out.extend_from_slice(line.as_bytes());
    }

    /// Whether the client should give up on the connection after this reply.
    pub fn closes(&self) -> bool {
        self.code == 421
    }
}

pub fn ok(text: &str) -> Reply {
    Reply::new(250, "2.0.0", text)
}

pub fn bad_sequence(text: &str) -> Reply {
    Reply::new(503, "5.5.1", text)
}

pub fn line_too_long() -> Reply {
    Reply::new(500, "5.5.2", "Line too long")
}

pub fn too_many_errors() -> Reply {
    Reply::new(421, "4.7.0", "Too many errors, closing the connection")
}

pub fn timeout() -> Reply {
    Reply::new(421, "4.4.2", "Timeout, closing the connection")
}

pub fn too_big(max: usize) -> Reply {
    Reply::new(
        552,
        "5.3.4",
        format!("Message too big (the limit is {max} bytes)"),
    )
}

pub fn not_implemented() -> Reply {
    Reply::new(502, "5.5.1", "Command not implemented")
}

pub fn auth_required() -> Reply {
    Reply::new(530, "5.7.0", "Authentication required")
}

pub fn tls_required() -> Reply {
    Reply::new(530, "5.7.0", "Must issue a STARTTLS command first")
}

pub fn temporary() -> Reply {
    Reply::new(451, "4.3.0", "Temporary failure, please try again later")
}

pub fn auth_error(e: AuthError) -> Reply {
    match e {
        AuthError::BadCredentials => Reply::new(535, "5.7.8", "Authentication credentials invalid"),
        AuthError::NotAllowed => Reply::new(
            535,
            "5.7.1",
            "This account may not use mail programs (SMTP/IMAP)",
        ),
        AuthError::WebFirst => Reply::new(
            535,
            "5.7.1",
            "Please log in on the web first (terms of use or a new password are pending)",
        ),
        AuthError::Throttled => Reply::new(
            454,
            "4.7.0",
            "Too many failed logins, please try again later",
        ),
        AuthError::Temporary => Reply::new(454, "4.7.0", "Temporary authentication failure"),
    }
}

pub fn rcpt_error(e: RcptError) -> Reply {
    match e {
        RcptError::Unknown => Reply::new(550, "5.1.1", "Recipient address unknown"),
        RcptError::NotAllowed => Reply::new(
            550,
            "5.7.1",
            "Recipient not allowed: you may not write to this address, or it may not receive this mail",
        ),
        RcptError::Relay => Reply::new(550, "5.7.1", "Relay not permitted"),
        RcptError::Malformed => Reply::new(501, "5.1.3", "Bad recipient address syntax"),
        RcptError::Temporary => temporary(),
        RcptError::MailboxFull => Reply::new(452, "4.2.2", "Mailbox full (quota exceeded)"),
    }
}

pub fn deliver_error(e: DeliverError) -> Reply {
    match e {
        DeliverError::QuotaExceeded => Reply::new(552, "5.2.2", "Mailbox full (quota exceeded)"),
        DeliverError::Refused(why) => Reply::new(550, "5.7.1", format!("Message refused: {why}")),
        DeliverError::Temporary => temporary(),
        DeliverError::FilterUnavailable => Reply::new(
            451,
            "4.7.1",
            "Content filter unavailable, message not accepted; try again later",
        ),
        DeliverError::RateLimited(secs) => Reply::new(
            450,
            "4.7.1",
            format!(
                "Too many recipients from this account this hour; try again in {} minutes",
                secs.div_ceil(60)
            ),
        ),
    }
}

/// The reply to a line smtp-proto could not parse.
pub fn parse_error(e: &smtp_proto::Error) -> Reply {
    use smtp_proto::Error as E;
    match e {
        E::UnknownCommand => Reply::new(500, "5.5.1", "Unknown command"),
        E::InvalidSenderAddress => Reply::new(501, "5.1.7", "Bad sender address syntax"),
        E::InvalidRecipientAddress => Reply::new(501, "5.1.3", "Bad recipient address syntax"),
        E::SyntaxError { syntax } => Reply::new(501, "5.5.4", format!("Syntax: {syntax}")),
        E::InvalidParameter { param } => {
            Reply::new(501, "5.5.4", format!("Invalid parameter: {param}"))
        }
        E::UnsupportedParameter { param } => Reply::new(
            555,
            "5.5.4",
            format!("Unsupported parameter: {}", printable(param, 40)),
        ),
        E::ResponseTooLong => line_too_long(),
        E::NeedsMoreData { .. } | E::InvalidResponse { .. } => {
            Reply::new(500, "5.5.2", "Syntax error")
        }
    }
}

/// `s` cut to `max` characters of printable ASCII, for echoing client input safely.
pub fn printable(s: &str, max: usize) -> String {
    s.chars()
        .filter(|c| c.is_ascii_graphic())
        .take(max)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_one_line_whatever_they_echo() {
        let mut out = Vec::new();
        Reply::new(501, "5.5.4", "a\r\nRCPT TO:<x@y.z>").write(&mut out);
        assert_eq!(out, b"501 5.5.4 a  RCPT TO:<x@y.z>\r\n");
        assert_eq!(printable("ab c\r\nd", 3), "abc");
    }
}
