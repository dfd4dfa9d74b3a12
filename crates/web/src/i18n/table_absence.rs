//! Texts of the absence note and of "Passwort vergessen": (key, German, English).

pub const ABSENCE_TEXTS: &[(&str, &str, &str)] = &[
    ("absence.title", "Abwesenheitsnotiz", "Absence note"),
    (
        "absence.lead",
        "Während Ihrer Abwesenheit beantwortet die Schul-Mail eingehende Nachrichten automatisch – jede Absenderin und jeden Absender einmal.",
        "While you are away, school mail answers incoming messages automatically – each sender once.",
    ),
    ("absence.current", "Eingestellte Notiz", "Current note"),
    ("absence.state", "Stand", "State"),
    ("absence.state_active", "aktiv", "active"),
    ("absence.state_planned", "geplant", "planned"),
    ("absence.state_over", "abgelaufen", "over"),
    ("absence.period", "Zeitraum", "Period"),
    ("absence.edit", "Notiz einstellen", "Set the note"),
    ("absence.from", "Abwesend ab", "Away from"),
    (
        "absence.until",
        "Abwesend bis einschließlich",
        "Away until (inclusive)",
    ),
    (
        "absence.until_hint",
        "Die Notiz gilt bis zum Ende dieses Tages.",
        "The note applies until the end of this day.",
    ),
    (
        "absence.subject",
        "Betreff der Antwort",
        "Subject of the reply",
    ),
    ("absence.text", "Text der Antwort", "Text of the reply"),
    ("absence.substitute", "Vertretung", "Substitute"),
    (
        "absence.substitute_hint",
        "Optional: Benutzername oder Schul-Adresse einer Person Ihrer Schule; die Antwort nennt sie.",
        "Optional: login or school address of a person of your school; the reply names them.",
    ),
    ("absence.save", "Notiz speichern", "Save note"),
    ("absence.remove", "Notiz entfernen", "Remove note"),
    (
        "absence.rules",
        "Keine Antwort erhalten Verteilerlisten, Massen- und automatisch erzeugte Nachrichten sowie Absender ohne Antwortadresse.",
        "No reply goes to mailing lists, bulk and automatically generated messages, or senders without a reply address.",
    ),
    ("absence.back", "Zurück zu Mein Konto", "Back to my account"),
    (
        "absence.bad_date",
        "Bitte ein Datum angeben.",
        "Please enter a date.",
    ),
    (
        "absence_reply.default_subject",
        "Abwesenheitsnotiz",
        "Out of office",
    ),
    (
        "absence_reply.default_text",
        "Vielen Dank für Ihre Nachricht. Ich bin zurzeit nicht im Dienst und lese sie nach meiner Rückkehr.",
        "Thank you for your message. I am currently away and will read it when I return.",
    ),
    (
        "absence.link_text",
        "Automatische Antwort, während Sie abwesend sind.",
        "Automatic reply while you are away.",
    ),
    (
        "ok.absence_saved",
        "Die Abwesenheitsnotiz ist gespeichert.",
        "The absence note has been saved.",
    ),
    (
        "ok.absence_cleared",
        "Die Abwesenheitsnotiz ist entfernt.",
        "The absence note has been removed.",
    ),
    ("field.ends", "Ende", "End"),
    ("field.reply_subject", "Betreff", "Subject"),
    ("field.reply_text", "Text", "Text"),
    ("field.substitute", "Vertretung", "Substitute"),
    // "Passwort vergessen"
    ("reset.link", "Passwort vergessen?", "Forgot your password?"),
    ("reset.title", "Passwort vergessen", "Forgot password"),
    (
        "reset.lead",
        "Geben Sie Ihren Benutzernamen oder Ihre Schul-Adresse an. Wir schicken einen Link zum Setzen eines neuen Passworts an die externe E-Mail-Adresse, die Sie unter „Mein Konto“ eingetragen haben.",
        "Enter your login or school address. We send a link to set a new password to the external mail address you entered under “My account”.",
    ),
    ("reset.submit", "Link anfordern", "Request link"),
    (
        "reset.no_external",
        "Ohne eingetragene externe Adresse kann kein Link verschickt werden; dann setzt die Schulverwaltung Ihr Passwort zurück.",
        "Without an external address no link can be sent; the school office then resets your password.",
    ),
    ("reset.to_login", "Zur Anmeldung", "To the login"),
    (
        "reset.sent_title",
        "Bitte sehen Sie in Ihr Postfach",
        "Please check your mailbox",
    ),
    (
        "reset.sent_text",
        "Wenn es das Konto gibt und eine externe E-Mail-Adresse eingetragen ist, ist ein Link unterwegs. Er gilt eine Stunde und nur einmal.",
        "If the account exists and has an external mail address, a link is on its way. It is valid for one hour, once.",
    ),
    (
        "reset.new_title",
        "Neues Passwort setzen",
        "Set a new password",
    ),
    (
        "reset.new_lead",
        "Danach sind Sie überall abgemeldet, und Ihre App-Passwörter gelten nicht mehr.",
        "Afterwards you are logged out everywhere, and your app passwords no longer work.",
    ),
    (
        "reset.gone_title",
        "Dieser Link gilt nicht mehr",
        "This link is no longer valid",
    ),
    (
        "reset.gone_text",
        "Ein Link zum Zurücksetzen gilt eine Stunde und nur einmal. Fordern Sie bei Bedarf einen neuen an.",
        "A reset link is valid for one hour, once. Request a new one if needed.",
    ),
    ("reset.again", "Neuen Link anfordern", "Request a new link"),
    (
        "ok.password_reset_done",
        "Ihr neues Passwort ist gesetzt. Bitte melden Sie sich an.",
        "Your new password is set. Please log in.",
    ),
    (
        "action.password.reset_link_sent",
        "Link zum Zurücksetzen des Passworts verschickt",
        "Password reset link sent",
    ),
    (
        "action.password.reset_by_link",
        "Passwort über einen Link zurückgesetzt",
        "Password reset by link",
    ),
];
