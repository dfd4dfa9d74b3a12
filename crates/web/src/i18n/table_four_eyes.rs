//! Texts of four-eyes requests, holds and notifications: (key, German, English).

pub const FOUR_EYES_TEXTS: &[(&str, &str, &str)] = &[
    ("four_eyes.title", "Bestätigungen", "Confirmations"),
    (
        "four_eyes.lead",
        "Was eine Person allein nicht darf, wartet hier auf eine zweite: ein neues Safe-Passwort, eine weitere Schulleitung oder ein neuer Inhaber, die Freigabe nach einem fremden Passwort-Reset.",
        "What one person may not do alone waits here for a second: a new Safe password, a further Schulleitung or a new holder, the release after a password reset by someone else.",
    ),
    ("four_eyes.none", "Keine Anträge.", "No requests."),
    (
        "four_eyes.initial_password_shown",
        "Erstes Passwort für {login}: nur Sie sehen es, übergeben Sie es der Inhaberin oder dem Inhaber",
        "First password for {login}: only you see it; hand it to its holder",
    ),
    ("four_eyes.col.kind", "Antrag", "Request"),
    ("four_eyes.col.requester", "Gestellt von", "Asked by"),
    ("four_eyes.col.at", "Zeitpunkt", "When"),
    ("four_eyes.col.state", "Stand", "State"),
    ("four_eyes.col.action", "Entscheidung", "Decision"),
    ("four_eyes.confirm", "Bestätigen", "Confirm"),
    ("four_eyes.reject", "Ablehnen", "Reject"),
    (
        "four_eyes.kind.safe_password",
        "Neues Safe-Passwort",
        "New Safe password",
    ),
    (
        "four_eyes.kind.login_reset",
        "Freigabe nach Passwort-Reset",
        "Release after password reset",
    ),
    (
        "four_eyes.kind.schulleitung_create",
        "Weiteres Schulleitungskonto",
        "Further Schulleitung account",
    ),
    (
        "four_eyes.kind.schulleitung_holder",
        "Neuer Inhaber der Schulleitung",
        "New holder of the Schulleitung",
    ),
    (
        "four_eyes.kind.mailbox_inspection",
        "Einsicht in ein Postfach",
        "Access to a mailbox",
    ),
    ("four_eyes.state.pending", "offen", "pending"),
    ("four_eyes.state.confirmed", "bestätigt", "confirmed"),
    ("four_eyes.state.rejected", "abgelehnt", "rejected"),
    ("four_eyes.state.superseded", "ersetzt", "superseded"),
    (
        "ok.request_confirmed",
        "Der Antrag ist bestätigt.",
        "The request is confirmed.",
    ),
    (
        "ok.request_rejected",
        "Der Antrag ist abgelehnt.",
        "The request is rejected.",
    ),
    (
        "ok.safe_password_requested",
        "Der Antrag auf ein neues Safe-Passwort wartet auf die Schulleitung; sie übergibt das Passwort.",
        "The request for a new Safe password waits for the Schulleitung, who hands the password over.",
    ),
    (
        "error.private_areas_on_hold",
        "Ihr Passwort wurde von jemand anderem zurückgesetzt. Eigene Dateien und Daten-Safe bleiben gesperrt, bis eine zweite Person den Reset bestätigt.",
        "Your password was reset by someone else. Your own files and the Data Safe stay closed until a second person confirms the reset.",
    ),
    (
        "error.same_person",
        "Das muss eine zweite Person bestätigen, nicht die, die es beantragt hat.",
        "A second person must confirm this, not the one who asked for it.",
    ),
    (
        "error.code.private_areas_on_hold",
        "Eigene Dateien und Daten-Safe sind gesperrt, bis eine zweite Person den Passwort-Reset bestätigt.",
        "Own files and the Data Safe are closed until a second person confirms the password reset.",
    ),
    (
        "error.code.same_person",
        "Das muss eine zweite Person bestätigen.",
        "A second person must confirm this.",
    ),
    ("home.notifications", "Benachrichtigungen", "Notifications"),
    (
        "home.requests",
        "Bestätigungen ansehen",
        "See confirmations",
    ),
    (
        "notify.password_reset",
        "Ihr Passwort wurde von {by} zurückgesetzt.",
        "Your password was reset by {by}.",
    ),
    (
        "notify.private_hold",
        "Eigene Dateien und Daten-Safe sind gesperrt, bis eine zweite Person den Reset durch {by} bestätigt.",
        "Own files and the Data Safe are closed until a second person confirms the reset by {by}.",
    ),
    (
        "notify.hold_released",
        "{by} hat den Passwort-Reset bestätigt; Eigene Dateien und Safe sind wieder offen.",
        "{by} confirmed the password reset; own files and the Safe are open again.",
    ),
    (
        "notify.safe_password_requested",
        "{by} hat ein neues Safe-Passwort für Sie beantragt; die Schulleitung entscheidet.",
        "{by} asked for a new Safe password for you; the Schulleitung decides.",
    ),
    (
        "notify.safe_password_reset",
        "{by} hat Ihnen ein neues Safe-Passwort erzeugt.",
        "{by} generated a new Safe password for you.",
    ),
    (
        "notify.safe_password_request_rejected",
        "{by} hat den Antrag auf ein neues Safe-Passwort abgelehnt.",
        "{by} rejected the request for a new Safe password.",
    ),
    (
        "notify.schulleitung_created",
        "Ein Schulleitungskonto ist eingerichtet.",
        "A Schulleitung account has been set up.",
    ),
    (
        "notify.mailbox_inspection",
        "Schulleitung ({by}) und Personalvertretung ({with}) haben Einsicht in Ihr Postfach genommen, lesend bis {until}. Grund: {reason}",
        "The Schulleitung ({by}) and the staff council ({with}) opened your mailbox, read-only until {until}. Reason: {reason}",
    ),
    (
        "notify.schulleitung_holder_changed",
        "Der Inhaber des Schulleitungskontos wurde geändert.",
        "The holder of the Schulleitung account has changed.",
    ),
];
