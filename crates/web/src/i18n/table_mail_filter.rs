//! Texts of mail filtering: the spam buttons of a message, the filters' state and the
//! outgoing limits on the admin's mail page, and the errors of sending.

pub const MAIL_FILTER_TEXTS: &[(&str, &str, &str)] = &[
    ("mailfilter.mark_spam", "Als Spam markieren", "Mark as spam"),
    ("mailfilter.mark_ham", "Kein Spam", "Not spam"),
    (
        "ok.mail_marked_spam",
        "Die Nachricht ist als Spam markiert und im Spam-Ordner.",
        "The message is marked as spam and in the Spam folder.",
    ),
    (
        "ok.mail_marked_ham",
        "Die Nachricht ist als „kein Spam“ markiert.",
        "The message is marked as not spam.",
    ),
    (
        "mailfilter.title",
        "Spam- und Virenschutz",
        "Spam and malware protection",
    ),
    (
        "mailfilter.lead",
        "Der Betrieb der Plattform richtet Spamfilter und Virenscanner für alle Schulen ein. Ohne sie funktioniert Mail ebenso, nur ohne diese Prüfung.",
        "The platform's operator sets up the spam filter and virus scanner for all schools. Without them mail works just the same, only without these checks.",
    ),
    ("mailfilter.spam", "Spamfilter", "Spam filter"),
    (
        "mailfilter.spam_on",
        "An: Spam wird mit [SPAM] im Betreff markiert und landet im Spam-Ordner.",
        "On: spam is marked with [SPAM] in the subject and goes to the Spam folder.",
    ),
    ("mailfilter.virus", "Virenscanner", "Virus scanner"),
    (
        "mailfilter.virus_on",
        "An: Nachrichten mit Schadsoftware werden zurückgehalten und nie zugestellt; Absender und Empfänger erfahren es.",
        "On: messages with malware are held back and never delivered; sender and recipient are told.",
    ),
    ("mailfilter.off", "Aus", "Off"),
    ("mailfilter.limits", "Versandgrenzen", "Sending limits"),
    (
        "mailfilter.limits_lead",
        "So viele Empfänger darf ein Konto je Stunde anschreiben. Wird die Grenze erreicht, wird das Senden abgelehnt und der Betrieb benachrichtigt – so kann ein gestohlenes Passwort keine Massenmails verschicken.",
        "This many recipients an account may write to per hour. When the limit is reached, sending is refused and the operator alerted – so a stolen password cannot send a flood.",
    ),
    ("mailfilter.save", "Grenzen speichern", "Save limits"),
    (
        "ok.limits_saved",
        "Die Versandgrenzen sind gespeichert.",
        "The sending limits have been saved.",
    ),
    (
        "mailfilter.rate_limited",
        "Sie haben in dieser Stunde schon an zu viele Empfänger geschrieben. Bitte versuchen Sie es in {n} Minuten noch einmal.",
        "You have written to too many recipients this hour. Please try again in {n} minutes.",
    ),
    (
        "mailfilter.unavailable",
        "Die Nachricht kann gerade nicht auf Viren geprüft werden und wurde darum nicht gesendet. Bitte versuchen Sie es in ein paar Minuten noch einmal.",
        "The message cannot be checked for malware right now and so was not sent. Please try again in a few minutes.",
    ),
    (
        "mailfilter.malware",
        "Der Virenscanner hat Schadsoftware gefunden ({name}). Die Nachricht wurde zurückgehalten und nicht gesendet.",
        "The virus scanner found malware ({name}). The message was held back and not sent.",
    ),
];
