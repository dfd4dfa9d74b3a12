//! The German and English words of every kind, for mail (the pages word them through their
//! own tables), and the page of the platform each notification leads to.

use serde_json::Value;

use super::Kind;

/// (German, English) for a kind; `{name}` takes the parameter `name`.
fn wording(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::PasswordReset => (
            "Ihr Passwort wurde von {by} zurückgesetzt.",
            "Your password was reset by {by}.",
        ),
        Kind::PrivateHold => (
            "Eigene Dateien und Daten-Safe sind gesperrt, bis eine zweite Person den Reset durch {by} bestätigt.",
            "Own files and the Data Safe are closed until a second person confirms the reset by {by}.",
        ),
        Kind::HoldReleased => (
            "{by} hat den Passwort-Reset bestätigt; Eigene Dateien und Safe sind wieder offen.",
            "{by} confirmed the password reset; own files and the Safe are open again.",
        ),
        Kind::SafePasswordRequested => (
            "{by} hat ein neues Safe-Passwort für Sie beantragt; die Schulleitung entscheidet.",
            "{by} asked for a new Safe password for you; the Schulleitung decides.",
        ),
        Kind::SafePasswordReset => (
            "{by} hat Ihnen ein neues Safe-Passwort erzeugt.",
            "{by} generated a new Safe password for you.",
        ),
        Kind::SafePasswordRequestRejected => (
            "{by} hat den Antrag auf ein neues Safe-Passwort abgelehnt.",
            "{by} rejected the request for a new Safe password.",
        ),
        Kind::SchulleitungCreated => (
            "Ein Schulleitungskonto ist eingerichtet.",
            "A Schulleitung account has been set up.",
        ),
        Kind::SchulleitungHolderChanged => (
            "Der Inhaber des Schulleitungskontos wurde geändert.",
            "The holder of the Schulleitung account has changed.",
        ),
        Kind::MailboxInspection => (
            "Schulleitung ({by}) und Personalvertretung ({with}) haben Einsicht in Ihr Postfach genommen, lesend bis {until}. Grund: {reason}",
            "The Schulleitung ({by}) and the staff council ({with}) opened your mailbox, read-only until {until}. Reason: {reason}",
        ),
        Kind::NewsPublished => ("Neuigkeit: „{title}“", "News: “{title}”"),
        Kind::FileShared => (
            "{by} hat „{name}“ mit Ihnen geteilt.",
            "{by} shared “{name}” with you.",
        ),
        Kind::CalendarInvitation => (
            "{by} lädt Sie ein: „{summary}“ {start}",
            "{by} invites you: “{summary}” {start}",
        ),
        Kind::CalendarReply => (
            "{by} hat auf „{summary}“ geantwortet: {answer}",
            "{by} answered “{summary}”: {answer}",
        ),
        Kind::ChatMention => (
            "{by} hat Sie im Chat „{room}“ erwähnt: {text}",
            "{by} mentioned you in the chat “{room}”: {text}",
        ),
        Kind::LmsActivityPublished => (
            "Neu im Kurs {course}: „{title}“",
            "New in {course}: “{title}”",
        ),
        Kind::LmsFeedbackReleased => (
            "Ihre Rückmeldung zu „{title}“ ist da.",
            "Your feedback on “{title}” is ready.",
        ),
        Kind::LmsAnnouncement => (
            "Ankündigung im Kurs {course}: „{title}“",
            "Announcement in {course}: “{title}”",
        ),
        Kind::LmsQuestionAsked => (
            "{by} fragt zu „{title}“ ({course}).",
            "{by} asks about “{title}” ({course}).",
        ),
        Kind::LmsQuestionAnswered => (
            "{by} hat Ihre Frage zu „{title}“ beantwortet.",
            "{by} answered your question about “{title}”.",
        ),
        Kind::HelpTicketAnswered => (
            "Der Support hat Ihr Ticket {number} „{subject}“ bearbeitet.",
            "Support has worked on your ticket {number} “{subject}”.",
        ),
        Kind::MailAbuseCouncil => (
            "Eine Missbrauchskontrolle (Stufe {stage}) wartet auf die Beteiligung der Personalvertretung.",
            "An abuse check (stage {stage}) is waiting for the staff council to take part.",
        ),
        Kind::MailAbuseDecided => (
            "Der Datenschutzbeauftragte hat über Ihren Antrag zur Missbrauchskontrolle (Stufe {stage}) entschieden.",
            "The data-protection officer has decided on your abuse-control request (stage {stage}).",
        ),
        Kind::MailAbuseNotice => (
            "Allgemeiner Hinweis der Schulleitung zur Nutzung der dienstlichen E-Mail: {text} Halten Verstöße an, kann eine personenbezogene Kontrolle (Nutzungsbedingungen 7, Stufe 2) folgen.",
            "General notice of the Schulleitung on the use of the school mail: {text} If violations continue, a person-specific control (terms of use 7, stage 2) may follow.",
        ),
        Kind::MailAbuseConcerned => (
            "Im Rahmen einer Missbrauchskontrolle (Nutzungsbedingungen 7, Stufe 2) wurden die Verkehrsdaten Ihres Postfachs (Zeit, Absender, Empfänger, Größe, Betreff; keine Inhalte) vom {from} bis {until} eingesehen, unter Beteiligung der Personalvertretung und mit Zustimmung des Datenschutzbeauftragten. Zweck: {purpose} Ergebnis der Auswertung: {result} Der Vorgang ist abgeschlossen; Sie können dazu schriftlich Stellung nehmen: {reply}",
            "During an abuse check (terms of use 7, stage 2) the traffic data of your mailbox (time, sender, recipient, size, subject; no content) from {from} to {until} were examined, with the staff council taking part and the approval of the data-protection officer. Purpose: {purpose} Result of the evaluation: {result} The case is closed; you can reply in writing: {reply}",
        ),
    }
}

