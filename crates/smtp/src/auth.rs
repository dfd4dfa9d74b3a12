//! AUTH PLAIN and LOGIN (RFC 4954, 4616) on the submission port only, and only under TLS
//! unless the client is on the loopback address.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tokio::io::{AsyncRead, AsyncWrite};

use crate::io::{End, Line};
use crate::reply::{self, Reply};
use crate::session::{Session, Step};
use crate::{MailBackend, Role};

/// A user name and a password, or the reply that ends the exchange.
type Credentials = Result<(String, String), Reply>;

fn cancelled() -> Reply {
    Reply::new(501, "5.0.0", "Authentication cancelled")
}

fn bad_base64() -> Reply {
    Reply::new(501, "5.5.2", "Cannot decode the response (base64)")
}

/// Base64 text of the client to UTF-8; `None` if it is not.
fn decode(text: &str) -> Option<String> {
    let text = text.trim();
    if text == "=" {
        return Some(String::new());
    }
    let bytes = STANDARD.decode(text).ok()?;
    String::from_utf8(bytes).ok()
}

/// `authzid NUL authcid NUL password`; a different authzid (acting as someone else) is
/// refused like a wrong password.
fn plain_credentials(response: &str) -> Credentials {
    let decoded = decode(response).ok_or_else(bad_base64)?;
    let mut parts = decoded.split('\0');
    let (Some(authz), Some(user), Some(pass), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(reply::auth_error(crate::AuthError::BadCredentials));
    };
    if !authz.is_empty() && authz != user {
        return Err(reply::auth_error(crate::AuthError::BadCredentials));
    }
    Ok((user.to_owned(), pass.to_owned()))
}

impl<S, B> Session<S, B>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    B: MailBackend,
{
    pub(crate) async fn auth(&mut self, mechanism: u64, initial: String) -> Step {
        if self.role() != Role::Submission {
            return self.say(reply::bad_sequence("Authentication not enabled"));
        }
        if self.helo.is_none() {
            return self.say(reply::bad_sequence("Send EHLO first"));
        }
        if self.actor.is_some() {
            return self.say(reply::bad_sequence("Already authenticated"));
        }
        if self.txn.is_some() {
            return self.say(reply::bad_sequence("Not allowed during a mail transaction"));
        }
        if !self.auth_allowed() {
            return self.say(reply::tls_required());
        }
        let creds = match mechanism {
            smtp_proto::AUTH_PLAIN => self.plain(initial).await,
            smtp_proto::AUTH_LOGIN => self.login(initial).await,
            _ => Err(Reply::new(504, "5.5.4", "Unrecognized authentication type")),
        };
        let (user, pass) = match creds {
            Ok(c) => c,
            Err(r) => return self.say(r),
        };
        let client = self.peer.ip().to_string();
        match self.svc.backend.login(&user, &pass, &client).await {
            Ok(actor) => {
                self.actor = Some(actor);
                self.say(Reply::new(235, "2.7.0", "Authentication successful"))
            }
            Err(e) => {
                self.auth_failures += 1;
                let step = self.say(reply::auth_error(e));
                if self.auth_failures >= self.svc.config.max_auth_failures {
                    Reply::new(
                        421,
                        "4.7.0",
                        "Too many failed logins, closing the connection",
                    )
                    .write(self.io.out());
                    return Step::Close;
                }
                step
            }
        }
    }

    async fn plain(&mut self, initial: String) -> Credentials {
        let response = if initial.is_empty() {
            self.challenge("").await?
        } else {
            initial
        };
        plain_credentials(&response)
    }

    async fn login(&mut self, initial: String) -> Credentials {
        let user = if initial.is_empty() {
            self.challenge("VXNlcm5hbWU6").await?
        } else {
            initial
        };
        let user = decode(&user).ok_or_else(bad_base64)?;
        let pass = self.challenge("UGFzc3dvcmQ6").await?;
        let pass = decode(&pass).ok_or_else(bad_base64)?;
        Ok((user, pass))
    }

    /// Sends `334 <challenge>` and reads the client's answer line ("*" cancels).
    async fn challenge(&mut self, challenge: &str) -> Result<String, Reply> {
        self.io
            .out()
            .extend_from_slice(format!("334 {challenge}\r\n").as_bytes());
        let max = self.svc.config.max_line;
        let line = match self.io.line(max, self.timeout()).await {
            Ok(Line::Text(l)) => l,
            Ok(Line::TooLong) => return Err(reply::line_too_long()),
            Err(End::Timeout) => return Err(reply::timeout()),
            Err(End::Closed) => return Err(Reply::new(421, "4.4.0", "Connection lost")),
        };
        let text = String::from_utf8_lossy(&line).trim().to_owned();
        if text == "*" {
            return Err(cancelled());
        }
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_responses_are_split_and_checked() {
        let ok = STANDARD.encode("\0anna@x.de\0geheim");
        assert_eq!(
            plain_credentials(&ok),
            Ok(("anna@x.de".into(), "geheim".into()))
        );
        let same = STANDARD.encode("anna@x.de\0anna@x.de\0geheim");
        assert!(plain_credentials(&same).is_ok());
        let other = STANDARD.encode("boss@x.de\0anna@x.de\0geheim");
        assert_eq!(plain_credentials(&other).map_err(|r| r.code), Err(535));
        assert_eq!(plain_credentials("!!!").map_err(|r| r.code), Err(501));
        let short = STANDARD.encode("anna");
        assert_eq!(plain_credentials(&short).map_err(|r| r.code), Err(535));
    }
}
