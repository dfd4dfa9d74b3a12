//! Texts of the consent screen of connected tools (OpenID Connect): (key, German, English).
//! German texts stay neutral (no "Sie", no "du"), since students read them too.

#[rustfmt::skip]
pub const OIDC_TEXTS: &[(&str, &str, &str)] = &[
    ("oidc.title", "Anmeldung bei einem Werkzeug", "Logging in to a tool"),
    ("oidc.lead", "Anmeldung mit dem Schulkonto bei", "Logging in with the school account to"),
    ("oidc.state_wide", "landesweit angebunden", "connected state-wide"),
    ("oidc.asked", "Das Werkzeug bittet um diese persönlichen Daten:", "The tool asks for this personal data:"),
    ("oidc.claim.name", "Vor- und Nachname", "Given and family name"),
    ("oidc.claim.email", "E-Mail-Adresse der Schule", "School mail address"),
    ("oidc.claim.groups", "Klassen, Kurse und Gruppen", "Classes, courses and groups"),
    ("oidc.claim.role", "Kontoart (z. B. Lehrkraft, Schülerin/Schüler)", "Account type (e.g. teacher, student)"),
    ("oidc.pseudonym_hint", "Ohne Zustimmung erhält das Werkzeug nur ein Pseudonym und die Schule – keinen Namen und keine E-Mail-Adresse.", "Without consent the tool receives only a pseudonym and the school – no name and no mail address."),
    ("oidc.pseudonym_only", "Das Werkzeug erhält nur ein Pseudonym und die Schule – keinen Namen und keine E-Mail-Adresse.", "The tool receives only a pseudonym and the school – no name and no mail address."),
    ("oidc.terms", "Nutzungsbedingungen des Werkzeugs", "The tool's terms of use"),
    ("oidc.revocable", "Die Zustimmung wird mit Zeitpunkt gespeichert und kann unter „Mein Konto“ widerrufen werden.", "The consent is stored with its time and can be withdrawn under “My account”."),
    ("oidc.share", "Zustimmen und Daten weitergeben", "Agree and share the data"),
    ("oidc.pseudonym", "Nur mit Pseudonym anmelden", "Log in with a pseudonym only"),
    ("oidc.accept", "Nutzungsbedingungen annehmen", "Accept the terms of use"),
    ("oidc.cancel", "Abbrechen", "Cancel"),
    ("action.tool_registered", "Angebundenes Werkzeug registriert", "Connected tool registered"),
];