/// The words of a kind for the variant its parameters name (`variant`), where it has one.
fn variant_wording(kind: Kind, variant: &str) -> Option<(&'static str, &'static str)> {
    match (kind, variant) {
        // A stage-2 case that reached its end without being closed has no written result.
        (Kind::MailAbuseConcerned, "ended") => Some((
            "Im Rahmen einer Missbrauchskontrolle (Nutzungsbedingungen 7, Stufe 2) wurden die Verkehrsdaten Ihres Postfachs (Zeit, Absender, Empfänger, Größe, Betreff; keine Inhalte) vom {from} bis {until} eingesehen, unter Beteiligung der Personalvertretung und mit Zustimmung des Datenschutzbeauftragten. Zweck: {purpose} Der Vorgang endete nach Ablauf seiner Frist ohne Ergebnis der Auswertung; Sie können dazu schriftlich Stellung nehmen: {reply}",
            "During an abuse check (terms of use 7, stage 2) the traffic data of your mailbox (time, sender, recipient, size, subject; no content) from {from} to {until} were examined, with the staff council taking part and the approval of the data-protection officer. Purpose: {purpose} The case ended when its time ran out, without a result of the evaluation; you can reply in writing: {reply}",
        )),
        _ => None,
    }
}

/// Fills `{key}` placeholders from the parameters (strings only; missing ones stay empty).
pub fn fill(template: &str, params: &Value) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let key = &after[..close];
                out.push_str(params.get(key).and_then(Value::as_str).unwrap_or(""));
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.trim_end().to_owned()
}

/// The line of a notification in German and English.
pub fn line(kind: Kind, params: &Value) -> (String, String) {
    let (de, en) = params
        .get("variant")
        .and_then(Value::as_str)
        .and_then(|v| variant_wording(kind, v))
        .unwrap_or_else(|| wording(kind));
    (fill(de, params), fill(en, params))
}

/// The page a notification leads to, a path of the platform.
pub fn link(kind: Kind, params: &Value) -> String {
    let s = |k: &str| params.get(k).and_then(Value::as_str).unwrap_or("");
    match kind {
        Kind::NewsPublished if !s("news_id").is_empty() => format!("/neuigkeiten/{}", s("news_id")),
        Kind::FileShared if !s("node_id").is_empty() => format!("/dateien/{}", s("node_id")),
        Kind::CalendarInvitation => match s("calendar_object").split_once('/') {
            Some((cal, name)) => format!("/kalender/{cal}/termin/{}", encode(name)),
            None => "/kalender".to_owned(),
        },
        Kind::CalendarReply => "/kalender".to_owned(),
        Kind::LmsActivityPublished | Kind::LmsFeedbackReleased | Kind::LmsQuestionAnswered
            if !s("activity_id").is_empty() =>
        {
            lms_activity_link(s("activity_kind"), s("activity_id"))
        }
        Kind::LmsQuestionAsked if !s("activity_id").is_empty() && !s("student_id").is_empty() => {
            format!(
                "/kurse/aufgaben/{}/fragen/{}",
                s("activity_id"),
                s("student_id")
            )
        }
        Kind::ChatMention if !s("room_id").is_empty() => {
            format!("/chat/{}#m-{}", encode(s("room_id")), encode(s("seq")))
        }
        Kind::LmsAnnouncement if !s("course_id").is_empty() => format!("/kurse/{}", s("course_id")),
        Kind::HelpTicketAnswered if !s("ticket_id").is_empty() => {
            format!("/hilfe/tickets/{}", encode(s("ticket_id")))
        }
        Kind::SafePasswordReset
        | Kind::SafePasswordRequested
        | Kind::SafePasswordRequestRejected => "/safe".to_owned(),
        Kind::SchulleitungCreated | Kind::SchulleitungHolderChanged => "/bestaetigungen".to_owned(),
        Kind::MailAbuseCouncil => "/verwaltung/mail/missbrauch/beteiligung".to_owned(),
        Kind::MailAbuseDecided => "/verwaltung/mail/missbrauch".to_owned(),
        // The person concerned answers the Schulleitung in writing (Nutzungsbedingungen 7).
        Kind::MailAbuseConcerned if !s("reply").is_empty() => {
            format!("/mail/neu?an={}", encode(s("reply")))
        }
        _ => "/benachrichtigungen".to_owned(),
    }
}

