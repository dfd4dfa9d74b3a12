//! The end of a command: a tagged OK/NO/BAD with an optional response code, and how the mail
//! service's refusals read in IMAP.

use imap_types::core::{Tag, Text};
use imap_types::response::{Code, CodeOther, Status, StatusKind};

use crate::store::StoreError;

/// A command's outcome, before the tag is attached.
#[derive(Debug)]
pub struct Done {
    pub kind: StatusKind,
    pub code: Option<Code<'static>>,
    pub text: String,
}

impl Done {
    pub fn ok(text: impl Into<String>) -> Done {
        Done {
            kind: StatusKind::Ok,
            code: None,
            text: text.into(),
        }
    }

    pub fn no(text: impl Into<String>) -> Done {
        Done {
            kind: StatusKind::No,
            code: None,
            text: text.into(),
        }
    }

    pub fn bad(text: impl Into<String>) -> Done {
        Done {
            kind: StatusKind::Bad,
            code: None,
            text: text.into(),
        }
    }

    pub fn code(mut self, code: Code<'static>) -> Done {
        self.code = Some(code);
        self
    }

    /// A response code imap-types has no variant for (RFC 5530).
    pub fn other(self, atom: &'static str) -> Done {
        self.code(other(atom))
    }

    pub fn into_status(self, tag: Tag<'static>) -> Status<'static> {
        let text = Text::try_from(clean(&self.text)).unwrap_or_else(|_| Text::unvalidated("done"));
        match Status::new(Some(tag), self.kind, self.code, text) {
            Ok(s) => s,
            Err(never) => match never {},
        }
    }
}

pub fn other(atom: &'static str) -> Code<'static> {
    Code::Other(CodeOther::unvalidated(atom.as_bytes()))
}

/// Text for a status line: printable, one line, never empty, never starting with '['.
pub fn clean(s: &str) -> String {
    let mut t: String = s
        .chars()
        .map(|c| match c {
            ' '..='~' => c,
            _ if c.is_control() => ' ',
            _ => '?',
        })
        .collect::<String>()
        .trim()
        .to_owned();
    if t.is_empty() {
        t = "done".into();
    }
    if t.starts_with('[') {
        t.insert(0, ' ');
        t = t.trim_start_matches(' ').replacen('[', "(", 1);
    }
    t
}

impl From<StoreError> for Done {
    fn from(e: StoreError) -> Done {
        match e {
            StoreError::BadCredentials => {
                Done::no("Wrong login or password").other("AUTHENTICATIONFAILED")
            }
            StoreError::Throttled => {
                Done::no("Too many failed logins; try again later").other("UNAVAILABLE")
            }
            StoreError::Forbidden => Done::no("Not allowed").other("NOPERM"),
            StoreError::NotFound => Done::no("No such mailbox or message").other("NONEXISTENT"),
            StoreError::QuotaExceeded => Done::no("Mailbox is full").code(Code::OverQuota),
            StoreError::TooBig => Done::no("Message too large").code(Code::TooBig),
            StoreError::Invalid(m) => Done::no(m).other("CANNOT"),
            StoreError::Conflict(m) => Done::no(m).other("ALREADYEXISTS"),
            StoreError::Internal(m) => {
                tracing::error!(error = %m, "mail service failed");
                Done::no("Internal error; try again later").other("SERVERBUG")
            }
        }
    }
}
