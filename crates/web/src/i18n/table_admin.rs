//! Texts of the admin pages: (key, German, English).

pub const ADMIN_TEXTS: &[(&str, &str, &str)] = &[
    // The log.
    ("admin.audit.system", "System", "System"),
    ("admin.audit.person", "Person", "Person"),
    (
        "admin.audit.person_hint",
        "Name oder Benutzername: wer gehandelt hat oder wen es betraf.",
        "Name or user name: who acted or whom it concerned.",
    ),
    ("admin.audit.some_file", "eine Datei", "a file"),
    ("admin.audit.filter", "Protokoll filtern", "Filter the log"),
    ("admin.audit.apply", "Filtern", "Filter"),
    ("admin.audit.reset", "Alle zeigen", "Show all"),
    ("admin.audit.all_actions", "Alle Aktionen", "All actions"),
    (
        "admin.audit.csv",
        "Als CSV herunterladen",
        "Download as CSV",
    ),
    (
        "admin.audit.none_match",
        "Keine Einträge passen zu diesem Filter.",
        "No entries match this filter.",
    ),
    // Actions of the log that had no words yet (the others are in table.rs).
    (
        "action.app_passwords_revoked",
        "App-Passwörter widerrufen",
        "App passwords revoked",
    ),
    (
        "action.consent.accept",
        "Nutzungsbedingungen zugestimmt",
        "Terms accepted",
    ),
    (
        "action.consent.decline",
        "Nutzungsbedingungen abgelehnt",
        "Terms declined",
    ),
    (
        "action.consent.publish",
        "Nutzungsbedingungen veröffentlicht",
        "Terms published",
    ),
    (
        "action.consent.revoke",
        "Zustimmung widerrufen",
        "Consent revoked",
    ),
    (
        "action.file_license",
        "Lizenz einer Datei geändert",
        "Licence of a file changed",
    ),
    (
        "action.file_offer_accept",
        "Freigabe einer anderen Schule angenommen",
        "Share from another school accepted",
    ),
    (
        "action.file_offer_decline",
        "Freigabe einer anderen Schule abgelehnt",
        "Share from another school declined",
    ),
    (
        "action.file_share_cross",
        "An eine andere Schule freigegeben",
        "Shared with another school",
    ),
    (
        "action.four_eyes.confirm",
        "Vier-Augen-Anfrage bestätigt",
        "Four-eyes request confirmed",
    ),
    (
        "action.four_eyes.reject",
        "Vier-Augen-Anfrage abgelehnt",
        "Four-eyes request rejected",
    ),
    (
        "action.four_eyes.request",
        "Vier-Augen-Anfrage gestellt",
        "Four-eyes request made",
    ),
    ("action.link_create", "Link erstellt", "Link created"),
    ("action.link_revoke", "Link widerrufen", "Link revoked"),
    (
        "action.logout_everywhere",
        "Überall abgemeldet",
        "Logged out everywhere",
    ),
    (
        "action.password.change",
        "Eigenes Passwort geändert",
        "Own password changed",
    ),
    (
        "action.safe_password_change",
        "Eigenes Safe-Passwort gewählt",
        "Own Safe password chosen",
    ),
    (
        "action.safe_password_set",
        "Safe-Passwort erzeugt",
        "Safe password generated",
    ),
    ("action.safe_unlock", "Safe geöffnet", "Safe opened"),
    (
        "action.school_cross_share_students",
        "Freigaben anderer Schulen für Schüler/innen geändert",
        "Shares from other schools for students changed",
    ),
    (
        "action.school_du_students",
        "Anrede der Schüler/innen geändert",
        "Form of address for students changed",
    ),
    (
        "action.school_time_zone",
        "Zeitzone der Schule geändert",
        "School time zone changed",
    ),
    (
        "action.schulleitung.bootstrap",
        "Erste Schulleitung angelegt",
        "First Schulleitung created",
    ),
    // Mein Konto: rights by module.
    ("admin.module.account", "Mein Konto", "My account"),
    ("admin.module.groups", "Gruppen", "Groups"),
    ("admin.module.files", "Dateien", "Files"),
    ("admin.module.media", "Mediathek", "Media library"),
    ("admin.module.safe", "Safe", "Safe"),
    ("admin.module.admin", "Verwaltung", "Administration"),
    // Safe passwords for many teachers, and their letters.
    (
        "admin.safe.bulk_title",
        "Safe-Passwörter für mehrere Lehrkräfte",
        "Safe passwords for several teachers",
    ),
    (
        "admin.safe.bulk_lead",
        "Wählen Sie die Lehrkräfte aus. Jede bekommt ein neues Safe-Passwort und einen Brief zum Ausdrucken; beim ersten Öffnen des Safes wählt sie ein eigenes. Vorausgewählt sind alle ohne Safe-Passwort.",
        "Choose the teachers. Each gets a new Safe password and a letter to print; on first opening the Safe they choose their own. Everyone without a Safe password is preselected.",
    ),
    (
        "admin.safe.bulk_caption",
        "Lehrkräfte und ihr Safe-Passwort",
        "Teachers and their Safe password",
    ),
    ("admin.safe.choose", "Auswählen", "Choose"),
    ("admin.safe.state", "Safe-Passwort", "Safe password"),
    ("admin.safe.state_none", "noch keines", "none yet"),
    (
        "admin.safe.state_generated",
        "erzeugt, noch kein eigenes gewählt",
        "generated, own one not chosen yet",
    ),
    ("admin.safe.state_own", "eigenes gewählt", "own one chosen"),
    (
        "admin.safe.bulk_button",
        "Passwörter erzeugen und Briefe zeigen",
        "Generate passwords and show letters",
    ),
    (
        "admin.safe.nobody",
        "Es gibt keine Konten, für die Sie Safe-Passwörter erzeugen können.",
        "There are no accounts you can generate Safe passwords for.",
    ),
    (
        "admin.safe.none_chosen",
        "Bitte mindestens eine Lehrkraft auswählen.",
        "Please choose at least one teacher.",
    ),
    (
        "admin.safe.refused",
        "Für mindestens eines der gewählten Konten kann kein Safe-Passwort erzeugt werden; es wurde keines erzeugt.",
        "A Safe password cannot be generated for at least one of the chosen accounts; none was generated.",
    ),
    (
        "admin.safe.one_title",
        "Safe-Passwort für ein Konto",
        "Safe password for one account",
    ),
    (
        "admin.safe.letters_title",
        "Briefe mit Safe-Passwörtern",
        "Letters with Safe passwords",
    ),
    (
        "admin.safe.letters_once",
        "Diese Passwörter werden nur jetzt angezeigt. Drucken Sie die Briefe, bevor Sie die Seite verlassen.",
        "These passwords are shown only now. Print the letters before leaving the page.",
    ),
    (
        "admin.safe.letters_print",
        "Drucken Sie diese Seite über die Druckfunktion des Browsers (Strg+P): Jeder Brief kommt auf eine eigene Seite, ohne Menü.",
        "Print this page with the browser's print function (Ctrl+P): each letter gets a page of its own, without the menu.",
    ),
    (
        "admin.safe.letter_heading",
        "Ihr Safe-Passwort",
        "Your Safe password",
    ),
    (
        "admin.safe.letter_hello",
        "Guten Tag {name},",
        "Dear {name},",
    ),
    (
        "admin.safe.letter_text",
        "für den Daten-Safe der Schule haben wir Ihnen ein Safe-Passwort erzeugt. Sie brauchen es zusätzlich zu Ihrem Anmeldepasswort, um den Safe zu öffnen.",
        "we have generated a Safe password for the school's data Safe. You need it in addition to your login password to open the Safe.",
    ),
    (
        "admin.safe.letter_own",
        "Beim ersten Öffnen des Safes werden Sie gebeten, ein eigenes Safe-Passwort zu wählen. Vernichten Sie diesen Brief danach.",
        "When you first open the Safe, you will be asked to choose your own Safe password. Destroy this letter afterwards.",
    ),
    (
        "admin.safe.letter_sign",
        "Ihre Schulleitung",
        "Your school management",
    ),
    (
        "admin.safe.choose_own",
        "Sie nutzen noch das erzeugte Safe-Passwort. Bitte wählen Sie jetzt Ihr eigenes.",
        "You are still using the generated Safe password. Please choose your own now.",
    ),
    // The user list.
    ("admin.users.class", "Klasse", "Class"),
    // A teacher resets a student's password.
    (
        "admin.reset.title",
        "Passwort zurücksetzen?",
        "Reset the password?",
    ),
    (
        "admin.reset.text",
        "Das Konto {login} bekommt ein neues Anfangspasswort; das bisherige gilt dann nicht mehr. Geben Sie das neue Passwort persönlich weiter.",
        "The account {login} gets a new initial password; the current one stops working. Hand the new password over in person.",
    ),
];