/// The page of a course's activity by its kind (the paths of the web front-end).
fn lms_activity_link(kind: &str, id: &str) -> String {
    match kind {
        "assignment" => format!("/kurse/aufgaben/{id}"),
        "quiz" => format!("/kurse/tests/{id}"),
        _ => format!("/kurse/material/{id}"),
    }
}

/// Percent-encodes a path segment.
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

const FOOTER: &str = "-- \r\nDiese Nachricht wurde automatisch verschickt. Was Sie per Mail erhalten, stellen Sie unter Benachrichtigungen → Einstellungen ein.\r\nThis message was sent automatically. Choose what reaches you by mail under Notifications → Settings.\r\n";

/// Subject and text of a mail with one notification.
pub fn single_mail(kind: Kind, params: &Value, base: &str) -> (String, String) {
    let (de, en) = line(kind, params);
    let url = format!("{base}{}", link(kind, params));
    let subject = format!("{de} / {en}");
    let subject: String = subject.chars().take(150).collect();
    (
        subject,
        format!("{de}\r\n\r\n{en}\r\n\r\n{url}\r\n\r\n{FOOTER}"),
    )
}

/// Subject and text of a digest of several notifications (oldest first); `more` were left
/// out to keep the mail short.
pub fn digest_mail(items: &[(Kind, Value)], more: usize, base: &str) -> (String, String) {
    let n = items.len() + more;
    let subject = format!(
        "Tägliche Zusammenfassung: {n} Benachrichtigungen / Daily digest: {n} notifications"
    );
    let mut text = String::from(
        "Ihre Benachrichtigungen seit der letzten Zusammenfassung / Your notifications since the last digest:\r\n\r\n",
    );
    for (kind, params) in items {
        let (de, en) = line(*kind, params);
        text.push_str(&format!(
            "* {de}\r\n  {en}\r\n  {base}{}\r\n\r\n",
            link(*kind, params)
        ));
    }
    if more > 0 {
        text.push_str(&format!(
            "… und {more} weitere / and {more} more: {base}/benachrichtigungen\r\n\r\n"
        ));
    }
    text.push_str(FOOTER);
    (subject, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_kind_is_worded_and_linked() {
        let p = json!({"by": "Lena Lehmann", "name": "Arbeitsblatt.pdf", "node_id": "n1",
                       "news_id": "x1", "title": "Sportfest", "summary": "Konferenz",
                       "start": "2026-12-07T14:00:00+00:00", "answer": "accepted",
                       "calendar_object": "c1/abc def.ics"});
        for kind in Kind::ALL {
            let (de, en) = line(kind, &p);
            assert!(!de.contains('{') && !en.contains('{'), "{kind:?}");
            assert!(link(kind, &p).starts_with('/'));
        }
        assert_eq!(
            line(Kind::FileShared, &p).0,
            "Lena Lehmann hat „Arbeitsblatt.pdf“ mit Ihnen geteilt."
        );
        assert_eq!(link(Kind::FileShared, &p), "/dateien/n1");
        assert_eq!(link(Kind::NewsPublished, &p), "/neuigkeiten/x1");
        assert_eq!(
            link(Kind::CalendarInvitation, &p),
            "/kalender/c1/termin/abc%20def.ics"
        );
    }

    #[test]
    fn placeholders_take_only_strings() {
        assert_eq!(fill("{a} und {b}", &json!({"a": "x", "b": 3})), "x und");
        assert_eq!(fill("offen {", &json!({})), "offen {");
    }
}
