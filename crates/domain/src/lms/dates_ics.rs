//! Due dates as iCalendar for calendar programs: one read-only event per assignment due
//! date or quiz closing time, built from [`Platform::lms_dates_between`] so CalDAV, the
//! `.ics` download and the private subscription show exactly what the dashboard's due list
//! and the calendar views show (the same one statement, the same visibility rules).
//! Nothing is stored: the text follows every change of an assignment at once.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

use super::dates::DateRow;
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// How far back and ahead calendar programs see due dates: a school year around today
/// (older dates are history, later ones are rarely set; the window keeps the listing small).
const BACK_DAYS: i64 = 180;
const AHEAD_DAYS: i64 = 400;

/// One due date as a calendar object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueEvent {
    /// The object's file name, `lms-<activity>.ics`.
    pub name: String,
    /// A strong entity tag of `text` (changes whenever title, time or course name do).
    pub etag: String,
    pub at: DateTime<Utc>,
    /// A whole VCALENDAR with one VEVENT.
    pub text: String,
}

/// RFC 5545 §3.3.11 text escaping.
fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' => o.push_str("\\\\"),
            ';' => o.push_str("\\;"),
            ',' => o.push_str("\\,"),
            '\n' => o.push_str("\\n"),
            '\r' => {}
            c => o.push(c),
        }
    }
    o
}

/// One content line folded at 75 octets (RFC 5545 §3.1), never inside a character.
fn line(out: &mut String, l: &str) {
    let mut width = 0;
    for ch in l.chars() {
        if width + ch.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += ch.len_utf8();
    }
    out.push_str("\r\n");
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The VEVENT lines of one due date. DTSTAMP is the due time itself, not "now", so that the
/// text (and its entity tag) only changes when the date does.
fn vevent(out: &mut String, d: &DateRow, at: DateTime<Utc>) {
    let label = if d.kind == "quiz" {
        "Test endet"
    } else {
        "Abgabe"
    };
    line(out, "BEGIN:VEVENT");
    line(out, &format!("UID:lms-{}@schulhof", d.activity.0));
    line(out, &format!("DTSTAMP:{}", stamp(at)));
    // A date-time DTSTART without DTEND is an event that ends when it starts (§3.6.1).
    line(out, &format!("DTSTART:{}", stamp(at)));
    line(
        out,
        &format!("SUMMARY:{}", escape(&format!("{label}: {}", d.title))),
    );
    line(
        out,
        &format!(
            "DESCRIPTION:{}",
            escape(&format!("Kurs: {}", d.course_name))
        ),
    );
    line(out, &format!("CATEGORIES:{}", escape(&d.course_name)));
    line(out, "TRANSP:TRANSPARENT");
    line(out, "END:VEVENT");
}

fn begin(out: &mut String) {
    line(out, "BEGIN:VCALENDAR");
    line(out, "VERSION:2.0");
    line(out, "PRODID:-//Schulhof//Kurse//DE");
    line(out, "CALSCALE:GREGORIAN");
}

fn event(d: &DateRow) -> Option<DueEvent> {
    let at = DateTime::from_timestamp_micros(d.due_at)?;
    let mut text = String::new();
    begin(&mut text);
    vevent(&mut text, d, at);
    line(&mut text, "END:VCALENDAR");
    let etag = hex(&Sha256::digest(text.as_bytes())[..12]);
    Some(DueEvent {
        name: format!("lms-{}.ics", d.activity.0),
        etag,
        at,
        text,
    })
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A token of a whole listing: equal listings, equal tokens (CalDAV's getctag and
/// sync-token of the virtual calendar; it changes with any date, title or visibility).
pub fn listing_token(events: &[DueEvent]) -> u64 {
    let mut h = Sha256::new();
    for e in events {
        h.update(e.name.as_bytes());
        h.update(e.etag.as_bytes());
    }
    let d = h.finalize();
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    // Kept below 2^63 and above 0: some clients read the number as a signed integer.
    (u64::from_be_bytes(b) >> 1).max(1)
}

impl Platform {
    /// The caller's due dates in [`start`, `end`) as calendar objects, by time.
    pub async fn lms_due_events_between(
        &self,
        a: &Actor,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<DueEvent>, DomainError> {
        let rows = self.lms_dates_between(a, start, end).await?;
        Ok(rows.iter().filter_map(event).collect())
    }

    /// The caller's due dates in the window calendar programs see (half a year back,
    /// a school year ahead).
    pub async fn lms_due_events(&self, a: &Actor) -> Result<Vec<DueEvent>, DomainError> {
        let now = self.now();
        self.lms_due_events_between(
            a,
            now - Duration::days(BACK_DAYS),
            now + Duration::days(AHEAD_DAYS),
        )
        .await
    }

    /// The caller's due dates as one `.ics` file (download and subscription).
    pub async fn lms_due_ics(&self, a: &Actor) -> Result<String, DomainError> {
        let now = self.now();
        let rows = self
            .lms_dates_between(
                a,
                now - Duration::days(BACK_DAYS),
                now + Duration::days(AHEAD_DAYS),
            )
            .await?;
        let mut out = String::new();
        begin(&mut out);
        line(&mut out, "X-WR-CALNAME:Fälligkeiten");
        for d in &rows {
            if let Some(at) = DateTime::from_timestamp_micros(d.due_at) {
                vevent(&mut out, d, at);
            }
        }
        line(&mut out, "END:VCALENDAR");
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use schulhof_types::{ActivityId, CourseId};

    #[test]
    fn text_is_escaped_and_folded() {
        let d = DateRow {
            activity: ActivityId(uuid::Uuid::nil()),
            course: CourseId(uuid::Uuid::nil()),
            course_name: "5a, Mathe; Ü".into(),
            kind: "assignment".into(),
            title: "Aufgabe mit einem sehr langen Titel, der über die Zeilenlänge hinausgeht"
                .into(),
            due_at: 1_800_000_000_000_000,
        };
        let e = event(&d).expect("event");
        assert!(e.text.contains("DESCRIPTION:Kurs: 5a\\, Mathe\\; Ü\r\n"));
        assert!(e.text.contains("DTSTART:20270115T080000Z\r\n"));
        assert!(e.text.lines().all(|l| l.len() <= 75));
        assert!(e.text.contains("\r\n "), "the long summary is folded");
        assert_eq!(e.name, format!("lms-{}.ics", uuid::Uuid::nil()));
        let again = event(&d).expect("again");
        assert_eq!(e.etag, again.etag, "stable text, stable tag");
        assert_ne!(listing_token(std::slice::from_ref(&e)), listing_token(&[]));
    }
}
