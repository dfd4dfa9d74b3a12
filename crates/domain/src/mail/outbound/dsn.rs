//! The bounce: a delivery status notification (RFC 3464, `multipart/report`) telling the
//! sender that a message could not be delivered, with the reason and the original header.

use chrono::{DateTime, Utc};
use mail_builder::MessageBuilder;
use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::raw::Raw;
use mail_builder::mime::MimePart;

use crate::DomainError;

/// The original header is returned up to this size.
const MAX_HEADER: usize = 64 * 1024;

/// What failed, for whom.
pub(crate) struct Failure<'a> {
    /// The school's mail domain, which reports.
    pub reporting_domain: &'a str,
    /// The envelope sender, who gets the report.
    pub mail_from: &'a str,
    pub rcpt: &'a str,
    /// The last answer or error of the attempt.
    pub diagnostic: &'a str,
    /// Refused for good (5xx) rather than given up after retrying.
    pub permanent: bool,
    pub arrived: DateTime<Utc>,
}

/// One line of printable ASCII: a header or a DSN field must not break or carry 8-bit text.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The enhanced status code (RFC 3463) in an SMTP answer, if it has one of the right class.
fn status_of(diagnostic: &str, class: char) -> Option<String> {
    diagnostic
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .find(|w| {
            let parts: Vec<&str> = w.split('.').collect();
            parts.len() == 3
                && w.starts_with(class)
                && parts.iter().all(|p| !p.is_empty() && p.len() <= 3)
        })
        .map(str::to_owned)
}

/// The header of the original message (everything before the first empty line).
fn header_of(original: &[u8]) -> &[u8] {
    let end = original
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 2)
        .or_else(|| {
            original
                .windows(2)
                .position(|w| w == b"\n\n")
                .map(|p| p + 1)
        })
        .unwrap_or(original.len());
    &original[..end.min(MAX_HEADER)]
}

fn rfc2822(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

fn human_text(f: &Failure<'_>) -> String {
    let why = one_line(f.diagnostic);
    let (de, en) = if f.permanent {
        (
            "Der empfangende Server hat die Nachricht abgelehnt.",
            "The receiving server refused the message.",
        )
    } else {
        (
            "Die Nachricht konnte zwei Tage lang nicht zugestellt werden; die Zustellung wurde aufgegeben.",
            "The message could not be delivered for two days; delivery has been given up.",
        )
    };
    format!(
        "Ihre Nachricht an {rcpt} konnte nicht zugestellt werden.\r\n{de}\r\nGrund: {why}\r\n\r\n\
         Your message to {rcpt} could not be delivered.\r\n{en}\r\nReason: {why}\r\n",
        rcpt = f.rcpt
    )
}

fn delivery_status(f: &Failure<'_>, now: DateTime<Utc>) -> String {
    let status = if f.permanent {
        status_of(f.diagnostic, '5').unwrap_or_else(|| "5.0.0".into())
    } else {
        // Delivery time expired.
        "4.4.7".into()
    };
    format!(
        "Reporting-MTA: dns; {domain}\r\nArrival-Date: {arrived}\r\n\r\n\
         Final-Recipient: rfc822; {rcpt}\r\nAction: failed\r\nStatus: {status}\r\n\
         Diagnostic-Code: smtp; {diag}\r\nLast-Attempt-Date: {now}\r\n",
        domain = one_line(f.reporting_domain),
        arrived = rfc2822(f.arrived),
        rcpt = one_line(f.rcpt),
        diag = one_line(f.diagnostic),
        now = rfc2822(now),
    )
}

/// The report as a raw message from the reporting domain's mailer daemon to the sender.
pub(crate) fn build(
    f: &Failure<'_>,
    original: &[u8],
    now: DateTime<Utc>,
) -> Result<Vec<u8>, DomainError> {
    let subject = mail_parser::MessageParser::default()
        .parse_headers(original)
        .and_then(|m| m.subject().map(str::to_owned))
        .unwrap_or_default();
    let parts = vec![
        MimePart::new("text/plain", human_text(f)),
        MimePart::new(
            "message/delivery-status",
            delivery_status(f, now).into_bytes(),
        )
        .transfer_encoding("7bit"),
        MimePart::new("text/rfc822-headers", header_of(original).to_vec())
            .transfer_encoding("8bit"),
    ];
    let report = ContentType::new("multipart/report").attribute("report-type", "delivery-status");
    MessageBuilder::new()
        .from((
            "Mail Delivery System".to_owned(),
            format!("MAILER-DAEMON@{}", f.reporting_domain),
        ))
        .to(f.mail_from.to_owned())
        .subject(format!("Unzustellbar / Undeliverable: {subject}"))
        .date(now.timestamp())
        .header("Auto-Submitted", Raw::new("auto-replied"))
        .body(MimePart::new(report, parts))
        .write_to_vec()
        .map_err(|e| DomainError::Internal(format!("building a bounce: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_reads_as_a_delivery_status_notification() {
        let original = b"From: anna@x.nrw.schule\r\nTo: bob@example.org\r\nSubject: Hallo\r\n\r\nsecret body\r\n";
        let f = Failure {
            reporting_domain: "x.nrw.schule",
            mail_from: "anna@x.nrw.schule",
            rcpt: "bob@example.org",
            diagnostic: "permanent error (550): 5.1.1 no such\r\nuser",
            permanent: true,
            arrived: DateTime::<Utc>::from_timestamp(1_800_000_000, 0).expect("time"),
        };
        let raw = build(&f, original, f.arrived).expect("build");
        let m = mail_parser::MessageParser::default()
            .parse(&raw[..])
            .expect("parse");
        assert_eq!(m.parts.len(), 4, "the report and its three parts");
        let text = String::from_utf8_lossy(&raw);
        assert!(
            text.contains("report-type=delivery-status")
                || text.contains("report-type=\"delivery-status\"")
        );
        assert!(text.contains("Status: 5.1.1"), "{text}");
        assert!(text.contains("Final-Recipient: rfc822; bob@example.org"));
        assert!(text.contains("Diagnostic-Code: smtp; permanent error (550): 5.1.1 no such user"));
        assert!(
            text.contains("Subject: Hallo"),
            "the original header comes back"
        );
        assert!(!text.contains("secret body"), "the body does not");
        assert!(text.contains("Auto-Submitted: auto-replied"));
    }

    #[test]
    fn status_codes_are_found_in_answers() {
        assert_eq!(
            status_of("550 5.7.1 refused", '5').as_deref(),
            Some("5.7.1")
        );
        assert_eq!(status_of("550 refused", '5'), None);
        assert_eq!(status_of("version 1.2.3", '5'), None);
    }
}
