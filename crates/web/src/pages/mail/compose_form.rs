//! The compose form as it arrives: text fields and attached files in one multipart body,
//! read into memory up to the largest message (the domain checks the built message again).

use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use schulhof_domain::DomainError;
use schulhof_domain::mail::compose::{Attachment, Draft, Recipient, parse_recipients};
use schulhof_types::{MailMessageId, NodeId};

/// What the compose form sends.
#[derive(Clone, Debug, Default)]
pub struct Input {
    pub from: String,
    pub to: String,
    pub cc: String,
    pub bcc: String,
    pub subject: String,
    pub body: String,
    /// The draft this form edits (replaced when saved or sent).
    pub entwurf: String,
    /// The message answered (gets \Answered when this is sent).
    pub antwort: String,
    /// The message whose attachments are offered to keep (a draft, or a forwarded message).
    pub quelle: String,
    /// Numbers of the attachments of `quelle` to keep.
    pub behalten: Vec<usize>,
    pub in_reply_to: String,
    /// Message-IDs, separated by spaces.
    pub references: String,
    /// Files of the own file areas to attach (node ids, `datei`, repeated).
    pub datei: Vec<String>,
    /// `senden`, `entwurf`, `verwerfen`, `dateien` (choose files from the file areas), or
    /// `auto` (saved by the script).
    pub aktion: String,
    pub files: Vec<Attachment>,
}

/// A text field of ours is never longer (the body included).
const MAX_TEXT: usize = 2 * 1024 * 1024;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_TEXT)]).into_owned()
}

impl Input {
    pub async fn read(mut form: Multipart) -> Result<Input, MultipartError> {
        let mut input = Input::default();
        while let Some(field) = form.next_field().await? {
            let name = field.name().unwrap_or("").to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let mime = field.content_type().map(str::to_owned);
            let bytes = field.bytes().await?;
            if name == "dateien" {
                // A file input left empty still sends one part without a name.
                if let Some(file) = file_name.filter(|n| !n.is_empty()) {
                    input.files.push(Attachment {
                        name: base_name(&file),
                        mime: mime.unwrap_or_else(|| "application/octet-stream".into()),
                        bytes: bytes.to_vec(),
                    });
                }
                continue;
            }
            let value = text(&bytes);
            match name.as_str() {
                "from" => input.from = value,
                "to" => input.to = value,
                "cc" => input.cc = value,
                "bcc" => input.bcc = value,
                "subject" => input.subject = value,
                "body" => input.body = value,
                "entwurf" => input.entwurf = value,
                "antwort" => input.antwort = value,
                "quelle" => input.quelle = value,
                "behalten" => input.behalten.extend(value.parse::<usize>().ok()),
                "in_reply_to" => input.in_reply_to = value,
                "references" => input.references = value,
                "aktion" => input.aktion = value,
                "datei" if !value.trim().is_empty() => input.datei.push(value.trim().to_owned()),
                _ => {}
            }
        }
        Ok(input)
    }

    pub fn draft_id(&self) -> Option<MailMessageId> {
        self.entwurf.parse().ok()
    }

    pub fn answers(&self) -> Option<MailMessageId> {
        self.antwort.parse().ok()
    }

    pub fn source(&self) -> Option<MailMessageId> {
        self.quelle.parse().ok()
    }

    /// The files of the file areas to attach; an id that is no id answers NotFound, as one
    /// of a file the sender may not read does.
    pub fn file_ids(&self) -> Result<Vec<NodeId>, DomainError> {
        self.datei
            .iter()
            .map(|d| d.parse().map_err(|_| DomainError::NotFound))
            .collect()
    }

    /// The bytes the kept and uploaded attachments and the text take already.
    pub fn bytes_so_far(&self, kept: &[Attachment]) -> u64 {
        let files: usize = kept.iter().chain(&self.files).map(|a| a.bytes.len()).sum();
        (files + self.body.len() + self.subject.len()) as u64
    }

    /// The recipients of the three address fields.
    pub fn recipients(&self) -> Result<[Vec<Recipient>; 3], DomainError> {
        Ok([
            parse_recipients("mail_to", &self.to)?,
            parse_recipients("mail_cc", &self.cc)?,
            parse_recipients("mail_bcc", &self.bcc)?,
        ])
    }

    /// The draft for the domain, with `kept` (attachments carried over) before new files.
    pub fn draft(&self, kept: Vec<Attachment>) -> Result<Draft, DomainError> {
        let [to, cc, bcc] = self.recipients()?;
        let mut attachments = kept;
        attachments.extend(self.files.iter().cloned());
        Ok(Draft {
            from: self.from.clone(),
            to,
            cc,
            bcc,
            subject: self.subject.trim().to_owned(),
            text: self.body.replace("\r\n", "\n"),
            in_reply_to: Some(self.in_reply_to.trim().trim_matches(['<', '>']).to_owned())
                .filter(|s| !s.is_empty()),
            references: self
                .references
                .split_whitespace()
                .map(|r| r.trim_matches(['<', '>']).to_owned())
                .filter(|r| !r.is_empty())
                .collect(),
            attachments,
        })
    }
}

/// The file's own name, without a directory some browsers send along.
fn base_name(name: &str) -> String {
    let n = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    if n.is_empty() {
        "anhang".into()
    } else {
        n.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_their_directories() {
        assert_eq!(base_name("C:\\Users\\x\\Blatt.pdf"), "Blatt.pdf");
        assert_eq!(base_name("a/b/Blatt.txt"), "Blatt.txt");
        assert_eq!(base_name(" "), "anhang");
    }
}
